//! SLA alerts (PRODUCT §5): at risk and breached, told to the assignee (or the staff
//! who opted in) on the bell and by email, exactly once per ticket, clock and event;
//! never for a clock that stopped; held back to the next opening outside business
//! hours; a daily digest of breaches for managers. On SQLite and PostgreSQL, with a
//! real SMTP listener and, on PostgreSQL, several instances racing for the same alerts.

mod common;

use app::{
    domain::role::Role,
    server::{
        alerts::{self, Digest},
        db::{from_millis, Db},
    },
};
use chrono::{DateTime, TimeZone, Utc};
use common::{
    builders::ReportForm, smtp::SmtpServer, spawn_app_with, tuesday_10am, Engine, TestApp,
};
use reqwest::Client;
use serde_json::Value;

on_both_engines!(
    an_assigned_ticket_alerts_its_assignee_once_at_risk_and_once_on_breach,
    a_stopped_clock_never_alerts_and_unassigned_tickets_alert_who_opted_in,
    alerts_outside_business_hours_wait_for_the_opening_unless_opted_in,
    racing_workers_record_each_alert_exactly_once,
    the_daily_digest_goes_out_once_at_opening,
    alert_instants_skip_a_weekend_a_dst_change_and_a_holiday,
);

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn mail_settings(smtp: &SmtpServer) -> impl FnOnce(&mut server::config::Settings) {
    let url = smtp.url.clone();
    move |s| {
        s.smtp_url = Some(url);
        s.public_url = Some("https://desk.example.com".to_owned());
    }
}

async fn with_smtp(engine: Engine) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(engine, tuesday_10am(), mail_settings(&smtp)).await;
    (app, smtp)
}

/// Like [`with_smtp`], plus a second instance on the same database on PostgreSQL
/// (SQLite runs one instance).
async fn instances_with_smtp(engine: Engine) -> (TestApp, Option<TestApp>, SmtpServer) {
    let (a, smtp) = with_smtp(engine).await;
    let b = match engine {
        Engine::Postgres => Some(a.second_instance_with(mail_settings(&smtp)).await),
        Engine::Sqlite => None,
    };
    (a, b, smtp)
}

/// Files a 5xx with status `code` (distinct codes never join one incident).
async fn ticket(app: &TestApp, dev: &Client, code: u16) -> i64 {
    app.file(
        dev,
        &ReportForm::server_error().with("status", code.to_string()),
    )
    .await
}

async fn scalar(db: &Db, sql: &'static str, id: i64) -> i64 {
    app::on_db!(db, pool => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(pool).await)
        .expect(sql)
}

async fn alerts_of(db: &Db, report: i64) -> Vec<String> {
    app::on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT event FROM sla_alerts WHERE report_id = $1 AND clock = 'first_response' ORDER BY id")
        .bind(report)
        .fetch_all(pool)
        .await)
    .expect("alerts")
}

async fn bell(app: &TestApp, c: &Client) -> Value {
    app.call_ok(c, "my_notifications", &[]).await
}

async fn digest(state: &app::server::state::AppState) -> Digest {
    alerts::digest_if_due(state).await.expect("digest")
}

async fn fire(app: &TestApp, at: DateTime<Utc>) -> usize {
    app.clock.set(at);
    alerts::fire_due(&app.state).await.expect("fire due alerts")
}

async fn prefs(app: &TestApp, c: &Client, unassigned: bool, after_hours: bool) {
    let mut form = Vec::new();
    if unassigned {
        form.push(("unassigned", "on"));
    }
    if after_hours {
        form.push(("after_hours", "on"));
    }
    let res = app.call(c, "save_alert_preferences", &form).await;
    assert!(res.status().is_success(), "{}", res.status());
}

