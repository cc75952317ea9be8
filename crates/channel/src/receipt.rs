//! Receipt codes: 128 random bits, shown once to the reporter as 26
//! base32 letters and digits in groups of four or five
//! (`abcde-fghij-…`); case, spaces and dashes are ignored when read back.
//!
//! From the code alone the reporter's software derives three values, each a
//! SHA-256 of a domain-separated label and the code's 16 bytes:
//!
//! ```text
//! inbox secret = SHA-256("accord/receipt/inbox/v1" ‖ code)      sent to open the inbox
//! reply seed   = SHA-256("accord/receipt/reply-key/v1" ‖ code)  X25519 key pair (RFC 9180 DeriveKeyPair)
//! signing seed = SHA-256("accord/receipt/signing/v1" ‖ code)    Ed25519 key that signs the answers
//! ```
//!
//! The registry stores only a slow hash (Argon2id) of the inbox secret and
//! the public half of the reply key; never the code. Guessing a code means
//! guessing 128 bits.

use crate::envelope::RecipientSecret;
use crate::{ChannelError, random_bytes, to_hex};
use sha2::{Digest, Sha256};

/// Bits of entropy in a receipt code.
pub const RECEIPT_BITS: u32 = 128;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const LETTERS: usize = 26;

/// A receipt code.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode([u8; 16]);

impl std::fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptCode(…)")
    }
}

impl ReceiptCode {
    /// A fresh random code.
    pub fn generate() -> Self {
        Self(random_bytes::<16>())
    }

    /// Reads a code as shown (case, spaces and dashes ignored).
    pub fn parse(text: &str) -> Result<Self, ChannelError> {
        let letters: Vec<u8> = text
            .bytes()
            .filter(|b| !matches!(b, b'-' | b' '))
            .map(|b| b.to_ascii_lowercase())
            .collect();
        let bad = |message: String| ChannelError::Key {
            what: "receipt code",
            message,
        };
        if letters.len() != LETTERS {
            return Err(bad(format!(
                "expected {LETTERS} letters and digits, got {}",
                letters.len()
            )));
        }
        let mut value: u128 = 0;
        for (i, letter) in letters.iter().enumerate() {
            let digit = ALPHABET
                .iter()
                .position(|a| a == letter)
                .ok_or_else(|| bad(format!("{:?} is not a-z or 2-7", *letter as char)))?;
            if i == 0 && digit >= 8 {
                // 26 letters carry 130 bits; the first holds only the top 3.
                return Err(bad("not a code this registry gave out".into()));
            }
            value = (value << 5) | digit as u128;
        }
        Ok(Self(value.to_be_bytes()))
    }

    /// The code as shown: 26 characters in groups of five, four and four…
    pub fn display(&self) -> String {
        let mut value = u128::from_be_bytes(self.0);
        let mut letters = [0u8; LETTERS];
        for letter in letters.iter_mut().rev() {
            *letter = ALPHABET[(value & 31) as usize];
            value >>= 5;
        }
        letters
            .chunks(5)
            .map(|group| std::str::from_utf8(group).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("-")
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(label);
        hasher.update(self.0);
        hasher.finalize().into()
    }

    /// The secret that opens the inbox, hex (what the registry hashes).
    pub fn inbox_secret(&self) -> String {
        to_hex(&self.derive(b"accord/receipt/inbox/v1"))
    }

    /// The seed of the reporter's Ed25519 key, which signs their answers.
    pub fn signing_seed(&self) -> [u8; 32] {
        self.derive(b"accord/receipt/signing/v1")
    }

    /// The reporter's key pair for monitors' messages.
    pub fn reply_key(&self) -> RecipientSecret {
        RecipientSecret::derive(&self.derive(b"accord/receipt/reply-key/v1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn codes_read_back_as_shown(bytes in any::<[u8; 16]>()) {
            let code = ReceiptCode(bytes);
            let shown = code.display();
            prop_assert_eq!(shown.len(), LETTERS + 5);
            prop_assert_eq!(ReceiptCode::parse(&shown).unwrap(), code.clone());
            prop_assert_eq!(ReceiptCode::parse(&shown.to_uppercase().replace('-', " ")).unwrap(), code);
        }
    }

    #[test]
    fn derived_values_differ_and_mistyped_codes_are_refused() {
        let code = ReceiptCode::generate();
        assert_ne!(
            code.inbox_secret(),
            to_hex(&code.reply_key().public_key().to_hex().into_bytes())
        );
        assert_ne!(code.inbox_secret(), ReceiptCode::generate().inbox_secret());
        assert!(ReceiptCode::parse("abc").is_err());
        assert!(ReceiptCode::parse(&"1".repeat(26)).is_err());
        assert!(format!("{code:?}").contains('…'));
    }
}
