//! Incidents over HTTP: grouping by method, endpoint template and status code within the
//! window, one queue row per incident, one reply answering every report (each clock
//! stopped, met or breached on its own), resolving, moving out, merging, and exactly one
//! incident when 200 reports of the same failure arrive at once.

mod common;

use app::domain::role::Role;
use chrono::Duration;
use common::{builders::ReportForm, expect_error, spawn_app, tuesday_10am, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;

async fn incident_of(app: &TestApp, report: i64) -> Option<i64> {
    app::on_db!(&app.db, pool => {
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT incident_id FROM reports WHERE id = $1")
            .bind(report).fetch_one(pool).await.unwrap();
        id
    })
}

async fn count_incidents(app: &TestApp) -> i64 {
    app::on_db!(&app.db, pool => {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM incidents").fetch_one(pool).await.unwrap();
        n
    })
}

async fn queue(app: &TestApp, agent: &Client) -> Value {
    app.call_ok(agent, "queue", &[("query[status]", "")]).await
}

/// The incident's lead, report count and members (reports hidden behind the lead).
async fn incident_shape(app: &TestApp, incident: i64) -> (Option<i64>, i64, i64) {
    app::on_db!(&app.db, pool => {
        sqlx::query_as("SELECT i.lead_report_id, i.report_count, (SELECT COUNT(*) FROM reports r \
            WHERE r.incident_id = i.id AND r.incident_member) FROM incidents i WHERE i.id = $1")
            .bind(incident).fetch_one(pool).await.unwrap()
    })
}

/// The queue holds one row, report `lead`, for its incident of `count` reports.
async fn assert_queue_shows_only(app: &TestApp, agent: &Client, lead: i64, count: i64) {
    let q = queue(app, agent).await;
    let items = q["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{q}");
    assert_eq!(items[0]["id"], lead);
    assert_eq!(items[0]["incident"]["report_count"], count);
}

async fn reports_of_one_failure_join_one_incident(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let alice = app.developer("alice@example.com").await;
    let bob = app.developer("bob@example.com").await;
    let a = app
        .file(
            &alice,
            &ReportForm::server_error().with("endpoint", "/v1/orders/123"),
        )
        .await;
    app.clock.set(tuesday_10am() + Duration::minutes(10));
    let b = app
        .file(
            &bob,
            &ReportForm::server_error().with("endpoint", "/v1/orders/456"),
        )
        .await;
    // Same template, another code or method: a different incident.
    let c = app
        .file(
            &bob,
            &ReportForm::server_error()
                .with("endpoint", "/v1/orders/9")
                .with("status", "502"),
        )
        .await;
    let d = app
        .file(
            &bob,
            &ReportForm::server_error()
                .with("endpoint", "/v1/orders/9")
                .with("method", "DELETE"),
        )
        .await;
    let inc = incident_of(&app, a).await.unwrap();
    assert_eq!(
        incident_of(&app, b).await,
        Some(inc),
        "ids normalised: /v1/orders/{{id}}"
    );
    assert_ne!(incident_of(&app, c).await, Some(inc));
    assert_ne!(incident_of(&app, d).await, Some(inc));
    // Client errors never form incidents.
    let e = app.file(&bob, &ReportForm::client_error()).await;
    assert_eq!(incident_of(&app, e).await, None);

    // The queue shows the incident once: its most urgent report, with the count.
    let q = queue(&app, &agent).await;
    let rows: Vec<&Value> = q["items"].as_array().unwrap().iter().collect();
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [a, c, d], "b is shown through the incident");
    assert_eq!(rows[0]["incident"]["id"], inc);
    assert_eq!(rows[0]["incident"]["report_count"], 2);
    assert_eq!(
        rows[0]["incident"]["first_local"],
        "Tue 24 Nov 2026, 11:00 CET"
    );
    assert_eq!(
        rows[0]["incident"]["last_local"],
        "Tue 24 Nov 2026, 11:10 CET"
    );
    assert!(
        rows[1]["incident"].is_null(),
        "a one-report incident is an ordinary row"
    );

    // Bob filed into an open incident: he is told it is known.
    let r: Value = app
        .call_ok(&bob, "get_report", &[("id", &b.to_string())])
        .await;
    assert_eq!(r["incident"]["report_count"], 2);
    assert_eq!(r["incident"]["following"], false);
    assert!(app
        .call(&bob, "follow_incident", &[("report", &b.to_string())])
        .await
        .status()
        .is_success());
    let r: Value = app
        .call_ok(&bob, "get_report", &[("id", &b.to_string())])
        .await;
    assert_eq!(r["incident"]["following"], true);
    expect_error(
        app.call(&alice, "follow_incident", &[("report", &b.to_string())])
            .await,
        404,
        None,
    )
    .await;

    // 31 minutes after the last report, the same failure starts a new incident.
    app.clock.set(tuesday_10am() + Duration::minutes(41));
    let late = app
        .file(
            &alice,
            &ReportForm::server_error().with("endpoint", "/v1/orders/777"),
        )
        .await;
    let late_inc = incident_of(&app, late).await.unwrap();
    assert_ne!(late_inc, inc);
    // 30 minutes exactly still joins.
    app.clock.set(tuesday_10am() + Duration::minutes(71));
    let edge = app
        .file(
            &bob,
            &ReportForm::server_error().with("endpoint", "/v1/orders/778"),
        )
        .await;
    assert_eq!(incident_of(&app, edge).await, Some(late_inc));
}

