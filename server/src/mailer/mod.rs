//! Sends the store's mail queue over SMTP (lettre, TLS by rustls): woken
//! when this server queues an email, and every poll interval for retries
//! and what other servers queued. A failure is reported back to the
//! store, which schedules the retry.
mod compose;

use crate::StartError;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sessions::{MailKind, QueuedMail, SessionStore};
use std::time::Duration;
use tokio::sync::watch;

/// Emails claimed per round.
const BATCH: u64 = 10;
/// How long one email may take to hand over; a claim lasts a batch of them.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// The SMTP side of the mail queue.
pub struct Mailer {
    store: SessionStore,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    origin: String,
    poll: Duration,
}

impl Mailer {
    /// A mailer for `SMTP_URL` sending as `MAIL_FROM`; links point at `origin`.
    pub fn new(
        store: SessionStore,
        smtp_url: &str,
        from: Option<&str>,
        origin: &str,
        poll: Duration,
    ) -> Result<Self, StartError> {
        let from = from
            .ok_or_else(|| StartError::Mail("MAIL_FROM is required with SMTP_URL".into()))?
            .parse::<Mailbox>()
            .map_err(|e| StartError::Mail(format!("MAIL_FROM: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| StartError::Mail(format!("SMTP_URL: {e}")))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Mailer {
            store,
            transport,
            from,
            origin: origin.trim_end_matches('/').to_owned(),
            poll,
        })
    }

    /// Runs until `shutdown` says so.
    pub fn spawn(self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                self.drain().await;
                tokio::select! {
                    _ = self.store.mail_queued() => {}
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = shutdown.changed() => return,
                }
            }
        })
    }

    /// Sends what is due, batch after batch.
    async fn drain(&self) {
        loop {
            let batch = match self.store.claim_mail(BATCH, SEND_TIMEOUT).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the mail queue");
                    return;
                }
            };
            if batch.is_empty() {
                return;
            }
            for mail in batch {
                self.send_one(mail).await;
            }
        }
    }

    async fn send_one(&self, mail: QueuedMail) {
        let outcome = match self.message(&mail).await {
            Ok(Some(message)) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            // Stale (the address changed): nothing to send.
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        let reported = match &outcome {
            Ok(()) => self.store.mail_sent(mail.id).await,
            Err(e) => {
                tracing::warn!(mail = mail.id, attempt = mail.attempt, error = %e, "email not sent; will retry");
                self.store.mail_failed(&mail, e).await
            }
        };
        if let Err(e) = reported {
            tracing::warn!(mail = mail.id, error = %e, "could not record an email's outcome");
        }
    }

    /// The message for `mail`, or `None` when it went stale.
    async fn message(&self, mail: &QueuedMail) -> Result<Option<Message>, String> {
        let text = match &mail.kind {
            MailKind::Verify { username } => {
                let Some(token) = self
                    .store
                    .issue_email_token(mail)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Ok(None);
                };
                compose::verify(&self.origin, username, token.expose_secret())
            }
            MailKind::PasswordReset { username } => {
                let Some(token) = self
                    .store
                    .issue_reset_token(mail)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Ok(None);
                };
                compose::password_reset(&self.origin, username, token.expose_secret())
            }
            MailKind::NewSignIn(facts) => compose::new_sign_in(&self.origin, facts),
            MailKind::FailedCode(facts) => compose::failed_code(&self.origin, facts),
            MailKind::Security(notice) => compose::security(&self.origin, notice),
        };
        let to = mail.to.parse::<Mailbox>().map_err(|e| e.to_string())?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(text.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(text.body)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}
