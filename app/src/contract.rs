//! What the server, the pages and the WebAssembly must agree on, spelled
//! once: the cookie, the pages and who may open them, the live stream's
//! path and event names, and the query keys pages read.
use leptos_router::{PartialPathMatch, PathSegment, PossibleRouteMatch};

/// Name of the session cookie. The `__Host-` prefix makes browsers
/// refuse it unless it is `Secure`, `Path=/` and has no `Domain`, so a
/// sibling subdomain cannot plant one of its own.
pub const SESSION_COOKIE: &str = "__Host-sb_session";

/// The session cookie shared with the apps' subdomains (`COOKIE_DOMAIN`):
/// `__Host-` cannot carry a `Domain`, so the weaker `__Secure-` prefix
/// (see SECURITY.md).
pub const SHARED_SESSION_COOKIE: &str = "__Secure-sb_session";

/// Where the session cookie is sent: this host only, or a domain's
/// subdomains too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookieScope {
    /// `COOKIE_DOMAIN`; `None`: this host only.
    pub domain: Option<String>,
}

impl CookieScope {
    /// The session cookie's name in this scope.
    pub fn name(&self) -> &'static str {
        if self.domain.is_some() {
            SHARED_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }
}

/// Every path of the JSON API starts so; API tokens are accepted only here.
pub const API_PREFIX: &str = "/api/v1/";

/// Forward authentication's verification endpoint (for the proxy).
pub const VERIFY_PATH: &str = "/auth/verify";

/// A half-done login waiting for its second factor (five minutes); the
/// same prefix and flags as the session cookie.
pub const PENDING_LOGIN_COOKIE: &str = "__Host-sb_pending";

/// The live-update stream (server-sent events) of the signed-in session.
pub const EVENTS_PATH: &str = "/api/events";

/// Names of the events on the live stream.
pub mod sse {
    /// Something about the account's sessions changed: refetch the board.
    pub const CHANGED: &str = "changed";
    /// This very session ended; the stream closes. Its data is
    /// [`LOGGED_OUT`], [`EXPIRED`] or [`ENDED`].
    pub const SIGNED_OUT: &str = "signed_out";
    /// It logged out itself (in another tab, say).
    pub const LOGGED_OUT: &str = "logged_out";
    /// It timed out (idle or too old).
    pub const EXPIRED: &str = "expired";
    /// It was ended from elsewhere.
    pub const ENDED: &str = "ended";
    /// An administrator ended it (or locked the account).
    pub const BY_ADMINISTRATOR: &str = "by_administrator";
    /// Its owner ended it to make room for a new sign-in (session limit).
    pub const MADE_ROOM: &str = "made_room";
}

/// Who may open a page; anyone else is redirected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The front door: to the sessions page or to the login page.
    Home,
    /// Only signed-out visitors (login, register); others go to their sessions.
    SignedOut,
    /// Only signed-in visitors; others go to the login page.
    SignedIn,
    /// Everyone (a link from an email works signed in or not).
    Anyone,
}

/// The pages, the one route table: the Leptos router matches these, the
/// server's page guards read their [`Access`], and each load of one is a
/// page visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Home,
    Login,
    Register,
    Sessions,
    ChangePassword,
    Email,
    VerifyEmail,
    LoginVerify,
    TwoFactor,
    ForgotPassword,
    ResetPassword,
    Logout,
    AppRefused,
    LoginRoom,
    Admin,
    AdminUsers,
    AdminSessions,
    AdminAudit,
    ApiTokens,
}

impl Page {
    /// Every page.
    pub const ALL: [Page; 19] = [
        Page::Home,
        Page::Login,
        Page::Register,
        Page::Sessions,
        Page::ChangePassword,
        Page::Email,
        Page::VerifyEmail,
        Page::LoginVerify,
        Page::TwoFactor,
        Page::ForgotPassword,
        Page::ResetPassword,
        Page::Logout,
        Page::AppRefused,
        Page::LoginRoom,
        Page::Admin,
        Page::AdminUsers,
        Page::AdminSessions,
        Page::AdminAudit,
        Page::ApiTokens,
    ];

