-- The support queue: conversation messages, the at-risk instant of each ticket, and
-- the indexes behind the queue's keyset pagination (most urgent first).

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    report_id   BIGINT  NOT NULL REFERENCES reports (id),
    author_id   BIGINT  NOT NULL REFERENCES users (id),
    visibility  TEXT    NOT NULL CHECK (visibility IN ('public', 'internal')),
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX messages_by_report ON messages (report_id, id);

-- When less than a quarter of the target's business time is left; fixed at creation
-- like the due time.
ALTER TABLE reports ADD COLUMN at_risk_at BIGINT;
UPDATE reports SET at_risk_at = due_at - sla_target_minutes * 15000 WHERE due_at IS NOT NULL;

-- The local date (support timezone) a report was filed on, for reports by day, and
-- the business time its first response took, fixed when the clock stops.
ALTER TABLE reports ADD COLUMN created_day TEXT;
UPDATE reports SET created_day = strftime('%Y-%m-%d', created_at / 1000, 'unixepoch');
ALTER TABLE reports ADD COLUMN first_response_business_secs BIGINT;

CREATE INDEX reports_queue_active ON reports (due_at, id)
    WHERE status IN ('new', 'open', 'waiting');
CREATE INDEX reports_queue_assignee ON reports (assignee_id, due_at, id)
    WHERE status IN ('new', 'open', 'waiting');
-- Finished tickets, for the queue's resolved and closed views. Kept apart from the
-- active ones so the active queue is always read from reports_queue_active, in order.
CREATE INDEX reports_queue_done ON reports (status, due_at, id)
    WHERE due_at IS NOT NULL AND status IN ('resolved', 'closed');
