//! Protocol design by search (`accord design`): the cheapest setting of a
//! protocol's numeric parameters that meets a goal and that no lab type
//! gains by deviating from.
//!
//! Over parameters `θ` in a box `[low_i, high_i]`, with the cost the user
//! declares, linear in the parameters,
//!
//! ```text
//! cost(θ) = Σ_i w_i · θ_i
//! ```
//!
//! 1. **Candidates**: every combination when all parameters take whole
//!    numbers and there are at most `N` combinations; else a Latin
//!    hypercube of `N` points in the box (McKay, Beckman and Conover 1979;
//!    whole-number fields take each whole value equally often), duplicates
//!    removed. Combinations the protocol's validator refuses (a quorum below
//!    a panel's majority) are listed and not run.
//! 2. **Goal**: each candidate runs `R` replicates (learning from the world's
//!    initial strategies, replicate `k` on stream `k` for every candidate:
//!    common random numbers). `outcome ≥ level` holds when the lower end of
//!    the outcome's 95% interval is at least `level` (`≤`: the upper end at
//!    most `level`), so a design is not chosen on noise.
//! 3. **Stability**: candidates that meet the goal are attacked cheapest
//!    first (`crate::attack`, every lab type and coalitions of leaders); a
//!    candidate is stable when the attack reads "not exploitable": every
//!    confirmed and finalist interval's upper end at most its margin (1% of
//!    the coalition's utility) — no deviation, participation included, gains
//!    more than that.
//!    The design is the first stable one (at most `max_attacks` are tried).
//! 4. **Pareto front** of cost against the outcome over all candidates, and
//!    which constraints **bind**: the goal (a cheaper candidate fails it),
//!    stability (a cheaper candidate meets the goal but is not shown stable), and
//!    each parameter's range (the design sits at one of its ends).
//!
//! A sampled search finds the optimum up to the sample's spacing; over
//! whole-number parameters with at most `N` combinations it is exhaustive.

use crate::attack::{AttackError, AttackPlan, Verdict, attack};
use crate::design::{Range, latin_hypercube_seeded};
use crate::experiment::Summary;
use crate::parameters::{ParameterError, protocol_with_all, takes_whole_numbers};
use crate::stats::{DECISION_TOLERANCE, Estimate, MIN_REPLICATES_FOR_VERDICT};
use crate::world::World;
use crate::{RunOptions, run};
use accord_core::Protocol;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// `replicates` runs of each protocol in `world`, learning from the world's
/// initial strategies, replicate `k` on stream `k` for every protocol
/// (common random numbers); protocol by protocol, replicate by replicate.
pub(crate) fn replicate_each(
    world: &World,
    protocols: &[Protocol],
    replicates: usize,
    seed: u64,
    generations: Option<u32>,
) -> Vec<crate::RunResult> {
    (0..protocols.len() * replicates)
        .into_par_iter()
        .map(|k| {
            let options = RunOptions {
                seed,
                run_index: (k % replicates) as u64,
                generations,
                ..RunOptions::default()
            };
            run(world, &protocols[k / replicates], &options)
        })
        .collect()
}

/// Candidates a search may draw.
pub const MAX_CANDIDATES: usize = 4096;
/// Runs the goal stage may make (candidates × replicates).
pub const MAX_RUNS: u64 = 200_000;
/// Candidates the stability stage may attack.
pub const MAX_ATTACKS: usize = 64;

/// An outcome a goal can be set on (the names `accord sweep --metric` uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Long-run share of labs developing safely.
    Cooperation,
    /// Long-run probability that a generation has a disaster.
    Disaster,
    /// Long-run welfare per period.
    Welfare,
    /// Share of runs in which the safety norm formed.
    Coordinated,
    /// Share of audited unsafe lab-periods in which a monitor found a violation.
    Detection,
    /// Share of audited unsafe lab-periods the panel found in violation (a verdict).
    Conviction,
}

