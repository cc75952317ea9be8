//! The world file: what is true about the labs, their race, the monitors and
//! the social and informational environment — everything the protocol does
//! not decide. See `docs/model.md` for the equations.

use crate::network::Network;
use crate::strategy::Strategy;
use accord_core::state::MAX_ID_LEN;
use accord_core::validate::{FileErrors, parse_located};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Name and description.
    pub world: Meta,
    /// The stage game labs play each generation.
    #[serde(default)]
    pub stage: StageKind,
    /// The race (when `stage = "race"`).
    #[serde(default)]
    pub race: Race,
    /// A two-action matrix stage game (when `stage = "matrix"`).
    #[serde(default)]
    pub matrix: Option<MatrixStage>,
    /// How labs revise their strategies between generations.
    #[serde(default)]
    pub learning: Learning,
    /// What monitors can do, and how they can be gamed.
    #[serde(default)]
    pub monitors: Monitors,
    /// Insiders who may report unsafe development.
    #[serde(default)]
    pub whistleblowers: Whistleblowers,
    /// Social norms and expectations.
    #[serde(default)]
    pub norms: Norms,
    /// Who observes whom, privately and for imitation (default: everyone).
    #[serde(default, skip_serializing_if = "Network::is_complete")]
    pub network: Network,
    /// The coordination problem behind a mutual assurance pact.
    #[serde(default)]
    pub pact: PactGame,
    /// How institutional outcomes translate into payoffs, and what labs report.
    #[serde(default)]
    pub economy: Economy,
    /// The labs, by type.
    pub lab: Vec<LabType>,
    /// Jurisdictions, each running its own registry under the protocol (or
    /// none); one registry over the whole world when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub international: Option<International>,
    /// Ranges `[low, high]` of the numeric parameters this world is unsure
    /// of, by path (`"race.disaster_probability" = [0.3, 0.7]`): the worlds
    /// `accord evaluate --robustness` samples.
    #[serde(default)]
    pub uncertainty: BTreeMap<String, [f64; 2]>,
}

/// `[world]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Display name.
    pub name: String,
    /// Free text, including the sources of the calibration.
    #[serde(default)]
    pub description: String,
}

/// Which stage game is played.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// The capability race (a generalised DSAIR race).
    #[default]
    Race,
    /// A symmetric two-action matrix game played by every pair (for textbook checks).
    Matrix,
}

/// Who races whom.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaceFormat {
    /// All labs race to one milestone.
    #[default]
    All,
    /// Every pair of labs runs its own two-lab race (the DSAIR setting); a lab's payoff is its average.
    Pairwise,
    /// Each generation the labs are shuffled into ⌊N/k⌋ races of `group_size`
    /// k labs (sizes differ by at most one): random matching, whose cost is
    /// linear in N where `pairwise` is quadratic.
    Groups,
}

/// How the disaster risk enters payoffs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Realisation {
    /// Disasters are drawn.
    #[default]
    Sampled,
    /// Payoffs are multiplied by the survival probability (expected values; matches the analytic models exactly).
    Expected,
}

/// `[race]`: the generalised DSAIR race (Han et al., JAIR 2020).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Race {
    /// Who races whom.
    pub format: RaceFormat,
    /// `W`: progress needed to reach the milestone.
    pub milestone: f64,
    /// `b`: benefit per round, shared in proportion to speed.
    pub benefit: f64,
    /// `c`: cost of a safe round.
    pub safety_cost: f64,
    /// `s`: speed of unsafe development relative to safe.
    pub unsafe_speed: f64,
    /// `p_r`: probability that a race developed entirely unsafely ends in the lab's disaster.
    pub disaster_probability: f64,
    /// `B`: prize for reaching the milestone first.
    pub prize: f64,
    /// Share of its race payoff every other lab loses when a lab causes a disaster.
    pub collective_setback: f64,
    /// Sampled disasters or expected values.
    pub realisation: Realisation,
    /// Rounds after which a race stops even if nobody reached the milestone.
    pub max_rounds: u32,
    /// `k`: labs per race when `format = "groups"` (at least 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_size: Option<u32>,
}

