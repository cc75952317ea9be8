//! Racing to the precipice in the simulator: teams that learn how much safety
//! to give up to win, under the information about capabilities the protocol
//! gives them.
//!
//! Source: S. Armstrong, N. Bostrom and C. Shulman, "Racing to the
//! precipice: a model of artificial intelligence development", AI & Society
//! 31, 201–206 (2016). The closed forms for identical teams are
//! `accord_games::precipice`; the simulator reaches them by learning and
//! goes where they do not: teams that differ in capability and enmity.
//!
//! Team `i` draws its capability `c_i ~ U[0, μ_i]` and chooses its safety
//! `s_i ∈ [0, 1]`; the team with the highest score `c_i − s_i` builds the
//! AI, which is safe with probability `s_w`. Team `i` gets 1 if it wins
//! safely, `1 − e_i` if another team does (`e_i`: its enmity), 0 on disaster.
//!
//! What a team knows when it chooses is set by the protocol:
//!
//! - a protocol that collects a capability metric (an early-warning metric
//!   whose role is training compute or a capability evaluation) and makes
//!   metric reports public, through `[information_sharing] public_reports`
//!   or by publishing `report` events on its `[transparency]` log, makes
//!   every capability **public**;
//! - otherwise each lab knows its own capability only (**private**);
//! - **no information** (nobody knows even its own) is the paper's baseline,
//!   reported beside them.
//!
//! How teams choose:
//!
//! - **No information**: each team plays one safety, its best response to
//!   the others' on `D` sampled races (the same races every round), its own
//!   capability integrated out exactly:
//!
//!   ```text
//!   U_i(s) = mean_d [ s·P_d(s) + (1 − e_i)·s_r(d)·(1 − P_d(s)) ],
//!   P_d(s) = clamp((μ_i − s − m_d)/μ_i, 0, 1),   m_d = max_{j≠i} (c_jd − s_j)
//!   ```
//!
//!   (`r(d)` the best rival of race `d`), smooth in `s`, maximised on a grid
//!   refined by golden section. A best response computed on the sampled
//!   races alone, capability included, would be a step function whose
//!   maximiser wanders by about `D^(−1/3)`.
//! - **Private information**: each team plays the paper's class of
//!   policies, safety in proportion to its own capability,
//!   `s_i(c) = min(1, ρ_i·c)` (`ρ = 1/k`), choosing its best `ρ_i` the same
//!   way (its win set `c > x⁻¹(m_d)` for the rising score `x(c) = c − s(c)`).
//!   Unrestricted best responses, one safety per capability, do not work
//!   here: they drift to profiles where every team scores the same (a tie
//!   that each team's best response wins by an ever smaller margin), the
//!   analogue of bidding in an asymmetric first-price auction. Identical
//!   teams' equilibrium lies in the class; for others the report gives each
//!   team's gain from leaving it, measured on the learning races, so the
//!   class can be judged.
//! - Teams start fully safe (with private information: at no safety, since
//!   near the class's safest policy every score is near 0, a tie) and all
//!   revise at once, the iteration accelerated by Anderson mixing (and,
//!   far from a narrow race's equilibrium with no information, by shifts
//!   that double while every team keeps moving the same way), until every
//!   policy is its own best response to within `1e-5` (with no
//!   information, `1e-5` times the team's spread when below 1; the report
//!   says whether they got there within the round limit). The policies are
//!   equilibria of the sampled races: learning on other races moves them by
//!   sampling error (about ±0.01, more with many teams or a flat objective),
//!   which the race's interval, taken over the measured races given the
//!   policies, does not include.
//! - **Public information**: each race is a game of complete information
//!   that the teams solve: the leader (highest capability) plays the highest
//!   safety at which no rival would rather win by cutting its own safety
//!   (to `s_L − Δ_j`) than lose, `s_L − Δ_j ≤ (1 − e_j)·s_L`, so
//!
//!   ```text
//!   s_L = min(1, min_j Δ_j / e_j)     (Δ_j = c_L − c_j; rivals with e_j = 0 never cut)
//!   ```
//!
//!   which is the paper's `min(1, Δ/e)` when the enmities are equal.
//!
//! The race's safety in each regime is then measured on fresh races (a
//! separate random stream), with a 95% normal interval, beside the closed
//! form when the teams are identical.

