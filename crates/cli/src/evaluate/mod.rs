//! `accord evaluate`: the main job. Runs a protocol against a world of
//! strategic labs and writes the evidence on whether it works, why, and where
//! it breaks.

mod report;

use crate::output::StagedDir;
use crate::progress;
use crate::simulation::{generations_range, protocol_or_default, world_or_default};
use accord_sim::RunOptions;
use accord_sim::experiment::{
    Ablation, Estimate, PartialCurve, Rationality, Setting, Summary, individual_rationality,
    partial_implementation,
};
use accord_sim::families::Family;
use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// `accord evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Protocol file (default: the shipped Global AI Safety Coordination Protocol).
    protocol: Option<PathBuf>,
    /// World file (default: the shipped world of frontier labs).
    #[arg(long)]
    world: Option<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "results/evaluation")]
    out: PathBuf,
    /// Master seed: every number in the report is reproducible from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replicates per configuration.
    #[arg(long, default_value_t = 12)]
    replicates: u64,
    /// Generations per run (default: the world's).
    #[arg(long, value_parser = generations_range())]
    generations: Option<u32>,
    /// Generations of the individual-rationality runs (strategies held fixed).
    #[arg(long, default_value_t = 20, value_parser = generations_range())]
    rationality_generations: u32,
    /// Strengths between 0 and 1 at which partial implementation is measured.
    #[arg(long, value_delimiter = ',', default_values_t = [0.25, 0.5, 0.75])]
    levels: Vec<f64>,
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
    /// Outcomes without any mechanism and with the protocol.
    pub comparison: Comparison,
    /// Individual rationality by lab type.
    pub rationality: Vec<Rationality>,
    /// Every subset of families and the attributions.
    pub ablation: Ablation,
    /// Partial implementation curves.
    pub partial: Vec<PartialCurve>,
    /// The seed paper's claims, tested.
    pub claims: Vec<Claim>,
    /// Mean safe share per generation, without and with the protocol.
    pub trajectories: Trajectories,
}

/// The protocol against no protocol.
#[derive(Debug, Serialize)]
pub struct Comparison {
    /// Every family off.
    pub no_protocol: Summary,
    /// The protocol as written.
    pub protocol: Summary,
    /// Paired differences (protocol − none) in cooperation, disaster probability and welfare.
    pub cooperation_gain: Estimate,
    /// Change in disaster probability.
    pub disaster_change: Estimate,
    /// Change in welfare.
    pub welfare_gain: Estimate,
}

/// A claim of the seed paper and what the measurements say.
#[derive(Debug, Serialize)]
pub struct Claim {
    /// The claim, quoted or paraphrased.
    pub claim: String,
    /// `confirmed`, `refuted` or `partly confirmed`.
    pub verdict: String,
    /// The evidence.
    pub evidence: String,
}

/// Mean safe share by generation with 95% intervals.
#[derive(Debug, Serialize)]
pub struct Trajectories {
    /// Without any mechanism.
    pub no_protocol: Vec<Estimate>,
    /// With the protocol.
    pub protocol: Vec<Estimate>,
}

