//! What the store refuses or fails with. The texts are for logs and
//! developers; the app words its own messages for users.
use sea_orm::DbErr;

/// A refusal by a product rule, or a database failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Registration with a username that exists (compared case-insensitively).
    #[error("username taken")]
    UsernameTaken,
    /// Registration with a username outside the allowed shape.
    #[error("invalid username")]
    InvalidUsername,
    /// A new password that is too short or too long.
    #[error("invalid password length")]
    InvalidPassword,
    /// Login with an unknown username or a wrong password (never says which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Password change with a wrong current password, or lost to a
    /// concurrent change.
    #[error("wrong current password")]
    WrongPassword,
    /// Too many failed logins for this account or from this address.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// Every password-hashing slot stayed busy for the allowed wait:
    /// answer "try again" at once instead of queueing (memory and CPU stay
    /// bounded however many attempts arrive).
    #[error("password hashing saturated")]
    Busy {
        /// Seconds after which a retry is sensible.
        retry_after_secs: u64,
    },
    /// Terminating sessions needs the password again: this session has
    /// not proved it within the re-authentication window.
    #[error("re-authentication required")]
    ReauthRequired,
    /// The live-stream limit of the session or the account is reached.
    #[error("too many live streams")]
    TooManyStreams,
    /// An unknown session id, an ended one, or one of another account: the
    /// same answer for all three so that ids of other accounts cannot be probed.
    #[error("session not found")]
    SessionNotFound,
    /// Terminating the caller's own current session through "terminate".
    #[error("cannot terminate the current session")]
    CannotTerminateCurrent,
    /// A session name over 60 characters or with control characters.
    #[error("invalid session name")]
    InvalidName,
    /// Answering "Was this you?" from a session that is itself waiting for
    /// an answer (or about itself).
    #[error("this session may not answer for others")]
    NotTrusted,
    /// "Was this you?" was already answered for that session.
    #[error("already answered")]
    AlreadyAnswered,
    /// Email is not set up on this server.
    #[error("email is not configured")]
    MailDisabled,
    /// Not an email address (or one mail cannot reach).
    #[error("invalid email address")]
    InvalidEmail,
    /// A verification link that is unknown, used, expired or stale.
    #[error("invalid or expired link")]
    InvalidToken,
    /// An email could not be queued.
    #[error("mail: {0}")]
    Mail(String),
    /// A wrong, reused or malformed second-factor code.
    #[error("wrong code")]
    WrongCode,
    /// The half-done login is unknown, used or expired: start again.
    #[error("login expired")]
    LoginExpired,
    /// The half-done login had its last try: start again with the password.
    #[error("too many wrong codes for this sign-in")]
    TooManyCodes,
    /// Too many wrong codes in a row on the account: no code is checked
    /// until an operator unlocks it.
    #[error("second factor locked")]
    SecondFactorLocked,
    /// The account has a second factor: this needs a code as well (or
    /// instead of the password, to re-authenticate).
    #[error("a second-factor code is required")]
    CodeRequired,
    /// The account has no second factor.
    #[error("two-factor authentication is off")]
    TwoFactorOff,
    /// Enrolling while a second factor is already on.
    #[error("two-factor authentication is already on")]
    TwoFactorOn,
    /// A sealed secret that does not open (another `SECRET_KEY`?).
    #[error("a stored secret cannot be read with this SECRET_KEY")]
    SecretUnreadable,
    /// The account behind a session no longer exists.
    #[error("user not found")]
    UserNotFound,
    /// No account has that username.
    #[error("no such account")]
    UnknownAccount,
    /// The account is locked by an administrator: no new sign-ins.
    #[error("account locked")]
    AccountLocked,
    /// The admin console needs an administrator's account.
    #[error("not an administrator")]
    NotAdmin,
    /// The admin console needs a session that signed in with a second factor.
    #[error("administrators must sign in with a second factor")]
    AdminNeedsSecondFactor,
    /// An administrator locking their own account.
    #[error("cannot lock one's own account")]
    CannotLockSelf,
    /// The account has as many active sessions as it may: the person
    /// chooses one to end ([`crate::SessionStore::make_room`]).
    #[error("session limit reached")]
    SessionLimit,
    /// An API token asking for what its scope does not allow (or for what
    /// only a person may do: re-authenticating, security settings).
    #[error("not allowed for this token")]
    WrongScope,
    /// An API token's lifetime outside 1 to 365 days.
    #[error("invalid token lifetime")]
    InvalidLifetime,
    /// A malformed history cursor.
    #[error("invalid history cursor")]
    InvalidCursor,
    /// Any database failure.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// Argon2 failed (out of memory, say) or its thread was lost.
    #[error("password hashing failed")]
    PasswordHashing,
}

/// What can stop the store (or an app embedding it) from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The GeoIP database could not be opened.
    #[error("could not open the GeoIP database {path}: {reason}")]
    GeoIp {
        /// The path given.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The vendored user-agent rules could not be loaded.
    #[error("could not load the user-agent rules: {0}")]
    UserAgentRules(String),
    /// A malformed trusted-proxy list.
    #[error("invalid trusted proxy {0:?}: expected an IP address or CIDR such as 10.0.0.0/8")]
    InvalidTrustedProxy(String),
    /// Settings that make no sense together.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The database could not be reached.
    #[error("database: {0}")]
    Database(#[from] DbErr),
}
