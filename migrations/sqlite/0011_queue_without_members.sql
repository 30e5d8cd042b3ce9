-- The queue shows an incident once, by its lead; its other reports (members) are
-- hidden. The queue's indexes held the members too, so during an outage flood reading
-- the first page walked every member of the flood in due order before reaching the
-- next row to show (16 ms with 30,000 members, growing with the flood). Now they hold
-- only what the queue shows; the query's `NOT r.incident_member` lets both engines use
-- them.
DROP INDEX reports_queue_active;
DROP INDEX reports_queue_assignee;
DROP INDEX reports_queue_done;
CREATE INDEX reports_queue_active ON reports (due_at, id)
    WHERE status IN ('new', 'open', 'waiting') AND NOT incident_member;
CREATE INDEX reports_queue_assignee ON reports (assignee_id, due_at, id)
    WHERE status IN ('new', 'open', 'waiting') AND NOT incident_member;
CREATE INDEX reports_queue_done ON reports (status, due_at, id)
    WHERE due_at IS NOT NULL AND status IN ('resolved', 'closed') AND NOT incident_member;
