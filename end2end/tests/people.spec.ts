import { expect, test } from "./fixtures";
import { hydrated, signIn, signUp, uniqueEmail } from "./helpers";
import { STAFF } from "../global-setup";

/**
 * Running the desk without a terminal: a manager invites an agent, who sets a password
 * through the one-time link and works the queue; the manager deactivates them and their
 * open session is refused on the next request.
 */
test("a manager invites an agent who joins through the link and works the queue", async ({ browser }) => {
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await signIn(manager, STAFF.manager.email, STAFF.manager.password);
  await manager.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "People" }).click();
  await expect(manager).toHaveURL(/\/manager\/people$/);
  await hydrated(manager);

  const email = uniqueEmail("invited");
  await manager.getByLabel("Email").fill(email);
  await manager.getByLabel("Role", { exact: true }).selectOption("agent");
  await manager.getByRole("button", { name: "Send invitation" }).click();
  const shown = manager.locator("#invite-link");
  await expect(shown).toBeVisible();
  const link = await shown.inputValue();
  expect(link).toMatch(/\/invite\?token=[0-9A-Za-z]{43}$/);
  await expect(manager.locator(`ul.invites li[data-state="pending"]`, { hasText: email })).toBeVisible();

  // The invited agent follows the link, chooses a password and lands on the queue.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  // Without FAULTDESK_PUBLIC_URL the link is a path on this site.
  const path = link.replace(/^https?:\/\/[^/]+/, "");
  await agent.goto(path);
  await expect(agent.getByRole("heading", { name: "Join the support desk" })).toBeVisible();
  await expect(agent.getByText(`You are invited as an agent, with the email ${email}.`)).toBeVisible();
  await hydrated(agent);
  await agent.getByLabel("Choose a password").fill("my own long password");
  await agent.getByRole("button", { name: "Create my account" }).click();
  await expect(agent).toHaveURL(/\/queue$/);
  await expect(agent.getByRole("heading", { name: "Support queue" })).toBeVisible();

  // The link is used up.
  const again = await (await browser.newContext()).newPage();
  await again.goto(path);
  await expect(again.getByRole("heading", { name: "This invitation is not valid any more" })).toBeVisible();

  // The manager sees them, and deactivates them: the agent's next request is refused.
  await manager.reload();
  await hydrated(manager);
  const row = manager.locator(`tr[data-person="${email}"]`);
  await expect(row).toContainText("agent");
  await row.getByRole("button", { name: `Deactivate ${email}` }).click();
  await expect(row).toContainText("Deactivated");
  await expect(manager.locator("ul.audit li[data-action=deactivated]").first()).toContainText(email);
  const res = await agent.goto("/queue");
  expect(res?.status()).toBe(401);

  await agentContext.close();
  await managerContext.close();
});

test("a developer changes their password and their other session is signed out", async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  const email = await signUp(first, "pwchange");
  const second = await (await browser.newContext()).newPage();
  await signIn(second, email);

  await first.goto("/account");
  await hydrated(first);
  await first.getByLabel("Current password").fill("not my password");
  await first.getByLabel("New password").fill("an even longer password");
  await first.getByRole("button", { name: "Change password" }).click();
  await expect(first.locator("#current_password-error")).toHaveText("That is not your current password.");

  await first.getByLabel("Current password").fill("correct horse battery");
  await first.getByRole("button", { name: "Change password" }).click();
  await expect(first.getByRole("status")).toContainText("Password changed");

  const res = await second.goto("/reports");
  expect(res?.status()).toBe(401);
  await first.goto("/reports");
  await expect(first.getByRole("heading", { name: "My reports" })).toBeVisible();
});

test("asking for a reset link answers the same for any email", async ({ page }) => {
  for (const email of ["nobody-here@example.com", STAFF.agent.email]) {
    await page.goto("/forgot-password");
    await hydrated(page);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send me a link" }).click();
    await expect(page.getByRole("status")).toHaveText(
      "If that email has an account, a link is on its way. Check your inbox (and spam folder).",
    );
  }
});
