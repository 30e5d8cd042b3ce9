use proptest::prelude::*;

use super::*;

fn masked(text: &str) -> String {
    scrub(text).text
}

fn redacted(secret: &str) -> String {
    placeholder(secret)
}

#[test]
fn fingerprints_are_eight_hex_characters_of_sha256() {
    // SHA-256("abc") = ba7816bf…
    assert_eq!(fingerprint("abc"), "ba7816bf");
    assert_eq!(fingerprint("").len(), 8);
}

#[test]
fn authorization_headers_keep_the_scheme() {
    let token = "abc123DEF456ghi789";
    assert_eq!(
        masked(&format!("Authorization: Bearer {token}\nAccept: */*")),
        format!("Authorization: Bearer {}\nAccept: */*", redacted(token))
    );
    assert_eq!(
        masked("authorization:Basic dXNlcjpwYXNz"),
        format!("authorization:Basic {}", redacted("dXNlcjpwYXNz"))
    );
    assert_eq!(
        masked("Authorization: mysecret"),
        format!("Authorization: {}", redacted("mysecret"))
    );
    let digest = r#"Digest username="Mufasa", response="6629fae49393a05397450978507c4ef1""#;
    let out = masked(&format!("Authorization: {digest}"));
    assert!(out.starts_with("Authorization: Digest [redacted:"), "{out}");
    assert!(!out.contains("6629fae4"), "{out}");
    assert_eq!(masked("Authorization: Bearer"), "Authorization: Bearer");
    let proxy = masked("Proxy-Authorization: Basic QWxhZGRpbjpvcGVu");
    assert!(!proxy.contains("QWxhZGRpbjpvcGVu"));
}

