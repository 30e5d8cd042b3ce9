//! Queue benchmark: seeds N open tickets into a fresh database, starts the real app
//! in-process on a loopback port, signs in as an agent and measures the queue's server
//! response (the `/queue` page and the `queue` server function) for several filters.
//!
//! ```sh
//! bash bench/queue.sh                      # 100,000 tickets on SQLite and PostgreSQL
//! cargo run --release -p server --example bench_queue -- sqlite 100000
//! ```

use app::{
    domain::role::Role,
    on_db, on_tx,
    server::{auth::hash_password, clock::Clock, db::Db, users},
};
use chrono::{Duration, TimeZone, Utc};
use leptos::config::LeptosOptions;
use server::{config::Settings, startup::Application};
use sqlx::QueryBuilder;
use std::time::Instant;

const ROWS_PER_BATCH: usize = 500;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let engine = args.next().unwrap_or_else(|| "sqlite".into());
    let tickets: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let samples: usize = std::env::var("BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);

    let dir = tempfile::tempdir()?;
    let (url, pg_name) = match engine.as_str() {
        "sqlite" => (format!("sqlite://{}/bench.db", dir.path().display()), None),
        "postgres" => {
            let server = std::env::var("FAULTDESK_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("faultdesk_bench_{}", std::process::id());
            let admin = sqlx::PgPool::connect(&server).await?;
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&admin)
                .await?;
            admin.close().await;
            let base = server
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(server);
            (format!("{base}/{name}"), Some(name))
        }
        other => anyhow::bail!("engine must be sqlite or postgres, not {other}"),
    };

    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let settings = Settings {
        database_url: url.clone(),
        max_connections: 10,
        secure_cookies: false,
        smtp_url: None,
        mail_from: server::config::DEFAULT_MAIL_FROM.to_owned(),
        incident_window_minutes: 30,
        public_url: None,
        trust_forwarded_for: false,
        rates: app::server::limits::Rates::off(),
        alert_poll_ms: 0,
        mail_lease_secs: 120,
        leptos_options: LeptosOptions::builder()
            .output_name("faultdesk")
            .site_addr(([127, 0, 0, 1], 0))
            .build(),
    };
    let app = Application::build(settings, Clock::fixed(now)).await?;
    let db = app.state().db.clone();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    let hash = hash_password("bench password 123".into())
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let (dev, agent) = db
        .write(move |tx| {
            Box::pin(async move {
                let mut ids = Vec::new();
                for (email, role) in [
                    ("dev@bench.test", Role::Developer),
                    ("agent@bench.test", Role::Agent),
                ] {
                    let new = users::NewUser {
                        email,
                        password_hash: &hash,
                        role,
                        timezone: "UTC",
                    };
                    ids.push(users::insert(tx, &new, now).await?.unwrap_or_default());
                }
                Ok((ids[0], ids[1]))
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;

    let started = Instant::now();
    seed(&db, tickets, dev, agent, now).await?;
    println!(
        "{engine}: seeded {tickets} open tickets in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = client
        .post(format!("{base}/api/login"))
        .header("accept", "application/json")
        .form(&[
            ("email", "agent@bench.test"),
            ("password", "bench password 123"),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        login.status().is_success(),
        "login failed: {}",
        login.status()
    );

    // A cursor from the middle of the queue, for a deep page.
    let middle: (i64, i64) = on_db!(&db, pool => sqlx::query_as(
        "SELECT due_at, id FROM reports WHERE status IN ('new','open','waiting') ORDER BY due_at, id LIMIT 1 OFFSET $1")
        .bind((tickets / 2) as i64)
        .fetch_one(pool)
        .await)?;
    let deep = format!("{}.{}", middle.0, middle.1);

    let cases: Vec<(&str, String)> = vec![
        ("page: /queue (first page)", "/queue".into()),
        (
            "page: /queue deep page (keyset cursor)",
            format!("/queue?after={deep}"),
        ),
        ("page: /queue assignee=me", "/queue?assignee=me".into()),
        ("page: /queue at_risk=1", "/queue?at_risk=1".into()),
        ("page: /queue breached=1", "/queue?breached=1".into()),
        (
            "page: /queue endpoint=/v1/orders",
            "/queue?endpoint=%2Fv1%2Forders".into(),
        ),
        ("fn: queue (first page, JSON)", "fn".into()),
    ];
    println!("{engine}: {samples} sequential requests per case after 20 warm-up requests");
    println!("| case | p50 ms | p99 ms |");
    println!("|---|---|---|");
    for (name, path) in cases {
        let mut times = Vec::with_capacity(samples);
        for i in 0..(samples + 20) {
            let t = Instant::now();
            let res = if path == "fn" {
                client
                    .post(format!("{base}/api/queue"))
                    .header("accept", "application/json")
                    .form(&[("query[status]", "")])
                    .send()
                    .await?
            } else {
                client.get(format!("{base}{path}")).send().await?
            };
            anyhow::ensure!(res.status().is_success(), "{name}: {}", res.status());
            let body = res.text().await?;
            // Every case must really list tickets (a page of 50, or at least some).
            let rows = if path == "fn" {
                serde_json::from_str::<serde_json::Value>(&body)?["items"]
                    .as_array()
                    .map_or(0, |a| a.len())
            } else {
                body.matches("data-ticket=").count()
            };
            anyhow::ensure!(rows > 0, "{name}: no tickets in the answer");
            if i == 0 {
                println!("  {name}: {rows} tickets per page, {} bytes", body.len());
            }
            if i >= 20 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let pct =
            |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
        println!("| {name} | {:.1} | {:.1} |", pct(0.50), pct(0.99));
    }

    db.close().await;
    if let Some(name) = pg_name {
        let server = std::env::var("FAULTDESK_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = sqlx::PgPool::connect(&server).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&admin)
            .await?;
    }
    Ok(())
}

/// Inserts `n` open tickets (new, open and waiting; some claimed by the agent; due
/// times spread over two weeks around `now`, so some are at risk and some breached).
async fn seed(
    db: &Db,
    n: usize,
    dev: i64,
    agent: i64,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let endpoints = [
        "/v1/orders/{id}",
        "/v1/payments",
        "/v2/customers/{id}/cards",
        "/v1/invoices/{id}",
        "/v1/refunds",
    ];
    let mut done = 0;
    while done < n {
        let batch = ROWS_PER_BATCH.min(n - done);
        let start = done;
        db.write(move |tx| Box::pin(async move { on_tx!(tx, c => {
            let mut q = QueryBuilder::new(
                "INSERT INTO reports (reporter_id, endpoint, endpoint_template, method, status_code, \
                 class, message, occurred_at, reporter_timezone, environment, retries, retry_followed, \
                 description, disposition, status, priority, created_at, created_day, routed_at, \
                 sla_target_minutes, due_at, at_risk_at, assignee_id, updated_at) ",
            );
            q.push_values(start..start + batch, |mut b, i| {
                let created = now - Duration::minutes((i % 20_000) as i64);
                let due = created + Duration::hours(24);
                let endpoint = endpoints[i % endpoints.len()];
                let status = ["new", "open", "waiting"][i % 3];
                b.push_bind(dev)
                    .push_bind(endpoint.replace("{id}", &(i % 977).to_string()))
                    .push_bind(endpoint)
                    .push_bind("GET")
                    .push_bind(500 + (i % 5) as i64)
                    .push_bind("server_error")
                    .push_bind("Service Unavailable")
                    .push_bind(created.timestamp_millis())
                    .push_bind("UTC")
                    .push_bind("production")
                    .push_bind(2_i64)
                    .push_bind(true)
                    .push_bind("Seeded by the queue benchmark.")
                    .push_bind("routed")
                    .push_bind(status)
                    .push_bind("normal")
                    .push_bind(created.timestamp_millis())
                    .push_bind(created.format("%Y-%m-%d").to_string())
                    .push_bind(created.timestamp_millis())
                    .push_bind(480_i64)
                    .push_bind(due.timestamp_millis())
                    .push_bind((due - Duration::hours(2)).timestamp_millis())
                    .push_bind(if status == "new" { None } else { Some(agent) })
                    .push_bind(created.timestamp_millis());
            });
            q.build().execute(&mut *c).await?;
        }); Ok(()) }))
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
        done += batch;
    }
    let analyse = match db.engine() {
        app::server::db::Engine::Sqlite => "ANALYZE",
        app::server::db::Engine::Postgres => "ANALYZE reports",
    };
    db.write(move |tx| {
        Box::pin(async move {
            on_tx!(tx, c => sqlx::query(analyse).execute(&mut *c).await.map(|_| ()))?;
            Ok(())
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    Ok(())
}
