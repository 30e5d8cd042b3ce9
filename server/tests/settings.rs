//! Settings from the environment, through the real server binary: a value that does
//! not parse (or is out of range) stops it before it touches the database, with an
//! error that names the variable and what it must be; good values are taken.

mod common;

use common::{fresh_database, Engine};
use std::process::{Command, Output};

/// Runs `server migrate` on `database_url` with `env` set.
fn migrate(database_url: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.arg("migrate")
        .env("FAULTDESK_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the server binary")
}

#[test]
fn a_setting_that_does_not_parse_stops_the_start_and_names_the_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("settings.db");
    let sqlite = format!("sqlite://{}", file.display());
    // No connection is made before the settings are read: this address is never dialled.
    let postgres = "postgres://postgres@127.0.0.1:1/never";
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            &sqlite,
            "FAULTDESK_DB_MAX_CONNECTIONS",
            "ten",
            "a whole number",
        ),
        (&sqlite, "FAULTDESK_DB_MAX_CONNECTIONS", "0", "from 1"),
        (&sqlite, "FAULTDESK_SECURE_COOKIES", "yes", "true or false"),
        (
            &sqlite,
            "FAULTDESK_INCIDENT_WINDOW_MINUTES",
            "-5",
            "minutes from 1",
        ),
        (&sqlite, "FAULTDESK_MAIL_LEASE_SECS", "0", "seconds from 1"),
        (
            &sqlite,
            "FAULTDESK_INCIDENT_WINDOW_MINUTES",
            "30m",
            "minutes",
        ),
        (&sqlite, "FAULTDESK_ALERT_POLL_MS", "10s", "milliseconds"),
        (&sqlite, "FAULTDESK_MAIL_LEASE_SECS", "-1", "seconds"),
        (&sqlite, "LEPTOS_SITE_ADDR", "localhost", "127.0.0.1:3000"),
        (
            &sqlite,
            "FAULTDESK_RATE_API_PER_MINUTE",
            "many",
            "whole number",
        ),
        (
            &sqlite,
            "FAULTDESK_SQLITE_CHECKPOINT_MS",
            "ten",
            "0 to 60000",
        ),
        (
            &sqlite,
            "FAULTDESK_SQLITE_CHECKPOINT_MS",
            "600000",
            "0 to 60000",
        ),
        (
            &sqlite,
            "FAULTDESK_SQLITE_AUTOCHECKPOINT_PAGES",
            "99",
            "100 to 1000000",
        ),
        (
            &sqlite,
            "FAULTDESK_SQLITE_AUTOCHECKPOINT_PAGES",
            "lots",
            "100 to 1000000",
        ),
        (postgres, "FAULTDESK_WRITER_LANES", "0", "1 to 16"),
        (postgres, "FAULTDESK_WRITER_LANES", "four", "1 to 16"),
        (&sqlite, "TOKIO_WORKER_THREADS", "0", "1 to 1024"),
        (&sqlite, "TOKIO_WORKER_THREADS", "two", "1 to 1024"),
    ];
    for (url, name, value, must_be) in cases {
        let out = migrate(url, &[(name, value)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{name}={value} was accepted: {stderr}"
        );
        assert!(
            stderr.contains(name) && stderr.contains(&format!("{value:?}")),
            "{name}={value}: the error names neither the variable nor the value: {stderr}"
        );
        assert!(
            stderr.contains(must_be),
            "{name}={value}: the error does not say what it must be ({must_be}): {stderr}"
        );
        assert!(
            !file.exists(),
            "{name}={value}: the database file was created before the settings were checked"
        );
    }
}

#[tokio::test]
async fn good_settings_are_taken_on_both_engines() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let (url, _guard) = fresh_database(engine).await;
        let out = migrate(
            &url,
            &[
                ("FAULTDESK_DB_MAX_CONNECTIONS", " 3 "),
                ("FAULTDESK_SECURE_COOKIES", "true"),
                ("FAULTDESK_SQLITE_CHECKPOINT_MS", "0"),
                ("FAULTDESK_SQLITE_AUTOCHECKPOINT_PAGES", "1000"),
                ("FAULTDESK_WRITER_LANES", "16"),
                ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
            ],
        );
        assert!(
            out.status.success(),
            "{engine:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("Migrations applied"));
    }
}

/// Starts `server` (serving) on `database_url` with `env` set, and answers the number
/// of request workers its "starting" log line reports; the process is then killed.
fn workers_at_start(database_url: &str, env: &[(&str, &str)]) -> u64 {
    use std::io::{BufRead, BufReader};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env("FAULTDESK_DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("FAULTDESK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env_remove("TOKIO_WORKER_THREADS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start the server binary");
    let stderr = child.stderr.take().expect("stderr");
    let mut workers = None;
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if entry["fields"]["message"] == "starting" {
            workers = entry["fields"]["workers"].as_u64();
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    workers.expect("a \"starting\" line with the worker count")
}

/// The request runtime leaves a core to the database writer's own thread: the
/// machine's cores but one (at least one) by default; `TOKIO_WORKER_THREADS` overrides.
#[test]
fn the_request_runtime_leaves_a_core_to_the_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("workers.db").display());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    assert_eq!(workers_at_start(&url, &[]), cores.saturating_sub(1).max(1));
    assert_eq!(
        workers_at_start(&url, &[("TOKIO_WORKER_THREADS", "3")]),
        3,
        "an explicit count is taken as it is"
    );
}
