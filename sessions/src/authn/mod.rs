//! Authentication: which active session a cookie value belongs to, from
//! the per-thread cache when it can answer, otherwise from the database.
pub(crate) mod cache;
pub(crate) mod recently_ended;
pub(crate) mod usernames;

use crate::Result;
use crate::clock::from_ms;
use crate::entity::{session, user};
use crate::model::{CurrentSession, EndReason};
use crate::secret::TokenDigest;
use crate::store::SessionStore;
use cache::CachedAuth;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use std::sync::Arc;

/// The columns of an active session that authenticating reads.
#[derive(FromQueryResult)]
struct AuthRow {
    id: i64,
    public_id: String,
    user_id: i64,
    created_at: i64,
    last_seen_at: i64,
    auth_method: crate::model::AuthMethod,
    token_scope: Option<crate::model::TokenScope>,
    expires_at: Option<i64>,
}

/// An active session as read from the database.
pub(crate) struct Found {
    current: CurrentSession,
    created_at: i64,
    last_seen_at: i64,
    expires_at: Option<i64>,
}

impl SessionStore {
    /// The active session a cookie value belongs to, or `None`. Unknown,
    /// malformed and ended tokens are `None`; a session past its idle
    /// timeout or absolute lifetime is ended with reason `expired` here.
    pub async fn authenticate(&self, token: &str) -> Result<Option<CurrentSession>> {
        match TokenDigest::of_cookie(token) {
            Some(digest) => self.authenticate_digest(digest).await,
            None => Ok(None),
        }
    }

    /// [`authenticate`](Self::authenticate) by the cookie's digest, for a
    /// caller that already has it ([`TokenDigest::of_cookie`]).
    pub async fn authenticate_digest(&self, digest: TokenDigest) -> Result<Option<CurrentSession>> {
        if let Some(hit) = self.authenticate_cached_digest(&digest) {
            return Ok(Some(CurrentSession::clone(&hit)));
        }
        Ok(self
            .read_session(digest)
            .await?
            .map(|found| self.admit(digest, found)))
    }

    /// [`authenticate`](Self::authenticate) when the authentication cache
    /// can answer without the database: `Some` for a cached session that is
    /// still valid, `None` when `authenticate` has to decide. Synchronous,
    /// so that a per-request layer needs no future of its own on a hit.
    pub fn authenticate_cached(&self, token: &str) -> Option<Arc<CurrentSession>> {
        // A value without a token's exact shape is never hashed.
        self.authenticate_cached_digest(&TokenDigest::of_cookie(token)?)
    }

    /// [`authenticate_cached`](Self::authenticate_cached) by the cookie's
    /// digest (the per-request layer hashes the cookie once for both
    /// paths): a cached authentication that is still valid, not ended
    /// since and within its timeouts (otherwise the database path decides
    /// and ends it).
    pub fn authenticate_cached_digest(&self, digest: &TokenDigest) -> Option<Arc<CurrentSession>> {
        let now = self.now_ms();
        let cache = self.inner.auth_cache.as_ref()?;
        // The cached last activity may lag the buffered one: an entry that
        // looks expired goes to the database path, which counts both.
        let hit = cache
            .get(digest, now)
            .filter(|hit| now < self.expiry(hit.created_at, hit.last_seen_at, hit.expires_at))
            .map(|hit| hit.current);
        self.count_cache(hit.is_some());
        hit
    }

    /// Reads the session of `digest`: `None` unless active and within its
    /// timeouts (an expired one is ended here).
    pub(crate) async fn read_session(&self, digest: TokenDigest) -> Result<Option<Found>> {
        let consistent = self.inner.flush_lock.read().await;
        // Only what a request needs, not the whole row (with the user
        // agent): every uncached request pays for reading and mapping it.
        let found = session::Entity::find()
            .select_only()
            .columns([
                session::Column::Id,
                session::Column::PublicId,
                session::Column::UserId,
                session::Column::CreatedAt,
                session::Column::LastSeenAt,
                session::Column::AuthMethod,
                session::Column::TokenScope,
                session::Column::ExpiresAt,
            ])
            .filter(session::Column::TokenHash.eq(digest))
            .filter(session::Column::EndedAt.is_null())
            .into_model::<AuthRow>()
            .one(&self.inner.db)
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        let pending_seen = self.inner.activity.last_seen(row.id);
        drop(consistent);
        let last_seen = std::cmp::max(row.last_seen_at, pending_seen.unwrap_or(0));
        let expires_at = self.expiry(row.created_at, last_seen, row.expires_at);
        if self.now_ms() >= expires_at {
            self.end_one(row.id, EndReason::Expired, expires_at).await?;
            return Ok(None);
        }
        let Some(username) = self.username(row.user_id).await? else {
            return Ok(None);
        };
        Ok(Some(Found {
            current: CurrentSession {
                row_id: row.id,
                public_id: row.public_id,
                user_id: row.user_id,
                username,
                created_at: from_ms(row.created_at),
                auth_method: row.auth_method,
                scope: row.token_scope,
            },
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            expires_at: row.expires_at,
        }))
    }

    /// Why the session of `digest` ended, if it did (`None`: unknown, or
    /// still active). A page whose stream reconnects after its session
    /// ended learns why from this, rather than guessing.
    pub async fn end_reason(&self, digest: TokenDigest) -> Result<Option<EndReason>> {
        let found: Option<Option<EndReason>> = session::Entity::find()
            .select_only()
            .column(session::Column::EndReason)
            .filter(session::Column::TokenHash.eq(digest))
            .filter(session::Column::EndedAt.is_not_null())
            .into_tuple()
            .one(&self.inner.db)
            .await?;
        Ok(found.flatten())
    }

    /// The username of account `user_id` (`None`: no such account).
    async fn username(&self, user_id: i64) -> Result<Option<String>> {
        if let Some(name) = self.inner.usernames.get(user_id) {
            return Ok(Some(name));
        }
        let name: Option<String> = user::Entity::find_by_id(user_id)
            .select_only()
            .column(user::Column::Username)
            .into_tuple()
            .one(&self.inner.db)
            .await?;
        if let Some(name) = &name {
            self.inner.usernames.remember(user_id, name);
        }
        Ok(name)
    }

    /// Hands out a session read from the database, caching it unless it
    /// ended since the read.
    pub(crate) fn admit(&self, digest: TokenDigest, found: Found) -> CurrentSession {
        if let Some(cache) = &self.inner.auth_cache {
            let auth = CachedAuth {
                current: Arc::new(found.current.clone()),
                created_at: found.created_at,
                last_seen_at: found.last_seen_at,
                expires_at: found.expires_at,
            };
            let id = &found.current.public_id;
            cache.insert(digest, auth, self.now_ms(), || {
                self.inner.recently_ended.contains(id)
            });
        }
        found.current
    }

    /// When a session with these times expires: an API token at the
    /// expiry it was given, a browser's session at the earlier of its idle
    /// and absolute deadlines.
    pub(crate) fn expiry(
        &self,
        created_at: i64,
        last_seen_at: i64,
        expires_at: Option<i64>,
    ) -> i64 {
        if let Some(at) = expires_at {
            return at;
        }
        let c = &self.inner.config;
        std::cmp::min(
            last_seen_at.saturating_add(crate::config::ms(c.idle_timeout)),
            created_at.saturating_add(crate::config::ms(c.max_age)),
        )
    }
}

#[cfg(test)]
mod tests;
