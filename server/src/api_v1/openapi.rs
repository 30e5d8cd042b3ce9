//! The OpenAPI 3.1 document of `/api/v1` (generated from the handlers' annotations and
//! the wire types' schemas) and its interactive reference.

use super::handlers;
use app::{error::AppError, server::state::AppState};
use axum::{response::IntoResponse, Json, Router};
use serde_json::{json, Value};
use std::sync::OnceLock;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Faultdesk API",
        version = "1",
        description = "Report API failures and work the support queue from a program. \
            Authenticate with a personal API token (Account → API tokens) as \
            `Authorization: Bearer fd_…`; a token acts with its owner's role. Errors are \
            JSON `{status, message, field?}` with the real HTTP status."
    ),
    paths(
        handlers::me,
        handlers::create_report,
        handlers::list_reports,
        handlers::get_report,
        handlers::report_feedback,
        handlers::reply_to_report,
        handlers::state_unrelated,
        handlers::follow_incident,
        handlers::current_notices,
        handlers::all_notices,
        handlers::publish_notice,
        handlers::edit_notice,
        handlers::end_notice,
        handlers::cancel_notice,
        handlers::queue,
        handlers::get_ticket,
        handlers::claim_ticket,
        handlers::assign_ticket,
        handlers::change_status,
        handlers::post_message,
        handlers::move_out_of_incident,
        handlers::get_incident,
        handlers::reply_incident,
        handlers::resolve_incident,
        handlers::merge_incident,
        handlers::manager_report,
        handlers::manager_report_csv,
    ),
    components(schemas(AppError)),
    modifiers(&Bearer),
    tags(
        (name = "reports", description = "Filing and following up failure reports"),
        (name = "notices", description = "Maintenance notices"),
        (name = "queue", description = "The support queue (staff)"),
        (name = "incidents", description = "Outage floods grouped into incidents (staff)"),
        (name = "manager", description = "SLA figures (managers)"),
        (name = "account", description = "Who the token is"),
    )
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("fd_ token")
                    .description(Some("A personal API token from Account → API tokens"))
                    .build(),
            ),
        );
    }
}

/// The document as JSON, with the links from a created report to what can be done
/// with it (for clients and for Schemathesis' stateful tests).
pub fn document_value() -> Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let id = json!({ "id": "$response.body#/summary/id" });
        let links = json!({
            "GetReport": { "operationId": "get_report", "parameters": id },
            "AnswerGuidance": { "operationId": "report_feedback", "parameters": id },
            "Reply": { "operationId": "reply_to_report", "parameters": id },
            "StateUnrelated": { "operationId": "state_unrelated", "parameters": id },
            "FollowIncident": { "operationId": "follow_incident", "parameters": id },
        });
        if let Some(created) = doc.pointer_mut("/paths/~1api~1v1~1reports/post/responses/201") {
            created["links"] = links;
        }
        doc
    })
    .clone()
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> impl IntoResponse {
    Json(document_value())
}

/// `GET /api/v1/docs`: Swagger UI, its assets compiled into the binary (nothing is
/// fetched from the internet), reading `/api/v1/openapi.json`.
pub fn docs() -> Router<AppState> {
    let ui = utoipa_swagger_ui::SwaggerUi::new("/api/v1/docs")
        .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json"));
    Router::<AppState>::new().merge(ui)
}
