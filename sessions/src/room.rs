//! The session limit (`MAX_SESSIONS_PER_ACCOUNT`): at the limit, a
//! sign-in whose factors were all given waits while its person chooses
//! which session to end — never silently the oldest — and the ended
//! device is told why on its open page. The count and the end happen in
//! the sign-in's own transaction, with the account row locked, so sign-ins
//! racing each other never pass the limit together.
use crate::config::ms;
use crate::ending::end_where;
use crate::entity::{pending_login, session};
use crate::login::Proof;
use crate::model::{AuthMethod, EndReason, RequestFacts, SessionView};
use crate::secret::SessionToken;
use crate::store::SessionStore;
use crate::two_factor::login::PENDING_TTL_MS;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter,
};

impl SessionStore {
    /// In a sign-in's transaction (the account row locked): ends the
    /// chosen session `room` of the account first, if any, then refuses
    /// with [`StoreError::SessionLimit`] if the account is still at
    /// `limit`. The sessions it ended.
    pub(crate) async fn within_limit(
        &self,
        txn: &DatabaseTransaction,
        user_id: i64,
        limit: Option<u32>,
        room: Option<&str>,
        now: i64,
    ) -> Result<Vec<session::Model>> {
        let Some(max) = limit else {
            return Ok(Vec::new());
        };
        let mut ended = Vec::new();
        if let Some(id) = room {
            let mine = Condition::all()
                .add(session::Column::PublicId.eq(id))
                .add(session::Column::UserId.eq(user_id));
            ended = end_where(txn, mine, EndReason::MadeRoom, now).await?;
            if ended.is_empty() {
                return Err(StoreError::SessionNotFound);
            }
            if txn.get_database_backend() == DbBackend::Postgres {
                self.notify_ended_in(txn, &ended, EndReason::MadeRoom)
                    .await?;
            }
        }
        // Sessions past their timeouts that nobody presented since are
        // over, though not yet marked: they take no room.
        let c = &self.inner.config;
        let active = session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::EndedAt.is_null())
            .filter(session::Column::LastSeenAt.gt(now - ms(c.idle_timeout)))
            .filter(session::Column::CreatedAt.gt(now - ms(c.max_age)))
            // API tokens are no signed-in device: they take no room.
            .filter(session::Column::ExpiresAt.is_null())
            .count(txn)
            .await?;
        if active >= u64::from(max) {
            return Err(StoreError::SessionLimit);
        }
        Ok(ended)
    }

    /// Marks half-done login `pending_id` as complete but for room: every
    /// factor was given (`method`), for five more minutes.
    pub(crate) async fn wait_for_room(&self, pending_id: i64, method: AuthMethod) -> Result<()> {
        pending_login::Entity::update_many()
            .col_expr(
                pending_login::Column::UsedAt,
                Expr::value(Option::<i64>::None),
            )
            .col_expr(pending_login::Column::VerifiedMethod, Expr::value(method))
            .col_expr(
                pending_login::Column::ExpiresAt,
                Expr::value(self.now_ms() + PENDING_TTL_MS),
            )
            .filter(pending_login::Column::Id.eq(pending_id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    async fn waiting_for_room(&self, pending: &str) -> Result<pending_login::Model> {
        self.open_pending(pending)
            .await?
            .filter(|row| row.verified_method.is_some())
            .ok_or(StoreError::LoginExpired)
    }

    /// The sessions a login waiting for room may end: its account's
    /// active ones. [`StoreError::LoginExpired`] for any other login.
    pub async fn room_choices(&self, pending: &str) -> Result<Vec<SessionView>> {
        let row = self.waiting_for_room(pending).await?;
        self.list_active_sessions(row.user_id).await
    }

    /// Completes a login waiting for room: ends session `end` of the same
    /// account ("ended to make room for a new sign-in") and starts the new
    /// one, in one transaction, once. A session that is no longer there
    /// gives [`StoreError::SessionNotFound`] and the login keeps waiting.
    pub async fn make_room(
        &self,
        pending: &str,
        end: &str,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let row = self.waiting_for_room(pending).await?;
        let method = row.verified_method.unwrap_or(AuthMethod::Password);
        self.complete_pending(&row, method, facts, Some(end)).await
    }

    /// Completes half-done login `row`, its factors all given (`method`):
    /// used once (of two completions racing, one gets the session), then
    /// the session, after ending `room` if chosen. Refused for want of
    /// room, or for a choice no longer there, the login waits for a choice.
    pub(crate) async fn complete_pending(
        &self,
        row: &pending_login::Model,
        method: AuthMethod,
        facts: &RequestFacts,
        room: Option<&str>,
    ) -> Result<(SessionToken, SessionView)> {
        let used = pending_login::Entity::update_many()
            .col_expr(pending_login::Column::UsedAt, Expr::value(self.now_ms()))
            .filter(pending_login::Column::Id.eq(row.id))
            .filter(pending_login::Column::UsedAt.is_null())
            .exec(&self.inner.db)
            .await?;
        if used.rows_affected == 0 {
            return Err(StoreError::LoginExpired);
        }
        let proof = Proof::PasswordSince(row.password_changed_at);
        match self
            .insert_session(row.user_id, proof, facts, method, room)
            .await
        {
            Err(e @ (StoreError::SessionNotFound | StoreError::SessionLimit)) => {
                self.wait_for_room(row.id, method).await?;
                Err(e)
            }
            done => done,
        }
    }
}