/// Filed Tuesday 10:00 UTC (default hours Mon–Fri 09–17 UTC): at risk after 16:00
/// (a quarter of the day left), breached after Wednesday 10:00.
async fn an_assigned_ticket_alerts_its_assignee_once_at_risk_and_once_on_breach(engine: Engine) {
    let (app, smtp) = with_smtp(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let other = app.staff("other@example.com", Role::Agent).await;
    // The other agent wants alerts about unassigned tickets; this one is assigned.
    prefs(&app, &other, true, false).await;
    let id = ticket(&app, &dev, 503).await;
    let res = app
        .call(&agent, "claim_ticket", &[("id", &id.to_string())])
        .await;
    assert!(res.status().is_success());

    // Exactly at the at-risk instant a quarter is still left: nothing yet.
    assert_eq!(fire(&app, utc(2026, 11, 24, 16, 0, 0)).await, 0);
    assert_eq!(bell(&app, &agent).await["unread"], 0);
    // A second later it is at risk: one alert, to the assignee only.
    assert_eq!(fire(&app, utc(2026, 11, 24, 16, 0, 1)).await, 1);
    assert_eq!(alerts_of(&app.db, id).await, ["at_risk"]);
    let b = bell(&app, &agent).await;
    assert_eq!(b["unread"], 1, "{b}");
    let title = b["items"][0]["title"].as_str().unwrap().to_owned();
    assert_eq!(
        title,
        format!("At risk: ticket #{id} (GET /v1/orders/42 503)")
    );
    assert_eq!(b["items"][0]["report_id"], id);
    assert_eq!(bell(&app, &other).await["unread"], 0);
    // Polled again (and again later the same day): nothing more.
    assert_eq!(fire(&app, utc(2026, 11, 24, 16, 0, 30)).await, 0);
    assert_eq!(fire(&app, utc(2026, 11, 25, 9, 59, 59)).await, 0);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, ["agent@example.com"]);
    assert!(mails[0].data.contains(&title), "{}", mails[0].data);
    assert!(
        mails[0]
            .data
            .contains(&format!("https://desk.example.com/tickets/{id}")),
        "{}",
        mails[0].data
    );

    // Breached after Wednesday 10:00: the second and last alert.
    assert_eq!(fire(&app, utc(2026, 11, 25, 10, 0, 1)).await, 1);
    assert_eq!(fire(&app, utc(2026, 11, 25, 11, 0, 0)).await, 0);
    assert_eq!(alerts_of(&app.db, id).await, ["at_risk", "breach"]);
    let b = bell(&app, &agent).await;
    assert_eq!(b["unread"], 2);
    assert_eq!(
        b["items"][0]["title"],
        format!("Breached: ticket #{id} (GET /v1/orders/42 503)")
    );
    let mails = smtp.wait_for(2).await;
    assert!(
        mails[1].data.contains("Breached: ticket"),
        "{}",
        mails[1].data
    );
    // Mark one read, then all: the count follows.
    let first = b["items"][0]["id"].as_i64().unwrap().to_string();
    let res = app
        .call(&agent, "mark_notifications_read", &[("id", &first)])
        .await;
    assert!(res.status().is_success());
    assert_eq!(bell(&app, &agent).await["unread"], 1);
    // Someone else's notification cannot be marked by them.
    let res = app.call(&other, "mark_notifications_read", &[]).await;
    assert!(res.status().is_success());
    assert_eq!(bell(&app, &agent).await["unread"], 1);
    let res = app.call(&agent, "mark_notifications_read", &[]).await;
    assert!(res.status().is_success());
    assert_eq!(bell(&app, &agent).await["unread"], 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 2, "no mail twice");
    // Both boxes cleared (a form with no field at all) turns both preferences off; a
    // value that is neither on nor off is refused, naming its field, and changes nothing.
    let res = app
        .call(
            &other,
            "save_alert_preferences",
            &[("unassigned", "off"), ("after_hours", "sometimes")],
        )
        .await;
    common::expect_error(res, 422, Some("after_hours")).await;
    assert_eq!(bell(&app, &other).await["preferences"]["unassigned"], true);
    prefs(&app, &other, false, false).await;
    let p = bell(&app, &other).await["preferences"].clone();
    assert_eq!(
        p,
        serde_json::json!({"unassigned": false, "after_hours": false})
    );
}

