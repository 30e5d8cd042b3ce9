//! People and passwords (PRODUCT §2, §4), on SQLite and PostgreSQL: managers invite
//! staff by a one-time link (mailed through a real SMTP listener), change roles and
//! deactivate accounts (their sessions and API tokens refused on the next request);
//! the last active manager cannot step down; every change is audited; passwords change
//! (other sessions signed out) and reset by a single-use, expiring, hashed link that
//! never tells whether an email has an account; staff display names reach developers.

mod common;

use app::domain::role::Role;
use chrono::Duration;
use common::{
    builders::ReportForm, client, expect_error, smtp::SmtpServer, spawn_app_with, tuesday_10am,
    Engine, TestApp,
};
use reqwest::Client;
use serde_json::Value;

on_both_engines!(
    a_manager_invites_an_agent_who_joins_through_the_link_once,
    deactivation_stops_sessions_and_tokens_at_once_and_the_last_manager_stays,
    a_password_change_signs_out_the_other_sessions,
    a_reset_link_works_once_within_the_hour_and_tells_nobody_who_has_an_account,
    developers_get_nothing_of_people_and_see_staff_by_display_name,
);

async fn with_smtp(engine: Engine) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url.clone();
    let app = spawn_app_with(engine, tuesday_10am(), move |s| {
        s.smtp_url = Some(url);
        s.public_url = Some("https://desk.example.com".to_owned());
    })
    .await;
    (app, smtp)
}

async fn ok(app: &TestApp, c: &Client, name: &str, form: &[(&str, &str)]) {
    let res = app.call(c, name, form).await;
    let status = res.status();
    assert!(
        status.is_success() || status.as_u16() == 302,
        "{name}: {status} {}",
        res.text().await.unwrap_or_default()
    );
}

async fn whoami(app: &TestApp, c: &Client) -> Value {
    app.call_ok(c, "whoami", &[]).await
}

