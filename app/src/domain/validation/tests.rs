use chrono_tz::Europe::Berlin;

use super::*;
use crate::domain::retry::RetryVerdict;
use crate::domain::status::TransportKind;

fn now() -> DateTime<Utc> {
    "2026-03-14T12:00:00Z".parse().unwrap()
}

/// A complete, valid server-error report.
fn draft() -> ReportDraft {
    ReportDraft {
        endpoint: "/v1/orders/123".into(),
        method: "POST".into(),
        status: "503".into(),
        transport: String::new(),
        message: "Service temporarily unavailable".into(),
        request_id: "req_8f3a9b2c-01".into(),
        occurred_at: "2026-03-14T09:30".into(),
        timezone: "Europe/Berlin".into(),
        environment: "production".into(),
        retries: "2".into(),
        retry_interval: "2".into(),
        description: "Creating an order fails since this morning.".into(),
        excerpt: String::new(),
        retry_reason: String::new(),
    }
}

fn error_field(draft: &ReportDraft) -> String {
    draft.validate(now()).unwrap_err().field
}

#[test]
fn a_complete_draft_parses() {
    let report = draft().validate(now()).unwrap();
    assert_eq!(report.endpoint.as_str(), "/v1/orders/123");
    assert_eq!(report.method, HttpMethod::Post);
    assert_eq!(report.failure.status_code(), Some(503));
    assert_eq!(report.request_id.as_deref(), Some("req_8f3a9b2c-01"));
    // 09:30 CET is 08:30 UTC.
    assert_eq!(
        report.occurred_at,
        "2026-03-14T08:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(report.timezone, Berlin);
    assert_eq!(report.environment, Environment::Production);
    assert_eq!(report.retry.retries(), 2);
    assert_eq!(report.excerpt, None);
    assert_eq!(report.retry_reason, None);
    assert!(draft().validate_all(now()).is_empty());
}

#[test]
fn status_must_be_an_error_code() {
    for status in ["99", "600", "200", "abc"] {
        let err = ReportDraft {
            status: status.into(),
            ..draft()
        }
        .validate(now())
        .unwrap_err();
        assert_eq!(err.field, "status", "{status}");
    }
    let err = ReportDraft {
        status: "99".into(),
        ..draft()
    }
    .validate(now())
    .unwrap_err();
    assert!(
        err.message.contains("between 400 and 599"),
        "{}",
        err.message
    );
    let both = ReportDraft {
        transport: "timeout".into(),
        ..draft()
    };
    assert_eq!(error_field(&both), "status");
    let none = ReportDraft {
        status: String::new(),
        transport: "timeout".into(),
        ..draft()
    };
    assert_eq!(
        none.validate(now()).unwrap().failure,
        Failure::NoResponse(TransportKind::Timeout)
    );
}

#[test]
fn endpoint_and_method_are_required() {
    assert_eq!(
        error_field(&ReportDraft {
            endpoint: String::new(),
            ..draft()
        }),
        "endpoint"
    );
    assert_eq!(
        error_field(&ReportDraft {
            endpoint: "/v1/<script>".into(),
            ..draft()
        }),
        "endpoint"
    );
    assert_eq!(
        error_field(&ReportDraft {
            method: "FETCH".into(),
            ..draft()
        }),
        "method"
    );
}

#[test]
fn free_text_limits() {
    let long = |n| "x".repeat(n);
    assert_eq!(
        error_field(&ReportDraft {
            message: long(MAX_MESSAGE_CHARS + 1),
            ..draft()
        }),
        "message"
    );
    assert!(ReportDraft {
        message: long(MAX_MESSAGE_CHARS),
        ..draft()
    }
    .validate(now())
    .is_ok());
    assert!(ReportDraft {
        message: String::new(),
        ..draft()
    }
    .validate(now())
    .is_ok());
    assert_eq!(
        error_field(&ReportDraft {
            description: "   ".into(),
            ..draft()
        }),
        "description"
    );
    let huge = ReportDraft {
        description: long(100 * 1024),
        ..draft()
    };
    let err = huge.validate(now()).unwrap_err();
    assert_eq!(err.field, "description");
    assert!(err.message.contains("at most 10,000"), "{}", err.message);
    assert_eq!(
        error_field(&ReportDraft {
            excerpt: long(MAX_EXCERPT_CHARS + 1),
            ..draft()
        }),
        "excerpt"
    );
    let trimmed = ReportDraft {
        description: "  it broke \n".into(),
        ..draft()
    }
    .validate(now())
    .unwrap();
    assert_eq!(trimmed.description, "it broke");
}

#[test]
fn control_characters_are_rejected_but_markup_is_kept() {
    assert_eq!(
        error_field(&ReportDraft {
            message: "bad\0byte".into(),
            ..draft()
        }),
        "message"
    );
    assert_eq!(
        error_field(&ReportDraft {
            description: "bell\u{7}".into(),
            ..draft()
        }),
        "description"
    );
    assert_eq!(
        error_field(&ReportDraft {
            excerpt: "esc\u{1b}[0m".into(),
            ..draft()
        }),
        "excerpt"
    );
    let markup = ReportDraft {
        description: "<script>alert(1)</script>\r\n\tsecond line".into(),
        ..draft()
    };
    assert!(markup
        .validate(now())
        .unwrap()
        .description
        .starts_with("<script>"));
}

#[test]
fn timezone_and_environment() {
    assert_eq!(
        error_field(&ReportDraft {
            timezone: "Europe/Atlantis".into(),
            ..draft()
        }),
        "timezone"
    );
    assert_eq!(
        error_field(&ReportDraft {
            timezone: String::new(),
            ..draft()
        }),
        "timezone"
    );
    assert_eq!(
        error_field(&ReportDraft {
            environment: "staging".into(),
            ..draft()
        }),
        "environment"
    );
    let sandbox = ReportDraft {
        environment: "Sandbox".into(),
        ..draft()
    }
    .validate(now())
    .unwrap();
    assert_eq!(sandbox.environment, Environment::Sandbox);
    assert_eq!(
        Environment::parse("production").unwrap().label(),
        "Production"
    );
    for env in Environment::ALL {
        assert_eq!(Environment::parse(env.as_str()).unwrap(), env);
    }
}

#[test]
fn retries_are_required_for_server_errors_only() {
    assert_eq!(
        error_field(&ReportDraft {
            retries: String::new(),
            ..draft()
        }),
        "retries"
    );
    assert_eq!(
        error_field(&ReportDraft {
            retries: "1".into(),
            retry_interval: String::new(),
            ..draft()
        }),
        "retry_interval"
    );
    let client = ReportDraft {
        status: "404".into(),
        retries: String::new(),
        retry_interval: String::new(),
        ..draft()
    };
    let report = client.validate(now()).unwrap();
    assert_eq!(report.retry, RetryReport::none());
    assert_eq!(
        crate::domain::retry::assess(report.failure.class(), &report.retry),
        RetryVerdict::NotApplicable
    );
}

#[test]
fn unretried_server_errors_need_a_reason() {
    let unretried = ReportDraft {
        retries: "0".into(),
        retry_interval: String::new(),
        ..draft()
    };
    assert_eq!(error_field(&unretried), "retry_reason");
    let short = ReportDraft {
        retry_reason: "POST".into(),
        ..unretried.clone()
    };
    assert_eq!(error_field(&short), "retry_reason");
    let reasoned = ReportDraft {
        retry_reason: " not idempotent, no key ".into(),
        ..unretried.clone()
    };
    assert_eq!(
        reasoned.validate(now()).unwrap().retry_reason.as_deref(),
        Some("not idempotent, no key")
    );
    let transport = ReportDraft {
        status: String::new(),
        transport: "dns".into(),
        ..unretried
    };
    assert_eq!(error_field(&transport), "retry_reason");
    // A reason typed for a report that no longer needs one is dropped.
    let retried = ReportDraft {
        retry_reason: "left over from before".into(),
        ..draft()
    };
    assert_eq!(retried.validate(now()).unwrap().retry_reason, None);
}

#[test]
fn validate_all_lists_every_error_in_form_order() {
    let bad = ReportDraft {
        endpoint: String::new(),
        status: "600".into(),
        occurred_at: "2026-03-14T09:30".into(),
        timezone: "Nowhere/Town".into(),
        description: String::new(),
        ..draft()
    };
    let fields: Vec<String> = bad
        .validate_all(now())
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["endpoint", "status", "timezone", "description"]);
    assert_eq!(bad.validate(now()).unwrap_err().field, "endpoint");
    let empty: Vec<String> = ReportDraft::default()
        .validate_all(now())
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        empty,
        [
            "endpoint",
            "method",
            "status",
            "occurred_at",
            "timezone",
            "environment",
            "description"
        ]
    );
}

#[test]
fn secrets_are_scrubbed_before_storage() {
    let leaky = ReportDraft {
        description: "My key sk_live_4eC39HqLyjWDarjtT1zdp7dc stopped working".into(),
        excerpt: "POST /v1/orders\nAuthorization: Bearer abc123SECRET456\n".into(),
        ..draft()
    };
    let report = leaky.validate(now()).unwrap();
    assert!(
        !report.description.contains("4eC39Hq"),
        "{}",
        report.description
    );
    let excerpt = report.excerpt.clone().unwrap();
    assert!(!excerpt.contains("abc123SECRET456"), "{excerpt}");
    assert_eq!(report.fingerprints.len(), 2);
}
