//! Next-reply and resolution clocks (PRODUCT §5), on SQLite and PostgreSQL: the
//! resolution clock pauses while a ticket waits on the developer and resumes on their
//! reply, which starts a next-reply clock; paused time never counts; both clocks alert
//! once at risk and once on breach (never while paused or stopped); a reopened ticket
//! resumes its resolution clock; the policy's new targets and pause switch apply to
//! clocks started afterwards; the managers' report counts attainment and time paused.

mod common;

use app::{
    domain::role::Role,
    server::{alerts, db::Db},
};
use chrono::{DateTime, TimeZone, Utc};
use common::{builders::ReportForm, expect_error, spawn_app_at, tuesday_10am, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;

on_both_engines!(
    waiting_pauses_resolution_and_a_developer_reply_starts_a_next_reply_clock,
    without_pause_a_short_resolution_target_alerts_and_breaches_for_good,
    a_reopened_ticket_resumes_its_resolution_clock_without_counting_the_resolved_time,
);

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

const HOUR: i64 = 3600;

/// The resolution columns of a report: due, at risk, paused at, paused secs, left secs,
/// resolved at, breached.
#[derive(Debug, sqlx::FromRow)]
struct Resolution {
    resolution_due_at: Option<i64>,
    resolution_at_risk_at: Option<i64>,
    resolution_paused_at: Option<i64>,
    resolution_paused_secs: i64,
    resolution_left_secs: Option<i64>,
    resolved_at: Option<i64>,
    resolution_breached: bool,
}

async fn resolution(db: &Db, id: i64) -> Resolution {
    app::on_db!(db, pool => sqlx::query_as::<_, Resolution>(
        "SELECT resolution_due_at, resolution_at_risk_at, resolution_paused_at, \
         resolution_paused_secs, resolution_left_secs, resolved_at, resolution_breached \
         FROM reports WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await)
    .expect("resolution clock")
}

/// (clock, event) of every alert of a report, in order.
async fn alerts_of(db: &Db, report: i64) -> Vec<(String, String)> {
    app::on_db!(db, pool => sqlx::query_as::<_, (String, String)>(
        "SELECT clock, event FROM sla_alerts WHERE report_id = $1 ORDER BY id")
        .bind(report)
        .fetch_all(pool)
        .await)
    .expect("alerts")
    .into_iter()
    .map(|(clock, event)| (clock.split(':').next().unwrap_or("").to_owned(), event))
    .collect()
}

/// Next-reply clocks of a report: (started, due, at risk, stopped, breached).
async fn next_replies(db: &Db, report: i64) -> Vec<(i64, i64, i64, Option<i64>, bool)> {
    app::on_db!(db, pool => sqlx::query_as(
        "SELECT started_at, due_at, at_risk_at, stopped_at, breached FROM next_reply_clocks \
         WHERE report_id = $1 ORDER BY id")
        .bind(report)
        .fetch_all(pool)
        .await)
    .expect("next-reply clocks")
}

async fn fire(app: &TestApp, at: DateTime<Utc>) -> usize {
    app.clock.set(at);
    alerts::fire_due(&app.state).await.expect("fire due alerts")
}

async fn ok(app: &TestApp, c: &Client, name: &str, form: &[(&str, &str)]) {
    let res = app.call(c, name, form).await;
    let status = res.status();
    assert!(
        status.is_success(),
        "{name}: {status} {}",
        res.text().await.unwrap_or_default()
    );
}

async fn staff_reply(app: &TestApp, agent: &Client, id: i64, then: &str) {
    let id = id.to_string();
    ok(
        app,
        agent,
        "post_message",
        &[
            ("id", &id),
            ("body", "Please send the request id of a failing call."),
            ("visibility", "public"),
            ("then_status", then),
        ],
    )
    .await;
}

async fn developer_reply(app: &TestApp, dev: &Client, id: i64) {
    let id = id.to_string();
    ok(
        app,
        dev,
        "reply_to_report",
        &[
            ("id", &id),
            ("body", "Here it is: req-7f3a. Still failing."),
        ],
    )
    .await;
}

async fn set_status(app: &TestApp, agent: &Client, id: i64, status: &str) {
    let id = id.to_string();
    ok(
        app,
        agent,
        "change_status",
        &[("id", &id), ("status", status)],
    )
    .await;
}

async fn ticket(app: &TestApp, agent: &Client, id: i64) -> Value {
    app.call_ok(agent, "get_ticket", &[("id", &id.to_string())])
        .await
}

async fn report(app: &TestApp, manager: &Client, from: &str, to: &str) -> Value {
    app.call_ok(manager, "manager_report", &[("from", from), ("to", to)])
        .await
}

/// Default policy (resolution 5 business days = 40 h, next reply 1 day = 8 h, waiting
/// pauses), hours Mon–Fri 09–17 UTC. Filed Tue 24 Nov 10:00.
async fn waiting_pauses_resolution_and_a_developer_reply_starts_a_next_reply_clock(engine: Engine) {
    let app = spawn_app_at(engine, tuesday_10am()).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let manager = app.staff("lead@example.com", Role::Manager).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;

    // 40 business hours: due Tue 1 Dec 10:00; at risk with 10 h left, Fri 27 Nov 16:00.
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolution_due_at, Some(ms(utc(2026, 12, 1, 10, 0))));
    assert_eq!(r.resolution_at_risk_at, Some(ms(utc(2026, 11, 27, 16, 0))));
    let t = ticket(&app, &agent, id).await;
    assert_eq!(
        t["item"]["resolution"]["due_ms"],
        ms(utc(2026, 12, 1, 10, 0))
    );
    assert!(t["item"]["resolution"]["paused"].is_null(), "{t}");
    assert!(t["item"]["next_reply"].is_null());

    // Tue 12:00: answered and set waiting on the developer: the clock pauses with 38 h left.
    app.clock.set(utc(2026, 11, 24, 12, 0));
    staff_reply(&app, &agent, id, "waiting").await;
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolution_paused_at, Some(ms(utc(2026, 11, 24, 12, 0))));
    assert_eq!(r.resolution_left_secs, Some(38 * HOUR));
    let t = ticket(&app, &agent, id).await;
    assert_eq!(
        t["item"]["resolution"]["paused"]["left_ms"],
        38 * HOUR * 1000
    );
    assert_eq!(t["item"]["resolution"]["paused"]["at_risk"], false);
    assert!(
        t["clock_notes"]
            .to_string()
            .contains("paused while waiting on the developer"),
        "{t}"
    );

    // Well past the original at-risk instant (Fri 16:00), still waiting: no alert.
    assert_eq!(fire(&app, utc(2026, 11, 30, 11, 0)).await, 0);
    assert!(alerts_of(&app.db, id).await.is_empty());

    // Mon 30 Nov 12:00 the developer replies: the ticket reopens, the clock resumes
    // with its 38 h (paused: Tue 5 h + Wed, Thu, Fri 24 h + Mon 3 h = 32 h), and a
    // next-reply clock starts: 8 h, due Tue 1 Dec 12:00, at risk from 10:00.
    app.clock.set(utc(2026, 11, 30, 12, 0));
    developer_reply(&app, &dev, id).await;
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolution_paused_at, None);
    assert_eq!(r.resolution_paused_secs, 32 * HOUR);
    // Mon 12–17 (5) + Tue–Fri (32) + Mon 7 Dec 09–10 (1) = 38 h.
    assert_eq!(r.resolution_due_at, Some(ms(utc(2026, 12, 7, 10, 0))));
    // 28 h were left to the at-risk instant: Thu 3 Dec 16:00.
    assert_eq!(r.resolution_at_risk_at, Some(ms(utc(2026, 12, 3, 16, 0))));
    let nr = next_replies(&app.db, id).await;
    assert_eq!(
        nr,
        [(
            ms(utc(2026, 11, 30, 12, 0)),
            ms(utc(2026, 12, 1, 12, 0)),
            ms(utc(2026, 12, 1, 10, 0)),
            None,
            false
        )]
    );
    let t = ticket(&app, &agent, id).await;
    assert_eq!(
        t["item"]["next_reply"]["due_ms"],
        ms(utc(2026, 12, 1, 12, 0))
    );
    assert!(t["item"]["resolution"]["paused"].is_null());
    // A second developer message while one is owed starts no second clock.
    developer_reply(&app, &dev, id).await;
    assert_eq!(next_replies(&app.db, id).await.len(), 1);

    // Tue 1 Dec 10:00 + 1 s: the next reply is at risk (one alert, once).
    assert_eq!(
        fire(&app, utc(2026, 12, 1, 10, 0) + chrono::Duration::seconds(1)).await,
        1
    );
    assert_eq!(fire(&app, utc(2026, 12, 1, 10, 30)).await, 0);
    assert_eq!(
        alerts_of(&app.db, id).await,
        [("next_reply".to_owned(), "at_risk".to_owned())]
    );
    let bell: Value = app.call_ok(&agent, "my_notifications", &[]).await;
    assert_eq!(
        bell["items"][0]["title"],
        format!("At risk (next reply): ticket #{id} (GET /v1/orders/42 503)")
    );

    // Answered at 11:00, in time: the clock stops and never breaches.
    app.clock.set(utc(2026, 12, 1, 11, 0));
    staff_reply(&app, &agent, id, "").await;
    let nr = next_replies(&app.db, id).await;
    assert_eq!(nr[0].3, Some(ms(utc(2026, 12, 1, 11, 0))));
    assert!(!nr[0].4);
    assert_eq!(fire(&app, utc(2026, 12, 1, 12, 30)).await, 0);

    // Still open: its resolution clock is counted as running.
    let m = report(&app, &manager, "2026-11-24", "2026-12-01").await;
    assert_eq!(m["clocks"]["resolution_open"], 1, "{}", m["clocks"]);

    // Resolved at 13:00, well within the (moved) resolution target.
    app.clock.set(utc(2026, 12, 1, 13, 0));
    set_status(&app, &agent, id, "resolved").await;
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolved_at, Some(ms(utc(2026, 12, 1, 13, 0))));
    assert!(!r.resolution_breached);
    let t = ticket(&app, &agent, id).await;
    assert!(
        t["item"]["resolution"].is_null(),
        "a stopped clock is not counted down"
    );
    let notes = t["clock_notes"].to_string();
    assert!(notes.contains("answered in time"), "{notes}");
    assert!(
        notes.contains("Resolved within its 40h 00m target"),
        "{notes}"
    );
    // Nothing more, ever, for this ticket.
    assert_eq!(fire(&app, utc(2026, 12, 9, 12, 0)).await, 0);
    assert_eq!(alerts_of(&app.db, id).await.len(), 1);

    let m = report(&app, &manager, "2026-11-24", "2026-12-01").await;
    let c = &m["clocks"];
    assert_eq!(c["next_reply_met"], 1, "{c}");
    assert_eq!(c["next_reply_breached"], 0);
    assert_eq!(c["resolution_met"], 1);
    assert_eq!(c["resolution_breached"], 0);
    assert_eq!(c["resolution_open"], 0);
    assert_eq!(c["paused_business_secs"], 32 * HOUR);
    assert_eq!(c["paused_tickets"], 1);
}

