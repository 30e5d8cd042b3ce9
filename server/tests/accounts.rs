//! Accounts: sign up, sign in, sign out, sessions in the database, staff from the CLI.

mod common;

use common::{client, expect_error, spawn_app, Engine};
use serde_json::Value;

async fn signup_validates_and_signs_in(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = client();
    let bad_email = app
        .call(
            &c,
            "signup",
            &[
                ("email", "not-an-email"),
                ("password", "long enough password"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    expect_error(bad_email, 422, Some("email")).await;
    let short = app
        .call(
            &c,
            "signup",
            &[
                ("email", "a@example.com"),
                ("password", "short"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    expect_error(short, 422, Some("password")).await;
    let tz = app
        .call(
            &c,
            "signup",
            &[
                ("email", "a@example.com"),
                ("password", "long enough password"),
                ("timezone", "Mars/Olympus"),
            ],
        )
        .await;
    expect_error(tz, 422, Some("timezone")).await;

    let ok = app
        .call(
            &c,
            "signup",
            &[
                ("email", " A@Example.com "),
                ("password", "long enough password"),
                ("timezone", "Asia/Kolkata"),
            ],
        )
        .await;
    assert!(ok.status().is_success(), "{}", ok.status());
    let cookie = ok
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let me: Value = app.call_ok(&c, "whoami", &[]).await;
    assert_eq!(me["email"], "a@example.com");
    assert_eq!(me["role"], "developer");
    assert_eq!(me["timezone"], "Asia/Kolkata");

    let dup = app
        .call(
            &client(),
            "signup",
            &[
                ("email", "a@example.com"),
                ("password", "another long password"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    expect_error(dup, 422, Some("email")).await;

    // The password is stored as an argon2id hash, never in clear.
    let hash: String = app::on_db!(&app.db, pool => {
        let (h,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE email = 'a@example.com'")
            .fetch_one(pool).await.unwrap();
        h
    });
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

async fn login_logout_and_sessions_live_in_the_database(engine: Engine) {
    let app = spawn_app(engine).await;
    app.developer("dev@example.com").await;
    let c = client();
    let wrong = app
        .call(
            &c,
            "login",
            &[
                ("email", "dev@example.com"),
                ("password", "wrong password!!"),
            ],
        )
        .await;
    expect_error(wrong, 401, Some("password")).await;
    let unknown = app
        .call(
            &c,
            "login",
            &[
                ("email", "nobody@example.com"),
                ("password", "wrong password!!"),
            ],
        )
        .await;
    let err = expect_error(unknown, 401, Some("password")).await;
    assert_eq!(
        err.message, "Wrong email or password.",
        "same answer for unknown emails"
    );

    let ok = app
        .call(
            &c,
            "login",
            &[
                ("email", "DEV@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert!(ok.status().is_success());
    assert_eq!(ok.headers().get("location").unwrap(), "/reports");
    let me: Value = app.call_ok(&c, "whoami", &[]).await;
    assert_eq!(me["email"], "dev@example.com");

    let sessions = |db: app::server::db::Db| async move {
        app::on_db!(&db, pool => {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions").fetch_one(pool).await.unwrap();
            n
        })
    };
    let before = sessions(app.db.clone()).await;
    assert!(before >= 1, "session stored in the database");

    // Requests slide the expiry, but a signed-in request writes nothing: the row is
    // rewritten only when its data changes or its stored expiry lags by an hour.
    let stored = |db: app::server::db::Db| async move {
        app::on_db!(&db, pool => {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT id, data, expires_at FROM sessions ORDER BY id").fetch_all(pool).await.unwrap();
            rows
        })
    };
    let rows = stored(app.db.clone()).await;
    for _ in 0..3 {
        let me: Value = app.call_ok(&c, "whoami", &[]).await;
        assert_eq!(me["email"], "dev@example.com");
    }
    assert_eq!(
        stored(app.db.clone()).await,
        rows,
        "no session write per request"
    );

    let out = app.call(&c, "logout", &[]).await;
    assert!(out.status().is_success());
    let me: Value = app.call_ok(&c, "whoami", &[]).await;
    assert!(me.is_null(), "signed out");
    assert_eq!(
        sessions(app.db.clone()).await,
        before - 1,
        "session row deleted"
    );

    // An open redirect through ?next= is refused.
    let ok = app
        .call(
            &c,
            "login",
            &[
                ("email", "dev@example.com"),
                ("password", "correct horse battery"),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(ok.headers().get("location").unwrap(), "/reports");
}

async fn forms_work_without_javascript(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = client();
    // A plain HTML form post (Accept: text/html) is answered with a redirect: back to the
    // form with the error in the URL, or on to the next page.
    let res = c
        .post(format!("{}/api/signup", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/signup", app.base))
        .form(&[
            ("email", "nope"),
            ("password", "long enough password"),
            ("timezone", "UTC"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let back = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        back.starts_with(&format!("{}/signup?", app.base)) && back.contains("__err"),
        "{back}"
    );
    let page = c.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("id=\"email-error\""),
        "inline error rendered on the server: {page}"
    );

    let res = c
        .post(format!("{}/api/signup", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/signup", app.base))
        .form(&[
            ("email", "nojs@example.com"),
            ("password", "long enough password"),
            ("timezone", "UTC"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers().get("location").unwrap(), "/reports/new");
    let form = app.get(&c, "/reports/new").await;
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("name=\"draft[endpoint]\""),
        "the report form is served"
    );
    assert!(
        html.contains("name=\"draft[retry_reason]\""),
        "the reason field is reachable without JS"
    );
}

async fn health_probes_answer(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = client();
    assert_eq!(app.get(&c, "/health/live").await.status(), 200);
    assert_eq!(app.get(&c, "/health/ready").await.status(), 200);
    assert_eq!(app.get(&c, "/no/such/page").await.status(), 404);
}

async fn staff_accounts_come_from_the_cli(engine: Engine) {
    use std::io::Write;
    let app = spawn_app(engine).await;
    let count = || async {
        app::on_db!(&app.db, pool => {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap();
            n
        })
    };
    assert_eq!(count().await, 0, "no default accounts");
    let run = |password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args([
                "create-user",
                "--email",
                "Agent@Example.com",
                "--role",
                "agent",
                "--password-stdin",
            ])
            .env("FAULTDESK_DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "error")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("server binary runs");
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = run("short");
    assert!(!weak.status.success(), "a short password is refused");
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let out = run("agent password 123");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("role agent"));

    let c = client();
    let ok = app
        .call(
            &c,
            "login",
            &[
                ("email", "agent@example.com"),
                ("password", "agent password 123"),
            ],
        )
        .await;
    assert!(ok.status().is_success());
    assert_eq!(
        ok.headers().get("location").unwrap(),
        "/queue",
        "staff land on the queue"
    );
    let me: Value = app.call_ok(&c, "whoami", &[]).await;
    assert_eq!(me["role"], "agent");
}

on_both_engines!(
    staff_accounts_come_from_the_cli,
    signup_validates_and_signs_in,
    login_logout_and_sessions_live_in_the_database,
    forms_work_without_javascript,
    health_probes_answer,
);
