//! The shared harness every model of the catalogue passes, as Axelrod's
//! `TestPlayer` does for every strategy: defaults in their domains, a cited
//! source, finite payoffs at the defaults and a game or a clear error at the
//! corners of every parameter's domain, figure axes that name real
//! parameters, and a reference fixture from a peer tool. A model added to
//! `models::catalog()` is checked here without writing a test.

use accord_games::Game;
use accord_games::models::{Domain, Model, catalog};
use std::path::Path;

fn finite_payoffs(game: &Game) -> bool {
    let n = game.strategy_count();
    let mut fitness = vec![0.0; n];
    (0..n).all(|i| {
        let mut x = vec![0.0; n];
        x[i] = 1.0;
        game.fitness_infinite(&x, &mut fitness);
        fitness.iter().all(|f| f.is_finite())
    })
}

/// Values at the edges of a domain (and a little inside).
fn corners(domain: Domain, default: f64) -> Vec<f64> {
    match domain {
        Domain::Real => vec![-1e308, -1e6, 0.0, 1e6, 1e308],
        Domain::NonNegative => vec![0.0, 1e-320, 1e-12, 1e6, 1e308],
        Domain::Positive => vec![1e-320, 1e-12, 1e6, 1e308],
        Domain::Probability => vec![0.0, 1.0],
        Domain::Integer { min } => vec![
            f64::from(min),
            f64::from(min) + 1.0,
            default.max(f64::from(min)) + 1.0,
        ],
    }
}

fn check(model: &Model) {
    let name = model.name;
    let defaults = model.values_with::<&str>(&[]).unwrap();
    for p in model.parameters {
        model
            .values_with(&[(p.name, p.default)])
            .unwrap_or_else(|e| panic!("{name}: default of {} outside its domain: {e}", p.name));
        assert!(!p.description.is_empty(), "{name}: {} undocumented", p.name);
    }
    let has_year = model
        .citation
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit) && (b"19" == &w[..2] || b"20" == &w[..2]));
    assert!(
        has_year && model.citation.len() > 20,
        "{name}: citation {:?}",
        model.citation
    );
    let game = model.build(&defaults).unwrap();
    assert!(
        finite_payoffs(&game),
        "{name}: non-finite payoffs at the defaults"
    );
    for p in model.parameters {
        for value in corners(p.domain, p.default) {
            let Ok(values) = model.values_with(&[(p.name, value)]) else {
                continue;
            };
            if let Ok(game) = model.build(&values) {
                assert!(
                    finite_payoffs(&game),
                    "{name}: {} = {value} builds a game with non-finite payoffs",
                    p.name
                );
            }
        }
    }
    if let Some(axes) = model.figure_axes {
        assert_ne!(axes[0].parameter, axes[1].parameter, "{name}");
        for axis in axes {
            assert!(axis.points >= 2, "{name}: axis {}", axis.parameter);
            for value in [axis.start, axis.end] {
                let values = model
                    .values_with(&[(axis.parameter, value)])
                    .unwrap_or_else(|e| panic!("{name}: figure axis {}: {e}", axis.parameter));
                model.build(&values).unwrap_or_else(|e| {
                    panic!("{name}: figure axis {} = {value}: {e}", axis.parameter)
                });
            }
        }
    }
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(model.reference);
    let text = std::fs::read_to_string(&fixture)
        .unwrap_or_else(|e| panic!("{name}: reference fixture {}: {e}", fixture.display()));
    assert!(text.len() > 100, "{name}: empty reference fixture");
}

#[test]
fn every_model_of_the_catalogue_passes_the_harness() {
    assert!(catalog().len() >= 5);
    for model in catalog() {
        check(model);
    }
}
