//! Seeds a database with a year of realistic reports for the manager-report benchmark
//! (see `bench/reports.sh`): `--tickets` tickets (90 % routed server errors and transport
//! failures, 10 % client errors escalated after guidance) plus 30 % as many deflected
//! client errors that stayed deflected, filed evenly over the `--days` days up to now.
//! Due times, first responses and their business time follow the support calendar, as
//! the app computes them.
//!
//! ```sh
//! cargo run --release -p server --example seed_reports -- \
//!     --database-url sqlite://bench/results/reports.db --tickets 1000000
//! ```
//!
//! Rows go in with multi-row `INSERT`s, 1,000 at a time, each batch in a transaction.

use anyhow::Context;
use app::server::{db::Db, intake::start_clock, settings};
use app::{domain::ticket::Priority, on_db, on_tx};
use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use sqlx::QueryBuilder;
use std::time::Instant;

#[derive(Parser, Debug)]
struct Args {
    /// The database to fill (created and migrated if needed).
    #[arg(long, default_value = "sqlite://bench/results/reports.db")]
    database_url: String,
    /// How many tickets (routed and escalated reports).
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// Over how many days up to now they were filed.
    #[arg(long, default_value_t = 365)]
    days: i64,
    /// How many developers file them.
    #[arg(long, default_value_t = 5_000)]
    developers: u64,
    /// Seed of the pseudo-random generator (the same seed gives the same data).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// xorshift64*: small, fast, deterministic; plenty for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const TEMPLATES: [&str; 24] = [
    "/v1/orders/{id}",
    "/v1/orders",
    "/v1/orders/{id}/items",
    "/v1/orders/{id}/refunds",
    "/v1/customers/{id}",
    "/v1/customers",
    "/v1/customers/{id}/cards",
    "/v1/payments",
    "/v1/payments/{id}",
    "/v1/payments/{id}/capture",
    "/v1/invoices",
    "/v1/invoices/{id}",
    "/v1/invoices/{id}/pdf",
    "/v1/products",
    "/v1/products/{id}",
    "/v1/shipments",
    "/v1/shipments/{id}/labels",
    "/v1/webhooks",
    "/v1/webhooks/{id}",
    "/v1/search",
    "/v1/reports/exports",
    "/v1/tokens",
    "/v1/accounts/{id}",
    "/v2/orders/{id}",
];
const SERVER_CODES: [Option<i64>; 10] = [
    Some(500),
    Some(500),
    Some(502),
    Some(503),
    Some(503),
    Some(503),
    Some(504),
    Some(504),
    None,
    None,
];
const TRANSPORTS: [&str; 4] = ["timeout", "connection_refused", "dns", "tls"];
const CLIENT_CODES: [i64; 9] = [400, 401, 401, 403, 404, 409, 422, 429, 429];

