-- Maintenance notices, incidents (outage floods), their followers, and the mail outbox.

CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    title         TEXT    NOT NULL,
    details       TEXT    NOT NULL,
    starts_at     BIGINT  NOT NULL,
    ends_at       BIGINT  NOT NULL,
    endpoints     TEXT    NOT NULL,  -- path prefixes, one per line; empty = the whole API
    emergency     BOOLEAN NOT NULL,
    cancelled_at  BIGINT,
    published_at  BIGINT  NOT NULL,
    published_by  BIGINT  NOT NULL REFERENCES users (id),
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX notices_by_end ON notices (ends_at);

CREATE TABLE notice_events (
    id          INTEGER PRIMARY KEY,
    notice_id   BIGINT  NOT NULL REFERENCES notices (id),
    actor_id    BIGINT  REFERENCES users (id),
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX notice_events_by_notice ON notice_events (notice_id, id);

CREATE TABLE incidents (
    id                INTEGER PRIMARY KEY,
    group_key         TEXT    NOT NULL,  -- "GET /v1/orders/{id} 503"
    status            TEXT    NOT NULL CHECK (status IN ('open', 'resolved', 'merged')),
    -- Whether new reports may still join (open, and not superseded by a newer one).
    accepting         BOOLEAN NOT NULL,
    lead_report_id    BIGINT,
    report_count      BIGINT  NOT NULL DEFAULT 0,
    first_report_at   BIGINT  NOT NULL,
    last_report_at    BIGINT  NOT NULL,
    latest_update     TEXT,
    latest_update_at  BIGINT,
    merged_into       BIGINT  REFERENCES incidents (id),
    created_at        BIGINT  NOT NULL,
    resolved_at       BIGINT
);
-- At most one incident per failure accepts reports: concurrent first reports of an
-- outage race on this index and exactly one creates the incident.
CREATE UNIQUE INDEX incidents_accepting ON incidents (group_key) WHERE accepting;
CREATE INDEX incidents_by_status ON incidents (status, id);

CREATE TABLE incident_followers (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);

ALTER TABLE reports ADD COLUMN incident_id BIGINT REFERENCES incidents (id);
-- A report of an incident other than its lead: the queue shows the incident once.
ALTER TABLE reports ADD COLUMN incident_member BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN notice_id BIGINT REFERENCES notices (id);
-- The developer's statement that a failure inside a maintenance window is unrelated.
ALTER TABLE reports ADD COLUMN unrelated_statement TEXT;
CREATE INDEX reports_by_incident ON reports (incident_id, id) WHERE incident_id IS NOT NULL;

CREATE TABLE mail_outbox (
    id            INTEGER PRIMARY KEY,
    recipient     TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    locked_until  BIGINT  NOT NULL DEFAULT 0,
    attempts      BIGINT  NOT NULL DEFAULT 0,
    sent_at       BIGINT,
    last_error    TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (locked_until, id) WHERE sent_at IS NULL;
