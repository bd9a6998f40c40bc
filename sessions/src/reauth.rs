//! Re-authentication: destructive actions (terminating sessions) need a
//! session that proved the password within the re-authentication window,
//! so a stolen cookie alone cannot sign the owner out everywhere.
use crate::config::ms;
use crate::entity::session;
use crate::model::CurrentSession;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::net::IpAddr;

impl SessionStore {
    /// Checks the password of `current`'s account (within the
    /// password-attempt limits) and marks the session as freshly
    /// authenticated. With a second factor on, a code from the app (six
    /// digits) does as well.
    pub async fn reauthenticate(
        &self,
        current: &CurrentSession,
        password_or_code: &str,
        ip: IpAddr,
    ) -> Result<()> {
        let six_digits = password_or_code.trim().len() == 6
            && password_or_code.trim().bytes().all(|b| b.is_ascii_digit());
        if six_digits && self.two_factor_status(current.user_id).await?.enabled {
            self.check_second_factor(current.user_id, password_or_code, ip)
                .await?;
        } else {
            self.check_password(current.user_id, password_or_code, ip)
                .await?;
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
        tracing::info!(target: "audit", user = %current.username, session = %current.public_id, %ip, "re-authenticated");
        Ok(())
    }

    /// Whether `current` proved the password within the window.
    pub async fn recently_authenticated(&self, current: &CurrentSession) -> Result<bool> {
        let at: Option<Option<i64>> = session::Entity::find_by_id(current.row_id)
            .select_only()
            .column(session::Column::AuthenticatedAt)
            .into_tuple()
            .one(&self.inner.db)
            .await?;
        let at = at.flatten().unwrap_or(i64::MIN);
        Ok(self.now_ms().saturating_sub(at) <= ms(self.inner.config.reauth_window))
    }

    /// [`StoreError::ReauthRequired`] unless `current` is recently
    /// authenticated.
    pub(crate) async fn require_recent_auth(&self, current: &CurrentSession) -> Result<()> {
        if self.recently_authenticated(current).await? {
            Ok(())
        } else {
            Err(StoreError::ReauthRequired)
        }
    }
}
