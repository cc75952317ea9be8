//! Several jurisdictions (`[international]`): the invariances that tie them
//! to one registry, regulatory arbitrage with and without recognition, the
//! comparison `accord international` reports, and bad world files.

use accord_core::Protocol;
use accord_sim::international::{InternationalError, InternationalPlan, compare};
use accord_sim::{RunOptions, RunResult, World, run};

const FRONTIER: &str = include_str!("../../../examples/worlds/frontier-labs.toml");
const JURISDICTIONS: &str = include_str!("../../../examples/worlds/jurisdictions.toml");

fn global() -> Protocol {
    accord_core::parse_protocol(include_str!(
        "../../../examples/protocols/global-protocol.toml"
    ))
    .unwrap()
}

fn world(text: &str) -> World {
    World::parse(text).unwrap_or_else(|e| panic!("{e:?}"))
}

/// A recorded run, without the jurisdiction of its lab records (the one
/// thing a world with jurisdictions records that one without cannot).
fn recorded(world: &World, protocol: &Protocol, seed: u64) -> RunResult {
    let mut result = run(
        world,
        protocol,
        &RunOptions {
            seed,
            record: true,
            generations: Some(12),
            ..RunOptions::default()
        },
    );
    for record in &mut result.labs {
        record.jurisdiction = None;
    }
    result
}

/// The frontier world with `[international]` appended (before `[uncertainty]`).
fn frontier_with(international: &str) -> World {
    let at = FRONTIER.find("[uncertainty]").unwrap();
    world(&format!(
        "{}{international}\n{}",
        &FRONTIER[..at],
        &FRONTIER[at..]
    ))
}

#[test]
fn one_jurisdiction_with_all_compute_is_one_registry() {
    let protocol = global();
    let plain = world(FRONTIER);
    for recognition in ["none", "mutual"] {
        let single = frontier_with(&format!(
            "[international]\nrecognition = \"{recognition}\"\n[[international.jurisdiction]]\nname = \"all\"\ncompute_share = 1.0\n"
        ));
        for seed in [1, 7] {
            assert_eq!(
                recorded(&single, &protocol, seed),
                recorded(&plain, &protocol, seed),
                "recognition {recognition}, seed {seed}"
            );
        }
    }
}

#[test]
fn recognition_changes_nothing_where_no_gate_can_refuse() {
    let mut protocol = global();
    protocol.compute.enabled = false;
    let declared = world(JURISDICTIONS);
    let mut mutual = declared.clone();
    mutual.international.as_mut().unwrap().recognition = accord_sim::world::Recognition::Mutual;
    for seed in [1, 2] {
        let none = recorded(&declared, &protocol, seed);
        assert_eq!(none, recorded(&mutual, &protocol, seed), "seed {seed}");
        assert_eq!(none.relocations, 0, "nobody is denied anything");
    }
}

/// Every lab based in a haven without compute, every gate recognising the
/// registries: each lab is refused all covered compute, exactly as labs that
/// stay out of a single registry are.
#[test]
fn labs_in_a_haven_under_recognition_are_labs_outside_one_registry() {
    let protocol = global();
    let plain = world(FRONTIER);
    let text = "[international]\nrecognition = \"mutual\"\n[[international.jurisdiction]]\nname = \"registry\"\ncompute_share = 1.0\n[[international.jurisdiction]]\nname = \"haven\"\ncompute_share = 0.0\nruns_protocol = false\n";
    let mut haven = frontier_with(text);
    for lab in &mut haven.lab {
        lab.jurisdiction = Some("haven".into());
    }
    let outside = RunOptions {
        members: Some(vec![false; plain.lab_count()]),
        record: true,
        generations: Some(12),
        ..RunOptions::default()
    };
    let in_haven = RunOptions {
        members: None,
        ..outside.clone()
    };
    let mut in_haven = run(&haven, &protocol, &in_haven);
    for record in &mut in_haven.labs {
        assert_eq!(record.jurisdiction.as_deref(), Some("haven"));
        record.jurisdiction = None;
    }
    assert_eq!(in_haven, run(&plain, &protocol, &outside));
}

/// Two labs that always race unsafely earn no credits, so the credit gate
/// denies them after the first generation.
fn racers(jurisdictions: &str, recognition: &str) -> World {
    world(&format!(
        "[world]\nname = \"w\"\n[learning]\ngenerations = 6\n\
         [[lab]]\nname = \"racer\"\ncount = 2\ncommitted = true\njurisdiction = \"a\"\n\
         initial = {{ development = \"unsafe\", reporting = \"honest\" }}\n\
         [[lab]]\nname = \"careful\"\ncommitted = true\njurisdiction = \"a\"\n\
         [international]\nrecognition = \"{recognition}\"\nrelocation_cost = 0.5\n{jurisdictions}"
    ))
}

