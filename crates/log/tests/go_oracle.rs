//! Differential tests against Go's reference implementation
//! (`golang.org/x/mod/sumdb/tlog` and `sumdb/note`) through the oracle in
//! `tests/go/` (built here with `tests/go/build.sh`; needs the Debian packages
//! `golang-go` and `golang-golang-x-mod-dev`).
//!
//! Random trees up to several thousand leaves: tree hashes, inclusion and
//! consistency proofs and hash tiles are byte-identical; tile paths agree;
//! keys derived from the same seed are the same strings; Accord-signed
//! checkpoints open with Go's `note.Open`, and Go-signed notes verify here.

use accord_log::checkpoint::Checkpoint;
use accord_log::hash::{Hash, leaf_hash};
use accord_log::merkle::{MemoryTree, NodeId};
use accord_log::note::{Ed25519Signer, Ed25519Verifier, Note};
use accord_log::tile::TilePath;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

fn oracle_binary() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tlogref");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/go/build.sh");
        let result = Command::new("sh").arg(script).arg(&out).output().unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
        assert!(
            result.status.success(),
            "building the Go oracle failed (install Go and x/mod: apt-get install -y golang-go golang-golang-x-mod-dev):\n{}",
            String::from_utf8_lossy(&result.stderr)
        );
        out
    })
}

struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    fn start() -> Self {
        let mut child = Command::new(oracle_binary())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the Go oracle");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
        }
    }

    fn call(&mut self, request: Value) -> Value {
        writeln!(self.stdin, "{request}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("oracle said {line:?}: {e}"));
        assert!(
            v.get("error").is_none() || request["op"] == "open",
            "oracle error for {}: {v}",
            request["op"]
        );
        v
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|h| Hash::from_hex(h.as_str().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn trees_and_proofs_match_go() {
    let mut go = Oracle::start();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6962);
    for size in [1u64, 2, 3, 7, 8, 9, 255, 256, 257, 1000, 4097, 5000] {
        let leaves: Vec<Vec<u8>> = (0..size)
            .map(|_| (0..rng.random_range(0..12)).map(|_| rng.random()).collect())
            .collect();
        let leaf_hex: Vec<String> = leaves.iter().map(|l| hex(l)).collect();
        let mut tree = MemoryTree::new();
        for l in &leaves {
            tree.push(leaf_hash(l));
        }
        for probe in 0..6 {
            let n = if probe == 0 {
                size
            } else {
                rng.random_range(1..=size)
            };
            let go_tree = go.call(json!({"op": "tree", "leaves": leaf_hex, "size": n}));
            assert_eq!(
                go_tree["root"].as_str().unwrap(),
                tree.root(n).unwrap().to_hex(),
                "root of {n}"
            );
            let index = rng.random_range(0..n);
            let go_proof =
                go.call(json!({"op": "inclusion", "leaves": leaf_hex, "size": n, "index": index}));
            assert_eq!(
                hashes(&go_proof["proof"]),
                tree.inclusion_proof(index, n).unwrap(),
                "inclusion {index} in {n}"
            );
            let old = rng.random_range(1..=n);
            let go_proof =
                go.call(json!({"op": "consistency", "leaves": leaf_hex, "size": n, "old": old}));
            assert_eq!(
                hashes(&go_proof["proof"]),
                tree.consistency_proof(old, n).unwrap(),
                "consistency {old} → {n}"
            );
        }
        // Hash tiles: Go's tile data equals the nodes Accord stores.
        let index = rng.random_range(0..size);
        let go_tile = go.call(json!({"op": "tile_for_index", "height": 8, "index": index}));
        let (level, n, w) = (
            go_tile["level"].as_u64().unwrap(),
            go_tile["n"].as_u64().unwrap(),
            go_tile["w"].as_u64().unwrap(),
        );
        let data = go.call(json!({"op": "read_tile_data", "leaves": leaf_hex, "height": 8, "level": level, "n": n, "w": w}));
        let ours: String = (0..w)
            .map(|i| {
                tree.node(NodeId::new(8 * level as u8, n * 256 + i))
                    .unwrap()
                    .to_hex()
            })
            .collect();
        assert_eq!(data["data"].as_str().unwrap(), ours);
    }
    assert_eq!(
        go.call(json!({"op": "tree", "leaves": []}))["rfc6962_root"]
            .as_str()
            .unwrap(),
        accord_log::hash::empty_root().to_hex()
    );
}

#[test]
fn tile_paths_match_go() {
    let mut go = Oracle::start();
    for (level, n, w) in [
        (0u8, 1234067u64, 256u16),
        (0, 0, 1),
        (1, 999, 17),
        (2, 1000, 256),
        (5, 5_000_000_000, 255),
    ] {
        let go_path =
            go.call(json!({"op": "tile_path", "height": 8, "level": level, "n": n, "w": w}));
        // Go's sumdb paths carry the tile height, C2SP's do not.
        let go_path = go_path["path"]
            .as_str()
            .unwrap()
            .replacen("tile/8/", "tile/", 1);
        let ours = TilePath::hash(level, n, w).unwrap();
        assert_eq!(ours.to_string(), go_path);
        assert_eq!(TilePath::parse(&go_path).unwrap(), ours);
    }
}

#[test]
fn notes_interoperate_with_go() {
    let mut go = Oracle::start();
    let seed = [42u8; 32];
    let origin = "example.org/accord-interop";
    let go_key = go.call(json!({"op": "gen_key", "name": origin, "seed": hex(&seed)}));
    let signer = Ed25519Signer::from_seed(origin, seed).unwrap();
    assert_eq!(go_key["skey"].as_str().unwrap(), signer.skey());
    assert_eq!(go_key["vkey"].as_str().unwrap(), signer.verifier().vkey());

    // Accord-signed checkpoints open in Go.
    let checkpoint = Checkpoint::new(origin, 12345, leaf_hash(b"root")).unwrap();
    let note = Note::sign(&checkpoint.to_string(), &[&signer]).unwrap();
    let opened = go
        .call(json!({"op": "open", "note": note.to_string(), "vkeys": [signer.verifier().vkey()]}));
    assert_eq!(opened["ok"], true, "{opened}");
    assert_eq!(opened["text"].as_str().unwrap(), checkpoint.to_string());
    let formatted = go.call(json!({"op": "format_checkpoint", "size": 12345, "root": leaf_hash(b"root").to_hex(), "origin": origin}));
    assert_eq!(formatted["text"].as_str().unwrap(), checkpoint.to_string());
    // …and Go rejects them when tampered with.
    let tampered = note.to_string().replace("12345", "12346");
    assert_eq!(
        go.call(json!({"op": "open", "note": tampered, "vkeys": [signer.verifier().vkey()]}))["ok"],
        false
    );

    // Go-signed notes (by a key Go generated) verify here, with extra lines
    // and two signers.
    let other = go.call(json!({"op": "gen_key", "name": "witness.example/go"}));
    let text = format!("{checkpoint}extension line\n");
    let signed =
        go.call(json!({"op": "sign", "text": text, "skeys": [go_key["skey"], other["skey"]]}));
    let go_note = signed["note"].as_str().unwrap();
    let v1 = Ed25519Verifier::from_vkey(go_key["vkey"].as_str().unwrap()).unwrap();
    let v2 = Ed25519Verifier::from_vkey(other["vkey"].as_str().unwrap()).unwrap();
    let (parsed, verified) = Note::open(go_note, &[&v1, &v2]).unwrap();
    assert_eq!(
        (parsed.text.as_str(), verified),
        (text.as_str(), vec![0, 1])
    );
    assert_eq!(parsed.to_string(), go_note);
    assert!(Note::open(&go_note.replace("extension", "Extension"), &[&v1]).is_err());
}

/// Signature lines that Go's `note.Open` accepts or refuses, beside a valid
/// signature by a known key: the same notes open here exactly when they open
/// in Go, with the same signatures verified. Unknown keys' lines with
/// non-zero trailing bits must not make the note unreadable.
#[test]
fn signature_lines_match_go() {
    let mut go = Oracle::start();
    let key = go.call(json!({"op": "gen_key", "name": "example.org/log", "seed": hex(&[5; 32])}));
    let signer = Ed25519Signer::from_seed("example.org/log", [5; 32]).unwrap();
    let verifier = signer.verifier();
    let text = "example.org/log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    let good = Note::sign(text, &[&signer]).unwrap().signatures[0].to_line();
    // The signature's last base64 group holds 2 bytes and 2 unused bits:
    // the character before `=` with its lowest bit flipped sets one.
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let flip = |line: &str, at: usize| {
        let i = ALPHABET.find(&line[at..=at]).unwrap();
        format!(
            "{}{}{}",
            &line[..at],
            &ALPHABET[(i ^ 1)..=(i ^ 1)],
            &line[at + 1..]
        )
    };
    assert!(good.ends_with("=\n") && !good.ends_with("==\n"));
    let odd = flip(&good, good.len() - 3);
    // A flip inside the signature, past the key ID.
    let tampered = flip(&odd, good.rfind(' ').unwrap() + 20);
    let unknown = |b64: &str| format!("\u{2014} someone.else {b64}\n");
    let cases = [
        format!(
            "{good}{}",
            odd.replacen("example.org/log", "someone.else", 1)
        ),
        odd.clone(),
        tampered,
        format!("{good}{}", unknown("AAAAAAA=")),
        format!("{good}{}", unknown("AAAAAAB=")),
        format!("{good}{}", unknown("AAAAAAAAAB==")),
        format!("{good}{}", unknown("AAAAAAA")),
        format!("{good}{}", unknown("AAAAAAA==")),
        format!("{good}{}", unknown("AAAAAA==")),
        format!("{good}{}", unknown("AAA*AAA=")),
        format!("{good}{}", unknown("AAAA AAA=")),
        format!("{good}{}", unknown("")),
    ];
    let mut accepted = 0;
    for sigs in cases {
        let note = format!("{text}\n{sigs}");
        let theirs = go.call(json!({"op": "open", "note": note, "vkeys": [key["vkey"]]}));
        let ours = Note::open(&note, &[&verifier]);
        assert_eq!(
            ours.is_ok(),
            theirs["ok"] == true,
            "{note:?}: Go {theirs}, Accord {ours:?}"
        );
        if let Ok((parsed, verified)) = ours {
            accepted += 1;
            let names = |v: &Value| v.as_array().map_or(0, Vec::len);
            assert_eq!(verified.len(), names(&theirs["verified"]), "{note:?}");
            assert_eq!(
                parsed.signatures.len() - verified.len(),
                names(&theirs["unverified"]),
                "{note:?}"
            );
        }
    }
    assert_eq!(accepted, 5);
}
