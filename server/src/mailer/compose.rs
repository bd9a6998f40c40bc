//! The emails' words. Plain text: the facts a person needs, the link, and
//! nothing secret (a verification email's one-time token aside).
use app::contract::{Page, query};
use app::display::{self, time};
use sessions::{Location, SecurityChange, SecurityNotice, SignInFacts};

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

/// The facts of a sign-in or an attempt, one per line.
fn facts_block(f: &SignInFacts) -> String {
    let location = display::location(&Location::from_parts(
        f.ip.parse().ok(),
        f.country_code.as_deref(),
    ));
    format!(
        "Device:     {device}, {platform}\n\
         Browser:    {browser}\n\
         Location:   {location}\n\
         IP address: {ip}\n\
         Time:       {time}\n",
        device = display::device_type(f.device_type),
        platform = f.platform,
        browser = f.browser,
        ip = f.ip,
        time = time::utc_minutes(f.at_ms),
    ) + &f
        .app
        .as_ref()
        .map(|app| format!("App:        {app}\n"))
        .unwrap_or_default()
}

/// The alert about a sign-in that needs review: marked new, or made with
/// a recovery code.
pub fn new_sign_in(origin: &str, f: &SignInFacts) -> Text {
    let what = match (f.recovery_code, f.new_device, f.new_location) {
        (true, ..) => "with a recovery code",
        (_, true, true) => "from a new device, in a country it had not been used from",
        (_, true, false) => "from a device it had not used before",
        _ => "from a country it had not been used from",
    };
    let sessions = format!("{origin}{}", Page::Sessions.path());
    Text {
        subject: "New sign-in to your Sessionboard account".to_owned(),
        body: format!(
            "Hello {user},\n\n\
             Your account \"{user}\" was just signed in to {what}:\n\n\
             {facts}\n\
             If this was you, there is nothing to do.\n\
             If it was not, open {sessions}, answer \"No — sign it out\", then change your password.\n",
            user = f.username,
            facts = facts_block(f),
        ),
    }
}

/// The alert about a right password followed by a wrong code.
pub fn failed_code(origin: &str, f: &SignInFacts) -> Text {
    let password = format!("{origin}{}", Page::ChangePassword.path());
    Text {
        subject: "Someone has your Sessionboard password".to_owned(),
        body: format!(
            "Hello {user},\n\n\
             Someone signed in to your account \"{user}\" with the right password, then \
             typed a wrong two-factor code, so they were not let in:\n\n\
             {facts}\n\
             If this was you, there is nothing to do.\n\
             If it was not, your password is known to someone else: change it now at {password}.\n",
            user = f.username,
            facts = facts_block(f),
        ),
    }
}

/// A change to the account's security settings.
pub fn security(origin: &str, n: &SecurityNotice) -> Text {
    let (subject, what) = match &n.change {
        SecurityChange::PasswordChanged => (
            "Your password was changed",
            "the password was changed".to_owned(),
        ),
        SecurityChange::PasswordReset => (
            "Your password was reset",
            "the password was set anew with a reset link, and every device was signed out"
                .to_owned(),
        ),
        SecurityChange::TwoFactorOn => (
            "Two-factor authentication is on",
            "two-factor authentication was turned on".to_owned(),
        ),
        SecurityChange::TwoFactorOff => (
            "Two-factor authentication is off",
            "two-factor authentication was turned off".to_owned(),
        ),
        SecurityChange::RecoveryCodesRegenerated => (
            "New recovery codes",
            "new recovery codes were made; the old ones no longer work".to_owned(),
        ),
        SecurityChange::EmailChangeRequested { new_address } => (
            "Your alert address is being changed",
            format!(
                "someone asked for alerts to go to {new_address} instead of this address. \
                 Alerts keep coming here until that address is verified"
            ),
        ),
        SecurityChange::EmailChanged => (
            "Your alert address was changed",
            "alerts no longer go to this address".to_owned(),
        ),
        SecurityChange::SecondFactorLocked => (
            "Two-factor sign-in is locked",
            "too many wrong two-factor codes were typed in a row, so codes are no longer \
             accepted for your account until the operator unlocks it"
                .to_owned(),
        ),
        SecurityChange::EndedByAdministrator { sessions: 1 } => (
            "An administrator ended one of your sessions",
            "an administrator ended one of your sessions".to_owned(),
        ),
        SecurityChange::EndedByAdministrator { sessions } => (
            "An administrator signed you out",
            format!("an administrator ended {sessions} of your sessions"),
        ),
        SecurityChange::AccountLocked => (
            "Your account was locked",
            "an administrator locked your account: every session was ended and no one can              sign in to it until an administrator unlocks it"
                .to_owned(),
        ),
        SecurityChange::AccountUnlocked => (
            "Your account was unlocked",
            "an administrator unlocked your account: you can sign in again".to_owned(),
        ),
    };
    let sessions = format!("{origin}{}", Page::Sessions.path());
    Text {
        subject: format!("{subject} (Sessionboard)"),
        body: format!(
            "Hello {user},\n\n\
             On your account \"{user}\", {what} ({time}).\n\n\
             If this was you, there is nothing to do.\n\
             If it was not, open {sessions}: end the sessions you do not recognise and change your password.\n",
            user = n.username,
            time = time::utc_minutes(n.at_ms),
        ),
    }
}

/// The email with a link that sets a new password.
pub fn password_reset(origin: &str, username: &str, token: &str) -> Text {
    let link = format!(
        "{origin}{}?{}={token}",
        Page::ResetPassword.path(),
        query::TOKEN
    );
    Text {
        subject: "Set a new Sessionboard password".to_owned(),
        body: format!(
            "Hello {username},\n\n\
             Someone (hopefully you) asked to set a new password for the account \
             \"{username}\". To do so, open this link within 30 minutes:\n\n\
             {link}\n\n\
             It works once. Setting a new password signs out every device.\n\
             If this was not you, ignore this email: your password stays as it is.\n"
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
            recovery_code: false,
            app: Some("Wiki".into()),
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
            "App:        Wiki",
        ] {
            assert!(t.body.contains(part), "{part}: {}", t.body);
        }
        let recovered = new_sign_in(
            "https://sb.example",
            &SignInFacts {
                recovery_code: true,
                new_device: false,
                new_location: false,
                ..facts.clone()
            },
        );
        assert!(recovered.body.contains("with a recovery code"));
        let failed = failed_code("https://sb.example", &facts);
        assert!(failed.body.contains("right password"));
        assert!(failed.body.contains("https://sb.example/account/password"));
        let notice = SecurityNotice {
            username: "alice".into(),
            change: SecurityChange::EmailChangeRequested {
                new_address: "new@example.org".into(),
            },
            at_ms: 1_795_000_000_000,
        };
        assert!(
            security("https://sb.example", &notice)
                .body
                .contains("new@example.org")
        );
        let reset = password_reset("https://sb.example", "alice", "TOKEN9");
        assert!(
            reset
                .body
                .contains("https://sb.example/login/reset?token=TOKEN9")
        );
        let v = verify("https://sb.example", "alice", "TOKEN123");
        assert!(
            v.body
                .contains("https://sb.example/account/email/verify?token=TOKEN123")
        );
    }
}
