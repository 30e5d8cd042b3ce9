//! Typed settings from environment variables, with defaults that run out of the box:
//! an SQLite file in the working folder, listening on 127.0.0.1:3000.

use app::server::{env, limits::Rates};
use leptos::config::LeptosOptions;
use std::fmt;

/// Everything the server needs to start.
#[derive(Clone)]
pub struct Settings {
    /// `FAULTDESK_DATABASE_URL`: `sqlite://faultdesk.db` (default) or `postgres://…`.
    pub database_url: String,
    /// `FAULTDESK_DB_MAX_CONNECTIONS`: pool size (default 10).
    pub max_connections: u32,
    /// `FAULTDESK_SECURE_COOKIES`: mark the session cookie `Secure` (set behind HTTPS).
    pub secure_cookies: bool,
    /// Leptos' options: site root, output name, and `LEPTOS_SITE_ADDR` (the listen address).
    pub leptos_options: LeptosOptions,
    /// `FAULTDESK_SMTP_URL`: where to send email (`smtp://host:port`, `smtps://user:pass@host`);
    /// unset: no email.
    pub smtp_url: Option<String>,
    /// `FAULTDESK_MAIL_FROM`: the sender of Faultdesk's email.
    pub mail_from: String,
    /// `FAULTDESK_INCIDENT_WINDOW_MINUTES`: reports of the same failure this close
    /// together join one incident (default 30).
    pub incident_window_minutes: i64,
    /// `FAULTDESK_PUBLIC_URL`: the address people use (`https://desk.example.com`);
    /// only requests from its origin may change anything. Unset: the request's `Host`.
    pub public_url: Option<String>,
    /// `FAULTDESK_TRUST_FORWARDED_FOR`: behind a proxy, take the client address (for
    /// rate limits) from the last `X-Forwarded-For` entry (default false).
    pub trust_forwarded_for: bool,
    /// `FAULTDESK_RATE_*`: rate limits (see `app::server::limits`).
    pub rates: Rates,
    /// `FAULTDESK_ALERT_POLL_MS`: how often each instance looks for SLA alerts that
    /// fell due (default 10000; an alert is sent at most this late). `0` runs no alert
    /// worker on this instance (the others' do the work).
    pub alert_poll_ms: u64,
    /// `FAULTDESK_MAIL_LEASE_SECS`: how long a batch of mail claimed by one instance is
    /// its own before another may send it (default 120).
    pub mail_lease_secs: u64,
}

/// The default sender address.
pub const DEFAULT_MAIL_FROM: &str = "Faultdesk <noreply@faultdesk.invalid>";

/// The file, next to the server binary, where `scripts/build-site.sh` writes the content
/// hashes in the bundle's file names (not cargo-leptos' `hash.txt`, so that a
/// `cargo leptos` build beside it is never confused by it).
pub const HASH_FILE: &str = "faultdesk-hash.txt";

/// The default database: a file in the working folder, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://faultdesk.db";

