//! The support queue over HTTP: the first-response clock (met, breached, stopped only by
//! a public staff reply, the at-risk boundary), the status machine, ordering, filters
//! and keyset paging, live updates, and calendar changes.

mod common;

use app::domain::role::Role;
use chrono::{Duration, TimeZone, Utc};
use common::{builders::ReportForm, expect_error, spawn_app, tuesday_10am, Engine, TestApp};
use reqwest::Client;
use serde_json::Value;

async fn ticket(app: &TestApp, agent: &Client, id: i64) -> Value {
    app.call_ok(agent, "get_ticket", &[("id", &id.to_string())])
        .await
}

async fn queue(app: &TestApp, agent: &Client, filters: &[(&str, &str)]) -> Value {
    // The query struct must be present even with no filter set.
    let mut pairs: Vec<(String, String)> = filters
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), (*v).to_owned()))
        .collect();
    if pairs.is_empty() {
        pairs.push(("query[status]".into(), String::new()));
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.call_ok(agent, "queue", &refs).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn post(
    app: &TestApp,
    c: &Client,
    id: i64,
    body: &str,
    visibility: &str,
) -> reqwest::Response {
    app.call(
        c,
        "post_message",
        &[
            ("id", &id.to_string()),
            ("body", body),
            ("visibility", visibility),
        ],
    )
    .await
}

async fn only_a_public_staff_reply_stops_the_clock(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;

    // Internal note, claim and a status change: the clock keeps running.
    assert!(
        post(&app, &agent, id, "Looks like the orders DB", "internal")
            .await
            .status()
            .is_success()
    );
    let claim = app
        .call(&agent, "claim_ticket", &[("id", &id.to_string())])
        .await;
    assert!(claim.status().is_success());
    let wait = app
        .call(
            &agent,
            "change_status",
            &[("id", &id.to_string()), ("status", "waiting")],
        )
        .await;
    assert!(wait.status().is_success());
    let t = ticket(&app, &agent, id).await;
    assert!(
        t["item"]["clock"]["responded_ms"].is_null(),
        "clock still running: {t}"
    );
    assert_eq!(t["item"]["status"], "waiting");
    assert_eq!(t["item"]["assignee"], "agent@example.com");

    // The developer's own reply does not stop it either (and reopens the ticket).
    let r = app
        .call(
            &dev,
            "reply_to_report",
            &[("id", &id.to_string()), ("body", "Still failing here")],
        )
        .await;
    assert!(r.status().is_success());
    let t = ticket(&app, &agent, id).await;
    assert!(t["item"]["clock"]["responded_ms"].is_null());
    assert_eq!(t["item"]["status"], "open", "a developer reply reopens");

    // Two hours later, a public reply: the clock stops, met.
    app.clock.set(tuesday_10am() + Duration::hours(2));
    assert!(post(
        &app,
        &agent,
        id,
        "We are on it: failover in progress.",
        "public"
    )
    .await
    .status()
    .is_success());
    let t = ticket(&app, &agent, id).await;
    assert_eq!(
        t["item"]["clock"]["responded_ms"],
        (tuesday_10am() + Duration::hours(2)).timestamp_millis()
    );
    let stored: (bool, Option<i64>) = app::on_db!(&app.db, pool => {
        sqlx::query_as("SELECT sla_breached, first_response_business_secs FROM reports WHERE id = $1")
            .bind(id).fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored, (false, Some(2 * 3600)));

    // A second public reply does not move the first response.
    app.clock.set(tuesday_10am() + Duration::hours(3));
    post(&app, &agent, id, "Fixed.", "public").await;
    let t = ticket(&app, &agent, id).await;
    assert_eq!(
        t["item"]["clock"]["responded_ms"],
        (tuesday_10am() + Duration::hours(2)).timestamp_millis()
    );

    // The developer sees the public replies and the status, never the internal note.
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &id.to_string())])
        .await;
    let bodies: Vec<&str> = r["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Still failing here",
            "We are on it: failover in progress.",
            "Fixed."
        ]
    );
    assert!(
        !r.to_string().contains("orders DB"),
        "internal note leaked: {r}"
    );
    assert_eq!(r["sla"]["state"], "Met");
    // Staff see the note in the timeline.
    let t = ticket(&app, &agent, id).await;
    assert!(t["timeline"]
        .to_string()
        .contains("Looks like the orders DB"));
}

