//! Every sentence the app shows to people, in one place.

pub const NOT_SIGNED_IN: &str = "Please sign in to continue.";
pub const INVALID_CREDENTIALS: &str = "Wrong username or password.";
pub const RATE_LIMITED: &str = "Too many failed sign-in attempts. Try again later.";
pub const USERNAME_TAKEN: &str = "That username is already taken.";
pub const INVALID_USERNAME: &str =
    "Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-'.";
pub const INVALID_PASSWORD: &str = "Passwords must be 8 to 128 characters long.";
pub const PASSWORD_MISMATCH: &str = "The two new passwords do not match.";
pub const WRONG_PASSWORD: &str = "The current password is wrong.";
pub const SESSION_NOT_FOUND: &str = "That session does not exist or has already ended.";
pub const CANNOT_TERMINATE_CURRENT: &str =
    "You cannot terminate your current session from this page. Use Log out instead.";
pub const INVALID_CURSOR: &str = "That page of history does not exist.";
pub const INVALID_NAME: &str = "Names are at most 60 characters, on one line.";
pub const NOT_TRUSTED: &str =
    "Answer from a device you already trust: this sign-in is waiting for an answer itself.";
pub const ALREADY_ANSWERED: &str = "That sign-in was already answered.";
pub const CONFIRMED_SIGN_IN: &str = "Thanks. That sign-in is marked as yours.";
pub const DENIED_SIGN_IN: &str = "That session is signed out. If it was not you, change your password now (and keep \"Also sign out all other devices\" ticked).";
pub const RENAMED: &str = "Name saved.";
pub const WRONG_CODE: &str = "That code is not right, or it was used already. Enter the current code from your app, or a recovery code.";
pub const LOGIN_EXPIRED: &str =
    "This sign-in expired (the code step has to be done within 5 minutes). Please sign in again.";
pub const TWO_FACTOR_ON_ALREADY: &str = "Two-factor authentication is already on.";
pub const TWO_FACTOR_OFF_ALREADY: &str = "Two-factor authentication is off.";
pub const TOO_MANY_CODES: &str =
    "Too many wrong codes for this sign-in. Please sign in again with your password.";
pub const SECOND_FACTOR_LOCKED: &str = "Too many wrong codes were typed for this account in a row, so codes are no longer accepted. Use a device that is still signed in, or ask the operator to unlock your account.";
pub const ACCOUNT_LOCKED: &str =
    "This account is locked by an administrator. Ask your administrator to unlock it.";
pub const UNKNOWN_ACCOUNT: &str = "There is no account with that username.";
pub const NOT_ADMIN: &str = "This page is for administrators. An operator makes one with `sessionboard admin grant USERNAME`.";
pub const ADMIN_NEEDS_SECOND_FACTOR: &str = "The admin console needs a sign-in with a second factor: turn on two-factor authentication, then sign out and sign in again with a code.";
pub const CANNOT_LOCK_SELF: &str = "You cannot lock your own account.";
pub const CODE_REQUIRED: &str = "Your account has two-factor authentication: enter the code from your authenticator app (or a recovery code).";
pub const RECOVERY_CODES_REGENERATED: &str =
    "New recovery codes are below. The old ones no longer work.";
pub const RESET_REQUESTED: &str = "If that account has a verified email address, a link to set a new password is on its way. It works once, within 30 minutes.";
pub const PASSWORD_RESET: &str =
    "Your new password is set and every device was signed out. Sign in with it now.";
pub const TWO_FACTOR_TURNED_ON: &str =
    "Two-factor authentication is on. Keep your recovery codes somewhere safe.";
pub const TWO_FACTOR_TURNED_OFF: &str = "Two-factor authentication is off.";
pub const RECOVERY_CODES_SAVED: &str =
    "Recovery codes saved. They will not be shown again; each works once.";
pub const NEWER_RECOVERY_CODES: &str = "Those codes were replaced when two-factor authentication was set up again. Save the new ones below: the old ones no longer work.";
pub const MAIL_DISABLED: &str =
    "Email alerts are not set up on this server (its operator sets SMTP_URL and MAIL_FROM).";
