//! One run: labs race generation after generation under a protocol, and
//! revise their strategies between generations.

mod expectations;
mod international;
mod learning;
mod oversight;
mod pact;
mod races;

pub(crate) use pact::announces_pledge_counts;
use pact::{PactStage, announcement_coordinates};
use races::{PairOutcome, Totals};

use crate::institution::{Finding, Institution};
use crate::network::Graph;
use crate::race::{Mechanics, Race};
use crate::strategy::{Development, Reporting, Strategy};
use crate::utility::UtilityTerms;
use crate::world::{PactGame, PublicSelection, RaceFormat, Realisation, Rule, StageKind, World};
use accord_core::Protocol;
use accord_core::early_warning::{AlertKind, Evidence};
use accord_core::event::Verdict;
use accord_core::spec::{MetricRole, ReportKind};
use accord_games::global_game::GlobalGame;
use accord_seed::run_rng;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Options of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Master seed.
    pub seed: u64,
    /// Index of the run under the master seed (selects the random stream).
    pub run_index: u64,
    /// Keep per-generation, per-lab records.
    pub record: bool,
    /// Strategies to impose (by lab), overriding the world's initial ones.
    pub strategies: Option<Vec<Strategy>>,
    /// Generations (overrides the world's).
    pub generations: Option<u32>,
    /// Disable revision (strategies stay fixed).
    pub fixed: bool,
    /// End the run as soon as every lab develops the same way (for fixation experiments).
    pub stop_when_monomorphic: bool,
    /// Every lab complies before this generation and plays `strategies`
    /// from it on (a deviation that starts late, after a clean record).
    pub comply_until: Option<u32>,
    /// Mixed development (by lab; None: pure): a lab with probability `q`
    /// develops unsafely in a generation with probability `q` and safely
    /// otherwise, keeping its reporting mode (draws from a stream of their own).
    pub unsafe_probability: Option<Vec<Option<f64>>>,
    /// Which labs join the protocol (by lab; default: all). A lab that stays
    /// out is never registered: it earns no credits, is never audited or
    /// sanctioned, and compute providers behind the gate do not serve it.
    pub members: Option<Vec<bool>>,
    /// Which members leave the protocol when the deviation starts
    /// (`comply_until`, which they need), by the core's `leave` (rule 25a):
    /// what binds them is breached on the way out, and from then on they are
    /// outside it, as a lab that stayed out is, owing what they owed.
    pub departures: Option<Vec<bool>>,
}

/// One lab in a run.
#[derive(Debug, Clone)]
pub struct Lab {
    /// Identifier (also its participant id at the institution).
    pub name: String,
    /// Index of its type in the world file.
    pub kind: usize,
    /// Current strategy.
    pub strategy: Strategy,
}

/// What happened to one lab in one generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabRecord {
    /// Generation.
    pub generation: u32,
    /// Lab.
    pub lab: String,
    /// Strategy played.
    pub strategy: String,
    /// Whether it developed safely.
    pub developed_safely: bool,
    /// Material payoff per period (race, disasters, credits, bribes).
    pub payoff: f64,
    /// Utility used for learning (payoff, risk attitude, norms, praise and blame).
    pub utility: f64,
    /// Probability that it caused a disaster: 0 or 1 when disasters are
    /// sampled, `P_i` itself with expected realisation.
    pub disaster_probability: f64,
    /// Credits held at the end of the generation.
    pub credits: u64,
    /// Sanction level at the end of the generation.
    pub sanction_level: u32,
    /// Whether it had access to covered compute at the end (always, when
    /// the protocol gates no compute or its gate covers none).
    pub compute_access: bool,
    /// Whether it pledged to the pact.
    pub pledged: bool,
    /// Whether a pact it pledged to was binding at the institution.
    pub bound: bool,
    /// The jurisdiction it was based in during the generation (after any
    /// move at its start); `None` in a world without `[international]`.
    pub jurisdiction: Option<String>,
}

/// What happened in one generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRecord {
    /// Generation.
    pub generation: u32,
    /// Share of labs that developed safely.
    pub safe_share: f64,
    /// Probability that at least one lab caused a disaster: 0 or 1 when
    /// sampled, `1 − Π_i (1 − P_i)` with expected realisation.
    pub disaster_probability: f64,
    /// Sum over labs of race payoffs per period after disasters and
    /// setbacks (race payoff units); credits, fines, premiums and bribes are
    /// transfers and do not count.
    pub welfare: f64,
    /// Periods the generation's races lasted.
    pub periods: f64,
    /// Whether enough labs pledged for the pact to make safety pay, i.e.
    /// the pledging share reached `θ` (the global game's regime change; None
    /// without pacts).
    pub pact_succeeded: Option<bool>,
    /// Whether a pact bound at the institution (its pledge threshold was
    /// reached under the protocol's rules; None without pacts).
    pub pact_binding: Option<bool>,
    /// The pact's fundamental `θ` this generation (None without pacts).
    pub pact_fundamental: Option<f64>,
    /// Whether `θ` was common knowledge (a public, witnessed announcement).
    pub pact_public: Option<bool>,
    /// The signal threshold labs pledged below, when signals were private.
    pub pledge_threshold: Option<f64>,
    /// Alerts raised by the institution.
    pub alerts: usize,
}

/// Summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Mean safe share over the second half of the run.
    pub cooperation: f64,
    /// Probability that a generation in the second half has at least one
    /// disaster (the share of such generations, when disasters are sampled).
    pub disaster_rate: f64,
    /// Mean welfare per generation over the second half (race payoff units
    /// per period, summed over labs; transfers excluded).
    pub welfare: f64,
    /// First generation whose safe share reached 0.8 (None if never: the
    /// time is then censored at `generations_run`).
    pub time_to_coordination: Option<u32>,
    /// Generations simulated (the censoring time of `time_to_coordination`).
    pub generations_run: u32,
    /// Unsafe lab-periods audited in which at least one monitor reported a violation, over unsafe lab-periods audited.
    pub detection_rate: Option<f64>,
    /// Unsafe lab-periods audited whose panel reached a violation verdict,
    /// over unsafe lab-periods audited: what the institution acts on (a
    /// verdict needs a majority of the panel, `detection_rate` one vote).
    #[serde(default)]
    pub conviction_rate: Option<f64>,
    /// Safe lab-periods audited with a violation reported, over safe lab-periods audited.
    pub false_alarm_rate: Option<f64>,
    /// Unsafe lab-periods in which some monitor found a violation, over all unsafe lab-periods.
    pub detected_share_of_unsafe: Option<f64>,
    /// Unsafe lab-periods of members while monitors serve (the denominator
    /// of `detected_share_of_unsafe`).
    #[serde(default)]
    pub unsafe_periods: u64,
    /// Mean payoff per period of each lab over the second half.
    pub mean_payoff: Vec<f64>,
    /// Mean utility of each lab over the second half.
    pub mean_utility: Vec<f64>,
    /// Strategy of each lab at the end.
    pub final_strategies: Vec<Strategy>,
    /// Events the institution rejected (reports it did not need, credits not yet due, …).
    pub rejected_events: u64,
    /// Labs that moved to another jurisdiction (`[international]`), over the run.
    #[serde(default)]
    pub relocations: u64,
    /// Lab-periods simulated (labs × periods, summed over generations).
    pub lab_periods: f64,
    /// Per-generation records (when recorded).
    pub generations: Vec<GenerationRecord>,
    /// Per-lab, per-generation records (when recorded).
    pub labs: Vec<LabRecord>,
    /// What the run drew before its first generation (when recorded).
    #[serde(default)]
    pub drawn: Option<Drawn>,
}

/// What a run draws once, before its first generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    /// Each lab's speed multiplier, in the world's lab order: its type's
    /// `speed`, or drawn around it where the type has a `speed_log_sd`.
    pub speeds: Vec<f64>,
    /// Who observes whom, as links `(a, b)`, `a < b`, between lab indices in
    /// the same order; None where every lab observes every other (no
    /// `[network]`).
    pub links: Option<Vec<(u32, u32)>>,
}

/// One lab of a run's draws, by id, as `accord simulate` writes `drawn.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawnLab {
    /// Participant id.
    pub lab: String,
    /// Its type's name.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its speed multiplier.
    pub speed: f64,
    /// How many labs it observes (None without a network: every other).
    pub links: Option<usize>,
}

impl Drawn {
    /// Each lab's draws by id, in the world's lab order.
    pub fn labs(&self, world: &World) -> Vec<DrawnLab> {
        let mut degree = vec![0usize; self.speeds.len()];
        for &(a, b) in self.links.iter().flatten() {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        world
            .participant_ids()
            .into_iter()
            .zip(world.lab_kinds())
            .enumerate()
            .map(|(i, (lab, kind))| DrawnLab {
                lab,
                kind: world.lab[kind].name.clone(),
                speed: self.speeds[i],
                links: self.links.as_ref().map(|_| degree[i]),
            })
            .collect()
    }

    /// The network's links by lab id; None without a network.
    pub fn links_by_id(&self, world: &World) -> Option<Vec<(String, String)>> {
        let ids = world.participant_ids();
        self.links.as_ref().map(|links| {
            links
                .iter()
                .map(|&(a, b)| (ids[a as usize].clone(), ids[b as usize].clone()))
                .collect()
        })
    }
}

/// A run's headline figures and what it ran, as `accord simulate` writes
/// them to `summary.json` and `accord.simulate()` returns them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// Where the protocol came from (a path, or the embedded default's name).
    pub protocol: String,
    /// Where the world came from.
    pub world: String,
    /// The run's seed.
    pub seed: u64,
    /// See [`RunResult::cooperation`].
    pub cooperation: f64,
    /// See [`RunResult::disaster_rate`].
    pub disaster_rate: f64,
    /// See [`RunResult::welfare`].
    pub welfare: f64,
    /// See [`RunResult::time_to_coordination`].
    pub time_to_coordination: Option<u32>,
    /// See [`RunResult::generations_run`].
    pub generations_run: u32,
    /// See [`RunResult::detection_rate`].
    pub detection_rate: Option<f64>,
    /// See [`RunResult::conviction_rate`].
    pub conviction_rate: Option<f64>,
    /// See [`RunResult::false_alarm_rate`].
    pub false_alarm_rate: Option<f64>,
    /// Strategy of each lab at the end, by name.
    pub final_strategies: Vec<String>,
    /// See [`RunResult::rejected_events`].
    pub events_rejected: u64,
    /// See [`RunResult::relocations`].
    pub relocations: u64,
}

impl RunResult {
    /// The headline figures every front end reports, of this run of the
    /// protocol and world read from those sources with this seed.
    pub fn summary(&self, protocol: &str, world: &str, seed: u64) -> RunSummary {
        RunSummary {
            protocol: protocol.into(),
            world: world.into(),
            seed,
            cooperation: self.cooperation,
            disaster_rate: self.disaster_rate,
            welfare: self.welfare,
            time_to_coordination: self.time_to_coordination,
            generations_run: self.generations_run,
            detection_rate: self.detection_rate,
            conviction_rate: self.conviction_rate,
            false_alarm_rate: self.false_alarm_rate,
            final_strategies: self
                .final_strategies
                .iter()
                .map(ToString::to_string)
                .collect(),
            events_rejected: self.rejected_events,
            relocations: self.relocations,
        }
    }

