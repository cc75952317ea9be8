//! The evaluation of a protocol in a world, as data: the protocol against no
//! protocol, individual rationality, every subset of families with its
//! attributions, partial implementation, the seed's claims with their
//! verdicts, trajectories, and the assumptions behind the numbers. Front ends
//! (the `accord evaluate` command, reports) render an [`Evaluation`]; they
//! compute nothing.

use crate::claims::{self, ALL_FAMILIES, Claim};
pub use crate::experiment::Placed;
use crate::experiment::{
    Ablation, Configuration, Estimate, PartialCurve, Rationality, Runs, Setting, Summary,
    individual_rationality, partial_configurations, partial_implementation,
    rationality_configurations,
};
use crate::families::{self, Family};
use crate::parameters::ParameterError;
use crate::robustness::{
    MAX_SAMPLES, Sample, VerdictRobustness, latin_hypercube, summarise, verdicts_across,
};
use crate::run::{RunOptions, RunResult};
use crate::stats::{Assumption, statistical_assumptions};
use crate::world::World;
use accord_core::Protocol;
use accord_seed::Shard;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What welfare is measured in.
pub const WELFARE_UNIT: &str = "race payoff units per period, summed over labs";

/// Share of labs developing safely from which a generation counts as coordinated.
const COORDINATION_THRESHOLD: &str = "80%";

/// Why an evaluation cannot run as asked.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    /// Fewer than two replicates give no interval.
    #[error("at least 2 replicates are needed (intervals need two), got {0}")]
    TooFewReplicates(u64),
    /// Too few individual-rationality generations to leave midway.
    #[error(
        "at least 2 individual-rationality generations are needed (leaving midway complies for the first half), got {0}"
    )]
    TooFewRationalityGenerations(u32),
    /// A partial-implementation level outside [0, 1].
    #[error("partial-implementation levels must lie between 0 and 1, got {0}")]
    LevelOutOfRange(f64),
    /// More sampled worlds than a robustness check may run.
    #[error("at most {MAX_SAMPLES} robustness samples, got {0}")]
    TooManySamples(usize),
    /// A sampled world is not a valid world.
    #[error("robustness sample: {0}")]
    Sample(ParameterError),
    /// Recorded runs that do not cover the plan.
    #[error("the plan makes {expected} runs but {got} were recorded")]
    RunCount {
        /// Runs the plan makes.
        expected: u64,
        /// Runs given.
        got: u64,
    },
    /// A recorded run that cannot be a run of the plan.
    #[error("recorded run {index} cannot be a run of this plan: {message}")]
    RunShape {
        /// The run's index in the plan.
        index: u64,
        /// What does not fit.
        message: String,
    },
}

/// How much to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationPlan {
    /// Master seed: every number is reproducible from it.
    pub seed: u64,
    /// Replicates per configuration.
    pub replicates: u64,
    /// Generations per run.
    pub generations: u32,
    /// Generations of the individual-rationality runs (strategies held fixed).
    pub rationality_generations: u32,
    /// Strengths at which partial implementation is measured.
    pub levels: Vec<f64>,
    /// Worlds sampled around the given one to test each verdict (0: none;
    /// nothing is sampled either when the world declares no uncertainty).
    pub robustness: usize,
}

impl EvaluationPlan {
    /// Replicates per configuration by default.
    pub const DEFAULT_REPLICATES: u64 = 12;
    /// Generations of the individual-rationality runs by default.
    pub const DEFAULT_RATIONALITY_GENERATIONS: u32 = 20;
    /// Partial-implementation strengths by default.
    pub const DEFAULT_LEVELS: [f64; 3] = [0.25, 0.5, 0.75];
    /// Worlds sampled for the robustness of each verdict by default.
    pub const DEFAULT_ROBUSTNESS: usize = 8;

    /// The default plan for `world` with master seed `seed` (what
    /// `accord evaluate` runs without options).
    pub fn defaults(world: &World, seed: u64) -> Self {
        Self {
            seed,
            replicates: Self::DEFAULT_REPLICATES,
            generations: world.learning.generations,
            rationality_generations: Self::DEFAULT_RATIONALITY_GENERATIONS,
            levels: Self::DEFAULT_LEVELS.to_vec(),
            robustness: Self::DEFAULT_ROBUSTNESS,
        }
    }

