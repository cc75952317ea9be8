//! Accord's Nash-equilibrium tools against nashpy and pygambit, and the
//! theorems they must satisfy on random games.
//!
//! The fixture `data/nash/reference.json` is written by
//! `data/nash/make_reference.py` (47 games: 5 classics and 42 random games
//! from 2 × 2 to 6 × 6 with integer or 6-decimal real payoffs) with the
//! equilibria found by nashpy's `support_enumeration` and
//! `vertex_enumeration` and by Gambit's `enummixed` (exact rationals).
//!
//! 35 fixture games are nondegenerate: there Accord's support and vertex
//! enumeration, nashpy's vertex enumeration and Gambit agree exactly (to
//! 1e-9). The 12 degenerate ones (the degenerate classic and 11 integer
//! games, decided by `is_degenerate`) have infinitely many equilibria or
//! equilibria with supports of unequal size; there only the *extreme*
//! equilibria are well defined as a finite set: Accord's vertex enumeration,
//! nashpy's vertex enumeration and Gambit's `enummixed` list the same ones,
//! while both support enumerations (equal-size supports) list a subset. E.g.
//! on the degenerate classic (von Stengel's 3 × 2 game with a continuum)
//! nashpy's support enumeration returns 2 equilibria and warns that the
//! game is degenerate, the vertex enumerations and Gambit return 3.

use accord_games::MatrixGame;
use accord_games::equilibrium::commitment::{
    mixed_commitment, pure_commitment, value_of_commitment,
};
use accord_games::equilibrium::{
    Bimatrix, Equilibrium, Player, is_degenerate, support_enumeration, symmetric_equilibria,
    vertex_enumeration,
};
use proptest::prelude::*;
use serde::Deserialize;

/// Probabilities of matched equilibria may differ by this much.
const MATCH: f64 = 1e-9;

#[derive(Debug, Deserialize)]
struct Reference {
    games: Vec<FixtureGame>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case)]
struct FixtureGame {
    name: String,
    A: Vec<Vec<f64>>,
    B: Vec<Vec<f64>>,
    nashpy_support_enumeration: Vec<Profile>,
    nashpy_support_enumeration_clamped: Vec<Profile>,
    nashpy_vertex_enumeration: Vec<Profile>,
    gambit_enummixed: Vec<Profile>,
}

#[derive(Debug, Clone, Deserialize)]
struct Profile {
    row: Vec<f64>,
    column: Vec<f64>,
}

impl From<&Equilibrium> for Profile {
    fn from(e: &Equilibrium) -> Self {
        Profile {
            row: e.row.clone(),
            column: e.column.clone(),
        }
    }
}

fn reference() -> Reference {
    let text = include_str!("data/nash/reference.json");
    serde_json::from_str(text).expect("valid fixture")
}

fn same_profile(a: &Profile, b: &Profile) -> bool {
    a.row.len() == b.row.len()
        && a.column.len() == b.column.len()
        && a.row
            .iter()
            .chain(&a.column)
            .zip(b.row.iter().chain(&b.column))
            .all(|(u, v)| (u - v).abs() <= MATCH)
}

/// Drops repeated profiles (nashpy's vertex enumeration can list an
/// equilibrium once per degenerate vertex representation).
fn distinct(profiles: &[Profile]) -> Vec<Profile> {
    let mut kept: Vec<Profile> = Vec::new();
    for p in profiles {
        if !kept.iter().any(|k| same_profile(k, p)) {
            kept.push(p.clone());
        }
    }
    kept
}

fn contains_all(whole: &[Profile], part: &[Profile]) -> bool {
    part.iter()
        .all(|p| whole.iter().any(|w| same_profile(w, p)))
}

fn same_set(a: &[Profile], b: &[Profile]) -> bool {
    let (a, b) = (distinct(a), distinct(b));
    a.len() == b.len() && contains_all(&a, &b) && contains_all(&b, &a)
}

fn profiles(equilibria: &[Equilibrium]) -> Vec<Profile> {
    equilibria.iter().map(Profile::from).collect()
}

fn bimatrix(game: &FixtureGame) -> Bimatrix {
    Bimatrix::new(game.A.clone(), game.B.clone()).expect("finite fixture game")
}

