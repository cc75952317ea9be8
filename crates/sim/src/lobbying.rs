//! Lobbying (`accord lobby`): which protocol parameters powerful labs would
//! buy down, and what that costs the protocol.
//!
//! Source: G. M. Grossman and E. Helpman, "Protection for Sale", *American
//! Economic Review* 84(4), 833–850 (1994). A regulator sets a policy `θ` to
//! maximise the contributions it receives plus `a` times welfare. With
//! truthful contribution schedules a lobby pays its gain `G(θ)` less a
//! constant, so the policy a lobbied regulator chooses is
//!
//! ```text
//! θ*(a) = argmax_θ  G(θ) + a · W(θ)
//! ```
//!
//! - `G(θ)`: the lobby's payoff, the sum over its labs of their mean payoff
//!   per period (race payoff, credits at their value, fines, bribes);
//! - `W(θ)`: welfare, the sum over all labs of race payoffs per period after
//!   disasters (transfers excluded, section 2 of `docs/model.md`);
//! - `a ≥ 0`: the weight the regulator puts on welfare against contributions
//!   (`a = ∞`: welfare alone; `a = 0`: the lobby alone).
//!
//! Each parameter is lobbied one at a time, the others at the protocol's
//! values, over a grid of its range plus the protocol's own value. Every grid point runs the same `R`
//! replicates (replicate `k` on stream `k`: common random numbers), labs
//! learning from the world's initial strategies. Ties in the objective keep
//! the value nearest the protocol's own (the status quo), so a regulator
//! indifferent between values does not move. The choice is made on means;
//! the intervals beside them say how far to trust it.

use crate::design::Range;
use crate::experiment::Summary;
use crate::parameters::{ParameterError, protocol_with, takes_whole_numbers};
use crate::search::replicate_each;
use crate::stats::Estimate;
use crate::world::World;
use accord_core::Protocol;
use serde::Serialize;

/// Grid points per parameter, at most.
pub const MAX_POINTS: usize = 101;
/// Runs one analysis may make (parameters × points × replicates).
pub const MAX_RUNS: u64 = 100_000;

/// How to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct LobbyPlan {
    /// Lab types in the lobby, by index in the world file.
    pub lobby: Vec<usize>,
    /// Welfare weights `a` to report (∞ allowed).
    pub welfare_weights: Vec<f64>,
    /// Grid points per parameter (every whole value when a whole-number
    /// range has at most this many).
    pub points: usize,
    /// `R`: replicates per grid point.
    pub replicates: u64,
    /// Generations of each run (the world's when None).
    pub generations: Option<u32>,
    /// Master seed.
    pub seed: u64,
}

/// Why the analysis cannot run.
#[derive(Debug, thiserror::Error)]
pub enum LobbyError {
    /// A parameter path or value the protocol cannot take.
    #[error(transparent)]
    Parameter(#[from] ParameterError),
    /// A setting is out of range.
    #[error("{0}")]
    Setting(String),
}

/// The lab types of `world` named in `names`, by index; with no names, the
/// types that oppose safety (`supports_safety = false`), the lobby the
/// seed's "powerful actors" are.
pub fn lobby_members(world: &World, names: &[String]) -> Result<Vec<usize>, LobbyError> {
    let members: Vec<usize> = if names.is_empty() {
        (0..world.lab.len())
            .filter(|&k| !world.lab[k].supports_safety)
            .collect()
    } else {
        names
            .iter()
            .map(|name| {
                world
                    .lab
                    .iter()
                    .position(|t| &t.name == name)
                    .ok_or_else(|| {
                        LobbyError::Setting(format!(
                            "lobby {name:?}: no such lab type; types: {}",
                            world
                                .lab
                                .iter()
                                .map(|t| t.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })
            })
            .collect::<Result<_, _>>()?
    };
    if members.is_empty() {
        return Err(LobbyError::Setting(
            "no lab type opposes safety (supports_safety = false); name the lobby's types".into(),
        ));
    }
    // A type named twice would count its payoff twice in the lobby's G.
    if let Some(k) = (1..members.len()).find(|&k| members[..k].contains(&members[k])) {
        return Err(LobbyError::Setting(format!(
            "lobby {:?} is named twice; name each type once",
            world.lab[members[k]].name
        )));
    }
    Ok(members)
}

/// One grid point of one parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The parameter's value.
    pub value: f64,
    /// `G`: the lobby's payoff per period.
    pub lobby_payoff: Estimate,
    /// `W`: welfare per period.
    pub welfare: Estimate,
    /// Long-run share of labs developing safely.
    pub cooperation: Estimate,
}

/// A grid value the protocol's validator refuses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refused {
    /// The value.
    pub value: f64,
    /// The validator's message.
    pub reason: String,
}

/// The value a regulator with welfare weight `a` chooses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// `a` (∞ is written as null in JSON).
    pub welfare_weight: f64,
    /// Index of the chosen grid point.
    pub point: usize,
    /// `θ*(a)`.
    pub value: f64,
}

/// One parameter's analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterLobbying {
    /// Path in the protocol.
    pub path: String,
    /// The range lobbied over.
    pub range: Range,
    /// The protocol's own value.
    pub status_quo: f64,
    /// Index of the grid point nearest the status quo (the status quo
    /// itself when it lies in the range).
    pub status_quo_point: usize,
    /// The grid's values that make a valid protocol.
    pub points: Vec<Point>,
    /// Grid values no protocol file could hold (a panel larger than the
    /// monitors), not run.
    pub refused: Vec<Refused>,
    /// `θ*(a)` for each welfare weight.
    pub choices: Vec<Choice>,
}

