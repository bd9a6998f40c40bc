//! The emails' words. Plain text: the facts a person needs, the link, and
//! nothing secret (a verification email's one-time token aside).
use app::contract::{Page, query};
use app::display::{self, time};
use sessions::{Location, SignInFacts};

pub struct Text {
    pub subject: String,
    pub body: String,
}

/// The email with the link that verifies an address.
pub fn verify(origin: &str, username: &str, token: &str) -> Text {
    let link = format!(
        "{origin}{}?{}={token}",
        Page::VerifyEmail.path(),
        query::TOKEN
    );
    Text {
        subject: "Verify your email address for Sessionboard".to_owned(),
        body: format!(
            "Hello {username},\n\n\
             Someone (hopefully you) asked Sessionboard to send sign-in alerts for the \
             account \"{username}\" to this address. To confirm, open this link:\n\n\
             {link}\n\n\
             If this was not you, ignore this email: nothing more will be sent here \
             unless the link is opened.\n"
        ),
    }
}

/// The alert about a sign-in marked new.
pub fn new_sign_in(origin: &str, f: &SignInFacts) -> Text {
    let what = match (f.new_device, f.new_location) {
        (true, true) => "a new device, in a country it had not been used from",
        (true, false) => "a device it had not used before",
        _ => "a country it had not been used from",
    };
    let location = display::location(&Location::from_parts(
        f.ip.parse().ok(),
        f.country_code.as_deref(),
    ));
    let sessions = format!("{origin}{}", Page::Sessions.path());
    Text {
        subject: "New sign-in to your Sessionboard account".to_owned(),
        body: format!(
            "Hello {user},\n\n\
             Your account \"{user}\" was just signed in to from {what}:\n\n\
             Device:     {device}, {platform}\n\
             Browser:    {browser}\n\
             Location:   {location}\n\
             IP address: {ip}\n\
             Time:       {time}\n\n\
             If this was you, there is nothing to do.\n\
             If it was not, open {sessions}, answer \"No — sign it out\", then change your password.\n",
            user = f.username,
            device = display::device_type(f.device_type),
            platform = f.platform,
            browser = f.browser,
            ip = f.ip,
            time = time::utc_minutes(f.at_ms),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sessions::DeviceType;

    #[test]
    fn the_alert_tells_device_place_and_time() {
        let facts = SignInFacts {
            username: "alice".into(),
            device_type: DeviceType::Mobile,
            platform: "iOS".into(),
            browser: "Mobile Safari 17.4".into(),
            ip: "89.160.20.128".into(),
            country_code: Some("SE".into()),
            at_ms: 1_795_000_000_000,
            new_device: true,
            new_location: true,
        };
        let t = new_sign_in("https://sb.example", &facts);
        assert_eq!(t.subject, "New sign-in to your Sessionboard account");
        for part in [
            "Mobile, iOS",
            "Mobile Safari 17.4",
            "Sweden",
            "89.160.20.128",
            "UTC",
            "https://sb.example/sessions",
            "a new device, in a country",
        ] {
            assert!(t.body.contains(part), "{part}: {}", t.body);
        }
        let v = verify("https://sb.example", "alice", "TOKEN123");
        assert!(
            v.body
                .contains("https://sb.example/account/email/verify?token=TOKEN123")
        );
    }
}
