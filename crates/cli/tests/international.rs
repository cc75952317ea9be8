//! End-to-end tests of `accord international`.

mod common;

use common::{fail, repo, succeed, tempdir};
use serde_json::Value;

#[test]
fn the_shipped_world_runs_four_regimes_the_same_whatever_the_thread_count() {
    let args = [
        "international",
        "--replicates",
        "3",
        "--generations",
        "8",
        "--json",
    ];
    let one: Value = serde_json::from_str(&succeed(&args, "1")).unwrap();
    let regimes = one["regimes"].as_array().unwrap();
    let names: Vec<&str> = regimes
        .iter()
        .map(|r| r["regime"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "one-registry",
            "no-recognition",
            "no-recognition-no-moves",
            "mutual-recognition"
        ]
    );
    assert_eq!(regimes[0]["cooperation_change"]["mean"], 0.0);
    assert_eq!(one["world"], "jurisdictions.toml (embedded)");
    let two: Value = serde_json::from_str(&succeed(&args, "2")).unwrap();
    assert_eq!(one, two);
    let text = succeed(&args[..5], "2");
    assert!(text.contains("a haven (no registry, no gate)"), "{text}");
    assert!(text.contains("change against one registry"), "{text}");
}

#[test]
fn a_world_without_jurisdictions_is_refused_clearly() {
    let frontier = repo("examples/worlds/frontier-labs.toml");
    let error = fail(&["international", "--world", frontier.to_str().unwrap()]);
    assert!(
        error.contains("frontier-labs.toml") && error.contains("declares no [international]"),
        "{error}"
    );
    let dir = tempdir("international", "bad");
    let world = dir.join("bad.toml");
    let text = std::fs::read_to_string(repo("examples/worlds/jurisdictions.toml"))
        .unwrap()
        .replace("compute_share = 0.3", "compute_share = 0.2");
    std::fs::write(&world, text).unwrap();
    let error = fail(&["international", "--world", world.to_str().unwrap()]);
    assert!(
        error.contains("bad.toml")
            && error.contains("international.jurisdiction")
            && error.contains("sum to 1"),
        "{error}"
    );
    assert!(error.contains("line "), "{error}");
}

#[test]
fn simulate_records_where_each_lab_is_based_every_generation() {
    let out = tempdir("international", "simulate");
    let world = repo("examples/worlds/jurisdictions.toml");
    let args = [
        "simulate",
        "--world",
        world.to_str().unwrap(),
        "--seed",
        "1",
        "--out",
        out.to_str().unwrap(),
    ];
    succeed(&args, "2");
    let labs = std::fs::read_to_string(out.join("labs.csv")).unwrap();
    let mut rows = labs.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"jurisdiction"));
    let declared = [
        ("compute-leader", "north"),
        ("open-weights", "west"),
        ("safety-focused", "north"),
        ("fast-follower", "west"),
    ];
    let mut moved = false;
    let mut based = std::collections::BTreeMap::new();
    for row in rows {
        let fields: Vec<&str> = row.split(',').collect();
        let (generation, lab, jurisdiction) = (fields[0], fields[1], fields[header.len() - 1]);
        assert!(
            ["north", "west", "elsewhere"].contains(&jurisdiction),
            "{row}"
        );
        if generation == "0" {
            let (_, home) = declared
                .iter()
                .find(|(kind, _)| lab.starts_with(kind))
                .unwrap();
            assert_eq!(jurisdiction, *home, "{row}");
        }
        let previous = based.insert(lab.to_string(), jurisdiction.to_string());
        moved |= previous.is_some_and(|previous| previous != jurisdiction);
    }
    assert!(moved, "seed 1 has racing leaders leave for the haven");
    // Without [international] the column is there and empty.
    let plain = tempdir("international", "simulate-plain");
    succeed(
        &[
            "simulate",
            "--generations",
            "2",
            "--out",
            plain.to_str().unwrap(),
        ],
        "2",
    );
    let labs = std::fs::read_to_string(plain.join("labs.csv")).unwrap();
    assert!(labs.lines().skip(1).all(|row| row.ends_with(',')), "{labs}");
}

#[test]
fn a_jurisdiction_running_its_own_protocol_is_listed_run_and_checked() {
    let dir = tempdir("international", "own-protocol");
    let shipped = std::fs::read_to_string(repo("examples/worlds/jurisdictions.toml")).unwrap();
    let own = shipped
        .replace(
            "# [international.jurisdiction.protocol]",
            "[international.jurisdiction.protocol]",
        )
        .replace("# protocol = {", "protocol = {")
        .replace("# monitoring = {", "monitoring = {");
    assert_ne!(own, shipped);
    let world = dir.join("own.toml");
    std::fs::write(&world, &own).unwrap();
    let args = [
        "international",
        "--world",
        world.to_str().unwrap(),
        "--replicates",
        "2",
        "--generations",
        "3",
    ];
    let text = succeed(&args, "2");
    assert!(
        text.contains("west") && text.contains("runs its own protocol \"West: audits only\""),
        "{text}"
    );
    assert!(
        text.contains("north") && text.contains("runs the protocol;"),
        "{text}"
    );
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let value: Value = serde_json::from_str(&succeed(&json_args, "2")).unwrap();
    let jurisdictions = &value["jurisdictions"];
    assert_eq!(jurisdictions[0]["runs"], "protocol_under_study");
    assert_eq!(
        jurisdictions[1]["runs"]["own_protocol"]["name"],
        "West: audits only"
    );
    assert_eq!(jurisdictions[2]["runs"], "haven");
    assert_eq!(jurisdictions[1]["labs"][0], "open-weights");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, own.replace("quorum = 2", "quorum = 3")).unwrap();
    let error = fail(&["international", "--world", bad.to_str().unwrap()]);
    assert!(
        error.contains("bad.toml")
            && error.contains("international.jurisdiction[1].protocol.monitoring.quorum")
            && error.contains("line "),
        "{error}"
    );
}