pub const INVALID_EMAIL: &str = "That is not an email address we can send to.";
pub const INVALID_TOKEN: &str = "This link is not valid: it was used already, it expired, or the address changed since. Ask for a new one.";
pub const VERIFICATION_SENT: &str = "We sent a link to that address. Open it to start getting alerts there; until then they keep going to your verified address.";
pub const EMAIL_REMOVED: &str = "Email address removed. No more alerts will be sent.";
pub const EMAIL_VERIFIED: &str = "Email address verified. New sign-ins will be announced there.";
pub const UNAVAILABLE: &str = "The session database is unavailable. Please try again.";
pub const REQUEST_FAILED: &str = "The request could not be completed. Please try again.";
pub const UNREACHABLE: &str = "Could not reach the server. Check your connection and try again.";
pub const CROSS_SITE: &str = "Refused: this request came from another site. Reload Sessionboard and try again from its own pages.";
pub const CROSS_SITE_STREAM: &str = "Refused: cross-site event stream.";
pub const DATABASE_DOWN: &str =
    "The session database is unavailable. Please try again in a moment.";

pub const ENDED_ELSEWHERE: &str = "This session was ended from another device.";
pub const ENDED_BY_ADMINISTRATOR: &str = "This session was ended by an administrator.";
pub const ENDED_FOR_ROOM: &str =
    "This session was ended to make room for a new sign-in on another device.";
pub const SESSION_LIMIT: &str = "Your account is signed in on as many devices as it may be. Choose one to sign out to continue.";
pub const EXPIRED: &str =
    "Your session expired after a period of inactivity. Please sign in again.";
pub const BUSY: &str = "Sessionboard is busy right now. Please try again in a moment.";
pub const REAUTH_REQUIRED: &str = "For your security, confirm it's you: enter your password (or, with two-factor authentication, a code) to continue.";
pub const TOO_MANY_STREAMS: &str =
    "Too many open Sessionboard pages for this account. Close some tabs and reload.";
pub const SIGNED_OUT: &str = "You have been signed out.";
pub const TERMINATED: &str = "Session terminated. That device is signed out.";

/// "Too many failed sign-in attempts. Try again in 3 minutes."
pub fn rate_limited(retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    format!(
        "Too many failed sign-in attempts. Try again in {}.",
        plural(minutes, "minute", "minutes")
    )
}

/// What the sessions page says about codes after wrong ones, if anything.
#[cfg(feature = "ssr")]
pub fn code_lock(lock: sessions::CodeLock, now_ms: i64) -> Option<String> {
    match lock {
        sessions::CodeLock::Open => None,
        sessions::CodeLock::CoolingDown { until_ms } => Some(format!(
            "After several wrong codes in a row, the next code is accepted in {}. Someone who knows your password may be trying codes: change your password.",
            plural(
                ((until_ms - now_ms).max(1) as u64).div_ceil(60_000),
                "minute",
                "minutes"
            )
        )),
        sessions::CodeLock::Locked => Some(SECOND_FACTOR_LOCKED.to_owned()),
    }
}

/// "1 session", "3 sessions".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub fn password_changed(signed_out: u64) -> String {
    if signed_out == 0 {
        "Your password was changed.".to_owned()
    } else {
        format!(
            "Your password was changed. {} signed out.",
            plural(signed_out, "other session was", "other sessions were")
        )
    }
}

pub fn signed_out_everywhere(n: u64) -> String {
    if n == 0 {
        "There were no other sessions to sign out.".to_owned()
    } else {
        format!(
            "Signed out {}.",
            plural(n, "other session", "other sessions")
        )
    }
}

/// The confirmation of "Sign out everywhere": its text and its button.
pub fn confirm_sign_out(others: u64) -> (String, String) {
    let n = plural(others, "other session", "other sessions");
    (
        format!("This will sign out {n}. This device stays signed in."),
        format!("Sign out {n}"),
    )
}

pub const WRONG_SCOPE: &str = "This API token may not do that: its scope is read-only, or it is something only a signed-in person may do.";
pub const INVALID_LIFETIME: &str = "Choose an expiry between 1 and 365 days.";
pub const TOKENS_NEED_SCRIPT: &str = "Creating a token needs JavaScript: the token is shown once, in this page, and never sent through a redirect.";

/// The new token, shown once.
pub fn token_created(token: &str) -> String {
    format!("Your new token (copy it now: it is not shown again): {token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(
            rate_limited(30),
            "Too many failed sign-in attempts. Try again in 1 minute."
        );
        assert_eq!(
            rate_limited(900),
            "Too many failed sign-in attempts. Try again in 15 minutes."
        );
        assert_eq!(password_changed(0), "Your password was changed.");
        assert_eq!(
            password_changed(1),
            "Your password was changed. 1 other session was signed out."
        );
        assert_eq!(signed_out_everywhere(2), "Signed out 2 other sessions.");
        assert_eq!(
            confirm_sign_out(1).0,
            "This will sign out 1 other session. This device stays signed in."
        );
    }
}
