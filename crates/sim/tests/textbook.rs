//! The simulator reduces to the textbook models in their special cases.

use accord_core::{Protocol, parse_protocol};
use accord_dynamics::PairwiseComparison;
use accord_games::global_game::GlobalGame;
use accord_games::models::dsair::Dsair;
use accord_games::normal;
use accord_sim::strategy::{Development, Reporting, Strategy};
use accord_sim::{RunOptions, World, run};

fn world(text: &str) -> World {
    World::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn protocol(text: &str) -> Protocol {
    parse_protocol(&format!("[protocol]\nname = \"test\"\nformat = 1\n{text}"))
        .unwrap_or_else(|e| panic!("{e}"))
}

const AS: Strategy = Strategy {
    development: Development::Safe,
    reporting: Reporting::Honest,
};
const AU: Strategy = Strategy {
    development: Development::Unsafe,
    reporting: Reporting::Honest,
};

/// DSAIR's averaged payoff matrix (Han et al., JAIR 2020) at b = 4, c = 1,
/// s = 2, B = 400, W = 40: rows and columns AS, AU.
fn dsair_matrix(p_r: f64) -> [[f64; 2]; 2] {
    Dsair {
        b: 4.0,
        c: 1.0,
        s: 2.0,
        p_r,
        prize: 400.0,
        milestone: 40.0,
    }
    .payoff_matrix()
}

fn mean_and_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (variance / n).sqrt())
}

#[test]
fn two_labs_reproduce_the_dsair_payoff_matrix() {
    // Han et al. (JAIR 2020) with b = 4, c = 1, s = 2, p_r = 0.4, B = 400, W = 40:
    // fixed strategies, every mechanism off, disasters drawn.
    let w = world(
        "[world]\nname = \"dsair\"\n[race]\nmilestone = 40.0\nbenefit = 4.0\nsafety_cost = 1.0\nunsafe_speed = 2.0\ndisaster_probability = 0.4\nprize = 400.0\ncollective_setback = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 4000\n[[lab]]\nname = \"a\"\n[[lab]]\nname = \"b\"\n",
    );
    let off = protocol("");
    let d = dsair_matrix(0.4);
    for (row, mine) in [AS, AU].into_iter().enumerate() {
        for (column, theirs) in [AS, AU].into_iter().enumerate() {
            let result = run(
                &w,
                &off,
                &RunOptions {
                    seed: 3,
                    run_index: (2 * row + column) as u64,
                    record: true,
                    strategies: Some(vec![mine, theirs]),
                    fixed: true,
                    ..RunOptions::default()
                },
            );
            let payoffs: Vec<f64> = result
                .labs
                .iter()
                .filter(|r| r.lab == "a")
                .map(|r| r.payoff)
                .collect();
            let (mean, se) = mean_and_se(&payoffs);
            let tolerance = (3.0 * se).max(1e-9);
            assert!(
                (mean - d[row][column]).abs() <= tolerance,
                "Π[{row}][{column}]: simulated {mean} ± {se}, DSAIR {}",
                d[row][column]
            );
        }
    }
}

#[test]
fn independent_monitors_detect_as_predicted() {
    // Every monitor audits every period; the lab develops unsafely and tries to capture each.
    // P(detected) = 1 − Π (1 − d_i (1 − κ_i)).
    let detection = [0.6, 0.5, 0.3];
    let capture = [0.25, 0.1, 0.5];
    let w = world(&format!(
        "[world]\nname = \"monitors\"\n[learning]\nrule = \"fixed\"\ngenerations = 400\n[monitors]\ndetection = {detection:?}\ncapture = {capture:?}\nblind_spot_correlation = 0.0\naudit_rate = 1.0\naudit_rate_above_threshold = 1.0\nfalse_alarm = 0.0\n[[lab]]\nname = \"racer\"\ninitial = {{ development = \"unsafe\", reporting = \"capture\" }}\n[[lab]]\nname = \"other\"\n"
    ));
    let p = protocol(
        "[monitoring]\nenabled = true\nmonitors = 3\nquorum = 2\naudit_window_periods = 0\n",
    );
    let result = run(
        &w,
        &p,
        &RunOptions {
            seed: 11,
            ..RunOptions::default()
        },
    );
    let predicted = 1.0
        - detection
            .iter()
            .zip(&capture)
            .map(|(d, k)| 1.0 - d * (1.0 - k))
            .product::<f64>();
    let observed = result
        .detected_share_of_unsafe
        .expect("unsafe periods were audited");
    // Unsafe lab-periods in the run: about 400 races × 13 periods.
    let periods = 400.0 * 13.0;
    let se = (predicted * (1.0 - predicted) / periods).sqrt();
    assert!(
        (observed - predicted).abs() < 4.0 * se,
        "observed {observed}, predicted {predicted} (se {se})"
    );
}

