//! Crash test under load: concurrent clients submit signed events to
//! `accord serve` while the server is killed with SIGKILL at random moments
//! (20 kills, on SQLite and on PostgreSQL). After every restart each
//! acknowledged event is in the log at its acknowledged index, every
//! client's retry of its unacknowledged event is answered (applied or
//! "already applied"), and an audit recomputes the served state.

mod common;

use accord_core::{Event, EventBody, Role};
use accord_log::{Ed25519Signer, NoteSigner as _};
use accord_registry::SignedEvent;
use accord_registry::client::{AuditOptions, Client, ClientError};
use accord_registry::wire::hex;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KILLS: usize = 20;
const CLIENTS: usize = 32;
/// Commitments each lab may publish (the core's per-participant limit).
const COMMITMENTS_PER_LAB: u64 = 256;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accord-crash-{}-{name}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Server {
    child: tokio::process::Child,
    client: Client,
}

async fn start(db: &str, dir: &std::path::Path, secretariat: &Ed25519Signer) -> Server {
    let port = common::free_port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--key")
        .arg(dir.join("registry.key"))
        .args([
            "--secretariat-key",
            &hex(&secretariat.verifier().public_key()),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = Client::new(&format!("http://127.0.0.1:{port}"));
    for _ in 0..400 {
        if client.get_bytes("/v1/state").await.is_ok() {
            return Server { child, client };
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the registry did not start");
}

/// Submits until the registry answers with a receipt; `None` if it is gone.
async fn submit_once(client: &Client, signed: &SignedEvent) -> Option<u64> {
    match client.submit(signed).await {
        Ok(receipt) => Some(receipt["index"].as_u64().unwrap()),
        Err(ClientError::Refused(p)) if p.status == 503 => None,
        Err(ClientError::Transport { .. }) => None,
        Err(other) => panic!("unexpected refusal: {other}"),
    }
}

fn commitment(lab: &str, seq: u64) -> Event {
    Event::new(
        lab,
        seq,
        0,
        EventBody::PublishCommitment {
            commitment: format!("{lab}-c{seq}"),
            text: format!("commitment number {seq}"),
            binding: false,
            beneficiary: None,
            compensation_credits: None,
            revises: None,
        },
    )
}

async fn crash_under_load(db: String, dir: PathBuf) {
    let secretariat = Ed25519Signer::from_seed("secretariat", [1; 32]).unwrap();
    let labs: Vec<Ed25519Signer> = (0..CLIENTS)
        .map(|i| Ed25519Signer::from_seed(&format!("lab-{i}"), [10 + i as u8; 32]).unwrap())
        .collect();
    let acknowledged: Arc<Mutex<BTreeMap<u64, String>>> = Arc::default();
    let mut server = start(&db, &dir, &secretariat).await;

    // Registration, retried through crashes like everything else.
    let mut setup = vec![Event::new(
        "secretariat",
        1,
        0,
        EventBody::Register {
            participant: "secretariat".into(),
            role: Role::Secretariat,
            public_key: hex(&secretariat.verifier().public_key()),
        },
    )];
    for (i, lab) in labs.iter().enumerate() {
        setup.push(Event::new(
            "secretariat",
            i as u64 + 2,
            0,
            EventBody::Register {
                participant: lab.name().to_string(),
                role: Role::Lab,
                public_key: hex(&lab.verifier().public_key()),
            },
        ));
    }
    for event in setup {
        let signed = SignedEvent::sign(event, &secretariat).unwrap();
        let index = submit_once(&server.client, &signed).await.unwrap();
        acknowledged
            .lock()
            .unwrap()
            .insert(index, signed.as_str().to_string());
    }

    // Each lab's next sequence number; its pending event survives crashes.
    let next_seq: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(vec![1; CLIENTS]));
    let mut schedule = ChaCha8Rng::seed_from_u64(20261205);
    for _kill in 0..KILLS {
        let client = server.client.clone();
        let mut tasks = Vec::new();
        for (i, lab) in labs.iter().enumerate() {
            let (client, lab, ack, seqs) = (
                client.clone(),
                lab.clone(),
                acknowledged.clone(),
                next_seq.clone(),
            );
            tasks.push(tokio::spawn(async move {
                loop {
                    let seq = seqs.lock().unwrap()[i];
                    if seq > COMMITMENTS_PER_LAB {
                        return;
                    }
                    let signed = SignedEvent::sign(commitment(lab.name(), seq), &lab).unwrap();
                    let Some(index) = submit_once(&client, &signed).await else {
                        return;
                    };
                    ack.lock()
                        .unwrap()
                        .insert(index, signed.as_str().to_string());
                    seqs.lock().unwrap()[i] = seq + 1;
                }
            }));
        }
        let alive_ms = schedule.random_range(30..300);
        tokio::time::sleep(Duration::from_millis(alive_ms)).await;
        server.child.start_kill().unwrap();
        server.child.wait().await.unwrap();
        for task in tasks {
            task.await.unwrap();
        }
        server = start(&db, &dir, &secretariat).await;
        // Every acknowledged event is in the log, at its index.
        let acked = acknowledged.lock().unwrap().clone();
        for (index, text) in &acked {
            let stored = server
                .client
                .get_text(&format!("/v1/log/entries/{index}"))
                .await
                .unwrap();
            assert_eq!(&stored, text, "acknowledged entry {index} lost or changed");
        }
    }
    // Each lab's unacknowledged event is answered on retry.
    for (i, lab) in labs.iter().enumerate() {
        let seq = next_seq.lock().unwrap()[i].min(COMMITMENTS_PER_LAB);
        let signed = SignedEvent::sign(commitment(lab.name(), seq), lab).unwrap();
        assert!(submit_once(&server.client, &signed).await.is_some());
    }
    let report = server.client.audit(&AuditOptions::default()).await.unwrap();
    let acked = acknowledged.lock().unwrap().len() as u64;
    assert!(
        report.log_size > acked,
        "{} entries, {acked} acknowledged",
        report.log_size
    );
    eprintln!(
        "{acked} acknowledged events across {KILLS} SIGKILLs; the audit replayed {} entries",
        report.log_size
    );
    server.child.start_kill().unwrap();
    server.child.wait().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_sigkill_under_load() {
    let dir = temp_dir("sqlite");
    let db = dir.join("registry.db").display().to_string();
    crash_under_load(db, dir).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_sigkill_under_load() {
    let dir = temp_dir("postgres");
    let base = std::env::var("ACCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let schema = format!("accord_crash_{}", std::process::id());
    crash_under_load(format!("{base}?schema={schema}"), dir).await;
    accord_log::PostgresStorage::connect(&base, Some(&schema))
        .await
        .unwrap()
        .drop_schema()
        .await
        .unwrap();
}