    /// Checks that a run read back from elsewhere (a shard file) has the
    /// shape a run of `labs` labs over at most `generations` generations
    /// has, so that aggregating it cannot index out of bounds or average
    /// impossible values. Names the first thing that does not fit.
    pub fn check_shape(&self, labs: usize, generations: u32) -> Result<(), String> {
        let per_lab = [
            ("mean_payoff", self.mean_payoff.len()),
            ("mean_utility", self.mean_utility.len()),
            ("final_strategies", self.final_strategies.len()),
        ];
        if let Some((field, len)) = per_lab.iter().find(|(_, len)| *len != labs) {
            return Err(format!("{field} has {len} entries for {labs} labs"));
        }
        if self.generations_run > generations {
            return Err(format!(
                "generations_run is {}, beyond the {generations} planned",
                self.generations_run
            ));
        }
        if self
            .time_to_coordination
            .is_some_and(|t| t > self.generations_run)
        {
            return Err("time_to_coordination is after the run ended".into());
        }
        let shares = [
            ("cooperation", Some(self.cooperation)),
            ("disaster_rate", Some(self.disaster_rate)),
            ("detection_rate", self.detection_rate),
            ("conviction_rate", self.conviction_rate),
            ("false_alarm_rate", self.false_alarm_rate),
            ("detected_share_of_unsafe", self.detected_share_of_unsafe),
        ];
        if let Some((field, _)) = shares
            .iter()
            .find(|(_, v)| v.is_some_and(|v| !(0.0..=1.0).contains(&v)))
        {
            return Err(format!("{field} is not a share in [0, 1]"));
        }
        let amounts = [self.welfare, self.lab_periods]
            .into_iter()
            .chain(self.mean_payoff.iter().copied())
            .chain(self.mean_utility.iter().copied());
        if amounts.into_iter().any(|v| !v.is_finite()) || self.lab_periods < 0.0 {
            return Err("a payoff, utility, welfare or lab-period count is not finite".into());
        }
        if self.generations.len() > generations as usize
            || self.labs.len() > labs.saturating_mul(generations as usize)
        {
            return Err("more per-generation records than the run has generations".into());
        }
        Ok(())
    }
}

/// Simulates one run.
pub fn run(world: &World, protocol: &Protocol, options: &RunOptions) -> RunResult {
    Simulation::new(world, protocol, options).run()
}

#[derive(Clone)]
struct Simulation<'a> {
    world: &'a World,
    /// The protocol under study: every registry's, unless its jurisdiction
    /// runs its own, and the pact stage's.
    protocol: &'a Protocol,
    /// The protocol each registry runs.
    protocols: Vec<&'a Protocol>,
    options: &'a RunOptions,
    labs: Vec<Lab>,
    /// One registry per jurisdiction (`[international]`; a single one over
    /// the world without it). A haven's registry holds no lab: its labs are
    /// outside the protocol.
    registries: Vec<Institution>,
    /// Each lab's jurisdiction (an index into `registries`).
    home: Vec<usize>,
    /// What moving jurisdiction cost each lab this generation (payoff).
    relocation_spend: Vec<f64>,
    /// Moves between jurisdictions so far.
    relocations: u64,
    /// Labs do not move (a replay weighing a move or a strategy).
    relocation_frozen: bool,
    /// The balances a replayed generation started from (taken before any move).
    resumed_credits: Option<Vec<u64>>,
    /// Disasters enter at their probability whatever the world's realisation
    /// (a replay weighing a move).
    expected_disasters: bool,
    /// Strategies labs choose from.
    menu: Vec<Strategy>,
    /// Norm loss `L_t` by lab type (`norms::norm_losses`).
    norm_loss: Vec<f64>,
    rng: ChaCha8Rng,
    /// Some registry's protocol appoints monitors, so labs are audited (a lab
    /// whose registry appoints none meets an empty panel).
    audits: bool,
    /// Labs the institution will audit in full next period (alerts).
    flagged: Vec<bool>,
    /// Last reported compute, for threshold-based audit rates.
    reported_compute: Vec<f64>,
    /// Last generation's public and private observations.
    last_safe: Vec<bool>,
    last_clean: Vec<bool>,
    /// Labs whose standing last generation a published verdict or sanction backs.
    last_on_record: Vec<bool>,
    last_pledged: Vec<bool>,
    /// Labs an audit found in violation this generation (a public verdict).
    found_violating: Vec<bool>,
    /// Labs with a compliant or violation verdict this generation.
    judged: Vec<bool>,
    stats: Detection,
    capture_spend: Vec<f64>,
    /// Periods each lab has gamed its reports since the training-compute
    /// metric was last revised (`monitors.gaming_half_life_periods`).
    gaming_capital: Vec<u32>,
    /// Investment units each lab has spent but not yet reported: a period a
    /// race ends partway through costs its share of a period's investment,
    /// reported once it completes a whole unit (the core counts whole units).
    unreported_investment: Vec<f64>,
    /// Labs pledge iff their private signal is at most this.
    pledge_threshold: f64,
    /// Whether an announcement of `θ` coordinates pledging (witnessed, or
    /// coordinating in the e-mail game at finite depth).
    announcement_coordinates: bool,
    /// Whether some registry's leaderboard has something to rank labs on, so
    /// norms and praise act (`norms::norms_made_public`): on every lab, a lab
    /// no leaderboard ranks (outside the protocol, in a haven, or where the
    /// registry publishes none) scoring 0.
    norms_public: bool,
    /// Whether each registry's leaderboard ranks its labs.
    ranks: Vec<bool>,
    /// Private observations have their own stream, so switching norms or
    /// transparency on or off leaves every other draw of the run unchanged.
    observations: ChaCha8Rng,
    /// The pact stage draws from its own stream too, so an institution whose
    /// pacts can enforce nothing leaves every other draw unchanged.
    pact_draws: ChaCha8Rng,
    /// Random matching into race groups (`format = "groups"`) has its own stream.
    grouping: ChaCha8Rng,
    /// Whistleblowers draw from their own stream, so a channel nobody uses
    /// leaves every other draw unchanged.
    whistleblowing: ChaCha8Rng,
    /// The order in which disasters' incidents are filed and claimed, drawn
    /// afresh each time: the pool pays claims first come, first served, and a
    /// fixed order would favour the labs listed first.
    settlement_order: ChaCha8Rng,
    /// Draws of mixed development (`RunOptions::unsafe_probability`).
    mixing: ChaCha8Rng,
    /// Who observes whom (None: everyone), drawn once per run from its own stream.
    graph: Option<Graph>,
    /// Each lab's speed multiplier (its type's, or drawn around it with `speed_log_sd`).
    lab_speed: Vec<f64>,
    /// Whether every lab of a type has the same speed, so two-lab races
    /// depend only on their members' types and safety (`pair`).
    uniform_speeds: bool,
    /// The protocol has nothing to do period by period (every mechanism off).
    idle: bool,
    /// The world is a population game: every lab's payoff depends only on how
    /// many labs of each type develop which way (see `population_generation`).
    population_game: bool,
    /// Two-lab race outcomes by `(group, group)`, group = `2·type + unsafe`.
    pair_table: Vec<Option<PairOutcome>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Detection {
    unsafe_audited: u64,
    unsafe_detected: u64,
    unsafe_convicted: u64,
    unsafe_periods: u64,
    safe_audited: u64,
    false_alarms: u64,
}

