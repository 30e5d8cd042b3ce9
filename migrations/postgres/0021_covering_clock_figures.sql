-- The manager report's next-reply and resolution attainment counts read only index
-- entries: the clocks stopped in a range, and whether each breached (and how long a
-- resolution clock waited paused), were read from the table row by row. Both indexes
-- are partial on a stopped clock, so a filing writes neither; a reply or a resolution
-- already rewrote the entry. On the manager-report benchmark with its closed tickets
-- resolved (SQLite): 30 days of resolutions 49 -> 8.5 ms, a year 544 -> 121 ms.
DROP INDEX reports_resolved;
CREATE INDEX reports_resolved ON reports (
    resolved_at, resolution_target_minutes, resolution_breached, resolution_paused_secs
) WHERE resolved_at IS NOT NULL;
DROP INDEX next_reply_stopped;
CREATE INDEX next_reply_stopped ON next_reply_clocks (stopped_at, breached)
    WHERE stopped_at IS NOT NULL;
