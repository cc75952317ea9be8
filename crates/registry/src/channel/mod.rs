//! The protected whistleblower channel. An insider holding a token from an
//! independent issuer sends a report sealed on their own machine to the
//! protocol's report monitors; the registry stores the ciphertext, logs
//! only a commitment to it (which the core turns into a whistleblower
//! receipt), and keeps a mailbox that the reporter opens with a receipt
//! code and the monitors with their signatures. The cryptography is in
//! `accord-channel`.
//!
//! What the registry keeps: the ciphertexts, the reporter's reply key, an
//! Argon2id hash of what the receipt code derives, and days (never a finer
//! time). It keeps no address, user agent, request id or cookie, in the
//! database or in any log line; see the README's operations section for
//! what the operator must add in front of it.

pub mod wire;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
mod store;

#[cfg(feature = "server")]
pub use service::{Channel, ChannelConfig};
