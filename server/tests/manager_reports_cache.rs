//! The per-day cache behind manager reports: cached days are really used, and every
//! change of a day's reports, and time passing a pending ticket's due time, refreshes
//! them. Against the known-answer data set, on both engines.

mod common;

use app::api::manager::{ManagerReport, ReportTable};
use common::{
    sla_dataset::{seed, setup, RANGE},
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
    let t11 = ids.t11;
    app.db
        .write(move |tx| {
            Box::pin(async move {
                app::on_tx!(tx, c => sqlx::query(
                    "UPDATE reports SET updated_at = updated_at + 1 WHERE id = $1")
                    .bind(t11)
                    .execute(&mut *c).await.map(|_| ()))?;
                Ok(())
            })
        })
        .await
        .unwrap();
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

on_both_engines!(cached_days_are_used_and_follow_every_change);