#[test]
fn curl_headers_stop_at_the_quote() {
    let out =
        masked(r#"curl -H "Authorization: Bearer tok_12345678" https://api.example.com/v1/orders"#);
    assert_eq!(
        out,
        format!(
            r#"curl -H "Authorization: Bearer {}" https://api.example.com/v1/orders"#,
            redacted("tok_12345678")
        )
    );
}

#[test]
fn api_key_and_cookie_headers() {
    for header in [
        "X-API-Key",
        "Api-Key",
        "X-Auth-Token",
        "x-access-token",
        "Cookie",
        "Set-Cookie",
    ] {
        let out = masked(&format!("{header}: session=s3cr3tvalue; Path=/\nHost: api"));
        assert!(out.starts_with(&format!("{header}: [redacted:")), "{out}");
        assert!(out.ends_with("]\nHost: api"), "{out}");
        assert!(!out.contains("s3cr3t"), "{out}");
    }
}

#[test]
fn bearer_and_basic_anywhere() {
    let out = masked("the client sent bearer eyJhbGciOiJIUzI1NiJ9x9 and failed");
    assert!(!out.contains("eyJhbGciOiJIUzI1NiJ9x9"), "{out}");
    assert!(out.contains("bearer [redacted:"), "{out}");
    let text = "Use Bearer authentication with a Basic fallback; send Bearer YOUR_TOKEN.";
    assert_eq!(masked(text), text);
    let out = masked("Bearer Bearer abcdef123456");
    assert!(!out.contains("abcdef123456"), "{out}");
}

#[test]
fn query_form_and_json_parameters() {
    let out = masked("GET /v1/orders?api_key=k3y123&limit=10&client_secret=zz9 HTTP/1.1");
    assert_eq!(
        out,
        format!(
            "GET /v1/orders?api_key={}&limit=10&client_secret={} HTTP/1.1",
            redacted("k3y123"),
            redacted("zz9")
        )
    );
    let out = masked(
        r#"{"access_token": "at-1", "refresh_token":"rt-2", "token_type": "bearer", "expires_in": 3600}"#,
    );
    assert_eq!(
        out,
        format!(
            r#"{{"access_token": "{}", "refresh_token":"{}", "token_type": "bearer", "expires_in": 3600}}"#,
            redacted("at-1"),
            redacted("rt-2")
        )
    );
    let out = masked(r#"{'password': 'hunter2', "apiKey": "x\"y"}"#);
    assert_eq!(
        out,
        format!(
            r#"{{'password': '{}', "apiKey": "{}"}}"#,
            redacted("hunter2"),
            redacted(r#"x\"y"#)
        )
    );
    let out = masked(r#"body: "{\"secret\": \"abc\"}""#);
    assert_eq!(
        out,
        format!(r#"body: "{{\"secret\": \"{}\"}}""#, redacted("abc"))
    );
    let out = masked(r#"{"Authorization": "Bearer abc123xyz"}"#);
    assert_eq!(
        out,
        format!(r#"{{"Authorization": "Bearer {}"}}"#, redacted("abc123xyz"))
    );
}

#[test]
fn yaml_style_values_only_when_credential_shaped() {
    let out = masked("password: Sup3rSecret\ntoken: expired\napi-key: abcd1234efgh");
    assert_eq!(
        out,
        format!(
            "password: {}\ntoken: expired\napi-key: {}",
            redacted("Sup3rSecret"),
            redacted("abcd1234efgh")
        )
    );
    let prose = "max_tokens=5 is fine; the tokens: many; token_type: bearer";
    assert!(
        masked(prose).starts_with("max_tokens=5 is fine"),
        "{}",
        masked(prose)
    );
}

#[test]
fn jwts_and_prefixed_keys() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    let out = masked(&format!("token was {jwt}."));
    assert_eq!(out, format!("token was {}.", redacted(jwt)));
    let out = masked("keys: sk_live_4eC39HqLyjWDarjtT1zdp7dc and pk_test_TYooMQauvdEDq54NiTphI7jx");
    assert!(
        out.contains(&format!(
            "sk_live_{}",
            redacted("sk_live_4eC39HqLyjWDarjtT1zdp7dc")
        )),
        "{out}"
    );
    assert!(out.contains("pk_test_[redacted:"), "{out}");
    for key in [
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "xoxb-123456789012-abcdefABCDEF",
        "xoxp-1234567890-abcdef",
        "AKIAIOSFODNN7EXAMPLE",
    ] {
        let out = masked(&format!("leaked {key} here"));
        assert!(!out.contains(key), "{out}");
        assert!(out.contains(&fingerprint(key)), "{out}");
    }
}

#[test]
fn fingerprints_list_every_placeholder_once() {
    let s = scrub("api_key=aaa&token=bbb&api_key=aaa");
    assert_eq!(s.fingerprints, vec![fingerprint("aaa"), fingerprint("bbb")]);
    assert_eq!(scrub(&s.text), s);
    assert!(scrub("nothing to see").fingerprints.is_empty());
}

#[test]
fn multibyte_text_is_safe() {
    let out = masked("Schlüssel: ü token=ä€𝄞x password=\"ö€\"");
    assert!(out.starts_with("Schlüssel: ü token=[redacted:"), "{out}");
    assert_eq!(scrub(&out).text, out);
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Authorization: ".to_owned()),
        Just("authorization:".to_owned()),
        Just("Bearer ".to_owned()),
        Just("Basic ".to_owned()),
        Just("Cookie: ".to_owned()),
        Just("api_key=".to_owned()),
        Just("?token=".to_owned()),
        Just("\"password\": \"".to_owned()),
        Just("'secret': '".to_owned()),
        Just("\\\"token\\\": \\\"".to_owned()),
        Just("password: ".to_owned()),
        Just("eyJhbGciOi".to_owned()),
        Just(".eyJzdWIi.".to_owned()),
        Just("sk_live_".to_owned()),
        Just("ghp_".to_owned()),
        Just("xoxb-".to_owned()),
        Just("AKIA".to_owned()),
        Just("[redacted:".to_owned()),
        Just("[redacted:0123abcd]".to_owned()),
        Just("]".to_owned()),
        "[A-Za-z0-9]{1,24}",
        "[ \t\n\"'=:&,;\\\\{}\\[\\]-]{1,3}",
        "[äö€𝄞]{1,2}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn embedded_tokens_never_survive(token in "[A-Za-z0-9]{12,64}", shape in 0..3usize) {
        let text = match shape {
            0 => format!("GET /v1/orders HTTP/1.1\nAuthorization: Bearer {token}\nAccept: */*"),
            1 => format!("GET /v1/orders?api_key={token}&page=2"),
            _ => format!("{{\"access_token\":\"{token}\",\"expires_in\":60}}"),
        };
        let out = scrub(&text);
        prop_assert!(!out.text.contains(&token), "{}", out.text);
        prop_assert!(out.fingerprints.contains(&fingerprint(&token)), "{:?}", out);
    }

    #[test]
    fn scrubbing_is_idempotent(parts in prop::collection::vec(fragment(), 0..24)) {
        let once = scrub(&parts.concat());
        let twice = scrub(&once.text);
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn plain_words_are_unchanged(words in prop::collection::vec("[a-z]{1,12}", 0..40)) {
        let text = words.join(" ");
        let out = scrub(&text);
        prop_assert_eq!(&out.text, &text);
        prop_assert!(out.fingerprints.is_empty());
    }
}
