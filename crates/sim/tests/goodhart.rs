//! Goodhart against a fixed metric, and the sunset that answers it
//! (`monitors.gaming_half_life_periods`, `docs/model.md` section 5).
//!
//! A lab gaming its reports for `K` periods under one version of the
//! training-compute metric is detected by a monitor with probability
//! `d·2^(−K/h)`; the metric's sunset revises it and sets `K` back to 0. With
//! one monitor auditing every period and a lab that games every period, the
//! share of its unsafe periods caught is therefore, over `T` periods,
//!
//! ```text
//! (d/T) · Σ_{t<T} 2^(−(t mod S)/h)        (S = ∞ without a sunset)
//! ```

use accord_core::{Protocol, parse_protocol};
use accord_sim::strategy::{Development, Reporting, Strategy};
use accord_sim::{RunOptions, RunResult, World, run};

const SHIPPED_PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const SHIPPED_WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");
const DETECTION: f64 = 0.8;

/// The shipped world with one monitor that audits every lab every period,
/// never errs on a safe lab and never shares a blind spot; no whistleblowers,
/// and every lab funds its safety in full (so the gamer is the only unsafe lab).
fn world(half_life_periods: Option<f64>) -> World {
    let mut text = SHIPPED_WORLD.to_string();
    for (old, new) in [
        ("detection = [0.75, 0.7, 0.65]", "detection = [0.8]"),
        (
            "blind_spot_correlation = 0.2",
            "blind_spot_correlation = 0.0",
        ),
        ("audit_rate = 0.5", "audit_rate = 1.0"),
        ("false_alarm = 0.01", "false_alarm = 0.0"),
        ("base_probability = 0.02", "base_probability = 0.0"),
        ("budget = 0.8\n", ""),
    ] {
        assert!(text.contains(old), "the shipped world has no {old:?}");
        text = text.replace(old, new);
    }
    let mut world = World::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    world.monitors.gaming_half_life_periods = half_life_periods;
    world
}

/// The shipped protocol with one monitor on every panel and no sanction
/// (a caught lab keeps gaming), the compute metric revised every
/// `sunset_periods` periods (0: never).
fn protocol(sunset_periods: u32) -> Protocol {
    let mut protocol = parse_protocol(SHIPPED_PROTOCOL).unwrap_or_else(|e| panic!("{e}"));
    protocol.monitoring.monitors = 1;
    protocol.monitoring.panel_size = 1;
    protocol.monitoring.quorum = 1;
    protocol.sanctions.enabled = false;
    protocol.whistleblower.enabled = false;
    let compute = protocol
        .early_warning
        .metric
        .iter_mut()
        .find(|m| m.name == "training_compute_flop")
        .expect("the shipped protocol has a compute metric");
    compute.sunset_after_periods = sunset_periods;
    let text = toml::to_string(&protocol).expect("a protocol serialises");
    parse_protocol(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// Lab 0 develops unsafely and games its reports; every other lab complies.
fn one_gamer(
    world: &World,
    protocol: &Protocol,
    reporting: Reporting,
    runs: u64,
) -> Vec<RunResult> {
    let labs = world.participant_ids().len();
    let mut strategies = vec![Strategy::COMPLY; labs];
    strategies[0] = Strategy {
        development: Development::Unsafe,
        reporting,
    };
    (0..runs)
        .map(|run_index| {
            run(
                world,
                protocol,
                &RunOptions {
                    seed: 11,
                    run_index,
                    strategies: Some(strategies.clone()),
                    fixed: true,
                    generations: Some(10),
                    ..RunOptions::default()
                },
            )
        })
        .collect()
}

/// Detected and unsafe periods, summed over runs, with the expected share.
fn caught(results: &[RunResult], half_life: f64, sunset_periods: u32) -> (f64, f64) {
    let (mut detected, mut periods, mut expected) = (0.0, 0.0, 0.0);
    for r in results {
        let unsafe_periods = r.unsafe_periods as f64;
        detected += r.detected_share_of_unsafe.expect("the gamer was audited") * unsafe_periods;
        periods += unsafe_periods;
        expected += (0..r.unsafe_periods)
            .map(|t| {
                let k = if sunset_periods == 0 {
                    t
                } else {
                    t % u64::from(sunset_periods)
                };
                DETECTION * (-(k as f64) / half_life).exp2()
            })
            .sum::<f64>();
    }
    (detected / periods, expected / periods)
}

#[test]
fn detection_of_a_gamer_decays_and_the_sunset_restores_it() {
    let half_life = 4.0;
    let mut shares = Vec::new();
    for sunset in [0, 8, 2] {
        let results = one_gamer(
            &world(Some(half_life)),
            &protocol(sunset),
            Reporting::Gaming,
            6,
        );
        let periods: u64 = results.iter().map(|r| r.unsafe_periods).sum();
        let (observed, expected) = caught(&results, half_life, sunset);
        let standard_error = (expected * (1.0 - expected) / periods as f64).sqrt();
        assert!(
            (observed - expected).abs() < 4.0 * standard_error,
            "sunset {sunset}: caught {observed:.4} of {periods} gamed periods, expected {expected:.4} ± {standard_error:.4}"
        );
        shares.push(observed);
    }
    // Revising sooner leaves less to learn.
    assert!(shares[0] < shares[1] && shares[1] < shares[2], "{shares:?}");
}

#[test]
fn a_lab_that_does_not_game_learns_nothing() {
    // Honest unsafe development is caught at `d` whatever the half-life.
    for reporting in [Reporting::Honest, Reporting::Selective] {
        let with = one_gamer(&world(Some(2.0)), &protocol(0), reporting, 2);
        let without = one_gamer(&world(None), &protocol(0), reporting, 2);
        for (a, b) in with.iter().zip(&without) {
            assert_eq!(a.detected_share_of_unsafe, b.detected_share_of_unsafe);
            assert_eq!(a.mean_utility, b.mean_utility);
        }
    }
}

#[test]
fn a_metric_revised_every_period_leaves_nothing_to_learn() {
    let with = one_gamer(&world(Some(1.0)), &protocol(1), Reporting::Gaming, 2);
    let without = one_gamer(&world(None), &protocol(1), Reporting::Gaming, 2);
    for (a, b) in with.iter().zip(&without) {
        assert_eq!(a.detected_share_of_unsafe, b.detected_share_of_unsafe);
        assert_eq!(a.mean_utility, b.mean_utility);
    }
}

#[test]
fn a_bad_half_life_is_named() {
    let text = SHIPPED_WORLD.replace(
        "false_alarm = 0.01",
        "false_alarm = 0.01\ngaming_half_life_periods = 0.0",
    );
    let error = World::parse(&text).unwrap_err().to_string();
    assert!(
        error.contains("monitors.gaming_half_life_periods"),
        "{error}"
    );
}
