use super::*;

#[test]
fn accepts_only_error_statuses() {
    assert_eq!(HttpStatus::parse(" 503 ").unwrap().code(), 503);
    assert_eq!(HttpStatus::parse("400").unwrap().code(), 400);
    assert_eq!(HttpStatus::parse("599").unwrap().code(), 599);
    for bad in [
        "99", "200", "301", "399", "600", "65536", "abc", "-1", "4 04", "", "5e2",
    ] {
        let err = HttpStatus::parse(bad).unwrap_err();
        assert_eq!(err.field, "status", "{bad}");
    }
    let err = HttpStatus::parse("99").unwrap_err();
    assert_eq!(
        err.message,
        "Status code must be between 400 and 599, or choose “no response”. 99 is not an HTTP error status."
    );
    assert!(HttpStatus::parse("200")
        .unwrap_err()
        .message
        .contains("success"));
    assert!(HttpStatus::parse("600")
        .unwrap_err()
        .message
        .contains("600"));
}

#[test]
fn reason_phrases() {
    assert_eq!(
        HttpStatus::parse("404").unwrap().reason_phrase(),
        "Not Found"
    );
    assert_eq!(
        HttpStatus::parse("499").unwrap().reason_phrase(),
        "Client error"
    );
    assert_eq!(
        HttpStatus::parse("599").unwrap().reason_phrase(),
        "Server error"
    );
    assert_eq!(
        HttpStatus::parse("503").unwrap().to_string(),
        "503 Service Unavailable"
    );
}

#[test]
fn transport_kinds_round_trip() {
    for kind in TransportKind::ALL {
        assert_eq!(TransportKind::parse(kind.as_str()).unwrap(), kind);
    }
    assert_eq!(
        TransportKind::parse(" Refused ").unwrap(),
        TransportKind::ConnectionRefused
    );
    assert_eq!(TransportKind::parse("TLS").unwrap(), TransportKind::Tls);
    assert_eq!(
        TransportKind::parse("carrier pigeon").unwrap_err().field,
        "transport"
    );
}

#[test]
fn failure_classes_round_trip() {
    for class in FailureClass::ALL {
        assert_eq!(FailureClass::parse(class.as_str()).unwrap(), class);
    }
    assert_eq!(FailureClass::ClientError.label(), "Client error (4xx)");
    assert!(!FailureClass::ClientError.is_routed_to_queue());
    assert!(FailureClass::TransportFailure.is_routed_to_queue());
}

#[test]
fn failure_parse_requires_exactly_one_alternative() {
    let http = Failure::parse("502", "").unwrap();
    assert_eq!(http.class(), FailureClass::ServerError);
    assert_eq!(http.status_code(), Some(502));
    assert_eq!(http.transport(), None);
    let none = Failure::parse(" ", "dns").unwrap();
    assert_eq!(none.class(), FailureClass::TransportFailure);
    assert_eq!(none.transport(), Some(TransportKind::Dns));
    assert_eq!(none.status_code(), None);
    assert_eq!(Failure::parse("", "").unwrap_err().field, "status");
    assert_eq!(
        Failure::parse("500", "timeout").unwrap_err().field,
        "status"
    );
    assert_eq!(Failure::parse("", "smoke").unwrap_err().field, "transport");
}

#[test]
fn live_classification() {
    assert_eq!(classify_input("", ""), Classification::Empty);
    assert!(matches!(classify_input("404", ""), Classification::Client(s) if s.code() == 404));
    assert!(matches!(classify_input("503", ""), Classification::Server(s) if s.code() == 503));
    assert_eq!(
        classify_input("", "timeout"),
        Classification::Transport(TransportKind::Timeout)
    );
    assert!(matches!(
        classify_input("99", ""),
        Classification::Invalid(_)
    ));
    assert!(matches!(
        classify_input("600", ""),
        Classification::Invalid(_)
    ));
    let both = classify_input("500", "dns");
    assert!(matches!(&both, Classification::Invalid(m) if m.contains("not both")));
    assert_eq!(both.class(), None);
    assert_eq!(
        classify_input("503", "").class(),
        Some(FailureClass::ServerError)
    );
    let summary = classify_input("503", "").summary();
    assert!(summary.starts_with("Server error"), "{summary}");
    assert!(
        summary.contains("one-business-day first response"),
        "{summary}"
    );
    assert!(classify_input("401", "").summary().contains("guidance"));
    assert!(classify_input("", "").summary().contains("status code"));
}

#[test]
fn statuses_deserialise_only_when_valid() {
    assert_eq!(HttpStatus::try_from(404).unwrap().code(), 404);
    assert!(HttpStatus::try_from(302).is_err());
    assert_eq!(u16::from(HttpStatus::try_from(500).unwrap()), 500);
}
