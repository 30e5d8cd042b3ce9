//! Outgoing email through an outbox table: requests enqueue messages in the database
//! and a background worker sends them over SMTP (lettre). Several instances may run the
//! worker: each claims a batch by pushing its lock time forward, and a claimed message
//! is never sent twice.

use super::{
    clock::Clock,
    db::{millis, on_tx, Db, Tx},
};
use crate::error::AppError;
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

/// Puts messages in the outbox, inside the transaction of the action that sends them
/// (so a message exists exactly when the action committed); wakes the mail worker
/// after commit.
pub async fn enqueue(tx: &mut Tx, mails: &[Mail], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let timed: Vec<(&Mail, i64)> = mails.iter().map(|m| (m, 0)).collect();
    insert(tx, &timed, now).await
}

/// Like [`enqueue`], each message held back until its instant (an alert that fell
/// outside business hours goes out at the next opening).
pub async fn enqueue_not_before(
    tx: &mut Tx,
    mails: &[(Mail, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let timed: Vec<(&Mail, i64)> = mails
        .iter()
        .map(|(m, at)| (m, if *at > now { millis(*at) } else { 0 }))
        .collect();
    insert(tx, &timed, now).await
}

#[tracing::instrument(level = "debug", skip_all, fields(count = mails.len()))]
async fn insert(
    tx: &mut Tx,
    mails: &[(&Mail, i64)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if mails.is_empty() {
        return Ok(());
    }
    for chunk in mails.chunks(200) {
        on_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO mail_outbox (recipient, subject, body, created_at, locked_until) ",
            );
            q.push_values(chunk, |mut b, (m, not_before)| {
                b.push_bind(&m.to)
                    .push_bind(&m.subject)
                    .push_bind(&m.body)
                    .push_bind(millis(now))
                    .push_bind(*not_before);
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    tx.mail_queued();
    Ok(())
}

/// Sends mail over SMTP.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    lease: Duration,
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
        Ok(Self {
            transport,
            from,
            lease: Duration::minutes(2),
        })
    }

    /// How long a claimed batch is this instance's before another may send it (after
    /// this one died mid-batch, say). Default two minutes; it must exceed the time a
    /// batch takes to send, or a slow server gets a message twice.
    pub fn with_lease(mut self, lease: std::time::Duration) -> Self {
        self.lease = Duration::from_std(lease).unwrap_or(self.lease);
        self
    }

    /// Sends outbox message `id`. Its `Message-ID` is derived from the outbox id, so if
    /// an instance dies after the SMTP server took it but before it was marked sent,
    /// the copy another instance sends later is recognisably the same message.
    async fn send(&self, id: i64, m: &Mail) -> Result<(), String> {
        let to =
            m.to.parse::<Mailbox>()
                .map_err(|e| format!("bad recipient: {e}"))?;
        let domain = self.from.email.domain().to_owned();
        let message = Message::builder()
            .message_id(Some(format!("<outbox-{id}@{domain}>")))
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
pub async fn drain(db: &Db, mailer: &Mailer, clock: &Clock) -> Result<usize, AppError> {
    let mut sent = 0;
    loop {
        let now = clock.now();
        let until = now + mailer.lease;
        // Claim: push the lock forward. The re-check of locked_until in the outer
        // WHERE makes a second instance racing for the same rows claim none of them.
        let batch: Vec<Claimed> = db
            .write(move |tx| {
                Box::pin(async move {
                    let sql = "UPDATE mail_outbox SET locked_until = $1, attempts = attempts + 1 \
                               WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL \
                               AND locked_until < $2 AND attempts < $3 ORDER BY id LIMIT 20) \
                               AND locked_until < $2 RETURNING id, recipient, subject, body";
                    Ok(on_tx!(tx, c => sqlx::query_as(sql)
                        .bind(millis(until))
                        .bind(millis(now))
                        .bind(MAX_ATTEMPTS)
                        .fetch_all(&mut *c)
                        .await)?)
                })
            })
            .await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for m in batch {
            let mail = Mail {
                to: m.recipient,
                subject: m.subject,
                body: m.body,
            };
            let (id, result) = (m.id, mailer.send(m.id, &mail).await);
            let delivered = result.is_ok();
            let at = clock.now();
            if let Err(e) = &result {
                tracing::warn!(mail = id, error = %e, "sending mail failed; will retry");
            }
            db.write(move |tx| {
                Box::pin(async move {
                    match result {
                        Ok(()) => on_tx!(tx, c => sqlx::query(
                            "UPDATE mail_outbox SET sent_at = $1 WHERE id = $2")
                            .bind(millis(at))
                            .bind(id)
                            .execute(&mut *c)
                            .await.map(|r| r.rows_affected()))?,
                        Err(e) => on_tx!(tx, c => sqlx::query(
                            "UPDATE mail_outbox SET last_error = $1, locked_until = $2 WHERE id = $3")
                            .bind(e)
                            .bind(millis(at + Duration::minutes(1)))
                            .bind(id)
                            .execute(&mut *c)
                            .await.map(|r| r.rows_affected()))?,
                    };
                    Ok(())
                })
            })
            .await?;
            sent += usize::from(delivered);
        }
    }
}

/// The background worker: drains the outbox every `period`, or sooner when `wake` is
/// notified (after something was enqueued).
pub async fn run(db: Db, mailer: Mailer, clock: Clock, period: std::time::Duration) {
    let hub = db.hub().clone();
    loop {
        if let Err(e) = drain(&db, &mailer, &clock).await {
            tracing::warn!(error = %e, "mail outbox unavailable");
        }
        tokio::select! {
            () = hub.mail_wake.notified() => {},
            () = tokio::time::sleep(period) => {},
        }
    }
}
