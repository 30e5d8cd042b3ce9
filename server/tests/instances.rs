//! Several stateless instances on one PostgreSQL database: what one instance changes,
//! the others' in-memory copies (calendar, guidance, notices, accounts, sessions) drop
//! at once, through `LISTEN/NOTIFY`.

mod common;

use app::domain::role::Role;
use common::{builders::ReportForm, spawn_app, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;
use std::time::Duration;

async fn due_of(app: &TestApp, dev: &Client, form: &ReportForm) -> String {
    let id = app.file(dev, form).await;
    let r: Value = app
        .call_ok(dev, "get_report", &[("id", &id.to_string())])
        .await;
    r["sla"]["due_at"].as_str().unwrap_or_default().to_owned()
}

/// A calendar change made on instance A reaches the filings on instance B, and a
/// session ended on A is ended on B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_hears_calendar_and_session_changes() {
    let a = spawn_app(Engine::Postgres).await;
    let b = a.second_instance().await;
    let manager = a.staff("manager@example.com", Role::Manager).await;
    // The developer signs up on B; their cookie works on both instances.
    let dev = b.developer("dev@example.com").await;
    let form = ReportForm::server_error();
    // Tuesday 10:00 UTC, default hours Mon–Fri 09–17 UTC: due Wednesday 10:00 UTC.
    // B reads (and caches) the calendar.
    assert_eq!(due_of(&b, &dev, &form).await, "2026-11-25T10:00:00Z");

    let mut cal: Vec<(String, String)> = vec![("timezone".into(), "America/New_York".into())];
    for i in 0..7 {
        let (o, c) = if i < 5 { ("09:00", "17:00") } else { ("", "") };
        cal.push((format!("open[{i}]"), o.into()));
        cal.push((format!("close[{i}]"), c.into()));
    }
    let refs: Vec<(&str, &str)> = cal.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = a.call(&manager, "save_calendar", &refs).await;
    assert!(res.status().is_success(), "{}", res.status());

    // Support now works in New York: filed Tuesday 05:00 there, the clock starts at
    // 09:00 and runs a full business day, to 17:00 (22:00 UTC).
    let mut due = String::new();
    for _ in 0..50 {
        due = due_of(&b, &dev, &form).await;
        if due != "2026-11-25T10:00:00Z" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(due, "2026-11-24T22:00:00Z", "B filed with A's new calendar");

    // B knows the developer (and caches who they are); signing out on A ends the
    // session on B too (the browser would drop the cookie; a thief would not).
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(common::same_site_headers())
        .build()
        .unwrap();
    let login = plain
        .post(format!("{}/api/login", a.base))
        .header("accept", "application/json")
        .form(&[
            ("email", "dev@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let whoami_on_b = || async {
        let res = plain
            .post(format!("{}/api/whoami", b.base))
            .header("accept", "application/json")
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()
    };
    assert_eq!(whoami_on_b().await["email"], "dev@example.com");
    let out = plain
        .post(format!("{}/api/logout", a.base))
        .header("accept", "application/json")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success() || out.status().is_redirection());
    let mut signed_out = false;
    for _ in 0..50 {
        if whoami_on_b().await.is_null() {
            signed_out = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(signed_out, "the session ended on A is gone on B");
}

/// The ids of `created` events read from an event stream until `want` arrived, then
/// for `settle` more (so a second copy of one would show).
async fn created_ids(stream: &mut reqwest::Response, want: usize, settle: Duration) -> Vec<i64> {
    let mut text = String::new();
    let parse = |text: &str| -> Vec<i64> {
        let mut ids = Vec::new();
        for event in text.split("\n\n") {
            if !event.lines().any(|l| l == "event: created") {
                continue;
            }
            for line in event.lines() {
                if let Some(data) = line.strip_prefix("data: ") {
                    ids.extend(data.split(',').filter_map(|id| id.parse::<i64>().ok()));
                }
            }
        }
        ids
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut until = deadline;
    loop {
        match tokio::time::timeout_at(until, stream.chunk()).await {
            Ok(chunk) => text.push_str(&String::from_utf8_lossy(
                &chunk.expect("stream").expect("stream open"),
            )),
            Err(_) => break,
        }
        // Only whole events count.
        let whole = &text[..text.rfind("\n\n").map_or(0, |i| i + 2)];
        if until == deadline && parse(whole).len() >= want {
            until = tokio::time::Instant::now() + settle;
        }
    }
    let whole = &text[..text.rfind("\n\n").map_or(0, |i| i + 2)];
    parse(whole)
}

/// Live changes reach every instance's viewers once each: the filing instance's at
/// commit, the others' through the relay, which gathers the changes of many filings
/// (each its own transaction) into a few `NOTIFY`s sent after their commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_changes_reach_every_instance_once_gathered_after_commit() {
    let a = spawn_app(Engine::Postgres).await;
    let b = a.second_instance().await;
    let dev = a.developer("dev@example.com").await;
    let agent = a.staff("agent@example.com", Role::Agent).await;
    let mut listener = sqlx::postgres::PgListener::connect(&a.database_url)
        .await
        .expect("listener");
    listener
        .listen(app::server::events::CHANNEL)
        .await
        .expect("LISTEN");
    let mut on_a = agent
        .get(format!("{}/events/queue", a.base))
        .send()
        .await
        .expect("stream on A");
    let mut on_b = agent
        .get(format!("{}/events/queue", b.base))
        .send()
        .await
        .expect("stream on B");
    assert_eq!((on_a.status().as_u16(), on_b.status().as_u16()), (200, 200));
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Forty filings one after another: forty transactions.
    let started = std::time::Instant::now();
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(a.file(&dev, &ReportForm::server_error()).await);
    }
    let took = started.elapsed();

    let mut relayed = Vec::new();
    let mut notifications = 0u128;
    while relayed.len() < ids.len() {
        let n = tokio::time::timeout(Duration::from_secs(3), listener.recv())
            .await
            .unwrap_or_else(|_| panic!("relayed {} of {} within 3 s", relayed.len(), ids.len()))
            .expect("notification");
        let v: Value = serde_json::from_str(n.payload()).expect("JSON payload");
        assert!(v["origin"].is_u64(), "the sender names itself: {v}");
        if v["kind"] == "created" {
            notifications += 1;
            relayed.extend(
                v["report_ids"]
                    .as_array()
                    .expect("ids")
                    .iter()
                    .map(|id| id.as_i64().expect("id")),
            );
        }
    }
    relayed.sort_unstable();
    assert_eq!(relayed, ids, "every filing relayed once");
    // One NOTIFY per gathering pause at most: a NOTIFY inside each filing's transaction
    // would make forty, more than the pauses in the time forty filings take here.
    let pauses = took.as_millis() / app::server::events::RELAY_GATHER.as_millis() + 2;
    assert!(
        notifications <= pauses,
        "{notifications} NOTIFYs for 40 filings over {took:?}"
    );

    for (name, stream) in [("A", &mut on_a), ("B", &mut on_b)] {
        let mut heard = created_ids(stream, ids.len(), Duration::from_millis(400)).await;
        heard.sort_unstable();
        assert_eq!(heard, ids, "viewers on {name} hear each new ticket once");
    }
}
