-- A filing no longer bumps its day's version. That was an upsert of one hot row (the
-- day's) by every filing: a trigger call, a row lock held to the commit (concurrent
-- writers queued on it) and a quarter of the filing's WAL. Manager reports now cache
-- only settled days (`app/src/server/report_cache.rs`): days that ended in every time
-- zone well before the oldest report still being filed, which a report filed "now"
-- cannot belong to. Only a report inserted backdated by more than an hour, which could
-- land on a settled day, bumps its day; updates bump as before.
DROP TRIGGER reports_day_version_insert ON reports;

CREATE FUNCTION bump_backdated_report_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_day_versions (day, version) VALUES (NEW.created_day, 1)
    ON CONFLICT (day) DO UPDATE SET version = report_day_versions.version + 1;
    RETURN NULL;
END
$$;

-- 3,600,000 ms: an hour, the `BACKDATED_MS` of report_cache.rs.
CREATE TRIGGER reports_day_version_backdated AFTER INSERT ON reports
    FOR EACH ROW
    WHEN (NEW.created_day IS NOT NULL
          AND NEW.created_at < (EXTRACT(EPOCH FROM statement_timestamp()) * 1000)::BIGINT - 3600000)
    EXECUTE FUNCTION bump_backdated_report_day();
