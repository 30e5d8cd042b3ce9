//! Building and running the application: database, migrations, sessions, router.

use crate::{
    config::Settings,
    routes,
    security::{self, SiteOrigin},
};
use app::{
    server::{
        clock::Clock,
        db::Db,
        limits::Limits,
        mail::Mailer,
        sessions::SessionStore,
        state::{AppState, RuntimeOptions},
    },
    shell, App,
};
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer, request_id::MakeRequestUuid, timeout::TimeoutLayer,
    trace::TraceLayer, ServiceBuilderExt,
};
use tower_sessions::{
    cookie::SameSite, session_store::ExpiredDeletion, Expiry, SessionManagerLayer,
};

/// A bound, ready-to-serve Faultdesk.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    mailer: Option<Mailer>,
    alert_poll: Option<Duration>,
}

impl Application {
    /// Connects to the database, runs migrations and binds the listen address
    /// (`LEPTOS_SITE_ADDR`; port 0 picks a free port, for tests).
    pub async fn build(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url, settings.max_connections).await?;
        db.migrate().await?;
        let state = AppState {
            db,
            leptos_options: settings.leptos_options.clone(),
            clock,
            options: Arc::new(RuntimeOptions {
                secure_cookies: settings.secure_cookies,
                incident_window: chrono::Duration::minutes(settings.incident_window_minutes.max(1)),
                mail_enabled: settings.smtp_url.is_some(),
                trust_forwarded_for: settings.trust_forwarded_for,
                public_url: settings.public_url.clone(),
            }),
            limits: Arc::new(Limits::new(settings.rates)),
        };
        if !settings.secure_cookies && !settings.leptos_options.site_addr.ip().is_loopback() {
            tracing::warn!(
                addr = %settings.leptos_options.site_addr,
                "listening beyond this machine with session cookies not marked Secure: \
                 set FAULTDESK_SECURE_COOKIES=true when Faultdesk is served over HTTPS"
            );
        }
        let mailer = match &settings.smtp_url {
            Some(url) => Some(
                Mailer::new(url, &settings.mail_from)
                    .map_err(anyhow::Error::msg)?
                    .with_lease(Duration::from_secs(settings.mail_lease_secs.max(1))),
            ),
            None => None,
        };
        let listener = TcpListener::bind(settings.leptos_options.site_addr).await?;
        let site = Arc::new(
            SiteOrigin::from_public_url(settings.public_url.as_deref())
                .map_err(anyhow::Error::msg)?,
        );
        let router = router(state.clone(), site);
        Ok(Self {
            listener,
            router,
            state,
            mailer,
            alert_poll: (settings.alert_poll_ms > 0)
                .then(|| Duration::from_millis(settings.alert_poll_ms.max(50))),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The application state (tests use its database and clock).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests and closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = SessionStore::new(&self.state.db);
        let sweeper = tokio::spawn(async move {
            loop {
                if let Err(e) = store.delete_expired().await {
                    tracing::warn!(error = %e, "could not delete expired sessions");
                }
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
        });
        let listener = tokio::spawn(app::server::events::listen(self.state.db.clone()));
        let relay = tokio::spawn(app::server::events::relay(self.state.db.clone()));
        let mail = self.mailer.clone().map(|mailer| {
            tokio::spawn(app::server::mail::run(
                self.state.db.clone(),
                mailer,
                self.state.clock.clone(),
                Duration::from_secs(10),
            ))
        });
        let alerts = self
            .alert_poll
            .map(|period| tokio::spawn(app::server::alerts::run(self.state.clone(), period)));
        let result = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await;
        sweeper.abort();
        listener.abort();
        if let Some(alerts) = alerts {
            alerts.abort();
        }
        if let Some(mail) = mail {
            mail.abort();
        }
        relay.abort();
        app::server::events::flush_relay(&self.state.db).await;
        self.state.db.close().await;
        result
    }
}

/// The runtime the server runs on: its workers take the machine's cores but one (at
/// least one), unless `TOKIO_WORKER_THREADS` names a count (parsed like every setting:
/// a bad value stops the start with an error naming it). The database writer works on
/// a thread of its own beside them (SQLite's connection thread; PostgreSQL's writer
/// lanes' runtime), and a filing's tasks then stay on one worker: with a worker per
/// core, a filing's wake-ups bounced between two workers, each parking and waking the
/// other (measured on the 2-core machine, SQLite, c=1: 6.7 → 3.5 context switches and
/// 113 → 78 µs of request-thread CPU per filing, 4,140–4,390 → 4,720–5,140 filings/s).
pub fn request_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = app::server::env::setting(
        "TOKIO_WORKER_THREADS",
        cores.saturating_sub(1).max(1),
        1..=1024,
        "a whole number of threads from 1 to 1024",
    )
    .map_err(anyhow::Error::msg)?;
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(workers)
        .build()?)
}

