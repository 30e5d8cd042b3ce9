-- A filing no longer bumps its day's version (a write of one hot row by every filing).
-- Manager reports now cache only settled days (`app/src/server/report_cache.rs`): days
-- that ended in every time zone well before the oldest report still being filed, which
-- a report filed "now" cannot belong to. Only a report inserted backdated by more than
-- an hour, which could land on a settled day, bumps its day; updates bump as before.
DROP TRIGGER reports_day_version_insert;

-- 3,600,000 ms: an hour, the `BACKDATED_MS` of report_cache.rs.
CREATE TRIGGER reports_day_version_backdated AFTER INSERT ON reports
WHEN NEW.created_day IS NOT NULL
    AND NEW.created_at < CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 3600000
BEGIN
    INSERT INTO report_day_versions (day, version) VALUES (NEW.created_day, 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
