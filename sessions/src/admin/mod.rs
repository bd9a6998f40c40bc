//! The admin console's rules: who is an administrator (granted from the
//! command line), what a session needs to act as one (a second factor at
//! sign-in and a recent re-authentication), and what administrators do to
//! other accounts: end sessions, lock and unlock. Every action is an audit
//! event with the administrator as `actor`, appears in the owner's history
//! as its end reason, and is mailed to the owner's verified address.
use crate::activity::immediate;
use crate::ending::end_where;
use crate::entity::{session, user};
use crate::mail::SecurityChange;
use crate::model::{AuthMethod, CurrentSession, EndReason, SessionView};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

mod all_sessions;
mod users;

pub use all_sessions::{AdminSession, AdminSessionPage, SessionFilter};
pub use users::{AccountSummary, AdminUserView, UserList, UserQuery};

/// Who granted or revoked from the command line, in the audit log.
const OPERATOR: &str = "command line";

impl SessionStore {
    /// Makes `username` an administrator (`sessionboard admin grant`).
    /// [`StoreError::UnknownAccount`] if there is no such account.
    pub async fn grant_admin(&self, username: &str) -> Result<()> {
        self.set_admin(username, true).await?;
        tracing::warn!(target: "audit", actor = OPERATOR, user = %username, "administrator granted");
        Ok(())
    }

    /// Takes administration away from `username` (`sessionboard admin revoke`).
    pub async fn revoke_admin(&self, username: &str) -> Result<()> {
        self.set_admin(username, false).await?;
        tracing::warn!(target: "audit", actor = OPERATOR, user = %username, "administrator revoked");
        Ok(())
    }