#[test]
fn a_verdict_needs_a_majority_of_the_panel() {
    // Three monitors detecting independently at d = 0.5 and a quorum of two:
    // some monitor sees the violation with probability 1 − 0.5³ = 0.875, the
    // panel convicts with P(Bin(3, 0.5) ≥ 2) = 0.5.
    let w = world(
        "[world]\nname = \"panel\"\n[learning]\nrule = \"fixed\"\ngenerations = 200\n[monitors]\ndetection = [0.5]\ncapture = [0.0]\nblind_spot_correlation = 0.0\naudit_rate = 1.0\naudit_rate_above_threshold = 1.0\nfalse_alarm = 0.0\n[[lab]]\nname = \"racer\"\ninitial = { development = \"unsafe\", reporting = \"honest\" }\n[[lab]]\nname = \"other\"\n",
    );
    let p = protocol("[monitoring]\nenabled = true\nmonitors = 3\nquorum = 2\n");
    let result = run(
        &w,
        &p,
        &RunOptions {
            seed: 3,
            ..RunOptions::default()
        },
    );
    let periods = result.unsafe_periods as f64;
    assert!(periods > 1000.0, "{periods} unsafe periods");
    for (observed, predicted) in [
        (result.detection_rate.unwrap(), 0.875),
        (result.conviction_rate.unwrap(), 0.5),
    ] {
        let se = (predicted * (1.0 - predicted) / periods).sqrt();
        assert!(
            (observed - predicted).abs() < 4.0 * se,
            "observed {observed}, predicted {predicted} (se {se})"
        );
    }
}

#[test]
fn correlated_blind_spots_remove_the_benefit_of_more_monitors() {
    let run_with = |correlation: f64| {
        let w = world(&format!(
            "[world]\nname = \"blind\"\n[learning]\nrule = \"fixed\"\ngenerations = 300\n[monitors]\ndetection = [0.5]\ncapture = [0.0]\nblind_spot_correlation = {correlation}\naudit_rate = 1.0\nfalse_alarm = 0.0\n[[lab]]\nname = \"racer\"\ninitial = {{ development = \"unsafe\" }}\n"
        ));
        let p = protocol("[monitoring]\nenabled = true\nmonitors = 3\nquorum = 2\n");
        run(
            &w,
            &p,
            &RunOptions {
                seed: 5,
                ..RunOptions::default()
            },
        )
        .detected_share_of_unsafe
        .unwrap()
    };
    let independent = run_with(0.0);
    let correlated = run_with(1.0);
    assert!((independent - 0.875).abs() < 0.03, "{independent}");
    assert!((correlated - 0.5).abs() < 0.03, "{correlated}");
}

fn prisoners_dilemma(k: f64, labs: u32) -> f64 {
    // T = 5, R = 3, P = 1, S = 0: Bicchieri's condition among N labs is
    // k ≥ (N − 1)(T − R)/(R − S), 2/3 for two.
    let w = world(&format!(
        "stage = \"matrix\"\n[world]\nname = \"pd\"\n[matrix]\npayoffs = [[3.0, 0.0], [5.0, 1.0]]\n[learning]\nrule = \"logit\"\nrationality = 300.0\nexploration = 0.0\ngenerations = 60\nrevisions_per_generation = 3\n[[lab]]\nname = \"lab\"\ncount = {labs}\nnorm_sensitivity = {k}\nempirical_threshold = 0.5\nnormative_threshold = 0.5\n"
    ));
    // The norm acts through the protocol's social-norms mechanism, a
    // leaderboard with audits to rank labs on.
    let result = run(
        &w,
        &protocol("[monitoring]\nenabled = true\n[leaderboard]\nenabled = true\n"),
        &RunOptions {
            seed: 2,
            record: true,
            ..RunOptions::default()
        },
    );
    result.generations.last().unwrap().safe_share
}

#[test]
fn norms_sustain_cooperation_exactly_above_bicchieris_bound() {
    // Two players: (C, C) is an equilibrium iff k ≥ (T − R)/(R − S); below, play unravels to (D, D).
    assert_eq!(
        prisoners_dilemma(0.75, 2),
        1.0,
        "k = 0.75 ≥ 2/3 sustains cooperation"
    );
    assert_eq!(prisoners_dilemma(0.68, 2), 1.0);
    assert_eq!(
        prisoners_dilemma(0.65, 2),
        0.0,
        "k = 0.65 < 2/3: cooperation unravels"
    );
    assert_eq!(prisoners_dilemma(0.3, 2), 0.0);
    // Ten labs: a payoff is the mean over nine games, so a defector costs each
    // cooperator (R − S)/9 and the bound is 9·(T − R)/(R − S) = 6.
    assert_eq!(prisoners_dilemma(6.1, 10), 1.0);
    assert!(prisoners_dilemma(5.9, 10) < 1.0);
    assert!(prisoners_dilemma(0.68, 10) < 1.0);
}

fn pact_world(generations: u32, signal_precision: f64) -> World {
    pact_world_selecting(generations, signal_precision, "adaptive")
}

fn pact_world_selecting(generations: u32, signal_precision: f64, selection: &str) -> World {
    world(&format!(
        "[world]\nname = \"pact\"\n[learning]\nrule = \"fixed\"\ngenerations = {generations}\n[race]\nmilestone = 2.0\n[pact]\nprior_mean = 0.6\nprior_precision = 4.0\nsignal_precision = {signal_precision}\npledge_cost = 0.4\ninitial_threshold = 1.5\npublic_selection = \"{selection}\"\n[[lab]]\nname = \"lab\"\ncount = 400\n"
    ))
}