/// How many times labs whose names start with `prefix` changed jurisdiction.
fn moves(result: &RunResult, prefix: &str) -> usize {
    let mut based = std::collections::BTreeMap::new();
    result
        .labs
        .iter()
        .filter(|r| r.lab.starts_with(prefix))
        .filter(|r| {
            let before = based.insert(&r.lab, &r.jurisdiction);
            before.is_some_and(|before| before != &r.jurisdiction)
        })
        .count()
}

fn access_by_generation(result: &RunResult, lab: &str) -> Vec<bool> {
    result
        .labs
        .iter()
        .filter(|r| r.lab == lab)
        .map(|r| r.compute_access)
        .collect()
}

#[test]
fn a_denied_lab_escapes_the_gate_only_without_recognition() {
    let protocol = global();
    let with_haven = "[[international.jurisdiction]]\nname = \"a\"\ncompute_share = 0.5\n\
         [[international.jurisdiction]]\nname = \"b\"\ncompute_share = 0.4\n\
         [[international.jurisdiction]]\nname = \"haven\"\ncompute_share = 0.1\nruns_protocol = false\n";
    let options = RunOptions {
        record: true,
        ..RunOptions::default()
    };
    let none = run(&racers(with_haven, "none"), &protocol, &options);
    // Each racer moves once, to the haven, and is served everywhere from then on.
    assert_eq!(none.relocations, 2);
    assert_eq!(
        access_by_generation(&none, "racer-1"),
        [false, true, true, true, true, true]
    );
    assert!(access_by_generation(&none, "careful").iter().all(|&a| a));
    let mutual = run(&racers(with_haven, "mutual"), &protocol, &options);
    assert_eq!(mutual.relocations, 0, "a haven is refused everywhere");
    assert!(access_by_generation(&mutual, "racer-2").iter().all(|&a| !a));
    // The move costs `relocation_cost` once, spread over its generation's periods.
    let mut free = racers(with_haven, "none");
    free.international.as_mut().unwrap().relocation_cost = 0.0;
    let free = run(&free, &protocol, &options);
    let payoff = |r: &RunResult, generation: u32| {
        r.labs
            .iter()
            .find(|x| x.lab == "racer-1" && x.generation == generation)
            .unwrap()
            .payoff
    };
    let periods = none.generations[1].periods.max(1.0);
    assert!((payoff(&free, 1) - payoff(&none, 1) - 0.5 / periods).abs() < 1e-9);
    assert_eq!(payoff(&free, 2), payoff(&none, 2));

    // Without a haven a racer joins the smaller registry with a clean record
    // and no credits, so its gate refuses it there too, but it covers less;
    // having been registered at both, the racer stays. Between registries of
    // equal size a newcomer gains nothing and nobody moves.
    let two_registries = "[[international.jurisdiction]]\nname = \"a\"\ncompute_share = 0.7\n\
         [[international.jurisdiction]]\nname = \"b\"\ncompute_share = 0.3\n";
    let none = run(&racers(two_registries, "none"), &protocol, &options);
    assert_eq!(moves(&none, "racer"), 2);
    let even = two_registries.replace("0.7", "0.5").replace("0.3", "0.5");
    assert_eq!(
        run(&racers(&even, "none"), &protocol, &options).relocations,
        0
    );
    let mutual = run(&racers(two_registries, "mutual"), &protocol, &options);
    assert_eq!(
        mutual.relocations, 0,
        "no registry admits a lab another denies"
    );
}

/// A move that regains nothing (leakage 1: a gate withholds nothing) and
/// costs 10 is never made. When a lab weighed moving against the very
/// generation it would live, it moved exactly when staying brought its
/// disaster (26 of 30 seeds in an outside review).
#[test]
fn a_lab_does_not_move_on_a_disaster_it_could_not_foresee() {
    let world = world(
        "[world]\nname = \"w\"\n[race]\nprize = 200.0\ncollective_setback = 0.2\n\
         [learning]\nrule = \"fixed\"\ngenerations = 8\n[economy]\nleakage = 1.0\n\
         [[lab]]\nname = \"rogue\"\njurisdiction = \"north\"\n\
         initial = { development = \"unsafe\", reporting = \"honest\" }\n\
         [[lab]]\nname = \"good\"\ncount = 2\njurisdiction = \"north\"\n\
         [international]\nrelocation_cost = 10.0\n\
         [[international.jurisdiction]]\nname = \"north\"\ncompute_share = 0.7\n\
         [[international.jurisdiction]]\nname = \"haven\"\ncompute_share = 0.3\nruns_protocol = false\n",
    );
    let protocol = global();
    for seed in 1..=20 {
        let result = run(
            &world,
            &protocol,
            &RunOptions {
                seed,
                ..RunOptions::default()
            },
        );
        assert_eq!(result.relocations, 0, "seed {seed}");
    }
}

