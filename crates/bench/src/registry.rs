//! The registry end to end: signed events accepted per second over HTTP on
//! loopback (request, signature check, role and rules, durable append,
//! acknowledgement) from 64 concurrent clients, on SQLite and PostgreSQL;
//! p50/p99 latency of an acknowledged append and of an access grant; and,
//! in the same run, raw durable log appends with no HTTP, signature or rule
//! (the floor the registry builds on). With `--with-wrk`, the read
//! endpoints under wrk.
//!
//! Clients and server share the machine's cores (one process, one Tokio
//! runtime with two workers), as a loopback test does.

use accord_core::{Event, EventBody, Role};
use accord_log::{Ed25519Signer, NoteSigner as _, PostgresStorage, SqliteStorage};
use accord_registry::wire::hex;
use accord_registry::{Registry, RegistryConfig, SignedEvent};
use anyhow::{Context, Result, ensure};
use clap::Args;
use std::time::{Duration, Instant};

const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
/// Commitments per lab (below the protocol's per-participant limit).
const EVENTS_PER_LAB: u64 = 250;

/// Options of the registry suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Signed events submitted per backend.
    #[arg(long, default_value_t = 40_000)]
    events: u64,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// PostgreSQL URL (a fresh schema is created and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Skip PostgreSQL.
    #[arg(long)]
    no_postgres: bool,
    /// Also load the read endpoints with wrk (Debian package `wrk`).
    #[arg(long)]
    with_wrk: bool,
}

