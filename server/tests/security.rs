//! Safe on the public internet: cross-site requests, redirects, rate limits, security
//! headers, body limits, privacy between roles and ownership — each on both engines.

mod common;

use app::{domain::role::Role, server::limits::Rates};
use common::{
    builders::ReportForm, expect_error, spawn_app, spawn_app_with, tuesday_10am, Engine, TestApp,
};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

/// A client that sends only what it is told (no same-site header of its own).
fn bare_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn signup_form(email: &str) -> [(&'static str, String); 3] {
    [
        ("email", email.to_owned()),
        ("password", "correct horse battery".to_owned()),
        ("timezone", "UTC".to_owned()),
    ]
}

async fn post(
    app: &TestApp,
    c: &Client,
    name: &str,
    headers: &[(&str, &str)],
    form: &[(&'static str, String)],
) -> reqwest::Response {
    let mut req = c
        .post(format!("{}/api/{name}", app.base))
        .header(header::ACCEPT, "application/json")
        .form(form);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn users(app: &TestApp) -> i64 {
    app::on_db!(&app.db, pool => {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap();
        n
    })
}

/// Sign-up and sign-in from another site are refused with 403 JSON (login CSRF), as
/// is a state-changing request that says nothing of where it comes from; the same
/// site's requests (by `Origin`, `Sec-Fetch-Site` or `Referer`) pass.
async fn cross_site_requests_are_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let own = app.base.clone();
    let c = bare_client();
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("referer", "http://evil.example/page")],
        vec![],
    ] {
        let res = post(
            &app,
            &c,
            "signup",
            &headers,
            &signup_form("victim@example.com"),
        )
        .await;
        let err = expect_error(res, 403, None).await;
        assert!(err.message.contains("cross-site"), "{}", err.message);
        let res = post(
            &app,
            &c,
            "login",
            &headers,
            &[("email", "a@example.com".into()), ("password", "x".into())],
        )
        .await;
        expect_error(res, 403, None).await;
    }
    assert_eq!(users(&app).await, 0, "nothing stored by refused requests");
    // An origin on the same host but another port is another site.
    let other_port = own
        .rsplit_once(':')
        .map(|(h, p)| format!("{h}:{}", p.parse::<u16>().unwrap() + 1))
        .unwrap();
    let res = post(
        &app,
        &c,
        "signup",
        &[("origin", &other_port)],
        &signup_form("x@example.com"),
    )
    .await;
    expect_error(res, 403, None).await;

    let referer = format!("{own}/signup");
    for (i, headers) in [
        vec![("origin", own.as_str())],
        vec![("sec-fetch-site", "same-origin")],
        vec![("referer", referer.as_str())],
    ]
    .into_iter()
    .enumerate()
    {
        let res = post(
            &app,
            &bare_client(),
            "signup",
            &headers,
            &signup_form(&format!("dev{i}@example.com")),
        )
        .await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{headers:?}: {}",
            res.status()
        );
    }
    assert_eq!(users(&app).await, 3);
    // Reading needs no proof of origin.
    let res = c.get(format!("{own}/health/live")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// A `next` that is not a local path sends the user to the default page.
async fn redirects_stay_on_this_site(engine: Engine) {
    let app = spawn_app(engine).await;
    app.developer("dev@example.com").await;
    for (next, expected) in [
        ("/reports/3", "/reports/3"),
        ("/\t/evil.example", "/reports"),
        ("/\r\nSet-Cookie:x", "/reports"),
        ("/\\evil", "/reports"),
        ("//evil", "/reports"),
        ("https://evil", "/reports"),
        ("/ /x", "/reports"),
    ] {
        let c = common::client();
        let res = c
            .post(format!("{}/api/login", app.base))
            .header(header::ACCEPT, "application/json")
            .form(&[
                ("email", "dev@example.com"),
                ("password", "correct horse battery"),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
        assert_eq!(location, expected, "next={next:?}");
    }
    // A form refused without JavaScript goes back to the page it came from, and only
    // to a page of this site.
    let c = common::client();
    let res = c
        .post(format!("{}/api/login", app.base))
        .header(header::ACCEPT, "text/html")
        .header("origin", &app.base)
        .header(header::REFERER, "http://evil.example/phish")
        .form(&[
            ("email", "dev@example.com"),
            ("password", "wrong password!"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()[header::LOCATION].to_str().unwrap();
    assert!(!location.contains("evil"), "{location}");
}

/// Rate limits: sign-in and sign-up per address, filing per developer (another
/// developer is not held back); over the limit 429 JSON with `Retry-After`, and a
/// form without JavaScript says it in words.
async fn rate_limits_answer_429(engine: Engine) {
    let app = spawn_app_with(engine, tuesday_10am(), |s| s.rates = Rates::default()).await;
    let c = common::client();
    // Sign-up: 5 at once, then 429.
    for i in 0..5 {
        let res = post(
            &app,
            &c,
            "signup",
            &[],
            &signup_form(&format!("d{i}@example.com")),
        )
        .await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "signup {i}: {}",
            res.status()
        );
    }
    let res = post(&app, &c, "signup", &[], &signup_form("d5@example.com")).await;
    let retry = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    let err = expect_error(res, 429, None).await;
    assert!(err.message.contains("Too many"), "{}", err.message);
    assert!(
        retry.is_some_and(|s| s.parse::<u64>().unwrap() > 0),
        "Retry-After"
    );
    assert_eq!(users(&app).await, 5, "the refused sign-up stored nothing");

    // Sign-in: 10 attempts a minute per address, right or wrong.
    for i in 0..10 {
        let res = post(
            &app,
            &bare_client(),
            "login",
            &[("sec-fetch-site", "same-origin")],
            &[
                ("email", "d0@example.com".into()),
                ("password", "wrong password".into()),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = post(
        &app,
        &c,
        "login",
        &[],
        &[
            ("email", "d0@example.com".into()),
            ("password", "correct horse battery".into()),
        ],
    )
    .await;
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    expect_error(res, 429, None).await;
    // Without JavaScript the sign-in form shows it in words.
    let url = app
        .refused_without_js(
            &c,
            "login",
            "/login",
            &[
                ("email".into(), "d0@example.com".into()),
                ("password".into(), "x".into()),
            ],
        )
        .await;
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Too many sign-in attempts"),
        "the form says it"
    );

    // Filing: bursts of 10 per developer, then 429; another developer still files.
    let app = spawn_app_with(engine, tuesday_10am(), |s| {
        s.rates = Rates {
            file: Rates::default().file,
            ..Rates::off()
        }
    })
    .await;
    let (first, second) = (
        app.developer("f1@example.com").await,
        app.developer("f2@example.com").await,
    );
    let mut refused = 0;
    for i in 0..12 {
        let form = ReportForm::server_error().with("endpoint", format!("/v1/flood/{i}"));
        let pairs = form.pairs();
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = app.call(&first, "file_report", &refs).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
            assert!(res.headers().contains_key(header::RETRY_AFTER));
        } else {
            assert!(res.status().is_success(), "{}", res.status());
        }
    }
    assert_eq!(refused, 2, "ten at once, then refused");
    app.file(&second, &ReportForm::server_error()).await;
}

/// Every response says `nosniff`, no framing and `Referrer-Policy: same-origin`; pages
/// carry a Content-Security-Policy whose nonce is the one on the page's scripts.
async fn pages_carry_security_headers(engine: Engine) {
    let app = spawn_app(engine).await;
    let res = app.get(&common::client(), "/").await;
    let h = res.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    for part in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap()
        .to_owned();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the nonce"
    );
    // A fresh nonce per response.
    let again = app.get(&common::client(), "/").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));
    let api = app.call(&common::client(), "whoami", &[]).await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

/// Bodies over 1 MiB are refused with 413 JSON, announced or streamed.
async fn oversized_bodies_get_413(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let big = format!("draft[description]={}", "x".repeat(2 * 1024 * 1024));
    // The server answers 413 from the announced length, or as soon as a streamed body
    // passes the limit, and closes the connection, which can reset it while the client
    // is still sending (then the answer is lost on the way); try until it is seen.
    let upload = |streamed: bool| {
        let body = if streamed {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
                .as_bytes()
                .chunks(64 * 1024)
                .map(|c| Ok(c.to_vec()))
                .collect();
            reqwest::Body::wrap_stream(futures::stream::iter(chunks))
        } else {
            big.clone().into()
        };
        dev.post(format!("{}/api/file_report", app.base))
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    for (streamed, how) in [(false, "announced"), (true, "streamed")] {
        let mut answered = None;
        for _ in 0..5 {
            match upload(streamed).await {
                Ok(res) => {
                    answered = Some(res);
                    break;
                }
                Err(e) => eprintln!("{how} upload cut off before the answer: {e}"),
            }
        }
        let res = answered.unwrap_or_else(|| panic!("an answer to a {how} oversized body"));
        expect_error(res, 413, None).await;
    }
    let n: i64 = app::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM reports").fetch_one(pool).await.unwrap());
    assert_eq!(n, 0);
}

/// A developer sees public replies from "Support", never internal notes, assignments
/// or staff email addresses — in the server function's answer and on the page.
async fn developers_never_see_staff_internals(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent.smith@example.com", Role::Agent).await;
    let id = app
        .file(&dev, &ReportForm::server_error())
        .await
        .to_string();
    app.call_ok::<Value>(&agent, "claim_ticket", &[("id", &id)])
        .await;
    app.call_ok::<Value>(
        &agent,
        "post_message",
        &[
            ("id", &id),
            ("body", "Secret internal remark"),
            ("visibility", "internal"),
        ],
    )
    .await;
    app.call_ok::<Value>(
        &agent,
        "post_message",
        &[
            ("id", &id),
            ("body", "We are on it."),
            ("visibility", "public"),
        ],
    )
    .await;
    let json = app
        .call(&dev, "get_report", &[("id", &id)])
        .await
        .text()
        .await
        .unwrap();
    let page = app
        .get(&dev, &format!("/reports/{id}"))
        .await
        .text()
        .await
        .unwrap();
    for (what, text) in [("server function", &json), ("page", &page)] {
        assert!(!text.contains("agent.smith"), "{what} shows a staff email");
        assert!(
            !text.contains("Secret internal remark"),
            "{what} shows an internal note"
        );
        assert!(
            !text.contains("internal_note"),
            "{what} shows an internal-note event"
        );
        assert!(!text.contains("Assigned to"), "{what} shows an assignment");
        assert!(
            text.contains("We are on it."),
            "{what} shows the public reply"
        );
    }
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["messages"][0]["author"], "Support");
    assert!(r["history"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] != "agent.smith@example.com"));
    // Staff still see everything.
    let t = app
        .call(&agent, "get_ticket", &[("id", &id)])
        .await
        .text()
        .await
        .unwrap();
    assert!(t.contains("Secret internal remark") && t.contains("agent.smith@example.com"));
}

/// Another developer gets 404 from everything owner-scoped.
async fn other_developers_get_404(engine: Engine) {
    let app = spawn_app(engine).await;
    let owner = app.developer("owner@example.com").await;
    let other = app.developer("other@example.com").await;
    let ticket = app
        .file(&owner, &ReportForm::server_error())
        .await
        .to_string();
    let deflected = app
        .file(&owner, &ReportForm::client_error())
        .await
        .to_string();
    for (name, args) in [
        ("get_report", vec![("id", ticket.as_str())]),
        (
            "reply_to_report",
            vec![("id", ticket.as_str()), ("body", "hijack")],
        ),
        (
            "state_unrelated",
            vec![
                ("id", ticket.as_str()),
                ("statement", "not maintenance, honestly"),
            ],
        ),
        ("follow_incident", vec![("report", ticket.as_str())]),
        (
            "report_feedback",
            vec![("id", deflected.as_str()), ("outcome", "solved")],
        ),
    ] {
        let res = app.call(&other, name, &args).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}");
    }
    let page = app.get(&other, &format!("/reports/{ticket}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    // Nothing changed: no message, no follower, still awaiting feedback.
    let (messages, followers, feedback): (i64, i64, String) = app::on_db!(&app.db, pool => {
        let (m,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM messages").fetch_one(pool).await.unwrap();
        let (f,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM incident_followers").fetch_one(pool).await.unwrap();
        let (fb,): (String,) = sqlx::query_as("SELECT feedback FROM reports WHERE id = $1").bind(deflected.parse::<i64>().unwrap()).fetch_one(pool).await.unwrap();
        (m, f, fb)
    });
    assert_eq!((messages, followers, feedback.as_str()), (0, 0, "pending"));
}

on_both_engines!(
    cross_site_requests_are_refused,
    redirects_stay_on_this_site,
    rate_limits_answer_429,
    pages_carry_security_headers,
    oversized_bodies_get_413,
    developers_never_see_staff_internals,
    other_developers_get_404,
);
