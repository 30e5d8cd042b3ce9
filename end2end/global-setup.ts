import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** Staff accounts exist only through the server's CLI (no default passwords). */
export const STAFF = {
  agent: { email: "agent@faultdesk.test", password: "agent-password-123" },
  manager: { email: "manager@faultdesk.test", password: "manager-password-123" },
};

export default async function globalSetup() {
  const bin = process.env.FAULTDESK_SERVER_BIN!;
  const root = path.resolve(__dirname, "..");
  for (const [role, account] of Object.entries(STAFF)) {
    execFileSync(
      bin,
      ["create-user", "--email", account.email, "--role", role, "--timezone", "Europe/Berlin", "--password-stdin"],
      {
        cwd: root,
        input: account.password + "\n",
        env: { ...process.env, FAULTDESK_DATABASE_URL: process.env.FAULTDESK_E2E_DATABASE_URL },
        stdio: ["pipe", "inherit", "inherit"],
      },
    );
  }
}