use crate::stats::{Estimate, Z_975};
use accord_core::Protocol;
use accord_core::spec::{EventKind, ReportKind};
use accord_core::state::check_id;
use accord_core::validate::{FileErrors, parse_located};
use accord_games::precipice::{Information, Precipice};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The shipped race among the frontier world's six archetypes, `accord
/// precipice`'s default.
pub const DEFAULT_RACE: &str = include_str!("../../../examples/races/frontier-labs.toml");

/// Most teams a race may hold (learning costs grow as teams² × draws).
pub const MAX_TEAMS: usize = 64;
/// Widest capability range accepted.
pub const MAX_CAPABILITY_SPREAD: f64 = 1e6;
/// Narrowest capability range accepted: with no information the equilibrium
/// safety is of the order of the spread, and learning resolves it to a
/// relative [`SETTLED_RESIDUAL`], which needs best responses found to about
/// 1e-13 (near f64's resolution at safety 1) when the spread is 1e-6.
pub const MIN_CAPABILITY_SPREAD: f64 = 1e-6;
/// Sampled races the teams learn on.
pub const LEARNING_RACES: usize = 20_000;
/// Fresh races each regime's safety is measured on.
pub const MEASURED_RACES: usize = 50_000;
/// Most rounds of best responses.
pub const MAX_ROUNDS: u32 = 400;
/// Learning stops once every policy is its own best response to within this
/// (with no information, this times the team's spread when below 1: the
/// equilibrium safety `μ/(n·e)` is of the spread's order).
pub const SETTLED_RESIDUAL: f64 = 1e-5;
/// Largest `ρ` of the private-information class: below 1, scores still
/// rise with capability (at `ρ = 1` every capability up to 1 scores 0).
pub const RHO_MAX: f64 = 0.999;

/// A race file (`examples/races/*.toml`): the teams that race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Race {
    /// The teams, each `[[team]]`.
    pub team: Vec<Team>,
}

/// One team of the race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Participant id.
    pub name: String,
    /// `μ_i`: the team's capability is uniform on `[0, μ_i]`.
    pub capability_spread: f64,
    /// `e_i` in `[0, 1]`: what the team loses when another team wins safely.
    pub enmity: f64,
}

impl Race {
    /// `n` identical teams, `team-1` … `team-n`: the paper's setting.
    pub fn identical(teams: usize, capability_spread: f64, enmity: f64) -> Race {
        Race {
            team: (1..=teams)
                .map(|i| Team {
                    name: format!("team-{i}"),
                    capability_spread,
                    enmity,
                })
                .collect(),
        }
    }

    /// The closed-form race when every team has the same `μ` and `e`.
    fn identical_teams(&self) -> Option<Precipice> {
        let first = self.team.first()?;
        let same = self
            .team
            .iter()
            .all(|t| t.capability_spread == first.capability_spread && t.enmity == first.enmity);
        if !same {
            return None;
        }
        Precipice::new(self.team.len(), first.capability_spread, first.enmity).ok()
    }
}

/// Parses and checks a race file; errors name line and field.
pub fn parse_race(text: &str) -> Result<Race, FileErrors> {
    parse_located(text, check_race)
}

