//! Configuration: environment variables (and `.env`), each with a flag.
use crate::StartError;
use clap::Parser;
use sessions::client_ip::ProxyHeader;
use sessions::{HashingConfig, MailConfig, StoreConfig, StreamLimits, ThrottleConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

fn duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 14d, 12h, 30m, 5s)"))
}

/// Sessionboard: see every device signed in to your account.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// SQLite or PostgreSQL connection URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/sessionboard.db?mode=rwc"
    )]
    pub database_url: String,

    /// Listen address.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// The origin users reach (scheme://host[:port]); used for the CSRF origin check.
    #[arg(long, env = "PUBLIC_ORIGIN", default_value = "http://localhost:3000")]
    pub public_origin: String,

    /// Country database (.mmdb). Default: data/country.mmdb if present.
    #[arg(long, env = "GEOIP_DB")]
    pub geoip_db: Option<PathBuf>,

    /// Comma-separated CIDRs whose X-Forwarded-For / Forwarded headers are trusted.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Idle timeout of a session.
    #[arg(long, env = "SESSION_IDLE_TIMEOUT", default_value = "14d", value_parser = duration)]
    pub session_idle_timeout: Duration,

    /// Absolute lifetime of a session.
    #[arg(long, env = "SESSION_MAX_AGE", default_value = "30d", value_parser = duration)]
    pub session_max_age: Duration,

    /// How long ended sessions stay in the history.
    #[arg(long, env = "HISTORY_RETENTION", default_value = "90d", value_parser = duration)]
    pub history_retention: Duration,

    /// Where Prometheus scrapes `/metrics` (e.g. 127.0.0.1:9100); off when unset.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Active sessions an account may have at once (0: no limit); at the
    /// limit, a sign-in asks which session to end.
    #[arg(long, env = "MAX_SESSIONS_PER_ACCOUNT", default_value_t = 0)]
    pub max_sessions_per_account: u32,

    /// How long audit events stay in the database.
    #[arg(long, env = "AUDIT_RETENTION", default_value = "365d", value_parser = duration)]
    pub audit_retention: Duration,

    /// How often pending activity (last seen, pages visited) is written.
    #[arg(long, env = "ACTIVITY_FLUSH_INTERVAL", default_value = "5s", value_parser = duration)]
    pub activity_flush_interval: Duration,

    /// How long a successful authentication is reused without a database read (0s: never).
    /// Ends through this server, and on PostgreSQL ends heard from the others, drop it at once.
    #[arg(long, env = "AUTH_CACHE_TTL", default_value = "30s", value_parser = duration)]
    pub auth_cache_ttl: Duration,

    /// The same while this server cannot hear the others (PostgreSQL, listener down).
    #[arg(long, env = "AUTH_CACHE_TTL_WITHOUT_LISTENER", default_value = "1s", value_parser = duration)]
    pub auth_cache_ttl_without_listener: Duration,

    /// Wrong passwords allowed per account from one client network (IPv6: /64) within LOGIN_LOCKOUT.
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// Wrong passwords allowed per account from all networks within LOGIN_LOCKOUT.
    #[arg(long, env = "LOGIN_MAX_FAILURES_PER_ACCOUNT", default_value_t = 100)]
    pub login_max_failures_per_account: u32,

    /// Wrong passwords allowed per client network, whatever the account, within LOGIN_LOCKOUT.
    #[arg(long, env = "LOGIN_MAX_FAILURES_PER_IP", default_value_t = 20)]
    pub login_max_failures_per_ip: u32,

    /// Counting window and lock-out length for wrong passwords.
    #[arg(long, env = "LOGIN_LOCKOUT", default_value = "15m", value_parser = duration)]
    pub login_lockout: Duration,

    /// Accounts that one client network may create within REGISTER_WINDOW.
    #[arg(long, env = "REGISTER_MAX_PER_IP", default_value_t = 10)]
    pub register_max_per_ip: u32,

    /// Window of REGISTER_MAX_PER_IP.
    #[arg(long, env = "REGISTER_WINDOW", default_value = "1h", value_parser = duration)]
    pub register_window: Duration,

    /// Argon2id hashes that may run at once (default: one per core); more attempts wait briefly, then get 503.
    #[arg(long, env = "PASSWORD_HASHING_PERMITS")]
    pub password_hashing_permits: Option<usize>,

    /// How long an attempt waits for a free hashing slot before the answer is 503 with Retry-After.
    #[arg(long, env = "PASSWORD_HASHING_WAIT", default_value = "250ms", value_parser = duration)]
    pub password_hashing_wait: Duration,

    /// Terminating sessions asks for the password unless this session proved it within this long.
    #[arg(long, env = "REAUTH_WINDOW", default_value = "10m", value_parser = duration)]
    pub reauth_window: Duration,

    /// Live-update streams (open pages) allowed per session.
    #[arg(long, env = "LIVE_STREAMS_PER_SESSION", default_value_t = 5)]
    pub live_streams_per_session: usize,

    /// Live-update streams allowed per account.
    #[arg(long, env = "LIVE_STREAMS_PER_USER", default_value_t = 50)]
    pub live_streams_per_user: usize,

    /// The one forwarding header the trusted proxies set: x-forwarded-for, forwarded or x-real-ip.
    #[arg(long, env = "PROXY_HEADER", default_value = "x-forwarded-for")]
    pub proxy_header: ProxyHeader,

    /// The key that seals two-factor secrets (43 characters of URL-safe base64).
    /// Unset: read from SECRET_KEY_FILE, made there on first run.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Where the generated SECRET_KEY is kept (back it up with the database).
    #[arg(long, env = "SECRET_KEY_FILE", default_value = "data/secret.key")]
    pub secret_key_file: PathBuf,

    /// Keys SECRET_KEY replaced, comma-separated: what they sealed still opens.
    #[arg(
        long,
        env = "SECRET_KEY_PREVIOUS",
        default_value = "",
        hide_env_values = true
    )]
    pub secret_key_previous: String,

    /// SMTP server for email alerts, e.g. smtps://user:pass@mail.example.com or
    /// smtp://mail.example.com:587?tls=required (unset: no email).
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of email alerts, e.g. "Sessionboard <no-reply@example.com>".
    #[arg(long, env = "MAIL_FROM")]
    pub mail_from: Option<String>,

    /// At most one new-sign-in email per account and device within this.
    #[arg(long, env = "MAIL_ALERT_WINDOW", default_value = "1h", value_parser = duration)]
    pub mail_alert_window: Duration,

    /// How long an email verification link works.
    #[arg(long, env = "EMAIL_VERIFY_TTL", default_value = "24h", value_parser = duration)]
    pub email_verify_ttl: Duration,

    /// How often the mail queue is looked at for retries and other servers' mail.
    #[arg(long, env = "MAIL_POLL_INTERVAL", default_value = "10s", value_parser = duration)]
    pub mail_poll_interval: Duration,

    /// The apps behind the reverse proxy that /auth/verify protects (TOML; see docs/protecting-apps.md).
    /// Unset: /auth/verify refuses every app.
    #[arg(long, env = "APPS_FILE")]
    pub apps_file: Option<PathBuf>,

    /// Shares the session cookie with the subdomains of this domain (apps on their own
    /// subdomains): the cookie is then __Secure-sb_session; Domain=<this>. Unset: __Host-sb_session.
    #[arg(long, env = "COOKIE_DOMAIN")]
    pub cookie_domain: Option<String>,

    /// Log format: text, or json (one object per line).
    #[arg(long, env = "LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// On an empty database, create the account demo / demo-password with sample sessions.
    #[arg(
        long,
        env = "DEMO",
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub demo: bool,

    /// An operator's task instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `sessionboard` does besides serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Operator tasks on the accounts in DATABASE_URL.
    #[command(subcommand)]
    Admin(Admin),
}

