//! Test-data builders for reports and tickets stored directly (with crafted creation,
//! due and first-response times), and staff accounts signed in over HTTP.

use super::{client, TestApp};
use app::{
    domain::{calendar::parse_tz, role::Role},
    server::{auth::hash_password, db::Db, users},
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use reqwest::Client;

/// The password of every staff account made by [`staff`].
pub const STAFF_PASSWORD: &str = "staff password 1234";

/// Creates a staff account with `role` (as the CLI would) and signs it in.
pub async fn staff(app: &TestApp, email: &str, role: Role) -> Client {
    let hash = hash_password(STAFF_PASSWORD.to_owned())
        .await
        .expect("hash");
    let new = users::NewUser {
        email,
        password_hash: &hash,
        role,
        timezone: "Europe/Berlin",
    };
    let _ = new;
    super::insert_user(
        &app.db,
        email,
        &hash,
        role,
        "Europe/Berlin",
        app.clock.now(),
    )
    .await;
    let c = client();
    let res = app
        .call(
            &c,
            "login",
            &[("email", email), ("password", STAFF_PASSWORD)],
        )
        .await;
    assert!(res.status().is_success(), "login: {}", res.status());
    c
}

/// A developer account (that cannot sign in) to own stored reports; returns its id.
pub async fn reporter(db: &Db, email: &str) -> i64 {
    super::insert_user(db, email, "!", Role::Developer, "UTC", Utc::now()).await
}

/// A local time `YYYY-MM-DD HH:MM` in `tz`, as an instant.
pub fn local<Z: TimeZone>(tz: &Z, s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("YYYY-MM-DD HH:MM");
    tz.from_local_datetime(&naive)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

/// A report row to store: a routed ticket, a deflected report or an escalated one.
/// Times are local to the support timezone given to [`Report::insert`].
#[derive(Clone, Debug)]
pub struct Report {
    filed: &'static str,
    disposition: &'static str,
    code: Option<i64>,
    transport: Option<&'static str>,
    endpoint: &'static str,
    template: &'static str,
    feedback: Option<&'static str>,
    recontact: bool,
    status: &'static str,
    routed: Option<&'static str>,
    due: Option<&'static str>,
    answered: Option<(&'static str, i64)>,
}

impl Report {
    /// A server error filed (and routed) at `filed`, due at `due`, not yet answered.
    pub fn routed(filed: &'static str, code: i64, due: &'static str) -> Self {
        Self {
            filed,
            disposition: "routed",
            code: Some(code),
            transport: None,
            endpoint: "/v1/orders/42",
            template: "/v1/orders/{id}",
            feedback: None,
            recontact: false,
            status: "new",
            routed: Some(filed),
            due: Some(due),
            answered: None,
        }
    }

    /// A client error answered with guidance at `filed`; `feedback` is the developer's
    /// answer (`pending`, `self_solved`).
    pub fn deflected(filed: &'static str, code: i64, feedback: &'static str) -> Self {
        Self {
            disposition: "deflected",
            feedback: Some(feedback),
            status: if feedback == "pending" {
                "awaiting_feedback"
            } else {
                "closed"
            },
            routed: None,
            due: None,
            ..Self::routed(filed, code, filed)
        }
    }

    /// A client error filed at `filed`, escalated ("still failing") at `routed`.
    pub fn escalated(
        filed: &'static str,
        code: i64,
        routed: &'static str,
        due: &'static str,
    ) -> Self {
        Self {
            disposition: "escalated",
            feedback: Some("escalated"),
            routed: Some(routed),
            due: Some(due),
            ..Self::routed(filed, code, due)
        }
    }

    /// No response at all (`timeout`, …) instead of a status code.
    pub fn transport(mut self, kind: &'static str) -> Self {
        self.code = None;
        self.transport = Some(kind);
        self
    }

    /// The endpoint as reported and its template.
    pub fn at(mut self, endpoint: &'static str, template: &'static str) -> Self {
        self.endpoint = endpoint;
        self.template = template;
        self
    }

    /// The first public reply at `at`, `business_secs` after routing.
    pub fn answered(mut self, at: &'static str, business_secs: i64) -> Self {
        self.answered = Some((at, business_secs));
        self
    }

    /// The ticket status.
    pub fn status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }

    /// Flags the report as a re-contact.
    pub fn recontact(mut self) -> Self {
        self.recontact = true;
        self
    }

    /// Stores it for `reporter`; returns its id.
    pub async fn insert(&self, db: &Db, tz_name: &str, reporter: i64) -> i64 {
        let tz = parse_tz(tz_name).expect("timezone");
        let at = |s: &str| local(&tz, s).timestamp_millis();
        let created = at(self.filed);
        let day = self.filed[..10].to_owned();
        let class = match self.code {
            Some(400..=499) => "client_error",
            Some(_) => "server_error",
            None => "transport_failure",
        };
        let target: Option<i64> = match self.disposition {
            "routed" => Some(480),
            "escalated" => Some(960),
            _ => None,
        };
        let due = self.due.map(at);
        let answered = self.answered.map(|(t, _)| at(t));
        let sql = "INSERT INTO reports (reporter_id, endpoint, endpoint_template, method, \
            status_code, transport, class, message, occurred_at, reporter_timezone, \
            environment, retries, retry_followed, description, disposition, feedback, \
            recontact, status, priority, created_at, created_day, routed_at, \
            sla_target_minutes, due_at, at_risk_at, first_response_at, \
            first_response_business_secs, sla_breached, updated_at) VALUES ($1, $2, $3, \
            'GET', $4, $5, $6, 'Failure', $7, 'UTC', 'production', 2, TRUE, 'Test data', $8, \
            $9, $10, $11, $12, $7, $13, $14, $15, $16, $16, $17, $18, $19, $7) RETURNING id";
        let priority = if self.disposition == "escalated" {
            "low"
        } else {
            "normal"
        };
        let (r, routed, reporter) = (self.clone(), self.routed.map(at), reporter);
        let answered_secs = self.answered.map(|(_, secs)| secs);
        let breached = matches!((answered, due), (Some(a), Some(d)) if a > d);
        db.write(move |tx| {
            Box::pin(async move {
                Ok(app::on_tx!(tx, c => {
                    let rows: Vec<(i64,)> = sqlx::query_as(sql)
                        .bind(reporter)
                        .bind(r.endpoint)
                        .bind(r.template)
                        .bind(r.code)
                        .bind(r.transport)
                        .bind(class)
                        .bind(created)
                        .bind(r.disposition)
                        .bind(r.feedback)
                        .bind(r.recontact)
                        .bind(r.status)
                        .bind(priority)
                        .bind(&day)
                        .bind(routed)
                        .bind(target)
                        .bind(due)
                        .bind(answered)
                        .bind(answered_secs)
                        .bind(breached)
                        .fetch_all(&mut *c)
                        .await?;
                    rows[0].0
                }))
            })
        })
        .await
        .expect("insert report")
    }
}
