-- Who is looking at a ticket (PRODUCT §4): each open ticket page of a staff member
-- beats every few seconds; a row seen recently means "here", and "replying" while they
-- type. In the database, so every instance sees every viewer.
CREATE TABLE ticket_presence (
    report_id   BIGINT  NOT NULL REFERENCES reports (id),
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    replying    BOOLEAN NOT NULL,
    seen_at     BIGINT  NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
