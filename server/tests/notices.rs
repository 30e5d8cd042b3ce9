//! Maintenance notices over HTTP: the 24-hour rule (exactly 24 hours is allowed), edits,
//! ending and cancelling with history, the banner, reports inside a window (no SLA
//! clock unless unrelated), and announcement email through a real SMTP listener.

mod common;

use app::domain::role::Role;
use chrono::Duration;
use common::{
    builders::ReportForm, expect_error, smtp::SmtpServer, spawn_app, spawn_app_with, tuesday_10am,
    Engine, TestApp,
};
use reqwest::Client;
use serde_json::Value;

/// Form pairs for a notice in UTC.
fn notice(
    title: &str,
    start: &str,
    end: &str,
    endpoints: &str,
    emergency: bool,
) -> Vec<(String, String)> {
    let mut v = vec![
        ("notice[title]".to_owned(), title.to_owned()),
        (
            "notice[details]".to_owned(),
            "Database upgrade; writes may fail.".to_owned(),
        ),
        ("notice[starts_at]".to_owned(), start.to_owned()),
        ("notice[ends_at]".to_owned(), end.to_owned()),
        ("notice[timezone]".to_owned(), "UTC".to_owned()),
        ("notice[endpoints]".to_owned(), endpoints.to_owned()),
    ];
    if emergency {
        v.push(("notice[emergency]".to_owned(), "on".to_owned()));
    }
    v
}

async fn send(
    app: &TestApp,
    c: &Client,
    name: &str,
    pairs: &[(String, String)],
) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.call(c, name, &refs).await
}

async fn the_24_hour_rule_and_its_boundary(engine: Engine) {
    let app = spawn_app(engine).await; // Tuesday 2026-11-24 10:00 UTC
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let early = notice(
        "DB upgrade",
        "2026-11-25T09:59",
        "2026-11-25T12:00",
        "/v1/orders",
        false,
    );
    let err = expect_error(
        send(&app, &agent, "publish_notice", &early).await,
        422,
        Some("starts_at"),
    )
    .await;
    assert!(err.message.contains("24 hours"), "{}", err.message);
    let exactly = notice(
        "DB upgrade",
        "2026-11-25T10:00",
        "2026-11-25T12:00",
        "/v1/orders",
        false,
    );
    let res = send(&app, &agent, "publish_notice", &exactly).await;
    assert!(
        res.status().is_success(),
        "exactly 24 h is allowed: {}",
        res.text().await.unwrap()
    );
    let emergency = notice("Hotfix", "2026-11-24T10:30", "2026-11-24T11:00", "", true);
    assert!(send(&app, &agent, "publish_notice", &emergency)
        .await
        .status()
        .is_success());
    // Bad input names the field.
    expect_error(
        send(
            &app,
            &agent,
            "publish_notice",
            &notice("", "2026-12-01T10:00", "2026-12-01T11:00", "", false),
        )
        .await,
        422,
        Some("title"),
    )
    .await;
    expect_error(
        send(
            &app,
            &agent,
            "publish_notice",
            &notice("x", "2026-12-01T10:00", "2026-12-01T09:00", "", false),
        )
        .await,
        422,
        Some("ends_at"),
    )
    .await;
    expect_error(
        send(
            &app,
            &agent,
            "publish_notice",
            &notice("x", "2026-12-01T10:00", "2026-12-01T11:00", "orders", false),
        )
        .await,
        422,
        Some("endpoints"),
    )
    .await;
    // Developers may not publish.
    let dev = app.developer("dev@example.com").await;
    expect_error(
        send(&app, &dev, "publish_notice", &exactly).await,
        403,
        None,
    )
    .await;

    // The banner shows both, emergency marked, in the viewer's timezone (Berlin).
    let current: Vec<Value> = app.call_ok(&dev, "current_notices", &[]).await;
    assert_eq!(current.len(), 2);
    assert_eq!(current[0]["title"], "Hotfix");
    assert_eq!(current[0]["emergency"], true);
    assert_eq!(current[0]["state"], "upcoming", "starts at 10:30");
    assert_eq!(current[1]["starts_local"], "Wed 25 Nov 2026, 11:00 CET");
    let visitor: Vec<Value> = app.call_ok(&common::client(), "current_notices", &[]).await;
    assert_eq!(visitor[1]["starts_local"], "Wed 25 Nov 2026, 10:00 UTC");
}

