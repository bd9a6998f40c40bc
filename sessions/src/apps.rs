//! Protected apps (forward authentication): the apps behind the reverse
//! proxy, read from `APPS_FILE`; which app a URL belongs to; who may reach
//! it; and where a sign-in may return to (never an open redirect).
use crate::model::{AuthMethod, CurrentSession};
use serde::Deserialize;
use url::Url;

/// An entry of the apps file, exactly as people write it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    url: String,
    #[serde(default)]
    allow: Option<Vec<String>>,
    #[serde(default)]
    require_two_factor: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    app: Vec<Entry>,
}

/// One protected app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// Shown on cards, in history and in notices.
    pub name: String,
    /// `scheme://host[:port]`, as browsers serialise an origin.
    origin: String,
    /// The path prefix, ending in `/` (`/` for a whole origin).
    prefix: String,
    /// Who may reach it (usernames, compared without case); `None`:
    /// everyone with an account.
    allow: Option<Vec<String>>,
    /// Sessions signed in without a second factor are refused.
    pub require_two_factor: bool,
    /// `name`, shared by every request's activity record.
    shared: std::sync::Arc<str>,
}

/// Whether a session may reach an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Yes.
    Allowed,
    /// The app's `allow` list does not name the account.
    NotAllowed,
    /// The app requires a second factor and the session signed in without.
    SecondFactorRequired,
}

/// Why the apps file was refused: which app, which field, what is wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppsError {
    /// Not TOML of the expected shape.
    #[error("the apps file is not valid: {0}")]
    Syntax(String),
    /// One app's field is wrong.
    #[error("app {app:?}: {field}: {problem}")]
    Field {
        /// The app's name (or its position when it has none).
        app: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// A session's sign-in used a second factor.
pub fn is_second_factor(method: AuthMethod) -> bool {
    match method {
        AuthMethod::Password | AuthMethod::ApiToken => false,
        AuthMethod::PasswordAndAuthenticator | AuthMethod::PasswordAndRecoveryCode => true,
    }
}

impl App {
    /// Whether `current` may reach this app: the one rule, for the
    /// verification endpoint and the pages that explain a refusal.
    pub fn reach(&self, current: &CurrentSession) -> Reach {
        let named = |names: &Vec<String>| {
            names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&current.username))
        };
        if !self.allow.as_ref().is_none_or(named) {
            return Reach::NotAllowed;
        }
        if self.require_two_factor && !is_second_factor(current.auth_method) {
            return Reach::SecondFactorRequired;
        }
        Reach::Allowed
    }

    /// The name, cheap to clone (what activity records keep).
    pub fn shared_name(&self) -> &std::sync::Arc<str> {
        &self.shared
    }

    /// Whether `url` (parsed) is under this app.
    fn contains(&self, url: &Url) -> bool {
        url.origin().ascii_serialization() == self.origin && url.path().starts_with(&self.prefix)
    }
}

/// The protected apps. Empty without an apps file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Apps {
    apps: Vec<App>,
}

impl Apps {
    /// Reads and checks an apps file's text.
    pub fn from_toml(text: &str) -> Result<Self, AppsError> {
        let file: File = toml::from_str(text).map_err(|e| AppsError::Syntax(e.to_string()))?;
        let mut apps: Vec<App> = Vec::new();
        for (i, e) in file.app.into_iter().enumerate() {
            let label = if e.name.trim().is_empty() {
                format!("#{}", i + 1)
            } else {
                e.name.trim().to_owned()
            };
            let bad = |field: &'static str, problem: &str| AppsError::Field {
                app: label.clone(),
                field,
                problem: problem.to_owned(),
            };
            if e.name.trim().is_empty() || e.name.chars().count() > 60 {
                return Err(bad("name", "give a name of 1 to 60 characters"));
            }
            if e.name.chars().any(char::is_control) {
                return Err(bad("name", "control characters are not allowed"));
            }
            let url = Url::parse(e.url.trim()).map_err(|err| bad("url", &err.to_string()))?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(bad(
                    "url",
                    "expected http(s)://host/ or http(s)://host/prefix/",
                ));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(bad("url", "a user name or password has no place in it"));
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err(bad(
                    "url",
                    "no query or fragment: an origin, or an origin and a path prefix",
                ));
            }
            let mut prefix = url.path().to_owned();
            if !prefix.ends_with('/') {
                prefix.push('/');
            }
            if let Some(allow) = &e.allow
                && allow.iter().any(|n| n.trim().is_empty())
            {
                return Err(bad("allow", "an empty username"));
            }
            let app = App {
                name: e.name.trim().to_owned(),
                origin: url.origin().ascii_serialization(),
                prefix,
                allow: e.allow,
                require_two_factor: e.require_two_factor,
                shared: e.name.trim().into(),
            };
            if apps.iter().any(|a| a.name.eq_ignore_ascii_case(&app.name)) {
                return Err(bad("name", "another app has this name"));
            }
            if apps
                .iter()
                .any(|a| a.origin == app.origin && a.prefix == app.prefix)
            {
                return Err(bad("url", "another app has this address"));
            }
            apps.push(app);
        }
        // The longest prefix wins: sorted so that the first match is it.
        apps.sort_by_key(|a| std::cmp::Reverse(a.prefix.len()));
        Ok(Apps { apps })
    }

    /// No apps configured.
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// The apps, longest prefix first.
    pub fn iter(&self) -> impl Iterator<Item = &App> {
        self.apps.iter()
    }

    /// The app `url` belongs to, if any (the longest matching prefix).
    pub fn for_url(&self, url: &str) -> Option<&App> {
        let url = Url::parse(url).ok()?;
        self.apps.iter().find(|a| a.contains(&url))
    }

    /// The app named `name`.
    pub fn named(&self, name: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.name == name)
    }

    /// Where a sign-in may return to: `rd` resolved against Sessionboard's
    /// own `origin`, when it lands on a configured app or on Sessionboard
    /// itself, over http(s), without credentials in it; serialised as the
    /// browser will read it. Anything else is `None`: never an open
    /// redirect.
    pub fn return_to(&self, rd: &str, origin: &str) -> Option<String> {
        // Control characters and whitespace are how parsers are told apart.
        if rd.is_empty() || rd.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return None;
        }
        let base = Url::parse(origin).ok()?;
        let url = base.join(rd).ok()?;
        if !matches!(url.scheme(), "http" | "https")
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return None;
        }
        let ours = url.origin() == base.origin();
        (ours || self.apps.iter().any(|a| a.contains(&url))).then(|| url.to_string())
    }
}

#[cfg(test)]
mod tests;