struct Outcome {
    record: GenerationRecord,
    /// Per-lab records (only when recording).
    labs: Vec<LabRecord>,
    payoffs: Vec<f64>,
    utility: Vec<f64>,
}

impl<'a> Simulation<'a> {
    fn new(world: &'a World, protocol: &'a Protocol, options: &'a RunOptions) -> Self {
        let mut labs = Vec::new();
        for (kind, t) in world.lab.iter().enumerate() {
            for name in t.participant_ids() {
                labs.push(Lab {
                    name,
                    kind,
                    strategy: t.initial,
                });
            }
        }
        assert!(
            options.departures.is_none() || options.comply_until.is_some_and(|g| g > 0),
            "labs leave when a late deviation starts"
        );
        if options.comply_until.is_some_and(|g| g > 0) {
            for lab in &mut labs {
                lab.strategy = Strategy::COMPLY;
            }
        } else if let Some(strategies) = &options.strategies {
            for (lab, strategy) in labs.iter_mut().zip(strategies) {
                lab.strategy = *strategy;
            }
        }
        let names: Vec<String> = labs.iter().map(|l| l.name.clone()).collect();
        let lab_speed = lab_speeds(world, &labs, options);
        let n = labs.len();
        let members = options.members.clone().unwrap_or_else(|| vec![true; n]);
        let home_of_kind = world.jurisdiction_of_kinds();
        let home: Vec<usize> = labs.iter().map(|l| home_of_kind[l.kind]).collect();
        let runs_protocol: Vec<bool> = world.international.as_ref().map_or(vec![true], |i| {
            i.jurisdiction.iter().map(|j| j.runs_protocol).collect()
        });
        let protocols: Vec<&Protocol> = world.international.as_ref().map_or(vec![protocol], |i| {
            i.jurisdiction
                .iter()
                .map(|j| j.protocol.as_deref().unwrap_or(protocol))
                .collect()
        });
        let monitors: Vec<usize> = protocols
            .iter()
            .map(|p| {
                if p.monitoring.enabled {
                    p.monitoring.monitors as usize
                } else {
                    0
                }
            })
            .collect();
        let registries = runs_protocol
            .iter()
            .enumerate()
            .map(|(j, &runs)| {
                let members_here: Vec<bool> =
                    (0..n).map(|i| runs && home[i] == j && members[i]).collect();
                Institution::new(
                    protocols[j],
                    &names,
                    &members_here,
                    if runs { monitors[j] } else { 0 },
                )
            })
            .collect();
        let ranks: Vec<bool> = protocols
            .iter()
            .zip(&runs_protocol)
            .map(|(p, &runs)| runs && crate::norms::norms_made_public(p, world))
            .collect();
        // A haven's registry runs nothing, but a world of havens alone is
        // one registry with every lab outside: the protocol under study decides.
        let norms_public = if runs_protocol.contains(&true) {
            ranks.contains(&true)
        } else {
            crate::norms::norms_made_public(protocol, world)
        };
        let idle = protocols.iter().all(|p| {
            !(p.credits.enabled
                || p.monitoring.enabled
                || p.early_warning.enabled
                || p.whistleblower.enabled
                || p.liability.enabled
                || p.sanctions.enabled
                || p.pacts.enabled
                || p.commitments.enabled
                || p.compute.enabled)
        });
        let menu = if world.stage == StageKind::Matrix {
            Strategy::all()
                .into_iter()
                .filter(|s| s.reporting == Reporting::Honest)
                .collect()
        } else {
            Strategy::all()
        };
        Self {
            world,
            protocol,
            protocols,
            options,
            registries,
            home,
            relocation_spend: vec![0.0; n],
            relocations: 0,
            relocation_frozen: false,
            resumed_credits: None,
            expected_disasters: false,
            labs,
            menu,
            // Norms act through the protocol's social-norms mechanism (its public
            // leaderboard), and only where it has something to observe.
            norm_loss: if norms_public {
                crate::norms::norm_losses(world)
            } else {
                vec![0.0; world.lab.len()]
            },
            rng: run_rng(options.seed, options.run_index),
            audits: monitors.iter().any(|&m| m > 0),
            flagged: vec![false; n],
            reported_compute: vec![0.0; n],
            last_safe: vec![true; n],
            last_clean: vec![true; n],
            last_on_record: vec![true; n],
            last_pledged: vec![false; n],
            found_violating: vec![false; n],
            judged: vec![false; n],
            stats: Detection::default(),
            capture_spend: vec![0.0; n],
            gaming_capital: vec![0; n],
            unreported_investment: vec![0.0; n],
            pledge_threshold: world.pact.initial_threshold,
            announcement_coordinates: announcement_coordinates(protocol, &world.pact),
            norms_public,
            ranks,
            observations: run_rng(options.seed, options.run_index | (1 << 63)),
            pact_draws: run_rng(options.seed, options.run_index | (1 << 62)),
            grouping: run_rng(options.seed, options.run_index | (1 << 61)),
            whistleblowing: run_rng(options.seed, options.run_index | (1 << 55)),
            settlement_order: run_rng(options.seed, options.run_index | (1 << 54)),
            mixing: run_rng(options.seed, options.run_index | (1 << 57)),
            lab_speed,
            uniform_speeds: world
                .lab
                .iter()
                .all(|t| t.speed_log_sd.is_none_or(|sd| sd == 0.0)),
            graph: world.network.draw(
                &names,
                &mut run_rng(options.seed, options.run_index | (1 << 60)),
            ),
            idle,
            population_game: false,
            pair_table: Vec::new(),
        }
        .with_population_game()
    }

