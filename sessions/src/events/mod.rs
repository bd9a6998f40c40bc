//! Changes a dashboard should see: what they are ([`SessionEvent`]), how
//! they reach this server's live streams (`hub`), and how they travel
//! between servers that share a PostgreSQL database (`wire`).
pub(crate) mod hub;
pub(crate) mod wire;

pub use hub::UserEvents;

use crate::model::EndReason;
use chrono::{DateTime, Utc};

/// One change to a user's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// A new login.
    Started {
        /// Owner.
        user_id: i64,
        /// Public id of the new session.
        session_id: String,
    },
    /// A session ended.
    Ended {
        /// Owner.
        user_id: i64,
        /// Public id.
        session_id: String,
        /// Why.
        reason: EndReason,
    },
    /// Activity was recorded (coalesced: at most once per flush interval).
    Activity {
        /// Owner.
        user_id: i64,
        /// Public id.
        session_id: String,
        /// New last activity.
        last_seen_at: DateTime<Utc>,
        /// New page count.
        pages_visited: i64,
    },
    /// A session's marks, answer, name or places changed.
    Updated {
        /// Owner.
        user_id: i64,
        /// Public id.
        session_id: String,
    },
    /// The account's password changed.
    PasswordChanged {
        /// Owner.
        user_id: i64,
    },
    /// A sign-in to the account failed (its owner's page lists them).
    FailedSignIn {
        /// Owner.
        user_id: i64,
    },
    /// The subscriber may have missed events: reload everything.
    Resync {
        /// Owner.
        user_id: i64,
    },
}

impl SessionEvent {
    /// The user whose sessions changed.
    pub fn user_id(&self) -> i64 {
        match self {
            Self::Started { user_id, .. }
            | Self::Ended { user_id, .. }
            | Self::Activity { user_id, .. }
            | Self::Updated { user_id, .. }
            | Self::PasswordChanged { user_id }
            | Self::FailedSignIn { user_id }
            | Self::Resync { user_id } => *user_id,
        }
    }
}
