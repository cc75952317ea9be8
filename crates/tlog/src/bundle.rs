//! C2SP tlog-proof (`c2sp.org/tlog-proof@v1`): an offline-verifiable proof
//! that an entry is in a log, with the log's checkpoint and any witness
//! cosignatures.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64>            (optional, unauthenticated)
//! index <decimal>
//! <base64 hash>             (inclusion proof, leaf's sibling first; zero or more)
//!
//! <checkpoint note, verbatim>
//! ```

use crate::checkpoint::{CheckpointError, SignedCheckpoint, parse_size};
use crate::hash::Hash;
use crate::merkle::MAX_PROOF_LEN;
use crate::note::{MAX_NOTE_SIZE, NoteVerifier};
use crate::proof::{ProofError, verify_inclusion};
use crate::witness::{PolicyError, WitnessPolicy};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

/// First line of a proof.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// Largest proof accepted, in bytes.
pub const MAX_BUNDLE_SIZE: usize = MAX_NOTE_SIZE + 128 * 1024;

/// A malformed or failing tlog-proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Breaks the format.
    #[error("malformed tlog-proof: {0}")]
    Malformed(String),
    /// The checkpoint is malformed or not signed by the log.
    #[error("tlog-proof checkpoint")]
    Checkpoint(#[from] CheckpointError),
    /// The inclusion proof fails.
    #[error("tlog-proof inclusion proof")]
    Proof(#[from] ProofError),
    /// Too few witness cosignatures.
    #[error("tlog-proof witnesses")]
    Policy(#[from] PolicyError),
}

/// A parsed tlog-proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque application data (not authenticated).
    pub extra: Option<Vec<u8>>,
    /// Index of the entry.
    pub index: u64,
    /// Inclusion proof in the checkpoint's tree.
    pub proof: Vec<Hash>,
    /// The checkpoint note, verbatim.
    pub checkpoint: String,
}

impl TlogProof {
    /// Parses a proof (without verifying it).
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        let bad = |m: &str| BundleError::Malformed(m.to_string());
        if text.len() > MAX_BUNDLE_SIZE {
            return Err(bad("too large"));
        }
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(bad("the first line must be c2sp.org/tlog-proof@v1"));
        }
        let mut line = lines.next().ok_or_else(|| bad("missing index line"))?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra =
                Some(STANDARD.decode(b64).map_err(|e| {
                    BundleError::Malformed(format!("extra data is not base64: {e}"))
                })?);
            line = lines.next().ok_or_else(|| bad("missing index line"))?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_size)
            .ok_or_else(|| bad("expected \"index <decimal without leading zeroes>\""))?;
        let proof = lines
            .enumerate()
            .map(|(i, l)| {
                if i >= MAX_PROOF_LEN {
                    return Err(bad("inclusion proof longer than 64 hashes"));
                }
                Hash::from_base64(l)
                    .map_err(|e| BundleError::Malformed(format!("proof line {}: {e}", i + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            extra,
            index,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }

    /// Verifies the proof for an entry's leaf hash: the checkpoint is signed
    /// by the log for `origin`, meets the witness `policy` if given, and
    /// includes the entry. Returns the verified checkpoint.
    pub fn verify(
        &self,
        leaf: &Hash,
        origin: &str,
        log: &dyn NoteVerifier,
        policy: Option<&WitnessPolicy>,
    ) -> Result<SignedCheckpoint, BundleError> {
        let signed = SignedCheckpoint::open(&self.checkpoint, origin, log)?;
        if let Some(policy) = policy {
            policy.check(&signed.note)?;
        }
        let c = &signed.checkpoint;
        verify_inclusion(self.index, c.size, leaf, &self.proof, c.root.as_bytes())?;
        Ok(signed)
    }
}

impl fmt::Display for TlogProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{HEADER}")?;
        if let Some(extra) = &self.extra {
            writeln!(f, "extra {}", STANDARD.encode(extra))?;
        }
        writeln!(f, "index {}", self.index)?;
        for h in &self.proof {
            writeln!(f, "{}", h.to_base64())?;
        }
        writeln!(f)?;
        f.write_str(&self.checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_layout_parses() {
        // From c2sp.org/tlog-proof, with its elided signatures replaced by
        // syntactically complete ones.
        let text = "c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\nindex 73894\n\
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\nB95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n\
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\nRoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n\
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n\nexample.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n\
— example.com/fancylog AAAAAAAA\n";
        let p = TlogProof::parse(text).unwrap();
        assert_eq!((p.index, p.proof.len()), (73894, 5));
        assert!(
            p.extra
                .unwrap()
                .starts_with(b"age-v1.2.1-darwin-arm64.tar.gz")
        );
        assert!(p.checkpoint.starts_with("example.com/fancylog\n109482\n"));
        assert_eq!(TlogProof::parse(text).unwrap().to_string(), text);
    }
}