async fn edits_end_and_cancel_are_kept(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let planned = notice(
        "DB upgrade",
        "2026-11-26T10:00",
        "2026-11-26T12:00",
        "/v1/orders",
        false,
    );
    let id: i64 = {
        let refs: Vec<(&str, &str)> = planned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        app.call_ok(&agent, "publish_notice", &refs).await
    };
    let edit = |pairs: Vec<(String, String)>| {
        let mut p = vec![("id".to_owned(), id.to_string())];
        p.extend(pairs);
        p
    };
    // A day later (Wed 10:00), the start is 24 h away: renaming is fine, moving it
    // closer needs emergency.
    app.clock.set(tuesday_10am() + Duration::hours(24));
    let renamed = edit(notice(
        "DB upgrade (v2)",
        "2026-11-26T10:00",
        "2026-11-26T12:00",
        "/v1/orders",
        false,
    ));
    assert!(send(&app, &agent, "edit_notice", &renamed)
        .await
        .status()
        .is_success());
    let closer = edit(notice(
        "DB upgrade (v2)",
        "2026-11-26T08:00",
        "2026-11-26T12:00",
        "/v1/orders",
        false,
    ));
    expect_error(
        send(&app, &agent, "edit_notice", &closer).await,
        422,
        Some("starts_at"),
    )
    .await;
    let later = edit(notice(
        "DB upgrade (v2)",
        "2026-11-27T10:00",
        "2026-11-27T12:00",
        "/v1/orders",
        false,
    ));
    assert!(send(&app, &agent, "edit_notice", &later)
        .await
        .status()
        .is_success());
    // Ending early needs it to be active; cancelling works until it ends.
    expect_error(
        app.call(&agent, "end_notice", &[("id", &id.to_string())])
            .await,
        409,
        None,
    )
    .await;
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 11, 0, 0).unwrap());
    assert!(app
        .call(&agent, "end_notice", &[("id", &id.to_string())])
        .await
        .status()
        .is_success());
    expect_error(
        app.call(&agent, "cancel_notice", &[("id", &id.to_string())])
            .await,
        409,
        None,
    )
    .await;

    let all: Value = app.call_ok(&agent, "all_notices", &[]).await;
    let n = &all["notices"][0];
    assert_eq!(n["state"], "ended");
    assert_eq!(
        n["ends_local"], "Fri 27 Nov 2026, 12:00 CET",
        "ended at 11:00 UTC"
    );
    let kinds: Vec<&str> = n["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["published", "edited", "edited", "ended_early"]);
    assert!(n["history"][1]["detail"]
        .as_str()
        .unwrap()
        .contains("title “DB upgrade” → “DB upgrade (v2)”"));

    // A second notice, cancelled before it starts, leaves the banner.
    let other = notice("Network", "2026-12-10T10:00", "2026-12-10T11:00", "", false);
    let other_id: i64 = {
        let refs: Vec<(&str, &str)> = other
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        app.call_ok(&agent, "publish_notice", &refs).await
    };
    assert!(app
        .call(&agent, "cancel_notice", &[("id", &other_id.to_string())])
        .await
        .status()
        .is_success());
    let current: Vec<Value> = app.call_ok(&agent, "current_notices", &[]).await;
    assert!(current.is_empty(), "{current:?}");
}

async fn failures_inside_a_window_start_no_clock_unless_unrelated(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let dev = app.developer("dev@example.com").await;
    let emergency = notice(
        "Orders DB failover",
        "2026-11-24T09:30",
        "2026-11-24T11:00",
        "/v1/orders",
        true,
    );
    assert!(send(&app, &agent, "publish_notice", &emergency)
        .await
        .status()
        .is_success());

    // 10:55 Berlin = 09:55 UTC, inside the window, on /v1/orders/42.
    let inside = app.file(&dev, &ReportForm::server_error()).await;
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &inside.to_string())])
        .await;
    assert_eq!(r["summary"]["disposition"], "maintenance");
    assert_eq!(r["notice"]["title"], "Orders DB failover");
    assert_eq!(r["notice"]["emergency"], true);
    assert!(r["sla"].is_null(), "no SLA clock");
    assert_eq!(r["can_state_unrelated"], true);
    let queue: Value = app.call_ok(&agent, "queue", &[("query[status]", "")]).await;
    assert_eq!(
        queue["items"].as_array().unwrap().len(),
        0,
        "nothing in the queue"
    );

    // Other endpoints, and times outside the window, are routed normally.
    let payments = app
        .file(
            &dev,
            &ReportForm::server_error().with("endpoint", "/v1/payments"),
        )
        .await;
    let p: Value = app
        .call_ok(&dev, "get_report", &[("id", &payments.to_string())])
        .await;
    assert_eq!(p["summary"]["disposition"], "routed");
    let before = app
        .file(
            &dev,
            &ReportForm::server_error().with("occurred_at", "2026-11-24T10:15"),
        )
        .await;
    let b: Value = app
        .call_ok(&dev, "get_report", &[("id", &before.to_string())])
        .await;
    assert_eq!(
        b["summary"]["disposition"], "routed",
        "09:15 UTC is before the window"
    );

    // "Unrelated" needs a reason; with one, the report is routed and its clock starts now.
    expect_error(
        app.call(
            &dev,
            "state_unrelated",
            &[("id", &inside.to_string()), ("statement", "no")],
        )
        .await,
        422,
        Some("statement"),
    )
    .await;
    app.clock.set(tuesday_10am() + Duration::hours(1));
    let ok = app
        .call(
            &dev,
            "state_unrelated",
            &[
                ("id", &inside.to_string()),
                (
                    "statement",
                    "We call the read replica, which was not in the failover.",
                ),
            ],
        )
        .await;
    assert!(ok.status().is_success());
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &inside.to_string())])
        .await;
    assert_eq!(r["summary"]["disposition"], "routed");
    assert_eq!(
        r["sla"]["due_at"], "2026-11-25T11:00:00Z",
        "8 business hours from 11:00 UTC"
    );
    assert!(r["unrelated_statement"]
        .as_str()
        .unwrap()
        .contains("read replica"));
    assert_eq!(r["can_state_unrelated"], false);
    let history: Vec<&str> = r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["filed", "unrelated"]);
    expect_error(
        app.call(
            &dev,
            "state_unrelated",
            &[
                ("id", &inside.to_string()),
                ("statement", "again and again"),
            ],
        )
        .await,
        409,
        None,
    )
    .await;
}

