//! End-to-end tests of `accord egta`: the empirical game of the shipped world
//! under the shipped protocol, deterministic whatever the thread count.

mod common;

use common::{fail, succeed};
use serde_json::Value;

fn egta(args: &[&str], threads: &str) -> String {
    let mut all = vec!["egta"];
    all.extend(args);
    succeed(&all, threads)
}

const SMALL: [&str; 5] = ["--replicates", "4", "--generations", "10", "--json"];

#[test]
fn the_protocol_decides_which_strategies_survive() {
    let minimal = "examples/protocols/minimal.toml";
    let survive = |protocol: Option<&str>| {
        let mut args: Vec<&str> = protocol.into_iter().collect();
        args.extend(SMALL);
        let value: Value = serde_json::from_str(&egta(&args, "2")).unwrap();
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
    let one = egta(&SMALL, "1");
    assert!(!one.is_empty());
    assert_eq!(one, egta(&SMALL, "2"));
}

#[test]
fn bad_strategies_are_named() {
    let stderr = fail(&["egta", "--strategies", "safe/honest,unsafe/sneaky"]);
    assert!(
        stderr.contains("unknown strategy \"unsafe/sneaky\""),
        "{stderr}"
    );
    let stderr = fail(&["egta", "--strategies", "safe/honest,safe/honest"]);
    assert!(
        stderr.contains("strategy safe/honest is listed twice"),
        "{stderr}"
    );
    let stderr = fail(&["egta", "--strategies", "safe/honest"]);
    assert!(stderr.contains("two distinct strategies"), "{stderr}");
    // Refused before the simulations, not after them.
    let stderr = fail(&["egta", "-Z", "100000000"]);
    assert!(
        stderr.contains("--population, --beta") && stderr.contains("to 100000"),
        "{stderr}"
    );
}

#[test]
fn the_verdict_carries_its_noise_and_not_the_listing_order() {
    let value = |strategies: &str| -> Value {
        let mut args = vec!["--strategies", strategies];
        args.extend(SMALL);
        serde_json::from_str(&egta(&args, "2")).unwrap()
    };
    let listed = value("safe/honest,unsafe/honest,unsafe/capture");
    let reordered = value("unsafe/capture,safe/honest,unsafe/honest");
    for (k, to) in [(0, 1), (1, 2), (2, 0)] {
        assert_eq!(listed["strategies"][k], reordered["strategies"][to]);
        // The same runs; the engine's sums in another order agree to rounding.
        let close = |a: &Value, b: &Value| {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()), "{a} vs {b}");
        };
        close(&listed["stationary"][k], &reordered["stationary"][to]);
        for end in [0, 1] {
            close(
                &listed["stationary_interval"][k][end],
                &reordered["stationary_interval"][to][end],
            );
        }
        let [low, high] = [0, 1].map(|e| listed["stationary_interval"][k][e].as_f64().unwrap());
        assert!((0.0..=1.0).contains(&low) && low <= high && high <= 1.0 + 1e-12);
    }
    // Two strategies that behave alike (a safe lab's reports are true
    // whatever its reporting rule) cannot be told apart: the text says so.
    let text = egta(
        &[
            "--strategies",
            "safe/honest,safe/threshold-manipulation",
            "--replicates",
            "3",
            "--generations",
            "6",
        ],
        "2",
    );
    assert!(text.contains("bootstrap resamples"), "{text}");
    assert!(
        text.contains("estimation noise alone could reverse this verdict"),
        "{text}"
    );
}
