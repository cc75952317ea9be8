//! Validation against EGTtools 0.1.14.2.
//!
//! The reference values under `tests/data/egttools/` were produced by
//! `tests/data/egttools/generate.py` (run it with EGTtools installed to
//! regenerate them); each file records the exact EGTtools calls and versions.
//! The script computes every payoff matrix from the published formulas in
//! Python, independently of Accord, so these tests check the models and the
//! dynamics together.
//!
//! Tolerances:
//! * fixation probabilities: 1e-10 relative (EGTtools sums in 100-digit decimals;
//!   Accord in f64 log space, agreeing to about 1e-14);
//! * stationary distributions: 1e-10 absolute against EGTtools' dense
//!   eigenvector (its own error is up to ~3e-11) and 1e-12 absolute against an
//!   independent GTH solve;
//! * payoffs, transitions, gradients: 1e-12 absolute.
//!
//! Convention differences, stated where they arise: EGTtools returns a
//! fixation probability of exactly 0 below about 1e-7 (Accord returns the
//! exact value, checked here against a log-space reference), and its
//! small-mutation-limit stationary distribution is arbitrary when truncation
//! leaves several closed classes (such cases are compared only on fixation).

use accord_dynamics::{FullChainOptions, PairwiseComparison};
use accord_games::models::crd::CollectiveRisk;
use accord_games::models::dsair::Dsair;
use accord_games::{Game, MatrixGame, composition};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/egttools/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

fn matrix(value: &Value) -> Vec<Vec<f64>> {
    value
        .as_array()
        .expect("array of rows")
        .iter()
        .map(floats)
        .collect()
}

fn strategies(case: &Value) -> Vec<String> {
    case["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn assert_close(actual: f64, expected: f64, absolute: f64, relative: f64, what: &str) {
    let error = (actual - expected).abs();
    assert!(
        error <= absolute || error <= relative * expected.abs(),
        "{what}: got {actual:e}, expected {expected:e} (error {error:e})"
    );
}

/// Checks the fixation probabilities and small-mutation limit of one case.
fn check_small_mutation_limit(case: &Value, game: &Game) {
    let id = case["id"].as_str().unwrap();
    let z = case["Z"].as_u64().unwrap() as usize;
    let beta = case["beta"].as_f64().unwrap();
    let process = PairwiseComparison::new(game, z, beta).unwrap();
    let sml = process.small_mutation_limit().unwrap();
    let mut any_truncated = false;
    for entry in case["fixation"].as_array().unwrap() {
        let invader = entry["invader"].as_u64().unwrap() as usize;
        let resident = entry["resident"].as_u64().unwrap() as usize;
        let rho = sml.fixation[invader][resident];
        let what = format!("{id}: ρ(invader {invader}, resident {resident})");
        if entry["truncated"].as_bool().unwrap() {
            // EGTtools returns 0 here; Accord keeps the exact value.
            any_truncated = true;
            assert!(
                rho < 1e-7,
                "{what}: {rho:e} should be below EGTtools' truncation"
            );
            assert_close(
                rho,
                entry["rho_untruncated_ref"].as_f64().unwrap(),
                1e-300,
                1e-10,
                &what,
            );
        } else {
            assert_close(rho, entry["rho"].as_f64().unwrap(), 0.0, 1e-10, &what);
        }
    }
    if any_truncated || !case["sml_stationary_unique"].as_bool().unwrap_or(true) {
        return;
    }
    // EGTtools' matrix is row-stochastic here (its Python StochDynamics returns the transpose).
    let reference = matrix(&case["sml_transition"]);
    for (i, row) in reference.iter().enumerate() {
        for (j, &expected) in row.iter().enumerate() {
            assert_close(
                sml.transition[i][j],
                expected,
                1e-12,
                1e-10,
                &format!("{id}: T[{i}][{j}]"),
            );
        }
    }
    let egttools = floats(&case["sml_stationary"]);
    for (i, (&ours, &theirs)) in sml.stationary.iter().zip(&egttools).enumerate() {
        assert_close(
            ours,
            theirs,
            1e-10,
            0.0,
            &format!("{id}: stationary[{i}] vs EGTtools"),
        );
    }
    if let Some(gth) = case.get("sml_stationary_gth_ref").filter(|v| !v.is_null()) {
        for (i, (&ours, &reference)) in sml.stationary.iter().zip(&floats(gth)).enumerate() {
            assert_close(
                ours,
                reference,
                1e-12,
                1e-10,
                &format!("{id}: stationary[{i}] vs GTH"),
            );
        }
    }
}

fn matrix_game(case: &Value) -> Game {
    MatrixGame::new(strategies(case), matrix(&case["payoff_matrix"]))
        .unwrap()
        .into()
}

#[test]
fn random_matrix_games() {
    let data = load("random_matrix.json");
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() >= 100);
    for case in cases {
        check_small_mutation_limit(case, &matrix_game(case));
    }
}

