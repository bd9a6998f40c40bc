//! Figures for the operator's metrics: what the store counts as it goes
//! (authentication cache hits and misses: one relaxed atomic add on the
//! hot path, never a metrics-registry lookup there) and what it reads on
//! demand (active sessions, mail waiting). The web server exports them.
use crate::entity::{mail_outbox, session};
use crate::model::{AuthMethod, EndReason};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::atomic::Ordering;

pub(crate) mod counters;

/// A snapshot of the store's own counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreStats {
    /// Authentications answered by the cache.
    pub auth_cache_hits: u64,
    /// Authentications the cache could not answer (read from the database).
    pub auth_cache_misses: u64,
    /// Whether this server hears the others' session events (always true
    /// on SQLite, where there are no others).
    pub listener_up: bool,
}

impl SessionStore {
    /// The store's own counts.
    pub fn stats(&self) -> StoreStats {
        let c = &self.inner.counters;
        StoreStats {
            auth_cache_hits: c.auth_cache_hits.load(Ordering::Relaxed),
            auth_cache_misses: c.auth_cache_misses.load(Ordering::Relaxed),
            listener_up: self.inner.db.get_database_backend() != sea_orm::DbBackend::Postgres
                || self.is_listening(),
        }
    }

    pub(crate) fn count_cache(&self, hit: bool) {
        let c = &self.inner.counters;
        let counter = if hit {
            &c.auth_cache_hits
        } else {
            &c.auth_cache_misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Active sessions of every account (as written: ends by timeout
    /// count once pruning or a request notices them).
    pub async fn active_session_count(&self) -> Result<u64> {
        Ok(session::Entity::find()
            .filter(session::Column::EndedAt.is_null())
            .count(&self.inner.db)
            .await?)
    }

    /// Emails queued and neither sent nor given up.
    pub async fn mail_queue_depth(&self) -> Result<u64> {
        Ok(mail_outbox::Entity::find()
            .filter(mail_outbox::Column::SentAt.is_null())
            .filter(mail_outbox::Column::FailedAt.is_null())
            .count(&self.inner.db)
            .await?)
    }
}

/// Counts a sign-in refused at `step` (`password` or `second_factor`).
pub(crate) fn sign_in_refused(step: &'static str, e: &StoreError) {
    let result = match e {
        StoreError::InvalidCredentials | StoreError::WrongCode => "wrong_credentials",
        StoreError::RateLimited { .. } | StoreError::Busy { .. } => "rate_limited",
        StoreError::AccountLocked => "account_locked",
        StoreError::SecondFactorLocked => "second_factor_locked",
        StoreError::LoginExpired | StoreError::TooManyCodes => "expired",
        _ => "error",
    };
    metrics::counter!("sessionboard_sign_ins_total", "result" => result, "method" => step)
        .increment(1);
}

/// Counts a session started, by how it signed in.
pub(crate) fn sign_in_succeeded(method: AuthMethod) {
    let method = match method {
        AuthMethod::Password => "password",
        AuthMethod::PasswordAndAuthenticator => "password_and_authenticator",
        AuthMethod::PasswordAndRecoveryCode => "password_and_recovery_code",
        AuthMethod::ApiToken => "api_token",
    };
    metrics::counter!("sessionboard_sign_ins_total", "result" => "success", "method" => method)
        .increment(1);
}

/// Counts sessions ended, by why.
pub(crate) fn sessions_ended(reason: EndReason, n: usize) {
    use sea_orm::ActiveEnum;
    if n > 0 {
        metrics::counter!("sessionboard_session_ends_total", "reason" => reason.to_value())
            .increment(n as u64);
    }
}