impl Outcome {
    const NAMES: [(&'static str, Outcome); 6] = [
        ("cooperation", Outcome::Cooperation),
        ("disaster", Outcome::Disaster),
        ("welfare", Outcome::Welfare),
        ("coordinated", Outcome::Coordinated),
        ("detection", Outcome::Detection),
        ("conviction", Outcome::Conviction),
    ];

    /// The outcome's estimate in a summary.
    pub fn of(self, summary: &Summary) -> Estimate {
        match self {
            Outcome::Cooperation => summary.cooperation,
            Outcome::Disaster => summary.disaster_probability,
            Outcome::Welfare => summary.welfare,
            Outcome::Coordinated => summary.coordinated_share,
            Outcome::Detection => summary.detection_rate,
            Outcome::Conviction => summary.conviction_rate,
        }
    }

    fn name(self) -> &'static str {
        Outcome::NAMES
            .iter()
            .find(|(_, o)| *o == self)
            .map(|(name, _)| *name)
            .expect("every outcome has a name")
    }
}

/// Which side of the level a goal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `outcome ≥ level`.
    AtLeast,
    /// `outcome ≤ level`.
    AtMost,
}

/// `outcome ≥ level` or `outcome ≤ level`, e.g. `cooperation>=0.9`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Goal {
    /// The outcome.
    pub outcome: Outcome,
    /// Which side of the level.
    pub direction: Direction,
    /// The level.
    pub level: f64,
}

impl Goal {
    /// Whether `estimate` meets the goal with 95% confidence (the interval's
    /// near end; the mean when the interval is undefined).
    pub fn met_by(&self, estimate: &Estimate) -> bool {
        let bound = |end: f64| if end.is_nan() { estimate.mean } else { end };
        match self.direction {
            // A rounding residue must not fail a goal met exactly.
            Direction::AtLeast => bound(estimate.low) >= self.level - DECISION_TOLERANCE,
            Direction::AtMost => bound(estimate.high) <= self.level + DECISION_TOLERANCE,
        }
    }

    /// The outcome's name, as a goal writes it.
    pub fn outcome_name(&self) -> &'static str {
        self.outcome.name()
    }

    /// Orders outcomes best first, a missing (NaN) outcome last: a total
    /// order, as sorting needs.
    fn best_first(&self, a: f64, b: f64) -> std::cmp::Ordering {
        match (a.is_nan(), b.is_nan()) {
            (false, false) if self.better(a, b) => std::cmp::Ordering::Less,
            (false, false) if self.better(b, a) => std::cmp::Ordering::Greater,
            (false, false) | (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
        }
    }

    /// Whether `a` is a better outcome than `b`.
    fn better(&self, a: f64, b: f64) -> bool {
        match self.direction {
            Direction::AtLeast => a > b,
            Direction::AtMost => a < b,
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.direction {
            Direction::AtLeast => ">=",
            Direction::AtMost => "<=",
        };
        write!(f, "{}{sign}{}", self.outcome.name(), self.level)
    }
}

/// Why a goal does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("goal {given:?}: {message}")]
pub struct GoalError {
    /// The text given.
    pub given: String,
    /// What is wrong.
    pub message: String,
}

impl FromStr for Goal {
    type Err = GoalError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = || GoalError {
            given: text.to_string(),
            message: format!(
                "expected OUTCOME>=LEVEL or OUTCOME<=LEVEL with OUTCOME one of {}, e.g. cooperation>=0.9",
                Outcome::NAMES.map(|(name, _)| name).join(", ")
            ),
        };
        let (name, direction, level) = if let Some((name, level)) = text.split_once(">=") {
            (name, Direction::AtLeast, level)
        } else if let Some((name, level)) = text.split_once("<=") {
            (name, Direction::AtMost, level)
        } else {
            return Err(fail());
        };
        let outcome = Outcome::NAMES
            .iter()
            .find(|(n, _)| *n == name.trim())
            .map(|(_, o)| *o)
            .ok_or_else(fail)?;
        let level: f64 = level.trim().parse().map_err(|_| fail())?;
        if !level.is_finite() {
            return Err(fail());
        }
        let unreachable = match direction {
            Direction::AtLeast => level > 1.0,
            Direction::AtMost => level < 0.0,
        };
        if outcome != Outcome::Welfare && unreachable {
            return Err(GoalError {
                given: text.to_string(),
                message: format!(
                    "{} is a share between 0 and 1, so no protocol can meet this goal",
                    outcome.name()
                ),
            });
        }
        Ok(Goal {
            outcome,
            direction,
            level,
        })
    }
}

