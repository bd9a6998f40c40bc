//! The one error type of the web app: what a user may see, never a raw
//! database error. It travels as JSON `{ "kind": ..., "message": ... }`.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, as a stable code (also used in `?error=` for no-JS forms).
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
    Unavailable,
    Request,
}

const KINDS: &[(ErrorKind, &str, &str)] = &[
    (
        ErrorKind::NotSignedIn,
        "not_signed_in",
        "Please sign in to continue.",
    ),
    (
        ErrorKind::InvalidCredentials,
        "invalid_credentials",
        "Wrong username or password.",
    ),
    (
        ErrorKind::RateLimited,
        "rate_limited",
        "Too many failed sign-in attempts. Try again later.",
    ),
    (
        ErrorKind::UsernameTaken,
        "username_taken",
        "That username is already taken.",
    ),
    (
        ErrorKind::InvalidUsername,
        "invalid_username",
        "Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'.",
    ),
    (
        ErrorKind::InvalidPassword,
        "invalid_password",
        "Passwords must be 8 to 128 characters long.",
    ),
    (
        ErrorKind::PasswordMismatch,
        "password_mismatch",
        "The two new passwords do not match.",
    ),
    (
        ErrorKind::WrongPassword,
        "wrong_password",
        "The current password is wrong.",
    ),
    (
        ErrorKind::SessionNotFound,
        "session_not_found",
        "That session does not exist or has already ended.",
    ),
    (
        ErrorKind::CannotTerminateCurrent,
        "cannot_terminate_current",
        "You cannot terminate your current session from this page. Use Log out instead.",
    ),
    (
        ErrorKind::InvalidCursor,
        "invalid_cursor",
        "That page of history does not exist.",
    ),
    (
        ErrorKind::Unavailable,
        "unavailable",
        "The session database is unavailable. Please try again.",
    ),
    (
        ErrorKind::Request,
        "request",
        "The request could not be completed. Please try again.",
    ),
];

impl ErrorKind {
    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        KINDS
            .iter()
            .find(|k| k.0 == self)
            .map(|k| k.1)
            .unwrap_or("request")
    }

    /// The default message.
    pub fn message(self) -> &'static str {
        KINDS
            .iter()
            .find(|k| k.0 == self)
            .map(|k| k.2)
            .unwrap_or("")
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        KINDS.iter().find(|k| k.1 == code).map(|k| k.0)
    }

    /// HTTP status of a response carrying this error.
    pub fn status(self) -> u16 {
        match self {
            Self::NotSignedIn | Self::InvalidCredentials => 401,
            Self::RateLimited => 429,
            Self::SessionNotFound => 404,
            Self::CannotTerminateCurrent | Self::UsernameTaken => 409,
            Self::Unavailable => 503,
            _ => 400,
        }
    }
}

/// An error shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Stable code.
    pub kind: ErrorKind,
    /// Human message.
    pub message: String,
}

impl AppError {
    /// The error of `kind` with its default message.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            message: kind.message().to_owned(),
        }
    }
}

impl From<ErrorKind> for AppError {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let message = match value {
            // The browser could not reach the server: say so plainly.
            ServerFnErrorErr::Request(_) => {
                "Could not reach the server. Check your connection and try again.".to_owned()
            }
            _ => ErrorKind::Request.message().to_owned(),
        };
        Self {
            kind: ErrorKind::Request,
            message,
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
            S::RateLimited { .. } => ErrorKind::RateLimited,
            S::SessionNotFound | S::UserNotFound => ErrorKind::SessionNotFound,
            S::CannotTerminateCurrent => ErrorKind::CannotTerminateCurrent,
            S::InvalidCursor => ErrorKind::InvalidCursor,
            other => {
                tracing::error!(error = ?other, "store failure");
                ErrorKind::Unavailable
            }
        };
        Self {
            kind,
            // The store's text is written for users (the rate limit names minutes).
            message: if kind == ErrorKind::Unavailable {
                kind.message().to_owned()
            } else {
                e.to_string()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (kind, code, message) in KINDS {
            assert!(seen.insert(*code));
            assert_eq!(ErrorKind::from_code(code), Some(*kind));
            assert_eq!(kind.message(), *message);
        }
        assert_eq!(ErrorKind::from_code("<script>"), None);
    }

    #[test]
    fn current_session_message_says_use_log_out() {
        let e = AppError::new(ErrorKind::CannotTerminateCurrent);
        assert!(e.to_string().contains("Use Log out instead"));
        assert_eq!(e.kind.status(), 409);
    }
}
