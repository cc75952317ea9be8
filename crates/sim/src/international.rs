//! International coordination: what is lost when several jurisdictions each
//! run the protocol over the labs based there, against one unified body
//! (the seed's first limitation; `docs/model.md`, "International coordination").
//!
//! A world's `[international]` declares jurisdictions, the share `w_j` of
//! the world's compute each hosts and whether it runs the protocol (a haven
//! does not). The same world runs under four regimes, on common random
//! numbers (replicate `k` on stream `k` in each):
//!
//! - one registry: the jurisdictions merged into one body over every lab and
//!   all compute (the world without `[international]`);
//! - no recognition: each registry judges its own labs and its gate serves
//!   every other lab, so a lab denied at home moves (regulatory arbitrage);
//! - no recognition, labs stay: the same without moves;
//! - mutual recognition: every gate refuses a lab its home registry denies,
//!   or that is based in a haven, and no registry admits a lab another denies
//!   (the club of Nordhaus 2015: non-members are refused the club's goods).
//!
//! Each regime's cooperation, disaster rate and welfare is reported with its
//! paired difference from the one registry.

use crate::experiment::Estimate;
use crate::run::{RunOptions, RunResult, run};
use crate::world::{Recognition, World};
use accord_core::Protocol;
use rayon::prelude::*;
use serde::Serialize;

/// The shipped world of frontier labs in three jurisdictions.
pub const DEFAULT_WORLD: &str = include_str!("../../../examples/worlds/jurisdictions.toml");

/// Replicates a comparison may run per regime.
pub const MAX_REPLICATES: u64 = 100_000;

/// Why a comparison cannot run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InternationalError {
    /// The world has a single body already.
    #[error(
        "the world declares no [international]: add [[international.jurisdiction]] tables and a `jurisdiction` for each [[lab]] (see examples/worlds/jurisdictions.toml)"
    )]
    NoJurisdictions,
    /// Too few or too many replicates.
    #[error("expected 2 to {MAX_REPLICATES} replicates per regime, got {0}")]
    Replicates(u64),
}

/// What is compared, and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct InternationalPlan {
    /// Replicates per regime.
    pub replicates: u64,
    /// Generations per run (default: the world's).
    pub generations: Option<u32>,
    /// Master seed.
    pub seed: u64,
}

/// One regime's outcomes over the replicates.
#[derive(Debug, Clone, Serialize)]
pub struct RegimeOutcome {
    /// Short name (`one-registry`, `no-recognition`, `no-recognition-no-moves`, `mutual-recognition`).
    pub regime: &'static str,
    /// What it is, in words.
    pub description: &'static str,
    /// Long-run share of labs developing safely.
    pub cooperation: Estimate,
    /// Long-run share of generations with a disaster.
    pub disaster_rate: Estimate,
    /// Long-run welfare (race payoffs per period summed over labs; transfers excluded).
    pub welfare: Estimate,
    /// Moves between jurisdictions per run.
    pub relocations: Estimate,
    /// Cooperation minus the one registry's, paired by replicate.
    pub cooperation_change: Estimate,
    /// Disaster rate minus the one registry's.
    pub disaster_rate_change: Estimate,
    /// Welfare minus the one registry's.
    pub welfare_change: Estimate,
}

/// A jurisdiction as the world declares it.
#[derive(Debug, Clone, Serialize)]
pub struct JurisdictionSummary {
    /// Name.
    pub name: String,
    /// `w_j`: share of the world's compute hosted there.
    pub compute_share: f64,
    /// What its registry runs.
    pub runs: Runs,
    /// Lab types based there.
    pub labs: Vec<String>,
}

/// What a jurisdiction's registry runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Runs {
    /// The protocol under study.
    ProtocolUnderStudy,
    /// A protocol of its own (`[international.jurisdiction.protocol]`).
    OwnProtocol {
        /// Its `[protocol] name`.
        name: String,
    },
    /// No registry and no gate.
    Haven,
}

