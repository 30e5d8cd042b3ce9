//! Manager SLA reports against a known answer: a small data set with crafted creation,
//! due and first-response times across a weekend and a holiday, whose figures are
//! worked out by hand below; the same numbers in every CSV.
//!
//! Support calendar: Europe/Berlin, Mon–Fri 09:00–17:00 (CET, UTC+1), holiday Monday
//! 2026-11-16. Now: Wednesday 2026-11-25 12:00 CET. Range: 2026-11-12 – 2026-11-25.

mod common;

use app::{
    api::manager::{ManagerReport, ReportTable},
    domain::role::Role,
    server::db::Db,
};
use common::{
    spawn_app_at,
    tickets::{local, reporter, staff, Report},
    Engine, TestApp,
};
use reqwest::Client;

const TZ: &str = "Europe/Berlin";
const RANGE: [(&str, &str); 2] = [("from", "2026-11-12"), ("to", "2026-11-25")];
const CARDS: (&str, &str) = ("/v1/customers/cus_1/cards", "/v1/customers/{id}/cards");
const SEARCH: (&str, &str) = ("/v1/search/a,b", "/v1/search/a,b");

/// Ids of the breached tickets, in due order.
struct Breached {
    t11: i64,
    t3: i64,
    t4: i64,
    t10: i64,
}

/// The data set. Due times and business seconds are worked out by hand from the
/// calendar (times are local, CET).
async fn seed(db: &Db) -> Breached {
    let dev = reporter(db, "dev@example.com").await;
    let put = |r: Report| async move { r.insert(db, TZ, dev).await };
    // Outside the range: filed the day before, and an old ticket still open.
    put(Report::routed("2026-11-11 10:00", 503, "2026-11-12 10:00")
        .answered("2026-11-13 10:00", 16 * 3600)
        .status("closed"))
    .await;
    put(Report::routed("2026-10-05 10:00", 503, "2026-10-06 10:00")
        .answered("2026-10-05 11:00", 3600)
        .status("waiting"))
    .await;
    // T1: answered after 1.5 h: met.
    put(Report::routed("2026-11-12 10:00", 503, "2026-11-13 10:00")
        .answered("2026-11-12 11:30", 5400)
        .status("closed"))
    .await;
    // T11: Thu 14:00 + 8 h = Fri 14:00; answered Tue (after the weekend and the
    // holiday): 12 business hours, 116 wall-clock hours; late by 92 h, 4 business h.
    let t11 = put(Report::routed("2026-11-12 14:00", 500, "2026-11-13 14:00")
        .answered("2026-11-17 10:00", 12 * 3600)
        .status("closed"))
    .await;
    // T9: filed 00:30 local (23:30 UTC the day before: it counts on the 12th), escalated
    // at 09:00 with a two-day target (Fri 17:00), answered Fri 16:00: 15 h, 31 h.
    put(Report::escalated(
        "2026-11-12 00:30",
        403,
        "2026-11-12 09:00",
        "2026-11-13 17:00",
    )
    .at(CARDS.0, CARDS.1)
    .answered("2026-11-13 16:00", 15 * 3600)
    .status("resolved"))
    .await;
    // T2: Fri 15:00: 2 h on Friday, the holiday Monday skipped, due Tue 15:00; answered
    // Tue 10:00: met, 3 business hours, 91 wall-clock hours.
    put(Report::routed("2026-11-13 15:00", 500, "2026-11-17 15:00")
        .answered("2026-11-17 10:00", 3 * 3600)
        .status("resolved"))
    .await;
    // T3: Fri 16:00, due Tue 16:00, answered Wed 10:00: late by 18 h (2 business h);
    // 10 business hours, 114 wall-clock hours.
    let t3 = put(Report::routed("2026-11-13 16:00", 503, "2026-11-17 16:00")
        .answered("2026-11-18 10:00", 10 * 3600)
        .status("closed"))
    .await;
    // T4: Saturday, so due Tue 17:00; never answered: late by 187 h (43 business h).
    let t4 = put(Report::routed("2026-11-14 12:00", 502, "2026-11-17 17:00")
        .at("/v1/payments", "/v1/payments")
        .status("open"))
    .await;
    // T5: on the holiday; due Tue 17:00, answered Tue 16:30: 7.5 h, 29.5 h.
    put(Report::routed("2026-11-16 11:00", 503, "2026-11-17 17:00")
        .at("/v1/payments", "/v1/payments")
        .answered("2026-11-17 16:30", 27_000)
        .status("waiting"))
    .await;
    put(Report::deflected("2026-11-17 10:00", 401, "self_solved").at(CARDS.0, CARDS.1)).await;
    put(Report::deflected("2026-11-17 12:00", 401, "pending")
        .at(CARDS.0, CARDS.1)
        .recontact())
    .await;
    put(Report::deflected("2026-11-18 09:30", 404, "self_solved").at(SEARCH.0, SEARCH.1)).await;
    // T10: escalated Thu 10:30, 16 business hours → due Mon 10:30; unanswered: late by
    // 49.5 h (17.5 business h).
    let t10 = put(Report::escalated(
        "2026-11-19 10:00",
        401,
        "2026-11-19 10:30",
        "2026-11-23 10:30",
    )
    .at(CARDS.0, CARDS.1))
    .await;
    // T8: no response at all, filed 00:30 local (the 19th in UTC), answered 09:15.
    put(Report::routed("2026-11-20 00:30", 0, "2026-11-20 17:00")
        .transport("timeout")
        .at("/v1/webhooks", "/v1/webhooks")
        .answered("2026-11-20 09:15", 900)
        .status("closed"))
    .await;
    put(Report::deflected("2026-11-21 11:00", 429, "pending").at("/v1/webhooks", "/v1/webhooks"))
        .await;
    put(Report::deflected("2026-11-22 15:00", 400, "self_solved").at("/v1/orders", "/v1/orders"))
        .await;
    put(Report::deflected("2026-11-23 09:00", 422, "self_solved")).await;
    // T7: answered exactly at the due time: met.
    put(Report::routed("2026-11-24 09:00", 504, "2026-11-24 17:00")
        .at(SEARCH.0, SEARCH.1)
        .answered("2026-11-24 17:00", 8 * 3600)
        .status("open"))
    .await;
    // T6: filed today, not yet due: pending.
    put(Report::routed("2026-11-25 10:00", 500, "2026-11-26 10:00").at("/v1/orders", "/v1/orders"))
        .await;
    Breached { t11, t3, t4, t10 }
}

