//! End-to-end tests of `accord calibrate` on Epoch AI's training-compute data.

mod common;

use accord_sim::World;
use common::{fail, repo, succeed, tempdir};
use serde_json::Value;

fn calibrate(args: &[&str]) -> Value {
    let mut all = vec!["calibrate", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&succeed(&all, "1")).expect("JSON")
}

fn close(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: {got} vs {want} (tolerance {tolerance})"
    );
}

/// Reference values from `tests/data/epoch_speeds.py` (Python's statistics
/// module on the shipped CSV); the tolerance is floating-point rounding.
#[test]
fn the_fit_matches_an_independent_computation_on_the_shipped_data() {
    let all = calibrate(&[]);
    assert_eq!(all["organisations"].as_array().unwrap().len(), 32);
    close(
        all["median_flop"].as_f64().unwrap(),
        4.42e24,
        1e12,
        "median",
    );
    close(
        all["speed"].as_f64().unwrap(),
        1.042_877_252_174_677_9,
        1e-12,
        "speed",
    );
    close(
        all["speed_log_sd"].as_f64().unwrap(),
        0.138_442_172_276_947_1,
        1e-12,
        "sd",
    );
    let six = calibrate(&["--top", "6"]);
    close(
        six["median_flop"].as_f64().unwrap(),
        4.267e25,
        1e13,
        "median of six",
    );
    close(
        six["speed"].as_f64().unwrap(),
        1.052_347_012_862_978_4,
        1e-12,
        "speed of six",
    );
    close(
        six["speed_log_sd"].as_f64().unwrap(),
        0.139_060_387_676_316_4,
        1e-12,
        "sd of six",
    );
}

/// The default world's archetype speeds are the six largest developers'
/// (its calibration note): leaders and fast followers, two labs each, have
/// their pair's speeds; the world rounds to two decimals.
#[test]
fn the_default_worlds_speeds_are_the_six_largest_developers() {
    let six = calibrate(&["--top", "6"]);
    let speeds: Vec<f64> = six["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["speed"].as_f64().unwrap())
        .collect();
    let text = std::fs::read_to_string(repo("examples/worlds/frontier-labs.toml")).unwrap();
    let world = World::parse(&text).unwrap();
    let speed_of = |name: &str| world.lab.iter().find(|t| t.name == name).unwrap().speed;
    close(
        speed_of("compute-leader"),
        speeds[0],
        0.01,
        "compute-leader vs the largest",
    );
    close(
        speed_of("compute-leader"),
        speeds[1],
        0.025,
        "compute-leader vs the second",
    );
    close(speed_of("open-weights"), speeds[2], 0.005, "open-weights");
    close(
        speed_of("safety-focused"),
        speeds[3],
        0.005,
        "safety-focused",
    );
    close(
        speed_of("fast-follower"),
        (speeds[4] + speeds[5]) / 2.0,
        0.005,
        "fast-follower",
    );
}

#[test]
fn the_printed_lab_type_runs_in_a_world() {
    let all = calibrate(&[]);
    let lab_type = all["lab_type"].as_str().unwrap();
    let world = World::parse(&format!(
        "[world]\nname = \"population\"\n[learning]\ngenerations = 2\n{lab_type}"
    ))
    .unwrap();
    assert_eq!(world.lab_count(), 32);
    assert_eq!(world.lab[0].speed_log_sd, Some(0.138));
    let out = tempdir("calibrate", "runs");
    let path = out.join("world.toml");
    std::fs::write(
        &path,
        format!("[world]\nname = \"population\"\n[learning]\ngenerations = 2\n{lab_type}"),
    )
    .unwrap();
    succeed(
        &[
            "simulate",
            "--world",
            path.to_str().unwrap(),
            "--out",
            out.join("run").to_str().unwrap(),
        ],
        "1",
    );
}

#[test]
fn bad_input_names_the_file_line_and_column_or_the_option() {
    let dir = tempdir("calibrate", "bad");
    let csv = dir.join("runs.csv");
    std::fs::write(
        &csv,
        "Model,Organization,Publication date,Training compute (FLOP)\nA,Lab A,2025-01-01,1e25\nB,Lab B,2025-02-01,lots\n",
    )
    .unwrap();
    let error = fail(&["calibrate", csv.to_str().unwrap()]);
    assert!(
        error.contains("runs.csv: line 3") && error.contains("Training compute (FLOP)"),
        "{error}"
    );
    // Windows line endings, a short row, an impossible date (an outside
    // review found lines one short after CRLF, and 2024-02-30 accepted).
    let crlf = dir.join("crlf.csv");
    let header = "Model,Organization,Publication date,Training compute (FLOP)\r\n";
    std::fs::write(
        &crlf,
        format!("{header}A,Lab A,2025-01-01,1e25\r\nB,Lab B,2025-02-01,2e25\r\nC,Lab C,2025-03-01,lots\r\n"),
    )
    .unwrap();
    let error = fail(&["calibrate", crlf.to_str().unwrap()]);
    assert!(error.contains("crlf.csv: line 4"), "{error}");
    std::fs::write(
        &crlf,
        format!("{header}A,Lab A,2025-01-01,1e25\r\nB,Lab B\r\n"),
    )
    .unwrap();
    let error = fail(&["calibrate", crlf.to_str().unwrap()]);
    assert!(
        error.contains("crlf.csv: line 3: 2 fields, where the header has 4"),
        "{error}"
    );
    std::fs::write(&crlf, format!("{header}A,Lab A,2024-02-30,1e25\r\n")).unwrap();
    let error = fail(&["calibrate", crlf.to_str().unwrap()]);
    assert!(
        error.contains("line 2") && error.contains("\"2024-02-30\" is not a date"),
        "{error}"
    );
    std::fs::write(
        &crlf,
        format!(
            "{header}A,Lab A,2025-01-01,1e25\r\nB,,2025-01-02,2e26\r\nC,Lab C,2025-01-03,3e25\r\n"
        ),
    )
    .unwrap();
    let skipped = calibrate(&[crlf.to_str().unwrap()]);
    assert_eq!(skipped["rows_without_organisation"], 1, "{skipped}");
    let error = fail(&["calibrate", "--min-flop", "1e30"]);
    assert!(error.contains("lower --min-flop"), "{error}");
    let error = fail(&["calibrate", "--min-flop", "-1"]);
    assert!(error.contains("--min-flop: expected"), "{error}");
    let error = fail(&["calibrate", "--since", "last year"]);
    assert!(error.contains("--since"), "{error}");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `accord calibrate | head -1`: the reader closes the pipe before the
    // command has written; it exits quietly (128 + SIGPIPE), without a panic.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("calibrate")
        .current_dir(repo(""))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run accord");
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(output.status.code(), Some(0 | 141)),
        "{:?}",
        output.status
    );
}
