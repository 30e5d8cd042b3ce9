//! The JSON API `/api/v1` with personal tokens, on both engines: every route's happy
//! path and roles, someone else's report, revoked and expired tokens, and every error
//! status with its JSON body; one rule for both doors.

mod common;

use app::{domain::role::Role, on_db};
use chrono::Duration;
use common::{builders::ReportForm, spawn_app, spawn_app_with, tuesday_10am, Engine, TestApp};
use reqwest::{header, Client, Method, StatusCode};
use serde_json::{json, Value};

/// A token for the signed-in `client`, made through the page's server function.
async fn token(app: &TestApp, client: &Client, name: &str, expires: &str) -> String {
    let made: Value = app
        .call_ok(
            client,
            "create_token",
            &[("name", name), ("expires", expires)],
        )
        .await;
    made["token"].as_str().expect("the token, once").to_owned()
}

/// A plain client (no cookies, no same-site header): what a program is.
fn program() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = program().request(method, format!("{}/api/v1{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, headers, value)
}

/// Announces a JSON body of `length` bytes with `Expect: 100-continue` and reads the
/// answer without sending the body (a raw connection: reqwest does not wait for a 100).
async fn announce_body(
    app: &TestApp,
    path: &str,
    token: &str,
    length: usize,
) -> (StatusCode, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\
         Expect: 100-continue\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A server that waited for the body instead of answering would hang here.
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("an answer before the body was sent")
    .unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    let code: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    (
        StatusCode::from_u16(code).unwrap(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn report_json() -> Value {
    json!({
        "endpoint": "/v1/orders/42",
        "method": "GET",
        "status": 503,
        "message": "Service temporarily unavailable",
        "request_id": "req_8f2a",
        "occurred_at": "2026-11-24T09:55:00Z",
        "timezone": "Europe/Berlin",
        "environment": "production",
        "retries": 2,
        "retry_interval_secs": 2,
        "description": "Listing an order fails since this morning."
    })
}

fn assert_error(status: StatusCode, body: &Value, expected: u16, field: Option<&str>) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(body["field"].as_str(), field, "{body}");
}

async fn tokens_are_shown_once_and_stored_hashed(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let t = token(&app, &dev, "CI bot", "30").await;
    assert!(app::domain::tokens::is_well_formed(&t), "{t}");
    let list: Value = app.call_ok(&dev, "list_tokens", &[]).await;
    assert_eq!(list[0]["name"], "CI bot");
    assert_eq!(list[0]["state"], "active");
    assert!(list[0]["shown"].as_str().unwrap().starts_with(&t[..9]));
    assert!(
        !list.to_string().contains(&t),
        "the list never shows the token"
    );
    let stored: Vec<(String, String)> = on_db!(&app.db, pool => sqlx::query_as("SELECT shown, token_hash FROM api_tokens").fetch_all(pool).await.unwrap());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1, app::domain::tokens::hash(&t));
    assert!(
        !stored[0].0.contains(&t[9..]),
        "only the first characters are kept"
    );
    let (status, _, me) = api(&app, Method::GET, "/me", Some(&t), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "dev@example.com");
    assert_eq!(me["role"], "developer");
    // Bad names and lifetimes are refused by field.
    let r = app
        .call(&dev, "create_token", &[("name", ""), ("expires", "30")])
        .await;
    common::expect_error(r, 422, Some("name")).await;
    let r = app
        .call(&dev, "create_token", &[("name", "x"), ("expires", "7")])
        .await;
    common::expect_error(r, 422, Some("expires")).await;
}

async fn a_developer_files_and_follows_up_over_the_api(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let t = token(&app, &dev, "sdk", "90").await;
    let (status, headers, report) = api(
        &app,
        Method::POST,
        "/reports",
        Some(&t),
        Some(report_json()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let id = report["summary"]["id"].as_i64().unwrap();
    assert_eq!(
        headers[header::LOCATION],
        format!("/api/v1/reports/{id}").as_str()
    );
    assert_eq!(report["summary"]["class"], "server_error");
    assert_eq!(report["summary"]["disposition"], "routed");
    assert_eq!(report["occurred_at"], "2026-11-24T09:55:00Z");
    assert_eq!(report["sla"]["due_at"], "2026-11-25T10:00:00Z");
    assert_eq!(report["sla"]["due_local"], "Wed 25 Nov 2026, 11:00 CET");
    assert!(report["incident"]["id"].as_i64().is_some());
    let (status, _, again) =
        api(&app, Method::GET, &format!("/reports/{id}"), Some(&t), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["summary"]["id"], id);

    // A 5xx with no retries needs a reason, as in the form.
    let mut no_retry = report_json();
    no_retry["retries"] = json!(0);
    no_retry["retry_interval_secs"] = Value::Null;
    let (status, _, err) = api(
        &app,
        Method::POST,
        "/reports",
        Some(&t),
        Some(no_retry.clone()),
    )
    .await;
    assert_error(status, &err, 422, Some("retry_reason"));
    no_retry["retry_reason"] = json!("The request is not idempotent (POST without a key).");
    let (status, _, _) = api(&app, Method::POST, "/reports", Some(&t), Some(no_retry)).await;
    assert_eq!(status, StatusCode::CREATED);

    // A 4xx gets guidance; answering it escalates.
    let mut client_error = report_json();
    client_error["status"] = json!(401);
    client_error["message"] = json!("Token has expired");
    let (status, _, deflected) =
        api(&app, Method::POST, "/reports", Some(&t), Some(client_error)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(deflected["guidance"]["slug"], "token-expired");
    let d = deflected["summary"]["id"].as_i64().unwrap();
    let (status, _, err) = api(
        &app,
        Method::POST,
        &format!("/reports/{d}/feedback"),
        Some(&t),
        Some(json!({"outcome": "still_failing", "changed": "short"})),
    )
    .await;
    assert_error(status, &err, 422, Some("changed"));
    let (status, _, after) = api(
        &app,
        Method::POST,
        &format!("/reports/{d}/feedback"),
        Some(&t),
        Some(json!({"outcome": "still_failing", "changed": "Refreshed the token, still 401."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["summary"]["disposition"], "escalated");
    let (status, _, err) = api(
        &app,
        Method::POST,
        &format!("/reports/{d}/feedback"),
        Some(&t),
        Some(json!({"outcome": "solved"})),
    )
    .await;
    assert_error(status, &err, 409, None);

    // Reply, follow, list, notices.
    let (status, _, replied) = api(
        &app,
        Method::POST,
        &format!("/reports/{id}/replies"),
        Some(&t),
        Some(json!({"body": "Still failing here."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{replied}");
    assert_eq!(replied["messages"][0]["body"], "Still failing here.");
    let (status, _, _) = api(
        &app,
        Method::POST,
        &format!("/reports/{id}/follow"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, page) = api(&app, Method::GET, "/reports", Some(&t), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["reports"].as_array().unwrap().len(), 3);
    let (status, _, notices) = api(&app, Method::GET, "/notices", Some(&t), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(notices.is_array());
}

/// The report a filing answers (built from what was stored, not read back) is the
/// report reading it gives: routed (a new incident, then one joined and followed),
/// deflected with guidance, a re-contact, inside a maintenance window.
async fn the_filing_answer_is_the_stored_report(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let (t, ta) = (
        token(&app, &dev, "sdk", "90").await,
        token(&app, &agent, "script", "30").await,
    );
    let same_as_read = |filed: Value| {
        let t = t.clone();
        let app = &app;
        async move {
            let id = filed["summary"]["id"].as_i64().expect("an id");
            let (status, _, read) =
                api(app, Method::GET, &format!("/reports/{id}"), Some(&t), None).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(filed, read, "the 201 body is the stored report");
            filed
        }
    };
    let file = |body: Value| {
        let t = t.clone();
        let app = &app;
        async move {
            let (status, _, filed) = api(app, Method::POST, "/reports", Some(&t), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{filed}");
            filed
        }
    };
    let first = same_as_read(file(report_json()).await).await;
    assert_eq!(first["incident"]["report_count"], 1);
    assert_eq!(first["incident"]["following"], false);
    let id = first["summary"]["id"].as_i64().unwrap();
    let (status, _, _) = api(
        &app,
        Method::POST,
        &format!("/reports/{id}/follow"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let joined = same_as_read(file(report_json()).await).await;
    assert_eq!(joined["incident"]["id"], first["incident"]["id"]);
    assert_eq!(joined["incident"]["report_count"], 2);
    assert_eq!(joined["incident"]["following"], true);

    let mut client_error = report_json();
    client_error["status"] = json!(401);
    client_error["message"] = json!("Token has expired");
    let deflected = same_as_read(file(client_error.clone()).await).await;
    assert_eq!(deflected["guidance"]["slug"], "token-expired");
    assert_eq!(deflected["recontact"], false);
    let again = same_as_read(file(client_error).await).await;
    assert_eq!(again["recontact"], true);

    let notice = json!({"title": "Database upgrade", "details": "Writes may fail.",
        "starts_at": "2026-11-24T08:00:00Z", "ends_at": "2026-11-24T12:00:00Z",
        "endpoints": ["/v1/payments"], "emergency": true});
    let (status, _, created) = api(&app, Method::POST, "/notices", Some(&ta), Some(notice)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mut during = report_json();
    during["endpoint"] = json!("/v1/payments/7");
    let maintenance = same_as_read(file(during).await).await;
    assert_eq!(maintenance["summary"]["disposition"], "maintenance");
    assert_eq!(maintenance["notice"]["id"], created["id"]);
}

/// The same draft filed in the browser's way and over the API is stored the same.
async fn both_doors_store_the_same_report(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let t = token(&app, &dev, "sdk", "90").await;
    let form = ReportForm::server_error()
        .with("occurred_at", "2026-11-24T10:55")
        .with("excerpt", "Authorization: Bearer abc.def.ghi");
    let by_form = app.file(&dev, &form).await;
    let mut body = report_json();
    body["excerpt"] = json!("Authorization: Bearer abc.def.ghi");
    let (status, _, by_api) = api(&app, Method::POST, "/reports", Some(&t), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{by_api}");
    let by_api = by_api["summary"]["id"].as_i64().unwrap();
    let columns =
        "reporter_id, endpoint, endpoint_template, method, status_code, transport, class, \
        message, request_id, occurred_at, reporter_timezone, environment, retries, \
        retry_interval_secs, retry_followed, retry_reason, description, excerpt, \
        token_fingerprints, guidance_slug, disposition, feedback, status, priority, \
        routed_at, sla_target_minutes, due_at, at_risk_at, incident_id";
    let row = |id: i64| {
        let sql = format!("SELECT {columns} FROM reports WHERE id = $1");
        let db = app.db.clone();
        async move {
            on_db!(&db, pool => {
                let r: Vec<Option<String>> = {
                    use sqlx::Row;
                    let row = sqlx::query(&sql).bind(id).fetch_one(pool).await.unwrap();
                    (0..row.len()).map(|i| row.try_get::<Option<String>, _>(i).ok().flatten()
                        .or_else(|| row.try_get::<Option<i64>, _>(i).ok().flatten().map(|v| v.to_string()))
                        .or_else(|| row.try_get::<Option<bool>, _>(i).ok().flatten().map(|v| v.to_string()))).collect()
                };
                r
            })
        }
    };
    assert_eq!(row(by_form).await, row(by_api).await);
}

async fn every_error_is_json_with_its_status(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let other = app.developer("other@example.com").await;
    let t = token(&app, &dev, "sdk", "30").await;
    let other_t = token(&app, &other, "sdk", "30").await;
    let (_, _, r) = api(
        &app,
        Method::POST,
        "/reports",
        Some(&t),
        Some(report_json()),
    )
    .await;
    let id = r["summary"]["id"].as_i64().unwrap();

    // 401: missing, malformed, unknown, revoked, expired — all with WWW-Authenticate.
    let forged = app::domain::tokens::from_body(&"a".repeat(43));
    for bad in [None, Some("not-a-token"), Some(forged.as_str())] {
        let (status, headers, body) = api(&app, Method::GET, "/me", bad, None).await;
        assert_error(status, &body, 401, None);
        assert!(headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
    }
    // A browser session is no authority here: the API reads bearer tokens only, so a
    // signed-in browser (even one forging a cross-site POST) gets 401.
    let res = dev
        .post(format!("{}/api/v1/reports", app.base))
        .header(header::ORIGIN, "https://evil.example")
        .json(&report_json())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_error(status, &body, 401, None);
    let res = dev
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let list: Value = app.call_ok(&dev, "list_tokens", &[]).await;
    let token_id = list[0]["id"].as_i64().unwrap().to_string();
    let revoke_me = token(&app, &dev, "old", "30").await;
    let list: Value = app.call_ok(&dev, "list_tokens", &[]).await;
    let old_id = list[0]["id"].as_i64().unwrap().to_string();
    assert_ne!(old_id, token_id);
    assert_eq!(
        api(&app, Method::GET, "/me", Some(&revoke_me), None)
            .await
            .0,
        StatusCode::OK
    );
    app.call_ok::<Value>(&dev, "revoke_token", &[("id", &old_id)])
        .await;
    let (status, _, body) = api(&app, Method::GET, "/me", Some(&revoke_me), None).await;
    assert_error(status, &body, 401, None);
    assert!(body["message"].as_str().unwrap().contains("revoked"));
    // Another user's token id cannot be revoked (404), nor twice (409).
    let r = app.call(&other, "revoke_token", &[("id", &token_id)]).await;
    common::expect_error(r, 404, None).await;
    let r = app.call(&dev, "revoke_token", &[("id", &old_id)]).await;
    common::expect_error(r, 409, None).await;
    // 403: a developer on staff routes.
    for path in [
        "/queue",
        &format!("/tickets/{id}"),
        "/manager/report",
        "/notices/all",
    ] {
        let (status, _, body) = api(&app, Method::GET, path, Some(&t), None).await;
        assert_error(status, &body, 403, None);
    }
    // 404: someone else's report is not there (never 403), nor is an unknown route.
    let (status, _, body) = api(
        &app,
        Method::GET,
        &format!("/reports/{id}"),
        Some(&other_t),
        None,
    )
    .await;
    assert_error(status, &body, 404, None);
    let (status, _, body) = api(
        &app,
        Method::POST,
        &format!("/reports/{id}/replies"),
        Some(&other_t),
        Some(json!({"body": "hijack"})),
    )
    .await;
    assert_error(status, &body, 404, None);
    let (status, _, body) = api(&app, Method::GET, "/nowhere", Some(&t), None).await;
    assert_error(status, &body, 404, None);
    let (status, _, body) = api(&app, Method::GET, "/reports/abc", Some(&t), None).await;
    assert_error(status, &body, 404, None);
    // 405 with Allow.
    let (status, headers, body) = api(&app, Method::DELETE, "/reports", Some(&t), None).await;
    assert_error(status, &body, 405, None);
    assert!(headers[header::ALLOW].to_str().unwrap().contains("POST"));
    // 400 not JSON, 415 not sent as JSON, 422 a wrong type, naming the field.
    let res = program()
        .post(format!("{}/api/v1/reports", app.base))
        .bearer_auth(&t)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"endpoint\": ")
        .send()
        .await
        .unwrap();
    let (s, b) = (res.status(), res.json::<Value>().await.unwrap());
    assert_error(s, &b, 400, Some("body"));
    let res = program()
        .post(format!("{}/api/v1/reports", app.base))
        .bearer_auth(&t)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(report_json().to_string())
        .send()
        .await
        .unwrap();
    let (s, b) = (res.status(), res.json::<Value>().await.unwrap());
    assert_error(s, &b, 415, None);
    let mut wrong = report_json();
    wrong["retries"] = json!("twice");
    let (status, _, body) = api(&app, Method::POST, "/reports", Some(&t), Some(wrong)).await;
    assert_error(status, &body, 422, Some("retries"));
    let mut wrong = report_json();
    wrong["endpoint"] = json!("no-slash");
    let (status, _, body) = api(&app, Method::POST, "/reports", Some(&t), Some(wrong)).await;
    assert_error(status, &body, 422, Some("endpoint"));
    // 413, before the body is read: asked the way a careful client sends a large body
    // (`Expect: 100-continue`, the body only after a 100). Sending the 2 MiB outright
    // raced the server's early answer: it closes without reading the body, and the
    // client's write could fail with a broken pipe before the answer was read.
    let (status, body) = announce_body(&app, "/api/v1/reports", &t, 2 * 1024 * 1024).await;
    assert_error(status, &body, 413, None);
    // Nothing refused was stored: the one report only.
    let n: i64 = on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM reports").fetch_one(pool).await.unwrap());
    assert_eq!(n, 1);

    // Expired: the clock passes the token's 30 days.
    app.clock.set(tuesday_10am() + Duration::days(31));
    app.db.hub().caches.invalidate_all();
    let (status, _, body) = api(&app, Method::GET, "/me", Some(&t), None).await;
    assert_error(status, &body, 401, None);
    assert!(body["message"].as_str().unwrap().contains("expired"));
}

async fn the_api_has_its_own_rate_limit(engine: Engine) {
    let app = spawn_app_with(engine, tuesday_10am(), |s| {
        s.rates = app::server::limits::Rates {
            api: app::server::limits::Rate {
                per_period: 5,
                period: std::time::Duration::from_secs(60),
                burst: 5,
            },
            ..app::server::limits::Rates::off()
        }
    })
    .await;
    let dev = app.developer("dev@example.com").await;
    let t = token(&app, &dev, "sdk", "30").await;
    for _ in 0..5 {
        assert_eq!(
            api(&app, Method::GET, "/me", Some(&t), None).await.0,
            StatusCode::OK
        );
    }
    let (status, headers, body) = api(&app, Method::GET, "/me", Some(&t), None).await;
    assert_error(status, &body, 429, None);
    assert!(headers.contains_key(header::RETRY_AFTER));
}

async fn staff_and_managers_work_over_the_api(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let manager = app.staff("manager@example.com", Role::Manager).await;
    let (ta, tm) = (
        token(&app, &agent, "script", "30").await,
        token(&app, &manager, "bi", "30").await,
    );
    let first = app.file(&dev, &ReportForm::server_error()).await;
    app.file(
        &dev,
        &ReportForm::server_error().with("endpoint", "/v1/orders/43"),
    )
    .await;
    let (status, _, page) = api(
        &app,
        Method::GET,
        "/queue?assignee=unassigned",
        Some(&ta),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        1,
        "one incident row"
    );
    let (status, _, body) = api(&app, Method::GET, "/queue?status=sideways", Some(&ta), None).await;
    assert_error(status, &body, 422, Some("status"));
    let (status, _, ticket) = api(
        &app,
        Method::GET,
        &format!("/tickets/{first}"),
        Some(&ta),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let incident = ticket["report"]["incident"]["id"].as_i64().unwrap();
    assert_eq!(
        api(
            &app,
            Method::POST,
            &format!("/tickets/{first}/claim"),
            Some(&ta),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, _, t) = api(
        &app,
        Method::POST,
        &format!("/tickets/{first}/messages"),
        Some(&ta),
        Some(json!({"body": "Looking", "visibility": "internal"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert_eq!(
        api(
            &app,
            Method::POST,
            &format!("/tickets/{first}/status"),
            Some(&ta),
            Some(json!({"status": "waiting"}))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, _, body) = api(
        &app,
        Method::POST,
        &format!("/tickets/{first}/status"),
        Some(&ta),
        Some(json!({"status": "closed"})),
    )
    .await;
    // Waiting → closed is not a move the workflow has: 409, naming the field.
    assert_error(status, &body, 409, Some("status"));
    let (status, _, body) = api(
        &app,
        Method::POST,
        &format!("/tickets/{first}/status"),
        Some(&ta),
        Some(json!({"status": "new"})),
    )
    .await;
    // Nothing ever moves back to "new": it is not among the documented targets.
    assert_error(status, &body, 422, Some("status"));
    let (status, _, sent) = api(
        &app,
        Method::POST,
        &format!("/incidents/{incident}/replies"),
        Some(&ta),
        Some(json!({"body": "Fixed at 10:20."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["reports"], 2);
    let (status, _, inc) = api(
        &app,
        Method::GET,
        &format!("/incidents/{incident}"),
        Some(&ta),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inc["report_count"], 2);
    assert_eq!(
        api(
            &app,
            Method::POST,
            &format!("/incidents/{incident}/resolve"),
            Some(&ta),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, _, body) = api(
        &app,
        Method::POST,
        &format!("/incidents/{incident}/replies"),
        Some(&ta),
        Some(json!({"body": "Late"})),
    )
    .await;
    assert_error(status, &body, 409, None);
    // Notices.
    let notice = json!({"title": "Database upgrade", "details": "Writes may fail.",
        "starts_at": "2026-11-26T02:00:00Z", "ends_at": "2026-11-26T03:00:00Z", "endpoints": ["/v1/orders"]});
    let (status, _, created) = api(
        &app,
        Method::POST,
        "/notices",
        Some(&ta),
        Some(notice.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mut soon = notice.clone();
    soon["starts_at"] = json!("2026-11-24T12:00:00Z");
    let (status, _, body) = api(&app, Method::POST, "/notices", Some(&ta), Some(soon)).await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let nid = created["id"].as_i64().unwrap();
    assert_eq!(
        api(
            &app,
            Method::POST,
            &format!("/notices/{nid}/cancel"),
            Some(&ta),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    // Managers: figures and CSV; agents may not.
    let (status, _, report) = api(
        &app,
        Method::GET,
        "/manager/report?from=2026-11-01&to=2026-11-24",
        Some(&tm),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(report["routed"].is_object() || report.is_object());
    let res = program()
        .get(format!(
            "{}/api/v1/manager/report/volume_by_day.csv?from=2026-11-20&to=2026-11-24",
            app.base
        ))
        .bearer_auth(&tm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.text().await.unwrap().contains("2026-11-24"));
    let (status, _, body) = api(&app, Method::GET, "/manager/report", Some(&ta), None).await;
    assert_error(status, &body, 403, None);
    let (status, _, body) = api(
        &app,
        Method::GET,
        "/manager/report?from=2026-13-01",
        Some(&tm),
        None,
    )
    .await;
    assert_error(status, &body, 422, Some("from"));
}

async fn the_document_describes_every_route(engine: Engine) {
    let app = spawn_app(engine).await;
    let doc: Value = program()
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/reports",
        "/api/v1/reports/{id}",
        "/api/v1/queue",
        "/api/v1/incidents/{id}/replies",
        "/api/v1/manager/report",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(doc
        .pointer("/paths/~1api~1v1~1reports/post/responses/201/links/GetReport")
        .is_some());
    // Every reference resolves (an unresolved one silently hides a parameter's
    // schema from clients and from the fuzzer).
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 10, "{found:?}");
    for r in found {
        let pointer = r.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
    let docs = program()
        .get(format!("{}/api/v1/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("swagger"));
}

on_both_engines!(
    tokens_are_shown_once_and_stored_hashed,
    a_developer_files_and_follows_up_over_the_api,
    the_filing_answer_is_the_stored_report,
    both_doors_store_the_same_report,
    every_error_is_json_with_its_status,
    the_api_has_its_own_rate_limit,
    staff_and_managers_work_over_the_api,
    the_document_describes_every_route,
);
