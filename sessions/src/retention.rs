//! Retention: sessions past their timeouts that nobody presented since are
//! ended as expired, and ended sessions older than the retention period
//! are deleted, in bounded batches (each its own short transaction, so
//! pruning millions of rows never holds a long lock), by one server at a
//! time (a PostgreSQL advisory lock).
use crate::Result;
use crate::activity::immediate;
use crate::config::ms;
use crate::entity::session;
use crate::model::EndReason;
use crate::store::SessionStore;
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, Statement, TransactionTrait,
    Value,
};

/// Rows per statement.
pub(crate) const PRUNE_BATCH: u64 = 5_000;

/// The advisory lock key of pruning (PostgreSQL), arbitrary but fixed.
const PRUNE_LOCK: i64 = 0x5e55_1007;

/// Numbered placeholders, so that one may appear several times.
fn placeholders(backend: DbBackend, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => format!("?{i}"),
        })
        .collect()
}

impl SessionStore {
    /// Ends stale sessions (at the moment they expired) and deletes ended
    /// sessions older than the retention period, in batches of 5,000 rows.
    /// Returns rows deleted; 0 when another server is pruning right now.
    pub async fn prune_history(&self) -> Result<u64> {
        self.prune_in_batches(PRUNE_BATCH).await
    }

    pub(crate) async fn prune_in_batches(&self, batch: u64) -> Result<u64> {
        // What sessions did lately must count before anything is judged idle.
        if let Err(e) = self.flush_activity().await {
            tracing::warn!(error = %e, "activity not written before pruning");
        }
        loop {
            match self.expire_batch(batch).await? {
                None => return Ok(0),
                Some(n) if n < batch => break,
                Some(_) => {}
            }
        }
        let mut deleted = 0;
        loop {
            match self.delete_batch(batch).await? {
                None => break,
                Some(n) => {
                    deleted += n;
                    if n < batch {
                        break;
                    }
                }
            }
        }
        self.prune_side_tables().await?;
        Ok(deleted)
    }

    /// What else outlives its use: attempt counters whose window is over,
    /// old failed sign-ins, and (after the history retention) sent or
    /// abandoned mail, used or expired verification and reset links.
    async fn prune_side_tables(&self) -> Result<()> {
        self.prune_counters().await?;
        self.prune_failed_sign_ins().await?;
        self.prune_audit().await?;
        let db = &self.inner.db;
        let backend = db.get_database_backend();
        let cutoff = self.now_ms() - ms(self.inner.config.history_retention);
        for sql in [
            "DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL AND sent_at < {c}) \
               OR (failed_at IS NOT NULL AND failed_at < {c})",
            "DELETE FROM email_tokens WHERE expires_at < {c} OR (used_at IS NOT NULL AND used_at < {c})",
            "DELETE FROM password_resets WHERE expires_at < {c} OR (used_at IS NOT NULL AND used_at < {c})",
            "DELETE FROM pending_logins WHERE expires_at < {c}",
        ] {
            let mut p = crate::sql::Params::new(backend);
            let c = p.push(cutoff);
            db.execute_raw(p.statement(sql.replace("{c}", &c))).await?;
        }
        Ok(())
    }

    /// A transaction in which this server alone prunes (`None`: another
    /// server holds the lock).
    async fn pruning_transaction(&self) -> Result<Option<DatabaseTransaction>> {
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            let sql = format!("SELECT pg_try_advisory_xact_lock({PRUNE_LOCK}) AS locked");
            let row = txn
                .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await?;
            let locked: bool = row
                .map(|r| r.try_get("", "locked"))
                .transpose()?
                .unwrap_or(false);
            if !locked {
                return Ok(None);
            }
        }
        Ok(Some(txn))
    }

    /// Ends up to `batch` stale sessions; how many, or `None` if another
    /// server is pruning.
    async fn expire_batch(&self, batch: u64) -> Result<Option<u64>> {
        let Some(txn) = self.pruning_transaction().await? else {
            return Ok(None);
        };
        let backend = txn.get_database_backend();
        let c = &self.inner.config;
        let now = self.now_ms();
        let (idle, max_age) = (ms(c.idle_timeout), ms(c.max_age));
        let p = placeholders(backend, 7);
        // The end is when the session expired: an API token's expiry, or
        // the earlier of a browser session's two deadlines; never in the
        // future.
        let sql = format!(
            "UPDATE sessions SET end_reason = {reason}, ended_at = CASE \
               WHEN expires_at IS NOT NULL THEN expires_at \
               WHEN last_seen_at + {idle} < created_at + {max_age} AND last_seen_at + {idle} < {now} \
                 THEN last_seen_at + {idle} \
               WHEN created_at + {max_age} < {now} THEN created_at + {max_age} \
               ELSE {now} END \
             WHERE ended_at IS NULL AND id IN (SELECT id FROM sessions WHERE ended_at IS NULL \
               AND ((expires_at IS NULL AND (last_seen_at <= {cut_idle} OR created_at <= {cut_age})) \
                 OR expires_at <= {now}) LIMIT {limit}) \
             RETURNING *",
            reason = p[0],
            idle = p[1],
            max_age = p[2],
            now = p[3],
            cut_idle = p[4],
            cut_age = p[5],
            limit = p[6],
        );
        let values: Vec<Value> = vec![
            EndReason::Expired.into(),
            idle.into(),
            max_age.into(),
            now.into(),
            (now - idle).into(),
            (now - max_age).into(),
            (batch as i64).into(),
        ];
        let statement = Statement::from_sql_and_values(backend, sql, values);
        let ended = session::Entity::find()
            .from_raw_sql(statement)
            .all(&txn)
            .await?;
        self.notify_ended_in(&txn, &ended, EndReason::Expired)
            .await?;
        txn.commit().await?;
        self.announce_ended(&ended, EndReason::Expired);
        Ok(Some(ended.len() as u64))
    }

    /// Deletes up to `batch` ended sessions past retention.
    async fn delete_batch(&self, batch: u64) -> Result<Option<u64>> {
        let Some(txn) = self.pruning_transaction().await? else {
            return Ok(None);
        };
        let backend = txn.get_database_backend();
        let p = placeholders(backend, 2);
        let sql = format!(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
             WHERE ended_at IS NOT NULL AND ended_at < {} LIMIT {})",
            p[0], p[1]
        );
        let cutoff = self.now_ms() - ms(self.inner.config.history_retention);
        let values: Vec<Value> = vec![cutoff.into(), (batch as i64).into()];
        let deleted = txn
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
            .rows_affected();
        txn.commit().await?;
        Ok(Some(deleted))
    }
}