/// Analyses each of `parameters` (path, low, high) of `protocol` in `world`.
pub fn lobbying(
    world: &World,
    protocol: &Protocol,
    parameters: &[(String, f64, f64)],
    plan: &LobbyPlan,
) -> Result<Vec<ParameterLobbying>, LobbyError> {
    check(world, parameters, plan)?;
    let kinds = world.lab_kinds();
    let members: Vec<usize> = (0..kinds.len())
        .filter(|&i| plan.lobby.contains(&kinds[i]))
        .collect();
    parameters
        .iter()
        .map(|(path, low, high)| {
            let range = Range {
                low: *low,
                high: *high,
                whole: takes_whole_numbers(protocol, path)?,
            };
            if range.whole && range.low.ceil() > range.high.floor() {
                return Err(LobbyError::Setting(format!(
                    "{path} takes whole numbers and there is none in {low}:{high}"
                )));
            }
            let status_quo = crate::parameters::value_of(protocol, path)?;
            let mut values = Vec::new();
            let mut protocols = Vec::new();
            let mut refused = Vec::new();
            let range_points = grid(&range, plan.points);
            let mut grid_values = range_points.clone();
            // The protocol's own value is always a point, inside the range or
            // not: every choice is compared with it.
            grid_values.push(status_quo);
            grid_values.sort_by(f64::total_cmp);
            grid_values.dedup();
            for value in grid_values {
                match protocol_with(protocol, path, value) {
                    Ok(candidate) => {
                        values.push(value);
                        protocols.push(candidate);
                    }
                    Err(error @ ParameterError::Path { .. }) => return Err(error.into()),
                    Err(error) => refused.push(Refused {
                        value,
                        reason: error.to_string(),
                    }),
                }
            }
            // The status quo alone is no choice among the range's values.
            if !values.iter().any(|value| range_points.contains(value)) {
                return Err(LobbyError::Setting(format!(
                    "{path}: no grid point in {low}:{high} makes a valid protocol (try more points or another range); the first: {}",
                    refused[0].reason
                )));
            }
            let replicates = plan.replicates as usize;
            let runs = replicate_each(world, &protocols, replicates, plan.seed, plan.generations);
            let points: Vec<Point> = values
                .iter()
                .zip(runs.chunks(replicates))
                .map(|(&value, runs)| {
                    let gains: Vec<f64> = runs
                        .iter()
                        .map(|r| members.iter().map(|&i| r.mean_payoff[i]).sum())
                        .collect();
                    let summary = Summary::of(runs);
                    Point {
                        value,
                        lobby_payoff: Estimate::mean_of(&gains),
                        welfare: summary.welfare,
                        cooperation: summary.cooperation,
                    }
                })
                .collect();
            let status_quo_point = nearest(&values, status_quo);
            let choices = plan
                .welfare_weights
                .iter()
                .map(|&a| {
                    let point = choose(&points, a, status_quo_point);
                    Choice {
                        welfare_weight: a,
                        point,
                        value: points[point].value,
                    }
                })
                .collect();
            Ok(ParameterLobbying {
                path: path.clone(),
                range,
                status_quo,
                status_quo_point,
                points,
                refused,
                choices,
            })
        })
        .collect()
}

fn check(
    world: &World,
    parameters: &[(String, f64, f64)],
    plan: &LobbyPlan,
) -> Result<(), LobbyError> {
    let fail = |message: String| Err(LobbyError::Setting(message));
    if parameters.is_empty() {
        return fail("name at least one parameter to lobby (--param PATH=LOW:HIGH, or parameters= in Python)".into());
    }
    if let Some((path, low, high)) = parameters
        .iter()
        .find(|(_, low, high)| !(low.is_finite() && high.is_finite() && low <= high))
    {
        return fail(format!(
            "{path}: expected a finite range LOW ≤ HIGH, got {low}:{high}"
        ));
    }
    if let Some(&kind) = plan.lobby.iter().find(|&&k| k >= world.lab.len()) {
        return fail(format!("lab type {kind} is not in the world"));
    }
    if !(2..=MAX_POINTS).contains(&plan.points) {
        return fail(format!(
            "expected 2 to {MAX_POINTS} points, got {}",
            plan.points
        ));
    }
    if plan.replicates < 2 {
        // The choice is printed with its intervals, which need two runs.
        return fail(format!(
            "expected at least 2 replicates per value (an interval needs two), got {}",
            plan.replicates
        ));
    }
    if plan.welfare_weights.is_empty()
        || plan.welfare_weights.iter().any(|a| a.is_nan() || *a < 0.0)
    {
        return fail("expected welfare weights ≥ 0 (inf for welfare alone)".into());
    }
    // Each grid holds at most `points` values and the protocol's own.
    let runs = parameters.len() as u64 * (plan.points as u64 + 1) * plan.replicates;
    if runs > MAX_RUNS {
        return fail(format!(
            "{runs} runs (parameters × (points + the protocol's value) × replicates), more than {MAX_RUNS}"
        ));
    }
    Ok(())
}

