//! The small-mutation limit at every selection strength (issue 11).
//!
//! The rule tested: as `β → ∞`, `ln π_r / β → −(W(r) − min_s W(s))`, where
//! `W(r)` is the least total invasion cost of a spanning tree of moves that
//! leads every other monomorphic state to `r` (Freidlin & Wentzell 1984,
//! through the Markov chain tree theorem; module docs of
//! `accord_dynamics::SmallMutationLimit`). At finite `β` the error is at most
//! the log prefactors over `β`: `ln ρ` differs from `−β c` by at most `ln Z`,
//! each tree has `n − 1` edges with a `1/(n − 1)` choice each, and at most
//! `n^{n−2}` trees add up, so the tolerance below is
//! `[(n − 1)(ln Z + ln(n − 1)) + (n − 2) ln n] / β`.

use accord_dynamics::{LOG_BALANCE_TOLERANCE, PairwiseComparison, STATIONARY_TOLERANCE};
use accord_games::{Game, MatrixGame, models};
use proptest::prelude::*;

fn matrix(rows: Vec<Vec<f64>>) -> Game {
    let names = (0..rows.len()).map(|i| format!("S{i}")).collect();
    MatrixGame::new(names, rows).unwrap().into()
}

/// `W(r)` for every root `r`, by enumerating every choice of one move per
/// non-root state and keeping those that form a tree into `r`.
fn tree_potentials(process: &PairwiseComparison<'_>) -> Vec<f64> {
    let n = process.strategy_count();
    // cost[from][to]: the population of `from` taken over by a `to` mutant.
    let cost: Vec<Vec<f64>> = (0..n)
        .map(|from| {
            (0..n)
                .map(|to| {
                    if from == to {
                        0.0
                    } else {
                        process.invasion_cost(to, from).unwrap()
                    }
                })
                .collect()
        })
        .collect();
    (0..n)
        .map(|root| {
            let others: Vec<usize> = (0..n).filter(|&s| s != root).collect();
            let mut best = f64::INFINITY;
            let mut choice = vec![0usize; others.len()];
            loop {
                let next = |s: usize| -> usize {
                    let k = others.iter().position(|&o| o == s).unwrap();
                    let t = choice[k];
                    if t >= s { t + 1 } else { t }
                };
                let is_tree = others.iter().all(|&start| {
                    let mut s = start;
                    for _ in 0..n {
                        if s == root {
                            return true;
                        }
                        s = next(s);
                    }
                    s == root
                });
                if is_tree {
                    let total: f64 = others.iter().map(|&s| cost[s][next(s)]).sum();
                    best = best.min(total);
                }
                // Next choice: each non-root state moves to one of the n − 1 others.
                let mut k = 0;
                while k < choice.len() {
                    choice[k] += 1;
                    if choice[k] < n - 1 {
                        break;
                    }
                    choice[k] = 0;
                    k += 1;
                }
                if k == choice.len() {
                    break;
                }
            }
            best
        })
        .collect()
}

fn check_strong_selection_rule(game: &Game, population: usize, beta: f64) {
    let process = PairwiseComparison::new(game, population, beta).unwrap();
    let sml = process.small_mutation_limit().unwrap();
    let potentials = tree_potentials(&process);
    let least = potentials.iter().copied().fold(f64::INFINITY, f64::min);
    let top = sml
        .log_stationary
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let n = game.strategy_count() as f64;
    let tolerance = ((n - 1.0) * ((population as f64).ln() + (n - 1.0).ln())
        + (n - 2.0).max(0.0) * n.ln())
        / beta;
    for (r, (&log_pi, &w)) in sml.log_stationary.iter().zip(&potentials).enumerate() {
        let rate = (top - log_pi) / beta;
        assert!(
            (rate - (w - least)).abs() <= tolerance + 1e-9,
            "state {r}: −ln π/β = {rate}, W − min W = {}, tolerance {tolerance}",
            w - least
        );
    }
}

#[test]
fn a_strictly_dominant_strategy_is_selected() {
    // S2 strictly dominates; S0 and S1 are neutral with each other.
    let game = matrix(vec![
        vec![1.0, 1.0, 0.0],
        vec![1.0, 1.0, 0.0],
        vec![3.0, 3.0, 2.0],
    ]);
    for beta in [1.0, 10.0, 100.0] {
        let sml = PairwiseComparison::new(&game, 100, beta)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        assert!(
            sml.stationary[2] > 0.9999,
            "β = {beta}: {:?}",
            sml.stationary
        );
    }
    check_strong_selection_rule(&game, 100, 100.0);
}