/// A protocol parameter searched, its range and its cost per unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// Path in the protocol (`monitoring.monitors`, `sanctions.ladder[0].fine`).
    pub path: String,
    /// The range searched.
    #[serde(flatten)]
    pub range: Range,
    /// `w_i`: cost per unit of the parameter.
    pub cost_per_unit: f64,
}

impl Parameter {
    /// The parameters `ranges` (path, low, high) of `protocol`, each with
    /// its cost per unit from `costs` (path, weight; 0 when absent), taking
    /// whole numbers where the protocol's field does. A cost for a path that
    /// is not searched is an error.
    pub fn with_costs(
        protocol: &Protocol,
        ranges: &[(String, f64, f64)],
        costs: &[(String, f64)],
    ) -> Result<Vec<Parameter>, SearchError> {
        if let Some((path, _)) = costs
            .iter()
            .find(|(path, _)| !ranges.iter().any(|(p, _, _)| p == path))
        {
            return Err(SearchError::UnsearchedCost(path.clone()));
        }
        for (k, (path, weight)) in costs.iter().enumerate() {
            if costs[..k].iter().any(|(p, _)| p == path) {
                return Err(SearchError::Parameter {
                    path: path.clone(),
                    reason: "its cost is given twice; give one weight".into(),
                });
            }
            // A negative weight would make the search maximise the parameter.
            if !(weight.is_finite() && *weight >= 0.0) {
                return Err(SearchError::Parameter {
                    path: path.clone(),
                    reason: format!("expected a cost weight ≥ 0, got {weight}"),
                });
            }
        }
        ranges
            .iter()
            .map(|(path, low, high)| {
                let whole = takes_whole_numbers(protocol, path)?;
                let cost_per_unit = costs
                    .iter()
                    .find(|(p, _)| p == path)
                    .map_or(0.0, |(_, w)| *w);
                Ok(Parameter {
                    path: path.clone(),
                    range: Range {
                        low: *low,
                        high: *high,
                        whole,
                    },
                    cost_per_unit,
                })
            })
            .collect()
    }
}

/// How to search.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignPlan {
    /// `N`: candidates drawn.
    pub candidates: usize,
    /// `R`: replicates per candidate for the goal.
    pub replicates: u64,
    /// Generations of each goal run (the world's when None).
    pub generations: Option<u32>,
    /// Master seed (the hypercube and every run).
    pub seed: u64,
    /// The attack each candidate meeting the goal faces (None: stability is
    /// not checked).
    pub attack: Option<AttackPlan>,
    /// Candidates attacked at most.
    pub max_attacks: usize,
}

/// Why a search cannot run.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SearchError {
    /// Nothing to search.
    #[error("a design needs at least one parameter")]
    NoParameter,
    /// A path the protocol has no number at.
    #[error(transparent)]
    Path(#[from] ParameterError),
    /// A cost declared for a parameter that is not searched.
    #[error("cost of {0}: not a searched parameter (give it a range)")]
    UnsearchedCost(String),
    /// A parameter given twice.
    #[error("parameter {0} is given twice")]
    Duplicate(String),
    /// A bad range or cost.
    #[error("parameter {path}: {reason}")]
    Parameter {
        /// The parameter.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Sizes out of bounds.
    #[error("{0}")]
    Plan(String),
    /// The protocol's validator refuses every candidate.
    #[error("no candidate is a valid protocol; the first: {0}")]
    AllInvalid(String),
    /// The attack cannot run.
    #[error("attack: {0}")]
    Attack(AttackError),
}

// Not `#[from]`: that would make the attack's error the source too, and a
// chain printed whole would repeat it.
impl From<AttackError> for SearchError {
    fn from(error: AttackError) -> Self {
        SearchError::Attack(error)
    }
}

/// How a candidate fared under attack.
#[derive(Debug, Clone, Serialize)]
pub struct Stability {
    /// The gain per lab and period of the deviation that decides stability
    /// ([`crate::attack::Attack::verdict`]): one that gains significantly if
    /// any does, else the one that may gain most, else the best.
    pub exploitability: Estimate,
    /// That deviation: strategy, by whom.
    pub deviation: String,
    /// The attack's verdict is "not exploitable": no deviation gains more
    /// than its margin (every confirmed and finalist interval's upper end).
    pub stable: bool,
}

/// One candidate protocol.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Parameter values, in the order of the parameters.
    pub values: Vec<f64>,
    /// `cost(θ)`.
    pub cost: f64,
    /// The goal's outcome over the replicates.
    pub outcome: Estimate,
    /// The goal holds with 95% confidence.
    pub meets_goal: bool,
    /// No other candidate is at least as cheap and at least as good, and
    /// better in one.
    pub pareto: bool,
    /// Set for the candidates attacked.
    pub stability: Option<Stability>,
}

