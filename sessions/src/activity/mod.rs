//! Activity: last activity, last IP and pages visited, accumulated in
//! memory on every request and written at most once per flush interval,
//! only ever to active rows (a write never resurrects an ended session).
pub(crate) mod buffer;

pub(crate) use buffer::Batch;

use crate::Result;
use crate::client_ip::canonical;
use crate::clock::from_ms;
use crate::entity::session;
use crate::events::SessionEvent;
use crate::model::CurrentSession;
use crate::store::SessionStore;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use std::net::IpAddr;

/// On SQLite, take the write lock at BEGIN so that two writers never
/// deadlock upgrading read locks; PostgreSQL ignores the option.
pub(crate) fn immediate() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}

impl SessionStore {
    /// Records a request of `current` from `ip`; `page_open` counts a page.
    /// Only memory is touched here: see [`flush_activity`](Self::flush_activity).
    pub fn record_activity(&self, current: &CurrentSession, ip: IpAddr, page_open: bool) {
        self.inner.activity.record(
            current.row_id,
            current.user_id,
            &current.public_id,
            self.now_ms(),
            canonical(ip),
            page_open,
        );
    }

    /// Writes pending activity with one conditional update per session, in
    /// one transaction. Ended sessions are never touched (no resurrection).
    /// On failure the batch is kept for the next flush. Returns rows written.
    pub async fn flush_activity(&self) -> Result<usize> {
        let written = {
            let _flushing = self.inner.flush_lock.write().await;
            let batch = self.inner.activity.take();
            if batch.is_empty() {
                return Ok(0);
            }
            let written = self.write_activity(&batch).await;
            if written.is_err() {
                self.inner.activity.restore(batch);
            }
            written
        };
        match written {
            Ok(updated) => {
                for row in &updated {
                    self.inner.events.publish(SessionEvent::Activity {
                        user_id: row.user_id,
                        session_id: row.public_id.clone(),
                        last_seen_at: from_ms(row.last_seen_at),
                        pages_visited: row.pages_visited,
                    });
                }
                Ok(updated.len())
            }
            Err(e) => Err(e),
        }
    }

    /// Writes `batch`: `pages_visited + n`, the later `last_seen_at`, the
    /// latest IP and its country; only where the row is still active.
    pub(crate) async fn write_activity(&self, batch: &Batch) -> Result<Vec<session::Model>> {
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let mut updated = Vec::with_capacity(batch.len());
        for (row_id, p) in batch {
            let country = self.country_of(p.ip);
            let rows = session::Entity::update_many()
                .col_expr(
                    session::Column::PagesVisited,
                    Expr::col(session::Column::PagesVisited).add(p.pages),
                )
                .col_expr(
                    session::Column::LastSeenAt,
                    Expr::case(
                        Expr::col(session::Column::LastSeenAt).lt(p.last_seen_ms),
                        p.last_seen_ms,
                    )
                    .finally(Expr::col(session::Column::LastSeenAt))
                    .into(),
                )
                .col_expr(session::Column::LastIp, Expr::value(p.ip.to_string()))
                .col_expr(session::Column::LastCountryCode, Expr::value(country))
                .filter(session::Column::Id.eq(*row_id))
                .filter(session::Column::EndedAt.is_null())
                .exec_with_returning(&txn)
                .await?;
            updated.extend(rows);
        }
        txn.commit().await?;
        Ok(updated)
    }
}
