//! Who is looking at a ticket (PRODUCT §4), on SQLite and PostgreSQL (there across two
//! instances sharing the database): staff on a ticket page see each other and who is
//! replying, live through the event stream; a viewer who stops beating is gone after
//! 30 s; a public reply crossing another agent's is refused once with their name, and
//! posts when sent again.

mod common;

use app::domain::role::Role;
use chrono::Duration;
use common::{builders::ReportForm, expect_error, spawn_app, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;

on_both_engines!(
    staff_on_a_ticket_see_each_other_live_across_instances,
    a_reply_crossing_another_agents_is_refused_once,
);

async fn beat(app: &TestApp, c: &Client, id: i64, state: &str) -> Vec<(String, bool)> {
    let others: Value = app
        .call_ok(
            c,
            "ticket_presence",
            &[("id", &id.to_string()), ("state", state)],
        )
        .await;
    others
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["who"].as_str().unwrap().to_owned(),
                p["replying"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Reads the event stream until `needle` appears (within two seconds).
async fn hear(stream: &mut reqwest::Response, needle: &str) {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} within two seconds; got {seen:?}"))
            .unwrap()
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

async fn staff_on_a_ticket_see_each_other_live_across_instances(engine: Engine) {
    let a = spawn_app(engine).await;
    // On PostgreSQL the second agent works on another instance of the same database.
    let second = match engine {
        Engine::Postgres => Some(a.second_instance().await),
        Engine::Sqlite => None,
    };
    let b = second.as_ref().unwrap_or(&a);
    let dev = a.developer("dev@example.com").await;
    let ana = a.staff("ana@example.com", Role::Agent).await;
    let bob = a.staff("bob@example.com", Role::Agent).await;
    let res = a
        .call(&ana, "set_display_name", &[("display_name", "Ana")])
        .await;
    assert!(res.status().is_success());
    let id = a.file(&dev, &ReportForm::server_error()).await;

    let mut ana_events = ana
        .get(format!("{}/events/queue", a.base))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    assert_eq!(beat(&a, &ana, id, "viewing").await, []);
    // Bob opens the ticket on the other instance: he sees Ana; Ana hears of him.
    assert_eq!(
        beat(b, &bob, id, "viewing").await,
        [("Ana".to_owned(), false)]
    );
    hear(&mut ana_events, &format!("event: presence\ndata: {id}")).await;
    assert_eq!(
        beat(&a, &ana, id, "viewing").await,
        [("bob@example.com".to_owned(), false)]
    );
    // Bob starts typing a reply: Ana hears at once and sees "replying".
    assert_eq!(beat(b, &bob, id, "replying").await.len(), 1);
    hear(&mut ana_events, &format!("event: presence\ndata: {id}")).await;
    assert_eq!(
        beat(&a, &ana, id, "viewing").await,
        [("bob@example.com".to_owned(), true)]
    );
    // Bob leaves; then Ana's own beats stop for 30 s and she is gone for Bob.
    beat(b, &bob, id, "leaving").await;
    assert_eq!(beat(&a, &ana, id, "viewing").await, []);
    assert_eq!(
        beat(b, &bob, id, "viewing").await,
        [("Ana".to_owned(), false)]
    );
    a.clock.set(a.clock.now() + Duration::seconds(31));
    if let Some(s) = &second {
        s.clock.set(a.clock.now());
    }
    assert_eq!(beat(b, &bob, id, "viewing").await, []);

    // Checked like everything else.
    expect_error(
        a.call(
            &ana,
            "ticket_presence",
            &[("id", &id.to_string()), ("state", "lurking")],
        )
        .await,
        422,
        Some("state"),
    )
    .await;
    expect_error(
        a.call(
            &dev,
            "ticket_presence",
            &[("id", &id.to_string()), ("state", "viewing")],
        )
        .await,
        403,
        None,
    )
    .await;
}

async fn seen_by(app: &TestApp, c: &Client, ticket: &str) -> String {
    let t: Value = app.call_ok(c, "get_ticket", &[("id", ticket)]).await;
    t["last_message_id"].as_i64().unwrap().to_string()
}

async fn reply(
    app: &TestApp,
    c: &Client,
    ticket: &str,
    seen: &str,
    body: &str,
    visibility: &str,
) -> reqwest::Response {
    app.call(
        c,
        "post_message",
        &[
            ("id", ticket),
            ("body", body),
            ("visibility", visibility),
            ("then_status", ""),
            ("seen", seen),
        ],
    )
    .await
}

async fn a_reply_crossing_another_agents_is_refused_once(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let ana = app.staff("ana@example.com", Role::Agent).await;
    let bob = app.staff("bob@example.com", Role::Agent).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    let ticket = id.to_string();
    // Both open the ticket; Bob answers first.
    let ana_seen = seen_by(&app, &ana, &ticket).await;
    let bob_seen = seen_by(&app, &bob, &ticket).await;
    let res = reply(
        &app,
        &bob,
        &ticket,
        &bob_seen,
        "Bob here: we are on it.",
        "public",
    )
    .await;
    assert!(res.status().is_success());
    // Ana's reply, written before she saw Bob's, is refused once, naming him.
    let err = expect_error(
        reply(
            &app,
            &ana,
            &ticket,
            &ana_seen,
            "Ana here: looking into it.",
            "public",
        )
        .await,
        409,
        Some("confirm"),
    )
    .await;
    assert!(err.message.contains("bob@example.com"), "{}", err.message);
    // An internal note is nobody's answer: it goes through.
    let res = reply(
        &app,
        &ana,
        &ticket,
        &ana_seen,
        "Note: Bob took it.",
        "internal",
    )
    .await;
    assert!(res.status().is_success());
    // Having seen Bob's reply (the page reloads after the refusal), sending again posts.
    let ana_seen = seen_by(&app, &ana, &ticket).await;
    let res = reply(
        &app,
        &ana,
        &ticket,
        &ana_seen,
        "Ana here: looking into it.",
        "public",
    )
    .await;
    assert!(res.status().is_success());
    let report: Value = app.call_ok(&dev, "get_report", &[("id", &ticket)]).await;
    assert_eq!(report["messages"].as_array().unwrap().len(), 2);
}
