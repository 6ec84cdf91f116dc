//! Two-step sign-in: time-based one-time codes (RFC 6238 over RFC 4226's HOTP, HMAC-SHA-1, six
//! digits, 30-second steps, one step of clock drift either side) and recovery codes.
//!
//! The caller supplies the secret's random bytes and the time; nothing here reads a clock or a
//! random number generator. A code is accepted only for a time step later than the last one
//! accepted for the account, so the store can make "use once" a single conditional write.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle_compare::equal;

/// Bytes in a new secret: 160 bits, the length RFC 4226 recommends for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;
/// Seconds in one time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// How many recovery codes an account holds at a time.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes behind each recovery code: 60 bits, written as 12 base32 characters.
pub const RECOVERY_CODE_BYTES: usize = 8;

/// Whether staff must use two-step sign-in (`two_factor_for_staff` setting). People and helpers
/// may always choose to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StaffTwoFactor {
    #[default]
    Required,
    Optional,
}

impl StaffTwoFactor {
    pub fn parse(text: &str) -> Option<StaffTwoFactor> {
        match text.trim() {
            "required" => Some(StaffTwoFactor::Required),
            "optional" => Some(StaffTwoFactor::Optional),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StaffTwoFactor::Required => "required",
            StaffTwoFactor::Optional => "optional",
        }
    }
}

/// The HOTP value (RFC 4226 section 5.3) of `secret` at `counter`, as `digits` decimal digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    let value = u64::from(binary) % 10u64.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The time step a moment falls in (RFC 6238's T, with T0 = 0).
pub fn time_step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The six-digit code for a moment.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    hotp(secret, time_step(unix_seconds).max(0) as u64, DIGITS)
}

/// What someone typed, as six digits (spaces and hyphens ignored), or `None` if it cannot be a code.
pub fn normalise_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|byte| byte.is_ascii_digit())).then_some(digits)
}

