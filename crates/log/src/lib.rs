//! `accord-log`: a transparency log that follows RFC 6962/9162 and the C2SP
//! transparency-log specifications, so that existing verifiers, witnesses
//! and tools can read it.
//!
//! The specifications themselves (hashes, Merkle proofs, signed notes,
//! checkpoints, cosignatures, tiles, proof bundles and the witness wire
//! protocol) are pure functions in `accord-tlog`, re-exported here under the
//! same module names; this crate adds storage and services.
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

pub use accord_tlog::{bundle, checkpoint, cosignature, hash, merkle, note, proof, tile};

pub mod log;
pub mod storage;
pub mod witness;

pub use bundle::TlogProof;
pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use cosignature::{CosignatureSigner, CosignatureVerifier};
pub use hash::{Hash, leaf_hash, node_hash};
pub use log::{Log, LogConfig, LogError, LogReader};
pub use note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner, NoteVerifier};
pub use storage::{AnyStorage, PostgresStorage, SqliteStorage, Storage, WitnessStore};
pub use witness::{Witness, WitnessClient, WitnessPolicy, WitnessResponse};

/// An error and its sources, joined as `error: cause: cause…`, for the
/// places that report an error as text (append failures, witness responses).
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