#[test]
fn closed_form_two_strategy_ratio() {
    // ρ_A/ρ_B = exp(β/2 · [(Z − 2)(a − d) + Z(b − c)]) for every 2×2 reference game.
    let data = load("random_matrix.json");
    for case in data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["nb_strategies"] == 2)
    {
        let game = matrix_game(case);
        let [[a, b], [c, d]] = <[[f64; 2]; 2]>::try_from(
            matrix(&case["payoff_matrix"])
                .into_iter()
                .map(|r| <[f64; 2]>::try_from(r).unwrap())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let z = case["Z"].as_u64().unwrap() as usize;
        let beta = case["beta"].as_f64().unwrap();
        let process = PairwiseComparison::new(&game, z, beta).unwrap();
        let log_ratio = process.log_fixation_probability(0, 1).unwrap()
            - process.log_fixation_probability(1, 0).unwrap();
        let zf = z as f64;
        let expected = beta / 2.0 * ((zf - 2.0) * (a - d) + zf * (b - c));
        assert_close(
            log_ratio,
            expected,
            1e-9,
            1e-12,
            case["id"].as_str().unwrap(),
        );
    }
}

#[test]
fn dsair_models_and_regions() {
    let data = load("dsair.json");
    for case in data["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let model = Dsair {
            b: case["b"].as_f64().unwrap(),
            c: case["c"].as_f64().unwrap(),
            s: case["s"].as_f64().unwrap(),
            p_r: case["p_r"].as_f64().unwrap(),
            prize: case["B"].as_f64().unwrap(),
            milestone: case["W"].as_f64().unwrap(),
        };
        let ours = model.payoff_matrix();
        for (i, row) in matrix(&case["payoff_matrix"]).iter().enumerate() {
            for (j, &expected) in row.iter().enumerate() {
                assert_close(
                    ours[i][j],
                    expected,
                    1e-12,
                    1e-13,
                    &format!("{id}: Π[{i}][{j}]"),
                );
            }
        }
        assert_eq!(
            model.welfare_margin() > 0.0,
            case["society_prefers_AS"].as_bool().unwrap(),
            "{id}"
        );
        assert_eq!(
            model.risk_dominance_margin() > 0.0,
            case["AS_risk_dominant"].as_bool().unwrap(),
            "{id}"
        );
        assert_close(
            model.welfare_threshold(),
            case["p_r_boundary_society_prefers_AS"].as_f64().unwrap(),
            1e-12,
            0.0,
            id,
        );
        assert_close(
            model.risk_dominance_threshold(),
            case["p_r_boundary_AS_risk_dominant"].as_f64().unwrap(),
            1e-12,
            0.0,
            id,
        );
        check_small_mutation_limit(case, &model.game().unwrap().into());
    }
}