const PUBLIC_PACT: &str = "[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"p\"\nthreshold = 1\ndeadline_period = 1000\n[announcements]\nenabled = true\nannounce = [\"pledge_counts\"]\n";

#[test]
fn private_signals_lead_to_the_global_game_threshold() {
    let w = pact_world(200, 400.0);
    let p = protocol(
        "[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"p\"\nthreshold = 1\ndeadline_period = 1000\n",
    );
    let result = run(
        &w,
        &p,
        &RunOptions {
            seed: 9,
            record: true,
            ..RunOptions::default()
        },
    );
    let game = GlobalGame {
        prior_mean: 0.6,
        prior_precision: 4.0,
        signal_precision: 400.0,
        cost: 0.4,
    };
    let equilibrium = game.threshold().unwrap();
    let last = result.generations.last().unwrap();
    assert!(
        (last.pledge_threshold.unwrap() - equilibrium.signal).abs() < 1e-6,
        "learned {:?} vs x* = {}",
        last.pledge_threshold,
        equilibrium.signal
    );
    // Once learned, the pact succeeds iff θ ≤ θ* (up to the finite number of labs near θ*).
    let settled = &result.generations[100..];
    let agree = settled
        .iter()
        .filter(|g| {
            g.pact_succeeded.unwrap() == (g.pact_fundamental.unwrap() <= equilibrium.fundamental)
        })
        .count();
    assert!(
        agree as f64 >= 0.97 * settled.len() as f64,
        "{agree} of {}",
        settled.len()
    );
    let success =
        settled.iter().filter(|g| g.pact_succeeded.unwrap()).count() as f64 / settled.len() as f64;
    let predicted = normal::cdf(4f64.sqrt() * (equilibrium.fundamental - 0.6));
    let se = (predicted * (1.0 - predicted) / settled.len() as f64).sqrt();
    assert!(
        (success - predicted).abs() < 4.0 * se + 0.01,
        "success {success} vs {predicted}"
    );
}

#[test]
fn public_announcements_coordinate_whenever_it_is_an_equilibrium() {
    // The payoff-dominant selection is an assumption the world file states.
    let w = pact_world_selecting(300, 400.0, "payoff_dominant");
    let p = protocol(PUBLIC_PACT);
    let result = run(
        &w,
        &p,
        &RunOptions {
            seed: 9,
            record: true,
            ..RunOptions::default()
        },
    );
    for g in &result.generations {
        let theta = g.pact_fundamental.unwrap();
        assert_eq!(g.pact_public, Some(true));
        assert_eq!(g.pact_succeeded.unwrap(), theta <= 1.0, "θ = {theta}");
    }
    // Common knowledge succeeds more often than private signals allow: θ* < 1.
    let equilibrium = GlobalGame {
        prior_mean: 0.6,
        prior_precision: 4.0,
        signal_precision: 400.0,
        cost: 0.4,
    }
    .threshold()
    .unwrap();
    assert!(equilibrium.fundamental < 1.0);
}

#[test]
fn under_common_knowledge_labs_coordinate_on_the_pledges_they_saw() {
    // Adaptive selection: a lab pledges iff itself plus last generation's
    // other pledgers reach θ. Coordination must arise (θ ≤ 1/400 with nobody
    // pledging before) and collapses after a generation with θ > 1.
    let w = pact_world(300, 400.0);
    let result = run(
        &w,
        &protocol(PUBLIC_PACT),
        &RunOptions {
            seed: 9,
            record: true,
            ..RunOptions::default()
        },
    );
    let mut pledged_before = false;
    let (mut coordinated, mut missed) = (0, 0);
    for g in &result.generations {
        let theta = g.pact_fundamental.unwrap();
        let expected_share = if pledged_before { 1.0 } else { 1.0 / 400.0 };
        let pledging = expected_share >= theta;
        assert_eq!(g.pact_succeeded.unwrap(), pledging, "θ = {theta}");
        coordinated += usize::from(pledging);
        missed += usize::from(!pledging && theta <= 1.0);
        pledged_before = pledging;
    }
    assert!(
        coordinated > 0 && missed > 0,
        "coordination both arises and fails where it would be an equilibrium ({coordinated}, {missed})"
    );
}

/// Fixation probability of one `invader` lab among `resident`s in the simulator's imitation process.
fn simulated_fixation(
    w: &World,
    z: usize,
    invader: Strategy,
    resident: Strategy,
    runs: u64,
) -> (f64, f64) {
    let mut strategies = vec![resident; z];
    strategies[0] = invader;
    let fixed = (0..runs)
        .filter(|&k| {
            let options = RunOptions {
                seed: 21,
                run_index: k,
                record: false,
                strategies: Some(strategies.clone()),
                stop_when_monomorphic: true,
                ..RunOptions::default()
            };
            run(w, &protocol(""), &options)
                .final_strategies
                .iter()
                .all(|s| s.development == invader.development)
        })
        .count() as f64;
    let p = fixed / runs as f64;
    (p, (p * (1.0 - p) / runs as f64).sqrt())
}

