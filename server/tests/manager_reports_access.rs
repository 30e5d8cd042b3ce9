//! Manager reports: who may see them (every server function, page and CSV route),
//! how a bad range is refused, and that figures follow the real filing, guidance and
//! reply flows.

mod common;

use app::{
    api::manager::{ManagerReport, ReportTable},
    domain::role::Role,
};
use chrono::{Duration, TimeZone, Utc};
use common::{
    builders::ReportForm, client, expect_error, spawn_app, tickets::staff, tuesday_10am, Engine,
    TestApp,
};
use reqwest::Client;
use server::routes::PLAIN_ROUTES;

async fn only_managers_see_reports(engine: Engine) {
    let app = spawn_app(engine).await;
    let anonymous = client();
    let developer = app.developer("dev@example.com").await;
    let agent = staff(&app, "agent@example.com", Role::Agent).await;
    let manager = staff(&app, "lead@example.com", Role::Manager).await;
    let manager_routes: Vec<&str> = PLAIN_ROUTES
        .iter()
        .filter(|(_, role)| *role == Some(Role::Manager))
        .map(|(path, _)| *path)
        .collect();
    assert_eq!(manager_routes.len(), ReportTable::ALL.len());
    for (who, c, status) in [
        ("anonymous", &anonymous, 401),
        ("developer", &developer, 403),
        ("agent", &agent, 403),
    ] {
        let res = app
            .call(c, "manager_report", &[("from", ""), ("to", "")])
            .await;
        expect_error(res, status, None).await;
        for path in &manager_routes {
            let res = app
                .get(c, &format!("{path}?from=2026-11-01&to=2026-11-24"))
                .await;
            assert_ne!(
                res.headers()["content-type"],
                "text/csv; charset=utf-8",
                "{who} {path}"
            );
            expect_error(res, status, None).await;
        }
        let page = app.get(c, "/manager/reports").await;
        assert_eq!(page.status().as_u16(), status, "{who} page");
        let html = page.text().await.unwrap();
        assert!(
            !html.contains("First-response SLA attainment"),
            "{who} sees no figures"
        );
    }
    let _: ManagerReport = app
        .call_ok(&manager, "manager_report", &[("from", ""), ("to", "")])
        .await;
    for path in &manager_routes {
        assert_eq!(app.get(&manager, path).await.status(), 200, "{path}");
    }
    let page = app.get(&manager, "/manager/reports").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("First-response SLA attainment"));
    assert!(
        html.contains("href=\"/manager/reports\""),
        "managers get the nav link"
    );
    let queue = app.get(&agent, "/queue").await.text().await.unwrap();
    assert!(
        !queue.contains("href=\"/manager/reports\""),
        "agents do not"
    );
}

async fn bad_ranges_name_the_field(engine: Engine) {
    let app = spawn_app(engine).await;
    let manager = staff(&app, "lead@example.com", Role::Manager).await;
    let call = |from: &'static str, to: &'static str| {
        let m = manager.clone();
        let app = &app;
        async move {
            app.call(&m, "manager_report", &[("from", from), ("to", to)])
                .await
        }
    };
    expect_error(call("2026-11-30", "2026-11-01").await, 422, Some("to")).await;
    expect_error(call("last week", "").await, 422, Some("from")).await;
    expect_error(call("2026-11-01", "2026-13-01").await, 422, Some("to")).await;
    let long = expect_error(call("2025-11-01", "2026-11-24").await, 422, Some("from")).await;
    assert!(long.message.contains("389 days"), "{}", long.message);
    // The longest range is fine; so is the default (the last 30 days up to today).
    let year: ManagerReport = app
        .call_ok(
            &manager,
            "manager_report",
            &[("from", "2025-11-24"), ("to", "2026-11-24")],
        )
        .await;
    assert_eq!(year.days, 366);
    assert!(year.weekly, "a long range charts weeks");
    let default: ManagerReport = app
        .call_ok(&manager, "manager_report", &[("from", ""), ("to", "")])
        .await;
    assert_eq!(
        (default.from.as_str(), default.to.as_str()),
        ("2026-10-26", "2026-11-24")
    );
    assert_eq!(default.by_day.len(), 30);

    let csv = app
        .get(
            &manager,
            "/manager/reports/breaches.csv?from=2026-11-30&to=2026-11-01",
        )
        .await;
    expect_error(csv, 422, Some("to")).await;
    let page = app
        .get(&manager, "/manager/reports?from=2026-11-30&to=2026-11-01")
        .await;
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"to-error\""),
        "the message sits under the field"
    );
    assert!(html.contains("is before the start date"));
}

