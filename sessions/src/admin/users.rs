//! The accounts as administrators see them: a searchable list, paged by
//! username (a keyset, like history), and one account with its sessions.
use crate::Result;
use crate::clock::from_ms;
use crate::entity::{session, user};
use crate::failed_sign_ins::FailedSignIn;
use crate::history::{HistoryPage, HistoryQuery};
use crate::model::{CurrentSession, SessionView};
use crate::store::SessionStore;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::collections::HashMap;

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Part of a username or an email address (any case); empty: all.
    pub search: String,
    /// Accounts after this username (the "Next" link).
    pub after: Option<String>,
    /// Page size; 0 means 50. At most 200.
    pub limit: u64,
}

/// An account in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// The username.
    pub username: String,
    /// The alert address, if any.
    pub email: Option<String>,
    /// Whether that address is verified.
    pub email_verified: bool,
    /// Registration time.
    pub created_at: DateTime<Utc>,
    /// Active sessions.
    pub active_sessions: u64,
    /// The latest activity of an active session (as written; pending
    /// activity shows within the flush interval).
    pub last_activity: Option<DateTime<Utc>>,
    /// Whether a second factor is on.
    pub two_factor: bool,
    /// When an administrator locked it, if locked.
    pub locked_at: Option<DateTime<Utc>>,
    /// Whether it is an administrator.
    pub admin: bool,
}

/// A page of accounts, by username.
#[derive(Debug, Clone, Default)]
pub struct UserList {
    /// The accounts.
    pub users: Vec<AccountSummary>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

/// One account as an administrator sees it.
#[derive(Debug, Clone)]
pub struct AdminUserView {
    /// The account.
    pub account: AccountSummary,
    /// Its active sessions, as its owner sees them.
    pub active: Vec<SessionView>,
    /// Its history.
    pub history: HistoryPage,
    /// Its failed sign-ins of the last days.
    pub failed: Vec<FailedSignIn>,
}

/// `%` and `_` typed in a search match themselves. PostgreSQL escapes
/// with a backslash by default, and its trigram indexes serve only a
/// pattern without an `ESCAPE` clause; SQLite needs the clause.
fn contains(typed: &str, backend: DbBackend) -> LikeExpr {
    let escaped: String = typed
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let like = LikeExpr::new(format!("%{escaped}%"));
    match backend {
        DbBackend::Postgres => like,
        _ => like.escape('\\'),
    }
}

impl SessionStore {
    /// Accounts matching `query`, by username, for an administrator.
    pub async fn admin_users(&self, admin: &CurrentSession, query: &UserQuery) -> Result<UserList> {
        self.require_admin(admin).await?;
        let size = match query.limit {
            0 => 50,
            n => std::cmp::min(n, 200),
        };
        let mut cond = Condition::all();
        let backend = self.inner.db.get_database_backend();
        let search = query.search.trim();
        if !search.is_empty() {
            let email = Expr::expr(Func::lower(Expr::col(user::Column::Email)));
            cond = cond.add(
                Condition::any()
                    .add(user::Column::UsernameKey.like(contains(search, backend)))
                    .add(email.like(contains(search, backend))),
            );
        }
        if let Some(after) = &query.after {
            cond = cond.add(user::Column::UsernameKey.gt(crate::accounts::username_key(after)));
        }
        let find = user::Entity::find()
            .filter(cond)
            .order_by_asc(user::Column::UsernameKey)
            .limit(size + 1);
        let db = &self.inner.db;
        let mut rows = if search.is_empty() || db.get_database_backend() != DbBackend::Postgres {
            find.all(db).await?
        } else {
            // A cached generic plan cannot see the pattern, so it walks the
            // username index (30 ms at 100,000 accounts); planned for the
            // pattern, the trigram indexes answer (see PERFORMANCE.md).
            let txn = db.begin().await?;
            txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
                .await?;
            let rows = find.all(&txn).await?;
            txn.commit().await?;
            rows
        };
        let more = rows.len() as u64 > size;
        rows.truncate(size as usize);
        let next = more
            .then(|| rows.last().map(|u| u.username_key.clone()))
            .flatten();
        let users = self.summaries(rows).await?;
        Ok(UserList { users, next })
    }

    /// One account, its sessions (history paged by `history`) and failed
    /// sign-ins, for an administrator.
    pub async fn admin_user(
        &self,
        admin: &CurrentSession,
        username: &str,
        history: &HistoryQuery,
    ) -> Result<AdminUserView> {
        self.require_admin(admin).await?;
        let owner = self.account_named(username).await?;
        let id = owner.id;
        let account = self.summaries(vec![owner]).await?.remove(0);
        Ok(AdminUserView {
            account,
            active: self.list_active_sessions(id).await?,
            history: self.session_history(id, history).await?,
            failed: self.failed_sign_ins(id).await?,
        })
    }

    /// The list's facts of `rows`: one grouped read of their active sessions.
    async fn summaries(&self, rows: Vec<user::Model>) -> Result<Vec<AccountSummary>> {
        let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
        let counts: Vec<(i64, i64, Option<i64>)> = if ids.is_empty() {
            Vec::new()
        } else {
            session::Entity::find()
                .select_only()
                .column(session::Column::UserId)
                .column_as(session::Column::Id.count(), "n")
                .column_as(session::Column::LastSeenAt.max(), "last")
                .filter(session::Column::UserId.is_in(ids))
                .filter(session::Column::EndedAt.is_null())
                .group_by(session::Column::UserId)
                .into_tuple()
                .all(&self.inner.db)
                .await?
        };
        let counts: HashMap<i64, (i64, Option<i64>)> =
            counts.into_iter().map(|(u, n, l)| (u, (n, l))).collect();
        Ok(rows
            .into_iter()
            .map(|u| {
                let (n, last) = counts.get(&u.id).copied().unwrap_or((0, None));
                AccountSummary {
                    email_verified: u.email.is_some() && u.email_verified_at.is_some(),
                    email: u.email,
                    created_at: from_ms(u.created_at),
                    active_sessions: n as u64,
                    last_activity: last.map(from_ms),
                    two_factor: u.totp_enabled_at.is_some(),
                    locked_at: u.locked_at.map(from_ms),
                    admin: u.is_admin,
                    username: u.username,
                }
            })
            .collect())
    }
}
