import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/** A datetime-local value in UTC, `minutes` from now. */
function utcLocal(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 16);
}

test("agent publishes a notice; developers see the banner and are told a failure is maintenance", async ({ browser }) => {
  const prefix = `/v1/maint-${Date.now()}`;
  const ctx = await browser.newContext();
  const agent = await ctx.newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await agent.getByRole("link", { name: "Notices" }).click();
  await expect(agent.getByRole("heading", { name: "Maintenance notices" })).toBeVisible();
  await hydrated(agent);
  const form = agent.getByRole("region", { name: "Publish a notice" });

  // Planned work starting now breaks the 24-hour rule.
  await form.getByLabel("Title").fill("Ledger database failover");
  await form.getByLabel("Starts").fill(utcLocal(-5));
  await form.getByLabel("Ends").fill(utcLocal(120));
  await form.getByLabel("Timezone").fill("UTC");
  await form.getByLabel(/Affected endpoints/).fill(prefix);
  await form.getByLabel("Details").fill("Writes to the ledger may fail for a few minutes.");
  await form.getByRole("button", { name: "Publish" }).click();
  await expect(form.locator("#starts_at-error")).toContainText("24 hours");

  // As emergency work it is accepted.
  await form.getByLabel("Emergency work (may start within 24 hours)").check();
  await form.getByRole("button", { name: "Publish" }).click();
  await expect(agent.getByText("Published.")).toBeVisible();
  await expect(agent.locator("article.notice-card").first()).toContainText("Emergency maintenance");
  await ctx.close();

  // A developer sees the banner on every page, in their own timezone.
  const devCtx = await browser.newContext();
  const dev = await devCtx.newPage();
  await signUp(dev, "maint-dev");
  const banner = dev.getByRole("complementary", { name: "Maintenance notices" });
  await expect(banner).toContainText("Ledger database failover");
  await expect(banner).toContainText("Emergency maintenance (now)");
  await expect(banner).toContainText(/CET|CEST/);
  await dev.goto("/reports");
  await expect(banner).toContainText("Ledger database failover");

  // The intake page lists it in full; a failure inside the window is maintenance.
  await dev.goto("/reports/new");
  await expect(dev.getByRole("heading", { name: /Emergency maintenance.*Ledger database failover/ })).toBeVisible();
  await hydrated(dev);
  await fillReport(dev, {
    endpoint: `${prefix}/entries/42`,
    method: "POST",
    status: "503",
    retries: "2",
    interval: "2",
    description: "Posting a ledger entry fails.",
  });
  await dev.getByRole("button", { name: "File report" }).click();
  await expect(dev).toHaveURL(/\/reports\/\d+$/);
  await expect(dev.getByText("This happened during emergency maintenance")).toBeVisible();
  await expect(dev.getByText("No support ticket was opened")).toBeVisible();
  await expect(dev.getByRole("heading", { name: /Support will answer by/ })).toHaveCount(0);

  // Saying it is unrelated routes it, with a due time.
  await dev.getByLabel("Not caused by the maintenance? Tell support why").fill("Reads fail too, and they are not part of the failover.");
  await dev.getByRole("button", { name: "It is unrelated: send to support" }).click();
  await expect(dev.getByRole("heading", { name: /Support will answer by/ })).toBeVisible();
  await expect(dev.getByText("You said this failure is unrelated to the maintenance")).toBeVisible();
  await devCtx.close();
});
