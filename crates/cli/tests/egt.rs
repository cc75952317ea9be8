//! End-to-end tests of `accord egt`: the JSON contract, errors a user can act
//! on, and the sweep's output folder.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("run accord")
}

fn json(args: &[&str]) -> Value {
    let output = accord(args);
    assert!(
        output.status.success(),
        "accord {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("accord {args:?}: invalid JSON: {e}"))
}

fn error(args: &[&str]) -> String {
    let output = accord(args);
    assert!(!output.status.success(), "accord {args:?} should fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

#[test]
fn strong_selection_sml_is_exact_and_logged() {
    // Issue 11: at β = 0.25 ln ρ(AS→AU) ≈ −792 underflows; AU must keep the mass.
    let out = json(&["egt", "sml", "--beta", "0.25", "--json"]);
    let stationary = floats(&out["stationary"]);
    assert!(stationary[1] > 0.999, "{stationary:?}");
    let log_stationary = floats(&out["log_stationary"]);
    assert!(log_stationary[0] < -700.0, "{log_stationary:?}");
    let log_rho = out["log_fixation"][0][1].as_f64().unwrap();
    assert!((log_rho + 792.0).abs() < 1.0, "{log_rho}");
    assert!(out["residual"].as_f64().unwrap() <= 1e-12);
}

#[test]
fn negative_beta_is_a_value_not_a_flag() {
    let message = error(&["egt", "sml", "--beta", "-1"]);
    assert!(message.contains("β = -1"), "{message}");
    // So is a negative μ, which gets its range error, not "unexpected argument".
    for mutation in ["-0.1", "-1e-5"] {
        let message = error(&["egt", "chain", "--mutation", mutation]);
        assert!(message.contains("mutation probability"), "{message}");
    }
}

#[test]
fn fixation_runs_that_never_settle_are_an_error() {
    let message = error(&[
        "egt", "mc", "--mode", "fixation", "--runs", "4", "--steps", "1", "-Z", "50",
    ]);
    assert!(
        message.contains("4 of the 4 fixation runs neither fixed nor went extinct"),
        "{message}"
    );
}

#[test]
fn overflowing_model_parameters_are_an_error() {
    let message = error(&["egt", "sml", "--set", "W=1e-320"]);
    assert!(message.contains("finite"), "{message}");
}

#[test]
fn sml_json_contract() {
    let out = json(&[
        "egt", "sml", "--model", "dsair", "--set", "s=2", "--set", "p_r=0.9", "--json",
    ]);
    assert_eq!(out["strategies"], serde_json::json!(["AS", "AU"]));
    assert_eq!(out["population"], 100);
    assert_eq!(out["beta"], 0.01);
    assert_eq!(out["parameters"]["p_r"], 0.9);
    let stationary = floats(&out["stationary"]);
    assert!((stationary.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(
        stationary[0] > 0.99,
        "high risk makes safety dominant: {stationary:?}"
    );
    for row in out["transition"].as_array().unwrap() {
        assert!(
            (floats(row).iter().sum::<f64>() - 1.0).abs() < 1e-12,
            "row-stochastic"
        );
    }
}

#[test]
fn neutral_selection_gives_uniform_small_mutation_limit() {
    let out = json(&[
        "egt",
        "sml",
        "--model",
        "dsair-commit",
        "--beta",
        "0",
        "--json",
    ]);
    for p in floats(&out["stationary"]) {
        assert!((p - 0.2).abs() < 1e-12);
    }
    let fixation = json(&[
        "egt",
        "fixation",
        "--model",
        "crd",
        "--beta",
        "0",
        "-Z",
        "40",
        "--invader",
        "C",
        "--resident",
        "D",
        "--json",
    ]);
    assert!((fixation["fixation"].as_f64().unwrap() - 1.0 / 40.0).abs() < 1e-14);
}

#[test]
fn chain_json_lists_states_in_egttools_order() {
    let out = json(&[
        "egt",
        "chain",
        "--model",
        "dsair-ps",
        "-Z",
        "12",
        "--beta",
        "0.1",
        "--mutation",
        "0.05",
        "--json",
    ]);
    let states = out["states"].as_array().unwrap();
    assert_eq!(states.len(), 91);
    assert_eq!(states[0], serde_json::json!([12, 0, 0]));
    assert_eq!(states[1], serde_json::json!([11, 1, 0]));
    assert_eq!(states[90], serde_json::json!([0, 0, 12]));
    let stationary = floats(&out["stationary"]);
    assert_eq!(stationary.len(), 91);
    assert!((stationary.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(out["residual"].as_f64().unwrap() < 1e-15);
}

#[test]
fn gradient_and_replicator_agree_on_the_crd() {
    // Santos & Pacheco (2011): for high risk the CRD has an interior stable
    // coexistence point; the finite-population gradient changes sign near it.
    let replicator = json(&[
        "egt",
        "replicator",
        "--model",
        "crd",
        "--set",
        "r=0.9",
        "--json",
    ]);
    let stable: Vec<f64> = replicator["rest_points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["stability"] == "stable" && p["support"].as_array().unwrap().len() == 2)
        .map(|p| p["frequencies"][0].as_f64().unwrap())
        .collect();
    assert_eq!(stable.len(), 1);
    assert_eq!(replicator["resting_faces"], serde_json::json!([]));
    let gradient = json(&[
        "egt", "gradient", "--model", "crd", "--set", "r=0.9", "-Z", "500", "--json",
    ]);
    let g = floats(&gradient["gradient"]);
    let k = (stable[0] * 500.0).round() as usize;
    assert!(
        g[k - 15] > 0.0 && g[k + 15] < 0.0,
        "stable point near k = {k}"
    );
}

#[test]
fn monte_carlo_matches_exact_fixation() {
    let out = json(&[
        "egt",
        "mc",
        "--mode",
        "fixation",
        "--model",
        "dsair",
        "--set",
        "p_r=0.9",
        "--set",
        "s=2",
        "-Z",
        "30",
        "--runs",
        "4000",
        "--invader",
        "AS",
        "--resident",
        "AU",
        "--seed",
        "7",
        "--json",
    ]);
    let estimate = out["fixation"]["probability"].as_f64().unwrap();
    let se = out["fixation"]["standard_error"].as_f64().unwrap();
    let exact = out["exact"].as_f64().unwrap();
    assert!(
        (estimate - exact).abs() < 3.0 * se,
        "{estimate} ± {se} vs {exact}"
    );
    let again = json(&[
        "egt",
        "mc",
        "--mode",
        "fixation",
        "--model",
        "dsair",
        "--set",
        "p_r=0.9",
        "--set",
        "s=2",
        "-Z",
        "30",
        "--runs",
        "4000",
        "--invader",
        "AS",
        "--resident",
        "AU",
        "--seed",
        "7",
        "--json",
    ]);
    assert_eq!(out, again, "same seed, same result");
}

#[test]
fn custom_game_files() {
    let pd = repo("examples/games/prisoners-dilemma.toml");
    let out = json(&["egt", "sml", "--game", pd.to_str().unwrap(), "--json"]);
    assert_eq!(out["model"], "prisoners-dilemma");
    assert!(floats(&out["stationary"])[1] > 0.999, "defection dominates");
    let stag = repo("examples/games/stag-hunt-3.toml");
    let out = json(&[
        "egt",
        "replicator",
        "--game",
        stag.to_str().unwrap(),
        "--json",
    ]);
    let interior = out["rest_points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["support"].as_array().unwrap().len() == 2)
        .unwrap();
    assert!((interior["frequencies"][0].as_f64().unwrap() - 0.5f64.sqrt()).abs() < 1e-9);
}

#[test]
fn errors_name_what_is_valid() {
    let message = error(&["egt", "sml", "--model", "dsiar"]);
    assert!(
        message.contains("unknown model \"dsiar\"") && message.contains("dsair-ps"),
        "{message}"
    );
    let message = error(&["egt", "sml", "--model", "dsair", "--set", "pr=0.5"]);
    assert!(
        message.contains("no parameter \"pr\"") && message.contains("p_r"),
        "{message}"
    );
    let message = error(&["egt", "sml", "--set", "p_r=1.5"]);
    assert!(
        message.contains("p_r = 1.5") && message.contains("[0, 1]"),
        "{message}"
    );
    let message = error(&["egt", "sml", "-Z", "1"]);
    assert!(message.contains("Z = 1"), "{message}");
    let message = error(&["egt", "fixation", "--invader", "XX", "--resident", "AU"]);
    assert!(
        message.contains("unknown strategy \"XX\"") && message.contains("AS, AU"),
        "{message}"
    );

    let dir = tempdir("bad-game");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "kind = \"matrix\"\nstrategies = [\"A\", \"B\"]\npayoffs = [[1, 2], [3]]\n",
    )
    .unwrap();
    let message = error(&["egt", "sml", "--game", bad.to_str().unwrap()]);
    assert!(
        message.contains("bad.toml") && message.contains("line 3") && message.contains("payoffs"),
        "{message}"
    );
}

#[test]
fn sweep_writes_a_complete_folder() {
    let dir = tempdir("sweep");
    let out = dir.join("phase");
    let output = accord(&[
        "egt",
        "sweep",
        "--x",
        "s=1:5:9",
        "--y",
        "p_r=0:1:7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in [
        "sweep.csv",
        "phase-diagram.svg",
        "phase-diagram.png",
        "summary.json",
        "README.md",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 9 * 7);
    assert!(csv.starts_with("s,p_r,AS,AU\n"));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let risk = summary["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "risk_dominance")
        .unwrap();
    assert!(
        risk["agreement_with_plotted_strategy_majority"]
            .as_f64()
            .unwrap()
            > 0.9
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no staging folder left behind");
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-cli-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn trajectories_of_fast_games_end_in_the_right_basin_and_at_the_duration() {
    let dir = std::env::temp_dir().join(format!("accord-egt-fast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let game = dir.join("coordination.toml");
    std::fs::write(
        &game,
        "name = \"c\"\nkind = \"matrix\"\nstrategies = [\"A\", \"B\"]\npayoffs = [[1e3, 0], [0, 1e3]]\n",
    )
    .unwrap();
    let game = game.to_str().unwrap();
    // From x = 0.6 > ½, A takes over (a fixed step of 0.01 ended at B).
    let out = json(&[
        "egt",
        "replicator",
        "--game",
        game,
        "--from",
        "0.6,0.4",
        "--time",
        "5",
        "--json",
    ]);
    let path = out["trajectory"].as_array().unwrap();
    let last = path.last().unwrap();
    assert_eq!(last[0], 5.0);
    assert!(floats(&last[1])[0] > 0.999, "{last}");
    // A step longer than the duration reports the duration, once, finite.
    let out = accord(&[
        "egt",
        "replicator",
        "--game",
        game,
        "--from",
        "0.6,0.4",
        "--time",
        "5",
        "--step",
        "1e9",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("t="))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[1].contains("t=5.000") && !text.contains("NaN"),
        "{text}"
    );
    assert!(
        error(&[
            "egt",
            "replicator",
            "--game",
            game,
            "--from",
            "0.6,0.4",
            "--step",
            "-1"
        ])
        .contains("step > 0")
    );
}
