//! The sessions page in one read: the active sessions, a page of history
//! and whether terminating needs the password again, from one statement.
//!
//! Each statement on SQLite is a round trip to the connection's worker
//! thread (two channel hops and as many context switches), which profiling
//! showed to cost more than the page's rendering; one `UNION ALL` instead
//! of three reads is most of what makes the page faster.
pub(crate) mod page;

pub use page::SessionsPage;

use crate::Result;
use crate::config::ms;
use crate::entity::session;
use crate::geo::Location;
use crate::history::HistoryQuery;
use crate::model::{AppUse, CurrentSession, Place};
use crate::sql::Params;
use crate::store::SessionStore;
use page::{AccountPage, PageKey};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(FromQueryResult)]
struct AppRow {
    public_id: String,
    app: String,
    last_seen_at: i64,
    pages: i64,
}

#[derive(FromQueryResult)]
struct PlaceRow {
    public_id: String,
    ip: String,
    country_code: Option<String>,
    first_seen_at: i64,
    last_seen_at: i64,
}

impl SessionStore {
    /// Everything the sessions page of `current` shows, history paged by
    /// `query`. While the account has open boards, their refetches after a
    /// change share one read of the account's part: it is cached per
    /// change the account's streams heard of and per second of the
    /// store's clock (what changes without an event, expiry, shows within
    /// that).
    pub async fn sessions_page(
        &self,
        current: &CurrentSession,
        query: &HistoryQuery,
    ) -> Result<SessionsPage> {
        let user_id = current.user_id;
        // Pending activity is added to rows read under this guard, so a
        // flush (which renews the account's reads) never falls between.
        let _consistent = self.inner.flush_lock.read().await;
        let account = match self.inner.events.generation(user_id) {
            None => Arc::new(self.account_page(user_id, query).await?),
            Some(generation) => {
                let key = PageKey {
                    user_id,
                    before: query.before.clone(),
                    after: query.after.clone(),
                    limit: query.limit,
                    generation,
                    second: self.now_ms().div_euclid(1000),
                };
                let read = async { self.account_page(user_id, query).await.map(Arc::new) };
                match self.inner.pages.try_get_with(key, read).await {
                    Ok(account) => account,
                    // The error is shared by whoever waited: read again
                    // for one of our own.
                    Err(_) => Arc::new(self.account_page(user_id, query).await?),
                }
            }
        };
        let mut page = account.page.clone();
        page.active = self.active_views(account.rows.iter().cloned());
        Ok(self.for_viewer(page, current))
    }

    /// The viewer's part: until when its own proof holds (a proof renewed
    /// is a change, [`SessionStore::reauthenticate`]).
    fn for_viewer(&self, mut page: SessionsPage, current: &CurrentSession) -> SessionsPage {
        // Not listed (it expired this instant): ask, to be safe.
        let own = page.active.iter().find(|s| s.id == current.public_id);
        let proved_at = own
            .and_then(|s| s.authenticated_at)
            .map_or(i64::MIN, crate::clock::to_ms);
        page.proof_until = proved_at.saturating_add(ms(self.inner.config.reauth_window));
        page.reauth_needed = self.now_ms() > page.proof_until;
        page
    }

