//! The SLA policy managers edit (PRODUCT §5): first-response targets per priority and
//! the at-risk threshold, kept as a history; new clocks take the policy in force, due
//! times already set never move; bad input names its field and stores nothing; on
//! PostgreSQL every instance files with the new policy at once.

mod common;

use app::{domain::role::Role, server::alerts};
use chrono::{DateTime, Utc};
use common::{builders::ReportForm, expect_error, spawn_app, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;

on_both_engines!(
    a_new_policy_applies_to_clocks_started_afterwards,
    bad_policies_name_the_field_and_change_nothing,
);

async fn detail(app: &TestApp, c: &Client, id: i64) -> Value {
    app.call_ok(c, "get_report", &[("id", &id.to_string())])
        .await
}

async fn save(app: &TestApp, c: &Client, normal: &str, low: &str, pct: &str) -> reqwest::Response {
    app.call(
        c,
        "save_sla_policy",
        &[
            ("first_response_normal", normal),
            ("first_response_low", low),
            ("at_risk_percent", pct),
        ],
    )
    .await
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn at_risk_of(app: &TestApp, id: i64) -> i64 {
    app::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT at_risk_at FROM reports WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await)
    .expect("at_risk_at")
}

/// Tuesday 10:00 UTC, hours Mon–Fri 09–17 UTC.
async fn a_new_policy_applies_to_clocks_started_afterwards(engine: Engine) {
    let app = spawn_app(engine).await;
    // On PostgreSQL a second instance files the later reports: it must hear the change.
    let other = if engine == Engine::Postgres {
        Some(app.second_instance().await)
    } else {
        None
    };
    let filer = other.as_ref().unwrap_or(&app);
    let dev = app.developer("dev@example.com").await;
    let manager = app.staff("manager@example.com", Role::Manager).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let before = filer.file(&dev, &ReportForm::server_error()).await;
    assert_eq!(
        detail(&app, &dev, before).await["sla"]["due_at"],
        "2026-11-25T10:00:00Z"
    );

    let res = save(&app, &manager, "4h", "1d 4h", "50").await;
    assert!(res.status().is_success(), "{}", res.status());
    let p: Value = app.call_ok(&manager, "get_sla_policy", &[]).await;
    assert_eq!(p["normal_minutes"], 240);
    assert_eq!(p["low_minutes"], 720);
    assert_eq!(p["history"][0]["normal"], "4h");
    assert_eq!(p["history"][0]["low"], "1d 4h");
    assert_eq!(p["history"][0]["at_risk_percent"], 50);
    assert_eq!(p["history"][0]["by"], "manager@example.com");
    assert_eq!(p["history"][1]["normal"], "1d");
    assert_eq!(p["history"][1]["by"], "default");

    // Filed now: due after four business hours, at risk after two (half left).
    let after = filer
        .file(
            &dev,
            &ReportForm::server_error().with("endpoint", "/v1/invoices"),
        )
        .await;
    let r = detail(&app, &dev, after).await;
    assert_eq!(r["sla"]["due_at"], "2026-11-24T14:00:00Z", "{r}");
    assert_eq!(
        at_risk_of(&app, after).await,
        utc("2026-11-24T12:00:00Z").timestamp_millis()
    );
    // The ticket filed before keeps its due time and at-risk instant.
    assert_eq!(
        detail(&app, &dev, before).await["sla"]["due_at"],
        "2026-11-25T10:00:00Z"
    );
    assert_eq!(
        at_risk_of(&app, before).await,
        utc("2026-11-24T16:00:00Z").timestamp_millis()
    );
    // The queue shows the new ticket at risk after 12:00, and the alert follows it.
    app.clock.set(utc("2026-11-24T12:00:01Z"));
    let q: Value = app
        .call_ok(&agent, "queue", &[("query[at_risk]", "1")])
        .await;
    let ids: Vec<i64> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [after], "{q}");
    assert_eq!(alerts::fire_due(&app.state).await.expect("alerts"), 1);

    // Low priority (an escalated client error): one business day and four hours.
    let deflected = filer.file(&dev, &ReportForm::client_error()).await;
    let res = app
        .call(
            &dev,
            "report_feedback",
            &[
                ("id", &deflected.to_string()),
                ("outcome", "still_failing"),
                ("changed", "Refreshed the token, still 401"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    // From 12:00:01 Tuesday: 5 h to Tuesday's close, 7 h on Wednesday.
    assert_eq!(
        detail(&app, &dev, deflected).await["sla"]["due_at"],
        "2026-11-25T16:00:01Z"
    );
}

async fn bad_policies_name_the_field_and_change_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let manager = app.staff("manager@example.com", Role::Manager).await;
    for (normal, low, pct, field) in [
        ("8 hours", "2d", "25", "first_response_normal"),
        ("0m", "2d", "25", "first_response_normal"),
        ("1d", "61d", "25", "first_response_low"),
        ("1d", "2d", "100", "at_risk_percent"),
        ("1d", "2d", "", "at_risk_percent"),
    ] {
        let res = save(&app, &manager, normal, low, pct).await;
        expect_error(res, 422, Some(field)).await;
    }
    let p: Value = app.call_ok(&manager, "get_sla_policy", &[]).await;
    assert_eq!(p["history"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["normal_minutes"], 480);
    // Agents may not change it.
    let agent = app.staff("agent@example.com", Role::Agent).await;
    expect_error(save(&app, &agent, "1h", "2h", "25").await, 403, None).await;
}
