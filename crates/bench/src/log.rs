//! Transparency-log workloads: Merkle hashing and proof generation against
//! Go's `golang.org/x/mod/sumdb/tlog` on the same trees (via
//! `crates/log/tests/go/tlogbench.go`), durable appends per second on SQLite
//! and PostgreSQL, and inclusion-proof latency on a log of ten million
//! entries.

use crate::machine::Machine;
use accord_log::hash::leaf_hash;
use accord_log::merkle::MemoryTree;
use accord_log::{
    Ed25519Signer, Log, LogConfig, LogReader, PostgresStorage, SqliteStorage, Storage,
};
use anyhow::{Context, Result, bail};
use clap::Args;
use rand::{RngExt, SeedableRng};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// Options of the log suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Smaller workloads (1M-entry proof log, fewer appends).
    #[arg(long)]
    quick: bool,
    /// Also time Go's tlog in the same run (needs golang-go and golang-golang-x-mod-dev).
    #[arg(long)]
    with_go: bool,
    /// PostgreSQL URL for the append benchmark (a fresh schema is created and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Skip PostgreSQL.
    #[arg(long)]
    no_postgres: bool,
    /// Folder for the SQLite files (default: the system temporary folder).
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn entry(i: u64) -> Vec<u8> {
    format!("entry {i}").into_bytes()
}

struct Row {
    workload: String,
    accord: String,
    peer: String,
}

/// Runs the suite.
pub fn run(options: &Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    merkle(options, &mut rows)?;
    runtime.block_on(async {
        let dir = options
            .dir
            .clone()
            .unwrap_or_else(std::env::temp_dir)
            .join(format!("accord-log-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let appends = if options.quick { 50_000 } else { 200_000 };
        let sqlite = SqliteStorage::open(&dir.join("appends.db")).await?;
        rows.push(appends_per_second("SQLite (WAL, synchronous=FULL)", sqlite, appends).await?);
        if !options.no_postgres {
            let schema = format!("accord_log_bench_{}", std::process::id());
            let pg = PostgresStorage::connect(&options.postgres, Some(&schema))
                .await
                .with_context(|| {
                    format!("connecting to {} (or pass --no-postgres)", options.postgres)
                })?;
            let row = appends_per_second(
                "PostgreSQL (synchronous_commit=on)",
                pg.clone(),
                appends / 2,
            )
            .await;
            pg.drop_schema().await?;
            rows.push(row?);
        }
        let size = if options.quick { 1_000_000 } else { 10_000_000 };
        rows.extend(big_log(&dir.join("big.db"), size).await?);
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))
    })?;
    let machine = Machine::current();
    println!(
        "machine: {} ({} logical cores, {})\n",
        machine.cpu, machine.cores, machine.os
    );
    println!("| workload | Accord | Go x/mod tlog |");
    println!("|---|---|---|");
    for r in rows {
        println!("| {} | {} | {} |", r.workload, r.accord, r.peer);
    }
    Ok(())
}

/// In-memory hashing and proof generation, Accord and Go on the same tree.
fn merkle(options: &Options, rows: &mut Vec<Row>) -> Result<()> {
    let n: u64 = if options.quick { 200_000 } else { 1_000_000 };
    let proofs: u64 = if options.quick { 20_000 } else { 100_000 };
    let start = Instant::now();
    let mut tree = MemoryTree::new();
    for i in 0..n {
        tree.push(leaf_hash(&entry(i)));
    }
    let build = start.elapsed().as_secs_f64();
    let root = tree.root(n)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let start = Instant::now();
    for _ in 0..proofs {
        std::hint::black_box(tree.inclusion_proof(rng.random_range(0..n), n)?);
    }
    let inclusion = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..proofs {
        std::hint::black_box(tree.consistency_proof(rng.random_range(1..n), n)?);
    }
    let consistency = start.elapsed().as_secs_f64();
    let go = if options.with_go {
        Some(run_go(n, proofs)?)
    } else {
        None
    };
    if let Some(go) = &go
        && go["root"].as_str() != Some(root.to_hex().as_str())
    {
        bail!(
            "Go's root {} differs from Accord's {}: not the same tree",
            go["root"],
            root.to_hex()
        );
    }
    let go_secs = |key: &str| go.as_ref().and_then(|g| g[key].as_f64());
    let fmt_rate = |secs: f64, count: u64, unit: &str| {
        format!("{secs:.3} s ({:.2e} {unit}/s)", count as f64 / secs)
    };
    let peer = |key: &str, count: u64, unit: &str| {
        go_secs(key).map_or("–".to_string(), |s| fmt_rate(s, count, unit))
    };
    rows.push(Row {
        workload: format!("build a {n}-entry tree in memory (leaf + node hashes)"),
        accord: fmt_rate(build, n, "entries"),
        peer: peer("build_seconds", n, "entries"),
    });
    rows.push(Row {
        workload: format!("{proofs} inclusion proofs at size {n}"),
        accord: fmt_rate(inclusion, proofs, "proofs"),
        peer: peer("inclusion_seconds", proofs, "proofs"),
    });
    rows.push(Row {
        workload: format!("{proofs} consistency proofs to size {n}"),
        accord: fmt_rate(consistency, proofs, "proofs"),
        peer: peer("consistency_seconds", proofs, "proofs"),
    });
    Ok(())
}

