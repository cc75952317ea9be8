//! Every inclusion and consistency vector of transparency-dev/merkle
//! (tests/data/merkle): the verifier accepts exactly the `wantErr: false` ones.

use accord_log::hash::Hash;
use accord_log::proof::{verify_consistency, verify_inclusion};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Inclusion {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Consistency {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

fn data_dir(kind: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/merkle/testdata")
        .join(kind);
    assert!(
        dir.is_dir(),
        "test vectors missing: {} (copied from shared/reference/merkle)",
        dir.display()
    );
    dir
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read vector folder") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn b64(s: &str) -> Vec<u8> {
    STANDARD.decode(s).expect("vector base64")
}

/// Proof hashes; a component that is not 32 bytes makes the proof invalid.
fn proof(items: &Option<Vec<String>>) -> Option<Vec<Hash>> {
    items
        .iter()
        .flatten()
        .map(|s| Hash::from_slice(&b64(s)).ok())
        .collect()
}

#[test]
fn inclusion_vectors() {
    let mut files = Vec::new();
    json_files(&data_dir("inclusion"), &mut files);
    assert!(files.len() >= 98, "only {} inclusion vectors", files.len());
    let (mut accepted, mut rejected) = (0, 0);
    for file in &files {
        let v: Inclusion = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let result = match (Hash::from_slice(&b64(&v.leaf_hash)), proof(&v.proof)) {
            (Ok(leaf), Some(p)) => {
                verify_inclusion(v.leaf_idx, v.tree_size, &leaf, &p, &b64(&v.root))
                    .map_err(|e| e.to_string())
            }
            _ => Err("not 32-byte hashes".to_string()),
        };
        assert_eq!(
            result.is_err(),
            v.want_err,
            "{} ({}): {result:?}",
            file.display(),
            v.desc
        );
        if v.want_err {
            rejected += 1
        } else {
            accepted += 1
        }
    }
    assert!(
        accepted >= 5 && rejected >= 80,
        "{accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn consistency_vectors() {
    let mut files = Vec::new();
    json_files(&data_dir("consistency"), &mut files);
    assert!(files.len() > 80, "only {} consistency vectors", files.len());
    for file in &files {
        let v: Consistency = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let result = match proof(&v.proof) {
            Some(p) => verify_consistency(v.size1, v.size2, &p, &b64(&v.root1), &b64(&v.root2))
                .map_err(|e| e.to_string()),
            None => Err("not 32-byte hashes".to_string()),
        };
        assert_eq!(
            result.is_err(),
            v.want_err,
            "{} ({}): {result:?}",
            file.display(),
            v.desc
        );
    }
}
