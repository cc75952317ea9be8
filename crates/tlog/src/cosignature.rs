//! C2SP tlog-cosignature v1.0.1: timestamped Ed25519 witness cosignatures
//! (signature type `0x04`).
//!
//! * key ID = `SHA-256(name || 0x0A || 0x04 || public key)[:4]`;
//! * signature = `timestamp (u64, big-endian) || Ed25519 signature`, 72 bytes;
//! * the Ed25519 signature covers
//!   `"cosignature/v1\n" || "time " || decimal timestamp || "\n" || checkpoint text`
//!   (the whole note text, extension lines included);
//! * the timestamp is POSIX seconds and at most 2^63 − 1.
//!
//! A cosignature states that, at that time, this was the largest consistent
//! tree the witness had seen for the origin.
//!
//! Cosigner keys use the signed-note key strings with type byte `0x04`:
//! `name+hexid+base64(0x04 || public key)` and, for the secret,
//! `PRIVATE+KEY+name+hexid+base64(0x04 || seed)`.

use crate::note::{
    ALG_COSIGNATURE_V1, NoteError, NoteSignature, NoteSigner, NoteVerifier, PublicKey, SecretKey,
    random_seed,
};
use ed25519_dalek::Signer as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of a v1 cosignature after the key ID.
pub const COSIGNATURE_LEN: usize = 8 + 64;

/// The message a v1 cosignature signs.
pub fn cosigned_message(text: &[u8], timestamp: u64) -> Vec<u8> {
    let mut msg = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    msg.extend_from_slice(text);
    msg
}

/// The timestamp of a v1 cosignature, if it has the right length.
pub fn cosignature_timestamp(sig: &NoteSignature) -> Option<u64> {
    let bytes: [u8; 8] = sig.signature.get(..8)?.try_into().ok()?;
    (sig.signature.len() == COSIGNATURE_LEN).then(|| u64::from_be_bytes(bytes))
}

/// Current POSIX time in seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Verifies v1 cosignatures of one witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier(PublicKey);

impl CosignatureVerifier {
    /// A verifier for `name` and a 32-byte Ed25519 public key.
    pub fn new(name: &str, public_key: [u8; 32]) -> Result<Self, NoteError> {
        PublicKey::new(name, public_key, ALG_COSIGNATURE_V1, "cosigner verifier").map(Self)
    }

    /// Parses `name+hexid+base64(0x04 || key)`.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        PublicKey::parse(vkey, ALG_COSIGNATURE_V1, "cosigner verifier").map(Self)
    }

    /// The verifier key string.
    pub fn vkey(&self) -> String {
        self.0.encode()
    }
}

impl NoteVerifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.0.name
    }
    fn key_id(&self) -> u32 {
        self.0.key_id
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        if signature.len() != COSIGNATURE_LEN {
            return false;
        }
        let timestamp = u64::from_be_bytes(signature[..8].try_into().expect("8 bytes"));
        if timestamp > i64::MAX as u64 {
            return false;
        }
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&signature[8..]) else {
            return false;
        };
        self.0
            .key
            .verify_strict(&cosigned_message(text, timestamp), &sig)
            .is_ok()
    }
}

/// Produces v1 cosignatures.
#[derive(Debug, Clone)]
pub struct CosignatureSigner(SecretKey);

impl CosignatureSigner {
    /// A cosigner from a 32-byte seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, NoteError> {
        SecretKey::from_seed(name, seed, ALG_COSIGNATURE_V1).map(Self)
    }

    /// A new random cosigner key.
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        Self::from_seed(name, random_seed()?)
    }

    /// Parses `PRIVATE+KEY+name+hexid+base64(0x04 || seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        SecretKey::parse(skey, ALG_COSIGNATURE_V1, "cosigner").map(Self)
    }

    /// The secret key string.
    pub fn skey(&self) -> String {
        self.0.encode()
    }

    /// The matching verifier.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier(self.0.public())
    }

    /// Cosigns a checkpoint text at `timestamp`.
    pub fn cosign_at(&self, text: &[u8], timestamp: u64) -> NoteSignature {
        assert!(
            timestamp <= i64::MAX as u64,
            "cosignature timestamps are below 2^63"
        );
        let mut signature = timestamp.to_be_bytes().to_vec();
        signature.extend_from_slice(
            &self
                .0
                .key
                .sign(&cosigned_message(text, timestamp))
                .to_bytes(),
        );
        NoteSignature {
            name: self.0.name.clone(),
            key_id: self.0.key_id,
            signature,
        }
    }
}

impl NoteSigner for CosignatureSigner {
    fn name(&self) -> &str {
        &self.0.name
    }
    fn key_id(&self) -> u32 {
        self.0.key_id
    }
    fn sign(&self, text: &[u8]) -> NoteSignature {
        self.cosign_at(text, now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Note;

    /// The checkpoint with a cosignature from tlog-cosignature's Format section.
    const SPEC_NOTE: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

    #[test]
    fn spec_example_layout() {
        let note = Note::parse(SPEC_NOTE).unwrap();
        assert_eq!(note.to_string(), SPEC_NOTE);
        let cosig = &note.signatures[1];
        assert_eq!(cosig.name, "witness.example.com/w1");
        // The spec's signed-message example uses "time 1679315147": the same
        // timestamp as the example cosignature carries.
        assert_eq!(cosignature_timestamp(cosig), Some(1679315147));
        assert_eq!(
            String::from_utf8(cosigned_message(note.text.as_bytes(), 1679315147)).unwrap(),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        // The log's own signature is a plain Ed25519 one (4 + 64 bytes).
        assert_eq!(note.signatures[0].signature.len(), 64);
    }

    #[test]
    fn cosign_and_verify() {
        let w = CosignatureSigner::generate("witness.example/w1").unwrap();
        let text = b"example.com/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let sig = w.cosign_at(text, 1_700_000_000);
        let v = CosignatureVerifier::from_vkey(&w.verifier().vkey()).unwrap();
        assert!(v.verify(text, &sig.signature));
        let mut later = sig.signature.clone();
        later[7] ^= 1;
        assert!(!v.verify(text, &later), "the timestamp is signed");
        assert!(!v.verify(b"example.com/log\n4\n", &sig.signature));
        assert_eq!(
            CosignatureSigner::from_skey(&w.skey()).unwrap().skey(),
            w.skey()
        );
        // A cosigner key is not an Ed25519 note key: different type byte.
        assert!(crate::note::Ed25519Verifier::from_vkey(&v.vkey()).is_err());
    }
}
