//! The protocol file (`protocol.toml`): every mechanism of the coordination
//! framework, each switchable on or off, with its parameters.
//!
//! The format is versioned (`[protocol] format = 1`). Every section is
//! optional and off by default, so a file holding only `[protocol]` describes
//! an institution that does nothing; `examples/protocols/global-protocol.toml`
//! turns every mechanism on. Semantic checks (a quorum larger than the panel,
//! a probability outside `[0, 1]`, …) are in [`crate::validate`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The current version of the protocol-file format.
pub const FORMAT_VERSION: u32 = 1;

/// A whole protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// Name and format version.
    pub protocol: Meta,
    /// Safety credits earned by audited safety investment.
    #[serde(default)]
    pub credits: Credits,
    /// Mutual assurance pacts: k-of-N pledges that bind only once enough pledge.
    #[serde(default)]
    pub pacts: Pacts,
    /// A liability pool that shares the cost of incidents.
    #[serde(default)]
    pub liability: Liability,
    /// Which reports are public.
    #[serde(default)]
    pub information_sharing: InformationSharing,
    /// Pre-commitment agreements and treaties: binding commitments with compensation.
    #[serde(default)]
    pub commitments: Commitments,
    /// Compute governance: access to covered compute conditional on standing.
    #[serde(default)]
    pub compute: Compute,
    /// Irreversible transparency: what is published; nothing is ever deleted.
    #[serde(default)]
    pub transparency: Transparency,
    /// Public, witnessed announcements that make facts common knowledge.
    #[serde(default)]
    pub announcements: Announcements,
    /// Independent monitors and their verdicts.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// Early-warning metrics and detectors.
    #[serde(default)]
    pub early_warning: EarlyWarning,
    /// The protected whistleblower channel.
    #[serde(default)]
    pub whistleblower: Whistleblower,
    /// Graduated sanctions.
    #[serde(default)]
    pub sanctions: Sanctions,
    /// The public safety leaderboard.
    #[serde(default)]
    pub leaderboard: Leaderboard,
}

/// `[protocol]`: identification of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a table such as { name = \"My protocol\", format = 1 }"
)]
pub struct Meta {
    /// Human-readable name.
    pub name: String,
    /// Format version; must be 1.
    pub format: u32,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// `[credits]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Credits {
    /// Whether credits are issued at all.
    pub enabled: bool,
    /// Credits per unit of audited safety investment.
    pub credits_per_investment_unit: u64,
    /// Cap on credits issued to one lab for one period (0 = the built-in cap,
    /// [`MAX_CREDITS_PER_ISSUANCE`]; larger values are refused).
    pub max_credits_per_period: u64,
    /// Credits expire this many periods after issuance (0 = never).
    pub expiry_periods: u32,
    /// Credits every lab in the protocol surrenders at each period close
    /// (0 = none): a tradable safety obligation (rule 15a). Any credits it
    /// holds count, bought or earned; surrendered credits are burned, and
    /// what a lab cannot surrender it owes. Left out of the protocol's digest
    /// when 0, so digests of files written before it are unchanged.
    #[serde(skip_serializing_if = "is_zero")]
    pub surrender_per_period: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl Default for Credits {
    fn default() -> Self {
        Self {
            enabled: false,
            credits_per_investment_unit: 1,
            max_credits_per_period: 0,
            expiry_periods: 0,
            surrender_per_period: 0,
        }
    }
}

/// Most credits one event may issue: one issuance, or the refund bonus of
/// one pledger. Keeps the total issued far from `u64::MAX`, so no single
/// verified investment can exhaust issuance for everyone.
pub const MAX_CREDITS_PER_ISSUANCE: u64 = 1_000_000_000_000;

/// `[pacts]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Pacts {
    /// Whether pacts can be pledged to.
    pub enabled: bool,
    /// The pacts offered.
    pub pact: Vec<Pact>,
}