    /// Detects the population-game case: nothing institutional, pairwise
    /// races with expected payoffs, and no norm, praise or risk term that
    /// depends on anything but a lab's own group.
    fn with_population_game(mut self) -> Self {
        let w = self.world;
        // Without a leaderboard there is no norm term (`norm_loss` is zero).
        self.population_game = self.idle
            && !self.norms_public
            && w.stage == StageKind::Race
            && w.race.format == RaceFormat::Pairwise
            && w.race.realisation == Realisation::Expected
            && self.uniform_speeds
            && w.lab
                .iter()
                .all(|t| t.budget.is_none_or(|b| b >= w.race.safety_cost));
        let groups = 2 * w.lab.len();
        self.pair_table = vec![None; groups * groups];
        self
    }

    fn run(mut self) -> RunResult {
        let generations = self
            .options
            .generations
            .unwrap_or(self.world.learning.generations);
        let n = self.labs.len();
        let mut records = Vec::new();
        let mut lab_records = Vec::new();
        let (mut payoff_sum, mut utility_sum) = (vec![0.0; n], vec![0.0; n]);
        let (mut coop, mut disasters, mut welfare, mut counted) = (0.0, 0.0, 0.0, 0.0);
        let mut coordination = None;
        let mut lab_periods = 0.0;
        let mut generations_run = 0;
        assert!(generations >= 1, "a run needs at least one generation");
        let from = generations / 2;
        for g in 0..generations {
            if g > 0
                && self.options.comply_until == Some(g)
                && let Some(strategies) = &self.options.strategies
            {
                for (lab, strategy) in self.labs.iter_mut().zip(strategies) {
                    lab.strategy = *strategy;
                }
            }
            self.mix_development(g);
            let outcome = self.generation(g);
            generations_run += 1;
            lab_periods += n as f64 * outcome.record.periods;
            if coordination.is_none() && outcome.record.safe_share >= 0.8 {
                coordination = Some(g);
            }
            if !self.options.fixed && self.world.learning.rule != Rule::Fixed {
                self.revise(g, &outcome.utility);
            }
            let first = self.labs[0].strategy.development;
            let stop = self.options.stop_when_monomorphic
                && self.labs.iter().all(|l| l.strategy.development == first);
            // A run that stops before its second half is measured on its last generation.
            if g >= from || (stop && counted == 0.0) {
                counted += 1.0;
                coop += outcome.record.safe_share;
                disasters += outcome.record.disaster_probability;
                welfare += outcome.record.welfare;
                for i in 0..n {
                    payoff_sum[i] += outcome.payoffs[i];
                    utility_sum[i] += outcome.utility[i];
                }
            }
            if self.options.record {
                records.push(outcome.record);
                lab_records.extend(outcome.labs);
            }
            if stop {
                break;
            }
        }
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        RunResult {
            cooperation: coop / counted,
            disaster_rate: disasters / counted,
            welfare: welfare / counted,
            time_to_coordination: coordination,
            generations_run,
            detection_rate: ratio(self.stats.unsafe_detected, self.stats.unsafe_audited),
            conviction_rate: ratio(self.stats.unsafe_convicted, self.stats.unsafe_audited),
            false_alarm_rate: ratio(self.stats.false_alarms, self.stats.safe_audited),
            detected_share_of_unsafe: ratio(self.stats.unsafe_detected, self.stats.unsafe_periods),
            unsafe_periods: self.stats.unsafe_periods,
            mean_payoff: payoff_sum.iter().map(|p| p / counted).collect(),
            mean_utility: utility_sum.iter().map(|u| u / counted).collect(),
            final_strategies: self.labs.iter().map(|l| l.strategy).collect(),
            rejected_events: self.registries.iter().map(|r| r.rejected).sum(),
            relocations: self.relocations,
            lab_periods,
            generations: records,
            labs: lab_records,
            drawn: self.options.record.then(|| Drawn {
                speeds: self.lab_speed.clone(),
                links: self.graph.as_ref().map(Graph::links),
            }),
        }
    }

    /// Labs with a mixed strategy draw how they develop this generation
    /// (not before a deviation starts: `comply_until`).
    fn mix_development(&mut self, g: u32) {
        let Some(mixed) = &self.options.unsafe_probability else {
            return;
        };
        if self.options.comply_until.is_some_and(|start| g < start) {
            return;
        }
        for (lab, q) in self.labs.iter_mut().zip(mixed) {
            if let Some(q) = q {
                let unsafe_now = self.mixing.random::<f64>() < *q;
                lab.strategy.development = if unsafe_now {
                    Development::Unsafe
                } else {
                    Development::Safe
                };
            }
        }
    }

