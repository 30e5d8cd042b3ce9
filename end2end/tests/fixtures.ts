import { expect, test as base } from "@playwright/test";

/**
 * Every spec runs with this `test`: it records what the browser reports as a
 * Content-Security-Policy violation (or any "Refused to …" console error) on every page
 * a test opens, and fails the test if there was one. The policy allows only this
 * site's scripts carrying the page's nonce, and the wasm bundle. It also fails the test
 * if the wasm panicked or a script threw (a page that stopped working in the browser,
 * even if its server-rendered HTML still looks right).
 */
export const test = base.extend<{ cspGuard: void }>({
  cspGuard: [
    async ({ page }, use) => {
      const violations: string[] = [];
      const crashes: string[] = [];
      page.on("console", (msg) => {
        const text = msg.text();
        if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) {
          violations.push(text);
        }
        if (msg.type() === "error" && /panicked at/.test(text)) crashes.push(text);
      });
      page.on("pageerror", (e) => crashes.push(`${page.url()}: ${e.message}`));
      await use();
      expect(violations, "Content-Security-Policy violations").toEqual([]);
      expect(crashes, "wasm panics and uncaught script errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