/// Operator tasks on accounts.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Admin {
    /// Makes an account an administrator (the admin console at /admin).
    Grant {
        /// The account's username.
        username: String,
    },
    /// Takes administration away from an account.
    Revoke {
        /// The account's username.
        username: String,
    },
    /// Lets two-factor codes be checked again on an account locked after
    /// too many wrong codes in a row.
    Unlock {
        /// The account's username.
        username: String,
    },
    /// Prints the audit log kept in the database as JSON lines, newest
    /// first (as `GET /admin/audit.jsonl` exports it), for a SIEM or cron.
    Audit {
        /// Only events about this account.
        #[arg(long)]
        user: Option<String>,
        /// Only events of this kind, e.g. "login failed".
        #[arg(long)]
        kind: Option<String>,
    },
}

impl Config {
    /// The GeoIP database to open, if any.
    pub fn geoip_path(&self) -> Option<PathBuf> {
        self.geoip_db.clone().or_else(|| {
            let default = PathBuf::from("data/country.mmdb");
            default.exists().then_some(default)
        })
    }

    /// The protected apps of `APPS_FILE` (none without one), checked.
    pub fn apps(&self) -> Result<sessions::apps::Apps, StartError> {
        let Some(path) = &self.apps_file else {
            return Ok(sessions::apps::Apps::default());
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| StartError::Apps {
            path: shown.clone(),
            problem: e.to_string(),
        })?;
        sessions::apps::Apps::from_toml(&text).map_err(|e| StartError::Apps {
            path: shown,
            problem: e.to_string(),
        })
    }

