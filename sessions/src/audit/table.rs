//! Writing captured audit events, reading them back filtered and paged
//! (newest first, keyset on the id), and pruning past `AUDIT_RETENTION`.
use super::{AuditEntry, AuditQueue, Captured};
use crate::Result;
use crate::clock::from_ms;
use crate::config::ms;
use crate::entity::{audit_event, user};
use crate::sql::Params;
use crate::store::SessionStore;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// Rows per insert and per delete.
const BATCH: usize = 1_000;

/// Which audit events to read: all of them filtered by account, kind and
/// time, a page at a time.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events about this account (by username, any case).
    pub user: Option<String>,
    /// Events of this kind (exactly, e.g. `login failed`).
    pub kind: Option<String>,
    /// Events at or after this time (epoch milliseconds).
    pub since_ms: Option<i64>,
    /// Events before this time (epoch milliseconds).
    pub until_ms: Option<i64>,
    /// Events older than this position (the "Older" link).
    pub before: Option<i64>,
    /// Page size; 0 means 50. At most 1,000.
    pub limit: u64,
}

/// A page of audit events, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    /// The events.
    pub entries: Vec<AuditEntry>,
    /// The position to read older events from, if there are any.
    pub older: Option<i64>,
}

impl SessionStore {
    /// Makes this store write the events `queue` captures (its layer must
    /// be in the process's subscriber). Once per store; later calls are
    /// ignored.
    pub fn keep_audit(&self, queue: AuditQueue) {
        queue.set_clock(self.inner.clock.clone());
        let _ = self.inner.audit.set(queue);
    }

    /// Writes the captured audit events; how many. On a database failure
    /// they stay queued for the next try.
    pub async fn write_audit(&self) -> Result<usize> {
        let Some(queue) = self.inner.audit.get() else {
            return Ok(0);
        };
        let dropped = queue.take_dropped();
        if dropped > 0 {
            tracing::error!(dropped, "audit events lost: the queue was full");
        }
        let mut written = 0;
        loop {
            let batch = queue.take(BATCH);
            if batch.is_empty() {
                return Ok(written);
            }
            let n = batch.len();
            let ids = match self.ids_of_named(&batch).await {
                Ok(ids) => ids,
                Err(e) => {
                    queue.put_back(batch);
                    return Err(e);
                }
            };
            let rows = batch.iter().cloned().map(|mut c| {
                if c.user_id.is_none() {
                    let key = c.username.as_deref().map(crate::accounts::username_key);
                    c.user_id = key.and_then(|k| ids.get(&k).copied());
                }
                row(c)
            });
            if let Err(e) = audit_event::Entity::insert_many(rows)
                .exec_without_returning(&self.inner.db)
                .await
            {
                queue.put_back(batch);
                return Err(e.into());
            }
            written += n;
        }
    }

