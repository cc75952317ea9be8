//! End-to-end tests of `accord protocol`.

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

fn json(args: &[&str]) -> Value {
    let output = accord(args);
    assert!(
        output.status.success(),
        "accord {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn temp(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-protocol-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn check_summarises_and_rejects_with_location() {
    let output = accord(&[
        "protocol",
        "check",
        "examples/protocols/global-protocol.toml",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("valid")
            && text.contains("[on ] credits")
            && text.contains("warning → credit fine")
            && text.contains("weights: audit pass rate 2")
            && !text.contains("ScoreWeights"),
        "{text}"
    );
    let bad = temp(
        "bad.toml",
        "[protocol]\nname = \"x\"\nformat = 1\n[monitoring]\nenabled = true\nmonitors = 1\nquorum = 2\n",
    );
    let output = accord(&["protocol", "check", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("bad.toml")
            && error.contains("line 7")
            && error.contains("monitoring.quorum"),
        "{error}"
    );
}

#[test]
fn schema_is_json_schema() {
    let schema = json(&["protocol", "schema"]);
    assert!(
        schema["$schema"]
            .as_str()
            .unwrap()
            .contains("json-schema.org")
    );
    assert!(schema["properties"]["sanctions"].is_object());
}

#[test]
fn replay_derives_the_state() {
    let out = json(&[
        "protocol",
        "replay",
        "--protocol",
        "examples/protocols/global-protocol.toml",
        "examples/events/global-demo.jsonl",
        "--json",
    ]);
    assert_eq!(out["rejected"], 0);
    assert_eq!(out["period"], 2);
    assert_eq!(out["credits"]["openlab"], 58);
    let fastcorp = out["access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["lab"] == "fastcorp")
        .unwrap();
    assert_eq!(fastcorp["allowed"], false);
    assert_eq!(out["owed"]["fastcorp"], 25);
    // What each lab owes agrees with its access decision's reasons.
    for access in out["access"].as_array().unwrap() {
        let owed_reason = access["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reason"] == "outstanding_obligations")
            .map(|r| &r["owed"]);
        let lab = access["lab"].as_str().unwrap();
        assert_eq!(out["owed"].get(lab), owed_reason, "{lab}");
    }
    assert_eq!(out["leaderboard"][0]["lab"], "openlab");
    let again = json(&[
        "protocol",
        "replay",
        "--protocol",
        "examples/protocols/global-protocol.toml",
        "examples/events/global-demo.jsonl",
        "--json",
    ]);
    assert_eq!(
        out["state_hash"], again["state_hash"],
        "replay is deterministic"
    );
}

#[test]
fn replay_reports_bad_events_with_their_line() {
    let events = temp(
        "events.jsonl",
        "{\"author\":\"sec\",\"seq\":1,\"period\":0,\"type\":\"register\",\"participant\":\"sec\",\"role\":\"secretariat\",\"public_key\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}\n{\"author\":\"sec\",\"seq\":2,\"period\":0,\"type\":\"register\",\"participant\":\"a\",\"role\":\"wizard\",\"public_key\":\"x\"}\n",
    );
    let output = accord(&[
        "protocol",
        "replay",
        "--strict",
        "--protocol",
        "examples/protocols/global-protocol.toml",
        events.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("events.jsonl") && error.contains("line 2") && error.contains("wizard"),
        "{error}"
    );
    // Without --strict an unreadable line is counted as rejected and the replay goes on.
    let out = json(&[
        "protocol",
        "replay",
        "--protocol",
        "examples/protocols/global-protocol.toml",
        events.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out["rejected"], 1);
    assert!(
        out["rejections"][0].as_str().unwrap().contains("line 2"),
        "{out}"
    );
    let rejected = temp(
        "rejected.jsonl",
        "{\"author\":\"sec\",\"seq\":1,\"period\":0,\"type\":\"register\",\"participant\":\"sec\",\"role\":\"secretariat\",\"public_key\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}\n{\"author\":\"sec\",\"seq\":2,\"period\":0,\"type\":\"fine\",\"lab\":\"ghost\",\"amount\":3}\n",
    );
    let out = json(&[
        "protocol",
        "replay",
        "--protocol",
        "examples/protocols/global-protocol.toml",
        rejected.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out["rejected"], 1);
    assert!(out["rejections"][0].as_str().unwrap().contains("line 2"));
    let strict = accord(&[
        "protocol",
        "replay",
        "--strict",
        "--protocol",
        "examples/protocols/global-protocol.toml",
        rejected.to_str().unwrap(),
    ]);
    assert!(!strict.status.success());
}

#[test]
fn detect_on_epoch_data() {
    let out = json(&["protocol", "detect", "--json", "--replicates", "300"]);
    assert_eq!(out["rows_with_value"], 515);
    let thresholds: Vec<f64> = out["bunching"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["threshold"].as_f64().unwrap())
        .collect();
    assert_eq!(thresholds, vec![1e25, 1e26]);
    for result in out["bunching"].as_array().unwrap() {
        let estimate = &result["estimate"];
        let (lo, hi) = (
            estimate["interval"][0].as_f64().unwrap(),
            estimate["interval"][1].as_f64().unwrap(),
        );
        // Sparse data near 10²⁶ once sent replicates' ratios without bound.
        assert!(lo <= hi && hi - lo < 10.0, "[{lo}, {hi}]");
        assert_eq!(
            result["significant"].as_bool().unwrap(),
            lo > 0.0 && estimate["excess_mass"].as_f64().unwrap() > 0.0
        );
    }
    assert!(!out["jumps"].as_array().unwrap().is_empty());
    // The data are built in: the same report from any folder.
    let elsewhere = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["protocol", "detect", "--json", "--replicates", "300"])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        elsewhere.status.success(),
        "{}",
        String::from_utf8_lossy(&elsewhere.stderr)
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&elsewhere.stdout).unwrap(),
        out
    );
    assert!(
        out["source"].as_str().unwrap().contains("built in"),
        "{}",
        out["source"]
    );
    let missing = accord(&["protocol", "detect", "--value-column", "FLOPs"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no column \"FLOPs\""));
    for (flag, value, expected) in [
        ("--bin-width", "0", "--bin-width: expected a positive width"),
        ("--replicates", "0", "--replicates: expected 10 to 10000"),
        ("--threshold", "0", "--threshold: expected a positive value"),
        (
            "--order",
            "40",
            "--order: expected an order between 1 and 12",
        ),
    ] {
        let bad = accord(&["protocol", "detect", flag, value]);
        assert!(!bad.status.success());
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(stderr.contains(expected), "{flag} {value}: {stderr}");
    }
}

#[test]
fn detect_refuses_bad_rows_and_says_when_data_are_insufficient() {
    let header = "Training compute (FLOP),Organization,Publication date\n";
    for (row, expected) in [
        (
            "inf,A,2024-01-01\n",
            "\"inf\" is not a positive finite number",
        ),
        (
            "1e400,A,2024-01-01\n",
            "\"1e400\" is not a positive finite number",
        ),
        (
            "-5,A,2024-01-01\n",
            "\"-5\" is not a positive finite number",
        ),
        ("1e24,A,someday\n", "\"someday\" is not a date"),
    ] {
        let csv = temp("bad.csv", &format!("{header}{row}"));
        let output = accord(&["protocol", "detect", csv.to_str().unwrap()]);
        assert!(!output.status.success(), "{row}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("line 2") && stderr.contains(expected),
            "{row}: {stderr}"
        );
    }
    let single = temp("single.csv", &format!("{header}9e24,A,2024-01-01\n"));
    let out = json(&["protocol", "detect", single.to_str().unwrap(), "--json"]);
    for result in out["bunching"].as_array().unwrap() {
        assert!(result["estimate"].is_null(), "{result}");
        assert!(!result["significant"].as_bool().unwrap());
    }
    let output = accord(&["protocol", "detect", single.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("insufficient data"), "{text}");
}