/// One mutual assurance pact (a dominant assurance contract when
/// `refund_bonus_credits > 0`, Tabarrok 1998).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pact {
    /// Identifier used in pledge events.
    pub id: String,
    /// What members promise.
    #[serde(default)]
    pub description: String,
    /// `k`: pledges needed before the pact binds.
    pub threshold: u32,
    /// Period by which the threshold must be reached, counted from the
    /// opening of the pledge round (period 0 for the first round).
    pub deadline_period: u32,
    /// Credits paid to each pledger by the secretariat if the pact fails.
    #[serde(default)]
    pub refund_bonus_credits: u64,
    /// Whether resolving a round opens the next one: pledges start afresh
    /// and the new round's deadline is `deadline_period` periods after the
    /// period it opens in (a pact renewed, say, every year).
    #[serde(default)]
    pub renews: bool,
}

/// `[liability]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Liability {
    /// Whether the pool operates.
    pub enabled: bool,
    /// Premium per period for a lab with a clean record, in credits.
    pub base_premium_credits: u64,
    /// Premium multiplier added per confirmed violation in the rating window
    /// (risk rating from audit results): `premium = base · (1 + loading · violations)`.
    pub violation_loading: f64,
    /// Periods of audit history used for the risk rating.
    pub rating_window_periods: u32,
    /// Share of a claim the pool pays for a covered lab, in `[0, 1]`.
    pub payout_fraction: f64,
    /// Largest payout for one claim (0 = no cap).
    pub max_payout_credits: u64,
}

impl Default for Liability {
    fn default() -> Self {
        Self {
            enabled: false,
            base_premium_credits: 0,
            violation_loading: 1.0,
            rating_window_periods: 4,
            payout_fraction: 1.0,
            max_payout_credits: 0,
        }
    }
}

/// Kinds of reports that can be made public.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Safety-investment reports.
    Investment,
    /// Metric reports (compute, evaluation scores).
    Metric,
    /// Audit verdicts.
    Audit,
    /// Incidents.
    Incident,
}

/// `[information_sharing]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InformationSharing {
    /// Whether reports are shared at all.
    pub enabled: bool,
    /// Report kinds everyone can read.
    pub public_reports: Vec<ReportKind>,
}

/// `[commitments]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Commitments {
    /// Whether commitments bind (compensation on violation).
    pub enabled: bool,
    /// Compensation paid to the beneficiary when a binding commitment is violated, if the commitment names none.
    pub default_compensation_credits: u64,
    /// Commitments one participant may hold (withdrawn ones included: nothing is deleted).
    pub max_per_participant: u32,
}

impl Default for Commitments {
    fn default() -> Self {
        Self {
            enabled: false,
            default_compensation_credits: 0,
            max_per_participant: 256,
        }
    }
}

/// `[compute]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Compute {
    /// Whether access to covered compute is gated.
    pub enabled: bool,
    /// Credits a lab must hold for access.
    pub credit_threshold: u64,
    /// Share of frontier compute that is covered by the gate, in `[0, 1]`.
    pub covered_fraction: f64,
    /// Deny access while the lab is in breach of a binding pact.
    pub deny_on_pact_breach: bool,
    /// Periods a pact breach keeps counting against access.
    pub breach_memory_periods: u32,
}

impl Default for Compute {
    fn default() -> Self {
        Self {
            enabled: false,
            credit_threshold: 0,
            covered_fraction: 1.0,
            deny_on_pact_breach: true,
            breach_memory_periods: 4,
        }
    }
}

/// Event kinds, for publication rules.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Participant registration.
    Register,
    /// Commitments and their withdrawal.
    Commitment,
    /// Pact pledges and resolutions.
    Pact,
    /// Investment and metric reports.
    Report,
    /// Audit verdicts.
    Audit,
    /// Whistleblower receipts (commitments only).
    Whistleblower,
    /// Credit issuance, transfers and fines.
    Credits,
    /// Liability premiums, incidents and claims.
    Liability,
    /// Sanction decisions.
    Sanction,
    /// Metric revisions.
    Metric,
    /// Period closings.
    Period,
}

