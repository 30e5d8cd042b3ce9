"""Helpers the benchmark scripts share: the PostgreSQL they measure on, and a check that
a port is free before a server of theirs is started on it."""

import os
import socket
import subprocess

PG = os.environ.get("FAULTDESK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def pg_url(name):
    return PG.rsplit("/", 1)[0] + "/" + name


def psql(sql, db="postgres"):
    return subprocess.run(
        ["psql", pg_url(db), "-Atqc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def require_free_port(port):
    """Refuses to go on when something already listens on `port`: a script would
    otherwise measure that process in place of the server it starts."""
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is taken: stop whatever listens there first")
