//! Validation against RFC 9180, Appendix A.2.1 ("Base Setup Information"
//! for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305: mode 0,
//! kem_id 32, kdf_id 1, aead_id 3), the suite the channel's envelopes use:
//! `RecipientSecret::derive` (how a reporter's reply key comes from a
//! receipt code) turns the RFC's ikmR into its pkRm and skRm (serialized
//! clamped, as RFC 9180 section 7.1.2 requires), and the RFC's first
//! ciphertext (sequence number 0) opens with skRm, enc, info and aad to the
//! RFC's plaintext, while a ciphertext with one byte changed does not.
//! Values copied from the RFC's vector (as hex; the RFC is the source).

use accord_channel::envelope::RecipientSecret;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable as _, Kem, OpModeR};

const IKM_R: &str = "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df";
const PK_RM: &str = "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a";
const SK_RM: &str = "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb";
const ENC: &str = "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a";
const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
/// A.2.1.1, sequence number 0.
const AAD: &str = "436f756e742d30";
const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
const CT: &str = concat!(
    "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db",
    "21993c62ce81883d2dd1b51a28",
);

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// RFC 9180 section 7.1.2: an X25519 SerializePrivateKey clamps its output
/// (RFC 7748 decodeScalar25519), so the vector's skRm, whose top bit is set,
/// serializes with that bit cleared; both are the same private key.
fn clamped(mut sk: Vec<u8>) -> Vec<u8> {
    sk[0] &= 248;
    sk[31] &= 127;
    sk[31] |= 64;
    sk
}

fn open(ct: &[u8]) -> Result<Vec<u8>, hpke::HpkeError> {
    let sk = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(&bytes(SK_RM)).unwrap();
    let enc = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(&bytes(ENC)).unwrap();
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk,
        &enc,
        &bytes(INFO),
        ct,
        &bytes(AAD),
    )
}

#[test]
fn derive_gives_the_rfc_key_pair() {
    let seed: [u8; 32] = bytes(IKM_R).try_into().unwrap();
    let secret = RecipientSecret::derive(&seed);
    assert_eq!(secret.public_key().to_hex(), PK_RM);
    assert_eq!(bytes(&secret.to_hex()), clamped(bytes(SK_RM)));
    let from_rfc = RecipientSecret::from_hex(SK_RM).unwrap();
    assert_eq!(from_rfc.public_key().to_hex(), PK_RM);
    assert_eq!(from_rfc.to_hex(), secret.to_hex());
}

#[test]
fn rfc_ciphertext_opens_and_a_changed_one_does_not() {
    assert_eq!(open(&bytes(CT)).unwrap(), bytes(PT));
    let mut altered = bytes(CT);
    altered[0] ^= 1;
    assert!(open(&altered).is_err());
}
