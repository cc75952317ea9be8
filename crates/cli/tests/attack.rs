//! End-to-end tests of `accord attack` on the shipped protocol and world.

mod common;

use common::{fail, succeed};
use serde_json::Value;

fn attack(args: &[&str], threads: &str) -> String {
    let mut all = vec!["attack"];
    all.extend(args);
    succeed(&all, threads)
}

const SMALL: [&str; 5] = ["--replicates", "2", "--generations", "4", "--json"];

#[test]
fn every_lab_type_and_the_leaders_are_searched() {
    let value: Value = serde_json::from_str(&attack(&SMALL, "2")).unwrap();
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
    // Two labs of the first type: coalitions of 1 and 2, 16 discrete
    // deviations (leaving midway among them) and 32 intensities each.
    assert_eq!(searched[0]["tried"], 96);
    assert_eq!(searched[1]["tried"], 48);
    let worst = &value["exploitability"];
    let best_gain = searched
        .iter()
        .map(|s| s["confirmed"]["gain"]["mean"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(worst["gain"]["mean"].as_f64().unwrap(), best_gain);
    // The verdict reads every type's interval: exploitable exactly when one
    // lies above 0, and then the decisive deviation is such a one.
    let significant = searched
        .iter()
        .any(|s| s["confirmed"]["gain"]["low"].as_f64().unwrap() > 0.0);
    let verdict = value["verdict"].as_str().unwrap();
    assert_eq!(verdict == "exploitable", significant, "{verdict}");
    if significant {
        assert!(value["decisive"]["gain"]["low"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn same_seed_same_answer_whatever_the_thread_count() {
    let mut args = SMALL.to_vec();
    args.extend(["--coalition", "1"]);
    let one = attack(&args, "1");
    assert!(!one.is_empty());
    assert_eq!(one, attack(&args, "2"));
}

#[test]
fn bad_plans_are_refused() {
    let stderr = fail(&["attack", "--replicates", "1"]);
    assert!(stderr.contains("at least 2 replicates"), "{stderr}");
    let stderr = fail(&["attack", "--coalition", "0"]);
    assert!(stderr.contains("coalition"), "{stderr}");
}
