//! Sobol' indices validated on the Ishigami function, against its closed form
//! and against SALib on the same samples (`tests/data/salib/ishigami.json`,
//! written by `tests/data/salib/generate.py` with SALib 1.6.0), and designs
//! checked for the properties they promise.

use accord_sim::design::{Range, Saltelli, SobolSequence, latin_hypercube_seeded};
use accord_sim::sensitivity::{SobolIndices, sobol_indices, sobol_indices_with_resamples};
use proptest::prelude::*;
use serde_json::Value;
use std::f64::consts::PI;

/// Ishigami & Homma (1990): `sin x1 + a sin² x2 + b x3⁴ sin x1`.
fn ishigami(x: &[f64], a: f64, b: f64) -> f64 {
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Closed-form `(S, S_T)` of the Ishigami function with x_i uniform on
/// [−π, π] (Ishigami & Homma 1990; Homma & Saltelli 1996; Sobol' & Levitan
/// 1999; the rounded values are those SALib quotes from Saltelli et al.
/// 2008, *Global Sensitivity Analysis: The Primer*): the partial variances are
/// `V1 = ½(1 + bπ⁴/5)²`, `V2 = a²/8`, `V3 = 0`, `V13 = b²π⁸(1/18 − 1/50)`, and
/// `V = V1 + V2 + V13 = a²/8 + bπ⁴/5 + b²π⁸/18 + ½`.
fn ishigami_indices(a: f64, b: f64) -> ([f64; 3], [f64; 3]) {
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

fn ishigami_outputs(design: &Saltelli) -> Vec<f64> {
    let range = Range {
        low: -PI,
        high: PI,
        whole: false,
    };
    design
        .points()
        .iter()
        .map(|u| {
            let x: Vec<f64> = u.iter().map(|&u| range.at(u)).collect();
            ishigami(&x, 7.0, 0.1)
        })
        .collect()
}

fn reference() -> Value {
    serde_json::from_str(include_str!("data/salib/ishigami.json")).unwrap()
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn max_abs_diff(a: impl IntoIterator<Item = f64>, b: impl IntoIterator<Item = f64>) -> f64 {
    a.into_iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn estimates(s: &SobolIndices) -> (Vec<f64>, Vec<f64>) {
    (
        s.first_order.iter().map(|i| i.estimate).collect(),
        s.total.iter().map(|i| i.estimate).collect(),
    )
}

#[test]
fn the_closed_form_is_the_published_one() {
    let (first, total) = ishigami_indices(7.0, 0.1);
    let published = [0.3139, 0.4424, 0.0, 0.5576, 0.4424, 0.2437];
    for (exact, rounded) in first.iter().chain(&total).zip(published) {
        assert!((exact - rounded).abs() < 5e-5, "{exact} vs {rounded}");
    }
}

#[test]
fn ishigami_indices_converge_to_the_closed_form() {
    let (first, total) = ishigami_indices(7.0, 0.1);
    let design = Saltelli::new(3, 1 << 14).unwrap();
    let s = sobol_indices(3, &ishigami_outputs(&design), 200, 1).unwrap();
    let (s1, st) = estimates(&s);
    let (d1, dt) = (
        max_abs_diff(s1.clone(), first),
        max_abs_diff(st.clone(), total),
    );
    eprintln!("N = 2^14: S1 {s1:?}, ST {st:?}; max |Δ| S1 {d1:.2e}, ST {dt:.2e}");
    assert!(d1 < 5e-3 && dt < 5e-3, "S1 off by {d1}, ST by {dt}");
    for (index, truth) in s.first_order.iter().zip(first) {
        assert!(
            index.low <= truth && truth <= index.high,
            "{index:?} vs {truth}"
        );
    }
    for (index, truth) in s.total.iter().zip(total) {
        assert!(
            index.low <= truth && truth <= index.high,
            "{index:?} vs {truth}"
        );
    }
}

#[test]
fn sobol_points_are_scipys_in_all_embedded_dimensions() {
    let reference = reference();
    let directions = &reference["sobol_directions"];
    let dimensions = directions["dimensions"].as_u64().unwrap() as usize;
    assert_eq!(dimensions, accord_sim::design::MAX_SOBOL_DIMENSIONS);
    let mut sequence = SobolSequence::new(dimensions).unwrap();
    // Point 2^k is v_k ⊕ v_{k+1}: together these fix every direction number.
    for (k, expected) in directions["points_at_powers_of_two"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        sequence.seek(1 << k);
        assert_eq!(sequence.next().unwrap(), floats(expected), "point 2^{k}");
    }
}

#[test]
fn indices_match_salib_on_the_same_samples() {
    let reference = reference();
    assert_eq!(reference["versions"]["SALib"], "1.6.0");
    for case in reference["cases"].as_array().unwrap() {
        let n = case["base_samples"].as_u64().unwrap() as usize;
        let design = Saltelli::new(3, n).unwrap();
        assert_eq!(design.skip(), case["skip"].as_u64().unwrap());
        let mut outputs = ishigami_outputs(&design);
        if let Some(points) = case.get("unit_points") {
            // The very matrix SALib sampled, bit for bit; then SALib's outputs.
            let points: Vec<Vec<f64>> = points.as_array().unwrap().iter().map(floats).collect();
            assert_eq!(design.points(), points.as_slice());
            let theirs = floats(&case["outputs"]);
            let diff = max_abs_diff(outputs.iter().copied(), theirs.iter().copied());
            eprintln!("N = {n}: Ishigami outputs differ from NumPy's by at most {diff:.1e}");
            assert!(diff < 1e-12);
            outputs = theirs;
        }
        // The bootstrap is compared on the small case only, to stay quick.
        let small = case.get("unit_points").is_some();
        let resamples = if small {
            reference["salib_resamples"].as_u64().unwrap() as usize
        } else {
            0
        };
        let s = sobol_indices(3, &outputs, resamples, 5).unwrap();
        let (s1, st) = estimates(&s);
        let d1 = max_abs_diff(s1, floats(&case["S1"]));
        let dt = max_abs_diff(st, floats(&case["ST"]));
        // Different bootstrap generators: SALib's conf and ours estimate the
        // same standard deviation from 10 000 resamples each.
        let conf = |ours: &[accord_sim::sensitivity::Index], theirs: &Value| {
            ours.iter()
                .zip(floats(theirs))
                .map(|(i, c)| (i.conf / c - 1.0).abs())
                .fold(0.0, f64::max)
        };
        eprintln!("N = {n}: max |Δ| vs SALib S1 {d1:.1e}, ST {dt:.1e}");
        assert!(d1 < 1e-12 && dt < 1e-12, "S1 off by {d1}, ST by {dt}");
        if small {
            let (c1, ct) = (
                conf(&s.first_order, &case["S1_conf"]),
                conf(&s.total, &case["ST_conf"]),
            );
            eprintln!("N = {n}: conf relative difference S1 {c1:.3}, ST {ct:.3}");
            assert!(c1 < 0.05 && ct < 0.05, "conf off by {c1} and {ct}");
        }
    }
}

#[test]
fn bootstrap_matches_salib_on_the_same_resamples() {
    let reference = reference();
    let case = &reference["cases"][0];
    let n = case["base_samples"].as_u64().unwrap() as usize;
    let lcg = &reference["bootstrap"];
    let (multiplier, increment) = (
        lcg["multiplier"].as_u64().unwrap(),
        lcg["increment"].as_u64().unwrap(),
    );
    let mut state = lcg["seed"].as_u64().unwrap();
    let resamples: Vec<Vec<usize>> = (0..lcg["resamples"].as_u64().unwrap())
        .map(|_| {
            (0..n)
                .map(|_| {
                    state = state.wrapping_mul(multiplier).wrapping_add(increment);
                    ((state >> 33) % n as u64) as usize
                })
                .collect()
        })
        .collect();
    let s = sobol_indices_with_resamples(3, &floats(&case["outputs"]), &resamples).unwrap();
    let relative = |ours: &[accord_sim::sensitivity::Index], theirs: &Value| {
        ours.iter()
            .zip(floats(theirs))
            .map(|(i, c)| (i.conf / c - 1.0).abs())
            .fold(0.0, f64::max)
    };
    let (c1, ct) = (
        relative(&s.first_order, &lcg["S1_conf"]),
        relative(&s.total, &lcg["ST_conf"]),
    );
    eprintln!("same resamples: conf relative difference S1 {c1:.1e}, ST {ct:.1e}");
    assert!(c1 < 1e-10 && ct < 1e-10);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn latin_hypercubes_use_every_stratum_once(
        points in 1usize..200,
        dimensions in 1usize..6,
        seed in any::<u64>(),
    ) {
        let rows = latin_hypercube_seeded(points, dimensions, seed);
        prop_assert_eq!(rows.len(), points);
        for j in 0..dimensions {
            let mut strata: Vec<usize> = rows
                .iter()
                .map(|row| {
                    assert!((0.0..1.0).contains(&row[j]));
                    (row[j] * points as f64).floor() as usize
                })
                .collect();
            strata.sort_unstable();
            prop_assert_eq!(strata, (0..points).collect::<Vec<_>>());
        }
        prop_assert_eq!(rows, latin_hypercube_seeded(points, dimensions, seed));
    }

    #[test]
    fn an_additive_model_has_no_interactions(
        weights in prop::collection::vec(-3.0f64..3.0, 2..5),
        scale in prop_oneof![-100.0f64..-0.01, 0.01f64..100.0],
        shift in -1e3f64..1e3,
    ) {
        // f = Σ c_i x_i: S_i = S_Ti = c_i² / Σ c² (Sobol' 1993), whatever
        // affine change of units follows (the outputs are normalised).
        let d = weights.len();
        let design = Saltelli::new(d, 1024).unwrap();
        let f = |x: &[f64]| x.iter().zip(&weights).map(|(x, c)| c * x).sum::<f64>();
        let outputs: Vec<f64> = design.points().iter().map(|x| f(x)).collect();
        let moved: Vec<f64> = outputs.iter().map(|y| scale * y + shift).collect();
        let s = sobol_indices(d, &outputs, 0, 1).unwrap();
        let t = sobol_indices(d, &moved, 0, 1).unwrap();
        let total: f64 = weights.iter().map(|c| c * c).sum();
        prop_assume!(total > 1e-3);
        for (i, c) in weights.iter().enumerate() {
            let exact = c * c / total;
            prop_assert!((s.first_order[i].estimate - exact).abs() < 0.02, "{:?}", s);
            prop_assert!((s.total[i].estimate - exact).abs() < 0.01, "{:?}", s);
            prop_assert!((t.first_order[i].estimate - s.first_order[i].estimate).abs() < 1e-9);
            prop_assert!((t.total[i].estimate - s.total[i].estimate).abs() < 1e-9);
        }
    }
}
