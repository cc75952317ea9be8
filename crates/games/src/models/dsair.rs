//! DSAIR: the idealised AI development race.
//!
//! Source: T. A. Han, L. M. Pereira, F. C. Santos, T. Lenaerts, "To Regulate
//! or Not: A Social Dynamics Analysis of an Idealised AI Race", Journal of
//! Artificial Intelligence Research 69 (2020) 881–921.
//!
//! Two teams race to a milestone `W` development steps away. Each round a team
//! plays AS (always safe: one step per round at cost `c`) or AU (always
//! unsafe: `s > 1` steps per round, no safety cost, but a disaster with
//! probability `p_r` that wipes out its payoff). Each round the benefit `b` is
//! split in proportion to speed; the first to reach `W` takes the prize `B`.
//!
//! Per-round payoffs:
//!
//! ```text
//! π11 = b/2 − c        π12 = b/(s+1) − c
//! π21 = s·b/(s+1)      π22 = b/2
//! ```
//!
//! Payoffs averaged over the race (AU finishes in `W/s` rounds, AS in `W`),
//! with `p = 1 − p_r`:
//!
//! ```text
//! Π(AS,AS) = B/(2W) + π11          Π(AS,AU) = π12
//! Π(AU,AS) = p·(s·B/W + π21)       Π(AU,AU) = p·(s·B/(2W) + π22)
//! ```
//!
//! Analytic regions (infinite population): AS risk-dominates AU iff
//! `Π(AS,AS) + Π(AS,AU) > Π(AU,AS) + Π(AU,AU)`, and AS–AS is socially
//! preferred to AU–AU iff `Π(AS,AS) > Π(AU,AU)`. Solving each for `p_r`:
//!
//! ```text
//! risk dominance:  p_r > 1 − (B/(2W) + π11 + π12) / (3·s·B/(2W) + π21 + π22)
//! welfare:         p_r > 1 − (B/(2W) + π11) / (s·B/(2W) + π22)
//! ```
//!
//! In the early regime (`B/W ≫ b, c`, e.g. `W = 100`) these tend to
//! `p_r > 1 − 1/(3s)` and `p_r > 1 − 1/s`; between them safety is socially
//! preferred but AU is risk-dominant — the zone where regulation is needed.
//!
//! The averages count whole races of at least one round, so the model (and
//! every variant sharing `W` and `s`) requires `W ≥ max(1, s)`: with `W < s`
//! the unsafe developer would finish within a fraction of a round and earn
//! `s·B/W > B` per round (and the safe one likewise with `W < 1`).

use super::{Condition, Domain, Model, Parameter, ParameterValues, names};
use crate::{Game, GameError, MatrixGame};

/// The model's catalog entry.
pub const MODEL: Model = Model {
    name: "dsair",
    title: "DSAIR race between always-safe (AS) and always-unsafe (AU) developers",
    citation: "Han, Pereira, Santos, Lenaerts. To Regulate or Not: A Social Dynamics Analysis of an Idealised AI Race. JAIR 69 (2020)",
    figure_beta: 0.01,
    figure_population: 100,
    figure_axes: Some(super::DSAIR_AXES),
    reference: "crates/dynamics/tests/data/egttools/dsair.json",
    parameters: PARAMETERS,
    build,
    conditions,
};

/// Parameters of the DSAIR race, shared by its variants.
pub const PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "b",
        description: "benefit per round, split in proportion to speed",
        default: 4.0,
        domain: Domain::NonNegative,
    },
    Parameter {
        name: "c",
        description: "cost per round of safe development",
        default: 1.0,
        domain: Domain::NonNegative,
    },
    Parameter {
        name: "s",
        description: "speed of unsafe development relative to safe (steps per round)",
        default: 1.5,
        domain: Domain::Positive,
    },
    Parameter {
        name: "p_r",
        description: "probability that unsafe development ends in disaster",
        default: 0.5,
        domain: Domain::Probability,
    },
    Parameter {
        name: "B",
        description: "prize for reaching the milestone first",
        default: 10_000.0,
        domain: Domain::NonNegative,
    },
    Parameter {
        name: "W",
        description: "number of development steps to the milestone, at least max(1, s) (one round for each developer)",
        default: 100.0,
        domain: Domain::Positive,
    },
];

/// Strategy names in matrix order.
pub const STRATEGIES: [&str; 2] = ["AS", "AU"];