async fn one_reply_answers_every_report_and_resolving_resolves_them_all(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let devs = [
        app.developer("one@example.com").await,
        app.developer("two@example.com").await,
        app.developer("three@example.com").await,
    ];
    // Filed Tue 10:00, 10:00 and Wed 09:00 (UTC): due Wed 10:00, Wed 10:00, Thu 09:00.
    let mut ids = vec![];
    for (i, dev) in devs.iter().enumerate() {
        if i == 2 {
            app.clock.set(tuesday_10am() + Duration::hours(23));
        }
        ids.push(
            app.file(
                dev,
                &ReportForm::server_error().with("occurred_at", "2026-11-24T10:55"),
            )
            .await,
        );
    }
    // The third comes 23 h later, past the window, so it starts its own incident;
    // merge it in.
    let first = incident_of(&app, ids[0]).await.unwrap();
    let third = incident_of(&app, ids[2]).await.unwrap();
    assert_ne!(first, third);
    expect_error(
        app.call(
            &agent,
            "merge_incident",
            &[("id", &third.to_string()), ("into", &third.to_string())],
        )
        .await,
        409,
        Some("into"),
    )
    .await;
    let merged = app
        .call(
            &agent,
            "merge_incident",
            &[("id", &third.to_string()), ("into", &first.to_string())],
        )
        .await;
    assert!(merged.status().is_success());
    let inc: Value = app
        .call_ok(&agent, "get_incident", &[("id", &first.to_string())])
        .await;
    assert_eq!(inc["report_count"], 3);
    let gone: Value = app
        .call_ok(&agent, "get_incident", &[("id", &third.to_string())])
        .await;
    assert_eq!(gone["status"], "merged");
    assert_eq!(gone["merged_into"], first);

    // Wed 10:30 UTC: one public update. The first two are late (breached), the third is met.
    app.clock
        .set(tuesday_10am() + Duration::hours(24) + Duration::minutes(30));
    let n: usize = app
        .call_ok(
            &agent,
            "reply_incident",
            &[
                ("id", &first.to_string()),
                ("body", "Root cause found; fix is rolling out."),
            ],
        )
        .await;
    assert_eq!(n, 3);
    let states: Vec<String> = {
        let mut v = vec![];
        for (dev, id) in devs.iter().zip(&ids) {
            let r: Value = app
                .call_ok(dev, "get_report", &[("id", &id.to_string())])
                .await;
            assert_eq!(
                r["messages"][0]["body"],
                "Root cause found; fix is rolling out."
            );
            assert_eq!(
                r["incident"]["latest_update"],
                "Root cause found; fix is rolling out."
            );
            v.push(r["sla"]["state"].as_str().unwrap().to_owned());
        }
        v
    };
    assert_eq!(
        states,
        [
            "Answered late (breached)",
            "Answered late (breached)",
            "Met"
        ]
    );

    // Move the second out: it becomes a ticket of its own.
    let out = app
        .call(
            &agent,
            "move_out_of_incident",
            &[("report", &ids[1].to_string())],
        )
        .await;
    assert!(out.status().is_success());
    assert_eq!(incident_of(&app, ids[1]).await, None);
    let inc: Value = app
        .call_ok(&agent, "get_incident", &[("id", &first.to_string())])
        .await;
    assert_eq!(inc["report_count"], 2);

    // Resolving resolves the reports still in it, and only those.
    assert!(app
        .call(&agent, "resolve_incident", &[("id", &first.to_string())])
        .await
        .status()
        .is_success());
    for (dev, id, expected) in [
        (&devs[0], ids[0], "resolved"),
        (&devs[1], ids[1], "open"),
        (&devs[2], ids[2], "resolved"),
    ] {
        let r: Value = app
            .call_ok(dev, "get_report", &[("id", &id.to_string())])
            .await;
        assert_eq!(r["summary"]["status"], expected, "report {id}");
    }
    expect_error(
        app.call(
            &agent,
            "reply_incident",
            &[("id", &first.to_string()), ("body", "again")],
        )
        .await,
        409,
        None,
    )
    .await;
    // A new report of the same failure does not join the resolved incident.
    let again = app.file(&devs[0], &ReportForm::server_error()).await;
    assert_ne!(incident_of(&app, again).await, Some(first));
}

