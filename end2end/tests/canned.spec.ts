import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/**
 * The desk's own settings on pages: a saved reply goes into a ticket's reply box with the
 * ticket's fields, an agent's display name is what the developer sees, and the SLA policy
 * page edits the next-reply and resolution targets, refusing a bad one under its field.
 */
test("a saved reply fills the reply box and the developer sees the agent's name", async ({ browser }) => {
  const dev = await (await browser.newContext()).newPage();
  const devEmail = await signUp(dev, "canned-dev");
  await fillReport(dev, {
    endpoint: `/v1/canned/${Date.now()}`,
    status: "503",
    retries: "2",
    interval: "2",
    message: "Service Unavailable",
    description: "Saved replies test.",
  });
  await dev.getByRole("button", { name: "File report" }).click();
  await expect(dev).toHaveURL(/\/reports\/\d+$/);
  const id = dev.url().split("/").pop()!;

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await agent.goto("/account");
  await hydrated(agent);
  await agent.getByLabel("Display name").fill("Ana");
  await agent.getByRole("button", { name: "Save name" }).click();
  await expect(agent.getByText("Saved.")).toBeVisible();

  const title = `Looking into it ${Date.now()}`;
  await agent.goto("/canned");
  await hydrated(agent);
  await agent.getByLabel("Title").first().fill(title);
  await agent.getByLabel("Text").first().fill("Hi {developer}, we see {status} and are on it.");
  await agent.getByRole("button", { name: "Save reply" }).click();
  await expect(agent.locator(`article.canned[data-canned="${title}"]`)).toBeVisible();

  await agent.goto(`/tickets/${id}`);
  await hydrated(agent);
  await agent.getByLabel("Saved reply").selectOption({ label: title });
  await agent.getByRole("button", { name: "Insert" }).click();
  await expect(agent.getByLabel("Message")).toHaveValue(
    `Hi ${devEmail}, we see 503 Service Unavailable and are on it.`,
  );
  await agent.getByRole("button", { name: "Send" }).click();
  await expect(agent.locator(".timeline .public_reply")).toContainText("are on it.");

  await dev.reload();
  await expect(dev.getByText("Ana (Support)")).toBeVisible();
  await expect(dev.getByText(STAFF.agent.email)).toHaveCount(0);

  // The shared agent account goes back to no display name for the other specs.
  await agent.goto("/account");
  await hydrated(agent);
  await agent.getByLabel("Display name").fill("");
  await agent.getByRole("button", { name: "Save name" }).click();
  await expect(agent.getByText("Saved.")).toBeVisible();
});

test("the SLA policy page edits next-reply and resolution targets, naming a bad one", async ({ page }) => {
  await signIn(page, STAFF.manager.email, STAFF.manager.password);
  await page.goto("/settings/sla");
  await hydrated(page);
  const resolution = page.getByLabel(/Resolution \(from routing to resolved\)/);
  await expect(resolution).toHaveValue("5d");
  await expect(page.getByLabel(/Next reply/)).toHaveValue("1d");
  await resolution.fill("soon");
  await page.getByRole("button", { name: "Put in force" }).click();
  await expect(page.locator("#resolution-error")).toContainText("not a duration");

  await page.goto("/manager/reports");
  await expect(page.locator('[data-kpi="resolution"]')).toBeVisible();
  await expect(page.locator('[data-kpi="next-reply"]')).toBeVisible();
});
