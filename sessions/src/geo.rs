//! IP address → country, with `maxminddb`. Names and flags are the app's.
use crate::StartupError;
use serde::Deserialize;
use std::net::IpAddr;
use std::path::Path;

/// Where a session's IP address is, as shown on its card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A country, by ISO 3166-1 alpha-2 code.
    Country(String),
    /// A private, loopback or link-local address.
    LocalNetwork,
    /// Not in the database, or no database configured.
    Unknown,
}

impl Location {
    /// The location of `ip` given its stored country code.
    pub fn from_parts(ip: Option<IpAddr>, country_code: Option<&str>) -> Self {
        match (ip, country_code) {
            (Some(ip), _) if is_local(ip) => Self::LocalNetwork,
            (_, Some(code)) if code.len() == 2 => Self::Country(code.to_ascii_uppercase()),
            _ => Self::Unknown,
        }
    }
}

/// Private, loopback, link-local, unique-local and unspecified addresses.
pub fn is_local(ip: IpAddr) -> bool {
    match crate::client_ip::canonical(ip) {
        IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // fc00::/7 unique local
                || (first & 0xffc0) == 0xfe80 // fe80::/10 link local
        }
    }
}

#[derive(Deserialize)]
struct IsoCode<'a> {
    #[serde(borrow)]
    iso_code: Option<&'a str>,
}

/// Both layouts at once: GeoIP2 (`country.iso_code`, falling back to
/// `registered_country`) and the flat DB-IP / ip-location-db `country_code`.
#[derive(Deserialize)]
struct CountryRecord<'a> {
    #[serde(borrow)]
    country: Option<IsoCode<'a>>,
    #[serde(borrow)]
    registered_country: Option<IsoCode<'a>>,
    #[serde(borrow)]
    country_code: Option<&'a str>,
}

/// A country database, or none (every lookup is then unknown).
pub struct GeoIp {
    reader: Option<maxminddb::Reader<Vec<u8>>>,
    dbip: bool,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoIp")
            .field("database_type", &self.database_type())
            .field("dbip", &self.dbip)
            .finish()
    }
}

impl GeoIp {
    /// No database: every public address is "Unknown".
    pub fn disabled() -> Self {
        Self {
            reader: None,
            dbip: false,
        }
    }

    /// Opens a MaxMind-format `.mmdb` (country or city database).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StartupError> {
        let path = path.as_ref();
        let reader = maxminddb::Reader::open_readfile(path).map_err(|e| StartupError::GeoIp {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let meta = reader.metadata();
        let described_as_dbip = meta
            .description
            .values()
            .any(|d| d.to_ascii_lowercase().contains("db-ip"));
        let named_dbip = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase().contains("dbip"))
            .unwrap_or(false);
        // `make run` keeps DB-IP's licence next to the file it fetched.
        let licence_beside = path
            .parent()
            .is_some_and(|dir| dir.join("DBIP-LICENSE").exists());
        let dbip = described_as_dbip
            || named_dbip
            || licence_beside
            || meta.database_type.to_ascii_lowercase().contains("dbip");
        Ok(Self {
            reader: Some(reader),
            dbip,
        })
    }

    /// The database's own type name, e.g. "GeoIP2-Country".
    pub fn database_type(&self) -> Option<&str> {
        self.reader
            .as_ref()
            .map(|r| r.metadata().database_type.as_str())
    }

    /// Whether results come from DB-IP, whose licence asks pages to say so.
    pub fn requires_dbip_attribution(&self) -> bool {
        self.dbip
    }

    /// The ISO code of `ip`'s country, if the database knows it.
    pub fn country_code(&self, ip: IpAddr) -> Option<String> {
        let reader = self.reader.as_ref()?;
        let ip = crate::client_ip::canonical(ip);
        let record: CountryRecord<'_> = reader.lookup(ip).ok()?.decode().ok()??;
        record
            .country
            .and_then(|c| c.iso_code)
            .or(record.country_code)
            .or_else(|| record.registered_country.and_then(|c| c.iso_code))
            .filter(|c| c.len() == 2)
            .map(str::to_ascii_uppercase)
    }

    /// Where `ip` is.
    pub fn locate(&self, ip: IpAddr) -> Location {
        if is_local(ip) {
            return Location::LocalNetwork;
        }
        self.country_code(ip)
            .map(Location::Country)
            .unwrap_or(Location::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        for ip in [
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "127.0.0.1",
            "169.254.1.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_local(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "81.2.69.142", "2001:218::1"] {
            assert!(!is_local(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn locations_from_stored_parts() {
        assert_eq!(
            Location::from_parts(Some("10.0.0.1".parse().unwrap()), Some("US")),
            Location::LocalNetwork
        );
        assert_eq!(
            Location::from_parts(None, Some("se")),
            Location::Country("SE".into())
        );
        assert_eq!(Location::from_parts(None, None), Location::Unknown);
    }

    #[test]
    fn disabled_database_is_unknown_not_an_error() {
        let geo = GeoIp::disabled();
        assert_eq!(geo.locate("8.8.8.8".parse().unwrap()), Location::Unknown);
        assert_eq!(
            geo.locate("10.1.2.3".parse().unwrap()),
            Location::LocalNetwork
        );
        assert!(!geo.requires_dbip_attribution());
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let err = GeoIp::open("/nonexistent/country.mmdb").unwrap_err();
        assert!(err.to_string().contains("/nonexistent/country.mmdb"));
    }
}
