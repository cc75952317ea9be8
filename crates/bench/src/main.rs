//! `accord-bench`: performance measurements of Accord, with peer tools timed
//! in the same run on the same machine. Results and commands are recorded in
//! `BENCHMARKS.md`.

mod core;
mod egt;
mod equilibria;
mod log;
mod machine;
mod pages;
mod registry;
mod sim;

use clap::{Parser, Subcommand};

/// Accord benchmarks.
#[derive(Debug, Parser)]
#[command(name = "accord-bench")]
struct Cli {
    #[command(subcommand)]
    suite: Suite,
}

#[derive(Debug, Subcommand)]
enum Suite {
    /// Evolutionary dynamics against EGTtools.
    Egt(egt::Options),
    /// Nash-equilibrium enumeration (support, vertex) against nashpy.
    Equilibria(equilibria::Options),
    /// Transparency log against Go's tlog: hashing, proofs, durable appends, a 10M-entry log.
    Log(log::Options),
    /// Protocol state machine: events applied per second, bounded-memory replay.
    Core(core::Options),
    /// Coordination simulator: throughput, the imitation special case against EGTtools, evaluation time.
    Sim(sim::Options),
    /// The registry end to end: signed events per second over HTTP, ack and grant latency.
    Registry(registry::Options),
    /// The public pages on 1,000 labs and 100,000 events: time to answer each page.
    Pages(pages::Options),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().suite {
        Suite::Egt(options) => egt::run(&options),
        Suite::Equilibria(options) => equilibria::run(&options),
        Suite::Log(options) => log::run(&options),
        Suite::Core(options) => core::run(&options),
        Suite::Sim(options) => sim::run_suite(&options),
        Suite::Registry(options) => registry::run(&options),
        Suite::Pages(options) => pages::run(&options),
    }
}
