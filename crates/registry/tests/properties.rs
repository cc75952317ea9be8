//! Property: whatever signed requests arrive — valid or not, well signed or
//! not, in order or replayed, concurrently in one batch or one by one — the
//! state the registry serves is the replay of its log, every refusal is a
//! 4xx problem, and every acknowledged event is in the log at its index.

use accord_core::{Event, EventBody, Role, Verdict};
use accord_log::Ed25519Signer;
use accord_registry::service::Receipt;
use accord_registry::wire::{EVENT_HEADER, hex};
use accord_registry::{Problem, Registry, RegistryConfig, Replica, SignedEvent};
use accord_tlog::note::Note;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
/// `sec` registers itself first; the next four are registered at the start;
/// `ghost` never is.
const NAMES: [&str; 6] = ["sec", "lab-a", "lab-b", "mon-1", "cp", "ghost"];
const AMOUNTS: [u64; 5] = [0, 1, 7, 1000, u64::MAX];

fn signer(name: &str) -> Ed25519Signer {
    let seed = NAMES.iter().position(|n| *n == name).unwrap_or(50) as u8;
    Ed25519Signer::from_seed(name, [seed + 1; 32]).unwrap()
}

/// (event kind, author, sequence offset, amount, how it is signed)
type Step = (u8, usize, u8, usize, u8);

fn steps() -> impl Strategy<Value = Vec<Vec<Step>>> {
    let step = (0..9u8, 0..NAMES.len(), 0..4u8, 0..AMOUNTS.len(), 0..8u8);
    prop::collection::vec(prop::collection::vec(step, 1..5), 1..12)
}

fn body(kind: u8, amount: u64, period: u32, fresh: u64) -> EventBody {
    match kind {
        0 => EventBody::PublishCommitment {
            commitment: format!("c{}", amount % 3),
            text: "a commitment".into(),
            binding: amount % 2 == 1,
            beneficiary: None,
            compensation_credits: None,
            revises: None,
        },
        1 => EventBody::Transfer {
            to: "lab-b".into(),
            amount,
        },
        2 => EventBody::ReportInvestment { amount },
        3 => EventBody::ClosePeriod {},
        4 => EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: period.saturating_sub(1),
            verdict: Verdict::Compliant,
            verified_investment: Some(amount),
            measurements: BTreeMap::new(),
            violated_commitments: Vec::new(),
            cites_reports: Vec::new(),
        },
        5 => EventBody::IssueCredits {
            lab: "lab-a".into(),
            for_period: period.saturating_sub(1),
        },
        6 => EventBody::WithdrawCommitment {
            commitment: "c1".into(),
            reason: "changed course".into(),
        },
        7 => EventBody::Register {
            participant: format!("lab-{fresh}"),
            role: Role::Lab,
            public_key: hex(
                &Ed25519Signer::from_seed("x", [100 + (fresh % 100) as u8; 32])
                    .unwrap()
                    .verifier()
                    .public_key(),
            ),
        },
        _ => EventBody::Fine {
            lab: "lab-a".into(),
            amount,
            reason: "late".into(),
        },
    }
}

/// Index in `NAMES` of the participant the rules expect for `kind`.
fn natural_author(kind: u8, amount: usize) -> usize {
    match kind {
        0 | 2 => 1 + amount % 2,
        1 | 6 => 1,
        4 => 3,
        _ => 0,
    }
}

/// The request text for an event, signed as `how` says: mostly correctly,
/// sometimes with a wrong key or in a non-canonical spelling.
fn request(event: Event, how: u8) -> String {
    let author = event.author.clone();
    match how {
        0 => SignedEvent::sign(event, &Ed25519Signer::from_seed(&author, [99; 32]).unwrap())
            .unwrap()
            .as_str()
            .to_string(),
        1 => {
            let json = event.to_json_line().replacen(',', ", ", 1);
            Note::sign(&format!("{EVENT_HEADER}\n{json}\n"), &[&signer(&author)])
                .unwrap()
                .to_string()
        }
        _ => SignedEvent::sign(event, &signer(&author))
            .unwrap()
            .as_str()
            .to_string(),
    }
}

