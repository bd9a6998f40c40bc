//! Logging in: password attempts within the limits, and starting a fresh
//! session only while the password it was verified against still holds.
use crate::accounts::{MAX_PASSWORD_BYTES, MAX_USERNAME_BYTES, username_key};
use crate::activity::immediate;
use crate::agent::truncate_user_agent;
use crate::client_ip::canonical;
use crate::entity::{session, user};
use crate::events::SessionEvent;
use crate::failed_sign_ins::FailedStep;
use crate::mail::{SignInFacts, new_sign_in_alert};
use crate::model::{AuthMethod, RequestFacts, SessionView, User};
use crate::review::{Marks, marks};
use crate::secret::{PasswordHash, SessionToken};
use crate::store::SessionStore;
use crate::two_factor::LoginStep;
use crate::{Result, StoreError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait};
use std::net::IpAddr;

/// What a new session rests on, checked again when it is created.
pub(crate) enum Proof<'a> {
    /// An account just created (no password check to go stale).
    Registered,
    /// The hash the password was verified against.
    PasswordHash(&'a PasswordHash),
    /// The account's password change time when the password was checked
    /// (the second step of a login).
    PasswordSince(i64),
}

impl SessionStore {
    /// Checks a username and password, within the password-attempt limits.
    pub async fn verify_login(&self, username: &str, password: &str, ip: IpAddr) -> Result<User> {
        let facts = RequestFacts {
            user_agent: String::new(),
            ip,
            app: None,
        };
        self.verify(username, password, &facts).await.map(|u| User {
            id: u.id,
            username: u.username,
        })
    }

    /// The account (with the hash the password was verified against). A
    /// wrong password for an existing account is a failed sign-in its
    /// owner sees; what was typed is never kept, and a username that
    /// matched no account is logged only as a keyed pseudonym.
    async fn verify(
        &self,
        username: &str,
        password: &str,
        facts: &RequestFacts,
    ) -> Result<user::Model> {
        let ip = facts.ip;
        if username.len() > MAX_USERNAME_BYTES || password.len() > MAX_PASSWORD_BYTES {
            return Err(StoreError::InvalidCredentials);
        }
        let now = self.reserve_network_logged(ip).await?;
        let found = match user::Entity::find()
            .filter(user::Column::UsernameKey.eq(username_key(username)))
            .one(&self.inner.db)
            .await
        {
            Ok(found) => found,
            Err(e) => {
                self.give_back(None, ip).await;
                return Err(e.into());
            }
        };
        if self.attempt(found.as_ref(), password, ip, now).await?
            && let Some(u) = found
        {
            tracing::info!(target: "audit", user = %u.username, %ip, "password accepted");
            return Ok(u);
        }
        match &found {
            Some(u) => {
                tracing::info!(target: "audit", user = %u.username, %ip, "login failed");
                self.record_failed_sign_in(u, facts, FailedStep::Password)
                    .await?;
            }
            None => {
                let who = self.secret_key().log_pseudonym(&username_key(username));
                tracing::info!(target: "audit", unknown_user = %who, %ip, "login failed");
            }
        }
        Err(StoreError::InvalidCredentials)
    }