#[test]
fn imitation_without_mechanisms_matches_the_small_mutation_limit() {
    // Z labs in pairwise DSAIR races with expected payoffs, imitation with β and no
    // exploration: the simulator's process is the pairwise-comparison process, so its
    // fixation probabilities, and the small-mutation-limit distribution built from
    // them, must match the dynamics engine's.
    let (b, c, s, p_r, prize, milestone) = (4.0, 1.0, 2.0, 0.75, 40.0, 4.0);
    let (z, beta) = (6usize, 0.1);
    let w = world(&format!(
        "[world]\nname = \"sml\"\n[race]\nformat = \"pairwise\"\nmilestone = {milestone}\nbenefit = {b}\nsafety_cost = {c}\nunsafe_speed = {s}\ndisaster_probability = {p_r}\nprize = {prize}\ncollective_setback = 0.0\nrealisation = \"expected\"\n[learning]\nrule = \"imitation\"\nselection = {beta}\nexploration = 0.0\ngenerations = 100000\nrevisions_per_generation = 1\n[[lab]]\nname = \"lab\"\ncount = {z}\n"
    ));
    let game: accord_games::Game = Dsair {
        b,
        c,
        s,
        p_r,
        prize,
        milestone,
    }
    .game()
    .unwrap()
    .into();
    let engine = PairwiseComparison::new(&game, z, beta)
        .unwrap()
        .small_mutation_limit()
        .unwrap();
    let (safe_invades, se_safe) = simulated_fixation(&w, z, AS, AU, 3000);
    let (unsafe_invades, se_unsafe) = simulated_fixation(&w, z, AU, AS, 3000);
    assert!(
        (safe_invades - engine.fixation[0][1]).abs() < 3.5 * se_safe,
        "ρ(AS invades AU): {safe_invades} ± {se_safe} vs {}",
        engine.fixation[0][1]
    );
    assert!(
        (unsafe_invades - engine.fixation[1][0]).abs() < 3.5 * se_unsafe,
        "ρ(AU invades AS): {unsafe_invades} ± {se_unsafe} vs {}",
        engine.fixation[1][0]
    );
    let simulated = safe_invades / (safe_invades + unsafe_invades);
    // Delta method for the ratio's standard error.
    let total = safe_invades + unsafe_invades;
    let se = ((unsafe_invades * se_safe).powi(2) + (safe_invades * se_unsafe).powi(2)).sqrt()
        / (total * total);
    assert!(
        (simulated - engine.stationary[0]).abs() < 3.5 * se,
        "stationary AS {simulated} ± {se} vs {}",
        engine.stationary[0]
    );
}

#[test]
fn random_matching_in_pairs_recovers_the_pairwise_payoffs_in_expectation() {
    // Six labs of two speeds, three safe and three not, strategies fixed,
    // expected payoffs: racing every pair gives each lab the mean over its five
    // opponents; random pairs give it one opponent per generation, each equally
    // likely, so the long-run mean must agree within sampling error.
    let text = |format: &str| {
        format!(
            "[world]\nname = \"matching\"\n[race]\n{format}\nmilestone = 10.0\nunsafe_speed = 2.0\ndisaster_probability = 0.3\nprize = 40.0\ncollective_setback = 0.0\nrealisation = \"expected\"\n[learning]\nrule = \"fixed\"\ngenerations = 4000\n[[lab]]\nname = \"slow\"\ncount = 3\n[[lab]]\nname = \"fast\"\ncount = 3\nspeed = 1.4\n"
        )
    };
    let strategies = vec![AS, AU, AS, AU, AS, AU];
    let options = RunOptions {
        seed: 5,
        record: true,
        strategies: Some(strategies),
        ..RunOptions::default()
    };
    let off = protocol("");
    let pairwise = run(&world(&text("format = \"pairwise\"")), &off, &options);
    let groups = run(
        &world(&text("format = \"groups\"\ngroup_size = 2")),
        &off,
        &options,
    );
    for (lab, expected) in pairwise.mean_payoff.iter().enumerate() {
        let name = &groups.labs[lab].lab;
        let payoffs: Vec<f64> = groups
            .labs
            .iter()
            .filter(|r| &r.lab == name)
            .map(|r| r.payoff)
            .collect();
        assert_eq!(payoffs.len(), 4000);
        let (mean, se) = mean_and_se(&payoffs);
        assert!(se > 0.0, "{name}: opponents vary by generation");
        assert!(
            (mean - expected).abs() < 4.0 * se,
            "{name}: random pairs {mean:.4} ± {se:.4}, every pair {expected:.4}"
        );
    }
}

/// Safe labs per generation of a 16-lab imitation run where safety pays,
/// lab 0 the only safe lab at the start, on the given `[network]`.
fn spread(network: &str) -> Vec<Vec<bool>> {
    let labs = 16;
    let w = world(&format!(
        "stage = \"matrix\"\n[world]\nname = \"spread\"\n[matrix]\npayoffs = [[3.0, 3.0], [1.0, 1.0]]\n[learning]\nrule = \"imitation\"\nselection = 10.0\nexploration = 0.0\ngenerations = 80\nrevisions_per_generation = 2\n{network}\n[[lab]]\nname = \"lab\"\ncount = {labs}\n"
    ));
    let mut strategies = vec![AU; labs];
    strategies[0] = AS;
    let result = run(
        &w,
        &protocol(""),
        &RunOptions {
            seed: 4,
            record: true,
            strategies: Some(strategies),
            ..RunOptions::default()
        },
    );
    result
        .labs
        .chunks(labs)
        .map(|generation| generation.iter().map(|r| r.developed_safely).collect())
        .collect()
}

