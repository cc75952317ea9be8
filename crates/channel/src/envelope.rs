//! Reports and follow-up messages sealed to several recipients.
//!
//! A fresh 32-byte content key encrypts the body once (ChaCha20-Poly1305);
//! the content key is sealed to each recipient with HPKE (RFC 9180, base
//! mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305), with
//! the recipient's id as HPKE `info`. Layout (all lengths in bytes):
//!
//! ```text
//! "accord-envelope/v1\n"                      magic, 19
//! count                                       1 (1 ..= MAX_RECIPIENTS)
//! per recipient: id length (1), id (UTF-8),   encapsulated key (32),
//!                sealed content key (48)
//! body: ChaCha20-Poly1305(content key, nonce 0, aad = everything above)
//! ```
//!
//! The header is the body's associated data, so adding, removing or
//! swapping a recipient makes the body fail to open; the nonce can be fixed
//! because every content key encrypts exactly one body. Anyone can check
//! the layout ([`Envelope::parse`]); only a recipient can open it.

use crate::{ChannelError, from_hex, random_bytes, to_hex};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hpke::aead::ChaCha20Poly1305 as HpkeAead;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable as _, Kem as _, OpModeR, OpModeS, Serializable as _};
use serde::{Deserialize, Serialize};

type Kem = X25519HkdfSha256;

/// First bytes of every envelope.
pub const MAGIC: &[u8] = b"accord-envelope/v1\n";
/// Most recipients of one envelope.
pub const MAX_RECIPIENTS: usize = 32;
/// Largest envelope, in bytes: a report with its attachments.
pub const MAX_ENVELOPE_BYTES: usize = 8 * 1024 * 1024;
const ENCAPSULATED_KEY_BYTES: usize = 32;
const SEALED_KEY_BYTES: usize = 32 + TAG_BYTES;
const TAG_BYTES: usize = 16;

/// A recipient's public key (X25519), published as 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientKey([u8; 32]);

impl RecipientKey {
    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, ChannelError> {
        let bytes = from_hex::<32>(text.trim()).ok_or_else(|| ChannelError::Key {
            what: "report key",
            message: "expected an X25519 public key as 64 hex digits".into(),
        })?;
        <Kem as hpke::Kem>::PublicKey::from_bytes(&bytes).map_err(|_| ChannelError::Key {
            what: "report key",
            message: "not a usable X25519 public key".into(),
        })?;
        Ok(Self(bytes))
    }

    /// 64 hex digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

/// A recipient's secret key.
pub struct RecipientSecret {
    secret: <Kem as hpke::Kem>::PrivateKey,
    public: RecipientKey,
}

impl RecipientSecret {
    /// A new random key pair.
    pub fn generate() -> Self {
        Self::derive(&random_bytes::<32>())
    }

    /// The key pair derived from 32 secret bytes (RFC 9180 DeriveKeyPair).
    pub fn derive(seed: &[u8; 32]) -> Self {
        let (secret, public) = Kem::derive_keypair(seed);
        let public = RecipientKey(public.to_bytes().into());
        Self { secret, public }
    }

    /// Reads the secret as 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, ChannelError> {
        let bytes = from_hex::<32>(text.trim()).ok_or_else(|| ChannelError::Key {
            what: "report secret key",
            message: "expected 64 hex digits".into(),
        })?;
        let secret =
            <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes).map_err(|_| ChannelError::Key {
                what: "report secret key",
                message: "not a usable X25519 secret key".into(),
            })?;
        let public = RecipientKey(Kem::sk_to_pk(&secret).to_bytes().into());
        Ok(Self { secret, public })
    }

    /// The secret as 64 hex digits (for the monitor's key file).
    pub fn to_hex(&self) -> String {
        to_hex(&self.secret.to_bytes())
    }

    /// The public key to publish.
    pub fn public_key(&self) -> &RecipientKey {
        &self.public
    }
}

/// One recipient's slot in an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    id: String,
    encapsulated_key: Vec<u8>,
    sealed_key: Vec<u8>,
}

/// An envelope's parsed layout (nothing decrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    slots: Vec<Slot>,
    header_len: usize,
}

