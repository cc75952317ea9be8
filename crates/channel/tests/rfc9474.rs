//! Validation against RFC 9474, Appendix A ("Test Vectors"), the vector
//! for RSABSSA-SHA384-PSS-Randomized (the variant the channel uses): the
//! RFC's final signature on its message with its message prefix (our
//! randomizer) verifies with the RFC's public key through the channel's
//! own verification, and altering any part of it fails. Values copied from
//! the RFC's vector (as hex; the RFC is the source).

use accord_channel::token::{TokenKey, verify_signature};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// Modulus n, hex.
const N: &[&str] = &[
    "aec4d69addc70b990ea66a5e70603b6fee27aafebd08f2d94cbe1250c556e047",
    "a928d635c3f45ee9b66d1bc628a03bac9b7c3f416fe20dabea8f3d7b4bbf7f96",
    "3be335d2328d67e6c13ee4a8f955e05a3283720d3e1f139c38e43e0338ad058a",
    "9495c53377fc35be64d208f89b4aa721bf7f7d3fef837be2a80e0f8adf0bcd1e",
    "ec5bb040443a2b2792fdca522a7472aed74f31a1ebe1eebc1f408660a0543dfe",
    "2a850f106a617ec6685573702eaaa21a5640a5dcaf9b74e397fa3af18a2f1b7c",
    "03ba91a6336158de420d63188ee143866ee415735d155b7c2d854d795b7bc236",
    "cffd71542df34234221a0413e142d8c61355cc44d45bda94204974557ac2704c",
    "d8b593f035a5724b1adf442e78c542cd4414fce6f1298182fb6d8e53cef1adfd",
    "2e90e1e4deec52999bdc6c29144e8d52a125232c8c6d75c706ea3cc06841c7bd",
    "a33568c63a6c03817f722b50fcf898237d788a4400869e44d90a3020923dc646",
    "388abcc914315215fcd1bae11b1c751fd52443aac8f601087d8d42737c18a3fa",
    "11ecd4131ecae017ae0a14acfc4ef85b83c19fed33cfd1cd629da2c4c09e222b",
    "398e18d822f77bb378dea3cb360b605e5aa58b20edc29d000a66bd177c682a17",
    "e7eb12a63ef7c2e4183e0d898f3d6bf567ba8ae84f84f1d23bf8b8e261c3729e",
    "2fa6d07b832e07cddd1d14f55325c6f924267957121902dc19b3b32948bdead5",
];
/// Public exponent e.
const E: &str = "010001";
/// The message.
const MSG: &str = "8f3dc6fb8c4a02f4d6352edf0907822c1210a9b32f9bdda4c45a698c80023aa6b59f8cfec5fdbb36331372ebefedae7d";
/// The message prefix (the randomizer), 32 bytes.
const MSG_PREFIX: &str = "8417e699b219d583fb6216ae0c53ca0e9723442d02f1d1a34295527e7d929e8b";
/// The final signature.
const SIG: &[&str] = &[
    "191e941c57510e22d29afad257de5ca436d2316221fe870c7cb75205a6c071c2",
    "735aed0bc24c37f3d5bd960ab97a829a508f966bbaed7a82645e65eadaf24ab5",
    "e6d9421392c5b15b7f9b640d34fec512846a3100b80f75ef51064602118c1a77",
    "d28d938f6efc22041d60159a518d3de7c4d840c9c68109672d743d299d8d2577",
    "ef60c19ab463c716b3fa75fa56f5735349d414a44df12bf0dd44aa3e10822a65",
    "1ed4cb0eb6f47c9bd0ef14a034a7ac2451e30434d513eb22e68b7587a8de9b4e",
    "63a059d05c8b22c7c51e2cfee2d8bef511412e93c859a13726d87c57d1bc4c2e",
    "68ab121562f839c3a3d233e87ed63c69b7e57525367753fbebcc2a9805a28026",
    "59f5888b2c69115bf865559f10d906c09d048a0d71bfee4b33857393ec2b69e4",
    "51433496d02c9a7910abb954317720bbde9e69108eafc3e90bad3d5ca4066d7b",
    "1e49013fa04e948104a1dd82b12509ecb146e948c54bd8bfb5e6d18127cd1f7a",
    "93c3cf9f2d869d5a78878c03fe808a0d799e910be6f26d18db61c485b303631d",
    "3568368fc41986d08a95ea6ac0592240c19d7b22416b9c82ae6241e211dd5610",
    "d0baaa9823158f9c32b66318f5529491b7eeadcaa71898a63bac9d95f4aa548d",
    "5e97568d744fc429104e32edd9c87519892a198a30d333d427739ffb9607b092",
    "e910ae37771abf2adb9f63bc058bf58062ad456cb934679795bbdfcdfad5e0f2",
];

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// DER length octets.
fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let octets: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    let mut out = vec![0x80 | octets.len() as u8];
    out.extend(octets);
    out
}

/// DER INTEGER of an unsigned big-endian value.
fn der_integer(value: &[u8]) -> Vec<u8> {
    let mut content = value.to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    let mut out = vec![0x02];
    out.extend(der_length(content.len()));
    out.extend(content);
    out
}

/// The PKCS#1 RSAPublicKey of (n, e), base64.
fn rfc_key() -> String {
    let mut content = der_integer(&bytes(&N.concat()));
    content.extend(der_integer(&bytes(E)));
    let mut der = vec![0x30];
    der.extend(der_length(content.len()));
    der.extend(content);
    BASE64.encode(der)
}

#[test]
fn the_rfc_9474_vector_verifies() {
    let key = TokenKey::from_base64(&rfc_key()).unwrap();
    let randomizer: [u8; 32] = bytes(MSG_PREFIX).try_into().unwrap();
    let signature = bytes(&SIG.concat());
    verify_signature(&key, &bytes(MSG), &randomizer, &signature).unwrap();

    let mut other_message = bytes(MSG);
    other_message[0] ^= 1;
    assert!(verify_signature(&key, &other_message, &randomizer, &signature).is_err());
    let mut other_prefix = randomizer;
    other_prefix[31] ^= 1;
    assert!(verify_signature(&key, &bytes(MSG), &other_prefix, &signature).is_err());
    let mut other_signature = signature.clone();
    other_signature[100] ^= 1;
    assert!(verify_signature(&key, &bytes(MSG), &randomizer, &other_signature).is_err());
}