    /// The page's path.
    pub const fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Login => "/login",
            Page::Register => "/register",
            Page::Sessions => "/sessions",
            Page::ChangePassword => "/account/password",
            Page::Email => "/account/email",
            Page::VerifyEmail => "/account/email/verify",
            Page::LoginVerify => "/login/verify",
            Page::TwoFactor => "/account/two-factor",
            Page::ForgotPassword => "/login/forgot",
            Page::ResetPassword => "/login/reset",
            Page::Logout => "/logout",
            Page::AppRefused => "/auth/refused",
            Page::LoginRoom => "/login/room",
            Page::Admin => "/admin",
            Page::AdminUsers => "/admin/users",
            Page::AdminSessions => "/admin/sessions",
            Page::AdminAudit => "/admin/audit",
            Page::ApiTokens => "/account/tokens",
        }
    }

    /// Who may open it.
    pub const fn access(self) -> Access {
        match self {
            Page::Home => Access::Home,
            Page::Login
            | Page::Register
            | Page::LoginVerify
            | Page::LoginRoom
            | Page::ForgotPassword => Access::SignedOut,
            Page::Sessions
            | Page::ChangePassword
            | Page::Email
            | Page::TwoFactor
            | Page::AppRefused
            | Page::Admin
            | Page::AdminUsers
            | Page::AdminSessions
            | Page::AdminAudit
            | Page::ApiTokens => Access::SignedIn,
            Page::VerifyEmail | Page::ResetPassword | Page::Logout => Access::Anyone,
        }
    }

    /// Whether loading it counts as a page visited (the front door only
    /// redirects).
    pub const fn counts_as_visit(self) -> bool {
        !matches!(self, Page::Home)
    }

    /// The page at `path`, if any.
    pub fn at(path: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.path() == path)
    }

    /// Where a GET of this page goes instead, given whether the visitor
    /// is signed in.
    pub fn redirect(self, signed_in: bool) -> Option<Page> {
        match (self.access(), signed_in) {
            (Access::Home, true) | (Access::SignedOut, true) => Some(Page::Sessions),
            (Access::Home, false) | (Access::SignedIn, false) => Some(Page::Login),
            _ => None,
        }
    }
}

/// A page is its own route: the whole path must match.
impl PossibleRouteMatch for Page {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        let want = self.path();
        let rest = path.strip_prefix(want)?;
        (rest.is_empty() || rest == "/").then(|| PartialPathMatch::new(rest, vec![], want))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        let segments = self.path().split('/').filter(|s| !s.is_empty());
        path.extend(segments.map(|s| PathSegment::Static(s.into())));
    }
}

/// The administrators' live stream: every account's sessions starting and ending.
pub const ADMIN_EVENTS_PATH: &str = "/admin/events";

/// The audit log's export (JSON lines), filtered by the audit page's keys.
pub const AUDIT_EXPORT_PATH: &str = "/admin/audit.jsonl";

/// Query keys the pages read after a plain form post or a redirect.
pub mod query {
    /// `/admin/users?user=<name>`: one account; also the audit filter's account.
    pub const USER: &str = "user";
    /// `/admin/users?q=<text>`: the search.
    pub const SEARCH: &str = "q";
    /// `/admin/users?user=<name>&done=<what>`: what an administrator did.
    pub const DONE: &str = "done";
    /// `/admin/sessions?country=<ISO code>`: sessions last seen there.
    pub const COUNTRY: &str = "country";
    /// `/admin/sessions?device=<Desktop|Mobile|Tablet|Bot|Other>`.
    pub const DEVICE: &str = "device";
    /// `/admin/sessions?review=1`: only sessions awaiting "Was this you?".
    pub const REVIEW: &str = "review";
    /// `/admin/sessions?bulk_ended=<n>`: a bulk end ended n sessions.
    pub const ENDED_COUNT: &str = "bulk_ended";
    /// `/admin/audit?kind=<kind>`: events of one kind.
    pub const KIND: &str = "kind";
    /// `/admin/audit?since=<YYYY-MM-DD>`: from that day (UTC).
    pub const SINCE: &str = "since";
    /// `/admin/audit?until=<YYYY-MM-DD>`: up to and including that day (UTC).
    pub const UNTIL: &str = "until";

