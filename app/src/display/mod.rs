//! How store values read on a page: countries with flags, device types,
//! end reasons, times. The store decides; this only words it.
pub mod time;

#[cfg(feature = "ssr")]
mod countries;

/// A location as a page shows it: the flag of its country (an SVG served
/// by Sessionboard, see `public/flags`) and its name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Located {
    /// Lower-case ISO code of a country with a flag.
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// "United Kingdom", "Local network" or "Unknown".
    #[serde(rename = "n")]
    pub name: String,
    /// A private address (the neutral icon differs).
    #[serde(rename = "l", default)]
    pub local: bool,
}
#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::Located;
    use super::countries::COUNTRIES;
    use sessions::{AuthMethod, DeviceType, EndReason, Location};

    /// "Password + authenticator", …
    pub fn auth_method(m: AuthMethod) -> &'static str {
        match m {
            AuthMethod::Password => "Password",
            AuthMethod::PasswordAndAuthenticator => "Password + authenticator",
            AuthMethod::PasswordAndRecoveryCode => "Password + recovery code",
            AuthMethod::ApiToken => "API token",
        }
    }

    /// A QR code of `text` as an SVG document (drawn here, on the server).
    pub fn qr_svg(text: &str) -> Option<String> {
        use qrcode::render::svg;
        let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
        Some(
            code.render::<svg::Color>()
                .min_dimensions(200, 200)
                .dark_color(svg::Color("#000000"))
                .light_color(svg::Color("#ffffff"))
                .build(),
        )
    }

    /// English name of an ISO country code ("GB" → "United Kingdom").
    pub fn country_name(code: &str) -> Option<&'static str> {
        let code = code.to_ascii_uppercase();
        COUNTRIES
            .binary_search_by(|(c, _)| (*c).cmp(code.as_str()))
            .ok()
            .map(|i| COUNTRIES[i].1)
    }

    /// The flag emoji of an ISO country code: two regional indicator symbols.
    pub fn flag_emoji(code: &str) -> String {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return String::new();
        }
        code.bytes()
            .filter_map(|b| char::from_u32(0x1F1E6 + u32::from(b.to_ascii_uppercase() - b'A')))
            .collect()
    }

    /// The location for a page.
    pub fn located(l: &Location) -> Located {
        match l {
            Location::Country(code) => Located {
                flag: country_name(code).map(|_| code.to_ascii_lowercase()),
                name: country_name(code).unwrap_or(code.as_str()).to_owned(),
                local: false,
            },
            Location::LocalNetwork => Located {
                flag: None,
                name: "Local network".to_owned(),
                local: true,
            },
            Location::Unknown => Located {
                flag: None,
                name: "Unknown".to_owned(),
                local: false,
            },
        }
    }

    /// "🇬🇧 United Kingdom", "Local network" or "Unknown": for plain text
    /// (email), where no image can go.
    pub fn location(l: &Location) -> String {
        match l {
            Location::Country(code) => format!(
                "{} {}",
                flag_emoji(code),
                country_name(code).unwrap_or(code.as_str())
            ),
            Location::LocalNetwork => "Local network".to_owned(),
            Location::Unknown => "Unknown".to_owned(),
        }
    }

    /// "Desktop", "Mobile", …
    pub fn device_type(d: DeviceType) -> &'static str {
        match d {
            DeviceType::Desktop => "Desktop",
            DeviceType::Mobile => "Mobile",
            DeviceType::Tablet => "Tablet",
            DeviceType::Bot => "Bot",
            DeviceType::Other => "Other",
        }
    }

    /// Human words, e.g. "signed out everywhere".
    pub fn end_reason(r: EndReason) -> &'static str {
        match r {
            EndReason::SignedOut => "signed out",
            EndReason::Terminated => "terminated",
            EndReason::SignedOutEverywhere => "signed out everywhere",
            EndReason::Expired => "expired",
            EndReason::PasswordChanged => "password changed",
            EndReason::PasswordReset => "password reset",
            EndReason::ByAdministrator => "ended by an administrator",
            EndReason::AccountLocked => "account locked by an administrator",
            EndReason::MadeRoom => "ended to make room for a new sign-in",
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn flags_and_names() {
            assert_eq!(flag_emoji("GB"), "🇬🇧");
            assert_eq!(flag_emoji("jp"), "🇯🇵");
            assert_eq!(flag_emoji("G"), "");
            assert_eq!(flag_emoji("1A"), "");
            assert_eq!(country_name("GB"), Some("United Kingdom"));
            assert_eq!(country_name("us"), Some("United States"));
            assert_eq!(country_name("ZZ"), None);
            assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        }

        #[test]
        fn locations() {
            assert_eq!(
                location(&Location::Country("GB".into())),
                "🇬🇧 United Kingdom"
            );
            assert_eq!(location(&Location::Country("XX".into())), "🇽🇽 XX");
            assert_eq!(location(&Location::LocalNetwork), "Local network");
            assert_eq!(location(&Location::Unknown), "Unknown");
            assert_eq!(end_reason(EndReason::PasswordChanged), "password changed");
        }
    }
}
