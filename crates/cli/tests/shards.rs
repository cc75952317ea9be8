//! `--shard i/N` and `accord merge`: every experiment cut into shards (run
//! with different thread counts, in any order) merges into exactly the
//! output one process writes, byte for byte; shards that do not make a
//! whole experiment are refused with the reason.

mod common;

use common::{fail, repo, succeed};
use std::path::{Path, PathBuf};

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("shards", name)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `command` whole into `single`, then as `count` shards (last first,
/// alternating one and two threads) into `shards`, merged into `merged`.
fn whole_and_sharded(command: &[&str], dir: &Path, count: u64) -> (PathBuf, PathBuf) {
    let single = dir.join("single");
    let shards = dir.join("shards");
    let merged = dir.join("merged");
    let mut args = command.to_vec();
    args.extend(["--out", path(&single)]);
    succeed(&args, "2");
    for index in (0..count).rev() {
        let shard = format!("{index}/{count}");
        let mut args = command.to_vec();
        args.extend(["--shard", &shard, "--out", path(&shards)]);
        succeed(&args, if index % 2 == 0 { "1" } else { "2" });
    }
    succeed(&["merge", path(&shards), "--out", path(&merged)], "2");
    (single, merged)
}

/// Every file of `a` is in `b` with the same bytes, and no other.
fn same_folders(a: &Path, b: &Path) {
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(a), names(b));
    for name in names(a) {
        assert!(
            std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap(),
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_sharded_evaluation_merges_into_the_single_report() {
    let dir = tempdir("evaluate");
    // The world is read from a file that is gone by the time of the merge:
    // shard files carry their inputs.
    let world = dir.join("world.toml");
    std::fs::copy(repo("examples/worlds/frontier-labs.toml"), &world).unwrap();
    let command = [
        "evaluate",
        "--world",
        path(&world),
        "--seed",
        "5",
        "--replicates",
        "2",
        "--generations",
        "6",
        "--rationality-generations",
        "3",
        "--levels",
        "0.5",
        "--robustness",
        "2",
    ];
    let single = dir.join("single");
    let mut args = command.to_vec();
    args.extend(["--out", path(&single)]);
    succeed(&args, "2");
    let shards = dir.join("shards");
    for index in [3, 0, 2, 1] {
        let shard = format!("{index}/4");
        let mut args = command.to_vec();
        args.extend(["--shard", &shard, "--out", path(&shards)]);
        succeed(&args, if index % 2 == 0 { "1" } else { "2" });
    }
    std::fs::remove_file(&world).unwrap();
    let merged = dir.join("merged");
    succeed(&["merge", path(&shards), "--out", path(&merged)], "2");
    same_folders(&single, &merged);

    // Shards that do not make one whole experiment are refused, and nothing is written.
    let refused = dir.join("refused");
    let shard_file = |folder: &Path, index: u64| {
        let suffix = format!("-{index:05}-of-00004.shard.json");
        std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(&suffix))
            .expect("the shard file")
    };
    let one = shard_file(&shards, 1);
    let error = fail(&[
        "merge",
        path(&shard_file(&shards, 0)),
        path(&one),
        "--out",
        path(&refused),
    ]);
    assert!(error.contains("missing shard(s) [2, 3] of 4"), "{error}");
    let error = fail(&["merge", path(&shards), path(&one), "--out", path(&refused)]);
    assert!(error.contains("shard 1/4 given twice"), "{error}");
    let other = dir.join("other");
    succeed(
        &[
            "evaluate",
            "--seed",
            "6",
            "--replicates",
            "2",
            "--generations",
            "6",
            "--robustness",
            "0",
            "--shard",
            "0/4",
            "--out",
            path(&other),
        ],
        "2",
    );
    let mut mixed: Vec<String> = (1..4)
        .map(|i| path(&shard_file(&shards, i)).to_string())
        .collect();
    mixed.push(path(&shard_file(&other, 0)).to_string());
    let mut args = vec!["merge"];
    args.extend(mixed.iter().map(String::as_str));
    let error = fail(&args);
    assert!(
        error.contains("belongs to another experiment") && error.contains("options or input files"),
        "{error}"
    );
    let text = std::fs::read_to_string(&one).unwrap();
    let tampered = dir.join("tampered");
    std::fs::create_dir_all(&tampered).unwrap();
    for i in [0, 2, 3] {
        let file = shard_file(&shards, i);
        std::fs::copy(&file, tampered.join(file.file_name().unwrap())).unwrap();
    }
    let cut = text.find("[5,").expect("run 5 is in shard 1");
    let broken = format!("{}[9,{}", &text[..cut], &text[cut + 3..]);
    std::fs::write(tampered.join(one.file_name().unwrap()), broken).unwrap();
    let error = fail(&["merge", path(&tampered), "--out", path(&refused)]);
    assert!(
        error.contains("shard 1/4 should hold runs 1, 1+4"),
        "{error}"
    );
    assert!(!refused.exists());
    // A run whose data no run of the plan can have (one lab short) is
    // refused by name, not averaged or indexed out of bounds.
    let field = "\"mean_payoff\":[";
    let start = text.find(field).expect("runs carry mean payoffs") + field.len();
    let comma = start + text[start..].find(',').unwrap();
    let short = format!("{}{}", &text[..start], &text[comma + 1..]);
    std::fs::write(tampered.join(one.file_name().unwrap()), short).unwrap();
    let error = fail(&["merge", path(&tampered), "--out", path(&refused)]);
    assert!(
        error.contains("cannot be a run of this plan: mean_payoff has"),
        "{error}"
    );
    assert!(!refused.exists());
    // Two experiments' shards in one folder do not overwrite each other.
    std::fs::copy(
        shard_file(&other, 0),
        shards.join(shard_file(&other, 0).file_name().unwrap()),
    )
    .unwrap();
    assert_eq!(std::fs::read_dir(&shards).unwrap().count(), 5);
    let error = fail(&["evaluate", "--shard", "4/4"]);
    assert!(error.contains("shards are numbered from 0 to 3"), "{error}");
}

#[test]
fn sharded_sweeps_merge_into_the_single_folder() {
    let designs: [&[&str]; 3] = [
        &[
            "sweep",
            "--x",
            "world:race.disaster_probability=0:1:3",
            "--y",
            "protocol:monitoring.quorum=2:3:2",
            "--replicates",
            "2",
            "--generations",
            "4",
        ],
        &[
            "sweep",
            "--design",
            "lhs",
            "--param",
            "world:race.disaster_probability=0.1:0.9",
            "--samples",
            "5",
            "--replicates",
            "2",
            "--generations",
            "4",
        ],
        &[
            "sweep",
            "--design",
            "sobol",
            "--param",
            "world:race.disaster_probability=0.1:0.9",
            "--param",
            "world:race.unsafe_speed=1.1:2",
            "--samples",
            "4",
            "--resamples",
            "50",
            "--replicates",
            "1",
            "--generations",
            "4",
        ],
    ];
    for (k, command) in designs.iter().enumerate() {
        let dir = tempdir(&format!("sweep-{k}"));
        let (single, merged) = whole_and_sharded(command, &dir, 3);
        same_folders(&single, &merged);
    }
}

#[test]
fn sharded_monte_carlo_prints_the_single_estimate() {
    for mode in [
        &[
            "--mode",
            "stationary",
            "--steps",
            "2000",
            "--transient",
            "100",
        ][..],
        &["--mode", "fixation", "--steps", "100000"][..],
    ] {
        let dir = tempdir(&format!("mc-{}", mode[1]));
        let mut command = vec![
            "egt", "mc", "-Z", "20", "--beta", "0.5", "--runs", "9", "--seed", "3", "--json",
        ];
        command.extend(mode);
        let single = succeed(&command, "2");
        for index in 0..4 {
            let shard = format!("{index}/4");
            let mut args = command.clone();
            args.extend(["--shard", &shard, "--out", path(&dir)]);
            succeed(&args, "1");
        }
        let merged = succeed(&["merge", path(&dir)], "2");
        assert_eq!(merged, single);
    }
}
