import { expect, test } from "./fixtures";
import { hydrated, signUp } from "./helpers";

/**
 * The JSON API's door, as a developer finds it: a token made in the page, used by a
 * program (here the spec's own HTTP client, which has no cookies), the report it files
 * listed in the browser, and the token revoked in the page refused at once.
 */
test("a token made in the page files a report over the API until it is revoked", async ({ page, playwright, baseURL }) => {
  await signUp(page, "token");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL(/\/account\/tokens$/);
  await hydrated(page);
  await expect(page.getByText("No tokens yet.")).toBeVisible();

  await page.getByLabel("Name").fill("CI bot");
  await page.getByLabel("Expires after").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.locator("#new-token");
  await expect(shown).toBeVisible();
  const token = await shown.inputValue();
  expect(token).toMatch(/^fd_[0-9A-Za-z]{43,}$/);

  // The list shows the token's start only, never the whole token.
  const row = page.getByRole("row", { name: /CI bot/ });
  await expect(row).toContainText(token.slice(0, 8));
  await expect(row).toContainText("active");
  await expect(row).toContainText("never"); // not used yet
  await expect(page.locator("table")).not.toContainText(token);

  // A program without the browser's cookies, as an SDK's error handler would be.
  const program = await playwright.request.newContext({ baseURL });
  const auth = { Authorization: `Bearer ${token}` };
  const endpoint = `/v1/payments/${Date.now()}`;
  const filed = await program.post("/api/v1/reports", {
    headers: auth,
    data: {
      method: "POST",
      endpoint,
      status: 503,
      message: "upstream timeout",
      retries: 2,
      retry_interval_secs: 2,
      description: "Filed from the SDK's error handler",
      occurred_at: new Date(Date.now() - 60_000).toISOString(),
      timezone: "Europe/Berlin",
    },
  });
  expect(filed.status(), await filed.text()).toBe(201);
  const report = await filed.json();
  expect(filed.headers()["location"]).toBe(`/api/v1/reports/${report.summary.id}`);
  expect(report.summary.class).toBe("server_error");

  // The report is the developer's own, in the browser.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My reports" }).click();
  await expect(page.getByRole("heading", { name: "My reports" })).toBeVisible();
  await expect(page.getByText(endpoint)).toBeVisible();

  // Its last use is shown (the column said "never" before); then revoke it in the page.
  await page.goto("/account/tokens");
  await hydrated(page);
  await expect(page.getByRole("row", { name: /CI bot/ })).not.toContainText("never");
  await page.getByRole("button", { name: "Revoke CI bot" }).click();
  await expect(page.getByRole("row", { name: /CI bot/ })).toContainText("revoked");

  const refused = await program.get("/api/v1/reports", { headers: auth });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["www-authenticate"]).toContain("Bearer");
  const body = await refused.json();
  expect(body.status).toBe(401);
  expect(typeof body.message).toBe("string");
  await program.dispose();
});