async fn a_stopped_clock_never_alerts_and_unassigned_tickets_alert_who_opted_in(engine: Engine) {
    let (app, smtp) = with_smtp(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let watcher = app.staff("watcher@example.com", Role::Agent).await;
    let manager = app.staff("manager@example.com", Role::Manager).await;
    prefs(&app, &watcher, true, false).await;
    let answered = ticket(&app, &dev, 500).await;
    let noted = ticket(&app, &dev, 502).await;
    let resolved = ticket(&app, &dev, 504).await;
    let unassigned = ticket(&app, &dev, 501).await;
    // A public reply stops the clock; an internal note does not; resolving does.
    for (id, visibility) in [(answered, "public"), (noted, "internal")] {
        let res = app
            .call(
                &agent,
                "post_message",
                &[
                    ("id", &id.to_string()),
                    ("body", "Looking into it."),
                    ("visibility", visibility),
                ],
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let res = app
        .call(
            &agent,
            "change_status",
            &[("id", &resolved.to_string()), ("status", "resolved")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());

    // Past at risk and due: alerts for the two running clocks only.
    assert_eq!(fire(&app, utc(2026, 11, 25, 12, 0, 0)).await, 4);
    assert!(alerts_of(&app.db, answered).await.is_empty());
    assert!(alerts_of(&app.db, resolved).await.is_empty());
    assert_eq!(alerts_of(&app.db, noted).await, ["at_risk", "breach"]);
    assert_eq!(alerts_of(&app.db, unassigned).await, ["at_risk", "breach"]);
    // Unassigned: told to whoever opted in (the watcher), not the others.
    assert_eq!(bell(&app, &watcher).await["unread"], 4);
    assert_eq!(bell(&app, &agent).await["unread"], 0);
    assert_eq!(bell(&app, &manager).await["unread"], 0);
    let mails = smtp.wait_for(4).await;
    assert!(
        mails.iter().all(|m| m.to == ["watcher@example.com"]),
        "{mails:?}"
    );
    // A developer has no bell.
    let res = app.call(&dev, "my_notifications", &[]).await;
    assert_eq!(res.status(), 403);
}

async fn alerts_outside_business_hours_wait_for_the_opening_unless_opted_in(engine: Engine) {
    let (app, smtp) = with_smtp(engine).await;
    let dev = app.developer("dev@example.com").await;
    let day = app.staff("day@example.com", Role::Agent).await;
    let night = app.staff("night@example.com", Role::Agent).await;
    prefs(&app, &day, true, false).await;
    prefs(&app, &night, true, true).await;
    let id = ticket(&app, &dev, 503).await;
    // At risk at 16:00, but no instance ran until 20:00 (closed): recorded now,
    // delivered to the day agent at Wednesday's opening, to the night agent at once.
    assert_eq!(fire(&app, utc(2026, 11, 24, 20, 0, 0)).await, 1);
    assert_eq!(alerts_of(&app.db, id).await, ["at_risk"]);
    assert_eq!(bell(&app, &night).await["unread"], 1);
    assert_eq!(bell(&app, &day).await["unread"], 0);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, ["night@example.com"]);
    let held: i64 = app::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT locked_until FROM mail_outbox WHERE recipient = 'day@example.com'")
        .fetch_one(pool)
        .await)
    .expect("the day agent's mail waits in the outbox");
    assert_eq!(from_millis(held), utc(2026, 11, 25, 9, 0, 0));
    // At the opening the day agent's bell shows it and the mail goes out.
    app.clock.set(utc(2026, 11, 25, 9, 0, 1));
    assert_eq!(bell(&app, &day).await["unread"], 1);
    // The mail worker sends it on its next round (it polls every ten seconds).
    let mut got = smtp.received();
    for _ in 0..300 {
        if got.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        got = smtp.received();
    }
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].to, ["day@example.com"]);
    // An at-risk instant exactly at 17:00 noticed a minute later still counts as inside
    // business hours (checked in the domain tests); here, the breach at Wed 10:00 seen at
    // 10:00:05 goes to both at once.
    assert_eq!(fire(&app, utc(2026, 11, 25, 10, 0, 5)).await, 1);
    assert_eq!(bell(&app, &day).await["unread"], 2);
    assert_eq!(bell(&app, &night).await["unread"], 2);
    assert_eq!(alerts_of(&app.db, id).await, ["at_risk", "breach"]);
}

