//! Several Faultdesk *processes* (the real server binary) on one fresh PostgreSQL
//! database, as a deployment runs them: they start at once (migrations race under
//! sqlx's lock), share sessions and live events, and together send each SLA alert exactly once, even
//! when one of them is killed with SIGKILL midway.

mod common;

use app::{
    domain::role::Role,
    server::db::{millis, Db},
};
use chrono::Utc;
use common::{
    builders::ReportForm, client, fresh_database, same_site_headers, smtp::SmtpServer, Engine,
};
use std::{
    collections::{BTreeMap, BTreeSet},
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const TICKETS: i64 = 200;

struct Instance {
    child: Child,
    base: String,
}

/// Starts the server binary on `database_url`; returns once it listens.
async fn start(database_url: &str, smtp_url: &str) -> Instance {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("FAULTDESK_DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("FAULTDESK_SMTP_URL", smtp_url)
        .env("FAULTDESK_ALERT_POLL_MS", "100")
        // A killed instance's claimed mail is another's after 3 s, not two minutes.
        .env("FAULTDESK_MAIL_LEASE_SECS", "3")
        .env("FAULTDESK_RATE_SIGNUP_PER_HOUR", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server binary");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Reads its output on a thread of its own (and keeps reading, so the server never
    // blocks on a full pipe).
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Faultdesk is running at ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(url.to_owned());
                }
            }
        }
    });
    let base = tokio::time::timeout(Duration::from_secs(60), rx)
        .await
        .expect("the server starts within a minute")
        .expect("the server exited before listening");
    Instance { child, base }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    app::on_db!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await).expect(sql)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_send_every_alert_once_with_one_killed_midway() {
    let (url, _guard) = fresh_database(Engine::Postgres).await;
    let smtp = SmtpServer::start().await;
    // All three start at once: each runs the migrations (sqlx serialises them).
    let (a, b, c) = tokio::join!(
        start(&url, &smtp.url),
        start(&url, &smtp.url),
        start(&url, &smtp.url)
    );
    let mut instances = [a, b, c];
    let db = Db::connect(&url, 2).await.expect("connect");

    // A session made on one instance is valid on the others.
    let dev = client();
    let res = dev
        .post(format!("{}/api/signup", instances[0].base))
        .headers(same_site_headers())
        .form(&[
            ("email", "dev@example.com"),
            ("password", "correct horse battery"),
            ("timezone", "Europe/Berlin"),
        ])
        .send()
        .await
        .expect("signup");
    assert!(res.status().is_success(), "signup: {}", res.status());
    for i in &instances[1..] {
        let who: serde_json::Value = dev
            .post(format!("{}/api/whoami", i.base))
            .headers(same_site_headers())
            .send()
            .await
            .expect("whoami")
            .json()
            .await
            .expect("json");
        assert_eq!(who["email"], "dev@example.com", "{who}");
    }

    // A staff member signed in on A watches the queue on C; a report filed on B
    // appears there at once (LISTEN/NOTIFY through the shared database).
    let hash = app::server::auth::hash_password("staff password 123".to_owned())
        .await
        .expect("hash");
    let now = Utc::now();
    let agent = common::insert_user(&db, "agent@example.com", &hash, Role::Agent, "UTC", now).await;
    let staff = client();
    let res = staff
        .post(format!("{}/api/login", instances[0].base))
        .headers(same_site_headers())
        .form(&[
            ("email", "agent@example.com"),
            ("password", "staff password 123"),
        ])
        .send()
        .await
        .expect("login");
    assert!(res.status().is_success(), "login: {}", res.status());
    let mut stream = staff
        .get(format!("{}/events/queue", instances[2].base))
        .send()
        .await
        .expect("event stream");
    assert_eq!(stream.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pairs = ReportForm::server_error().pairs();
    let filed: i64 = dev
        .post(format!("{}/api/file_report", instances[1].base))
        .headers(same_site_headers())
        .form(&pairs)
        .send()
        .await
        .expect("file")
        .json()
        .await
        .expect("the new report's id");
    let expected = format!("event: created\ndata: {filed}");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !seen.contains(&expected) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no event on C within 2 s; got {seen:?}"))
            .expect("stream")
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);

    // 200 routed tickets, unassigned, whose at-risk instants fall over the next four
    // seconds and due times over the four after; one agent opted into every alert.
    let now = Utc::now();
    let reporter: i64 = count(&db, "SELECT id FROM users WHERE email = 'dev@example.com'").await;
    let t0 = millis(now) + 2_000;
    app::on_db!(&db, pool => {
        sqlx::query("UPDATE users SET alert_unassigned = TRUE, alert_after_hours = TRUE WHERE id = $1")
            .bind(agent)
            .execute(pool)
            .await
            .expect("preferences");
        sqlx::query(
            "INSERT INTO reports (reporter_id, endpoint, endpoint_template, method, status_code, \
             class, message, occurred_at, reporter_timezone, environment, retries, retry_followed, \
             description, disposition, status, priority, created_at, routed_at, sla_target_minutes, \
             at_risk_at, due_at, created_day, updated_at) \
             SELECT $1, '/v1/orders/' || n, '/v1/orders/{id}', 'GET', 503, 'server_error', 'down', \
             $2, 'UTC', 'production', 2, TRUE, 'x', 'routed', 'new', 'normal', $2, $2, 480, \
             $3 + n * 20, $3 + 4000 + n * 20, '2026-11-30', $2 \
             FROM generate_series(0, $4 - 1) AS n",
        )
        .bind(reporter)
        .bind(millis(now))
        .bind(t0)
        .bind(TICKETS)
        .execute(pool)
        .await
        .expect("tickets")
        .rows_affected()
    });

    // Kill one instance when about half the alerts are recorded.
    let started = Instant::now();
    loop {
        if count(&db, "SELECT COUNT(*) FROM sla_alerts").await >= TICKETS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "alerts stalled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    instances[1].child.kill().expect("SIGKILL");
    let _ = instances[1].child.wait();

    // The survivors finish: 200 + 200 alerts, each told and mailed once.
    loop {
        let alerts = count(&db, "SELECT COUNT(*) FROM sla_alerts").await;
        let sent = count(
            &db,
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL",
        )
        .await;
        if alerts == 2 * TICKETS && sent == 2 * TICKETS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "stalled at {alerts} alerts, {sent} mails sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Anything a dead instance left claimed would come back after its 3 s lease.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM sla_alerts").await,
        2 * TICKETS
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM sla_alerts WHERE event = 'at_risk'"
        )
        .await,
        TICKETS
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM notifications").await,
        2 * TICKETS
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM mail_outbox").await,
        2 * TICKETS
    );

    let received = smtp.received();
    let mut by_message: BTreeMap<String, usize> = BTreeMap::new();
    let mut subjects = BTreeSet::new();
    for m in &received {
        let header = |name: &str| {
            m.data
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with(name))
                .map(str::to_owned)
                .unwrap_or_default()
        };
        *by_message.entry(header("message-id:")).or_default() += 1;
        subjects.insert(header("subject:"));
    }
    assert_eq!(
        subjects.len(),
        2 * TICKETS as usize,
        "every ticket and event mailed"
    );
    assert_eq!(
        by_message.len(),
        2 * TICKETS as usize,
        "one message per alert"
    );
    // A message can only arrive twice if an instance died between the SMTP server
    // taking it and marking it sent; the copy then carries the same Message-ID.
    let repeats: usize = by_message.values().map(|n| n - 1).sum();
    eprintln!(
        "alerts {}, mails received {}, distinct {}, re-sent after the kill {repeats}",
        2 * TICKETS,
        received.len(),
        by_message.len()
    );
    assert!(repeats <= 1, "{repeats} messages sent twice");
    drop(instances);
}