#[test]
fn on_a_ring_safety_spreads_only_from_neighbour_to_neighbour() {
    // A ring (small world of degree 2, no rewiring): the safe labs always
    // form one arc through lab 0, since a lab can only imitate the two
    // labs beside it. Every lab observing every other breaks the arc.
    let arcs = |generations: &[Vec<bool>]| {
        generations.iter().all(|safe| {
            let n = safe.len();
            let edges = (0..n).filter(|&i| safe[i] && !safe[(i + 1) % n]).count();
            safe[0] && edges <= 1
        })
    };
    let ring = spread("[network]\nkind = \"small_world\"\ndegree = 2\nrewiring = 0.0");
    assert!(arcs(&ring), "safety jumped along the ring");
    let grown = ring.last().unwrap().iter().filter(|&&s| s).count();
    assert!(grown > 4, "safety spread to {grown} labs only");
    // The same ring listed link by link.
    let links: Vec<String> = (1..=16)
        .map(|i| format!("[\"lab-{i}\", \"lab-{}\"]", i % 16 + 1))
        .collect();
    let listed = spread(&format!(
        "[network]\nkind = \"edges\"\nedges = [{}]",
        links.join(", ")
    ));
    assert!(arcs(&listed), "safety jumped along the listed ring");
    assert!(
        !arcs(&spread("")),
        "the complete graph should not keep one arc"
    );
}

#[test]
fn the_empirical_game_of_two_labs_is_dsairs_and_evolves_as_the_engine_says() {
    use accord_dynamics::PairwiseComparison;
    use accord_games::{Game, MatrixGame};
    use accord_sim::egta::{EgtaPlan, estimate};
    // Han et al. (JAIR 2020), b = 4, c = 1, s = 2, p_r = 0.4, B = 400, W = 40,
    // expected payoffs and no protocol: the estimated table is the exact matrix.
    let w = world(
        "[world]\nname = \"dsair\"\n[race]\nformat = \"pairwise\"\nmilestone = 40.0\nbenefit = 4.0\nsafety_cost = 1.0\nunsafe_speed = 2.0\ndisaster_probability = 0.4\nprize = 400.0\ncollective_setback = 0.0\nrealisation = \"expected\"\n[[lab]]\nname = \"lab\"\ncount = 2\n",
    );
    let plan = EgtaPlan {
        strategies: vec![AS, AU],
        replicates: 3,
        generations: 4,
        seed: 7,
    };
    let empirical = estimate(&w, &protocol(""), &plan).unwrap();
    let matrix = dsair_matrix(0.4);
    let payoff = |group: [usize; 2], strategy: usize| {
        let row = empirical
            .table
            .iter()
            .find(|row| row.composition == group)
            .unwrap();
        row.payoffs[strategy].unwrap().mean
    };
    let expected = [
        (payoff([2, 0], 0), matrix[0][0]),
        (payoff([1, 1], 0), matrix[0][1]),
        (payoff([1, 1], 1), matrix[1][0]),
        (payoff([0, 2], 1), matrix[1][1]),
    ];
    for (estimated, exact) in expected {
        assert!((estimated - exact).abs() < 1e-9, "{estimated} vs {exact}");
    }
    // Handed to the dynamics engine, it gives the analytic game's small-mutation limit.
    let analytic = Game::from(
        MatrixGame::new(
            vec!["AS".into(), "AU".into()],
            matrix.iter().map(|row| row.to_vec()).collect(),
        )
        .unwrap(),
    );
    let simulated = Game::from(empirical.game.clone());
    let limit = |game: &Game| {
        PairwiseComparison::new(game, 50, 0.05)
            .unwrap()
            .small_mutation_limit()
            .unwrap()
    };
    let (a, b) = (limit(&analytic), limit(&simulated));
    for (x, y) in a.stationary.iter().zip(&b.stationary) {
        assert!(
            (x - y).abs() < 1e-9,
            "{:?} vs {:?}",
            a.stationary,
            b.stationary
        );
    }
    assert!(
        a.stationary[1] > 0.5,
        "racing is risk-dominant at p_r = 0.4"
    );
}