/// A candidate the protocol's validator refuses (a combination of values
/// no protocol file could hold, such as a quorum below a panel's majority).
#[derive(Debug, Clone, Serialize)]
pub struct Invalid {
    /// Parameter values.
    pub values: Vec<f64>,
    /// The validator's message.
    pub reason: String,
}

/// The search's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolDesign {
    /// The goal.
    pub goal: Goal,
    /// The parameters searched.
    pub parameters: Vec<Parameter>,
    /// Replicates per candidate.
    pub replicates: u64,
    /// Every valid candidate, cheapest first (ties: better outcome first).
    pub candidates: Vec<Candidate>,
    /// Candidates the protocol's validator refused (not run).
    pub invalid: Vec<Invalid>,
    /// Index (in `candidates`) of the cheapest candidate that meets the goal
    /// and is stable (or meets the goal, without an attack plan).
    pub design: Option<usize>,
    /// The constraints that bind at the design, or why there is none.
    pub binding: Vec<String>,
}

/// Searches `parameters` of `protocol` in `world` for the cheapest setting
/// that meets `goal` (and survives the attack, when `plan.attack` is set).
pub fn search(
    world: &World,
    protocol: &Protocol,
    parameters: &[Parameter],
    goal: Goal,
    plan: &DesignPlan,
) -> Result<ProtocolDesign, SearchError> {
    check(parameters, plan)?;
    let mut points = Vec::new();
    let mut protocols = Vec::new();
    let mut invalid = Vec::new();
    for values in candidate_points(parameters, plan) {
        let settings: Vec<(&str, f64)> = parameters
            .iter()
            .zip(&values)
            .map(|(parameter, &value)| (parameter.path.as_str(), value))
            .collect();
        let candidate = protocol_with_all(protocol, &settings);
        match candidate {
            Ok(candidate) => {
                points.push(values);
                protocols.push(candidate);
            }
            Err(error) => invalid.push(Invalid {
                values,
                reason: error.to_string(),
            }),
        }
    }
    if points.is_empty() {
        return Err(SearchError::AllInvalid(invalid[0].reason.clone()));
    }
    let replicates = plan.replicates as usize;
    let runs = replicate_each(world, &protocols, replicates, plan.seed, plan.generations);
    let mut candidates: Vec<(Candidate, Protocol)> = points
        .into_iter()
        .zip(runs.chunks(replicates))
        .zip(protocols)
        .map(|((values, runs), protocol)| {
            let outcome = goal.outcome.of(&Summary::of(runs));
            let cost = cost_of(parameters, &values);
            let candidate = Candidate {
                values,
                cost,
                outcome,
                meets_goal: goal.met_by(&outcome),
                pareto: false,
                stability: None,
            };
            (candidate, protocol)
        })
        .collect();
    rank(&mut candidates, goal);
    let mut design = None;
    let mut attacked = 0;
    for (k, (candidate, candidate_protocol)) in candidates.iter_mut().enumerate() {
        if !candidate.meets_goal {
            continue;
        }
        let Some(attack_plan) = &plan.attack else {
            design = Some(k);
            break;
        };
        if attacked == plan.max_attacks {
            break;
        }
        attacked += 1;
        let result = attack(world, candidate_protocol, attack_plan)?;
        let (verdict, decisive) = result
            .verdict()
            .expect("an attack searches at least one lab type");
        let stability = Stability {
            exploitability: decisive.gain,
            deviation: format!(
                "{} by {}",
                decisive.strategy,
                decisive.coalition.join(" + ")
            ),
            stable: verdict == Verdict::NotExploitable,
        };
        let stable = stability.stable;
        candidate.stability = Some(stability);
        if stable {
            design = Some(k);
            break;
        }
    }
    let candidates: Vec<Candidate> = candidates.into_iter().map(|(c, _)| c).collect();
    let binding = binding(&candidates, &invalid, parameters, design, plan);
    Ok(ProtocolDesign {
        goal,
        parameters: parameters.to_vec(),
        replicates: plan.replicates,
        candidates,
        invalid,
        design,
        binding,
    })
}

