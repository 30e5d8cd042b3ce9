//! The guidance editor (PRODUCT §4: agents edit the articles), on SQLite and PostgreSQL:
//! articles are edited, created with code ranges or a regular expression (checked on
//! save, each error naming its field, nothing stored), retired and restored; every save
//! is a version with who, when and a diff; a stale save is refused; the preview picks
//! what the intake picks; a report keeps the version it was shown; on PostgreSQL an
//! edit on one instance reaches the other's filings at once; developers get none of it.

mod common;

use app::domain::role::Role;
use common::{builders::ReportForm, expect_error, spawn_app, Engine};
use serde_json::Value;
use std::time::Duration;

on_both_engines!(agents_edit_guidance_and_reports_keep_what_they_showed);
on_both_engines!(new_articles_match_by_range_and_regex_until_retired);

/// The save form: `fields` override the article's (`article[...]`), `extra` adds the
/// plain fields (`version`, `create`).
fn article(fields: &[(&str, &str)], extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = vec![
        ("slug", "token-expired"),
        ("title", "Your access token expired: get a new one"),
        ("summary", "Access tokens last an hour."),
        ("checks", "The token's exp claim\nYour clock"),
        ("call_again", "With a fresh token from /oauth/token."),
        ("retry_same_request", "no"),
        ("codes", "401"),
        ("pattern_kind", "words"),
        ("pattern", "expir"),
    ];
    for &(k, v) in fields {
        match form.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v,
            None => form.push((k, v)),
        }
    }
    form.into_iter()
        .map(|(k, v)| (format!("article[{k}]"), v.to_owned()))
        .chain(extra.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

fn refs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn guidance_of(app: &common::TestApp, c: &reqwest::Client, id: i64) -> Value {
    let r: Value = app
        .call_ok(c, "get_report", &[("id", &id.to_string())])
        .await;
    r["guidance"].clone()
}

async fn agents_edit_guidance_and_reports_keep_what_they_showed(engine: Engine) {
    let app = spawn_app(engine).await;
    let other = match engine {
        Engine::Postgres => Some(app.second_instance().await),
        Engine::Sqlite => None,
    };
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let manager = app.staff("lead@example.com", Role::Manager).await;

    let before = app.file(&dev, &ReportForm::client_error()).await;
    let shown = guidance_of(&app, &dev, before).await;
    assert_eq!(shown["slug"], "token-expired");
    assert_eq!(shown["version"], 1);
    let old_title = shown["title"].as_str().unwrap().to_owned();
    if let Some(b) = &other {
        // The other instance files one too, so its catalogue is cached before the edit.
        let on_b = b.file(&dev, &ReportForm::client_error()).await;
        assert_eq!(guidance_of(b, &dev, on_b).await["version"], 1);
    }

    let list: Value = app.call_ok(&agent, "list_guidance", &[]).await;
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "token-expired")
        .expect("listed");
    assert_eq!(row["version"], 1);
    assert_eq!(row["by"], "installation");
    let preview: Value = app
        .call_ok(
            &agent,
            "preview_guidance",
            &[("status", "401"), ("message", "Token has expired")],
        )
        .await;
    assert_eq!(preview["slug"], "token-expired");

    // Bad fields are refused one by one, naming the field; nothing is stored.
    for (field, value, status) in [
        ("title", "", 422),
        ("checks", " - ", 422),
        ("codes", "401,500", 422),
        ("pattern_kind", "glob", 422),
        ("retry_same_request", "maybe", 422),
    ] {
        let form = article(&[(field, value)], &[("version", "1")]);
        expect_error(
            app.call(&agent, "save_guidance", &refs(&form)).await,
            status,
            Some(field),
        )
        .await;
    }
    let form = article(
        &[("pattern_kind", "regex"), ("pattern", "expir(ed")],
        &[("version", "1")],
    );
    let err = expect_error(
        app.call(&agent, "save_guidance", &refs(&form)).await,
        422,
        Some("pattern"),
    )
    .await;
    assert!(
        err.message.contains("not a valid regular expression"),
        "{}",
        err.message
    );

    // An agent saves version 2.
    let form = article(&[], &[("version", "1")]);
    let v: i64 = app.call_ok(&agent, "save_guidance", &refs(&form)).await;
    assert_eq!(v, 2);
    // Saving the same text again stores nothing new.
    let same = article(&[], &[("version", "2")]);
    let v: i64 = app.call_ok(&manager, "save_guidance", &refs(&same)).await;
    assert_eq!(v, 2);
    // A save started from version 1 would overwrite it: refused, nothing stored.
    let stale = article(&[("title", "Someone else's title")], &[("version", "1")]);
    expect_error(
        app.call(&manager, "save_guidance", &refs(&stale)).await,
        409,
        Some("version"),
    )
    .await;

    // The next 401 shows the new text; the old report keeps the old one.
    let after = app.file(&dev, &ReportForm::client_error()).await;
    let now_shown = guidance_of(&app, &dev, after).await;
    assert_eq!(
        now_shown["title"],
        "Your access token expired: get a new one"
    );
    assert_eq!(now_shown["version"], 2);
    assert_eq!(
        now_shown["checks"],
        serde_json::json!(["The token's exp claim", "Your clock"])
    );
    let then = guidance_of(&app, &dev, before).await;
    assert_eq!(then["title"], old_title.as_str());
    assert_eq!(then["version"], 1);
    if let Some(b) = &other {
        // The other instance drops its cached catalogue on the edit.
        let mut version = Value::Null;
        for _ in 0..50 {
            let id = b.file(&dev, &ReportForm::client_error()).await;
            version = guidance_of(b, &dev, id).await["version"].clone();
            if version == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(version, 2, "instance B shows the edited article");
    }

    // Both versions are kept, with who and what changed.
    let detail: Value = app
        .call_ok(&agent, "get_guidance", &[("slug", "token-expired")])
        .await;
    assert_eq!(detail["version"], 2);
    let versions = detail["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["by"], "agent@example.com");
    assert_eq!(versions[1]["by"], "installation");
    let title = versions[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "Title")
        .expect("the title changed");
    assert_eq!(
        title["lines"],
        serde_json::json!([
            {"tag": "-", "text": old_title},
            {"tag": "+", "text": "Your access token expired: get a new one"},
        ])
    );
    // The page shows the versions, the report's ticket links to the version shown.
    let html = app
        .get(&agent, "/guidance/token-expired")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"version-2\""), "versions listed");
    assert!(html.contains("Your access token expired: get a new one"));

    // Developers get none of it.
    for (name, form) in [
        ("list_guidance", vec![]),
        ("get_guidance", vec![("slug", "token-expired")]),
        ("save_guidance", refs(&same)),
        (
            "retire_guidance",
            vec![("slug", "token-expired"), ("retired", "yes")],
        ),
        ("preview_guidance", vec![("status", "401"), ("message", "")]),
    ] {
        expect_error(app.call(&dev, name, &form).await, 403, None).await;
    }
}