impl Default for Race {
    fn default() -> Self {
        Self {
            format: RaceFormat::All,
            milestone: 20.0,
            benefit: 4.0,
            safety_cost: 1.0,
            unsafe_speed: 1.5,
            disaster_probability: 0.3,
            prize: 200.0,
            collective_setback: 0.0,
            realisation: Realisation::Sampled,
            max_rounds: 200,
            group_size: None,
        }
    }
}

/// `[matrix]`: payoffs of a symmetric two-action game, `cooperate` first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixStage {
    /// `[[R, S], [T, P]]`: row player's payoff for (C,C), (C,D), (D,C), (D,D).
    pub payoffs: [[f64; 2]; 2],
}

/// How strategies are revised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Pairwise-comparison (Fermi) imitation with intensity `selection`.
    #[default]
    Imitation,
    /// Logit best response with rationality `rationality`, payoffs from a counterfactual replay of the last generation.
    Logit,
    /// No revision: strategies stay as initialised.
    Fixed,
}

/// `[learning]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Learning {
    /// Revision rule.
    pub rule: Rule,
    /// `β`: intensity of selection of imitation.
    pub selection: f64,
    /// `λ`: rationality of logit responses.
    pub rationality: f64,
    /// `μ`: probability that a revising lab explores a random strategy instead.
    pub exploration: f64,
    /// Generations (races) per run.
    pub generations: u32,
    /// Labs revising after each generation.
    pub revisions_per_generation: u32,
}

impl Default for Learning {
    fn default() -> Self {
        Self {
            rule: Rule::Imitation,
            selection: 0.1,
            rationality: 1.0,
            exploration: 0.05,
            generations: 40,
            revisions_per_generation: 2,
        }
    }
}

/// `[monitors]`: capabilities of the monitors the protocol engages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Monitors {
    /// `d_i`: probability that monitor i detects unsafe development it audits (cycled over monitors).
    pub detection: Vec<f64>,
    /// `κ_i`: probability that a capture attempt on monitor i succeeds (cycled).
    pub capture: Vec<f64>,
    /// Factor on capture probability when panels rotate (rotation breaks relationships).
    pub rotation_capture_factor: f64,
    /// Probability that all monitors share one detection draw (correlated blind spots).
    pub blind_spot_correlation: f64,
    /// Probability that a monitor on a lab's panel audits it in a period.
    pub audit_rate: f64,
    /// Audit probability for labs reporting compute at or above a regulatory threshold.
    pub audit_rate_above_threshold: f64,
    /// Probability that an audit of a safe lab wrongly finds a violation.
    pub false_alarm: f64,
    /// Goodhart: periods of gaming the same version of the training-compute
    /// metric after which monitors detect a gaming lab's violations half as
    /// often, `d_i·2^(−K/h)` with `K` the periods the lab has gamed since the
    /// metric's last revision (its sunset); absent, monitors never lose sight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gaming_half_life_periods: Option<f64>,
}

impl Default for Monitors {
    fn default() -> Self {
        Self {
            detection: vec![0.7],
            capture: vec![0.2],
            rotation_capture_factor: 0.5,
            blind_spot_correlation: 0.0,
            audit_rate: 0.5,
            audit_rate_above_threshold: 1.0,
            false_alarm: 0.01,
            gaming_half_life_periods: None,
        }
    }
}

/// `[whistleblowers]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Whistleblowers {
    /// Probability that an unsafe period is reported when whistleblowers are unprotected.
    pub base_probability: f64,
    /// Probability with full protection (the protocol's `protection` interpolates).
    pub protected_probability: f64,
}

impl Default for Whistleblowers {
    fn default() -> Self {
        Self {
            base_probability: 0.02,
            protected_probability: 0.2,
        }
    }
}

/// `[norms]`: Bicchieri's norm utility and how expectations form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Norms {
    /// Praise and blame: utility per unit of leaderboard score above the mean (when the leaderboard is public).
    pub praise_weight: f64,
    /// Other labs a lab observes privately when nothing is public.
    pub private_sample_size: u32,
    /// Probability that a private observation is wrong.
    pub observation_noise: f64,
}

impl Default for Norms {
    fn default() -> Self {
        Self {
            praise_weight: 2.0,
            private_sample_size: 2,
            observation_noise: 0.2,
        }
    }
}

