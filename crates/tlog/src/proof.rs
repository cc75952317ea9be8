//! Inclusion and consistency proof verification, following the algorithms of
//! RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by step.
//!
//! Roots are taken as byte strings and compared, never parsed: a root that
//! is not a 32-byte SHA-256 value simply never matches a computed one. Proof
//! hashes and leaf hashes are typed [`Hash`]es.
//!
//! Edge cases (as in transparency-dev/merkle's verifier and its vectors):
//! equal sizes need an empty proof and equal roots; a consistency proof from
//! the empty tree is rejected (RFC 9162 defines proofs only for
//! `0 < first < second`; a witness treats old size 0 separately).

use crate::hash::{Hash, node_hash};
use crate::merkle::MAX_PROOF_LEN;

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Leaf index not in the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Index given.
        index: u64,
        /// Tree size given.
        size: u64,
    },
    /// The newer tree is smaller than the older one.
    #[error("the second tree size {second} is smaller than the first {first}")]
    SizesDecrease {
        /// First size.
        first: u64,
        /// Second size.
        second: u64,
    },
    /// Consistency with the empty tree carries no information.
    #[error("a consistency proof from the empty tree is undefined (RFC 9162 §2.1.4)")]
    FromEmptyTree,
    /// Equal sizes with a non-empty proof.
    #[error("the sizes are equal ({0}), so the proof must be empty")]
    ProofNotEmpty(u64),
    /// Equal sizes and different roots.
    #[error("the sizes are equal but the roots differ")]
    RootsDiffer,
    /// Proof with too few or too many hashes for the sizes.
    #[error("the proof has the wrong number of hashes ({0}) for these tree sizes")]
    WrongLength(usize),
    /// The computed root is not the one given.
    #[error("the proof does not lead to the given root hash")]
    RootMismatch,
    /// The computed old root is not the one given.
    #[error("the proof does not lead to the given old root hash")]
    OldRootMismatch,
}

/// RFC 9162 §2.1.3.2: verifies that `leaf` is at `index` in the tree of
/// `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &[u8],
) -> Result<(), ProofError> {
    if root_from_inclusion(index, size, leaf, proof)?
        .as_bytes()
        .as_slice()
        != root
    {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Steps 1–4 of RFC 9162 §2.1.3.2: the root an inclusion proof leads to,
/// or an error if the proof's length does not fit `index` and `size`.
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(ProofError::WrongLength(proof.len()));
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(ProofError::WrongLength(proof.len()));
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength(proof.len()));
    }
    Ok(r)
}

/// RFC 9162 §2.1.4.2: verifies that the tree of `second` leaves with root
/// `second_root` extends the tree of `first` leaves with root `first_root`.
pub fn verify_consistency(
    first: u64,
    second: u64,
    proof: &[Hash],
    first_root: &[u8],
    second_root: &[u8],
) -> Result<(), ProofError> {
    if second < first {
        return Err(ProofError::SizesDecrease { first, second });
    }
    if first == 0 {
        return Err(ProofError::FromEmptyTree);
    }
    if first == second {
        if !proof.is_empty() {
            return Err(ProofError::ProofNotEmpty(first));
        }
        if first_root != second_root {
            return Err(ProofError::RootsDiffer);
        }
        return Ok(());
    }
    // Step 1: an empty path fails.
    if proof.is_empty() || proof.len() > MAX_PROOF_LEN {
        return Err(ProofError::WrongLength(proof.len()));
    }
    // Step 2: if first is a power of two, the path starts with first_hash.
    let first_hash;
    let path: Vec<&Hash> = if first.is_power_of_two() {
        first_hash = Hash::from_slice(first_root).map_err(|_| ProofError::OldRootMismatch)?;
        std::iter::once(&first_hash).chain(proof.iter()).collect()
    } else {
        proof.iter().collect()
    };
    // Step 3.
    let (mut f_n, mut s_n) = (first - 1, second - 1);
    // Step 4.
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 5.
    let (mut fr, mut sr) = (*path[0], *path[0]);
    // Step 6.
    for c in &path[1..] {
        if s_n == 0 {
            return Err(ProofError::WrongLength(proof.len()));
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 7.
    if s_n != 0 {
        return Err(ProofError::WrongLength(proof.len()));
    }
    if fr.as_bytes().as_slice() != first_root {
        return Err(ProofError::OldRootMismatch);
    }
    if sr.as_bytes().as_slice() != second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