/// Runs the evaluation and writes the report folder.
pub fn run(args: &EvaluateArgs) -> Result<()> {
    if args.replicates < 2 {
        bail!("--replicates must be at least 2 (confidence intervals need two)");
    }
    if args
        .levels
        .iter()
        .any(|l| !(0.0..=1.0).contains(l) || !l.is_finite())
    {
        bail!("--levels must lie between 0 and 1");
    }
    let (protocol_source, protocol) = protocol_or_default(args.protocol.as_deref())?;
    let (world_source, world) = world_or_default(args.world.as_deref())?;
    let generations = args.generations.unwrap_or(world.learning.generations);
    let staged = StagedDir::create(&args.out)?;
    let started = Instant::now();

    let types = world.lab.len() as u64;
    // Compliance, every deviation, and two ways of staying out.
    let runs_per_type = 3 + accord_sim::Strategy::deviations().len() as u64;
    let total = args.replicates * (32 + 5 * args.levels.len() as u64 + types * runs_per_type + 2);
    let bar = progress::bar(total, "evaluate");
    let tick = || bar.inc(1);
    let setting = Setting {
        world: &world,
        protocol: &protocol,
        seed: args.seed,
        replicates: args.replicates,
        progress: &tick,
    };
    let template = RunOptions {
        generations: Some(generations),
        ..RunOptions::default()
    };

    bar.set_message("every subset of the five families");
    let ablation = Ablation::run(&setting, &template);
    bar.set_message("partial implementation");
    let partial = partial_implementation(&setting, &template, &args.levels);
    bar.set_message("individual rationality");
    let rationality = individual_rationality(&setting, args.rationality_generations);
    bar.set_message("trajectories");
    let trajectories = trajectories(&setting, &template);
    bar.finish_and_clear();

    let comparison = compare(&ablation);
    let claims = claims(&ablation);
    let evaluation = Evaluation {
        protocol: protocol.protocol.name.clone(),
        protocol_source,
        world: world.world.name.clone(),
        world_source,
        labs: world.lab_count(),
        seed: args.seed,
        replicates: args.replicates,
        generations,
        comparison,
        rationality,
        ablation,
        partial,
        claims,
        trajectories,
    };
    report::write(&evaluation, &world, &staged)?;
    let folder = staged.commit()?;
    report::print_summary(&evaluation);
    println!(
        "\nreport: {}/report.html (and report.md, plots, CSV, JSON) in {:.1} s",
        folder.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Paired differences between the protocol and no protocol, replicate by
/// replicate (replicate k of both shares random stream k).
fn compare(ablation: &Ablation) -> Comparison {
    let (none, full) = ablation.extremes();
    let (a, b) = (ablation.subsets[0].runs(), ablation.subsets[31].runs());
    let diff = |f: fn(&accord_sim::RunResult) -> f64| {
        Estimate::of(
            &a.iter()
                .zip(b)
                .map(|(x, y)| f(y) - f(x))
                .collect::<Vec<_>>(),
        )
    };
    Comparison {
        no_protocol: none.clone(),
        protocol: full.clone(),
        cooperation_gain: diff(|r| r.cooperation),
        disaster_change: diff(|r| r.disaster_rate),
        welfare_gain: diff(|r| r.welfare),
    }
}

fn trajectories(setting: &Setting, template: &RunOptions) -> Trajectories {
    let recorded = RunOptions {
        record: true,
        ..template.clone()
    };
    let curve = |mask: u32| {
        let runs = setting.replicate(&accord_sim::families::subset_strengths(mask), &recorded);
        let length = runs.iter().map(|r| r.generations.len()).min().unwrap_or(0);
        (0..length)
            .map(|g| {
                Estimate::of(
                    &runs
                        .iter()
                        .map(|r| r.generations[g].safe_share)
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    };
    Trajectories {
        no_protocol: curve(0),
        protocol: curve(31),
    }
}

/// Verdict when an estimate the claim rests on could not be measured.
const UNDETERMINED: &str = "undetermined (an estimate is missing)";

/// The seed's claims against the measurements.
fn claims(ablation: &Ablation) -> Vec<Claim> {
    let mut claims = Vec::new();
    // "Each mechanism reinforces the others. Remove any one and the system weakens."
    let mut weakened = Vec::new();
    let mut not_weakened = Vec::new();
    for (c, w) in ablation.cooperation.iter().zip(&ablation.welfare) {
        let evidence = format!(
            "{}: removing it changes cooperation by {:+.3} [{:+.3}, {:+.3}] and welfare by {:+.2} [{:+.2}, {:+.2}]",
            c.family,
            -c.removal_loss.mean,
            -c.removal_loss.high,
            -c.removal_loss.low,
            -w.removal_loss.mean,
            -w.removal_loss.high,
            -w.removal_loss.low
        );
        if c.removal_loss.positive() || w.removal_loss.positive() {
            weakened.push(evidence);
        } else {
            not_weakened.push(evidence);
        }
    }
    let unmeasured = ablation
        .cooperation
        .iter()
        .chain(&ablation.welfare)
        .any(|a| !(a.removal_loss.mean.is_finite() && a.shapley.mean.is_finite()));
    let verdict = if unmeasured {
        UNDETERMINED
    } else if not_weakened.is_empty() {
        "confirmed"
    } else if weakened.is_empty() {
        "refuted"
    } else {
        "partly confirmed"
    };
    claims.push(Claim {
        claim: "Remove any one mechanism and the system weakens.".into(),
        verdict: verdict.into(),
        evidence: format!(
            "Weakened (95% interval of the loss above zero in cooperation or welfare): {}. Not significantly weakened: {}.",
            if weakened.is_empty() { "none".into() } else { weakened.join("; ") },
            if not_weakened.is_empty() { "none".into() } else { not_weakened.join("; ") }
        ),
    });
    // Priority ranking: high (common knowledge, credible commitment), medium (mechanism design, early warning), lower (social norms).
    let level = |l: &str| match l {
        "high" => 3.0,
        "medium" => 2.0,
        _ => 1.0,
    };
    let min_of = |l: f64| {
        ablation
            .cooperation
            .iter()
            .filter(|c| level(c.claimed_leverage) == l)
            .map(|c| c.shapley.mean)
            .fold(f64::INFINITY, f64::min)
    };
    let max_of = |l: f64| {
        ablation
            .cooperation
            .iter()
            .filter(|c| level(c.claimed_leverage) == l)
            .map(|c| c.shapley.mean)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let ordered = min_of(3.0) >= max_of(2.0) && min_of(2.0) >= max_of(1.0);
    let rho = spearman(
        &ablation
            .cooperation
            .iter()
            .map(|c| level(c.claimed_leverage))
            .collect::<Vec<_>>(),
        &ablation
            .cooperation
            .iter()
            .map(|c| c.shapley.mean)
            .collect::<Vec<_>>(),
    );
    let measured: Vec<String> = ablation
        .cooperation
        .iter()
        .map(|c| {
            format!(
                "{} ({}) {:.3} [{:.3}, {:.3}]",
                c.family, c.claimed_leverage, c.shapley.mean, c.shapley.low, c.shapley.high
            )
        })
        .collect();
    claims.push(Claim {
        claim: "Priority: common knowledge and credible commitment have high leverage, mechanism design and early warning medium, social norms lower.".into(),
        verdict: if unmeasured { UNDETERMINED.into() } else if ordered { "confirmed".into() } else if rho > 0.0 { "partly confirmed".into() } else { "refuted".into() },
        evidence: format!("Shapley values of long-run cooperation: {}. Spearman correlation between claimed and measured leverage: {rho:.2}.", measured.join("; ")),
    });
    // "No single mechanism is sufficient."
    let (_, full) = ablation.extremes();
    let best_single = Family::ALL
        .iter()
        .map(|&f| (f, &ablation.subsets[1usize << f.index()].summary))
        .max_by(|a, b| a.1.cooperation.mean.total_cmp(&b.1.cooperation.mean))
        .expect("five families");
    let sufficient = best_single.1.cooperation.low >= full.cooperation.low
        && best_single.1.cooperation.mean >= full.cooperation.mean - 0.02;
    claims.push(Claim {
        claim: "No single mechanism is sufficient.".into(),
        verdict: if !(best_single.1.cooperation.mean.is_finite() && full.cooperation.mean.is_finite()) {
            UNDETERMINED.into()
        } else if sufficient {
            "refuted".into()
        } else {
            "confirmed".into()
        },
        evidence: format!(
            "Best single family: {} with cooperation {:.3} [{:.3}, {:.3}]; all five: {:.3} [{:.3}, {:.3}].",
            best_single.0, best_single.1.cooperation.mean, best_single.1.cooperation.low, best_single.1.cooperation.high, full.cooperation.mean, full.cooperation.low, full.cooperation.high
        ),
    });
    claims
}

/// Spearman rank correlation (average ranks for ties).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let rank = |v: &[f64]| -> Vec<f64> {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut ranks = vec![0.0; v.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                j += 1;
            }
            for &k in &order[i..=j] {
                ranks[k] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        ranks
    };
    let (ra, rb) = (rank(a), rank(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let (va, vb): (f64, f64) = (
        ra.iter().map(|x| (x - ma).powi(2)).sum(),
        rb.iter().map(|y| (y - mb).powi(2)).sum(),
    );
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}
