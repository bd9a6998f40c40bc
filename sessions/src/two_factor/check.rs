//! Checking a second factor, within three bounds: the attempt limits every
//! password shares (per account and network, per account, per network),
//! and a count of wrong codes in a row per account, kept in the database so
//! that every server and every restart sees the same count. After a few
//! free tries each further code waits a growing cooldown, and after
//! [`MAX_FAILURES`] no code is checked at all (NIST SP 800-63B 5.2.2) until
//! an operator unlocks it; a right code resets the count.
use super::account;
use super::code;
use crate::entity::{recovery_code, user};
use crate::model::AuthMethod;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use std::net::IpAddr;

/// Wrong codes in a row checked without a cooldown.
pub(crate) const FREE_FAILURES: i32 = 5;
/// Wrong codes in a row after which no code is checked any more.
pub(crate) const MAX_FAILURES: i32 = 100;

/// How long after the last of `failures` wrong codes in a row the next one
/// may be checked: nothing for the first few, then 30 s doubling up to an
/// hour. Reaching [`MAX_FAILURES`] takes days, and every wrong code is
/// shown to the owner.
pub(crate) fn cooldown_ms(failures: i32) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = Ord::min(failures - FREE_FAILURES, 20) as u32;
    Ord::min(30_000i64 << doublings, 3_600_000)
}

/// The state of an account's second factor after wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeLock {
    /// Codes are checked.
    Open,
    /// The next code is checked from this time (epoch milliseconds).
    CoolingDown {
        /// When the cooldown ends.
        until_ms: i64,
    },
    /// Too many wrong codes in a row: none is checked until an operator
    /// unlocks the account.
    Locked,
}

/// The lock state of an account with `failures` wrong codes in a row, the
/// last at `failed_at`, at `now`.
pub(crate) fn code_lock(failures: i32, failed_at: Option<i64>, now: i64) -> CodeLock {
    if failures >= MAX_FAILURES {
        return CodeLock::Locked;
    }
    let until = failed_at.unwrap_or(i64::MIN / 2) + cooldown_ms(failures);
    if until > now {
        CodeLock::CoolingDown { until_ms: until }
    } else {
        CodeLock::Open
    }
}

impl SessionStore {
    /// Checks a second factor of `user_id`'s account (a TOTP code, good
    /// once, or a recovery code, used up) within the attempt limits and the
    /// account's count of wrong codes in a row. Returns which it was.
    pub(crate) async fn check_second_factor(
        &self,
        user_id: i64,
        typed: &str,
        ip: IpAddr,
    ) -> Result<AuthMethod> {
        let now = self.now_ms();
        self.reserve_network(ip, now).await?;
        if let Err(e) = self.reserve_account(user_id, ip, now).await {
            self.give_back(None, ip).await;
            tracing::warn!(target: "audit", user_id, %ip, "second-factor attempts locked out");
            return Err(e);
        }
        if let Err(e) = self.count_code_attempt(user_id, now).await {
            self.give_back(Some(user_id), ip).await;
            tracing::warn!(target: "audit", user_id, %ip, error = %e, "second-factor code not checked");
            return Err(e);
        }
        let checked = self.second_factor(user_id, typed).await;
        match &checked {
            Ok(_) => {
                self.give_back(Some(user_id), ip).await;
                self.set_code_failures(user_id, Expr::value(0)).await?;
            }
            Err(StoreError::WrongCode) => {
                tracing::info!(target: "audit", user_id, %ip, "second factor refused");
            }
            // Never reached a verdict: give the attempt back.
            Err(_) => {
                self.give_back(Some(user_id), ip).await;
                let back = Expr::col(user::Column::SecondFactorFailures).sub(1);
                self.set_code_failures(user_id, back).await?;
            }
        }
        checked
    }

    /// Counts one code attempt on the account unless it is cooling down or
    /// locked. Compare-and-swap on the count, so that parallel attempts
    /// cannot all start from the same count.
    async fn count_code_attempt(&self, user_id: i64, now: i64) -> Result<()> {
        for _ in 0..8 {
            let a = account(&self.inner.db, user_id).await?;
            let (failures, at) = (a.second_factor_failures, a.second_factor_failed_at);
            match code_lock(failures, at, now) {
                CodeLock::Locked => return Err(StoreError::SecondFactorLocked),
                CodeLock::CoolingDown { until_ms } => {
                    let secs = Ord::max(((until_ms - now) as u64).div_ceil(1000), 1);
                    return Err(StoreError::RateLimited {
                        retry_after_secs: secs,
                    });
                }
                CodeLock::Open => {}
            }
            let counted = user::Entity::update_many()
                .col_expr(
                    user::Column::SecondFactorFailures,
                    Expr::value(failures + 1),
                )
                .col_expr(user::Column::SecondFactorFailedAt, Expr::value(now))
                .filter(user::Column::Id.eq(user_id))
                .filter(user::Column::SecondFactorFailures.eq(failures))
                .exec(&self.inner.db)
                .await?;
            if counted.rows_affected == 1 {
                if failures + 1 == MAX_FAILURES {
                    tracing::warn!(target: "audit", user_id, "second factor locked after too many wrong codes");
                }
                return Ok(());
            }
        }
        // Others keep changing the count: this attempt is one too many.
        Err(StoreError::RateLimited {
            retry_after_secs: 1,
        })
    }

