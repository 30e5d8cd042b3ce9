-- One writer: sessions in Faultdesk's own table (written through the writer like every
-- other write; the record as JSON, its expiry in milliseconds), and the row the
-- readiness probe writes to prove that writes can be made.

DROP TABLE tower_sessions;
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY NOT NULL,
    data        TEXT    NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE health_probe (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    written_at  BIGINT  NOT NULL
);
