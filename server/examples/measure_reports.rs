//! Measures the manager report over HTTP against a running server (see
//! `bench/reports.sh`): signs in as a manager, warms up, then times `--requests`
//! sequential requests of the report page, its server function and a CSV download per
//! range, and prints p50/p99 (nearest rank) in milliseconds. Loopback HTTP adds well
//! under a millisecond, so these are server times.
//!
//! ```sh
//! cargo run --release -p server --example measure_reports -- \
//!     --base-url http://127.0.0.1:3290 --email bench-manager@faultdesk.test \
//!     --password "$PASSWORD" --range 2026-10-26:2026-11-24
//! ```

use anyhow::{bail, Context};
use app::domain::stats::percentile;
use clap::Parser;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// Where the server listens.
    #[arg(long, default_value = "http://127.0.0.1:3290")]
    base_url: String,
    /// A manager's email.
    #[arg(long)]
    email: String,
    /// Their password.
    #[arg(long)]
    password: String,
    /// Timed requests per measurement.
    #[arg(long, default_value_t = 50)]
    requests: usize,
    /// Untimed requests first.
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// `FROM:TO` (YYYY-MM-DD, inclusive); repeat for several; `:` is the default range.
    #[arg(long = "range", default_values_t = [":".to_owned()])]
    ranges: Vec<String>,
    /// The server's database: when given, the per-day report cache is emptied before
    /// each range and the first (cold) request is timed on its own.
    #[arg(long)]
    database_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // As a page of the site would: state-changing requests without this site's
    // `Origin` are refused as cross-site (`security::same_site_only`).
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(args.base_url.trim_end_matches('/'))?,
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let login = client
        .post(format!("{}/api/login", args.base_url))
        .header("accept", "application/json")
        .form(&[("email", &args.email), ("password", &args.password)])
        .send()
        .await
        .context("sign in")?;
    if !login.status().is_success() {
        bail!("sign-in failed: {}", login.status());
    }
    println!(
        "{:<25} {:<20} {:>9} {:>9} {:>9} {:>10}",
        "range", "request", "p50 ms", "p99 ms", "max ms", "bytes"
    );
    let db = match &args.database_url {
        Some(url) => Some(app::server::db::Db::connect(url, 1).await?),
        None => None,
    };
    for range in &args.ranges {
        let (from, to) = range.split_once(':').unwrap_or((range, ""));
        let query = format!("from={from}&to={to}");
        if let Some(db) = &db {
            db.write(|tx| Box::pin(async move { app::on_tx!(tx, c => sqlx::query("DELETE FROM report_day_cache").execute(&mut *c).await.map(|_| ()))?; Ok(()) }))
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let started = Instant::now();
            let res = client
                .get(format!("{}/manager/reports?{query}", args.base_url))
                .send()
                .await?;
            let bytes = res.bytes().await?.len();
            print_row(range, "page, cache cold", &mut [started.elapsed()], bytes);
        }
        let page = format!("{}/manager/reports?{query}", args.base_url);
        let csv = format!(
            "{}/manager/reports/volume_by_day.csv?{query}",
            args.base_url
        );
        let api = format!("{}/api/manager_report", args.base_url);
        for (label, request) in [
            ("page (HTML)", client.get(&page)),
            (
                "server function",
                client.post(&api).form(&[("from", from), ("to", to)]),
            ),
            ("CSV (volume by day)", client.get(&csv)),
        ] {
            let mut times = Vec::with_capacity(args.requests);
            let mut bytes = 0;
            for i in 0..args.warmup + args.requests {
                let req = request.try_clone().context("clone request")?;
                let started = Instant::now();
                let res = req.send().await?;
                let status = res.status();
                let body = res.bytes().await?;
                let took = started.elapsed();
                if !status.is_success() {
                    bail!(
                        "{label} {range}: {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                }
                bytes = body.len();
                if i >= args.warmup {
                    times.push(took);
                }
            }
            print_row(range, label, &mut times, bytes);
        }
    }
    Ok(())
}

fn print_row(range: &str, label: &str, times: &mut [Duration], bytes: usize) {
    let mut micros: Vec<i64> = times.iter().map(|t| t.as_micros() as i64).collect();
    micros.sort_unstable();
    let ms = |p: u32| percentile(&micros, p).unwrap_or(0) as f64 / 1000.0;
    let range = if range == ":" {
        "default (last 30 days)"
    } else {
        range
    };
    println!(
        "{range:<25} {label:<20} {:>9.1} {:>9.1} {:>9.1} {bytes:>10}",
        ms(50),
        ms(99),
        ms(100)
    );
}
