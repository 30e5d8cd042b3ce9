import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/**
 * The "phone" project (playwright.config.ts: a Pixel 5, 393 × 727, touch): a developer's
 * and an agent's everyday flows, checking at each step that the page itself never
 * scrolls sideways and that what is tapped is at least 44 px tall.
 */
async function fitsTheScreen(page: Page) {
  // The contexts a test opens itself get the project's device too: say so if not.
  expect(page.viewportSize()?.width).toBeLessThanOrEqual(414);
  const sizes = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(sizes.scroll, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(sizes.client);
}

async function tapTarget(page: Page, name: string | RegExp) {
  const button = page.getByRole("button", { name });
  const box = await button.boundingBox();
  expect(box!.height, `"${name}" is a tap target`).toBeGreaterThanOrEqual(44);
  await button.tap();
}

test("a developer files a 4xx and a 5xx and reads them on a phone", async ({ page }) => {
  await signUp(page, "phone-dev");
  await fitsTheScreen(page);
  const endpoint = `/v1/phones/${Date.now()}`;

  await fillReport(page, {
    endpoint,
    status: "401",
    message: "Token has expired",
    description: "Fetching a phone fails since this morning.",
  });
  await tapTarget(page, "File report");
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await expect(page.getByRole("heading", { name: /access token has expired/ })).toBeVisible();
  await fitsTheScreen(page);

  await page.goto("/reports/new");
  await hydrated(page);
  await fillReport(page, {
    endpoint: `${endpoint}/sim`,
    status: "503",
    retries: "2",
    interval: "2",
    message: "Service Unavailable",
    description: "Activating a SIM fails.",
  });
  await tapTarget(page, "File report");
  await expect(page.getByRole("heading", { name: /Support will answer by/ })).toBeVisible();
  await fitsTheScreen(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My reports" }).tap();
  await expect(page.getByRole("heading", { name: "My reports" })).toBeVisible();
  await expect(page.getByRole("cell", { name: `GET ${endpoint}`, exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: `GET ${endpoint}/sim`, exact: true })).toBeVisible();
  await fitsTheScreen(page);
});

test("an agent works the queue and replies on a phone", async ({ browser }) => {
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  await signUp(dev, "phone-queue-dev");
  const endpoint = `/v1/handsets/${Date.now()}`;
  await fillReport(dev, {
    endpoint,
    status: "502",
    retries: "1",
    interval: "3",
    message: "Bad Gateway",
    description: "Listing handsets fails.",
  });
  await dev.getByRole("button", { name: "File report" }).click();
  await expect(dev).toHaveURL(/\/reports\/\d+$/);
  const id = dev.url().split("/").pop()!;

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await expect(agent).toHaveURL(/\/queue$/);
  await hydrated(agent);
  await agent.getByLabel("Endpoint starts with").fill(endpoint);
  await tapTarget(agent, "Filter");
  const row = agent.locator(`tr[data-ticket="${id}"]`);
  await expect(row).toBeVisible();
  await fitsTheScreen(agent);

  await row.getByRole("link", { name: `#${id}` }).tap();
  await expect(agent.getByRole("heading", { name: `Ticket #${id}` })).toBeVisible();
  await hydrated(agent);
  await fitsTheScreen(agent);
  await agent.getByLabel("Message").fill("We are on it; the gateway is being replaced.");
  await agent.getByLabel("Public reply (the developer sees it)").check();
  await tapTarget(agent, "Send");
  await expect(agent.locator(".timeline .public_reply")).toContainText("gateway is being replaced");
  await fitsTheScreen(agent);

  await dev.reload();
  await expect(dev.getByText("We are on it; the gateway is being replaced.")).toBeVisible();
  await agentContext.close();
  await devContext.close();
});
