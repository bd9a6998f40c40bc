//! Every active session of every account, for administrators: filtered
//! by country, device, app and "awaiting review", paged newest sign-in
//! first, and ended in bulk (each owner told, every server told).
use crate::Result;
use crate::activity::immediate;
use crate::ending::end_where;
use crate::entity::{session, user};
use crate::history::HistoryCursor;
use crate::mail::SecurityChange;
use crate::model::{CurrentSession, DeviceType, EndReason, SessionView};
use crate::store::SessionStore;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use std::collections::BTreeMap;

/// Which active sessions of every account to list or end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// The country of the latest request (ISO code, e.g. `GB`).
    pub country: Option<String>,
    /// The kind of device.
    pub device: Option<DeviceType>,
    /// An app behind the proxy the session used (forward authentication).
    pub app: Option<String>,
    /// Only sessions waiting for "Was this you?".
    pub awaiting_review: bool,
}

/// An active session and its account.
#[derive(Debug, Clone)]
pub struct AdminSession {
    /// The account's username.
    pub username: String,
    /// The session.
    pub session: SessionView,
}

/// A page of the filtered sessions.
#[derive(Debug, Clone, Default)]
pub struct AdminSessionPage {
    /// The sessions, newest sign-in first.
    pub sessions: Vec<AdminSession>,
    /// How many sessions the filter matches in all.
    pub total: u64,
    /// Where the next page starts, if there is one.
    pub older: Option<HistoryCursor>,
}

impl SessionFilter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all().add(session::Column::EndedAt.is_null());
        if let Some(country) = self.country.as_deref().filter(|c| !c.is_empty()) {
            cond = cond.add(session::Column::LastCountryCode.eq(country.to_ascii_uppercase()));
        }
        if let Some(device) = self.device {
            cond = cond.add(session::Column::DeviceType.eq(device));
        }
        if let Some(app) = self.app.as_deref().filter(|a| !a.is_empty()) {
            let used = Query::select()
                .column(Alias::new("session_id"))
                .from(Alias::new("session_apps"))
                .and_where(Expr::col(Alias::new("app")).eq(app))
                .to_owned();
            cond = cond.add(session::Column::Id.in_subquery(used));
        }
        if self.awaiting_review {
            cond = cond
                .add(crate::review_rule::marked())
                .add(session::Column::Answer.is_null());
        }
        cond
    }
}

impl SessionStore {
    /// Active sessions of every account matching `filter`, 50 a page,
    /// newest sign-in first, for an administrator.
    pub async fn admin_sessions(
        &self,
        admin: &CurrentSession,
        filter: &SessionFilter,
        before: Option<&HistoryCursor>,
    ) -> Result<AdminSessionPage> {
        const PAGE: u64 = 50;
        self.require_admin(admin).await?;
        let db = &self.inner.db;
        let total = session::Entity::find()
            .filter(filter.condition())
            .count(db)
            .await?;
        let mut cond = filter.condition();
        if let Some(c) = before {
            cond = cond.add(
                Condition::any()
                    .add(session::Column::CreatedAt.lt(c.created_at_ms))
                    .add(
                        Condition::all()
                            .add(session::Column::CreatedAt.eq(c.created_at_ms))
                            .add(session::Column::PublicId.lt(c.public_id.clone())),
                    ),
            );
        }
        let mut rows = session::Entity::find()
            .filter(cond)
            .order_by_desc(session::Column::CreatedAt)
            .order_by_desc(session::Column::PublicId)
            .limit(PAGE + 1)
            .all(db)
            .await?;
        let more = rows.len() as u64 > PAGE;
        rows.truncate(PAGE as usize);
        let names = self
            .usernames_by_id(rows.iter().map(|r| r.user_id).collect())
            .await?;
        let older = more.then(|| rows.last()).flatten().map(|r| HistoryCursor {
            created_at_ms: r.created_at,
            public_id: r.public_id.clone(),
        });
        let sessions = rows
            .into_iter()
            .map(|r| AdminSession {
                username: names.get(&r.user_id).cloned().unwrap_or_default(),
                session: SessionView::from(r),
            })
            .collect();
        Ok(AdminSessionPage {
            sessions,
            total,
            older,
        })
    }

    /// Every account's session changes, for an administrator's live page
    /// (a receiver that lags should refetch everything).
    pub async fn admin_events(
        &self,
        admin: &CurrentSession,
    ) -> Result<tokio::sync::broadcast::Receiver<crate::events::SessionEvent>> {
        self.require_admin(admin).await?;
        Ok(self.inner.events.subscribe_all())
    }

    /// Ends every active session matching `filter` (but the
    /// administrator's own), telling each owner; how many ended.
    pub async fn admin_end_sessions(
        &self,
        admin: &CurrentSession,
        filter: &SessionFilter,
    ) -> Result<u64> {
        self.require_admin(admin).await?;
        let reason = EndReason::ByAdministrator;
        let cond = filter.condition().add(session::Column::Id.ne(admin.row_id));
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let ended = end_where(&txn, cond, reason, now).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            self.notify_ended_in(&txn, &ended, reason).await?;
        }
        let mut per_owner: BTreeMap<i64, u64> = BTreeMap::new();
        for row in &ended {
            *per_owner.entry(row.user_id).or_default() += 1;
        }
        let owners = user::Entity::find()
            .filter(user::Column::Id.is_in(per_owner.keys().copied()))
            .all(&txn)
            .await?;
        let mut queued = false;
        for owner in &owners {
            let sessions = per_owner.get(&owner.id).copied().unwrap_or(0);
            let change = SecurityChange::EndedByAdministrator { sessions };
            queued |= self.tell_owner(&txn, owner, change).await?;
        }
        txn.commit().await?;
        self.mail_queued_now(queued);
        self.announce_ended(&ended, reason);
        for owner in &owners {
            let sessions = per_owner.get(&owner.id).copied().unwrap_or(0);
            tracing::warn!(target: "audit", actor = %admin.username, user = %owner.username, sessions, "sessions ended by an administrator");
        }
        Ok(ended.len() as u64)
    }
}