/// `points` evenly spaced values of `range`; every whole value when the
/// range is whole and holds at most `points` of them.
fn grid(range: &Range, points: usize) -> Vec<f64> {
    if range.whole {
        let (low, high) = (range.low.ceil(), range.high.floor());
        if high - low + 1.0 <= points as f64 {
            return (0..=(high - low) as usize)
                .map(|k| low + k as f64)
                .collect();
        }
    }
    // Whole values are spaced over the whole numbers inside the range, so
    // rounding never leaves it.
    let (low, high) = if range.whole {
        (range.low.ceil(), range.high.floor())
    } else {
        (range.low, range.high)
    };
    let mut values: Vec<f64> = (0..points)
        .map(|k| {
            let value = low + (high - low) * k as f64 / (points - 1) as f64;
            if range.whole { value.round() } else { value }
        })
        .collect();
    values.dedup();
    values
}

fn nearest(values: &[f64], target: f64) -> usize {
    (0..values.len())
        .min_by(|&a, &b| {
            (values[a] - target)
                .abs()
                .total_cmp(&(values[b] - target).abs())
        })
        .expect("a grid has points")
}

/// `argmax G + a·W` (welfare alone for `a = ∞`); ties keep the point whose
/// value is nearest the status quo's.
fn choose(points: &[Point], welfare_weight: f64, status_quo: usize) -> usize {
    let objective = |p: &Point| {
        if welfare_weight.is_infinite() {
            p.welfare.mean
        } else {
            p.lobby_payoff.mean + welfare_weight * p.welfare.mean
        }
    };
    let distance = |k: usize| (points[k].value - points[status_quo].value).abs();
    (0..points.len())
        .max_by(|&a, &b| {
            objective(&points[a])
                .total_cmp(&objective(&points[b]))
                .then_with(|| distance(b).total_cmp(&distance(a)))
        })
        .expect("a grid has points")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(value: f64, lobby: f64, welfare: f64) -> Point {
        let at = |mean| Estimate {
            mean,
            low: mean,
            high: mean,
            n: 1,
        };
        Point {
            value,
            lobby_payoff: at(lobby),
            welfare: at(welfare),
            cooperation: at(0.5),
        }
    }

    #[test]
    fn the_regulator_weighs_the_lobby_against_welfare() {
        // The lobby prefers low values, welfare high ones.
        let points = [
            point(0.0, 3.0, 0.0),
            point(1.0, 2.0, 2.0),
            point(2.0, 0.0, 3.0),
        ];
        assert_eq!(choose(&points, 0.0, 1), 0, "captured: the lobby's best");
        assert_eq!(choose(&points, 1.0, 1), 1, "G + W is 3, 4, 3");
        assert_eq!(choose(&points, f64::INFINITY, 0), 2, "welfare alone");
    }

    #[test]
    fn a_lobby_names_each_type_once() {
        let world =
            World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap();
        let name = world.lab[0].name.clone();
        assert_eq!(
            lobby_members(&world, std::slice::from_ref(&name)).unwrap(),
            [0]
        );
        let error = lobby_members(&world, &[name.clone(), name]).unwrap_err();
        assert!(error.to_string().contains("named twice"), "{error}");
    }

    #[test]
    fn ties_keep_the_status_quo() {
        let flat = [
            point(0.0, 1.0, 1.0),
            point(1.0, 1.0, 1.0),
            point(2.0, 1.0, 1.0),
        ];
        for status_quo in 0..3 {
            assert_eq!(choose(&flat, 2.0, status_quo), status_quo);
        }
        // Between equals, the nearer value wins, not the nearer grid index:
        // the status quo's value sits unevenly in the grid.
        let uneven = [
            point(0.0, 2.0, 1.0),
            point(1.0, 1.0, 1.0),
            point(10.0, 2.0, 1.0),
        ];
        assert_eq!(choose(&uneven, 0.0, 1), 0);
    }

    #[test]
    fn grids_hold_every_whole_value_or_evenly_spaced_points() {
        let whole = |low, high| Range {
            low,
            high,
            whole: true,
        };
        assert_eq!(grid(&whole(2.0, 5.0), 9), [2.0, 3.0, 4.0, 5.0]);
        assert_eq!(grid(&whole(0.0, 100.0), 3), [0.0, 50.0, 100.0]);
        // Rounded values stay inside the range.
        assert_eq!(grid(&whole(3.4, 100.0), 3), [4.0, 52.0, 100.0]);
        let real = Range {
            low: 0.0,
            high: 1.0,
            whole: false,
        };
        assert_eq!(grid(&real, 5), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nearest(&[0.0, 0.25, 0.5], 0.3), 1);
    }
}
