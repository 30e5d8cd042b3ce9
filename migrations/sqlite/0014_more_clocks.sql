-- Every SLA clock of a ticket (PRODUCT §5), beside the first response (migration 0012):
--
-- * **Resolution**: starts when the ticket is routed, with the policy's resolution
--   target then in force; pauses while the ticket waits on the developer (if the policy
--   said so when it started) and resumes when it leaves waiting; stops when the ticket
--   is resolved or closed, and resumes if it is reopened (the time spent resolved does
--   not count). A pause (resolution_paused_at) or a stop (resolved_at) keeps the
--   business time that was left; a resume sets the instants that far ahead again. The
--   time paused (business seconds) adds up for the managers' reports.
-- * **Next reply**: one row per developer reply that is owed an answer (after the first
--   response), stopped by the next public staff reply or by resolving the ticket.
--
-- Alerts are scheduled as for the first response: a stage per clock, and partial
-- indexes holding exactly the running clocks whose next alert is still to come.
ALTER TABLE reports ADD COLUMN resolution_target_minutes BIGINT;
ALTER TABLE reports ADD COLUMN resolution_due_at BIGINT;
ALTER TABLE reports ADD COLUMN resolution_at_risk_at BIGINT;
ALTER TABLE reports ADD COLUMN resolution_pauses BOOLEAN NOT NULL DEFAULT FALSE;
-- While paused or stopped: business seconds left to the due time, and to the at-risk
-- instant (negative once passed).
ALTER TABLE reports ADD COLUMN resolution_left_secs BIGINT;
ALTER TABLE reports ADD COLUMN resolution_risk_left_secs BIGINT;
ALTER TABLE reports ADD COLUMN resolution_paused_at BIGINT;
ALTER TABLE reports ADD COLUMN resolution_paused_secs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN resolved_at BIGINT;
ALTER TABLE reports ADD COLUMN resolution_breached BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN resolution_alert_stage INTEGER NOT NULL DEFAULT 0;

-- Tickets routed before this migration have no resolution clock (resolution_target_minutes
-- stays NULL): their target was never promised, and they are left out of the figures.

CREATE INDEX reports_resolution_at_risk ON reports (resolution_at_risk_at, id)
    WHERE resolution_alert_stage = 0 AND resolution_due_at IS NOT NULL
      AND resolution_paused_at IS NULL AND resolved_at IS NULL AND NOT incident_member;
CREATE INDEX reports_resolution_breach ON reports (resolution_due_at, id)
    WHERE resolution_alert_stage = 1 AND resolution_due_at IS NOT NULL
      AND resolution_paused_at IS NULL AND resolved_at IS NULL AND NOT incident_member;
-- Resolution attainment by the day the clock stopped.
CREATE INDEX reports_resolved ON reports (resolved_at) WHERE resolved_at IS NOT NULL;

CREATE TABLE next_reply_clocks (
    id              INTEGER PRIMARY KEY,
    report_id       BIGINT  NOT NULL REFERENCES reports (id),
    started_at      BIGINT  NOT NULL,  -- the developer's reply
    target_minutes  BIGINT  NOT NULL,
    at_risk_at      BIGINT  NOT NULL,
    due_at          BIGINT  NOT NULL,
    stopped_at      BIGINT,            -- the next public staff reply, or resolved
    breached        BOOLEAN NOT NULL DEFAULT FALSE,
    alert_stage     INTEGER NOT NULL DEFAULT 0
);
-- At most one running per ticket; the queue joins it.
CREATE UNIQUE INDEX next_reply_running ON next_reply_clocks (report_id) WHERE stopped_at IS NULL;
CREATE INDEX next_reply_at_risk ON next_reply_clocks (at_risk_at, id)
    WHERE alert_stage = 0 AND stopped_at IS NULL;
CREATE INDEX next_reply_breach ON next_reply_clocks (due_at, id)
    WHERE alert_stage = 1 AND stopped_at IS NULL;
CREATE INDEX next_reply_stopped ON next_reply_clocks (stopped_at) WHERE stopped_at IS NOT NULL;
-- The queue joins a ticket's running clock by report (any engine, any planner).
CREATE INDEX next_reply_by_report ON next_reply_clocks (report_id, id);

-- The policy gains the next-reply and resolution targets and the pause switch.
ALTER TABLE sla_policies ADD COLUMN next_reply TEXT NOT NULL DEFAULT '1d';
ALTER TABLE sla_policies ADD COLUMN resolution TEXT NOT NULL DEFAULT '5d';
ALTER TABLE sla_policies ADD COLUMN pause_when_waiting BOOLEAN NOT NULL DEFAULT TRUE;
