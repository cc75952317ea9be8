//! End-to-end tests of `accord egta`: the empirical game of the shipped world
//! under the shipped protocol, deterministic whatever the thread count.

use serde_json::Value;
use std::process::Command;

fn egta(args: &[&str], threads: &str) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("egta")
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("run accord");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const SMALL: [&str; 5] = ["--replicates", "4", "--generations", "10", "--json"];

#[test]
fn the_protocol_decides_which_strategies_survive() {
    let minimal = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/protocols/minimal.toml"
    );
    let survive = |protocol: Option<&str>| {
        let mut args: Vec<&str> = protocol.into_iter().collect();
        args.extend(SMALL);
        let (ok, stdout, stderr) = egta(&args, "2");
        assert!(ok, "{stderr}");
        let value: Value = serde_json::from_str(&stdout).unwrap();
        // Groups of the world's 6 labs over 3 strategies: C(8, 2) compositions.
        assert_eq!(value["table"].as_array().unwrap().len(), 28);
        let stationary: Vec<f64> = value["stationary"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert!((stationary.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        stationary[0]
    };
    assert!(
        survive(None) > 0.9,
        "safe/honest survives the global protocol"
    );
    assert!(survive(Some(minimal)) < 0.1, "and not the minimal one");
}

#[test]
fn same_seed_same_table_whatever_the_thread_count() {
    let (_, one, _) = egta(&SMALL, "1");
    let (_, two, _) = egta(&SMALL, "2");
    assert!(!one.is_empty());
    assert_eq!(one, two);
}

#[test]
fn bad_strategies_are_named() {
    let (ok, _, stderr) = egta(&["--strategies", "safe/honest,unsafe/sneaky"], "1");
    assert!(!ok);
    assert!(
        stderr.contains("unknown strategy \"unsafe/sneaky\""),
        "{stderr}"
    );
    let (ok, _, stderr) = egta(&["--strategies", "safe/honest,safe/honest"], "1");
    assert!(!ok);
    assert!(stderr.contains("two distinct strategies"), "{stderr}");
}
