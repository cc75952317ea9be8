//! `dsair-ps` without sanction power (`α = γ = 0`) is DSAIR: a sanctioner
//! fixes and is invaded exactly as an always-safe developer, down to the
//! shortest race the catalogue accepts (`W = s`); a race shorter than one
//! round is refused.

use accord_dynamics::PairwiseComparison;
use accord_games::models::find;

const ALWAYS_SAFE: usize = 0;
const ALWAYS_UNSAFE: usize = 1;
const PEER_SANCTIONER: usize = 2;

#[test]
fn without_sanction_power_a_sanctioner_fixes_like_an_always_safe_developer() {
    let model = find("dsair-ps").unwrap();
    for (s, milestone) in [
        (1.5, 1.5),
        (1.5, 1.5 + 1e-9),
        (2.0, 2.1),
        (1.5, 100.0),
        (4.0, 1e6),
    ] {
        let values = model
            .values_with(&[("s", s), ("W", milestone), ("alpha", 0.0), ("gamma", 0.0)])
            .unwrap();
        let game = model.build(&values).unwrap();
        let process = PairwiseComparison::new(&game, 100, 0.01).unwrap();
        let log_rho =
            |invader, resident| process.log_fixation_probability(invader, resident).unwrap();
        for (sanctioner, safe) in [
            (
                log_rho(PEER_SANCTIONER, ALWAYS_UNSAFE),
                log_rho(ALWAYS_SAFE, ALWAYS_UNSAFE),
            ),
            (
                log_rho(ALWAYS_UNSAFE, PEER_SANCTIONER),
                log_rho(ALWAYS_UNSAFE, ALWAYS_SAFE),
            ),
        ] {
            assert!(
                (sanctioner - safe).abs() <= 1e-9 * safe.abs().max(1.0),
                "s {s}, W {milestone}: ln ρ {sanctioner} with PS, {safe} with AS"
            );
        }
    }
    // W = 1 < s gave ln ρ(PS→AU) = −3.3e-6 against ln ρ(AS→AU) = −3137.8.
    let short = model
        .values_with(&[("W", 1.0), ("alpha", 0.0), ("gamma", 0.0)])
        .unwrap();
    let message = model.build(&short).unwrap_err().to_string();
    assert!(
        message.contains("W = 1") && message.contains("s = 1.5"),
        "{message}"
    );
}