    /// A page of audit events matching `filter`. An unknown user matches
    /// nothing.
    pub async fn audit_page(&self, filter: &AuditFilter) -> Result<AuditPage> {
        let size = match filter.limit {
            0 => 50,
            n => std::cmp::min(n, 1_000),
        };
        let mut cond = Condition::all();
        if let Some(name) = filter.user.as_deref().filter(|s| !s.is_empty()) {
            let key = crate::accounts::username_key(name);
            let id: Option<i64> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::UsernameKey.eq(key))
                .into_tuple()
                .one(&self.inner.db)
                .await?;
            let Some(id) = id else {
                return Ok(AuditPage::default());
            };
            // Rows name their account by id (resolved when written).
            cond = cond.add(audit_event::Column::UserId.eq(id));
        }
        if let Some(kind) = filter.kind.as_deref().filter(|s| !s.is_empty()) {
            cond = cond.add(audit_event::Column::Kind.eq(kind));
        }
        if let Some(since) = filter.since_ms {
            cond = cond.add(audit_event::Column::At.gte(since));
        }
        if let Some(until) = filter.until_ms {
            cond = cond.add(audit_event::Column::At.lt(until));
        }
        if let Some(before) = filter.before {
            cond = cond.add(audit_event::Column::Id.lt(before));
        }
        let mut rows = audit_event::Entity::find()
            .filter(cond)
            .order_by_desc(audit_event::Column::Id)
            .limit(size + 1)
            .all(&self.inner.db)
            .await?;
        let more = rows.len() as u64 > size;
        rows.truncate(size as usize);
        let names = self.usernames_of(&rows).await?;
        let older = more.then(|| rows.last().map(|r| r.id)).flatten();
        let entries = rows
            .into_iter()
            .map(|r| {
                let user = r
                    .username
                    .clone()
                    .or_else(|| r.user_id.and_then(|id| names.get(&id).cloned()));
                AuditEntry {
                    id: r.id,
                    at: from_ms(r.at),
                    kind: r.kind,
                    user,
                    actor: r.actor,
                    ip: r.ip,
                    session: r.session,
                    detail: serde_json::from_str(&r.detail).unwrap_or_default(),
                }
            })
            .collect();
        Ok(AuditPage { entries, older })
    }

    /// The kinds of event the table holds, for a filter's choices.
    pub async fn audit_kinds(&self) -> Result<Vec<String>> {
        Ok(audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Kind)
            .distinct()
            .order_by_asc(audit_event::Column::Kind)
            .into_tuple()
            .all(&self.inner.db)
            .await?)
    }

    /// Account ids of the events that name their account by username only.
    async fn ids_of_named(&self, batch: &[Captured]) -> Result<HashMap<String, i64>> {
        let keys: Vec<String> = batch
            .iter()
            .filter(|c| c.user_id.is_none())
            .filter_map(|c| c.username.as_deref().map(crate::accounts::username_key))
            .collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let found: Vec<(String, i64)> = user::Entity::find()
            .select_only()
            .columns([user::Column::UsernameKey, user::Column::Id])
            .filter(user::Column::UsernameKey.is_in(keys))
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        Ok(found.into_iter().collect())
    }

    /// Usernames of the rows that name their account by id only.
    async fn usernames_of(&self, rows: &[audit_event::Model]) -> Result<HashMap<i64, String>> {
        let ids = rows
            .iter()
            .filter(|r| r.username.is_none())
            .filter_map(|r| r.user_id)
            .collect();
        self.usernames_by_id(ids).await
    }

    /// Deletes audit events older than the audit retention, in batches;
    /// how many.
    pub(crate) async fn prune_audit(&self) -> Result<u64> {
        let db = &self.inner.db;
        let cutoff = self.now_ms() - ms(self.inner.config.audit_retention);
        let mut deleted = 0;
        loop {
            let mut p = Params::new(db.get_database_backend());
            let sql = format!(
                "DELETE FROM audit_events WHERE id IN \
                 (SELECT id FROM audit_events WHERE at < {} ORDER BY id LIMIT {})",
                p.push(cutoff),
                p.push(BATCH as i64)
            );
            let n = db.execute_raw(p.statement(sql)).await?.rows_affected();
            deleted += n;
            if n < BATCH as u64 {
                return Ok(deleted);
            }
        }
    }
}

fn row(c: Captured) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        at: Set(c.at_ms),
        kind: Set(clip(c.kind, 80)),
        user_id: Set(c.user_id),
        username: Set(c.username.map(|s| clip(s, 64))),
        actor: Set(c.actor.map(|s| clip(s, 64))),
        ip: Set(c.ip.map(|s| clip(s, 45))),
        session: Set(c.session.map(|s| clip(s, 64))),
        detail: Set(serde_json::Value::Object(c.detail).to_string()),
        ..Default::default()
    }
}

/// `s` cut to `max` characters (PostgreSQL refuses longer values).
fn clip(mut s: String, max: usize) -> String {
    if let Some((i, _)) = s.char_indices().nth(max) {
        s.truncate(i);
    }
    s
}
