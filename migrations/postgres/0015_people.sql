-- People and passwords (PRODUCT §2): managers invite staff, change roles, deactivate
-- and reactivate accounts; everyone can change their password, or reset a forgotten
-- one by email; staff may set the name developers see.
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;
-- A deactivated account cannot sign in; its sessions and API tokens stop working on
-- the next request. Its history stays.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
-- Stamped into a session at sign-in; bumped when the password changes (or the account
-- is deactivated), which signs out every session stamped with an older value.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

-- One-time links: only a SHA-256 of the token is stored; each is used at most once.
CREATE TABLE invites (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('agent', 'manager')),
    token_hash   TEXT    NOT NULL UNIQUE,
    invited_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    accepted_at  BIGINT,
    user_id      BIGINT  REFERENCES users (id)
);
CREATE INDEX invites_by_time ON invites (created_at);

CREATE TABLE password_resets (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    used_at      BIGINT
);

-- Every change managers make to people, and every password change or reset.
CREATE TABLE people_audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id     BIGINT  REFERENCES users (id),  -- NULL: the person themself via a link
    user_id      BIGINT  REFERENCES users (id),
    action       TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL
);
CREATE INDEX people_audit_by_time ON people_audit (created_at, id);