/// Semantic checks: `(field path, message)` for each problem.
pub fn check_race(race: &Race) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if !(2..=MAX_TEAMS).contains(&race.team.len()) {
        problems.push((
            "team".to_string(),
            format!(
                "expected 2 to {MAX_TEAMS} [[team]] tables, got {}",
                race.team.len()
            ),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, team) in race.team.iter().enumerate() {
        if let Err(accord_core::Rejection::Invalid { message, .. }) = check_id("name", &team.name) {
            problems.push((format!("team[{i}].name"), message));
        } else if !names.insert(team.name.as_str()) {
            problems.push((
                format!("team[{i}].name"),
                format!("{:?} names two teams; each team needs its own", team.name),
            ));
        }
        if !(MIN_CAPABILITY_SPREAD..=MAX_CAPABILITY_SPREAD).contains(&team.capability_spread) {
            problems.push((
                format!("team[{i}].capability_spread"),
                format!(
                    "expected a number from {MIN_CAPABILITY_SPREAD:e} to {MAX_CAPABILITY_SPREAD:e} (capabilities are uniform on [0, spread]), got {}",
                    team.capability_spread
                ),
            ));
        }
        if !(0.0..=1.0).contains(&team.enmity) {
            problems.push((
                format!("team[{i}].enmity"),
                format!(
                    "expected a number in [0, 1] (the loss when another team wins safely), got {}",
                    team.enmity
                ),
            ));
        }
    }
    problems
}

/// Why a race cannot run.
#[derive(Debug, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct RaceError {
    /// Dotted path of the field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// What teams know about capabilities under `protocol`, and why. Metric
/// reports reveal capability only when the protocol collects a capability
/// metric (an early-warning metric whose role is training compute or a
/// capability evaluation): publishing reports of nothing reveals nothing.
pub fn information_under(protocol: &Protocol) -> (Information, &'static str) {
    let warning = &protocol.early_warning;
    let capability_reported = warning.enabled && warning.metric.iter().any(|m| m.role.is_some());
    if !capability_reported {
        return (
            Information::Private,
            "the protocol collects no capability metric (training compute or a capability evaluation): each lab knows its own capability only",
        );
    }
    let shared = &protocol.information_sharing;
    if shared.enabled && shared.public_reports.contains(&ReportKind::Metric) {
        return (
            Information::Public,
            "[information_sharing] makes metric reports (evaluation scores) public",
        );
    }
    let log = &protocol.transparency;
    if log.enabled && log.published.contains(&EventKind::Report) {
        return (
            Information::Public,
            "[transparency] publishes report events, metric reports among them",
        );
    }
    (
        Information::Private,
        "metric reports stay with the registry: each lab knows its own capability only",
    )
}

/// How a team chooses its safety, as learned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Policy {
    /// One safety, whatever the capabilities.
    Constant {
        /// `s_i`.
        safety: f64,
    },
    /// Safety in proportion to the team's own capability.
    Proportional {
        /// `ρ` in `s(c) = min(1, ρ·c)` (the paper's `1/k`).
        rho: f64,
        /// What the team would gain, on average over its capabilities, by
        /// leaving this class of policies (on the learning races; sampling
        /// biases it up): near 0 when the class holds an equilibrium.
        gain_outside_the_class: f64,
    },
    /// Chosen in each race from every team's capability (public information).
    PerRace,
}

/// One team's outcome in one regime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamOutcome {
    /// Participant id.
    pub name: String,
    /// Share of the measured races the team won.
    pub win_share: f64,
    /// Its mean safety in the races it won (NaN: it won none).
    pub safety_when_winning: f64,
    /// How it chooses.
    pub policy: Policy,
}

/// The race under one information regime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegimeOutcome {
    /// What the teams know.
    pub information: Information,
    /// Whether the protocol sets this regime.
    pub under_protocol: bool,
    /// Probability that the race is safe, `E[s_w]`, with its 95% interval.
    pub safety: Estimate,
    /// The closed form (identical teams only).
    pub closed_form_safety: Option<f64>,
    /// Rounds of best responses (0: nothing to learn).
    pub rounds: u32,
    /// Whether learning settled within the round limit.
    pub settled: bool,
    /// Each team.
    pub teams: Vec<TeamOutcome>,
}

/// `accord precipice`'s report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecipiceReport {
    /// The protocol's name.
    pub protocol: String,
    /// The regime the protocol sets.
    pub information_under_protocol: Information,
    /// Why.
    pub reason: String,
    /// The race.
    pub race: Race,
    /// Master seed.
    pub seed: u64,
    /// Races learned on and measured on.
    pub learning_races: usize,
    /// Fresh races each regime is measured on.
    pub measured_races: usize,
    /// The regimes run, least informed first.
    pub regimes: Vec<RegimeOutcome>,
}

/// Runs the race under each information regime.
pub fn run_precipice(
    protocol: &Protocol,
    race: &Race,
    seed: u64,
) -> Result<PrecipiceReport, RaceError> {
    run_precipice_in(protocol, race, seed, &Information::ALL)
}