async fn two_hundred_simultaneous_reports_make_one_incident(engine: Engine) {
    let app = spawn_app(engine).await;
    let devs: Vec<Client> = {
        let mut v = vec![];
        for i in 0..4 {
            v.push(app.developer(&format!("flood{i}@example.com")).await);
        }
        v
    };
    let form = ReportForm::server_error().pairs();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200usize {
        let client = devs[i % devs.len()].clone();
        let url = format!("{}/api/file_report", app.base);
        let mut form = form.clone();
        for (k, v) in form.iter_mut() {
            if k == "draft[endpoint]" {
                *v = format!("/v1/checkout/sessions/{}", 1000 + i);
            }
        }
        tasks.spawn(async move {
            client
                .post(url)
                .header("accept", "application/json")
                .form(&form)
                .send()
                .await
                .map(|r| r.status())
        });
    }
    let mut ok = 0;
    while let Some(res) = tasks.join_next().await {
        let status = res.unwrap().expect("request sent");
        assert!(status.is_success(), "a filing failed: {status}");
        ok += 1;
    }
    assert_eq!(ok, 200);
    assert_eq!(count_incidents(&app).await, 1, "exactly one incident");
    let (count, members): (i64, i64) = app::on_db!(&app.db, pool => {
        sqlx::query_as("SELECT i.report_count, (SELECT COUNT(*) FROM reports r WHERE r.incident_id = i.id) FROM incidents i")
            .fetch_one(pool).await.unwrap()
    });
    assert_eq!((count, members), (200, 200));
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let q = queue(&app, &agent).await;
    assert_eq!(
        q["items"].as_array().unwrap().len(),
        1,
        "one queue row for the flood"
    );
    assert_eq!(q["items"][0]["incident"]["report_count"], 200);
}

/// A developer who follows an incident gets each public update by email (through a real
/// SMTP listener); one who does not, does not.
async fn followers_get_each_update_by_email(engine: Engine) {
    let smtp = common::smtp::SmtpServer::start().await;
    let url = smtp.url.clone();
    let app = common::spawn_app_with(engine, tuesday_10am(), move |s| s.smtp_url = Some(url)).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let quiet = app.developer("quiet@example.com").await;
    let keen = app.developer("keen@example.com").await;
    app.file(&quiet, &ReportForm::server_error()).await;
    let mine = app.file(&keen, &ReportForm::server_error()).await;
    let inc = incident_of(&app, mine).await.unwrap();
    assert!(app
        .call(&keen, "follow_incident", &[("report", &mine.to_string())])
        .await
        .status()
        .is_success());
    let n: usize = app
        .call_ok(
            &agent,
            "reply_incident",
            &[
                ("id", &inc.to_string()),
                ("body", "Failover done; retrying is safe."),
            ],
        )
        .await;
    assert_eq!(n, 2);
    smtp.wait_for(1).await;
    // Both would be sent in one batch; give a wrong second message time to show up.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got = smtp.received();
    assert_eq!(got.len(), 1, "only the follower is emailed: {got:?}");
    assert_eq!(got[0].to, ["keen@example.com"]);
    assert!(
        got[0]
            .data
            .contains(&format!("Subject: [Incident #{inc}] Update")),
        "{}",
        got[0].data
    );
    assert!(got[0].data.contains("Failover done; retrying is safe."));
}

