//! The known-answer data set of the manager-report tests: a few reports and tickets with
//! crafted creation, due and first-response times across a weekend and a holiday.
//!
//! Support calendar: Europe/Berlin, Mon–Fri 09:00–17:00 (CET, UTC+1), holiday Monday
//! 2026-11-16. Now: Wednesday 2026-11-25 12:00 CET. Range: 2026-11-12 – 2026-11-25.

use super::{
    spawn_app_at,
    tickets::{local, reporter, staff, Report},
    Engine, TestApp,
};
use app::{domain::role::Role, server::db::Db};
use reqwest::Client;

pub const TZ: &str = "Europe/Berlin";
pub const RANGE: [(&str, &str); 2] = [("from", "2026-11-12"), ("to", "2026-11-25")];
pub const CARDS: (&str, &str) = ("/v1/customers/cus_1/cards", "/v1/customers/{id}/cards");
pub const SEARCH: (&str, &str) = ("/v1/search/a,b", "/v1/search/a,b");

/// Ids of the breached tickets, in due order.
pub struct Breached {
    pub t11: i64,
    pub t3: i64,
    pub t4: i64,
    pub t10: i64,
}

/// The data set. Due times and business seconds are worked out by hand from the
/// calendar (times are local, CET).
pub async fn seed(db: &Db) -> Breached {
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
pub async fn setup(engine: Engine) -> (TestApp, Client) {
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
