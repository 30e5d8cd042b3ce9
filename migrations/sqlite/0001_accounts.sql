-- Accounts and browser sessions.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('developer', 'agent', 'manager')),
    timezone      TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- The table tower-sessions' SqliteStore uses (created here, under the migration lock).
CREATE TABLE tower_sessions (
    id          TEXT    PRIMARY KEY NOT NULL,
    data        BLOB    NOT NULL,
    expiry_date INTEGER NOT NULL
);