#[test]
fn the_worst_deviation_without_a_protocol_is_dsairs_temptation() {
    use accord_sim::attack::{AttackPlan, Timing, attack};
    // Two identical labs, pairwise race, expected payoffs, no protocol, with
    // p_r = 0.2 (racing pays): one lab deviating gains Π(AU,AS) − Π(AS,AS),
    // both together Π(AU,AU) − Π(AS,AS), exactly.
    let w = world(
        "[world]\nname = \"dsair\"\n[race]\nformat = \"pairwise\"\nmilestone = 40.0\nbenefit = 4.0\nsafety_cost = 1.0\nunsafe_speed = 2.0\ndisaster_probability = 0.2\nprize = 400.0\ncollective_setback = 0.0\nrealisation = \"expected\"\n[[lab]]\nname = \"lab\"\ncount = 2\n",
    );
    let m = dsair_matrix(0.2);
    let plan = AttackPlan {
        replicates: 3,
        generations: 6,
        max_coalition: 2,
        seed: 1,
    };
    let result = attack(&w, &protocol(""), &plan).unwrap();
    let lab = &result.searched[0];
    assert_eq!(lab.who, "lab");
    // 2 coalitions × (6 deviations × 2 timings + 2 ways of staying out + 2 of
    // leaving + 4 × 8 intensities).
    assert_eq!(lab.tried, 96);
    let alone = m[1][0] - m[0][0];
    let together = m[1][1] - m[0][0];
    assert!(alone > together && alone > 0.0);
    // Gains are linear in the share of unsafe generations here: no intensity
    // tried beats always racing.
    assert!((lab.best_in_search.gain.mean - alone).abs() < 1e-9);
    let best = &lab.confirmed;
    assert!((best.gain.mean - alone).abs() < 1e-9, "{best:?} vs {alone}");
    assert_eq!(best.coalition, ["lab-1"]);
    assert!(best.strategy.starts_with("unsafe/") || best.strategy == "stay out (develop unsafely)");
    assert_eq!(best.timing, Timing::Throughout);
    // The leaders (both labs) can do no better than deviating together.
    let leaders = &result.searched[1];
    assert_eq!(leaders.who, "leaders");
    assert!((leaders.confirmed.gain.mean - together).abs() < 1e-9);
    let worst = result.exploitability().unwrap();
    assert!((worst.gain.mean - alone).abs() < 1e-9);
}

/// The inspection regime's world without its labs.
const INSPECTED_DSAIR: &str = "[world]\nname = \"dsair inspected\"\n[race]\nformat = \"pairwise\"\nmilestone = 40.0\nbenefit = 4.0\nsafety_cost = 1.0\nunsafe_speed = 2.0\ndisaster_probability = 0.2\nprize = 400.0\ncollective_setback = 0.0\nrealisation = \"expected\"\n[economy]\ncredit_value = 0.1\ninvestment_per_safe_period = 10\n[monitors]\ndetection = [0.4]\ncapture = [0.0]\nblind_spot_correlation = 0.0\naudit_rate = 1.0\nfalse_alarm = 0.0\n[whistleblowers]\nbase_probability = 0.0\nprotected_probability = 0.0\n";

/// DSAIR's two labs under an inspection regime built from the protocol's
/// own instruments: one monitor audits every period and detects unsafe
/// development with probability `d`; a safe lab earns `k·I` credits worth
/// `v` each per period, an undetected gamer (claiming the investment while
/// unsafe) earns them too, and each detected violation climbs a rung of a
/// ladder that fines `F` credits (the lab steps down after each compliant
/// period, so the top is never reached). While fines can be paid from what
/// gaming earns (`d·F ≤ (1 − d)·k·I`), the gamer gains, per period,
///
/// ```text
/// Π(AU,AS) − Π(AS,AS) − v·d·(k·I + F)
/// ```
///
/// the inspection game's deterrence condition with inspection probability
/// 1, detection `d` and penalty `v·(F + k·I)` (the fine and the forgone
/// credits; the race gain is kept when caught). Open unsafe development
/// (no claim, no credits, an unpaid fine) gains `Π(AU,AS) − Π(AS,AS) − v·k·I`.
fn inspection_world_and_protocol(credits_per_unit: u64) -> (World, Protocol) {
    let w = world(&format!(
        "{INSPECTED_DSAIR}[[lab]]\nname = \"lab\"\ncount = 2\n"
    ));
    let rungs: String = (0..64)
        .map(|i| format!("[[sanctions.ladder]]\nname = \"fine {i}\"\nfine_credits = 100\n"))
        .collect();
    let p = protocol(&format!(
        "[monitoring]\nenabled = true\nmonitors = 1\npanel_size = 1\nquorum = 1\n[credits]\nenabled = true\ncredits_per_investment_unit = {credits_per_unit}\n[sanctions]\nenabled = true\nescalation_per_breach = 1\nperiods_to_step_down = 1\nexpulsion_is_final = false\n{rungs}"
    ));
    (w, p)
}

/// `accord attack`'s worst deviation in an inspection regime is gaming, and
/// its gain's interval (± 0.1) holds `expected`, which `source` predicts.
fn gaming_gains(world: &World, protocol: &Protocol, expected: f64, source: &str) {
    use accord_sim::attack::{AttackPlan, attack};
    let plan = AttackPlan {
        replicates: 12,
        generations: 40,
        max_coalition: 1,
        seed: 5,
    };
    let result = attack(world, protocol, &plan).unwrap();
    let best = &result.searched[0].confirmed;
    assert!(best.strategy.starts_with("unsafe/gaming"), "{best:?}");
    assert!(
        best.gain.low - 0.1 <= expected && expected <= best.gain.high + 0.1,
        "gain {:?}; {source} says {expected}",
        best.gain
    );
}

