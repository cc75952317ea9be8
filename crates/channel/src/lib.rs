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

/// Bytes of lowercase or uppercase hex, exactly `len` of them.
pub fn from_hex<const LEN: usize>(text: &str) -> Option<[u8; LEN]> {
    if text.len() != 2 * LEN || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; LEN];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// `len` bytes from the operating system's generator.
pub(crate) fn random_bytes<const LEN: usize>() -> [u8; LEN] {
    let mut bytes = [0u8; LEN];
    getrandom::fill(&mut bytes).expect("the operating system's random generator");
    bytes
}
