// A small round-robin HTTP proxy for the two-instance browser run: every request goes
// to the next backend in turn (no stickiness), responses are streamed through (so the
// server-sent event streams of live pages work), and X-Forwarded-For carries the
// client's address.
//   node proxy.js <listen port> <backend port> [<backend port> …]
const http = require("node:http");

const [listen, ...backends] = process.argv.slice(2).map(Number);
let next = 0;

http
  .createServer((req, res) => {
    const port = backends[next];
    next = (next + 1) % backends.length;
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-forwarded-for": req.socket.remoteAddress },
      },
      (answer) => {
        res.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: backend ${port}: ${e.message}`);
    });
    req.pipe(upstream);
    res.on("close", () => upstream.destroy());
  })
  .listen(listen, "127.0.0.1", () => console.log(`proxy on ${listen} → ${backends.join(", ")}`));
