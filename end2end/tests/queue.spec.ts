import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/** Opens support every day 00:00–23:59 UTC, so business time runs whenever the suite runs. */
async function openAllWeek(browser: import("@playwright/test").Browser) {
  const ctx = await browser.newContext();
  const manager = await ctx.newPage();
  await signIn(manager, STAFF.manager.email, STAFF.manager.password);
  await manager.goto("/settings/calendar");
  await hydrated(manager);
  await manager.getByLabel("Support timezone (IANA)").fill("UTC");
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]) {
    await manager.getByLabel(`${day} opens`).fill("00:00");
    await manager.getByLabel(`${day} closes`).fill("23:59");
  }
  await manager.getByRole("button", { name: "Save hours" }).click();
  await expect(manager.getByText("Saved.")).toBeVisible();
  await ctx.close();
  // The one closed minute of the day: wait it out rather than flake.
  const now = new Date();
  if (now.getUTCHours() === 23 && now.getUTCMinutes() === 59) {
    await new Promise((r) => setTimeout(r, 61_000));
  }
}

test("a 5xx reaches the live queue; note, reply, developer reply and reopen", async ({ browser }) => {
  test.setTimeout(120_000);
  await openAllWeek(browser);

  // The agent opens the queue (filtered to this test's endpoints, as other specs share
  // the database) and keeps it open.
  const prefix = `/v1/invoices/${Date.now()}`;
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await expect(agent).toHaveURL(/\/queue$/);
  await agent.getByLabel("Endpoint starts with").fill(prefix);
  await agent.getByRole("button", { name: "Filter" }).click();
  await expect(agent).toHaveURL(/endpoint=/);
  await expect(agent.getByText("Nothing in the queue for these filters.")).toBeVisible();
  await hydrated(agent);

  // A developer files a 5xx in another browser.
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  await signUp(dev, "queue-dev");
  const endpoint = `${prefix}/lines`;
  await fillReport(dev, {
    endpoint,
    status: "503",
    retries: "2",
    interval: "2",
    message: "Service Unavailable",
    description: "Invoices cannot be listed.",
  });
  await dev.getByRole("button", { name: "File report" }).click();
  await expect(dev).toHaveURL(/\/reports\/\d+$/);
  const id = dev.url().split("/").pop()!;

  // Without a reload, the ticket appears at the top of the agent's queue with a
  // ticking countdown.
  const row = agent.locator(`tr[data-ticket="${id}"]`);
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(agent.locator("table.queue tbody tr").first()).toHaveAttribute("data-ticket", id);
  const countdown = row.locator(".time-left").first();
  await expect(countdown).toContainText("left");
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 3_000 });

  // Open the ticket; an internal note leaves the clock running.
  await row.getByRole("link", { name: `#${id}` }).click();
  await expect(agent.getByRole("heading", { name: `Ticket #${id}` })).toBeVisible();
  await hydrated(agent);
  await agent.getByLabel("Message").fill("Internal: the invoices replica is lagging.");
  await agent.getByLabel("Internal note (staff only)").check();
  await agent.getByRole("button", { name: "Send" }).click();
  await expect(agent.locator(".timeline .internal_note")).toContainText("replica is lagging");
  await expect(agent.locator(".countdown .badge").first()).toHaveText(/On track|At risk/);

  // A public reply stops the clock: met.
  await agent.getByLabel("Message").fill("We found the cause and are fixing it now.");
  await agent.getByLabel("Public reply (the developer sees it)").check();
  await agent.getByLabel("Then set status").selectOption("waiting");
  await agent.getByRole("button", { name: "Send" }).click();
  await expect(agent.locator(".countdown .badge").first()).toHaveText("Met");
  await expect(agent.locator(".badges")).toContainText("Waiting on developer");
  // Waiting on the developer pauses the resolution clock: its countdown stands still.
  const resolution = agent.locator("dd.resolution .time-left");
  await expect(resolution).toContainText("paused: waiting on the developer");
  const frozen = await resolution.textContent();
  await agent.waitForTimeout(1_500);
  await expect(resolution).toHaveText(frozen!);
  await expect(agent.locator("dd.next-reply")).toHaveCount(0);

  // The developer sees the reply, not the note, and answers: the ticket reopens.
  await dev.reload();
  await expect(dev.getByText("We found the cause and are fixing it now.")).toBeVisible();
  await expect(dev.getByText("replica is lagging")).toHaveCount(0);
  await expect(dev.locator(".sla-state")).toHaveText("Met");
  await hydrated(dev);
  await dev.getByLabel("Reply to support").fill("Thanks, still failing for invoice 42 though.");
  await dev.getByRole("button", { name: "Send reply" }).click();
  await expect(dev.getByText("Thanks, still failing for invoice 42 though.")).toBeVisible();

  await expect(agent.locator(".timeline .developer_reply")).toContainText("invoice 42", { timeout: 5_000 });
  await expect(agent.locator(".badges")).toContainText("Open");
  // The reply resumes the resolution clock and starts a next-reply clock.
  await expect(resolution).not.toContainText("waiting on the developer");
  await expect(agent.locator("dd.next-reply .time-left")).toContainText(/left|overdue/);

  await agentContext.close();
  await devContext.close();
});

test("developers cannot open the queue, agents cannot edit the calendar", async ({ page, browser }) => {
  await signUp(page, "nosy");
  const res = await page.goto("/queue");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  const ctx = await browser.newContext();
  const agent = await ctx.newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await expect(agent).toHaveURL(/\/queue$/);
  const cal = await agent.goto("/settings/calendar");
  expect(cal?.status()).toBe(403);
  await ctx.close();
});

test("a manager edits the support calendar", async ({ page }) => {
  await signIn(page, STAFF.manager.email, STAFF.manager.password);
  await expect(page).toHaveURL(/\/queue$/);
  await page.getByRole("link", { name: "Calendar" }).click();
  await expect(page.getByRole("heading", { name: "Support calendar" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Name").fill("Company day");
  await page.getByLabel("Date").fill("2031-05-02");
  await page.getByRole("button", { name: "Add holiday" }).click();
  await expect(page.getByText("2031-05-02")).toBeVisible();
  await page.getByLabel("Saturday opens").fill("10:00");
  await page.getByLabel("Saturday closes").fill("09:00");
  await page.getByRole("button", { name: "Save hours" }).click();
  await expect(page.locator(".form-error")).toContainText("Saturday");
  await page.getByLabel("Saturday opens").fill("");
  await page.getByLabel("Saturday closes").fill("");
  await page.getByRole("button", { name: "Save hours" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
});
