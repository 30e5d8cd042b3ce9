#!/usr/bin/env python3
"""Intake under load, side by side with the bare axum + sqlx baseline.

Started by bench/intake.sh (which builds both). For each engine (SQLite, PostgreSQL),
each case (a 5xx and a 4xx report) and each concurrency (1, 16, 64) it runs wrk against
the baseline's `POST /reports` and Faultdesk's report intake, one after the other
(interleaved, alternating which goes first), in BENCH_ROUNDS rounds, on fresh databases,
and counts the stored rows after each run: every 2xx must be a stored report. On
PostgreSQL each measured run starts after a CHECKPOINT (see settle()). A row
gives each side's median round (req/s, p50 and p99 each the median of the rounds'; the
rounds themselves are kept beside it). In one more intake run at c=16 (5xx, the first
door; not part of any ratio) it times Faultdesk's queue page beside it, and in one at
c=64 an agent's internal notes on the flood's incident (wrk -c1 on post_message). Writes
bench/results/intake.json and prints a Markdown table for the README.

Environment: BENCH_SECONDS (default 10), BENCH_ROUNDS (default 3), BENCH_ENGINES (default "sqlite postgres"),
BENCH_CONCURRENCY (default "1 16 64"), FAULTDESK_TEST_POSTGRES_URL, SERVER_BIN,
BASELINE_BIN, BENCH_DOORS (default "server_fn api_v1": the browser's server function
with a session cookie, and the JSON API's POST /api/v1/reports with a bearer token; each
door's row has its own baseline run next to it), BENCH_CASES (default "5xx 4xx"),
BENCH_OUT (default bench/results/intake.json: a partial run can write elsewhere).
"""

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from statistics import median

from common import pg_url, psql, require_free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "bench", "load.lua")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ENGINES = os.environ.get("BENCH_ENGINES", "sqlite postgres").split()
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1 16 64").split()]
DOORS = os.environ.get("BENCH_DOORS", "server_fn api_v1").split()
OUT = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench", "results", "intake.json"))
SERVER_BIN = os.environ["SERVER_BIN"]
BASELINE_BIN = os.environ["BASELINE_BIN"]
BASELINE_PORT, FAULTDESK_PORT = 3101, 3102
PASSWORD = "bench password 1234"
# The load comes from one address (and, for intake, one account): rate limits off.
NO_LIMITS = {
    "FAULTDESK_RATE_SIGNIN_PER_MINUTE": "0",
    "FAULTDESK_RATE_SIGNUP_PER_HOUR": "0",
    "FAULTDESK_RATE_FILINGS_PER_MINUTE": "0",
    "FAULTDESK_RATE_API_PER_MINUTE": "0",
}

DESCRIPTION = (
    "The order service returned 503 after 30s while creating an order for customer 4711. "
    "Retried twice with exponential backoff; both retries failed with the same error."
)
CASES = {
    "5xx": {"status": 503, "message": "Service Unavailable: upstream timeout", "retries": "2"},
    "4xx": {"status": 422, "message": "Unprocessable Entity: amount must be positive", "retries": "0"},
}


def log(*args):
    print("[intake]", *args, file=sys.stderr, flush=True)


def fresh_pg(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    return pg_url(name)


def count_rows(engine, where):
    return scalar(engine, where, "SELECT COUNT(*) FROM reports")


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def start(cmd, env, log_path):
    out = open(log_path, "ab")
    return subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out, stderr=out)


def check_alive(proc, name, log_path):
    """Fails the run when a server we started has exited (a port someone else holds
    would otherwise be measured in its place)."""
    if proc.poll() is not None:
        with open(log_path, errors="replace") as f:
            tail = f.read()[-2000:]
        raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")