/// Several workers (two instances on PostgreSQL) poll at once, many times: every alert
/// is recorded once, told once, mailed once.
async fn racing_workers_record_each_alert_exactly_once(engine: Engine) {
    let (a, b, smtp) = instances_with_smtp(engine).await;
    let dev = a.developer("dev@example.com").await;
    let agent = a.staff("agent@example.com", Role::Agent).await;
    prefs(&a, &agent, true, false).await;
    let mut ids = Vec::new();
    for code in 500..530u16 {
        ids.push(ticket(&a, &dev, code).await);
    }
    a.clock.set(utc(2026, 11, 25, 12, 0, 0));
    let mut calls = Vec::new();
    for i in 0..8 {
        let state = match (&b, i % 2) {
            (Some(b), 1) => b.state.clone(),
            _ => a.state.clone(),
        };
        calls.push(tokio::spawn(async move {
            alerts::fire_due(&state).await.expect("fire")
        }));
    }
    let mut recorded = 0;
    for c in calls {
        recorded += c.await.expect("join");
    }
    let total = scalar(&a.db, "SELECT COUNT(*) FROM sla_alerts WHERE id > $1", 0).await;
    assert_eq!(total, 60);
    assert_eq!(recorded, 60, "each alert recorded by exactly one worker");
    let told = scalar(&a.db, "SELECT COUNT(*) FROM notifications WHERE id > $1", 0).await;
    assert_eq!(told, 60);
    assert_eq!(bell(&a, &agent).await["unread"], 60);
    let mails = smtp.wait_for(60).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 60, "{}", mails.len());
    let mut subjects: Vec<String> = smtp
        .received()
        .iter()
        .filter_map(|m| {
            m.data
                .lines()
                .find(|l| l.starts_with("Subject:"))
                .map(str::to_owned)
        })
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 60, "no mail twice");
    for id in ids {
        assert_eq!(alerts_of(&a.db, id).await, ["at_risk", "breach"]);
    }
}

async fn the_daily_digest_goes_out_once_at_opening(engine: Engine) {
    let (a, b, smtp) = instances_with_smtp(engine).await;
    let dev = a.developer("dev@example.com").await;
    a.staff("boss@example.com", Role::Manager).await;
    let t1 = ticket(&a, &dev, 503).await;
    let t2 = ticket(&a, &dev, 500).await;
    // Today's digest (nothing breached yet) is taken at the first poll: no mail.
    let tuesday = || "2026-11-24".to_owned();
    assert_eq!(digest(&a.state).await, Digest::Sent(tuesday()));
    assert_eq!(digest(&a.state).await, Digest::Taken(tuesday()));
    // Both breach on Wednesday at 10:00.
    assert_eq!(fire(&a, utc(2026, 11, 25, 10, 0, 1)).await, 4);
    // Closed on Wednesday evening: no digest. Thursday at opening, both instances try.
    a.clock.set(utc(2026, 11, 25, 20, 0, 0));
    assert_eq!(digest(&a.state).await, Digest::Closed);
    a.clock.set(utc(2026, 11, 26, 9, 0, 30));
    let other = b.as_ref().map_or(a.state.clone(), |b| b.state.clone());
    let (x, y) = tokio::join!(digest(&a.state), digest(&other));
    let thursday = "2026-11-26".to_owned();
    let mut outcomes = [x, y];
    outcomes.sort_by_key(|o| matches!(o, Digest::Taken(_)));
    assert_eq!(
        outcomes,
        [Digest::Sent(thursday.clone()), Digest::Taken(thursday)],
        "one instance sends it"
    );
    let mails = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(mails[0].to, ["boss@example.com"]);
    assert!(
        mails[0]
            .data
            .contains("2 SLA breaches since the last digest"),
        "{}",
        mails[0].data
    );
    for id in [t1, t2] {
        assert!(
            mails[0].data.contains(&format!("#{id} GET")),
            "{}",
            mails[0].data
        );
    }
}

