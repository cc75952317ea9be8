//! One run: labs race generation after generation under a protocol, and
//! revise their strategies between generations.

use crate::institution::{Finding, Institution};
use crate::race::{Mechanics, Race};
use crate::strategy::{Development, Reporting, Strategy};
use crate::world::{PactGame, PublicSelection, RaceFormat, Realisation, Rule, StageKind, World};
use accord_core::Protocol;
use accord_core::early_warning::{AlertKind, Evidence};
use accord_core::event::Verdict;
use accord_core::spec::{MetricRole, ReportKind};
use accord_games::email_game::EmailGame;
use accord_games::global_game::GlobalGame;
use accord_games::normal::cdf as normal_cdf;
use accord_seed::run_rng;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::HashMap;

/// Options of one run.
#[derive(Debug, Clone, Default)]
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
    /// Which labs join the protocol (by lab; default: all). A lab that stays
    /// out is never registered: it earns no credits, is never audited or
    /// sanctioned, and compute providers behind the gate do not serve it.
    pub members: Option<Vec<bool>>,
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
#[derive(Debug, Clone, Serialize)]
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
    /// Whether it had access to covered compute at the end.
    pub compute_access: bool,
    /// Whether it pledged to the pact.
    pub pledged: bool,
    /// Whether a pact it pledged to was binding at the institution.
    pub bound: bool,
}

/// What happened in one generation.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
    /// Safe lab-periods audited with a violation reported, over safe lab-periods audited.
    pub false_alarm_rate: Option<f64>,
    /// Unsafe lab-periods in which some monitor found a violation, over all unsafe lab-periods.
    pub detected_share_of_unsafe: Option<f64>,
    /// Mean payoff per period of each lab over the second half.
    pub mean_payoff: Vec<f64>,
    /// Mean utility of each lab over the second half.
    pub mean_utility: Vec<f64>,
    /// Strategy of each lab at the end.
    pub final_strategies: Vec<Strategy>,
    /// Events the institution rejected (reports it did not need, credits not yet due, …).
    pub rejected_events: u64,
    /// Lab-periods simulated (labs × periods, summed over generations).
    pub lab_periods: f64,
    /// Per-generation records (when recorded).
    pub generations: Vec<GenerationRecord>,
    /// Per-lab, per-generation records (when recorded).
    pub labs: Vec<LabRecord>,
}

/// Simulates one run.
pub fn run(world: &World, protocol: &Protocol, options: &RunOptions) -> RunResult {
    Simulation::new(world, protocol, options).run()
}

#[derive(Clone)]
struct Simulation<'a> {
    world: &'a World,
    protocol: &'a Protocol,
    options: &'a RunOptions,
    labs: Vec<Lab>,
    institution: Institution,
    /// Strategies labs choose from.
    menu: Vec<Strategy>,
    /// Norm loss `L_t` by lab type (`norms::norm_losses`).
    norm_loss: Vec<f64>,
    rng: ChaCha8Rng,
    monitors: usize,
    /// Labs the institution will audit in full next period (alerts).
    flagged: Vec<bool>,
    /// Last reported compute, for threshold-based audit rates.
    reported_compute: Vec<f64>,
    /// Last generation's public and private observations.
    last_safe: Vec<bool>,
    last_clean: Vec<bool>,
    last_pledged: Vec<bool>,
    /// Labs an audit found in violation this generation (a public verdict).
    found_violating: Vec<bool>,
    stats: Detection,
    capture_spend: Vec<f64>,
    /// Labs pledge iff their private signal is at most this.
    pledge_threshold: f64,
    /// Whether an announcement of `θ` coordinates pledging (witnessed, or
    /// coordinating in the e-mail game at finite depth).
    announcement_coordinates: bool,
    /// Private observations have their own stream, so switching norms or
    /// transparency on or off leaves every other draw of the run unchanged.
    observations: ChaCha8Rng,
    /// The pact stage draws from its own stream too, so an institution whose
    /// pacts can enforce nothing leaves every other draw unchanged.
    pact_draws: ChaCha8Rng,
    /// The protocol has nothing to do period by period (every mechanism off).
    idle: bool,
    /// Finished races by `(kind, safe)` of their two members, reused while
    /// speeds do not depend on the institution (no compute gate).
    race_cache: HashMap<(usize, bool, usize, bool), PairOutcome>,
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
    unsafe_periods: u64,
    safe_audited: u64,
    false_alarms: u64,
}

