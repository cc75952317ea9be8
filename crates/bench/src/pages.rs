//! The public pages on a large registry: 1,000 labs and 100,000 logged
//! events (registrations, 3,000 assessments on the FMTI's 200 indicators in
//! three editions, and commitments), then the time to answer each page
//! (the leaderboard, the commitments explorer, the early-warning dashboard),
//! measured end to end over loopback from one client (an upper bound of the
//! server's time: request, state query, rendering and transfer).

use crate::registry::{loopback_runtime, ms, percentile, seed};
use accord_core::{Event, EventBody, Role};
use accord_log::{Ed25519Signer, NoteSigner as _};
use accord_registry::wire::hex;
use accord_registry::{Registry, RegistryConfig, SignedEvent};
use anyhow::{Context, Result, ensure};
use clap::Args;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const GLOBAL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const FMTI: &str = include_str!("../../../examples/protocols/fmti-leaderboard.toml");

/// Options of the pages suite.
#[derive(Debug, Args)]
pub struct Options {
    /// Labs registered.
    #[arg(long, default_value_t = 1_000)]
    labs: u64,
    /// Events logged in all (commitments make up what registrations and assessments do not).
    #[arg(long, default_value_t = 100_000)]
    events: u64,
    /// Requests timed per page.
    #[arg(long, default_value_t = 50)]
    requests: usize,
    /// Concurrent clients while loading the log (untimed).
    #[arg(long, default_value_t = 64)]
    clients: usize,
}

/// The global protocol with the FMTI's index, rated by `fmti`.
fn protocol() -> String {
    let index = &FMTI[FMTI
        .find("[[leaderboard.indices]]")
        .expect("the FMTI protocol has its index")..];
    format!("{GLOBAL}\n{index}")
}

/// Runs the suite.
pub fn run(options: &Options) -> Result<()> {
    let runtime = loopback_runtime()?;
    let dir = std::env::temp_dir().join(format!("accord-bench-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let outcome = runtime.block_on(measure(&dir, options));
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

async fn measure(dir: &std::path::Path, options: &Options) -> Result<()> {
    let secretariat = Ed25519Signer::from_seed("secretariat", [1; 32])?;
    let rater = Ed25519Signer::from_seed("fmti", [2; 32])?;
    let registry = Registry::open(RegistryConfig {
        db: dir.join("registry.db").display().to_string(),
        key_file: dir.join("registry.key"),
        origin: "bench.accord.example/pages".into(),
        protocol: protocol(),
        secretariat_key: Some(secretariat.verifier().public_key()),
        witnesses: None,
        channel: None,
    })
    .await?;
    let index = registry.published().replica.state().rating_indices()[0].clone();
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

    // The log: registrations first, then every author's events in sequence
    // order, sent by concurrent clients (one author per client).
    let labs: Vec<Ed25519Signer> = (0..options.labs)
        .map(|i| Ed25519Signer::from_seed(&format!("lab-{i}"), seed(i)))
        .collect::<Result<_, _>>()?;
    let mut registrations = Vec::new();
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
    registrations.push(register("secretariat", Role::Secretariat, &secretariat)?);
    registrations.push(register("fmti", Role::Monitor, &rater)?);
    for lab in &labs {
        registrations.push(register(lab.name(), Role::Lab, lab)?);
    }
    let mut streams: Vec<Vec<String>> = Vec::new();
    // Assessments: each lab in each edition, every indicator answered, the
    // answers varied by lab so the ranking is not trivial.
    let mut assessments = Vec::new();
    for (e, edition) in index.editions.iter().enumerate() {
        for (l, lab) in labs.iter().enumerate() {
            let answers: BTreeMap<String, accord_core::ratings::Answer> = index
                .indicators_in(e)
                .enumerate()
                .map(|(k, i)| {
                    let disclosed = (l * 7 + k * 13 + e) % 10 < 3 + l % 5;
                    (
                        index.indicators[i].id.clone(),
                        accord_core::ratings::Answer::Number(f64::from(u8::from(disclosed))),
                    )
                })
                .collect();
            let body = EventBody::Assess {
                index: index.id.clone(),
                edition: edition.clone(),
                lab: lab.name().to_string(),
                answers,
                evidence: String::new(),
            };
            let event = Event::new("fmti", assessments.len() as u64 + 1, 0, body);
            assessments.push(SignedEvent::sign(event, &rater)?.as_str().to_string());
        }
    }
    streams.push(assessments);
    let logged = registrations.len() as u64 + streams[0].len() as u64;
    let per_lab = options.events.saturating_sub(logged).div_ceil(options.labs);
    for lab in &labs {
        let mut stream = Vec::new();
        for seq in 1..=per_lab {
            let body = EventBody::PublishCommitment {
                commitment: format!("c{seq}"),
                text: "publish a frontier safety framework and follow it".into(),
                binding: seq % 2 == 0,
                beneficiary: None,
                compensation_credits: None,
                revises: None,
            };
            let event = Event::new(lab.name(), seq, 0, body);
            stream.push(SignedEvent::sign(event, lab)?.as_str().to_string());
        }
        streams.push(stream);
    }
    let url = format!("{base}/v1/events");
    for text in registrations {
        let response = http.post(&url).body(text).send().await?;
        ensure!(
            response.status().is_success(),
            "refused: {}",
            response.text().await?
        );
    }
    let start = Instant::now();
    let mut per_client: Vec<Vec<Vec<String>>> = vec![Vec::new(); options.clients];
    for (i, stream) in streams.into_iter().enumerate() {
        per_client[i % options.clients].push(stream);
    }
    let mut tasks = Vec::new();
    for streams in per_client {
        let (http, url) = (http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            for text in streams.into_iter().flatten() {
                let response = http.post(&url).body(text).send().await?;
                ensure!(
                    response.status().is_success(),
                    "refused: {}",
                    response.text().await?
                );
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let body = http
        .get(format!("{base}/v1/state"))
        .send()
        .await?
        .bytes()
        .await?;
    let state: serde_json::Value = serde_json::from_slice(&body)?;
    let size = state["log_size"].as_u64().context("log size")?;
    println!(
        "log: {} labs, {} entries (loaded in {:.1} s)\n",
        options.labs,
        size,
        start.elapsed().as_secs_f64()
    );

    println!("| page | bytes | p50 | p99 |\n|---|---|---|---|");
    let middle = options.labs / 2;
    for path in [
        "/leaderboard".to_string(),
        "/leaderboard/fmti".to_string(),
        format!(
            "/leaderboard/fmti?edition=2023-10&page={}",
            options.labs / 100
        ),
        format!("/leaderboard/fmti/2025-12/lab-{middle}"),
        "/commitments".to_string(),
        format!("/commitments/lab-{middle}"),
        "/early-warning".to_string(),
    ] {
        let mut times: Vec<Duration> = Vec::with_capacity(options.requests);
        let mut bytes = 0;
        for _ in 0..options.requests {
            let sent = Instant::now();
            let response = http.get(format!("{base}{path}")).send().await?;
            ensure!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            bytes = response.bytes().await?.len();
            times.push(sent.elapsed());
        }
        times.sort_unstable();
        println!(
            "| `{path}` | {bytes} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
    }
    let _ = stop.send(());
    server.await?.context("serving")?;
    Ok(())
}
