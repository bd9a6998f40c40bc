//! The one error type of the web app: what a user may see, never a raw
//! database error. It travels as JSON `{ "kind", "message" }` (plus
//! `retry_after_secs` when rate limited); the message is always worded
//! here from the kind, never taken from the wire, so a crafted URL cannot
//! put text on our pages.
use crate::messages as m;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, as a stable code (the JSON `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotSignedIn,
    InvalidCredentials,
    RateLimited,
    UsernameTaken,
    InvalidUsername,
    InvalidPassword,
    PasswordMismatch,
    WrongPassword,
    SessionNotFound,
    CannotTerminateCurrent,
    InvalidCursor,
    /// A session name over 60 characters (or with control characters).
    InvalidName,
    /// "Was this you?" answered from a session that waits for an answer itself.
    NotTrusted,
    /// "Was this you?" was answered already.
    AlreadyAnswered,
    /// Email is not set up on this server.
    MailDisabled,
    InvalidEmail,
    /// A verification link that is unknown, used, expired or stale.
    InvalidToken,
    /// A wrong or reused second-factor code.
    WrongCode,
    /// The half-done login expired or was used: sign in again.
    LoginExpired,
    /// Two-factor authentication is on already.
    TwoFactorOn,
    /// Two-factor authentication is off.
    TwoFactorOff,
    /// The half-done login had its last try.
    TooManyCodes,
    /// Too many wrong codes in a row: the account's second factor is locked.
    SecondFactorLocked,
    /// With two-factor on, this needs a code.
    CodeRequired,
    /// An administrator locked the account.
    AccountLocked,
    /// No account has that username (admin console).
    UnknownAccount,
    /// The admin console needs an administrator.
    NotAdmin,
    /// The admin console needs a sign-in with a second factor.
    AdminNeedsSecondFactor,
    /// An administrator may not lock their own account.
    CannotLockSelf,
    /// The account is at its session limit: choose a session to end.
    SessionLimit,
    /// An API token asking for more than its scope allows.
    WrongScope,
    /// An API token's lifetime outside 1 to 365 days.
    InvalidLifetime,
    /// Password hashing saturated: retry in a moment.
    Busy,
    /// Terminating sessions needs the password again.
    ReauthRequired,
    TooManyStreams,
    Unavailable,
    Request,
    /// The browser could not reach the server (never sent by the server).
    Unreachable,
}

impl ErrorKind {
    /// Whether the answer says when to retry (`Retry-After`).
    pub fn waits(self) -> bool {
        matches!(self, Self::RateLimited | Self::Busy)
    }

    /// HTTP status of a response carrying this error.
    pub fn status(self) -> u16 {
        match self {
            Self::NotSignedIn | Self::InvalidCredentials => 401,
            Self::RateLimited | Self::TooManyStreams => 429,
            Self::ReauthRequired | Self::NotTrusted => 403,
            Self::SessionNotFound => 404,
            Self::CannotTerminateCurrent | Self::UsernameTaken | Self::AlreadyAnswered => 409,
            Self::Unavailable | Self::Unreachable | Self::Busy => 503,
            Self::InvalidUsername
            | Self::InvalidPassword
            | Self::PasswordMismatch
            | Self::WrongPassword
            | Self::InvalidCursor
            | Self::InvalidName
            | Self::InvalidEmail
            | Self::InvalidToken
            | Self::WrongCode
            | Self::Request => 400,
            Self::LoginExpired | Self::TooManyCodes => 401,
            Self::TwoFactorOn | Self::TwoFactorOff => 409,
            Self::SecondFactorLocked | Self::AccountLocked => 423,
            Self::UnknownAccount => 404,
            Self::NotAdmin | Self::AdminNeedsSecondFactor => 403,
            Self::CannotLockSelf | Self::SessionLimit => 409,
            Self::CodeRequired | Self::WrongScope => 403,
            Self::InvalidLifetime => 400,
            Self::MailDisabled => 501,
        }
    }

    /// The sentence shown for it.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotSignedIn => m::NOT_SIGNED_IN,
            Self::InvalidCredentials => m::INVALID_CREDENTIALS,
            Self::RateLimited => m::RATE_LIMITED,
            Self::UsernameTaken => m::USERNAME_TAKEN,
            Self::InvalidUsername => m::INVALID_USERNAME,
            Self::InvalidPassword => m::INVALID_PASSWORD,
            Self::PasswordMismatch => m::PASSWORD_MISMATCH,
            Self::WrongPassword => m::WRONG_PASSWORD,
            Self::SessionNotFound => m::SESSION_NOT_FOUND,
            Self::CannotTerminateCurrent => m::CANNOT_TERMINATE_CURRENT,
            Self::InvalidCursor => m::INVALID_CURSOR,
            Self::InvalidName => m::INVALID_NAME,
            Self::NotTrusted => m::NOT_TRUSTED,
            Self::AlreadyAnswered => m::ALREADY_ANSWERED,
            Self::MailDisabled => m::MAIL_DISABLED,
            Self::InvalidEmail => m::INVALID_EMAIL,
            Self::InvalidToken => m::INVALID_TOKEN,
            Self::WrongCode => m::WRONG_CODE,
            Self::LoginExpired => m::LOGIN_EXPIRED,
            Self::TwoFactorOn => m::TWO_FACTOR_ON_ALREADY,
            Self::TwoFactorOff => m::TWO_FACTOR_OFF_ALREADY,
            Self::TooManyCodes => m::TOO_MANY_CODES,
            Self::SecondFactorLocked => m::SECOND_FACTOR_LOCKED,
            Self::CodeRequired => m::CODE_REQUIRED,
            Self::AccountLocked => m::ACCOUNT_LOCKED,
            Self::UnknownAccount => m::UNKNOWN_ACCOUNT,
            Self::NotAdmin => m::NOT_ADMIN,
            Self::AdminNeedsSecondFactor => m::ADMIN_NEEDS_SECOND_FACTOR,
            Self::CannotLockSelf => m::CANNOT_LOCK_SELF,
            Self::SessionLimit => m::SESSION_LIMIT,
            Self::WrongScope => m::WRONG_SCOPE,
            Self::InvalidLifetime => m::INVALID_LIFETIME,
            Self::Busy => m::BUSY,
            Self::ReauthRequired => m::REAUTH_REQUIRED,
            Self::TooManyStreams => m::TOO_MANY_STREAMS,
            Self::Unavailable => m::UNAVAILABLE,
            Self::Request => m::REQUEST_FAILED,
            Self::Unreachable => m::UNREACHABLE,
        }
    }
}

/// An error shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(from = "Wire", into = "Wire")]
#[error("{}", self.message())]
pub struct AppError {
    /// Stable code.
    pub kind: ErrorKind,
    /// Seconds to wait, when rate limited or busy.
    pub retry_after_secs: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    kind: ErrorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
    /// For API callers and logs; ignored when read back.
    #[serde(default)]
    message: String,
}

impl From<AppError> for Wire {
    fn from(e: AppError) -> Self {
        Wire {
            message: e.message(),
            kind: e.kind,
            retry_after_secs: e.retry_after_secs,
        }
    }
}

impl From<Wire> for AppError {
    fn from(w: Wire) -> Self {
        AppError {
            kind: w.kind,
            retry_after_secs: w.retry_after_secs.filter(|_| w.kind.waits()),
        }
    }
}

impl AppError {
    /// The error of `kind`.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            retry_after_secs: None,
        }
    }

    /// The sentence to show.
    pub fn message(&self) -> String {
        match (self.kind, self.retry_after_secs) {
            (ErrorKind::RateLimited, Some(secs)) => m::rate_limited(secs),
            (kind, _) => kind.message().to_owned(),
        }
    }
}

impl From<ErrorKind> for AppError {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::TextJson;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => ErrorKind::Unreachable.into(),
            _ => ErrorKind::Request.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sessions::StoreError> for AppError {
    fn from(e: sessions::StoreError) -> Self {
        use sessions::StoreError as S;
        let kind = match &e {
            S::UsernameTaken => ErrorKind::UsernameTaken,
            S::InvalidUsername => ErrorKind::InvalidUsername,
            S::InvalidPassword => ErrorKind::InvalidPassword,
            S::InvalidCredentials => ErrorKind::InvalidCredentials,
            S::WrongPassword => ErrorKind::WrongPassword,
            S::RateLimited { retry_after_secs } => {
                return AppError {
                    kind: ErrorKind::RateLimited,
                    retry_after_secs: Some(*retry_after_secs),
                };
            }
            S::Busy { retry_after_secs } => {
                return AppError {
                    kind: ErrorKind::Busy,
                    retry_after_secs: Some(*retry_after_secs),
                };
            }
            S::ReauthRequired => ErrorKind::ReauthRequired,
            S::TooManyStreams => ErrorKind::TooManyStreams,
            S::SessionNotFound | S::UserNotFound => ErrorKind::SessionNotFound,
            S::CannotTerminateCurrent => ErrorKind::CannotTerminateCurrent,
            S::InvalidCursor => ErrorKind::InvalidCursor,
            S::InvalidName => ErrorKind::InvalidName,
            S::NotTrusted => ErrorKind::NotTrusted,
            S::AlreadyAnswered => ErrorKind::AlreadyAnswered,
            S::MailDisabled => ErrorKind::MailDisabled,
            S::InvalidEmail => ErrorKind::InvalidEmail,
            S::InvalidToken => ErrorKind::InvalidToken,
            S::WrongCode => ErrorKind::WrongCode,
            S::LoginExpired => ErrorKind::LoginExpired,
            S::TwoFactorOn => ErrorKind::TwoFactorOn,
            S::TwoFactorOff => ErrorKind::TwoFactorOff,
            S::TooManyCodes => ErrorKind::TooManyCodes,
            S::SecondFactorLocked => ErrorKind::SecondFactorLocked,
            S::CodeRequired => ErrorKind::CodeRequired,
            S::AccountLocked => ErrorKind::AccountLocked,
            S::UnknownAccount => ErrorKind::UnknownAccount,
            S::NotAdmin => ErrorKind::NotAdmin,
            S::AdminNeedsSecondFactor => ErrorKind::AdminNeedsSecondFactor,
            S::CannotLockSelf => ErrorKind::CannotLockSelf,
            S::SessionLimit => ErrorKind::SessionLimit,
            S::WrongScope => ErrorKind::WrongScope,
            S::InvalidLifetime => ErrorKind::InvalidLifetime,
            S::Database(_) | S::PasswordHashing | S::Mail(_) | S::SecretUnreadable => {
                tracing::error!(error = %e, "store failure");
                ErrorKind::Unavailable
            }
        };
        kind.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_carries_the_message_but_never_reads_it_back() {
        let e = AppError::new(ErrorKind::CannotTerminateCurrent);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("Use Log out instead"), "{json}");
        assert!(json.contains("\"kind\":\"cannot_terminate_current\""));
        assert_eq!(e.kind.status(), 409);
        let forged = r#"{"kind":"wrong_password","message":"Call +1 555 0100 now"}"#;
        let read: AppError = serde_json::from_str(forged).unwrap();
        assert_eq!(read.message(), m::WRONG_PASSWORD);
        let limited = AppError {
            kind: ErrorKind::RateLimited,
            retry_after_secs: Some(120),
        };
        let back: AppError =
            serde_json::from_str(&serde_json::to_string(&limited).unwrap()).unwrap();
        assert_eq!(
            back.message(),
            "Too many failed sign-in attempts. Try again in 2 minutes."
        );
    }
}
