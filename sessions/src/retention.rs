//! Retention: sessions past their timeouts that nobody presented since are
//! ended as expired, and ended sessions older than the retention period
//! are deleted.
use crate::Result;
use crate::config::ms;
use crate::entity::session;
use crate::model::EndReason;
use crate::store::SessionStore;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};

impl SessionStore {
    /// Ends stale sessions (at the moment they expired) and deletes ended
    /// sessions older than the retention period. Returns rows deleted.
    pub async fn prune_history(&self) -> Result<u64> {
        let now = self.now_ms();
        let c = &self.inner.config;
        let stale = session::Entity::find()
            .filter(session::Column::EndedAt.is_null())
            .filter(
                Condition::any()
                    .add(session::Column::LastSeenAt.lte(now - ms(c.idle_timeout)))
                    .add(session::Column::CreatedAt.lte(now - ms(c.max_age))),
            )
            .limit(10_000)
            .all(&self.inner.db)
            .await?;
        for row in stale {
            let at = std::cmp::min(self.expiry(row.created_at, row.last_seen_at), now);
            self.end_one(row.id, EndReason::Expired, at).await?;
        }
        let deleted = session::Entity::delete_many()
            .filter(session::Column::EndedAt.lt(now - ms(c.history_retention)))
            .exec(&self.inner.db)
            .await?;
        Ok(deleted.rows_affected)
    }
}
