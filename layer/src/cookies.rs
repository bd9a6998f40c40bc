//! Signing in and out: the session cookie to set, and to clear.
use crate::SessionLayer;
use cookie::{Cookie, SameSite};
use http::HeaderValue;
use sessions::{CurrentSession, LoginStep, RequestFacts, SessionView, StoreError};
use std::time::Duration;

/// The session cookie's name and attributes: HttpOnly, SameSite=Lax,
/// Path=/, Secure on `https`, a `Domain` only when one was given, kept as
/// long as a session may live.
#[derive(Debug, Clone)]
pub struct SessionCookie {
    name: String,
    secure: bool,
    domain: Option<String>,
    max_age: Duration,
}

impl SessionCookie {
    pub(crate) fn new(
        name: String,
        secure: bool,
        domain: Option<String>,
        max_age: Duration,
    ) -> Self {
        Self {
            name,
            secure,
            domain,
            max_age,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn header(&self, value: &str, max_age: Duration) -> HeaderValue {
        let secs = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        let mut cookie = Cookie::build((self.name.as_str(), value))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(secs));
        if let Some(domain) = &self.domain {
            cookie = cookie.domain(domain.as_str());
        }
        let cookie = cookie.build();
        // A token is base64url and the builder checked the name: always valid.
        HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
    }

    /// `Set-Cookie` for a new session's token.
    pub fn set(&self, token: &sessions::SessionToken) -> HeaderValue {
        self.header(token.expose_secret(), self.max_age)
    }

    /// `Set-Cookie` that removes it.
    pub fn clear(&self) -> HeaderValue {
        self.header("", Duration::ZERO)
    }
}

/// What a sign-in came to.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: send `set_cookie` as the response's `Set-Cookie`.
    SignedIn {
        /// The new session's cookie.
        set_cookie: HeaderValue,
        /// The new session, as its card shows it.
        session: Box<SessionView>,
    },
    /// The account has a second factor: finish with the store's
    /// `complete_login` (Sessionboard's own pages do this).
    SecondFactor(sessions::PendingLogin),
    /// The account is at its session limit: one must be ended first
    /// (`room_choices` and `make_room` on the store).
    SessionLimit(sessions::PendingLogin),
}

impl SessionLayer {
    /// Checks `username` and `password` (with the store's throttling) and
    /// starts a session; `facts` come from the [`Facts`](crate::Facts)
    /// extractor.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        facts: &RequestFacts,
    ) -> Result<SignIn, StoreError> {
        Ok(match self.store().login(username, password, facts).await? {
            LoginStep::SignedIn(token, session) => SignIn::SignedIn {
                set_cookie: self.cookie().set(&token),
                session,
            },
            LoginStep::SecondFactor(pending) => SignIn::SecondFactor(pending),
            LoginStep::MakeRoom(pending) => SignIn::SessionLimit(pending),
        })
    }

    /// Ends `current` and returns the `Set-Cookie` that removes it.
    pub async fn sign_out(&self, current: &CurrentSession) -> Result<HeaderValue, StoreError> {
        self.store().log_out(current).await?;
        Ok(self.cookie().clear())
    }
}
