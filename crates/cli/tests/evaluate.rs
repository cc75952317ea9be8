//! End-to-end tests of the simulator commands: `accord evaluate`, `accord simulate`, `accord sweep`.

mod common;

use common::{accord, repo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("evaluate", name)
}

const QUICK: [&str; 8] = [
    "--replicates",
    "3",
    "--generations",
    "8",
    "--rationality-generations",
    "4",
    "--levels",
    "0.5",
];

fn evaluate(out: &Path, threads: &str) -> Value {
    let mut args = vec!["evaluate", "--out", out.to_str().unwrap(), "--seed", "7"];
    args.extend(QUICK);
    let output = accord(&args, threads);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn evaluate_writes_a_complete_reproducible_report() {
    let dir = tempdir("report");
    let one = evaluate(&dir.join("one-thread"), "1");
    let two = evaluate(&dir.join("two-threads"), "2");
    assert_eq!(one, two, "bit-for-bit the same whatever the thread count");
    for file in ["report.md", "report.html", "report.json", "subsets.csv"] {
        assert_eq!(
            std::fs::read(dir.join("one-thread").join(file)).unwrap(),
            std::fs::read(dir.join("two-threads").join(file)).unwrap(),
            "{file} is byte-for-byte reproducible"
        );
    }
    for file in [
        "report.md",
        "report.html",
        "report.json",
        "subsets.csv",
        "contributions.csv",
        "interactions.csv",
        "partial.csv",
        "rationality.csv",
        "trajectories.csv",
        "trajectories.svg",
        "trajectories.png",
        "shapley.svg",
        "shapley.png",
        "ablation.svg",
        "ablation.png",
        "partial.svg",
        "partial.png",
        "rationality.svg",
        "rationality.png",
    ] {
        assert!(
            dir.join("one-thread").join(file).is_file(),
            "{file} missing"
        );
    }
    assert_eq!(one["ablation"]["subsets"].as_array().unwrap().len(), 32);
    assert_eq!(one["ablation"]["cooperation"].as_array().unwrap().len(), 5);
    assert_eq!(
        one["rationality"].as_array().unwrap().len(),
        4,
        "one row per lab type of the default world"
    );
    assert_eq!(one["claims"].as_array().unwrap().len(), 4);
    // Participation: staying out and leaving midway, each developing safely or not.
    for row in one["rationality"].as_array().unwrap() {
        let outside = &row["participation"];
        let mut ways: Vec<&str> = outside["stay_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["strategy"].as_str().unwrap())
            .chain(
                outside["no_effect"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap()),
            )
            .collect();
        ways.sort_unstable();
        assert_eq!(
            ways,
            [
                "leave midway (develop safely)",
                "leave midway (develop unsafely)",
                "stay out (develop safely)",
                "stay out (develop unsafely)"
            ],
            "{}",
            row["lab_type"]
        );
    }
    let html = std::fs::read_to_string(dir.join("one-thread/report.html")).unwrap();
    assert!(
        html.contains("<svg") && !html.contains("src=\""),
        "self-contained HTML"
    );
    // Shapley efficiency: contributions add up to the gain of the full protocol over none.
    let subsets = one["ablation"]["subsets"].as_array().unwrap();
    let gain = subsets[31]["summary"]["cooperation"]["mean"]
        .as_f64()
        .unwrap()
        - subsets[0]["summary"]["cooperation"]["mean"]
            .as_f64()
            .unwrap();
    let total: f64 = one["ablation"]["cooperation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shapley"]["mean"].as_f64().unwrap())
        .sum();
    assert!((total - gain).abs() < 1e-9, "{total} vs {gain}");
    report_is_honest(&one, &dir.join("one-thread"));
}

/// Every interval of a share or probability inside [0, 1] and every time to
/// coordination inside the horizon, in every subset (Student-t intervals left
/// [0, 1] and censored runs were ignored); verdicts are three-valued; the
/// report states its assumptions and welfare's unit.
fn report_is_honest(report: &Value, folder: &Path) {
    let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    for subset in report["ablation"]["subsets"].as_array().unwrap() {
        let summary = &subset["summary"];
        for share in [
            "cooperation",
            "disaster_probability",
            "coordinated_share",
            "detection_rate",
            "false_alarm_rate",
        ] {
            for end in ["mean", "low", "high"] {
                let value = number(&summary[share][end]);
                assert!(
                    value.is_nan() || (0.0..=1.0).contains(&value),
                    "{share}.{end} = {value} in {}",
                    subset["families"]
                );
            }
        }
        let time = &summary["time_to_coordination"];
        let horizon = number(&time["horizon"]);
        assert_eq!(horizon, 8.0, "the horizon is the generations run");
        for end in ["mean", "low", "high"] {
            let value = number(&time["restricted_mean"][end]);
            assert!((0.0..=horizon).contains(&value), "time {end} = {value}");
        }
        let censored = number(&time["censored_share"]);
        let coordinated = number(&summary["coordinated_share"]["mean"]);
        assert!(
            (censored + coordinated - 1.0).abs() < 1e-12,
            "censoring counted"
        );
    }
    for claim in report["claims"].as_array().unwrap() {
        // Three replicates decide no claim.
        assert_eq!(claim["verdict"], "undetermined", "{claim}");
    }
    for rationality in report["rationality"].as_array().unwrap() {
        assert_eq!(
            rationality["compliance_is_best_response"], "undetermined",
            "three replicates cannot show compliance is a best response: {rationality}"
        );
    }
    let markdown = std::fs::read_to_string(folder.join("report.md")).unwrap();
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    for text in [&markdown, &html] {
        assert!(text.contains("Assumptions") && text.contains("Holm"));
        assert!(text.contains("race payoff units per period, summed over labs"));
        assert!(!text.contains("Student-t"));
    }
}

#[test]
fn bad_world_files_are_located() {
    let dir = tempdir("bad-world");
    let world = dir.join("world.toml");
    std::fs::write(
        &world,
        "[world]\nname = \"w\"\n[race]\ndisaster_probability = 1.5\n[[lab]]\nname = \"a\"\n",
    )
    .unwrap();
    let output = accord(
        &[
            "evaluate",
            "--world",
            world.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
        "2",
    );
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("world.toml")
            && error.contains("line 4")
            && error.contains("race.disaster_probability"),
        "{error}"
    );
    std::fs::write(
        &world,
        "[world]\nname = \"w\"\n[race]\nspeed = 2\n[[lab]]\nname = \"a\"\n",
    )
    .unwrap();
    let output = accord(
        &[
            "simulate",
            "--world",
            world.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
        "2",
    );
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("line 4") && error.contains("speed"),
        "{error}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn interrupted_evaluation_leaves_no_report() {
    let dir = tempdir("interrupt");
    let out = dir.join("report");
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "evaluate",
            "--out",
            out.to_str().unwrap(),
            "--replicates",
            "400",
        ])
        .current_dir(repo(""))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists(), "no folder that looks complete");
}