/// Support in Berlin, Mon–Fri 09:00–17:00, Monday 26 October a holiday. Filed Friday
/// 23 October at 16:00 (CEST): one business hour that day; the weekend (clocks go back
/// on Sunday) and the holiday do not count; the clock resumes on Tuesday at 09:00 CET.
/// At risk after six business hours (Tuesday 14:00 CET = 13:00 UTC), due after eight
/// (16:00 CET = 15:00 UTC).
async fn alert_instants_skip_a_weekend_a_dst_change_and_a_holiday(engine: Engine) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(engine, utc(2026, 10, 23, 14, 0, 0), mail_settings(&smtp)).await;
    let manager = app.staff("manager@example.com", Role::Manager).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    prefs(&app, &agent, true, false).await;
    let mut form: Vec<(String, String)> = vec![("timezone".into(), "Europe/Berlin".into())];
    for i in 0..7 {
        let (o, c) = if i < 5 { ("09:00", "17:00") } else { ("", "") };
        form.push((format!("open[{i}]"), o.into()));
        form.push((format!("close[{i}]"), c.into()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.call(&manager, "save_calendar", &refs).await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .call(
            &manager,
            "add_holiday",
            &[("day", "2026-10-26"), ("name", "Staff day")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let dev = app.developer("dev@example.com").await;
    let id = app
        .file(
            &dev,
            &ReportForm::server_error().with("occurred_at", "2026-10-23T15:50"),
        )
        .await;
    assert_eq!(
        detail_due(&app, &dev, id).await,
        "2026-10-27T15:00:00Z",
        "due Tuesday 16:00 CET"
    );
    // Nothing over the weekend, across the DST change, or on the holiday.
    for at in [
        utc(2026, 10, 24, 12, 0, 0),
        utc(2026, 10, 25, 2, 30, 0),
        utc(2026, 10, 26, 12, 0, 0),
        utc(2026, 10, 27, 12, 59, 59),
    ] {
        assert_eq!(fire(&app, at).await, 0, "{at}");
    }
    // Exactly at the at-risk instant a quarter is still left; a second later it is not.
    assert_eq!(fire(&app, utc(2026, 10, 27, 13, 0, 0)).await, 0);
    assert_eq!(fire(&app, utc(2026, 10, 27, 13, 0, 1)).await, 1);
    assert_eq!(
        fire(&app, utc(2026, 10, 27, 15, 0, 0)).await,
        0,
        "due, not yet past"
    );
    assert_eq!(fire(&app, utc(2026, 10, 27, 15, 0, 1)).await, 1);
    assert_eq!(alerts_of(&app.db, id).await, ["at_risk", "breach"]);
    assert_eq!(bell(&app, &agent).await["unread"], 2);
}

async fn detail_due(app: &TestApp, c: &Client, id: i64) -> String {
    let r: Value = app
        .call_ok(c, "get_report", &[("id", &id.to_string())])
        .await;
    r["sla"]["due_at"].as_str().unwrap_or_default().to_owned()
}
