//! End-to-end tests of what `accord simulate` writes about a run's draws.

mod common;

use common::{succeed, tempdir};

/// A world whose speeds and network are drawn: `drawn.csv` lists every lab's
/// drawn speed and links, `network.csv` every link once, and the same seed
/// draws the same.
#[test]
fn simulate_writes_the_speeds_and_the_network_it_drew() {
    let dir = tempdir("simulate", "drawn");
    let world = dir.join("world.toml");
    std::fs::write(
        &world,
        "[world]\nname = \"drawn\"\n[network]\nkind = \"small_world\"\ndegree = 4\nrewiring = 0.2\n\
         [[lab]]\nname = \"spread, wide\"\ncount = 30\nspeed = 1.2\nspeed_log_sd = 0.5\n\
         [[lab]]\nname = \"even\"\ncount = 2\nspeed = 0.9\n",
    )
    .unwrap();
    let run = |name: &str| {
        let out = dir.join(name);
        let args = [
            "simulate",
            "--world",
            world.to_str().unwrap(),
            "--seed",
            "7",
            "--generations",
            "2",
            "--out",
            out.to_str().unwrap(),
        ];
        succeed(&args, "2");
        let read = |file: &str| std::fs::read_to_string(out.join(file)).unwrap();
        (read("drawn.csv"), read("network.csv"))
    };
    let (drawn, network) = run("first");
    let mut rows = csv::Reader::from_reader(drawn.as_bytes());
    assert_eq!(
        rows.headers().unwrap(),
        vec!["lab", "type", "speed", "links"]
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 32);
    let speeds: Vec<f64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(rows[..30].iter().all(|r| &r[1] == "spread, wide"));
    assert!(
        speeds[..30].windows(2).any(|w| w[0] != w[1]),
        "speeds drawn"
    );
    assert_eq!(
        &speeds[30..],
        [0.9, 0.9],
        "a type without a spread keeps its speed"
    );
    // Rewiring keeps the ring's number of links: 32 labs × 4 / 2.
    let links = network.lines().skip(1).count();
    assert_eq!(links, 64);
    let degrees: usize = rows.iter().map(|r| r[3].parse::<usize>().unwrap()).sum();
    assert_eq!(degrees, 2 * links);
    assert_eq!(
        run("again"),
        (drawn, network),
        "the same seed draws the same"
    );
}