async fn publishing_can_email_every_developer(engine: Engine) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url.clone();
    let app = spawn_app_with(engine, tuesday_10am(), move |s| s.smtp_url = Some(url)).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    app.developer("one@example.com").await;
    app.developer("two@example.com").await;
    let mut form = notice(
        "Search reindex",
        "2026-11-26T02:00",
        "2026-11-26T03:00",
        "/v1/search",
        false,
    );
    form.push(("notice[email]".to_owned(), "on".to_owned()));
    assert!(send(&app, &agent, "publish_notice", &form)
        .await
        .status()
        .is_success());
    let got = smtp.wait_for(2).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        ["one@example.com", "two@example.com"],
        "developers only, not staff"
    );
    let first = &got[0].data;
    assert!(
        first.contains("Subject: [Planned maintenance] Search reindex"),
        "{first}"
    );
    assert!(
        first.contains("Thu 26 Nov 2026, 03:00 CET"),
        "in the developer's timezone: {first}"
    );
    // The sender marks a message sent once the SMTP server has accepted it, which can be
    // a moment after the listener above has seen it: wait for both marks.
    let mut sent = 0;
    for _ in 0..100 {
        sent = app::on_db!(&app.db, pool => {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL").fetch_one(pool).await.unwrap();
            n
        });
        if sent == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sent, 2, "both messages marked sent in the outbox");
}

async fn email_needs_smtp_configured(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let mut form = notice(
        "Search reindex",
        "2026-11-26T02:00",
        "2026-11-26T03:00",
        "",
        false,
    );
    form.push(("notice[email]".to_owned(), "on".to_owned()));
    expect_error(
        send(&app, &agent, "publish_notice", &form).await,
        422,
        Some("email"),
    )
    .await;
    let all: Value = app.call_ok(&agent, "all_notices", &[]).await;
    assert!(
        all["notices"].as_array().unwrap().is_empty(),
        "nothing stored half-way"
    );
}

/// Refused by the 24-hour rule without JavaScript, the publish form comes back with
/// everything typed (and the rule's message under the start), once.
async fn a_refused_notice_comes_back_filled_in_without_js(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let form = notice(
        "Payments maintenance",
        "2026-11-24T14:00",
        "2026-11-24T15:00",
        "/v1/payments\n/v1/refunds",
        false,
    );
    let url = app
        .refused_without_js(&agent, "publish_notice", "/notices", &form)
        .await;
    let html = agent.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("24 hours"), "the rule is explained");
    assert!(
        html.contains("value=\"Payments maintenance\""),
        "title kept"
    );
    assert!(html.contains("value=\"2026-11-24T14:00\""), "start kept");
    assert!(html.contains("value=\"2026-11-24T15:00\""), "end kept");
    assert!(
        html.contains("/v1/payments\n/v1/refunds</textarea>"),
        "endpoints kept"
    );
    assert!(
        html.contains("Database upgrade; writes may fail.</textarea>"),
        "details kept"
    );
    let again = agent.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("Payments maintenance"), "taken once");

    // A published notice's details fill its edit form's textarea: escaped, never raw.
    let mut hostile = notice(
        "Search reindex",
        "2026-11-26T02:00",
        "2026-11-26T03:00",
        "",
        false,
    );
    hostile[1].1 = "Reindex </textarea><script>alert(1)</script> done".to_owned();
    assert!(send(&app, &agent, "publish_notice", &hostile)
        .await
        .status()
        .is_success());
    let page = app.get(&agent, "/notices").await.text().await.unwrap();
    assert!(
        !page.contains("<script>alert(1)"),
        "details broke out of the textarea"
    );
    assert!(page.contains("Reindex &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; done"));
}

on_both_engines!(
    a_refused_notice_comes_back_filled_in_without_js,
    the_24_hour_rule_and_its_boundary,
    edits_end_and_cancel_are_kept,
    failures_inside_a_window_start_no_clock_unless_unrelated,
    publishing_can_email_every_developer,
    email_needs_smtp_configured,
);
