//! Every role against every server function, page and plain route.
//!
//! The tables below list what each needs. The tests first check that the tables cover
//! everything the app registers, so a server function or page added without an entry
//! here fails, and then call each one as a visitor, a developer, an agent and a manager.

mod common;

use app::domain::role::Role;
use common::{
    builders::ReportForm,
    spawn_app,
    surface::{PAGES, SERVER_FNS},
    Engine, TestApp,
};
use reqwest::Client;
use std::collections::BTreeSet;

struct Callers {
    visitor: Client,
    developer: Client,
    agent: Client,
    manager: Client,
}

impl Callers {
    fn all(&self) -> [(Option<Role>, &Client); 4] {
        [
            (None, &self.visitor),
            (Some(Role::Developer), &self.developer),
            (Some(Role::Agent), &self.agent),
            (Some(Role::Manager), &self.manager),
        ]
    }
}

async fn callers(app: &TestApp) -> (Callers, i64) {
    let developer = app.developer("dev@example.com").await;
    let report = app.file(&developer, &ReportForm::server_error()).await;
    let callers = Callers {
        visitor: common::client(),
        developer,
        agent: app.staff("agent@example.com", Role::Agent).await,
        manager: app.staff("manager@example.com", Role::Manager).await,
    };
    (callers, report)
}

/// 401 for nobody, 403 for too little, anything else (200, 404, 409, 422…) when allowed.
fn check(what: &str, needs: Option<Role>, caller: Option<Role>, status: u16) {
    let allowed = match (needs, caller) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(n), Some(c)) => c >= n,
    };
    assert!(
        status < 500,
        "{what}: {caller:?} got a server error, {status}"
    );
    if allowed {
        assert!(
            status != 401 && status != 403,
            "{what}: {caller:?} should be allowed, got {status}"
        );
    } else if caller.is_none() {
        assert_eq!(status, 401, "{what}: a visitor should get 401");
    } else {
        assert_eq!(status, 403, "{what}: {caller:?} should get 403");
    }
}

async fn every_server_function_checks_who_is_asking(engine: Engine) {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let listed: BTreeSet<String> = SERVER_FNS.iter().map(|(n, ..)| (*n).to_owned()).collect();
    assert_eq!(
        registered, listed,
        "every server function needs a row in SERVER_FNS"
    );

    let app = spawn_app(engine).await;
    let (callers, report) = callers(&app).await;
    let report = report.to_string();
    for (name, needs, args) in SERVER_FNS {
        if ["login", "signup", "logout"].contains(name) {
            continue; // they change the caller's session; covered in accounts.rs
        }
        let args: Vec<(&str, &str)> = args
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *v == "{report}" {
                        report.as_str()
                    } else {
                        *v
                    },
                )
            })
            .collect();
        for (role, client) in callers.all() {
            let status = app.call(client, name, &args).await.status().as_u16();
            check(&format!("/api/{name}"), *needs, role, status);
        }
    }
}

/// The incident a report was grouped into (every routed report starts or joins one).
async fn incident_of(app: &TestApp, report: i64) -> i64 {
    app::on_db!(&app.db, pool => {
        let (id,): (i64,) = sqlx::query_as("SELECT incident_id FROM reports WHERE id = $1")
            .bind(report)
            .fetch_one(pool)
            .await
            .unwrap();
        id
    })
}

async fn every_page_checks_who_is_asking(engine: Engine) {
    let registered: BTreeSet<String> = server::startup::route_list()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    let listed: BTreeSet<String> = PAGES.iter().map(|(p, _)| (*p).to_owned()).collect();
    assert_eq!(registered, listed, "every page needs a row in PAGES");

    let app = spawn_app(engine).await;
    let (callers, report) = callers(&app).await;
    for (path, needs) in PAGES {
        let id = if path.starts_with("/incidents/") {
            incident_of(&app, report).await
        } else {
            report
        };
        let url = path
            .replace("{id}", &id.to_string())
            .replace("{slug}", "token-expired");
        for (role, client) in callers.all() {
            let status = app.get(client, &url).await.status().as_u16();
            check(path, *needs, role, status);
            if needs.is_none_or(|n| role.is_some_and(|r| r >= n)) {
                assert_eq!(status, 200, "{path} as {role:?}");
            }
        }
    }
}

async fn every_plain_route_checks_who_is_asking(engine: Engine) {
    let app = spawn_app(engine).await;
    let (callers, _) = callers(&app).await;
    for (path, needs) in server::routes::PLAIN_ROUTES {
        for (role, client) in callers.all() {
            // Event streams never end: the status line is all we read.
            let res = app.get(client, path).await;
            check(path, *needs, role, res.status().as_u16());
        }
    }
}

on_both_engines!(
    every_server_function_checks_who_is_asking,
    every_page_checks_who_is_asking,
    every_plain_route_checks_who_is_asking,
);