    /// `COOKIE_DOMAIN`, checked against `PUBLIC_ORIGIN`: the domain must
    /// be Sessionboard's own host or one of its parents, and the origin
    /// https (a `__Secure-` cookie is only set over TLS).
    pub fn cookie_scope(&self) -> Result<app::contract::CookieScope, StartError> {
        let Some(domain) = &self.cookie_domain else {
            return Ok(app::contract::CookieScope::default());
        };
        let domain = domain.trim().trim_start_matches('.').to_ascii_lowercase();
        let origin = self.origin()?;
        let host = url::Url::parse(&origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let bad = |problem: &str| StartError::CookieDomain(format!("{domain:?}: {problem}"));
        if domain.is_empty() || domain.parse::<std::net::IpAddr>().is_ok() || !domain.contains('.')
        {
            return Err(bad("expected a domain name such as example.com"));
        }
        if !origin.starts_with("https://") {
            return Err(bad("a shared cookie needs PUBLIC_ORIGIN on https://"));
        }
        if host != domain && !host.ends_with(&format!(".{domain}")) {
            return Err(bad(&format!(
                "PUBLIC_ORIGIN's host {host} is not in this domain"
            )));
        }
        Ok(app::contract::CookieScope {
            domain: Some(domain),
        })
    }

    /// `PUBLIC_ORIGIN` as the origin check compares it.
    pub fn origin(&self) -> Result<String, StartError> {
        crate::policy::origin::origin_of(&self.public_origin)
            .ok_or_else(|| StartError::InvalidOrigin(self.public_origin.clone()))
    }

    /// "SQLite" or "PostgreSQL", for messages.
    pub fn backend(&self) -> &'static str {
        if sessions::db::is_sqlite(&self.database_url) {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    }

    /// The store's settings, checked for sense.
    pub fn store_config(&self) -> Result<StoreConfig, StartError> {
        let hashing = HashingConfig::default();
        let config = StoreConfig {
            idle_timeout: self.session_idle_timeout,
            max_age: self.session_max_age,
            history_retention: self.history_retention,
            audit_retention: self.audit_retention,
            max_sessions_per_account: (self.max_sessions_per_account > 0)
                .then_some(self.max_sessions_per_account),
            activity_flush_interval: self.activity_flush_interval,
            auth_cache_ttl: self.auth_cache_ttl,
            auth_cache_ttl_unlistened: self.auth_cache_ttl_without_listener,
            reauth_window: self.reauth_window,
            throttle: ThrottleConfig {
                max_failures_per_account_network: self.login_max_failures,
                max_failures_per_account: self.login_max_failures_per_account,
                max_failures_per_ip: self.login_max_failures_per_ip,
                window: self.login_lockout,
                max_registrations_per_ip: self.register_max_per_ip,
                registration_window: self.register_window,
            },
            hashing: HashingConfig {
                permits: self.password_hashing_permits.unwrap_or(hashing.permits),
                max_wait: self.password_hashing_wait,
                ..hashing
            },
            streams: StreamLimits {
                per_session: self.live_streams_per_session,
                per_user: self.live_streams_per_user,
            },
            mail: MailConfig {
                enabled: self.smtp_url.is_some(),
                alert_window: self.mail_alert_window,
                verify_ttl: self.email_verify_ttl,
                ..MailConfig::default()
            },
        };
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
