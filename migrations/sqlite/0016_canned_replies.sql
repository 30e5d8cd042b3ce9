-- Canned replies (agents): saved answers with placeholders for the ticket's fields,
-- inserted into the reply box and edited before sending.
CREATE TABLE canned_replies (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_by  BIGINT  NOT NULL REFERENCES users (id),
    updated_at  BIGINT  NOT NULL
);
