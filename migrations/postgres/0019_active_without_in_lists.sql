-- The partial indexes on active tickets say "new, open or waiting" as ORs instead of
-- `status IN ('new', 'open', 'waiting')`. SQLite runs an IN list of three or more
-- constants by building a temporary b-tree each time a statement runs, and the
-- condition of every partial index runs on every insert and update of a report: a
-- filing built eleven of them, about a quarter of its work in the database (measured
-- with callgrind). Queries spell the condition the same way (`active_status!`), so the
-- planners see they imply these conditions. PostgreSQL gets the same definitions, so
-- both schemas read alike.
DROP INDEX reports_report_backlog;
CREATE INDEX reports_report_backlog ON reports (routed_at, due_at, first_response_at)
    WHERE due_at IS NOT NULL AND (status = 'new' OR status = 'open' OR status = 'waiting');
DROP INDEX reports_queue_active;
CREATE INDEX reports_queue_active ON reports (due_at, id)
    WHERE (status = 'new' OR status = 'open' OR status = 'waiting') AND NOT incident_member;
DROP INDEX reports_queue_assignee;
CREATE INDEX reports_queue_assignee ON reports (assignee_id, due_at, id)
    WHERE (status = 'new' OR status = 'open' OR status = 'waiting') AND NOT incident_member;
DROP INDEX reports_alert_at_risk;
CREATE INDEX reports_alert_at_risk ON reports (at_risk_at, id)
    WHERE sla_alert_stage = 0 AND first_response_at IS NULL AND due_at IS NOT NULL
      AND (status = 'new' OR status = 'open' OR status = 'waiting') AND NOT incident_member;
DROP INDEX reports_alert_breach;
CREATE INDEX reports_alert_breach ON reports (due_at, id)
    WHERE sla_alert_stage = 1 AND first_response_at IS NULL AND due_at IS NOT NULL
      AND (status = 'new' OR status = 'open' OR status = 'waiting') AND NOT incident_member;