/// Runs the race under the information regimes `regimes` only.
pub fn run_precipice_in(
    protocol: &Protocol,
    race: &Race,
    seed: u64,
    regimes: &[Information],
) -> Result<PrecipiceReport, RaceError> {
    if let Some((field, message)) = check_race(race).into_iter().next() {
        return Err(RaceError { field, message });
    }
    let (under_protocol, reason) = information_under(protocol);
    let learning = draw_races(race, seed, 0, LEARNING_RACES);
    let measured = draw_races(race, seed, 1, MEASURED_RACES);
    let closed_form = race.identical_teams();
    let regimes = regimes
        .iter()
        .map(|&information| {
            let (policies, rounds, settled) = learn(race, information, &learning);
            let gains: Vec<f64> = if information == Information::Private {
                let scores = top_two_scores(race, &policies, &learning);
                (0..race.team.len())
                    .into_par_iter()
                    .map(|i| {
                        let rivals = rival_races(race, i, &scores);
                        gain_outside_the_class(
                            race.team[i].capability_spread,
                            &policies[i],
                            &rivals,
                        )
                    })
                    .collect()
            } else {
                vec![0.0; race.team.len()]
            };
            let mut outcome = measure(race, information, &policies, &gains, &measured);
            outcome.under_protocol = information == under_protocol;
            outcome.closed_form_safety = closed_form.map(|p| p.safety(information));
            outcome.rounds = rounds;
            outcome.settled = settled;
            outcome
        })
        .collect();
    Ok(PrecipiceReport {
        protocol: protocol.protocol.name.clone(),
        information_under_protocol: under_protocol,
        reason: reason.to_string(),
        race: race.clone(),
        seed,
        learning_races: LEARNING_RACES,
        measured_races: MEASURED_RACES,
        regimes,
    })
}

/// `count` races of capabilities, row-major (race, team), from stream
/// `stream` of `seed`.
fn draw_races(race: &Race, seed: u64, stream: u64, count: usize) -> Vec<f64> {
    let mut rng = accord_seed::run_rng(seed, stream);
    let mut capabilities = Vec::with_capacity(count * race.team.len());
    for _ in 0..count {
        for team in &race.team {
            capabilities.push(team.capability_spread * rng.random::<f64>());
        }
    }
    capabilities
}

/// A team's learned choice, as the learning loop holds it.
#[derive(Debug, Clone, PartialEq)]
enum Learned {
    /// One safety, whatever the capabilities.
    Constant(f64),
    /// `s(c) = min(1, ρ·c)`.
    Proportional(f64),
    PerRace,
}

impl Learned {
    fn safety(&self, capability: f64) -> f64 {
        match self {
            Learned::Constant(safety) => *safety,
            Learned::Proportional(rho) => (rho * capability).min(1.0),
            Learned::PerRace => unreachable!("public information is solved race by race"),
        }
    }
}

