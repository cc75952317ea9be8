//! End-to-end tests of `accord attack` on the shipped protocol and world.

use serde_json::Value;
use std::process::Command;

fn attack(args: &[&str], threads: &str) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("attack")
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

const SMALL: [&str; 5] = ["--replicates", "3", "--generations", "6", "--json"];

#[test]
fn every_lab_type_and_the_leaders_are_searched() {
    let (ok, stdout, stderr) = attack(&SMALL, "2");
    assert!(ok, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    let searched = value["searched"].as_array().unwrap();
    let who: Vec<&str> = searched
        .iter()
        .map(|s| s["who"].as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        [
            "compute-leader",
            "open-weights",
            "safety-focused",
            "fast-follower",
            "leaders"
        ]
    );
    // Two labs of the first type: coalitions of 1 and 2, 14 deviations each.
    assert_eq!(searched[0]["tried"], 28);
    assert_eq!(searched[1]["tried"], 14);
    let worst = &value["exploitability"];
    let best_gain = searched
        .iter()
        .map(|s| s["confirmed"]["gain"]["mean"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(worst["gain"]["mean"].as_f64().unwrap(), best_gain);
}

#[test]
fn same_seed_same_answer_whatever_the_thread_count() {
    let (_, one, _) = attack(&SMALL, "1");
    let (_, two, _) = attack(&SMALL, "2");
    assert!(!one.is_empty());
    assert_eq!(one, two);
}

#[test]
fn bad_plans_are_refused() {
    let (ok, _, stderr) = attack(&["--replicates", "1"], "1");
    assert!(!ok);
    assert!(stderr.contains("at least 2 replicates"), "{stderr}");
    let (ok, _, stderr) = attack(&["--coalition", "0"], "1");
    assert!(!ok);
    assert!(stderr.contains("coalition"), "{stderr}");
}