#[test]
fn simulate_and_sweep() {
    let dir = tempdir("simulate");
    let out = dir.join("sim");
    let output = accord(
        &[
            "simulate",
            "--generations",
            "6",
            "--out",
            out.to_str().unwrap(),
        ],
        "2",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let labs = std::fs::read_to_string(out.join("labs.csv")).unwrap();
    assert_eq!(
        labs.lines().count(),
        1 + 6 * 6,
        "six labs × six generations"
    );
    assert!(out.join("safe-share.png").is_file() && out.join("payoffs.svg").is_file());
    let sweep = dir.join("sweep");
    let output = accord(
        &[
            "sweep",
            "--x",
            "world:race.disaster_probability=0:1:3",
            "--replicates",
            "2",
            "--out",
            sweep.to_str().unwrap(),
        ],
        "2",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = std::fs::read_to_string(sweep.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    // One axis, one parameter column (no empty or made-up second one).
    assert!(
        csv.starts_with("world:race.disaster_probability,cooperation,"),
        "{csv}"
    );
    let output = accord(
        &[
            "sweep",
            "--x",
            "world:race.disaster_probability=0:2:3",
            "--out",
            sweep.to_str().unwrap(),
        ],
        "2",
    );
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("race.disaster_probability") && error.contains("[0, 1]"),
        "{error}"
    );
    // 41 grid points (one generation each, to stay quick): the console lists
    // 40 and says where the rest are.
    let wide = dir.join("wide");
    let output = accord(
        &[
            "sweep",
            "--x",
            "world:race.disaster_probability=0:1:41",
            "--y",
            "world:learning.generations=1:1:1",
            "--replicates",
            "2",
            "--out",
            wide.to_str().unwrap(),
        ],
        "2",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("showing 40 of 41 grid points; full table in")
            && printed.contains("sweep.csv"),
        "{printed}"
    );
    let csv = std::fs::read_to_string(wide.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 42, "every grid point in the table");
    let output = accord(&["sweep", "--x", "nonsense=0:1:3"], "2");
    assert!(String::from_utf8_lossy(&output.stderr).contains("protocol:SECTION.FIELD"));
    let output = accord(
        &[
            "sweep",
            "--x",
            "world:race.disaster_probability=0:1:2",
            "--y",
            "world:race.disaster_probability=0.5:0.5:1",
        ],
        "2",
    );
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--x and --y both vary world:race.disaster_probability"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn varying_a_field_of_a_switched_off_section_warns() {
    let dir = std::env::temp_dir().join(format!("accord-switched-off-{}", std::process::id()));
    let minimal = repo("examples/protocols/minimal.toml");
    let output = accord(
        &[
            "sweep",
            minimal.to_str().unwrap(),
            "--x",
            "protocol:compute.covered_fraction=0:1:2",
            "--replicates",
            "2",
            "--generations",
            "2",
            "--out",
            dir.join("sweep").to_str().unwrap(),
        ],
        "2",
    );
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{error}");
    assert!(
        error.contains("warning: [compute] is switched off in this protocol")
            && error.contains("compute.covered_fraction changes nothing"),
        "{error}"
    );
}

/// Evaluates the protocol `text` quickly, at `replicates` and `generations`,
/// and returns its report.json and report.md.
fn evaluate_protocol(
    dir: &Path,
    name: &str,
    text: &str,
    [replicates, generations]: [&str; 2],
) -> (Value, String) {
    std::fs::create_dir_all(dir).unwrap();
    let protocol = dir.join(format!("{name}.toml"));
    std::fs::write(&protocol, text).unwrap();
    let out = dir.join(name);
    let mut args = vec![
        "evaluate",
        protocol.to_str().unwrap(),
        "--robustness",
        "0",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(["--replicates", replicates, "--generations", generations]);
    args.extend(&QUICK[4..]);
    let output = accord(&args, "2");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (
        report,
        std::fs::read_to_string(out.join("report.md")).unwrap(),
    )
}

/// The table rows of `markdown` between `from` and `to`, headers left out.
fn rows_between(markdown: &str, from: &str, to: &str) -> Vec<String> {
    let start = markdown.find(from).expect(from);
    let end = start + markdown[start..].find(to).expect(to);
    markdown[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| famil"))
        .map(str::to_string)
        .collect()
}

const MONITORS: &str = "[monitoring]\nenabled = true\nmonitors = 3\npanel_size = 3\nquorum = 2\nrotation_periods = 2\naudit_window_periods = 1\n";

#[test]
fn a_protocol_holding_two_families_is_reported_over_those_two() {
    let dir = tempdir("two-families");
    let (report, markdown) = evaluate_protocol(
        &dir,
        "credits-and-monitors",
        &format!(
            "[protocol]\nname = \"Credits and monitors\"\nformat = 1\n[credits]\nenabled = true\ncredits_per_investment_unit = 1\n{MONITORS}"
        ),
        // Credits act through audits and imitation: slowly.
        ["3", "40"],
    );
    assert_eq!(
        report["families_present"],
        serde_json::json!(["mechanism_design", "early_warning"])
    );
    assert_eq!(report["families_inert"], serde_json::json!([]));
    let out = dir.join("credits-and-monitors");
    assert_eq!(
        std::fs::read_to_string(out.join("subsets.csv"))
            .unwrap()
            .lines()
            .count(),
        33,
        "the CSV keeps all 32 subsets"
    );
    let subsets = rows_between(&markdown, "![every subset]", "## 4.");
    assert_eq!(
        subsets.len(),
        4,
        "only the 4 subsets of the two: {subsets:?}"
    );
    assert!(
        subsets.iter().all(|row| !row.contains("norms")
            && !row.contains("credible commitment")
            && !row.contains("common knowledge")),
        "{subsets:?}"
    );
    let interactions = rows_between(&markdown, "Pairwise interactions", "### The seed");
    assert_eq!(interactions.len(), 1, "{interactions:?}");
    assert!(interactions[0].starts_with("| mechanism design × early warning |"));
    let partial = rows_between(&markdown, "## 4.", "## 5.");
    assert!(
        partial
            .iter()
            .all(|row| row.starts_with("| mechanism design |")
                || row.starts_with("| early warning |")),
        "{partial:?}"
    );
    let contributions = rows_between(&markdown, "## 3.", "![Shapley");
    assert_eq!(
        contributions
            .iter()
            .filter(|row| row.contains("(not in the protocol)"))
            .count(),
        3,
        "{contributions:?}"
    );
}

/// A compute gate that denies nobody (no credit threshold, no sanctions)
/// changes no run: it is reported as inert, and every verdict is the one the
/// protocol without it gets (an outside review found inert families
/// deciding verdicts).
#[test]
fn a_family_that_changes_no_run_changes_no_verdict() {
    let dir = tempdir("inert-family");
    let gate = "[compute]\nenabled = true\ncovered_fraction = 0.8\n";
    let (with_gate, markdown) = evaluate_protocol(
        &dir,
        "gate-and-monitors",
        &format!("[protocol]\nname = \"Gate and monitors\"\nformat = 1\n{gate}{MONITORS}"),
        ["6", "8"],
    );
    let (without, _) = evaluate_protocol(
        &dir,
        "monitors",
        &format!("[protocol]\nname = \"Monitors\"\nformat = 1\n{MONITORS}"),
        ["6", "8"],
    );
    assert_eq!(
        with_gate["families_present"],
        serde_json::json!(["credible_commitment", "early_warning"])
    );
    assert_eq!(
        with_gate["families_inert"],
        serde_json::json!(["credible_commitment"])
    );
    let verdicts = |report: &Value| -> Vec<Value> {
        report["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["verdict"].clone())
            .collect()
    };
    assert_eq!(verdicts(&with_gate), verdicts(&without));
    assert!(
        with_gate["claims"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("Switched on but changing no run"),
        "{}",
        with_gate["claims"][0]["evidence"]
    );
    let contributions = rows_between(&markdown, "## 3.", "![Shapley");
    assert!(
        contributions
            .iter()
            .any(|row| row.starts_with("| credible commitment (changed no run) |")),
        "{contributions:?}"
    );
    assert_eq!(
        rows_between(&markdown, "![every subset]", "## 4.").len(),
        2,
        "only early warning acts"
    );
    let csv =
        std::fs::read_to_string(dir.join("gate-and-monitors").join("contributions.csv")).unwrap();
    assert!(
        csv.contains("cooperation,credible commitment,high,inert,"),
        "{csv}"
    );
}
