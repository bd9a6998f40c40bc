//! Start-up steps that touch the machine: the data directory, the country
//! database, the secret key.
use crate::StartError;
use crate::config::Config;
use sessions::{GeoIp, SecretKey};
use std::io::Write;
use std::path::Path;

impl Config {
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

    /// The keys it replaced (`SECRET_KEY_PREVIOUS`), which still open what
    /// they sealed.
    pub fn previous_keys(&self) -> Result<Vec<SecretKey>, StartError> {
        self.secret_key_previous
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                SecretKey::parse(t).ok_or_else(|| {
                    StartError::SecretKey(
                        "each SECRET_KEY_PREVIOUS must be 43 characters of URL-safe base64".into(),
                    )
                })
            })
            .collect()
    }

    /// The key that seals two-factor secrets: `SECRET_KEY`, else the key
    /// file, else (on SQLite only) a new key written there (readable by
    /// the owner only; several processes starting at once agree on one).
    /// Several servers on PostgreSQL must share one key: none is made up
    /// for them, which would give each server its own.
    pub fn secret_key(&self) -> Result<SecretKey, StartError> {
        let bad = |what: &str| StartError::SecretKey(what.to_owned());
        if let Some(text) = &self.secret_key {
            return SecretKey::parse(text)
                .ok_or_else(|| bad("SECRET_KEY must be 43 characters of URL-safe base64"));
        }
        let path = &self.secret_key_file;
        let shown = path.display().to_string();
        if let Ok(text) = std::fs::read_to_string(path) {
            return SecretKey::parse(&text)
                .ok_or_else(|| bad(&format!("{shown} does not hold a key")));
        }
        if !sessions::db::is_sqlite(&self.database_url) {
            return Err(bad(&format!(
                "with PostgreSQL, every server needs the same key: set SECRET_KEY, or put one in \
                 {shown} (SECRET_KEY_FILE) on each server, e.g. \
                 `head -c 32 /dev/urandom | basenc --base64url | tr -d '=' > {shown}`"
            )));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| bad(&format!("{}: {e}", dir.display())))?;
        }
        let key = SecretKey::generate();
        // Written whole elsewhere, then linked in place: another server
        // starting now either wins the link or reads the finished file.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut file = owner_only(&tmp).map_err(|e| bad(&format!("{}: {e}", tmp.display())))?;
        file.write_all(key.expose_secret().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| bad(&format!("{}: {e}", tmp.display())))?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::warn!(path = %shown, "generated a new SECRET_KEY: back this file up with the database (without it, two-factor secrets cannot be read)");
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| bad(&format!("{shown}: {e}")))?;
                SecretKey::parse(&text).ok_or_else(|| bad(&format!("{shown} does not hold a key")))
            }
            Err(e) => Err(bad(&format!("{shown}: {e}"))),
        }
    }
}

fn owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_key_is_made_once_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/secret.key");
        let config =
            Config::try_parse_from(["sessionboard", "--secret-key-file", file.to_str().unwrap()])
                .unwrap();
        let made = config.secret_key().unwrap();
        let again = config.secret_key().unwrap();
        assert_eq!(made.expose_secret(), again.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let explicit = Config::try_parse_from(["sessionboard", "--secret-key", "short"]).unwrap();
        assert!(explicit.secret_key().is_err());
        std::fs::write(&file, "garbage").unwrap();
        assert!(
            config.secret_key().is_err(),
            "a damaged file stops the start"
        );
    }

    #[test]
    fn postgresql_without_a_key_refuses_to_start() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret.key");
        let args = [
            "sessionboard",
            "--database-url",
            "postgres://x@127.0.0.1/sb",
            "--secret-key-file",
            file.to_str().unwrap(),
        ];
        let config = Config::try_parse_from(args).unwrap();
        let err = config.secret_key().unwrap_err().to_string();
        assert!(err.contains("same key"), "{err}");
        assert!(!file.exists(), "no per-host key was made");
        let key = SecretKey::generate();
        std::fs::write(&file, key.expose_secret()).unwrap();
        assert_eq!(config.secret_key().unwrap().id(), key.id());
        let with_old = Config::try_parse_from([
            "sessionboard",
            "--secret-key-previous",
            &format!(
                "{}, {}",
                key.expose_secret(),
                SecretKey::generate().expose_secret()
            ),
        ])
        .unwrap();
        assert_eq!(with_old.previous_keys().unwrap().len(), 2);
    }
}
