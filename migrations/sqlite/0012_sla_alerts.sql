-- SLA alerts (PRODUCT §5): when a ticket's first-response clock goes at risk and when
-- it breaches, the assignee (or, unassigned, the staff who opted in) is told in the app
-- and by email, exactly once per ticket, clock and event, however many instances run.
--
-- The schedule is durable and lives with the clock: its instants (at_risk_at, due_at)
-- are stored when the clock starts and never move; sla_alert_stage says which is next
-- (0: at risk, 1: breach, 2: done). The two partial indexes below are the schedule's
-- queue: they hold exactly the tickets whose next alert is still to come, so a worker's
-- poll reads the due rows and nothing else. A clock that stops (the first public reply,
-- the ticket resolved, or folded into an incident) leaves the index in the same
-- transaction, so no alert is ever sent for it.
ALTER TABLE reports ADD COLUMN sla_alert_stage INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_alert_at_risk ON reports (at_risk_at, id)
    WHERE sla_alert_stage = 0 AND first_response_at IS NULL AND due_at IS NOT NULL
      AND status IN ('new', 'open', 'waiting') AND NOT incident_member;
CREATE INDEX reports_alert_breach ON reports (due_at, id)
    WHERE sla_alert_stage = 1 AND first_response_at IS NULL AND due_at IS NOT NULL
      AND status IN ('new', 'open', 'waiting') AND NOT incident_member;

-- Each alert, once: the claim that advances the stage records it in the same
-- transaction, and the unique key refuses a second one whatever happens.
CREATE TABLE sla_alerts (
    id          INTEGER PRIMARY KEY,
    report_id   BIGINT  NOT NULL REFERENCES reports (id),
    clock       TEXT    NOT NULL,  -- first_response
    event       TEXT    NOT NULL CHECK (event IN ('at_risk', 'breach')),
    instant     BIGINT  NOT NULL,  -- when the clock reached it
    fired_at    BIGINT  NOT NULL,  -- when the alert was recorded
    UNIQUE (report_id, clock, event)
);
CREATE INDEX sla_alerts_breaches ON sla_alerts (fired_at) WHERE event = 'breach';

-- The bell: one row per person told. Delivered (counted, mailed) from deliver_at, the
-- next opening of the desk for an alert that fell outside business hours.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    alert_id    BIGINT  NOT NULL REFERENCES sla_alerts (id),
    report_id   BIGINT  NOT NULL REFERENCES reports (id),
    title       TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    deliver_at  BIGINT  NOT NULL,
    read_at     BIGINT,
    UNIQUE (alert_id, user_id)
);
CREATE INDEX notifications_by_user ON notifications (user_id, deliver_at, id);
CREATE INDEX notifications_unread ON notifications (user_id, deliver_at) WHERE read_at IS NULL;

-- Who is told: staff opt into alerts about unassigned tickets, and into alerts outside
-- business hours (otherwise delivered at the next opening).
ALTER TABLE users ADD COLUMN alert_unassigned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN alert_after_hours BOOLEAN NOT NULL DEFAULT FALSE;

-- The managers' daily digest of breaches: one row per day (support timezone), taken by
-- whichever instance claims it first.
CREATE TABLE sla_digests (
    day         TEXT    PRIMARY KEY,
    sent_at     BIGINT  NOT NULL,
    breaches    INTEGER NOT NULL
);