/// The candidates: every combination when all parameters take whole
/// numbers and there are at most `N` combinations, else a Latin hypercube
/// of `N` points without duplicates.
fn candidate_points(parameters: &[Parameter], plan: &DesignPlan) -> Vec<Vec<f64>> {
    let whole_values = |p: &Parameter| -> Vec<f64> {
        let (low, high) = (p.range.low.ceil() as i64, p.range.high.floor() as i64);
        (low..=high).map(|v| v as f64).collect()
    };
    let combinations = parameters.iter().try_fold(1usize, |product, p| {
        let count = p.range.high.floor() - p.range.low.ceil() + 1.0;
        (p.range.whole && count <= plan.candidates as f64)
            .then(|| product.checked_mul(count as usize))
            .flatten()
    });
    if combinations.is_some_and(|c| c <= plan.candidates) {
        return parameters.iter().fold(vec![Vec::new()], |grid, p| {
            grid.iter()
                .flat_map(|prefix| {
                    whole_values(p).into_iter().map(move |v| {
                        let mut point = prefix.clone();
                        point.push(v);
                        point
                    })
                })
                .collect()
        });
    }
    let mut points: Vec<Vec<f64>> =
        latin_hypercube_seeded(plan.candidates, parameters.len(), plan.seed)
            .into_iter()
            .map(|u| {
                parameters
                    .iter()
                    .zip(u)
                    .map(|(p, u)| p.range.at(u))
                    .collect()
            })
            .collect();
    let mut seen = std::collections::BTreeSet::new();
    points.retain(|values| seen.insert(values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()));
    points
}

fn check(parameters: &[Parameter], plan: &DesignPlan) -> Result<(), SearchError> {
    if parameters.is_empty() {
        return Err(SearchError::NoParameter);
    }
    for (i, p) in parameters.iter().enumerate() {
        if parameters[..i].iter().any(|q| q.path == p.path) {
            return Err(SearchError::Duplicate(p.path.clone()));
        }
        let fail = |reason: &str| SearchError::Parameter {
            path: p.path.clone(),
            reason: reason.into(),
        };
        if !(p.range.low.is_finite() && p.range.high.is_finite() && p.range.low <= p.range.high) {
            return Err(fail("LOW and HIGH must be numbers with LOW ≤ HIGH"));
        }
        if p.range.whole && p.range.low.ceil() > p.range.high.floor() {
            return Err(fail("takes whole numbers and there is none in its range"));
        }
        if !p.cost_per_unit.is_finite() {
            return Err(fail("its cost per unit must be a finite number"));
        }
    }
    if !(1..=MAX_CANDIDATES).contains(&plan.candidates) {
        return Err(SearchError::Plan(format!(
            "expected 1 to {MAX_CANDIDATES} candidates, got {}",
            plan.candidates
        )));
    }
    if plan.replicates < 2 {
        return Err(SearchError::Plan(
            "expected at least 2 replicates per candidate (the goal is tested on an interval)"
                .into(),
        ));
    }
    let runs = plan.candidates as u64 * plan.replicates;
    if runs > MAX_RUNS {
        return Err(SearchError::Plan(format!(
            "{} candidates × {} replicates is {runs} runs, more than the limit of {MAX_RUNS}",
            plan.candidates, plan.replicates
        )));
    }
    if let Some(attack) = &plan.attack {
        attack.check()?;
        // Fewer decide nothing (`Attack::verdict`), so no candidate could be stable.
        if (attack.replicates as usize) < MIN_REPLICATES_FOR_VERDICT {
            return Err(SearchError::Plan(format!(
                "expected at least {MIN_REPLICATES_FOR_VERDICT} replicates per attack (--attack-replicates, Python's attack_replicates): stability is a verdict, and fewer decide nothing; or attack no candidate (--attacks 0)"
            )));
        }
    }
    if plan.attack.is_some() && !(1..=MAX_ATTACKS).contains(&plan.max_attacks) {
        return Err(SearchError::Plan(format!(
            "expected 1 to {MAX_ATTACKS} candidates attacked, got {}",
            plan.max_attacks
        )));
    }
    Ok(())
}

