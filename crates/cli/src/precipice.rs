//! `accord precipice`: racing to the precipice in the simulator
//! (`accord_sim::precipice`), teams learning how much safety to give up
//! under the information about capabilities the protocol gives them.

use crate::output::print_json;
use crate::protocol::{load_protocol, parse_protocol_named};
use accord_games::precipice::Information;
use accord_sim::precipice::{
    DEFAULT_RACE, Policy, PrecipiceReport, Race, parse_race, run_precipice,
};
use accord_sim::shard::DEFAULT_PROTOCOL;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// `accord precipice`.
#[derive(Debug, Args)]
pub struct PrecipiceArgs {
    /// Protocol file: whether it makes metric reports public sets what teams
    /// know (default: the shipped global protocol).
    protocol: Option<PathBuf>,
    /// Race file: the teams, their capability spreads and enmities (default:
    /// the shipped examples/races/frontier-labs.toml).
    #[arg(long, conflicts_with = "teams")]
    race: Option<PathBuf>,
    /// Instead of a race file: n identical teams, the paper's setting.
    #[arg(
        long,
        requires_all = ["spread", "enmity"],
        value_parser = clap::value_parser!(u16).range(2..=accord_sim::precipice::MAX_TEAMS as i64)
    )]
    teams: Option<u16>,
    /// With --teams: μ, capabilities uniform on [0, μ].
    #[arg(long, requires = "teams", allow_hyphen_values = true)]
    spread: Option<f64>,
    /// With --teams: e, the loss in [0, 1] when another team wins safely.
    #[arg(long, requires = "teams", allow_hyphen_values = true)]
    enmity: Option<f64>,
    /// Master seed of the sampled races.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the race under each information regime.
pub fn run(args: &PrecipiceArgs) -> Result<()> {
    let (protocol_source, protocol) = match &args.protocol {
        Some(path) => (path.display().to_string(), load_protocol(path)?),
        None => {
            let source = "the shipped global protocol";
            (
                source.to_string(),
                parse_protocol_named(DEFAULT_PROTOCOL, source)?,
            )
        }
    };
    let (source, race) = match (&args.race, args.teams, args.spread, args.enmity) {
        (_, Some(teams), Some(spread), Some(enmity)) => (
            format!("{teams} identical teams (μ = {spread}, e = {enmity})"),
            Race::identical(usize::from(teams), spread, enmity),
        ),
        (path, ..) => {
            let (source, text) = match path {
                Some(path) => (
                    path.display().to_string(),
                    std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?,
                ),
                None => (
                    "the shipped frontier-labs race".to_string(),
                    DEFAULT_RACE.to_string(),
                ),
            };
            let race = parse_race(&text).map_err(|errors| {
                let lines: Vec<String> =
                    errors.0.iter().map(|e| format!("{source}: {e}")).collect();
                anyhow::anyhow!("{source} is not a valid race file:\n{}", lines.join("\n"))
            })?;
            (source, race)
        }
    };
    let report = run_precipice(&protocol, &race, args.seed)
        .with_context(|| format!("race of {source} under {protocol_source}"))?;
    if args.json {
        return print_json(&report);
    }
    print_report(&report, &source);
    Ok(())
}

fn regime_name(information: Information) -> &'static str {
    match information {
        Information::None => "no information",
        Information::Private => "private (own capability)",
        Information::Public => "public (every capability)",
    }
}

/// Whether probabilities print in scientific notation: when four decimals
/// would lose one of them (narrow races are that unsafe).
fn tiny(probabilities: &[f64]) -> bool {
    probabilities.iter().any(|&p| p != 0.0 && p.abs() < 1e-3)
}

/// A probability to four decimals, or in scientific notation.
fn probability(p: f64, scientific: bool) -> String {
    if scientific {
        format!("{p:.3e}")
    } else {
        format!("{p:.4}")
    }
}

fn print_report(report: &PrecipiceReport, source: &str) {
    println!(
        "racing to the precipice: {source}, under {} ({}: {})",
        report.protocol,
        regime_name(report.information_under_protocol),
        report.reason
    );
    println!(
        "\n  {:<27}  {:>26}  {:>11}  {:>7}",
        "what teams know", "race safe (95% interval)", "closed form", "rounds"
    );
    for regime in &report.regimes {
        let marker = if regime.under_protocol { "*" } else { " " };
        let safety = &regime.safety;
        // One notation per row, so an interval reads at a glance.
        let scientific = tiny(&[
            safety.mean,
            safety.low,
            safety.high,
            regime.closed_form_safety.unwrap_or(0.0),
        ]);
        let closed = regime
            .closed_form_safety
            .map_or("—".to_string(), |p| probability(p, scientific));
        let rounds = if regime.settled {
            regime.rounds.to_string()
        } else {
            format!("{} (unsettled)", regime.rounds)
        };
        println!(
            "{marker} {:<27}  {:>8} [{}, {}]  {:>11}  {:>7}",
            regime_name(regime.information),
            probability(safety.mean, scientific),
            probability(safety.low, scientific),
            probability(safety.high, scientific),
            closed,
            rounds
        );
    }
    println!(
        "  (* the regime the protocol sets; safety is P(the winner's AI is safe), its interval over the measured races given the learned policies)"
    );
    if report.race.team.iter().any(|t| t.enmity == 0.0) {
        println!(
            "  (a team without enmity: with private information the class min(1, ρ·c) creeps towards ρ = 1, the limit e → 0⁺, while the closed form reports full safety, the most favourable equilibrium at e = 0)"
        );
    }
    for regime in &report.regimes {
        println!("\n  {}:", regime_name(regime.information));
        println!(
            "    {:<18}  {:>6}  {:>8}  {:>7}  policy",
            "team", "μ_i", "e_i", "wins"
        );
        for (team, spec) in regime.teams.iter().zip(&report.race.team) {
            let policy = match &team.policy {
                Policy::Constant { safety } => {
                    format!("s = {}", probability(*safety, tiny(&[*safety])))
                }
                Policy::Proportional {
                    rho,
                    gain_outside_the_class,
                } => format!(
                    "s(c) = min(1, {rho:.4}·c); gains {gain_outside_the_class:.4} outside this class"
                ),
                Policy::PerRace => "solved race by race".to_string(),
            };
            println!(
                "    {:<18}  {:>6}  {:>8}  {:>6.1}%  {policy}",
                team.name,
                spec.capability_spread,
                spec.enmity,
                100.0 * team.win_share
            );
        }
    }
}