/// Simultaneous best responses until every policy is its own best response
/// to within its tolerance ([`SETTLED_RESIDUAL`]; with no information, that
/// times the team's spread when below 1). Plain iteration crawls where best
/// responses move almost one for one with the others' policies (small
/// enmity, many teams: the best-response slope nears 1), and stopping on a
/// small step then stops short of the fixed point; so the iteration is
/// accelerated (Anderson mixing of depth 1, the secant method in one
/// dimension), falling back to a half step whenever the residual, measured
/// in tolerances, does not shrink. Far from the equilibrium of a narrow race
/// with no information, every team undercuts the others (or outbids them)
/// by a margin of the spread's order whatever their safety: the residual
/// is constant, and the secant has nothing to work with. There every team
/// moves by one shift that doubles while all residuals keep one sign, so
/// the crossing takes rounds logarithmic in 1/μ rather than 1/μ rounds (an
/// outside review found μ = 0.003 unsettled at safety 1 after 400 rounds).
fn learn(race: &Race, information: Information, races: &[f64]) -> (Vec<Learned>, u32, bool) {
    let teams = race.team.len();
    // Fully safe without information; with private information from no
    // safety, since near the class's safest policy every score is near 0, a
    // tie no best response leaves quickly.
    let (make, upper, start): (fn(f64) -> Learned, f64, f64) = match information {
        Information::None => (Learned::Constant, 1.0, 1.0),
        Information::Private => (Learned::Proportional, RHO_MAX, 0.0),
        Information::Public => return (vec![Learned::PerRace; teams], 0, true),
    };
    let tolerances: Vec<f64> = race
        .team
        .iter()
        .map(|team| match information {
            Information::None => SETTLED_RESIDUAL * team.capability_spread.min(1.0),
            _ => SETTLED_RESIDUAL,
        })
        .collect();
    // The largest residual in tolerances: learning has settled at 1.
    let scaled = |f: &[f64]| {
        f.iter()
            .zip(&tolerances)
            .fold(0.0f64, |m, (f, t)| m.max(f.abs() / t))
    };
    let mut x = vec![start; teams];
    let mut previous: Option<(Vec<f64>, Vec<f64>)> = None;
    let mut stride = 0.5;
    for round in 1..=MAX_ROUNDS {
        let policies: Vec<Learned> = x.iter().map(|&p| make(p)).collect();
        let g = best_responses(race, information, &policies, races, &tolerances);
        let f: Vec<f64> = g.iter().zip(&x).map(|(g, x)| g - x).collect();
        let residual = scaled(&f);
        if residual <= 1.0 {
            return (policies, round, true);
        }
        // No progress, every team moving the same way as before: the
        // constant undercutting (or outbidding) far from a narrow race's
        // equilibrium with no information.
        let one_sign = f.iter().all(|&a| a > 0.0) || f.iter().all(|&a| a < 0.0);
        let stalled = information == Information::None
            && one_sign
            && previous.as_ref().is_some_and(|(f_before, _)| {
                residual >= 0.99 * scaled(f_before) && f[0].signum() == f_before[0].signum()
            });
        let plain_step: Vec<f64> = if stalled {
            // Every team moves by the same doubling shift: in the region
            // where only differences of safety matter, that keeps the
            // teams' configuration while it travels.
            stride *= 2.0;
            let shift = stride * f.iter().sum::<f64>() / f.len() as f64;
            x.iter().map(|x| (x + shift).clamp(0.0, upper)).collect()
        } else {
            stride = 0.5;
            x.iter().zip(&f).map(|(x, f)| x + stride * f).collect()
        };
        let next = match &previous {
            Some((f_before, g_before)) if !stalled && residual < scaled(f_before) => {
                let df: Vec<f64> = f.iter().zip(f_before).map(|(a, b)| a - b).collect();
                let norm: f64 = df.iter().map(|d| d * d).sum();
                if norm > 0.0 {
                    let gamma = f.iter().zip(&df).map(|(a, b)| a * b).sum::<f64>() / norm;
                    g.iter()
                        .zip(g_before)
                        .map(|(g, gb)| (g - gamma * (g - gb)).clamp(0.0, upper))
                        .collect()
                } else {
                    plain_step
                }
            }
            _ => plain_step,
        };
        previous = Some((f, g));
        x = next;
    }
    let policies = x.iter().map(|&p| make(p)).collect();
    (policies, MAX_ROUNDS, false)
}

/// Every team's best response to the others' policies; with no
/// information to within a hundredth of the team's tolerance.
fn best_responses(
    race: &Race,
    information: Information,
    policies: &[Learned],
    races: &[f64],
    tolerances: &[f64],
) -> Vec<f64> {
    let scores = top_two_scores(race, policies, races);
    (0..race.team.len())
        .into_par_iter()
        .map(|i| {
            let rivals = rival_races(race, i, &scores);
            let spread = race.team[i].capability_spread;
            match information {
                Information::None => best_constant_safety(spread, &rivals, 0.01 * tolerances[i]),
                _ => best_proportion(spread, &rivals),
            }
        })
        .collect()
}

/// In each race, the best and second-best `(score, safety, team)`.
type TopTwo = [(f64, f64, usize); 2];

fn top_two_scores(race: &Race, policies: &[Learned], races: &[f64]) -> Vec<TopTwo> {
    let teams = race.team.len();
    races
        .chunks_exact(teams)
        .map(|capabilities| {
            let mut top = [(f64::NEG_INFINITY, 0.0, usize::MAX); 2];
            for (j, &capability) in capabilities.iter().enumerate() {
                let safety = policies[j].safety(capability);
                let score = capability - safety;
                if score > top[0].0 {
                    top[1] = top[0];
                    top[0] = (score, safety, j);
                } else if score > top[1].0 {
                    top[1] = (score, safety, j);
                }
            }
            top
        })
        .collect()
}

