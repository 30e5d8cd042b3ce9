import { expect, Page, test as base } from "@playwright/test";

/**
 * Every spec runs with this `test`: it records what the browser reports as a
 * Content-Security-Policy violation (or any "Refused to …" console error) on every page
 * a test opens (its own, and those of any browser context it makes), and fails the test
 * if there was one. The policy allows only this site's scripts carrying the page's
 * nonce, and the wasm bundle. It also fails the test if the wasm panicked or a script
 * threw (a page that stopped working in the browser, even if its server-rendered HTML
 * still looks right).
 */
export const test = base.extend<{ cspGuard: void }>({
  cspGuard: [
    async ({ page, browser }, use) => {
      const violations: string[] = [];
      const crashes: string[] = [];
      const watch = (p: Page) => {
        p.on("console", (msg) => {
          const text = msg.text();
          if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) {
            violations.push(text);
          }
          if (msg.type() === "error" && /panicked at/.test(text)) crashes.push(text);
        });
        p.on("pageerror", (e) => crashes.push(`${p.url()}: ${e.message}`));
      };
      // The test's own page, and every page of every context it opens (a second user's
      // browser, `browser.newPage()`), while the test runs.
      watch(page);
      page.context().on("page", watch);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const context = await newContext(...args);
        context.on("page", watch);
        return context;
      };
      try {
        await use();
      } finally {
        browser.newContext = newContext;
      }
      expect(violations, "Content-Security-Policy violations").toEqual([]);
      expect(crashes, "wasm panics and uncaught script errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