/// Sorts the candidates cheapest first, the best outcome first within a
/// cost (so the first meeting the goal is the design), and marks the front.
fn rank<T>(candidates: &mut [(Candidate, T)], goal: Goal) {
    candidates.sort_by(|(a, _), (b, _)| {
        a.cost
            .total_cmp(&b.cost)
            .then_with(|| goal.best_first(a.outcome.mean, b.outcome.mean))
    });
    mark_pareto(candidates, goal);
}

/// Marks the candidates no other candidate dominates (cost no higher,
/// outcome no worse, one of them strictly). A candidate without an outcome
/// (NaN: nothing to measure in its runs) is on no front and dominates nothing.
fn mark_pareto<T>(candidates: &mut [(Candidate, T)], goal: Goal) {
    for k in 0..candidates.len() {
        let (cost, outcome) = (candidates[k].0.cost, candidates[k].0.outcome.mean);
        let dominated = candidates.iter().enumerate().any(|(j, (other, _))| {
            j != k
                && !other.outcome.mean.is_nan()
                && other.cost <= cost
                && !goal.better(outcome, other.outcome.mean)
                && (other.cost < cost || goal.better(other.outcome.mean, outcome))
        });
        candidates[k].0.pareto = !dominated && !outcome.is_nan();
    }
}

/// The declared cost of a setting: Σ cost per unit × value.
fn cost_of(parameters: &[Parameter], values: &[f64]) -> f64 {
    parameters
        .iter()
        .zip(values)
        .map(|(p, v)| p.cost_per_unit * v)
        .sum()
}

