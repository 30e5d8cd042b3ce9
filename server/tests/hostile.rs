//! The hostile-input corpus (tests/corpus/hostile.txt, plus an empty value, whitespace
//! and a 1 MB string) against every server function, page and plain route, as every
//! role: no answer is a server error, a refused request stores nothing, and what the
//! pages echo back is escaped.

mod common;

use app::{domain::role::Role, on_db, server::db::Db};
use common::{
    builders::ReportForm,
    spawn_app,
    surface::{PAGES, SERVER_FNS},
    Engine, TestApp,
};
use reqwest::{header, Client};

/// The corpus, decoded: each entry is raw bytes (some are not UTF-8 on purpose).
fn corpus() -> Vec<Vec<u8>> {
    let text = include_str!("corpus/hostile.txt");
    let mut out: Vec<Vec<u8>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(unescape)
        .collect();
    out.push(Vec::new());
    out.push(b"   ".to_vec());
    out
}

fn unescape(line: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = [chars.next(), chars.next()].into_iter().flatten().collect();
                out.push(u8::from_str_radix(&hex, 16).expect("\\xHH"));
            }
            Some('u') => {
                let code: String = chars
                    .by_ref()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| *c != '}')
                    .collect();
                let c = char::from_u32(u32::from_str_radix(&code, 16).expect("\\u{HHHH}"))
                    .expect("a char");
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => panic!("unknown escape \\{other:?} in the corpus"),
        }
    }
    out
}

/// `application/x-www-form-urlencoded`, byte by byte.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (*b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn body(pairs: &[(String, Vec<u8>)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k.as_bytes()), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Rows of every table a request could write, added up: a refused request must not
/// change it.
async fn fingerprint(db: &Db) -> i64 {
    let sql = "SELECT (SELECT COUNT(*) FROM reports) + (SELECT COUNT(*) FROM report_events) \
               + (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM incidents) \
               + (SELECT COUNT(*) FROM notices) + (SELECT COUNT(*) FROM notice_events) \
               + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM holidays) \
               + (SELECT COUNT(*) FROM incident_followers) + (SELECT COUNT(*) FROM mail_outbox)";
    on_db!(db, pool => {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        n
    })
}