/// The world's jurisdictions (none without `[international]`).
pub fn jurisdictions(world: &World) -> Vec<JurisdictionSummary> {
    let Some(international) = &world.international else {
        return Vec::new();
    };
    international
        .jurisdiction
        .iter()
        .map(|j| JurisdictionSummary {
            name: j.name.clone(),
            compute_share: j.compute_share,
            runs: match (&j.protocol, j.runs_protocol) {
                (Some(own), _) => Runs::OwnProtocol {
                    name: own.protocol.name.clone(),
                },
                (None, true) => Runs::ProtocolUnderStudy,
                (None, false) => Runs::Haven,
            },
            labs: world
                .lab
                .iter()
                .filter(|t| {
                    t.jurisdiction
                        .as_deref()
                        .unwrap_or(&international.jurisdiction[0].name)
                        == j.name
                })
                .map(|t| t.name.clone())
                .collect(),
        })
        .collect()
}

/// The four regimes, first the one registry.
pub fn compare(
    world: &World,
    protocol: &Protocol,
    plan: &InternationalPlan,
) -> Result<Vec<RegimeOutcome>, InternationalError> {
    let Some(international) = &world.international else {
        return Err(InternationalError::NoJurisdictions);
    };
    if !(2..=MAX_REPLICATES).contains(&plan.replicates) {
        return Err(InternationalError::Replicates(plan.replicates));
    }
    let variant = |recognition: Option<Recognition>, relocation: bool| {
        let mut w = world.clone();
        match recognition {
            None => {
                w.international = None;
                for lab in &mut w.lab {
                    lab.jurisdiction = None;
                }
            }
            Some(recognition) => {
                let mut i = international.clone();
                i.recognition = recognition;
                i.relocation = relocation;
                w.international = Some(i);
            }
        }
        w
    };
    let regimes = [
        (
            "one-registry",
            "one body over every lab and all compute",
            variant(None, false),
        ),
        (
            "no-recognition",
            "each registry judges its own labs; a lab denied at home moves",
            variant(Some(Recognition::None), true),
        ),
        (
            "no-recognition-no-moves",
            "each registry judges its own labs; labs stay where they are",
            variant(Some(Recognition::None), false),
        ),
        (
            "mutual-recognition",
            "every gate refuses labs their home registry denies, and labs based in havens",
            variant(Some(Recognition::Mutual), true),
        ),
    ];
    let runs: Vec<Vec<RunResult>> = regimes
        .iter()
        .map(|(_, _, w)| {
            (0..plan.replicates)
                .into_par_iter()
                .map(|k| {
                    run(
                        w,
                        protocol,
                        &RunOptions {
                            seed: plan.seed,
                            run_index: k,
                            generations: plan.generations,
                            ..RunOptions::default()
                        },
                    )
                })
                .collect()
        })
        .collect();
    let column =
        |runs: &[RunResult], f: fn(&RunResult) -> f64| -> Vec<f64> { runs.iter().map(f).collect() };
    let cooperation = |r: &RunResult| r.cooperation;
    let disasters = |r: &RunResult| r.disaster_rate;
    let welfare = |r: &RunResult| r.welfare;
    let unified = &runs[0];
    Ok(regimes
        .iter()
        .zip(&runs)
        .map(|((regime, description, _), runs)| {
            let change = |f: fn(&RunResult) -> f64| {
                Estimate::paired_difference(&column(unified, f), &column(runs, f))
            };
            RegimeOutcome {
                regime,
                description,
                cooperation: Estimate::mean_of(&column(runs, cooperation)),
                disaster_rate: Estimate::mean_of(&column(runs, disasters)),
                welfare: Estimate::mean_of(&column(runs, welfare)),
                relocations: Estimate::mean_of(&column(runs, |r| r.relocations as f64)),
                cooperation_change: change(cooperation),
                disaster_rate_change: change(disasters),
                welfare_change: change(welfare),
            }
        })
        .collect())
}
