//! `accord-tlog`: the transparency-log specifications Accord follows, as pure
//! functions — RFC 6962/9162 and the C2SP transparency-log specifications —
//! so an offline verifier (a compute provider checking an access grant, a
//! browser, a Python user) can check checkpoints, proofs and bundles without
//! linking a database driver or an async runtime.
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
//! | [`witness`] | C2SP tlog-witness v1.0.0 wire protocol (`add-checkpoint`, every response code) and k-of-n policies |
//! | [`bundle`] | C2SP tlog-proof v1 (`c2sp.org/tlog-proof@v1`) |
//!
//! Nothing here does I/O or starts a thread. Two functions touch the
//! operating system: key generation draws from its random source, and
//! [`cosignature::now`] reads the clock for the timestamp of a new
//! cosignature; verification never does either.
//!
//! Explicit limits: entries up to 65,535 bytes ([`tile::MAX_ENTRY_SIZE`]),
//! notes up to 256 KiB with 100 signatures ([`note::MAX_NOTE_SIZE`],
//! [`note::MAX_SIGNATURES`]), proofs up to 64 hashes
//! ([`merkle::MAX_PROOF_LEN`]), trees up to 2^62 entries.

pub mod bundle;
pub mod checkpoint;
pub mod cosignature;
pub mod hash;
pub mod merkle;
pub mod note;
pub mod proof;
pub mod tile;
pub mod witness;

pub use bundle::TlogProof;
pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use cosignature::{CosignatureSigner, CosignatureVerifier};
pub use hash::{Hash, leaf_hash, node_hash};
pub use note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner, NoteVerifier};
pub use witness::{WitnessPolicy, WitnessResponse};