/// `[pact]`: the global game behind an assurance pact (Morris & Shin 1998).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PactGame {
    /// `z`: prior mean of the share of labs needed for the pact to make safety pay.
    pub prior_mean: f64,
    /// `α`: prior precision.
    pub prior_precision: f64,
    /// `β`: precision of each lab's private signal.
    pub signal_precision: f64,
    /// `c`: cost of pledging relative to the benefit of a successful pact.
    pub pledge_cost: f64,
    /// Probability that an announcement becomes common knowledge (witnessed and seen by all) in a generation.
    pub announcement_reach: f64,
    /// Signal threshold labs start pledging below, before learning.
    pub initial_threshold: f64,
    /// How labs choose among pledging equilibria when `θ` is common knowledge.
    pub public_selection: PublicSelection,
}

/// Equilibrium selection when `θ` is common knowledge. With public `θ ≤ 1`
/// both "everyone pledges" and "nobody pledges" are equilibria of the
/// pledging game; which one labs play is an assumption.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicSelection {
    /// Learned: a lab pledges iff the pledging share it expects — itself plus
    /// the others who pledged last generation (pledges are public) — reaches
    /// `θ`, so coordination must first arise and can collapse.
    #[default]
    Adaptive,
    /// Assumed: every lab pledges iff `θ ≤ 1` (the payoff-dominant equilibrium).
    PayoffDominant,
}

impl Default for PactGame {
    fn default() -> Self {
        Self {
            prior_mean: 0.6,
            prior_precision: 4.0,
            signal_precision: 100.0,
            pledge_cost: 0.4,
            announcement_reach: 1.0,
            initial_threshold: 1.0,
            public_selection: PublicSelection::Adaptive,
        }
    }
}

/// `[economy]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Economy {
    /// Payoff per credit (what credits are worth to a lab), at most 10⁶.
    pub credit_value: f64,
    /// Units of safety investment a safe period represents.
    pub investment_per_safe_period: u64,
    /// Training compute (FLOP) per period at speed 1 at the start of a run.
    pub compute_per_speed: f64,
    /// Growth factor of compute per generation.
    pub compute_growth_per_generation: f64,
    /// Threshold manipulators report this fraction below a regulatory threshold.
    pub manipulation_margin: f64,
    /// Cost of one capture attempt (a bribe), in payoff.
    pub capture_cost: f64,
    /// Share of covered compute a denied lab still obtains elsewhere (leakage).
    pub leakage: f64,
}

impl Default for Economy {
    fn default() -> Self {
        Self {
            credit_value: 0.1,
            investment_per_safe_period: 10,
            compute_per_speed: 5e24,
            compute_growth_per_generation: 1.05,
            manipulation_margin: 0.05,
            capture_cost: 0.5,
            leakage: 0.1,
        }
    }
}

/// `[[lab]]`: one type of lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabType {
    /// Name (labs of a type with `count > 1` get a numeric suffix).
    pub name: String,
    /// How many labs of this type.
    #[serde(default = "one")]
    pub count: u32,
    /// Speed multiplier (resources, talent): the median of the type's speeds.
    #[serde(default = "unit")]
    pub speed: f64,
    /// `σ`: spread of speeds within the type. Each lab's speed is
    /// `speed · exp(σ·z)`, `z` standard normal, drawn per lab and run
    /// (log-normal, heavy right tail); every lab has `speed` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_log_sd: Option<f64>,
    /// Safety budget per period: a lab whose budget is below the safety cost
    /// `c` can fund safe development only in that share of periods (chosen at
    /// random); unlimited when absent.
    #[serde(default)]
    pub budget: Option<f64>,
    /// Extra weight a lab gives to its own disaster (risk aversion ≥ 0).
    #[serde(default)]
    pub risk_aversion: f64,
    /// `k_i`: weight of a norm violation in utility.
    #[serde(default)]
    pub norm_sensitivity: f64,
    /// The norm counts only if the believed share of complying others is at least this.
    #[serde(default = "half")]
    pub empirical_threshold: f64,
    /// … and the believed share of others who think one ought to comply is at least this.
    #[serde(default = "half")]
    pub normative_threshold: f64,
    /// Whether the lab privately believes safety ought to be the norm.
    #[serde(default = "yes")]
    pub supports_safety: bool,
    /// Strategy at the start of a run.
    #[serde(default)]
    pub initial: Strategy,
    /// Committed labs never revise their strategy (a committed minority,
    /// e.g. safety-first labs that keep developing safely whatever pays).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub committed: bool,
    /// Jurisdiction the labs of this type are based in (`[international]`;
    /// the first one declared when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
}

