"""Schemathesis hooks for Faultdesk's API (loaded by scripts/schemathesis.sh).

A few rules depend on the clock, which JSON Schema cannot express: a failure is reported
within the last 365 days, planned maintenance starts at least 24 hours after it is
announced and ends after it starts, and an SLA report covers at most 366 days ending no
later than today. The OpenAPI document says so in words, the API answers such requests
with 422 naming the field, and the integration tests check those answers.

So that the fuzzer's "schema-valid data is accepted" check means something for these
operations, schema-valid (positive) cases get times that satisfy those rules: a
generated time already inside the window is kept; one outside it is moved inside. No
other value is touched, and negative cases are left exactly as generated.
"""

from __future__ import annotations

import datetime as dt
import zlib

import schemathesis

UTC = dt.timezone.utc


def _parse(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _spread(seed: object, span: int) -> int:
    """A stable number in [0, span) derived from the generated value."""
    return zlib.crc32(repr(seed).encode()) % span


def _is_positive(case) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


@schemathesis.hook
def map_case(context, case):
    if not _is_positive(case):
        return case
    now = dt.datetime.now(UTC)
    path, method = case.operation.path, case.operation.method.upper()
    body = case.body if isinstance(case.body, dict) else None

    if (path, method) == ("/api/v1/reports", "POST") and body and "occurred_at" in body:
        at = _parse(body["occurred_at"])
        if at is None or not (now - dt.timedelta(days=364) <= at <= now):
            minutes = 1 + _spread(body["occurred_at"], 60 * 24 * 300)
            body["occurred_at"] = (now - dt.timedelta(minutes=minutes)).isoformat()

    elif path.startswith("/api/v1/notices") and method in ("POST", "PUT") and body:
        starts, ends = _parse(body.get("starts_at")), _parse(body.get("ends_at"))
        planned_ok = body.get("emergency") or (starts and starts >= now + dt.timedelta(hours=25))
        if starts is None or not planned_ok or starts.year > 9000:
            starts = now + dt.timedelta(days=2, minutes=_spread(body.get("starts_at"), 60 * 24 * 60))
            body["starts_at"] = starts.isoformat()
        if ends is None or ends <= starts or ends.year > 9000:
            ends = starts + dt.timedelta(minutes=1 + _spread(body.get("ends_at"), 600))
            body["ends_at"] = ends.isoformat()

    elif path.startswith("/api/v1/manager/report") and method == "GET" and case.query:
        # "Today" in the support timezone is within a day of UTC's.
        latest = (now - dt.timedelta(days=1)).date()
        query = case.query
        to = _date(query.get("to"))
        if to is not None and to > latest:
            to = latest - dt.timedelta(days=_spread(query["to"], 3000))
            query["to"] = to.isoformat()
        end = to or latest
        start = _date(query.get("from"))
        if start is not None and not (end - dt.timedelta(days=365) <= start <= end):
            start = max(end - dt.timedelta(days=_spread(query["from"], 366)), dt.date(1970, 1, 1))
            query["from"] = start.isoformat()
    return case


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
