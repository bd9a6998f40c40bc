//! User-agent classification: uap-core's own test files, and our device-type table.
use serde::Deserialize;
use sessions::{DeviceType, UserAgentClassifier};

#[derive(Deserialize)]
struct Cases {
    test_cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    user_agent_string: String,
    family: String,
    major: Option<String>,
}

fn load(name: &str) -> Vec<Case> {
    let path = format!("{}/tests/fixtures/uap/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str::<Cases>(&text).unwrap().test_cases
}

fn check(name: &str, parse: impl Fn(&str) -> (String, Option<String>)) {
    let cases = load(name);
    assert!(cases.len() > 100, "{name} has too few cases");
    let mut failures = Vec::new();
    for c in &cases {
        let (family, major) = parse(&c.user_agent_string);
        let want_major = c.major.clone().filter(|m| !m.is_empty());
        if family != c.family || major.filter(|m| !m.is_empty()) != want_major {
            failures.push(format!(
                "{:?}: want {} {:?}, got {family}",
                c.user_agent_string, c.family, want_major
            ));
        }
    }
    println!("{name}: {} cases, {} failures", cases.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{name}: {} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(30)].join("\n")
    );
}

#[test]
fn uap_core_browser_cases_pass() {
    let parser = UserAgentClassifier::global().parser();
    check("test_ua.yaml", |ua| {
        let p = parser.parse_product(ua);
        (
            p.name.as_deref().unwrap_or("Other").to_owned(),
            p.major.map(|m| m.into_owned()),
        )
    });
}

#[test]
fn uap_core_os_cases_pass() {
    let parser = UserAgentClassifier::global().parser();
    check("test_os.yaml", |ua| {
        let o = parser.parse_os(ua);
        (
            o.name.as_deref().unwrap_or("Other").to_owned(),
            o.major.map(|m| m.into_owned()),
        )
    });
}

use DeviceType::*;