/// The app at the known "now", with the calendar set up by a manager; returns the
/// manager's client.
async fn setup(engine: Engine) -> (TestApp, Client) {
    let tz = app::domain::calendar::parse_tz(TZ).unwrap();
    let app = spawn_app_at(engine, local(&tz, "2026-11-25 12:00")).await;
    let manager = staff(&app, "lead@example.com", Role::Manager).await;
    let hours = |i: usize| if i < 5 { "09:00" } else { "" };
    let mut form: Vec<(String, String)> = vec![("timezone".into(), TZ.into())];
    for i in 0..7 {
        form.push((format!("open[{i}]"), hours(i).into()));
        form.push((
            format!("close[{i}]"),
            if i < 5 { "17:00" } else { "" }.into(),
        ));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let _: () = app.call_ok(&manager, "save_calendar", &form).await;
    let holiday = [("day", "2026-11-16"), ("name", "Team offsite")];
    let _: () = app.call_ok(&manager, "add_holiday", &holiday).await;
    (app, manager)
}

fn cells(r: &ManagerReport, t: ReportTable) -> Vec<Vec<String>> {
    r.table(t).rows
}

fn expect(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

async fn known_answer(engine: Engine) {
    let (app, manager) = setup(engine).await;
    let ids = seed(&app.db).await;
    let r: ManagerReport = app.call_ok(&manager, "manager_report", &RANGE).await;
    assert_eq!(
        (r.from.as_str(), r.to.as_str(), r.days),
        ("2026-11-12", "2026-11-25", 14)
    );
    assert_eq!(r.timezone, TZ);

    // Routed: met T1 T2 T5 T7 T8; late T3 T11; overdue T4; pending T6 → 5/8.
    // Escalated: met T9, overdue T10 → 1/2. All: 6/10.
    assert_eq!(
        cells(&r, ReportTable::Attainment),
        expect(&[
            &[
                "Routed (server errors, no response)",
                "1 business day",
                "9",
                "5",
                "3",
                "2",
                "1",
                "1",
                "62.5"
            ],
            &[
                "Escalated after guidance",
                "2 business days",
                "2",
                "1",
                "1",
                "0",
                "1",
                "0",
                "50.0"
            ],
            &[
                "All tickets",
                "Each ticket's own",
                "11",
                "6",
                "4",
                "2",
                "2",
                "1",
                "60.0"
            ],
        ])
    );
    // Nearest rank. Routed business hours sorted: 0.25 1.5 3 7.5 8 10 12 → p50 = 4th,
    // p90 = 7th; wall-clock: 1.5 8 8.75 29.5 91 114 116. All (n = 8) adds T9 (15 h,
    // 31 h): p50 = 4th, p90 = 8th (interpolation would give 7.75 and 13.08).
    assert_eq!(
        cells(&r, ReportTable::ResponseTimes),
        expect(&[
            &[
                "Routed (server errors, no response)",
                "7",
                "7.50",
                "12.00",
                "29.50",
                "116.00"
            ],
            &[
                "Escalated after guidance",
                "1",
                "15.00",
                "15.00",
                "31.00",
                "31.00"
            ],
            &["All tickets", "8", "7.50", "15.00", "29.50", "116.00"],
        ])
    );
    assert_eq!(
        cells(&r, ReportTable::ResponseDistribution),
        expect(&[
            &["Under 1 h", "1", "14.3"],
            &["1–2 h", "1", "14.3"],
            &["2–4 h", "1", "14.3"],
            &["4–8 h", "1", "14.3"],
            &["8–16 h", "3", "42.9"],
            &["16–24 h", "0", "0.0"],
            &["24 h and more", "0", "0.0"],
        ])
    );
    // Breaches by due time; late by to the answer, or to now; business hours skip the
    // weekend and the holiday (T11: Fri 14–17 and Tue 9–10 only).
    let id = |n: i64| format!("#{n}");
    let (t11, t3, t4, t10) = (id(ids.t11), id(ids.t3), id(ids.t4), id(ids.t10));
    assert_eq!(r.breach_total, 4);
    assert_eq!(
        cells(&r, ReportTable::Breaches),
        expect(&[
            &[
                &t11,
                "GET",
                "/v1/orders/42",
                "500 Internal Server Error",
                "2026-11-13 14:00",
                "2026-11-17 10:00",
                "92.00",
                "4.00"
            ],
            &[
                &t3,
                "GET",
                "/v1/orders/42",
                "503 Service Unavailable",
                "2026-11-17 16:00",
                "2026-11-18 10:00",
                "18.00",
                "2.00"
            ],
            &[
                &t4,
                "GET",
                "/v1/payments",
                "502 Bad Gateway",
                "2026-11-17 17:00",
                "unanswered",
                "187.00",
                "43.00"
            ],
            &[
                &t10,
                "GET",
                CARDS.0,
                "401 Unauthorized",
                "2026-11-23 10:30",
                "unanswered",
                "49.50",
                "17.50"
            ],
        ])
    );
    assert_eq!(
        r.table(ReportTable::Breaches).links[0].as_deref(),
        Some(format!("/tickets/{}", ids.t11).as_str())
    );
    // Open now, whenever filed (the October ticket too), by age since routing.
    assert_eq!(
        cells(&r, ReportTable::Backlog),
        expect(&[
            &["Under 8 hours", "1", "1", "0"],
            &["8–24 hours", "0", "0", "0"],
            &["1–3 days", "1", "0", "0"],
            &["3–7 days", "1", "1", "1"],
            &["1–4 weeks", "2", "1", "1"],
            &["Over 4 weeks", "1", "0", "0"],
        ])
    );
    // Volume by local filing day (T9 and T8 were filed the day before in UTC).
    let by_day = cells(&r, ReportTable::VolumeByDay);
    assert_eq!(by_day.len(), 14);
    assert_eq!(by_day[0], ["2026-11-12", "3", "1", "1", "2"]);
    assert_eq!(by_day[3], ["2026-11-15", "0", "0", "0", "0"]);
    assert_eq!(by_day[7], ["2026-11-19", "1", "1", "1", "0"]);
    assert_eq!(by_day[8], ["2026-11-20", "1", "0", "0", "1"]);
    let total: i64 = r.by_day.iter().map(|d| d.reports).sum();
    assert_eq!(total, 17);
    let trend = cells(&r, ReportTable::AttainmentOverTime);
    assert_eq!(trend.len(), 14, "per day for a 14-day range");
    assert_eq!(trend[0], ["2026-11-12", "1", "1", "0", "50.0"]);
    assert_eq!(trend[2], ["2026-11-14", "0", "1", "0", "0.0"]);
    assert_eq!(trend[13], ["2026-11-25", "0", "0", "1", "—"]);
    assert_eq!(
        cells(&r, ReportTable::VolumeByStatusCode),
        expect(&[
            &["401 Unauthorized", "Client error (4xx)", "3", "17.6", "1"],
            &[
                "500 Internal Server Error",
                "Server error (5xx)",
                "3",
                "17.6",
                "3"
            ],
            &[
                "503 Service Unavailable",
                "Server error (5xx)",
                "3",
                "17.6",
                "3"
            ],
            &["400 Bad Request", "Client error (4xx)", "1", "5.9", "0"],
            &["403 Forbidden", "Client error (4xx)", "1", "5.9", "1"],
            &["404 Not Found", "Client error (4xx)", "1", "5.9", "0"],
            &[
                "422 Unprocessable Content",
                "Client error (4xx)",
                "1",
                "5.9",
                "0"
            ],
            &[
                "429 Too Many Requests",
                "Client error (4xx)",
                "1",
                "5.9",
                "0"
            ],
            &["502 Bad Gateway", "Server error (5xx)", "1", "5.9", "1"],
            &["504 Gateway Timeout", "Server error (5xx)", "1", "5.9", "1"],
            &[
                "No response: Timeout",
                "Transport failure (no response)",
                "1",
                "5.9",
                "1"
            ],
        ])
    );
    assert_eq!(
        cells(&r, ReportTable::VolumeByEndpoint),
        expect(&[
            &["/v1/orders/{id}", "5", "1", "4", "2"],
            &["/v1/customers/{id}/cards", "4", "4", "2", "1"],
            &["/v1/orders", "2", "1", "1", "0"],
            &["/v1/payments", "2", "0", "2", "1"],
            &["/v1/search/a,b", "2", "1", "1", "0"],
            &["/v1/webhooks", "2", "1", "1", "0"],
        ])
    );
    // 8 of 17 deflected (6 deflected, 2 escalated later); 4 solved, 2 escalated, 2 no
    // answer; 1 re-contact of 8 deflected.
    assert_eq!(
        cells(&r, ReportTable::Deflection),
        expect(&[
            &["Deflected with guidance", "8", "17", "47.1"],
            &["Routed to support", "9", "17", "52.9"],
            &["Self-solved after guidance", "4", "8", "50.0"],
            &["Escalated after guidance", "2", "8", "25.0"],
            &["No answer to guidance yet", "2", "8", "25.0"],
            &["Re-contacts within 24 h", "1", "8", "12.5"],
        ])
    );
    csv_matches_the_page(&app, &manager, &r).await;
}

/// Every CSV is the page's table, properly quoted, with a header row.
async fn csv_matches_the_page(app: &TestApp, manager: &Client, r: &ManagerReport) {
    let page = app
        .get(manager, "/manager/reports?from=2026-11-12&to=2026-11-25")
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for t in ReportTable::ALL {
        let path = format!("{}?from=2026-11-12&to=2026-11-25", t.csv_path());
        let res = app.get(manager, &path).await;
        assert_eq!(res.status(), 200, "{path}");
        let header = |name: &str| res.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "text/csv; charset=utf-8");
        assert_eq!(
            header("content-disposition"),
            format!(
                "attachment; filename=\"faultdesk-{}-2026-11-12-to-2026-11-25.csv\"",
                t.slug().replace('_', "-")
            )
        );
        let body = res.text().await.unwrap();
        let table = r.table(t);
        assert_eq!(body, table.to_csv(), "{path} holds the page's table");
        assert!(
            body.starts_with(&table.columns.join(",")),
            "header row first"
        );
        // The page shows the same cells.
        for cell in table
            .rows
            .iter()
            .flatten()
            .filter(|c| !c.contains(['&', '<', '\'']))
        {
            assert!(html.contains(&format!(">{cell}<")), "{cell:?} on the page");
        }
    }
    let endpoints = app
        .get(
            manager,
            "/manager/reports/volume_by_endpoint.csv?from=2026-11-12&to=2026-11-25",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        endpoints.contains("\r\n\"/v1/search/a,b\",2,1,1,0\r\n"),
        "{endpoints}"
    );
    let summary = app
        .get(
            manager,
            "/manager/reports/attainment.csv?from=2026-11-12&to=2026-11-25",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(summary.starts_with("Tickets of,Target,Tickets,Met,Breached,"));
    assert!(summary.contains(
        "\r\n\"Routed (server errors, no response)\",1 business day,9,5,3,2,1,1,62.5\r\n"
    ));
}

on_both_engines!(known_answer);