    /// `/login?rd=<URL>`, `/logout?rd=<URL>`: where to return afterwards
    /// (an app behind the proxy, or a page here); the name other
    /// forward-auth gateways use.
    pub const RETURN: &str = "rd";
    /// `/auth/refused?app=<name>&why=<reason>`: which app refused, and why
    /// ([`WHY_TWO_FACTOR`], [`WHY_NOT_ALLOWED`] or [`WHY_UNKNOWN`]).
    pub const APP: &str = "app";
    /// See [`APP`].
    pub const WHY: &str = "why";
    /// The app requires a second factor.
    pub const WHY_TWO_FACTOR: &str = "two_factor";
    /// The app is not open to the account.
    pub const WHY_NOT_ALLOWED: &str = "not_allowed";
    /// The address is no configured app.
    pub const WHY_UNKNOWN: &str = "unknown";
    /// `/login?ended=1`: this session was ended from another device
    /// ([`ENDED_BY_ADMINISTRATOR`] as the value: by an administrator).
    pub const ENDED: &str = "ended";
    /// See [`ENDED`].
    pub const ENDED_BY_ADMINISTRATOR: &str = "administrator";
    /// See [`ENDED`]: ended to make room for a new sign-in.
    pub const ENDED_FOR_ROOM: &str = "room";
    /// `/login?expired=1`: this session timed out.
    pub const EXPIRED: &str = "expired";
    /// `/login?signed_out=1`, `/sessions?signed_out=<n>`.
    pub const SIGNED_OUT: &str = "signed_out";
    /// `/sessions?terminated=1`.
    pub const TERMINATED: &str = "terminated";
    /// `/account/password?changed=1&signed_out=<n>`.
    pub const CHANGED: &str = "changed";
    /// `/sessions?confirm=everywhere`: the sign-out-everywhere confirmation.
    pub const CONFIRM: &str = "confirm";
    /// The value of [`CONFIRM`] that opens it.
    pub const CONFIRM_EVERYWHERE: &str = "everywhere";
    /// `/sessions?confirmed=1`: "Yes, it was me" recorded.
    pub const CONFIRMED: &str = "confirmed";
    /// `/account/password?denied=1`: "No — sign it out" done.
    pub const DENIED: &str = "denied";
    /// `/sessions?renamed=1`.
    pub const RENAMED: &str = "renamed";
    /// `/account/email?sent=1`: the verification link is on its way.
    pub const SENT: &str = "sent";
    /// `/account/email?removed=1`.
    pub const REMOVED: &str = "removed";
    /// `/account/email/verify?token=…`: the link in the email.
    pub const TOKEN: &str = "token";
    /// `/account/email/verify?verified=1`.
    pub const VERIFIED: &str = "verified";
    /// `/login/forgot?sent=1`: the reset link is on its way (if the
    /// account exists); `/login?reset=1`: the new password is set.
    pub const RESET: &str = "reset";
    /// `/account/two-factor?regenerated=1`.
    pub const REGENERATED: &str = "regenerated";
    /// `/account/two-factor?on=1` / `?off=1` / `?saved=1`.
    pub const ON: &str = "on";
    pub const OFF: &str = "off";
    /// The recovery codes were saved.
    pub const SAVED: &str = "saved";
    /// "Saved" named older codes than those waiting: the newer ones stay.
    pub const NEWER: &str = "newer";
    /// Paging cursors: history, accounts (`after`), audit events (`before`).
    pub const BEFORE: &str = "before";
    pub const AFTER: &str = "after";
}

/// The account forms, each in its own island.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AccountForm {
    Login,
    Register,
    ChangePassword,
    /// The second step of a login.
    LoginVerify,
    /// A new API token (shown once, in the page).
    CreateToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_match_their_whole_path_only() {
        for page in Page::ALL {
            assert_eq!(Page::at(page.path()), Some(page));
            assert!(page.test(page.path()).is_some_and(|m| m.is_complete()));
        }
        assert!(Page::Login.test("/loginx").is_none());
        assert!(Page::Login.test("/login/verify").is_none());
        assert_eq!(Page::at("/login/verify"), Some(Page::LoginVerify));
        assert!(Page::Login.test("/login/").is_some());
        assert!(Page::ChangePassword.test("/account").is_none());
        assert_eq!(Page::at("/nope"), None);
        let mut segments = Vec::new();
        Page::ChangePassword.generate_path(&mut segments);
        assert_eq!(segments.len(), 2);
    }

    #[test]
    fn guards() {
        assert_eq!(Page::Home.redirect(false), Some(Page::Login));
        assert_eq!(Page::Home.redirect(true), Some(Page::Sessions));
        assert_eq!(Page::Sessions.redirect(false), Some(Page::Login));
        assert_eq!(Page::ChangePassword.redirect(false), Some(Page::Login));
        assert_eq!(Page::Sessions.redirect(true), None);
        assert_eq!(Page::Login.redirect(true), Some(Page::Sessions));
        assert_eq!(Page::Register.redirect(false), None);
        assert_eq!(Page::VerifyEmail.redirect(false), None);
        assert_eq!(Page::VerifyEmail.redirect(true), None);
        assert_eq!(Page::Email.redirect(false), Some(Page::Login));
        assert!(Page::Email.test("/account/email/verify").is_none());
    }
}
