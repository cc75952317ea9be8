//! End-to-end tests of `accord leaderboard import-fmti`: the committed
//! example is what the command makes from the reference data, and it
//! replays to the FMTI's published scores.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(repo(""))
        .output()
        .expect("run accord")
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-leaderboard-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The arguments that made `examples/protocols/fmti-leaderboard.toml` and
/// `examples/events/fmti.jsonl` (the demo's placeholder keys for `sec` and `fmti`).
fn import(protocol: &Path, events: &Path, from: &str) -> Output {
    accord(&[
        "leaderboard",
        "import-fmti",
        "--from",
        from,
        "--protocol-out",
        protocol.to_str().unwrap(),
        "--events-out",
        events.to_str().unwrap(),
        "--register-with",
        "sec",
        "--secretariat-key",
        "0000000000000000000000000000000000000000000000000000000000736563",
        "--rater-key",
        "0000000000000000000000000000000000000000000000000000000066746d69",
    ])
}

#[test]
fn the_example_is_the_import_of_the_reference_data() {
    let dir = scratch();
    let (protocol, events) = (dir.join("p.toml"), dir.join("e.jsonl"));
    let output = import(&protocol, &events, "data/fmti");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (made, committed) in [
        (&protocol, "examples/protocols/fmti-leaderboard.toml"),
        (&events, "examples/events/fmti.jsonl"),
    ] {
        assert!(
            std::fs::read(made).unwrap() == std::fs::read(repo(committed)).unwrap(),
            "{committed} is stale: regenerate it with `accord leaderboard import-fmti`"
        );
    }
    // It never overwrites.
    let again = import(&protocol, &events, "data/fmti");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("must not exist"));
}

#[test]
fn replaying_the_example_gives_the_published_scores() {
    let output = accord(&[
        "protocol",
        "replay",
        "--strict",
        "--json",
        "--protocol",
        "examples/protocols/fmti-leaderboard.toml",
        "examples/events/fmti.jsonl",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let editions = &summary["rating_indices"][0]["editions"];
    let top = |e: usize| {
        let row = &editions[e]["rows"][0];
        (
            row["lab"].as_str().unwrap().to_string(),
            row["score"].as_f64().unwrap(),
        )
    };
    assert_eq!(top(0), ("meta".to_string(), 54.0));
    assert_eq!(top(1), ("bigcode".to_string(), 85.0));
    assert_eq!(top(2), ("ibm".to_string(), 95.0));
    assert_eq!(editions[2]["max_score"], 100.0);
}

#[test]
fn a_bad_cell_is_named_by_file_line_and_field() {
    let dir = scratch();
    let from = dir.join("fmti");
    let reference = repo("data/fmti");
    for file in [
        "fmti-indicators.csv",
        "October2023/October2023_scores.csv",
        "May2024/May2024_scores.csv",
        "Dec2025/Dec2025_indicators.csv",
        "Dec2025/Dec2025_scores.csv",
    ] {
        let target = from.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(reference.join(file), &target).unwrap();
    }
    let scores = from.join("May2024/May2024_scores.csv");
    let text = std::fs::read_to_string(&scores).unwrap();
    // Line 3 is "Data sources"; Aleph Alpha is its fourth column.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen(",0,1,0,", ",0,1,yes,", 1);
    std::fs::write(&scores, lines.join("\n")).unwrap();
    let output = import(
        &dir.join("p.toml"),
        &dir.join("e.jsonl"),
        from.to_str().unwrap(),
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "May2024_scores.csv: line 3: field \"aleph-alpha\": expected a number, got \"yes\""
        ),
        "{stderr}"
    );
    assert!(!dir.join("p.toml").exists(), "nothing is written on error");
}
