//! The protocol acts only through what its institution can see and do: no
//! outcome may come from a decree of the model. Each test here failed on the
//! simulator that made pledgers safe by fiat (issue "`accord evaluate` must
//! measure the protocol, not the model's shortcuts").

use accord_core::{Protocol, parse_protocol};
use accord_sim::strategy::{Development, Reporting, Strategy};
use accord_sim::{RunOptions, World, run};

const SHIPPED_PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const SHIPPED_WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");

fn shipped_protocol() -> Protocol {
    parse_protocol(SHIPPED_PROTOCOL).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped world with `edits` applied as `(old, new)` text replacements.
fn shipped_world(edits: &[(&str, &str)]) -> World {
    let mut text = SHIPPED_WORLD.to_string();
    for (old, new) in edits {
        assert!(text.contains(old), "the shipped world has no {old:?}");
        text = text.replace(old, new);
    }
    World::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn replicates(world: &World, protocol: &Protocol, runs: u64) -> Vec<accord_sim::RunResult> {
    (0..runs)
        .map(|k| {
            run(
                world,
                protocol,
                &RunOptions {
                    seed: 7,
                    run_index: k,
                    generations: Some(30),
                    ..RunOptions::default()
                },
            )
        })
        .collect()
}

/// 16 generations of the shipped world in which every lab games its reports
/// (unsafe, claiming the investment) and never revises that.
fn everyone_gaming(world: &World, protocol: &Protocol) -> accord_sim::RunResult {
    let labs: usize = world.lab.iter().map(|t| t.count as usize).sum();
    let gaming = Strategy {
        development: Development::Unsafe,
        reporting: Reporting::Gaming,
    };
    run(
        world,
        protocol,
        &RunOptions {
            seed: 3,
            generations: Some(16),
            fixed: true,
            record: true,
            strategies: Some(vec![gaming; labs]),
            ..RunOptions::default()
        },
    )
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let values: Vec<f64> = values.collect();
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn a_gate_that_restricts_nothing_changes_nothing() {
    let world = shipped_world(&[]);
    let mut open_gate = shipped_protocol();
    open_gate.compute.covered_fraction = 0.0;
    let mut no_gate = shipped_protocol();
    no_gate.compute.enabled = false;
    let (a, b) = (
        replicates(&world, &open_gate, 4),
        replicates(&world, &no_gate, 4),
    );
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.cooperation, y.cooperation);
        assert_eq!(x.welfare, y.welfare);
        assert_eq!(x.disaster_rate, y.disaster_rate);
        assert_eq!(x.mean_utility, y.mean_utility);
    }
}

#[test]
fn an_institution_that_can_see_nothing_buys_no_safety() {
    // No disaster risk, credits worth nothing, no norms, no praise, monitors
    // and whistleblowers that never detect, a gate that covers nothing: safe
    // development only costs, so labs develop safely no more than exploration
    // makes them — as without any protocol.
    let world = shipped_world(&[
        ("disaster_probability = 0.5", "disaster_probability = 0.0"),
        ("credit_value = 0.1", "credit_value = 0.0"),
        ("praise_weight = 2.0", "praise_weight = 0.0"),
        ("detection = [0.75, 0.7, 0.65]", "detection = [0.0]"),
        ("false_alarm = 0.01", "false_alarm = 0.0"),
        ("base_probability = 0.02", "base_probability = 0.0"),
        ("protected_probability = 0.2", "protected_probability = 0.0"),
        ("norm_sensitivity = 0.3", "norm_sensitivity = 0.0"),
        ("norm_sensitivity = 0.5", "norm_sensitivity = 0.0"),
        ("norm_sensitivity = 2.0", "norm_sensitivity = 0.0"),
        ("norm_sensitivity = 1.0", "norm_sensitivity = 0.0"),
    ]);
    let mut blind = shipped_protocol();
    blind.compute.covered_fraction = 0.0;
    let none = parse_protocol("[protocol]\nname = \"none\"\nformat = 1\n").unwrap();
    let with_protocol = mean(replicates(&world, &blind, 8).iter().map(|r| r.cooperation));
    let without = mean(replicates(&world, &none, 8).iter().map(|r| r.cooperation));
    assert!(
        with_protocol <= without + 0.1 && with_protocol < 0.2,
        "cooperation {with_protocol} with a blind protocol, {without} without one"
    );
}

#[test]
fn a_pledged_lab_that_is_never_detected_gains_from_breaching() {
    // Everyone pledges (θ far below any signal) and the pact binds; nobody
    // can detect a breach. Keeping the pledge costs the breacher's safety.
    let world = shipped_world(&[
        ("prior_mean = 0.6", "prior_mean = -5.0"),
        ("detection = [0.75, 0.7, 0.65]", "detection = [0.0]"),
        ("false_alarm = 0.01", "false_alarm = 0.0"),
        ("base_probability = 0.02", "base_probability = 0.0"),
        ("protected_probability = 0.2", "protected_probability = 0.0"),
        ("disaster_probability = 0.5", "disaster_probability = 0.1"),
        ("norm_sensitivity = 0.3", "norm_sensitivity = 0.0"),
    ]);
    let keep = Strategy::COMPLY;
    // Gaming keeps the breacher's credits flowing: undetected, it is vouched for.
    let breach = Strategy {
        development: Development::Unsafe,
        reporting: Reporting::Gaming,
    };
    let protocol = shipped_protocol();
    let utility_of_lab_0 = |strategy: Strategy| {
        let mut strategies = vec![keep; world.lab_count()];
        strategies[0] = strategy;
        mean((0..6).map(|k| {
            let result = run(
                &world,
                &protocol,
                &RunOptions {
                    seed: 3,
                    run_index: k,
                    strategies: Some(strategies.clone()),
                    fixed: true,
                    generations: Some(12),
                    record: true,
                    ..RunOptions::default()
                },
            );
            assert!(
                result
                    .generations
                    .iter()
                    .all(|g| g.pact_binding == Some(true)),
                "the pact binds every generation"
            );
            result.mean_utility[0]
        }))
    };
    let (kept, breached) = (utility_of_lab_0(keep), utility_of_lab_0(breach));
    assert!(
        breached > kept,
        "breaching {breached} should beat keeping the pledge {kept}"
    );
}

#[test]
fn pacts_run_through_the_institution_every_generation() {
    // Labs that comply are never expelled, so their pledges keep counting:
    // the renewing pact is resolved and pledged to again in later generations.
    let world = shipped_world(&[("prior_mean = 0.6", "prior_mean = 0.2")]);
    let complying = run(
        &world,
        &shipped_protocol(),
        &RunOptions {
            seed: 1,
            strategies: Some(vec![Strategy::COMPLY; world.lab_count()]),
            fixed: true,
            record: true,
            generations: Some(20),
            ..RunOptions::default()
        },
    );
    let late_binding = complying
        .generations
        .iter()
        .skip(2)
        .filter(|g| g.pact_binding == Some(true))
        .count();
    assert!(
        late_binding > 0,
        "the renewing pact binds again after its first round"
    );

    let evolving = run(
        &world,
        &shipped_protocol(),
        &RunOptions {
            seed: 1,
            record: true,
            generations: Some(20),
            ..RunOptions::default()
        },
    );
    for lab in complying.labs.iter().chain(&evolving.labs) {
        assert!(
            !lab.bound || lab.pledged,
            "only pledgers are bound: {lab:?}"
        );
    }
    // Development is each lab's own: a bound lab with an unsafe strategy stays unsafe.
    assert!(
        evolving
            .labs
            .iter()
            .filter(|l| l.strategy.starts_with("unsafe"))
            .all(|l| !l.developed_safely),
        "an unsafe strategy is never made safe"
    );
}

#[test]
fn a_lab_that_stays_out_is_invisible_to_the_institution() {
    let world = shipped_world(&[]);
    let mut members = vec![true; world.lab_count()];
    members[0] = false;
    let result = run(
        &world,
        &shipped_protocol(),
        &RunOptions {
            seed: 2,
            record: true,
            generations: Some(6),
            members: Some(members),
            strategies: Some(vec![Strategy::COMPLY; world.lab_count()]),
            fixed: true,
            ..RunOptions::default()
        },
    );
    for lab in result.labs.iter().filter(|l| l.lab == result.labs[0].lab) {
        assert_eq!(lab.credits, 0, "no credits outside the protocol");
        assert_eq!(lab.sanction_level, 0);
        assert!(!lab.pledged && !lab.bound);
        assert!(
            !lab.compute_access,
            "providers behind the gate serve members only"
        );
    }
    assert!(
        result
            .labs
            .iter()
            .any(|l| l.lab != result.labs[0].lab && l.credits > 0),
        "members still earn credits"
    );
    // Without a gate nothing is withheld from anyone, in or out.
    let mut ungated = shipped_protocol();
    ungated.compute.enabled = false;
    let result = run(
        &world,
        &ungated,
        &RunOptions {
            seed: 2,
            record: true,
            generations: Some(2),
            members: Some(vec![false; world.lab_count()]),
            ..RunOptions::default()
        },
    );
    assert!(result.labs.iter().all(|l| l.compute_access));
}

#[test]
fn families_that_can_verify_nothing_change_nothing() {
    // Without early warning no development is verified: credits cannot be
    // earned, breaches cannot be confirmed, the gate asks for no credits. So
    // mechanism design, credible commitment and common knowledge, alone or
    // together, leave every outcome exactly as without any protocol. (Pledges
    // are observable and a failed pact pays its pledgers a refund bonus;
    // credits are priced at zero here so that this payment is not counted.)
    use accord_sim::families::{Family, apply, subset_strengths};
    let (protocol, world) = (
        shipped_protocol(),
        shipped_world(&[("credit_value = 0.1", "credit_value = 0.0")]),
    );
    let outcome = |mask: u32| {
        let (p, w) = apply(&protocol, &world, &subset_strengths(mask));
        replicates(&w, &p, 3)
            .iter()
            .map(|r| (r.cooperation, r.welfare, r.disaster_rate))
            .collect::<Vec<_>>()
    };
    let none = outcome(0);
    let bit = |f: Family| 1u32 << f.index();
    let blind = [
        bit(Family::MechanismDesign),
        bit(Family::CredibleCommitment),
        bit(Family::CommonKnowledge),
        bit(Family::MechanismDesign)
            | bit(Family::CredibleCommitment)
            | bit(Family::CommonKnowledge),
    ];
    for mask in blind {
        assert_eq!(outcome(mask), none, "subset {mask:#07b}");
    }
}

#[test]
fn an_unwitnessed_announcement_coordinates_only_where_the_email_game_does() {
    // Pledging alone costs c = 0.7 and a successful pact pays 1 − c = 0.3, and each
    // confirmation is lost with ε = 0.2: (1 − ε)M = 0.24 < L = 0.7, so no finite
    // depth of knowledge coordinates pledging (Rubinstein 1989); a witnessed
    // announcement is common knowledge and does.
    let world = shipped_world(&[
        ("pledge_cost = 0.4", "pledge_cost = 0.7"),
        ("announcement_reach = 1.0", "announcement_reach = 0.8"),
    ]);
    let public_generations = |witnesses: u32| {
        let mut protocol = shipped_protocol();
        protocol.announcements.witnesses = witnesses;
        let result = run(
            &world,
            &protocol,
            &RunOptions {
                seed: 5,
                record: true,
                generations: Some(20),
                ..RunOptions::default()
            },
        );
        result
            .generations
            .iter()
            .filter(|g| g.pact_public == Some(true))
            .count()
    };
    assert_eq!(public_generations(0), 0);
    assert!(public_generations(2) > 10);

    // With cheap pledges ((1 − ε)M = 0.48 > L = 0.4) finite depth suffices.
    let cheap = shipped_world(&[("announcement_reach = 1.0", "announcement_reach = 0.8")]);
    let mut protocol = shipped_protocol();
    protocol.announcements.witnesses = 0;
    let result = run(
        &cheap,
        &protocol,
        &RunOptions {
            seed: 5,
            record: true,
            generations: Some(20),
            ..RunOptions::default()
        },
    );
    assert!(
        result
            .generations
            .iter()
            .any(|g| g.pact_public == Some(true))
    );
}

#[test]
fn an_empty_protocol_changes_nothing_in_any_ablation() {
    // Every mechanism off: whichever families the evaluation switches on, the
    // institution is the same empty one, so every configuration runs alike —
    // no family (the social-norms one included) may be credited with anything.
    let world = shipped_world(&[]);
    let empty = parse_protocol("[protocol]\nname = \"empty\"\nformat = 1\n").unwrap();
    let outcome = |subset: u32| {
        let (protocol, world) = accord_sim::families::apply(
            &empty,
            &world,
            &accord_sim::families::subset_strengths(subset),
        );
        let result = run(
            &world,
            &protocol,
            &RunOptions {
                seed: 4,
                generations: Some(12),
                ..RunOptions::default()
            },
        );
        (result.mean_utility, result.cooperation, result.welfare)
    };
    let none = outcome(0);
    for subset in 1..32 {
        assert_eq!(outcome(subset), none, "subset {subset:05b}");
    }
}

#[test]
fn the_simulator_drives_metrics_by_role_not_by_name() {
    let outcome = |protocol_text: &str| {
        let protocol = parse_protocol(protocol_text).unwrap_or_else(|e| panic!("{e}"));
        let result = run(
            &shipped_world(&[]),
            &protocol,
            &RunOptions {
                seed: 6,
                generations: Some(10),
                record: true,
                ..RunOptions::default()
            },
        );
        let alerts: usize = result.generations.iter().map(|g| g.alerts).sum();
        (result.mean_utility, result.cooperation, alerts)
    };
    let shipped = outcome(SHIPPED_PROTOCOL);
    // Renaming the metrics changes nothing: the roles say what they measure.
    let renamed = SHIPPED_PROTOCOL
        .replace("training_compute_flop", "frontier_training_flop")
        .replace("capability_eval_score", "eval_suite_v2");
    assert_eq!(outcome(&renamed), shipped);
    // Without a role the simulator cannot report the metric, and the run differs.
    let unrolled = SHIPPED_PROTOCOL.replace("role = \"training_compute\"", "");
    assert_ne!(outcome(&unrolled), shipped);
}

#[test]
fn a_leaderboard_that_can_observe_nothing_changes_nothing() {
    // A leaderboard without audits or expected reports has nothing to rank:
    // the institution runs as if it were not there.
    let outcome = |world: &World, text: &str| {
        let protocol = parse_protocol(text).unwrap_or_else(|e| panic!("{e}"));
        let result = run(
            world,
            &protocol,
            &RunOptions {
                seed: 8,
                generations: Some(12),
                ..RunOptions::default()
            },
        );
        (result.mean_utility, result.cooperation)
    };
    let world = shipped_world(&[]);
    let head = "[protocol]\nname = \"p\"\nformat = 1\n";
    let ranked = |text: &str| format!("{text}[leaderboard]\nenabled = true\n");
    assert_eq!(outcome(&world, &ranked(head)), outcome(&world, head));
    // With audits to rank labs on, the leaderboard and its norm matter.
    let audited = format!("{head}[monitoring]\nenabled = true\n");
    assert_ne!(
        outcome(&world, &ranked(&audited)),
        outcome(&world, &audited)
    );
    // Monitors that never audit (no audit rate, no alert to audit on) put
    // nobody on record: the leaderboard again changes nothing.
    let unaudited = shipped_world(&[
        ("audit_rate = 0.5", "audit_rate = 0.0"),
        (
            "audit_rate_above_threshold = 1.0",
            "audit_rate_above_threshold = 0.0",
        ),
    ]);
    assert_eq!(
        outcome(&unaudited, &ranked(&audited)),
        outcome(&unaudited, &audited)
    );
}

#[test]
fn an_obligation_to_surrender_credits_falls_away_with_the_credits() {
    // Without mechanism design no credit is issued, so an obligation to
    // surrender credits must not leave every lab owing (and shut out of
    // gated compute): the ablation's subsets without the family run as if
    // the protocol never asked for it.
    use accord_sim::families::{Family, apply, subset_strengths};
    let world = shipped_world(&[]);
    let plain = shipped_protocol();
    let mut obliged = plain.clone();
    obliged.credits.surrender_per_period = 5;
    let all_but_mechanism_design = 0b11111 & !(1u32 << Family::MechanismDesign.index());
    let outcome = |protocol: &Protocol| {
        let (p, w) = apply(
            protocol,
            &world,
            &subset_strengths(all_but_mechanism_design),
        );
        replicates(&w, &p, 2)
            .iter()
            .map(|r| (r.cooperation, r.welfare, r.mean_utility.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(outcome(&obliged), outcome(&plain));
}

#[test]
fn announcements_of_nothing_the_labs_act_on_change_nothing() {
    // Pact coordinates become public through announced pledge counts, and
    // normative expectations through announced commitments or pledges; an
    // announcement of anything else, or of nothing, is no announcement.
    use accord_core::spec::Announcement;
    let world = shipped_world(&[]);
    let outcome = |announce: Option<Vec<Announcement>>| {
        let mut protocol = shipped_protocol();
        match announce {
            Some(list) => protocol.announcements.announce = list,
            None => protocol.announcements.enabled = false,
        }
        replicates(&world, &protocol, 4)
            .iter()
            .map(|r| (r.cooperation, r.welfare, r.mean_utility.clone()))
            .collect::<Vec<_>>()
    };
    let silent = outcome(None);
    assert_eq!(outcome(Some(Vec::new())), silent);
    assert_eq!(
        outcome(Some(vec![
            Announcement::Sanctions,
            Announcement::Leaderboard
        ])),
        silent
    );
    assert_ne!(outcome(Some(vec![Announcement::PledgeCounts])), silent);
}

#[test]
fn a_switched_off_early_warning_section_expects_no_reports() {
    // Its metric tables stay in the file; nothing in them may act.
    let world = shipped_world(&[]);
    let mut with_metrics = shipped_protocol();
    with_metrics.early_warning.enabled = false;
    let mut without = with_metrics.clone();
    without.early_warning.metric.clear();
    let outcome = |protocol: &Protocol| {
        replicates(&world, protocol, 3)
            .iter()
            .map(|r| (r.cooperation, r.welfare, r.mean_utility.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(outcome(&with_metrics), outcome(&without));
}

fn run_texts(world: &str, protocol: &str, seed: u64) -> accord_sim::RunResult {
    run(
        &World::parse(world).unwrap_or_else(|e| panic!("{e}")),
        &parse_protocol(protocol).unwrap_or_else(|e| panic!("{e}")),
        &RunOptions {
            seed,
            record: true,
            ..RunOptions::default()
        },
    )
}

#[test]
fn a_failed_pacts_refund_bonus_reaches_the_pledgers_payoff() {
    // Two labs pledge every round (θ far below 1, announced) to a pact needing
    // three: every round fails and pays each pledger the bonus. Renewing
    // rounds are resolved at the start of a generation; the bonus is that
    // generation's income, and its expiry within the generation nets it out.
    let world = "[world]\nname = \"bonus\"\n[race]\ndisaster_probability = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 12\n[pact]\nprior_mean = -5.0\npublic_selection = \"payoff_dominant\"\n[economy]\ncredit_value = 1.0\n[[lab]]\nname = \"a\"\ncount = 2\n";
    let protocol = |bonus: u32, expiry: u32| {
        format!(
            "[protocol]\nname = \"bonus\"\nformat = 1\n[credits]\nenabled = true\nexpiry_periods = {expiry}\n[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"p\"\nthreshold = 3\ndeadline_period = 1\nrefund_bonus_credits = {bonus}\nrenews = true\n[announcements]\nenabled = true\nannounce = [\"pledge_counts\"]\nwitnesses = 1\n"
        )
    };
    let payoff = |bonus, expiry| run_texts(world, &protocol(bonus, expiry), 1).mean_payoff;
    let without = payoff(0, 0);
    let kept = payoff(100, 0);
    let expiring = payoff(100, 2);
    for lab in 0..2 {
        assert!(
            kept[lab] > without[lab] + 1.0,
            "{kept:?} against {without:?}"
        );
        assert!(
            (expiring[lab] - without[lab]).abs() < 1e-9,
            "a bonus that expires within its generation nets to nothing: {expiring:?} against {without:?}"
        );
    }
}

#[test]
fn an_announcement_that_reaches_nobody_changes_nothing() {
    // Racers sensitive to the norm, audited and ranked; announcements on but
    // with reach 0 (and nothing to announce) must run as announcements off.
    let world = "[world]\nname = \"ann\"\n[race]\ndisaster_probability = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 20\n[norms]\npraise_weight = 0.0\nprivate_sample_size = 2\nobservation_noise = 0.2\n[pact]\nannouncement_reach = 0.0\n[[lab]]\nname = \"safe\"\ncount = 1\nsupports_safety = true\n[[lab]]\nname = \"racer\"\ncount = 3\nsupports_safety = false\nnorm_sensitivity = 10.0\nempirical_threshold = 0.0\nnormative_threshold = 0.5\ninitial = { development = \"unsafe\", reporting = \"honest\" }\n";
    let head = "[protocol]\nname = \"ann\"\nformat = 1\n[leaderboard]\nenabled = true\n[monitoring]\nenabled = true\nmonitors = 1\npanel_size = 1\nquorum = 1\n";
    let off = run_texts(world, head, 3);
    for announcements in [
        "[announcements]\nenabled = true\nannounce = []\nwitnesses = 0\n",
        "[announcements]\nenabled = true\nannounce = [\"pledge_counts\"]\nwitnesses = 1\n",
    ] {
        let on = run_texts(world, &format!("{head}{announcements}"), 3);
        assert_eq!(on.mean_utility, off.mean_utility, "{announcements}");
    }
    // A pact's pledges do not depend on announcements nobody receives either.
    let pact_world = "[world]\nname = \"crn\"\n[race]\ndisaster_probability = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 10\n[pact]\nannouncement_reach = 0.0\n[[lab]]\nname = \"a\"\ncount = 6\n";
    let pact = "[protocol]\nname = \"crn\"\nformat = 1\n[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"p\"\nthreshold = 3\ndeadline_period = 1\nrenews = true\n";
    let pledges = |protocol: &str| -> Vec<bool> {
        run_texts(pact_world, protocol, 5)
            .labs
            .iter()
            .map(|r| r.pledged)
            .collect()
    };
    assert_eq!(
        pledges(&format!(
            "{pact}[announcements]\nenabled = true\nannounce = [\"pledge_counts\"]\nwitnesses = 1\n"
        )),
        pledges(pact)
    );
}

#[test]
fn standing_follows_the_panels_verdict_not_one_dissenting_vote() {
    // Three safe labs audited every period by a panel of three that needs all
    // three votes; each vote is a false alarm with probability 0.1. A racer
    // whose norm binds only when every other lab is in good standing: with
    // single votes counted, nearly every generation has a dissent and the
    // norm never binds; with verdicts, a unanimous false alarm is rare.
    let world = |false_alarm: f64| {
        format!(
            "[world]\nname = \"vote\"\n[race]\ndisaster_probability = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 20\n[monitors]\ndetection = [0.0]\ncapture = [0.0]\naudit_rate = 1.0\naudit_rate_above_threshold = 1.0\nfalse_alarm = {false_alarm}\n[norms]\npraise_weight = 0.0\n[[lab]]\nname = \"safe\"\ncount = 3\n[[lab]]\nname = \"racer\"\nnorm_sensitivity = 10.0\nempirical_threshold = 1.0\nnormative_threshold = 0.0\ninitial = {{ development = \"unsafe\", reporting = \"honest\" }}\n"
        )
    };
    let protocol = "[protocol]\nname = \"vote\"\nformat = 1\n[leaderboard]\nenabled = true\n[monitoring]\nenabled = true\nmonitors = 3\npanel_size = 3\nquorum = 3\n";
    let norm_binds = |false_alarm: f64| -> usize {
        let result = run_texts(&world(false_alarm), protocol, 2);
        result
            .labs
            .iter()
            .filter(|r| r.lab.starts_with("racer"))
            .filter(|r| r.utility < r.payoff - 1e-9)
            .count()
    };
    let without_false_alarms = norm_binds(0.0);
    assert_eq!(without_false_alarms, 20);
    assert!(
        norm_binds(0.1) >= 15,
        "single dissenting votes must not end good standing: {}",
        norm_binds(0.1)
    );
}

#[test]
fn a_whistleblower_channel_nobody_uses_changes_nothing() {
    // Imitation draws from the run's main stream; unsafe labs whom nobody
    // ever blows the whistle on must leave those draws, and so every outcome,
    // as they are without the channel.
    let world = "[world]\nname = \"wb\"\n[learning]\nrule = \"imitation\"\ngenerations = 30\n[monitors]\ndetection = [0.5]\ncapture = [0.0]\naudit_rate = 0.5\n[whistleblowers]\nbase_probability = 0.0\nprotected_probability = 0.0\n[[lab]]\nname = \"a\"\ncount = 5\ninitial = { development = \"unsafe\", reporting = \"honest\" }\n";
    let head = "[protocol]\nname = \"wb\"\nformat = 1\n[monitoring]\nenabled = true\nmonitors = 1\npanel_size = 1\nquorum = 1\n";
    let outcome = |protocol: &str| {
        let result = run_texts(world, protocol, 4);
        let labs: Vec<(f64, String)> = result
            .labs
            .iter()
            .map(|r| (r.utility, r.strategy.clone()))
            .collect();
        (result.mean_utility, labs)
    };
    let without = outcome(head);
    let silent = outcome(&format!(
        "{head}[whistleblower]\nenabled = true\nreceipts_to_trigger_audit = 1\nprotection = 0.9\n"
    ));
    assert_eq!(silent, without);
}

#[test]
fn the_pool_favours_no_victim_by_its_place_in_the_list() {
    // One lab always causes a disaster that harms two identical careful labs;
    // the pool cannot cover both claims, so whoever claims first is paid more.
    // Which of the two that is must be a coin toss, not their order.
    let world = "[world]\nname = \"pool\"\n[race]\ndisaster_probability = 1.0\ncollective_setback = 0.5\nprize = 100.0\nrealisation = \"sampled\"\n[economy]\ncredit_value = 0.001\n[monitors]\ndetection = [0.0]\ncapture = [0.0]\naudit_rate = 1.0\naudit_rate_above_threshold = 1.0\nfalse_alarm = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 1\n[[lab]]\nname = \"reckless\"\ninitial = { development = \"unsafe\", reporting = \"gaming\" }\n[[lab]]\nname = \"careful\"\ncount = 2\n";
    let protocol = "[protocol]\nname = \"pool\"\nformat = 1\n[credits]\nenabled = true\ncredits_per_investment_unit = 1\nmax_credits_per_period = 100\n[monitoring]\nenabled = true\nmonitors = 1\npanel_size = 1\nquorum = 1\n[liability]\nenabled = true\nbase_premium_credits = 1\npayout_fraction = 1.0\n";
    let (mut first_ahead, mut second_ahead) = (0, 0);
    for seed in 0..60 {
        let result = run_texts(world, protocol, seed);
        let credits = |name: &str| {
            result
                .labs
                .iter()
                .find(|r| r.lab == name)
                .map(|r| r.credits)
                .unwrap()
        };
        match credits("careful-1").cmp(&credits("careful-2")) {
            std::cmp::Ordering::Greater => first_ahead += 1,
            std::cmp::Ordering::Less => second_ahead += 1,
            std::cmp::Ordering::Equal => {}
        }
    }
    assert!(
        first_ahead + second_ahead >= 30,
        "the pool must run short in most runs: {first_ahead} + {second_ahead}"
    );
    assert!(
        first_ahead >= 10 && second_ahead >= 10,
        "careful-1 ahead {first_ahead} times, careful-2 {second_ahead}"
    );
}

#[test]
fn a_treaty_nobody_can_be_found_breaking_changes_nothing() {
    // Monitors that detect nothing and raise no false alarm reach no
    // violation verdict, so no treaty compensation is ever owed, and every
    // member keeps its one commitment: the leaderboard shifts all alike
    // (praise, a score's distance from the mean, moves by rounding only).
    let world = shipped_world(&[
        ("detection = [0.75, 0.7, 0.65]", "detection = [0.0]"),
        ("false_alarm = 0.01", "false_alarm = 0.0"),
    ]);
    let treaty = shipped_protocol();
    assert!(treaty.commitments.enabled && treaty.commitments.default_compensation_credits > 0);
    let mut no_treaty = shipped_protocol();
    no_treaty.commitments.enabled = false;
    for (x, y) in replicates(&world, &treaty, 3)
        .iter()
        .zip(&replicates(&world, &no_treaty, 3))
    {
        for (u, v) in x.mean_utility.iter().zip(&y.mean_utility) {
            assert!((u - v).abs() < 1e-9, "{u} against {v}");
        }
        assert_eq!(x.cooperation, y.cooperation);
        assert_eq!(x.rejected_events, y.rejected_events);
    }
}

#[test]
fn a_treaty_binds_through_its_compensation_alone() {
    // Every lab games its reports (unsafe, claiming the investment), so the
    // undetected earn credits and the convicted owe. Without a leaderboard
    // to show commitments kept, a treaty whose breach costs nothing changes
    // nothing; with compensation, convicted labs pay it to the liability
    // pool and nothing else of the run moves (publishing draws no random
    // number; the gate and liability, which read credits, are off, and so
    // is the ladder, which would expel every gamer at once).
    let world = shipped_world(&[]);
    let labs: usize = world.lab.iter().map(|t| t.count as usize).sum();
    let protocol = |enabled: bool, compensation: u64| {
        let mut p = shipped_protocol();
        p.leaderboard.enabled = false;
        p.compute.enabled = false;
        p.liability.enabled = false;
        p.sanctions.enabled = false;
        p.commitments.enabled = enabled;
        p.commitments.default_compensation_credits = compensation;
        p
    };
    let off = everyone_gaming(&world, &protocol(false, 0));
    let free = everyone_gaming(&world, &protocol(true, 0));
    assert_eq!(free.mean_utility, off.mean_utility);
    let costly = everyone_gaming(&world, &protocol(true, 40));
    assert_eq!(costly.conviction_rate, off.conviction_rate);
    assert_eq!(costly.welfare, off.welfare);
    // Races and draws are the same, so each lab's payoffs, weighted by the
    // generations' lengths, differ by the value of the credits it paid.
    let value = world.economy.credit_value;
    let mut paid = 0;
    for lab in 0..labs {
        let history = |r: &accord_sim::RunResult| -> Vec<accord_sim::run::LabRecord> {
            r.labs.iter().skip(lab).step_by(labs).cloned().collect()
        };
        let (with, without) = (history(&costly), history(&off));
        let payoff_change: f64 = with
            .iter()
            .zip(&without)
            .zip(&off.generations)
            .map(|((a, b), g)| (a.payoff - b.payoff) * g.periods.max(1.0))
            .sum();
        let (final_with, final_without) = (
            with.last().unwrap().credits,
            without.last().unwrap().credits,
        );
        // A lab that owes holds nothing either way (rule 18).
        assert!(
            final_with <= final_without,
            "{}: {final_with} credits with the treaty, {final_without} without",
            with[0].lab
        );
        let credit_change = value * (final_with as f64 - final_without as f64);
        assert!(
            (payoff_change - credit_change).abs() < 1e-6,
            "{}: payoff changed by {payoff_change}, credits by {credit_change}",
            with[0].lab
        );
        paid += usize::from(final_with < final_without);
    }
    assert!(paid >= labs / 2, "{paid} of {labs} labs paid compensation");
}

#[test]
fn a_leaderboard_in_a_world_without_audits_shows_no_standing() {
    // Monitoring and a leaderboard, but the world's monitors never audit:
    // no verdict is published, so good standing is no evidence that anyone
    // complies. Three racers see (through a large noiseless private sample)
    // that one other lab in three develops safely, below their empirical
    // threshold, so the norm never binds, exactly as for racers that ignore
    // it. Before, every unjudged member counted as complying, and the norm
    // bound at once.
    let world = |sensitivity: f64| {
        format!(
            "[world]\nname = \"unaudited\"\n[race]\ndisaster_probability = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 8\n[monitors]\naudit_rate = 0.0\naudit_rate_above_threshold = 0.0\n[whistleblowers]\nbase_probability = 0.0\nprotected_probability = 0.0\n[norms]\npraise_weight = 1.0\nprivate_sample_size = 400\nobservation_noise = 0.0\n[[lab]]\nname = \"safe\"\ncount = 1\nsupports_safety = true\n[[lab]]\nname = \"racer\"\ncount = 3\nsupports_safety = false\nnorm_sensitivity = {sensitivity}\nempirical_threshold = 0.5\nnormative_threshold = 0.0\ninitial = {{ development = \"unsafe\", reporting = \"honest\" }}\n"
        )
    };
    let protocol = "[protocol]\nname = \"unaudited\"\nformat = 1\n[leaderboard]\nenabled = true\n[monitoring]\nenabled = true\nmonitors = 1\npanel_size = 1\nquorum = 1\n";
    let sensitive = run_texts(&world(10.0), protocol, 4);
    let indifferent = run_texts(&world(0.0), protocol, 4);
    assert_eq!(sensitive.conviction_rate, None, "nobody was audited");
    for (a, b) in sensitive.mean_utility.iter().zip(&indifferent.mean_utility) {
        assert!((a - b).abs() < 1e-12, "{a} against {b}");
    }
}

#[test]
fn an_expelled_lab_sends_nothing_the_rules_would_refuse() {
    // Every lab games and the shipped ladder expels them all within the
    // first generation; from then on they may only claim (rule 25). Their
    // reports used to be sent and refused, several per lab and period.
    let world = shipped_world(&[]);
    let labs: usize = world.lab.iter().map(|t| t.count as usize).sum();
    let result = everyone_gaming(&world, &shipped_protocol());
    assert!(result.labs.iter().skip(labs).all(|l| !l.compute_access));
    assert!(
        (result.rejected_events as f64) < result.lab_periods / 10.0,
        "{} events refused in {} lab-periods",
        result.rejected_events,
        result.lab_periods
    );
}

#[test]
fn a_lab_that_has_used_up_its_commitments_stops_renewing_its_treaty() {
    // One commitment each: the first conviction ends every gamer's treaty,
    // and no renewal is sent for the core to refuse.
    let world = shipped_world(&[]);
    let rejected = |commitments: bool| {
        let mut p = shipped_protocol();
        p.sanctions.enabled = false;
        p.commitments.enabled = commitments;
        p.commitments.max_per_participant = 1;
        everyone_gaming(&world, &p).rejected_events
    };
    assert_eq!(rejected(true), rejected(false));
}