/// The DSAIR race with the paper's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dsair {
    /// `b`: benefit per round, split in proportion to speed.
    pub b: f64,
    /// `c`: per-round cost of safety.
    pub c: f64,
    /// `s`: speed of unsafe development (steps per round; safe is 1).
    pub s: f64,
    /// `p_r`: probability of disaster for unsafe development.
    pub p_r: f64,
    /// `B`: prize for reaching the milestone first.
    pub prize: f64,
    /// `W`: steps to the milestone.
    pub milestone: f64,
}

impl Dsair {
    /// Reads the parameters from catalog values.
    pub fn from_values(values: &ParameterValues) -> Self {
        Self {
            b: values.get("b"),
            c: values.get("c"),
            s: values.get("s"),
            p_r: values.get("p_r"),
            prize: values.get("B"),
            milestone: values.get("W"),
        }
    }

    /// Per-round payoffs `[[π11, π12], [π21, π22]]` (AS row first).
    pub fn round_payoffs(&self) -> [[f64; 2]; 2] {
        let Self { b, c, s, .. } = *self;
        [
            [b / 2.0 - c, b / (s + 1.0) - c],
            [s * b / (s + 1.0), b / 2.0],
        ]
    }

    /// Race-averaged payoff matrix `Π` (AS row first).
    pub fn payoff_matrix(&self) -> [[f64; 2]; 2] {
        let [[pi11, pi12], [pi21, pi22]] = self.round_payoffs();
        let prize_per_step = self.prize / self.milestone;
        let survive = 1.0 - self.p_r;
        [
            [prize_per_step / 2.0 + pi11, pi12],
            [
                survive * (self.s * prize_per_step + pi21),
                survive * (self.s * prize_per_step / 2.0 + pi22),
            ],
        ]
    }

    /// `Π(AS,AS) + Π(AS,AU) − Π(AU,AS) − Π(AU,AU)`: positive iff AS risk-dominates AU.
    pub fn risk_dominance_margin(&self) -> f64 {
        let [[a, b], [c, d]] = self.payoff_matrix();
        a + b - c - d
    }

    /// `Π(AS,AS) − Π(AU,AU)`: positive iff universal safety is socially preferred.
    pub fn welfare_margin(&self) -> f64 {
        let [[a, _], [_, d]] = self.payoff_matrix();
        a - d
    }

    /// The `p_r` above which AS risk-dominates AU (other parameters fixed).
    pub fn risk_dominance_threshold(&self) -> f64 {
        let [[pi11, pi12], [pi21, pi22]] = self.round_payoffs();
        let prize_per_step = self.prize / self.milestone;
        1.0 - (prize_per_step / 2.0 + pi11 + pi12) / (1.5 * self.s * prize_per_step + pi21 + pi22)
    }

    /// The `p_r` above which AS–AS is socially preferred to AU–AU.
    pub fn welfare_threshold(&self) -> f64 {
        let [[pi11, _], [_, pi22]] = self.round_payoffs();
        let prize_per_step = self.prize / self.milestone;
        1.0 - (prize_per_step / 2.0 + pi11) / (self.s * prize_per_step / 2.0 + pi22)
    }

    /// Checks `W ≥ max(1, s)`: each developer needs at least one round to
    /// reach the milestone (module docs).
    pub fn check_race_length(&self) -> Result<(), GameError> {
        let shortest = self.s.max(1.0);
        if self.milestone >= shortest {
            return Ok(());
        }
        Err(GameError::ParameterOutOfRange {
            name: "W".into(),
            value: self.milestone,
            expected: format!(
                "a finite number ≥ max(1, s) = {shortest}, so that each developer needs at least one round to reach the milestone (the safe one moves 1 step per round, the unsafe one s = {})",
                self.s
            ),
        })
    }

    /// The game; an error if the race is shorter than a round
    /// ([`Self::check_race_length`]) or a payoff overflows.
    pub fn game(&self) -> Result<MatrixGame, GameError> {
        self.check_race_length()?;
        let matrix = self.payoff_matrix();
        MatrixGame::new(
            names(&STRATEGIES),
            matrix.iter().map(|r| r.to_vec()).collect(),
        )
    }
}

fn build(values: &ParameterValues) -> Result<Game, GameError> {
    Ok(Dsair::from_values(values).game()?.into())
}