async fn new_articles_match_by_range_and_regex_until_retired(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let quota = ReportForm::client_error()
        .with("status", "429")
        .with("message", "Daily QUOTA   exceeded for key k_1");
    let preview = |status: &'static str, message: &'static str| {
        let (app, agent) = (&app, &agent);
        async move {
            let p: Value = app
                .call_ok(
                    agent,
                    "preview_guidance",
                    &[("status", status), ("message", message)],
                )
                .await;
            p["slug"].as_str().unwrap_or("none").to_owned()
        }
    };
    assert_eq!(preview("429", "Daily quota exceeded").await, "rate-limited");
    expect_error(
        app.call(
            &agent,
            "preview_guidance",
            &[("status", "503"), ("message", "")],
        )
        .await,
        422,
        Some("status"),
    )
    .await;

    let create = |slug: &'static str| {
        article(
            &[
                ("slug", slug),
                ("title", "Daily quota exceeded"),
                ("codes", "400-409, 429"),
                ("pattern_kind", "regex"),
                ("pattern", r"quota\s+exceeded"),
                ("retry_same_request", "yes"),
            ],
            &[("create", "yes")],
        )
    };
    let v: i64 = app
        .call_ok(&agent, "save_guidance", &refs(&create("quota-exceeded")))
        .await;
    assert_eq!(v, 1);
    expect_error(
        app.call(&agent, "save_guidance", &refs(&create("quota-exceeded")))
            .await,
        409,
        Some("slug"),
    )
    .await;
    expect_error(
        app.call(&agent, "save_guidance", &refs(&create("Quota Exceeded")))
            .await,
        422,
        Some("slug"),
    )
    .await;
    assert_eq!(
        preview("429", "Daily quota exceeded").await,
        "quota-exceeded"
    );
    assert_eq!(preview("403", "quota  EXCEEDED").await, "quota-exceeded");
    assert_eq!(preview("410", "quota exceeded").await, "client-error");
    assert_eq!(preview("429", "slow down").await, "rate-limited");

    let first = app.file(&dev, &quota).await;
    let shown = guidance_of(&app, &dev, first).await;
    assert_eq!(shown["slug"], "quota-exceeded");
    assert_eq!(shown["retry_same_request"], true);

    // Retired: it stops matching at once; the report that showed it keeps it.
    let v: i64 = app
        .call_ok(
            &agent,
            "retire_guidance",
            &[
                ("slug", "quota-exceeded"),
                ("retired", "yes"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(v, 2);
    assert_eq!(preview("429", "Daily quota exceeded").await, "rate-limited");
    let second = app.file(&dev, &quota).await;
    assert_eq!(
        guidance_of(&app, &dev, second).await["slug"],
        "rate-limited"
    );
    let kept = guidance_of(&app, &dev, first).await;
    assert_eq!(kept["slug"], "quota-exceeded");
    assert_eq!(kept["version"], 1);
    assert_eq!(kept["title"], "Daily quota exceeded");
    let list: Value = app.call_ok(&agent, "list_guidance", &[]).await;
    let last = list.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["slug"], "quota-exceeded", "retired articles come last");
    assert_eq!(last["retired"], true);
    // A retire from a stale page is refused; restoring brings it back as version 3.
    expect_error(
        app.call(
            &agent,
            "retire_guidance",
            &[
                ("slug", "quota-exceeded"),
                ("retired", "no"),
                ("version", "1"),
            ],
        )
        .await,
        409,
        Some("version"),
    )
    .await;
    let v: i64 = app
        .call_ok(
            &agent,
            "retire_guidance",
            &[
                ("slug", "quota-exceeded"),
                ("retired", "no"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(v, 3);
    assert_eq!(
        preview("429", "Daily quota exceeded").await,
        "quota-exceeded"
    );
    let detail: Value = app
        .call_ok(&agent, "get_guidance", &[("slug", "quota-exceeded")])
        .await;
    let retired_change = &detail["versions"][1]["changes"][0];
    assert_eq!(retired_change["label"], "Retired");
    assert_eq!(
        retired_change["lines"],
        serde_json::json!([{"tag": "-", "text": "no"}, {"tag": "+", "text": "yes"}])
    );
    expect_error(
        app.call(&agent, "get_guidance", &[("slug", "no-such-article")])
            .await,
        404,
        None,
    )
    .await;

    // Without JavaScript a refused save comes back with what was typed.
    let form = article(
        &[
            ("slug", "quota-exceeded"),
            ("title", "Kept title while the regex is fixed"),
            ("pattern_kind", "regex"),
            ("pattern", "quota("),
        ],
        &[("version", "3")],
    );
    let back = app
        .refused_without_js(&agent, "save_guidance", "/guidance/quota-exceeded", &form)
        .await;
    let html = agent.get(back).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Kept title while the regex is fixed"),
        "typed title kept"
    );
    assert!(
        html.contains("not a valid regular expression"),
        "error shown"
    );
}
