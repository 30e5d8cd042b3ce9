#!/usr/bin/env python3
"""Faults under an outage flood (started by bench/faults.sh, which builds the server).

1. kill -9 under 16 concurrent filers, on SQLite and on PostgreSQL: after a restart on
   the same database every acknowledged report is there, and nothing is half written.
2. PostgreSQL stopped for five seconds and started again under 16 concurrent filers: every request is answered (2xx or a
   503 JSON body) within a bounded time, readiness reports 503 meanwhile, service resumes
   by itself, and every acknowledged report is there.

Prints what it measured and writes bench/results/faults.json. Exits non-zero when a
check fails. Restarting PostgreSQL needs root (pg_ctlcluster); that part is skipped,
and said so, otherwise.
"""

import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from common import pg_url, psql, require_free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER_BIN = os.environ["SERVER_BIN"]
PORT = 3103
FILERS = 16
DOWN_SECONDS = 5
PASSWORD = "bench password 1234"
# The load comes from one address (and, for intake, one account): rate limits off.
NO_LIMITS = {
    "FAULTDESK_RATE_SIGNIN_PER_MINUTE": "0",
    "FAULTDESK_RATE_SIGNUP_PER_HOUR": "0",
    "FAULTDESK_RATE_FILINGS_PER_MINUTE": "0",
    "FAULTDESK_RATE_API_PER_MINUTE": "0",
}
failures = []


def log(*a):
    print("[faults]", *a, file=sys.stderr, flush=True)


def check(ok, what):
    log(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def query(engine, where, sql):
    if engine == "sqlite":
        return subprocess.run(["sqlite3", where, sql], check=True, capture_output=True,
                              text=True).stdout.strip()
    return psql(sql, where)


def request(method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def start(env, log_path):
    # Never measure another process: the port must be free, and ours must still run.
    require_free_port(PORT)
    out = open(log_path, "ab")
    p = subprocess.Popen([SERVER_BIN], env={**os.environ, **env}, stdout=out, stderr=out)
    deadline = time.time() + 60
    while time.time() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"server exited with {p.returncode}; see {log_path}")
        try:
            if request("GET", "/health/ready", timeout=2)[0] == 200:
                return p
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become ready")


def signup(email):
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "timezone": "UTC"})
    status, headers, _ = request("POST", "/api/signup", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
        "Origin": f"http://127.0.0.1:{PORT}"})
    for k, v in headers.items():
        if k.lower() == "set-cookie":
            return v.split(";")[0]
    raise RuntimeError(f"signup {status}")


def form(i, thread):
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)
    return urllib.parse.urlencode({
        "draft[endpoint]": f"/v1/orders/{thread}", "draft[method]": "POST",
        "draft[status]": "503", "draft[transport]": "", "draft[message]": "Service Unavailable",
        "draft[request_id]": f"req_{thread}_{i}", "draft[occurred_at]": now.strftime("%Y-%m-%dT%H:%M"),
        "draft[timezone]": "UTC", "draft[environment]": "production", "draft[retries]": "2",
        "draft[retry_interval]": "2", "draft[description]": "Filed by the fault benchmark.",
        "draft[excerpt]": "", "draft[retry_reason]": ""})


