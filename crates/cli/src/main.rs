//! `accord`: design, stress-test and run AI-safety coordination protocols.

mod attack;
mod calibrate;
mod columnar;
mod csv_lines;
mod dated_table;
mod design;
mod egt;
mod egta;
mod evaluate;
mod games;
mod international;
mod leaderboard;
mod lobby;
mod log;
mod market;
mod output;
mod precipice;
mod progress;
mod protocol;
mod registry;
mod shards;
mod simulate;
mod simulation;
mod sweep_design;
mod whistleblow;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Accord: evolutionary game theory and coordination-protocol analysis for AI safety.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evolutionary game theory on the built-in models or a custom game.
    #[command(subcommand)]
    Egt(egt::EgtCommand),
    /// Classic coordination models: global games, the e-mail game, inspection games, thresholds, cascades, tipping, assurance contracts, permits, racing to the precipice, liability pools.
    #[command(subcommand)]
    Games(games::GamesCommand),
    /// Transparency log: create, append, checkpoints, proofs, bundles and witness checks.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// The main job: evaluate a protocol against a world of strategic labs and write a report.
    Evaluate(evaluate::EvaluateArgs),
    /// Merge the shard files of an `evaluate`, `sweep` or `egt mc` run with --shard into exactly what one process writes.
    Merge(shards::MergeArgs),
    /// The protocol's worst adversary: the deviation (strategy, coalition, timing) that gains most against it, per lab type.
    Attack(attack::AttackArgs),
    /// Protocol design by search: the cheapest setting of the protocol's parameters that meets a goal and that no lab type gains by deviating from.
    Design(design::DesignArgs),
    /// Lobbying: the value of each protocol parameter a regulator lobbied by powerful labs would choose, and what it costs the protocol.
    Lobby(lobby::LobbyArgs),
    /// A market in safety credits: labs with different safety costs meet a tradable obligation through the protocol's ledger, against Montgomery's closed form.
    Market(market::MarketArgs),
    /// Racing to the precipice in the simulator: teams learn how much safety to give up under the information about capabilities the protocol gives them (Armstrong, Bostrom & Shulman 2016).
    Precipice(precipice::PrecipiceArgs),
    /// International coordination: several jurisdictions, each running the protocol over its own labs and compute, against one unified body, with and without mutual recognition and with labs that move (regulatory arbitrage).
    International(international::InternationalArgs),
    /// Empirical game: estimate the payoff table of a few strategies by simulation and find which survive (small-mutation limit).
    Egta(egta::EgtaArgs),
    /// Calibrate lab speeds from training-compute data (default: Epoch AI's), as a lab type for a world file.
    Calibrate(calibrate::CalibrateArgs),
    /// One simulation run: per-lab, per-generation trajectories and plots.
    Simulate(simulate::SimulateArgs),
    /// A grid, Latin hypercube or Sobol' design over simulator parameters (protocol or world), with replicates; Sobol' sensitivity indices.
    Sweep(simulate::SweepArgs),
    /// Rating indices for the leaderboard: import published scorecards (FMTI) as protocol and events.
    #[command(subcommand)]
    Leaderboard(leaderboard::LeaderboardCommand),
    /// Protocol files and event streams: check, schema, replay, detect.
    #[command(subcommand)]
    Protocol(protocol::ProtocolCommand),
    /// Run the registry: a protocol on signed events and a transparency log.
    Serve(registry::ServeArgs),
    /// Registry client: keys, signed submissions, status, access grants, audits.
    #[command(subcommand)]
    Registry(registry::RegistryCommand),
    /// Witness: cosign a registry's or log's checkpoints (C2SP tlog-witness).
    #[command(subcommand)]
    Witness(registry::WitnessCommand),
    /// Report to the protocol's monitors through the registry's protected channel: tokens, sealed reports, receipts, inbox.
    #[command(subcommand)]
    Whistleblow(whistleblow::WhistleblowCommand),
    /// A whistleblower-token issuer: make the token key, sign blinded requests.
    #[command(subcommand)]
    Issuer(whistleblow::IssuerCommand),
    /// A report monitor: make the report key, read reports, ask the reporter.
    #[command(subcommand)]
    Monitor(whistleblow::MonitorCommand),
}

fn main() -> ExitCode {
    quiet_on_closed_output();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Egt(command) => egt::run(command),
        Command::Games(command) => games::run(command),
        Command::Log(command) => log::run(command),
        Command::Leaderboard(command) => leaderboard::run(command),
        Command::Protocol(command) => protocol::run(command),
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Merge(args) => shards::run(&args),
        Command::Attack(args) => attack::run(&args),
        Command::Design(args) => design::run(&args),
        Command::Egta(args) => egta::run(&args),
        Command::Lobby(args) => lobby::run(&args),
        Command::Market(args) => market::run(&args),
        Command::Precipice(args) => precipice::run(&args),
        Command::International(args) => international::run(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Simulate(args) => simulate::simulate(&args),
        Command::Sweep(args) => simulate::sweep(&args),
        Command::Serve(args) => registry::serve(args),
        Command::Registry(command) => registry::run(command),
        Command::Witness(command) => registry::witness(command),
        Command::Whistleblow(command) => whistleblow::whistleblow(command),
        Command::Issuer(command) => whistleblow::issuer(command),
        Command::Monitor(command) => whistleblow::monitor(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// A reader that stops early (`accord … | head`) closes standard output;
/// `println!` then panics. That is the reader's choice, not an error: exit
/// quietly with the shell's status for a closed pipe (128 + SIGPIPE).
fn quiet_on_closed_output() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
}