#[test]
fn the_worst_deviation_under_inspection_gains_what_the_inspection_game_says() {
    let temptation = {
        let m = dsair_matrix(0.2);
        m[1][0] - m[0][0]
    };
    let (v, d, investment, fine) = (0.1, 0.4, 10.0, 100.0);
    for k in [15u64, 18] {
        let (w, p) = inspection_world_and_protocol(k);
        let credits = k as f64 * investment;
        assert!(d * fine <= (1.0 - d) * credits, "fines are payable");
        let gaming = temptation - v * d * (credits + fine);
        let open = temptation - v * credits;
        assert!(gaming > open, "gaming is the better deviation here");
        gaming_gains(&w, &p, gaming, &format!("k={k}: the inspection game"));
    }
}

/// Near the deterrence boundary (`k = 20`: gaming gains 0.133) the search's
/// finalists' reruns can all fall below 0, and a deviation that changes
/// nothing (threshold manipulation, with no compute metric to manipulate)
/// gains exactly 0 [0, 0] in every replicate. Before 2026-12-06 that inert
/// deviation was confirmed in these seeds and the protocol read "not
/// exploitable" (found by an outside review: 4 of 16 seeds).
#[test]
fn a_deviation_that_changes_nothing_never_decides_the_verdict() {
    use accord_sim::attack::{AttackPlan, Verdict, attack};
    let (w, p) = inspection_world_and_protocol(20);
    for seed in [10, 15] {
        let plan = AttackPlan {
            replicates: 12,
            generations: 20,
            max_coalition: 1,
            seed,
        };
        let result = attack(&w, &p, &plan).unwrap();
        let confirmed = &result.searched[0].confirmed;
        assert!(
            confirmed.strategy.starts_with("unsafe/"),
            "seed {seed}: {confirmed:?}"
        );
        assert!(
            result.searched[0]
                .finalists
                .iter()
                .all(|f| !(f.gain.low == 0.0 && f.gain.high == 0.0)),
            "seed {seed}: {:?}",
            result.searched[0].finalists
        );
        let (verdict, _) = result.verdict().unwrap();
        assert_ne!(verdict, Verdict::NotExploitable, "seed {seed}");
    }
}

/// Commitments with compensation (Han et al. 2013): each lab of the
/// inspection regime above holds a binding treaty to develop safely, with
/// compensation `δ` owed on a violation verdict, once per agreement; a
/// breached agreement is renewed at the next generation. The gamer is
/// convicted at least once in a race of `T` periods with probability
/// `1 − (1 − d)^T`, so its per-period gain falls by
///
/// ```text
/// v·δ·(1 − (1 − d)^T)/T
/// ```
///
/// (the unsafe gamer finishes the race to `W = 40` at speed 2 in `T = 20`).
#[test]
fn a_treaty_lowers_the_gamers_gain_by_its_expected_compensation() {
    let temptation = {
        let m = dsair_matrix(0.2);
        m[1][0] - m[0][0]
    };
    let (v, d, investment, fine, k, periods) = (0.1, 0.4, 10.0, 100.0, 15u64, 20);
    let gaming = temptation - v * d * (k as f64 * investment + fine);
    for compensation in [0u64, 300] {
        let (w, mut p) = inspection_world_and_protocol(k);
        p.commitments.enabled = true;
        p.commitments.default_compensation_credits = compensation;
        let owed = v * compensation as f64 * (1.0 - (1.0 - d).powi(periods)) / f64::from(periods);
        let expected = gaming - owed;
        gaming_gains(
            &w,
            &p,
            expected,
            &format!("compensation {compensation}: Han et al."),
        );
    }
}

/// The cost of exit: a lab that leaves the inspection regime above midway
/// (the core's `leave`, rule 25a) and goes on developing safely keeps its
/// race payoff, forgoes the credits compliance earns, `v·k·I` per period,
/// and pays once, on the way out, for what binds it: its treaty's
/// compensation `δ` and the fine `F` of the breach leaving is. Over the
/// second half's `P` periods it gains
///
/// ```text
/// −v·k·I − v·(δ + F)/P
/// ```
///
/// exactly: safe labs race deterministically and are never found violating.
#[test]
fn leaving_costs_the_credits_forgone_and_what_binds_the_lab() {
    let (v, investment, fine, k, generations) = (0.1, 10.0, 100.0, 15u64, 20u32);
    for compensation in [0u64, 300] {
        let (w, mut p) = inspection_world_and_protocol(k);
        p.commitments.enabled = true;
        p.commitments.default_compensation_credits = compensation;
        let options = |departures: Option<Vec<bool>>| RunOptions {
            seed: 3,
            record: true,
            strategies: Some(vec![AS; 2]),
            fixed: true,
            generations: Some(generations),
            comply_until: departures.is_some().then_some(generations / 2),
            departures,
            ..RunOptions::default()
        };
        let comply = run(&w, &p, &options(None));
        let leave = run(&w, &p, &options(Some(vec![true, false])));
        let periods: f64 = leave.generations[generations as usize / 2..]
            .iter()
            .map(|g| g.periods)
            .sum();
        let expected = -v * k as f64 * investment - v * (compensation as f64 + fine) / periods;
        let gain = leave.mean_utility[0] - comply.mean_utility[0];
        assert!(
            (gain - expected).abs() < 1e-9,
            "compensation {compensation}: gain {gain}, expected {expected}"
        );
        assert_eq!(
            leave.mean_utility[1], comply.mean_utility[1],
            "the lab that stays loses nothing by the other's exit"
        );
    }
}

