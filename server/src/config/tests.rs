//! The configuration's parsing, checks and documentation.
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
fn help_never_prints_secrets() {
    use clap::CommandFactory;
    let command = Config::command();
    for name in ["SECRET_KEY", "SECRET_KEY_PREVIOUS", "SMTP_URL"] {
        let arg = command
            .get_arguments()
            .find(|a| a.get_env().is_some_and(|e| e == name))
            .unwrap();
        assert!(
            arg.is_hide_env_values_set(),
            "{name}'s value would be shown"
        );
    }
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
    assert!(Config::try_parse_from(["sessionboard", "--proxy-header", "via"]).is_err());
}

/// docs/configuration.md's table, row by row: variable, flag, default.
fn documented() -> std::collections::BTreeMap<String, (String, String)> {
    include_str!("../../../docs/configuration.md")
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let var = cells.first()?.strip_prefix("| `")?.strip_suffix('`')?;
            let flag = cells.get(1)?.trim_matches('`');
            let default = cells.get(2)?.to_string();
            flag.starts_with("--")
                .then(|| (var.to_owned(), (flag.to_owned(), default)))
        })
        .collect()
}

#[test]
fn docs_list_exactly_the_settings_the_server_accepts() {
    use clap::CommandFactory;
    let docs = documented();
    let command = Config::command();
    let mut accepted = std::collections::BTreeSet::new();
    for arg in command.get_arguments() {
        let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        let env = env.to_string_lossy().into_owned();
        let Some((flag, default)) = docs.get(&env) else {
            panic!("docs/configuration.md does not list {env}");
        };
        assert_eq!(flag, &format!("--{long}"), "the flag of {env}");
        if let Some(value) = arg.get_default_values().first() {
            let value = value.to_string_lossy();
            let shown = if value.is_empty() {
                "empty".to_owned()
            } else {
                format!("`{value}`")
            };
            assert_eq!(default, &shown, "the default of {env}");
        }
        accepted.insert(env);
    }
    let listed: std::collections::BTreeSet<_> = docs.keys().cloned().collect();
    assert_eq!(
        listed, accepted,
        "docs/configuration.md lists a variable the server does not accept"
    );
}

#[test]
fn a_shared_cookie_needs_https_and_a_parent_domain() {
    let scope = |origin: &str, domain: &str| {
        Config::try_parse_from([
            "sessionboard",
            "--public-origin",
            origin,
            "--cookie-domain",
            domain,
        ])
        .unwrap()
        .cookie_scope()
        .map(|s| s.domain)
        .map_err(|e| e.to_string())
    };
    assert_eq!(
        scope("https://auth.example.com", ".Example.com"),
        Ok(Some("example.com".to_owned()))
    );
    assert!(
        scope("http://auth.example.com", "example.com")
            .unwrap_err()
            .contains("https")
    );
    assert!(
        scope("https://auth.example.org", "example.com")
            .unwrap_err()
            .contains("not in")
    );
    assert!(scope("https://auth.example.com", "ample.com").is_err());
    assert!(scope("https://127.0.0.1", "127.0.0.1").is_err());
    let none = Config::try_parse_from(["sessionboard"]).unwrap();
    assert_eq!(none.cookie_scope().unwrap().domain, None);
}

#[test]
fn an_apps_file_is_checked_at_start_with_its_path_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("apps.toml");
    std::fs::write(&path, "[[app]]\nname = \"Wiki\"\nurl = \"ftp://wiki\"\n").unwrap();
    let c =
        Config::try_parse_from(["sessionboard", "--apps-file", path.to_str().unwrap()]).unwrap();
    let err = c.apps().unwrap_err().to_string();
    assert!(
        err.contains("apps.toml") && err.contains("\"Wiki\"") && err.contains("url"),
        "{err}"
    );
    let missing =
        Config::try_parse_from(["sessionboard", "--apps-file", "/nonexistent/apps.toml"]).unwrap();
    assert!(
        missing
            .apps()
            .unwrap_err()
            .to_string()
            .contains("/nonexistent/apps.toml")
    );
}

#[test]
fn nonsense_stops_the_start_with_a_clear_message() {
    let c = Config::try_parse_from(["sessionboard", "--activity-flush-interval", "0s"]).unwrap();
    let err = c.store_config().unwrap_err().to_string();
    assert!(err.contains("ACTIVITY_FLUSH_INTERVAL"), "{err}");
    let c = Config::try_parse_from(["sessionboard", "--session-idle-timeout", "60d"]).unwrap();
    assert!(c.store_config().is_err());
    let c = Config::try_parse_from(["sessionboard"]).unwrap();
    assert!(c.store_config().is_ok());
}
