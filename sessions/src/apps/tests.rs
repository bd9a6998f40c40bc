use super::*;
use chrono::DateTime;
use proptest::prelude::*;

const FILE: &str = r#"
[[app]]
name = "Wiki"                          # shown on cards and in notices
url = "https://wiki.example.com/"
allow = ["alice", "bob"]
require_two_factor = true

[[app]]
name = "Photos"
url = "https://example.com/photos/"

[[app]]
name = "Home"
url = "https://example.com"
"#;

const OWN: &str = "https://sessions.example.com";

fn apps() -> Apps {
    Apps::from_toml(FILE).unwrap()
}

fn session(username: &str, auth_method: AuthMethod) -> CurrentSession {
    CurrentSession {
        row_id: 1,
        public_id: "p".into(),
        user_id: 1,
        username: username.into(),
        created_at: DateTime::default(),
        auth_method,
        scope: None,
    }
}

#[test]
fn the_shape_people_share_reads_as_written() {
    let apps = apps();
    let wiki = apps.named("Wiki").unwrap();
    assert!(wiki.require_two_factor);
    assert_eq!(
        apps.for_url("https://wiki.example.com/page?x=1")
            .map(|a| &a.name[..]),
        Some("Wiki")
    );
    // The longest prefix wins; the bare origin takes the rest.
    assert_eq!(
        apps.for_url("https://example.com/photos/2024/a.jpg")
            .map(|a| &a.name[..]),
        Some("Photos")
    );
    assert_eq!(
        apps.for_url("https://example.com/photosx")
            .map(|a| &a.name[..]),
        Some("Home")
    );
    assert_eq!(
        apps.for_url("https://EXAMPLE.com:443/")
            .map(|a| &a.name[..]),
        Some("Home")
    );
    // Another scheme, port or host is another origin.
    assert!(apps.for_url("http://wiki.example.com/").is_none());
    assert!(apps.for_url("https://wiki.example.com:8443/").is_none());
    assert!(apps.for_url("https://evil.example.com/").is_none());
    assert!(Apps::from_toml("").unwrap().is_empty());
}

#[test]
fn who_may_reach_an_app() {
    let apps = apps();
    let wiki = apps.named("Wiki").unwrap();
    let home = apps.named("Home").unwrap();
    use AuthMethod::*;
    assert_eq!(
        wiki.reach(&session("carol", PasswordAndAuthenticator)),
        Reach::NotAllowed
    );
    assert_eq!(
        wiki.reach(&session("Alice", Password)),
        Reach::SecondFactorRequired
    );
    assert_eq!(
        wiki.reach(&session("alice", PasswordAndAuthenticator)),
        Reach::Allowed
    );
    assert_eq!(
        wiki.reach(&session("bob", PasswordAndRecoveryCode)),
        Reach::Allowed
    );
    assert_eq!(home.reach(&session("carol", Password)), Reach::Allowed);
}

#[test]
fn a_bad_file_names_the_app_and_the_field() {
    let refused = |text: &str| Apps::from_toml(text).unwrap_err().to_string();
    assert!(
        refused("[[app]]\nname = \"Wiki\"\nurl = \"wiki.example.com\"\n")
            .starts_with("app \"Wiki\": url:")
    );
    assert!(
        refused("[[app]]\nname = \"Wiki\"\nurl = \"ftp://wiki.example.com/\"\n").contains("url")
    );
    assert!(
        refused("[[app]]\nname = \"Wiki\"\nurl = \"https://u:p@wiki.example.com/\"\n")
            .contains("user name or password")
    );
    assert!(
        refused("[[app]]\nname = \"\"\nurl = \"https://a.example/\"\n")
            .starts_with("app \"#1\": name:")
    );
    assert!(
        refused("[[app]]\nname = \"A\"\nurl = \"https://a.example/\"\nallow = [\"\"]\n")
            .starts_with("app \"A\": allow:")
    );
    assert!(
        refused("[[app]]\nname = \"A\"\nurl = \"https://a.example/\"\nrequire_2fa = true\n")
            .contains("unknown field")
    );
    assert!(refused("[[app]]\nname = \"A\"\nurl = \"https://a.example/\"\n[[app]]\nname = \"a\"\nurl = \"https://b.example/\"\n").contains("another app has this name"));
    assert!(refused("[[app]]\nname = \"A\"\nurl = \"https://a.example/x\"\n[[app]]\nname = \"B\"\nurl = \"https://a.example/x/\"\n").contains("another app has this address"));
    assert!(refused("[[app]]\nname = \"A\"\n").contains("missing field `url`"));
}

