//! `accord-log`: a transparency log that follows RFC 6962/9162 and the C2SP
//! transparency-log specifications, so that existing verifiers, witnesses
//! and tools can read it.
//!
//! Specifications implemented (versions pinned):
//!
//! | module | specification |
//! |---|---|
//! | [`hash`], [`merkle`], [`proof`] | RFC 6962 §2.1 Merkle Tree Hash, inclusion and consistency proofs; verification per RFC 9162 §2.1.3.2 and §2.1.4.2 |
//! | [`note`] | C2SP signed-note v1.0.0 (Ed25519, key IDs, verifier/signer key strings) |
//! | [`checkpoint`] | C2SP tlog-checkpoint v1.0.0 |
//! | [`cosignature`] | C2SP tlog-cosignature v1.0.1 (timestamped Ed25519, type `0x04`) |
//! | [`tile`] | C2SP tlog-tiles v0.1.0 (hash tiles, partial tiles, entry bundles) |
//! | [`witness`] | C2SP tlog-witness v1.0.0 (`add-checkpoint`, every response code) |
//! | [`bundle`] | C2SP tlog-proof v1 (`c2sp.org/tlog-proof@v1`) |
//!
//! The [`log`] module sequences appends into batches, stores entries and hash
//! tiles with the signed checkpoint in one transaction ([`storage`]: SQLite
//! or PostgreSQL), and serves proofs, tiles and bundles from stored hashes.
//!
//! Explicit limits: entries up to 65,535 bytes ([`tile::MAX_ENTRY_SIZE`]),
//! notes up to 256 KiB with 100 signatures ([`note::MAX_NOTE_SIZE`],
//! [`note::MAX_SIGNATURES`]), proofs up to 64 hashes
//! ([`merkle::MAX_PROOF_LEN`]), trees up to 2^62 entries, batches up to
//! [`LogConfig::max_batch_entries`].

pub mod bundle;
pub mod checkpoint;
pub mod cosignature;
pub mod hash;
pub mod log;
pub mod merkle;
pub mod note;
pub mod proof;
pub mod storage;
pub mod tile;
pub mod witness;

pub use bundle::TlogProof;
pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use cosignature::{CosignatureSigner, CosignatureVerifier};
pub use hash::{Hash, leaf_hash, node_hash};
pub use log::{Log, LogConfig, LogError, LogReader};
pub use note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner, NoteVerifier};
pub use storage::{AnyStorage, PostgresStorage, SqliteStorage, Storage, WitnessStore};
pub use witness::{Witness, WitnessClient, WitnessPolicy, WitnessResponse};