impl Envelope {
    /// Seals `plaintext` to every `(id, key)` in `recipients`.
    pub fn seal(
        recipients: &[(&str, &RecipientKey)],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ChannelError> {
        if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
            return Err(ChannelError::Malformed(format!(
                "expected 1 to {MAX_RECIPIENTS} recipients, got {}",
                recipients.len()
            )));
        }
        let content_key = random_bytes::<32>();
        let mut out = MAGIC.to_vec();
        out.push(recipients.len() as u8);
        for (id, key) in recipients {
            if id.is_empty() || id.len() > usize::from(u8::MAX) {
                return Err(ChannelError::Malformed(format!(
                    "recipient id {id:?}: expected 1 to 255 bytes"
                )));
            }
            let public = <Kem as hpke::Kem>::PublicKey::from_bytes(&key.0)
                .expect("RecipientKey holds a valid key");
            let (encapsulated, sealed) = hpke::single_shot_seal::<HpkeAead, HkdfSha256, Kem>(
                &OpModeS::Base,
                &public,
                id.as_bytes(),
                &content_key,
                b"",
            )
            .map_err(|e| ChannelError::Malformed(format!("cannot seal to {id}: {e}")))?;
            out.push(id.len() as u8);
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(&encapsulated.to_bytes());
            out.extend_from_slice(&sealed);
        }
        let body = ChaCha20Poly1305::new(&Key::from(content_key))
            .encrypt(
                &Nonce::default(),
                Payload {
                    msg: plaintext,
                    aad: &out,
                },
            )
            .map_err(|_| ChannelError::Malformed("cannot encrypt the body".into()))?;
        out.extend_from_slice(&body);
        if out.len() > MAX_ENVELOPE_BYTES {
            return Err(ChannelError::TooLarge {
                what: "the sealed report",
                bytes: out.len(),
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        Ok(out)
    }

    /// Checks the layout of `bytes` (what the registry can check without
    /// reading anything).
    pub fn parse(bytes: &[u8]) -> Result<Self, ChannelError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(ChannelError::TooLarge {
                what: "the envelope",
                bytes: bytes.len(),
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        let truncated =
            |at: &str| ChannelError::Malformed(format!("truncated in {at} (forged or cut short)"));
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| ChannelError::Malformed("not an accord-envelope/v1".into()))?;
        let (&count, mut rest) = rest.split_first().ok_or_else(|| truncated("the header"))?;
        let count = usize::from(count);
        if count == 0 || count > MAX_RECIPIENTS {
            return Err(ChannelError::Malformed(format!(
                "{count} recipients; expected 1 to {MAX_RECIPIENTS}"
            )));
        }
        let mut slots = Vec::with_capacity(count);
        for index in 0..count {
            let (&id_len, after) = rest.split_first().ok_or_else(|| truncated("a recipient"))?;
            let need = usize::from(id_len) + ENCAPSULATED_KEY_BYTES + SEALED_KEY_BYTES;
            if id_len == 0 || after.len() < need {
                return Err(truncated("a recipient"));
            }
            let (id, after) = after.split_at(usize::from(id_len));
            let id = std::str::from_utf8(id)
                .map_err(|_| {
                    ChannelError::Malformed(format!("recipient {index}: id is not UTF-8"))
                })?
                .to_string();
            let (encapsulated_key, after) = after.split_at(ENCAPSULATED_KEY_BYTES);
            let (sealed_key, after) = after.split_at(SEALED_KEY_BYTES);
            slots.push(Slot {
                id,
                encapsulated_key: encapsulated_key.to_vec(),
                sealed_key: sealed_key.to_vec(),
            });
            rest = after;
        }
        if rest.len() < TAG_BYTES {
            return Err(truncated("the body"));
        }
        Ok(Self {
            slots,
            header_len: bytes.len() - rest.len(),
        })
    }

    /// The recipients' ids, in order.
    pub fn recipients(&self) -> Vec<&str> {
        self.slots.iter().map(|s| s.id.as_str()).collect()
    }

    /// Opens `bytes` (this envelope) as recipient `id`.
    pub fn open(
        &self,
        bytes: &[u8],
        id: &str,
        secret: &RecipientSecret,
    ) -> Result<Vec<u8>, ChannelError> {
        let slot = self
            .slots
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ChannelError::Unopenable(format!("not sealed to {id}")))?;
        let forged = || {
            ChannelError::Unopenable(format!(
                "does not open with {id}'s key: forged, corrupted or sealed to another key"
            ))
        };
        let encapsulated = <Kem as hpke::Kem>::EncappedKey::from_bytes(&slot.encapsulated_key)
            .map_err(|_| forged())?;
        let content_key = hpke::single_shot_open::<HpkeAead, HkdfSha256, Kem>(
            &OpModeR::Base,
            &secret.secret,
            &encapsulated,
            id.as_bytes(),
            &slot.sealed_key,
            b"",
        )
        .map_err(|_| forged())?;
        let content_key: [u8; 32] = content_key.try_into().map_err(|_| forged())?;
        let (header, body) = bytes.split_at(self.header_len);
        ChaCha20Poly1305::new(&Key::from(content_key))
            .decrypt(
                &Nonce::default(),
                Payload {
                    msg: body,
                    aad: header,
                },
            )
            .map_err(|_| forged())
    }
}

/// Most attachments in one report.
pub const MAX_ATTACHMENTS: usize = 64;

/// What a report or a message says, before sealing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportContent {
    /// The text.
    pub text: String,
    /// Attached files: name and bytes.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// In a report: the reporter's reply key (X25519, hex), which monitors
    /// seal their questions to — taken from here, not from the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_key: Option<String>,
    /// In a report: the reporter's signing key (Ed25519, hex), which signs
    /// the reporter's answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
}

impl ReportContent {
    /// Text with attachments, nothing else.
    pub fn new(text: impl Into<String>, attachments: Vec<Attachment>) -> Self {
        Self {
            text: text.into(),
            attachments,
            reply_key: None,
            signing_key: None,
        }
    }
}

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// File name (no directories).
    pub name: String,
    /// Contents, base64.
    pub data: String,
}