/// `[transparency]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Transparency {
    /// Whether events are published on the public log.
    pub enabled: bool,
    /// Event kinds published. Nothing is ever deleted: a withdrawal is a new event.
    pub published: Vec<EventKind>,
}

/// Facts that can be announced publicly.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Announcement {
    /// Every commitment and withdrawal.
    Commitments,
    /// Pledge counts of every pact.
    PledgeCounts,
    /// Sanction decisions.
    Sanctions,
    /// The leaderboard.
    Leaderboard,
}

/// `[announcements]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Announcements {
    /// Whether public announcements are made.
    pub enabled: bool,
    /// What is announced.
    pub announce: Vec<Announcement>,
    /// Independent witness cosignatures required before an announcement counts as public.
    pub witnesses: u32,
}

/// A monitor barred from auditing a lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// Monitor id.
    pub monitor: String,
    /// Lab id.
    pub lab: String,
}

/// `[monitoring]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Monitoring {
    /// Whether audits are collected.
    pub enabled: bool,
    /// Independent monitors the institution engages.
    pub monitors: u32,
    /// Monitors assigned to each lab per rotation (all monitors when 0).
    pub panel_size: u32,
    /// Agreeing verdicts needed for a decision.
    pub quorum: u32,
    /// Panels rotate every this many periods (0 = fixed panels).
    pub rotation_periods: u32,
    /// How many periods after the audited period an audit is still accepted.
    pub audit_window_periods: u32,
    /// Declared conflicts of interest.
    pub conflicts: Vec<Conflict>,
}

impl Default for Monitoring {
    fn default() -> Self {
        Self {
            enabled: false,
            monitors: 1,
            panel_size: 0,
            quorum: 1,
            rotation_periods: 0,
            audit_window_periods: 2,
            conflicts: Vec::new(),
        }
    }
}

/// `[early_warning]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EarlyWarning {
    /// Whether detectors run.
    pub enabled: bool,
    /// Raise an alert when monitors disagree on a lab and period.
    pub disagreement_alerts: bool,
    /// The metrics labs report.
    pub metric: Vec<Metric>,
}

impl Default for EarlyWarning {
    fn default() -> Self {
        Self {
            enabled: false,
            disagreement_alerts: true,
            metric: Vec::new(),
        }
    }
}

/// One early-warning metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// Name used in reports (`training_compute_flop`, …).
    pub name: String,
    /// Unit, for display.
    #[serde(default)]
    pub unit: String,
    /// Regulatory threshold on the reported value, if any.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Detectors work on log10 of the value (for quantities spanning decades).
    #[serde(default)]
    pub log_scale: bool,
    /// Every lab must report the metric at least this often (0 = optional).
    #[serde(default)]
    pub expected_every_periods: u32,
    /// The metric retires after this many periods unless revised (0 = never).
    #[serde(default)]
    pub sunset_after_periods: u32,
    /// Threshold bunching detector.
    #[serde(default)]
    pub bunching: Option<BunchingSpec>,
    /// Capability-jump detector.
    #[serde(default)]
    pub jump: Option<JumpSpec>,
    /// Audit-discrepancy detector (gamed or selective reporting).
    #[serde(default)]
    pub audit_discrepancy: Option<DiscrepancySpec>,
    /// What the metric measures, so tools that generate reports (the
    /// simulator) know which metric to drive; at most one metric per role.
    #[serde(default)]
    pub role: Option<MetricRole>,
}

/// What a metric measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MetricRole {
    /// Training compute of a lab's frontier model (FLOP).
    TrainingCompute,
    /// A capability evaluation score (share of a benchmark solved).
    CapabilityEvaluation,
}