/// For team `i`, each learning race as `(m_d, lose_d)`: the rivals' best
/// score and what the team gets if that rival wins, `(1 − e_i)·s_rival`.
fn rival_races(race: &Race, i: usize, scores: &[TopTwo]) -> Vec<(f64, f64)> {
    let keep = 1.0 - race.team[i].enmity;
    scores
        .iter()
        .map(|top| {
            let (score, safety, _) = if top[0].2 == i { top[1] } else { top[0] };
            (score, keep * safety)
        })
        .collect()
}

/// Maximises a function on `[low, high]`: the best of `points` evenly
/// spaced values, refined by golden-section search between its neighbours
/// (the objectives are smooth and piecewise quadratic) for at least 40
/// steps and until the bracket is narrower than `precision`.
fn maximise(low: f64, high: f64, points: usize, precision: f64, f: impl Fn(f64) -> f64) -> f64 {
    let step = (high - low) / (points - 1) as f64;
    let at = |k: usize| (low + step * k as f64).min(high);
    let best = (0..points)
        .map(|k| (k, f(at(k))))
        // Ties go to the higher parameter: the safer policy.
        .fold(
            (0, f64::NEG_INFINITY),
            |a, b| if b.1 >= a.1 { b } else { a },
        );
    let (mut a, mut b) = (
        at(best.0.saturating_sub(1)),
        at((best.0 + 1).min(points - 1)),
    );
    const GOLDEN: f64 = 0.618_033_988_749_894_9;
    // Past 200 steps the bracket is below f64's resolution anyway.
    for iteration in 0..200 {
        if iteration >= 40 && b - a <= precision {
            break;
        }
        let x1 = b - GOLDEN * (b - a);
        let x2 = a + GOLDEN * (b - a);
        if f(x1) > f(x2) {
            b = x2;
        } else {
            a = x1;
        }
    }
    let refined = 0.5 * (a + b);
    if f(refined) >= best.1 {
        refined
    } else {
        at(best.0)
    }
}

/// With no information, team `i`'s best constant safety against the
/// rivals' scores, its own capability integrated out: it wins race `d`
/// with probability `P_d(s) = clamp((μ_i − s − m_d)/μ_i, 0, 1)`, so
/// `U(s) = mean_d [s·P_d(s) + lose_d·(1 − P_d(s))]`, smooth in `s`.
fn best_constant_safety(spread: f64, rivals: &[(f64, f64)], precision: f64) -> f64 {
    let mut sorted = rivals.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Prefix sums of 1, m, lose and lose·m over races sorted by m.
    let mut sums = vec![[0.0f64; 3]; sorted.len() + 1];
    for (k, &(m, lose)) in sorted.iter().enumerate() {
        let [sm, sl, slm] = sums[k];
        sums[k + 1] = [sm + m, sl + lose, slm + lose * m];
    }
    let count = sorted.len();
    let total_lose = sums[count][1];
    let mu = spread;
    let utility = |s: f64| {
        // A: sure wins (m ≤ −s); C: sure losses (m ≥ μ − s); B: between.
        let a = sorted.partition_point(|r| r.0 <= -s);
        let c = sorted.partition_point(|r| r.0 < mu - s);
        let n_b = (c - a) as f64;
        let [m_b, l_b, lm_b] = [0, 1, 2].map(|q| sums[c][q] - sums[a][q]);
        let between = l_b + (s * (mu - s) * n_b - s * m_b - (mu - s) * l_b + lm_b) / mu;
        (a as f64 * s + between + (total_lose - sums[c][1])) / count as f64
    };
    // Below `−max m` every race is a sure win (U = s rises); above
    // `μ − min m` every race a sure loss (U is flat). The maximum lies
    // between, a range of the spread's order that a grid over all of
    // [0, 1] would not see when μ is narrower than its step.
    let (Some(lowest), Some(highest)) = (sorted.first(), sorted.last()) else {
        return 1.0;
    };
    let low = (-highest.0).clamp(0.0, 1.0);
    let high = (mu - lowest.0).clamp(0.0, 1.0);
    let best = if high > low {
        maximise(low, high, 1001, precision, utility)
    } else {
        low
    };
    // Ties go to the safer policy, as in `maximise`.
    if utility(1.0) >= utility(best) {
        1.0
    } else {
        best
    }
}

