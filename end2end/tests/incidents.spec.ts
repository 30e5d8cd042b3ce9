import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

test("three developers file the same 5xx; one incident, one reply reaches all three", async ({ browser }) => {
  test.setTimeout(90_000);
  const base = `/v1/e2e-${Date.now()}/items`;
  const devs = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signUp(page, `flood-${i}`);
    await fillReport(page, {
      endpoint: `${base}/${1000 + i}`,
      status: "502",
      retries: "2",
      interval: "1",
      message: "Bad Gateway",
      description: `Item lookup fails (developer ${i}).`,
    });
    await page.getByRole("button", { name: "File report" }).click();
    await expect(page).toHaveURL(/\/reports\/\d+$/);
    devs.push({ ctx, page });
  }
  // The third developer filed into an open incident and is told so.
  await expect(devs[2].page.getByText("Known incident")).toBeVisible();
  await expect(devs[2].page.getByRole("heading", { name: "3 developers reported this failure" })).toBeVisible();
  await hydrated(devs[2].page);
  await devs[2].page.getByRole("button", { name: "Follow this incident" }).click();
  await expect(devs[2].page.getByText("You follow this incident.")).toBeVisible();

  // The agent sees one queue row for the incident with its three reports.
  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await agent.goto(`/queue?endpoint=${encodeURIComponent(base)}`);
  const rows = agent.locator("table.queue tbody tr");
  await expect(rows).toHaveCount(1);
  const badge = rows.first().getByRole("link", { name: /Incident #\d+ · 3 reports/ });
  await expect(badge).toBeVisible();
  await badge.click();
  await expect(agent.getByRole("heading", { name: /Incident #\d+/ })).toBeVisible();
  await expect(agent.locator("tr[data-report]")).toHaveCount(3);
  await hydrated(agent);

  // While the agent types an update, another report joins: the page follows it live
  // and the draft stays.
  await agent.getByLabel("Update", { exact: true }).fill("Draft: investigating");
  const late = devs[0].page;
  await late.goto("/reports/new");
  await hydrated(late);
  await fillReport(late, {
    endpoint: `${base}/1003`,
    status: "502",
    retries: "2",
    interval: "1",
    message: "Bad Gateway",
    description: "Still failing, another item.",
  });
  await late.getByRole("button", { name: "File report" }).click();
  await expect(late).toHaveURL(/\/reports\/\d+$/);
  await expect(agent.locator("tr[data-report]")).toHaveCount(4);
  await expect(agent.getByLabel("Update", { exact: true })).toHaveValue("Draft: investigating");

  // One public update answers every report.
  await agent.getByLabel("Update", { exact: true }).fill("The item service is back; we are watching error rates.");
  await agent.getByRole("button", { name: "Send to all reports" }).click();
  await expect(agent.getByText("Sent to 4 reports.")).toBeVisible();
  await expect(agent.getByLabel("Update", { exact: true })).toHaveValue("");

  for (const { page } of devs) {
    await page.reload();
    await expect(page.locator(".messages")).toContainText("The item service is back");
    await expect(page.locator(".sla-state")).toHaveText(/Met|Answered late/);
  }
  await agentCtx.close();
  for (const { ctx } of devs) await ctx.close();
});