/// `[international]`: several jurisdictions, each with its own registry
/// running the protocol over the labs based there and a compute gate over the
/// compute it hosts (`docs/model.md`, "International coordination").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct International {
    /// Whether registries honour each other's decisions.
    #[serde(default)]
    pub recognition: Recognition,
    /// Whether a lab denied covered compute at home moves to the jurisdiction
    /// that would serve it most (regulatory arbitrage).
    #[serde(default = "yes")]
    pub relocation: bool,
    /// One-off cost of a move, in payoff, borne in the generation of the move.
    #[serde(default)]
    pub relocation_cost: f64,
    /// The jurisdictions (at most [`MAX_JURISDICTIONS`]).
    pub jurisdiction: Vec<Jurisdiction>,
}

/// Whether registries honour each other's decisions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recognition {
    /// Each gate judges only the labs of its own registry and serves every
    /// other lab; a registry admits a lab another one denies, with a clean record.
    #[default]
    None,
    /// Each gate serves only labs in good standing at a home registry that
    /// gates compute itself (labs based elsewhere, in a haven or under a
    /// protocol without a gate, are refused), and no registry admits a lab
    /// that another one denies.
    Mutual,
}

/// `[[international.jurisdiction]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    /// Name (what `[[lab]] jurisdiction` refers to).
    pub name: String,
    /// `w_j`: share of the world's training compute hosted there; the
    /// protocol's gate covers `covered_fraction · w_j` of the world's compute
    /// there. The shares sum to 1.
    pub compute_share: f64,
    /// Whether it runs the protocol; a haven has no registry and no gate.
    #[serde(default = "yes")]
    pub runs_protocol: bool,
    /// The protocol its registry runs, when not the protocol under study: a
    /// whole protocol, as a protocol file would hold it (sections left out
    /// are off). Sweeps, designs and lobbying change the protocol under
    /// study, not this one; an ablation switches families off in both.
    /// The pact stage is one game among all labs (`docs/model.md`, section
    /// 7), played under the protocol under study, so this protocol runs no
    /// pacts: its labs do not pledge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Box<accord_core::Protocol>>,
}

impl LabType {
    /// Registry ids of this type's labs: the name with every character outside
    /// `[A-Za-z0-9._-]` replaced by `-`, suffixed `-1`, `-2`, … when `count > 1`.
    pub fn participant_ids(&self) -> impl Iterator<Item = String> + '_ {
        let base: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        (1..=self.count).map(move |k| {
            if self.count == 1 {
                base.clone()
            } else {
                format!("{base}-{k}")
            }
        })
    }
}

fn one() -> u32 {
    1
}
fn unit() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}
fn yes() -> bool {
    true
}

/// Largest spread of log speeds within a lab type (e^5 ≈ 148 times the median at one σ).
pub const MAX_SPEED_LOG_SD: f64 = 5.0;

/// Jurisdictions a world may declare.
pub const MAX_JURISDICTIONS: usize = 64;

/// Largest `economy.credit_value`: a credit worth a million payoff units
/// (the default prize is 200) already makes credits all that counts, and
/// far larger values overflow a lab's payoff to infinity.
pub const MAX_CREDIT_VALUE: f64 = 1e6;

/// Labs a world may hold.
pub const MAX_LABS: usize = 10_000;
/// Generations a run may last.
pub const MAX_GENERATIONS: u32 = 100_000;

impl World {
    /// Parses and validates a world file.
    pub fn parse(text: &str) -> Result<World, FileErrors> {
        parse_located(text, check)
    }

    /// What the validator finds wrong, as `(field, message)` (empty when valid).
    pub fn problems(&self) -> Vec<(String, String)> {
        check(self)
    }

    /// Every lab's registry id, in the simulator's order (type by type).
    pub fn participant_ids(&self) -> Vec<String> {
        self.lab.iter().flat_map(|t| t.participant_ids()).collect()
    }