struct PactStage {
    pledged: Vec<bool>,
    /// Bound by a binding pact it pledged to.
    bound: Vec<bool>,
    succeeded: Option<bool>,
    binding: Option<bool>,
    fundamental: Option<f64>,
    public: Option<bool>,
    threshold: Option<f64>,
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
        if let Some(strategies) = &options.strategies {
            for (lab, strategy) in labs.iter_mut().zip(strategies) {
                lab.strategy = *strategy;
            }
        }
        let monitors = if protocol.monitoring.enabled {
            protocol.monitoring.monitors as usize
        } else {
            0
        };
        let names: Vec<String> = labs.iter().map(|l| l.name.clone()).collect();
        let n = labs.len();
        let members = options.members.clone().unwrap_or_else(|| vec![true; n]);
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
            options,
            institution: Institution::new(protocol, &names, &members, monitors),
            labs,
            menu,
            // Norms act through the protocol's social-norms mechanism (its public
            // leaderboard): a protocol without one adds no norm term.
            norm_loss: if protocol.leaderboard.enabled {
                crate::norms::norm_losses(world)
            } else {
                vec![0.0; world.lab.len()]
            },
            rng: run_rng(options.seed, options.run_index),
            monitors,
            flagged: vec![false; n],
            reported_compute: vec![0.0; n],
            last_safe: vec![true; n],
            last_clean: vec![true; n],
            last_pledged: vec![false; n],
            found_violating: vec![false; n],
            stats: Detection::default(),
            capture_spend: vec![0.0; n],
            pledge_threshold: world.pact.initial_threshold,
            announcement_coordinates: announcement_coordinates(protocol, &world.pact),
            observations: run_rng(options.seed, options.run_index | (1 << 63)),
            pact_draws: run_rng(options.seed, options.run_index | (1 << 62)),
            idle: !(protocol.credits.enabled
                || protocol.monitoring.enabled
                || protocol.early_warning.enabled
                || protocol.whistleblower.enabled
                || protocol.liability.enabled
                || protocol.sanctions.enabled
                || protocol.pacts.enabled
                || protocol.commitments.enabled
                || protocol.compute.enabled),
            race_cache: HashMap::new(),
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
            && !self.protocol.leaderboard.enabled
            && w.stage == StageKind::Race
            && w.race.format == RaceFormat::Pairwise
            && w.race.realisation == Realisation::Expected
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
            false_alarm_rate: ratio(self.stats.false_alarms, self.stats.safe_audited),
            detected_share_of_unsafe: ratio(self.stats.unsafe_detected, self.stats.unsafe_periods),
            mean_payoff: payoff_sum.iter().map(|p| p / counted).collect(),
            mean_utility: utility_sum.iter().map(|u| u / counted).collect(),
            final_strategies: self.labs.iter().map(|l| l.strategy).collect(),
            rejected_events: self.institution.rejected,
            lab_periods,
            generations: records,
            labs: lab_records,
        }
    }

    /// The pact stage (`docs/model.md`, section 7): the secretariat resolves
    /// the pledge rounds that are due, each lab decides whether to pledge,
    /// and the institution's rules decide whether a pact binds.
    fn pact_stage(&mut self) -> PactStage {
        let n = self.labs.len();
        if !self.protocol.pacts.enabled || self.protocol.pacts.pact.is_empty() {
            return PactStage {
                pledged: vec![false; n],
                bound: vec![false; n],
                succeeded: None,
                binding: None,
                fundamental: None,
                public: None,
                threshold: None,
            };
        }
        self.institution.resolve_rounds();
        let p = &self.world.pact;
        let theta = p.prior_mean + normal(&mut self.pact_draws) / p.prior_precision.sqrt();
        let public = self.protocol.announcements.enabled
            && self.pact_draws.random::<f64>() < p.announcement_reach
            && self.announcement_coordinates;
        let threshold = self.pledge_threshold;
        let wants: Vec<bool> = if public {
            match p.public_selection {
                PublicSelection::PayoffDominant => vec![theta <= 1.0; n],
                PublicSelection::Adaptive => {
                    let before = self.last_pledged.iter().filter(|&&x| x).count();
                    (0..n)
                        .map(|i| {
                            let others = before - usize::from(self.last_pledged[i]);
                            (1 + others) as f64 / n as f64 >= theta
                        })
                        .collect()
                }
            }
        } else {
            (0..n)
                .map(|_| {
                    theta + normal(&mut self.pact_draws) / p.signal_precision.sqrt() <= threshold
                })
                .collect()
        };
        if !public {
            // Iterated best response: next generation's labs answer this one's threshold.
            let game = GlobalGame {
                prior_mean: p.prior_mean,
                prior_precision: p.prior_precision,
                signal_precision: p.signal_precision,
                cost: p.pledge_cost,
            };
            self.pledge_threshold = game.best_response(threshold);
        }
        let pledged: Vec<bool> = (0..n)
            .map(|i| wants[i] && self.institution.is_member(i))
            .collect();
        for (lab, _) in pledged.iter().enumerate().filter(|(_, yes)| **yes) {
            self.institution.pledge(lab);
        }
        let share = pledged.iter().filter(|&&x| x).count() as f64 / n as f64;
        let bound: Vec<bool> = (0..n).map(|i| self.institution.bound(i)).collect();
        PactStage {
            succeeded: Some(share >= theta),
            binding: Some(bound.iter().any(|&b| b)),
            pledged,
            bound,
            fundamental: Some(theta),
            public: Some(public),
            threshold: (!public).then_some(threshold),
        }
    }

    fn generation(&mut self, g: u32) -> Outcome {
        if self.population_game {
            return self.population_generation(g);
        }
        let world = self.world;
        let n = self.labs.len();
        self.found_violating.fill(false);
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
        let credits_before: Vec<u64> = if self.idle {
            vec![0; n]
        } else {
            (0..n).map(|i| self.institution.credits(i)).collect()
        };
        self.capture_spend = vec![0.0; n];
        let mut races: Vec<Race> = match (world.stage, world.race.format) {
            (StageKind::Matrix, _) => Vec::new(),
            (_, RaceFormat::All) => vec![Race::new((0..n).collect())],
            (_, RaceFormat::Pairwise) => (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| Race::new(vec![i, j])))
                .collect(),
        };
        let mut alerts = 0;
        let mut periods = 0.0;
        let covered = if self.protocol.compute.enabled {
            self.protocol.compute.covered_fraction
        } else {
            0.0
        };
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
            let speed = self.speeds(&funded, covered);
            let mut active = vec![world.stage == StageKind::Matrix; n];
            let mut longest: f64 = if world.stage == StageKind::Matrix {
                1.0
            } else {
                0.0
            };
            for race in races.iter_mut().filter(|r| !r.finished) {
                let before = race.elapsed;
                race.step(&mechanics, &speed, &funded);
                longest = longest.max(race.elapsed - before);
                for &m in &race.members {
                    active[m] = true;
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

    /// Each lab's speed this period.
    fn speeds(&self, safe: &[bool], covered: f64) -> Vec<f64> {
        let world = self.world;
        (0..self.labs.len())
            .map(|i| {
                let base = world.lab[self.labs[i].kind].speed
                    * if safe[i] {
                        1.0
                    } else {
                        world.race.unsafe_speed
                    };
                let access = if covered > 0.0 && !self.institution.access_allowed(i) {
                    1.0 - covered * (1.0 - world.economy.leakage)
                } else {
                    1.0
                };
                base * access
            })
            .collect()
    }

    /// The generation's races run to the end at once (nothing institutional
    /// happens during them); two-lab races are cached by their members' type
    /// and safety, which is all their outcome depends on.
    fn idle_totals(&mut self, races: &[Race], mechanics: &Mechanics, safe: &[bool]) -> Totals {
        let n = self.labs.len();
        let speed = self.speeds(safe, 0.0);
        let run = |mut race: Race| {
            while !race.finished {
                race.step(mechanics, &speed, safe);
            }
            race
        };
        let mut totals = Totals::empty(n);
        let mut count = vec![0.0; n];
        for race in races {
            let [a, b] = race.members[..] else {
                let finished = run(race.clone());
                return Totals::of(std::slice::from_ref(&finished), n);
            };
            let key = (self.labs[a].kind, safe[a], self.labs[b].kind, safe[b]);
            let outcome = *self.race_cache.entry(key).or_insert_with(|| {
                let finished = run(race.clone());
                let payoff: Vec<f64> = finished.payoffs().map(|p| p.1).collect();
                let share: Vec<f64> = finished.unsafe_shares().map(|p| p.1).collect();
                PairOutcome {
                    payoff: [payoff[0], payoff[1]],
                    unsafe_share: [share[0], share[1]],
                    elapsed: finished.elapsed,
                }
            });
            for (k, lab) in [a, b].into_iter().enumerate() {
                totals.payoff[lab] += outcome.payoff[k];
                totals.unsafe_share[lab] += outcome.unsafe_share[k];
                count[lab] += 1.0;
            }
            totals.duration = totals.duration.max(outcome.elapsed);
        }
        totals.finish(&count, true)
    }

    /// The outcome of a two-lab race between groups `a` and `b` (group = `2·type + unsafe`).
    fn pair(&mut self, a: usize, b: usize) -> PairOutcome {
        let groups = 2 * self.world.lab.len();
        if let Some(outcome) = self.pair_table[a * groups + b] {
            return outcome;
        }
        let race = &self.world.race;
        let mechanics = Mechanics {
            milestone: race.milestone,
            benefit: race.benefit,
            safety_cost: race.safety_cost,
            prize: race.prize,
            max_rounds: f64::from(race.max_rounds),
        };
        let speed = |group: usize| {
            self.world.lab[group / 2].speed
                * if group % 2 == 1 {
                    race.unsafe_speed
                } else {
                    1.0
                }
        };
        let (speeds, safe) = (
            [speed(a), speed(b)],
            [a.is_multiple_of(2), b.is_multiple_of(2)],
        );
        let mut contest = Race::new(vec![0, 1]);
        while !contest.finished {
            contest.step(&mechanics, &speeds, &safe);
        }
        let payoff: Vec<f64> = contest.payoffs().map(|p| p.1).collect();
        let share: Vec<f64> = contest.unsafe_shares().map(|p| p.1).collect();
        let outcome = PairOutcome {
            payoff: [payoff[0], payoff[1]],
            unsafe_share: [share[0], share[1]],
            elapsed: contest.elapsed,
        };
        self.pair_table[a * groups + b] = Some(outcome);
        outcome
    }

    /// A generation of a population game, computed group by group: the same
    /// payoffs as racing every pair, at a cost independent of the number of pairs.
    fn population_generation(&mut self, g: u32) -> Outcome {
        let n = self.labs.len();
        let groups = 2 * self.world.lab.len();
        let group_of =
            |lab: &Lab| 2 * lab.kind + usize::from(lab.strategy.development == Development::Unsafe);
        let mut count = vec![0usize; groups];
        for lab in &self.labs {
            count[group_of(lab)] += 1;
        }
        let race = &self.world.race;
        let (p_r, setback) = (race.disaster_probability, race.collective_setback);
        let others = (n - 1) as f64;
        let mut periods: f64 = 0.0;
        let mut race_payoff = vec![0.0; groups];
        let mut disaster = vec![0.0; groups];
        for a in (0..groups).filter(|&a| count[a] > 0) {
            let (mut payoff, mut unsafe_share) = (0.0, 0.0);
            for b in (0..groups).filter(|&b| count[b] > 0) {
                let opponents = (count[b] - usize::from(a == b)) as f64;
                if opponents == 0.0 {
                    continue;
                }
                let outcome = self.pair(a, b);
                payoff += opponents * outcome.payoff[0];
                unsafe_share += opponents * outcome.unsafe_share[0];
                periods = periods.max(outcome.elapsed);
            }
            race_payoff[a] = payoff / others;
            disaster[a] = p_r * unsafe_share / others;
        }
        let mut material = vec![0.0; groups];
        let mut utility_of = vec![0.0; groups];
        for a in (0..groups).filter(|&a| count[a] > 0) {
            let setbacks: f64 = (0..groups)
                .map(|b| {
                    (1.0 - setback * disaster[b]).powi((count[b] - usize::from(a == b)) as i32)
                })
                .product();
            material[a] = race_payoff[a] * (1.0 - disaster[a]) * setbacks;
            let own_loss = disaster[a] * race_payoff[a].max(0.0);
            utility_of[a] = material[a] - self.world.lab[a / 2].risk_aversion * own_loss;
        }
        let payoffs: Vec<f64> = self.labs.iter().map(|l| material[group_of(l)]).collect();
        let utility: Vec<f64> = self.labs.iter().map(|l| utility_of[group_of(l)]).collect();
        let safe_count = self
            .labs
            .iter()
            .filter(|l| l.strategy.development == Development::Safe)
            .count();
        let labs = if self.options.record {
            self.labs
                .iter()
                .enumerate()
                .map(|(i, l)| LabRecord {
                    generation: g,
                    lab: l.name.clone(),
                    strategy: l.strategy.to_string(),
                    developed_safely: l.strategy.development == Development::Safe,
                    payoff: payoffs[i],
                    utility: utility[i],
                    disaster_probability: disaster[group_of(l)],
                    credits: 0,
                    sanction_level: 0,
                    compute_access: true,
                    pledged: false,
                    bound: false,
                })
                .collect()
        } else {
            Vec::new()
        };
        let record = GenerationRecord {
            generation: g,
            safe_share: safe_count as f64 / n as f64,
            disaster_probability: 1.0
                - (0..groups)
                    .map(|a| (1.0 - disaster[a]).powi(count[a] as i32))
                    .product::<f64>(),
            welfare: payoffs.iter().sum(),
            periods,
            pact_succeeded: None,
            pact_binding: None,
            pact_fundamental: None,
            pact_public: None,
            pledge_threshold: None,
            alerts: 0,
        };
        Outcome {
            record,
            labs,
            payoffs,
            utility,
        }
    }

    /// Draws (or, with expected realisation, records the probability of) each lab's disaster.
    fn draw_disasters(&mut self, totals: &Totals) -> Vec<f64> {
        if !totals.raced {
            // The matrix stage has no race and no disaster risk.
            return vec![0.0; self.labs.len()];
        }
        (0..self.labs.len())
            .map(|i| {
                let probability = self.world.race.disaster_probability * totals.unsafe_share[i];
                match self.world.race.realisation {
                    Realisation::Expected => probability,
                    Realisation::Sampled => {
                        f64::from(u8::from(self.rng.random::<f64>() < probability))
                    }
                }
            })
            .collect()
    }

    /// Reports, audits, receipts, credits, premiums and the period's close.
    #[allow(clippy::too_many_arguments)]
    fn institutional_period(
        &mut self,
        safe: &[bool],
        active: &[bool],
        speed: &[f64],
        compute_scale: f64,
        g: u32,
        disasters: &[f64],
        races: &[Race],
    ) -> usize {
        let p = self.protocol;
        let world = self.world;
        let n = self.labs.len();
        let mut alerts = Vec::new();
        // Labs report under the metrics whose declared roles the simulator can drive.
        let compute_metric = p.metric_with_role(MetricRole::TrainingCompute);
        let capability_metric = p.metric_with_role(MetricRole::CapabilityEvaluation);
        let threshold = compute_metric.and_then(|m| m.threshold);
        let investment = world.economy.investment_per_safe_period;
        let mut claimed = vec![0u64; n];
        let mut true_compute = vec![0.0; n];
        for i in (0..n).filter(|&i| active[i]) {
            let strategy = self.labs[i].strategy;
            let omit = !safe[i] && strategy.reporting == Reporting::Selective;
            claimed[i] = if safe[i] || strategy.reporting == Reporting::Gaming {
                investment
            } else {
                0
            };
            true_compute[i] = compute_scale * speed[i];
            let mut reported = true_compute[i];
            if strategy.reporting == Reporting::ThresholdManipulation
                && let Some(t) = threshold
                && reported >= t
            {
                reported = t * (1.0 - world.economy.manipulation_margin);
            }
            if p.monitoring.enabled || p.credits.enabled {
                self.institution.report_investment(i, claimed[i]);
            }
            if p.early_warning.enabled && !omit {
                if let Some(metric) = compute_metric {
                    self.institution
                        .report_metric(i, &metric.name, reported, &mut alerts);
                    self.reported_compute[i] = reported;
                }
                if let Some(metric) = capability_metric {
                    let progress = races
                        .iter()
                        .filter_map(|r| r.progress_of(i))
                        .fold(0.0, f64::max);
                    let score =
                        (f64::from(g) + progress / world.race.milestone) / (f64::from(g) + 1.0);
                    self.institution
                        .report_metric(i, &metric.name, score.max(1e-6), &mut alerts);
                }
            }
        }
        if self.monitors > 0 {
            for i in (0..n).filter(|&i| active[i]) {
                self.audit_lab(
                    i,
                    safe[i],
                    claimed[i],
                    true_compute[i],
                    threshold,
                    &mut alerts,
                );
            }
        }
        if p.whistleblower.enabled {
            let w = &world.whistleblowers;
            let probability = w.base_probability
                + p.whistleblower.protection * (w.protected_probability - w.base_probability);
            for i in (0..n).filter(|&i| active[i] && !safe[i]) {
                if self.rng.random::<f64>() < probability {
                    let nonce = self.rng.random::<u64>();
                    self.institution
                        .whistleblower_receipt(i, nonce, &mut alerts);
                }
            }
        }
        if p.credits.enabled {
            for i in (0..n).filter(|&i| claimed[i] > 0) {
                self.institution.issue_credits(i);
            }
        }
        if p.liability.enabled {
            for i in 0..n {
                self.institution.pay_premium(i);
            }
            if !disasters.is_empty() {
                self.record_incidents(disasters, &Totals::of(races, self.labs.len()));
            }
        }
        self.institution.close_period(&mut alerts);
        self.flagged = vec![false; n];
        for alert in &alerts {
            match (&alert.lab, alert.kind) {
                (Some(lab), _) => {
                    if let Some(i) = self.institution.lab_index(lab) {
                        self.flagged[i] = true;
                    }
                }
                (None, AlertKind::ThresholdBunching) => {
                    if let (Evidence::Bunching(e), Some(t)) = (&alert.evidence, threshold) {
                        let lower = t * 10f64.powf(e.window.0);
                        for i in 0..n {
                            if self.reported_compute[i] >= lower && self.reported_compute[i] < t {
                                self.flagged[i] = true;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        alerts.len()
    }

    fn audit_lab(
        &mut self,
        lab: usize,
        safe: bool,
        claimed: u64,
        true_compute: f64,
        threshold: Option<f64>,
        alerts: &mut Vec<accord_core::early_warning::Alert>,
    ) {
        let m = &self.world.monitors;
        let rate = if self.flagged[lab] {
            1.0
        } else if threshold.is_some_and(|t| self.reported_compute[lab] >= t) {
            m.audit_rate_above_threshold
        } else {
            m.audit_rate
        };
        let panel = self.institution.panel(lab);
        let common =
            (self.rng.random::<f64>() < m.blind_spot_correlation).then(|| self.rng.random::<f64>());
        let rotation = if self.protocol.monitoring.rotation_periods > 0 {
            m.rotation_capture_factor
        } else {
            1.0
        };
        let strategy = self.labs[lab].strategy;
        let mut audited = false;
        let mut detected = false;
        for monitor in panel {
            if self.rng.random::<f64>() >= rate {
                continue;
            }
            let verified = (claimed > 0).then_some(claimed);
            let reported = self.reported_compute[lab];
            let finding = if safe {
                if self.rng.random::<f64>() < m.false_alarm {
                    Finding {
                        verdict: Verdict::Violation,
                        verified_investment: None,
                        measured_compute: Some(true_compute),
                    }
                } else {
                    Finding {
                        verdict: Verdict::Compliant,
                        verified_investment: verified,
                        measured_compute: Some(true_compute),
                    }
                }
            } else {
                let captured = strategy.reporting == Reporting::Capture && {
                    self.capture_spend[lab] += self.world.economy.capture_cost;
                    self.rng.random::<f64>() < m.capture[monitor % m.capture.len()] * rotation
                };
                let draw = common.unwrap_or_else(|| self.rng.random::<f64>());
                if !captured && draw < m.detection[monitor % m.detection.len()] {
                    Finding {
                        verdict: Verdict::Violation,
                        verified_investment: None,
                        measured_compute: Some(true_compute),
                    }
                } else {
                    Finding {
                        verdict: Verdict::Compliant,
                        verified_investment: verified,
                        measured_compute: Some(reported),
                    }
                }
            };
            let violation = finding.verdict == Verdict::Violation;
            if self.institution.audit(monitor, lab, finding, alerts) {
                audited = true;
                detected |= violation;
                self.found_violating[lab] |= violation;
            }
        }
        if safe {
            if audited {
                self.stats.safe_audited += 1;
                self.stats.false_alarms += u64::from(detected);
            }
        } else {
            self.stats.unsafe_periods += 1;
            if audited {
                self.stats.unsafe_audited += 1;
                self.stats.unsafe_detected += u64::from(detected);
            }
        }
    }

    /// Disasters harm the other labs by the collective setback; the liability pool and the lab pay claims.
    fn record_incidents(&mut self, disasters: &[f64], totals: &Totals) {
        let setback = self.world.race.collective_setback;
        let value = self.world.economy.credit_value;
        if setback <= 0.0 || value <= 0.0 || self.world.race.realisation != Realisation::Sampled {
            return;
        }
        let (payoff, duration) = (&totals.payoff, totals.duration);
        for (culprit, &d) in disasters.iter().enumerate() {
            if d < 1.0 {
                continue;
            }
            for victim in (0..self.labs.len()).filter(|&v| v != culprit) {
                // The victim's loss over the whole race, in credits.
                let harm = (setback * payoff[victim].max(0.0) * duration / value).round() as u64;
                let id = format!(
                    "d{}-{}-{}",
                    self.institution.state().period(),
                    culprit,
                    victim
                );
                self.institution.incident(id, culprit, victim, harm);
            }
        }
    }

    /// Expectations `(empirical, normative)` of each lab at the start of a generation.
    fn expectations(&mut self) -> Vec<(f64, f64)> {
        let n = self.labs.len();
        if self
            .labs
            .iter()
            .all(|l| self.world.lab[l.kind].norm_sensitivity == 0.0)
        {
            // Nobody's utility depends on expectations.
            return vec![(0.0, 0.0); n];
        }
        // Standing reveals behaviour only where audits produce verdicts to publish.
        let p = self.protocol;
        let audits_public = p.information_sharing.enabled
            && p.information_sharing
                .public_reports
                .contains(&ReportKind::Audit);
        let public_behaviour = p.monitoring.enabled
            && (p.leaderboard.enabled || p.transparency.enabled || audits_public);
        let public_norms = self.protocol.announcements.enabled;
        let sample = self.world.norms.private_sample_size as usize;
        let noise = self.world.norms.observation_noise;
        let supports: Vec<bool> = self
            .labs
            .iter()
            .map(|l| self.world.lab[l.kind].supports_safety)
            .collect();
        if n == 1 {
            return vec![(1.0, 1.0)];
        }
        let pacts = self.protocol.pacts.enabled;
        let endorses: Vec<bool> = (0..n)
            .map(|j| supports[j] || (pacts && self.last_pledged[j]))
            .collect();
        let clean_total = self.last_clean.iter().filter(|&&c| c).count();
        let endorsing_total = endorses.iter().filter(|&&e| e).count();
        // Share among the others of a property held by `total` labs, `own` among them lab i's.
        let share_of_others =
            |total: usize, own: bool| (total - usize::from(own)) as f64 / (n - 1) as f64;
        let mut observations = self.observations.clone();
        let result = (0..n)
            .map(|i| {
                let empirical = if public_behaviour {
                    share_of_others(clean_total, self.last_clean[i])
                } else {
                    private_share(&mut observations, i, n, sample, noise, &|j| {
                        self.last_safe[j]
                    })
                };
                let normative = if public_norms {
                    share_of_others(endorsing_total, endorses[i])
                } else {
                    private_share(&mut observations, i, n, sample, noise, &|j| supports[j])
                };
                (empirical, normative)
            })
            .collect();
        self.observations = observations;
        result
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
        match world.race.realisation {
            Realisation::Sampled => {
                let caused: usize = disasters.iter().filter(|&&d| d >= 1.0).count();
                for i in 0..n {
                    if disasters[i] >= 1.0 {
                        material[i] = 0.0;
                    } else {
                        material[i] *= (1.0 - setback)
                            .powi((caused - usize::from(disasters[i] >= 1.0)) as i32);
                    }
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
                    material[i] *= (1.0 - disasters[i]) * others;
                }
            }
        }
        let duration = periods.max(1.0);
        let value = world.economy.credit_value;
        let scores = if self.protocol.leaderboard.enabled {
            self.institution.scores()
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
                self.institution.credits(i)
            };
            let credit_flow = value * (credits as f64 - credits_before[i] as f64) / duration;
            let payoff = material[i] + credit_flow - self.capture_spend[i] / duration;
            let own_loss = match world.race.realisation {
                Realisation::Sampled => {
                    if disasters[i] >= 1.0 {
                        before_risk[i].max(0.0)
                    } else {
                        0.0
                    }
                }
                Realisation::Expected => disasters[i] * before_risk[i].max(0.0),
            };
            let (empirical, normative) = expectations[i];
            let norm_binds =
                empirical >= t.empirical_threshold && normative >= t.normative_threshold;
            let norm_cost = if !safe[i] && norm_binds {
                t.norm_sensitivity * self.norm_loss[self.labs[i].kind]
            } else {
                0.0
            };
            let praise = if self.protocol.leaderboard.enabled {
                world.norms.praise_weight * (scores[i] - mean_score)
            } else {
                0.0
            };
            utility[i] = payoff - t.risk_aversion * own_loss - norm_cost + praise;
            payoffs[i] = payoff;
            access[i] = self.idle || self.institution.access_allowed(i);
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
                        self.institution.sanction_level(i)
                    },
                    compute_access: access[i],
                    pledged: stage.pledged[i],
                    bound: stage.bound[i],
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
                self.institution.is_member(i)
                    && !self.found_violating[i]
                    && (self.idle || self.institution.sanction_level(i) == 0)
            })
            .collect();
        let record = GenerationRecord {
            generation: g,
            safe_share,
            disaster_probability: 1.0 - disasters.iter().map(|d| 1.0 - d).product::<f64>(),
            welfare: material.iter().sum(),
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

    /// Revision between generations.
    fn revise(&mut self, g: u32, utility: &[f64]) {
        let learning = &self.world.learning;
        let n = self.labs.len();
        let menu = self.menu.clone();
        for _ in 0..learning.revisions_per_generation {
            let focal = self.rng.random_range(0..n);
            if self.rng.random::<f64>() < learning.exploration {
                self.labs[focal].strategy = menu[self.rng.random_range(0..menu.len())];
                continue;
            }
            match learning.rule {
                Rule::Imitation if n > 1 => {
                    let mut model = self.rng.random_range(0..n - 1);
                    if model >= focal {
                        model += 1;
                    }
                    let gain = utility[model] - utility[focal];
                    let probability = 1.0 / (1.0 + (-learning.selection * gain).exp());
                    if self.rng.random::<f64>() < probability {
                        self.labs[focal].strategy = self.labs[model].strategy;
                    }
                }
                Rule::Logit => {
                    let values: Vec<f64> = menu
                        .iter()
                        .map(|&s| self.counterfactual_utility(g, focal, s))
                        .collect();
                    let top = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let weights: Vec<f64> = values
                        .iter()
                        .map(|v| (learning.rationality * (v - top)).exp())
                        .collect();
                    let total: f64 = weights.iter().sum();
                    let mut ticket = self.rng.random::<f64>() * total;
                    for (strategy, w) in menu.iter().zip(&weights) {
                        if ticket < *w {
                            self.labs[focal].strategy = *strategy;
                            break;
                        }
                        ticket -= w;
                    }
                }
                _ => {}
            }
        }
    }

    /// Utility `focal` would get if it played `strategy` against the others' current strategies.
    fn counterfactual_utility(&self, g: u32, focal: usize, strategy: Strategy) -> f64 {
        if self.world.stage == StageKind::Matrix {
            return self.matrix_utility(focal, strategy);
        }
        // Replay the next generation from the current institutional state with common random numbers.
        let mut trial = self.clone();
        trial.capture_spend = vec![0.0; self.labs.len()];
        trial.labs[focal].strategy = strategy;
        trial.generation(g + 1).utility[focal]
    }

    /// Exact expected utility of a strategy in the matrix stage against the current population.
    fn matrix_utility(&self, focal: usize, strategy: Strategy) -> f64 {
        let Some(m) = &self.world.matrix else {
            return 0.0;
        };
        let n = self.labs.len();
        let row = usize::from(strategy.development == Development::Unsafe);
        let others: Vec<usize> = (0..n).filter(|&j| j != focal).collect();
        let material = others
            .iter()
            .map(|&j| {
                m.payoffs[row]
                    [usize::from(self.labs[j].strategy.development == Development::Unsafe)]
            })
            .sum::<f64>()
            / others.len() as f64;
        let t = &self.world.lab[self.labs[focal].kind];
        let empirical = others
            .iter()
            .filter(|&&j| self.labs[j].strategy.development == Development::Safe)
            .count() as f64
            / others.len() as f64;
        let normative = others
            .iter()
            .filter(|&&j| self.world.lab[self.labs[j].kind].supports_safety)
            .count() as f64
            / others.len() as f64;
        let binds = empirical >= t.empirical_threshold && normative >= t.normative_threshold;
        let cost = if row == 1 && binds {
            t.norm_sensitivity * self.norm_loss[self.labs[focal].kind]
        } else {
            0.0
        };
        material - cost
    }
}

/// What a generation's races produced, per lab (averaged over a lab's races).
struct Totals {
    /// Race payoff per period.
    payoff: Vec<f64>,
    /// Share of race time spent developing unsafely.
    unsafe_share: Vec<f64>,
    /// Duration of the longest race, in periods.
    duration: f64,
    /// Whether there was a race at all (not in the matrix stage).
    raced: bool,
}

impl Totals {
    fn of(races: &[Race], n: usize) -> Totals {
        let mut totals = Totals::empty(n);
        let mut count = vec![0.0; n];
        for race in races {
            for ((lab, payoff), (_, share)) in race.payoffs().zip(race.unsafe_shares()) {
                totals.payoff[lab] += payoff;
                totals.unsafe_share[lab] += share;
                count[lab] += 1.0;
            }
            totals.duration = totals.duration.max(race.elapsed);
        }
        totals.finish(&count, !races.is_empty())
    }

    fn empty(n: usize) -> Totals {
        Totals {
            payoff: vec![0.0; n],
            unsafe_share: vec![0.0; n],
            duration: 0.0,
            raced: false,
        }
    }

    fn finish(mut self, count: &[f64], raced: bool) -> Totals {
        for (i, &c) in count.iter().enumerate() {
            if c > 0.0 {
                self.payoff[i] /= c;
                self.unsafe_share[i] /= c;
            }
        }
        self.raced = raced;
        self
    }
}

/// A finished two-lab race, by member: payoff per period and unsafe share, and its duration.
#[derive(Debug, Clone, Copy)]
struct PairOutcome {
    payoff: [f64; 2],
    unsafe_share: [f64; 2],
    elapsed: f64,
}

/// Share of `sample` private observations by lab `i` of the other `n − 1`
/// labs (drawn with replacement, each wrong with probability `noise`) for
/// which `truth` holds.
/// Whether an announcement of `θ` coordinates pledging as common knowledge
/// would (`docs/model.md`, section 7). A witnessed announcement is common
/// knowledge. An unwitnessed one is knowledge of finite depth, each
/// confirmation lost with probability `ε = 1 − announcement_reach`: by
/// Rubinstein's e-mail game it coordinates only where `(1 − ε)M > L`, with
/// `M = 1 − c` (a successful pledge) and `L = c` (a lone pledge).
fn announcement_coordinates(protocol: &Protocol, pact: &PactGame) -> bool {
    let loss = 1.0 - pact.announcement_reach;
    let cost = pact.pledge_cost;
    if protocol.announcements.witnesses > 0 || loss <= 0.0 || cost <= 0.0 {
        return true;
    }
    // Probability that coordination pays (θ ≤ 1) under the prior.
    let prior_b =
        normal_cdf(pact.prior_precision.sqrt() * (1.0 - pact.prior_mean)).clamp(1e-12, 1.0 - 1e-12);
    EmailGame::new(1.0 - cost, cost, loss, prior_b)
        .is_ok_and(|game| game.greatest_equilibrium().coordinates())
}

fn private_share(
    rng: &mut ChaCha8Rng,
    i: usize,
    n: usize,
    sample: usize,
    noise: f64,
    truth: &dyn Fn(usize) -> bool,
) -> f64 {
    debug_assert!(n >= 2 && i < n);
    let draws = sample.max(1);
    let mut yes = 0;
    for _ in 0..draws {
        let drawn = rng.random_range(0..n - 1);
        let j = if drawn >= i { drawn + 1 } else { drawn };
        let seen = truth(j) != (rng.random::<f64>() < noise);
        yes += usize::from(seen);
    }
    yes as f64 / draws as f64
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
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
    fn standing_is_public_only_where_audits_publish_verdicts() {
        let world = World::parse(
            "[world]\nname = \"w\"\n[norms]\nobservation_noise = 0.0\n[[lab]]\nname = \"a\"\ncount = 4\nnorm_sensitivity = 1.0\n",
        )
        .unwrap();
        let empirical = |protocol: &str| {
            let protocol = accord_core::parse_protocol(protocol).unwrap();
            let options = RunOptions::default();
            let mut simulation = Simulation::new(&world, &protocol, &options);
            // Everyone developed unsafely, but nobody was caught or sanctioned.
            simulation.last_safe = vec![false; 4];
            simulation.last_clean = vec![true; 4];
            simulation.expectations()[0].0
        };
        let head = "[protocol]\nname = \"p\"\nformat = 1\n[transparency]\nenabled = true\n";
        assert_eq!(
            empirical(&format!("{head}[monitoring]\nenabled = true\n")),
            1.0,
            "audited standing is public"
        );
        assert_eq!(
            empirical(head),
            0.0,
            "without monitoring, labs see only what they observe privately"
        );
    }
}