    /// Checks the plan.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.replicates < 2 {
            return Err(PlanError::TooFewReplicates(self.replicates));
        }
        if self.robustness > MAX_SAMPLES {
            return Err(PlanError::TooManySamples(self.robustness));
        }
        if self.rationality_generations < 2 {
            return Err(PlanError::TooFewRationalityGenerations(
                self.rationality_generations,
            ));
        }
        match self
            .levels
            .iter()
            .find(|l| !(l.is_finite() && (0.0..=1.0).contains(*l)))
        {
            Some(&level) => Err(PlanError::LevelOutOfRange(level)),
            None => Ok(()),
        }
    }

    /// Runs the evaluation makes in `world` (for progress bars and shard
    /// headers), counted from the configurations it runs so the two cannot
    /// drift apart.
    pub fn runs(&self, world: &World) -> u64 {
        let samples = if world.uncertainty.is_empty() {
            0
        } else {
            self.robustness
        };
        let template = template(self);
        let per_replicate = Ablation::configurations(&template).len() * (1 + samples)
            + partial_configurations(&template, &self.levels).len()
            + rationality_configurations(world, self.rationality_generations).len()
            + Trajectories::configurations(&template).len();
        self.replicates * per_replicate as u64
    }
}

/// Where the protocol and the world came from (file names or descriptions).
#[derive(Debug, Clone)]
pub struct Sources {
    /// The protocol's.
    pub protocol: String,
    /// The world's.
    pub world: String,
}

/// Everything the report says, as data.
#[derive(Debug, Serialize)]
pub struct Evaluation {
    /// Protocol evaluated.
    pub protocol: String,
    /// Protocol file name or description.
    pub protocol_source: String,
    /// World used.
    pub world: String,
    /// World file name or description.
    pub world_source: String,
    /// Labs in the world.
    pub labs: usize,
    /// Master seed.
    pub seed: u64,
    /// Replicates per configuration.
    pub replicates: u64,
    /// Generations per run.
    pub generations: u32,
    /// What welfare is measured in.
    pub welfare_unit: &'static str,
    /// Outcomes without any mechanism and with the protocol.
    pub comparison: Comparison,
    /// Individual rationality by lab type.
    pub rationality: Vec<Rationality>,
    /// The families the protocol holds ([`crate::families::present`]).
    /// Switching any other on changes no run, so the subsets adding it
    /// repeat those without it and its Shapley value is zero.
    pub families_present: Vec<Family>,
    /// The families the protocol holds that changed no run in this world
    /// ([`claims::inert`]): judged, and reported, as if absent.
    pub families_inert: Vec<Family>,
    /// Every subset of families and the attributions.
    pub ablation: Ablation,
    /// Partial implementation curves.
    pub partial: Vec<PartialCurve>,
    /// The seed paper's claims, tested.
    pub claims: Vec<Claim>,
    /// Mean safe share per generation, without and with the protocol.
    pub trajectories: Trajectories,
    /// How each claim's verdict fares in worlds sampled around this one
    /// (empty when none were sampled).
    pub robustness: Vec<VerdictRobustness>,
    /// The assumptions behind the numbers and what each does.
    pub assumptions: Vec<Assumption>,
}

/// The protocol against no protocol.
#[derive(Debug, Serialize)]
pub struct Comparison {
    /// Every family off.
    pub no_protocol: Summary,
    /// The protocol as written.
    pub protocol: Summary,
    /// Change in cooperation (protocol − none), paired by replicate.
    pub cooperation_gain: Estimate,
    /// Change in disaster probability, paired by replicate.
    pub disaster_change: Estimate,
    /// Change in welfare, paired by replicate.
    pub welfare_gain: Estimate,
}

impl Comparison {
    /// The full protocol against no protocol, replicate by replicate
    /// (replicate k of both shares random stream k).
    pub fn of(ablation: &Ablation) -> Comparison {
        let (none, full) = ablation.extremes();
        let (a, b) = (
            ablation.subsets[0].runs(),
            ablation.subsets[ALL_FAMILIES].runs(),
        );
        let diff = |f: fn(&RunResult) -> f64| {
            let values = |runs: &[RunResult]| runs.iter().map(f).collect::<Vec<_>>();
            Estimate::paired_difference(&values(a), &values(b))
        };
        Comparison {
            no_protocol: none.clone(),
            protocol: full.clone(),
            cooperation_gain: diff(|r| r.cooperation),
            disaster_change: diff(|r| r.disaster_rate),
            welfare_gain: diff(|r| r.welfare),
        }
    }
}

