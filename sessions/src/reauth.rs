//! Re-authentication: destructive actions (terminating sessions, security
//! settings) need a session that proved itself again within the
//! re-authentication window, so a stolen cookie alone cannot sign the owner
//! out everywhere. With a second factor on, the proof is a code: a phished
//! password and a stolen cookie together are still not enough.
use crate::config::ms;
use crate::entity::session;
use crate::model::{CurrentSession, TokenScope};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::net::IpAddr;

impl SessionStore {
    /// Proves `current` again and marks it freshly authenticated: with a
    /// second factor on, `proof` must be a code from the app or a recovery
    /// code (a password is refused: [`StoreError::CodeRequired`]); without
    /// one, the account's password. Both within the attempt limits.
    pub async fn reauthenticate(
        &self,
        current: &CurrentSession,
        proof: &str,
        ip: IpAddr,
    ) -> Result<()> {
        if current.scope.is_some() {
            return Err(StoreError::WrongScope);
        }
        if self.two_factor_status(current.user_id).await?.enabled {
            if crate::two_factor::looks_like_a_code(proof) {
                self.check_second_factor(current.user_id, proof, ip).await?;
            } else {
                return Err(StoreError::CodeRequired);
            }
        } else {
            self.check_password(current.user_id, proof, ip).await?;
        }
        let marked = session::Entity::update_many()
            .col_expr(session::Column::AuthenticatedAt, Expr::value(self.now_ms()))
            .filter(session::Column::Id.eq(current.row_id))
            .filter(session::Column::EndedAt.is_null())
            .exec(&self.inner.db)
            .await?;
        if marked.rows_affected == 0 {
            return Err(StoreError::SessionNotFound);
        }
        // Shared reads of the sessions page hold the old proof.
        self.inner.events.touch(current.user_id);
        tracing::info!(target: "audit", user = %current.username, session = %current.public_id, %ip, "re-authenticated");
        Ok(())
    }

    /// Whether `current` proved the password within the window.
    pub async fn recently_authenticated(&self, current: &CurrentSession) -> Result<bool> {
        Ok(self.now_ms() <= self.proof_until(current).await?)
    }

    /// Until when (epoch milliseconds) `current`'s last proof holds.
    pub async fn proof_until(&self, current: &CurrentSession) -> Result<i64> {
        let at: Option<Option<i64>> = session::Entity::find_by_id(current.row_id)
            .select_only()
            .column(session::Column::AuthenticatedAt)
            .into_tuple()
            .one(&self.inner.db)
            .await?;
        let at = at.flatten().unwrap_or(i64::MIN);
        Ok(at.saturating_add(ms(self.inner.config.reauth_window)))
    }

    /// [`StoreError::ReauthRequired`] unless `current` is recently
    /// authenticated. An API token never is ([`StoreError::WrongScope`]):
    /// security settings, addresses and the admin console are a person's.
    pub(crate) async fn require_recent_auth(&self, current: &CurrentSession) -> Result<()> {
        if current.scope.is_some() {
            return Err(StoreError::WrongScope);
        }
        if self.recently_authenticated(current).await? {
            Ok(())
        } else {
            Err(StoreError::ReauthRequired)
        }
    }

    /// What ending sessions needs: a recent proof, or an API token that
    /// may manage sessions (creating it took a proof; it cannot give one).
    pub(crate) async fn require_proof_to_end(&self, current: &CurrentSession) -> Result<()> {
        match current.scope {
            Some(TokenScope::Manage) => Ok(()),
            Some(TokenScope::Read) => Err(StoreError::WrongScope),
            None => self.require_recent_auth(current).await,
        }
    }
}
