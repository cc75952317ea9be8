//! Single-use report tokens: RSA blind signatures (RFC 9474), variant
//! RSABSSA-SHA384-PSS-Randomized, the one the RFC recommends.
//!
//! 1. The issuer publishes its token key in the registry
//!    (`publish_channel_key`, purpose `token_signing`).
//! 2. An insider picks a random 32-byte message and blinds it
//!    ([`TokenRequest::new`]); the issuer, having checked by its own means
//!    that the insider is eligible, signs the blinded message
//!    ([`TokenIssuer::sign_blinded`]) without learning the message.
//! 3. The insider unblinds ([`TokenRequest::finalize`]) and holds a token:
//!    the message, its randomizer and the signature.
//! 4. The registry checks the signature with the issuer's published key
//!    ([`verify`]) and spends the token by its message, once.
//!
//! Unlinkability (RFC 9474, section 7.3): the blinded message and blind
//! signature the issuer sees are independent of the message and signature
//! the registry sees, so even an issuer and a registry that pool everything
//! they hold cannot tell which issuance a report came from. The token
//! message is random, never derived from anything the insider is.

use crate::{ChannelError, from_hex, random_bytes, to_hex};
use accord_core::event::ReportToken;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use blind_rsa_signatures::{
    BlindMessage, BlindSignature, BlindingResult, DefaultRng, KeyPairSha384PSSRandomized,
    MessageRandomizer, PublicKeySha384PSSRandomized, Secret, SecretKeySha384PSSRandomized,
    Signature,
};
use serde::{Deserialize, Serialize};

/// Modulus size of new token keys, in bits (RFC 9474 asks for at least 2048).
pub const TOKEN_KEY_BITS: usize = 3072;
/// Modulus sizes a published token key may have, in bits.
pub const TOKEN_KEY_BITS_ACCEPTED: std::ops::RangeInclusive<usize> = 2048..=4096;

/// An issuer's published token key.
#[derive(Debug, Clone)]
pub struct TokenKey(PublicKeySha384PSSRandomized);

impl TokenKey {
    /// Parses the published form: base64 of the DER SubjectPublicKeyInfo.
    pub fn from_base64(text: &str) -> Result<Self, ChannelError> {
        let bad = |message: String| ChannelError::Key {
            what: "token key",
            message,
        };
        let der = BASE64
            .decode(text.trim())
            .map_err(|e| bad(format!("not base64: {e}")))?;
        let key = PublicKeySha384PSSRandomized::from_spki(&der)
            .or_else(|_| PublicKeySha384PSSRandomized::from_der(&der))
            .map_err(|e| bad(format!("not an RSA public key: {e}")))?;
        let bits = key.components().n().len() * 8;
        if !TOKEN_KEY_BITS_ACCEPTED.contains(&bits) {
            return Err(bad(format!(
                "a {bits}-bit modulus; expected {} to {} bits",
                TOKEN_KEY_BITS_ACCEPTED.start(),
                TOKEN_KEY_BITS_ACCEPTED.end()
            )));
        }
        Ok(Self(key))
    }

    /// The published form: base64 of the DER SubjectPublicKeyInfo.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.to_spki().expect("a valid key encodes"))
    }
}

/// Checks that `token` carries a valid signature by `key` on its message.
pub fn verify(key: &TokenKey, token: &ReportToken) -> Result<(), ChannelError> {
    let message = from_hex::<32>(&token.message)
        .ok_or_else(|| ChannelError::Token("message: expected 64 hex digits".into()))?;
    let randomizer = from_hex::<32>(&token.randomizer)
        .ok_or_else(|| ChannelError::Token("randomizer: expected 64 hex digits".into()))?;
    let signature = BASE64
        .decode(&token.signature)
        .map_err(|e| ChannelError::Token(format!("signature: not base64: {e}")))?;
    verify_signature(key, &message, &randomizer, &signature).map_err(|_| {
        ChannelError::Token(format!(
            "the signature does not verify with {}'s published token key (another issuer's key, an old key, or a forged token)",
            token.issuer
        ))
    })
}