/// With private information, team `i`'s best `ρ` in `s(c) = min(1, ρ·c)`
/// against the rivals' scores, its own capability integrated out: its score
/// `x(c) = c − s(c)` rises with `c` (for `ρ < 1`), so it wins race `d` when
/// `c > c*_d = x⁻¹(m_d)`, and
/// `U(ρ) = mean_d [(∫_{c*_d}^{μ_i} s(c) dc + lose_d·c*_d)/μ_i]`.
fn best_proportion(spread: f64, rivals: &[(f64, f64)]) -> f64 {
    let mu = spread;
    let utility = |rho: f64| {
        debug_assert!((0.0..=RHO_MAX).contains(&rho));
        // ∫_0^c min(1, ρt) dt.
        let knot = if rho > 0.0 { 1.0 / rho } else { f64::INFINITY };
        let integral = |c: f64| {
            if c <= knot {
                0.5 * rho * c * c
            } else {
                0.5 * knot + (c - knot)
            }
        };
        let whole = integral(mu);
        let total: f64 = rivals
            .iter()
            .map(|&(m, lose)| {
                let threshold = if m <= knot - 1.0 {
                    m / (1.0 - rho)
                } else {
                    m + 1.0
                };
                let threshold = threshold.clamp(0.0, mu);
                whole - integral(threshold) + lose * threshold
            })
            .sum();
        total / (mu * rivals.len() as f64)
    };
    maximise(0.0, RHO_MAX, 41, f64::INFINITY, utility)
}

/// The most a team gains, in the learning races, by leaving the class
/// `min(1, ρ·c)`: at 17 capabilities evenly spread over `[0, μ_i]`, the
/// best safety of all (exact on the sampled races) against its class
/// policy's, averaged. Sampling biases it up by about `D^(−1/3)`.
fn gain_outside_the_class(spread: f64, policy: &Learned, rivals: &[(f64, f64)]) -> f64 {
    let mut sorted = rivals.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let payoff = |capability: f64, safety: f64| {
        sorted
            .iter()
            .map(|&(m, lose)| {
                if capability - safety > m {
                    safety
                } else {
                    lose
                }
            })
            .sum::<f64>()
            / sorted.len() as f64
    };
    const POINTS: usize = 17;
    (0..POINTS)
        .map(|k| {
            let capability = spread * (k as f64 + 0.5) / POINTS as f64;
            let best = best_safety(capability, &sorted);
            payoff(capability, best) - payoff(capability, policy.safety(capability))
        })
        .sum::<f64>()
        / POINTS as f64
}

/// The safety in `[0, 1]` maximising `Σ_d [s if s < capability − m_d else
/// lose_d]` over `rivals = (m_d, lose_d)` sorted by `m_d` (a supremum: the
/// value just below a threshold is taken at it).
fn best_safety(capability: f64, rivals: &[(f64, f64)]) -> f64 {
    let all_lose: f64 = rivals.iter().map(|r| r.1).sum();
    let mut won = 0usize;
    let mut lose_in_won = 0.0;
    let mut next = 0;
    while next < rivals.len() && capability - rivals[next].0 > 1.0 {
        won += 1;
        lose_in_won += rivals[next].1;
        next += 1;
    }
    let value =
        |safety: f64, won: usize, lose_in_won: f64| safety * won as f64 + (all_lose - lose_in_won);
    let mut best = (1.0, value(1.0, won, lose_in_won));
    while next < rivals.len() {
        let threshold = capability - rivals[next].0;
        if threshold <= 0.0 {
            break;
        }
        while next < rivals.len() && capability - rivals[next].0 == threshold {
            won += 1;
            lose_in_won += rivals[next].1;
            next += 1;
        }
        let candidate = value(threshold, won, lose_in_won);
        if candidate > best.1 {
            best = (threshold, candidate);
        }
    }
    best.0
}