impl MetricRole {
    /// The role as written in a protocol file.
    pub fn name(self) -> &'static str {
        match self {
            MetricRole::TrainingCompute => "training_compute",
            MetricRole::CapabilityEvaluation => "capability_evaluation",
        }
    }
}

impl Protocol {
    /// The early-warning metric with `role`, if the protocol declares one.
    pub fn metric_with_role(&self, role: MetricRole) -> Option<&Metric> {
        self.early_warning
            .metric
            .iter()
            .find(|m| m.role == Some(role))
    }
}

/// Parameters of the bunching estimator (Chetty et al. 2011; Kleven 2016).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BunchingSpec {
    /// Bin width (in log10 units when `log_scale`).
    pub bin_width: f64,
    /// Width of the excluded window below the threshold.
    pub window_below: f64,
    /// Largest width of the excluded window above the threshold.
    pub max_window_above: f64,
    /// Range of the fit on either side of the threshold.
    pub fit_range: f64,
    /// Degree of the counterfactual polynomial.
    pub polynomial_order: u32,
    /// Bootstrap replicates for the interval (bin counts redrawn as Poisson).
    pub bootstrap_replicates: u32,
    /// Reports needed before the detector runs.
    pub min_reports: u32,
}

impl BunchingSpec {
    /// Settings the estimator cannot work with, as `(field, message)` pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let at_least = |x: f64, min: f64| x.is_finite() && x >= min;
        let mut problems = Vec::new();
        if !(self.bin_width.is_finite() && self.bin_width > 0.0) {
            problems.push((
                "bin_width",
                format!("expected a positive width, got {}", self.bin_width),
            ));
        } else {
            if !at_least(self.window_below, self.bin_width) {
                problems.push(("window_below", "expected at least one bin width".into()));
            }
            if !at_least(self.max_window_above, 0.0) {
                problems.push(("max_window_above", "expected a width ≥ 0".into()));
            }
            let excluded = self.window_below.max(self.max_window_above);
            if !at_least(self.fit_range, excluded + 2.0 * self.bin_width) {
                problems.push((
                    "fit_range",
                    "expected a fit range wider than the excluded windows by at least two bins"
                        .into(),
                ));
            }
            if self.fit_range / self.bin_width > MAX_BUNCHING_BINS_PER_SIDE {
                problems.push((
                    "fit_range",
                    format!(
                        "at most {MAX_BUNCHING_BINS_PER_SIDE} bins on each side of the threshold"
                    ),
                ));
            }
        }
        if !(1..=12).contains(&self.polynomial_order) {
            problems.push((
                "polynomial_order",
                format!(
                    "expected an order between 1 and 12, got {}",
                    self.polynomial_order
                ),
            ));
        } else if problems.is_empty() {
            // As the estimator bins: the widest window must leave more bins
            // than the polynomial has terms.
            let per_side = (self.fit_range / self.bin_width).ceil().max(1.0);
            let below = (self.window_below / self.bin_width)
                .round()
                .clamp(1.0, per_side);
            let above = (self.max_window_above / self.bin_width)
                .round()
                .min(per_side);
            let outside = 2.0 * per_side - below - above;
            let terms = f64::from(self.polynomial_order) + 1.0;
            if outside <= terms {
                problems.push((
                    "polynomial_order",
                    format!(
                        "a polynomial of order {} needs more than {terms} bins outside the widest window, and the fit range leaves {outside}: widen fit_range or lower the order",
                        self.polynomial_order
                    ),
                ));
            }
        }
        if !(10..=10_000).contains(&self.bootstrap_replicates) {
            problems.push((
                "bootstrap_replicates",
                format!(
                    "expected 10 to 10000 replicates, got {}",
                    self.bootstrap_replicates
                ),
            ));
        }
        if self.min_reports == 0 {
            problems.push(("min_reports", "expected at least 1".into()));
        }
        problems
    }
}

