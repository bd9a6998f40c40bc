//! The sessions page's data, and the reads of it shared by an account's
//! open boards.
use crate::history::page::{HistoryCursor, HistoryPage};
use crate::model::{CurrentSession, Place, SessionView};
use std::collections::HashMap;
use std::sync::Arc;

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
    /// Until when (epoch milliseconds) the viewer's last proof holds: a
    /// live page knows the moment it must ask again.
    pub proof_until: i64,
    /// The trail of each active session used from more than one place, by
    /// public id, most recently used first.
    pub places: HashMap<String, Vec<Place>>,
    /// The account has a second factor (the callout says so).
    pub two_factor_on: bool,
    /// Failed sign-ins of the last [`crate::SHOWN_DAYS`] days, latest first.
    pub failed_sign_ins: Vec<crate::FailedSignIn>,
}

impl SessionsPage {
    /// Active sessions waiting for "Was this you?" that the viewer may
    /// answer, newest first: none when the viewer's own session waits.
    pub fn pending_sign_ins(&self, current: &CurrentSession) -> Vec<&SessionView> {
        let own_waits = self
            .active
            .iter()
            .any(|s| s.id == current.public_id && s.needs_review());
        if own_waits {
            return Vec::new();
        }
        let mut pending: Vec<&SessionView> = self
            .active
            .iter()
            .filter(|s| s.id != current.public_id && s.needs_review())
            .collect();
        pending.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        pending
    }
}

/// A cached account page: whose, which history page, after which change.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub user_id: i64,
    pub before: Option<HistoryCursor>,
    pub after: Option<HistoryCursor>,
    pub limit: u64,
    pub generation: u64,
    /// The store's clock, to the second: what expires by time alone
    /// (and a test's clock moved on) is never read from an older entry.
    pub second: i64,
}

/// The account's part of a page as written: active rows by row id (what
/// is pending is added per read) and the rest.
pub(crate) struct AccountPage {
    pub rows: Vec<(i64, crate::model::SessionView)>,
    pub page: SessionsPage,
}

/// Account pages read while the account has open boards.
pub(crate) type PageCache = moka::future::Cache<PageKey, Arc<AccountPage>>;

pub(crate) fn page_cache() -> PageCache {
    moka::future::Cache::builder()
        .max_capacity(256)
        .time_to_live(std::time::Duration::from_secs(1))
        .build()
}
