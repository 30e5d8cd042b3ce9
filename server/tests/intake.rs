//! Filing reports over HTTP: classification, deflection with guidance, routing with a
//! first-response due time, validation, scrubbing, and who may see what.

mod common;

use common::{builders::ReportForm, expect_error, spawn_app, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;

async fn file(app: &TestApp, c: &Client, form: &ReportForm) -> reqwest::Response {
    let pairs = form.pairs();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.call(c, "file_report", &refs).await
}

async fn file_ok(app: &TestApp, c: &Client, form: &ReportForm) -> i64 {
    let res = file(app, c, form).await;
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "file_report failed {status}: {body}");
    let id: i64 = serde_json::from_str(&body).unwrap();
    assert_eq!(location.as_deref(), Some(format!("/reports/{id}").as_str()));
    id
}

async fn detail(app: &TestApp, c: &Client, id: i64) -> Value {
    app.call_ok(c, "get_report", &[("id", &id.to_string())])
        .await
}

async fn count_reports(app: &TestApp) -> i64 {
    app::on_db!(&app.db, pool => {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports").fetch_one(pool).await.unwrap();
        n
    })
}

async fn server_error_is_routed_with_a_due_time(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let id = file_ok(&app, &dev, &ReportForm::server_error()).await;
    let r = detail(&app, &dev, id).await;
    assert_eq!(r["summary"]["class"], "server_error");
    assert_eq!(r["summary"]["disposition"], "routed");
    assert_eq!(r["summary"]["status"], "new");
    assert_eq!(r["retry_followed"], true);
    // Filed Tuesday 10:00 UTC; default calendar Mon–Fri 09–17 UTC; 8 business hours
    // → due Wednesday 10:00 UTC, shown in the developer's timezone (Berlin, UTC+1).
    assert_eq!(r["sla"]["due_at"], "2026-11-25T10:00:00Z");
    assert_eq!(r["sla"]["due_local"], "Wed 25 Nov 2026, 11:00 CET");
    assert_eq!(r["sla"]["state"], "On track");
    assert!(r["guidance"].is_null());
}

async fn client_error_is_deflected_with_matching_guidance(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let id = file_ok(&app, &dev, &ReportForm::client_error()).await;
    let r = detail(&app, &dev, id).await;
    assert_eq!(r["summary"]["class"], "client_error");
    assert_eq!(r["summary"]["disposition"], "deflected");
    assert_eq!(r["summary"]["status"], "awaiting_feedback");
    assert_eq!(
        r["guidance"]["slug"], "token-expired",
        "message refines the 401 article"
    );
    assert!(r["sla"].is_null(), "no SLA clock for a deflected report");

    let other = file_ok(
        &app,
        &dev,
        &ReportForm::client_error().with("message", "invalid signature"),
    )
    .await;
    assert_eq!(
        detail(&app, &dev, other).await["guidance"]["slug"],
        "unauthorized"
    );
    let teapot = file_ok(
        &app,
        &dev,
        &ReportForm::client_error().with("status", "418"),
    )
    .await;
    assert_eq!(
        detail(&app, &dev, teapot).await["guidance"]["slug"],
        "client-error"
    );
    let limited = file_ok(
        &app,
        &dev,
        &ReportForm::client_error().with("status", "429"),
    )
    .await;
    let g = detail(&app, &dev, limited).await;
    assert_eq!(g["guidance"]["slug"], "rate-limited");
    assert_eq!(g["guidance"]["retry_same_request"], true);
}

