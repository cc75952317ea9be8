//! DSAIR with voluntary safety commitments.
//!
//! Source: T. A. Han, T. Lenaerts, F. C. Santos, L. M. Pereira, "Voluntary
//! safety commitments provide an escape from over-regulation in AI
//! development", Technology in Society 68 (2022) 101843. The payoff matrix
//! follows P. Bova's public replication of the paper (the paper's full text
//! was not available to us).
//!
//! Strategies:
//!
//! * `AS`, `AU`: stay outside any commitment, always safe / always unsafe;
//! * `CS`: commits; plays safe inside a commitment, unsafe outside it;
//! * `CU`: commits but violates it (a fake committer): always unsafe;
//! * `CP`: commits, plays safe inside a commitment, and sanctions a
//!   violating partner with the peer-sanctioning race of `dsair-ps`
//!   (cost `α`, effect `γ`).
//!
//! A commitment forms when both players commit; each then pays `ε`. With
//! `SS, SU, US, UU` DSAIR's entries `Π(AS,AS), Π(AS,AU), Π(AU,AS), Π(AU,AU)`
//! and `San = Π(PS,AU)`, `Pun = Π(AU,PS)` from `dsair-ps`:
//!
//! ```text
//!         AS   AU   CS     CU     CP
//! AS      SS   SU   SU     SU     SU
//! AU      US   UU   UU     UU     UU
//! CS      US   UU   SS−ε   SU−ε   SS−ε
//! CU      US   UU   US−ε   UU−ε   Pun−ε
//! CP      US   UU   SS−ε   San−ε  SS−ε
//! ```
//!
//! The replication charges `ε` in the `(CP, AS)` entry although no
//! commitment forms there; Accord follows the rule stated above (no
//! commitment, no cost) and writes `US`. Like DSAIR it requires
//! `W ≥ max(1, s)`.

use super::dsair;
use super::dsair_ps::{self, PeerSanctioning};
use super::{Condition, Domain, Model, Parameter, ParameterValues, names};
use crate::{Game, GameError, MatrixGame};

/// The model's catalog entry.
pub const MODEL: Model = Model {
    name: "dsair-commit",
    title: "DSAIR with voluntary safety commitments: AS, AU, CS, CU (fake) and CP (punishes violators)",
    citation: "Han, Lenaerts, Santos, Pereira. Voluntary safety commitments provide an escape from over-regulation in AI development. Technology in Society 68 (2022) 101843",
    figure_beta: 0.01,
    figure_population: 100,
    figure_axes: Some(super::DSAIR_AXES),
    reference: "crates/dynamics/tests/data/egttools/dsair_commit.json",
    parameters: &[
        dsair::PARAMETERS[0],
        dsair::PARAMETERS[1],
        dsair::PARAMETERS[2],
        dsair::PARAMETERS[3],
        dsair::PARAMETERS[4],
        dsair::PARAMETERS[5],
        dsair_ps::SANCTION_COST,
        dsair_ps::SANCTION_EFFECT,
        Parameter {
            name: "epsilon",
            description: "commitment cost ε paid by each committer when a commitment forms",
            default: 0.5,
            domain: Domain::NonNegative,
        },
    ],
    build,
    conditions,
};

/// Strategy names in matrix order.
pub const STRATEGIES: [&str; 5] = ["AS", "AU", "CS", "CU", "CP"];

/// The commitment model's 5×5 payoff matrix.
pub fn payoff_matrix(sanctioning: &PeerSanctioning, epsilon: f64) -> [[f64; 5]; 5] {
    let [[ss, su], [us, uu]] = sanctioning.race.payoff_matrix();
    let sanction = sanctioning.sanction_payoffs();
    let (san, pun) = (sanction.sanctioner, sanction.sanctioned);
    let e = epsilon;
    [
        [ss, su, su, su, su],
        [us, uu, uu, uu, uu],
        [us, uu, ss - e, su - e, ss - e],
        [us, uu, us - e, uu - e, pun - e],
        [us, uu, ss - e, san - e, ss - e],
    ]
}

fn build(values: &ParameterValues) -> Result<Game, GameError> {
    let sanctioning = PeerSanctioning::from_values(values);
    sanctioning.race.check_race_length()?;
    let matrix = payoff_matrix(&sanctioning, values.get("epsilon"));
    Ok(MatrixGame::new(
        names(&STRATEGIES),
        matrix.iter().map(|r| r.to_vec()).collect(),
    )?
    .into())
}

fn conditions(values: &ParameterValues) -> Vec<Condition> {
    let matrix = payoff_matrix(&PeerSanctioning::from_values(values), values.get("epsilon"));
    let (cp, cu) = (4, 3);
    let mut conditions = super::dsair::MODEL.conditions(values);
    conditions.push(Condition {
        name: "cp_risk_dominance",
        description: "CP risk-dominates CU: Π(CP,CP) + Π(CP,CU) > Π(CU,CP) + Π(CU,CU)",
        margin: matrix[cp][cp] + matrix[cp][cu] - matrix[cu][cp] - matrix[cu][cu],
    });
    conditions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::dsair::Dsair;

    #[test]
    fn committers_pay_only_when_a_commitment_forms() {
        let race = Dsair {
            b: 4.0,
            c: 1.0,
            s: 1.5,
            p_r: 0.5,
            prize: 10_000.0,
            milestone: 100.0,
        };
        let sanctioning = PeerSanctioning {
            race,
            alpha: 0.0,
            gamma: 0.0,
        };
        let m = payoff_matrix(&sanctioning, 0.3);
        let [[ss, su], [us, uu]] = race.payoff_matrix();
        assert_eq!(m[2][0], us);
        assert_eq!(m[4][0], us);
        assert_eq!(m[2][1], uu);
        assert!((m[2][2] - (ss - 0.3)).abs() < 1e-12);
        assert!((m[2][3] - (su - 0.3)).abs() < 1e-12);
        // Without sanction power, punishing a fake committer is just meeting AU.
        assert!((m[4][3] - (su - 0.3)).abs() < 1e-9);
        assert!((m[3][4] - (us - 0.3)).abs() < 1e-9);
    }
}
