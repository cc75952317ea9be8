//! C2SP tlog-checkpoint v1.0.0: the signed tree head of a log.
//!
//! The note text is at least three non-empty lines: the **origin** (the
//! log's identity), the **tree size** in decimal without leading zeroes,
//! the **root hash** in standard base64, then optional non-empty
//! **extension lines**. It is signed as a [signed note](crate::note), by the
//! log's key (whose name should be the origin) and by witnesses'
//! [cosignatures](crate::cosignature).
//!
//! Tree sizes above [`MAX_TREE_SIZE`] (2^62) are refused when parsed.

use crate::hash::Hash;
use crate::merkle::MAX_TREE_SIZE;
use crate::note::{Note, NoteError, NoteVerifier};
use std::fmt;

/// Longest origin line accepted.
pub const MAX_ORIGIN_LEN: usize = 1024;
/// Most extension lines accepted.
pub const MAX_EXTENSION_LINES: usize = 16;

/// A malformed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text breaks tlog-checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// The note around it is malformed or unverified.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// A tree size beyond [`MAX_TREE_SIZE`], which storage and proofs
    /// cannot represent.
    #[error("checkpoint tree size {0} exceeds the supported maximum of 2^62")]
    TooLarge(u64),
    /// Signed by the log, but for another origin.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    WrongOrigin {
        /// Origin expected.
        expected: String,
        /// Origin in the checkpoint.
        found: String,
    },
}

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Log identity.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// Merkle Tree Hash of the leaves.
    pub root: Hash,
    /// Opaque extension lines (not recommended by the spec).
    pub extensions: Vec<String>,
}

/// Parses a decimal without sign or leading zeroes (`0` itself is allowed).
pub fn parse_size(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        let c = Self {
            origin: origin.to_string(),
            size,
            root,
            extensions: Vec::new(),
        };
        Self::parse(&c.to_string())?;
        Ok(c)
    }

    /// Parses the note text of a checkpoint.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Malformed(m.to_string());
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("text must end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| bad("empty origin line"))?;
        if origin.len() > MAX_ORIGIN_LEN {
            return Err(bad("origin line too long"));
        }
        if origin.chars().any(|c| c.is_control()) {
            return Err(bad("origin has control characters"));
        }
        let size = lines
            .next()
            .ok_or_else(|| bad("missing tree size line"))
            .and_then(|l| {
                parse_size(l).ok_or_else(|| {
                    CheckpointError::Malformed(format!(
                        "tree size {l:?} is not a decimal number without leading zeroes"
                    ))
                })
            })?;
        // Refused here, before any witness cosigns or stores it: Go's
        // tlog.ParseTree stops at 2^63 - 1, this crate at 2^62.
        if size > MAX_TREE_SIZE {
            return Err(CheckpointError::TooLarge(size));
        }
        let root_line = lines.next().ok_or_else(|| bad("missing root hash line"))?;
        let root = Hash::from_base64(root_line)
            .map_err(|e| CheckpointError::Malformed(format!("root hash: {e}")))?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() {
                return Err(bad("extension lines must be non-empty"));
            }
            if extensions.len() == MAX_EXTENSION_LINES {
                return Err(bad("too many extension lines"));
            }
            extensions.push(line.to_string());
        }
        Ok(Self {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        )?;
        for line in &self.extensions {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// A checkpoint with its note, verified by the log's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The parsed body.
    pub checkpoint: Checkpoint,
    /// The note (text and all signatures, including unverified ones).
    pub note: Note,
}

impl SignedCheckpoint {
    /// Parses a checkpoint note and verifies it with the log's verifier;
    /// the origin must be `origin`.
    pub fn open(text: &str, origin: &str, log: &dyn NoteVerifier) -> Result<Self, CheckpointError> {
        let (note, _) = Note::open(text, &[log])?;
        let checkpoint = Checkpoint::parse(&note.text)?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_string(),
                found: checkpoint.origin,
            });
        }
        Ok(Self { checkpoint, note })
    }

    /// Parses a checkpoint note without verifying any signature.
    pub fn parse_unverified(text: &str) -> Result<Self, CheckpointError> {
        let note = Note::parse(text)?;
        let checkpoint = Checkpoint::parse(&note.text)?;
        Ok(Self { checkpoint, note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn spec_example_parses_and_formats() {
        let c = Checkpoint::parse(SPEC).unwrap();
        assert_eq!(c.origin, "example.com/behind-the-sofa");
        assert_eq!(c.size, 20852163);
        assert_eq!(c.to_string(), SPEC);
        let ext = format!("{SPEC}ext one\n");
        assert_eq!(Checkpoint::parse(&ext).unwrap().extensions, ["ext one"]);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "origin\n5\n",
            "origin\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "origin\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
            "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
            "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
            "origin\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert_eq!(parse_size("0"), Some(0));
    }

    #[test]
    fn sizes_beyond_the_tree_limit_are_refused() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        let at_limit = format!("origin\n{MAX_TREE_SIZE}\n{root}\n");
        assert_eq!(Checkpoint::parse(&at_limit).unwrap().size, MAX_TREE_SIZE);
        for size in [MAX_TREE_SIZE + 1, 1 << 63, u64::MAX] {
            let err = Checkpoint::parse(&format!("origin\n{size}\n{root}\n")).unwrap_err();
            assert_eq!(err, CheckpointError::TooLarge(size));
            assert!(err.to_string().contains(&size.to_string()), "{err}");
            assert!(Checkpoint::new("origin", size, Hash([0; 32])).is_err());
        }
    }
}