async fn a_late_first_reply_stays_breached(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    // Due Wednesday 10:00 UTC. At 10:00 exactly it is not yet breached; a minute later it is.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap());
    assert!(ids(&queue(&app, &agent, &[("breached", "1")]).await).is_empty());
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 25, 10, 1, 0).unwrap());
    assert_eq!(ids(&queue(&app, &agent, &[("breached", "1")]).await), [id]);
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &id.to_string())])
        .await;
    assert_eq!(r["sla"]["state"], "Breached");

    post(&app, &agent, id, "Sorry for the wait.", "public").await;
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &id.to_string())])
        .await;
    assert_eq!(r["sla"]["state"], "Answered late (breached)");
    // Still on the record: the breached filter (with every status) keeps it.
    app.call(
        &agent,
        "change_status",
        &[("id", &id.to_string()), ("status", "resolved")],
    )
    .await;
    assert_eq!(
        ids(&queue(&app, &agent, &[("breached", "1"), ("status", "resolved")]).await),
        [id]
    );
}

async fn at_risk_starts_with_less_than_a_quarter_left(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    // Target 8 business hours (09–17 UTC), due Wed 10:00 UTC; a quarter (2 h) is left at
    // Tue 16:00: an hour that day and an hour on Wednesday morning.
    let boundary = Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap();
    app.clock.set(boundary);
    assert!(
        ids(&queue(&app, &agent, &[("at_risk", "1")]).await).is_empty(),
        "exactly 25 % left is on track"
    );
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &id.to_string())])
        .await;
    assert_eq!(r["sla"]["state"], "On track");
    app.clock.set(boundary + Duration::seconds(1));
    assert_eq!(ids(&queue(&app, &agent, &[("at_risk", "1")]).await), [id]);
    let r: Value = app
        .call_ok(&dev, "get_report", &[("id", &id.to_string())])
        .await;
    assert_eq!(r["sla"]["state"], "At risk");
    let t = ticket(&app, &agent, id).await;
    assert_eq!(
        t["item"]["clock"]["at_risk_ms"],
        boundary.timestamp_millis()
    );
    // Overnight (closed) it stays at risk, not breached.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap());
    assert_eq!(ids(&queue(&app, &agent, &[("at_risk", "1")]).await), [id]);
    assert!(ids(&queue(&app, &agent, &[("breached", "1")]).await).is_empty());
}