    fn generation(&mut self, g: u32) -> Outcome {
        if self.population_game {
            return self.population_generation(g);
        }
        let world = self.world;
        let n = self.labs.len();
        self.found_violating.fill(false);
        self.judged.fill(false);
        // Taken before the pact stage, whose refund bonuses are this generation's credits.
        let credits_before: Vec<u64> = if self.idle {
            vec![0; n]
        } else if let Some(resumed) = self.resumed_credits.take() {
            resumed
        } else {
            (0..n).map(|i| self.registry(i).credits(i)).collect()
        };
        if !self.idle {
            // After the starting balances: what leaving costs counts in this
            // generation. The rounds that ended are resolved first, so the lab
            // leaves only what binds it from now on.
            let options = self.options;
            if let (Some(departures), true) = (&options.departures, options.comply_until == Some(g))
            {
                for registry in &mut self.registries {
                    registry.resolve_rounds();
                }
                for (lab, _) in departures.iter().enumerate().filter(|(_, d)| **d) {
                    self.registry_mut(lab).leave(lab);
                }
            }
            self.relocate(g, &credits_before);
            for lab in 0..n {
                self.registry_mut(lab).renew_treaty(lab);
            }
        }
        let stage = self.pact_stage();
        // A pledge obliges, but how a lab develops is its own strategy: a
        // breach has consequences only where the institution detects it.
        let safe: Vec<bool> = (0..n)
            .map(|i| self.labs[i].strategy.development == Development::Safe)
            .collect();
        let expectations = self.expectations();
        let mechanics = Mechanics {
            milestone: world.race.milestone,
            benefit: world.race.benefit,
            safety_cost: world.race.safety_cost,
            prize: world.race.prize,
            max_rounds: f64::from(world.race.max_rounds),
        };
        self.capture_spend = vec![0.0; n];
        let mut races: Vec<Race> = match (world.stage, world.race.format) {
            (StageKind::Matrix, _) => Vec::new(),
            (_, RaceFormat::All) => vec![Race::new((0..n).collect())],
            (_, RaceFormat::Pairwise) => (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| Race::new(vec![i, j])))
                .collect(),
            (_, RaceFormat::Groups) => races::sampled_groups(
                n,
                world.race.group_size.expect("validated with the world") as usize,
                &mut self.grouping,
            ),
        };
        let mut alerts = 0;
        let mut periods = 0.0;
        let compute_scale = world.economy.compute_per_speed
            * world.economy.compute_growth_per_generation.powi(g as i32);
        // Share of periods each lab can fund safely (below 1 when its budget is short of c).
        let funding: Vec<f64> = self
            .labs
            .iter()
            .map(|l| {
                world.lab[l.kind].budget.map_or(1.0, |b| {
                    if world.race.safety_cost > 0.0 {
                        (b / world.race.safety_cost).min(1.0)
                    } else {
                        1.0
                    }
                })
            })
            .collect();
        let constrained = funding.iter().any(|&f| f < 1.0);
        if self.idle && !constrained && world.stage == StageKind::Race {
            let totals = self.idle_totals(&races, &mechanics, &safe);
            let disasters = self.draw_disasters(&totals);
            let periods = totals.duration;
            return self.settle(
                g,
                &totals,
                &safe,
                &stage,
                &expectations,
                &credits_before,
                periods,
                0,
                disasters,
            );
        }
        loop {
            let funded: Vec<bool> = (0..n)
                .map(|i| safe[i] && (funding[i] >= 1.0 || self.rng.random::<f64>() < funding[i]))
                .collect();
            let speed = self.speeds(&funded);
            let mut active = vec![world.stage == StageKind::Matrix; n];
            // The share of this period each lab spent racing (a race can end partway).
            let mut raced = vec![
                if world.stage == StageKind::Matrix {
                    1.0
                } else {
                    0.0
                };
                n
            ];
            let mut longest: f64 = if world.stage == StageKind::Matrix {
                1.0
            } else {
                0.0
            };
            for race in races.iter_mut().filter(|r| !r.finished) {
                let before = race.elapsed;
                race.step(&mechanics, &speed, &funded);
                let duration = race.elapsed - before;
                longest = longest.max(duration);
                for &m in &race.members {
                    active[m] = true;
                    raced[m] = f64::max(raced[m], duration);
                }
            }
            periods += longest;
            let done = races.iter().all(|r| r.finished);
            let totals = if done {
                Some(Totals::of(&races, n))
            } else {
                None
            };
            let disasters = match &totals {
                Some(t) => self.draw_disasters(t),
                None => Vec::new(),
            };
            alerts += self.institutional_period(
                &funded,
                &active,
                &raced,
                &speed,
                compute_scale,
                g,
                &disasters,
                &races,
            );
            if done {
                return self.settle(
                    g,
                    totals.as_ref().expect("the race is done"),
                    &safe,
                    &stage,
                    &expectations,
                    &credits_before,
                    periods,
                    alerts,
                    disasters,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn settle(
        &mut self,
        g: u32,
        totals: &Totals,
        safe: &[bool],
        stage: &PactStage,
        expectations: &[(f64, f64)],
        credits_before: &[u64],
        periods: f64,
        alerts: usize,
        disasters: Vec<f64>,
    ) -> Outcome {
        let world = self.world;
        let n = self.labs.len();
        let mut material = match (world.stage, &world.matrix) {
            (StageKind::Matrix, Some(m)) => (0..n)
                .map(|i| {
                    let row = usize::from(!safe[i]);
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| m.payoffs[row][usize::from(!safe[j])])
                        .sum::<f64>()
                        / (n - 1) as f64
                })
                .collect(),
            _ => totals.payoff.clone(),
        };
        let before_risk = material.clone();
        let setback = world.race.collective_setback;
        match self.realisation() {
            Realisation::Sampled => {
                let caused: usize = disasters.iter().filter(|&&d| d >= 1.0).count();
                for i in 0..n {
                    let kept = if disasters[i] >= 1.0 {
                        0.0
                    } else {
                        (1.0 - setback).powi(caused as i32)
                    };
                    material[i] = disaster_struck(material[i], kept);
                }
            }
            Realisation::Expected => {
                // Π over j ≠ i of (1 − s·P_j) in O(n): the product of the
                // non-zero factors, and how many factors are zero.
                let factors: Vec<f64> = disasters.iter().map(|d| 1.0 - setback * d).collect();
                let zeros = factors.iter().filter(|&&f| f == 0.0).count();
                let nonzero: f64 = factors.iter().filter(|&&f| f != 0.0).product();
                for i in 0..n {
                    let others = match (factors[i] == 0.0, zeros) {
                        (true, 1) => nonzero,
                        (false, 0) => nonzero / factors[i],
                        _ => 0.0,
                    };
                    material[i] = disaster_struck(material[i], (1.0 - disasters[i]) * others);
                }
            }
        }
        let duration = periods.max(1.0);
        let value = world.economy.credit_value;
        // Each registry ranks its own labs; a lab no leaderboard ranks scores 0.
        let scores = if self.norms_public {
            let by_registry: Vec<Vec<f64>> = self.registries.iter().map(|r| r.scores()).collect();
            (0..n)
                .map(|i| {
                    if self.ranks[self.home[i]] {
                        by_registry[self.home[i]][i]
                    } else {
                        0.0
                    }
                })
                .collect()
        } else {
            vec![0.0; n]
        };
        let mean_score = scores.iter().sum::<f64>() / n as f64;
        let mut utility = vec![0.0; n];
        let mut payoffs = vec![0.0; n];
        let mut access = vec![true; n];
        let mut lab_records = Vec::new();
        for i in 0..n {
            let t = &world.lab[self.labs[i].kind];
            let credits = if self.idle {
                0
            } else {
                self.registry(i).credits(i)
            };
            let credit_flow = value * (credits as f64 - credits_before[i] as f64) / duration;
            let payoff = material[i] + credit_flow
                - (self.capture_spend[i] + self.relocation_spend[i]) / duration;
            let own_loss = match self.realisation() {
                Realisation::Sampled => {
                    if disasters[i] >= 1.0 {
                        before_risk[i].max(0.0)
                    } else {
                        0.0
                    }
                }
                Realisation::Expected => disasters[i] * before_risk[i].max(0.0),
            };
            let praise = if self.norms_public {
                world.norms.praise_weight * (scores[i] - mean_score)
            } else {
                0.0
            };
            utility[i] = crate::utility::utility(
                t,
                &UtilityTerms {
                    payoff,
                    own_loss,
                    developed_unsafely: !safe[i],
                    expectations: expectations[i],
                    norm_loss: self.norm_loss[self.labs[i].kind],
                    praise,
                },
            );
            payoffs[i] = payoff;
            // Without a gate, or one that covers nothing, nothing is withheld,
            // from members or others.
            access[i] = self.idle || self.refused_compute(i) == 0.0;
            if self.options.record {
                lab_records.push(LabRecord {
                    generation: g,
                    lab: self.labs[i].name.clone(),
                    strategy: self.labs[i].strategy.to_string(),
                    developed_safely: safe[i],
                    payoff,
                    utility: utility[i],
                    disaster_probability: disasters[i],
                    credits,
                    sanction_level: if self.idle {
                        0
                    } else {
                        self.registry(i).sanction_level(i)
                    },
                    compute_access: access[i],
                    pledged: stage.pledged[i],
                    bound: stage.bound[i],
                    jurisdiction: self.jurisdiction_name(i),
                });
            }
        }
        let safe_share = safe.iter().filter(|&&x| x).count() as f64 / n as f64;
        self.last_safe = safe.to_vec();
        self.last_pledged = stage.pledged.clone();
        // Good standing is the audit record, not compute access: a gate can
        // deny a lab that nobody found in violation (too few credits).
        self.last_clean = (0..n)
            .map(|i| {
                self.registry(i).is_member(i)
                    && !self.found_violating[i]
                    && (self.idle || self.registry(i).sanction_level(i) == 0)
            })
            .collect();
        self.last_on_record = (0..n)
            .map(|i| {
                self.judged[i]
                    || (!self.idle
                        && self.registry(i).is_member(i)
                        && self.registry(i).sanction_level(i) > 0)
            })
            .collect();
        let record = GenerationRecord {
            generation: g,
            safe_share,
            disaster_probability: 1.0 - disasters.iter().map(|d| 1.0 - d).product::<f64>(),
            // A move's cost is spent, not transferred.
            welfare: material.iter().sum::<f64>()
                - self.relocation_spend.iter().sum::<f64>() / duration,
            periods,
            pact_succeeded: stage.succeeded,
            pact_binding: stage.binding,
            pact_fundamental: stage.fundamental,
            pact_public: stage.public,
            pledge_threshold: stage.threshold,
            alerts,
        };
        Outcome {
            record,
            labs: lab_records,
            payoffs,
            utility,
        }
    }
}

/// A race payoff after disasters that leave the share `kept` of what was at
/// stake: a disaster destroys gains, never costs, so a negative payoff (safety
/// spending beyond the lab's share of the benefits) is borne whatever happens
/// and no lab is better off for a disaster.
pub(crate) fn disaster_struck(race_payoff: f64, kept: f64) -> f64 {
    debug_assert!((0.0..=1.0).contains(&kept), "a share kept: {kept}");
    race_payoff.min(0.0) + race_payoff.max(0.0) * kept
}

/// Each lab's speed multiplier: its type's `speed`, times `exp(σ·z)` for
/// types with a spread `σ` (one standard normal `z` per lab, from a stream of
/// its own, so worlds without spreads draw nothing).
fn lab_speeds(world: &World, labs: &[Lab], options: &RunOptions) -> Vec<f64> {
    let mut draws = run_rng(options.seed, options.run_index | (1 << 58));
    labs.iter()
        .map(|lab| {
            let t = &world.lab[lab.kind];
            match t.speed_log_sd {
                Some(sd) if sd > 0.0 => t.speed * (sd * normal(&mut draws)).exp(),
                _ => t.speed,
            }
        })
        .collect()
}

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_shortcut_matches_racing_every_pair() {
        let world = World::parse(
            "[world]\nname = \"w\"\n[race]\nformat = \"pairwise\"\nrealisation = \"expected\"\ncollective_setback = 0.1\n[[lab]]\nname = \"a\"\ncount = 3\nrisk_aversion = 0.5\n[[lab]]\nname = \"b\"\ncount = 4\nspeed = 1.3\n",
        )
        .unwrap();
        let protocol =
            accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
        let strategies: Vec<Strategy> = (0..7)
            .map(|i| Strategy {
                development: if i % 3 == 0 {
                    Development::Unsafe
                } else {
                    Development::Safe
                },
                reporting: Reporting::Honest,
            })
            .collect();
        let options = RunOptions {
            strategies: Some(strategies),
            ..RunOptions::default()
        };
        let mut shortcut = Simulation::new(&world, &protocol, &options);
        assert!(shortcut.population_game);
        let mut racing = Simulation::new(&world, &protocol, &options);
        racing.population_game = false;
        let (a, b) = (shortcut.generation(0), racing.generation(0));
        for i in 0..7 {
            assert!(
                (a.payoffs[i] - b.payoffs[i]).abs() < 1e-12,
                "lab {i}: {} vs {}",
                a.payoffs[i],
                b.payoffs[i]
            );
            assert!((a.utility[i] - b.utility[i]).abs() < 1e-12);
        }
        assert_eq!(a.record.safe_share, b.record.safe_share);
        assert!((a.record.periods - b.record.periods).abs() < 1e-12);
    }

    #[test]
    fn speeds_spread_log_normally_around_the_types_speed() {
        let world = World::parse(
            "[world]\nname = \"w\"\n[[lab]]\nname = \"spread\"\ncount = 4000\nspeed = 1.2\nspeed_log_sd = 0.5\n[[lab]]\nname = \"even\"\ncount = 3\nspeed = 0.9\n",
        )
        .unwrap();
        let protocol =
            accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
        let options = RunOptions::default();
        let simulation = Simulation::new(&world, &protocol, &options);
        assert!(!simulation.uniform_speeds);
        let logs: Vec<f64> = simulation.lab_speed[..4000]
            .iter()
            .map(|s| s.ln())
            .collect();
        let mean = logs.iter().sum::<f64>() / 4000.0;
        let sd = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3999.0).sqrt();
        // Standard errors: 0.5/√4000 ≈ 0.008 for the mean, 0.006 for the sd.
        assert!((mean - 1.2f64.ln()).abs() < 0.03, "mean log speed {mean}");
        assert!((sd - 0.5).abs() < 0.025, "sd of log speed {sd}");
        assert_eq!(&simulation.lab_speed[4000..], &[0.9; 3]);
        // Same seed, same speeds; another run, other speeds.
        let again = Simulation::new(&world, &protocol, &options);
        assert_eq!(simulation.lab_speed, again.lab_speed);
        let other = RunOptions {
            run_index: 1,
            ..RunOptions::default()
        };
        assert_ne!(
            Simulation::new(&world, &protocol, &other).lab_speed,
            simulation.lab_speed
        );
    }

