//! The collective-risk dilemma.
//!
//! Source: F. C. Santos, J. M. Pacheco, "Risk of collective failure provides
//! an escape from the tragedy of the commons", PNAS 108(26) (2011) 10421–10425.
//!
//! Groups of `N` players each hold an endowment `b`. Cooperators (C)
//! contribute a fraction `c` of it; defectors (D) contribute nothing. If fewer
//! than `M` members cooperate, everyone loses everything with probability `r`.
//! With `j` cooperators in the group and `θ` the Heaviside step (`θ(0) = 1`):
//!
//! ```text
//! Π_D(j) = b·[θ(j − M) + (1 − r)·(1 − θ(j − M))]
//! Π_C(j) = Π_D(j) − c·b
//! ```
//!
//! This matches EGTtools' `CRDGame(endowment = b, cost = c·b, risk = r,
//! group_size = N, min_nb_cooperators = M)`.

use super::{Domain, Model, Parameter, ParameterValues, names, no_conditions};
use crate::{Game, GameError, GroupGame};

/// The model's catalog entry.
pub const MODEL: Model = Model {
    name: "crd",
    title: "Collective-risk dilemma between cooperators (C) and defectors (D)",
    citation: "Santos, Pacheco. Risk of collective failure provides an escape from the tragedy of the commons. PNAS 108 (2011)",
    figure_beta: 5.0,
    figure_population: 50,
    // The source's figures plot curves over r for several M, not a plane; in
    // the small-mutation limit M cancels out of the fixation ratio, so no
    // default plane is offered.
    figure_axes: None,
    reference: "crates/dynamics/tests/data/egttools/crd_gradient.json",
    parameters: &[
        Parameter {
            name: "N",
            description: "group size",
            default: 6.0,
            domain: Domain::Integer { min: 2 },
        },
        Parameter {
            name: "M",
            description: "minimum number of cooperators in a group to avert the risk",
            default: 3.0,
            domain: Domain::Integer { min: 0 },
        },
        Parameter {
            name: "r",
            description: "probability that a group below the threshold loses everything",
            default: 0.5,
            domain: Domain::Probability,
        },
        Parameter {
            name: "b",
            description: "endowment of each player",
            default: 1.0,
            domain: Domain::NonNegative,
        },
        Parameter {
            name: "c",
            description: "fraction of the endowment a cooperator contributes",
            default: 0.1,
            domain: Domain::Probability,
        },
    ],
    build,
    conditions: no_conditions,
};

/// Strategy names.
pub const STRATEGIES: [&str; 2] = ["C", "D"];

/// The collective-risk dilemma with the paper's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollectiveRisk {
    /// `N`: group size.
    pub group_size: usize,
    /// `M`: cooperators needed to avert the risk.
    pub threshold: usize,
    /// `r`: risk of collective loss below the threshold.
    pub r: f64,
    /// `b`: endowment.
    pub b: f64,
    /// `c`: fraction of the endowment contributed by a cooperator.
    pub c: f64,
}

impl CollectiveRisk {
    /// Payoff of a defector in a group with `cooperators` cooperators.
    pub fn defector_payoff(&self, cooperators: usize) -> f64 {
        if cooperators >= self.threshold {
            self.b
        } else {
            self.b * (1.0 - self.r)
        }
    }

    /// Payoff of a cooperator in a group with `cooperators` cooperators (itself included).
    pub fn cooperator_payoff(&self, cooperators: usize) -> f64 {
        self.defector_payoff(cooperators) - self.c * self.b
    }

    /// The group game.
    pub fn game(&self) -> Result<GroupGame, GameError> {
        GroupGame::from_fn(names(&STRATEGIES), self.group_size, |group, strategy| {
            let cooperators = group[0];
            if strategy == 0 {
                self.cooperator_payoff(cooperators)
            } else {
                self.defector_payoff(cooperators)
            }
        })
    }
}

fn build(values: &ParameterValues) -> Result<Game, GameError> {
    let group_size = values.get("N") as usize;
    let threshold = values.get("M");
    if threshold > group_size as f64 {
        return Err(GameError::ParameterOutOfRange {
            name: "M".into(),
            value: threshold,
            expected: format!("an integer between 0 and the group size N = {group_size}"),
        });
    }
    let model = CollectiveRisk {
        group_size,
        threshold: threshold as usize,
        r: values.get("r"),
        b: values.get("b"),
        c: values.get("c"),
    };
    Ok(model.game()?.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payoffs_follow_the_step_function() {
        let model = CollectiveRisk {
            group_size: 6,
            threshold: 3,
            r: 0.8,
            b: 1.0,
            c: 0.1,
        };
        assert_eq!(model.defector_payoff(3), 1.0);
        assert!((model.defector_payoff(2) - 0.2).abs() < 1e-15);
        assert!((model.cooperator_payoff(3) - 0.9).abs() < 1e-15);
        let game = model.game().unwrap();
        assert!((game.payoff(&[2, 4], 0) - 0.1).abs() < 1e-15);
        assert_eq!(game.payoff(&[3, 3], 1), 1.0);
    }

    #[test]
    fn threshold_above_group_size_is_rejected() {
        let values = MODEL.values_with(&[("N", 4.0), ("M", 5.0)]).unwrap();
        assert!(matches!(
            MODEL.build(&values),
            Err(GameError::ParameterOutOfRange { .. })
        ));
    }
}
