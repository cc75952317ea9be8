//! DSAIR with peer sanctioning: a PS strategy that develops safely and slows
//! down unsafe co-players at a cost to its own speed.
//!
//! Source: T. A. Han, L. M. Pereira, T. Lenaerts, F. C. Santos, "Mediating
//! artificial intelligence developments through negative and positive
//! incentives", PLoS ONE 16(1): e0244592 (2021). The race mechanics follow
//! P. Bova's public replication of the paper (the paper's full text was not
//! available to us): the first round is played at normal speeds; from the
//! second round on the sanctioned AU moves `s − γ` steps per round and the
//! sanctioner `1 − α`.
//!
//! With `s_p = s − γ`, `s_s = 1 − α`, the remaining times
//! `T_p = (W − s)/s_p` and `T_s = (W − 1)/s_s` (infinite for a speed `≤ 0`),
//! the race lasts `R = 1 + min(T_p, T_s)` rounds. The sanctioner wins if
//! `T_s < T_p` (prize `B`), they draw if equal (`B/2` each), else AU wins.
//! After round one the benefit `b` is split in proportion to the speeds:
//! `b_s = b·s_s/(s_s + s_p)` and `b_p = b·s_p/(s_s + s_p)` (all of it to the
//! only one still moving). Disaster risk applies only if AU wins or draws:
//! `p_loss = 1 − p_r` then, 1 otherwise.
//!
//! ```text
//! Π(PS,AU) = [π12 + B_s + (R − 1)·(b_s − c)] / R
//! Π(AU,PS) = p_loss·[π21 + B_p + (R − 1)·b_p] / R
//! ```
//!
//! Every other entry is DSAIR's, with PS playing as AS:
//!
//! ```text
//!          AS              AU               PS
//! AS   B/(2W) + π11      π12              B/(2W) + π11
//! AU   p(sB/W + π21)     p(sB/(2W) + π22) Π(AU,PS)
//! PS   B/(2W) + π11      Π(PS,AU)         B/(2W) + π11
//! ```
//!
//! The catalogue requires `W ≥ max(1, s)`, as DSAIR does (see `dsair`), so
//! the first round is played in full. With `α = γ = 0` and `s > 1` the race
//! then reduces exactly to DSAIR: AU finishes first, after `R = W/s` rounds,
//! and PS earns what AS earns. (At `s ≤ 1` the unsafe developer is no faster:
//! this race ends in a draw at `s = 1` and a PS win below, while DSAIR's
//! payoffs still give AU the prize.)

use super::dsair::{self, Dsair};
use super::{Condition, Domain, Model, Parameter, ParameterValues, names};
use crate::{Game, GameError, MatrixGame};

/// The model's catalog entry.
pub const MODEL: Model = Model {
    name: "dsair-ps",
    title: "DSAIR with peer sanctioning: AS, AU and PS (safe, slows down unsafe co-players)",
    citation: "Han, Pereira, Lenaerts, Santos. Mediating artificial intelligence developments through negative and positive incentives. PLoS ONE 16(1) e0244592 (2021)",
    figure_beta: 0.01,
    figure_population: 100,
    figure_axes: Some(super::DSAIR_AXES),
    reference: "crates/dynamics/tests/data/egttools/dsair_ps.json",
    parameters: PARAMETERS,
    build,
    conditions,
};

const PARAMETERS: &[Parameter] = &[
    dsair::PARAMETERS[0],
    dsair::PARAMETERS[1],
    dsair::PARAMETERS[2],
    dsair::PARAMETERS[3],
    dsair::PARAMETERS[4],
    dsair::PARAMETERS[5],
    SANCTION_COST,
    SANCTION_EFFECT,
];

/// `α`: speed the sanctioner gives up to sanction.
pub const SANCTION_COST: Parameter = Parameter {
    name: "alpha",
    description: "sanction cost α: speed the sanctioner loses per round after sanctioning",
    default: 0.5,
    domain: Domain::NonNegative,
};

/// `γ`: speed the sanctioned player loses.
pub const SANCTION_EFFECT: Parameter = Parameter {
    name: "gamma",
    description: "sanction effect γ: speed the sanctioned unsafe player loses per round",
    default: 1.0,
    domain: Domain::NonNegative,
};

/// Strategy names in matrix order.
pub const STRATEGIES: [&str; 3] = ["AS", "AU", "PS"];