    #[test]
    fn a_zero_spread_runs_exactly_as_no_spread_and_faster_labs_earn_more() {
        let text = |spread: &str| {
            format!(
                "[world]\nname = \"w\"\n[race]\nformat = \"pairwise\"\nrealisation = \"expected\"\n[learning]\nrule = \"fixed\"\ngenerations = 4\n[[lab]]\nname = \"a\"\ncount = 12\n{spread}\n"
            )
        };
        let protocol =
            accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
        let options = RunOptions::default();
        let plain = run(&World::parse(&text("")).unwrap(), &protocol, &options);
        let zero = run(
            &World::parse(&text("speed_log_sd = 0.0")).unwrap(),
            &protocol,
            &options,
        );
        assert_eq!(plain, zero);
        // With a spread the pair shortcut is off and each lab races at its own speed.
        let world = World::parse(&text("speed_log_sd = 0.4")).unwrap();
        let spread = run(&world, &protocol, &options);
        let speeds = Simulation::new(&world, &protocol, &options).lab_speed;
        let fastest = (0..12)
            .max_by(|&a, &b| speeds[a].total_cmp(&speeds[b]))
            .unwrap();
        let slowest = (0..12)
            .min_by(|&a, &b| speeds[a].total_cmp(&speeds[b]))
            .unwrap();
        assert!(spread.mean_payoff[fastest] > spread.mean_payoff[slowest]);
        assert!(
            spread
                .mean_payoff
                .iter()
                .any(|p| (p - plain.mean_payoff[0]).abs() > 1e-9)
        );
    }