fn run_go(n: u64, proofs: u64) -> Result<Value> {
    let out = std::env::temp_dir().join(format!("accord-tlogbench-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../log/tests/go/build.sh");
    eprintln!("building Go's benchmark ({script}) …");
    let built = Command::new("sh")
        .arg(script)
        .arg(&out)
        .arg("tlogbench.go")
        .output()
        .context("running build.sh")?;
    if !built.status.success() {
        bail!(
            "building tlogbench failed:\n{}",
            String::from_utf8_lossy(&built.stderr)
        );
    }
    eprintln!("timing Go's tlog …");
    let run = Command::new(&out)
        .args(["-n", &n.to_string(), "-proofs", &proofs.to_string()])
        .output()
        .context("running tlogbench")?;
    let _ = std::fs::remove_file(&out);
    if !run.status.success() {
        bail!(
            "tlogbench failed:\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    serde_json::from_slice(&run.stdout).context("parsing tlogbench output")
}

/// `entries` durable appends from 256 concurrent single-entry writers.
async fn appends_per_second<S: Storage>(label: &str, storage: S, entries: u64) -> Result<Row> {
    let writers = 256;
    let (done, secs) = durable_appends(storage, entries, writers, entry).await?;
    Ok(Row {
        workload: format!(
            "durable appends, {label}: {done} entries from {writers} concurrent writers, batched"
        ),
        accord: format!("{secs:.2} s ({:.0} entries/s)", done as f64 / secs),
        peer: "–".into(),
    })
}

/// Times `entries` durable appends to a new log from `writers` concurrent
/// single-entry writers; returns the entries stored and the seconds taken.
pub async fn durable_appends<S: Storage>(
    storage: S,
    entries: u64,
    writers: u64,
    make_entry: fn(u64) -> Vec<u8>,
) -> Result<(u64, f64)> {
    let signer = Ed25519Signer::generate("bench.example/log")?;
    Log::create(&storage, &signer).await?;
    let log = Arc::new(Log::open(storage, signer, LogConfig::default()).await?);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..entries / writers {
                log.append(make_entry(w * entries + i)).await?;
            }
            Ok::<_, accord_log::LogError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    let done = log.size();
    Arc::into_inner(log)
        .context("log still shared")?
        .close()
        .await;
    Ok((done, secs))
}

/// Builds a log of `size` entries on SQLite, then times inclusion proofs
/// served from storage.
async fn big_log(path: &std::path::Path, size: u64) -> Result<Vec<Row>> {
    let storage = SqliteStorage::open(path).await?;
    let signer = Ed25519Signer::generate("bench.example/big")?;
    Log::create(&storage, &signer).await?;
    let config = LogConfig::default();
    let log = Arc::new(Log::open(storage.clone(), signer, config).await?);
    eprintln!("building a {size}-entry log …");
    let start = Instant::now();
    // Two submitters keep the sequencer busy while the other one hashes.
    let chunk = config.max_batch_entries as u64;
    let mut tasks = Vec::new();
    for part in 0..2u64 {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let mut next = part * chunk;
            while next < size {
                let end = (next + chunk).min(size);
                log.append_all((next..end).map(entry).collect()).await?;
                next += 2 * chunk;
            }
            Ok::<_, accord_log::LogError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let build = start.elapsed().as_secs_f64();
    Arc::into_inner(log)
        .context("log still shared")?
        .close()
        .await;
    let reader = LogReader::open(storage).await?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let mut latencies = Vec::new();
    for _ in 0..2000 {
        let index = rng.random_range(0..size);
        let t = Instant::now();
        std::hint::black_box(reader.inclusion_proof(index, size).await?);
        latencies.push(t.elapsed().as_secs_f64() * 1e6);
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let db_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(vec![
        Row {
            workload: format!("build a {size}-entry log on SQLite (append_all batches of {chunk})"),
            accord: format!(
                "{build:.1} s ({:.0} entries/s, {:.2} GB file)",
                size as f64 / build,
                db_bytes as f64 / 1e9
            ),
            peer: "–".into(),
        },
        Row {
            workload: format!(
                "inclusion proof from storage, log of {size} entries (2000 random leaves)"
            ),
            accord: format!("median {:.0} µs, p99 {:.0} µs", pct(0.5), pct(0.99)),
            peer: "–".into(),
        },
    ])
}
