//! Email addresses as stored: parsed by `email_address`, domain lower-cased.
use crate::{Result, StoreError};
use email_address::EmailAddress;

/// The longest address accepted (RFC 5321's path limit).
const MAX_LEN: usize = 254;

/// A typed address as stored: trimmed, checked, its domain lower-cased
/// (the local part is the mailbox owner's and stays as typed).
pub fn normalize_email(typed: &str) -> Result<String> {
    let typed = typed.trim();
    if typed.len() > MAX_LEN || typed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(StoreError::InvalidEmail);
    }
    let parsed = EmailAddress::parse_with_options(
        typed,
        email_address::Options::default()
            .without_display_text()
            .without_domain_literal(),
    )
    .map_err(|_| StoreError::InvalidEmail)?;
    // Mail to a dotless host never leaves a machine: surely a typo.
    if !parsed.domain().contains('.') {
        return Err(StoreError::InvalidEmail);
    }
    Ok(format!(
        "{}@{}",
        parsed.local_part(),
        parsed.domain().to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_domains_lower_cased() {
        assert_eq!(
            normalize_email("  Alice.B@Example.ORG ").unwrap(),
            "Alice.B@example.org"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.org",
            "alice@localhost",
            "Alice <alice@example.org>",
            "alice@[127.0.0.1]",
            "al ice@example.org",
            "alice@example.org\r\nBcc: x@y.z",
        ] {
            assert!(
                matches!(normalize_email(bad), Err(StoreError::InvalidEmail)),
                "{bad:?}"
            );
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(normalize_email(&long).is_err());
    }
}