impl Settings {
    /// Reads the settings from the environment (and, when run by cargo-leptos, from
    /// the workspace's `[[workspace.metadata.leptos]]`).
    pub fn from_env() -> anyhow::Result<Self> {
        // Built by cargo-leptos, the binary knows its output name; built by plain cargo
        // (tests, benchmarks) it does not, and Leptos' loader would complain.
        let from_cargo_leptos = option_env!("LEPTOS_OUTPUT_NAME").is_some()
            || std::env::var("LEPTOS_OUTPUT_NAME").is_ok();
        let mut leptos_options = if from_cargo_leptos {
            leptos::config::get_configuration(None)
                .map(|c| c.leptos_options)
                .or_else(|_| fallback_leptos_options())?
        } else {
            fallback_leptos_options()?
        };
        if leptos_options.output_name.is_empty() {
            leptos_options.output_name = "faultdesk".into();
        }
        // scripts/build-site.sh names the bundle's files by their content and writes
        // their hashes next to the binary: pages then ask for those names, and the
        // files can be cached for good (see `startup::bundle_files`).
        if std::env::var("LEPTOS_HASH_FILES").is_err() {
            let hashes = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)));
            if hashes.is_some_and(|f| f.is_file()) {
                leptos_options.hash_files = true;
                leptos_options.hash_file = HASH_FILE.into();
            }
        }
        Ok(Self {
            database_url: env_or("FAULTDESK_DATABASE_URL", DEFAULT_DATABASE_URL),
            max_connections: setting(
                "FAULTDESK_DB_MAX_CONNECTIONS",
                10,
                1..,
                "a whole number from 1",
            )?,
            secure_cookies: setting("FAULTDESK_SECURE_COOKIES", false, .., TRUE_OR_FALSE)?,
            leptos_options,
            smtp_url: std::env::var("FAULTDESK_SMTP_URL")
                .ok()
                .filter(|s| !s.is_empty()),
            mail_from: env_or("FAULTDESK_MAIL_FROM", DEFAULT_MAIL_FROM),
            incident_window_minutes: setting(
                "FAULTDESK_INCIDENT_WINDOW_MINUTES",
                30,
                1..,
                "a whole number of minutes from 1",
            )?,
            public_url: std::env::var("FAULTDESK_PUBLIC_URL")
                .ok()
                .filter(|s| !s.trim().is_empty()),
            trust_forwarded_for: setting(
                "FAULTDESK_TRUST_FORWARDED_FOR",
                false,
                ..,
                TRUE_OR_FALSE,
            )?,
            rates: Rates::from_env().map_err(anyhow::Error::msg)?,
            alert_poll_ms: setting(
                "FAULTDESK_ALERT_POLL_MS",
                10_000,
                ..,
                "a whole number of milliseconds",
            )?,
            mail_lease_secs: setting(
                "FAULTDESK_MAIL_LEASE_SECS",
                120,
                1..,
                "a whole number of seconds from 1",
            )?,
        })
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

const TRUE_OR_FALSE: &str = "true or false";

/// A setting parsed from `name` within `range`, or `default` when it is unset; a value
/// that does not parse or is out of range stops the start with an error naming the
/// variable (see `app::server::env`).
fn setting<T: std::str::FromStr + PartialOrd>(
    name: &str,
    default: T,
    range: impl std::ops::RangeBounds<T>,
    what: &str,
) -> anyhow::Result<T> {
    env::setting(name, default, range, what).map_err(anyhow::Error::msg)
}

fn fallback_leptos_options() -> anyhow::Result<LeptosOptions> {
    Ok(LeptosOptions::builder()
        .output_name("faultdesk")
        .site_root(env_or("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env_or("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(setting(
            "LEPTOS_SITE_ADDR",
            std::net::SocketAddr::from(([127, 0, 0, 1], 3000)),
            ..,
            "an address and port such as 127.0.0.1:3000",
        )?)
        .build())
}

/// A URL with any password replaced, for logs. Parsed, so a password containing `@`
/// or `:` is hidden whole; a URL that does not parse is hidden entirely.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) if !url.contains('@') => url.to_owned(),
        Err(_) => "<unparseable URL hidden>".to_owned(),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("max_connections", &self.max_connections)
            .field("secure_cookies", &self.secure_cookies)
            .field("site_addr", &self.leptos_options.site_addr)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("incident_window_minutes", &self.incident_window_minutes)
            .field("public_url", &self.public_url)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("rates", &self.rates)
            .field("alert_poll_ms", &self.alert_poll_ms)
            .field("mail_lease_secs", &self.mail_lease_secs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redact_url("postgres://fd:s3cret@db.internal:5432/faultdesk"),
            "postgres://fd:***@db.internal:5432/faultdesk"
        );
        assert_eq!(redact_url("sqlite://faultdesk.db"), "sqlite://faultdesk.db");
        // A password with an @ (not percent-encoded, as people type it) is hidden whole.
        let url = "postgres://fd:p@ss:w@rd@db.internal/faultdesk";
        assert!(!redact_url(url).contains("ss:w"), "{}", redact_url(url));
        assert!(!redact_url(url).contains("rd@db"), "{}", redact_url(url));
        let encoded = "postgres://fd:p%40ssword@db.internal/faultdesk";
        assert_eq!(
            redact_url(encoded),
            "postgres://fd:***@db.internal/faultdesk"
        );
    }
}