/// Histogram bins the bunching estimator may use on each side of the threshold.
const MAX_BUNCHING_BINS_PER_SIDE: f64 = 2000.0;

/// Capability-jump detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JumpSpec {
    /// Look-back window in periods.
    pub window_periods: u32,
    /// Alert when the value grows by more than this factor over the window.
    pub max_growth_factor: f64,
}

/// Audit-discrepancy detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscrepancySpec {
    /// Alert when a self-report differs from the audited measurement by more than this relative amount.
    pub relative_tolerance: f64,
}

/// `[whistleblower]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Whistleblower {
    /// Whether receipts are accepted.
    pub enabled: bool,
    /// Receipts on one lab within a period that trigger a special-audit alert.
    pub receipts_to_trigger_audit: u32,
    /// Probability that a whistleblower is shielded from retaliation, in `[0, 1]`.
    pub protection: f64,
    /// Monitors that read reports sent through the registry's encrypted
    /// channel: every report is sealed to the key each of them publishes.
    /// Empty: the registry runs no channel. (Left out of the protocol's
    /// digest when empty, so protocols written before it keep theirs.)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<String>,
}

impl Default for Whistleblower {
    fn default() -> Self {
        Self {
            enabled: false,
            receipts_to_trigger_audit: 1,
            protection: 0.0,
            monitors: Vec::new(),
        }
    }
}

/// One rung of the sanction ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// Name (`warning`, `fine`, …).
    pub name: String,
    /// Credits burned when a lab reaches this rung.
    #[serde(default)]
    pub fine_credits: u64,
    /// Access to covered compute is suspended at this rung.
    #[serde(default)]
    pub suspends_compute: bool,
    /// The lab is expelled at this rung.
    #[serde(default)]
    pub expels: bool,
}

/// `[sanctions]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Sanctions {
    /// Whether breaches are sanctioned.
    pub enabled: bool,
    /// The ladder, mildest first. Level 0 (good standing) is below the first rung.
    pub ladder: Vec<Rung>,
    /// Rungs climbed per confirmed breach.
    pub escalation_per_breach: u32,
    /// Consecutive compliant periods that move a lab one rung down (0 = never).
    pub periods_to_step_down: u32,
    /// Expulsion cannot be undone by compliance.
    pub expulsion_is_final: bool,
}

impl Default for Sanctions {
    fn default() -> Self {
        Self {
            enabled: false,
            ladder: Vec::new(),
            escalation_per_breach: 1,
            periods_to_step_down: 0,
            expulsion_is_final: true,
        }
    }
}

/// `[leaderboard]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Leaderboard {
    /// Whether the leaderboard is published.
    pub enabled: bool,
    /// Periods of history the score looks at.
    pub window_periods: u32,
    /// Weights of the score's components.
    pub weights: ScoreWeights,
    /// Rating indices (`[[leaderboard.indices]]`) that raters assess labs
    /// on, edition by edition (see [`crate::ratings`]). Left out of the
    /// protocol's digest when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indices: Vec<crate::ratings::RatingIndex>,
}

impl Default for Leaderboard {
    fn default() -> Self {
        Self {
            enabled: false,
            window_periods: 8,
            weights: ScoreWeights::default(),
            indices: Vec::new(),
        }
    }
}

/// Weights of the public safety score; the score is their weighted mean, in `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreWeights {
    /// Share of audited periods found compliant.
    pub audit_pass_rate: f64,
    /// Credits held relative to the best-endowed lab.
    pub credits: f64,
    /// Share of commitments neither withdrawn nor violated.
    pub commitments_kept: f64,
    /// `1 − level/top` on the sanction ladder.
    pub sanction_standing: f64,
    /// Share of expected metric reports delivered.
    pub reporting_completeness: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        Self {
            audit_pass_rate: 1.0,
            credits: 1.0,
            commitments_kept: 1.0,
            sanction_standing: 1.0,
            reporting_completeness: 1.0,
        }
    }
}
