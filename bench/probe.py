#!/usr/bin/env python3
"""Per-request latency at c=1: one keep-alive connection, one request after another.

wrk gives a run's percentiles; this gives every request's time, to see the shape of
the tail and whether its slow requests come at a period (the relay's 50 ms gather, a
worker's tick) or at random. It times each request from its first byte sent to its
answer's last byte read, so Python's own work sits outside each measurement but
between requests (figures are comparable side by side, not with wrk's).

usage: python3 bench/probe.py URL BODY_FILE N ["Header: value" ...]
  e.g. against the servers bench/intake.py starts (or started by hand the same way):
  python3 bench/probe.py http://127.0.0.1:3102/api/v1/reports 5xx.json 15000 "Authorization: Bearer fd_…"
  python3 bench/probe.py http://127.0.0.1:3101/reports baseline-5xx.json 15000

Prints one JSON object: n, p50/p90/p99/p999/max in µs, non-2xx answers, and for the
slowest 1 %: how they fall into ten 5 ms bins of a 50 ms period (even bins: no period)
and the median gap between them in ms.
"""

import json
import socket
import sys
import time
import urllib.parse
from collections import Counter
from statistics import median


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    url, body_file, n = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    with open(body_file, "rb") as f:
        body = f.read()
    head = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{h}\r\n" for h in sys.argv[4:])
        + "\r\n"
    )
    request = head.encode() + body
    sock = socket.create_connection((url.hostname, url.port or 80))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    timings, bad = [], 0
    start = time.perf_counter_ns()
    for _ in range(n):
        sent = time.perf_counter_ns()
        sock.sendall(request)
        status, buf = read_answer(sock)
        done = time.perf_counter_ns()
        bad += not 200 <= status < 300
        timings.append(((sent - start) / 1e6, (done - sent) / 1e3))
    lat = sorted(t for _, t in timings)
    p99 = lat[int(n * 0.99)]
    slow = [at for at, t in timings if t >= p99]
    bins = Counter(int(at % 50 // 5) for at in slow)
    gaps = [b - a for a, b in zip(slow, slow[1:])]
    print(json.dumps({
        "n": n,
        "p50_us": round(lat[n // 2]), "p90_us": round(lat[int(n * 0.9)]),
        "p99_us": round(p99), "p999_us": round(lat[int(n * 0.999)]), "max_us": round(lat[-1]),
        "non2xx": bad,
        "slow_by_5ms_bin_of_50ms": [bins.get(i, 0) for i in range(10)],
        "slow_median_gap_ms": round(median(gaps), 1) if gaps else None,
    }))


def read_answer(sock):
    """Reads one HTTP/1.1 answer with a Content-Length; returns its status and bytes."""
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buf += chunk
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            continue
        lines = buf[:end].split(b"\r\n")
        length = next((int(l.split(b":", 1)[1]) for l in lines[1:]
                       if l.lower().startswith(b"content-length:")), 0)
        if len(buf) >= end + 4 + length:
            return int(lines[0].split()[1]), buf


if __name__ == "__main__":
    main()
