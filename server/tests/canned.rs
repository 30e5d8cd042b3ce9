//! Canned replies (agents), on SQLite and PostgreSQL: saved with checked placeholders,
//! shared by the team, rendered with a ticket's fields into the reply box (also without
//! JavaScript, through `?canned=` on the ticket page), changed and deleted; developers
//! get none of it.

mod common;

use app::domain::role::Role;
use common::{builders::ReportForm, expect_error, spawn_app, Engine};
use serde_json::Value;

on_both_engines!(saved_replies_fill_in_the_tickets_fields);

async fn saved_replies_fill_in_the_tickets_fields(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let other = app.staff("other@example.com", Role::Agent).await;
    let id = app
        .file(
            &dev,
            &ReportForm::server_error().with("request_id", "req_8f3a2c1d"),
        )
        .await;

    for (title, body, field) in [
        ("", "Hello", "title"),
        ("Greeting", "", "body"),
        ("Greeting", "Hello {name}", "body"),
        ("Greeting", "Hello {developer", "body"),
    ] {
        expect_error(
            app.call(
                &agent,
                "save_canned_reply",
                &[("title", title), ("body", body)],
            )
            .await,
            422,
            Some(field),
        )
        .await;
    }
    let body = "Hi {developer}, we see {endpoint} answering {status} (request {request_id}).";
    let canned: i64 = app
        .call_ok(
            &agent,
            "save_canned_reply",
            &[("title", "Looking into it"), ("body", body)],
        )
        .await;
    // Shared: the other agent sees it and renders it for the ticket.
    let list: Value = app.call_ok(&other, "list_canned_replies", &[]).await;
    assert_eq!(list[0]["title"], "Looking into it");
    assert_eq!(list[0]["by"], "agent@example.com");
    let (ticket, pick) = (id.to_string(), canned.to_string());
    let text: String = app
        .call_ok(
            &other,
            "render_canned_reply",
            &[("ticket", &ticket), ("canned", &pick)],
        )
        .await;
    assert_eq!(
        text,
        "Hi dev@example.com, we see GET /v1/orders/42 answering 503 Service Unavailable (request req_8f3a2c1d)."
    );
    // The ticket page puts it in the reply box, also without JavaScript.
    let html = app
        .get(&other, &format!("/tickets/{id}?canned={canned}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(
            "Hi dev@example.com, we see GET /v1/orders/42 answering 503 Service Unavailable"
        ),
        "the reply box holds the rendered reply"
    );

    // On the incident the report started, the update box takes it too: the call as its
    // reports share it, and "everyone" for the developer.
    let report: Value = app.call_ok(&dev, "get_report", &[("id", &ticket)]).await;
    let incident = report["incident"]["id"]
        .as_i64()
        .expect("an incident")
        .to_string();
    let text: String = app
        .call_ok(
            &other,
            "render_canned_for_incident",
            &[("incident", &incident), ("canned", &pick)],
        )
        .await;
    assert_eq!(
        text,
        "Hi everyone, we see GET /v1/orders/{id} answering 503 Service Unavailable (request (no request id given))."
    );
    let html = app
        .get(&other, &format!("/incidents/{incident}?canned={canned}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Hi everyone, we see GET /v1/orders/{id} answering 503"),
        "the update box holds the rendered reply"
    );
    expect_error(
        app.call(
            &other,
            "render_canned_for_incident",
            &[("incident", "999999"), ("canned", &pick)],
        )
        .await,
        404,
        None,
    )
    .await;

    // Changed and deleted by anyone on the team.
    let same: i64 = app
        .call_ok(
            &other,
            "save_canned_reply",
            &[
                ("id", &pick),
                ("title", "Looking into it"),
                ("body", "On it, {developer}."),
            ],
        )
        .await;
    assert_eq!(same, canned);
    let text: String = app
        .call_ok(
            &agent,
            "render_canned_reply",
            &[("ticket", &ticket), ("canned", &pick)],
        )
        .await;
    assert_eq!(text, "On it, dev@example.com.");
    let res = app
        .call(&agent, "delete_canned_reply", &[("id", &pick)])
        .await;
    assert!(res.status().is_success());
    expect_error(
        app.call(
            &agent,
            "render_canned_reply",
            &[("ticket", &ticket), ("canned", &pick)],
        )
        .await,
        404,
        None,
    )
    .await;
    let list: Value = app.call_ok(&agent, "list_canned_replies", &[]).await;
    assert_eq!(list, serde_json::json!([]));

    for (name, args) in [
        ("list_canned_replies", vec![]),
        ("save_canned_reply", vec![("title", "x"), ("body", "y")]),
        (
            "render_canned_for_incident",
            vec![("incident", incident.as_str()), ("canned", pick.as_str())],
        ),
    ] {
        expect_error(app.call(&dev, name, &args).await, 403, None).await;
    }
}
