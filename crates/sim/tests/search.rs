//! Protocol design by search against cases whose optimum is known.

use accord_core::{Protocol, parse_protocol};
use accord_sim::World;
use accord_sim::attack::AttackPlan;
use accord_sim::design::Range;
use accord_sim::search::{DesignPlan, Goal, Parameter, ProtocolDesign, search};

const SHIPPED_PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const MINIMAL_PROTOCOL: &str = include_str!("../../../examples/protocols/minimal.toml");
const SHIPPED_WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");

fn edited(text: &str, edits: &[(&str, &str)]) -> String {
    let mut text = text.to_string();
    for (old, new) in edits {
        assert!(text.contains(old), "no {old:?} to edit");
        text = text.replace(old, new);
    }
    text
}

fn protocol(text: &str) -> Protocol {
    parse_protocol(text).unwrap_or_else(|e| panic!("{e}"))
}

fn world(text: &str) -> World {
    World::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn monitors(low: f64, high: f64) -> Parameter {
    Parameter {
        path: "monitoring.monitors".into(),
        range: Range {
            low,
            high,
            whole: true,
        },
        cost_per_unit: 1.0,
    }
}

fn plan(attack: Option<AttackPlan>) -> DesignPlan {
    DesignPlan {
        candidates: 16,
        replicates: 6,
        generations: Some(6),
        seed: 3,
        attack,
        max_attacks: 3,
    }
}

fn chosen_monitors(design: &ProtocolDesign) -> Option<f64> {
    design.design.map(|k| design.candidates[k].values[0])
}

/// Independent monitors each detecting with `d = 0.6`, every one auditing
/// every unsafe lab every period: the panel detects with `1 − 0.4^n`
/// (`docs/model.md` section 4), so `detection ≥ 0.95` needs `n ≥ 4`
/// (`1 − 0.4³ = 0.936`, `1 − 0.4⁴ = 0.974`). At one unit of cost per
/// monitor the cheapest design is 4 monitors, and the goal is what binds.
#[test]
fn the_fewest_monitors_that_reach_a_detection_goal() {
    let world = world(&edited(
        SHIPPED_WORLD,
        &[
            ("rule = \"imitation\"", "rule = \"fixed\""),
            ("detection = [0.75, 0.7, 0.65]", "detection = [0.6]"),
            (
                "blind_spot_correlation = 0.2",
                "blind_spot_correlation = 0.0",
            ),
            ("audit_rate = 0.5", "audit_rate = 1.0"),
            ("false_alarm = 0.01", "false_alarm = 0.0"),
        ],
    ));
    let mut protocol = protocol(SHIPPED_PROTOCOL);
    protocol.monitoring.panel_size = 0;
    protocol.sanctions.enabled = false;
    protocol.whistleblower.enabled = false;
    // A panel's quorum must be a majority of it: the quorum is searched too,
    // at no cost, and the combinations below a majority are refused.
    let quorum = Parameter {
        path: "monitoring.quorum".into(),
        range: Range {
            low: 1.0,
            high: 5.0,
            whole: true,
        },
        cost_per_unit: 0.0,
    };
    let goal: Goal = "detection>=0.95".parse().unwrap();
    let mut exhaustive = plan(None);
    exhaustive.candidates = 40;
    let design = search(
        &world,
        &protocol,
        &[monitors(1.0, 8.0), quorum],
        goal,
        &exhaustive,
    )
    .unwrap();
    assert_eq!(
        design.candidates.len() + design.invalid.len(),
        40,
        "every combination once"
    );
    assert!(design.invalid.iter().all(|i| i.reason.contains("quorum")));
    assert_eq!(chosen_monitors(&design), Some(4.0), "{design:#?}");
    for c in &design.candidates {
        let expected = 1.0 - 0.4f64.powf(c.values[0]);
        assert!(
            (c.outcome.mean - expected).abs() < 0.02,
            "{} monitors detect {} (expected {expected})",
            c.values[0],
            c.outcome.mean
        );
        assert_eq!(c.meets_goal, c.values[0] >= 4.0, "{c:#?}");
    }
    assert!(
        design.binding.iter().any(|b| b.starts_with("goal")),
        "{:?}",
        design.binding
    );
    // Detection rises with every monitor: every monitor count is on the
    // front (with each quorum that ties it: the quorum changes nothing here).
    let mut front: Vec<f64> = design
        .candidates
        .iter()
        .filter(|c| c.pareto)
        .map(|c| c.values[0])
        .collect();
    front.dedup();
    assert_eq!(front, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
}

/// Two labs in DSAIR's pairwise race (expected payoffs) with no mechanism
/// on, searched over `parameter` for a goal every candidate meets, each
/// candidate attacked.
fn unprotected_pair(safety_cost: f64, unsafe_speed: f64, parameter: Parameter) -> ProtocolDesign {
    let world = world(&format!(
        "[world]\nname = \"dsair\"\n[race]\nformat = \"pairwise\"\nmilestone = 40.0\nbenefit = 4.0\nsafety_cost = {safety_cost:?}\nunsafe_speed = {unsafe_speed:?}\ndisaster_probability = 0.2\nprize = 400.0\ncollective_setback = 0.0\nrealisation = \"expected\"\n[[lab]]\nname = \"lab\"\ncount = 2\ninitial = {{ development = \"safe\", reporting = \"honest\" }}\n"
    ));
    let attack = AttackPlan {
        replicates: 6,
        generations: 4,
        max_coalition: 1,
        seed: 1,
    };
    let goal: Goal = "cooperation>=0".parse().unwrap();
    search(
        &world,
        &protocol(MINIMAL_PROTOCOL),
        &[parameter],
        goal,
        &plan(Some(attack)),
    )
    .unwrap()
}

/// Two labs in DSAIR's race with no mechanism on: unsafe development gains
/// the textbook temptation whatever a disabled mechanism's parameters, so no
/// candidate is stable and stability is what binds.
#[test]
fn a_parameter_of_a_disabled_mechanism_cannot_make_a_protocol_stable() {
    let design = unprotected_pair(1.0, 2.0, monitors(1.0, 3.0));
    assert_eq!(design.design, None);
    assert_eq!(
        design.binding,
        ["stability: no candidate meeting the goal is shown stable"]
    );
    for c in &design.candidates {
        let s = c.stability.as_ref().expect("every candidate was attacked");
        assert!(!s.stable && s.exploitability.low > 0.0, "{s:?}");
    }
}

/// When developing unsafely buys nothing (no speed, no saved cost), every
/// candidate is stable and the design is the cheapest one.
#[test]
fn with_nothing_to_gain_the_cheapest_candidate_is_the_design() {
    let design = unprotected_pair(0.0, 1.0, monitors(2.0, 5.0));
    assert_eq!(chosen_monitors(&design), Some(2.0), "{design:#?}");
    assert_eq!(
        design.binding,
        ["range of monitoring.monitors: the design sits at its cheap end"]
    );
}

/// At no cost nothing can be cheaper, so there is nothing to sample more of.
#[test]
fn a_free_design_is_the_cheapest_there_can_be() {
    let free = Parameter {
        cost_per_unit: 0.0,
        ..monitors(2.0, 5.0)
    };
    let design = unprotected_pair(0.0, 1.0, free);
    assert!(design.design.is_some(), "{design:#?}");
    assert_eq!(
        design.binding,
        ["none: the design costs 0, the least any setting of the ranges can"]
    );
}

#[test]
fn bad_goals_and_plans_are_named() {
    for bad in [
        "cooperation>0.9",
        "safety>=1",
        "welfare<=high",
        "cooperation>=inf",
    ] {
        let error = bad.parse::<Goal>().unwrap_err().to_string();
        assert!(
            error.contains(bad) && error.contains("cooperation, disaster"),
            "{error}"
        );
    }
    // A share no run can reach (an outside review found every candidate run
    // before "no design found ... relax the goal").
    for impossible in ["cooperation>=1.5", "disaster<=-0.1", "detection>=1.01"] {
        let error = impossible.parse::<Goal>().unwrap_err().to_string();
        assert!(error.contains("share between 0 and 1"), "{error}");
    }
    assert!("welfare>=1.5".parse::<Goal>().is_ok());
    let world = world(SHIPPED_WORLD);
    let protocol = protocol(SHIPPED_PROTOCOL);
    let goal: Goal = "cooperation>=0.9".parse().unwrap();
    let mut few = plan(None);
    few.replicates = 1;
    let error = search(&world, &protocol, &[monitors(1.0, 3.0)], goal, &few).unwrap_err();
    assert!(
        error.to_string().contains("at least 2 replicates"),
        "{error}"
    );
    let error = search(
        &world,
        &protocol,
        &[monitors(1.0, 3.0), monitors(1.0, 3.0)],
        goal,
        &plan(None),
    )
    .unwrap_err();
    assert!(error.to_string().contains("given twice"), "{error}");
    // A bad attack plan is refused before any candidate runs, and so is one
    // with too few replicates for a verdict: no candidate could be stable.
    for (replicates, refusal) in [
        (1, "attack: expected at least 2 replicates"),
        (5, "expected at least 6 replicates per attack"),
    ] {
        let weak = plan(Some(AttackPlan {
            replicates,
            generations: 4,
            max_coalition: 1,
            seed: 1,
        }));
        let error = search(&world, &protocol, &[monitors(3.0, 6.0)], goal, &weak).unwrap_err();
        assert!(error.to_string().starts_with(refusal), "{error}");
    }
    // The shipped protocol's quorum of 2 needs 2 monitors.
    let error = search(&world, &protocol, &[monitors(1.0, 1.0)], goal, &plan(None)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no candidate is a valid protocol"),
        "{error}"
    );
}
