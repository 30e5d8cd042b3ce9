//! The write path under an outage flood: clients that vanish mid-request, units of work
//! whose callers are dropped, conflicting actions at the same moment, and readiness
//! that fails when writes cannot be made. Every test runs on SQLite and PostgreSQL.

mod common;

use app::{domain::role::Role, error::AppError, on_db, on_tx, server::db::Db};
use common::{builders::ReportForm, spawn_app, Engine, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use tokio::{io::AsyncWriteExt, net::TcpStream};

/// A small deterministic random source (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Signs in over HTTP and returns the session cookie, for raw requests.
async fn session_cookie(app: &TestApp, email: &str, password: &str) -> String {
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(common::same_site_headers())
        .build()
        .unwrap();
    let res = c
        .post(format!("{}/api/login", app.base))
        .header("accept", "application/json")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "login {email}: {}", res.status());
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// A complete HTTP/1.1 form post to a server function.
fn form_post(app: &TestApp, name: &str, cookie: &str, form: &[(String, String)]) -> Vec<u8> {
    let body = form
        .iter()
        .map(|(k, v)| {
            let enc = |s: &str| -> String {
                s.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect()
            };
            format!("{}={}", enc(k), enc(v))
        })
        .collect::<Vec<_>>()
        .join("&");
    let host = app.base.trim_start_matches("http://");
    format!(
        "POST /api/{name} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nCookie: {cookie}\r\n\
         Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn pairs(p: &[(&str, String)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Sends `request` on a new connection and vanishes: after `cut` bytes of it, or, when
/// the whole request went out, after `linger`.
async fn send_and_vanish(addr: &str, request: &[u8], cut: usize, linger: Duration) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return;
    };
    let _ = stream.write_all(&request[..cut.min(request.len())]).await;
    if cut >= request.len() {
        tokio::time::sleep(linger).await;
    }
    // Dropping the stream closes the connection (RST if unread data remains).
    drop(stream);
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    on_db!(db, pool => {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        n
    })
}

/// No write transaction is left open: on SQLite another connection takes the write
/// lock at once; on PostgreSQL no session of this database sits idle in a transaction.
async fn assert_no_open_transaction(app: &TestApp) {
    match app.engine {
        Engine::Sqlite => {
            use sqlx::{ConnectOptions, Connection};
            let mut conn = app
                .database_url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .busy_timeout(Duration::ZERO)
                .connect()
                .await
                .unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .expect("nobody holds the write lock");
            sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        Engine::Postgres => {
            let open = count(
                &app.db,
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND state LIKE 'idle in transaction%'",
            )
            .await;
            assert_eq!(open, 0, "connections left inside a transaction");
        }
    }
}

/// Every action is whole: each report has exactly one "filed" entry, each message its
/// history entry, each incident the count of its reports.
async fn assert_nothing_half_written(db: &Db) {
    let unfiled = count(
        db,
        "SELECT COUNT(*) FROM reports r WHERE (SELECT COUNT(*) FROM report_events e \
         WHERE e.report_id = r.id AND e.kind = 'filed') <> 1",
    )
    .await;
    assert_eq!(unfiled, 0, "reports without exactly one 'filed' entry");
    let unrecorded = count(
        db,
        "SELECT COUNT(*) FROM reports r WHERE (SELECT COUNT(*) FROM messages m \
         WHERE m.report_id = r.id) <> (SELECT COUNT(*) FROM report_events e \
         WHERE e.report_id = r.id AND e.kind IN ('public_reply', 'internal_note', 'developer_reply'))",
    )
    .await;
    assert_eq!(unrecorded, 0, "messages and their history entries disagree");
    let miscounted = count(
        db,
        "SELECT COUNT(*) FROM incidents i WHERE i.report_count <> \
         (SELECT COUNT(*) FROM reports r WHERE r.incident_id = i.id)",
    )
    .await;
    assert_eq!(
        miscounted, 0,
        "incident counts that disagree with their members"
    );
    let unstatused = count(
        db,
        "SELECT COUNT(*) FROM reports r WHERE r.status IN ('waiting', 'resolved') \
         AND NOT EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id \
         AND e.kind = 'status')",
    )
    .await;
    assert_eq!(unstatused, 0, "status changes without their history entry");
}

/// Hundreds of raw connections send a filing, a staff reply with a status change, a
/// status change, an incident update or a developer reply and drop at random points;
/// afterwards 100 filings in a row succeed, no transaction is open, nothing is half
/// written.
async fn clients_vanishing_mid_request_break_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let ticket = app.file(&dev, &ReportForm::server_error()).await;
    let other = app
        .file(
            &dev,
            &ReportForm::server_error().with("endpoint", "/v1/payments"),
        )
        .await;
    let first: i64 = app
        .file(
            &dev,
            &ReportForm::server_error().with("endpoint", "/v1/invoices/1"),
        )
        .await;
    app.file(
        &dev,
        &ReportForm::server_error().with("endpoint", "/v1/invoices/2"),
    )
    .await;
    let report: Value = app
        .call_ok(&agent, "get_ticket", &[("id", &first.to_string())])
        .await;
    let incident = report["report"]["incident"]["id"]
        .as_i64()
        .expect("an incident");

    let dev_cookie = session_cookie(&app, "dev@example.com", "correct horse battery").await;
    let agent_cookie = session_cookie(&app, "agent@example.com", "staff password 123").await;
    let requests: Vec<Vec<u8>> = vec![
        form_post(
            &app,
            "file_report",
            &dev_cookie,
            &ReportForm::server_error()
                .with("endpoint", "/v1/invoices/3")
                .pairs(),
        ),
        form_post(
            &app,
            "file_report",
            &dev_cookie,
            &ReportForm::client_error().pairs(),
        ),
        form_post(
            &app,
            "post_message",
            &agent_cookie,
            &pairs(&[
                ("id", ticket.to_string()),
                ("body", "Looking into it.".into()),
                ("visibility", "public".into()),
                ("then_status", "waiting".into()),
            ]),
        ),
        form_post(
            &app,
            "post_message",
            &agent_cookie,
            &pairs(&[
                ("id", ticket.to_string()),
                ("body", "Seen in the logs.".into()),
                ("visibility", "internal".into()),
                ("then_status", "".into()),
            ]),
        ),
        form_post(
            &app,
            "change_status",
            &agent_cookie,
            &pairs(&[("id", other.to_string()), ("status", "open".into())]),
        ),
        form_post(
            &app,
            "change_status",
            &agent_cookie,
            &pairs(&[("id", other.to_string()), ("status", "waiting".into())]),
        ),
        form_post(
            &app,
            "reply_incident",
            &agent_cookie,
            &pairs(&[
                ("id", incident.to_string()),
                ("body", "We are on it.".into()),
            ]),
        ),
        form_post(
            &app,
            "reply_to_report",
            &dev_cookie,
            &pairs(&[
                ("id", ticket.to_string()),
                ("body", "Still failing here.".into()),
            ]),
        ),
    ];
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut rng = Rng(0x5eed_f00d_1234_5678);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..400u64 {
        let request = requests[rng.below(requests.len() as u64) as usize].clone();
        let cut = if rng.below(2) == 0 {
            rng.below(request.len() as u64) as usize
        } else {
            request.len()
        };
        let linger = Duration::from_micros(rng.below(8_000));
        let addr = addr.clone();
        tasks.spawn(async move { send_and_vanish(&addr, &request, cut, linger).await });
        if i % 16 == 15 {
            while tasks.join_next().await.is_some() {}
        }
    }
    while tasks.join_next().await.is_some() {}
    // Work the server accepted finishes on the writer even though its clients left.
    tokio::time::sleep(Duration::from_millis(300)).await;

    for i in 0..100 {
        let form = ReportForm::server_error().with("endpoint", format!("/v1/after/{i}"));
        let res = app
            .call(&dev, "file_report", &pairs_ref(&form.pairs()))
            .await;
        assert!(
            res.status().is_success(),
            "filing {i} after the flood: {}",
            res.status()
        );
    }
    assert_no_open_transaction(&app).await;
    assert_nothing_half_written(&app.db).await;
    let ready = app.get(&common::client(), "/health/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
}

fn pairs_ref(p: &[(String, String)]) -> Vec<(&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn insert_account(tx: &mut app::server::db::Tx, email: &str) -> Result<(), AppError> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO users (email, password_hash, role, timezone, created_at) \
         VALUES ($1, '!', 'developer', 'UTC', 0)")
        .bind(email)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A unit of work whose caller is dropped halfway still completes as a whole; one
/// that fails, or panics, leaves nothing behind; the writer keeps working.
async fn units_of_work_outlive_their_callers(engine: Engine) {
    let app = spawn_app(engine).await;
    let db = app.db.clone();
    for round in 0..20u64 {
        let (a, b): (&'static str, &'static str) = (
            Box::leak(format!("a{round}@example.com").into_boxed_str()),
            Box::leak(format!("b{round}@example.com").into_boxed_str()),
        );
        let pause = Duration::from_millis(round % 5 * 3);
        let unit = db.write(move |tx| {
            Box::pin(async move {
                insert_account(tx, a).await?;
                tokio::time::sleep(Duration::from_millis(20)).await;
                insert_account(tx, b).await
            })
        });
        // The caller gives up (a closed tab) before the unit of work is done.
        let _ = tokio::time::timeout(pause, unit).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let stored = count(
        &db,
        "SELECT COUNT(*) FROM users WHERE email LIKE '%@example.com'",
    )
    .await;
    assert_eq!(stored, 40, "every unit completed, both of its rows");

    let failed = db
        .write(|tx| {
            Box::pin(async move {
                insert_account(tx, "rolled-back@example.com").await?;
                Err::<(), _>(AppError::conflict("changed meanwhile"))
            })
        })
        .await;
    assert_eq!(failed.unwrap_err().status, 409);
    let panicked: tokio::task::JoinHandle<Result<(), AppError>> = tokio::spawn({
        let db = db.clone();
        async move {
            db.write(|tx| {
                Box::pin(async move {
                    insert_account(tx, "panicked@example.com").await?;
                    panic!("a bug in a unit of work");
                })
            })
            .await
        }
    });
    let beside = db.write(|tx| Box::pin(insert_account(tx, "beside@example.com")));
    let (panicked, beside) = tokio::join!(panicked, beside);
    assert_eq!(panicked.unwrap().unwrap_err().status, 500);
    beside.expect("a unit of work in the same batch is unaffected");
    let left = count(
        &db,
        "SELECT COUNT(*) FROM users WHERE email IN ('rolled-back@example.com', 'panicked@example.com')",
    )
    .await;
    assert_eq!(left, 0, "failed units leave nothing behind");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM users WHERE email = 'beside@example.com'"
        )
        .await,
        1
    );
    assert_no_open_transaction(&app).await;
}

/// An app with one developer, its database, and that developer's id (the reporter of
/// the reports these tests file straight through the writer).
async fn app_with_reporter(engine: Engine) -> (TestApp, Db, i64) {
    let app = spawn_app(engine).await;
    app.developer("dev@example.com").await;
    let db = app.db.clone();
    let reporter = count(&db, "SELECT id FROM users WHERE email = 'dev@example.com'").await;
    (app, db, reporter)
}

/// A report ready to store, as intake makes it (a 5xx routed into the queue, or a 4xx
/// pointing at guidance article `slug`).
fn new_report(reporter: i64, n: i64, slug: Option<&str>) -> app::server::reports::NewReport {
    use app::server::reports::{NewReport, SlaStart};
    let now = chrono::Utc::now();
    let routed = slug.is_none();
    NewReport {
        reporter_id: reporter,
        endpoint: format!("/v1/orders/{n}"),
        endpoint_template: "/v1/orders/{id}".to_owned(),
        method: "GET".to_owned(),
        status_code: Some(if routed { 503 } else { 401 }),
        transport: None,
        class: if routed {
            "server_error"
        } else {
            "client_error"
        }
        .to_owned(),
        message: "It failed".to_owned(),
        request_id: None,
        occurred_at: now,
        reporter_timezone: "UTC".to_owned(),
        environment: "production".to_owned(),
        retries: 2,
        retry_interval_secs: Some(2),
        retry_followed: true,
        retry_reason: None,
        description: "Batch test".to_owned(),
        excerpt: None,
        token_fingerprints: String::new(),
        guidance_slug: slug.map(str::to_owned),
        guidance_version: slug.map(|_| 1),
        disposition: if routed { "routed" } else { "deflected" }.to_owned(),
        feedback: (!routed).then(|| "pending".to_owned()),
        status: if routed { "new" } else { "awaiting_feedback" }.to_owned(),
        priority: "normal".to_owned(),
        created_at: now,
        created_day: now.format("%Y-%m-%d").to_string(),
        sla: routed.then(|| SlaStart {
            routed_at: now,
            target_minutes: 480,
            due_at: now + chrono::Duration::hours(8),
            at_risk_at: now + chrono::Duration::hours(6),
            resolution_target_minutes: 2400,
            resolution_due_at: now + chrono::Duration::days(7),
            resolution_at_risk_at: now + chrono::Duration::days(6),
            resolution_pauses: true,
        }),
        notice_id: None,
        incident: routed.then(|| ("GET /v1/orders/{id} 503".to_owned(), 3_600_000)),
        filed_detail: "Filed".to_owned(),
        is_ticket: routed,
    }
}

/// Filings queued together are stored together; one that cannot be stored (here a
/// guidance article that does not exist) fails alone, the others of its batch are
/// stored, each exactly once, and the writer goes on.
async fn a_bad_report_fails_alone_in_its_batch(engine: Engine) {
    let (app, db, reporter) = app_with_reporter(engine).await;
    // Hold the writer so that everything below is queued into one batch.
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn({
        let db = db.clone();
        async move {
            db.write(move |_tx| {
                Box::pin(async move {
                    let _ = wait.await;
                    Ok(())
                })
            })
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut filings = Vec::new();
    for n in 0..12 {
        let slug = match n {
            5 => Some("no-such-article"),
            n if n % 2 == 0 => Some("token-expired"),
            _ => None,
        };
        let db = db.clone();
        let report = new_report(reporter, n, slug);
        filings.push(tokio::spawn(async move { db.writer().file(report).await }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    go.send(()).unwrap();
    holder.await.unwrap().unwrap();
    let mut stored = 0;
    for (n, f) in filings.into_iter().enumerate() {
        match f.await.unwrap() {
            Ok(filed) if n != 5 => {
                stored += 1;
                assert_eq!(filed.incident.is_some(), n % 2 == 1, "report {n}");
            }
            Err(e) if n == 5 => assert_eq!(e.status / 100, 5, "{e:?}"),
            other => panic!("report {n}: {other:?}"),
        }
    }
    assert_eq!(stored, 11);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM reports WHERE description = 'Batch test'"
        )
        .await,
        11,
        "the good reports once each, the bad one not at all"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM report_events WHERE kind = 'filed'"
        )
        .await,
        11
    );
    let incident_count = count(
        &db,
        "SELECT CAST(COALESCE(SUM(report_count), 0) AS BIGINT) FROM incidents",
    )
    .await;
    assert_eq!(incident_count, 5, "the incident counts its reports once");
    db.writer()
        .file(new_report(reporter, 99, None))
        .await
        .expect("the writer goes on");
    assert_nothing_half_written(&db).await;
    assert_no_open_transaction(&app).await;
}

/// A filing alone in its batch takes the short way (on SQLite one `INSERT` into the
/// writer's view, on PostgreSQL one statement). One that fails there — after it already
/// joined its incident — leaves nothing behind: no report, no history, no count on the
/// incident; its caller hears an error, and the next filing joins the same incident.
async fn a_lone_filing_that_fails_leaves_nothing(engine: Engine) {
    let (app, db, reporter) = app_with_reporter(engine).await;
    let first = db
        .writer()
        .file(new_report(reporter, 1, None))
        .await
        .expect("a good filing is stored");
    let incident = first
        .incident
        .expect("a routed report joins an incident")
        .id;
    // A maintenance notice that does not exist: the report's insert fails after the
    // incident claim in the same script or statement.
    let mut bad = new_report(reporter, 2, None);
    bad.notice_id = Some(999_999);
    let e = db
        .writer()
        .file(bad)
        .await
        .expect_err("a dangling notice is refused");
    assert_eq!(e.status / 100, 5, "{e:?}");
    let e = db
        .writer()
        .file(new_report(reporter, 3, Some("no-such-article")))
        .await
        .expect_err("a dangling guidance article is refused");
    assert_eq!(e.status / 100, 5, "{e:?}");
    for (sql, want) in [
        (
            "SELECT COUNT(*) FROM reports WHERE description = 'Batch test'",
            1,
        ),
        ("SELECT COUNT(*) FROM report_events WHERE kind = 'filed'", 1),
        ("SELECT COUNT(*) FROM incidents", 1),
        ("SELECT CAST(SUM(report_count) AS BIGINT) FROM incidents", 1),
    ] {
        assert_eq!(count(&db, sql).await, want, "{sql}");
    }
    let next = db
        .writer()
        .file(new_report(reporter, 4, None))
        .await
        .expect("the writer goes on");
    let joined = next.incident.expect("it joins the incident");
    assert_eq!((joined.id, joined.report_count), (incident, 2));
    assert_nothing_half_written(&db).await;
    assert_no_open_transaction(&app).await;
}

/// Two agents move the same ticket at the same moment: one wins, the other gets 409 and
/// nothing of its action is stored.
async fn conflicting_status_changes_one_wins(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let a = app.staff("a@example.com", Role::Agent).await;
    let b = app.staff("b@example.com", Role::Agent).await;
    for round in 0..8 {
        let id = app
            .file(
                &dev,
                &ReportForm::server_error().with("endpoint", format!("/v1/round/{round}")),
            )
            .await
            .to_string();
        let move_a = [("id", id.as_str()), ("status", "waiting")];
        let reply_b = [
            ("id", id.as_str()),
            ("body", "Fixed on our side."),
            ("visibility", "public"),
            ("then_status", "resolved"),
        ];
        let (x, y) = tokio::join!(
            app.call(&a, "change_status", &move_a),
            app.call(&b, "post_message", &reply_b),
        );
        let statuses = [x.status().as_u16(), y.status().as_u16()];
        let won = statuses.iter().filter(|s| **s == 200).count();
        // Either order is possible: waiting then (open →) resolved is allowed too, so
        // both may succeed; what may never happen is a half-done loser.
        assert!(won >= 1, "round {round}: {statuses:?}");
        for (res, code) in [(x, statuses[0]), (y, statuses[1])] {
            if code != 200 {
                // 409 when it lost the race outright; 422 when, after the other
                // action, its move is no longer allowed (resolved → waiting).
                assert!(code == 409 || code == 422, "round {round}: {code}");
                let err: Value = res.json().await.unwrap();
                assert_eq!(err["status"], code);
            }
        }
    }
    // Racing the same move: new → waiting twice; exactly one status entry per winner.
    for round in 0..8 {
        let id = app
            .file(
                &dev,
                &ReportForm::server_error().with("endpoint", format!("/v1/twice/{round}")),
            )
            .await
            .to_string();
        let resolve = [("id", id.as_str()), ("status", "resolved")];
        let (x, y) = tokio::join!(
            app.call(&a, "change_status", &resolve),
            app.call(&b, "change_status", &resolve),
        );
        let mut codes = [x.status().as_u16(), y.status().as_u16()];
        codes.sort_unstable();
        assert_eq!(codes, [200, 409], "round {round}: one wins, one is refused");
    }
    let id_list =
        "SELECT COUNT(*) FROM report_events WHERE kind = 'status' AND detail = 'New → Resolved'";
    assert_eq!(
        count(&app.db, id_list).await,
        8,
        "one status entry per race"
    );
    assert_nothing_half_written(&app.db).await;
}

/// An update racing the incident's resolution or merge: a closed incident is never
/// answered, and a refused update leaves no message behind.
async fn incident_updates_race_resolution(engine: Engine) {
    let app = spawn_app(engine).await;
    let dev = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let lead = app.staff("lead@example.com", Role::Agent).await;
    for round in 0..6 {
        let form = ReportForm::server_error().with("endpoint", format!("/v1/race{round}/1"));
        let first = app.file(&dev, &form).await;
        app.file(
            &dev,
            &form.clone().with("endpoint", format!("/v1/race{round}/2")),
        )
        .await;
        let t: Value = app
            .call_ok(&agent, "get_ticket", &[("id", &first.to_string())])
            .await;
        let incident = t["report"]["incident"]["id"].as_i64().unwrap().to_string();
        let body = format!("Update {round}");
        let update = [("id", incident.as_str()), ("body", body.as_str())];
        let close = [("id", incident.as_str())];
        let (reply, resolve) = tokio::join!(
            app.call(&agent, "reply_incident", &update),
            app.call(&lead, "resolve_incident", &close),
        );
        assert_eq!(resolve.status(), StatusCode::OK, "round {round}");
        let messages: i64 = {
            let b = body.clone();
            on_db!(&app.db, pool => {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM messages WHERE body = $1")
                    .bind(b).fetch_one(pool).await.unwrap();
                n
            })
        };
        match reply.status().as_u16() {
            200 => assert_eq!(messages, 2, "round {round}: one message per report"),
            409 => assert_eq!(
                messages, 0,
                "round {round}: a refused update leaves nothing"
            ),
            other => panic!("round {round}: reply answered {other}"),
        }
        let again = app
            .call(
                &agent,
                "reply_incident",
                &[("id", &incident), ("body", "Too late")],
            )
            .await;
        assert_eq!(
            again.status(),
            StatusCode::CONFLICT,
            "a resolved incident takes no update"
        );
    }
    assert_nothing_half_written(&app.db).await;
}

/// Readiness writes: while another connection holds the write lock (SQLite) or locks
/// the probe's table (PostgreSQL), `/health/ready` answers 503 within a few seconds;
/// once released it is ready again.
async fn readiness_fails_while_writes_cannot_be_made(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = common::client();
    assert_eq!(app.get(&c, "/health/ready").await.status(), StatusCode::OK);
    let url = app.database_url.clone();
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        use sqlx::Connection;
        match engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query("BEGIN EXCLUSIVE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let _ = locked_tx.send(());
                let _ = release_rx.await;
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::query("LOCK TABLE health_probe IN ACCESS EXCLUSIVE MODE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let _ = locked_tx.send(());
                let _ = release_rx.await;
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    });
    locked_rx.await.unwrap();
    let started = std::time::Instant::now();
    let res = app.get(&c, "/health/ready").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered in bounded time"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], 503);
    release_tx.send(()).unwrap();
    holder.await.unwrap();
    // The lane finishes what waited, then probes pass again.
    let mut ready = false;
    for _ in 0..50 {
        if app.get(&c, "/health/ready").await.status() == StatusCode::OK {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "ready again once writes can be made");
}

/// Kills every PostgreSQL connection of the app's database (what a server restart or
/// failover looks like to the app).
async fn kill_connections(app: &TestApp) {
    let name = app.database_url.rsplit('/').next().unwrap();
    let admin = sqlx::PgPool::connect(&common::postgres_admin_url())
        .await
        .unwrap();
    let killed: Vec<(bool,)> =
        sqlx::query_as("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(name)
            .fetch_all(&admin)
            .await
            .unwrap();
    admin.close().await;
    assert!(!killed.is_empty(), "the app had connections to kill");
}

/// PostgreSQL drops every connection of the database in the middle of a flood (what a
/// restart or failover looks like to the app): each filing is answered 2xx or 503 JSON
/// in bounded time, service resumes by itself, every acknowledged report is stored and
/// nothing is half written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_killed_mid_flood() {
    let app = spawn_app(Engine::Postgres).await;
    let mut filers = Vec::new();
    for i in 0..8 {
        filers.push(app.developer(&format!("dev{i}@example.com")).await);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    for (t, dev) in filers.into_iter().enumerate() {
        let (base, stop) = (app.base.clone(), stop.clone());
        tasks.spawn(async move {
            let mut acked = Vec::new();
            let mut answers = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let form = ReportForm::server_error().with("endpoint", format!("/v1/kill/{t}/{i}"));
                let started = std::time::Instant::now();
                let res = dev
                    .post(format!("{base}/api/file_report"))
                    .header("accept", "application/json")
                    .form(&form.pairs())
                    .send()
                    .await
                    .expect("every request is answered");
                let status = res.status().as_u16();
                let body = res.text().await.unwrap();
                answers.push((status, started.elapsed(), body.clone()));
                if status == 200 {
                    acked.push(body.parse::<i64>().unwrap());
                }
            }
            (acked, answers)
        });
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    kill_connections(&app).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut acked = Vec::new();
    let mut unavailable = 0;
    while let Some(done) = tasks.join_next().await {
        let (ids, answers) = done.unwrap();
        acked.extend(ids);
        for (status, took, body) in answers {
            assert!(
                took < Duration::from_secs(10),
                "answered in bounded time: {took:?}"
            );
            match status {
                200 => {}
                503 => {
                    unavailable += 1;
                    let err: Value = serde_json::from_str(&body).expect("a JSON error");
                    assert_eq!(err["status"], 503);
                }
                other => panic!("a filing answered {other}: {body}"),
            }
        }
    }
    eprintln!(
        "{} filings acknowledged, {unavailable} told to retry",
        acked.len()
    );
    let dev = app.developer("after@example.com").await;
    let mut resumed = false;
    for _ in 0..50 {
        let res = app
            .call(
                &dev,
                "file_report",
                &pairs_ref(&ReportForm::server_error().pairs()),
            )
            .await;
        if res.status().is_success() {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(resumed, "service resumes by itself");
    let stored: Vec<i64> = on_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM reports").fetch_all(pool).await.unwrap());
    let lost: Vec<_> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    assert_nothing_half_written(&app.db).await;
}

/// PostgreSQL: a lone filing that finds the writer idle skips the lanes' thread (it is
/// filed on the caller's runtime, over a connection of its own). Such filings are whole
/// reports, filed even when their callers give up at once; after the writer's
/// connections are killed, at most one filing per connection hears "try again" and the
/// direct way works again; and
/// closing the writer waits for a filing under way instead of cutting it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_idle_writer_files_directly() {
    let (app, db, reporter) = app_with_reporter(Engine::Postgres).await;
    let writer = db.writer().clone();

    // Each filing a moment after the last one's answer, as a client's next request
    // comes (a lane answers its callers while it still counts as busy, so a filing made
    // at the very instant of an answer from a lane queues for the lane).
    let pause = Duration::from_millis(2);
    let before = writer.direct_filings();
    for n in 0..20 {
        writer
            .file(new_report(reporter, n, None))
            .await
            .expect("a filing on an idle writer is stored");
        tokio::time::sleep(pause).await;
    }
    let direct = writer.direct_filings() - before;
    assert!(
        direct >= 15,
        "filings one after another find the writer idle: {direct} of 20 went directly"
    );

    // Callers that give up as soon as their filing is handed over (a closed tab).
    for n in 20..60 {
        let filing = writer.file(new_report(reporter, n, Some("token-expired")));
        let _ = tokio::time::timeout(Duration::ZERO, filing).await;
    }
    let mut stored = 0;
    for _ in 0..100 {
        stored = count(&db, "SELECT COUNT(*) FROM reports").await;
        if stored == 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored, 60, "every filing handed over was stored");
    assert_nothing_half_written(&db).await;
    assert_no_open_transaction(&app).await;

    // The direct connection (with every other of this database) is killed.
    kill_connections(&app).await;
    let mut answers = Vec::new();
    for n in 60..70 {
        let before = writer.direct_filings();
        let answer = writer.file(new_report(reporter, n, None)).await;
        answers.push((
            answer.map(|f| f.id).map_err(|e| e.status),
            writer.direct_filings() > before,
        ));
        tokio::time::sleep(pause).await;
    }
    let retried = answers.iter().filter(|(a, _)| a.is_err()).count();
    assert!(
        answers.iter().all(|(a, _)| matches!(a, Ok(_) | Err(503))),
        "{answers:?}"
    );
    // At most one filing per connection the writer held (the direct way's, a lane's).
    assert!(
        retried <= 2,
        "only filings on dead connections fail: {answers:?}"
    );
    assert!(
        answers[3..].iter().all(|(a, direct)| a.is_ok() && *direct),
        "the direct way works again: {answers:?}"
    );

    // Closing waits for a filing under way.
    let before = writer.direct_filings();
    let under_way = tokio::spawn({
        let writer = writer.clone();
        async move { writer.file(new_report(reporter, 70, None)).await }
    });
    tokio::time::timeout(Duration::from_secs(5), async {
        while writer.direct_filings() == before {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the filing went directly");
    db.close().await;
    let filed = under_way
        .await
        .unwrap()
        .expect("the filing under way was finished");
    let after: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM report_events WHERE report_id = $1 AND kind = 'filed'",
    )
    .bind(filed.id)
    .fetch_one(&sqlx::PgPool::connect(&app.database_url).await.unwrap())
    .await
    .unwrap();
    assert_eq!(after.0, 1, "stored whole");
    assert_eq!(
        writer
            .file(new_report(reporter, 71, None))
            .await
            .unwrap_err()
            .status,
        503,
        "a closed writer files nothing"
    );
}

/// SQLite: the WAL is copied back into the database file a moment after commits, by the
/// writer's checkpointer (the writer's own automatic checkpoint waits for 10,000 WAL
/// pages, some 800 lone filings), and under a continuous flood the WAL file stays
/// bounded: it still starts over from its beginning, though the writer never pauses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_is_checkpointed_and_stays_bounded_under_a_flood() {
    let (app, db, reporter) = app_with_reporter(Engine::Sqlite).await;
    let path = std::path::PathBuf::from(
        app.database_url
            .strip_prefix("sqlite://")
            .expect("an SQLite URL"),
    );
    let wal = path.with_file_name("faultdesk.db-wal");

    // The writer's own connection waits for 10,000 pages, not SQLite's 1,000.
    let pages = db
        .write(|tx| {
            Box::pin(async move {
                let pages = app::on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
                    "PRAGMA wal_autocheckpoint").fetch_all(&mut *c).await)?;
                Ok(pages)
            })
        })
        .await
        .expect("the writer answers");
    assert_eq!(pages, [10_000]);

    for n in 0..5 {
        db.writer()
            .file(new_report(reporter, n, None))
            .await
            .expect("filed");
    }
    // The database file alone, copied without its WAL, soon holds all five.
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("copy.db");
    let mut in_file = -1;
    for _ in 0..100 {
        std::fs::copy(&path, &copy).unwrap();
        let url = format!("sqlite://{}", copy.display());
        if let Ok(mut c) = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await {
            // A copy taken mid-checkpoint may be torn: try again.
            if let Ok(n) = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM reports WHERE description = 'Batch test'",
            )
            .fetch_one(&mut c)
            .await
            {
                in_file = n;
            }
            let _ = sqlx::Connection::close(c).await;
        }
        let _ = std::fs::remove_file(copy.with_file_name("copy.db-wal"));
        let _ = std::fs::remove_file(copy.with_file_name("copy.db-shm"));
        if in_file == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        in_file, 5,
        "the checkpointer copied the WAL into the database file"
    );

    // A flood: 16 filers, 12,800 filings, while the WAL file's size is watched. Batched
    // filings share pages, so a WAL that never started over would reach ~110 MB (26 MB
    // measured at 3,040 filings with the writer's automatic checkpoint off); one that
    // does stays near 41 MB (the automatic checkpoint's 10,000 pages plus a batch).
    const EACH: i64 = 800;
    let filers: Vec<_> = (0..16)
        .map(|f| {
            let db = db.clone();
            tokio::spawn(async move {
                for n in 0..EACH {
                    db.writer()
                        .file(new_report(reporter, 1000 + f * 1000 + n, None))
                        .await
                        .expect("filed");
                }
            })
        })
        .collect();
    let mut largest = 0u64;
    while !filers.iter().all(|f| f.is_finished()) {
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for f in filers {
        f.await.unwrap();
    }
    largest = largest.max(std::fs::metadata(&wal).unwrap().len());
    eprintln!("largest WAL during 12,800 filings: {} KB", largest / 1024);
    assert!(
        largest < 56 * 1024 * 1024,
        "the WAL started over during the flood (largest {largest} bytes)"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM reports WHERE description = 'Batch test'"
        )
        .await,
        5 + 16 * EACH
    );
    assert_nothing_half_written(&db).await;
}

/// SQLite's lone filing is one `INSERT` into the writer connection's own view, whose
/// triggers do the filing. Called directly here (through the writer, a view that failed
/// would go unnoticed: the report would be filed step by step instead): a routed
/// report starts its incident, the next joins it as a member, a deflected one stands
/// alone, each with its history entry, and each answer is what was stored. One the
/// triggers refuse part-way is not committed and leaves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_lone_filing_view_files_whole_reports() {
    use app::server::reports::{file_one_sqlite, prepare_sqlite_writer};
    use sqlx::Connection;
    let (app, db, reporter) = app_with_reporter(Engine::Sqlite).await;
    let mut c = sqlx::SqliteConnection::connect(&app.database_url)
        .await
        .unwrap();
    prepare_sqlite_writer(&mut c).await.unwrap();
    let mut file = async |report| {
        file_one_sqlite(&mut c, &report)
            .await
            .expect("committed")
            .expect("answered")
    };
    let first = file(new_report(reporter, 1, None)).await;
    let second = file(new_report(reporter, 2, None)).await;
    let deflected = file(new_report(reporter, 3, Some("token-expired"))).await;
    let (a, b) = (first.incident.unwrap(), second.incident.unwrap());
    assert_eq!((a.id, a.report_count, a.status.as_str()), (b.id, 1, "open"));
    assert_eq!(b.report_count, 2);
    assert_eq!(b.reporter_follows, Some(false));
    assert!(deflected.incident.is_none());
    assert!(first.id < second.id && second.id < deflected.id);
    let stored: Vec<(i64, Option<i64>, bool, i64)> = sqlx::query_as(
        "SELECT r.id, r.incident_id, r.incident_member, \
           (SELECT COUNT(*) FROM report_events e WHERE e.report_id = r.id AND e.kind = 'filed') \
         FROM reports r ORDER BY r.id",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(
        stored,
        vec![
            (first.id, Some(a.id), false, 1),
            (second.id, Some(a.id), true, 1),
            (deflected.id, None, false, 1),
        ]
    );
    assert_eq!(
        count(&db, "SELECT lead_report_id FROM incidents").await,
        first.id
    );
    // A maintenance notice that does not exist: the report's insert fails after the
    // incident's count went up, inside the same statement.
    let mut bad = new_report(reporter, 4, None);
    bad.notice_id = Some(999_999);
    assert!(
        file_one_sqlite(&mut c, &bad).await.is_err(),
        "not committed"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reports").await, 3);
    assert_eq!(count(&db, "SELECT report_count FROM incidents").await, 2);
    c.close().await.unwrap();
    assert_nothing_half_written(&db).await;
}

on_both_engines!(
    clients_vanishing_mid_request_break_nothing,
    units_of_work_outlive_their_callers,
    a_bad_report_fails_alone_in_its_batch,
    a_lone_filing_that_fails_leaves_nothing,
    conflicting_status_changes_one_wins,
    incident_updates_race_resolution,
    readiness_fails_while_writes_cannot_be_made,
);
