//! Test-data builders: a valid report form by default, changed one field at a time.

use std::collections::BTreeMap;

/// The fields of the report form, as the browser posts them (`draft[field]=value`).
#[derive(Clone, Debug)]
pub struct ReportForm {
    fields: BTreeMap<&'static str, String>,
}

impl ReportForm {
    /// A 503 on `GET /v1/orders/42`, retried twice 2 s apart, in production.
    pub fn server_error() -> Self {
        let mut fields = BTreeMap::new();
        for (k, v) in [
            ("endpoint", "/v1/orders/42"),
            ("method", "GET"),
            ("status", "503"),
            ("transport", ""),
            ("message", "Service temporarily unavailable"),
            ("request_id", "req_8f2a"),
            ("occurred_at", "2026-11-24T10:55"),
            ("timezone", "Europe/Berlin"),
            ("environment", "production"),
            ("retries", "2"),
            ("retry_interval", "2"),
            ("description", "Listing an order fails since this morning."),
            ("excerpt", ""),
            ("retry_reason", ""),
        ] {
            fields.insert(k, v.to_owned());
        }
        Self { fields }
    }

    /// A 401 "Token has expired" on `GET /v1/orders/42`.
    pub fn client_error() -> Self {
        Self::server_error()
            .with("status", "401")
            .with("message", "Token has expired")
            .with("retries", "0")
            .with("retry_interval", "")
    }

    /// Sets one field.
    pub fn with(mut self, field: &'static str, value: impl Into<String>) -> Self {
        self.fields.insert(field, value.into());
        self
    }

    /// The form body pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .map(|(k, v)| (format!("draft[{k}]"), v.clone()))
            .collect()
    }
}
