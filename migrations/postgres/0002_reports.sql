-- The support calendar (one row), its holidays, guidance articles, failure reports
-- and their history. Instants are BIGINT milliseconds since the Unix epoch.

CREATE TABLE support_calendar (
    id          BIGINT  PRIMARY KEY CHECK (id = 1),
    timezone    TEXT    NOT NULL,
    -- Seven entries, Monday first: "09:00-17:00" or "" for closed.
    hours       TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL,
    updated_by  BIGINT  REFERENCES users (id)
);
INSERT INTO support_calendar (id, timezone, hours, updated_at)
VALUES (1, 'UTC', '09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,,', 0);

CREATE TABLE holidays (
    day   TEXT PRIMARY KEY,  -- YYYY-MM-DD, a date in the support timezone
    name  TEXT NOT NULL
);

CREATE TABLE guidance_articles (
    slug        TEXT    PRIMARY KEY,
    codes       TEXT    NOT NULL,  -- "401", "406,415" or "4xx"
    keywords    TEXT    NOT NULL,  -- "token+expired|jwt+expired" or ""
    title       TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    checks      TEXT    NOT NULL,  -- one check per line
    call_again  TEXT    NOT NULL,
    retry_same_request BOOLEAN NOT NULL DEFAULT FALSE,
    position    BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE reports (
    id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id         BIGINT  NOT NULL REFERENCES users (id),
    endpoint            TEXT    NOT NULL,
    endpoint_template   TEXT    NOT NULL,
    method              TEXT    NOT NULL,
    status_code         BIGINT ,           -- NULL for a transport failure
    transport           TEXT,              -- timeout, connection_refused, dns, tls
    class               TEXT    NOT NULL,  -- client_error, server_error, transport_failure
    message             TEXT    NOT NULL,
    request_id          TEXT,
    occurred_at         BIGINT  NOT NULL,
    reporter_timezone   TEXT    NOT NULL,
    environment         TEXT    NOT NULL,
    retries             BIGINT  NOT NULL,
    retry_interval_secs BIGINT ,
    retry_followed      BOOLEAN NOT NULL,
    retry_reason        TEXT,
    description         TEXT    NOT NULL,
    excerpt             TEXT,
    token_fingerprints  TEXT    NOT NULL DEFAULT '',
    guidance_slug       TEXT    REFERENCES guidance_articles (slug),
    disposition         TEXT    NOT NULL,  -- deflected, routed, escalated
    feedback            TEXT,              -- deflected reports: pending, self_solved, escalated
    escalation_note     TEXT,
    recontact           BOOLEAN NOT NULL DEFAULT FALSE,
    status              TEXT    NOT NULL,  -- awaiting_feedback, new, open, waiting, resolved, closed
    priority            TEXT    NOT NULL,  -- normal, low
    created_at          BIGINT  NOT NULL,
    routed_at           BIGINT,
    sla_target_minutes  BIGINT ,
    due_at              BIGINT,
    first_response_at   BIGINT,
    sla_breached        BOOLEAN NOT NULL DEFAULT FALSE,
    assignee_id         BIGINT  REFERENCES users (id),
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX reports_by_reporter ON reports (reporter_id, id);
CREATE INDEX reports_recontact ON reports (reporter_id, endpoint_template, status_code, created_at)
    WHERE disposition = 'deflected';

CREATE TABLE report_events (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id   BIGINT  NOT NULL REFERENCES reports (id),
    actor_id    BIGINT  REFERENCES users (id),  -- NULL for the system
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX report_events_by_report ON report_events (report_id, id);
