//! The codes: TOTP (RFC 6238 through `totp-rs`: SHA-1, 6 digits, 30 s,
//! ±1 step) and recovery codes (10 characters from a 32-letter alphabet
//! without look-alikes, 50 bits each).
use crate::secret::random;
use totp_rs::{Builder, Totp};

/// Recovery codes made at enrolment.
pub(crate) const RECOVERY_CODES: usize = 10;
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const RECOVERY_LEN: usize = 10;
/// Bytes of a TOTP secret (160 bits, RFC 4226's recommendation).
pub(crate) const SECRET_BYTES: usize = 20;

/// The TOTP of `secret` for `account`, as authenticator apps see it.
pub(crate) fn totp(secret: Vec<u8>, account: &str) -> Option<Totp> {
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', "_"))
        .with_issuer(Some("Sessionboard"))
        .build()
        .ok()
}

/// A fresh TOTP secret.
pub(crate) fn new_secret() -> Vec<u8> {
    random::<SECRET_BYTES>().to_vec()
}

/// The six digits of a typed TOTP code (spaces allowed), if it is one.
pub(crate) fn totp_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Fresh recovery codes, as shown: "ABCDE-FGH23".
pub(crate) fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes = random::<RECOVERY_LEN>();
            // 256 is a multiple of 32: every letter equally likely.
            let letters: String = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % 32] as char)
                .collect();
            format!("{}-{}", &letters[..5], &letters[5..])
        })
        .collect()
}

/// A typed recovery code in the one form that is hashed: upper case,
/// without dashes and spaces. `None` when it cannot be one.
pub(crate) fn recovery_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == RECOVERY_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_read_back() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for c in &codes {
            assert_eq!(c.len(), 11);
            let typed = c.to_lowercase().replace('-', " ");
            assert_eq!(recovery_code(&typed).unwrap(), c.replace('-', ""));
        }
        assert!(
            recovery_code("ABCDE-FGHI1").is_none(),
            "I and 1 are not used"
        );
        assert!(recovery_code("ABCDE").is_none());
    }

    #[test]
    fn totp_codes_are_six_digits_and_match_rfc_6238() {
        assert_eq!(totp_code(" 123 456 ").as_deref(), Some("123456"));
        assert!(totp_code("12345").is_none());
        assert!(totp_code("12345a").is_none());
        // RFC 6238, appendix B (SHA-1, 8 digits there; the last 6 here).
        let t = totp(b"12345678901234567890".to_vec(), "test").unwrap();
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.generate(1_111_111_109).to_string(), "081804");
        assert_eq!(t.check("287082", 59 + 30), Some(1), "one step of skew");
        assert_eq!(t.check("287082", 59 + 60), None, "two steps: refused");
    }
}
