//! `GET /manager/reports/<table>.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: each table of the
//! manager report as an RFC 4180 CSV download (managers only). The file is made by the
//! same code as the table on the page, so it holds the same numbers; only the breach
//! list is complete here where the page shows its first rows.

use app::{
    api::manager::ReportTable,
    error::AppError,
    server::{auth::user_of_session, manager_report, state::AppState},
};
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use tower_sessions::Session;

/// The range of a download, as in the page's URL.
#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    #[serde(default)]
    pub from: String,
    /// Last day, `YYYY-MM-DD` (default: today in the support timezone).
    #[serde(default)]
    pub to: String,
}

/// One route per table (see [`ReportTable::csv_path`]).
pub fn routes() -> Router<AppState> {
    ReportTable::ALL
        .into_iter()
        .fold(Router::new(), |router, table| {
            router.route(
                &table.csv_path(),
                get(
                    move |State(state): State<AppState>,
                          session: Session,
                          query: Result<Query<RangeQuery>, QueryRejection>| {
                        download(table, state, session, query)
                    },
                ),
            )
        })
}

fn error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(e)).into_response()
}

async fn download(
    table: ReportTable,
    state: AppState,
    session: Session,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Response {
    match user_of_session(&state.db, &session).await {
        Ok(Some(user)) if user.role.is_manager() => {}
        Ok(Some(_)) => return error(AppError::forbidden()),
        Ok(None) => return error(AppError::unauthorized()),
        Err(e) => return error(e),
    }
    let Ok(Query(range)) = query else {
        return error(AppError::bad_request(
            "The query string could not be read; use ?from=YYYY-MM-DD&to=YYYY-MM-DD.",
        ));
    };
    let report = match manager_report::build(&state, &range.from, &range.to, &[table], None).await {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let filename = format!(
        "faultdesk-{}-{}-to-{}.csv",
        table.slug().replace('_', "-"),
        report.from,
        report.to
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        report.table(table).to_csv(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::PLAIN_ROUTES;
    use app::domain::role::Role;

    #[test]
    fn every_download_is_listed_for_managers_only() {
        for table in ReportTable::ALL {
            let path = table.csv_path();
            assert!(
                PLAIN_ROUTES.contains(&(path.as_str(), Some(Role::Manager))),
                "{path} missing from PLAIN_ROUTES"
            );
            assert_eq!(ReportTable::from_slug(table.slug()), Some(table));
        }
    }
}
