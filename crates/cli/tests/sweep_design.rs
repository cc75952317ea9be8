//! End-to-end tests of `accord sweep --design lhs|sobol`, on small budgets.

mod common;

use common::{fail, succeed};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("sweep-design", name)
}

const QUICK: [&str; 4] = ["--replicates", "2", "--generations", "2"];

#[test]
fn sobol_writes_indices_and_an_inert_parameter_gets_zero() {
    let dir = tempdir("sobol");
    let sobol = |out: &Path, threads: &str| {
        let mut args = vec![
            "sweep",
            "--design",
            "sobol",
            "--param",
            "world:race.disaster_probability=0.1:0.9",
            "--param",
            "protocol:compute.covered_fraction=0:1",
            // A range of one value: its AB rows repeat A's runs exactly.
            "--param",
            "world:monitors.detection[0]=0.5:0.5",
            "--samples",
            "8",
            "--resamples",
            "100",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(QUICK);
        succeed(&args, threads)
    };
    let stdout = sobol(&dir.join("one"), "1");
    assert!(stdout.contains("40 points × 2 replicates"), "{stdout}");
    assert!(stdout.contains("Sobol' indices of cooperation"), "{stdout}");
    sobol(&dir.join("two"), "2");
    let read = |run: &str, file: &str| std::fs::read_to_string(dir.join(run).join(file)).unwrap();
    assert_eq!(
        read("one", "sobol.json"),
        read("two", "sobol.json"),
        "the same whatever the thread count"
    );

    let report: Value = serde_json::from_str(&read("one", "sobol.json")).unwrap();
    assert_eq!(report["points"], 40);
    assert_eq!(report["skip"], 16);
    assert_eq!(report["metric"], "cooperation");
    assert_eq!(
        report["parameters"][1]["name"],
        "protocol:compute.covered_fraction"
    );
    let indices = &report["indices"];
    assert_eq!(indices["base_samples"], 8);
    assert_eq!(indices["resamples"], 100);
    for kind in ["first_order", "total"] {
        assert_eq!(indices[kind].as_array().unwrap().len(), 3);
        let inert = &indices[kind][2];
        assert_eq!(inert["estimate"], 0.0, "{inert}");
        assert_eq!(inert["conf"], 0.0, "{inert}");
    }

    let csv = read("one", "sobol.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "parameter,S1,S1_conf,S1_low,S1_high,ST,ST_conf,ST_low,ST_high"
    );
    assert_eq!(lines.len(), 4);
    assert!(lines[3].starts_with("world:monitors.detection[0],0,0,0,0,0,0,0,0"));

    let samples = read("one", "samples.csv");
    let rows: Vec<Vec<&str>> = samples.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 1 + 40);
    assert_eq!(
        &rows[0][..3],
        ["point", "matrix", "world:race.disaster_probability"]
    );
    let roles: Vec<&str> = rows[1..6].iter().map(|r| r[1]).collect();
    assert_eq!(roles, ["A", "AB1", "AB2", "AB3", "B"]);
    // AB1 takes B's first parameter and A's others.
    assert_eq!(rows[2][2], rows[5][2]);
    assert_eq!(rows[2][3], rows[1][3]);
}

#[test]
fn lhs_writes_one_point_per_stratum_with_whole_values() {
    let dir = tempdir("lhs");
    let out = dir.join("lhs");
    let mut args = vec![
        "sweep",
        "--design",
        "lhs",
        "--param",
        "world:race.disaster_probability=0.2:0.7",
        "--param",
        "protocol:monitoring.quorum=2:3",
        "--samples",
        "5",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(QUICK);
    let stdout = succeed(&args, "2");
    assert!(stdout.contains("5 points × 2 replicates"), "{stdout}");
    let samples = std::fs::read_to_string(out.join("samples.csv")).unwrap();
    let rows: Vec<Vec<&str>> = samples.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0][3], "cooperation");
    // The share of runs that formed the norm, a proportion with its interval.
    assert_eq!(
        &rows[0][12..15],
        ["coordinated", "coordinated_low", "coordinated_high"]
    );
    for row in &rows[1..] {
        assert_eq!(row.len(), 15);
        let share: f64 = row[12].parse().unwrap();
        assert!((0.0..=1.0).contains(&share));
    }
    let mut strata: Vec<usize> = rows[1..]
        .iter()
        .map(|r| {
            let p: f64 = r[1].parse().unwrap();
            ((p - 0.2) / 0.5 * 5.0).floor() as usize
        })
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, [0, 1, 2, 3, 4]);
    assert!(rows[1..].iter().all(|r| r[2] == "2" || r[2] == "3"));
    assert!(!out.join("sobol.json").exists());
}

#[test]
fn designs_and_grids_keep_their_own_options() {
    let error = fail(&[
        "sweep",
        "--design",
        "lhs",
        "--x",
        "world:race.disaster_probability=0:1:3",
    ]);
    assert!(error.contains("--param"), "{error}");
    let error = fail(&["sweep", "--param", "world:race.disaster_probability=0:1"]);
    assert!(error.contains("--design lhs or sobol"), "{error}");
    let error = fail(&["sweep", "--design", "sobol"]);
    assert!(error.contains("at least one --param"), "{error}");
    let error = fail(&[
        "sweep",
        "--design",
        "sobol",
        "--param",
        "world:race.disaster_probability=0:2",
    ]);
    assert!(
        error.contains("race.disaster_probability") && error.contains("[0, 1]"),
        "{error}"
    );
    let error = fail(&[
        "sweep",
        "--design",
        "sobol",
        "--param",
        "world:race.disaster_probability=0:1",
        "--samples",
        "1",
    ]);
    assert!(error.contains("at least 2"), "{error}");
    // A single resample has no spread: the intervals would be NaN.
    let error = fail(&[
        "sweep",
        "--design",
        "sobol",
        "--param",
        "world:race.disaster_probability=0:1",
        "--resamples",
        "1",
    ]);
    assert!(error.contains("--resamples must be at least 2"), "{error}");
}

#[test]
fn a_sweep_refuses_what_would_run_every_point_alike() {
    // --generations overrides the swept generation count in every run.
    for args in [
        &["sweep", "--x", "world:learning.generations=10:40:2"][..],
        &[
            "sweep",
            "--design",
            "lhs",
            "--param",
            "world:learning.generations=10:40",
        ],
    ] {
        let error = fail(&[args, &["--generations", "10"]].concat());
        assert!(
            error.contains("--generations 10") && error.contains("learning.generations"),
            "{error}"
        );
    }
    // One point runs START alone, so a different END would be ignored.
    let error = fail(&["sweep", "--x", "world:race.benefit=4:9:1"]);
    assert!(error.contains("START = END"), "{error}");
}