    async fn set_admin(&self, username: &str, on: bool) -> Result<()> {
        let done = user::Entity::update_many()
            .col_expr(user::Column::IsAdmin, Expr::value(on))
            .filter(user::Column::UsernameKey.eq(crate::accounts::username_key(username)))
            .exec(&self.inner.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::UnknownAccount);
        }
        Ok(())
    }

    /// How many administrators there are (the first start says how to
    /// make one when there are none).
    pub async fn admin_count(&self) -> Result<u64> {
        Ok(user::Entity::find()
            .filter(user::Column::IsAdmin.eq(true))
            .count(&self.inner.db)
            .await?)
    }

    /// Whether `current`'s account is an administrator (whether to show
    /// the way to the console; acting needs [`require_admin`](Self::require_admin)).
    pub async fn is_admin(&self, current: &CurrentSession) -> Result<bool> {
        Ok(user::Entity::find_by_id(current.user_id)
            .one(&self.inner.db)
            .await?
            .is_some_and(|u| u.is_admin))
    }

    /// What acting as an administrator needs, checked in this order:
    /// an administrator's account ([`StoreError::NotAdmin`]), a session
    /// that signed in with a second factor
    /// ([`StoreError::AdminNeedsSecondFactor`]), and a re-authentication
    /// within the window ([`StoreError::ReauthRequired`]).
    pub async fn require_admin(&self, current: &CurrentSession) -> Result<()> {
        if !self.is_admin(current).await? {
            return Err(StoreError::NotAdmin);
        }
        if current.auth_method == AuthMethod::Password {
            return Err(StoreError::AdminNeedsSecondFactor);
        }
        self.require_recent_auth(current).await
    }

    /// The account `username` ([`StoreError::UnknownAccount`] if none).
    pub(crate) async fn account_named(&self, username: &str) -> Result<user::Model> {
        user::Entity::find()
            .filter(user::Column::UsernameKey.eq(crate::accounts::username_key(username)))
            .one(&self.inner.db)
            .await?
            .ok_or(StoreError::UnknownAccount)
    }

    /// An administrator ends one session of `username`'s account. The
    /// same answer ([`StoreError::SessionNotFound`]) for an unknown id,
    /// an ended one and one of another account.
    pub async fn admin_terminate(
        &self,
        admin: &CurrentSession,
        username: &str,
        public_id: &str,
    ) -> Result<SessionView> {
        if public_id == admin.public_id {
            return Err(StoreError::CannotTerminateCurrent);
        }
        self.require_admin(admin).await?;
        let owner = self.account_named(username).await?;
        let cond = Condition::all()
            .add(session::Column::PublicId.eq(public_id))
            .add(session::Column::UserId.eq(owner.id));
        let ended = self
            .end_by_admin(admin, &owner, cond, EndReason::ByAdministrator, false)
            .await?;
        ended
            .into_iter()
            .next()
            .map(SessionView::from)
            .ok_or(StoreError::SessionNotFound)
    }

    /// An administrator signs `username` out everywhere (but the
    /// administrator's own session); how many sessions ended.
    pub async fn admin_sign_out_everywhere(
        &self,
        admin: &CurrentSession,
        username: &str,
    ) -> Result<u64> {
        self.require_admin(admin).await?;
        let owner = self.account_named(username).await?;
        let cond = Condition::all()
            .add(session::Column::UserId.eq(owner.id))
            .add(session::Column::Id.ne(admin.row_id));
        let ended = self
            .end_by_admin(admin, &owner, cond, EndReason::ByAdministrator, false)
            .await?;
        Ok(ended.len() as u64)
    }

    /// An administrator locks `username`'s account: no new sign-ins, and
    /// every session ends, in one transaction (a sign-in racing it either
    /// ends with the others or is refused). Locking one's own account is
    /// refused ([`StoreError::CannotLockSelf`]). How many sessions ended.
    pub async fn lock_account(&self, admin: &CurrentSession, username: &str) -> Result<u64> {
        self.require_admin(admin).await?;
        let owner = self.account_named(username).await?;
        if owner.id == admin.user_id {
            return Err(StoreError::CannotLockSelf);
        }
        let cond = Condition::all().add(session::Column::UserId.eq(owner.id));
        let ended = self
            .end_by_admin(admin, &owner, cond, EndReason::AccountLocked, true)
            .await?;
        Ok(ended.len() as u64)
    }

    /// An administrator unlocks `username`'s account; whether it was locked.
    pub async fn unlock_account(&self, admin: &CurrentSession, username: &str) -> Result<bool> {
        self.require_admin(admin).await?;
        let owner = self.account_named(username).await?;
        let done = user::Entity::update_many()
            .col_expr(user::Column::LockedAt, Expr::value(Option::<i64>::None))
            .filter(user::Column::Id.eq(owner.id))
            .filter(user::Column::LockedAt.is_not_null())
            .exec(&self.inner.db)
            .await?;
        let unlocked = done.rows_affected > 0;
        if unlocked {
            let queued = self
                .tell_owner(&self.inner.db, &owner, SecurityChange::AccountUnlocked)
                .await?;
            self.mail_queued_now(queued);
            tracing::warn!(target: "audit", actor = %admin.username, user = %owner.username, "account unlocked by an administrator");
        }
        Ok(unlocked)
    }

    /// Ends the sessions matching `cond` for an administrator (locking the
    /// account first when `lock`), tells the other servers and the owner
    /// in the same transaction.
    async fn end_by_admin(
        &self,
        admin: &CurrentSession,
        owner: &user::Model,
        cond: Condition,
        reason: EndReason,
        lock: bool,
    ) -> Result<Vec<session::Model>> {
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        if lock {
            // Taken first: a sign-in holding the row shared commits before
            // this, and its session is among those ended below.
            user::Entity::update_many()
                .col_expr(user::Column::LockedAt, Expr::value(now))
                .filter(user::Column::Id.eq(owner.id))
                .exec(&txn)
                .await?;
        }
        let ended = end_where(&txn, cond, reason, now).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            self.notify_ended_in(&txn, &ended, reason).await?;
        }
        let change = match reason {
            EndReason::AccountLocked => Some(SecurityChange::AccountLocked),
            _ if !ended.is_empty() => Some(SecurityChange::EndedByAdministrator {
                sessions: ended.len() as u64,
            }),
            _ => None,
        };
        let queued = match change {
            Some(change) => self.tell_owner(&txn, owner, change).await?,
            None => false,
        };
        txn.commit().await?;
        self.mail_queued_now(queued);
        self.announce_ended(&ended, reason);
        let what = match reason {
            EndReason::AccountLocked => "account locked by an administrator",
            _ => "sessions ended by an administrator",
        };
        let sessions = ended.len();
        tracing::warn!(target: "audit", actor = %admin.username, user = %owner.username, sessions, "{what}");
        Ok(ended)
    }
}
