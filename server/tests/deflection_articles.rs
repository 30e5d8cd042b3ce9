//! Deflection per guidance article (PRODUCT §4, §6), on SQLite and PostgreSQL: for each
//! article shown in the range, how often it solved the problem, how often the developer
//! escalated, re-contacts within 24 hours, and the self-solve rate; the same numbers on
//! the page's table and in its CSV; managers only.

mod common;

use app::domain::role::Role;
use common::{builders::ReportForm, expect_error, spawn_app, Engine};
use serde_json::Value;

on_both_engines!(each_article_shows_what_it_solved_and_what_it_did_not);

async fn each_article_shows_what_it_solved_and_what_it_did_not(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let other = app.developer("other@example.com").await;
    let manager = app.staff("lead@example.com", Role::Manager).await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let expired = ReportForm::client_error(); // 401 "Token has expired"
    let not_found = ReportForm::client_error()
        .with("status", "404")
        .with("message", "Not Found");

    // The expired-token article: solved once, escalated once, and re-filed within 24 h.
    let solved = app.file(&dev, &expired).await;
    let res = app
        .call(
            &dev,
            "report_feedback",
            &[("id", &solved.to_string()), ("outcome", "solved")],
        )
        .await;
    assert!(res.status().is_success());
    let failing = app.file(&other, &expired).await;
    let res = app
        .call(
            &other,
            "report_feedback",
            &[
                ("id", &failing.to_string()),
                ("outcome", "still_failing"),
                ("changed", "Refreshed the token, still 401."),
            ],
        )
        .await;
    assert!(res.status().is_success());
    app.file(&dev, &expired).await; // a re-contact, unanswered
                                    // A 404: shown once, no answer.
    app.file(&dev, &not_found).await;

    let r: Value = app
        .call_ok(&manager, "manager_report", &[("from", ""), ("to", "")])
        .await;
    let rows = r["by_article"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{}", r["by_article"]);
    // The article that failed (an escalation) comes first.
    let first = &rows[0];
    assert_eq!(first["shown"], 3, "{first}");
    assert_eq!(first["self_solved"], 1);
    assert_eq!(first["escalated"], 1);
    assert_eq!(first["no_answer"], 1);
    assert_eq!(first["recontacts"], 1);
    let second = &rows[1];
    assert_eq!(
        (second["shown"].as_i64(), second["escalated"].as_i64()),
        (Some(1), Some(0))
    );
    assert_ne!(first["slug"], second["slug"]);
    let title = first["title"].as_str().unwrap().to_owned();

    // The CSV holds the same numbers, with the rate.
    let csv = app
        .get(&manager, "/manager/reports/deflection_by_article.csv")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Article,Shown,This solved it,Still failing (escalated),No answer yet,Re-contacts within 24 h,Self-solve rate %"
    );
    let line = lines.next().unwrap();
    assert!(line.contains(",3,1,1,1,1,33.3"), "{line}");
    assert!(
        line.starts_with(&title) || line.starts_with(&format!("\"{title}")),
        "{line}"
    );
    // Managers only.
    let res = app
        .get(&agent, "/manager/reports/deflection_by_article.csv")
        .await;
    assert_eq!(res.status(), 403);
    expect_error(
        app.call(&agent, "manager_report", &[("from", ""), ("to", "")])
            .await,
        403,
        None,
    )
    .await;
}
