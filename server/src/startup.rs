//! Start-up steps that touch the machine: the data directory, the country
//! database.
use crate::StartError;
use crate::config::Config;
use sessions::GeoIp;
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
}