#[test]
fn the_comparison_reports_four_regimes_against_one_registry() {
    let protocol = global();
    let plan = InternationalPlan {
        replicates: 4,
        generations: Some(10),
        seed: 3,
    };
    let regimes = compare(&world(JURISDICTIONS), &protocol, &plan).unwrap();
    let names: Vec<&str> = regimes.iter().map(|r| r.regime).collect();
    assert_eq!(
        names,
        [
            "one-registry",
            "no-recognition",
            "no-recognition-no-moves",
            "mutual-recognition"
        ]
    );
    assert_eq!(regimes[0].cooperation_change.mean, 0.0);
    assert_eq!(regimes[0].relocations.mean, 0.0);
    assert_eq!(regimes[2].relocations.mean, 0.0);
    assert!(regimes[1].relocations.mean > 0.0);
    // The one registry is the world without `[international]`, run for run.
    let mut merged = world(JURISDICTIONS);
    merged.international = None;
    for lab in &mut merged.lab {
        lab.jurisdiction = None;
    }
    assert_eq!(
        World {
            world: merged.world.clone(),
            ..world(FRONTIER)
        },
        merged,
        "the shipped example is the frontier world plus jurisdictions"
    );
    let alone = accord_sim::international::compare(&world(FRONTIER), &protocol, &plan);
    assert_eq!(alone.unwrap_err(), InternationalError::NoJurisdictions);
    let one = InternationalPlan {
        replicates: 1,
        ..plan.clone()
    };
    assert_eq!(
        compare(&world(JURISDICTIONS), &protocol, &one).unwrap_err(),
        InternationalError::Replicates(1)
    );
    // Same seed, same numbers, whatever the thread count.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let single = pool.install(|| compare(&world(JURISDICTIONS), &protocol, &plan).unwrap());
    assert_eq!(
        serde_json::to_string(&single).unwrap(),
        serde_json::to_string(&regimes).unwrap()
    );
}

/// The shipped example: without recognition the racing labs move to the
/// haven and cooperation collapses; mutual recognition keeps it within
/// reach of one registry.
#[test]
fn arbitrage_costs_cooperation_and_recognition_recovers_it() {
    let plan = InternationalPlan {
        replicates: 12,
        generations: None,
        seed: 1,
    };
    let regimes = compare(&world(JURISDICTIONS), &global(), &plan).unwrap();
    let (one, none, mutual) = (&regimes[0], &regimes[1], &regimes[3]);
    assert!(
        none.cooperation_change.high < 0.0 && none.cooperation_change.mean < -0.3,
        "{:?}",
        none.cooperation_change
    );
    assert!(none.disaster_rate_change.low > 0.0);
    assert!(
        mutual.cooperation.mean > none.cooperation.mean + 0.3,
        "{:?} vs {:?}",
        mutual.cooperation,
        none.cooperation
    );
    // Mutual recognition shows no loss against one registry that twelve
    // replicates can measure, and rules out a large one.
    assert!(
        mutual.cooperation_change.high > 0.0
            && mutual.cooperation_change.low > -0.4
            && one.cooperation.mean > 0.5,
        "{:?}",
        mutual.cooperation_change
    );
}

#[test]
fn bad_jurisdictions_name_line_and_field() {
    let base = "[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\njurisdiction = \"x\"\n";
    let cases = [
        (
            format!(
                "{base}[international]\n[[international.jurisdiction]]\nname = \"x\"\ncompute_share = 0.7\n"
            ),
            "international.jurisdiction",
            "sum to 1",
        ),
        (
            format!(
                "{base}[international]\n[[international.jurisdiction]]\nname = \"y\"\ncompute_share = 1.0\n"
            ),
            "lab[0].jurisdiction",
            "no [[international.jurisdiction]] is named \"x\"",
        ),
        (
            base.to_string(),
            "lab[0].jurisdiction",
            "declares no [international]",
        ),
        (
            format!(
                "{base}[international]\nrelocation_cost = -1.0\n[[international.jurisdiction]]\nname = \"x\"\ncompute_share = 1.0\n"
            ),
            "international.relocation_cost",
            "≥ 0",
        ),
        (
            format!(
                "{base}[international]\n[[international.jurisdiction]]\nname = \"x\"\ncompute_share = 1.5\n[[international.jurisdiction]]\nname = \"x\"\ncompute_share = -0.5\n"
            ),
            "international.jurisdiction[0].compute_share",
            "share in [0, 1]",
        ),
        (
            format!("{base}[international]\njurisdiction = []\n"),
            "international.jurisdiction",
            "expected 1 to 64",
        ),
    ];
    for (text, field, message) in cases {
        let errors = World::parse(&text).unwrap_err();
        let error = errors
            .0
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("no error at {field} in {errors:?}"));
        assert!(error.to_string().contains(message), "{error}");
        assert!(error.line > 0, "{error}");
    }
}