/// A manager sets resolution 4 h, next reply 1 h, and waiting does not pause.
async fn without_pause_a_short_resolution_target_alerts_and_breaches_for_good(engine: Engine) {
    let app = spawn_app_at(engine, tuesday_10am()).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let manager = app.staff("lead@example.com", Role::Manager).await;
    let policy = |next: &'static str, resolution: &'static str, pause: &'static str| {
        [
            ("first_response_normal", "1d"),
            ("first_response_low", "2d"),
            ("at_risk_percent", "25"),
            ("next_reply", next),
            ("resolution", resolution),
            ("pause_when_waiting", pause),
        ]
    };
    // Bad values are refused, naming the field, and change nothing.
    for (form, field) in [
        (policy("1h", "4h", "maybe"), "pause_when_waiting"),
        (policy("1h", "soon", "no"), "resolution"),
        (policy("0m", "4h", "no"), "next_reply"),
    ] {
        expect_error(
            app.call(&manager, "save_sla_policy", &form).await,
            422,
            Some(field),
        )
        .await;
    }
    let p: Value = app.call_ok(&manager, "get_sla_policy", &[]).await;
    assert_eq!(p["history"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["history"][0]["resolution"], "5d");
    ok(&app, &manager, "save_sla_policy", &policy("1h", "4h", "no")).await;
    let p: Value = app.call_ok(&manager, "get_sla_policy", &[]).await;
    assert_eq!(p["history"][0]["resolution"], "4h");
    assert_eq!(p["history"][0]["next_reply"], "1h");
    assert_eq!(p["history"][0]["pause_when_waiting"], false);
    assert_eq!(p["resolution_minutes"], 240);

    let id = app.file(&dev, &ReportForm::server_error()).await;
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolution_due_at, Some(ms(utc(2026, 11, 24, 14, 0))));
    assert_eq!(r.resolution_at_risk_at, Some(ms(utc(2026, 11, 24, 13, 0))));

    // Waiting on the developer does not pause it under this policy.
    app.clock.set(utc(2026, 11, 24, 10, 30));
    staff_reply(&app, &agent, id, "waiting").await;
    assert_eq!(resolution(&app.db, id).await.resolution_paused_at, None);

    assert_eq!(fire(&app, utc(2026, 11, 24, 13, 0)).await, 0);
    assert_eq!(fire(&app, utc(2026, 11, 24, 13, 1)).await, 1);
    assert_eq!(fire(&app, utc(2026, 11, 24, 14, 1)).await, 1);
    assert_eq!(fire(&app, utc(2026, 11, 24, 16, 0)).await, 0);
    let resolution_alerts = [
        ("resolution".to_owned(), "at_risk".to_owned()),
        ("resolution".to_owned(), "breach".to_owned()),
    ];
    assert_eq!(alerts_of(&app.db, id).await, resolution_alerts);
    let bell: Value = app.call_ok(&agent, "my_notifications", &[]).await;
    assert_eq!(
        bell["items"][0]["title"],
        format!("Breached (resolution): ticket #{id} (GET /v1/orders/42 503)")
    );

    // The developer replies at 15:00: a 1 h next-reply clock; unanswered, it breaches.
    app.clock.set(utc(2026, 11, 24, 15, 0));
    developer_reply(&app, &dev, id).await;
    assert_eq!(
        fire(&app, utc(2026, 11, 24, 16, 1)).await,
        2,
        "next reply at risk, then breached"
    );
    // Resolved at 16:30 without an answer: both stop, breached for good.
    app.clock.set(utc(2026, 11, 24, 16, 30));
    set_status(&app, &agent, id, "resolved").await;
    let r = resolution(&app.db, id).await;
    assert!(r.resolution_breached);
    let nr = next_replies(&app.db, id).await;
    assert_eq!(nr[0].3, Some(ms(utc(2026, 11, 24, 16, 30))));
    assert!(nr[0].4);
    assert_eq!(fire(&app, utc(2026, 11, 26, 12, 0)).await, 0);
    assert_eq!(alerts_of(&app.db, id).await.len(), 4);

    let m = report(&app, &manager, "2026-11-24", "2026-11-24").await;
    let c = &m["clocks"];
    assert_eq!(c["resolution_breached"], 1, "{c}");
    assert_eq!(c["resolution_met"], 0);
    assert_eq!(c["next_reply_breached"], 1);
    assert_eq!(c["paused_business_secs"], 0);
}

