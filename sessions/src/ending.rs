//! Ending sessions: terminate one, sign out everywhere else, log out, and
//! the one conditional statement all ends go through. An ended row is
//! never active again.
use crate::Result;
use crate::StoreError;
use crate::activity::Batch;
use crate::entity::session;
use crate::events::SessionEvent;
use crate::model::{CurrentSession, EndReason, SessionView};
use crate::store::SessionStore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};

/// Ends the active sessions matching `cond` in one conditional statement;
/// returns the rows it ended.
pub(crate) async fn end_where<C: ConnectionTrait>(
    conn: &C,
    cond: Condition,
    reason: EndReason,
    at_ms: i64,
) -> Result<Vec<session::Model>> {
    Ok(session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(at_ms))
        .col_expr(session::Column::EndReason, Expr::value(reason))
        .filter(cond)
        .filter(session::Column::EndedAt.is_null())
        .exec_with_returning(conn)
        .await?)
}

/// Every session of `current`'s account but `current` itself.
pub(crate) fn others_of(current: &CurrentSession) -> Condition {
    Condition::all()
        .add(session::Column::UserId.eq(current.user_id))
        .add(session::Column::Id.ne(current.row_id))
}

impl SessionStore {
    /// Ends the active sessions matching `cond` now, tells the other
    /// servers in the same transaction (PostgreSQL), then drops them here.
    pub(crate) async fn end_now(
        &self,
        cond: Condition,
        reason: EndReason,
        at_ms: i64,
    ) -> Result<Vec<session::Model>> {
        let db = &self.inner.db;
        let ended = if db.get_database_backend() == DbBackend::Postgres {
            let txn = db.begin().await?;
            let ended = end_where(&txn, cond, reason, at_ms).await?;
            self.notify_ended_in(&txn, &ended, reason).await?;
            txn.commit().await?;
            ended
        } else {
            end_where(db, cond, reason, at_ms).await?
        };
        self.announce_ended(&ended, reason);
        Ok(ended)
    }

    /// Terminates one session of the caller's account. The caller's own
    /// session is refused ([`StoreError::CannotTerminateCurrent`]), so is a
    /// caller not recently authenticated ([`StoreError::ReauthRequired`]); an
    /// unknown id, an ended one and another account's all give
    /// [`StoreError::SessionNotFound`] and change nothing.
    pub async fn terminate_session(
        &self,
        current: &CurrentSession,
        public_id: &str,
    ) -> Result<SessionView> {
        if public_id == current.public_id {
            return Err(StoreError::CannotTerminateCurrent);
        }
        self.require_proof_to_end(current).await?;
        let mine = Condition::all()
            .add(session::Column::PublicId.eq(public_id))
            .add(session::Column::UserId.eq(current.user_id));
        let ended = self
            .end_now(mine, EndReason::Terminated, self.now_ms())
            .await?;
        ended
            .into_iter()
            .next()
            .map(SessionView::from)
            .ok_or(StoreError::SessionNotFound)
    }

    /// Ends every other active session of the caller's account ("Sign out
    /// everywhere"), if the caller is recently authenticated. Returns how
    /// many ended; running it again returns 0.
    pub async fn sign_out_everywhere(&self, current: &CurrentSession) -> Result<u64> {
        self.require_proof_to_end(current).await?;
        let reason = EndReason::SignedOutEverywhere;
        let db = &self.inner.db;
        let ended = if db.get_database_backend() == DbBackend::Postgres {
            // The account row, shared, so that an API token being created
            // (which holds it exclusively) is either in this statement's
            // snapshot or sees its creator ended: none outlives this.
            let txn = db.begin().await?;
            crate::entity::user::Entity::find_by_id(current.user_id)
                .lock_shared()
                .one(&txn)
                .await?;
            let ended = end_where(&txn, others_of(current), reason, self.now_ms()).await?;
            self.notify_ended_in(&txn, &ended, reason).await?;
            txn.commit().await?;
            ended
        } else {
            end_where(db, others_of(current), reason, self.now_ms()).await?
        };
        self.announce_ended(&ended, reason);
        Ok(ended.len() as u64)
    }

    /// Ends the caller's own session (log out), after writing what it did
    /// since the last flush. Returns whether it was still active.
    pub async fn log_out(&self, current: &CurrentSession) -> Result<bool> {
        if let Some(p) = self.inner.activity.take_one(current.row_id) {
            let mut one = Batch::default();
            one.insert(current.row_id, p);
            if let Err(e) = self.write_activity(&one).await {
                tracing::warn!(error = %e, "could not write last activity before sign-out");
            }
        }
        self.end_one(current.row_id, EndReason::SignedOut, self.now_ms())
            .await
    }

    /// Ends the session of row `row_id` at `at_ms`; whether it was active.
    pub(crate) async fn end_one(&self, row_id: i64, reason: EndReason, at_ms: i64) -> Result<bool> {
        let cond = Condition::all().add(session::Column::Id.eq(row_id));
        Ok(!self.end_now(cond, reason, at_ms).await?.is_empty())
    }

    /// After rows ended (and, on PostgreSQL, the other servers were told in
    /// the ending transaction): no cache here may serve them, their pending
    /// activity is dropped, and this server's pages hear of it.
    pub(crate) fn announce_ended(&self, rows: &[session::Model], reason: EndReason) {
        crate::stats::sessions_ended(reason, rows.len());
        for row in rows {
            tracing::info!(target: "audit", session = %row.public_id, user_id = row.user_id, reason = ?reason, "session ended");
            self.inner.recently_ended.record(&row.public_id);
            if let Some(cache) = &self.inner.auth_cache {
                cache.invalidate(&row.token_hash);
            }
            self.inner.activity.discard(row.id);
            self.inner.events.deliver(SessionEvent::Ended {
                user_id: row.user_id,
                session_id: row.public_id.clone(),
                reason,
            });
        }
    }
}