/// Nondegenerate games on which nashpy 0.0.43's `support_enumeration`
/// misses equilibria that Gambit, nashpy's own `vertex_enumeration` and
/// Accord all find. Its `solve_indifference` accepts a solution only when
/// every entry is `≥ 0` exactly, and the probability it forces to zero on a
/// strategy outside the support comes out of `numpy.linalg.solve` as, e.g.,
/// `−3.1e-17` (`real 4x4 #0`, row support {0, 2, 3}), so the equilibrium is
/// dropped. The fixture also holds nashpy's support enumeration with that one
/// check clamped (`|p| < 1e-12` set to 0), which finds them all and is
/// compared with Accord's support enumeration on every game.
const NASHPY_SUPPORT_ENUMERATION_MISSES: &[&str] = &[
    "real 3x3 #0",
    "real 4x4 #0",
    "real 4x4 #1",
    "integer 3x5 #1",
    "real 3x5 #0",
    "real 3x5 #2",
    "real 5x5 #0",
    "real 5x5 #1",
    "real 5x5 #2",
    "integer 6x6 #0",
    "real 6x6 #0",
    "real 6x6 #1",
    "real 6x6 #2",
];

#[test]
fn nondegenerate_fixture_games_agree_with_nashpy_and_gambit() {
    let reference = reference();
    let mut nondegenerate = 0;
    let mut nashpy_misses = Vec::new();
    for game in &reference.games {
        let bimatrix = bimatrix(game);
        if is_degenerate(&bimatrix).unwrap() {
            continue;
        }
        nondegenerate += 1;
        let by_supports = profiles(&support_enumeration(&bimatrix).unwrap());
        let by_vertices = profiles(&vertex_enumeration(&bimatrix).unwrap());
        let name = &game.name;
        assert!(
            same_set(&by_supports, &by_vertices),
            "{name}: Accord's two methods differ"
        );
        assert!(
            same_set(&by_vertices, &game.gambit_enummixed),
            "{name}: Accord vs Gambit"
        );
        assert!(
            same_set(&by_vertices, &game.nashpy_vertex_enumeration),
            "{name}: Accord vs nashpy vertex enumeration"
        );
        assert!(
            by_vertices.len() % 2 == 1,
            "{name}: even number of equilibria"
        );
        assert!(
            same_set(&by_supports, &game.nashpy_support_enumeration_clamped),
            "{name}: Accord vs nashpy support enumeration (clamped)"
        );
        assert!(
            contains_all(&by_vertices, &game.nashpy_support_enumeration),
            "{name}: nashpy support enumeration found an equilibrium Accord did not"
        );
        if !same_set(&by_vertices, &game.nashpy_support_enumeration) {
            nashpy_misses.push(name.as_str());
        }
    }
    println!(
        "{nondegenerate} nondegenerate fixture games; nashpy support enumeration misses on {nashpy_misses:?}"
    );
    assert_eq!(nondegenerate, 35);
    assert_eq!(nashpy_misses, NASHPY_SUPPORT_ENUMERATION_MISSES);
}