    #[test]
    fn imitation_copies_the_strategy_that_earned_the_utility() {
        // b observes only a; a observes b and c. a (utility 5) copies c
        // (utility 10); b (utility 0) copies a. b must then take what a
        // played, not what a switched to earlier in the same loop.
        let world = World::parse(
            "[world]\nname = \"w\"\n[learning]\nrule = \"imitation\"\nselection = 1000.0\nexploration = 0.0\nrevisions_per_generation = 64\n[network]\nkind = \"edges\"\nedges = [[\"a\", \"c\"], [\"a\", \"b\"]]\n[[lab]]\nname = \"a\"\n[[lab]]\nname = \"b\"\n[[lab]]\nname = \"c\"\n",
        )
        .unwrap();
        let protocol =
            accord_core::parse_protocol("[protocol]\nname = \"p\"\nformat = 1\n").unwrap();
        let strategies = Strategy::all();
        let (played_by_a, played_by_c) = (strategies[0], strategies[2]);
        let mut a_switched = 0;
        for seed in 0..20 {
            let options = RunOptions {
                seed,
                ..RunOptions::default()
            };
            let mut simulation = Simulation::new(&world, &protocol, &options);
            for (lab, strategy) in simulation.labs.iter_mut().zip(&strategies) {
                lab.strategy = *strategy;
            }
            simulation.revise(0, &[5.0, 0.0, 10.0]);
            a_switched += usize::from(simulation.labs[0].strategy == played_by_c);
            assert_ne!(simulation.labs[1].strategy, played_by_c, "seed {seed}");
            assert!([played_by_a, strategies[1]].contains(&simulation.labs[1].strategy));
        }
        assert!(a_switched > 15, "a imitated c in {a_switched} of 20 runs");
    }

    #[test]
    fn standing_is_public_only_where_audits_publish_verdicts() {
        let world = World::parse(
            "[world]\nname = \"w\"\n[norms]\nobservation_noise = 0.0\n[[lab]]\nname = \"a\"\ncount = 4\nnorm_sensitivity = 1.0\n",
        )
        .unwrap();
        let empirical = |protocol: &str, judged: &[bool]| {
            let protocol = accord_core::parse_protocol(protocol).unwrap();
            let options = RunOptions::default();
            let mut simulation = Simulation::new(&world, &protocol, &options);
            // Everyone developed unsafely, but nobody was caught or sanctioned.
            simulation.last_safe = vec![false; 4];
            simulation.last_clean = vec![true; 4];
            simulation.last_on_record = judged.to_vec();
            simulation.expectations()[0].0
        };
        let head = "[protocol]\nname = \"p\"\nformat = 1\n[transparency]\nenabled = true\n";
        let monitored = format!("{head}[monitoring]\nenabled = true\n");
        assert_eq!(
            empirical(&monitored, &[true; 4]),
            1.0,
            "audited standing is public"
        );
        assert_eq!(
            empirical(head, &[true; 4]),
            0.0,
            "without monitoring, labs see only what they observe privately"
        );
        // Good standing that no verdict backs is no evidence: the two labs
        // nobody judged are observed privately (unsafe, without noise).
        let two_judged = [true, true, false, false];
        assert!((empirical(&monitored, &two_judged) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(empirical(&monitored, &[false; 4]), 0.0);
    }
}