/// The shipped world with jurisdiction `j` running `own` as its protocol.
fn with_own_protocol(text: &str, j: usize, own: &Protocol) -> World {
    let mut world = world(text);
    world.international.as_mut().unwrap().jurisdiction[j].protocol = Some(Box::new(own.clone()));
    assert_eq!(world.problems(), Vec::new());
    world
}

#[test]
fn a_jurisdiction_running_the_protocol_under_study_as_its_own_changes_nothing() {
    // Its own protocol runs no pacts, so neither does the protocol under study here.
    let mut protocol = global();
    protocol.pacts.enabled = false;
    for recognition in ["none", "mutual"] {
        let text = JURISDICTIONS.replace(
            "recognition = \"none\"\n",
            &format!("recognition = \"{recognition}\"\n"),
        );
        let plain = world(&text);
        for j in [0, 1] {
            let own = with_own_protocol(&text, j, &protocol);
            for seed in [1, 7] {
                assert_eq!(
                    recorded(&own, &protocol, seed),
                    recorded(&plain, &protocol, seed),
                    "recognition {recognition}, jurisdiction {j}, seed {seed}"
                );
            }
        }
    }
}

#[test]
fn a_jurisdiction_running_no_mechanism_neither_rewards_nor_gates_nor_binds_its_labs() {
    let protocol = global();
    let off = accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
    // "west" (open weights and the fast followers) runs nothing; "north" the global protocol.
    let world = with_own_protocol(JURISDICTIONS, 1, &off);
    let result = recorded(&world, &protocol, 3);
    let west = |lab: &str| lab.starts_with("open-weights") || lab.starts_with("fast-follower");
    let north = |lab: &str| lab.starts_with("compute-leader") || lab == "safety-focused";
    let (west_records, north_records): (Vec<_>, Vec<_>) = result
        .labs
        .iter()
        .filter(|r| west(&r.lab) || north(&r.lab))
        .partition(|r| west(&r.lab));
    assert!(!west_records.is_empty() && !north_records.is_empty());
    for r in &west_records {
        assert_eq!(
            (
                r.credits,
                r.sanction_level,
                r.compute_access,
                r.pledged,
                r.bound
            ),
            (0, 0, true, false, false),
            "{} in generation {}",
            r.lab,
            r.generation
        );
    }
    assert!(
        north_records.iter().any(|r| r.credits > 0),
        "the global protocol's registry issues credits"
    );
    assert!(
        north_records.iter().any(|r| r.pledged),
        "the global protocol's registry runs its pacts"
    );
}

#[test]
fn a_jurisdictions_own_protocol_is_checked_where_the_world_holds_it() {
    let protocol_table = |body: &str| {
        JURISDICTIONS.replace(
            "name = \"west\"\ncompute_share = 0.3\n",
            &format!(
                "name = \"west\"\ncompute_share = 0.3\n[international.jurisdiction.protocol]\nprotocol = {{ name = \"west\", format = 1 }}\n{body}"
            ),
        )
    };
    let cases = [
        (
            protocol_table("credits = { enabled = true, credits_per_investment_unit = 0 }\n"),
            "international.jurisdiction[1].protocol.credits.credits_per_investment_unit",
            "at least 1",
        ),
        (
            protocol_table("pacts = { enabled = true }\n"),
            "international.jurisdiction[1].protocol.pacts.enabled",
            "runs no pacts",
        ),
        (
            JURISDICTIONS.replace(
                "runs_protocol = false\n",
                "runs_protocol = false\n[international.jurisdiction.protocol]\nprotocol = { name = \"haven\", format = 1 }\n",
            ),
            "international.jurisdiction[2].protocol",
            "no registry to run it",
        ),
    ];
    for (text, field, message) in cases {
        assert_ne!(text, JURISDICTIONS, "the case edits the shipped world");
        let errors = World::parse(&text).unwrap_err();
        let error = errors
            .0
            .iter()
            .find(|e| e.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("no error at {field} in {errors:?}"));
        assert!(error.to_string().contains(message), "{error}");
        assert!(error.line > 0, "{error}");
    }
    // The example the shipped world shows in a comment.
    let example = JURISDICTIONS
        .replace(
            "# [international.jurisdiction.protocol]",
            "[international.jurisdiction.protocol]",
        )
        .replace("# protocol = {", "protocol = {")
        .replace("# monitoring = {", "monitoring = {");
    assert_ne!(example, JURISDICTIONS);
    let own = world(&example).international.unwrap().jurisdiction[1]
        .protocol
        .clone()
        .unwrap();
    assert!(own.monitoring.enabled && !own.credits.enabled && !own.compute.enabled);
    let valid = world(&protocol_table(
        "monitoring = { enabled = true, monitors = 1 }\n",
    ));
    let own = valid.international.unwrap().jurisdiction[1]
        .protocol
        .clone()
        .unwrap();
    assert_eq!(own.protocol.name, "west");
    assert!(own.monitoring.enabled && !own.credits.enabled);
}

