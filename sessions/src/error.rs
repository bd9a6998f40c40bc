use sea_orm::DbErr;

/// Everything the store can refuse or fail with. The `Display` text is meant
/// for end users; database details stay in `Debug` (for logs) only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Registration with a username that exists (compared case-insensitively).
    #[error("That username is already taken.")]
    UsernameTaken,
    /// Registration with a username outside the allowed shape.
    #[error("Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'.")]
    InvalidUsername,
    /// A new password that is too short or too long.
    #[error("Passwords must be 8 to 128 characters long.")]
    InvalidPassword,
    /// Login with an unknown username or a wrong password (never says which).
    #[error("Wrong username or password.")]
    InvalidCredentials,
    /// Password change with a wrong current password.
    #[error("The current password is wrong.")]
    WrongPassword,
    /// Too many failed logins for this account or from this address.
    #[error("Too many failed sign-in attempts. Try again in {} minute(s).", retry_after_secs.div_ceil(60).max(1))]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// An unknown session id, an ended one, or one of another account: the
    /// same answer for all three so that ids of other accounts cannot be probed.
    #[error("That session does not exist or has already ended.")]
    SessionNotFound,
    /// Terminating the caller's own current session through "terminate".
    #[error("You cannot terminate your current session from this page. Use Log out instead.")]
    CannotTerminateCurrent,
    /// The account behind a session no longer exists.
    #[error("The account no longer exists.")]
    UserNotFound,
    /// A malformed history cursor.
    #[error("That page of history does not exist.")]
    InvalidCursor,
    /// Any database failure; the details are logged, never shown.
    #[error("The session database is unavailable. Please try again.")]
    Database(#[from] DbErr),
    /// Argon2 failed (out of memory, say).
    #[error("Could not process the password. Please try again.")]
    PasswordHashing,
    /// The GeoIP database could not be opened.
    #[error("Could not open the GeoIP database {path}: {reason}")]
    GeoIp {
        /// The path given.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The vendored user-agent rules could not be loaded.
    #[error("Could not load the user-agent rules: {0}")]
    UserAgentRules(String),
    /// A malformed trusted-proxy list.
    #[error("Invalid trusted proxy {0:?}: expected an IP address or CIDR such as 10.0.0.0/8")]
    InvalidTrustedProxy(String),
}
