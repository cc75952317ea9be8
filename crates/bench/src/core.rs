//! The protocol state machine's throughput and memory bound.

use crate::machine::Machine;
use accord_core::event::{Event, EventBody, Role, Verdict};
use accord_core::{Outcome, State, parse_protocol};
use anyhow::{Result, bail};
use clap::Args;
use std::collections::BTreeMap;
use std::time::Instant;

/// Options of the core suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Ledger events in the throughput run.
    #[arg(long, default_value_t = 2_000_000)]
    events: u64,
    /// Events in the bounded-memory replay.
    #[arg(long, default_value_t = 10_000_000)]
    replay_events: u64,
    /// Labs in the simulated registry.
    #[arg(long, default_value_t = 1000)]
    labs: usize,
}

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// A registry with `labs` labs, three monitors and credits for everyone.
fn funded_state(labs: usize) -> (State, Vec<u64>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/protocols/global-protocol.toml"
    ))
    .expect("global protocol");
    let mut protocol = parse_protocol(&text).expect("valid protocol");
    protocol.credits.max_credits_per_period = 0;
    let mut state = State::new(protocol);
    let mut seqs = vec![0u64; labs + 4];
    let mut send = |state: &mut State, author: usize, name: &str, body: EventBody| {
        seqs[author] += 1;
        let outcome = state.apply(&Event::new(name, seqs[author], state.period(), body));
        assert!(
            matches!(outcome, Ok(Outcome::Applied { .. })),
            "{outcome:?}"
        );
    };
    send(
        &mut state,
        0,
        "sec",
        EventBody::Register {
            participant: "sec".into(),
            role: Role::Secretariat,
            public_key: KEY.into(),
        },
    );
    for m in 1..=3 {
        send(
            &mut state,
            0,
            "sec",
            EventBody::Register {
                participant: format!("mon-{m}"),
                role: Role::Monitor,
                public_key: KEY.into(),
            },
        );
    }
    for lab in 0..labs {
        send(
            &mut state,
            0,
            "sec",
            EventBody::Register {
                participant: format!("lab-{lab}"),
                role: Role::Lab,
                public_key: KEY.into(),
            },
        );
    }
    for lab in 0..labs {
        let name = format!("lab-{lab}");
        send(
            &mut state,
            lab + 4,
            &name,
            EventBody::ReportInvestment { amount: 1_000_000 },
        );
        for m in 1..=2 {
            send(
                &mut state,
                m,
                &format!("mon-{m}"),
                EventBody::Audit {
                    lab: name.clone(),
                    audited_period: 0,
                    verdict: Verdict::Compliant,
                    verified_investment: Some(1_000_000),
                    measurements: BTreeMap::new(),
                    violated_commitments: vec![],
                    cites_reports: vec![],
                },
            );
        }
        send(
            &mut state,
            0,
            "sec",
            EventBody::IssueCredits {
                lab: name,
                for_period: 0,
            },
        );
    }
    (state, seqs)
}

/// Transfer `i` of a deterministic round-robin pattern.
fn transfer(i: u64, labs: usize, seqs: &mut [u64], names: &[String], period: u32) -> Event {
    let from = (i as usize * 7919) % labs;
    let to = (from + 1 + (i as usize % (labs - 1))) % labs;
    seqs[from + 4] += 1;
    Event::new(
        names[from].clone(),
        seqs[from + 4],
        period,
        EventBody::Transfer {
            to: names[to].clone(),
            amount: 1,
        },
    )
}

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Runs the suite.
pub fn run(options: &Options) -> Result<()> {
    if options.labs < 2 {
        bail!("--labs must be at least 2");
    }
    let machine = Machine::current();
    let names: Vec<String> = (0..options.labs).map(|l| format!("lab-{l}")).collect();

    // Bounded memory: each event is written as a JSON line, parsed back and
    // applied, one at a time; nothing is kept.
    let (mut state, mut seqs) = funded_state(options.labs);
    let before = resident_kib();
    let start = Instant::now();
    let mut peak = before.unwrap_or(0);
    for i in 0..options.replay_events {
        let line = transfer(i, options.labs, &mut seqs, &names, state.period()).to_json_line();
        let event = accord_core::event::parse_event(&line, i as usize + 1)?;
        if !matches!(state.apply(&event), Ok(Outcome::Applied { .. })) {
            bail!("a replay transfer was rejected");
        }
        if i % 1_000_000 == 0 {
            peak = peak.max(resident_kib().unwrap_or(0));
        }
    }
    let replay_seconds = start.elapsed().as_secs_f64();
    let after = resident_kib();
    let replay_hash = state.state_hash();

    // Throughput: events prepared in advance, then applied on one core.
    let (mut state, mut seqs) = funded_state(options.labs);
    let period = state.period();
    let events: Vec<Event> = (0..options.events)
        .map(|i| transfer(i, options.labs, &mut seqs, &names, period))
        .collect();
    let start = Instant::now();
    for event in &events {
        if !matches!(state.apply(event), Ok(Outcome::Applied { .. })) {
            bail!("a benchmark transfer was rejected");
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let rate = options.events as f64 / seconds;
    drop(events);

    println!(
        "machine: {} ({} logical cores, {})\n",
        machine.cpu, machine.cores, machine.os
    );
    println!("| workload | result |");
    println!("|---|---|");
    println!(
        "| credit transfers applied (1 core, {} labs, events pre-parsed, idempotency digest included) | {:.2e} events/s ({} events in {seconds:.2} s) |",
        options.labs, rate, options.events
    );
    println!(
        "| replay of {} events as JSON lines (parse + apply, generated on the fly) | {replay_seconds:.1} s ({:.2e} events/s) |",
        options.replay_events,
        options.replay_events as f64 / replay_seconds
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "| resident memory during the replay | {:.1} MiB before, peak {:.1} MiB, {:.1} MiB after |",
            b as f64 / 1024.0,
            peak.max(a) as f64 / 1024.0,
            a as f64 / 1024.0
        );
    }
    println!("\nstate hash after the replay: {replay_hash}");
    Ok(())
}