#[test]
fn a_lab_under_an_empty_protocol_of_its_own_is_a_lab_in_a_haven() {
    // A leaderboard ranks the labs of "N" and its gate covers half its
    // compute; "W" runs nothing, as a haven or as a protocol of its own with
    // every mechanism off. Either way its labs are ranked by no leaderboard,
    // so they score 0 (an outside review found haven labs blamed and
    // empty-protocol labs not), and under recognition they are refused by
    // N's gate (another found empty-protocol labs served by it).
    let protocol = accord_core::parse_protocol(
        "[protocol]\nname = \"board\"\nformat = 1\n[credits]\nenabled = true\n\
         [monitoring]\nenabled = true\nmonitors = 3\nquorum = 2\n\
         [compute]\nenabled = true\ncovered_fraction = 0.5\n\
         [leaderboard]\nenabled = true\nwindow_periods = 8\n\
         weights = { audit_pass_rate = 2.0, credits = 1.0 }\n",
    )
    .unwrap();
    let text = |recognition: &str, w: &str| {
        format!(
            "[world]\nname = \"w\"\n[race]\nformat = \"all\"\ndisaster_probability = 0.0\n\
             collective_setback = 0.0\nrealisation = \"expected\"\n[learning]\nrule = \"fixed\"\n\
             [norms]\npraise_weight = 2.0\nobservation_noise = 0.0\n\
             [[lab]]\nname = \"n-safe\"\njurisdiction = \"N\"\nnorm_sensitivity = 1.0\n\
             initial = {{ development = \"safe\", reporting = \"honest\" }}\n\
             [[lab]]\nname = \"w-unsafe\"\njurisdiction = \"W\"\nnorm_sensitivity = 1.0\n\
             initial = {{ development = \"unsafe\", reporting = \"honest\" }}\n\
             [[lab]]\nname = \"w-safe\"\njurisdiction = \"W\"\nnorm_sensitivity = 1.0\n\
             initial = {{ development = \"safe\", reporting = \"honest\" }}\n\
             [international]\nrelocation = false\nrecognition = \"{recognition}\"\n\
             [[international.jurisdiction]]\nname = \"N\"\ncompute_share = 0.5\n\
             [[international.jurisdiction]]\nname = \"W\"\ncompute_share = 0.5\n{w}"
        )
    };
    let own_empty_protocol =
        "[international.jurisdiction.protocol]\nprotocol = { name = \"W\", format = 1 }\n";
    for seed in [1, 2] {
        let mut payoffs = Vec::new();
        for recognition in ["none", "mutual"] {
            let haven = world(&text(recognition, "runs_protocol = false\n"));
            let empty = world(&text(recognition, own_empty_protocol));
            let (a, b) = (
                recorded(&haven, &protocol, seed),
                recorded(&empty, &protocol, seed),
            );
            assert_eq!(a.mean_utility, b.mean_utility, "{recognition}, seed {seed}");
            assert_eq!(a.mean_payoff, b.mean_payoff, "{recognition}, seed {seed}");
            // And the leaderboard acts: the ranked lab's utility is not its payoff.
            assert_ne!(a.mean_utility[0], a.mean_payoff[0], "seed {seed}");
            payoffs.push(a.mean_payoff);
        }
        // And recognition acts: W's labs lose N's covered compute.
        assert_ne!(payoffs[0], payoffs[1], "seed {seed}");
    }
}
