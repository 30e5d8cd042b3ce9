import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

/** Staff accounts exist only through the server's CLI (no default passwords). */
export const STAFF = {
  agent: { email: "agent@faultdesk.test", password: "agent-password-123" },
  manager: { email: "manager@faultdesk.test", password: "manager-password-123" },
};

/** Where the SMTP listener keeps what it receives: one file per message. */
export function mailDir(): string {
  return path.join(process.env.FAULTDESK_E2E_DATA_DIR!, "mail");
}

/**
 * A real SMTP listener on FAULTDESK_E2E_SMTP_PORT: it speaks what Faultdesk's mailer
 * (lettre) needs — EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT — and writes each message
 * it accepts to a file in mailDir(), for the specs to read.
 */
const sockets = new Set<net.Socket>();

function startSmtp(): Promise<net.Server> {
  fs.mkdirSync(mailDir(), { recursive: true });
  let count = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = "";
    let inData = false;
    let data = "";
    socket.write("220 faultdesk-e2e ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            count += 1;
            fs.writeFileSync(path.join(mailDir(), `${Date.now()}-${count}.eml`), data);
            data = "";
            socket.write("250 OK queued\r\n");
          } else {
            data += (line.startsWith("..") ? line.slice(1) : line) + "\n";
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250-faultdesk-e2e\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") {
          inData = true;
          socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "QUIT") {
          socket.write("221 Bye\r\n");
          socket.end();
        } else socket.write("250 OK\r\n");
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) =>
    server.listen(Number(process.env.FAULTDESK_E2E_SMTP_PORT), "127.0.0.1", () => resolve(server)),
  );
}

export default async function globalSetup() {
  const smtp = await startSmtp();
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
  return async () => {
    for (const socket of sockets) socket.destroy();
    smtp.close();
  };
}