#[test]
fn a_rock_paper_scissors_cycle_spreads_evenly_whatever_its_payoffs() {
    // Each strategy is taken over at no cost by the one that beats it and
    // only across a valley by the one it beats: every W is 0, and the chain
    // tends to the deterministic cycle R → P → S → R, uniform in the limit
    // even though the payoffs are not symmetric.
    let game = matrix(vec![
        vec![0.0, -1.0, 3.0],
        vec![2.0, 0.0, -0.5],
        vec![-2.0, 1.5, 0.0],
    ]);
    let sml = PairwiseComparison::new(&game, 50, 200.0)
        .unwrap()
        .small_mutation_limit()
        .unwrap();
    for p in &sml.stationary {
        assert!((p - 1.0 / 3.0).abs() < 1e-6, "{:?}", sml.stationary);
    }
    check_strong_selection_rule(&game, 50, 200.0);
}

#[test]
fn default_dsair_under_strong_selection_selects_unsafe_development() {
    // Issue 11: `accord egt sml --beta 0.25` printed AS = 1; ln ρ(AS→AU) ≈ −792.
    let model = models::find("dsair").unwrap();
    let game = model.build(&model.defaults()).unwrap();
    let process = PairwiseComparison::new(&game, model.figure_population, 0.25).unwrap();
    assert!(process.log_fixation_probability(0, 1).unwrap() < -745.0);
    let sml = process.small_mutation_limit().unwrap();
    assert!(sml.stationary[1] > 0.999, "{:?}", sml.stationary);
    assert!(sml.log_stationary[0] < -700.0);
    check_strong_selection_rule(&game, model.figure_population, 0.25);

    let large = PairwiseComparison::new(&game, 5000, model.figure_beta)
        .unwrap()
        .small_mutation_limit()
        .unwrap();
    assert!(large.stationary[1] > 0.999, "{:?}", large.stationary);
}

#[test]
fn every_returned_distribution_passed_its_checks() {
    let model = models::find("dsair").unwrap();
    let game = model.build(&model.defaults()).unwrap();
    for beta in [0.0, 0.01, 0.25, 10.0] {
        let sml = PairwiseComparison::new(&game, 100, beta)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        assert!(sml.residual <= STATIONARY_TOLERANCE);
        assert!(sml.log_balance_error <= LOG_BALANCE_TOLERANCE);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// On random games of 2 to 4 strategies, strong selection follows the
    /// least-cost tree rule.
    #[test]
    fn random_games_follow_the_tree_rule(
        n in 2usize..=4,
        entries in proptest::collection::vec(-3.0f64..3.0, 16),
        beta in prop_oneof![Just(300.0), Just(3000.0)],
    ) {
        let rows: Vec<Vec<f64>> = (0..n).map(|i| entries[i * n..(i + 1) * n].to_vec()).collect();
        check_strong_selection_rule(&matrix(rows), 30, beta);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Relabelling strategies permutes the small-mutation limit, and adding a
    /// constant to every payoff changes nothing (only differences select),
    /// at any selection strength.
    #[test]
    fn the_small_mutation_limit_is_invariant_to_relabelling_and_shifts(
        entries in proptest::collection::vec(-3.0f64..3.0, 9),
        shift in -50.0f64..50.0,
        beta in prop_oneof![Just(0.1), Just(10.0), Just(1000.0)],
    ) {
        let rows: Vec<Vec<f64>> = (0..3).map(|i| entries[3 * i..3 * i + 3].to_vec()).collect();
        let base = PairwiseComparison::new(&matrix(rows.clone()), 40, beta)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        // Cycle the labels: new strategy k is old strategy (k + 1) mod 3.
        let cycled: Vec<Vec<f64>> = (0..3)
            .map(|i| (0..3).map(|j| rows[(i + 1) % 3][(j + 1) % 3]).collect())
            .collect();
        let relabelled = PairwiseComparison::new(&matrix(cycled), 40, beta)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        let shifted: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|x| x + shift).collect()).collect();
        let moved = PairwiseComparison::new(&matrix(shifted), 40, beta)
            .unwrap()
            .small_mutation_limit()
            .unwrap();
        for k in 0..3 {
            let a = base.log_stationary[(k + 1) % 3];
            let tolerance = 1e-9 * a.abs().max(1.0);
            prop_assert!((relabelled.log_stationary[k] - a).abs() <= tolerance, "{:?} vs {:?}", relabelled.log_stationary, base.log_stationary);
            // Shifting payoffs moves each fitness by the same amount up to rounding of ±50.
            prop_assert!((moved.log_stationary[k] - base.log_stationary[k]).abs() <= 1e-6 * base.log_stationary[k].abs().max(1.0) * beta.max(1.0));
        }
    }
}
