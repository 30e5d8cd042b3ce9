import { expect, test } from "./fixtures";
import { fillReport, hydrated, signIn, signOut, signUp, PASSWORD } from "./helpers";

test("a developer signs up and lands on the report form", async ({ page }) => {
  const email = await signUp(page);
  await expect(page.getByText(email)).toBeVisible();
  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/reports$/);
  await expect(page.getByRole("heading", { name: "My reports" })).toBeVisible();
});

test("the classification changes live while typing the status code", async ({ page }) => {
  await signUp(page);
  const status = page.getByLabel("Status code");
  const output = page.locator("#classification");
  await status.pressSequentially("4");
  await expect(output).toContainText("Invalid");
  await status.pressSequentially("01");
  await expect(output).toContainText("Client error");
  await status.fill("");
  await status.pressSequentially("503");
  await expect(output).toContainText("Server error");
  await status.fill("99");
  await expect(output).toContainText("Invalid");
  await status.fill("");
  await page.getByLabel("…or no response at all").selectOption("timeout");
  await expect(output).toContainText(/transport|no response/i);
});

test("4xx: guidance refined by the message, then 'this solved it'", async ({ page }) => {
  await signUp(page);
  await fillReport(page, {
    endpoint: "/v1/orders/42",
    status: "401",
    message: "Token has expired",
    description: "Fetching an order started failing after lunch.",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await expect(page.getByRole("heading", { name: /access token has expired/ })).toBeVisible();
  await expect(page.getByText("Request a new access token")).toBeVisible();
  await page.getByRole("button", { name: "This solved it" }).click();
  await expect(page.getByText("You marked this solved by the guidance")).toBeVisible();
  await expect(page.getByText("Closed", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "This solved it" })).toHaveCount(0);
});

test("4xx: 'still failing' escalates into a low-priority ticket", async ({ page }) => {
  await signUp(page);
  await fillReport(page, {
    endpoint: "/v1/customers/cus_123/cards",
    method: "POST",
    status: "403",
    message: "Missing scope cards:write",
    description: "Adding a card is refused.",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.getByRole("heading", { name: /lacks a permission \(scope\)/ })).toBeVisible();
  await page.getByLabel("Still failing? Tell support what you changed").fill("x");
  await page.getByRole("button", { name: /Still failing/ }).click();
  await expect(page.locator("#changed-error")).toContainText("what you changed");
  await page
    .getByLabel("Still failing? Tell support what you changed")
    .fill("Issued a new token with cards:write, still 403.");
  await page.getByRole("button", { name: /Still failing/ }).click();
  await expect(page.getByText("Escalated to support")).toBeVisible();
  await expect(page.getByRole("heading", { name: /Support will answer by/ })).toBeVisible();
  await expect(page.getByText("low priority")).toBeVisible();
});

test("5xx with 0 retries: the rule is shown, filing needs a reason, the due time is visible", async ({ page }) => {
  await signUp(page);
  await page.getByLabel("Method").selectOption("POST");
  await page.getByLabel("Status code").fill("503");
  await page.getByLabel("Retries before reporting").fill("0");
  const advice = page.getByRole("note");
  await expect(advice).toContainText("1–2 times");
  await expect(advice).toContainText(/idempotency/i);
  await fillReport(page, {
    endpoint: "/v1/payments",
    message: "Service Unavailable",
    description: "Creating a payment fails.",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.locator("#retry_reason-error")).toBeVisible();
  await expect(page).toHaveURL(/\/reports\/new$/);
  await page
    .getByLabel(/Why you did not retry/)
    .fill("The request is not idempotent: a POST without an idempotency key.");
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  const sla = page.getByRole("heading", { name: /Support will answer by/ });
  await expect(sla).toBeVisible();
  await expect(sla).toContainText(/CET|CEST/); // the developer's own timezone (Europe/Berlin)
  await expect(page.getByText("retry rule not followed")).toBeVisible();
});

test("an invalid status code gets a field error and nothing is stored", async ({ page }) => {
  await signUp(page);
  await fillReport(page, { endpoint: "/v1/orders", status: "600", description: "Odd status." });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.locator("#status-error")).toContainText("600");
  await expect(page).toHaveURL(/\/reports\/new$/);
  await page.goto("/reports");
  await expect(page.getByText("You have not filed any reports yet.")).toBeVisible();
});

test("another developer cannot open my report", async ({ page, browser }) => {
  await signUp(page, "owner");
  await fillReport(page, {
    endpoint: "/v1/orders/9",
    status: "500",
    retries: "2",
    interval: "2",
    description: "Secret business details.",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  const url = page.url();

  const other = await browser.newContext();
  const intruder = await other.newPage();
  await signUp(intruder, "intruder");
  const res = await intruder.goto(url);
  expect(res?.status()).toBe(404);
  await expect(intruder.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(intruder.getByText("Secret business details.")).toHaveCount(0);
  await other.close();
});

test("user text is shown escaped", async ({ page }) => {
  await signUp(page);
  let alerted = false;
  page.on("dialog", async (d) => {
    alerted = true;
    await d.dismiss();
  });
  await fillReport(page, {
    endpoint: "/v1/orders/1",
    status: "502",
    retries: "1",
    interval: "1",
    description: "<script>alert('xss')</script><img src=x onerror=alert(1)>",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.getByText("<script>alert('xss')</script>", { exact: false })).toBeVisible();
  expect(alerted).toBe(false);
});
