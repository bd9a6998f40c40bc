//! The browser and platform names the store keeps. uap-core takes some
//! families from a capture group of the user agent, so a client could name
//! its "browser" anything (a sentence, a URL): only these names are kept.
use super::UAP_REGEXES;
use std::sync::LazyLock;

/// Names the store keeps and pages, notices and mails show. uap-core takes
/// some families from a capture group of the user agent, so a client could
/// name its "browser" anything (a sentence, a URL): only names from these
/// lists are kept, anything else is "Other".
struct KnownNames {
    browsers: std::collections::HashSet<&'static str>,
    platforms: std::collections::HashSet<&'static str>,
}

/// Common families uap-core takes from a capture group.
const BROWSERS: &[&str] = &[
    "Chrome",
    "Chrome Mobile",
    "Chrome Mobile iOS",
    "Chrome Mobile WebView",
    "Chromium",
    "HeadlessChrome",
    "Firefox",
    "Firefox Mobile",
    "Firefox iOS",
    "Firefox Beta",
    "Firefox Alpha",
    "Safari",
    "Mobile Safari",
    "Mobile Safari UI/WKWebView",
    "Edge",
    "Edge Mobile",
    "Opera",
    "Opera Mobile",
    "Opera Mini",
    "Opera Touch",
    "Samsung Internet",
    "UC Browser",
    "Yandex Browser",
    "Vivaldi",
    "Brave",
    "IE",
    "IE Mobile",
    "Silk",
    "QQ Browser",
    "QQ Browser Mobile",
    "Baidu Browser",
    "Sogou Explorer",
    "Maxthon",
    "Pale Moon",
    "SeaMonkey",
    "Waterfox",
    "Konqueror",
    "Epiphany",
    "Midori",
    "Iceweasel",
    "Camino",
    "Thunderbird",
    "Android",
    "BlackBerry WebKit",
    "Puffin",
    "DuckDuckGo Mobile",
    "Facebook",
    "Instagram",
    "WhatsApp",
    "Twitter",
    "LinkedIn",
    "Pinterest",
    "Snapchat",
    "Amazon Silk",
    "Coc Coc",
    "MIUI Browser",
    "Mint Browser",
    "Huawei Browser",
    "Oculus Browser",
    "Sleipnir",
    "Iron",
    "Avast Secure Browser",
    "AVG Secure Browser",
    "Whale",
    "Naver",
    "Googlebot",
    "bingbot",
    "Applebot",
    "curl",
    "Wget",
    "Python Requests",
    "python-requests",
    "Python-urllib",
    "Go-http-client",
    "okhttp",
    "Apache-HttpClient",
    "Java",
    "PhantomJS",
    "Electron",
    "Postman",
    "PostmanRuntime",
    "Insomnia",
    "HTTPie",
    "Scrapy",
    "aiohttp",
    "axios",
    "node-fetch",
    "undici",
    "Guzzle",
    "libwww-perl",
];

/// Common families uap-core takes from a capture group, as shown.
const PLATFORMS: &[&str] = &[
    "Windows",
    "macOS",
    "iOS",
    "iPadOS",
    "Android",
    "Linux",
    "ChromeOS",
    "Ubuntu",
    "Kubuntu",
    "Xubuntu",
    "Linux Mint",
    "Fedora",
    "Debian",
    "Red Hat",
    "CentOS",
    "SUSE",
    "openSUSE",
    "Arch Linux",
    "Gentoo",
    "Mageia",
    "Slackware",
    "FreeBSD",
    "OpenBSD",
    "NetBSD",
    "Solaris",
    "Windows Phone",
    "Windows Mobile",
    "Windows RT",
    "BlackBerry OS",
    "BlackBerry Tablet OS",
    "Tizen",
    "KaiOS",
    "HarmonyOS",
    "watchOS",
    "tvOS",
    "Symbian OS",
    "Firefox OS",
    "webOS",
    "Fire OS",
    "Roku",
    "PlayStation",
    "Nintendo",
    "Xbox",
    "Unknown",
];

static KNOWN: LazyLock<KnownNames> = LazyLock::new(|| {
    // uap-core's own names: the replacements it writes (none with `$`).
    let written = |key: &str| -> Vec<&'static str> {
        UAP_REGEXES
            .lines()
            .filter_map(|l| l.trim().strip_prefix(key))
            .map(|v| v.trim().trim_matches('\'').trim_matches('"'))
            .filter(|v| !v.is_empty() && !v.contains('$') && v.len() <= 48)
            .collect()
    };
    let mut browsers: std::collections::HashSet<_> = BROWSERS.iter().copied().collect();
    browsers.extend(written("family_replacement:"));
    let mut platforms: std::collections::HashSet<_> = PLATFORMS.iter().copied().collect();
    platforms.extend(
        written("os_replacement:")
            .into_iter()
            .map(super::platform_name),
    );
    KnownNames {
        browsers,
        platforms,
    }
});

/// `name` if it is a known browser, else "Other".
pub(crate) fn known_browser(name: &str) -> &str {
    if KNOWN.browsers.contains(name) {
        name
    } else {
        "Other"
    }
}

/// `name` if it is a known platform, else "Other".
pub(crate) fn known_platform(name: &str) -> &str {
    if KNOWN.platforms.contains(name) {
        name
    } else {
        "Other"
    }
}
