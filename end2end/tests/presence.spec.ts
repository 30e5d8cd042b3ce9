import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/**
 * Who is looking: two staff on one ticket see each other, and one typing a reply shows
 * up on the other's page as a warning, live; a saved reply goes into the reply box with
 * the ticket's fields.
 */
test("two staff on one ticket see each other and who is replying", async ({ browser }) => {
  const dev = await (await browser.newContext()).newPage();
  await signUp(dev, "presence-dev");
  await fillReport(dev, {
    endpoint: `/v1/presence/${Date.now()}`,
    status: "502",
    retries: "2",
    interval: "2",
    message: "Bad Gateway",
    description: "Two agents look at this.",
  });
  await dev.getByRole("button", { name: "File report" }).click();
  await expect(dev).toHaveURL(/\/reports\/\d+$/);
  const id = dev.url().split("/").pop()!;

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await agent.goto(`/tickets/${id}`);
  await hydrated(agent);
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, STAFF.manager.email, STAFF.manager.password);
  await manager.goto(`/tickets/${id}`);
  await hydrated(manager);

  await expect(manager.locator(".presence .viewers")).toContainText(STAFF.agent.email);
  // The agent hears of the manager without reloading.
  await expect(agent.locator(".presence .viewers")).toContainText(STAFF.manager.email, { timeout: 5_000 });

  // The manager starts typing: the agent is warned, live.
  await manager.getByLabel("Message").fill("Looking at the gateway logs now.");
  await expect(agent.locator(".presence .replying")).toContainText(
    `${STAFF.manager.email} is replying to this ticket right now.`,
    { timeout: 5_000 },
  );

  // The manager leaves: gone from the agent's page.
  await manager.goto("/queue");
  await expect(agent.locator(".presence .viewers")).toHaveCount(0, { timeout: 5_000 });
});