/// RSABSSA-SHA384-PSS-Randomized verification (RFC 9474, section 4.5) of
/// `signature` on `message` with its message randomizer.
pub fn verify_signature(
    key: &TokenKey,
    message: &[u8],
    randomizer: &[u8; 32],
    signature: &[u8],
) -> Result<(), ChannelError> {
    key.0
        .verify(
            &Signature(signature.to_vec()),
            Some(MessageRandomizer(*randomizer)),
            message,
        )
        .map_err(|_| ChannelError::Token("the signature does not verify".into()))
}

/// The issuer's side: the secret token key.
pub struct TokenIssuer(SecretKeySha384PSSRandomized);

impl TokenIssuer {
    /// A new key of `bits` bits (slow: seconds for 3072 bits).
    pub fn generate(bits: usize) -> Result<Self, ChannelError> {
        let pair = KeyPairSha384PSSRandomized::generate(&mut DefaultRng, bits).map_err(|e| {
            ChannelError::Key {
                what: "token key",
                message: format!("cannot generate a {bits}-bit key: {e}"),
            }
        })?;
        Ok(Self(pair.sk))
    }

    /// Reads a PKCS#8 or PKCS#1 PEM secret key.
    pub fn from_pem(pem: &str) -> Result<Self, ChannelError> {
        SecretKeySha384PSSRandomized::from_pem(pem)
            .map(Self)
            .map_err(|e| ChannelError::Key {
                what: "issuer secret key",
                message: format!("not an RSA secret key in PEM: {e}"),
            })
    }

    /// The secret key as PEM (keep it off the registry's machine).
    pub fn to_pem(&self) -> String {
        self.0.to_pem().expect("a valid key encodes")
    }

    /// The public key to publish.
    pub fn public_key(&self) -> TokenKey {
        TokenKey(self.0.public_key().expect("a valid key has a public key"))
    }

    /// Signs a blinded message (base64) and returns the blind signature
    /// (base64). The issuer learns nothing about the message.
    pub fn sign_blinded(&self, blinded_base64: &str) -> Result<String, ChannelError> {
        let blinded = BASE64
            .decode(blinded_base64.trim())
            .map_err(|e| ChannelError::Token(format!("blinded message: not base64: {e}")))?;
        let signature = self
            .0
            .blind_sign(BlindMessage(blinded))
            .map_err(|e| ChannelError::Token(format!("blinded message: cannot sign: {e}")))?;
        Ok(BASE64.encode(signature.0))
    }
}

/// The insider's side between blinding and unblinding; kept on the
/// insider's machine (it holds the blinding secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The issuer whose key the request is blinded for.
    pub issuer: String,
    /// The issuer's token key (base64 SPKI) at blinding time.
    pub token_key: String,
    /// The random message, hex.
    pub message: String,
    /// The message randomizer, hex.
    pub randomizer: String,
    /// The blinding secret, base64.
    pub secret: String,
    /// What the issuer signs, base64.
    pub blinded: String,
}

impl TokenRequest {
    /// Blinds a fresh random message for `issuer`'s `key`.
    pub fn new(issuer: &str, key: &TokenKey) -> Result<Self, ChannelError> {
        let message = random_bytes::<32>();
        let blinding = key
            .0
            .blind(&mut DefaultRng, message)
            .map_err(|e| ChannelError::Token(format!("cannot blind: {e}")))?;
        let randomizer = blinding
            .msg_randomizer
            .expect("the randomized variant makes a randomizer");
        Ok(Self {
            issuer: issuer.to_string(),
            token_key: key.to_base64(),
            message: to_hex(&message),
            randomizer: to_hex(&randomizer.0),
            secret: BASE64.encode(&blinding.secret.0),
            blinded: BASE64.encode(&blinding.blind_message.0),
        })
    }

