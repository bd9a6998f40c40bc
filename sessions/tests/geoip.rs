//! IP → country against MaxMind's test databases and a flat-layout database.
use sessions::{GeoIp, Location};
use std::net::IpAddr;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/geoip/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn geoip2_layout_country_and_city_databases() {
    for db in [
        "GeoIP2-Country-Test.mmdb",
        "GeoIP2-City-Test.mmdb",
        "GeoLite2-Country-Test.mmdb",
    ] {
        let geo = GeoIp::open(fixture(db)).unwrap();
        assert_eq!(
            geo.locate(ip("81.2.69.142")),
            Location::Country("GB".into()),
            "{db}"
        );
        assert_eq!(
            geo.locate(ip("2001:218::1")),
            Location::Country("JP".into()),
            "{db}"
        );
        assert_eq!(
            geo.locate(ip("89.160.20.128")),
            Location::Country("SE".into()),
            "{db}"
        );
        assert_eq!(
            geo.locate(ip("216.160.83.56")),
            Location::Country("US".into()),
            "{db}"
        );
        assert_eq!(geo.locate(ip("10.1.2.3")), Location::LocalNetwork, "{db}");
        assert_eq!(geo.locate(ip("127.0.0.1")), Location::LocalNetwork, "{db}");
        assert_eq!(geo.locate(ip("8.8.8.8")), Location::Unknown, "{db}");
        assert!(!geo.requires_dbip_attribution());
    }
}

#[test]
fn flat_country_code_layout() {
    // Built by tests/fixtures/geoip/make_flat.py in the DB-IP lite layout.
    let geo = GeoIp::open(fixture("dbip-flat-test.mmdb")).unwrap();
    assert_eq!(
        geo.locate(ip("81.2.69.142")),
        Location::Country("GB".into())
    );
    assert_eq!(geo.locate(ip("8.8.8.8")), Location::Country("US".into()));
    assert_eq!(
        geo.locate(ip("2001:218::1")),
        Location::Country("JP".into())
    );
    assert_eq!(geo.locate(ip("1.1.1.1")), Location::Unknown);
    assert!(geo.requires_dbip_attribution());
}

#[test]
fn no_database_means_unknown() {
    let geo = GeoIp::disabled();
    assert_eq!(geo.locate(ip("81.2.69.142")), Location::Unknown);
    assert_eq!(geo.locate(ip("10.1.2.3")), Location::LocalNetwork);
}

#[test]
fn dbip_licence_beside_the_file_means_attribution() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("country.mmdb");
    std::fs::copy(fixture("GeoIP2-Country-Test.mmdb"), &db).unwrap();
    assert!(!GeoIp::open(&db).unwrap().requires_dbip_attribution());
    std::fs::write(dir.path().join("DBIP-LICENSE"), "CC BY 4.0").unwrap();
    assert!(GeoIp::open(&db).unwrap().requires_dbip_attribution());
}
