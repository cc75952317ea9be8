//! RFC 6962 / RFC 9162 §2.1.1 Merkle tree hashing with SHA-256.
//!
//! * leaf hash: `SHA-256(0x00 || data)`
//! * interior node: `SHA-256(0x01 || left || right)`
//! * the empty tree: `SHA-256("")` (RFC 9162 §2.1.1; Go's `tlog.TreeHash(0)`
//!   returns 32 zero bytes instead, Accord follows the RFC).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::fmt;

/// Length of a SHA-256 hash in bytes.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 Merkle tree hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

/// A byte string that is not a 32-byte hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// Wrong number of bytes.
    #[error("a hash is {HASH_SIZE} bytes, got {0}")]
    Length(usize),
    /// Not standard padded base64 (RFC 4648 §4).
    #[error("hash is not valid base64: {0}")]
    Base64(String),
    /// Not hexadecimal.
    #[error("hash is not 64 hexadecimal digits")]
    Hex,
}

impl Hash {
    /// Hash from a byte slice of exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashParseError> {
        <[u8; HASH_SIZE]>::try_from(bytes)
            .map(Self)
            .map_err(|_| HashParseError::Length(bytes.len()))
    }

    /// Parses standard padded base64, as used in checkpoints and proofs.
    pub fn from_base64(text: &str) -> Result<Self, HashParseError> {
        let bytes = STANDARD
            .decode(text)
            .map_err(|e| HashParseError::Base64(e.to_string()))?;
        Self::from_slice(&bytes)
    }

    /// Standard padded base64 (44 characters).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Parses 64 hexadecimal digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, HashParseError> {
        let bytes = text.as_bytes();
        if bytes.len() != 2 * HASH_SIZE {
            return Err(HashParseError::Hex);
        }
        let mut out = [0u8; HASH_SIZE];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16).ok_or(HashParseError::Hex);
            out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
        }
        Ok(Self(out))
    }

    /// Lowercase hexadecimal.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// `SHA-256(0x00 || data)`: the hash of a log entry.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The root of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// SHA-256 of arbitrary bytes.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; HASH_SIZE] {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn encodings_round_trip() {
        let h = leaf_hash(b"accord");
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(Hash::from_base64(&h.to_base64()), Ok(h));
        assert_eq!(Hash::from_slice(&[0; 31]), Err(HashParseError::Length(31)));
        assert_eq!(Hash::from_hex("zz"), Err(HashParseError::Hex));
    }
}