/// (user agent, device type, platform, browser) — platform and browser are
/// checked when given.
const TABLE: &[(&str, DeviceType, Option<&str>, Option<&str>)] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        Desktop,
        Some("Windows"),
        Some("Chrome 124"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        Desktop,
        Some("Windows"),
        Some("Firefox 125"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        Desktop,
        Some("macOS"),
        Some("Safari 17"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
        Desktop,
        Some("Windows"),
        Some("Edge 124"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        Desktop,
        Some("Linux"),
        Some("Firefox 125"),
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        Desktop,
        Some("ChromeOS"),
        Some("Chrome 124"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0",
        Desktop,
        Some("Windows"),
        Some("Opera 110"),
    ),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; SLCC2; .NET CLR 2.0.50727; Tablet PC 2.0; rv:11.0) like Gecko",
        Desktop,
        Some("Windows"),
        Some("IE 11"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        Desktop,
        Some("Linux"),
        Some("Chrome 124"),
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
        Desktop,
        Some("Ubuntu"),
        Some("Firefox 124"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
        Desktop,
        Some("macOS"),
        Some("Firefox 125"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        Mobile,
        Some("iOS"),
        Some("Mobile Safari 17"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        Mobile,
        Some("iOS"),
        Some("Chrome Mobile iOS 124"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
        Mobile,
        Some("Android"),
        Some("Chrome Mobile 124"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        Mobile,
        Some("Android"),
        Some("Samsung Internet 24"),
    ),
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
        Mobile,
        Some("Android"),
        Some("Firefox Mobile 125"),
    ),
    (
        "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.14977",
        Mobile,
        None,
        None,
    ),
    (
        "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
        Mobile,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (BB10; Touch) AppleWebKit/537.10+ (KHTML, like Gecko) Version/10.0.9.2372 Mobile Safari/537.10+",
        Mobile,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (iPod touch; CPU iPhone OS 12_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1",
        Mobile,
        Some("iOS"),
        None,
    ),
    (
        "Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5",
        Mobile,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.29.106;]",
        Mobile,
        Some("iOS"),
        None,
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        Mobile,
        Some("Android"),
        None,
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        Tablet,
        Some("iOS"),
        None,
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        Tablet,
        Some("Android"),
        Some("Chrome 124"),
    ),
    (
        "Mozilla/5.0 (Android 13; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0",
        Tablet,
        Some("Android"),
        None,
    ),
    (
        "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.3.1 like Chrome/124.0.6367.82 Safari/537.36",
        Tablet,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (X11; U; Linux armv7l like Android; en-us) AppleWebKit/531.2+ (KHTML, like Gecko) Version/5.0 Safari/533.2+ Kindle/3.0+",
        Tablet,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        Tablet,
        Some("iOS"),
        None,
    ),
    (
        "Mozilla/5.0 (Linux; Android 4.4.2; Nexus 7 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/34.0.1847.114 Safari/537.36",
        Tablet,
        Some("Android"),
        None,
    ),
    (
        "Mozilla/5.0 (PlayBook; U; RIM Tablet OS 2.1.0; en-US) AppleWebKit/536.2+ (KHTML, like Gecko) Version/7.2.1.0 Safari/536.2+",
        Tablet,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        Bot,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        Bot,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        Bot,
        None,
        None,
    ),
    ("curl/8.5.0", Bot, None, None),
    ("Wget/1.21.4", Bot, None, None),
    ("python-requests/2.31.0", Bot, None, None),
    ("Go-http-client/1.1", Bot, None, None),
    ("okhttp/4.12.0", Bot, None, None),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.29 Safari/537.36",
        Bot,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1",
        Bot,
        None,
        None,
    ),
    ("Apache-HttpClient/4.5.14 (Java/17.0.8)", Bot, None, None),
    (
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        Bot,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36",
        Other,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager",
        Other,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15",
        Other,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edge/44.18363.8131",
        Other,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.15.4 NintendoBrowser/5.1.0.20393",
        Other,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.198 Safari/537.36 CrKey/1.56.500000",
        Other,
        None,
        None,
    ),
    ("Roku/DVP-9.10 (519.10E04111A)", Other, None, None),
    (
        "Mozilla/5.0 (Linux; Android 9; BRAVIA 4K GB ATV3 Build/PTT1.190515.001.S52) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        Other,
        None,
        None,
    ),
    (
        "Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) Silk/98.3.1 like Chrome/98.0.4758.101 Safari/537.36",
        Other,
        None,
        None,
    ),
    ("", Other, Some("Unknown"), Some("Unknown")),
    ("SomethingWeird/1.0", Other, None, None),
];

#[test]
fn device_types_match_our_rules() {
    assert!(TABLE.len() >= 40);
    let classifier = UserAgentClassifier::global();
    let mut failures = Vec::new();
    for (ua, device, platform, browser) in TABLE {
        let info = classifier.classify(ua);
        let got_browser = if info.browser_version.is_empty() {
            info.browser_name.clone()
        } else {
            format!("{} {}", info.browser_name, info.browser_version)
        };
        if info.device_type != *device
            || platform.is_some_and(|p| p != info.platform)
            || browser.is_some_and(|b| b != got_browser)
        {
            failures.push(format!(
                "{ua:?}: want {device:?}/{platform:?}/{browser:?}, got {:?}/{}/{got_browser}",
                info.device_type, info.platform
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Slowest classification seen by the property below, in microseconds.
static SLOWEST_US: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

proptest::proptest! {
    /// Any user agent up to the stored 512 bytes — printable noise, or
    /// real agents with noise spliced in — classifies without a panic and
    /// in bounded time (the regex engine is linear; a blow-up would be a
    /// bug worth failing on). `PROPTEST_CASES=200000` runs it as a fuzz
    /// campaign.
    #[test]
    fn any_user_agent_classifies_in_bounded_time(
        noise in "[ -~]{0,512}",
        base in proptest::sample::select(TABLE.iter().map(|t| t.0).collect::<Vec<_>>()),
        at in 0usize..512,
        spliced: bool,
    ) {
        let classifier = UserAgentClassifier::global();
        let ua = if spliced {
            let cut = base.len().min(at);
            format!("{}{}{}", &base[..cut], noise, &base[cut..])
        } else {
            noise
        };
        let ua = sessions::agent::truncate_user_agent(&ua);
        let started = std::time::Instant::now();
        let info = classifier.classify(ua);
        let took = started.elapsed();
        let us = took.as_micros() as u64;
        if SLOWEST_US.fetch_max(us, std::sync::atomic::Ordering::Relaxed) < us {
            // A new record: seen with `-- --nocapture` in a long run.
            println!("slowest classification so far: {us} µs ({} bytes)", ua.len());
        }
        proptest::prop_assert!(!info.platform.is_empty() && !info.browser_name.is_empty());
        // Only known names: never a URL, never long, a version of digits.
        for name in [&info.platform, &info.browser_name] {
            proptest::prop_assert!(name.len() <= 48 && !name.contains("://"), "{name:?}");
        }
        proptest::prop_assert!(info.browser_version.bytes().all(|b| b.is_ascii_digit()));
        proptest::prop_assert!(took < std::time::Duration::from_secs(2), "{took:?} for {ua:?}");
    }
}

/// uap-core takes some families from the user agent itself, so a client
/// can name its "browser" a sentence; only known names are kept.
#[test]
fn a_browser_name_chosen_by_the_client_is_never_kept() {
    let classifier = UserAgentClassifier::global();
    for (ua, raw) in [
        (
            "Mozilla/5.0 (Windows NT 10.0) Its_you_Review_at_evil_example_Spider/2.1",
            "Its_you_Review_at_evil_example_Spider",
        ),
        (
            "Mozilla/5.0 (compatible; ItWasYouReviewAtEvil bot; +https://evil.example)",
            "ItWasYouReviewAtEvil bot",
        ),
    ] {
        let family = classifier
            .parser()
            .parse_product(ua)
            .name
            .map(|n| n.into_owned());
        assert_eq!(
            family.as_deref(),
            Some(raw),
            "uap still returns the client's text"
        );
        assert_eq!(classifier.classify(ua).browser_name, "Other");
    }
    let real = classifier.classify(TABLE[0].0);
    assert_eq!(real.browser_name, "Chrome");
}
