//! Property tests: every proof the tree generates verifies, every tampered
//! proof is rejected, and the parsers round-trip and never panic.

use accord_log::TlogProof;
use accord_log::checkpoint::Checkpoint;
use accord_log::hash::{Hash, leaf_hash};
use accord_log::merkle::{MAX_TREE_SIZE, MemoryTree};
use accord_log::note::Note;
use accord_log::proof::{verify_consistency, verify_inclusion};
use accord_log::tile::TilePath;
use accord_log::witness::AddCheckpointRequest;
use proptest::prelude::*;

fn tree(size: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..size {
        t.push(leaf_hash(&i.to_le_bytes()));
    }
    t
}

/// Ways to damage a proof.
#[derive(Debug, Clone)]
enum Tamper {
    FlipBit(usize, u8),
    Truncate,
    Extend,
    Swap,
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Tamper::FlipBit(i, b)),
        Just(Tamper::Truncate),
        Just(Tamper::Extend),
        Just(Tamper::Swap),
    ]
}

/// Applies `t`; false if it would leave the proof unchanged.
fn apply(proof: &mut Vec<Hash>, t: &Tamper) -> bool {
    match t {
        Tamper::FlipBit(i, b) if !proof.is_empty() => {
            let n = proof.len();
            proof[i % n].0[i % 32] ^= 1 << b;
        }
        Tamper::Truncate if !proof.is_empty() => {
            proof.pop();
        }
        Tamper::Extend => proof.push(Hash([0xab; 32])),
        Tamper::Swap if proof.len() >= 2 && proof[0] != proof[1] => proof.swap(0, 1),
        _ => return false,
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn inclusion_proofs_verify_and_tampering_fails(size in 1u64..1500, index_seed: u64, t in tamper()) {
        let tr = tree(size);
        let index = index_seed % size;
        let root = tr.root(size).unwrap();
        let leaf = leaf_hash(&index.to_le_bytes());
        let proof = tr.inclusion_proof(index, size).unwrap();
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, root.as_bytes()).is_ok());
        prop_assert!(verify_inclusion(index, size, &leaf_hash(b"other"), &proof, root.as_bytes()).is_err());
        if size > 1 {
            let other = (index + 1) % size;
            prop_assert!(verify_inclusion(other, size, &leaf, &proof, root.as_bytes()).is_err());
        }
        let mut bad = proof.clone();
        if apply(&mut bad, &t) {
            prop_assert!(verify_inclusion(index, size, &leaf, &bad, root.as_bytes()).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_tampering_fails(new in 1u64..1500, old_seed: u64, t in tamper()) {
        let tr = tree(new);
        let old = 1 + old_seed % new;
        let (r1, r2) = (tr.root(old).unwrap(), tr.root(new).unwrap());
        let proof = tr.consistency_proof(old, new).unwrap();
        prop_assert!(verify_consistency(old, new, &proof, r1.as_bytes(), r2.as_bytes()).is_ok());
        prop_assert!(verify_consistency(old, new, &proof, leaf_hash(b"x").as_bytes(), r2.as_bytes()).is_err());
        let mut bad = proof.clone();
        if apply(&mut bad, &t) {
            prop_assert!(verify_consistency(old, new, &bad, r1.as_bytes(), r2.as_bytes()).is_err());
        }
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..64, index: u64, width in 1u16..=256, entries: bool) {
        let p = if entries { TilePath::entries(index, width) } else { TilePath::hash(level, index, width) }.unwrap();
        prop_assert_eq!(TilePath::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn checkpoints_round_trip(origin in "[a-z./]{1,40}", size in 0..=MAX_TREE_SIZE, root: [u8; 32]) {
        let c = Checkpoint::new(&origin, size, Hash(root)).unwrap();
        prop_assert_eq!(Checkpoint::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn checkpoints_beyond_the_limit_are_refused(size in MAX_TREE_SIZE + 1.., root: [u8; 32]) {
        let text = format!("origin\n{size}\n{}\n", Hash(root).to_base64());
        prop_assert!(Checkpoint::parse(&text).is_err());
    }

    #[test]
    fn parsers_never_panic(text in "(?s).{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Note::parse(&text);
        let _ = Checkpoint::parse(&text);
        let _ = TlogProof::parse(&text);
        let _ = TilePath::parse(&text);
        let _ = AddCheckpointRequest::parse(&bytes);
        let _ = AddCheckpointRequest::parse(text.as_bytes());
    }
}