/// Mean safe share by generation with 95% intervals.
#[derive(Debug, Serialize)]
pub struct Trajectories {
    /// Without any mechanism.
    pub no_protocol: Vec<Estimate>,
    /// With the protocol.
    pub protocol: Vec<Estimate>,
}

impl Trajectories {
    /// Its configurations: no family and every family, recording each generation.
    pub fn configurations(template: &RunOptions) -> Vec<Configuration> {
        let recorded = RunOptions {
            record: true,
            ..template.clone()
        };
        [0, ALL_FAMILIES as u32]
            .map(|mask| Configuration::new(families::subset_strengths(mask), &recorded))
            .to_vec()
    }

    /// Records every generation of the runs without and with the protocol.
    pub fn run(setting: &Setting, template: &RunOptions) -> Trajectories {
        let [none, all]: [Configuration; 2] = Trajectories::configurations(template)
            .try_into()
            .expect("two configurations");
        let curve = |configuration: Configuration| {
            let runs = setting.replicate(&configuration);
            let length = runs.iter().map(|r| r.generations.len()).min().unwrap_or(0);
            (0..length)
                .map(|g| {
                    Estimate::mean_of(
                        &runs
                            .iter()
                            .map(|r| r.generations[g].safe_share)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect()
        };
        Trajectories {
            no_protocol: curve(none),
            protocol: curve(all),
        }
    }
}

/// What a front end is told while an evaluation runs.
#[derive(Clone, Copy)]
pub struct Progress<'a> {
    /// Called once per finished run.
    pub run_finished: &'a (dyn Fn() + Sync),
    /// Told what runs next.
    pub stage: &'a dyn Fn(&str),
}

/// Runs the evaluation of `protocol` in `world`.
pub fn evaluate(
    world: &World,
    protocol: &Protocol,
    plan: &EvaluationPlan,
    sources: Sources,
    progress: Progress,
) -> Result<Evaluation, PlanError> {
    evaluate_with(world, protocol, plan, sources, &Runs::Simulate, progress)
}

/// The worlds sampled around `world` for the robustness of the verdicts (none
/// when the plan asks for none or the world declares no uncertainty).
fn robustness_samples(world: &World, plan: &EvaluationPlan) -> Result<Vec<Sample>, PlanError> {
    if plan.robustness > 0 && !world.uncertainty.is_empty() {
        latin_hypercube(world, plan.robustness, plan.seed).map_err(PlanError::Sample)
    } else {
        Ok(Vec::new())
    }
}

/// Every configuration the evaluation runs, in the order it runs them, with
/// the robustness samples they refer to. Run `k` of configuration `c` has
/// global index `c · replicates + k`, which is what shards are cut by.
pub fn configurations(
    world: &World,
    plan: &EvaluationPlan,
) -> Result<(Vec<Sample>, Vec<Placed>), PlanError> {
    plan.validate()?;
    let template = template(plan);
    let samples = robustness_samples(world, plan)?;
    let main = Ablation::configurations(&template)
        .into_iter()
        .chain(partial_configurations(&template, &plan.levels))
        .chain(rationality_configurations(
            world,
            plan.rationality_generations,
        ))
        .chain(Trajectories::configurations(&template))
        .map(|c| (None, c));
    let sampled = (0..samples.len()).flat_map(|s| {
        Ablation::configurations(&template)
            .into_iter()
            .map(move |c| (Some(s), c))
    });
    let all = main.chain(sampled).collect();
    Ok((samples, all))
}

/// The runs of `shard`, as `(global index, result)` in index order
/// (see [`configurations`]); [`evaluate_recorded`] turns the union of every
/// shard's runs into the evaluation a single process computes.
pub fn shard_runs(
    world: &World,
    protocol: &Protocol,
    plan: &EvaluationPlan,
    shard: Shard,
    run_finished: &(dyn Fn() + Sync),
) -> Result<Vec<(u64, RunResult)>, PlanError> {
    let (samples, configurations) = configurations(world, plan)?;
    let runs = Runs::Simulate;
    let replicates = plan.replicates;
    // Families are applied once per configuration, not once per run.
    Ok(configurations
        .par_iter()
        .enumerate()
        .flat_map(|(c, (sample, configuration))| {
            let first = c as u64 * replicates;
            let mine: Vec<u64> = (0..replicates).filter(|k| shard.holds(first + k)).collect();
            if mine.is_empty() {
                return Vec::new();
            }
            let setting = Setting {
                world: sample.map_or(world, |s| &samples[s].world),
                protocol,
                seed: plan.seed,
                replicates,
                sample: *sample,
                runs: &runs,
                progress: run_finished,
            };
            let results = setting.simulate(configuration, mine.clone());
            mine.into_iter().map(|k| first + k).zip(results).collect()
        })
        .collect())
}

/// The evaluation from runs computed beforehand: `runs[g]` is the run of
/// global index `g` (the union of every shard's [`shard_runs`]).
pub fn evaluate_recorded(
    world: &World,
    protocol: &Protocol,
    plan: &EvaluationPlan,
    sources: Sources,
    runs: Vec<RunResult>,
) -> Result<Evaluation, PlanError> {
    let (samples, configurations) = configurations(world, plan)?;
    let expected = configurations.len() as u64 * plan.replicates;
    if runs.len() as u64 != expected {
        return Err(PlanError::RunCount {
            expected,
            got: runs.len() as u64,
        });
    }
    for (index, run) in runs.iter().enumerate() {
        let (sample, configuration) = &configurations[index / plan.replicates as usize];
        let world = sample.map_or(world, |s| &samples[s].world);
        let generations = configuration
            .template
            .generations
            .unwrap_or(world.learning.generations);
        run.check_shape(world.lab_count(), generations)
            .map_err(|message| PlanError::RunShape {
                index: index as u64,
                message,
            })?;
    }
    let recorded = Runs::recorded(configurations, runs, plan.replicates);
    let progress = Progress {
        run_finished: &|| {},
        stage: &|_| {},
    };
    evaluate_with(world, protocol, plan, sources, &recorded, progress)
}

fn template(plan: &EvaluationPlan) -> RunOptions {
    RunOptions {
        generations: Some(plan.generations),
        ..RunOptions::default()
    }
}

fn evaluate_with(
    world: &World,
    protocol: &Protocol,
    plan: &EvaluationPlan,
    sources: Sources,
    runs: &Runs,
    progress: Progress,
) -> Result<Evaluation, PlanError> {
    plan.validate()?;
    let setting = &Setting {
        world,
        protocol,
        seed: plan.seed,
        replicates: plan.replicates,
        sample: None,
        runs,
        progress: progress.run_finished,
    };
    let on_stage = progress.stage;
    let template = template(plan);
    on_stage("every subset of the five families");
    let ablation = Ablation::run(setting, &template);
    on_stage("partial implementation");
    let partial = partial_implementation(setting, &template, &plan.levels);
    on_stage("individual rationality");
    let rationality = individual_rationality(setting, plan.rationality_generations);
    on_stage("trajectories");
    let trajectories = Trajectories::run(setting, &template);
    let present = families::present(protocol, world);
    let inert = claims::inert(
        &ablation.table(|r| r.cooperation),
        &ablation.table(|r| r.welfare),
        present,
    );
    let claims = claims_of(&ablation, present);
    let samples = robustness_samples(world, plan)?;
    if !samples.is_empty() {
        on_stage("robustness: the ablation in sampled worlds");
    }
    let verdicts = verdicts_across(setting, &template, &samples, &|ablation| {
        claims_of(ablation, present)
            .iter()
            .map(|c| c.verdict.to_string())
            .collect()
    });
    let reference: Vec<(String, String)> = claims
        .iter()
        .map(|c| (c.claim.clone(), c.verdict.to_string()))
        .collect();
    let robustness = if samples.is_empty() {
        Vec::new()
    } else {
        summarise(&samples, &reference, &verdicts)
    };
    Ok(Evaluation {
        protocol: setting.protocol.protocol.name.clone(),
        protocol_source: sources.protocol,
        world: setting.world.world.name.clone(),
        world_source: sources.world,
        labs: setting.world.lab_count(),
        seed: plan.seed,
        replicates: plan.replicates,
        generations: plan.generations,
        welfare_unit: WELFARE_UNIT,
        comparison: Comparison::of(&ablation),
        rationality,
        families_present: claims::families_in(present),
        families_inert: claims::families_in(inert),
        ablation,
        partial,
        claims,
        trajectories,
        robustness,
        assumptions: assumptions(plan, protocol, world),
    })
}

/// The claims judged on an ablation, over the families the evaluated
/// protocol holds (the same in every sampled world).
fn claims_of(ablation: &Ablation, present: u32) -> Vec<Claim> {
    claims::claims(
        &ablation.table(|r| r.cooperation),
        &ablation.table(|r| r.welfare),
        present,
    )
}

/// The assumptions behind an evaluation's numbers: the model's active
/// choices ([`crate::assumptions::of_model`]), how outcomes are measured and
/// the statistics of [`statistical_assumptions`].
pub fn assumptions(plan: &EvaluationPlan, protocol: &Protocol, world: &World) -> Vec<Assumption> {
    let mut list = vec![
        Assumption::new(
            format!(
                "Long-run outcomes are averages over the second half of each run (generations {} to {} of {}).",
                plan.generations / 2,
                plan.generations.saturating_sub(1),
                plan.generations
            ),
            "The first half is treated as learning; a protocol that helps only early shows in the trajectories and the time to coordination, not in long-run cooperation.",
        ),
        Assumption::new(
            format!("Welfare is in {WELFARE_UNIT}."),
            "Welfare compares configurations of the same world; its scale is set by the world's race payoffs.",
        ),
        Assumption::new(
            format!(
                "Time to coordination is the first generation in which at least {COORDINATION_THRESHOLD} of labs develop safely."
            ),
            "Runs that never reach it are censored at the horizon, not dropped.",
        ),
        Assumption::new(
            format!(
                "Individual rationality holds every lab's strategy fixed for {} generations, the lab type's first lab deviating unilaterally.",
                plan.rationality_generations
            ),
            "It tests a deviation against a population that does not react to it.",
        ),
    ];
    if plan.robustness > 0 && !world.uncertainty.is_empty() {
        list.push(Assumption::new(
            format!(
                "Robustness: {} worlds sampled by Latin hypercube over the {} parameters of the world's [uncertainty] table, each with the full ablation.",
                plan.robustness,
                world.uncertainty.len()
            ),
            "A verdict's share of worlds says how far it depends on the exact values of this world; with few samples the share is coarse.",
        ));
    }
    list.extend(crate::assumptions::of_model(protocol, world));
    list.extend(statistical_assumptions(plan.replicates));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_checked() {
        let plan = EvaluationPlan {
            seed: 1,
            replicates: 1,
            generations: 10,
            rationality_generations: 4,
            levels: vec![0.5],
            robustness: 0,
        };
        assert_eq!(plan.validate(), Err(PlanError::TooFewReplicates(1)));
        let plan = EvaluationPlan {
            replicates: 3,
            levels: vec![0.5, 1.5],
            ..plan
        };
        assert_eq!(plan.validate(), Err(PlanError::LevelOutOfRange(1.5)));
        // Leaving midway needs a first half to comply in.
        assert_eq!(
            EvaluationPlan {
                rationality_generations: 1,
                levels: vec![0.5],
                ..plan.clone()
            }
            .validate(),
            Err(PlanError::TooFewRationalityGenerations(1))
        );
        assert!(
            EvaluationPlan {
                levels: vec![0.0, 1.0],
                ..plan
            }
            .validate()
            .is_ok()
        );
        let plan = EvaluationPlan {
            levels: vec![0.5],
            robustness: MAX_SAMPLES + 1,
            ..plan
        };
        assert_eq!(
            plan.validate(),
            Err(PlanError::TooManySamples(MAX_SAMPLES + 1))
        );
    }

    #[test]
    fn the_run_count_is_the_configurations_times_the_replicates() {
        // Shard headers carry the count; a count that drifted from the
        // configurations made every merge of an evaluation fail.
        let world =
            World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap();
        for robustness in [0, 3] {
            let plan = EvaluationPlan {
                seed: 1,
                replicates: 5,
                generations: 10,
                rationality_generations: 4,
                levels: vec![0.25, 0.5],
                robustness,
            };
            let (_, placed) = configurations(&world, &plan).unwrap();
            assert_eq!(plan.runs(&world), 5 * placed.len() as u64);
        }
    }

    #[test]
    fn assumptions_state_the_statistics_and_the_welfare_unit() {
        let plan = EvaluationPlan {
            seed: 1,
            replicates: 12,
            generations: 30,
            rationality_generations: 20,
            levels: vec![0.5],
            robustness: 8,
        };
        let protocol = accord_core::parse_protocol(include_str!(
            "../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap();
        let world =
            World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap();
        let text: String = assumptions(&plan, &protocol, &world)
            .iter()
            .map(|a| format!("{} {}\n", a.assumption, a.effect))
            .collect();
        for needle in [
            "2^−12 = 2.44e-4",
            "bootstrap",
            "Wilson",
            "Kaplan–Meier",
            "Holm",
            WELFARE_UNIT,
            "generations 15 to 29 of 30",
            "Robustness: 8 worlds",
            "fast-follower labs can fund safety",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
    }
}
