//! Test harness: the real app on port 0 against a fresh database (an SQLite file in a
//! temporary folder, or a freshly created PostgreSQL database), driven over HTTP.

#![allow(dead_code, clippy::allow_attributes)] // each test binary uses a different subset

pub mod builders;
pub mod sla_dataset;
pub mod smtp;
pub mod surface;
pub mod tickets;

use app::server::{clock::Clock, db::Db};
use chrono::{DateTime, TimeZone, Utc};
use leptos::config::LeptosOptions;
use reqwest::{header, Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use server::{config::Settings, startup::Application};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which engine a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs an async test body once on SQLite and once on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Engine::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Engine::Postgres).await
                }
            }
        )*
    };
}

/// A Tuesday, 10:00 UTC: inside the default support hours (Mon–Fri 09:00–17:00 UTC).
pub fn tuesday_10am() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
}

/// A running Faultdesk.
pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub db: Db,
    pub clock: Clock,
    pub engine: Engine,
    /// The instance's state (for calling its services directly, e.g. the alert worker).
    pub state: app::server::state::AppState,
    _guard: DbGuard,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL server's admin URL (where test databases are created).
pub fn postgres_admin_url() -> String {
    postgres_server_url()
}

fn postgres_server_url() -> String {
    std::env::var("FAULTDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Owns the test database and removes it when the test ends (even on panic).
pub enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres {
        name: String,
    },
    /// A second instance on another's database: the first one owns it.
    Shared,
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { name } = self {
            let name = name.clone();
            // Drop runs inside the test's runtime; do the async work on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(pool) = sqlx::PgPool::connect(&postgres_server_url()).await {
                            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                            let _ = sqlx::query(&sql).execute(&pool).await;
                            pool.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A fresh, empty database of `engine`: its URL and the guard that removes it.
pub async fn fresh_database(engine: Engine) -> (String, DbGuard) {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/faultdesk.db", dir.path().display());
            (url, DbGuard::Sqlite(dir))
        }
        Engine::Postgres => {
            let server = postgres_server_url();
            let name = format!(
                "faultdesk_test_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let admin = sqlx::PgPool::connect(&server)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {server} is needed for this test: {e}"));
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&admin)
                .await
                .expect("drop stale test database");
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&admin)
                .await
                .expect("create test database");
            admin.close().await;
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            (format!("{base}/{name}"), DbGuard::Postgres { name })
        }
    }
}

/// Starts the app against a fresh database with a fixed clock at `now`.
pub async fn spawn_app_at(engine: Engine, now: DateTime<Utc>) -> TestApp {
    spawn_app_with(engine, now, |_| {}).await
}

/// Like [`spawn_app_at`], with the settings adjusted first (e.g. an SMTP server).
pub async fn spawn_app_with(
    engine: Engine,
    now: DateTime<Utc>,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let (database_url, guard) = fresh_database(engine).await;
    start_app(engine, database_url, guard, Clock::fixed(now), adjust).await
}

impl TestApp {
    /// Another instance of Faultdesk on this one's database and clock (several
    /// stateless instances sharing one PostgreSQL).
    pub async fn second_instance(&self) -> TestApp {
        self.second_instance_with(|_| {}).await
    }

    /// [`Self::second_instance`] with its settings adjusted first (instances of one
    /// deployment share their configuration: the same SMTP server, say).
    pub async fn second_instance_with(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        start_app(
            self.engine,
            self.database_url.clone(),
            DbGuard::Shared,
            self.clock.clone(),
            adjust,
        )
        .await
    }
}

async fn start_app(
    engine: Engine,
    database_url: String,
    guard: DbGuard,
    clock: Clock,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let leptos_options = LeptosOptions::builder()
        .output_name("faultdesk")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .site_addr(([127, 0, 0, 1], 0))
        .build();
    let mut settings = Settings {
        database_url: database_url.clone(),
        max_connections: 10,
        secure_cookies: false,
        smtp_url: None,
        mail_from: server::config::DEFAULT_MAIL_FROM.to_owned(),
        incident_window_minutes: 30,
        public_url: None,
        trust_forwarded_for: false,
        rates: app::server::limits::Rates::off(),
        // Tests run the alert worker's rounds themselves (`alerts::fire_due`), at
        // instants of their choosing.
        alert_poll_ms: 0,
        mail_lease_secs: 120,
        leptos_options,
    };
    adjust(&mut settings);
    let app = Application::build(settings, clock.clone())
        .await
        .expect("application builds");
    let base = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        base,
        database_url,
        db,
        clock,
        engine,
        state,
        _guard: guard,
    }
}

/// Starts the app against a fresh database at [`tuesday_10am`].
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_at(engine, tuesday_10am()).await
}

/// A browser-like HTTP client with its own cookie jar (its own session). Like a
/// browser on a Faultdesk page, it says its requests come from the same site
/// (`Sec-Fetch-Site: same-origin`), so the cross-site guard lets them through.
pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(same_site_headers())
        .build()
        .expect("http client")
}