class Flood:
    """FILERS threads filing reports as fast as they are answered."""

    def __init__(self, cookies):
        self.cookies = cookies
        self.stop = threading.Event()
        self.acked = []          # report ids answered 2xx
        self.answers = []        # (status, seconds, json error status or None)
        self.errors = 0          # connections refused/reset (the server is gone)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in range(FILERS)]

    def run(self, t):
        i = 0
        while not self.stop.is_set():
            i += 1
            started = time.time()
            try:
                status, _, body = request("POST", "/api/file_report", form(i, t), {
                    "Cookie": self.cookies[t % len(self.cookies)],
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json", "Origin": f"http://127.0.0.1:{PORT}"})
            except OSError:
                with self.lock:
                    self.errors += 1
                time.sleep(0.05)
                continue
            took = time.time() - started
            err = None
            if status >= 300:
                try:
                    err = json.loads(body).get("status")
                except ValueError:
                    err = "not JSON"
            with self.lock:
                self.answers.append((status, took, err))
                if 200 <= status < 300:
                    self.acked.append(int(body))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


HALF_WRITTEN = {
    "reports without exactly one 'filed' entry":
        "SELECT COUNT(*) FROM reports r WHERE (SELECT COUNT(*) FROM report_events e "
        "WHERE e.report_id = r.id AND e.kind = 'filed') <> 1",
    "incidents whose count disagrees with their members":
        "SELECT COUNT(*) FROM incidents i WHERE i.report_count <> "
        "(SELECT COUNT(*) FROM reports r WHERE r.incident_id = i.id)",
}


def verify(engine, where, acked, label):
    stored = set(int(x) for x in query(engine, where, "SELECT id FROM reports").split())
    lost = [i for i in acked if i not in stored]
    check(not lost, f"{label}: {len(acked)} acknowledged reports, {len(lost)} lost")
    for what, sql in HALF_WRITTEN.items():
        n = int(query(engine, where, sql))
        check(n == 0, f"{label}: {n} {what}")
    return len(lost)


def kill9(engine, tmp, results):
    if engine == "sqlite":
        db = os.path.join(tmp, "kill9.db")
        url, where = f"sqlite://{db}", db
    else:
        psql('DROP DATABASE IF EXISTS "faults_kill9" WITH (FORCE)')
        psql('CREATE DATABASE "faults_kill9"')
        url, where = pg_url("faults_kill9"), "faults_kill9"
    env = {"FAULTDESK_DATABASE_URL": url, "LEPTOS_SITE_ADDR": f"127.0.0.1:{PORT}", **NO_LIMITS}
    server = start(env, os.path.join(tmp, f"kill9-{engine}.log"))
    cookies = [signup(f"dev{i}@faults.test") for i in range(FILERS)]
    with Flood(cookies) as flood:
        time.sleep(3)
        server.send_signal(signal.SIGKILL)
        server.wait()
        time.sleep(0.5)
    log(f"{engine}: killed with -9 after {len(flood.acked)} acknowledged filings")
    server = start(env, os.path.join(tmp, f"kill9-{engine}.log"))
    lost = verify(engine, where, flood.acked, f"kill -9 on {engine}")
    server.send_signal(signal.SIGTERM)
    server.wait()
    results.append({"fault": "kill -9 under 16 filers", "engine": engine,
                    "acknowledged": len(flood.acked), "lost": lost})


def pg_restart(tmp, results):
    if os.geteuid() != 0:
        log("skipped: restarting PostgreSQL needs root")
        return
    cluster = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True).stdout.split()[0]
    psql('DROP DATABASE IF EXISTS "faults_restart" WITH (FORCE)')
    psql('CREATE DATABASE "faults_restart"')
    env = {"FAULTDESK_DATABASE_URL": pg_url("faults_restart"), "LEPTOS_SITE_ADDR": f"127.0.0.1:{PORT}",
           **NO_LIMITS}
    server = start(env, os.path.join(tmp, "restart.log"))
    cookies = [signup(f"dev{i}@faults.test") for i in range(FILERS)]
    readiness = []
    stop_probe = threading.Event()

    def probe():
        while not stop_probe.is_set():
            try:
                readiness.append((time.time(), request("GET", "/health/ready", timeout=10)[0]))
            except OSError:
                readiness.append((time.time(), None))
            time.sleep(0.25)

    prober = threading.Thread(target=probe)
    prober.start()
    with Flood(cookies) as flood:
        time.sleep(2)
        restarted_at = time.time()
        # Down for a few seconds (longer than a restart takes on an idle machine), so
        # readiness has time to notice.
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop"],
                       check=True)
        time.sleep(DOWN_SECONDS)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"],
                       check=True)
        back_at = time.time()
        time.sleep(5)
    stop_probe.set()
    prober.join()
    statuses = {}
    for status, _, _ in flood.answers:
        statuses[status] = statuses.get(status, 0) + 1
    worst = max((took for _, took, _ in flood.answers), default=0)
    bad = [a for a in flood.answers if not (200 <= a[0] < 300 or (a[0] == 503 and a[2] == 503))]
    check(not bad, f"PostgreSQL restart: answers {statuses}, none but 2xx and 503 JSON ({len(bad)} others)")
    check(worst < 15, f"PostgreSQL restart: slowest answer {worst:.2f} s (bound 15 s)")
    not_ready = [t for t, s in readiness if s == 503]
    check(bool(not_ready), f"PostgreSQL restart: readiness answered 503 {len(not_ready)} times")
    last = [s for t, s in readiness if t > back_at + 3]
    check(bool(last) and all(s == 200 for s in last), "PostgreSQL restart: ready again afterwards")
    # Service resumed by itself: the last second of filings succeeded.
    status, _, body = request("POST", "/api/file_report", form(0, 0), {
        "Cookie": cookies[0], "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json", "Origin": f"http://127.0.0.1:{PORT}"})
    check(200 <= status < 300, f"PostgreSQL restart: a filing after it answers {status}")
    lost = verify("postgres", "faults_restart", flood.acked, "PostgreSQL restart")
    server.send_signal(signal.SIGTERM)
    server.wait()
    results.append({"fault": "PostgreSQL restarted under 16 filers", "engine": "postgres",
                    "acknowledged": len(flood.acked), "lost": lost, "answers": statuses,
                    "slowest_answer_s": round(worst, 2),
                    "down_s": round(back_at - restarted_at, 2),
                    "readiness_503_probes": len(not_ready)})


def main():
    tmp = tempfile.mkdtemp(prefix="faultdesk-faults-")
    results = []
    for engine in ("sqlite", "postgres"):
        kill9(engine, tmp, results)
    pg_restart(tmp, results)
    out = os.path.join(ROOT, "bench", "results", "faults.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print(json.dumps(results, indent=2))
    if failures:
        print("FAILED:", *failures, sep="\n  ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