/// Prints the machine and builds the runtime that serves a registry and its
/// clients in one process, on two workers, as a loopback test does.
pub(crate) fn loopback_runtime() -> Result<tokio::runtime::Runtime> {
    let machine = crate::machine::Machine::current();
    println!(
        "machine: {} ({} logical cores), {}",
        machine.cpu, machine.cores, machine.os
    );
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Runs the suite.
pub fn run(options: &Options) -> Result<()> {
    let runtime = loopback_runtime()?;
    let dir = std::env::temp_dir().join(format!("accord-bench-registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!("| workload | result |\n|---|---|");
    runtime.block_on(async {
        let db = dir.join("registry.db").display().to_string();
        backend("SQLite (WAL, synchronous=FULL)", &db, &dir, options).await?;
        raw_appends(
            "SQLite",
            SqliteStorage::open(&dir.join("raw.db")).await?,
            options.events,
        )
        .await?;
        if !options.no_postgres {
            let schema = format!("accord_bench_registry_{}", std::process::id());
            let url = format!("{}?schema={schema}", options.postgres);
            let outcome = backend("PostgreSQL (synchronous_commit=on)", &url, &dir, options).await;
            PostgresStorage::connect(&options.postgres, Some(&schema))
                .await?
                .drop_schema()
                .await?;
            outcome?;
            let raw_schema = format!("{schema}_raw");
            let storage = PostgresStorage::connect(&options.postgres, Some(&raw_schema)).await?;
            let outcome = raw_appends("PostgreSQL", storage.clone(), options.events).await;
            storage.drop_schema().await?;
            outcome?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn backend(label: &str, db: &str, dir: &std::path::Path, options: &Options) -> Result<()> {
    let key_file = dir.join(format!("registry-{}.key", label.len()));
    let _ = std::fs::remove_file(&key_file);
    let secretariat = Ed25519Signer::from_seed("secretariat", [1; 32])?;
    let registry = Registry::open(RegistryConfig {
        db: db.to_string(),
        key_file,
        origin: "bench.accord.example/registry".into(),
        protocol: PROTOCOL.into(),
        secretariat_key: Some(secretariat.verifier().public_key()),
        witnesses: None,
        channel: None,
    })
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(accord_registry::serve(
        listener,
        registry,
        accord_registry::DEFAULT_MAX_IN_FLIGHT,
        async {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::new();
    let post = |text: String| {
        let (http, url) = (http.clone(), format!("{base}/v1/events"));
        async move {
            let response = http.post(url).body(text).send().await?;
            ensure!(
                response.status().is_success(),
                "refused: {}",
                response.text().await?
            );
            Ok(())
        }
    };

    // Setup: the secretariat and the labs, signed and registered untimed.
    let labs: Vec<Ed25519Signer> = (0..options.events.div_ceil(EVENTS_PER_LAB))
        .map(|i| Ed25519Signer::from_seed(&format!("lab-{i}"), seed(i)))
        .collect::<Result<_, _>>()?;
    let mut seq = 0;
    let mut register = |participant: &str, role: Role, key: &Ed25519Signer| {
        seq += 1;
        let body = EventBody::Register {
            participant: participant.into(),
            role,
            public_key: hex(&key.verifier().public_key()),
        };
        SignedEvent::sign(Event::new("secretariat", seq, 0, body), &secretariat)
            .map(|s| s.as_str().to_string())
    };
    post(register("secretariat", Role::Secretariat, &secretariat)?).await?;
    for lab in &labs {
        post(register(lab.name(), Role::Lab, lab)?).await?;
    }
    // Pre-signed so that the clients' signing is not timed; one client
    // sends all of a lab's events, in sequence order.
    let mut per_client: Vec<Vec<String>> = vec![Vec::new(); options.clients];
    for (i, lab) in labs.iter().enumerate() {
        for seq in 1..=EVENTS_PER_LAB {
            let body = EventBody::PublishCommitment {
                commitment: format!("c{seq}"),
                text: "publish a frontier safety framework and follow it".into(),
                binding: false,
                beneficiary: None,
                compensation_credits: None,
                revises: None,
            };
            let event = Event::new(lab.name(), seq, 0, body);
            per_client[i % options.clients]
                .push(SignedEvent::sign(event, lab)?.as_str().to_string());
        }
    }
    let total: usize = per_client.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for texts in per_client {
        let (http, url) = (http.clone(), format!("{base}/v1/events"));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(texts.len());
            for text in texts {
                let sent = Instant::now();
                let response = http.post(&url).body(text).send().await?;
                ensure!(
                    response.status().is_success(),
                    "refused: {}",
                    response.text().await?
                );
                latencies.push(sent.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    println!(
        "| signed events accepted end to end, {label}: {total} events from {} clients | {:.0} events/s ({seconds:.2} s); ack latency p50 {}, p99 {} |",
        options.clients,
        total as f64 / seconds,
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );

    // Access grants: signed, with inclusion proofs of the lab's evidence.
    let mut grants = Vec::new();
    for i in 0..1000 {
        let lab = labs[i % labs.len()].name().to_string();
        let sent = Instant::now();
        let response = http.get(format!("{base}/v1/access/{lab}")).send().await?;
        ensure!(response.status().is_success(), "grant refused");
        response.bytes().await?;
        grants.push(sent.elapsed());
    }
    grants.sort_unstable();
    println!(
        "| access grant (signed, {} evidence proofs), {label}, 1000 sequential requests | p50 {}, p99 {} |",
        1 + 16,
        ms(percentile(&grants, 0.5)),
        ms(percentile(&grants, 0.99)),
    );
    if options.with_wrk {
        for path in ["/v1/state", "/checkpoint", "/v1/labs/lab-0"] {
            wrk(label, &base, path)?;
        }
    }
    let _ = stop.send(());
    server.await?.context("serving")?;
    Ok(())
}

pub(crate) fn seed(i: u64) -> [u8; 32] {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&i.to_le_bytes());
    seed
}

/// The floor: the same number of durable appends straight into the log,
/// 64 writers, no HTTP, no signature, no rules.
async fn raw_appends<S: accord_log::Storage>(label: &str, storage: S, entries: u64) -> Result<()> {
    let writers = 64;
    let (done, seconds) =
        crate::log::durable_appends(storage, entries, writers, event_sized).await?;
    println!(
        "| raw durable log appends (no HTTP, signature or rules), {label}: {done} entries from {writers} writers | {:.0} entries/s |",
        done as f64 / seconds
    );
    Ok(())
}

/// An entry about the size of a signed event (~400 bytes).
fn event_sized(i: u64) -> Vec<u8> {
    format!("entry {i:>12} {}", "x".repeat(380)).into_bytes()
}

fn wrk(label: &str, base: &str, path: &str) -> Result<()> {
    let output = std::process::Command::new("wrk")
        .args(["-t2", "-c64", "-d5s", "--latency", &format!("{base}{path}")])
        .output()
        .context("running wrk (apt install wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    println!(
        "| wrk GET {path}, {label}, 64 connections, 5 s | {}; latency {}, {} |",
        field("Requests/sec"),
        field("50%"),
        field("99%")
    );
    Ok(())
}
