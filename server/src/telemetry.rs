//! Structured logs: human-readable by default, JSON with `FAULTDESK_LOG_FORMAT=json`.
//! Levels from `RUST_LOG` (default `info`).

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber (once; later calls are ignored).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let json = std::env::var("FAULTDESK_LOG_FORMAT").is_ok_and(|v| v == "json");
    // Logs go to standard error; standard output is for what a command prints
    // (`create-token` prints the token).
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
