//! End-to-end tests of `accord log`, and the crash-safety test: an appender
//! killed with SIGKILL at random points loses no acknowledged entry, and
//! every later checkpoint is consistent with all earlier ones.

use accord_log::hash::leaf_hash;
use accord_log::proof::verify_consistency;
use accord_log::{LogReader, SqliteStorage};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn accord(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run accord");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(args: &[&str], stdin: Option<&[u8]>) -> String {
    let out = accord(args, stdin);
    assert!(
        out.status.success(),
        "accord {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = accord(args, None);
    assert!(!out.status.success(), "accord {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "accord {args:?} panicked: {err}");
    err
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-cli-log-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn log_workflow() {
    let dir = temp_dir("workflow");
    let db = dir.join("log.db");
    let db = db.to_str().unwrap();
    let key = dir.join("log.key");
    let key = key.to_str().unwrap();
    let vkey = ok(
        &[
            "log",
            "init",
            "--db",
            db,
            "--origin",
            "example.org/cli-log",
            "--key-file",
            key,
        ],
        None,
    );
    let vkey = vkey.trim();
    assert!(vkey.starts_with("example.org/cli-log+"), "{vkey}");
    assert!(
        fails(&[
            "log",
            "init",
            "--db",
            db,
            "--origin",
            "example.org/cli-log",
            "--key-file",
            key
        ])
        .contains("a log already exists")
    );

    let a = write(&dir, "a.txt", "first entry");
    let b = write(&dir, "b.txt", "second entry");
    assert_eq!(
        ok(
            &["log", "append", "--db", db, "--key-file", key, &a, &b],
            None
        ),
        format!("0 {a}\n1 {b}\n")
    );
    let old_cp = write(
        &dir,
        "old.cp",
        &ok(&["log", "checkpoint", "--db", db], None),
    );
    assert_eq!(
        ok(
            &["log", "append", "--db", db, "--key-file", key, "--lines"],
            Some(b"l2\nl3\nl4\n")
        ),
        "2\n3\n4\n"
    );
    assert_eq!(
        ok(
            &["log", "append", "--db", db, "--key-file", key],
            Some(b"whole stdin")
        ),
        "5\n"
    );
    let cp = ok(&["log", "checkpoint", "--db", db], None);
    assert!(cp.starts_with("example.org/cli-log\n6\n"), "{cp}");
    let cp_file = write(&dir, "new.cp", &cp);

    let proof = write(
        &dir,
        "incl.proof",
        &ok(
            &["log", "prove-inclusion", "--db", db, "--index", "1"],
            None,
        ),
    );
    let out = ok(
        &[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &cp_file,
            "--proof",
            &proof,
            "--entry",
            &b,
        ],
        None,
    );
    assert!(out.starts_with("ok: entry 1"), "{out}");
    assert!(
        fails(&[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &cp_file,
            "--proof",
            &proof,
            "--entry",
            &a
        ])
        .contains("inclusion proof")
    );
    let l3 = leaf_hash(b"l3").to_hex();
    let proof3 = write(
        &dir,
        "incl3.proof",
        &ok(
            &["log", "prove-inclusion", "--db", db, "--index", "3"],
            None,
        ),
    );
    ok(
        &[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &cp_file,
            "--proof",
            &proof3,
            "--leaf-hash",
            &l3,
        ],
        None,
    );

    let cons = write(
        &dir,
        "cons.proof",
        &ok(
            &["log", "prove-consistency", "--db", db, "--old", "2"],
            None,
        ),
    );
    ok(
        &[
            "log",
            "verify-consistency",
            "--vkey",
            vkey,
            "--old-checkpoint",
            &old_cp,
            "--new-checkpoint",
            &cp_file,
            "--proof",
            &cons,
        ],
        None,
    );
    ok(
        &[
            "log",
            "witness",
            "--vkey",
            vkey,
            "--old-checkpoint",
            &old_cp,
            "--new-checkpoint",
            &cp_file,
            "--proof",
            &cons,
        ],
        None,
    );

    // Witness cosigning and a bundle verified under a 1-of-1 policy.
    let wkey = dir.join("w.key");
    let wvkey = ok(
        &[
            "log",
            "keygen",
            "--cosigner",
            "--name",
            "witness.example/w1",
            "--key-file",
            wkey.to_str().unwrap(),
        ],
        None,
    );
    let cosigned = ok(
        &[
            "log",
            "witness",
            "--vkey",
            vkey,
            "--old-checkpoint",
            &old_cp,
            "--new-checkpoint",
            &cp_file,
            "--proof",
            &cons,
            "--cosign-key",
            wkey.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(cosigned.matches('—').count(), 2, "{cosigned}");
    let bundle = ok(&["log", "bundle", "--db", db, "--index", "0"], None);
    assert!(
        bundle.starts_with("c2sp.org/tlog-proof@v1\nindex 0\n"),
        "{bundle}"
    );
    let bundle_file = write(&dir, "e0.tlog-proof", &bundle);
    ok(
        &[
            "log",
            "verify-bundle",
            "--vkey",
            vkey,
            "--bundle",
            &bundle_file,
            "--entry",
            &a,
        ],
        None,
    );
    let err = fails(&[
        "log",
        "verify-bundle",
        "--vkey",
        vkey,
        "--bundle",
        &bundle_file,
        "--entry",
        &a,
        "--witness",
        wvkey.trim(),
    ]);
    assert!(err.contains("0 of the required 1"), "{err}");
    let cosigned_bundle = bundle.replace(&cp, &cosigned);
    let cosigned_bundle = write(&dir, "e0c.tlog-proof", &cosigned_bundle);
    ok(
        &[
            "log",
            "verify-bundle",
            "--vkey",
            vkey,
            "--bundle",
            &cosigned_bundle,
            "--entry",
            &a,
            "--witness",
            wvkey.trim(),
        ],
        None,
    );

    // Tiles.
    let tile = ok(&["log", "tile", "--db", db, "tile/0/000.p/6"], None);
    assert_eq!(tile.trim().len(), 6 * 64);
    assert!(
        fails(&["log", "tile", "--db", db, "tile/0/000.p/7"])
            .contains("beyond the latest checkpoint")
    );
    assert!(fails(&["log", "tile", "--db", db, "tile/0/0"]).contains("malformed tile path"));
}

#[test]
fn keys_databases_lines_and_bundles_behave_as_a_user_expects() {
    let dir = temp_dir("expect");
    let db = dir.join("log.db");
    let db = db.to_str().unwrap();
    let key = dir.join("log.key");
    let key = key.to_str().unwrap();
    // A key made by keygen starts a log; its verifier key can be printed again.
    let made = ok(
        &[
            "log",
            "keygen",
            "--name",
            "example.org/expect",
            "--key-file",
            key,
        ],
        None,
    );
    let vkey = ok(&["log", "init", "--db", db, "--key-file", key], None);
    assert_eq!(made.trim(), vkey.trim());
    assert_eq!(ok(&["log", "verifier-key", "--key-file", key], None), vkey);
    let vkey = vkey.trim();
    assert!(
        fails(&[
            "log",
            "init",
            "--db",
            db,
            "--origin",
            "example.org/other",
            "--key-file",
            key
        ])
        .contains("differs from the name of the key")
    );

    // A mistyped database is an error and creates nothing.
    let typo = dir.join("lgo.db");
    assert!(
        fails(&["log", "checkpoint", "--db", typo.to_str().unwrap()])
            .contains("there is no log database")
    );
    assert!(!typo.exists());
    // A failed init leaves no database behind.
    let orphan = dir.join("orphan.db");
    fails(&[
        "log",
        "init",
        "--db",
        orphan.to_str().unwrap(),
        "--origin",
        "example.org/orphan",
        "--key-file",
        dir.join("no/such/dir/key").to_str().unwrap(),
    ]);
    assert!(!orphan.exists());

    // Empty standard input appends nothing; CRLF lines lose their CR.
    assert!(
        fails_with_stdin(&["log", "append", "--db", db, "--key-file", key], b"")
            .contains("standard input is empty")
    );
    ok(
        &["log", "append", "--db", db, "--key-file", key, "--lines"],
        Some(b"first\r\nsecond\r\n"),
    );
    let cp2 = write(&dir, "cp2", &ok(&["log", "checkpoint", "--db", db], None));
    let first = write(&dir, "first", "first");
    let proof = write(
        &dir,
        "proof",
        &ok(
            &["log", "prove-inclusion", "--db", db, "--index", "0"],
            None,
        ),
    );
    ok(
        &[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &cp2,
            "--proof",
            &proof,
            "--entry",
            &first,
        ],
        None,
    );

    // A bundle against an earlier, witnessed checkpoint.
    ok(
        &["log", "append", "--db", db, "--key-file", key, "--lines"],
        Some(b"third\nfourth\n"),
    );
    let wkey = dir.join("witness.key");
    let wvkey = ok(
        &[
            "log",
            "keygen",
            "--cosigner",
            "--name",
            "witness.example/w",
            "--key-file",
            wkey.to_str().unwrap(),
        ],
        None,
    );
    let cosigned = write(
        &dir,
        "cosigned",
        &ok(
            &[
                "log",
                "witness",
                "--vkey",
                vkey,
                "--new-checkpoint",
                &cp2,
                "--cosign-key",
                wkey.to_str().unwrap(),
            ],
            None,
        ),
    );
    let bundle = write(
        &dir,
        "bundle",
        &ok(
            &[
                "log",
                "bundle",
                "--db",
                db,
                "--index",
                "0",
                "--checkpoint",
                &cosigned,
            ],
            None,
        ),
    );
    assert!(
        ok(
            &[
                "log",
                "verify-bundle",
                "--vkey",
                vkey,
                "--bundle",
                &bundle,
                "--entry",
                &first,
                "--witness",
                wvkey.trim(),
            ],
            None,
        )
        .contains("at size 2")
    );
    let foreign = write(
        &dir,
        "foreign",
        &std::fs::read_to_string(&cosigned)
            .unwrap()
            .replace("\n2\n", "\n3\n"),
    );
    assert!(
        !fails(&[
            "log",
            "bundle",
            "--db",
            db,
            "--index",
            "0",
            "--checkpoint",
            &foreign
        ])
        .is_empty()
    );

    // A blank line is refused by number, after the lines before it are stored.
    let out = accord(
        &["log", "append", "--db", db, "--key-file", key, "--lines"],
        Some(b"fifth\nsixth\n\r\nseventh\n"),
    );
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4\n5\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3 of standard input is blank"),
        "{stderr}"
    );
    let cp = ok(&["log", "checkpoint", "--db", db], None);
    assert!(cp.contains("\n6\n"), "{cp}");
}

fn fails_with_stdin(args: &[&str], stdin: &[u8]) -> String {
    let out = accord(args, Some(stdin));
    assert!(!out.status.success(), "accord {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = temp_dir("errors");
    let db = dir.join("log.db");
    let db = db.to_str().unwrap();
    let key = dir.join("log.key");
    let key = key.to_str().unwrap();
    let vkey = ok(
        &[
            "log",
            "init",
            "--db",
            db,
            "--origin",
            "example.org/errors",
            "--key-file",
            key,
        ],
        None,
    );
    let vkey = vkey.trim();
    ok(
        &["log", "append", "--db", db, "--key-file", key, "--lines"],
        Some(b"a\nb\nc\n"),
    );
    let cp = write(&dir, "cp", &ok(&["log", "checkpoint", "--db", db], None));

    assert!(
        fails(&[
            "log",
            "init",
            "--db",
            db,
            "--origin",
            "bad origin",
            "--key-file",
            &format!("{key}2")
        ])
        .contains("invalid --origin")
    );
    assert!(
        fails(&[
            "log",
            "checkpoint",
            "--db",
            dir.join("missing/x.db").to_str().unwrap()
        ])
        .contains("opening")
    );
    assert!(
        fails(&["log", "prove-inclusion", "--db", db, "--index", "3"])
            .contains("outside a tree of size 3")
    );
    assert!(
        fails(&[
            "log",
            "prove-inclusion",
            "--db",
            db,
            "--index",
            "0",
            "--size",
            "9"
        ])
        .contains("beyond the latest checkpoint")
    );
    assert!(
        fails(&["log", "prove-consistency", "--db", db, "--old", "4"]).contains("0 < old <= new")
    );
    assert!(
        fails(&[
            "log",
            "verify-inclusion",
            "--vkey",
            "nonsense",
            "--checkpoint",
            &cp,
            "--proof",
            &cp,
            "--leaf-hash",
            "00"
        ])
        .contains("invalid --vkey")
    );
    let garbage = write(&dir, "garbage", "not a checkpoint\n");
    let proof = write(
        &dir,
        "p",
        &ok(
            &["log", "prove-inclusion", "--db", db, "--index", "0"],
            None,
        ),
    );
    assert!(
        fails(&[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &garbage,
            "--proof",
            &proof,
            "--leaf-hash",
            &leaf_hash(b"a").to_hex()
        ])
        .contains("malformed note")
    );
    let truncated = write(&dir, "t", "index 0\nsize 3\n");
    assert!(
        fails(&[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &cp,
            "--proof",
            &truncated,
            "--leaf-hash",
            &leaf_hash(b"a").to_hex()
        ])
        .contains("wrong number of hashes")
    );
    let bad_hash = write(&dir, "b", "index 0\nsize 3\nAAAA\n");
    assert!(
        fails(&[
            "log",
            "verify-inclusion",
            "--vkey",
            vkey,
            "--checkpoint",
            &cp,
            "--proof",
            &bad_hash,
            "--leaf-hash",
            &leaf_hash(b"a").to_hex()
        ])
        .contains("proof hash 1")
    );
    let other = ok(
        &[
            "log",
            "keygen",
            "--name",
            "example.org/errors",
            "--key-file",
            dir.join("other.key").to_str().unwrap(),
        ],
        None,
    );
    assert!(
        fails(&[
            "log",
            "verify-inclusion",
            "--vkey",
            other.trim(),
            "--checkpoint",
            &cp,
            "--proof",
            &proof,
            "--leaf-hash",
            &leaf_hash(b"a").to_hex()
        ])
        .contains("no signature from a trusted key")
    );
    assert!(
        fails(&[
            "log",
            "append",
            "--db",
            db,
            "--key-file",
            dir.join("other.key").to_str().unwrap(),
            "--lines"
        ])
        .contains("is not this log's key")
    );
    let bundle = write(
        &dir,
        "bad.tlog-proof",
        "c2sp.org/tlog-proof@v1\nindex 01\n\n",
    );
    assert!(
        fails(&[
            "log",
            "verify-bundle",
            "--vkey",
            vkey,
            "--bundle",
            &bundle,
            "--leaf-hash",
            &leaf_hash(b"a").to_hex()
        ])
        .contains("malformed tlog-proof")
    );
}

/// Runs `accord log append --lines`, feeding lines until killed; returns the
/// lines whose indexes were acknowledged, with the indexes.
fn append_until_killed(
    db: &str,
    key: &str,
    round: usize,
    kill_after: Duration,
) -> Vec<(u64, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["log", "append", "--db", db, "--key-file", key, "--lines"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run accord");
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for i in 0.. {
            if writeln!(stdin, "round {round} line {i}").is_err() {
                return;
            }
        }
    });
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reader = std::thread::spawn(move || {
        stdout
            .lines()
            .map_while(Result::ok)
            .enumerate()
            .map(|(i, l)| {
                (
                    l.parse::<u64>().expect("an index per line"),
                    format!("round {round} line {i}"),
                )
            })
            .collect::<Vec<_>>()
    });
    let start = Instant::now();
    while start.elapsed() < kill_after {
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    let acked = reader.join().unwrap();
    feeder.join().unwrap();
    acked
}

#[test]
fn crash_safety_under_sigkill() {
    let dir = temp_dir("crash");
    let db_path = dir.join("log.db");
    let db = db_path.to_str().unwrap();
    let key = dir.join("log.key");
    let key = key.to_str().unwrap();
    ok(
        &[
            "log",
            "init",
            "--db",
            db,
            "--origin",
            "example.org/crash",
            "--key-file",
            key,
        ],
        None,
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut acknowledged: Vec<(u64, String)> = Vec::new();
    let mut published = Vec::new();
    // Kill points spread over start-up, first batches and steady streaming.
    let kill_points = [40u64, 150, 300, 520, 777, 1100];
    for (round, ms) in kill_points.into_iter().enumerate() {
        let acked = append_until_killed(db, key, round, Duration::from_millis(ms));
        acknowledged.extend(acked);
        // Restart: opening verifies the stored checkpoint against the tree.
        runtime.block_on(async {
            let reader = LogReader::open(SqliteStorage::open(&db_path).await.unwrap())
                .await
                .expect("log reopens after SIGKILL");
            let cp = reader.checkpoint().checkpoint;
            let mut stored = Vec::new();
            for start in (0..cp.size).step_by(4096) {
                stored.extend(
                    reader
                        .entries(start, (start + 4096).min(cp.size))
                        .await
                        .unwrap(),
                );
            }
            for (index, line) in &acknowledged {
                let entry = stored.get(*index as usize).unwrap_or_else(|| {
                    panic!("acknowledged index {index} lost (size {})", cp.size)
                });
                assert_eq!(entry, line.as_bytes(), "entry {index}");
            }
            for old in &published {
                let old: &accord_log::Checkpoint = old;
                assert_eq!(
                    reader.tree_hash(old.size).await.unwrap(),
                    old.root,
                    "checkpoint {} rewritten",
                    old.size
                );
                if old.size > 0 {
                    let proof = reader.consistency_proof(old.size, cp.size).await.unwrap();
                    verify_consistency(
                        old.size,
                        cp.size,
                        &proof,
                        old.root.as_bytes(),
                        cp.root.as_bytes(),
                    )
                    .unwrap();
                }
            }
            published.push(cp);
        });
    }
    let total = acknowledged.len();
    assert!(
        total > 100,
        "only {total} entries were acknowledged: the kills came too early to test anything"
    );
    let mut indexes: Vec<u64> = acknowledged.iter().map(|a| a.0).collect();
    indexes.sort_unstable();
    indexes.dedup();
    assert_eq!(indexes.len(), total, "an index was acknowledged twice");
    // The log still works after all the kills.
    ok(
        &["log", "append", "--db", db, "--key-file", key],
        Some(b"after the crashes"),
    );
}
