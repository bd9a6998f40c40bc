//! Activity: last activity, last IP and pages visited, accumulated in
//! memory on every request a person makes and written at most once per
//! flush interval, only ever to active rows (a write never resurrects an
//! ended session), as one statement per batch; the location trail
//! ([`places`]) goes with it.
mod apps;
pub(crate) mod buffer;
mod places;

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
    ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait, Value,
};
use std::net::IpAddr;
use std::sync::Arc;

/// On SQLite, take the write lock at BEGIN so that two writers never
/// deadlock upgrading read locks; PostgreSQL ignores the option.
pub(crate) fn immediate() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}

/// Rows per statement: 5 parameters each, far below both databases' limits.
const ROWS_PER_STATEMENT: usize = 1_000;

/// What a flush wrote to one row.
#[derive(Debug, FromQueryResult)]
pub(crate) struct Written {
    pub id: i64,
    pub user_id: i64,
    pub public_id: String,
    pub last_seen_at: i64,
    pub pages_visited: i64,
    pub login_country_code: Option<String>,
}

/// What a flush wrote: the rows, and the sessions whose trail grew.
pub(crate) type Flushed = (Vec<Written>, Vec<places::Moved>);

/// One statement for many rows, on both databases: each session gets
/// `pages_visited + n`, the later `last_seen_at`, and the IP (and its
/// country) of the later sighting; only where it is still active. Several
/// servers flushing the same session each add their own count.
fn batch_update_sql(backend: DbBackend, rows: usize) -> String {
    let mut n = 0;
    let mut param = || {
        n += 1;
        match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        }
    };
    let values: Vec<String> = (0..rows)
        .map(|_| {
            let p: Vec<String> = (0..5).map(|_| param()).collect();
            format!("({})", p.join(", "))
        })
        .collect();
    format!(
        "WITH v(v_id, v_pages, v_seen, v_ip, v_country) AS (VALUES {}) \
         UPDATE sessions SET \
           pages_visited = sessions.pages_visited + v.v_pages, \
           last_ip = CASE WHEN v.v_seen >= sessions.last_seen_at THEN v.v_ip ELSE sessions.last_ip END, \
           last_country_code = CASE WHEN v.v_seen >= sessions.last_seen_at \
             THEN v.v_country ELSE sessions.last_country_code END, \
           last_seen_at = CASE WHEN v.v_seen > sessions.last_seen_at \
             THEN v.v_seen ELSE sessions.last_seen_at END \
         FROM v WHERE sessions.id = v.v_id AND sessions.ended_at IS NULL \
         RETURNING id, user_id, public_id, last_seen_at, pages_visited, login_country_code",
        values.join(", ")
    )
}

impl SessionStore {
    /// Records a request of `current` from `ip`; `page_open` counts a page.
    /// Only memory is touched here: see [`flush_activity`](Self::flush_activity).
    pub fn record_activity(&self, current: &CurrentSession, ip: IpAddr, page_open: bool) {
        self.record(current, ip, page_open, None);
    }

    /// [`record_activity`](Self::record_activity) of a request to the
    /// protected app `app` (forward authentication): also counted per app.
    pub fn record_app_activity(
        &self,
        current: &CurrentSession,
        ip: IpAddr,
        page_open: bool,
        app: &Arc<str>,
    ) {
        self.record(current, ip, page_open, Some(app));
    }

    fn record(
        &self,
        current: &CurrentSession,
        ip: IpAddr,
        page_open: bool,
        app: Option<&Arc<str>>,
    ) {
        self.inner.activity.record(
            current.row_id,
            current.user_id,
            &current.public_id,
            self.now_ms(),
            canonical(ip),
            page_open,
            app,
        );
    }

    /// Writes pending activity, one statement per thousand sessions, in one
    /// transaction. Ended sessions are never touched (no resurrection). On
    /// failure the batch is kept for the next flush. Returns rows written.
    pub async fn flush_activity(&self) -> Result<usize> {
        self.flush_with(false).await
    }

    /// [`flush_activity`](Self::flush_activity) the way it was done before,
    /// one statement per session: the benchmark's baseline only.
    #[doc(hidden)]
    pub async fn flush_activity_row_by_row(&self) -> Result<usize> {
        self.flush_with(true).await
    }

    async fn flush_with(&self, row_by_row: bool) -> Result<usize> {
        let (written, moved) = {
            let _flushing = self.inner.flush_lock.write().await;
            let batch = self.inner.activity.take();
            if batch.is_empty() {
                return Ok(0);
            }
            let written = if row_by_row {
                self.write_activity_row_by_row(&batch).await
            } else {
                self.write_activity(&batch).await
            };
            if written.is_err() {
                self.inner.activity.restore(batch);
                return written.map(|_| 0);
            }
            // Shared reads of these accounts held the rows before this
            // batch: not reused once it left memory.
            for pending in batch.values() {
                self.inner.events.touch(pending.user_id);
            }
            written?
        };
        for row in &written {
            self.publish(SessionEvent::Activity {
                user_id: row.user_id,
                session_id: row.public_id.clone(),
                last_seen_at: from_ms(row.last_seen_at),
                pages_visited: row.pages_visited,
            });
        }
        for m in moved {
            self.publish(SessionEvent::Updated {
                user_id: m.user_id,
                session_id: m.public_id,
            });
        }
        Ok(written.len())
    }

    /// Writes `batch` (see [`batch_update_sql`]).
    pub(crate) async fn write_activity(&self, batch: &Batch) -> Result<Flushed> {
        let backend = self.inner.db.get_database_backend();
        let rows: Vec<_> = batch.iter().collect();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let mut written = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
            for (row_id, p) in chunk {
                values.push((**row_id).into());
                values.push(p.pages.into());
                values.push(p.last_seen_ms.into());
                values.push(p.ip.to_string().into());
                values.push(self.country_of(p.ip).into());
            }
            let sql = batch_update_sql(backend, chunk.len());
            let statement = Statement::from_sql_and_values(backend, sql, values);
            written.extend(Written::find_by_statement(statement).all(&txn).await?);
        }
        let moved = self.write_places(&txn, batch, &written).await?;
        self.write_apps(&txn, batch, &written).await?;
        txn.commit().await?;
        Ok((written, moved))
    }

    async fn write_activity_row_by_row(&self, batch: &Batch) -> Result<Flushed> {
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let mut written = Vec::with_capacity(batch.len());
        for (row_id, p) in batch {
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
                .col_expr(
                    session::Column::LastCountryCode,
                    Expr::value(self.country_of(p.ip)),
                )
                .filter(session::Column::Id.eq(*row_id))
                .filter(session::Column::EndedAt.is_null())
                .exec_with_returning(&txn)
                .await?;
            written.extend(rows.into_iter().map(|r| Written {
                id: r.id,
                user_id: r.user_id,
                public_id: r.public_id,
                last_seen_at: r.last_seen_at,
                pages_visited: r.pages_visited,
                login_country_code: r.login_country_code,
            }));
        }
        let moved = self.write_places(&txn, batch, &written).await?;
        self.write_apps(&txn, batch, &written).await?;
        txn.commit().await?;
        Ok((written, moved))
    }
}
