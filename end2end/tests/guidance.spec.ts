import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/**
 * The guidance editor: an agent creates an article for 401s whose message has a word of
 * its own (so other specs' 401s keep the seeded articles), the live preview picks it, a
 * developer's 401 shows it; the agent edits it and the next 401 shows the new text while
 * the first report keeps the version it was shown; a bad regular expression is refused
 * under its field; retiring the article stops it matching.
 */
test("an agent edits an article: the next 401 shows the new text, the old report keeps the old", async ({
  browser,
}) => {
  const word = `zebra${Date.now()}`;
  const slug = `e2e-${word}`;
  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await agent.goto("/guidance/new");
  await hydrated(agent);
  await agent.getByLabel(/^Slug/).fill(slug);
  await agent.getByLabel("Title").fill(`Your ${word} key was revoked`);
  await agent.getByLabel("What the error means").fill("Keys are revoked when a team member leaves.");
  await agent.getByLabel(/What to check/).fill("Which key you send\nWhether it was revoked");
  await agent.getByLabel("How to call again").fill("With a key from the dashboard.");
  await agent.getByLabel(/^Status codes/).fill("401");
  await agent.getByLabel(/^Message pattern \(/).fill(word);
  await agent.getByRole("button", { name: "Create article" }).click();
  await expect(agent).toHaveURL(new RegExp(`/guidance/${slug}$`));
  await expect(agent.getByTestId("article-version")).toHaveText("Version 1, live.");

  // The preview answers as the intake would, while typing.
  await agent.goto("/guidance");
  await hydrated(agent);
  await agent.getByLabel("Status code").fill("401");
  await agent.getByLabel("The response's message").fill(`Key ${word} revoked`);
  await expect(agent.getByTestId("guidance-preview")).toContainText(`Your ${word} key was revoked`);
  await agent.getByLabel("The response's message").fill("Token has expired");
  await expect(agent.getByTestId("guidance-preview")).toContainText("token-expired");

  const dev = await (await browser.newContext()).newPage();
  await signUp(dev, "guidance-dev");
  const file = async () => {
    await dev.goto("/reports/new");
    await hydrated(dev);
    await fillReport(dev, {
      endpoint: "/v1/keys/check",
      status: "401",
      message: `Key ${word} revoked`,
      description: "Our key stopped working.",
    });
    await dev.getByRole("button", { name: "File report" }).click();
    await expect(dev).toHaveURL(/\/reports\/\d+$/);
    return dev.url();
  };
  const first = await file();
  await expect(dev.getByRole("heading", { name: `Your ${word} key was revoked` })).toBeVisible();
  await expect(dev.getByText(`Article ${slug}, version 1.`)).toBeVisible();

  // The agent edits it: a new version, with its diff.
  await agent.goto(`/guidance/${slug}`);
  await hydrated(agent);
  await agent.getByLabel("Title").fill(`Your ${word} key was rotated: use the new one`);
  await agent.getByRole("button", { name: "Save as a new version" }).click();
  await expect(agent.getByText("Saved: version 2 is live.")).toBeVisible();
  await expect(agent.getByTestId("article-version")).toHaveText("Version 2, live.");
  const v2 = agent.locator("#version-2");
  await expect(v2).toContainText("agent");
  await expect(v2.locator(".diff .del")).toContainText(`- Your ${word} key was revoked`);
  await expect(v2.locator(".diff .add")).toContainText(`+ Your ${word} key was rotated: use the new one`);

  await file();
  await expect(dev.getByRole("heading", { name: `Your ${word} key was rotated: use the new one` })).toBeVisible();
  await expect(dev.getByText(`Article ${slug}, version 2.`)).toBeVisible();
  await dev.goto(first);
  await expect(dev.getByRole("heading", { name: `Your ${word} key was revoked` })).toBeVisible();
  await expect(dev.getByText(`Article ${slug}, version 1.`)).toBeVisible();

  // A regular expression that does not compile is refused under its field.
  await agent.getByLabel("Message pattern is").selectOption("regex");
  await agent.getByLabel(/^Message pattern \(/).fill(`${word}(`);
  await agent.getByRole("button", { name: "Save as a new version" }).click();
  await expect(agent.locator("#pattern-error")).toContainText("not a valid regular expression");
  await expect(agent.getByTestId("article-version")).toHaveText("Version 2, live.");

  // Retired, it stops matching: the preview falls back to the seeded 401 article.
  await agent.getByRole("button", { name: "Retire this article" }).click();
  await expect(agent.getByTestId("article-version")).toHaveText("Version 3, retired: it matches no report.");
  await agent.goto(`/guidance?status=401&message=Key%20${word}%20revoked`);
  await expect(agent.getByTestId("guidance-preview")).toContainText("unauthorized");
  await expect(agent.locator(`tr[data-article="${slug}"]`)).toContainText("retired");
});