fn binding(
    candidates: &[Candidate],
    invalid: &[Invalid],
    parameters: &[Parameter],
    design: Option<usize>,
    plan: &DesignPlan,
) -> Vec<String> {
    let Some(chosen) = design else {
        let meeting = candidates.iter().filter(|c| c.meets_goal).count();
        let attacked = candidates.iter().filter(|c| c.stability.is_some()).count();
        return vec![if meeting == 0 {
            "no candidate meets the goal: widen the ranges or relax the goal".to_string()
        } else if attacked < meeting && attacked == plan.max_attacks {
            format!(
                "stability: the {attacked} cheapest candidate(s) meeting the goal not shown stable; {} more meeting it not attacked (raise the number attacked)",
                meeting - attacked
            )
        } else {
            "stability: no candidate meeting the goal is shown stable".to_string()
        }];
    };
    let cost = candidates[chosen].cost;
    let cheaper = || candidates.iter().filter(|c| c.cost < cost);
    let mut binding = Vec::new();
    if cheaper().any(|c| !c.meets_goal) {
        binding.push("goal: cheaper candidates fail it".to_string());
    }
    if cheaper().any(|c| c.stability.as_ref().is_some_and(|s| !s.stable)) {
        binding.push(
            "stability: cheaper candidates meeting the goal are not shown stable".to_string(),
        );
    }
    if invalid
        .iter()
        .any(|i| cost_of(parameters, &i.values) < cost)
    {
        binding.push("validity: cheaper settings are not valid protocols (see `invalid`)".into());
    }
    for (p, &value) in parameters.iter().zip(&candidates[chosen].values) {
        let (low, high) = if p.range.whole {
            (p.range.low.ceil(), p.range.high.floor())
        } else {
            (p.range.low, p.range.high)
        };
        if low == high {
            continue;
        }
        // The cheap end is where the search would go next if it could.
        let cheap_end = if p.cost_per_unit >= 0.0 { low } else { high };
        if value == cheap_end && p.cost_per_unit != 0.0 {
            binding.push(format!(
                "range of {}: the design sits at its cheap end",
                p.path
            ));
        } else if (value == low || value == high) && value != cheap_end {
            binding.push(format!(
                "range of {}: the design sits at its costly end (the goal may need more)",
                p.path
            ));
        }
    }
    if binding.is_empty() {
        let searchable = parameters.iter().any(|p| {
            if p.range.whole {
                p.range.low.ceil() < p.range.high.floor()
            } else {
                p.range.low < p.range.high
            }
        });
        // The least cost any setting of the ranges can have.
        let least_cost: f64 = parameters
            .iter()
            .map(|p| {
                let (low, high) = if p.range.whole {
                    (p.range.low.ceil(), p.range.high.floor())
                } else {
                    (p.range.low, p.range.high)
                };
                (p.cost_per_unit * low).min(p.cost_per_unit * high)
            })
            .sum();
        binding.push(if !searchable {
            "none: every range holds a single value, so there was nothing cheaper to try".into()
        } else if cost <= least_cost {
            format!("none: the design costs {cost}, the least any setting of the ranges can")
        } else {
            "none: every cheaper candidate was sampled away (draw more candidates)".into()
        });
    }
    binding
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(cost: f64, outcome: f64) -> (Candidate, ()) {
        let outcome = Estimate {
            mean: outcome,
            low: outcome,
            high: outcome,
            n: 2,
        };
        let goal: Goal = "detection>=0.3".parse().unwrap();
        let candidate = Candidate {
            values: vec![cost, outcome.mean],
            cost,
            outcome,
            meets_goal: goal.met_by(&outcome),
            pareto: false,
            stability: None,
        };
        (candidate, ())
    }

    #[test]
    fn candidates_without_an_outcome_rank_last_and_dominate_nothing() {
        let goal: Goal = "detection>=0.3".parse().unwrap();
        // Enough equal-cost NaNs to reach the sort's checks of a total order.
        let mut candidates: Vec<(Candidate, ())> = (0..64)
            .map(|k| match k % 4 {
                0 => candidate(1.0, f64::NAN),
                1 => candidate(1.0, 0.574),
                2 => candidate(2.0, 0.589),
                _ => candidate(1.0, 0.589 - f64::from(k) * 1e-4),
            })
            .collect();
        rank(&mut candidates, goal);
        let order: Vec<(f64, f64)> = candidates
            .iter()
            .map(|(c, _)| (c.cost, c.outcome.mean))
            .collect();
        for pair in order.windows(2) {
            let ((cost_a, a), (cost_b, b)) = (pair[0], pair[1]);
            assert!(
                cost_a < cost_b || (cost_a == cost_b && (b.is_nan() || a >= b)),
                "{order:?}"
            );
        }
        // The first meeting the goal is the best of the cheapest.
        let design = candidates.iter().find(|(c, _)| c.meets_goal).unwrap();
        assert_eq!(design.0.outcome.mean, 0.589 - 3.0 * 1e-4);
        assert!(design.0.pareto);
        // The dearer 0.589 beats every cheaper outcome, so it is on the front.
        let dear = candidates.iter().find(|(c, _)| c.cost == 2.0).unwrap();
        assert!(dear.0.pareto);
        assert!(
            candidates
                .iter()
                .all(|(c, _)| !(c.outcome.mean.is_nan() && c.pareto))
        );
    }
}
