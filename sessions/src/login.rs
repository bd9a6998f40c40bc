//! Logging in: checking a username and password within the failed-login
//! limits, and starting a fresh session.
use crate::accounts::{blocking, username_key};
use crate::agent::truncate_user_agent;
use crate::client_ip::canonical;
use crate::entity::{session, user};
use crate::events::SessionEvent;
use crate::model::{RequestFacts, SessionView, User};
use crate::secret::{PasswordHash, SessionToken, new_public_id};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::net::IpAddr;
use std::sync::OnceLock;

/// A hash to verify against when the username is unknown, so that both
/// answers take the same time.
fn dummy_hash() -> &'static PasswordHash {
    static HASH: OnceLock<PasswordHash> = OnceLock::new();
    HASH.get_or_init(|| PasswordHash::create("not a real password").expect("argon2 works"))
}

impl SessionStore {
    /// Checks a username and password, within the failed-login limits.
    pub async fn verify_login(&self, username: &str, password: &str, ip: IpAddr) -> Result<User> {
        let key = username_key(username);
        let throttle = &self.inner.throttle;
        throttle
            .check(&key, ip, self.now_ms())
            .map_err(|retry_after_secs| StoreError::RateLimited { retry_after_secs })?;
        let found = user::Entity::find()
            .filter(user::Column::UsernameKey.eq(key.clone()))
            .one(&self.inner.db)
            .await?;
        let hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().clone());
        let password = password.to_owned();
        let ok = blocking(move || hash.verify(&password)).await?;
        match found {
            Some(u) if ok => {
                throttle.record_success(&key);
                Ok(User {
                    id: u.id,
                    username: u.username,
                })
            }
            _ => {
                throttle.record_failure(&key, ip, self.now_ms());
                Err(StoreError::InvalidCredentials)
            }
        }
    }

    /// Logs in: checks the password and starts a fresh session (a new token
    /// every time, so a token planted before login is never promoted).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let user = self.verify_login(username, password, facts.ip).await?;
        self.start_session(user.id, facts).await
    }

    /// Starts a session for `user_id`. Returns the token, which exists
    /// nowhere else from now on, and the session's public view.
    pub async fn start_session(
        &self,
        user_id: i64,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let token = SessionToken::generate();
        let ua = truncate_user_agent(&facts.user_agent);
        let info = self.inner.agents.classify(ua);
        let ip = canonical(facts.ip);
        let country = self.country_of(ip);
        let now = self.now_ms();
        let row = session::ActiveModel {
            public_id: Set(new_public_id()),
            token_hash: Set(token.digest()),
            user_id: Set(user_id),
            created_at: Set(now),
            last_seen_at: Set(now),
            user_agent: Set(ua.to_owned()),
            device_type: Set(info.device_type),
            platform: Set(info.platform.clone()),
            browser_name: Set(info.browser_name.clone()),
            browser_version: Set(info.browser_version.clone()),
            login_ip: Set(ip.to_string()),
            login_country_code: Set(country.clone()),
            last_ip: Set(ip.to_string()),
            last_country_code: Set(country),
            pages_visited: Set(0),
            ended_at: Set(None),
            end_reason: Set(None),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        let view = SessionView::from(&row);
        self.inner.events.publish(SessionEvent::Started {
            user_id,
            session: Box::new(view.clone()),
        });
        Ok((token, view))
    }
}
