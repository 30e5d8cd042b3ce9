import { expect, test } from "@playwright/test";
import { uniqueEmail, PASSWORD } from "./helpers";

test.use({ javaScriptEnabled: false });

test("every step works with JavaScript disabled", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(uniqueEmail("nojs"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/reports\/new$/);

  // An invalid status: the server re-renders the form with the error inline and with
  // everything that was typed still there.
  await page.getByLabel("Endpoint").fill("/v1/orders/5");
  await page.getByLabel("Method").selectOption("POST");
  await page.getByLabel("Status code").fill("99");
  await page.getByLabel(/Why you did not retry/).fill("Batch job, cannot retry by hand.");
  await page.getByLabel("What were you doing, and what happened?").fill("Gateway timeout without JS.");
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.locator("#status-error")).toContainText("99");
  await expect(page.getByLabel("Endpoint")).toHaveValue("/v1/orders/5");
  await expect(page.getByLabel("Method")).toHaveValue("POST");
  await expect(page.getByLabel("Status code")).toHaveValue("99");
  await expect(page.getByLabel("What were you doing, and what happened?")).toHaveValue(
    "Gateway timeout without JS.",
  );

  // Fixing only the status files it: a 5xx with 0 retries and the reason kept above.
  await page.getByLabel("Status code").fill("504");
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await expect(page.getByRole("heading", { name: /Support will answer by/ })).toBeVisible();

  // A 4xx answered "solved" without JS.
  await page.goto("/reports/new");
  await page.getByLabel("Endpoint").fill("/v1/orders/5");
  await page.getByLabel("Status code").fill("404");
  await page.getByLabel("What were you doing, and what happened?").fill("Not found without JS.");
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.getByRole("heading", { name: /404 Not Found/ })).toBeVisible();
  await page.getByRole("button", { name: "This solved it" }).click();
  await expect(page.getByText("You marked this solved by the guidance")).toBeVisible();
});