#[test]
fn a_return_address_lands_on_an_app_or_here_and_nowhere_else() {
    let apps = apps();
    let ok = |rd: &str| apps.return_to(rd, OWN);
    assert_eq!(
        ok("https://wiki.example.com/page?x=1#top").as_deref(),
        Some("https://wiki.example.com/page?x=1#top")
    );
    assert_eq!(
        ok("https://WIKI.example.com/").as_deref(),
        Some("https://wiki.example.com/")
    );
    assert_eq!(
        ok("/sessions").as_deref(),
        Some("https://sessions.example.com/sessions")
    );
    assert_eq!(
        ok("https://example.com/photos/a").as_deref(),
        Some("https://example.com/photos/a")
    );
    for evil in [
        "//evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "https://wiki.example.com@evil.example/",
        "https://alice@wiki.example.com/",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "http://wiki.example.com/",
        "https://wiki.example.com.evil.example/",
        "https://xn--wiki-evil.example/",
        "https://wiki.example.com:444/",
        " https://wiki.example.com/",
        "https://evil.example\t/",
        "",
        "https://evil.example%2F@wiki.example.com/",
    ] {
        assert_eq!(ok(evil), None, "{evil:?}");
    }
    // A scheme without slashes is a path here, as in the browser, and the
    // answer is absolute: it cannot leave.
    assert_eq!(
        ok("https:evil.example").as_deref(),
        Some("https://sessions.example.com/evil.example")
    );
    // An IDN host is compared as the browser will resolve it.
    let idn =
        Apps::from_toml("[[app]]\nname = \"B\"\nurl = \"https://bücher.example/\"\n").unwrap();
    assert_eq!(
        idn.return_to("https://BÜCHER.example/x", OWN).as_deref(),
        Some("https://xn--bcher-kva.example/x")
    );
    // Dot segments are resolved before the prefix is checked.
    assert_eq!(
        ok("https://example.com/photos/../admin").as_deref(),
        Some("https://example.com/admin")
    );
    let only_photos =
        Apps::from_toml("[[app]]\nname = \"P\"\nurl = \"https://example.com/photos/\"\n").unwrap();
    assert_eq!(
        only_photos.return_to("https://example.com/photos/%2e%2e/admin", OWN),
        None
    );
    assert_eq!(
        only_photos.return_to("https://example.com/photos/../admin", OWN),
        None
    );
}

/// Pieces that URL tricks are made of.
fn piece() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "/",
        "//",
        "\\",
        "\\\\",
        "@",
        ":",
        "%2F",
        "%2f",
        "%5C",
        "%40",
        "%2e",
        ".",
        "..",
        "?",
        "#",
        "evil.example",
        "EVIL.example",
        "wiki.example.com",
        "example.com",
        "sessions.example.com",
        "https:",
        "http:",
        "javascript:",
        "HTTPS:",
        "photos",
        "xn--",
        "ü",
        "%00",
        "\t",
        " ",
        "443",
        "8080",
        "user",
        "a",
    ])
    .prop_map(str::to_owned)
}

proptest! {
    #[test]
    fn whatever_is_accepted_is_ours_or_an_apps(pieces in prop::collection::vec(piece(), 0..10)) {
        let apps = apps();
        let rd: String = pieces.concat();
        if let Some(to) = apps.return_to(&rd, OWN) {
            let url = Url::parse(&to).unwrap();
            prop_assert!(matches!(url.scheme(), "http" | "https"));
            prop_assert!(url.username().is_empty() && url.password().is_none());
            let ours = url.origin() == Url::parse(OWN).unwrap().origin();
            prop_assert!(ours || apps.for_url(&to).is_some(), "{rd:?} -> {to:?}");
            // What the browser will read back is what was checked.
            prop_assert_eq!(Url::parse(&to).unwrap().to_string(), to);
        }
    }
}
