-- wrk script for bench/intake.py: one fixed request; counts 2xx and other answers and
-- prints one RESULT line (req/s, p50/p99 in ms, counts).
-- usage: wrk -t1 -cN -dTs -s load.lua URL -- METHOD BODY_FILE|- ["Header: value" ...]
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = args[1] or "GET"
  if args[2] and args[2] ~= "-" then
    local f = assert(io.open(args[2], "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "application/json"
  end
  for i = 3, #args do
    local k, v = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[k] = v
  end
  ok, bad = 0, 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok")
    bad = bad + t:get("bad")
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT reqs=%d secs=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f ok2xx=%d non2xx=%d sock_err=%d timeouts=%d\n",
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, ok, bad, e.connect + e.read + e.write, e.timeout))
end
