//! Merkle tree structure: which stored nodes a tree hash or proof needs, and
//! how they combine (RFC 6962 §2.1 / RFC 9162 §2.1).
//!
//! A *node* ([`NodeId`]) is a perfect subtree: level `l`, index `i` covers
//! leaves `[i·2^l, (i+1)·2^l)`. Nodes never change once their last leaf is
//! in the tree, so a log stores them (in tiles, see [`crate::tile`]) and
//! answers every tree-hash and proof request from them; nothing here rebuilds
//! a tree from its leaves.
//!
//! The Merkle Tree Hash of any range that occurs in RFC 6962 (a subtree
//! boundary on the left) is the right-to-left fold of its decomposition into
//! maximal aligned perfect subtrees, largest first. A proof is a list of such
//! ranges ([`ProofPlan`]): the caller fetches the nodes and [`ProofPlan::assemble`]
//! folds them.

use crate::hash::{Hash, empty_root, node_hash};

/// Largest supported tree size: sizes and indexes stay below 2^63 so that
/// every intermediate `lo + 2^level` fits in a `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Longest proof any tree up to [`MAX_TREE_SIZE`] can need (an inclusion
/// proof has at most ⌈log2 n⌉ hashes, a consistency proof at most ⌈log2 n⌉ + 1).
pub const MAX_PROOF_LEN: usize = 64;

/// A perfect subtree: `level` 0 is a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height of the subtree (0 = leaf).
    pub level: u8,
    /// Position among the nodes of this level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The node at `level`, `index`.
    pub fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// First leaf covered.
    pub fn start(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf covered.
    pub fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }
}

/// Why a proof cannot be made for the sizes asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Index outside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Index asked.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// Old size larger than new size, or zero.
    #[error(
        "no consistency proof from size {old} to size {new}: sizes must satisfy 0 < old <= new"
    )]
    BadSizes {
        /// Older size.
        old: u64,
        /// Newer size.
        new: u64,
    },
    /// A size larger than the tree holds.
    #[error("tree size {size} is beyond the {available} leaves available")]
    BeyondTree {
        /// Size asked.
        size: u64,
        /// Leaves available.
        available: u64,
    },
    /// Size beyond [`MAX_TREE_SIZE`].
    #[error("tree size {0} exceeds the supported maximum of 2^62")]
    TooLarge(u64),
}

/// Largest power of two strictly smaller than `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Decomposes `[lo, hi)` into maximal aligned perfect subtrees, left to right.
pub fn range_nodes(mut lo: u64, hi: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    while lo < hi {
        let mut level = if lo == 0 { 63 } else { lo.trailing_zeros() };
        while (hi - lo) >> level == 0 {
            level -= 1;
        }
        out.push(NodeId::new(level as u8, lo >> level));
        lo += 1 << level;
    }
    out
}

/// Merkle Tree Hash of a range from the hashes of [`range_nodes`], in order.
pub fn fold_range(hashes: &[Hash]) -> Hash {
    let mut iter = hashes.iter().rev();
    let Some(last) = iter.next() else {
        return empty_root();
    };
    iter.fold(*last, |acc, h| node_hash(h, &acc))
}

/// The ranges whose Merkle Tree Hashes make a tree hash or a proof, in the
/// order RFC 6962 lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    ranges: Vec<(u64, u64)>,
}

impl ProofPlan {
    /// The tree hash of the first `size` leaves (a single range).
    pub fn tree_hash(size: u64) -> Result<Self, PlanError> {
        check_size(size)?;
        Ok(Self {
            ranges: if size == 0 {
                Vec::new()
            } else {
                vec![(0, size)]
            },
        })
    }

    /// RFC 6962 §2.1.1 `PATH(index, D[size])`: from the leaf's sibling up.
    pub fn inclusion(index: u64, size: u64) -> Result<Self, PlanError> {
        check_size(size)?;
        if index >= size {
            return Err(PlanError::IndexOutOfRange { index, size });
        }
        let (mut lo, mut hi) = (0, size);
        let mut ranges = Vec::new();
        while hi - lo > 1 {
            let k = split_point(hi - lo);
            if index < lo + k {
                ranges.push((lo + k, hi));
                hi = lo + k;
            } else {
                ranges.push((lo, lo + k));
                lo += k;
            }
        }
        ranges.reverse();
        Ok(Self { ranges })
    }

    /// RFC 6962 §2.1.2 `PROOF(old, D[new])`; empty when `old == new`.
    pub fn consistency(old: u64, new: u64) -> Result<Self, PlanError> {
        check_size(new)?;
        if old == 0 || old > new {
            return Err(PlanError::BadSizes { old, new });
        }
        let (mut lo, mut hi, mut m, mut complete) = (0, new, old, true);
        let mut ranges = Vec::new();
        loop {
            if m == hi - lo {
                if !complete {
                    ranges.push((lo, hi));
                }
                break;
            }
            let k = split_point(hi - lo);
            if m <= k {
                ranges.push((lo + k, hi));
                hi = lo + k;
            } else {
                ranges.push((lo, lo + k));
                lo += k;
                m -= k;
                complete = false;
            }
        }
        ranges.reverse();
        Ok(Self { ranges })
    }

