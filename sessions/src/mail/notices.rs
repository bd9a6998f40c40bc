//! Telling the owner: security notices (password, second factor, recovery
//! codes, address changes) go to the account's verified address, queued in
//! the transaction of the change itself.
use super::outbox::{MailKind, SecurityChange, SecurityNotice, enqueue};
use crate::Result;
use crate::entity::user;
use crate::store::SessionStore;
use sea_orm::ConnectionTrait;

/// Where an account's mail goes: its address, once verified.
pub(crate) fn verified_address(owner: &user::Model) -> Option<&str> {
    owner
        .email
        .as_deref()
        .filter(|_| owner.email_verified_at.is_some())
}

impl SessionStore {
    /// Queues a notice of `change` to `owner`'s verified address (in the
    /// caller's transaction), when email is on. Whether one was queued.
    pub(crate) async fn tell_owner<C: ConnectionTrait>(
        &self,
        conn: &C,
        owner: &user::Model,
        change: SecurityChange,
    ) -> Result<bool> {
        let Some(to) = verified_address(owner).filter(|_| self.inner.config.mail.enabled) else {
            return Ok(false);
        };
        let now = self.now_ms();
        let notice = SecurityNotice {
            username: owner.username.clone(),
            change,
            at_ms: now,
        };
        enqueue(conn, owner.id, to, &MailKind::Security(notice), None, now).await?;
        Ok(true)
    }

    /// Wakes the mailer after a commit that queued mail.
    pub(crate) fn mail_queued_now(&self, queued: bool) {
        if queued {
            self.inner.mail_waiting.notify_one();
        }
    }
}
