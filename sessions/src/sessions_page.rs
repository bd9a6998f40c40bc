//! The sessions page in one read: the active sessions, a page of history
//! and whether terminating needs the password again, from one statement.
//!
//! Each statement on SQLite is a round trip to the connection's worker
//! thread (two channel hops and as many context switches), which profiling
//! showed to cost more than the page's rendering; one `UNION ALL` instead
//! of three reads is most of what makes the page faster.
use crate::Result;
use crate::config::ms;
use crate::entity::session;
use crate::history::{HistoryPage, HistoryQuery};
use crate::model::{CurrentSession, SessionView};
use crate::store::SessionStore;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

/// What the sessions page shows.
#[derive(Debug, Clone)]
pub struct SessionsPage {
    /// Active sessions, most recently active first, activity not yet
    /// written included.
    pub active: Vec<SessionView>,
    /// One page of history.
    pub history: HistoryPage,
    /// Terminating needs the password again: the viewer's session has not
    /// proved it within the re-authentication window.
    pub reauth_needed: bool,
}

/// Numbered placeholders (`$n` / `?n`), so that one may appear twice.
struct Params {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Params {
    fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => format!("?{}", self.values.len()),
        }
    }
}

impl SessionStore {
    /// Everything the sessions page of `current` shows, history paged by
    /// `query`.
    pub async fn sessions_page(
        &self,
        current: &CurrentSession,
        query: &HistoryQuery,
    ) -> Result<SessionsPage> {
        let backend = self.inner.db.get_database_backend();
        let mut p = Params {
            backend,
            values: Vec::new(),
        };
        let now = self.now_ms();
        let c = &self.inner.config;
        let user = p.push(current.user_id);
        let (idle, age) = (
            p.push(now - ms(c.idle_timeout)),
            p.push(now - ms(c.max_age)),
        );
        let keyset: String = query
            .keyset()
            .into_iter()
            .map(|(op, at, id)| {
                let (at, id) = (p.push(at), p.push(id));
                format!(" AND (created_at, public_id) {op} ({at}, {id})")
            })
            .collect();
        let order = if query.after.is_some() { "ASC" } else { "DESC" };
        let limit = p.push(query.page_size() as i64 + 1);
        let sql = format!(
            "SELECT * FROM (SELECT sessions.*, 0 AS part FROM sessions \
               WHERE user_id = {user} AND ended_at IS NULL \
               AND last_seen_at > {idle} AND created_at > {age} \
               ORDER BY last_seen_at DESC LIMIT 1000) a \
             UNION ALL \
             SELECT * FROM (SELECT sessions.*, 1 AS part FROM sessions \
               WHERE user_id = {user}{keyset} \
               ORDER BY created_at {order}, public_id {order} LIMIT {limit}) h"
        );
        let statement = Statement::from_sql_and_values(backend, sql, p.values);
        let (active, history) = {
            let _consistent = self.inner.flush_lock.read().await;
            let rows = self.inner.db.query_all_raw(statement).await?;
            let (mut active, mut history) = (Vec::new(), Vec::new());
            for row in rows {
                let part: i32 = row.try_get("", "part")?;
                let model = session::Model::from_query_result(&row, "")?;
                if part == 0 {
                    active.push(model);
                } else {
                    history.push(model);
                }
            }
            (self.active_views(&active), query.page(history))
        };
        // Not listed (it expired this instant): ask, to be safe.
        let own = active.iter().find(|s| s.id == current.public_id);
        let proved_at = own
            .and_then(|s| s.authenticated_at)
            .map_or(i64::MIN, crate::clock::to_ms);
        let reauth_needed = now.saturating_sub(proved_at) > ms(c.reauth_window);
        Ok(SessionsPage {
            active,
            history,
            reauth_needed,
        })
    }
}
