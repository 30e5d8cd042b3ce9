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
    components(schemas(
        AppError,
        super::requests::CsvTable,
        super::requests::StatusFilter,
        super::requests::AssigneeFilter
    )),
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
        if let Some(schemas) = doc.pointer_mut("/components/schemas") {
            for (name, schema) in super::requests::literal_schemas() {
                schemas[name] = schema;
            }
        }
        complete_responses(&mut doc);
        doc
    })
    .clone()
}

/// Adds the answers every operation can give (so no handler repeats them) to the ones
/// its annotation lists: 400 (malformed: not JSON, or a NUL in the request), 401, 429; with
/// a body also 413, 415 and 422; with an `{id}` also 404 (an id beyond the range of
/// ids is simply not there). Path ids are documented as 1 to 2⁶³−1.
fn complete_responses(doc: &mut Value) {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AppError" } } }
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(operations) = item.as_object_mut() else {
            continue;
        };
        for operation in operations.values_mut() {
            let has_body = operation.get("requestBody").is_some();
            if let Some(params) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            {
                for p in params.iter_mut() {
                    if p["in"] == "path" && p["schema"]["type"] == "integer" {
                        p["schema"]["minimum"] = json!(1);
                        p["schema"]["maximum"] = json!(i64::MAX);
                    }
                }
            }
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_owned())
                    .or_insert_with(|| error(description));
            };
            add(
                "400",
                "Malformed: not JSON, or a NUL character in the request",
            );
            add("401", "No valid token");
            add("429", "Over the API rate limit");
            if has_body {
                add("413", "Body over 1 MiB");
                add("415", "Not sent as application/json");
                add("422", "A field is wrong; `field` names it");
            }
            if path.contains('{') {
                add("404", "No such resource");
            }
        }
    }
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
