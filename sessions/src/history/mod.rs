//! What the sessions page lists: the active sessions of an account
//! (including activity not yet written) and its history, paged by keyset
//! on (login time, public id).
pub(crate) mod page;

pub use page::{HistoryCursor, HistoryPage, HistoryQuery};

use crate::Result;
use crate::clock::{from_ms, to_ms};
use crate::config::ms;
use crate::entity::session;
use crate::model::SessionView;
use crate::store::SessionStore;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

fn key() -> Expr {
    Expr::tuple([
        Expr::col(session::Column::CreatedAt),
        Expr::col(session::Column::PublicId),
    ])
}

fn at(c: &HistoryCursor) -> Expr {
    Expr::tuple([Expr::val(c.created_at_ms), Expr::val(c.public_id.clone())])
}

impl SessionStore {
    /// Active sessions of a user, most recently active first, including
    /// activity not yet flushed.
    pub async fn list_active_sessions(&self, user_id: i64) -> Result<Vec<SessionView>> {
        let now = self.now_ms();
        let c = &self.inner.config;
        let _consistent = self.inner.flush_lock.read().await;
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::EndedAt.is_null())
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(session::Column::ExpiresAt.is_null())
                            .add(session::Column::LastSeenAt.gt(now - ms(c.idle_timeout)))
                            .add(session::Column::CreatedAt.gt(now - ms(c.max_age))),
                    )
                    .add(session::Column::ExpiresAt.gt(now)),
            )
            .order_by_desc(session::Column::LastSeenAt)
            .limit(1000)
            .all(&self.inner.db)
            .await?;
        Ok(self.active_views(rows.into_iter().map(session::Model::into_view)))
    }

    /// Views of active rows, with the activity not yet written, most
    /// recently active first.
    pub(crate) fn active_views(
        &self,
        rows: impl IntoIterator<Item = (i64, SessionView)>,
    ) -> Vec<SessionView> {
        let mut views: Vec<SessionView> = rows
            .into_iter()
            .map(|(row_id, mut view)| {
                if let Some(p) = self.inner.activity.peek(row_id) {
                    view.pages_visited += p.pages;
                    for seen in &p.apps {
                        crate::model::AppUse::add(
                            &mut view.apps,
                            &seen.name,
                            from_ms(seen.last_ms),
                            seen.pages,
                        );
                    }
                    if p.last_seen_ms > to_ms(view.last_seen_at) {
                        view.last_seen_at = from_ms(p.last_seen_ms);
                        view.location = self.location_of(p.ip);
                        view.ip = p.ip.to_string();
                    }
                }
                view
            })
            .collect();
        views.sort_by(|a, b| {
            b.last_seen_at
                .cmp(&a.last_seen_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        views
    }

    /// Sessions of a user, active and ended, newest login first, by keyset
    /// pagination on (login time, public id).
    pub async fn session_history(&self, user_id: i64, query: &HistoryQuery) -> Result<HistoryPage> {
        let limit = query.page_size();
        let mut select = session::Entity::find().filter(session::Column::UserId.eq(user_id));
        if let Some(before) = &query.before {
            select = select.filter(key().lt(at(before)));
        }
        // With `after`, read upwards from it; otherwise downwards.
        if let Some(after) = &query.after {
            select = select
                .filter(key().gt(at(after)))
                .order_by_asc(session::Column::CreatedAt)
                .order_by_asc(session::Column::PublicId);
        } else {
            select = select
                .order_by_desc(session::Column::CreatedAt)
                .order_by_desc(session::Column::PublicId);
        }
        let rows = select.limit(limit + 1).all(&self.inner.db).await?;
        Ok(query.page(rows.into_iter().map(SessionView::from).collect()))
    }
}
