import { expect, Page } from "@playwright/test";

let counter = 0;

/** A unique email per call, so specs never collide in the shared database. */
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${counter}@example.com`;
}

export const PASSWORD = "correct horse battery";

/** Waits until the wasm has hydrated the page (set by the app itself). */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Signs up a new developer through the form and returns their email. */
export async function signUp(page: Page, prefix = "dev"): Promise<string> {
  const email = uniqueEmail(prefix);
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Your timezone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/reports\/new$/);
  await expect(page.getByRole("heading", { name: "Report a failure" })).toBeVisible();
  return email;
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
}

export interface ReportInput {
  method?: string;
  endpoint: string;
  status?: string;
  transport?: string;
  message?: string;
  retries?: string;
  interval?: string;
  description: string;
  excerpt?: string;
}

/** Fills the report form (the page must be on /reports/new). */
export async function fillReport(page: Page, r: ReportInput) {
  if (r.method) await page.getByLabel("Method").selectOption(r.method);
  await page.getByLabel("Endpoint").fill(r.endpoint);
  if (r.status !== undefined) await page.getByLabel("Status code").fill(r.status);
  if (r.transport) await page.getByLabel("…or no response at all").selectOption(r.transport);
  if (r.message) await page.getByLabel("The response's message").fill(r.message);
  if (r.retries !== undefined) await page.getByLabel("Retries before reporting").fill(r.retries);
  if (r.interval !== undefined) await page.getByLabel("Seconds between retries").fill(r.interval);
  await page.getByLabel("What were you doing, and what happened?").fill(r.description);
  if (r.excerpt) await page.getByLabel(/Request \/ response excerpt/).fill(r.excerpt);
}
