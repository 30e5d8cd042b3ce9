import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { STAFF } from "../global-setup";
import { fillReport, hydrated, PASSWORD, signIn, signUp, uniqueEmail } from "./helpers";

/**
 * Every page, as every role sees it: no WCAG 2.1 A/AA violation found by axe-core, and
 * on a phone-sized screen (360 px wide, the narrowest common one) nothing makes the page
 * itself scroll sideways (wide tables scroll inside their own box).
 */
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

async function audit(page: Page, path: string, problems: string[]) {
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    await page.goto(path);
    await hydrated(page);
    const overflow = await page.evaluate(() => {
      const doc = document.documentElement;
      if (doc.scrollWidth <= doc.clientWidth) return null;
      // Name the widest elements that stick out, to say what to fix.
      const out: string[] = [];
      for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
        const r = el.getBoundingClientRect();
        if (r.right > doc.clientWidth + 1 && !el.closest(".table-scroll")) {
          out.push(`${el.tagName.toLowerCase()}.${el.className} → ${Math.round(r.right)}px`);
        }
      }
      return `${doc.scrollWidth}px wide: ${out.slice(0, 5).join("; ")}`;
    });
    if (overflow && viewport === PHONE) problems.push(`${path} on a phone: ${overflow}`);
    const results = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    for (const v of results.violations) {
      problems.push(
        `${path} (${viewport.width}px) ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
      );
    }
  }
}

test("every page is accessible and fits a phone, for every role", async ({ browser }) => {
  test.setTimeout(300_000);
  const problems: string[] = [];

  const visitor = await (await browser.newContext()).newPage();
  for (const path of ["/", "/signup", "/login", "/forgot-password", "/reset-password?token=x", "/invite?token=x"]) await audit(visitor, path, problems);

  // A developer with a 5xx (a ticket) and a 4xx (guidance).
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  await signUp(dev, "pages-dev");
  const endpoint = `/v1/audits/${Date.now()}`;
  // Two reports of one outage: a ticket that is part of an incident.
  for (const description of ["Audits cannot be listed.", "Still failing for a colleague."]) {
    await dev.goto("/reports/new");
    await hydrated(dev);
    await fillReport(dev, {
      endpoint,
      status: "503",
      retries: "2",
      interval: "2",
      message: "Service Unavailable",
      description,
    });
    await dev.getByRole("button", { name: "File report" }).click();
    await expect(dev).toHaveURL(/\/reports\/\d+$/);
  }
  const ticket = new URL(dev.url()).pathname;
  const ticketId = ticket.split("/").pop()!;
  await dev.goto("/reports/new");
  await hydrated(dev);
  await fillReport(dev, {
    endpoint: `${endpoint}/items`,
    status: "422",
    message: "amount must be positive",
    description: "Creating an audit item is refused.",
  });
  await dev.getByRole("button", { name: "File report" }).click();
  await expect(dev).toHaveURL(/\/reports\/\d+$/);
  const deflected = new URL(dev.url()).pathname;
  for (const path of ["/reports/new", "/reports", ticket, deflected, "/account/tokens", "/account"]) {
    await audit(dev, path, problems);
  }

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, STAFF.agent.email, STAFF.agent.password);
  await agent.goto(`/tickets/${ticketId}`);
  await hydrated(agent);
  const incident = await agent.locator('.incident-note a[href^="/incidents/"]').getAttribute("href");
  for (const path of ["/queue", `/tickets/${ticketId}`, "/notices", "/alerts", "/canned", "/guidance", "/guidance/new", "/guidance/unauthorized", incident!]) {
    await audit(agent, path, problems);
  }

  // Outside business hours the ticket's countdown reads "… left (paused: support is
  // closed)"; whatever the hour this runs, that text must wrap on a phone.
  await agent.setViewportSize(PHONE);
  await agent.goto(`/tickets/${ticketId}`);
  await hydrated(agent);
  const closedOverflow = await agent.evaluate(() => {
    const left = document.querySelector<HTMLElement>("dl.details .time-left")!;
    left.textContent = "8h 00m 00s left (paused: support is closed)";
    const doc = document.documentElement;
    return doc.scrollWidth - doc.clientWidth;
  });
  if (closedOverflow > 0) {
    problems.push(`/tickets/${ticketId} on a phone, support closed: ${closedOverflow}px too wide`);
  }

  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, STAFF.manager.email, STAFF.manager.password);
  for (const path of ["/manager/reports", "/settings/calendar", "/settings/sla", "/manager/people", "/account"]) {
    await audit(manager, path, problems);
  }

  expect(problems, problems.join("\n")).toEqual([]);
});

test("the browser bundle is content-named, precompressed and cached for good", async ({ page, request }) => {
  const loaded: string[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/pkg/")) loaded.push(new URL(r.url()).pathname);
  });
  await page.goto("/");
  await hydrated(page);
  const wasm = loaded.find((p) => p.endsWith(".wasm"));
  expect(wasm, loaded.join(", ")).toMatch(/^\/pkg\/faultdesk\.[0-9a-f]{16}\.wasm$/);
  expect(loaded.some((p) => /^\/pkg\/faultdesk\.[0-9a-f]{16}\.css$/.test(p)), loaded.join(", ")).toBe(true);
  for (const [encoding, expected] of [
    ["br", "br"],
    ["gzip", "gzip"],
    ["identity", undefined],
  ] as const) {
    const r = await request.get(wasm!, { headers: { "Accept-Encoding": encoding } });
    expect(r.status()).toBe(200);
    expect(r.headers()["content-encoding"]).toBe(expected);
    expect(r.headers()["content-type"]).toBe("application/wasm");
    expect(r.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    // Decoded, every variant is the same module (a wasm file starts with "\0asm").
    expect((await r.body()).subarray(0, 4).toString("latin1")).toBe("\0asm");
  }
});

test("the start page loads only the main bundle; other pages bring their route group's chunks", async ({ page, request }) => {
  const loaded: string[] = [];
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/pkg/")) loaded.push(path);
  });
  const chunk = /^\/pkg\/(chunk_\d+|split_[a-z_]+_\d+)\.[0-9a-f]{16}\.wasm$/;

  // The first page a developer sees is in the main module: no chunk is fetched.
  await page.goto("/");
  await hydrated(page);
  const wasm = loaded.filter((p) => p.endsWith(".wasm"));
  expect(wasm, loaded.join(", ")).toEqual([expect.stringMatching(/^\/pkg\/faultdesk\.[0-9a-f]{16}\.wasm$/)]);

  // Following a link to a lazy page fetches its group's chunks, and the page works.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect(loaded.some((p) => /^\/pkg\/split_account_pages_\d+\.[0-9a-f]{16}\.wasm$/.test(p)), loaded.join(", ")).toBe(true);
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  // A lazy page rendered by the server names its chunks for the browser to fetch beside
  // the main module, then hydrates with them.
  loaded.length = 0;
  await page.goto("/signup");
  const preloads = await page
    .locator('link[rel="preload"][href$=".wasm"]')
    .evaluateAll((links) => links.map((l) => new URL((l as HTMLLinkElement).href).pathname));
  expect(preloads.length, preloads.join(", ")).toBeGreaterThan(1);
  for (const p of preloads.filter((p) => !p.includes("/faultdesk."))) expect(p).toMatch(chunk);
  expect(preloads.some((p) => p.includes("split_account_pages_"))).toBe(true);
  await hydrated(page);
  await page.getByLabel("Email").fill(uniqueEmail("lazy"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Your timezone").fill("Mars/Olympus_Mons");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#timezone-error")).toBeVisible();

  // Chunks are content-named, precompressed and cached for good, like the main module.
  const some = loaded.find((p) => chunk.test(p));
  expect(some, loaded.join(", ")).toBeTruthy();
  const r = await request.get(some!, { headers: { "Accept-Encoding": "br" } });
  expect(r.status()).toBe(200);
  expect(r.headers()["content-encoding"]).toBe("br");
  expect(r.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  expect((await r.body()).subarray(0, 4).toString("latin1")).toBe("\0asm");
});
