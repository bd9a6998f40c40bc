//! The second step of a login: the half-done login a right password
//! leaves for an account with a second factor, and its completion.
use crate::entity::{pending_login, user};
use crate::failed_sign_ins::FailedStep;
use crate::model::{AuthMethod, RequestFacts, SessionView};
use crate::secret::{SessionToken, TokenDigest};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::fmt;

/// How long the second step may take.
pub(crate) const PENDING_TTL_MS: i64 = 5 * 60_000;
/// Codes one half-done login may try.
pub const CODES_PER_LOGIN: i32 = 5;

/// What a right password leads to.
#[derive(Debug)]
pub enum LoginStep {
    /// Signed in: the session's token (for the cookie) and its view.
    SignedIn(SessionToken, Box<SessionView>),
    /// The account has a second factor: the browser keeps this and
    /// completes the login with a code ([`SessionStore::complete_login`]).
    SecondFactor(PendingLogin),
    /// Every factor is given but the account is at its session limit: the
    /// browser keeps this while its person chooses a session to end
    /// ([`SessionStore::make_room`]).
    MakeRoom(PendingLogin),
}

impl LoginStep {
    /// The session, when signed in already.
    pub fn into_session(self) -> Option<(SessionToken, SessionView)> {
        match self {
            LoginStep::SignedIn(token, view) => Some((token, *view)),
            LoginStep::SecondFactor(_) | LoginStep::MakeRoom(_) => None,
        }
    }
}

/// The browser's half of a half-done login (the store keeps its hash):
/// good for five minutes, once.
pub struct PendingLogin(SessionToken);

impl PendingLogin {
    /// The token text, for its cookie and nothing else.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingLogin(<redacted>)")
    }
}

impl SessionStore {
    /// Records a login whose password was right, waiting for the code.
    /// `verified`: every factor is given already (how), and the login
    /// waits only for room.
    pub(crate) async fn begin_pending_login(
        &self,
        account: &user::Model,
        verified: Option<AuthMethod>,
    ) -> Result<PendingLogin> {
        let token = SessionToken::generate();
        let now = self.now_ms();
        pending_login::ActiveModel {
            token_hash: Set(token.digest()),
            user_id: Set(account.id),
            created_at: Set(now),
            expires_at: Set(now + PENDING_TTL_MS),
            used_at: Set(None),
            password_changed_at: Set(account.password_changed_at),
            verified_method: Set(verified),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        // Old ones are useless: keep the table small.
        pending_login::Entity::delete_many()
            .filter(pending_login::Column::ExpiresAt.lt(now - PENDING_TTL_MS))
            .exec(&self.inner.db)
            .await?;
        Ok(PendingLogin(token))
    }

    /// Whether `pending` (the browser's token) is a half-done login that
    /// can still be completed.
    pub async fn pending_login_open(&self, pending: &str) -> Result<bool> {
        Ok(self.open_pending(pending).await?.is_some())
    }

    pub(crate) async fn open_pending(&self, pending: &str) -> Result<Option<pending_login::Model>> {
        let Some(digest) = TokenDigest::of_cookie(pending) else {
            return Ok(None);
        };
        Ok(pending_login::Entity::find()
            .filter(pending_login::Column::TokenHash.eq(digest))
            .filter(pending_login::Column::UsedAt.is_null())
            .filter(pending_login::Column::ExpiresAt.gt(self.now_ms()))
            .one(&self.inner.db)
            .await?)
    }

    /// Completes a half-done login with a TOTP code or a recovery code,
    /// within the attempt limits: the session is created now, once,
    /// recording how it was authenticated. A wrong code leaves the login
    /// open for [`CODES_PER_LOGIN`] tries in all; the last wrong one ends it
    /// ([`StoreError::TooManyCodes`]: the password step starts again), and
    /// every wrong one is a failed sign-in the owner sees (and is mailed
    /// about). An expired, used or unknown login is
    /// [`StoreError::LoginExpired`].
    pub async fn complete_login(
        &self,
        pending: &str,
        typed_code: &str,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let done = self.code_login(pending, typed_code, facts).await;
        if let Err(e) = &done {
            crate::stats::sign_in_refused("second_factor", e);
        }
        done
    }

    async fn code_login(
        &self,
        pending: &str,
        typed_code: &str,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let row = self
            .open_pending(pending)
            .await?
            .ok_or(StoreError::LoginExpired)?;
        // One of its tries, taken before the code is looked at: parallel
        // tries cannot all pass a count made before any of them failed.
        let now = self.now_ms();
        let taken = pending_login::Entity::update_many()
            .col_expr(
                pending_login::Column::Failures,
                Expr::col(pending_login::Column::Failures).add(1),
            )
            .filter(pending_login::Column::Id.eq(row.id))
            .filter(pending_login::Column::UsedAt.is_null())
            .filter(pending_login::Column::ExpiresAt.gt(now))
            .filter(pending_login::Column::Failures.lt(CODES_PER_LOGIN))
            .exec_with_returning(&self.inner.db)
            .await?;
        let Some(tried) = taken.into_iter().next() else {
            return Err(if row.failures >= CODES_PER_LOGIN {
                StoreError::TooManyCodes
            } else {
                StoreError::LoginExpired
            });
        };
        let method = match self
            .check_second_factor(row.user_id, typed_code, facts.ip)
            .await
        {
            Ok(method) => method,
            Err(StoreError::WrongCode) => {
                let owner = super::account(&self.inner.db, row.user_id).await?;
                self.record_failed_sign_in(&owner, facts, FailedStep::Code)
                    .await?;
                return Err(if tried.failures >= CODES_PER_LOGIN {
                    StoreError::TooManyCodes
                } else {
                    StoreError::WrongCode
                });
            }
            Err(e) => {
                // Not checked (limited, locked, unavailable): not a try.
                pending_login::Entity::update_many()
                    .col_expr(
                        pending_login::Column::Failures,
                        Expr::col(pending_login::Column::Failures).sub(1),
                    )
                    .filter(pending_login::Column::Id.eq(row.id))
                    .exec(&self.inner.db)
                    .await?;
                return Err(e);
            }
        };
        // The code was right: at the session limit the login then waits
        // only for room.
        self.complete_pending(&row, method, facts, None).await
    }
}