    /// Each lab's type index, in the simulator's order (type by type).
    pub fn lab_kinds(&self) -> Vec<usize> {
        self.lab
            .iter()
            .enumerate()
            .flat_map(|(kind, t)| std::iter::repeat_n(kind, t.count as usize))
            .collect()
    }

    /// Each lab type's jurisdiction, an index into `[[international.jurisdiction]]`
    /// (the first when a type names none; 0, the whole world, without
    /// `[international]`).
    pub fn jurisdiction_of_kinds(&self) -> Vec<usize> {
        let Some(international) = &self.international else {
            return vec![0; self.lab.len()];
        };
        self.lab
            .iter()
            .map(|t| {
                t.jurisdiction.as_ref().map_or(0, |name| {
                    international
                        .jurisdiction
                        .iter()
                        .position(|j| &j.name == name)
                        .expect("validated with the world")
                })
            })
            .collect()
    }

    /// Number of labs.
    pub fn lab_count(&self) -> usize {
        self.lab.iter().map(|l| l.count as usize).sum()
    }
}

fn check(w: &World) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut fail = |path: &str, message: String| problems.push((path.to_string(), message));
    let probability = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    let positive = |x: f64| x.is_finite() && x > 0.0;
    let r = &w.race;
    if !positive(r.milestone) {
        fail(
            "race.milestone",
            format!("expected a positive milestone, got {}", r.milestone),
        );
    }
    if !(r.benefit.is_finite() && r.benefit >= 0.0) {
        fail(
            "race.benefit",
            format!("expected a benefit ≥ 0, got {}", r.benefit),
        );
    }
    if !(r.safety_cost.is_finite() && r.safety_cost >= 0.0) {
        fail(
            "race.safety_cost",
            format!("expected a cost ≥ 0, got {}", r.safety_cost),
        );
    }
    if !positive(r.unsafe_speed) {
        fail(
            "race.unsafe_speed",
            format!("expected a positive speed, got {}", r.unsafe_speed),
        );
    }
    if !probability(r.disaster_probability) {
        fail(
            "race.disaster_probability",
            format!(
                "expected a probability in [0, 1], got {}",
                r.disaster_probability
            ),
        );
    }
    if !(r.prize.is_finite() && r.prize >= 0.0) {
        fail(
            "race.prize",
            format!("expected a prize ≥ 0, got {}", r.prize),
        );
    }
    if !probability(r.collective_setback) {
        fail(
            "race.collective_setback",
            format!("expected a share in [0, 1], got {}", r.collective_setback),
        );
    }
    if r.max_rounds == 0 || r.max_rounds > 100_000 {
        fail(
            "race.max_rounds",
            format!("expected 1 to 100000 rounds, got {}", r.max_rounds),
        );
    }
    match (r.format, r.group_size) {
        // Named at the format line, since the missing field has none.
        (RaceFormat::Groups, None) => fail(
            "race.format",
            "format = \"groups\" needs a group_size (labs per race, at least 2)".into(),
        ),
        (RaceFormat::Groups, Some(k)) if k < 2 || k as usize > MAX_LABS => fail(
            "race.group_size",
            format!("expected 2 to {MAX_LABS} labs per race, got {k}"),
        ),
        (RaceFormat::All | RaceFormat::Pairwise, Some(_)) => fail(
            "race.group_size",
            "group_size applies only with format = \"groups\"".into(),
        ),
        _ => {}
    }
    if w.stage == StageKind::Matrix && w.matrix.is_none() {
        fail(
            "stage",
            "stage = \"matrix\" needs a [matrix] table with `payoffs`".into(),
        );
    }
    if let Some(m) = &w.matrix
        && m.payoffs.iter().flatten().any(|x| !x.is_finite())
    {
        fail("matrix.payoffs", "expected finite payoffs".into());
    }
    let l = &w.learning;
    if !(l.selection.is_finite() && l.selection >= 0.0) {
        fail(
            "learning.selection",
            format!("expected β ≥ 0, got {}", l.selection),
        );
    }
    if !(l.rationality.is_finite() && l.rationality >= 0.0) {
        fail(
            "learning.rationality",
            format!("expected λ ≥ 0, got {}", l.rationality),
        );
    }
    if !probability(l.exploration) {
        fail(
            "learning.exploration",
            format!("expected a probability in [0, 1], got {}", l.exploration),
        );
    }
    if l.generations == 0 || l.generations > MAX_GENERATIONS {
        fail(
            "learning.generations",
            format!(
                "expected 1 to {MAX_GENERATIONS} generations, got {}",
                l.generations
            ),
        );
    }
    let m = &w.monitors;
    if m.detection.is_empty() || !m.detection.iter().all(|&d| probability(d)) {
        fail(
            "monitors.detection",
            "expected a non-empty list of probabilities in [0, 1]".into(),
        );
    }
    if m.capture.is_empty() || !m.capture.iter().all(|&k| probability(k)) {
        fail(
            "monitors.capture",
            "expected a non-empty list of probabilities in [0, 1]".into(),
        );
    }
    if let Some(h) = m.gaming_half_life_periods
        && !positive(h)
    {
        fail(
            "monitors.gaming_half_life_periods",
            format!("expected a positive number of periods, got {h}"),
        );
    }
    for (name, value) in [
        (
            "monitors.rotation_capture_factor",
            m.rotation_capture_factor,
        ),
        ("monitors.blind_spot_correlation", m.blind_spot_correlation),
        ("monitors.audit_rate", m.audit_rate),
        (
            "monitors.audit_rate_above_threshold",
            m.audit_rate_above_threshold,
        ),
        ("monitors.false_alarm", m.false_alarm),
        (
            "whistleblowers.base_probability",
            w.whistleblowers.base_probability,
        ),
        (
            "whistleblowers.protected_probability",
            w.whistleblowers.protected_probability,
        ),
        ("norms.observation_noise", w.norms.observation_noise),
        ("economy.manipulation_margin", w.economy.manipulation_margin),
        ("economy.leakage", w.economy.leakage),
        ("pact.announcement_reach", w.pact.announcement_reach),
    ] {
        if !probability(value) {
            fail(
                name,
                format!("expected a probability in [0, 1], got {value}"),
            );
        }
    }
    let p = &w.pact;
    for (field, precision) in [
        ("pact.prior_precision", p.prior_precision),
        ("pact.signal_precision", p.signal_precision),
    ] {
        if !positive(precision) {
            fail(field, format!("expected a precision > 0, got {precision}"));
        }
    }
    if !(p.pledge_cost > 0.0 && p.pledge_cost < 1.0) {
        fail(
            "pact.pledge_cost",
            format!(
                "expected a cost strictly between 0 and 1, got {}",
                p.pledge_cost
            ),
        );
    }
    if !p.initial_threshold.is_finite() {
        fail("pact.initial_threshold", "expected a finite number".into());
    }
    if !p.prior_mean.is_finite() {
        fail("pact.prior_mean", "expected a finite number".into());
    }
    if !(w.norms.praise_weight.is_finite() && w.norms.praise_weight >= 0.0) {
        fail(
            "norms.praise_weight",
            format!("expected a weight ≥ 0, got {}", w.norms.praise_weight),
        );
    }
    let e = &w.economy;
    if !(0.0..=MAX_CREDIT_VALUE).contains(&e.credit_value) {
        fail(
            "economy.credit_value",
            format!(
                "expected a value in [0, {MAX_CREDIT_VALUE:e}], got {}",
                e.credit_value
            ),
        );
    }
    for (field, value) in [
        ("economy.compute_per_speed", e.compute_per_speed),
        (
            "economy.compute_growth_per_generation",
            e.compute_growth_per_generation,
        ),
    ] {
        if !positive(value) {
            fail(field, format!("expected a number > 0, got {value}"));
        }
    }
    if !(e.capture_cost.is_finite() && e.capture_cost >= 0.0) {
        fail(
            "economy.capture_cost",
            format!("expected a cost ≥ 0, got {}", e.capture_cost),
        );
    }
    if w.lab.is_empty() {
        fail("lab", "a world needs at least one [[lab]]".into());
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, lab) in w.lab.iter().enumerate() {
        let at = |f: &str| format!("lab[{i}].{f}");
        if !names.insert(lab.name.as_str()) || lab.name.trim().is_empty() {
            fail(
                &at("name"),
                format!("lab names must be non-empty and distinct ({:?})", lab.name),
            );
        }
        if lab.count == 0 {
            fail(&at("count"), "expected at least one lab".into());
        }
        if let Some(sd) = lab.speed_log_sd
            && !(sd.is_finite() && (0.0..=MAX_SPEED_LOG_SD).contains(&sd))
        {
            fail(
                &at("speed_log_sd"),
                format!("expected a spread from 0 to {MAX_SPEED_LOG_SD}, got {sd}"),
            );
        }
        if !positive(lab.speed) {
            fail(
                &at("speed"),
                format!("expected a positive speed, got {}", lab.speed),
            );
        }
        if let Some(budget) = lab.budget.filter(|b| !(b.is_finite() && *b >= 0.0)) {
            fail(
                &at("budget"),
                format!("expected a budget ≥ 0, got {budget}"),
            );
        }
        if !(lab.risk_aversion.is_finite() && lab.risk_aversion >= 0.0) {
            fail(
                &at("risk_aversion"),
                format!("expected a value ≥ 0, got {}", lab.risk_aversion),
            );
        }
        if !(lab.norm_sensitivity.is_finite() && lab.norm_sensitivity >= 0.0) {
            fail(
                &at("norm_sensitivity"),
                format!("expected a value ≥ 0, got {}", lab.norm_sensitivity),
            );
        }
        if !probability(lab.empirical_threshold) {
            fail(
                &at("empirical_threshold"),
                format!(
                    "expected a share in [0, 1], got {}",
                    lab.empirical_threshold
                ),
            );
        }
        if !probability(lab.normative_threshold) {
            fail(
                &at("normative_threshold"),
                format!(
                    "expected a share in [0, 1], got {}",
                    lab.normative_threshold
                ),
            );
        }
    }
    let total: usize = w.lab.iter().map(|l| l.count as usize).sum();
    if total > MAX_LABS {
        fail("lab", format!("at most {MAX_LABS} labs, got {total}"));
    }
    if total <= MAX_LABS {
        let mut owner_of_id = std::collections::BTreeMap::new();
        for (i, lab) in w.lab.iter().enumerate() {
            for id in lab.participant_ids() {
                if id.len() > MAX_ID_LEN {
                    fail(
                        &format!("lab[{i}].name"),
                        format!("gives the lab id {id:?}, longer than {MAX_ID_LEN} characters"),
                    );
                    break;
                }
                if id == "sec" || id.starts_with("monitor-") {
                    fail(
                        &format!("lab[{i}].name"),
                        format!(
                            "gives the lab id {id:?}, reserved for the simulated secretariat \
                             (sec) and monitors (monitor-N)"
                        ),
                    );
                    break;
                }
                if let Some(other) = owner_of_id.insert(id.clone(), i) {
                    fail(
                        &format!("lab[{i}].name"),
                        format!(
                            "gives the lab id {id:?}, which lab[{other}] also gets \
                             (characters outside [A-Za-z0-9._-] become '-', and types \
                             with count > 1 add -1, -2, …)"
                        ),
                    );
                    break;
                }
            }
        }
    }
    if total < 2 && (w.race.format == RaceFormat::Pairwise || w.stage == StageKind::Matrix) {
        fail(
            "lab",
            "pairwise races and matrix stages need at least two labs".into(),
        );
    }
    if !w.network.is_complete() && total <= MAX_LABS {
        problems.extend(w.network.problems(&w.participant_ids()));
    }
    check_international(w, &mut problems);
    check_uncertainty(w, &mut problems);
    problems
}

