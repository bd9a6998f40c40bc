//! User agent → device type, platform, browser: with the `user-agent-parser`
//! crate over uap-core's vendored `regexes.yaml` (its Unicode classes
//! rewritten to ASCII, `rules`), plus our device-type rules. The server
//! classifies on one dedicated thread (`worker`).
mod names;
mod rules;
mod worker;

pub use worker::UserAgents;

use crate::StartupError;
use crate::model::DeviceType;
use std::sync::LazyLock;
use user_agent_parser::UserAgentParser;

/// uap-core's rules (Apache-2.0, see `data/uap/LICENSE`), built into the binary.
pub const UAP_REGEXES: &str = include_str!("../../data/uap/regexes.yaml");

/// Longest user agent the store keeps (and classifies), in bytes.
pub const MAX_USER_AGENT_BYTES: usize = 512;

/// What a session's user agent says about the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// Desktop, Mobile, Tablet, Bot or Other.
    pub device_type: DeviceType,
    /// Operating system family, e.g. "Windows", "macOS", "Android"; "Unknown" if none.
    pub platform: String,
    /// Browser family, e.g. "Firefox"; "Unknown" if none.
    pub browser_name: String,
    /// Browser major version, e.g. "125"; empty if unknown.
    pub browser_version: String,
}

/// Cuts `ua` to at most [`MAX_USER_AGENT_BYTES`] on a character boundary.
pub fn truncate_user_agent(ua: &str) -> &str {
    if ua.len() <= MAX_USER_AGENT_BYTES {
        return ua;
    }
    let mut end = MAX_USER_AGENT_BYTES;
    while !ua.is_char_boundary(end) {
        end -= 1;
    }
    &ua[..end]
}

/// The parser over the vendored rules. Building it takes a while and each
/// thread that uses it grows its own regex caches: the server keeps one, on
/// one thread ([`UserAgents`]).
pub struct UserAgentClassifier {
    parser: UserAgentParser,
}

static GLOBAL: LazyLock<UserAgentClassifier> = LazyLock::new(|| {
    UserAgentClassifier::new().expect("the vendored uap-core regexes.yaml is valid")
});

impl UserAgentClassifier {
    /// Builds the parser from the vendored rules, rewritten for Rust's
    /// regex engine (see `rules`: ASCII classes, long bounds lifted), which
    /// makes them about a third of the size with the same answers.
    pub fn new() -> Result<Self, StartupError> {
        let parser = UserAgentParser::from_str(rules::ascii(UAP_REGEXES))
            .map_err(|e| StartupError::UserAgentRules(format!("{e:?}")))?;
        Ok(Self { parser })
    }

    /// A classifier built on first use (tests and benchmarks; the server
    /// uses [`UserAgents`]).
    pub fn global() -> &'static Self {
        &GLOBAL
    }

    /// The underlying uap parser.
    pub fn parser(&self) -> &UserAgentParser {
        &self.parser
    }

    /// Classifies `ua`.
    pub fn classify(&self, ua: &str) -> ClientInfo {
        let product = self.parser.parse_product(ua);
        let os = self.parser.parse_os(ua);
        let device = self.parser.parse_device(ua);
        let device_family = device.name.as_deref().unwrap_or("Other");
        let os_family = os.name.as_deref().unwrap_or("Other");
        let platform = platform_name(os_family);
        ClientInfo {
            device_type: device_type(ua, device_family, os_family),
            platform: names::known_platform(platform).to_owned(),
            browser_name: match product.name.as_deref() {
                None | Some("Other") => "Unknown".to_owned(),
                Some(name) => names::known_browser(name).to_owned(),
            },
            browser_version: product
                .major
                .as_deref()
                .filter(|m| m.len() <= 6 && m.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or("")
                .to_owned(),
        }
    }
}

/// Display name of an OS family from uap-core.
pub(crate) fn platform_name(os_family: &str) -> &str {
    match os_family {
        "Mac OS X" | "Mac OS" => "macOS",
        "Chrome OS" => "ChromeOS",
        "Other" | "" => "Unknown",
        other => other,
    }
}

/// HTTP libraries, tools and headless browsers: uap-core calls most of them
/// "Other", but they are not people at a browser.
const BOT_TOKENS: &[&str] = &[
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "go-http-client",
    "okhttp",
    "apache-httpclient",
    "java/",
    "libwww-perl",
    "lwp::",
    "node-fetch",
    "undici",
    "axios/",
    "got (",
    "reqwest",
    "ruby",
    "guzzlehttp",
    "postmanruntime",
    "insomnia",
    "httpie",
    "scrapy",
    "headlesschrome",
    "phantomjs",
    "electron-fetch",
    "dart:io",
    "http.rb",
    "winhttp",
    "powershell",
];

/// TVs, set-top boxes and game consoles.
const OTHER_DEVICE_TOKENS: &[&str] = &[
    "smart-tv",
    "smarttv",
    "googletv",
    "google tv",
    "android tv",
    "appletv",
    "apple tv",
    "crkey",
    "roku",
    "bravia",
    "hbbtv",
    "netcast",
    "web0s",
    "webos tv",
    "tizen tv",
    "aftb",
    "aftm",
    "afts",
    "aftt",
    "playstation",
    "xbox",
    "nintendo",
];

const TABLET_TOKENS: &[&str] = &["ipad", "kindle", "silk/", "playbook", "tablet;", " tablet"];

const MOBILE_TOKENS: &[&str] = &[
    "mobile",
    "iphone",
    "ipod",
    "windows phone",
    "blackberry",
    "bb10",
    "opera mini",
    "iemobile",
    "kaios",
    "symbian",
    "nokia",
];

const DESKTOP_TOKENS: &[&str] = &[
    "windows nt",
    "macintosh",
    "mac os x",
    "x11",
    "cros",
    "linux",
    "freebsd",
    "openbsd",
    "windows 98",
];

/// Our device-type rules, on top of uap-core's device family.
pub fn device_type(ua: &str, device_family: &str, os_family: &str) -> DeviceType {
    let lower = ua.to_ascii_lowercase();
    let has = |tokens: &[&str]| tokens.iter().any(|t| lower.contains(t));
    if device_family == "Spider" || has(BOT_TOKENS) {
        return DeviceType::Bot;
    }
    if has(OTHER_DEVICE_TOKENS) {
        return DeviceType::Other;
    }
    // "Tablet PC" is a Windows desktop feature, not a tablet.
    let tablet_token = has(TABLET_TOKENS) && !lower.contains("tablet pc");
    let android = lower.contains("android") || os_family == "Android";
    if tablet_token || device_family == "iPad" || (android && !lower.contains("mobile")) {
        return DeviceType::Tablet;
    }
    if has(MOBILE_TOKENS) || android || os_family == "iOS" {
        return DeviceType::Mobile;
    }
    if has(DESKTOP_TOKENS) {
        return DeviceType::Desktop;
    }
    DeviceType::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let long = "é".repeat(400); // 800 bytes
        let cut = truncate_user_agent(&long);
        assert!(cut.len() <= MAX_USER_AGENT_BYTES);
        assert_eq!(cut.len(), 512);
        let odd = format!("a{}", "é".repeat(400));
        assert_eq!(truncate_user_agent(&odd).len(), 511);
        assert_eq!(truncate_user_agent("short"), "short");
    }
}