/// One report row to insert.
#[derive(Clone)]
struct Row {
    reporter: i64,
    endpoint: String,
    template: &'static str,
    code: Option<i64>,
    transport: Option<&'static str>,
    class: &'static str,
    disposition: &'static str,
    feedback: Option<&'static str>,
    recontact: bool,
    status: &'static str,
    priority: &'static str,
    created: i64,
    day: String,
    routed: Option<i64>,
    target: Option<i64>,
    due: Option<i64>,
    at_risk: Option<i64>,
    responded: Option<i64>,
    business_secs: Option<i64>,
    breached: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(path) = args.database_url.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let db = Db::connect(&args.database_url, 2)
        .await
        .context("connect")?;
    db.migrate().await.context("migrate")?;
    let calendar = settings::load_calendar(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();

    let first_dev = seed_developers(&db, args.developers).await?;
    let mut rng = Rng(args.seed.max(1));
    let now = Utc::now();
    let start = now - Duration::days(args.days);
    let span_ms = (now - start).num_milliseconds() as u64;
    // Deflected-only reports: 30 % as many as tickets.
    let total = args.tickets + args.tickets * 3 / 10;
    let mut times: Vec<i64> = (0..total)
        .map(|_| start.timestamp_millis() + rng.below(span_ms) as i64)
        .collect();
    times.sort_unstable();
    let mut tickets_left = args.tickets;
    let mut batch = Vec::with_capacity(1000);
    for (i, created) in times.into_iter().enumerate() {
        let left = total - i as u64;
        let is_ticket = rng.below(left) < tickets_left;
        if is_ticket {
            tickets_left -= 1;
        }
        let created = DateTime::from_timestamp_millis(created).unwrap_or(now);
        let reporter = first_dev + rng.below(args.developers) as i64;
        batch.push(row(&mut rng, &calendar, reporter, created, now, is_ticket));
        if batch.len() == 1000 {
            insert(&db, &batch).await?;
            batch.clear();
        }
        if i % 100_000 == 0 && i > 0 {
            eprintln!("{i} reports in {:.0?}", started.elapsed());
        }
    }
    insert(&db, &batch).await?;
    eprintln!(
        "{total} reports ({} tickets) in {:.0?}; analysing…",
        args.tickets,
        started.elapsed()
    );
    // Planner statistics (and, on PostgreSQL, the visibility map that index-only scans
    // need), as a database in steady use would have them.
    let analyse = match db.engine() {
        app::server::db::Engine::Sqlite => "ANALYZE",
        app::server::db::Engine::Postgres => "VACUUM ANALYZE reports",
    };
    match db.pool() {
        // VACUUM cannot run inside a transaction; PostgreSQL's pool may write.
        app::server::db::Pool::Postgres(pool) => {
            sqlx::query(analyse).execute(pool).await.map(|_| ())?
        }
        app::server::db::Pool::Sqlite(_) => db
            .write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, c => sqlx::query(analyse).execute(&mut *c).await.map(|_| ()))?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?,
    }
    eprintln!("done in {:.0?}", started.elapsed());
    db.close().await;
    Ok(())
}

async fn seed_developers(db: &Db, n: u64) -> anyhow::Result<i64> {
    let (first,): (i64,) = on_db!(db, pool => sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetch_one(pool).await)?;
    let run = first;
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let chunk = chunk.to_vec();
        db.write(move |tx| Box::pin(async move { on_tx!(tx, c => {
            let mut q = QueryBuilder::new("INSERT INTO users (email, password_hash, role, timezone, created_at) ");
            q.push_values(&chunk, |mut b, i| {
                // "!" is no valid hash: these accounts cannot sign in.
                b.push_bind(format!("bench-dev-{run}-{i}@example.com"))
                    .push_bind("!")
                    .push_bind("developer")
                    .push_bind("UTC")
                    .push_bind(0_i64);
            });
            q.build().execute(&mut *c).await.map(|_| ())
        })?; Ok(()) }))
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    }
    Ok(first)
}

