import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
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

test("a notice refused without JavaScript comes back filled in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(STAFF.agent.email);
  await page.getByLabel("Password").fill(STAFF.agent.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto("/notices");
  const form = page.getByRole("region", { name: "Publish a notice" });
  const soon = new Date(Date.now() + 60 * 60_000).toISOString().slice(0, 16);
  const later = new Date(Date.now() + 120 * 60_000).toISOString().slice(0, 16);
  await form.getByLabel("Title").fill("No-JS reindex");
  await form.getByLabel("Starts").fill(soon);
  await form.getByLabel("Ends").fill(later);
  await form.getByLabel("Timezone").fill("UTC");
  await form.getByLabel(/Affected endpoints/).fill("/v1/search");
  await form.getByLabel("Details").fill("Search </textarea> may be slow.");
  await form.getByRole("button", { name: "Publish" }).click();
  await expect(form.locator("#starts_at-error")).toContainText("24 hours");
  await expect(form.getByLabel("Title")).toHaveValue("No-JS reindex");
  await expect(form.getByLabel("Starts")).toHaveValue(soon);
  await expect(form.getByLabel(/Affected endpoints/)).toHaveValue("/v1/search");
  await expect(form.getByLabel("Details")).toHaveValue("Search </textarea> may be slow.");
});