    /// The account's part of the page, the same for every viewer, as
    /// written (the caller holds the flush guard and adds what is pending).
    async fn account_page(&self, user_id: i64, query: &HistoryQuery) -> Result<AccountPage> {
        let backend = self.inner.db.get_database_backend();
        let mut p = Params::new(backend);
        let now = self.now_ms();
        let c = &self.inner.config;
        let user = p.push(user_id);
        let (idle, age, now_p) = (
            p.push(now - ms(c.idle_timeout)),
            p.push(now - ms(c.max_age)),
            p.push(now),
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
        // The account's second factor and its latest failed sign-in ride
        // along (uncorrelated subqueries, evaluated once) rather than
        // costing round trips.
        let totp = format!(
            "(SELECT totp_enabled_at FROM users WHERE id = {user}) AS totp_on, \
             (SELECT failed_sign_in_at FROM users WHERE id = {user}) AS failed_at"
        );
        let cols = session::VIEW_COLUMNS.join(", ");
        let sql = format!(
            "SELECT * FROM (SELECT {cols}, 0 AS part, {totp} FROM sessions \
               WHERE user_id = {user} AND ended_at IS NULL \
               AND ((expires_at IS NULL AND last_seen_at > {idle} AND created_at > {age}) \
                 OR expires_at > {now_p}) \
               ORDER BY last_seen_at DESC LIMIT 1000) a \
             UNION ALL \
             SELECT * FROM (SELECT {cols}, 1 AS part, {totp} FROM sessions \
               WHERE user_id = {user}{keyset} \
               ORDER BY created_at {order}, public_id {order} LIMIT {limit}) h"
        );
        let statement = p.statement(sql);
        let mut two_factor_on = false;
        let mut failed_at: Option<i64> = None;
        let (rows, history) = {
            let rows = self.inner.db.query_all_raw(statement).await?;
            let (mut active, mut history) = (Vec::new(), Vec::new());
            // `part`, `totp_on` and `failed_at` follow the view's columns.
            let part_at = session::VIEW_COLUMNS.len();
            for row in rows {
                let part: i32 = row.try_get_by_index(part_at)?;
                two_factor_on |= row.try_get_by_index::<Option<i64>>(part_at + 1)?.is_some();
                failed_at = failed_at.or(row.try_get_by_index(part_at + 2)?);
                let (row_id, view) = session::view_from_row(&row)?;
                if part == 0 {
                    active.push((row_id, view));
                } else {
                    history.push(view);
                }
            }
            (active, query.page(history))
        };
        let places = if rows.iter().any(|(_, s)| s.place_count > 1) {
            self.trails(user_id).await?
        } else {
            HashMap::new()
        };
        let recent = crate::SHOWN_DAYS * 86_400_000;
        let failed_sign_ins = match failed_at {
            Some(at) if at > now - recent => self.failed_sign_ins(user_id).await?,
            _ => Vec::new(),
        };
        let mut rows = rows;
        let mut history = history;
        if self
            .inner
            .forward_auth
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            let ids: Vec<&str> = rows
                .iter()
                .map(|(_, v)| v.id.as_str())
                .chain(history.entries.iter().map(|v| v.id.as_str()))
                .collect();
            let mut uses = self.app_uses(user_id, &ids).await?;
            for view in rows
                .iter_mut()
                .map(|(_, v)| v)
                .chain(history.entries.iter_mut())
            {
                view.apps = uses.remove(&view.id).unwrap_or_default();
            }
        }
        let page = SessionsPage {
            active: Vec::new(),
            history,
            // The viewer's, filled in by `for_viewer`.
            reauth_needed: true,
            proof_until: i64::MIN,
            places,
            two_factor_on,
            failed_sign_ins,
        };
        Ok(AccountPage { rows, page })
    }

    /// The apps the sessions `ids` of a user used, most recently first.
    async fn app_uses(&self, user_id: i64, ids: &[&str]) -> Result<HashMap<String, Vec<AppUse>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let backend = self.inner.db.get_database_backend();
        let mut p = Params::new(backend);
        let user = p.push(user_id);
        let list: Vec<String> = ids.iter().map(|id| p.push(id.to_string())).collect();
        let sql = format!(
            "SELECT s.public_id, a.app, a.last_seen_at, a.pages \
             FROM session_apps a JOIN sessions s ON s.id = a.session_id \
             WHERE s.user_id = {user} AND s.public_id IN ({}) \
             ORDER BY a.last_seen_at DESC, a.id DESC",
            list.join(", ")
        );
        let rows = AppRow::find_by_statement(p.statement(sql))
            .all(&self.inner.db)
            .await?;
        let mut uses: HashMap<String, Vec<AppUse>> = HashMap::new();
        for r in rows {
            uses.entry(r.public_id).or_default().push(AppUse {
                name: r.app,
                last_seen_at: crate::clock::from_ms(r.last_seen_at),
                pages: r.pages,
            });
        }
        Ok(uses)
    }

    /// The trails of a user's active sessions used from several places.
    async fn trails(&self, user_id: i64) -> Result<HashMap<String, Vec<Place>>> {
        let backend = self.inner.db.get_database_backend();
        let mut p = Params::new(backend);
        let user = p.push(user_id);
        let sql = format!(
            "SELECT s.public_id, p.ip, p.country_code, p.first_seen_at, p.last_seen_at \
             FROM session_places p JOIN sessions s ON s.id = p.session_id \
             WHERE s.user_id = {user} AND s.ended_at IS NULL AND s.place_count > 1 \
             ORDER BY p.last_seen_at DESC, p.id DESC"
        );
        let statement = p.statement(sql);
        let rows = PlaceRow::find_by_statement(statement)
            .all(&self.inner.db)
            .await?;
        let mut trails: HashMap<String, Vec<Place>> = HashMap::new();
        for r in rows {
            let location = Location::from_parts(r.ip.parse().ok(), r.country_code.as_deref());
            trails.entry(r.public_id).or_default().push(Place {
                ip: r.ip,
                location,
                first_seen_at: crate::clock::from_ms(r.first_seen_at),
                last_seen_at: crate::clock::from_ms(r.last_seen_at),
            });
        }
        Ok(trails)
    }
}