impl Attachment {
    /// An attachment of `bytes` named `name`.
    pub fn new(name: &str, bytes: &[u8]) -> Self {
        Self {
            name: name.to_string(),
            data: BASE64.encode(bytes),
        }
    }

    /// The attached bytes.
    pub fn bytes(&self) -> Result<Vec<u8>, ChannelError> {
        BASE64
            .decode(&self.data)
            .map_err(|e| ChannelError::Malformed(format!("attachment {}: {e}", self.name)))
    }
}

impl ReportContent {
    /// Serialises for sealing.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ChannelError> {
        if self.attachments.len() > MAX_ATTACHMENTS {
            return Err(ChannelError::TooLarge {
                what: "the attachment list",
                bytes: self.attachments.len(),
                limit: MAX_ATTACHMENTS,
            });
        }
        Ok(serde_json::to_vec(self).expect("content serialises"))
    }

    /// Reads opened bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ChannelError> {
        serde_json::from_slice(bytes)
            .map_err(|e| ChannelError::Malformed(format!("opened content is not a report: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_monitors() -> (RecipientSecret, RecipientSecret) {
        (RecipientSecret::generate(), RecipientSecret::generate())
    }

    #[test]
    fn every_recipient_opens_and_nobody_else() {
        let (a, b) = two_monitors();
        let outsider = RecipientSecret::generate();
        let sealed = Envelope::seal(
            &[("mon-a", a.public_key()), ("mon-b", b.public_key())],
            b"the report",
        )
        .unwrap();
        let envelope = Envelope::parse(&sealed).unwrap();
        assert_eq!(envelope.recipients(), ["mon-a", "mon-b"]);
        assert_eq!(envelope.open(&sealed, "mon-a", &a).unwrap(), b"the report");
        assert_eq!(envelope.open(&sealed, "mon-b", &b).unwrap(), b"the report");
        assert!(envelope.open(&sealed, "mon-a", &outsider).is_err());
        assert!(envelope.open(&sealed, "mon-c", &a).is_err());
        // The key round-trips through its published and secret forms.
        let again = RecipientSecret::from_hex(&a.to_hex()).unwrap();
        assert_eq!(again.public_key(), a.public_key());
        assert_eq!(
            RecipientKey::from_hex(&a.public_key().to_hex()).unwrap(),
            *a.public_key()
        );
    }

    #[test]
    fn forged_and_truncated_envelopes_are_caught() {
        let (a, b) = two_monitors();
        let sealed = Envelope::seal(
            &[("mon-a", a.public_key()), ("mon-b", b.public_key())],
            b"the report",
        )
        .unwrap();
        for cut in [0, 10, MAGIC.len() + 1, MAGIC.len() + 40, sealed.len() - 17] {
            assert!(
                matches!(
                    Envelope::parse(&sealed[..cut]),
                    Err(ChannelError::Malformed(_))
                ),
                "cut at {cut}"
            );
        }
        // A flipped bit anywhere after the magic fails to parse or to open.
        for position in MAGIC.len()..sealed.len() {
            let mut forged = sealed.clone();
            forged[position] ^= 0x01;
            let opened = Envelope::parse(&forged).and_then(|e| e.open(&forged, "mon-a", &a));
            assert!(opened.is_err(), "bit flip at {position} went unnoticed");
        }
        // Dropping the last byte of the body: parses, does not open.
        let cut = &sealed[..sealed.len() - 1];
        let envelope = Envelope::parse(cut).unwrap();
        assert!(matches!(
            envelope.open(cut, "mon-b", &b),
            Err(ChannelError::Unopenable(_))
        ));
    }
}
