-- Manager reports over long ranges: each local filing day's aggregates are cached and
-- reused while nothing about that day changed. Every insert or update of a report bumps
-- its day's version (in the same transaction, by trigger, so no write path can forget
-- it); a cached day is valid while its version is unchanged and none of its pending
-- tickets has passed its due time.

CREATE TABLE report_day_versions (
    day      TEXT   PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO report_day_versions (day, version)
    SELECT created_day, 1 FROM reports WHERE created_day IS NOT NULL GROUP BY created_day;

CREATE TRIGGER reports_day_version_insert AFTER INSERT ON reports
WHEN NEW.created_day IS NOT NULL
BEGIN
    INSERT INTO report_day_versions (day, version) VALUES (NEW.created_day, 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER reports_day_version_update AFTER UPDATE ON reports
WHEN NEW.created_day IS NOT NULL
BEGIN
    INSERT INTO report_day_versions (day, version) VALUES (NEW.created_day, 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;

CREATE TABLE report_day_cache (
    day          TEXT   PRIMARY KEY,
    version      BIGINT NOT NULL,  -- the day's version the aggregates were computed from
    valid_until  BIGINT,           -- the earliest due time of a pending ticket (ms), if any
    groups       TEXT   NOT NULL,  -- JSON
    endpoints    TEXT   NOT NULL,  -- JSON
    times        TEXT   NOT NULL,  -- JSON
    computed_at  BIGINT NOT NULL
);

-- Breaches by due time, for the page's first hundred: read from the range's start in
-- due order instead of sorting every breach of a long range.
CREATE INDEX reports_report_breaches ON reports (due_at, id, created_day, first_response_at)
    WHERE due_at IS NOT NULL;