def stop(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def post_form(url, fields, headers=None):
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(url, data=data, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("Accept", "application/json")
    req.add_header("Origin", url.split("/api/")[0])
    for k, v in (headers or {}).items():
        req.add_header(k, v)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        resp = opener.open(req, timeout=30)
    except urllib.error.HTTPError as e:
        resp = e
    return resp.status, resp.headers, resp.read()


def session_cookie(headers):
    for k, v in headers.items():
        if k.lower() == "set-cookie" and v.startswith("faultdesk_session="):
            return v.split(";")[0]
    raise RuntimeError("no session cookie")


def wrk_cmd(url, conc, method, body_file, headers, seconds=SECONDS):
    return ["wrk", "-t1", f"-c{conc}", f"-d{seconds}s", "--timeout", "30s", "-s", LUA, url, "--",
            method, body_file] + headers


def wrk_result(out):
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError(out)
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def run_wrk(url, conc, method, body_file, headers, seconds=SECONDS):
    cmd = wrk_cmd(url, conc, method, body_file, headers, seconds)
    return wrk_result(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def settle(engine):
    """Before each measured run on PostgreSQL: a CHECKPOINT, so no run starts inside a
    checkpoint that the WAL of the runs before it (often the other side's) brought on.
    Without it such checkpoints, started by volume at max_wal_size, fell on whichever
    side ran next and put its p99 at 2-4 x its own rounds (seen 2026-12-07: 5xx c=16
    rounds of 27 against 8 ms); the checkpoints a run's own writes bring on stay in it.
    Needs a superuser or pg_checkpoint; refused, it is skipped with one warning."""
    global SETTLE_REFUSED
    if engine != "postgres" or SETTLE_REFUSED:
        return
    try:
        psql("CHECKPOINT")
    except subprocess.CalledProcessError as e:
        SETTLE_REFUSED = True
        log("CHECKPOINT refused, runs are not settled:", (e.stderr or "").strip())


SETTLE_REFUSED = False


def scalar(engine, where, sql):
    if engine == "sqlite":
        out = subprocess.run(["sqlite3", where, sql], check=True, capture_output=True,
                             text=True).stdout
        return int(out.strip())
    return int(psql(sql, where))


def main():
    tmp = tempfile.mkdtemp(prefix="faultdesk-intake-")
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    bodies = {}
    for case, c in CASES.items():
        base = {
            "endpoint": "/v1/orders", "method": "POST", "status_code": c["status"],
            "message": c["message"], "request_id": "req_8f3a2c1d9e7b",
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M:00Z"), "description": DESCRIPTION,
        }
        path = os.path.join(tmp, f"baseline-{case}.json")
        with open(path, "w") as f:
            json.dump(base, f)
        form = {
            "draft[endpoint]": "/v1/orders", "draft[method]": "POST",
            "draft[status]": str(c["status"]), "draft[transport]": "",
            "draft[message]": c["message"], "draft[request_id]": "req_8f3a2c1d9e7b",
            "draft[occurred_at]": now.strftime("%Y-%m-%dT%H:%M"), "draft[timezone]": "UTC",
            "draft[environment]": "production", "draft[retries]": c["retries"],
            "draft[retry_interval]": "2" if c["retries"] != "0" else "",
            "draft[description]": DESCRIPTION, "draft[excerpt]": "", "draft[retry_reason]": "",
        }
        fpath = os.path.join(tmp, f"faultdesk-{case}.form")
        with open(fpath, "w") as f:
            f.write(urllib.parse.urlencode(form))
        api = {
            "endpoint": "/v1/orders", "method": "POST", "status": c["status"],
            "message": c["message"], "request_id": "req_8f3a2c1d9e7b",
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M:00Z"), "timezone": "UTC",
            "environment": "production", "retries": int(c["retries"]),
            "description": DESCRIPTION,
        }
        if c["retries"] != "0":
            api["retry_interval_secs"] = 2
        apath = os.path.join(tmp, f"faultdesk-{case}.json")
        with open(apath, "w") as f:
            json.dump(api, f)
        bodies[case] = (path, {"server_fn": fpath, "api_v1": apath})

    results = []
    for engine in ENGINES:
        if engine == "sqlite":
            base_db = os.path.join(tmp, "baseline.db")
            base_url = f"sqlite://{base_db}"
            fd_db = os.path.join(tmp, "faultdesk.db")
            fd_url = f"sqlite://{fd_db}"
            base_where, fd_where, pool = base_db, fd_db, "4"
        else:
            base_url = fresh_pg("intake_bench_baseline")
            fd_url = fresh_pg("intake_bench_faultdesk")
            base_where, fd_where, pool = "intake_bench_baseline", "intake_bench_faultdesk", "8"
        env = {"FAULTDESK_DATABASE_URL": fd_url, "LEPTOS_SITE_ADDR": f"127.0.0.1:{FAULTDESK_PORT}",
               "RUST_LOG": os.environ.get("RUST_LOG", "info"), **NO_LIMITS}
        subprocess.run([SERVER_BIN, "migrate"], env={**os.environ, **env}, check=True,
                       capture_output=True)
        for email, role in (("agent@bench.test", "agent"), ("dev@bench.test", "developer")):
            subprocess.run([SERVER_BIN, "create-user", "--email", email, "--role", role,
                            "--timezone", "UTC", "--password-stdin"], input=PASSWORD + "\n",
                           text=True, env={**os.environ, **env}, check=True, capture_output=True)
        dev_token = subprocess.run(
            [SERVER_BIN, "create-token", "--email", "dev@bench.test", "--name", "bench", "--days", "30"],
            env={**os.environ, **env}, check=True, capture_output=True, text=True).stdout.strip()
        for port in (BASELINE_PORT, FAULTDESK_PORT):
            require_free_port(port)
        baseline = start([BASELINE_BIN, "--port", str(BASELINE_PORT), "--db", base_url, "--pool", pool],
                         {}, os.path.join(tmp, f"baseline-{engine}.log"))
        faultdesk = start([SERVER_BIN], env, os.path.join(tmp, f"faultdesk-{engine}.log"))
        try:
            wait_http(f"http://127.0.0.1:{BASELINE_PORT}/ping")
            wait_http(f"http://127.0.0.1:{FAULTDESK_PORT}/health/ready")
            check_alive(baseline, "baseline", os.path.join(tmp, f"baseline-{engine}.log"))
            check_alive(faultdesk, "faultdesk", os.path.join(tmp, f"faultdesk-{engine}.log"))
            fd = f"http://127.0.0.1:{FAULTDESK_PORT}"
            status, headers, _ = post_form(f"{fd}/api/login", {
                "email": "dev@bench.test", "password": PASSWORD})
            dev_cookie = session_cookie(headers)
            doors = {
                "server_fn": (f"{fd}/api/file_report",
                              [f"Cookie: {dev_cookie}", "Accept: application/json",
                               "Content-Type: application/x-www-form-urlencoded", f"Origin: {fd}"]),
                "api_v1": (f"{fd}/api/v1/reports",
                           [f"Authorization: Bearer {dev_token}", "Content-Type: application/json"]),
            }
            status, headers, _ = post_form(f"{fd}/api/login", {
                "email": "agent@bench.test", "password": PASSWORD})
            agent_cookie = session_cookie(headers)
            order = 0
            for case in os.environ.get("BENCH_CASES", " ".join(CASES)).split():
                base_body, fd_bodies = bodies[case]
                for conc, door in ((c, d) for c in CONCURRENCY for d in DOORS):
                    row = {"engine": engine, "concurrency": conc, "case": case, "door": door}
                    door_url, door_headers = doors[door]
                    runs = [("baseline", f"http://127.0.0.1:{BASELINE_PORT}/reports", base_body,
                             [], base_where),
                            ("faultdesk", door_url, fd_bodies[door], door_headers, fd_where)]
                    got = {"baseline": [], "faultdesk": []}
                    matched = True
                    for _ in range(ROUNDS):
                        if order % 2:
                            runs.reverse()
                        order += 1
                        for who, url, body, hdrs, where in runs:
                            before = count_rows(engine, where)
                            settle(engine)
                            r = run_wrk(url, conc, "POST", body, hdrs)
                            time.sleep(1.0)
                            stored = count_rows(engine, where) - before
                            ok = int(r["ok2xx"])
                            got[who].append(r)
                            matched = matched and ok <= stored <= ok + conc
                            log(engine, case, f"c={conc}", door, who, f"rps={r['rps']:.0f}",
                                f"p99={r['p99_ms']:.2f}ms", f"2xx={ok}", f"stored={stored}",
                                f"non2xx={int(r['non2xx'])}", f"errors={int(r['sock_err'])}")
                    for who, rs in got.items():
                        # The median round of each side (rounds alternate which goes first).
                        row[f"{who}_rps"] = round(median(x["rps"] for x in rs), 1)
                        row[f"{who}_p99_ms"] = round(median(x["p99_ms"] for x in rs), 2)
                        row[f"{who}_p50_ms"] = round(median(x["p50_ms"] for x in rs), 2)
                        row[f"{who}_non2xx"] = sum(int(x["non2xx"]) + int(x["sock_err"]) for x in rs)
                        row[f"{who}_rps_rounds"] = [round(x["rps"], 1) for x in rs]
                        row[f"{who}_p99_ms_rounds"] = [round(x["p99_ms"], 2) for x in rs]
                    row["rows_match"] = matched
                    if conc == 16 and case == "5xx" and door == DOORS[0]:
                        # The queue page's latency while intake runs, in a run of its own:
                        # the measured pair above compares intake alone with the baseline.
                        before = count_rows(engine, fd_where)
                        settle(engine)
                        queue = subprocess.Popen(
                            ["wrk", "-t1", "-c1", f"-d{SECONDS}s", "--timeout", "30s", "-s", LUA,
                             f"{fd}/queue", "--", "GET", "-", f"Cookie: {agent_cookie}"],
                            stdout=subprocess.PIPE, text=True)
                        r = run_wrk(door_url, conc, "POST", fd_bodies[door], door_headers)
                        qout = queue.communicate()[0]
                        time.sleep(1.0)
                        stored = count_rows(engine, fd_where) - before
                        q = re.search(r"p99_ms=([0-9.]+)", qout)
                        row["queue_p99_ms_during_intake"] = float(q.group(1)) if q else None
                        row["intake_rps_beside_queue"] = round(r["rps"], 1)
                        row["rows_match"] = row["rows_match"] and int(r["ok2xx"]) <= stored <= int(r["ok2xx"]) + conc
                        log(engine, "queue page beside intake c=16", f"p99={row['queue_p99_ms_during_intake']}ms",
                            f"intake rps={r['rps']:.0f}")
                    if conc == 64 and case == "5xx" and door == DOORS[0]:
                        # An agent's internal notes on the incident's lead (one after
                        # another, wrk -c1) while intake runs at c=64, in a run of its own:
                        # staff work beside a flood, on the writer the flood keeps busy.
                        lead = scalar(engine, fd_where, "SELECT lead_report_id FROM incidents "
                                      "ORDER BY report_count DESC LIMIT 1")
                        note = os.path.join(tmp, "note.form")
                        with open(note, "w") as f:
                            f.write(urllib.parse.urlencode({
                                "id": lead, "visibility": "internal",
                                "body": "Upstream timeouts in eu-west; the provider is on it."}))
                        messages = "SELECT COUNT(*) FROM messages"
                        before, notes_before = count_rows(engine, fd_where), scalar(engine, fd_where, messages)
                        settle(engine)
                        notes = subprocess.Popen(
                            wrk_cmd(f"{fd}/api/post_message", 1, "POST", note,
                                    [f"Cookie: {agent_cookie}", "Accept: application/json",
                                     "Content-Type: application/x-www-form-urlencoded",
                                     f"Origin: {fd}"]),
                            stdout=subprocess.PIPE, text=True)
                        r = run_wrk(door_url, conc, "POST", fd_bodies[door], door_headers)
                        n = wrk_result(notes.communicate()[0])
                        time.sleep(1.0)
                        stored = count_rows(engine, fd_where) - before
                        notes_stored = scalar(engine, fd_where, messages) - notes_before
                        row["notes_rps_beside_intake"] = round(n["rps"], 1)
                        row["note_p50_ms_beside_intake"] = round(n["p50_ms"], 2)
                        row["note_p99_ms_beside_intake"] = round(n["p99_ms"], 2)
                        row["notes_non2xx"] = int(n["non2xx"]) + int(n["sock_err"])
                        row["intake_rps_beside_notes"] = round(r["rps"], 1)
                        row["intake_p99_ms_beside_notes"] = round(r["p99_ms"], 2)
                        row["rows_match"] = (row["rows_match"]
                                             and int(r["ok2xx"]) <= stored <= int(r["ok2xx"]) + conc
                                             and int(n["ok2xx"]) <= notes_stored <= int(n["ok2xx"]) + 1)
                        log(engine, "notes beside intake c=64", f"notes/s={n['rps']:.0f}",
                            f"note p99={n['p99_ms']:.2f}ms", f"notes 2xx={int(n['ok2xx'])}",
                            f"stored={notes_stored}", f"intake rps={r['rps']:.0f}",
                            f"intake p99={r['p99_ms']:.2f}ms")
                    row["ratio_rps"] = round(row["faultdesk_rps"] / row["baseline_rps"], 2)
                    results.append(row)
        finally:
            stop(faultdesk)
            stop(baseline)
    out = OUT
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        for r in results:
            r["measured_at"], r["seconds_per_run"], r["rounds"] = stamp, SECONDS, ROUNDS
        json.dump(results, f, indent=2)
        f.write("\n")
    print("| engine | case | c | door | Faultdesk req/s | baseline req/s | ratio | Faultdesk p99 ms | baseline p99 ms | rows match |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(f"| {r['engine']} | {r['case']} | {r['concurrency']} | {r['door']} | {r['faultdesk_rps']:,.0f} | "
              f"{r['baseline_rps']:,.0f} | {r['ratio_rps']:.2f} | {r['faultdesk_p99_ms']:.1f} | "
              f"{r['baseline_p99_ms']:.1f} | {'yes' if r['rows_match'] else 'NO'} |")
    for r in results:
        if "queue_p99_ms_during_intake" in r:
            print(f"\nQueue page p99 while intake runs at c=16 ({r['engine']}): {r['queue_p99_ms_during_intake']} ms")
        if "notes_rps_beside_intake" in r:
            print(f"\nAn agent's internal notes on the incident's lead while intake runs at c=64 "
                  f"({r['engine']}): {r['notes_rps_beside_intake']:,.0f} notes/s, p50 "
                  f"{r['note_p50_ms_beside_intake']} ms, p99 {r['note_p99_ms_beside_intake']} ms; "
                  f"intake beside them {r['intake_rps_beside_notes']:,.0f} req/s, p99 "
                  f"{r['intake_p99_ms_beside_notes']} ms")


if __name__ == "__main__":
    main()