async fn send(app: &TestApp, c: &Client, name: &str, form: String) -> u16 {
    c.post(format!("{}/api/{name}", app.base))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

async fn every_server_function_survives_the_corpus(engine: Engine) {
    let app = spawn_app(engine).await;
    let developer = app.developer("dev@example.com").await;
    let report = app
        .file(&developer, &ReportForm::server_error())
        .await
        .to_string();
    let roles: [(&str, Client); 4] = [
        ("visitor", common::client()),
        ("developer", developer),
        ("agent", app.staff("agent@example.com", Role::Agent).await),
        (
            "manager",
            app.staff("manager@example.com", Role::Manager).await,
        ),
    ];
    let corpus = corpus();
    let mut requests = 0;
    for (name, _, sample) in SERVER_FNS {
        if *name == "logout" {
            continue; // it would end the caller's session; it takes no input anyway
        }
        let sample: Vec<(String, Vec<u8>)> = sample
            .iter()
            .map(|(k, v)| {
                let v = if *v == "{report}" { report.as_str() } else { v };
                ((*k).to_owned(), v.as_bytes().to_vec())
            })
            .collect();
        for (role, client) in &roles {
            let mut variants: Vec<(String, String)> = Vec::new();
            for value in &corpus {
                for i in 0..sample.len() {
                    let mut form = sample.clone();
                    form[i].1.clone_from(value);
                    variants.push((
                        format!("{} = {:?}", form[i].0, String::from_utf8_lossy(value)),
                        body(&form),
                    ));
                }
                let mut extra = sample.clone();
                extra.push(("zzz_unknown".to_owned(), value.clone()));
                variants.push(("an unknown field".to_owned(), body(&extra)));
            }
            for i in 0..sample.len() {
                let mut missing = sample.clone();
                missing.remove(i);
                variants.push((format!("{} missing", sample[i].0), body(&missing)));
                let mut repeated = sample.clone();
                repeated.push(sample[i].clone());
                variants.push((format!("{} twice", sample[i].0), body(&repeated)));
            }
            if *role == "manager" {
                for i in 0..sample.len() {
                    let mut huge = sample.clone();
                    huge[i].1 = vec![b'x'; 1_000_000];
                    variants.push((format!("{} of 1 MB", sample[i].0), body(&huge)));
                }
            }
            variants.push(("not a form".to_owned(), "%%%&&&===\u{0}".to_owned()));
            for (what, form) in variants {
                let before = fingerprint(&app.db).await;
                let status = send(&app, client, name, form).await;
                requests += 1;
                assert!(status < 500, "/api/{name} as {role} with {what}: {status}");
                if status >= 400 {
                    let after = fingerprint(&app.db).await;
                    assert_eq!(
                        before, after,
                        "/api/{name} as {role} refused {what} ({status}) but stored something"
                    );
                }
            }
        }
    }
    eprintln!("{requests} hostile requests, no server error");
}

/// Pages and plain routes with hostile paths and query strings.
async fn every_page_and_route_survives_the_corpus(engine: Engine) {
    let app = spawn_app(engine).await;
    let developer = app.developer("dev@example.com").await;
    let roles = [
        common::client(),
        developer,
        app.staff("manager@example.com", Role::Manager).await,
    ];
    let corpus = corpus();
    let paths: Vec<&str> = PAGES
        .iter()
        .map(|(p, _)| *p)
        .chain(server::routes::PLAIN_ROUTES.iter().map(|(p, _)| *p))
        .filter(|p| !p.starts_with("/events/"))
        .collect();
    for client in &roles {
        for path in &paths {
            for value in &corpus {
                let v = encode(value);
                let url = if path.contains("{id}") || path.contains("{slug}") {
                    path.replace("{id}", &v).replace("{slug}", &v)
                } else {
                    format!(
                        "{path}?status={v}&from={v}&to={v}&after={v}&endpoint={v}&id={v}&next={v}&message={v}"
                    )
                };
                let res = client
                    .get(format!("{}{url}", app.base))
                    .send()
                    .await
                    .expect("an answer");
                assert!(res.status().as_u16() < 500, "GET {url}: {}", res.status());
            }
        }
    }
}

/// What people type comes back escaped on every page that shows it.
async fn echoed_values_are_escaped(engine: Engine) {
    let app = spawn_app(engine).await;
    let developer = app.developer("dev@example.com").await;
    let agent = app.staff("agent@example.com", Role::Agent).await;
    let attacks = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "</script><script>alert(2)</script>",
        "</textarea><script>alert(3)</script>",
    ];
    let mut ids = Vec::new();
    for (i, attack) in attacks.iter().enumerate() {
        let form = ReportForm::server_error()
            .with("endpoint", format!("/v1/x{i}"))
            .with("description", format!("Broken {attack}"))
            .with("message", format!("Failed {attack}"))
            .with("request_id", format!("r{i}"));
        let id = app.file(&developer, &form).await;
        ids.push(id.to_string());
        app.call_ok::<serde_json::Value>(
            &agent,
            "post_message",
            &[
                ("id", &id.to_string()),
                ("body", &format!("Reply {attack}")),
                ("visibility", "public"),
            ],
        )
        .await;
    }
    // Staff text shown in forms (textareas) and lists: saved replies, guidance articles.
    for (i, attack) in attacks.iter().enumerate() {
        app.call_ok::<i64>(
            &agent,
            "save_canned_reply",
            &[
                ("title", &format!("T{i} {attack}")),
                ("body", &format!("B {attack}")),
            ],
        )
        .await;
        let text = format!("Text {attack}");
        app.call_ok::<i64>(
            &agent,
            "save_guidance",
            &[
                ("article[slug]", "token-expired"),
                ("article[title]", &format!("Title {attack}")),
                ("article[summary]", &text),
                ("article[checks]", &text),
                ("article[call_again]", &text),
                ("article[retry_same_request]", "no"),
                ("article[codes]", "401"),
                ("article[pattern_kind]", "words"),
                ("article[pattern]", &format!("expir {i}")),
            ],
        )
        .await;
    }
    let mut pages = vec![
        "/queue".to_owned(),
        "/reports".to_owned(),
        "/notices".to_owned(),
        "/canned".to_owned(),
        "/guidance".to_owned(),
        "/guidance/token-expired".to_owned(),
    ];
    for id in &ids {
        pages.push(format!("/reports/{id}"));
        pages.push(format!("/tickets/{id}"));
    }
    for path in pages {
        let viewer = if path.starts_with("/reports") {
            &developer
        } else {
            &agent
        };
        let html = app.get(viewer, &path).await.text().await.unwrap();
        for attack in attacks {
            assert!(!html.contains(attack), "{path} echoes {attack:?} unescaped");
        }
        assert!(
            !html.contains("<script>alert"),
            "{path}: a script got through"
        );
        assert!(
            !html.contains("<img src=x"),
            "{path}: an image tag got through"
        );
    }
}

on_both_engines!(
    every_server_function_survives_the_corpus,
    every_page_and_route_survives_the_corpus,
    echoed_values_are_escaped,
);
