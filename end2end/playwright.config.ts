import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// Every run starts the real server binary on a fresh SQLite file; or, with
// FAULTDESK_E2E_INSTANCES=2 and FAULTDESK_E2E_DATABASE_URL=postgres://… (a fresh
// database, see scripts/e2e-instances.sh), two server processes on that PostgreSQL
// database behind a round-robin proxy (proxy.js), so consecutive requests of one page
// hit different instances.
const port = Number(process.env.FAULTDESK_E2E_PORT ?? 3111);
const instances = Number(process.env.FAULTDESK_E2E_INSTANCES ?? 1);
// The config is evaluated again in each worker: make the folder once, share it by env.
if (!process.env.FAULTDESK_E2E_DATA_DIR) {
  process.env.FAULTDESK_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "faultdesk-e2e-"));
}
const databaseUrl =
  instances > 1
    ? process.env.FAULTDESK_E2E_DATABASE_URL!
    : `sqlite://${process.env.FAULTDESK_E2E_DATA_DIR}/e2e.db`;
if (instances > 1 && !databaseUrl?.startsWith("postgres")) {
  throw new Error("FAULTDESK_E2E_INSTANCES > 1 needs FAULTDESK_E2E_DATABASE_URL=postgres://…");
}
const smtpPort = port + 1;
process.env.FAULTDESK_E2E_SMTP_PORT = String(smtpPort);
process.env.FAULTDESK_E2E_DATABASE_URL = databaseUrl;
const root = path.resolve(__dirname, "..");
const serverBin =
  process.env.FAULTDESK_SERVER_BIN ?? path.join(root, "target", "release", "server");
process.env.FAULTDESK_SERVER_BIN = serverBin;

/** One server process listening on `listen`. */
function server(listen: number) {
  return {
    command: serverBin,
    cwd: root,
    url: `http://127.0.0.1:${listen}/health/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      FAULTDESK_DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ADDR: `127.0.0.1:${listen}`,
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
  };
}

// Two instances: backends on the ports after the SMTP listener's, the proxy on `port`.
const backends = Array.from({ length: instances }, (_, i) => port + 2 + i);
const proxy = {
  command: `node ${path.join(__dirname, "proxy.js")} ${port} ${backends.join(" ")}`,
  url: `http://127.0.0.1:${port}/health/ready`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: "pipe" as const,
  stderr: "pipe" as const,
};

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
  webServer: instances > 1 ? [...backends.map(server), proxy] : server(port),
});