    async fn set_code_failures(&self, user_id: i64, to: Expr) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::SecondFactorFailures, to)
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::SecondFactorFailures.gt(0))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    /// The account's second factor after wrong codes (for the owner's page).
    pub async fn code_lock(&self, user_id: i64) -> Result<CodeLock> {
        let a = account(&self.inner.db, user_id).await?;
        Ok(code_lock(
            a.second_factor_failures,
            a.second_factor_failed_at,
            self.now_ms(),
        ))
    }

    /// Lets codes be checked again on `username`'s account after it was
    /// locked by wrong codes (an operator's command). Whether it existed.
    pub async fn unlock_second_factor(&self, username: &str) -> Result<bool> {
        let key = crate::accounts::username_key(username);
        let done = user::Entity::update_many()
            .col_expr(user::Column::SecondFactorFailures, Expr::value(0))
            .filter(user::Column::UsernameKey.eq(key))
            .exec(&self.inner.db)
            .await?;
        if done.rows_affected == 1 {
            tracing::warn!(target: "audit", user = %username, "second factor unlocked by an operator");
        }
        Ok(done.rows_affected == 1)
    }

    /// The verdict on one code, with no limits: a TOTP code of a later time
    /// step than the last accepted, or an unused recovery code.
    async fn second_factor(&self, user_id: i64, typed: &str) -> Result<AuthMethod> {
        let a = account(&self.inner.db, user_id).await?;
        let Some(sealed) = a.totp_secret_enc.filter(|_| a.totp_enabled_at.is_some()) else {
            return Err(StoreError::WrongCode);
        };
        if let Some(digits) = code::totp_code(typed) {
            let secret = self
                .keyring()
                .open(a.id, &sealed)
                .ok_or(StoreError::SecretUnreadable)?;
            let totp = code::totp(secret, &a.username).ok_or(StoreError::SecretUnreadable)?;
            let step = totp
                .check(&digits, self.now_secs())
                .ok_or(StoreError::WrongCode)? as i64;
            // Later steps only: the check and the write are one statement.
            let fresh = Condition::any()
                .add(user::Column::TotpLastStep.is_null())
                .add(user::Column::TotpLastStep.lt(step));
            let taken = user::Entity::update_many()
                .col_expr(user::Column::TotpLastStep, Expr::value(step))
                .filter(user::Column::Id.eq(a.id))
                .filter(fresh)
                .exec(&self.inner.db)
                .await?;
            return if taken.rows_affected == 1 {
                Ok(AuthMethod::PasswordAndAuthenticator)
            } else {
                Err(StoreError::WrongCode)
            };
        }
        let normal = code::recovery_code(typed).ok_or(StoreError::WrongCode)?;
        let used = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(self.now_ms()))
            .filter(recovery_code::Column::UserId.eq(a.id))
            .filter(recovery_code::Column::CodeHash.is_in(self.recovery_hashes(a.id, &normal)))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&self.inner.db)
            .await?;
        if used.rows_affected == 1 {
            tracing::warn!(target: "audit", user = %a.username, "recovery code used");
            Ok(AuthMethod::PasswordAndRecoveryCode)
        } else {
            Err(StoreError::WrongCode)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cooldown_grows_and_the_lock_holds() {
        assert_eq!(cooldown_ms(0), 0);
        assert_eq!(cooldown_ms(FREE_FAILURES - 1), 0);
        assert_eq!(cooldown_ms(FREE_FAILURES), 30_000);
        assert_eq!(cooldown_ms(FREE_FAILURES + 1), 60_000);
        assert_eq!(cooldown_ms(60), 3_600_000);
        assert_eq!(code_lock(4, Some(0), 0), CodeLock::Open);
        assert_eq!(
            code_lock(5, Some(1_000), 2_000),
            CodeLock::CoolingDown { until_ms: 31_000 }
        );
        assert_eq!(code_lock(5, Some(1_000), 31_000), CodeLock::Open);
        assert_eq!(
            code_lock(MAX_FAILURES, Some(0), i64::MAX / 4),
            CodeLock::Locked
        );
        // Burning every try takes days, not minutes.
        let total: i64 = (0..MAX_FAILURES).map(cooldown_ms).sum();
        assert!(total > 3 * 24 * 3_600_000, "{total}");
    }
}