    /// Checks the password of an account that is signed in (a password
    /// change, a re-authentication), within the same limits. Returns the
    /// hash it matched.
    pub(crate) async fn check_password(
        &self,
        user_id: i64,
        password: &str,
        ip: IpAddr,
    ) -> Result<PasswordHash> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(StoreError::WrongPassword);
        }
        let now = self.reserve_network_logged(ip).await?;
        let found = match user::Entity::find_by_id(user_id).one(&self.inner.db).await {
            Ok(found) => found,
            Err(e) => {
                self.give_back(None, ip).await;
                return Err(e.into());
            }
        };
        let Some(account) = found else {
            self.give_back(None, ip).await;
            return Err(StoreError::UserNotFound);
        };
        if self.attempt(Some(&account), password, ip, now).await? {
            return Ok(account.password_hash);
        }
        tracing::info!(target: "audit", user = %account.username, %ip, "password check failed");
        Err(StoreError::WrongPassword)
    }

    /// The first reservation of every attempt, before any database read;
    /// returns the time it was made at.
    async fn reserve_network_logged(&self, ip: IpAddr) -> Result<i64> {
        let now = self.now_ms();
        self.reserve_network(ip, now).await.inspect_err(|e| {
            if let StoreError::RateLimited { retry_after_secs } = e {
                tracing::warn!(target: "audit", %ip, retry_after_secs, "password attempts locked out (network)");
            }
        })?;
        Ok(now)
    }

    /// One password attempt on `account` (`None`: no such user, checked
    /// against a dummy hash) after [`reserve_network_logged`](Self::reserve_network_logged).
    /// Failures keep their reservations; anything that never reached
    /// Argon2 gives them back.
    async fn attempt(
        &self,
        account: Option<&user::Model>,
        password: &str,
        ip: IpAddr,
        now: i64,
    ) -> Result<bool> {
        let id = account.map(|u| u.id);
        if let Some(u) = account
            && let Err(e) = self.reserve_account(u.id, ip, now).await
        {
            self.give_back(None, ip).await;
            if let StoreError::RateLimited { retry_after_secs } = &e {
                tracing::warn!(target: "audit", user = %u.username, %ip, retry_after_secs, "password attempts locked out (account)");
            }
            return Err(e);
        }
        let hash = account.map(|u| u.password_hash.clone());
        let ok = match self.inner.passwords.verify(hash, password).await {
            Ok(ok) => ok,
            Err(e) => {
                self.give_back(id, ip).await;
                return Err(e);
            }
        };
        if let (true, Some(id)) = (ok, id) {
            self.give_back(Some(id), ip).await;
        }
        Ok(ok)
    }

    /// Logs in: checks the password and starts a fresh session (a new token
    /// every time, so a token planted before login is never promoted). The
    /// session is created only if the password has not changed since it
    /// was checked. An account with a second factor gets a
    /// [`LoginStep::SecondFactor`] instead, and no session yet.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        facts: &RequestFacts,
    ) -> Result<LoginStep> {
        let step = self.password_login(username, password, facts).await;
        if let Err(e) = &step {
            crate::stats::sign_in_refused("password", e);
        }
        step
    }

    async fn password_login(
        &self,
        username: &str,
        password: &str,
        facts: &RequestFacts,
    ) -> Result<LoginStep> {
        let account = self.verify(username, password, facts).await?;
        if account.locked_at.is_some() {
            return Err(StoreError::AccountLocked);
        }
        if account.totp_enabled_at.is_some() {
            let pending = self.begin_pending_login(&account, None).await?;
            return Ok(LoginStep::SecondFactor(pending));
        }
        let proof = Proof::PasswordHash(&account.password_hash);
        let method = AuthMethod::Password;
        match self
            .insert_session(account.id, proof, facts, method, None)
            .await
        {
            Ok((token, view)) => Ok(LoginStep::SignedIn(token, Box::new(view))),
            Err(StoreError::SessionLimit) => {
                let pending = self.begin_pending_login(&account, Some(method)).await?;
                Ok(LoginStep::MakeRoom(pending))
            }
            Err(e) => Err(e),
        }
    }

    /// Starts a session for `user_id` (just registered, say). Returns the
    /// token, which exists nowhere else from now on, and the public view.
    pub async fn start_session(
        &self,
        user_id: i64,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        self.insert_session(
            user_id,
            Proof::Registered,
            facts,
            AuthMethod::Password,
            None,
        )
        .await
    }

    pub(crate) async fn insert_session(
        &self,
        user_id: i64,
        proof: Proof<'_>,
        facts: &RequestFacts,
        method: AuthMethod,
        room: Option<&str>,
    ) -> Result<(SessionToken, SessionView)> {
        let token = SessionToken::generate();
        let ua = truncate_user_agent(&facts.user_agent);
        let info = self.inner.agents.classify(ua).await;
        let ip = canonical(facts.ip);
        let country = self.country_of(ip);
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        // Locks the account row against a concurrent password change, which
        // either committed before (then the hash differs here) or waits for
        // this session to exist (then it signs it out with the others).
        let limit = self.inner.config.max_sessions_per_account;
        let owner = user::Entity::find_by_id(user_id);
        // With a session limit, sign-ins of one account take turns: each
        // counts what the one before it added.
        let owner = if limit.is_some() {
            owner.lock_exclusive()
        } else {
            owner.lock_shared()
        };
        let owner = owner.one(&txn).await?.ok_or(StoreError::UserNotFound)?;
        let stale = match proof {
            Proof::Registered => false,
            Proof::PasswordHash(verified) => *verified != owner.password_hash,
            Proof::PasswordSince(at) => at != owner.password_changed_at,
        };
        if stale {
            return Err(StoreError::InvalidCredentials);
        }
        if owner.locked_at.is_some() {
            return Err(StoreError::AccountLocked);
        }
        let made_room = self.within_limit(&txn, user_id, limit, room, now).await?;
        let device = (
            info.device_type,
            info.platform.as_str(),
            info.browser_name.as_str(),
        );
        let marks = marks(&txn, user_id, device, country.as_deref()).await?;
        let mut row = session::new_row(token.digest(), user_id, now, ua, &info, ip, country);
        row.new_device = Set(marks.new_device);
        row.new_location = Set(marks.new_location);
        row.auth_method = Set(method);
        row.started_app = Set(facts.app.clone());
        row.authenticated_at = Set(Some(now));
        let row = session::insert_new(&txn, row).await?;
        let alerted = self
            .alert_by_mail(&txn, &owner, &row, marks, method)
            .await?;
        txn.commit().await?;
        self.announce_ended(&made_room, crate::model::EndReason::MadeRoom);
        if alerted {
            self.inner.mail_waiting.notify_one();
        }
        // This session's first authentication here needs no second read.
        self.inner.usernames.remember(user_id, &owner.username);
        let view = SessionView::from(row);
        crate::stats::sign_in_succeeded(method);
        tracing::info!(target: "audit", user = %owner.username, session = %view.id, %ip, new_device = marks.new_device, new_location = marks.new_location, "session started");
        self.publish(SessionEvent::Started {
            user_id,
            session_id: view.id.clone(),
        });
        Ok((token, view))
    }

    /// Queues the email alert of a sign-in that needs review (marked new,
    /// or made with a recovery code: the rule of [`crate::review`]), when
    /// email is on and the account's address is verified. Whether one was
    /// queued.
    async fn alert_by_mail<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        owner: &user::Model,
        row: &session::Model,
        marks: Marks,
        method: AuthMethod,
    ) -> Result<bool> {
        let config = &self.inner.config.mail;
        let Some(to) = crate::mail::verified_address(owner) else {
            return Ok(false);
        };
        let review =
            crate::review_rule::is_marked(marks.new_device, marks.new_location, false, method);
        if !config.enabled || !review {
            return Ok(false);
        }
        let view = SessionView::from(row);
        let facts = SignInFacts {
            username: owner.username.clone(),
            device_type: row.device_type,
            platform: row.platform.clone(),
            browser: view.browser(),
            ip: row.login_ip.clone(),
            country_code: row.login_country_code.clone(),
            at_ms: row.created_at,
            new_device: marks.new_device,
            new_location: marks.new_location,
            recovery_code: method == AuthMethod::PasswordAndRecoveryCode,
            app: row.started_app.clone(),
        };
        new_sign_in_alert(conn, config, owner.id, to, facts).await
    }
}