fn row(
    rng: &mut Rng,
    calendar: &app::domain::calendar::BusinessCalendar,
    reporter: i64,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    is_ticket: bool,
) -> Row {
    let template = *rng.pick(&TEMPLATES);
    let endpoint = template.replace("{id}", &(1000 + rng.below(900_000)).to_string());
    let day = created
        .with_timezone(&calendar.timezone())
        .format("%Y-%m-%d")
        .to_string();
    let escalated = is_ticket && rng.chance(10);
    let (code, transport, class) = if !is_ticket || escalated {
        (Some(*rng.pick(&CLIENT_CODES)), None, "client_error")
    } else {
        match *rng.pick(&SERVER_CODES) {
            Some(c) => (Some(c), None, "server_error"),
            None => (None, Some(*rng.pick(&TRANSPORTS)), "transport_failure"),
        }
    };
    let mut r = Row {
        reporter,
        endpoint,
        template,
        code,
        transport,
        class,
        disposition: "deflected",
        feedback: None,
        recontact: class == "client_error" && rng.chance(6),
        status: "closed",
        priority: "normal",
        created: created.timestamp_millis(),
        day,
        routed: None,
        target: None,
        due: None,
        at_risk: None,
        responded: None,
        business_secs: None,
        breached: false,
    };
    if !is_ticket {
        // Stayed deflected: most developers answer the guidance.
        let (feedback, status) = match rng.below(100) {
            0..=69 => ("self_solved", "closed"),
            _ => ("pending", "awaiting_feedback"),
        };
        r.feedback = Some(feedback);
        r.status = status;
        return r;
    }
    let (priority, routed) = if escalated {
        r.disposition = "escalated";
        r.feedback = Some("escalated");
        (
            Priority::Low,
            created + Duration::minutes(5 + rng.below(120) as i64),
        )
    } else {
        r.disposition = "routed";
        (Priority::Normal, created)
    };
    let sla = start_clock(
        calendar,
        &app::domain::sla_policy::SlaPolicy::default(),
        priority,
        routed,
    );
    r.priority = priority.as_str();
    r.routed = Some(sla.routed_at.timestamp_millis());
    r.target = Some(sla.target_minutes);
    r.due = Some(sla.due_at.timestamp_millis());
    r.at_risk = Some(sla.at_risk_at.timestamp_millis());
    // Business minutes to the first response: mostly within the target, a tail beyond.
    let minutes = match rng.below(100) {
        0..=59 => 5 + rng.below(240),
        60..=89 => 240 + rng.below(sla.target_minutes as u64 - 240),
        _ => sla.target_minutes as u64 + rng.below(960),
    } as i64;
    let answered = calendar.add_business_minutes(routed, minutes);
    if answered <= now && rng.below(1000) > 3 {
        r.responded = Some(answered.timestamp_millis());
        r.business_secs = Some(calendar.business_seconds_between(routed, answered));
        r.breached = answered > sla.due_at;
        r.status = if now - answered > Duration::days(3) {
            "closed"
        } else {
            *rng.pick(&["open", "waiting", "resolved"])
        };
    } else {
        r.status = *rng.pick(&["new", "open"]);
    }
    r
}

async fn insert(db: &Db, rows: &[Row]) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows.to_vec();
    db.write(move |tx| Box::pin(async move { on_tx!(tx, c => {
        let mut q = QueryBuilder::new(
            "INSERT INTO reports (reporter_id, endpoint, endpoint_template, method, status_code, \
             transport, class, message, occurred_at, reporter_timezone, environment, retries, \
             retry_followed, description, disposition, feedback, recontact, status, priority, \
             created_at, created_day, routed_at, sla_target_minutes, due_at, at_risk_at, \
             first_response_at, first_response_business_secs, sla_breached, updated_at) ",
        );
        q.push_values(&rows, |mut b, r| {
            b.push_bind(r.reporter)
                .push_bind(&r.endpoint)
                .push_bind(r.template)
                .push_bind("GET")
                .push_bind(r.code)
                .push_bind(r.transport)
                .push_bind(r.class)
                .push_bind("Synthetic benchmark failure")
                .push_bind(r.created)
                .push_bind("UTC")
                .push_bind("production")
                .push_bind(if r.class == "client_error" { 0_i64 } else { 2 })
                .push_bind(true)
                .push_bind("Seeded by bench/seed_reports")
                .push_bind(r.disposition)
                .push_bind(r.feedback)
                .push_bind(r.recontact)
                .push_bind(r.status)
                .push_bind(r.priority)
                .push_bind(r.created)
                .push_bind(&r.day)
                .push_bind(r.routed)
                .push_bind(r.target)
                .push_bind(r.due)
                .push_bind(r.at_risk)
                .push_bind(r.responded)
                .push_bind(r.business_secs)
                .push_bind(r.breached)
                .push_bind(r.responded.unwrap_or(r.created));
        });
        q.build().execute(&mut *c).await.map(|_| ())
    })?; Ok(()) }))
    .await
    .map_err(|e| anyhow::anyhow!(e.message))
}