#[test]
fn full_chain_stationary_distributions() {
    let data = load("full_chain.json");
    for case in data["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let game = matrix_game(case);
        let z = case["Z"].as_u64().unwrap() as usize;
        let process = PairwiseComparison::new(&game, z, case["beta"].as_f64().unwrap()).unwrap();
        let mutation = case["mu"].as_f64().unwrap();
        let chain = process
            .full_chain(FullChainOptions::with_mutation(mutation))
            .unwrap();
        let states = data["states_by_Z"][case["states_key"].as_str().unwrap()]
            .as_array()
            .unwrap();
        assert_eq!(states.len(), chain.stationary.len(), "{id}");
        for (index, state) in states.iter().enumerate() {
            let expected: Vec<usize> = state
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(chain.state(index), expected, "{id}: state order");
        }
        let egttools = floats(&case["stationary"]);
        let gth = floats(&case["stationary_gth"]);
        for index in 0..states.len() {
            assert_close(
                chain.stationary[index],
                egttools[index],
                1e-10,
                0.0,
                &format!("{id}: π[{index}] vs EGTtools"),
            );
            assert_close(
                chain.stationary[index],
                gth[index],
                1e-13,
                1e-10,
                &format!("{id}: π[{index}] vs GTH"),
            );
        }
        for (i, (&ours, &theirs)) in chain
            .strategy_frequencies
            .iter()
            .zip(&floats(&case["strategy_distribution"]))
            .enumerate()
        {
            assert_close(ours, theirs, 1e-10, 0.0, &format!("{id}: frequency[{i}]"));
        }
        if let Some(nonzeros) = case.get("transition_nonzeros").filter(|v| !v.is_null()) {
            let transitions = process.full_transitions(mutation).unwrap();
            for entry in nonzeros.as_array().unwrap() {
                let (from, to, p) = (
                    entry[0].as_u64().unwrap() as usize,
                    entry[1].as_u64().unwrap() as usize,
                    entry[2].as_f64().unwrap(),
                );
                let ours = if from == to {
                    1.0 - transitions[from].iter().map(|t| t.1).sum::<f64>()
                } else {
                    transitions[from]
                        .iter()
                        .find(|t| t.0 == to)
                        .map_or(0.0, |t| t.1)
                };
                assert_close(ours, p, 1e-14, 0.0, &format!("{id}: P[{from}][{to}]"));
            }
        }
    }
}

#[test]
fn collective_risk_dilemma() {
    // EGTtools' OneShotCRD orders strategies [D, C]; Accord's crd model orders them [C, D].
    let data = load("crd_gradient.json");
    for case in data["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let z = case["Z"].as_u64().unwrap() as usize;
        let beta = case["beta"].as_f64().unwrap();
        let model = CollectiveRisk {
            group_size: case["group_size"].as_u64().unwrap() as usize,
            threshold: case["min_nb_cooperators"].as_u64().unwrap() as usize,
            r: case["risk"].as_f64().unwrap(),
            b: case["endowment"].as_f64().unwrap(),
            c: case["cost"].as_f64().unwrap(),
        };
        let group = model.game().unwrap();
        let payoffs = matrix(&case["payoffs"]);
        for (column, configuration) in case["group_configurations"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let defectors = configuration[0].as_u64().unwrap() as usize;
            let cooperators = configuration[1].as_u64().unwrap() as usize;
            let ours = [cooperators, defectors];
            if defectors > 0 {
                assert_close(
                    group.payoff(&ours, 1),
                    payoffs[0][column],
                    1e-15,
                    0.0,
                    &format!("{id}: P_D"),
                );
            }
            if cooperators > 0 {
                assert_close(
                    group.payoff(&ours, 0),
                    payoffs[1][column],
                    1e-15,
                    0.0,
                    &format!("{id}: P_C"),
                );
            }
        }
        let game: Game = group.into();
        let process = PairwiseComparison::new(&game, z, beta).unwrap();
        let gradient = process.gradient_two(0, 1, 0.0).unwrap();
        let fitness_c = case["fitness_C"].as_array().unwrap();
        let fitness_d = case["fitness_D"].as_array().unwrap();
        let mut fitness = [0.0; 2];
        for (k, expected) in floats(&case["gradient_C"]).into_iter().enumerate() {
            assert_close(
                gradient[k].gradient,
                expected,
                1e-15,
                1e-12,
                &format!("{id}: g({k})"),
            );
            process.fitness(&[k, z - k], &mut fitness);
            if let Some(f) = fitness_c[k].as_f64() {
                assert_close(fitness[0], f, 1e-14, 0.0, &format!("{id}: f_C({k})"));
            }
            if let Some(f) = fitness_d[k].as_f64() {
                assert_close(fitness[1], f, 1e-14, 0.0, &format!("{id}: f_D({k})"));
            }
        }
        for entry in case["fixation"].as_array().unwrap() {
            // EGTtools index 0 = D, 1 = C; Accord's 0 = C, 1 = D.
            let invader = 1 - entry["invader"].as_u64().unwrap() as usize;
            let resident = 1 - entry["resident"].as_u64().unwrap() as usize;
            let rho = process.fixation_probability(invader, resident).unwrap();
            let what = format!("{id}: ρ(invader {invader}, resident {resident})");
            if entry["truncated"].as_bool().unwrap() {
                assert!(rho < 1e-7, "{what}: {rho:e}");
                assert_close(
                    rho,
                    entry["rho_untruncated_ref"].as_f64().unwrap(),
                    1e-300,
                    1e-10,
                    &what,
                );
            } else {
                assert_close(rho, entry["rho"].as_f64().unwrap(), 0.0, 1e-10, &what);
            }
        }
        let chain = process
            .full_chain(FullChainOptions::with_mutation(
                case["full_chain"]["mu"].as_f64().unwrap(),
            ))
            .unwrap();
        let reference = floats(&case["full_chain"]["stationary_gth"]);
        for (cooperators, &p) in reference.iter().enumerate() {
            // EGTtools index i = i cooperators; Accord index i = i defectors.
            let index = composition::rank(&[cooperators, z - cooperators]);
            assert_close(
                chain.stationary[index],
                p,
                1e-13,
                1e-10,
                &format!("{id}: π({cooperators} C)"),
            );
        }
    }
}