#[test]
fn degenerate_fixture_games_report_the_extreme_equilibria() {
    let reference = reference();
    for game in &reference.games {
        let bimatrix = bimatrix(game);
        if !is_degenerate(&bimatrix).unwrap() {
            continue;
        }
        let name = &game.name;
        let by_vertices = profiles(&vertex_enumeration(&bimatrix).unwrap());
        let by_supports = profiles(&support_enumeration(&bimatrix).unwrap());
        println!(
            "{name}: degenerate; Accord vertex {} / support {}, Gambit {}, nashpy vertex {} / support {}",
            by_vertices.len(),
            by_supports.len(),
            game.gambit_enummixed.len(),
            distinct(&game.nashpy_vertex_enumeration).len(),
            game.nashpy_support_enumeration.len()
        );
        // Gambit's enummixed lists exactly the extreme equilibria, as Accord's
        // vertex enumeration does; support enumeration (equal supports,
        // nonsingular systems) finds extreme equilibria only, maybe not all.
        assert!(
            same_set(&by_vertices, &game.gambit_enummixed),
            "{name}: Accord vs Gambit"
        );
        assert!(
            contains_all(&by_vertices, &by_supports),
            "{name}: support ⊄ vertex"
        );
        assert!(
            same_set(&by_vertices, &game.nashpy_vertex_enumeration),
            "{name}: Accord vs nashpy vertex enumeration"
        );
        // The same equal-size support enumeration as nashpy's (with its
        // rounding check clamped): the same extreme equilibria, not all of them.
        assert!(
            same_set(&by_supports, &game.nashpy_support_enumeration_clamped),
            "{name}: Accord vs nashpy support enumeration (clamped)"
        );
        for tool in [
            &game.gambit_enummixed,
            &game.nashpy_vertex_enumeration,
            &game.nashpy_support_enumeration,
        ] {
            for p in tool {
                assert!(
                    bimatrix.exploitability(&p.row, &p.column).unwrap() <= 1e-9,
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn every_fixture_equilibrium_has_zero_exploitability() {
    for game in &reference().games {
        let bimatrix = bimatrix(game);
        for e in vertex_enumeration(&bimatrix).unwrap() {
            let nash_conv = bimatrix.exploitability(&e.row, &e.column).unwrap();
            assert!(nash_conv <= 1e-9, "{}: {nash_conv}", game.name);
        }
    }
}

#[test]
fn symmetric_fixture_games_have_their_symmetric_equilibria() {
    let mut symmetric = 0;
    for game in &reference().games {
        let n = game.A.len();
        let is_symmetric = game.A.iter().all(|r| r.len() == n)
            && (0..n).all(|i| (0..n).all(|j| game.A[i][j] == game.B[j][i]));
        if !is_symmetric {
            continue;
        }
        symmetric += 1;
        let matrix =
            MatrixGame::new((0..n).map(|i| format!("s{i}")).collect(), game.A.clone()).unwrap();
        let found = symmetric_equilibria(&matrix).unwrap();
        let diagonal: Vec<&Profile> = game
            .gambit_enummixed
            .iter()
            .filter(|p| {
                p.row
                    .iter()
                    .zip(&p.column)
                    .all(|(a, b)| (a - b).abs() <= MATCH)
            })
            .collect();
        assert_eq!(found.len(), diagonal.len(), "{}", game.name);
        for p in diagonal {
            assert!(found.iter().any(|s| {
                s.strategy
                    .iter()
                    .zip(&p.row)
                    .all(|(a, b)| (a - b).abs() <= MATCH)
            }));
        }
    }
    // Prisoner's dilemma and rock–paper–scissors.
    assert_eq!(symmetric, 2);
}

// ---------------------------------------------------------------------------
// Properties on random games
// ---------------------------------------------------------------------------

/// Random games with continuous payoffs (nondegenerate with probability one;
/// the rare degenerate draw is discarded).
fn real_game(max: usize) -> impl Strategy<Value = Bimatrix> {
    (1..=max, 1..=max).prop_flat_map(|(m, n)| {
        let matrix = move || prop::collection::vec(prop::collection::vec(-10.0..10.0f64, n), m);
        (matrix(), matrix()).prop_map(|(a, b)| Bimatrix::new(a, b).unwrap())
    })
}

/// Random games with small integer payoffs (often degenerate).
fn integer_game(max: usize) -> impl Strategy<Value = Bimatrix> {
    (1..=max, 1..=max).prop_flat_map(|(m, n)| {
        let matrix = move || prop::collection::vec(prop::collection::vec(-3i32..=3, n), m);
        (matrix(), matrix()).prop_map(|(a, b)| {
            let to_f64 = |rows: Vec<Vec<i32>>| -> Vec<Vec<f64>> {
                rows.into_iter()
                    .map(|r| r.into_iter().map(f64::from).collect())
                    .collect()
            };
            Bimatrix::new(to_f64(a), to_f64(b)).unwrap()
        })
    })
}

fn pure(count: usize, index: usize) -> Vec<f64> {
    let mut mix = vec![0.0; count];
    mix[index] = 1.0;
    mix
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn support_and_vertex_enumeration_agree_on_nondegenerate_games(game in real_game(5)) {
        prop_assume!(!is_degenerate(&game).unwrap());
        let by_supports = support_enumeration(&game).unwrap();
        let by_vertices = vertex_enumeration(&game).unwrap();
        prop_assert!(same_set(&profiles(&by_supports), &profiles(&by_vertices)));
        // Oddness (Shapley 1974; Lemke–Howson 1964).
        prop_assert!(by_supports.len() % 2 == 1, "{} equilibria", by_supports.len());
        for e in &by_supports {
            prop_assert!(game.exploitability(&e.row, &e.column).unwrap() <= 1e-9);
        }
    }

    #[test]
    fn exploitability_is_positive_exactly_off_equilibrium(game in real_game(5)) {
        prop_assume!(!is_degenerate(&game).unwrap());
        let equilibria = profiles(&vertex_enumeration(&game).unwrap());
        for i in 0..game.rows() {
            for j in 0..game.columns() {
                let profile = Profile { row: pure(game.rows(), i), column: pure(game.columns(), j) };
                let is_equilibrium = equilibria.iter().any(|e| same_profile(e, &profile));
                let nash_conv = game.exploitability(&profile.row, &profile.column).unwrap();
                prop_assert_eq!(nash_conv <= 1e-9, is_equilibrium);
                prop_assert!(nash_conv >= 0.0);
            }
        }
        // The uniform profile is an equilibrium only by accident.
        let row = vec![1.0 / game.rows() as f64; game.rows()];
        let column = vec![1.0 / game.columns() as f64; game.columns()];
        let uniform = Profile { row: row.clone(), column: column.clone() };
        if !equilibria.iter().any(|e| same_profile(e, &uniform)) {
            prop_assert!(game.exploitability(&row, &column).unwrap() > 1e-9);
        }
    }

    #[test]
    fn support_enumeration_finds_only_extreme_equilibria_of_any_game(game in integer_game(4)) {
        let by_supports = profiles(&support_enumeration(&game).unwrap());
        let by_vertices = vertex_enumeration(&game).unwrap();
        prop_assert!(!by_vertices.is_empty());
        prop_assert!(contains_all(&profiles(&by_vertices), &by_supports));
        for e in &by_vertices {
            prop_assert!(game.exploitability(&e.row, &e.column).unwrap() <= 1e-9);
        }
    }

    #[test]
    fn symmetric_equilibria_are_the_diagonal_ones(rows in (1usize..=4).prop_flat_map(|n| prop::collection::vec(prop::collection::vec(-10.0..10.0f64, n), n))) {
        let n = rows.len();
        let matrix = MatrixGame::new((0..n).map(|i| format!("s{i}")).collect(), rows).unwrap();
        let game = Bimatrix::from(&matrix);
        prop_assume!(!is_degenerate(&game).unwrap());
        let symmetric = symmetric_equilibria(&matrix).unwrap();
        // Nash (1951): every symmetric game has a symmetric equilibrium.
        prop_assert!(!symmetric.is_empty());
        let diagonal: Vec<Equilibrium> = support_enumeration(&game)
            .unwrap()
            .into_iter()
            .filter(|e| e.row.iter().zip(&e.column).all(|(a, b)| (a - b).abs() <= MATCH))
            .collect();
        prop_assert_eq!(symmetric.len(), diagonal.len());
        for (s, e) in symmetric.iter().zip(&diagonal) {
            prop_assert!(s.strategy.iter().zip(&e.row).all(|(a, b)| (a - b).abs() <= MATCH));
            prop_assert!((s.payoff - e.row_payoff).abs() <= 1e-9);
        }
    }

    #[test]
    fn mixed_commitment_is_never_worse_than_nash_or_pure_commitment(
        game in prop_oneof![real_game(4), integer_game(4)],
        leader in prop_oneof![Just(Player::Row), Just(Player::Column)],
    ) {
        // von Stengel & Zamir (2010): the leader's optimal mixed commitment
        // pays at least the leader's payoff in every Nash equilibrium.
        let value = value_of_commitment(&game, leader).unwrap();
        let tolerance = 1e-9 * 10.0;
        prop_assert!(value.mixed.leader_payoff >= value.best_nash_leader_payoff - tolerance);
        prop_assert!(value.mixed.leader_payoff >= value.pure.leader_payoff - tolerance);
        // The follower's reply really is a best response to the commitment.
        let game_for_leader = match leader {
            Player::Row => game.clone(),
            Player::Column => game.with_players_swapped(),
        };
        let replies = game_for_leader.best_responses(Player::Column, &value.mixed.leader_mix).unwrap();
        prop_assert!(replies.strategies.contains(&value.mixed.follower_response));
        let pure_replies = game_for_leader.best_responses(Player::Column, &value.pure.leader_mix).unwrap();
        prop_assert!(pure_replies.strategies.contains(&value.pure.follower_response));
    }

    #[test]
    fn commitment_in_zero_sum_games_is_worth_the_value(rows in (1usize..=4, 1usize..=4).prop_flat_map(|(m, n)| prop::collection::vec(prop::collection::vec(-10.0..10.0f64, n), m))) {
        // Minimax theorem: committing to the maximin mix earns exactly the
        // value, which every equilibrium pays.
        let game = Bimatrix::zero_sum(rows).unwrap();
        let mixed = mixed_commitment(&game, Player::Row).unwrap();
        for e in vertex_enumeration(&game).unwrap() {
            prop_assert!((mixed.leader_payoff - e.row_payoff).abs() <= 1e-8, "{} vs {}", mixed.leader_payoff, e.row_payoff);
        }
        prop_assert!(pure_commitment(&game, Player::Row).leader_payoff <= mixed.leader_payoff + 1e-9);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// Equilibria are invariant to what does not change incentives: positive
    /// scaling of a player's payoffs, adding a constant to each column of the
    /// row player's payoffs (and each row of the column player's), and
    /// relabelling strategies (which permutes the profiles).
    #[test]
    fn equilibria_are_invariant_to_affine_payoffs_and_relabelling(
        game in real_game(4),
        scale in 0.1f64..10.0,
        shift in -5.0f64..5.0,
    ) {
        prop_assume!(!is_degenerate(&game).unwrap());
        let (m, n) = (game.rows(), game.columns());
        let a = game.row_payoffs();
        let b = game.column_payoffs();
        let a2: Vec<Vec<f64>> = a.iter().map(|r| r.iter().enumerate().map(|(j, x)| scale * x + shift * j as f64).collect()).collect();
        let b2: Vec<Vec<f64>> = b.iter().enumerate().map(|(i, r)| r.iter().map(|x| x / scale - shift * i as f64).collect()).collect();
        let transformed = Bimatrix::new(a2, b2).unwrap();
        let original = profiles(&vertex_enumeration(&game).unwrap());
        prop_assert!(same_set(&original, &profiles(&vertex_enumeration(&transformed).unwrap())));
        // Reverse the order of both players' strategies.
        let reversed = Bimatrix::new(
            a.iter().rev().map(|r| r.iter().rev().copied().collect()).collect(),
            b.iter().rev().map(|r| r.iter().rev().copied().collect()).collect(),
        )
        .unwrap();
        let back: Vec<Profile> = profiles(&vertex_enumeration(&reversed).unwrap())
            .into_iter()
            .map(|p| Profile { row: p.row.into_iter().rev().collect(), column: p.column.into_iter().rev().collect() })
            .collect();
        prop_assert!(same_set(&original, &back));
        prop_assert_eq!((m, n), (reversed.rows(), reversed.columns()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// The payoffs' unit changes nothing: a game in units of 1e-10 or 1e8
    /// (or lifted by 1e6) has the same equilibria, degeneracy and
    /// commitments, degenerate games included (support enumeration found no
    /// equilibrium at all in millions) (an outside review found every profile of Battle of the
    /// Sexes in units of 1e-10 reported as an equilibrium, when tolerances
    /// were absolute below payoffs of 1).
    #[test]
    fn equilibria_do_not_depend_on_the_payoffs_unit(
        game in integer_game(4),
        unit in prop::sample::select(vec![1e-10, 1e8]),
    ) {
        let scaled = |rows: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            rows.into_iter().map(|r| r.into_iter().map(|x| x * unit).collect()).collect()
        };
        let other = Bimatrix::new(scaled(game.row_payoffs()), scaled(game.column_payoffs())).unwrap();
        prop_assert_eq!(is_degenerate(&game).unwrap(), is_degenerate(&other).unwrap());
        let original = profiles(&vertex_enumeration(&game).unwrap());
        prop_assert!(same_set(&original, &profiles(&vertex_enumeration(&other).unwrap())));
        let supports = profiles(&support_enumeration(&game).unwrap());
        prop_assert!(same_set(&supports, &profiles(&support_enumeration(&other).unwrap())));
        let shifted = |rows: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            rows.into_iter().map(|r| r.into_iter().map(|x| x + 1e6).collect()).collect()
        };
        let lifted = Bimatrix::new(shifted(game.row_payoffs()), shifted(game.column_payoffs())).unwrap();
        prop_assert!(same_set(&supports, &profiles(&support_enumeration(&lifted).unwrap())));
        for leader in [Player::Row, Player::Column] {
            let (a, b) = (mixed_commitment(&game, leader).unwrap(), mixed_commitment(&other, leader).unwrap());
            prop_assert!((a.leader_payoff * unit - b.leader_payoff).abs() <= 1e-9 * unit * 3.0);
        }
    }
}