/// The header a browser sends with a request from one of the site's own pages.
pub fn same_site_headers() -> header::HeaderMap {
    let mut headers = header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        header::HeaderValue::from_static("same-origin"),
    );
    headers
}

impl TestApp {
    /// `POST /api/<name>` with a form body, as the browser's server-function client does.
    pub async fn call(&self, client: &Client, name: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(format!("{}/api/{name}", self.base))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Like [`call`](Self::call), expecting success, decoding the JSON answer.
    pub async fn call_ok<T: DeserializeOwned>(
        &self,
        client: &Client,
        name: &str,
        form: &[(&str, &str)],
    ) -> T {
        let res = self.call(client, name, form).await;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert!(status.is_success(), "{name} failed with {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: bad JSON {body:?}: {e}"))
    }

    /// Posts `form` to `POST /api/<name>` as a browser without JavaScript does (a plain
    /// form post from the page at `from`, asking for HTML), expects to be sent back to
    /// that page with an error, and returns the URL it was sent to.
    pub async fn refused_without_js(
        &self,
        client: &Client,
        name: &str,
        from: &str,
        form: &[(String, String)],
    ) -> String {
        let res = client
            .post(format!("{}/api/{name}", self.base))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("{}{from}", self.base))
            .form(form)
            .send()
            .await
            .expect("request");
        assert!(res.status().is_redirection(), "{name}: {}", res.status());
        let location = res.headers()[header::LOCATION]
            .to_str()
            .expect("location")
            .to_owned();
        assert!(
            location.contains("__err="),
            "{name}: not refused: {location}"
        );
        if location.starts_with("http") {
            location
        } else {
            format!("{}{location}", self.base)
        }
    }

    /// `GET` a page.
    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// Signs up a developer with `email` and returns their logged-in client.
    pub async fn developer(&self, email: &str) -> Client {
        let c = client();
        let res = self
            .call(
                &c,
                "signup",
                &[
                    ("email", email),
                    ("password", "correct horse battery"),
                    ("timezone", "Europe/Berlin"),
                ],
            )
            .await;
        assert!(
            res.status().is_success() || res.status() == StatusCode::FOUND,
            "signup: {}",
            res.status()
        );
        c
    }
}

impl TestApp {
    /// Creates a staff account directly in the database (as the CLI does) and returns
    /// its signed-in client.
    pub async fn staff(&self, email: &str, role: app::domain::role::Role) -> Client {
        let hash = app::server::auth::hash_password("staff password 123".to_owned())
            .await
            .expect("hash");
        insert_user(
            &self.db,
            email,
            &hash,
            role,
            "Europe/Berlin",
            self.clock.now(),
        )
        .await;
        let c = client();
        let res = self
            .call(
                &c,
                "login",
                &[("email", email), ("password", "staff password 123")],
            )
            .await;
        assert!(res.status().is_success(), "staff login: {}", res.status());
        c
    }

    /// Files a report from a builder's form; panics unless it is stored. Returns its id.
    pub async fn file(&self, c: &Client, form: &builders::ReportForm) -> i64 {
        let pairs = form.pairs();
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.call_ok(c, "file_report", &refs).await
    }
}

/// The JSON error body of a failed call.
#[derive(serde::Deserialize, Debug)]
pub struct ErrorBody {
    pub status: u16,
    pub message: String,
    pub field: Option<String>,
}

/// Asserts a failed call's status and field, returning the error.
pub async fn expect_error(res: Response, status: u16, field: Option<&str>) -> ErrorBody {
    let code = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(code, status, "unexpected status, body: {body}");
    let err: ErrorBody =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not a JSON error {body:?}: {e}"));
    assert_eq!(err.status, status);
    assert_eq!(err.field.as_deref(), field, "wrong field in {err:?}");
    err
}

/// Inserts an account directly (as the CLI does); returns its id.
pub async fn insert_user(
    db: &Db,
    email: &str,
    password_hash: &str,
    role: app::domain::role::Role,
    timezone: &str,
    now: DateTime<Utc>,
) -> i64 {
    let (email, hash, tz) = (
        email.to_owned(),
        password_hash.to_owned(),
        timezone.to_owned(),
    );
    db.write(move |tx| {
        Box::pin(async move {
            let new = app::server::users::NewUser {
                email: &email,
                password_hash: &hash,
                role,
                timezone: &tz,
            };
            Ok(app::server::users::insert(tx, &new, now).await?)
        })
    })
    .await
    .expect("insert user")
    .expect("a new email")
}

/// Runs one statement through the writer (test set-up), binding `args` to `$1`, `$2`, ….
pub async fn execute(db: &Db, sql: &'static str, args: &[i64]) -> u64 {
    let args = args.to_vec();
    db.write(move |tx| {
        Box::pin(async move {
            Ok(app::on_tx!(tx, c => args
                .iter()
                .fold(sqlx::query(sql), |q, a| q.bind(*a))
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?)
        })
    })
    .await
    .expect(sql)
}
