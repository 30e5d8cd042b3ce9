//! The per-day cache behind manager reports: cached days are really used, and every
//! change of a day's reports, and time passing a pending ticket's due time, refreshes
//! them. Against the known-answer data set, on both engines.

mod common;

use app::api::manager::{ManagerReport, ReportTable};
use common::{
    builders::ReportForm,
    sla_dataset::{seed, setup, RANGE, TZ},
    tickets::{local, reporter, Report},
    Engine,
};

fn routed_row(r: &ManagerReport) -> Vec<String> {
    r.table(ReportTable::Attainment).rows[0].clone()
}

async fn cached_days_are_used_and_follow_every_change(engine: Engine) {
    let (app, manager) = setup(engine).await;
    let ids = seed(&app.db).await;
    let first: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    let cached: i64 = app::on_db!(&app.db, pool => {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM report_day_cache").fetch_one(pool).await.unwrap();
        n
    });
    assert!(cached > 5, "days of the range are cached: {cached}");
    let again: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(again, first, "the cached report equals the computed one");

    // Prove the cache is read: blank one cached day and see its tickets vanish.
    common::execute(
        &app.db,
        "UPDATE report_day_cache SET groups = '[]' WHERE day = '2026-11-12'",
        &[],
    )
    .await;
    let tampered: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(routed_row(&first)[2], "9");
    assert_eq!(
        routed_row(&tampered)[2],
        "7",
        "T1 and T11 (filed on the 12th) missing"
    );

    // Any write to a report of that day (here: T11) makes the day current again.
    common::execute(
        &app.db,
        "UPDATE reports SET updated_at = updated_at + 1 WHERE id = $1",
        &[ids.t11],
    )
    .await;
    let refreshed: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(refreshed, first);

    // Without any write, time passing the pending ticket's due time (T6, due Thursday
    // 26 Nov 10:00 CET) turns it from pending into breached.
    // Columns: tickets, met, breached, answered late, unanswered past due, pending.
    assert_eq!(routed_row(&first)[2..8], ["9", "5", "3", "2", "1", "1"]);
    let berlin = app::domain::calendar::parse_tz("Europe/Berlin").unwrap();
    app.clock
        .set(common::tickets::local(&berlin, "2026-11-26 10:01"));
    let later: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(
        routed_row(&later)[2..8],
        ["9", "5", "4", "2", "2", "0"],
        "T6 now overdue"
    );
}

/// The day versions, in day order.
async fn versions(db: &app::server::db::Db) -> Vec<(String, i64)> {
    app::on_db!(db, pool => sqlx::query_as("SELECT day, version FROM report_day_versions ORDER BY day")
        .fetch_all(pool).await.unwrap())
}

/// Filings leave the day versions alone (no hot row written by every filing): only
/// settled days are cached, and a report filed now cannot belong to one. A report
/// inserted backdated onto a settled, cached day bumps it, and the next report counts
/// it; a day not yet settled is computed every time and never stored.
async fn filings_write_no_version_and_backdated_reports_refresh_settled_days(engine: Engine) {
    let (app, manager) = setup(engine).await;
    seed(&app.db).await;
    let first: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(routed_row(&first)[2], "9");
    // At 2026-11-25 12:00 CET (11:00 UTC) the 24th and 25th are not settled yet.
    let stored: Vec<(String,)> = app::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT day FROM report_day_cache ORDER BY day").fetch_all(pool).await.unwrap());
    let stored: Vec<&str> = stored.iter().map(|(d,)| d.as_str()).collect();
    assert!(
        stored.contains(&"2026-11-12"),
        "a settled day is cached: {stored:?}"
    );
    assert!(
        stored.contains(&"2026-11-15"),
        "so is a settled day without reports: {stored:?}"
    );
    assert!(
        stored.iter().all(|d| *d < "2026-11-24"),
        "days not yet settled are not stored: {stored:?}"
    );

    // A developer files now (the real time, as in production): no version is written.
    app.clock.set(chrono::Utc::now());
    let before = versions(&app.db).await;
    let dev = app.developer("now@example.com").await;
    let today = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
    for form in [ReportForm::server_error(), ReportForm::client_error()] {
        app.file(
            &dev,
            &form
                .with("occurred_at", today.clone())
                .with("timezone", "UTC"),
        )
        .await;
    }
    assert_eq!(versions(&app.db).await, before, "a filing bumps no day");

    // A report inserted backdated onto the 12th (settled and cached) bumps that day...
    let berlin = app::domain::calendar::parse_tz(TZ).unwrap();
    app.clock.set(local(&berlin, "2026-11-25 12:00"));
    let version_of_12th =
        |v: &[(String, i64)]| v.iter().find(|(d, _)| d == "2026-11-12").map(|(_, n)| *n);
    let was = version_of_12th(&before);
    let late = reporter(&app.db, "late@example.com").await;
    Report::routed("2026-11-12 11:00", 503, "2026-11-13 11:00")
        .insert(&app.db, TZ, late)
        .await;
    let now = version_of_12th(&versions(&app.db).await);
    assert!(now > was, "the 12th's version moved: {was:?} -> {now:?}");
    // ...and the next report counts it.
    let after: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(routed_row(&after)[2], "10", "the backdated ticket counts");

    // A cached row computed before its day settled is never used: blank the 12th's
    // figures, dated back to when the 12th was still young.
    let young = local(&berlin, "2026-11-13 12:00").timestamp_millis();
    common::execute(
        &app.db,
        "UPDATE report_day_cache SET groups = '[]', computed_at = $1 WHERE day = '2026-11-12'",
        &[young],
    )
    .await;
    let again: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(again, after, "the young row was recomputed, not read");
}

on_both_engines!(
    cached_days_are_used_and_follow_every_change,
    filings_write_no_version_and_backdated_reports_refresh_settled_days
);
