//! DSAIR with detection of unsafe development.
//!
//! Source: P. Bova, A. Di Stefano, T. A. Han, "Both eyes open: Vigilant
//! incentives help regulatory markets improve AI safety" (arXiv 2303.03174),
//! building on the DSAIR race of Han et al. (JAIR 2020); see `dsair`.
//!
//! Each round an unsafe developer is caught with probability `p_fo`; a caught
//! developer is removed from the race and earns nothing, so its rival races
//! alone and takes the benefit and the prize. With `p = 1 − p_r`:
//!
//! ```text
//! Π(AS,AS) = B/(2W) + b/2 − c
//! Π(AS,AU) = (1 − p_fo)·b/(s+1) + p_fo·(b + B/W) − c
//! Π(AU,AS) = p·(1 − p_fo)·(s·b/(s+1) + s·B/W)
//! Π(AU,AU) = p·(1 − p_fo²)·(b/2 + s·B/(2W))
//! ```
//!
//! (Two unsafe developers: both uncaught with probability `(1 − p_fo)²`, share;
//! exactly one caught, the other takes all: `(1 − p_fo)² / 2 + p_fo(1 − p_fo) =
//! (1 − p_fo²)/2`.) With `p_fo = 0` this is DSAIR; like DSAIR it requires
//! `W ≥ max(1, s)`.

use super::dsair::{self, Dsair};
use super::{Condition, Domain, Model, Parameter, ParameterValues, names};
use crate::{Game, GameError, MatrixGame};

/// The model's catalog entry.
pub const MODEL: Model = Model {
    name: "dsair-monitored",
    title: "DSAIR where unsafe development is detected with probability p_fo and removed from the race",
    citation: "Bova, Di Stefano, Han. Both eyes open: Vigilant incentives help regulatory markets improve AI safety (arXiv 2303.03174); Han et al. JAIR 69 (2020)",
    figure_beta: 0.01,
    figure_population: 100,
    figure_axes: Some(super::DSAIR_AXES),
    reference: "crates/dynamics/tests/data/egttools/dsair_monitored.json",
    parameters: &[
        dsair::PARAMETERS[0],
        dsair::PARAMETERS[1],
        dsair::PARAMETERS[2],
        dsair::PARAMETERS[3],
        dsair::PARAMETERS[4],
        dsair::PARAMETERS[5],
        Parameter {
            name: "p_fo",
            description: "probability that unsafe development is detected (and the developer removed from the race)",
            default: 0.5,
            domain: Domain::Probability,
        },
    ],
    build,
    conditions,
};

/// The 2×2 payoff matrix over AS, AU with detection probability `p_fo`.
pub fn payoff_matrix(race: &Dsair, p_fo: f64) -> [[f64; 2]; 2] {
    let Dsair {
        b,
        c,
        s,
        p_r,
        prize,
        milestone,
    } = *race;
    let prize_per_step = prize / milestone;
    let survive = 1.0 - p_r;
    let free = 1.0 - p_fo;
    [
        [
            prize_per_step / 2.0 + b / 2.0 - c,
            free * b / (s + 1.0) + p_fo * (b + prize_per_step) - c,
        ],
        [
            survive * free * (s * b / (s + 1.0) + s * prize_per_step),
            survive * (1.0 - p_fo * p_fo) * (b / 2.0 + s * prize_per_step / 2.0),
        ],
    ]
}

fn build(values: &ParameterValues) -> Result<Game, GameError> {
    let race = Dsair::from_values(values);
    race.check_race_length()?;
    let matrix = payoff_matrix(&race, values.get("p_fo"));
    Ok(MatrixGame::new(
        names(&dsair::STRATEGIES),
        matrix.iter().map(|r| r.to_vec()).collect(),
    )?
    .into())
}

fn conditions(values: &ParameterValues) -> Vec<Condition> {
    let [[a, b], [c, d]] = payoff_matrix(&Dsair::from_values(values), values.get("p_fo"));
    vec![
        Condition {
            name: "risk_dominance",
            description: "AS risk-dominates AU: Π11 + Π12 > Π21 + Π22",
            margin: a + b - c - d,
        },
        Condition {
            name: "welfare",
            description: "AS–AS socially preferred: Π11 > Π22",
            margin: a - d,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_detection_is_dsair() {
        let race = Dsair {
            b: 4.0,
            c: 1.0,
            s: 2.5,
            p_r: 0.3,
            prize: 10_000.0,
            milestone: 100.0,
        };
        let monitored = payoff_matrix(&race, 0.0);
        let plain = race.payoff_matrix();
        for i in 0..2 {
            for j in 0..2 {
                assert!((monitored[i][j] - plain[i][j]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn certain_detection_removes_unsafe_payoffs() {
        let race = Dsair {
            b: 4.0,
            c: 1.0,
            s: 2.5,
            p_r: 0.3,
            prize: 10_000.0,
            milestone: 100.0,
        };
        let m = payoff_matrix(&race, 1.0);
        assert_eq!(m[1][0], 0.0);
        assert_eq!(m[1][1], 0.0);
        assert!((m[0][1] - (4.0 + 100.0 - 1.0)).abs() < 1e-12);
    }
}