fn conditions(values: &ParameterValues) -> Vec<Condition> {
    let model = Dsair::from_values(values);
    vec![
        Condition {
            name: "risk_dominance",
            description: "AS risk-dominates AU: Π11 + Π12 > Π21 + Π22",
            margin: model.risk_dominance_margin(),
        },
        Condition {
            name: "welfare",
            description: "AS–AS socially preferred: Π11 > Π22",
            margin: model.welfare_margin(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflowing_parameters_are_an_error_not_a_panic() {
        let model = crate::models::find("dsair").unwrap();
        for overrides in [vec![("b", 1.7e308)], vec![("s", 1e308), ("W", 1e308)]] {
            let values = model.values_with(&overrides).unwrap();
            assert!(
                matches!(build(&values), Err(GameError::NonFinitePayoff { .. })),
                "{overrides:?}"
            );
        }
    }

    #[test]
    fn every_variant_refuses_a_race_shorter_than_one_round() {
        for name in ["dsair", "dsair-ps", "dsair-commit", "dsair-monitored"] {
            let model = crate::models::find(name).unwrap();
            for overrides in [
                vec![("W", 1.0)],
                vec![("W", 1e-320)],
                vec![("s", 1e308)],
                vec![("B", 1e308), ("W", 1e-10)],
                vec![("s", 0.5), ("W", 0.9)],
            ] {
                let values = model.values_with(&overrides).unwrap();
                let error = model.build(&values).unwrap_err();
                assert!(
                    matches!(&error, GameError::ParameterOutOfRange { name, .. } if name == "W"),
                    "{name} {overrides:?}: {error}"
                );
                let message = error.to_string();
                assert!(
                    message.contains("max(1, s)") && message.contains("finite"),
                    "{message}"
                );
            }
            // A race of exactly one unsafe round is a race.
            let one_round = model.values_with(&[("s", 1.5), ("W", 1.5)]).unwrap();
            assert!(model.build(&one_round).is_ok(), "{name}");
        }
        let model = crate::models::find("dsair").unwrap();
        assert_eq!(
            model
                .build(&model.values_with(&[("W", 1.0)]).unwrap())
                .unwrap_err()
                .to_string(),
            "parameter W = 1 is out of range: a finite number ≥ max(1, s) = 1.5, so that each developer needs at least one round to reach the milestone (the safe one moves 1 step per round, the unsafe one s = 1.5)"
        );
    }

    fn model(s: f64, p_r: f64, milestone: f64) -> Dsair {
        Dsair {
            b: 4.0,
            c: 1.0,
            s,
            p_r,
            prize: 10_000.0,
            milestone,
        }
    }

    #[test]
    fn matrix_follows_the_paper() {
        let m = model(2.0, 0.25, 100.0);
        let [[a, b], [c, d]] = m.payoff_matrix();
        assert!((a - (50.0 + 2.0 - 1.0)).abs() < 1e-12);
        assert!((b - (4.0 / 3.0 - 1.0)).abs() < 1e-12);
        assert!((c - 0.75 * (200.0 + 8.0 / 3.0)).abs() < 1e-12);
        assert!((d - 0.75 * (100.0 + 2.0)).abs() < 1e-12);
    }

    #[test]
    fn thresholds_are_the_zeros_of_the_margins() {
        for s in [1.1, 1.5, 2.0, 4.0] {
            for milestone in [100.0, 1e6] {
                let base = model(s, 0.0, milestone);
                let risk = Dsair {
                    p_r: base.risk_dominance_threshold(),
                    ..base
                };
                let welfare = Dsair {
                    p_r: base.welfare_threshold(),
                    ..base
                };
                assert!(risk.risk_dominance_margin().abs() < 1e-9);
                assert!(welfare.welfare_margin().abs() < 1e-9);
            }
        }
    }

    #[test]
    fn early_regime_tends_to_the_simple_boundaries() {
        // B/W = 10^8 ≫ b, c: the exact thresholds approach 1 − 1/(3s) and 1 − 1/s.
        for s in [1.2, 2.0, 5.0] {
            let m = Dsair {
                prize: 1e10,
                ..model(s, 0.0, 100.0)
            };
            assert!((m.risk_dominance_threshold() - (1.0 - 1.0 / (3.0 * s))).abs() < 1e-6);
            assert!((m.welfare_threshold() - (1.0 - 1.0 / s)).abs() < 1e-6);
        }
    }
}
