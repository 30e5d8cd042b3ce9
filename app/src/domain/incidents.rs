//! Incident grouping (PRODUCT §6): server errors and transport failures with the same
//! method, endpoint template and status code within a window join one open incident.

use super::{endpoint::Endpoint, method::HttpMethod, status::Failure};
use chrono::Duration;

/// The default window: a report joins an incident whose last report is at most this old.
pub const DEFAULT_WINDOW: Duration = Duration::minutes(30);

/// What reports of one incident have in common: `GET /v1/orders/{id} 503`, or
/// `POST /v1/payments timeout` for a transport failure.
pub fn group_key(method: HttpMethod, endpoint: &Endpoint, failure: Failure) -> String {
    let what = match failure {
        Failure::Http(s) => s.code().to_string(),
        Failure::NoResponse(t) => t.as_str().to_owned(),
    };
    format!("{} {} {}", method.as_str(), endpoint.template(), what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_normalised_in_the_key() {
        let a = group_key(
            HttpMethod::Get,
            &Endpoint::parse("/v1/orders/123").unwrap(),
            Failure::parse("503", "").unwrap(),
        );
        let b = group_key(
            HttpMethod::Get,
            &Endpoint::parse("/v1/orders/456").unwrap(),
            Failure::parse("503", "").unwrap(),
        );
        let c = group_key(
            HttpMethod::Get,
            &Endpoint::parse("/v1/orders/{id}").unwrap(),
            Failure::parse("503", "").unwrap(),
        );
        assert_eq!(a, "GET /v1/orders/{id} 503");
        assert_eq!(a, b);
        assert_eq!(a, c);
        let other_code = group_key(
            HttpMethod::Get,
            &Endpoint::parse("/v1/orders/1").unwrap(),
            Failure::parse("502", "").unwrap(),
        );
        let other_method = group_key(
            HttpMethod::Post,
            &Endpoint::parse("/v1/orders/1").unwrap(),
            Failure::parse("503", "").unwrap(),
        );
        assert_ne!(a, other_code);
        assert_ne!(a, other_method);
        let timeout = group_key(
            HttpMethod::Get,
            &Endpoint::parse("/v1/orders/1").unwrap(),
            Failure::parse("", "timeout").unwrap(),
        );
        assert_eq!(timeout, "GET /v1/orders/{id} timeout");
    }
}
