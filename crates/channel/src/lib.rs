//! `accord-channel`: the cryptography of the registry's whistleblower
//! channel, as pure functions (no I/O). The reporter's CLI, the issuer, the
//! monitors, the registry and an offline auditor all use this one crate.
//!
//! * [`token`] — eligibility without identity: single-use tokens blindly
//!   signed by an issuer (RSA blind signatures, RFC 9474), which the
//!   registry verifies but cannot link to their issuance.
//! * [`envelope`] — reports and follow-up messages sealed on the sender's
//!   machine to several recipients (HPKE, RFC 9180), so the registry stores
//!   ciphertext it cannot read.
//! * [`receipt`] — the receipt code shown once to the reporter, and what
//!   the reporter's software derives from it (the inbox secret and the key
//!   monitors' replies are sealed to).

pub mod envelope;
pub mod receipt;
pub mod token;

pub use envelope::{Envelope, RecipientKey, RecipientSecret, ReportContent};
pub use receipt::ReceiptCode;
pub use token::{TokenIssuer, TokenKey, TokenRequest};

/// What went wrong, naming the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// A key that does not parse or has the wrong size.
    #[error("{what}: {message}")]
    Key {
        /// Which key (`token key`, `report key`, …).
        what: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A token that does not verify or is not well formed.
    #[error("token: {0}")]
    Token(String),
    /// An envelope that does not have the documented layout.
    #[error("envelope: {0}")]
    Malformed(String),
    /// An envelope that does not open with this key: forged, corrupted,
    /// truncated, or not sealed to this recipient.
    #[error("envelope: {0}")]
    Unopenable(String),
    /// More bytes than the channel takes.
    #[error("{what} is {bytes} bytes; the channel takes at most {limit}")]
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of lowercase or uppercase hex, exactly `len` of them: hex digits
/// and nothing else (no sign, no space), as the core's checks take them.
pub fn from_hex<const LEN: usize>(text: &str) -> Option<[u8; LEN]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * LEN {
        return None;
    }
    // Not `u8::from_str_radix`: it takes a leading `+`.
    let nibble = |digit: u8| char::from(digit).to_digit(16).map(|n| n as u8);
    let mut out = [0u8; LEN];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

/// `len` bytes from the operating system's generator.
pub(crate) fn random_bytes<const LEN: usize>() -> [u8; LEN] {
    let mut bytes = [0u8; LEN];
    getrandom::fill(&mut bytes).expect("the operating system's random generator");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_hex_digits_only() {
        let bytes = [0x0f, 0xa4, 0xb0, 0xff];
        assert_eq!(from_hex::<4>("0fa4b0ff"), Some(bytes));
        // Upper case spells the same bytes (the core lowercases tokens).
        assert_eq!(from_hex::<4>("0FA4B0FF"), Some(bytes));
        assert_eq!(to_hex(&bytes), "0fa4b0ff");
        // A sign is not a digit, though `u8::from_str_radix` takes one.
        assert_eq!(from_hex::<4>("+f+4+b+0"), None);
        for bad in [
            "0fa4b0f",
            "0fa4b0fff",
            "0fa4b0f ",
            " fa4b0ff",
            "0x a4b0f",
            "0fa4b0fg",
            "0fa4b0-f",
            "éa4b0f",
        ] {
            assert_eq!(from_hex::<4>(bad), None, "{bad:?}");
        }
    }
}