/// The least credit price that deters every deviation in the inspection
/// regime above: gaming stops paying at `k·I ≥ (Π(AU,AS) − Π(AS,AS))/(v·d) − F`,
/// here `k* = ⌈20.33⌉ = 21` credits per unit invested; `accord design` finds
/// it within the attack's resolution: never below it, and at most two prices
/// above, where 12 replicates show every deviation's gain below its margin
/// (intermittent deviations lose little near the boundary).
#[test]
fn design_finds_the_least_credit_price_that_deters_gaming() {
    use accord_sim::attack::AttackPlan;
    use accord_sim::design::Range;
    use accord_sim::search::{DesignPlan, Goal, Parameter, search};
    let temptation = {
        let m = dsair_matrix(0.2);
        m[1][0] - m[0][0]
    };
    let (v, d, investment, fine) = (0.1, 0.4, 10.0, 100.0);
    let least = ((temptation / (v * d) - fine) / investment).ceil();
    assert_eq!(least, 21.0);
    let (w, p) = inspection_world_and_protocol(1);
    let price = Parameter {
        path: "credits.credits_per_investment_unit".into(),
        range: Range {
            low: 19.0,
            high: 23.0,
            whole: true,
        },
        cost_per_unit: investment,
    };
    let plan = DesignPlan {
        candidates: 5,
        replicates: 2,
        generations: Some(4),
        seed: 5,
        attack: Some(AttackPlan {
            replicates: 12,
            generations: 20,
            max_coalition: 1,
            seed: 5,
        }),
        max_attacks: 5,
    };
    let goal: Goal = "cooperation>=0".parse().unwrap();
    let design = search(&w, &p, &[price], goal, &plan).unwrap();
    let chosen = design.design.map(|k| design.candidates[k].values[0]);
    assert!(
        chosen.is_some_and(|k| (least..=least + 2.0).contains(&k)),
        "design {chosen:?}, least deterring price {least}: {:#?}",
        design.candidates
    );
    for c in &design.candidates {
        if c.values[0] < least {
            let s = c
                .stability
                .as_ref()
                .expect("cheaper candidates were attacked");
            assert!(!s.stable && s.exploitability.mean > 0.0, "{c:?}");
        }
    }
    assert!(design.binding.iter().any(|b| b.starts_with("stability")));
}

/// Lobbying (Grossman and Helpman 1994) over a pure transfer: the credit
/// price `k` moves credits, which are not welfare, so with fixed strategies
/// welfare is the same at every `k` and the gamer's payoff rises with it
/// (an undetected gamer is paid `k·I`). Any regulator that values the
/// gamer's contributions at all (finite `a`) then sets the lobby's best
/// price, the top of the range; one that weighs welfare alone is
/// indifferent and keeps the protocol's price; a lobby of nobody moves nothing.
#[test]
fn lobbying_moves_a_pure_transfer_to_the_lobbys_optimum_whatever_the_welfare_weight() {
    use accord_sim::lobbying::{LobbyPlan, lobbying};
    let (_, protocol) = inspection_world_and_protocol(15);
    let world = world(&format!(
        "{INSPECTED_DSAIR}[learning]\nrule = \"fixed\"\n[[lab]]\nname = \"gamer\"\ninitial = {{ development = \"unsafe\", reporting = \"gaming\" }}\n[[lab]]\nname = \"rival\"\ninitial = {{ development = \"safe\", reporting = \"honest\" }}\n"
    ));
    let path = "credits.credits_per_investment_unit".to_string();
    let plan = |lobby: Vec<usize>| LobbyPlan {
        lobby,
        welfare_weights: vec![0.0, 1.0, 100.0, f64::INFINITY],
        points: 4,
        replicates: 4,
        generations: Some(6),
        seed: 3,
    };
    let analysis = lobbying(
        &world,
        &protocol,
        &[(path.clone(), 10.0, 20.0)],
        &plan(vec![0]),
    )
    .unwrap()
    .remove(0);
    let values: Vec<f64> = analysis.points.iter().map(|p| p.value).collect();
    assert_eq!(
        values,
        [10.0, 13.0, 15.0, 17.0, 20.0],
        "the grid and the protocol's 15"
    );
    assert_eq!(analysis.points[analysis.status_quo_point].value, 15.0);
    for pair in analysis.points.windows(2) {
        assert_eq!(
            pair[0].welfare.mean, pair[1].welfare.mean,
            "credits are transfers"
        );
        assert!(pair[1].lobby_payoff.mean > pair[0].lobby_payoff.mean);
    }
    let chosen: Vec<f64> = analysis.choices.iter().map(|c| c.value).collect();
    assert_eq!(chosen, [20.0, 20.0, 20.0, 15.0]);
    let nobody = lobbying(&world, &protocol, &[(path, 10.0, 20.0)], &plan(vec![]))
        .unwrap()
        .remove(0);
    assert!(nobody.choices.iter().all(|c| c.value == 15.0));
}