/// The app's routes, generated once per process. Generating them sets a process-wide
/// flag that stalls any resource first polled meanwhile (leptos#4773), so it must never
/// overlap with serving: every app built in this process waits for the one generation.
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The browser bundle (`/pkg`: wasm, its JavaScript, the stylesheet), sent as the
/// brotli or gzip file built next to it when the browser takes that encoding. Named by
/// content hash (a release build by `scripts/build-site.sh`), they are cached for a
/// year; otherwise the browser asks again each time.
fn bundle_files(options: &leptos::config::LeptosOptions) -> Router {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static(cache),
            ))
            .service(
                tower_http::services::ServeDir::new(dir)
                    .precompressed_br()
                    .precompressed_gzip(),
            ),
    )
}

/// The whole HTTP surface: Leptos pages and server functions, health probes, static
/// files, and the layers around them.
pub fn router(state: AppState, site: Arc<SiteOrigin>) -> Router {
    let routes = route_list();
    let sessions = SessionManagerLayer::new(SessionStore::new(&state.db))
        .with_name("faultdesk_session")
        .with_secure(state.options.secure_cookies)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(14),
        ));
    let options = state.leptos_options.clone();

    // Leptos's pages and server functions, each polled with its page's owner current.
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, nonce_context, move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(nonce_context, shell))
        .layer(axum::middleware::from_fn(in_page_owner));
    let app = Router::new()
        .merge(routes::health())
        .merge(routes::live())
        .merge(crate::reports_csv::routes())
        .merge(crate::api_v1::routes())
        .nest_service("/pkg", bundle_files(&state.leptos_options))
        .merge(pages)
        .with_state(state.clone());
    // The layers wrap the whole router once (outermost first), not each route:
    // `Router::layer` boxes every layer around every route, and each layer clones the
    // stack beneath it per request, so a deep boxed stack cost a clone and an
    // allocation per layer per level on every request (~15% of an API filing's
    // instructions, measured with callgrind).
    let stack = tower::ServiceBuilder::new()
        .set_x_request_id(MakeRequestUuid)
        .layer(TraceLayer::new_for_http())
        .propagate_x_request_id()
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(security::security_headers))
        .layer(axum::middleware::from_fn(security::limit_bodies))
        .layer(axum::middleware::from_fn_with_state(
            site.clone(),
            security::same_site_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            site,
            security::local_redirects_only,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            state,
            routes::keep_refused_form,
        ))
        .layer(axum::middleware::map_request(
            |mut req: axum::extract::Request| async move {
                req.extensions_mut()
                    .insert(app::server::auth::RequestScope::default());
                req
            },
        ))
        .layer(axum::middleware::map_response(routes::server_fn_status))
        .service(app);
    Router::new().fallback_service(stack)
}

/// A handler that panicked answers a JSON 500 (the panic is logged) instead of
/// dropping the connection.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("a request handler panicked");
    (
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(app::error::AppError::internal()),
    )
        .into_response()
}

/// Hands the request's CSP nonce to Leptos, which puts it on the page's scripts, and
/// tells [`in_page_owner`] the page's reactive owner.
fn nonce_context() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        if let Some(nonce) = parts.extensions.get::<security::CspNonce>() {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
        }
        if let Some(slot) = parts.extensions.get::<PageOwner>() {
            *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = leptos::prelude::Owner::current();
        }
    }
}

/// The reactive owner of the page a request renders, once Leptos made it.
#[derive(Clone, Default)]
struct PageOwner(Arc<std::sync::Mutex<Option<leptos::prelude::Owner>>>);

/// Polls a request's handler with its page's owner as the current one.
/// `leptos_integration_utils` 0.8.9 looks up the lazy routes' chunk manifest and the
/// page's meta context (to add `<link rel="preload">` for the chunks a server-rendered
/// lazy page needs) with whatever owner the worker thread has current when the render
/// resumes: after it waited, on another thread or after another request, that was not
/// the page's, and about one lazy page in ten came without its chunk preloads
/// (`end2end/tests/pages.spec.ts`, 2 of 20 repeated runs).
async fn in_page_owner(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let slot = PageOwner::default();
    req.extensions_mut().insert(slot.clone());
    // The owner holds the request's parts, which hold the slot: emptied at the end.
    struct Clear(PageOwner);
    impl Drop for Clear {
        fn drop(&mut self) {
            self.0 .0.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
    }
    let clear = Clear(slot);
    use std::future::Future;
    let mut inner = Box::pin(next.run(req));
    std::future::poll_fn(move |cx| {
        let owner = clear.0 .0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match owner {
            Some(owner) => owner.with(|| inner.as_mut().poll(cx)),
            None => inner.as_mut().poll(cx),
        }
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
