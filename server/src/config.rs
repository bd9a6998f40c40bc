//! Configuration: environment variables (and `.env`), each with a flag.
use crate::StartError;
use clap::Parser;
use sessions::GeoIp;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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

    /// How often pending activity (last seen, pages visited) is written.
    #[arg(long, env = "ACTIVITY_FLUSH_INTERVAL", default_value = "5s", value_parser = duration)]
    pub activity_flush_interval: Duration,

    /// How long a successful authentication is reused without a database read (0s: never).
    #[arg(long, env = "AUTH_CACHE_TTL", default_value = "1s", value_parser = duration)]
    pub auth_cache_ttl: Duration,

    /// Failed logins allowed per account within LOGIN_LOCKOUT.
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// Failed logins allowed per client IP within LOGIN_LOCKOUT.
    #[arg(long, env = "LOGIN_MAX_FAILURES_PER_IP", default_value_t = 20)]
    pub login_max_failures_per_ip: u32,

    /// Counting window and lock-out length for failed logins.
    #[arg(long, env = "LOGIN_LOCKOUT", default_value = "15m", value_parser = duration)]
    pub login_lockout: Duration,

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
}

impl Config {
    /// The GeoIP database to open, if any.
    pub fn geoip_path(&self) -> Option<PathBuf> {
        self.geoip_db.clone().or_else(|| {
            let default = PathBuf::from("data/country.mmdb");
            default.exists().then_some(default)
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

    /// Creates the directory of a SQLite file URL, so the default just works.
    pub fn ensure_sqlite_dir(&self) -> Result<(), StartError> {
        let Some(rest) = self.database_url.strip_prefix("sqlite://") else {
            return Ok(());
        };
        let file = rest.split('?').next().unwrap_or("");
        match Path::new(file).parent() {
            Some(dir) if !dir.as_os_str().is_empty() => {
                std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })
            }
            _ => Ok(()),
        }
    }

    /// The country database: the one asked for (which must open), the
    /// default one if it opens, or none.
    pub fn open_geoip(&self) -> Result<GeoIp, StartError> {
        let Some(path) = self.geoip_path() else {
            tracing::info!("no GeoIP database (set GEOIP_DB); locations will show as Unknown");
            return Ok(GeoIp::disabled());
        };
        match GeoIp::open(&path) {
            Ok(geo) => {
                tracing::info!(path = %path.display(), kind = ?geo.database_type(), "GeoIP database loaded");
                Ok(geo)
            }
            // Asked for explicitly: a typo should stop the start, not hide locations.
            Err(e) if self.geoip_db.is_some() => Err(e.into()),
            Err(e) => {
                tracing::warn!(error = %e, "GeoIP database unreadable; locations will show as Unknown");
                Ok(GeoIp::disabled())
            }
        }
    }

    pub fn store_config(&self) -> sessions::StoreConfig {
        sessions::StoreConfig {
            idle_timeout: self.session_idle_timeout,
            max_age: self.session_max_age,
            history_retention: self.history_retention,
            activity_flush_interval: self.activity_flush_interval,
            auth_cache_ttl: self.auth_cache_ttl,
            throttle: sessions::ThrottleConfig {
                max_failures_per_account: self.login_max_failures,
                max_failures_per_ip: self.login_max_failures_per_ip,
                window: self.login_lockout,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_spec() {
        let c = Config::try_parse_from(["sessionboard"]).unwrap();
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.session_idle_timeout, Duration::from_secs(14 * 86400));
        assert_eq!(c.session_max_age, Duration::from_secs(30 * 86400));
        assert_eq!(c.history_retention, Duration::from_secs(90 * 86400));
        assert!(!c.demo);
    }

    #[test]
    fn flags_parse() {
        let c = Config::try_parse_from([
            "sessionboard",
            "--demo",
            "--session-idle-timeout",
            "2h",
            "--public-origin",
            "https://Example.com/",
        ])
        .unwrap();
        assert!(c.demo);
        assert_eq!(c.session_idle_timeout, Duration::from_secs(7200));
        assert_eq!(c.origin().unwrap(), "https://example.com");
        let bad = Config::try_parse_from(["sessionboard", "--public-origin", "localhost"]).unwrap();
        assert!(bad.origin().is_err());
        assert!(Config::try_parse_from(["sessionboard", "--session-max-age", "forever"]).is_err());
    }
}
