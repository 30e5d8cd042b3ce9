//! Outgoing email through an outbox table: requests enqueue messages in the database
//! and a background worker sends them over SMTP (lettre). Several instances may run the
//! worker: each claims a batch by pushing its lock time forward, and a claimed message
//! is never sent twice.

use super::{
    clock::Clock,
    db::{millis, on_db, Db},
};
use chrono::{DateTime, Duration, Utc};
use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// How often a message is tried before it is given up.
pub const MAX_ATTEMPTS: i64 = 5;

/// Puts messages in the outbox (one transaction).
#[tracing::instrument(skip_all, fields(count = mails.len()))]
pub async fn enqueue(db: &Db, mails: &[Mail], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    if mails.is_empty() {
        return Ok(());
    }
    on_db!(db, pool => {
        let mut tx = pool.begin_with(super::db::begin_sql(pool)).await?;
        for chunk in mails.chunks(200) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO mail_outbox (recipient, subject, body, created_at) ",
            );
            q.push_values(chunk, |mut b, m| {
                b.push_bind(&m.to).push_bind(&m.subject).push_bind(&m.body).push_bind(millis(now));
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

/// Sends mail over SMTP.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for an SMTP URL (`smtp://host:port`, `smtps://user:pass@host`, or
    /// `smtp://host?tls=required`, as lettre reads them) sending from `from`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("bad SMTP URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("bad sender address: {e}"))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, m: &Mail) -> Result<(), String> {
        let to =
            m.to.parse::<Mailbox>()
                .map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
}

/// Sends what is due in the outbox, in batches, until it is empty; returns how many
/// messages were sent.
pub async fn drain(db: &Db, mailer: &Mailer, clock: &Clock) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    loop {
        let now = clock.now();
        // Claim: push the lock forward. The re-check of locked_until in the outer
        // WHERE makes a second instance racing for the same rows claim none of them.
        let sql = "UPDATE mail_outbox SET locked_until = $1, attempts = attempts + 1 \
                   WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL \
                   AND locked_until < $2 AND attempts < $3 ORDER BY id LIMIT 20) \
                   AND locked_until < $2 RETURNING id, recipient, subject, body";
        let batch: Vec<Claimed> = on_db!(db, pool => sqlx::query_as(sql)
            .bind(millis(now + Duration::minutes(2)))
            .bind(millis(now))
            .bind(MAX_ATTEMPTS)
            .fetch_all(pool)
            .await)?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for m in batch {
            let mail = Mail {
                to: m.recipient,
                subject: m.subject,
                body: m.body,
            };
            match mailer.send(&mail).await {
                Ok(()) => {
                    on_db!(db, pool => sqlx::query("UPDATE mail_outbox SET sent_at = $1 WHERE id = $2")
                        .bind(millis(clock.now()))
                        .bind(m.id)
                        .execute(pool)
                        .await
                        .map(|_| ()))?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = m.id, error = %e, "sending mail failed; will retry");
                    on_db!(db, pool => sqlx::query(
                        "UPDATE mail_outbox SET last_error = $1, locked_until = $2 WHERE id = $3")
                        .bind(e)
                        .bind(millis(clock.now() + Duration::minutes(1)))
                        .bind(m.id)
                        .execute(pool)
                        .await
                        .map(|_| ()))?;
                }
            }
        }
    }
}

/// The background worker: drains the outbox every `period`, or sooner when `wake` is
/// notified (after something was enqueued).
pub async fn run(
    db: Db,
    mailer: Mailer,
    clock: Clock,
    wake: std::sync::Arc<tokio::sync::Notify>,
    period: std::time::Duration,
) {
    loop {
        if let Err(e) = drain(&db, &mailer, &clock).await {
            tracing::warn!(error = %e, "mail outbox unavailable");
        }
        tokio::select! {
            () = wake.notified() => {},
            () = tokio::time::sleep(period) => {},
        }
    }
}