async fn file(app: &TestApp, c: &Client, form: &ReportForm) -> i64 {
    let pairs = form.pairs();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.call_ok(c, "file_report", &refs).await
}

/// Reports filed, answered and escalated through the app itself end up in the figures.
async fn figures_follow_the_real_flows(engine: Engine) {
    let app = spawn_app(engine).await;
    let manager = staff(&app, "lead@example.com", Role::Manager).await;
    let dev = app.developer("dev@example.com").await;
    // Tuesday 10:00 UTC (the default calendar: UTC, Mon–Fri 09–17).
    let ticket = file(&app, &dev, &ReportForm::server_error()).await;
    let solved = file(&app, &dev, &ReportForm::client_error()).await;
    let again = file(&app, &dev, &ReportForm::client_error()).await;
    let _: () = app
        .call_ok(
            &dev,
            "report_feedback",
            &[("id", &solved.to_string()), ("outcome", "solved")],
        )
        .await;
    let escalate = [
        ("id", again.to_string()),
        ("outcome", "still_failing".to_owned()),
        ("changed", "Requested a fresh token; still 401.".to_owned()),
    ];
    let escalate: Vec<(&str, &str)> = escalate.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _: () = app.call_ok(&dev, "report_feedback", &escalate).await;
    // Two hours later support answers the server error (2 business hours).
    app.clock.set(tuesday_10am() + Duration::hours(2));
    let reply = [
        ("id", ticket.to_string()),
        ("body", "Looking into it.".into()),
        ("visibility", "public".into()),
    ];
    let reply: Vec<(&str, &str)> = reply.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _: () = app.call_ok(&manager, "post_message", &reply).await;
    // Thursday 12:00: the escalated one (16 business hours from Tue 10:00, due Thu
    // 10:00) is two hours overdue.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap());

    let r: ManagerReport = app
        .call_ok(&manager, "manager_report", &[("from", ""), ("to", "")])
        .await;
    assert_eq!(r.to, "2026-11-26");
    let routed = &r.sla[0];
    assert_eq!((routed.tickets, routed.met, routed.breached()), (1, 1, 0));
    assert_eq!(routed.p50_business_secs, Some(7200));
    assert_eq!(routed.p90_wall_secs, Some(7200));
    let escalated = &r.sla[1];
    assert_eq!((escalated.tickets, escalated.unanswered_overdue), (1, 1));
    let d = &r.deflection;
    assert_eq!(
        (
            d.reports,
            d.deflected,
            d.routed,
            d.self_solved,
            d.escalated,
            d.no_answer,
            d.recontacts
        ),
        (3, 2, 1, 1, 1, 0, 1)
    );
    let breaches = r.table(ReportTable::Breaches).rows;
    assert_eq!(
        breaches,
        [[
            format!("#{again}"),
            "GET".into(),
            "/v1/orders/42".into(),
            "401 Unauthorized".into(),
            "2026-11-26 10:00".into(),
            "unanswered".into(),
            "2.00".into(),
            "2.00".into()
        ]]
    );
    assert_eq!(
        r.by_day
            .iter()
            .find(|d| d.day == "2026-11-24")
            .map(|d| d.reports),
        Some(3)
    );
}

on_both_engines!(
    only_managers_see_reports,
    bad_ranges_name_the_field,
    figures_follow_the_real_flows,
);