/// The race between a peer sanctioner and an unsafe developer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerSanctioning {
    /// The underlying race.
    pub race: Dsair,
    /// `α`: sanction cost to the sanctioner's speed.
    pub alpha: f64,
    /// `γ`: sanction effect on the sanctioned player's speed.
    pub gamma: f64,
}

/// Averaged payoffs of a sanctioning encounter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SanctionPayoffs {
    /// `Π(PS,AU)`: to the sanctioner.
    pub sanctioner: f64,
    /// `Π(AU,PS)`: to the sanctioned unsafe player.
    pub sanctioned: f64,
    /// `R`: rounds the race lasts (infinite if nobody can finish).
    pub rounds: f64,
}

impl PeerSanctioning {
    /// Reads the parameters from catalog values.
    pub fn from_values(values: &ParameterValues) -> Self {
        Self {
            race: Dsair::from_values(values),
            alpha: values.get("alpha"),
            gamma: values.get("gamma"),
        }
    }

    /// Payoffs when a sanctioner meets an unsafe developer.
    pub fn sanction_payoffs(&self) -> SanctionPayoffs {
        let Dsair {
            b,
            c,
            s,
            p_r,
            prize,
            milestone,
        } = self.race;
        let [[_, pi12], [pi21, _]] = self.race.round_payoffs();
        let sanctioned_speed = s - self.gamma;
        let sanctioner_speed = 1.0 - self.alpha;
        let remaining_time = |distance: f64, speed: f64| {
            if distance <= 0.0 {
                0.0
            } else if speed > 0.0 {
                distance / speed
            } else {
                f64::INFINITY
            }
        };
        let sanctioned_time = remaining_time(milestone - s, sanctioned_speed);
        let sanctioner_time = remaining_time(milestone - 1.0, sanctioner_speed);
        let remaining = sanctioned_time.min(sanctioner_time);
        if remaining.is_infinite() {
            // Nobody can finish: the time-average of an endless race with no benefit.
            return SanctionPayoffs {
                sanctioner: -c,
                sanctioned: 0.0,
                rounds: f64::INFINITY,
            };
        }
        let rounds = 1.0 + remaining;
        let (sanctioner_prize, sanctioned_prize) = if sanctioner_time < sanctioned_time {
            (prize, 0.0)
        } else if sanctioner_time > sanctioned_time {
            (0.0, prize)
        } else {
            (prize / 2.0, prize / 2.0)
        };
        let moving_s = sanctioner_speed.max(0.0);
        let moving_p = sanctioned_speed.max(0.0);
        let (benefit_s, benefit_p) = if moving_s + moving_p > 0.0 {
            (
                b * moving_s / (moving_s + moving_p),
                b * moving_p / (moving_s + moving_p),
            )
        } else {
            (0.0, 0.0)
        };
        let survive = if sanctioned_prize > 0.0 {
            1.0 - p_r
        } else {
            1.0
        };
        SanctionPayoffs {
            sanctioner: (pi12 + sanctioner_prize + (rounds - 1.0) * (benefit_s - c)) / rounds,
            sanctioned: survive * (pi21 + sanctioned_prize + (rounds - 1.0) * benefit_p) / rounds,
            rounds,
        }
    }

    /// The 3×3 payoff matrix over AS, AU, PS.
    pub fn payoff_matrix(&self) -> [[f64; 3]; 3] {
        let [[ss, su], [us, uu]] = self.race.payoff_matrix();
        let sanction = self.sanction_payoffs();
        [
            [ss, su, ss],
            [us, uu, sanction.sanctioned],
            [ss, sanction.sanctioner, ss],
        ]
    }
}

fn build(values: &ParameterValues) -> Result<Game, GameError> {
    let sanctioning = PeerSanctioning::from_values(values);
    sanctioning.race.check_race_length()?;
    let matrix = sanctioning.payoff_matrix();
    Ok(MatrixGame::new(
        names(&STRATEGIES),
        matrix.iter().map(|r| r.to_vec()).collect(),
    )?
    .into())
}