/// Resolved after 2 h, reopened by the developer the next day: the clock resumes with
/// its 38 h; the night and the hours it was resolved do not count, and are not "paused".
async fn a_reopened_ticket_resumes_its_resolution_clock_without_counting_the_resolved_time(
    engine: Engine,
) {
    let app = spawn_app_at(engine, tuesday_10am()).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    app.clock.set(utc(2026, 11, 24, 12, 0));
    staff_reply(&app, &agent, id, "resolved").await;
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolved_at, Some(ms(utc(2026, 11, 24, 12, 0))));
    assert_eq!(r.resolution_left_secs, Some(38 * HOUR));

    // Wed 25 Nov 10:00 the developer writes back: reopened, 38 h from now.
    app.clock.set(utc(2026, 11, 25, 10, 0));
    developer_reply(&app, &dev, id).await;
    let r = resolution(&app.db, id).await;
    assert_eq!(r.resolved_at, None);
    assert_eq!(r.resolution_paused_secs, 0);
    // Wed 10–17 (7) + Thu, Fri, Mon, Tue (32) = 39 > 38: Tue 1 Dec 16:00.
    assert_eq!(r.resolution_due_at, Some(ms(utc(2026, 12, 1, 16, 0))));
    let t = ticket(&app, &agent, id).await;
    assert_eq!(t["item"]["status"], "open");
    assert_eq!(
        t["item"]["resolution"]["due_ms"],
        ms(utc(2026, 12, 1, 16, 0))
    );
    // The reopening reply is owed an answer too.
    assert_eq!(next_replies(&app.db, id).await.len(), 1);
}
