import { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import * as fs from "node:fs";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, signIn, signUp } from "./helpers";

/** The cells of a table's body, row by row (row headers included). */
async function bodyCells(table: Locator): Promise<string[][]> {
  return table
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll("th, td")).map((c) => (c.textContent ?? "").trim())),
    );
}

async function headerCells(table: Locator): Promise<string[]> {
  return table.locator("thead th").allTextContents();
}

/** A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  expect(field).toBe("");
  return rows;
}

/** Today in the support timezone (the e2e calendar is UTC). */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The count in the Deflection table's row `measure`. */
async function deflection(page: Page, measure: string): Promise<number> {
  const rows = await bodyCells(page.getByRole("table", { name: "Deflection" }));
  const row = rows.find((r) => r[0] === measure);
  expect(row, measure).toBeDefined();
  return Number(row![1]);
}

async function fileAsNewDeveloper(page: Page) {
  await signUp(page, "reporter");
  await fillReport(page, {
    endpoint: "/v1/payments/pay_7Hs2kd9a",
    status: "503",
    retries: "2",
    interval: "2",
    message: "Service Unavailable",
    description: "Capturing a payment fails.",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page).toHaveURL(/\/reports\/\d+$/);
  await page.goto("/reports/new");
  await fillReport(page, {
    endpoint: "/v1/search/a,b",
    status: "404",
    message: "No such index",
    description: "Searching two indexes at once.",
  });
  await page.getByRole("button", { name: "File report" }).click();
  await expect(page.getByRole("button", { name: "This solved it" })).toBeVisible();
}

test("a manager reads the SLA report, changes the range and downloads a CSV matching the screen", async ({
  page,
  browser,
}) => {
  await signIn(page, STAFF.manager.email, STAFF.manager.password);
  await expect(page).toHaveURL(/\/queue$/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports", exact: true }).click();
  await expect(page).toHaveURL(/\/manager\/reports$/);
  await expect(page.getByRole("heading", { name: "SLA reports" })).toBeVisible();
  await hydrated(page);
  const routedBefore = await deflection(page, "Routed to support");
  const deflectedBefore = await deflection(page, "Deflected with guidance");

  const dev = await browser.newContext();
  await fileAsNewDeveloper(await dev.newPage());
  await dev.close();

  await page.reload();
  expect(await deflection(page, "Routed to support")).toBe(routedBefore + 1);
  expect(await deflection(page, "Deflected with guidance")).toBe(deflectedBefore + 1);
  await expect(page.getByRole("img", { name: /SLA attainment per day/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /Reports per day/ })).toBeVisible();

  // A range in the past holds none of these reports.
  await page.getByLabel("From", { exact: true }).fill("2020-01-01");
  await page.getByLabel("To", { exact: true }).fill("2020-01-31");
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page).toHaveURL(/from=2020-01-01&to=2020-01-31/);
  await expect(page.getByText(/2020-01-01 to 2020-01-31 \(31 days\)/)).toBeVisible();
  expect(await deflection(page, "Routed to support")).toBe(0);
  expect(await deflection(page, "Deflected with guidance")).toBe(0);
  await expect(page.getByText("Nothing in this range.").first()).toBeVisible();

  // Today only: every report of this run (the database is fresh), ours included.
  await page.getByLabel("From", { exact: true }).fill(today());
  await page.getByLabel("To", { exact: true }).fill(today());
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page).toHaveURL(new RegExp(`from=${today()}&to=${today()}`));
  expect(await deflection(page, "Routed to support")).toBe(routedBefore + 1);
  expect(await deflection(page, "Deflected with guidance")).toBe(deflectedBefore + 1);
  await hydrated(page);

  // The CSV of the endpoint table is the table on the screen.
  const table = page.getByRole("table", { name: "Reports by endpoint" });
  const screen = [await headerCells(table), ...(await bodyCells(table))];
  expect(screen.some((r) => r[0] === "/v1/search/a,b")).toBe(true);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV of Reports by endpoint" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`faultdesk-volume-by-endpoint-${today()}-to-${today()}.csv`);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  expect(csv).toContain('\r\n"/v1/search/a,b",');
  expect(parseCsv(csv)).toEqual(screen);

  // Any column sorts the rows: numbers biggest first, then the other way round.
  const reportsColumn = async () =>
    (await bodyCells(table)).map((r) => Number(r[1].replace(/,/g, "")));
  await table.getByRole("button", { name: "Reports", exact: true }).click();
  const down = await reportsColumn();
  expect(down).toEqual([...down].sort((a, b) => b - a));
  await expect(table.locator("thead th").nth(1)).toHaveAttribute("aria-sort", "descending");
  await table.getByRole("button", { name: "Reports", exact: true }).click();
  const up = await reportsColumn();
  expect(up).toEqual([...up].sort((a, b) => a - b));

  // Deflection per guidance article: our 4xx's article is listed.
  const articles = page.getByRole("table", { name: "Deflection per guidance article" });
  await expect(articles.locator("tbody tr").first()).toBeVisible();
});

test("the range form refuses an end before the start, naming the field", async ({ page }) => {
  await signIn(page, STAFF.manager.email, STAFF.manager.password);
  await expect(page).toHaveURL(/\/queue$/);
  const res = await page.goto("/manager/reports?from=2026-02-01&to=2026-01-01");
  expect(res?.status()).toBe(422);
  await expect(page.getByRole("alert")).toContainText("before the start date");
  await expect(page.getByLabel("To", { exact: true })).toHaveAttribute("aria-describedby", "to-error");
});

test("agents get 403 on reports and their CSV downloads", async ({ page }) => {
  await signIn(page, STAFF.agent.email, STAFF.agent.password);
  await expect(page).toHaveURL(/\/queue$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports", exact: true })).toHaveCount(0);
  const res = await page.goto("/manager/reports");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  const csv = await page.request.get("/manager/reports/breaches.csv");
  expect(csv.status()).toBe(403);
  expect(csv.headers()["content-type"]).toContain("application/json");
});