fn conditions(values: &ParameterValues) -> Vec<Condition> {
    let [_, [_, uu, up], [_, pu, pp]] = PeerSanctioning::from_values(values).payoff_matrix();
    let mut conditions = super::dsair::MODEL.conditions(values);
    conditions.push(Condition {
        name: "ps_risk_dominance",
        description: "PS risk-dominates AU: Π(PS,PS) + Π(PS,AU) > Π(AU,PS) + Π(AU,AU)",
        margin: pp + pu - up - uu,
    });
    conditions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn race(s: f64, p_r: f64) -> Dsair {
        Dsair {
            b: 4.0,
            c: 1.0,
            s,
            p_r,
            prize: 10_000.0,
            milestone: 100.0,
        }
    }

    #[test]
    fn without_sanction_power_it_is_dsair() {
        // Replication test point: b=4, c=1, p=0.25, s=1.5, B=1e4, W=100, α=γ=0.
        let model = PeerSanctioning {
            race: race(1.5, 0.75),
            alpha: 0.0,
            gamma: 0.0,
        };
        let payoffs = model.sanction_payoffs();
        assert!((payoffs.sanctioned - 38.1).abs() < 1e-9, "{payoffs:?}");
        assert!((payoffs.sanctioner - 0.6).abs() < 1e-12);
        assert!((payoffs.rounds - 100.0 / 1.5).abs() < 1e-9);
        let base = model.race.payoff_matrix();
        assert!((payoffs.sanctioned - base[1][0]).abs() < 1e-9);
    }

    #[test]
    fn without_sanction_power_ps_earns_exactly_what_as_earns() {
        // Points down to the shortest race the catalogue accepts, W = s.
        for (b, c, s, p_r, prize, milestone) in [
            (4.0, 1.0, 1.5, 0.5, 10_000.0, 1.5),
            (4.0, 1.0, 1.5, 0.5, 10_000.0, 1.5 + 1e-9),
            (4.0, 1.0, 1.5, 0.2, 10_000.0, 1.6),
            (4.0, 1.0, 2.0, 0.9, 10_000.0, 2.5),
            (2.0, 0.5, 4.0, 0.3, 100.0, 4.000_001),
            (4.0, 1.0, 1.1, 0.6, 10_000.0, 100.0),
            (4.0, 1.0, 5.0, 0.1, 10_000.0, 1e6),
        ] {
            let sanctioning = PeerSanctioning {
                race: Dsair {
                    b,
                    c,
                    s,
                    p_r,
                    prize,
                    milestone,
                },
                alpha: 0.0,
                gamma: 0.0,
            };
            let m = sanctioning.payoff_matrix();
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(1.0);
            let (safe, sanctioner) = (0, 2);
            for (j, row) in m.iter().enumerate() {
                assert!(
                    close(m[sanctioner][j], m[safe][j]) && close(row[sanctioner], row[safe]),
                    "s {s}, W {milestone}: PS {:?} / AS {:?}",
                    [m[sanctioner][j], row[sanctioner]],
                    [m[safe][j], row[safe]]
                );
            }
            let rounds = sanctioning.sanction_payoffs().rounds;
            assert!(close(rounds, milestone / s), "{rounds}");
        }
    }

    #[test]
    fn a_strong_sanction_lets_the_sanctioner_win() {
        let model = PeerSanctioning {
            race: race(1.5, 0.5),
            alpha: 0.25,
            gamma: 1.0,
        };
        let payoffs = model.sanction_payoffs();
        // AU at 0.5 needs 197 more rounds, PS at 0.75 needs 132: PS wins after 133 rounds.
        assert!((payoffs.rounds - (1.0 + 99.0 / 0.75)).abs() < 1e-9);
        let expected_sanctioner =
            (4.0 / 2.5 - 1.0 + 10_000.0 + (payoffs.rounds - 1.0) * (4.0 * 0.6 - 1.0))
                / payoffs.rounds;
        assert!((payoffs.sanctioner - expected_sanctioner).abs() < 1e-9);
        // AU never wins, so no disaster discount applies.
        let expected_sanctioned =
            (1.5 * 4.0 / 2.5 + (payoffs.rounds - 1.0) * 4.0 * 0.4) / payoffs.rounds;
        assert!((payoffs.sanctioned - expected_sanctioned).abs() < 1e-9);
    }

    #[test]
    fn a_halted_race_has_finite_payoffs() {
        let model = PeerSanctioning {
            race: race(1.5, 0.5),
            alpha: 1.0,
            gamma: 2.0,
        };
        let payoffs = model.sanction_payoffs();
        assert!(payoffs.rounds.is_infinite());
        assert!(payoffs.sanctioner.is_finite() && payoffs.sanctioned.is_finite());
    }
}