/// The race's safety and each team's wins on the measured races.
fn measure(
    race: &Race,
    information: Information,
    policies: &[Learned],
    gains: &[f64],
    races: &[f64],
) -> RegimeOutcome {
    let teams = race.team.len();
    let mut wins = vec![0usize; teams];
    let mut safety_won = vec![0.0; teams];
    let scores = match information {
        Information::Public => Vec::new(),
        _ => top_two_scores(race, policies, races),
    };
    let safeties: Vec<f64> = races
        .chunks_exact(teams)
        .enumerate()
        .map(|(d, capabilities)| {
            let (winner, safety) = match information {
                Information::Public => public_leader(race, capabilities),
                _ => (scores[d][0].2, scores[d][0].1),
            };
            wins[winner] += 1;
            safety_won[winner] += safety;
            safety
        })
        .collect();
    let count = safeties.len() as f64;
    let mean = safeties.iter().sum::<f64>() / count;
    let variance = safeties.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (count - 1.0);
    let half = Z_975 * (variance / count).sqrt();
    let safety = Estimate {
        mean,
        low: (mean - half).max(0.0),
        high: (mean + half).min(1.0),
        n: safeties.len(),
    };
    let outcomes = race
        .team
        .iter()
        .enumerate()
        .map(|(i, team)| TeamOutcome {
            name: team.name.clone(),
            win_share: wins[i] as f64 / count,
            safety_when_winning: if wins[i] == 0 {
                f64::NAN
            } else {
                safety_won[i] / wins[i] as f64
            },
            policy: match &policies[i] {
                Learned::Constant(safety) => Policy::Constant { safety: *safety },
                Learned::Proportional(rho) => Policy::Proportional {
                    rho: *rho,
                    gain_outside_the_class: gains[i],
                },
                Learned::PerRace => Policy::PerRace,
            },
        })
        .collect();
    RegimeOutcome {
        information,
        under_protocol: false,
        safety,
        closed_form_safety: None,
        rounds: 0,
        settled: true,
        teams: outcomes,
    }
}

/// With every capability public: the leader and the highest safety at which
/// no rival would rather cut its own safety to win.
fn public_leader(race: &Race, capabilities: &[f64]) -> (usize, f64) {
    let leader = (0..capabilities.len())
        .max_by(|&a, &b| capabilities[a].total_cmp(&capabilities[b]))
        .expect("a race has at least two teams");
    let safety = race
        .team
        .iter()
        .zip(capabilities)
        .enumerate()
        .filter(|&(j, (team, _))| j != leader && team.enmity > 0.0)
        .map(|(_, (team, &capability))| (capabilities[leader] - capability) / team.enmity)
        .fold(1.0, f64::min);
    (leader, safety)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_safety_is_exact_on_a_hand_computed_case() {
        // Two races; the team needs leads 0.2 and 0.6 at capability 1, so it
        // wins both at s ≤ 0.4 (value 0.8), the first at s ≤ 0.8 (0.8 + 0.5)
        // or none (0.3 + 0.5).
        let rivals = [(0.2, 0.3), (0.6, 0.5)];
        assert_eq!(best_safety(1.0, &rivals), 0.8);
        // Losing pays more than winning at any safety: play fully safe.
        assert_eq!(best_safety(1.0, &[(0.2, 0.95), (0.6, 0.95)]), 1.0);
        // Unwinnable races: fully safe.
        assert_eq!(best_safety(0.0, &[(0.5, 0.1)]), 1.0);
    }

    /// Against one rival that always scores `m`, a team with capability
    /// uniform on `[0, 1]` and no regard for the rival (`e = 1`) maximises
    /// `s·(1 − s − m)`: `s = (1 − m)/2`.
    #[test]
    fn the_smooth_best_response_is_the_analytic_one() {
        for m in [-0.2, 0.0, 0.3] {
            let rivals = vec![(m, 0.0); 50];
            let best = best_constant_safety(1.0, &rivals, 1e-12);
            // A flat maximum: double precision pins it to about 1e-8.
            assert!((best - (1.0 - m) / 2.0).abs() < 1e-6, "m = {m}: {best}");
        }
    }

    #[test]
    fn the_public_leader_stops_where_the_most_tempted_rival_would_cut() {
        let race = Race {
            team: vec![
                Team {
                    name: "a".into(),
                    capability_spread: 1.0,
                    enmity: 0.5,
                },
                Team {
                    name: "b".into(),
                    capability_spread: 1.0,
                    enmity: 0.5,
                },
                Team {
                    name: "c".into(),
                    capability_spread: 1.0,
                    enmity: 1.0,
                },
            ],
        };
        // a leads b by 0.1 (bound 0.2) and c by 0.15 (bound 0.15).
        let (leader, safety) = public_leader(&race, &[0.9, 0.8, 0.75]);
        assert_eq!(leader, 0);
        assert!((safety - 0.15).abs() < 1e-12);
    }
}