#[test]
fn egttools_published_test_values() {
    // Values asserted in EGTtools' own test suite.
    let crd: Game = CollectiveRisk {
        group_size: 6,
        threshold: 3,
        r: 1.0,
        b: 1.0,
        c: 0.1,
    }
    .game()
    .unwrap()
    .into();
    let process = PairwiseComparison::new(&crd, 50, 1.0).unwrap();
    // calculate_fixation_probability(invader = D, resident = C, beta = 1) = 0.003682100470889826
    assert_close(
        process.fixation_probability(1, 0).unwrap(),
        0.003_682_100_470_889_826,
        0.0,
        1e-10,
        "OneShotCRD",
    );
}

/// Builds a catalog model from a reference case's parameters and checks its
/// payoff matrix against the independent Python implementation.
fn catalog_game(model: &str, case: &Value, names: &[&str]) -> Game {
    let model = accord_games::models::find(model).unwrap();
    let overrides: Vec<(&str, f64)> = names
        .iter()
        .map(|&n| {
            (
                n,
                case[n].as_f64().unwrap_or_else(|| panic!("case lacks {n}")),
            )
        })
        .collect();
    let game = model
        .build(&model.values_with(&overrides).unwrap())
        .unwrap();
    let Game::Matrix(ours) = &game else {
        panic!("matrix model")
    };
    let id = case["id"].as_str().unwrap();
    for (i, row) in matrix(&case["payoff_matrix"]).iter().enumerate() {
        for (j, &expected) in row.iter().enumerate() {
            assert_close(
                ours.payoff(i, j),
                expected,
                1e-9,
                1e-12,
                &format!("{id}: Π[{i}][{j}]"),
            );
        }
    }
    game
}

#[test]
fn peer_sanctioning_model() {
    let data = load("dsair_ps.json");
    for case in data["cases"].as_array().unwrap() {
        let game = catalog_game(
            "dsair-ps",
            case,
            &["b", "c", "s", "p_r", "B", "W", "alpha", "gamma"],
        );
        check_small_mutation_limit(case, &game);
    }
}

#[test]
fn voluntary_commitment_model() {
    let data = load("dsair_commit.json");
    for case in data["cases"].as_array().unwrap() {
        let game = catalog_game(
            "dsair-commit",
            case,
            &["b", "c", "s", "p_r", "B", "W", "alpha", "gamma", "epsilon"],
        );
        check_small_mutation_limit(case, &game);
    }
}

#[test]
fn monitored_race_model() {
    let data = load("dsair_monitored.json");
    for case in data["cases"].as_array().unwrap() {
        let game = catalog_game(
            "dsair-monitored",
            case,
            &["b", "c", "s", "p_r", "B", "W", "p_fo"],
        );
        check_small_mutation_limit(case, &game);
    }
}