async fn solved_closes_and_still_failing_escalates(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let solved = file_ok(&app, &dev, &ReportForm::client_error()).await;
    let res = app
        .call(
            &dev,
            "report_feedback",
            &[("id", &solved.to_string()), ("outcome", "solved")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let r = detail(&app, &dev, solved).await;
    assert_eq!(r["feedback"], "self_solved");
    assert_eq!(r["summary"]["status"], "closed");
    // Answering twice is a conflict, not a second change.
    let again = app
        .call(
            &dev,
            "report_feedback",
            &[("id", &solved.to_string()), ("outcome", "solved")],
        )
        .await;
    expect_error(again, 409, None).await;

    let failing = file_ok(&app, &dev, &ReportForm::client_error()).await;
    let short = app
        .call(
            &dev,
            "report_feedback",
            &[
                ("id", &failing.to_string()),
                ("outcome", "still_failing"),
                ("changed", "x"),
            ],
        )
        .await;
    expect_error(short, 422, Some("changed")).await;
    let res = app
        .call(
            &dev,
            "report_feedback",
            &[
                ("id", &failing.to_string()),
                ("outcome", "still_failing"),
                ("changed", "Refreshed the token, still 401"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let r = detail(&app, &dev, failing).await;
    assert_eq!(r["feedback"], "escalated");
    assert_eq!(r["summary"]["disposition"], "escalated");
    assert_eq!(r["summary"]["status"], "new");
    assert_eq!(r["escalation_note"], "Refreshed the token, still 401");
    // Low priority: two business days from Tuesday 10:00 UTC → Thursday 10:00 UTC.
    assert_eq!(r["sla"]["due_at"], "2026-11-26T10:00:00Z");
    let kinds: Vec<&str> = r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["filed", "escalated"]);
}

async fn bad_input_names_the_field_and_stores_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let cases: Vec<(ReportForm, &str)> = vec![
        (ReportForm::server_error().with("status", "99"), "status"),
        (ReportForm::server_error().with("status", "600"), "status"),
        (ReportForm::server_error().with("status", "abc"), "status"),
        (ReportForm::server_error().with("endpoint", ""), "endpoint"),
        (
            ReportForm::server_error().with("endpoint", "/v1/<script>alert(1)</script>"),
            "endpoint",
        ),
        (
            ReportForm::server_error().with("description", "x".repeat(100 * 1024)),
            "description",
        ),
        (ReportForm::server_error().with("method", "BREW"), "method"),
        (
            ReportForm::server_error().with("environment", "staging"),
            "environment",
        ),
        (
            ReportForm::server_error().with("occurred_at", "yesterday"),
            "occurred_at",
        ),
        (
            ReportForm::server_error()
                .with("retries", "0")
                .with("retry_interval", ""),
            "retry_reason",
        ),
    ];
    for (form, field) in cases {
        let res = file(&app, &dev, &form).await;
        expect_error(res, 422, Some(field)).await;
    }
    assert_eq!(count_reports(&app).await, 0, "nothing stored half-way");

    // 0 retries is allowed with a reason, and the ticket records the rule was not followed.
    let id = file_ok(
        &app,
        &dev,
        &ReportForm::server_error()
            .with("method", "POST")
            .with("retries", "0")
            .with("retry_interval", "")
            .with(
                "retry_reason",
                "The request is not idempotent: POST without an idempotency key",
            ),
    )
    .await;
    let r = detail(&app, &dev, id).await;
    assert_eq!(r["retry_followed"], false);
    assert!(r["retry_reason"]
        .as_str()
        .unwrap()
        .contains("not idempotent"));
}

async fn malformed_bodies_get_a_400_not_a_500(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let url = format!("{}/api/file_report", app.base);
    let res = dev
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(vec![0xff, 0xfe, b'=', 0xc3, 0x28])
        .send()
        .await
        .unwrap();
    let err = expect_error(res, 400, Some("body")).await;
    assert!(err.message.contains("could not be read"), "{}", err.message);
    let res = dev
        .post(format!("{}/api/get_report", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body("id=not-a-number")
        .send()
        .await
        .unwrap();
    expect_error(res, 400, Some("body")).await;
    assert_eq!(count_reports(&app).await, 0);
}

async fn secrets_are_scrubbed_before_storage(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let token = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    let excerpt =
        format!("GET /v1/orders/42 HTTP/1.1\nAuthorization: Bearer {token}\n\nHTTP/1.1 503");
    let id = file_ok(
        &app,
        &dev,
        &ReportForm::server_error().with("excerpt", excerpt).with(
            "description",
            format!("Using api_key={token} from the dashboard"),
        ),
    )
    .await;
    let stored: String = app::on_db!(&app.db, pool => {
        let (d, e): (String, Option<String>) =
            sqlx::query_as("SELECT description, excerpt FROM reports WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .unwrap();
        format!("{d}\n{}", e.unwrap_or_default())
    });
    assert!(!stored.contains(token), "token stored in clear: {stored}");
    assert!(stored.contains("Authorization:"), "header name kept");
    let r = detail(&app, &dev, id).await;
    let fps = r["token_fingerprints"].as_array().unwrap();
    assert!(!fps.is_empty(), "a fingerprint is kept");
    assert!(stored.contains(fps[0].as_str().unwrap()));
}

async fn reports_are_private_to_their_reporter(engine: Engine) {
    let app = spawn_app(engine).await;
    let alice = app.developer("alice@example.com").await;
    let bob = app.developer("bob@example.com").await;
    let id = file_ok(&app, &alice, &ReportForm::server_error()).await;

    let res = app
        .call(&bob, "get_report", &[("id", &id.to_string())])
        .await;
    expect_error(res, 404, None).await;
    let page = app.get(&bob, &format!("/reports/{id}")).await;
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("Listing an order fails"),
        "no details leak into the page"
    );
    let feedback = app
        .call(
            &bob,
            "report_feedback",
            &[("id", &id.to_string()), ("outcome", "solved")],
        )
        .await;
    expect_error(feedback, 404, None).await;

    let mine: Value = app.call_ok(&bob, "my_reports", &[]).await;
    assert_eq!(mine["reports"].as_array().unwrap().len(), 0);
    let theirs: Value = app.call_ok(&alice, "my_reports", &[]).await;
    assert_eq!(theirs["reports"][0]["id"], id);

    // Nobody signed in: 401.
    let anon = common::client();
    expect_error(
        app.call(&anon, "get_report", &[("id", &id.to_string())])
            .await,
        401,
        None,
    )
    .await;
    expect_error(
        file(&app, &anon, &ReportForm::server_error()).await,
        401,
        None,
    )
    .await;
}

async fn user_text_is_escaped_in_pages(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let id = file_ok(
        &app,
        &dev,
        &ReportForm::server_error().with("description", "<script>alert('xss')</script> & more"),
    )
    .await;
    let html = app
        .get(&dev, &format!("/reports/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<script>alert('xss')</script>"),
        "raw script tag in page"
    );
    assert!(html.contains("&lt;script&gt;alert"), "escaped text shown");
}

async fn refiling_a_deflected_report_within_a_day_is_a_recontact(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let first = file_ok(&app, &dev, &ReportForm::client_error()).await;
    assert_eq!(detail(&app, &dev, first).await["recontact"], false);
    app.clock
        .set(common::tuesday_10am() + chrono::Duration::hours(3));
    let again = file_ok(
        &app,
        &dev,
        &ReportForm::client_error().with("endpoint", "/v1/orders/77"),
    )
    .await;
    assert_eq!(
        detail(&app, &dev, again).await["recontact"],
        true,
        "same template and code"
    );
    app.clock
        .set(common::tuesday_10am() + chrono::Duration::hours(30));
    let later = file_ok(
        &app,
        &dev,
        &ReportForm::client_error().with("occurred_at", "2026-11-25T16:00"),
    )
    .await;
    assert_eq!(
        detail(&app, &dev, later).await["recontact"],
        false,
        "more than 24 h after the others"
    );
}

/// Without JavaScript the browser posts the form itself (asking for HTML) and follows
/// the redirect back to the form; what was typed must come back with the error, scrubbed,
/// and only on that one re-render.
async fn a_form_refused_without_javascript_comes_back_filled_in(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let token = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    let form = ReportForm::server_error()
        .with("status", "99")
        .with("environment", "sandbox")
        .with("method", "PATCH")
        .with(
            "description",
            "Typed without JS </textarea><script>alert(1)</script>",
        )
        .with("excerpt", format!("Authorization: Bearer {token}"));
    let url = app
        .refused_without_js(&dev, "file_report", "/reports/new", &form.pairs())
        .await;
    let sessions = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            app::on_db!(&db, pool => {
                let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM sessions").fetch_all(pool).await.unwrap();
                rows
            })
        }
    };
    // A visitor without a session is refused too, and no session row is made for it.
    let before = sessions(&app).await.len();
    app.refused_without_js(
        &common::client(),
        "file_report",
        "/reports/new",
        &form.pairs(),
    )
    .await;
    assert_eq!(
        sessions(&app).await.len(),
        before,
        "no session for an anonymous post"
    );

    let sessions = sessions(&app).await;
    assert!(
        sessions.iter().any(|d| d.contains("Typed without JS")),
        "the typed form is kept in the session"
    );
    assert!(
        !sessions.iter().any(|d| d.contains(token)),
        "a token reached the session table"
    );

    let html = dev.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("id=\"status-error\""),
        "the status error is shown"
    );
    assert!(html.contains("value=\"/v1/orders/42\""), "endpoint kept");
    assert!(html.contains("value=\"99\""), "status kept");
    assert!(html.contains("value=\"req_8f2a\""), "request id kept");
    assert!(
        html.contains("value=\"sandbox\" selected"),
        "environment kept"
    );
    assert!(html.contains("value=\"PATCH\" selected"), "method kept");
    assert!(
        html.contains("Typed without JS &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        "description kept, escaped"
    );
    assert!(
        !html.contains("<script>alert(1)"),
        "user text broke out of the textarea"
    );
    assert!(
        html.contains("Authorization: Bearer [redacted:"),
        "excerpt kept, masked"
    );
    assert!(!html.contains(token), "token shown again");

    let again = dev.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        !again.contains("Typed without JS"),
        "the kept form is taken once"
    );
    assert_eq!(count_reports(&app).await, 0);
}

on_both_engines!(
    a_form_refused_without_javascript_comes_back_filled_in,
    server_error_is_routed_with_a_due_time,
    client_error_is_deflected_with_matching_guidance,
    solved_closes_and_still_failing_escalates,
    bad_input_names_the_field_and_stores_nothing,
    malformed_bodies_get_a_400_not_a_500,
    secrets_are_scrubbed_before_storage,
    reports_are_private_to_their_reporter,
    user_text_is_escaped_in_pages,
    refiling_a_deflected_report_within_a_day_is_a_recontact,
);
