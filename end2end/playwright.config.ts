import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// Every run starts the real server binary on a fresh SQLite file.
const port = Number(process.env.FAULTDESK_E2E_PORT ?? 3111);
// The config is evaluated again in each worker: make the folder once, share it by env.
if (!process.env.FAULTDESK_E2E_DATA_DIR) {
  process.env.FAULTDESK_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "faultdesk-e2e-"));
}
const databaseUrl = `sqlite://${process.env.FAULTDESK_E2E_DATA_DIR}/e2e.db`;
const smtpPort = port + 1;
process.env.FAULTDESK_E2E_SMTP_PORT = String(smtpPort);
process.env.FAULTDESK_E2E_DATABASE_URL = databaseUrl;
const root = path.resolve(__dirname, "..");
const serverBin =
  process.env.FAULTDESK_SERVER_BIN ?? path.join(root, "target", "release", "server");
process.env.FAULTDESK_SERVER_BIN = serverBin;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, testIgnore: /phone\.spec\.ts/ },
    // Phone-sized, touch: the everyday flows (tests/phone.spec.ts).
    { name: "phone", use: { ...devices["Pixel 5"] }, testMatch: /phone\.spec\.ts/ },
  ],
  webServer: {
    command: serverBin,
    cwd: root,
    url: `http://127.0.0.1:${port}/health/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      FAULTDESK_DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      RUST_LOG: "info",
      // The suite signs up dozens of developers from one address within a minute or
      // two; limits stay on, at rates a real deployment would never need.
      FAULTDESK_RATE_SIGNUP_PER_HOUR: "2000",
      FAULTDESK_RATE_SIGNIN_PER_MINUTE: "600",
      // A real SMTP listener (global-setup.ts) receives the alert mails; alerts are
      // looked for every second instead of every ten.
      FAULTDESK_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      FAULTDESK_ALERT_POLL_MS: "1000",
    },
  },
});