    /// Number of hashes the result has.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// True for an empty proof.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Every stored node the plan reads (with repeats across ranges removed).
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut nodes: Vec<NodeId> = self
            .ranges
            .iter()
            .flat_map(|&(lo, hi)| range_nodes(lo, hi))
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// Folds the nodes, read through `lookup`, into the proof hashes.
    pub fn assemble<E>(
        &self,
        mut lookup: impl FnMut(NodeId) -> Result<Hash, E>,
    ) -> Result<Vec<Hash>, E> {
        self.ranges
            .iter()
            .map(|&(lo, hi)| {
                let hashes = range_nodes(lo, hi)
                    .into_iter()
                    .map(&mut lookup)
                    .collect::<Result<Vec<_>, E>>()?;
                Ok(fold_range(&hashes))
            })
            .collect()
    }
}

fn check_size(size: u64) -> Result<(), PlanError> {
    if size > MAX_TREE_SIZE {
        return Err(PlanError::TooLarge(size));
    }
    Ok(())
}

/// The right edge of a tree: the perfect subtrees of `[0, size)`, largest
/// first, with their hashes. Enough to append leaves and compute the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<(NodeId, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nodes a frontier of `size` consists of.
    pub fn node_ids(size: u64) -> Vec<NodeId> {
        range_nodes(0, size)
    }

    /// Rebuilds a frontier from its nodes' hashes (in [`Frontier::node_ids`] order).
    pub fn from_hashes(size: u64, hashes: &[Hash]) -> Self {
        let ids = Self::node_ids(size);
        assert_eq!(
            ids.len(),
            hashes.len(),
            "frontier hashes do not match size {size}"
        );
        Self {
            size,
            nodes: ids.into_iter().zip(hashes.iter().copied()).collect(),
        }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Root hash (the empty root for size 0).
    pub fn root(&self) -> Hash {
        let hashes: Vec<Hash> = self.nodes.iter().map(|(_, h)| *h).collect();
        fold_range(&hashes)
    }

    /// Appends a leaf hash; calls `completed` for every node it completes,
    /// the leaf first, then upwards.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(NodeId, &Hash)) {
        let mut node = (NodeId::new(0, self.size), leaf);
        completed(node.0, &node.1);
        while let Some(&(left_id, left)) = self.nodes.last() {
            if left_id.level != node.0.level {
                break;
            }
            self.nodes.pop();
            let parent = NodeId::new(left_id.level + 1, left_id.index / 2);
            node = (parent, node_hash(&left, &node.1));
            completed(node.0, &node.1);
        }
        self.nodes.push(node);
        self.size += 1;
    }
}

/// Every node of a tree held in memory: a reference model for tests and
/// benchmarks, and a [`ProofPlan`] node source.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let levels = &mut self.levels;
        self.frontier.push(leaf, |id, hash| {
            let level = usize::from(id.level);
            if levels.len() <= level {
                levels.push(Vec::new());
            }
            debug_assert_eq!(levels[level].len() as u64, id.index);
            levels[level].push(*hash);
        });
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The hash of a complete node.
    pub fn node(&self, id: NodeId) -> Option<Hash> {
        self.levels
            .get(usize::from(id.level))?
            .get(usize::try_from(id.index).ok()?)
            .copied()
    }

    fn run(&self, plan: &ProofPlan) -> Vec<Hash> {
        plan.assemble(|id| self.node(id).ok_or(()))
            .expect("plans for sizes within the tree only read complete nodes")
    }

    /// Root hash of the first `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, PlanError> {
        self.check(size)?;
        let plan = ProofPlan::tree_hash(size)?;
        Ok(self.run(&plan).pop().unwrap_or_else(empty_root))
    }

    /// Inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, PlanError> {
        self.check(size)?;
        Ok(self.run(&ProofPlan::inclusion(index, size)?))
    }

    /// Consistency proof from `old` to `new` leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, PlanError> {
        self.check(new)?;
        Ok(self.run(&ProofPlan::consistency(old, new)?))
    }

    fn check(&self, size: u64) -> Result<(), PlanError> {
        if size > self.size() {
            return Err(PlanError::BeyondTree {
                size,
                available: self.size(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    /// RFC 6962 MTH computed by the definition, recursively, from leaves.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn roots_match_the_recursive_definition() {
        let leaves: Vec<Hash> = (0..70u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut tree = MemoryTree::new();
        for (n, leaf) in leaves.iter().enumerate() {
            assert_eq!(tree.root(n as u64).unwrap(), mth(&leaves[..n]));
            tree.push(*leaf);
            assert_eq!(tree.frontier.root(), mth(&leaves[..=n]));
        }
    }

    #[test]
    fn range_decomposition_is_maximal_and_aligned() {
        assert_eq!(
            range_nodes(0, 7),
            vec![NodeId::new(2, 0), NodeId::new(1, 2), NodeId::new(0, 6)]
        );
        assert_eq!(range_nodes(4, 6), vec![NodeId::new(1, 2)]);
        assert_eq!(range_nodes(0, 0), vec![]);
        for node in range_nodes(3, 1000) {
            assert_eq!(node.start() % (1 << node.level), 0);
        }
    }

    #[test]
    fn plans_reject_bad_sizes() {
        assert!(ProofPlan::inclusion(5, 5).is_err());
        assert!(ProofPlan::consistency(0, 5).is_err());
        assert!(ProofPlan::consistency(6, 5).is_err());
        assert!(ProofPlan::consistency(5, 5).unwrap().is_empty());
        assert!(ProofPlan::tree_hash(MAX_TREE_SIZE + 1).is_err());
    }
}
