//! End-to-end tests of `accord precipice`.

mod common;

use common::{fail, repo, succeed, tempdir};
use serde_json::Value;

fn regime<'a>(report: &'a Value, information: &str) -> &'a Value {
    report["regimes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["information"] == information)
        .unwrap()
}

#[test]
fn the_shipped_race_runs_under_the_information_the_protocol_sets() {
    let one: Value = serde_json::from_str(&succeed(&["precipice", "--json"], "1")).unwrap();
    // The shipped protocol keeps metric reports with the registry.
    assert_eq!(one["information_under_protocol"], "private");
    assert_eq!(regime(&one, "private")["under_protocol"], true);
    assert_eq!(one["regimes"].as_array().unwrap().len(), 3);
    // Same seed, same report, whatever the thread count.
    let two: Value = serde_json::from_str(&succeed(&["precipice", "--json"], "2")).unwrap();
    assert_eq!(one, two);
    let text = succeed(&["precipice"], "2");
    assert!(text.contains("outside this class"), "{text}");
}

#[test]
fn identical_teams_meet_the_closed_form() {
    // Two teams, μ = 1, e = 1: s* = 1/2 without information, and the race
    // is safe with probability 1/3 with private or public information.
    let report: Value = serde_json::from_str(&succeed(
        &[
            "precipice",
            "--teams",
            "2",
            "--spread",
            "1",
            "--enmity",
            "1",
            "--json",
        ],
        "2",
    ))
    .unwrap();
    for (information, closed) in [("none", 0.5), ("private", 1.0 / 3.0), ("public", 1.0 / 3.0)] {
        let outcome = regime(&report, information);
        assert!((outcome["closed_form_safety"].as_f64().unwrap() - closed).abs() < 1e-12);
        let measured = outcome["safety"]["mean"].as_f64().unwrap();
        assert!(
            (measured - closed).abs() < 0.01,
            "{information}: {measured}"
        );
    }
}

#[test]
fn bad_input_is_named() {
    let dir = tempdir("precipice", "bad-file");
    let file = dir.join("race.toml");
    std::fs::write(
        &file,
        "[[team]]\nname = \"a\"\ncapability_spread = 1.0\nenmity = 0.5\n\n[[team]]\nname = \"b\"\ncapability_spread = 1.0\nenmity = 2\n",
    )
    .unwrap();
    let error = fail(&["precipice", "--race", file.to_str().unwrap()]);
    assert!(error.contains("race.toml: line 9"), "{error}");
    assert!(error.contains("team[1].enmity"), "{error}");
    let error = fail(&["precipice", "--teams", "3"]);
    assert!(error.contains("--spread"), "{error}");
    let error = fail(&[
        "precipice",
        "--teams",
        "1",
        "--spread",
        "1",
        "--enmity",
        "0.5",
    ]);
    assert!(
        error.contains("'--teams <TEAMS>': 1 is not in 2..=64"),
        "{error}"
    );
    // Negative values reach the range checks rather than read as flags.
    let error = fail(&[
        "precipice",
        "--teams",
        "2",
        "--spread",
        "-1",
        "--enmity",
        "0.5",
    ]);
    assert!(error.contains("capability_spread"), "{error}");
    let error = fail(&[
        "precipice",
        "--teams",
        "2",
        "--spread",
        "1e-7",
        "--enmity",
        "0.5",
    ]);
    assert!(error.contains("from 1e-6"), "{error}");
    let error = fail(&[
        "precipice",
        repo("examples/races/frontier-labs.toml").to_str().unwrap(),
    ]);
    assert!(error.contains("frontier-labs.toml"), "{error}");
}