/// A report joining an incident whose lead is no longer active (resolved on its own)
/// leads the incident from then on: on PostgreSQL this batch cannot be filed in one
/// statement, which aborts with nothing written and the filing goes the step-by-step
/// way; the answer and the stored incident are the same as on SQLite.
async fn a_report_joining_an_incident_whose_lead_is_done_leads_it(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let dev = app.developer("dev@example.com").await;
    let a = app.file(&dev, &ReportForm::server_error()).await;
    let incident = incident_of(&app, a).await.expect("an incident");
    let resolved = app
        .call(
            &agent,
            "change_status",
            &[("id", &a.to_string()), ("status", "resolved")],
        )
        .await;
    assert!(
        resolved.status().is_success(),
        "{}",
        resolved.text().await.unwrap()
    );
    app.clock.set(tuesday_10am() + Duration::minutes(10));
    let b = app.file(&dev, &ReportForm::server_error()).await;
    assert_eq!(
        incident_of(&app, b).await,
        Some(incident),
        "b joins the incident"
    );
    assert_eq!(
        incident_shape(&app, incident).await,
        (Some(b), 2, 1),
        "b leads, a is a member"
    );
    assert_queue_shows_only(&app, &agent, b, 2).await;
    // And a report after it joins as a member (the fast way again on PostgreSQL).
    let c = app.file(&dev, &ReportForm::server_error()).await;
    assert_eq!(incident_of(&app, c).await, Some(incident));
    assert_queue_shows_only(&app, &agent, b, 3).await;
}

/// An agent's message on ticket `id`, then moving it to `then` (empty: no move); it must
/// succeed.
async fn post_message(
    app: &TestApp,
    agent: &Client,
    id: i64,
    body: &str,
    visibility: &str,
    then: &str,
) {
    let id = id.to_string();
    let fields = [
        ("id", id.as_str()),
        ("body", body),
        ("visibility", visibility),
        ("then_status", then),
    ];
    let posted = app.call(agent, "post_message", &fields).await;
    assert!(
        posted.status().is_success(),
        "{}",
        posted.text().await.unwrap()
    );
}

/// Messages on an incident's lead leave the incident as it is (a message alone does
/// not recompute it: that scans every report of the incident with the writer held);
/// one that also resolves the lead hands the lead on, as a status change does.
async fn a_message_keeps_the_incident_and_one_that_resolves_its_lead_hands_it_on(engine: Engine) {
    let app = spawn_app(engine).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let dev = app.developer("dev@example.com").await;
    let a = app.file(&dev, &ReportForm::server_error()).await;
    app.clock.set(tuesday_10am() + Duration::minutes(1));
    let b = app.file(&dev, &ReportForm::server_error()).await;
    let incident = incident_of(&app, a).await.expect("an incident");
    assert_eq!(incident_of(&app, b).await, Some(incident), "b joins it");
    assert_eq!(incident_shape(&app, incident).await, (Some(a), 2, 1));
    for (visibility, body) in [
        ("internal", "Looking into it."),
        ("public", "We are on it."),
    ] {
        post_message(&app, &agent, a, body, visibility, "").await;
        assert_eq!(
            incident_shape(&app, incident).await,
            (Some(a), 2, 1),
            "after the {visibility} message a still leads"
        );
    }
    post_message(
        &app,
        &agent,
        a,
        "Fixed on our side.",
        "internal",
        "resolved",
    )
    .await;
    assert_eq!(
        incident_shape(&app, incident).await,
        (Some(b), 2, 1),
        "b leads, a is a member"
    );
    assert_queue_shows_only(&app, &agent, b, 2).await;
}

on_both_engines!(
    a_report_joining_an_incident_whose_lead_is_done_leads_it,
    a_message_keeps_the_incident_and_one_that_resolves_its_lead_hands_it_on,
    followers_get_each_update_by_email,
    reports_of_one_failure_join_one_incident,
    one_reply_answers_every_report_and_resolving_resolves_them_all,
    two_hundred_simultaneous_reports_make_one_incident,
);