/// `[uncertainty]`: each range is well formed, and the values the
/// robustness step can sample make a valid world: both ends, and for a
/// whole-number field every whole value between (a field may refuse some
/// inside its range: an odd `network.degree`, as an outside review found),
/// or past 1,000 of them the ends' neighbours too.
/// Values are tried only on a world that is otherwise sound: setting a
/// parameter rebuilds the world, which a NaN elsewhere would make fail under
/// the range's name.
fn check_uncertainty(w: &World, problems: &mut Vec<(String, String)>) {
    const MAX_WHOLE_VALUES_CHECKED: usize = 1000;
    let sound = problems.is_empty();
    let mut certain = w.clone();
    certain.uncertainty.clear();
    for (path, [low, high]) in &w.uncertainty {
        let field = format!("uncertainty.{path}");
        let mut fail = |message: String| problems.push((field.clone(), message));
        if !(low.is_finite() && high.is_finite() && low <= high) {
            fail(format!(
                "expected a range [low, high] with low ≤ high, got [{low}, {high}]"
            ));
        } else if path.starts_with("uncertainty") {
            fail("cannot make the uncertainty itself uncertain".into());
        } else if path == "learning.generations" {
            // The evaluation runs every sampled world for the plan's generations.
            fail("the evaluation sets every run's generations (--generations or generations=, else the world's), so a sampled count would change nothing; remove it".into());
        } else if sound {
            // The sampler rounds whole-number fields.
            let whole = crate::parameters::takes_whole_numbers(&certain, path).unwrap_or(false);
            let values: Vec<f64> = if !whole {
                vec![*low, *high]
            } else if high.round() - low.round() < MAX_WHOLE_VALUES_CHECKED as f64 {
                let first = low.round() as i64;
                (first..=high.round() as i64).map(|v| v as f64).collect()
            } else {
                let (low, high) = (low.round(), high.round());
                vec![low, low + 1.0, high - 1.0, high]
            };
            for value in values {
                if let Err(e) = crate::parameters::world_with(&certain, path, value) {
                    fail(e.to_string());
                    break;
                }
            }
        }
    }
}