async fn run(groups: Vec<Vec<Step>>) {
    let dir = std::env::temp_dir().join(format!(
        "accord-registry-prop-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let registry = Registry::open(RegistryConfig {
        db: dir.join("registry.db").display().to_string(),
        key_file: dir.join("registry.key"),
        origin: "registry.test/prop".into(),
        protocol: PROTOCOL.into(),
        secretariat_key: Some(signer("sec").verifier().public_key()),
        witnesses: None,
        channel: None,
    })
    .await
    .unwrap();
    let registry = Arc::new(registry);
    let sec = signer("sec");
    let roles = [
        Role::Secretariat,
        Role::Lab,
        Role::Lab,
        Role::Monitor,
        Role::ComputeProvider,
    ];
    for (i, role) in roles.into_iter().enumerate() {
        let event = Event::new(
            "sec",
            i as u64 + 1,
            0,
            EventBody::Register {
                participant: NAMES[i].into(),
                role,
                public_key: hex(&signer(NAMES[i]).verifier().public_key()),
            },
        );
        registry
            .submit(SignedEvent::sign(event, &sec).unwrap().as_str())
            .await
            .unwrap();
    }
    let mut next_seq: Vec<u64> = vec![6, 1, 1, 1, 1, 1];
    let mut acknowledged = Vec::new();
    let mut fresh = 0;
    for group in groups {
        let period = registry.published().replica.state().period();
        let mut requests = Vec::new();
        for (kind, who, offset, amount, how) in group {
            fresh += 1;
            // Mostly the author the rules expect; now and then anyone.
            let who = if how == 7 {
                who
            } else {
                natural_author(kind, amount)
            };
            let seq = (next_seq[who] + u64::from(offset)).saturating_sub(1).max(1);
            let event = Event::new(
                NAMES[who],
                seq,
                period,
                body(kind, AMOUNTS[amount], period, fresh),
            );
            requests.push((who, seq, request(event, how)));
        }
        // One group is submitted concurrently, so it may share a batch.
        let answers = submit_together(&registry, &requests).await;
        for ((who, seq, text), answer) in requests.into_iter().zip(answers) {
            match answer {
                Ok(receipt) => {
                    next_seq[who] = next_seq[who].max(seq + 1);
                    if !receipt.already_applied {
                        acknowledged.push((receipt.index, text));
                    }
                }
                Err(problem) => {
                    assert!((400..500).contains(&problem.status), "{problem}");
                }
            }
        }
    }
    let (size, genesis, served_hash) = {
        let published = registry.published();
        (
            published.replica.log_size(),
            published.replica.genesis().clone(),
            published.state_hash().to_string(),
        )
    };
    let entries = registry.log().entries(0, size).await.unwrap();
    for (index, text) in &acknowledged {
        assert_eq!(&entries[*index as usize], text.as_bytes());
    }
    let replayed = Replica::replay(genesis, entries[1..].iter().map(Vec::as_slice)).unwrap();
    assert_eq!(replayed.log_size(), size);
    assert_eq!(replayed.state().state_hash(), served_hash);
    Arc::try_unwrap(registry).ok().unwrap().close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Submits a group at once, so the writer may take it as one batch.
async fn submit_together(
    registry: &Arc<Registry>,
    requests: &[(usize, u64, String)],
) -> Vec<Result<Receipt, Problem>> {
    let tasks: Vec<_> = requests
        .iter()
        .map(|(_, _, text)| {
            let (registry, text) = (registry.clone(), text.clone());
            tokio::spawn(async move { registry.submit(&text).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_served_state_is_the_replay_of_the_log(groups in steps()) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(groups));
    }
}