/// The token in a mailed link (the body may be quoted-printable: long lines are wrapped
/// with soft breaks and `=` escaped).
fn token_in(mail: &str, path: &str) -> String {
    let mail = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = mail
        .find(path)
        .unwrap_or_else(|| panic!("no {path} link in {mail}"))
        + path.len();
    mail[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

async fn person<'a>(people: &'a Value, email: &str) -> &'a Value {
    people["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("{email} not listed: {people}"))
}

async fn a_manager_invites_an_agent_who_joins_through_the_link_once(engine: Engine) {
    let (app, smtp) = with_smtp(engine).await;
    let manager = app.staff("lead@example.com", Role::Manager).await;
    // Bad input names the field; an existing account is not invited.
    expect_error(
        app.call(
            &manager,
            "invite_staff",
            &[("email", "nope"), ("role", "agent")],
        )
        .await,
        422,
        Some("email"),
    )
    .await;
    expect_error(
        app.call(
            &manager,
            "invite_staff",
            &[("email", "new@example.com"), ("role", "developer")],
        )
        .await,
        422,
        Some("role"),
    )
    .await;
    expect_error(
        app.call(
            &manager,
            "invite_staff",
            &[("email", "lead@example.com"), ("role", "agent")],
        )
        .await,
        409,
        Some("email"),
    )
    .await;

    let made: Value = app
        .call_ok(
            &manager,
            "invite_staff",
            &[("email", "New@Example.com"), ("role", "agent")],
        )
        .await;
    assert_eq!(made["email"], "new@example.com");
    assert_eq!(made["mailed"], true);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, ["new@example.com"]);
    let token = token_in(&mails[0].data, "https://desk.example.com/invite?token=");
    assert_eq!(token.len(), 43);
    assert!(made["link"].as_str().unwrap().ends_with(&token));
    // Only the hash is stored.
    let stored: i64 = app::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM invites WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(stored, 0, "the token itself is never stored");

    let newcomer = client();
    let info: Value = app
        .call_ok(&newcomer, "invite_info", &[("token", &token)])
        .await;
    assert_eq!(info["email"], "new@example.com");
    assert_eq!(info["role"], "agent");
    expect_error(
        app.call(
            &newcomer,
            "accept_invite",
            &[
                ("token", &token),
                ("password", "short"),
                ("timezone", "UTC"),
            ],
        )
        .await,
        422,
        Some("password"),
    )
    .await;
    ok(
        &app,
        &newcomer,
        "accept_invite",
        &[
            ("token", &token),
            ("password", "a long new password"),
            ("timezone", "Europe/Berlin"),
        ],
    )
    .await;
    let me = whoami(&app, &newcomer).await;
    assert_eq!(me["email"], "new@example.com");
    assert_eq!(me["role"], "agent");
    // The agent works the queue.
    let dev = app.developer("dev@example.com").await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    ok(&app, &newcomer, "claim_ticket", &[("id", &id.to_string())]).await;

    // Used once: the link is gone.
    expect_error(
        app.call(&client(), "invite_info", &[("token", &token)])
            .await,
        404,
        None,
    )
    .await;
    expect_error(
        app.call(
            &client(),
            "accept_invite",
            &[
                ("token", &token),
                ("password", "another long password"),
                ("timezone", "UTC"),
            ],
        )
        .await,
        422,
        Some("token"),
    )
    .await;

    // A second invitation expires after 72 hours.
    let late: Value = app
        .call_ok(
            &manager,
            "invite_staff",
            &[("email", "late@example.com"), ("role", "manager")],
        )
        .await;
    let late_token = late["link"]
        .as_str()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    app.clock
        .set(tuesday_10am() + Duration::hours(72) + Duration::seconds(1));
    expect_error(
        app.call(
            &client(),
            "accept_invite",
            &[
                ("token", &late_token),
                ("password", "a long new password"),
                ("timezone", "UTC"),
            ],
        )
        .await,
        422,
        Some("token"),
    )
    .await;

    let people: Value = app.call_ok(&manager, "list_people", &[]).await;
    let states: Vec<(String, String)> = people["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["email"].as_str().unwrap().to_owned(),
                i["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("late@example.com".to_owned(), "expired".to_owned()),
            ("new@example.com".to_owned(), "accepted".to_owned())
        ]
    );
    let actions: Vec<&str> = people["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["invited", "joined", "invited"]);
    assert!(person(&people, "new@example.com").await["last_sign_in_local"].is_string());
}

async fn deactivation_stops_sessions_and_tokens_at_once_and_the_last_manager_stays(engine: Engine) {
    let app = common::spawn_app(engine).await;
    let manager = app.staff("lead@example.com", Role::Manager).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let made: Value = app
        .call_ok(
            &agent,
            "create_token",
            &[("name", "bot"), ("expires", "30")],
        )
        .await;
    let token = made["token"].as_str().unwrap().to_owned();
    let me = |t: String| {
        let url = format!("{}/api/v1/me", app.base);
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(me(token.clone()).await.status(), 200);
    let people: Value = app.call_ok(&manager, "list_people", &[]).await;
    let agent_id = person(&people, "agent@example.com").await["id"].to_string();
    let manager_id = person(&people, "lead@example.com").await["id"].to_string();

    ok(
        &app,
        &manager,
        "set_account_active",
        &[("user_id", &agent_id), ("active", "no")],
    )
    .await;
    // On the next request: signed out, the token refused, sign-in refused.
    assert!(whoami(&app, &agent).await.is_null());
    expect_error(
        app.call(&agent, "queue", &[("query[status]", "")]).await,
        401,
        None,
    )
    .await;
    let refused = me(token.clone()).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("deactivated"));
    expect_error(
        app.call(
            &client(),
            "login",
            &[
                ("email", "agent@example.com"),
                ("password", "staff password 123"),
            ],
        )
        .await,
        403,
        Some("email"),
    )
    .await;
    // No longer offered for assignment.
    let staff: Value = app.call_ok(&manager, "staff_members", &[]).await;
    assert!(!staff.to_string().contains("agent@example.com"), "{staff}");

    // Reactivated: the token works again; the old session stays signed out.
    ok(
        &app,
        &manager,
        "set_account_active",
        &[("user_id", &agent_id), ("active", "yes")],
    )
    .await;
    assert_eq!(me(token).await.status(), 200);
    assert!(whoami(&app, &agent).await.is_null());
    let again = client();
    ok(
        &app,
        &again,
        "login",
        &[
            ("email", "agent@example.com"),
            ("password", "staff password 123"),
        ],
    )
    .await;
    assert_eq!(whoami(&app, &again).await["role"], "agent");

    // The only manager can neither step down nor deactivate themself.
    expect_error(
        app.call(
            &manager,
            "change_role",
            &[("user_id", &manager_id), ("role", "agent")],
        )
        .await,
        409,
        Some("role"),
    )
    .await;
    expect_error(
        app.call(
            &manager,
            "set_account_active",
            &[("user_id", &manager_id), ("active", "no")],
        )
        .await,
        409,
        Some("active"),
    )
    .await;
    expect_error(
        app.call(
            &manager,
            "change_role",
            &[("user_id", &agent_id), ("role", "boss")],
        )
        .await,
        422,
        Some("role"),
    )
    .await;
    // With a second manager, they can.
    ok(
        &app,
        &manager,
        "change_role",
        &[("user_id", &agent_id), ("role", "manager")],
    )
    .await;
    assert_eq!(
        whoami(&app, &again).await["role"],
        "manager",
        "roles apply at once"
    );
    ok(
        &app,
        &manager,
        "change_role",
        &[("user_id", &manager_id), ("role", "agent")],
    )
    .await;
    expect_error(app.call(&manager, "list_people", &[]).await, 403, None).await;

    let people: Value = app.call_ok(&again, "list_people", &[]).await;
    let audit: Vec<(String, String, String)> = people["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_owned(),
                a["user"].as_str().unwrap().to_owned(),
                a["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        audit,
        [
            (
                "role".into(),
                "lead@example.com".into(),
                "manager → agent".into()
            ),
            (
                "role".into(),
                "agent@example.com".into(),
                "agent → manager".into()
            ),
            (
                "reactivated".into(),
                "agent@example.com".into(),
                String::new()
            ),
            (
                "deactivated".into(),
                "agent@example.com".into(),
                String::new()
            ),
        ]
    );
}

async fn a_password_change_signs_out_the_other_sessions(engine: Engine) {
    let app = common::spawn_app(engine).await;
    let laptop = app.developer("dev@example.com").await;
    let phone = client();
    ok(
        &app,
        &phone,
        "login",
        &[
            ("email", "dev@example.com"),
            ("password", "correct horse battery"),
        ],
    )
    .await;
    assert_eq!(whoami(&app, &phone).await["email"], "dev@example.com");

    expect_error(
        app.call(
            &laptop,
            "change_password",
            &[
                ("current_password", "wrong guess here"),
                ("new_password", "a brand new secret"),
            ],
        )
        .await,
        422,
        Some("current_password"),
    )
    .await;
    expect_error(
        app.call(
            &laptop,
            "change_password",
            &[
                ("current_password", "correct horse battery"),
                ("new_password", "short"),
            ],
        )
        .await,
        422,
        Some("password"),
    )
    .await;
    assert_eq!(
        whoami(&app, &phone).await["email"],
        "dev@example.com",
        "nothing changed yet"
    );
    ok(
        &app,
        &laptop,
        "change_password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "a brand new secret"),
        ],
    )
    .await;
    assert_eq!(
        whoami(&app, &laptop).await["email"],
        "dev@example.com",
        "this session stays"
    );
    assert!(
        whoami(&app, &phone).await.is_null(),
        "the other is signed out"
    );
    expect_error(
        app.call(
            &client(),
            "login",
            &[
                ("email", "dev@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await,
        401,
        Some("password"),
    )
    .await;
    ok(
        &app,
        &client(),
        "login",
        &[
            ("email", "dev@example.com"),
            ("password", "a brand new secret"),
        ],
    )
    .await;
    expect_error(
        app.call(
            &client(),
            "change_password",
            &[("current_password", "x"), ("new_password", "y")],
        )
        .await,
        401,
        None,
    )
    .await;
}

async fn a_reset_link_works_once_within_the_hour_and_tells_nobody_who_has_an_account(
    engine: Engine,
) {
    let (app, smtp) = with_smtp(engine).await;
    let old = app.developer("dev@example.com").await;
    let visitor = client();
    // Unknown and known emails get the same answer; only the known one gets mail.
    let unknown = app
        .call(
            &visitor,
            "request_password_reset",
            &[("email", "nobody@example.com")],
        )
        .await;
    let known = app
        .call(
            &visitor,
            "request_password_reset",
            &[("email", "Dev@Example.com")],
        )
        .await;
    assert_eq!(unknown.status(), known.status());
    let (unknown, known) = (unknown.text().await.unwrap(), known.text().await.unwrap());
    assert_eq!(unknown, known);
    assert_eq!(known, "true", "mail goes out here");
    let mails = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(mails[0].to, ["dev@example.com"]);
    let token = token_in(
        &mails[0].data,
        "https://desk.example.com/reset-password?token=",
    );

    expect_error(
        app.call(
            &visitor,
            "reset_password",
            &[("token", "forged"), ("password", "a brand new secret")],
        )
        .await,
        422,
        Some("token"),
    )
    .await;
    ok(
        &app,
        &visitor,
        "reset_password",
        &[("token", &token), ("password", "a brand new secret")],
    )
    .await;
    assert_eq!(
        whoami(&app, &visitor).await["email"],
        "dev@example.com",
        "signed in"
    );
    assert!(
        whoami(&app, &old).await.is_null(),
        "every older session is signed out"
    );
    // Single use.
    expect_error(
        app.call(
            &client(),
            "reset_password",
            &[("token", &token), ("password", "yet another secret")],
        )
        .await,
        422,
        Some("token"),
    )
    .await;
    ok(
        &app,
        &client(),
        "login",
        &[
            ("email", "dev@example.com"),
            ("password", "a brand new secret"),
        ],
    )
    .await;

    // A second link expires after an hour.
    app.call(
        &visitor,
        "request_password_reset",
        &[("email", "dev@example.com")],
    )
    .await;
    let mails = smtp.wait_for(2).await;
    let late = token_in(
        &mails[1].data,
        "https://desk.example.com/reset-password?token=",
    );
    app.clock.set(tuesday_10am() + Duration::minutes(61));
    expect_error(
        app.call(
            &client(),
            "reset_password",
            &[("token", &late), ("password", "yet another secret")],
        )
        .await,
        422,
        Some("token"),
    )
    .await;
}

async fn developers_get_nothing_of_people_and_see_staff_by_display_name(engine: Engine) {
    let app = common::spawn_app(engine).await;
    // Without mail, asking for a reset link says so (whoever asks) and stores nothing.
    app.developer("someone@example.com").await;
    for email in ["someone@example.com", "nobody@example.com"] {
        let answer: bool = app
            .call_ok(&client(), "request_password_reset", &[("email", email)])
            .await;
        assert!(!answer);
    }
    let links: i64 = app::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM password_resets")
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(links, 0);
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("ana@example.com", Role::Agent).await;
    for (name, form) in [
        ("list_people", vec![]),
        (
            "invite_staff",
            vec![("email", "x@example.com"), ("role", "agent")],
        ),
        ("change_role", vec![("user_id", "1"), ("role", "manager")]),
        (
            "set_account_active",
            vec![("user_id", "1"), ("active", "no")],
        ),
        ("set_display_name", vec![("display_name", "Me")]),
    ] {
        expect_error(app.call(&dev, name, &form).await, 403, None).await;
    }
    expect_error(app.call(&agent, "list_people", &[]).await, 403, None).await;

    expect_error(
        app.call(
            &agent,
            "set_display_name",
            &[("display_name", &"x".repeat(81))],
        )
        .await,
        422,
        Some("display_name"),
    )
    .await;
    ok(&app, &agent, "set_display_name", &[("display_name", "Ana")]).await;
    let mine: Value = app.call_ok(&agent, "my_account", &[]).await;
    assert_eq!(mine["display_name"], "Ana");
    let id = app.file(&dev, &ReportForm::server_error()).await;
    ok(
        &app,
        &agent,
        "post_message",
        &[
            ("id", &id.to_string()),
            ("body", "We are on it."),
            ("visibility", "public"),
            ("then_status", ""),
        ],
    )
    .await;
    let report: Value = app
        .call_ok(&dev, "get_report", &[("id", &id.to_string())])
        .await;
    assert_eq!(report["messages"][0]["author"], "Ana (Support)", "{report}");
    assert!(
        !report.to_string().contains("ana@example.com"),
        "no staff email for developers"
    );
}