fn check_international(w: &World, problems: &mut Vec<(String, String)>) {
    let mut fail = |path: String, message: String| problems.push((path, message));
    let Some(international) = &w.international else {
        for (i, lab) in w.lab.iter().enumerate() {
            if lab.jurisdiction.is_some() {
                fail(
                    format!("lab[{i}].jurisdiction"),
                    "names a jurisdiction, but the world declares no [international]".into(),
                );
            }
        }
        return;
    };
    let jurisdictions = &international.jurisdiction;
    if jurisdictions.is_empty() || jurisdictions.len() > MAX_JURISDICTIONS {
        fail(
            "international.jurisdiction".into(),
            format!(
                "expected 1 to {MAX_JURISDICTIONS} [[international.jurisdiction]], got {}",
                jurisdictions.len()
            ),
        );
    }
    if !(international.relocation_cost.is_finite() && international.relocation_cost >= 0.0) {
        fail(
            "international.relocation_cost".into(),
            format!("expected a cost ≥ 0, got {}", international.relocation_cost),
        );
    }
    let mut names = std::collections::BTreeSet::new();
    for (j, jurisdiction) in jurisdictions.iter().enumerate() {
        if jurisdiction.name.trim().is_empty() || !names.insert(jurisdiction.name.as_str()) {
            fail(
                format!("international.jurisdiction[{j}].name"),
                format!(
                    "jurisdiction names must be non-empty and distinct ({:?})",
                    jurisdiction.name
                ),
            );
        }
        if let Some(protocol) = &jurisdiction.protocol {
            let field = format!("international.jurisdiction[{j}].protocol");
            if !jurisdiction.runs_protocol {
                fail(
                    field.clone(),
                    "a jurisdiction with runs_protocol = false has no registry to run it; remove one of the two".into(),
                );
            }
            if protocol.pacts.enabled {
                fail(
                    format!("{field}.pacts.enabled"),
                    "the pact stage is one game among all labs, played under the protocol under study; a jurisdiction's own protocol runs no pacts".into(),
                );
            }
            for (path, message) in accord_core::validate::check(protocol) {
                fail(format!("{field}.{path}"), message);
            }
        }
        let share = jurisdiction.compute_share;
        if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
            fail(
                format!("international.jurisdiction[{j}].compute_share"),
                format!("expected a share in [0, 1], got {share}"),
            );
        }
    }
    let total: f64 = jurisdictions.iter().map(|j| j.compute_share).sum();
    if !jurisdictions.is_empty() && total.is_finite() && (total - 1.0).abs() > 1e-9 {
        fail(
            "international.jurisdiction".into(),
            format!("the compute shares must sum to 1, got {total}"),
        );
    }
    for (i, lab) in w.lab.iter().enumerate() {
        if let Some(name) = &lab.jurisdiction
            && !names.contains(name.as_str())
        {
            fail(
                format!("lab[{i}].jurisdiction"),
                format!("no [[international.jurisdiction]] is named {name:?}"),
            );
        }
    }
}