async fn the_status_machine_refuses_illegal_moves(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    let set = |s: &'static str| {
        let (app, agent) = (&app, &agent);
        async move {
            app.call(
                agent,
                "change_status",
                &[("id", &id.to_string()), ("status", s)],
            )
            .await
        }
    };
    let err = expect_error(set("closed").await, 409, Some("status")).await;
    assert!(
        err.message.contains("cannot become “Closed”"),
        "{}",
        err.message
    );
    expect_error(set("bogus").await, 422, Some("status")).await;
    for s in ["open", "waiting", "resolved", "closed"] {
        assert!(set(s).await.status().is_success(), "→ {s}");
    }
    expect_error(set("open").await, 409, Some("status")).await;
    let history: Vec<String> = ticket(&app, &agent, id).await["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "status")
        .map(|e| e["detail"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        history,
        [
            "New → Open",
            "Open → Waiting on developer",
            "Waiting on developer → Resolved",
            "Resolved → Closed"
        ]
    );
    // Closed: no more messages from either side.
    expect_error(post(&app, &agent, id, "hello?", "public").await, 409, None).await;
    let r = app
        .call(
            &dev,
            "reply_to_report",
            &[("id", &id.to_string()), ("body", "back again")],
        )
        .await;
    expect_error(r, 409, Some("body")).await;
    // Unknown ticket.
    expect_error(
        app.call(
            &agent,
            "change_status",
            &[("id", "999999"), ("status", "open")],
        )
        .await,
        404,
        None,
    )
    .await;
}

async fn the_queue_is_most_urgent_first_filtered_and_keyset_paged(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let mut filed = vec![];
    // 55 server errors on different endpoints (so no two form an incident), one per
    // minute: due times ascend with filing order.
    for i in 0..55 {
        app.clock.set(tuesday_10am() + Duration::minutes(i));
        let endpoint = if i % 5 == 0 {
            format!("/v2/payments-{i}")
        } else {
            format!("/v1/orders-{i}")
        };
        filed.push(
            app.file(&dev, &ReportForm::server_error().with("endpoint", endpoint))
                .await,
        );
    }
    // An escalated client error (low priority, two business days) sorts after them.
    let low = app.file(&dev, &ReportForm::client_error()).await;
    app.call(
        &dev,
        "report_feedback",
        &[
            ("id", &low.to_string()),
            ("outcome", "still_failing"),
            ("changed", "Refreshed the token twice"),
        ],
    )
    .await;

    let first = queue(&app, &agent, &[]).await;
    assert_eq!(ids(&first), filed[..50]);
    let after = first["next"].as_str().unwrap().to_owned();
    let second = queue(&app, &agent, &[("after", &after)]).await;
    let mut rest = filed[50..].to_vec();
    rest.push(low);
    assert_eq!(ids(&second), rest);
    assert!(second["next"].is_null());
    assert_eq!(second["items"][5]["priority"], "low");

    let payments = queue(&app, &agent, &[("endpoint", "/v2/pay")]).await;
    assert_eq!(
        ids(&payments),
        filed.iter().step_by(5).copied().collect::<Vec<_>>()
    );
    assert_eq!(
        ids(&queue(&app, &agent, &[("class", "client_error")]).await),
        [low]
    );

    app.call(&agent, "claim_ticket", &[("id", &filed[3].to_string())])
        .await;
    assert_eq!(
        ids(&queue(&app, &agent, &[("assignee", "me")]).await),
        [filed[3]]
    );
    let unassigned = ids(&queue(&app, &agent, &[("assignee", "unassigned")]).await);
    assert!(!unassigned.contains(&filed[3]) && unassigned.len() == 50);
    expect_error(
        app.call(&agent, "queue", &[("query[status]", "sideways")])
            .await,
        422,
        Some("status"),
    )
    .await;
    expect_error(
        app.call(&agent, "queue", &[("query[after]", "x")]).await,
        422,
        Some("after"),
    )
    .await;
}

async fn open_queues_hear_about_changes_within_a_second(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let mut stream = agent
        .get(format!("{}/events/queue", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    // Give the PostgreSQL listener a moment to subscribe.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let id = app.file(&dev, &ReportForm::server_error()).await;
    let expected = format!("event: created\ndata: {id}");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    while !seen.contains(&expected) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no event within a second; got {seen:?}"))
            .unwrap()
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    // Developers may not listen.
    let res = dev
        .get(format!("{}/events/queue", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn calendar_changes_apply_to_new_tickets_only(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let manager = app.staff("manager@example.com", Role::Manager).await;
    let before = app.file(&dev, &ReportForm::server_error()).await;

    let mut form: Vec<(String, String)> = vec![("timezone".into(), "America/New_York".into())];
    for i in 0..7 {
        let (o, c) = if i < 5 { ("10:00", "12:00") } else { ("", "") };
        form.push((format!("open[{i}]"), o.into()));
        form.push((format!("close[{i}]"), c.into()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    expect_error(app.call(&agent, "save_calendar", &refs).await, 403, None).await;
    let res = app.call(&manager, "save_calendar", &refs).await;
    assert!(res.status().is_success(), "{}", res.status());
    let cal: Value = app.call_ok(&manager, "get_calendar", &[]).await;
    assert_eq!(cal["timezone"], "America/New_York");
    assert_eq!(cal["standard_day_minutes"], 120);
    assert_eq!(cal["days"][0]["open"], "10:00");

    // A holiday on Wednesday 25 November (New York).
    let res = app
        .call(
            &manager,
            "add_holiday",
            &[("day", "2026-11-25"), ("name", "Staff day")],
        )
        .await;
    assert!(res.status().is_success());
    expect_error(
        app.call(
            &manager,
            "add_holiday",
            &[("day", "25/11/2026"), ("name", "x")],
        )
        .await,
        422,
        Some("day"),
    )
    .await;

    let after = app.file(&dev, &ReportForm::server_error()).await;
    let old: Value = app
        .call_ok(&dev, "get_report", &[("id", &before.to_string())])
        .await;
    assert_eq!(
        old["sla"]["due_at"], "2026-11-25T10:00:00Z",
        "existing due times do not move"
    );
    // Filed Tue 05:00 New York: 2 business hours = Tue 10:00–12:00 New York = 15:00–17:00 UTC.
    let new: Value = app
        .call_ok(&dev, "get_report", &[("id", &after.to_string())])
        .await;
    assert_eq!(new["sla"]["due_at"], "2026-11-24T17:00:00Z");
    // Filed after Tuesday's hours, it skips the Wednesday holiday.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap());
    let late = app
        .file(
            &dev,
            &ReportForm::server_error().with("occurred_at", "2026-11-24T18:30"),
        )
        .await;
    let late: Value = app
        .call_ok(&dev, "get_report", &[("id", &late.to_string())])
        .await;
    assert_eq!(late["sla"]["due_at"], "2026-11-26T17:00:00Z");

    // Invalid hours name the day's field; nothing changes.
    let mut bad = form.clone();
    bad[1].1 = "13:00".into();
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let err = expect_error(
        app.call(&manager, "save_calendar", &refs).await,
        422,
        Some("open[0]"),
    )
    .await;
    assert!(err.message.starts_with("Monday"), "{}", err.message);
}

/// The queue's first page as it opens: active tickets, anyone's, no filter.
fn whole_queue() -> app::server::tickets::QueueFilter {
    app::server::tickets::QueueFilter {
        statuses: Vec::new(),
        assignee: app::server::tickets::AssigneeFilter::Anyone,
        class: None,
        endpoint_prefix: None,
        at_risk: false,
        breached: false,
        after: None,
        limit: 50,
    }
}

/// During an outage flood the queue reads only what it shows: the flood's incident
/// members are not in the queue's indexes, so its first page never walks them. On
/// PostgreSQL the plan is run (sequential scans off, as the test table is small) and
/// must filter out no row; on SQLite the plan must read the queue's index in order
/// (no table scan, no sort).
async fn the_queue_never_reads_a_floods_members(engine: Engine) {
    use app::server::{db::Pool, tickets::queue_query};
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let mut ids = Vec::new();
    for n in 0..30 {
        let form = ReportForm::server_error().with("endpoint", format!("/v1/orders/{n}"));
        ids.push(app.file(&dev, &form).await);
    }
    let filter = whole_queue();
    let now = tuesday_10am().timestamp_millis();
    let plan: Vec<String> = match app.db.pool() {
        Pool::Sqlite(pool) => queue_query("EXPLAIN QUERY PLAN ", &filter, now)
            .build_query_as::<(i64, i64, i64, String)>()
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.3)
            .collect(),
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .unwrap();
            let plan = queue_query("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ", &filter, now)
                .build_query_as::<(String,)>()
                .fetch_all(&mut *tx)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.0)
                .collect();
            tx.rollback().await.unwrap();
            plan
        }
    };
    assert!(
        plan.iter().any(|l| l.contains("reports_queue_active")),
        "{plan:#?}"
    );
    assert!(
        !plan.iter().any(|l| l.contains("Rows Removed by Filter")
            || l.starts_with("SCAN r")
            || l.contains("TEMP B-TREE")),
        "{plan:#?}"
    );
    // And the page is the flood's one row.
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let q = queue(&app, &agent, &[]).await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1, "{q}");
    assert_eq!(q["items"][0]["id"], ids[0]);
    assert_eq!(q["items"][0]["incident"]["report_count"], 30);
}

/// PostgreSQL plans the default queue once per connection: its statement has no
/// parameters, so every load after the first reuses the plan. With the page size bound
/// as a parameter it was planned again on every load (~1 ms, twenty times the read),
/// which is what the queue page waited on while a flood kept the CPUs busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_plans_the_default_queue_once() {
    use app::server::{
        db::Pool,
        tickets::{queue_query, QueueRow},
    };
    let app = spawn_app(Engine::Postgres).await;
    let dev = app.developer("dev@example.com").await;
    // One incident: its lead is the queue's one row.
    for n in 0..3 {
        let form = ReportForm::server_error().with("endpoint", format!("/v1/orders/{n}"));
        app.file(&dev, &form).await;
    }
    let filter = whole_queue();
    let Pool::Postgres(pool) = app.db.pool() else {
        unreachable!("a PostgreSQL app")
    };
    let mut conn = pool.acquire().await.unwrap();
    let now = tuesday_10am().timestamp_millis();
    // More loads than PostgreSQL's five custom plans before it weighs a generic one.
    for _ in 0..8 {
        let rows = queue_query::<sqlx::Postgres>("", &filter, now)
            .build_query_as::<QueueRow>()
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
    }
    // This statement's plans, found by its text.
    let sql = queue_query::<sqlx::Postgres>("", &filter, now)
        .sql()
        .to_owned();
    let (generic, custom): (i64, i64) = sqlx::query_as(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
    )
    .bind(&sql)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(custom, 0, "the queue was planned again on {custom} loads");
    assert!(generic >= 8, "{generic} loads with the kept plan");
}

on_both_engines!(
    the_queue_never_reads_a_floods_members,
    only_a_public_staff_reply_stops_the_clock,
    a_late_first_reply_stays_breached,
    at_risk_starts_with_less_than_a_quarter_left,
    the_status_machine_refuses_illegal_moves,
    the_queue_is_most_urgent_first_filtered_and_keyset_paged,
    open_queues_hear_about_changes_within_a_second,
    calendar_changes_apply_to_new_tickets_only,
);

/// SQLite builds a temporary b-tree for an `IN` list of three or more constants each
/// time a statement runs, and the condition of a partial index runs on every insert and
/// update of a report: no index on reports may hold such a list (a filing built eleven
/// of those trees before migration 0019).
#[tokio::test]
async fn no_report_index_condition_holds_a_long_in_list() {
    let app = spawn_app(Engine::Sqlite).await;
    let indexes: Vec<(String, String)> = app::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' \
         AND sql IS NOT NULL")
        .fetch_all(pool)
        .await
        .unwrap());
    assert!(indexes.len() > 10, "{indexes:?}");
    for (name, sql) in &indexes {
        for (at, _) in sql.to_ascii_uppercase().match_indices(" IN (") {
            let list = &sql[at + 5..];
            let items = list[..list.find(')').unwrap_or(list.len())]
                .split(',')
                .count();
            assert!(items < 3, "{name} tests an IN list of {items}: {sql}");
        }
    }
    // The queue's partial index is still the one an active-ticket query reads (spelled
    // by `active_status!`), as `the_queue_never_reads_a_floods_members` checks in full.
    assert!(
        indexes
            .iter()
            .any(|(name, sql)| name == "reports_queue_active"
                && sql.contains(app::server::db::ACTIVE_STATUS)),
        "{indexes:?}"
    );
}
