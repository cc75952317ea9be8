//! End-to-end tests of `accord lobby`.

mod common;

use common::{fail, succeed};
use serde_json::Value;

/// The values of a parameter's grid points in the JSON output.
fn point_values(parameter: &Value) -> Vec<f64> {
    parameter["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect()
}

#[test]
fn lobbies_the_labs_that_oppose_safety_and_reports_each_regulators_choice() {
    let args = [
        "lobby",
        "--param",
        "compute.covered_fraction=0:1",
        "--points",
        "2",
        "--replicates",
        "2",
        "--generations",
        "4",
        "--json",
    ];
    let output: Value = serde_json::from_str(&succeed(&args, "2")).unwrap();
    assert_eq!(
        output["lobby"],
        serde_json::json!(["compute-leader", "open-weights"])
    );
    let parameter = &output["parameters"][0];
    let values = point_values(parameter);
    assert_eq!(
        values,
        [0.0, 0.8, 1.0],
        "the range's ends and the protocol's own value"
    );
    assert_eq!(parameter["status_quo_point"], 1);
    let weights: Vec<&Value> = parameter["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["welfare_weight"])
        .collect();
    assert_eq!(weights.len(), 4);
    assert!(weights[3].is_null(), "a = ∞ has no JSON number");
    // The same seed gives the same answer on one thread.
    let again: Value = serde_json::from_str(&succeed(&args, "1")).unwrap();
    assert_eq!(again, output);
}

#[test]
fn the_protocols_value_is_a_point_even_outside_the_range() {
    let output: Value = serde_json::from_str(&succeed(
        &[
            "lobby",
            "--param",
            "sanctions.ladder[1].fine_credits=30:100",
            "--points",
            "2",
            "--replicates",
            "2",
            "--generations",
            "2",
            "--json",
        ],
        "2",
    ))
    .unwrap();
    let parameter = &output["parameters"][0];
    let values = point_values(parameter);
    assert_eq!(values, [20.0, 30.0, 100.0]);
    assert_eq!(parameter["status_quo_point"], 0);
    // A whole-number parameter with no whole number in its range is refused.
    let error = fail(&[
        "lobby",
        "--param",
        "sanctions.ladder[1].fine_credits=20.2:20.6",
    ]);
    assert!(error.contains("whole numbers"), "{error}");
    // So is a range none of whose values the protocol accepts, though its own value is valid.
    let error = fail(&["lobby", "--param", "compute.covered_fraction=2:3"]);
    assert!(
        error.contains("no grid point in 2:3 makes a valid protocol"),
        "{error}"
    );
}

#[test]
fn a_lobby_or_parameter_that_does_not_exist_is_named() {
    let error = fail(&[
        "lobby",
        "--param",
        "compute.covered_fraction=0:1",
        "--lobby",
        "nobody",
    ]);
    assert!(
        error.contains("lobby \"nobody\"") && error.contains("compute-leader"),
        "{error}"
    );
    let error = fail(&["lobby", "--param", "world:race.prize=0:1"]);
    assert!(error.contains("only the protocol's parameters"), "{error}");
    let error = fail(&["lobby", "--param", "compute.nothing=0:1"]);
    assert!(error.contains("compute.nothing"), "{error}");
}

#[test]
fn generations_out_of_range_are_refused_by_every_command() {
    for command in [
        vec![
            "lobby",
            "--param",
            "compute.covered_fraction=0:1",
            "--generations",
            "0",
        ],
        vec![
            "design",
            "--param",
            "monitoring.monitors=2:3",
            "--generations",
            "0",
        ],
        vec!["attack", "--generations", "0"],
        vec!["egta", "--generations", "1000000000"],
    ] {
        let error = fail(&command);
        assert!(
            error.contains("--generations") && error.contains("1..=100000"),
            "{command:?}: {error}"
        );
    }
}