/// The time step a typed code belongs to, if it is the code of the current step or one either
/// side and that step is later than `last_used_step` (a code is good once). Every candidate is
/// compared, in constant time, so timing says nothing of which step matched.
pub fn matching_step(secret: &[u8], typed: &str, unix_seconds: i64, last_used_step: i64) -> Option<i64> {
    let code = normalise_code(typed)?;
    let now = time_step(unix_seconds);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if step < 0 {
            continue;
        }
        let matches = equal(hotp(secret, step as u64, DIGITS).as_bytes(), code.as_bytes());
        if matches && step > last_used_step && found.is_none() {
            found = Some(step);
        }
    }
    found
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The secret in groups of four, for typing into an app by hand.
pub fn grouped(secret: &[u8]) -> String {
    base32(secret)
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` URI an authenticator app reads from the QR code (Key Uri Format).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let issuer_part = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer_part}:{account}?secret={secret}&issuer={issuer_part}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        account = percent_encode(account),
        secret = base32(secret),
    )
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A recovery code as shown: 12 base32 characters in three groups ("ABCD-EFGH-JKLM").
pub fn recovery_code_text(random: &[u8; RECOVERY_CODE_BYTES]) -> String {
    let text = base32(random);
    let text = &text[..12];
    format!("{}-{}-{}", &text[..4], &text[4..8], &text[8..12])
}

/// What someone typed as a recovery code, in the form it was hashed in: letters and digits only,
/// upper case. `None` if it cannot be one.
pub fn normalise_recovery_code(typed: &str) -> Option<String> {
    let text: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (text.len() == 12 && text.bytes().all(|byte| BASE32.contains(&byte))).then_some(text)
}

/// The stored hash of a recovery code: SHA-256 of a random per-code salt and the code. With 60
/// random bits a code cannot be guessed through the sign-in throttle, and the salt stops a
/// precomputed table over a stolen database.
pub fn recovery_code_hash(salt: &str, normalised_code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b"\0");
    hasher.update(normalised_code.as_bytes());
    hex::encode(hasher.finalize())
}

/// Whether a typed (normalised) recovery code matches a stored salt and hash, in constant time.
pub fn recovery_code_matches(salt: &str, stored_hash: &str, normalised_code: &str) -> bool {
    equal(recovery_code_hash(salt, normalised_code).as_bytes(), stored_hash.as_bytes())
}

mod subtle_compare {
    /// Equal lengths and bytes, looking at every byte whatever it finds.
    pub fn equal(left: &[u8], right: &[u8]) -> bool {
        if left.len() != right.len() {
            return false;
        }
        left.iter().zip(right).fold(0u8, |difference, (a, b)| difference | (a ^ b)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed: the ASCII string "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B, SHA-1 rows: time and eight-digit TOTP.
    const RFC_VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn the_published_rfc_6238_vectors_come_out() {
        for (time, expected) in RFC_VECTORS {
            assert_eq!(hotp(RFC_SECRET, time_step(time) as u64, 8), expected, "at {time}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_rfc_values() {
        for (time, expected) in RFC_VECTORS {
            assert_eq!(code_at(RFC_SECRET, time), expected[2..], "at {time}");
        }
    }

    #[test]
    fn rfc_4226_hotp_vectors_come_out() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *code);
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let now = 1_234_567_890;
        for (offset, accepted) in [(-60, false), (-30, true), (0, true), (30, true), (60, false)] {
            let code = code_at(RFC_SECRET, now + offset);
            assert_eq!(matching_step(RFC_SECRET, &code, now, 0).is_some(), accepted, "offset {offset}");
        }
        let code = code_at(RFC_SECRET, now);
        assert_eq!(matching_step(RFC_SECRET, &code, now, 0), Some(time_step(now)));
    }

    #[test]
    fn a_code_is_good_only_for_a_step_after_the_last_one_used() {
        let now = 1_234_567_890;
        let code = code_at(RFC_SECRET, now);
        let step = matching_step(RFC_SECRET, &code, now, 0).unwrap();
        assert_eq!(matching_step(RFC_SECRET, &code, now, step), None);
        assert_eq!(matching_step(RFC_SECRET, &code, now, step - 1), Some(step));
    }

    #[test]
    fn typed_codes_may_have_spaces_but_not_letters() {
        let now = 1_234_567_890;
        let code = code_at(RFC_SECRET, now);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(matching_step(RFC_SECRET, &spaced, now, 0).is_some());
        assert_eq!(normalise_code("12a456"), None);
        assert_eq!(normalise_code("12345"), None);
        assert_eq!(normalise_code("1234567"), None);
        assert_eq!(normalise_code("１２３４５６"), None);
    }

    #[test]
    fn base32_follows_rfc_4648() {
        // RFC 4648 section 10, without padding.
        for (input, expected) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), expected);
        }
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(grouped(RFC_SECRET), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
    }

    #[test]
    fn the_otpauth_uri_names_the_issuer_account_and_parameters() {
        let uri = otpauth_uri("Tailor (Demo Council)", "sam@council.example", RFC_SECRET);
        assert_eq!(
            uri,
            "otpauth://totp/Tailor%20%28Demo%20Council%29:sam@council.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tailor%20%28Demo%20Council%29&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes_are_typed_loosely_and_checked_by_salted_hash() {
        let code = recovery_code_text(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(code.len(), 14);
        let typed = code.to_lowercase().replace('-', " ");
        let normalised = normalise_recovery_code(&typed).unwrap();
        let hash = recovery_code_hash("salt", &normalised);
        assert!(recovery_code_matches("salt", &hash, &normalised));
        assert!(!recovery_code_matches("other salt", &hash, &normalised));
        assert_ne!(recovery_code_hash("a", &normalised), recovery_code_hash("b", &normalised));
        assert_eq!(normalise_recovery_code("ABCD-EFGH-JKL1"), None, "1 is not a base32 character");
        assert_eq!(normalise_recovery_code("123456"), None);
    }

    #[test]
    fn the_setting_reads_its_two_words() {
        assert_eq!(StaffTwoFactor::parse("required"), Some(StaffTwoFactor::Required));
        assert_eq!(StaffTwoFactor::parse("optional"), Some(StaffTwoFactor::Optional));
        assert_eq!(StaffTwoFactor::parse("sometimes"), None);
    }
}