    /// Unblinds the issuer's blind signature (base64) into a token, and
    /// checks it against the issuer's key.
    pub fn finalize(&self, blind_signature_base64: &str) -> Result<ReportToken, ChannelError> {
        let key = TokenKey::from_base64(&self.token_key)?;
        let field = |name: &str, text: &str| {
            BASE64
                .decode(text.trim())
                .map_err(|e| ChannelError::Token(format!("{name}: not base64: {e}")))
        };
        let message = from_hex::<32>(&self.message)
            .ok_or_else(|| ChannelError::Token("request message: expected 64 hex digits".into()))?;
        let randomizer = from_hex::<32>(&self.randomizer).ok_or_else(|| {
            ChannelError::Token("request randomizer: expected 64 hex digits".into())
        })?;
        let blinding = BlindingResult {
            blind_message: BlindMessage(field("request blinded message", &self.blinded)?),
            secret: Secret(field("request secret", &self.secret)?),
            msg_randomizer: Some(MessageRandomizer(randomizer)),
        };
        let blind_signature = BlindSignature(field("blind signature", blind_signature_base64)?);
        let signature = key
            .0
            .finalize(&blind_signature, &blinding, message)
            .map_err(|_| {
                ChannelError::Token(format!(
                    "the blind signature does not unblind to a valid signature by {}'s key",
                    self.issuer
                ))
            })?;
        Ok(ReportToken {
            issuer: self.issuer.clone(),
            message: self.message.clone(),
            randomizer: self.randomizer.clone(),
            signature: BASE64.encode(signature.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_only_with_their_issuers_key() {
        let issuer = TokenIssuer::generate(2048).unwrap();
        let other = TokenIssuer::generate(2048).unwrap();
        let key = TokenKey::from_base64(&issuer.public_key().to_base64()).unwrap();
        let request = TokenRequest::new("issuer", &key).unwrap();
        let blind = issuer.sign_blinded(&request.blinded).unwrap();
        let token = request.finalize(&blind).unwrap();
        verify(&key, &token).unwrap();
        assert!(verify(&other.public_key(), &token).is_err());
        // Another issuer's blind signature does not finalize (when its key
        // can sign at all: the blinded message may exceed its modulus).
        if let Ok(forged) = other.sign_blinded(&request.blinded) {
            assert!(request.finalize(&forged).is_err());
        }
        // A token with a different message does not verify.
        let mut altered = token.clone();
        altered.message = "00".repeat(32);
        assert!(verify(&key, &altered).is_err());
        // Neither the blinded message nor the blind signature appear in the token.
        let pem = issuer.to_pem();
        assert!(TokenIssuer::from_pem(&pem).is_ok());
        assert!(!token.signature.contains(&blind) && !blind.contains(&token.signature));
    }

    /// A message spelled with signs ("+f+4…") names the same bytes, so the
    /// signature verifies; the registry must refuse it before it stores
    /// anything, as the core would.
    #[test]
    fn a_token_message_is_hex_digits_only() {
        let issuer = TokenIssuer::generate(2048).unwrap();
        let key = issuer.public_key();
        // Bytes below 16: each has a spelling with a sign.
        let message: [u8; 32] = std::array::from_fn(|i| (i % 16) as u8);
        let blinding = key.0.blind(&mut DefaultRng, message).unwrap();
        let request = TokenRequest {
            issuer: "issuer".into(),
            token_key: key.to_base64(),
            message: to_hex(&message),
            randomizer: to_hex(&blinding.msg_randomizer.unwrap().0),
            secret: BASE64.encode(&blinding.secret.0),
            blinded: BASE64.encode(&blinding.blind_message.0),
        };
        let token = request
            .finalize(&issuer.sign_blinded(&request.blinded).unwrap())
            .unwrap();
        verify(&key, &token).unwrap();
        let signed = ReportToken {
            message: message.iter().map(|b| format!("+{b:x}")).collect(),
            ..token.clone()
        };
        assert!(
            matches!(verify(&key, &signed), Err(ChannelError::Token(ref m)) if m.contains("64 hex digits")),
            "{:?}",
            verify(&key, &signed)
        );
        // Upper case is the same token (the core spends it lowercased).
        let upper = ReportToken {
            message: token.message.to_ascii_uppercase(),
            ..token
        };
        verify(&key, &upper).unwrap();
    }

    #[test]
    fn small_or_malformed_keys_are_refused() {
        assert!(matches!(
            TokenKey::from_base64("not base64!"),
            Err(ChannelError::Key { .. })
        ));
        assert!(TokenKey::from_base64("AAAA").is_err());
    }
}
