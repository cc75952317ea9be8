//! The registry end to end over HTTP on loopback, on SQLite and on
//! PostgreSQL with the same suite: signed submissions and every kind of
//! refusal (each leaves the log and the state as they were), retries,
//! access grants verified offline, restart from the log, and audits that
//! catch a changed log and a rewritten history.

mod common;

use accord_core::{Event, EventBody, Role};
use accord_log::{Ed25519Signer, NoteSigner as _};
use accord_registry::client::{AuditOptions, Client, ClientError};
use accord_registry::wire::{EVENT_HEADER, hex, sign_statement};
use accord_registry::{Registry, RegistryConfig, SignedEvent, Witnessing, verify_grant};
use accord_tlog::note::{Ed25519Verifier, Note};
use common::{Store, key, serve};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const ORIGIN: &str = "registry.test/log";

/// A registry served on a loopback port.
struct Running {
    client: Client,
    url: String,
    vkey: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

async fn start(store: &Store) -> Running {
    start_with(store, None).await
}

async fn start_with(store: &Store, witnesses: Option<Witnessing>) -> Running {
    start_on(store, witnesses, PROTOCOL).await
}

/// The configuration of the test registry kept in `store`, without the
/// secretariat's key (only a new registry needs it).
fn config(store: &Store, protocol: &str) -> RegistryConfig {
    RegistryConfig {
        db: store.db.clone(),
        key_file: store.dir.join("registry.key"),
        origin: ORIGIN.into(),
        protocol: protocol.into(),
        secretariat_key: None,
        witnesses: None,
        channel: None,
    }
}

async fn start_on(store: &Store, witnesses: Option<Witnessing>, protocol: &str) -> Running {
    let registry = Registry::open(RegistryConfig {
        secretariat_key: Some(key("secretariat", 1).verifier().public_key()),
        witnesses,
        ..config(store, protocol)
    })
    .await
    .unwrap();
    let vkey = registry.log().verifier().vkey();
    let served = serve(registry, 64).await;
    Running {
        client: served.client,
        url: served.url,
        vkey,
        stop: served.stop,
        task: served.task,
    }
}

impl Running {
    async fn shutdown(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }

    async fn summary(&self) -> (u64, String) {
        let s: Value = self.client.get_json("/v1/state").await.unwrap();
        (
            s["log_size"].as_u64().unwrap(),
            s["state_hash"].as_str().unwrap().to_string(),
        )
    }

    async fn submit(
        &self,
        signer: &Ed25519Signer,
        seq: u64,
        period: u32,
        body: EventBody,
    ) -> Result<Value, ClientError> {
        let event = Event::new(signer.name(), seq, period, body);
        self.client
            .submit(&SignedEvent::sign(event, signer).unwrap())
            .await
    }

    /// Submits a request that must be refused with `status` and `rule`,
    /// and checks that nothing changed.
    async fn refused(&self, body: String, status: u16, rule: &str) -> Value {
        let before = self.summary().await;
        let response = reqwest_post(&self.url, body).await;
        assert_eq!(response.0, status, "{}", response.1);
        assert_eq!(response.2.as_deref(), Some("application/problem+json"));
        let problem: Value = serde_json::from_str(&response.1).unwrap();
        assert_eq!(problem["rule"], rule, "{problem}");
        assert_eq!(problem["status"], status);
        assert_eq!(problem["type"], format!("urn:accord:registry:{rule}"));
        assert_eq!(
            self.summary().await,
            before,
            "a refusal changed the registry"
        );
        problem
    }
}

async fn reqwest_post(url: &str, body: String) -> (u16, String, Option<String>) {
    let response = reqwest::Client::new()
        .post(format!("{url}/v1/events"))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    (status, response.text().await.unwrap(), content_type)
}

fn register(participant: &str, role: Role, key: &Ed25519Signer) -> EventBody {
    EventBody::Register {
        participant: participant.into(),
        role,
        public_key: hex(&key.verifier().public_key()),
    }
}

fn signed_text(event: Event, signer: &Ed25519Signer) -> String {
    SignedEvent::sign(event, signer)
        .unwrap()
        .as_str()
        .to_string()
}

/// Secretariat, two labs, a monitor and a compute provider.
async fn populate(r: &Running) {
    let sec = key("secretariat", 1);
    let receipt = r
        .submit(&sec, 1, 0, register("secretariat", Role::Secretariat, &sec))
        .await
        .unwrap();
    assert_eq!(receipt["index"], 1, "entry 0 is the genesis");
    for (seq, (id, role, seed)) in [
        ("lab-a", Role::Lab, 2),
        ("lab-b", Role::Lab, 3),
        ("monitor-1", Role::Monitor, 4),
        ("provider-1", Role::ComputeProvider, 5),
    ]
    .into_iter()
    .enumerate()
    {
        r.submit(&sec, seq as u64 + 2, 0, register(id, role, &key(id, seed)))
            .await
            .unwrap();
    }
}

async fn submissions_and_refusals(store: Store) {
    let r = start(&store).await;
    let sec = key("secretariat", 1);
    let lab_a = key("lab-a", 2);

    // The first event must be signed with the genesis key.
    let impostor = key("secretariat", 9);
    r.refused(
        signed_text(
            Event::new(
                "secretariat",
                1,
                0,
                register("secretariat", Role::Secretariat, &impostor),
            ),
            &impostor,
        ),
        401,
        "bad-signature",
    )
    .await;
    populate(&r).await;

    let commitment = |seq| {
        Event::new(
            "lab-a",
            seq,
            0,
            EventBody::PublishCommitment {
                commitment: format!("c{seq}"),
                text: "publish a safety framework".into(),
                binding: false,
                beneficiary: None,
                compensation_credits: None,
                revises: None,
            },
        )
    };
    let first = r
        .client
        .submit(&SignedEvent::sign(commitment(1), &lab_a).unwrap())
        .await
        .unwrap();
    let index = first["index"].as_u64().unwrap();
    assert_eq!(first["already_applied"], false);

    // A retry of the same signed event is answered with its index.
    let retry = r
        .client
        .submit(&SignedEvent::sign(commitment(1), &lab_a).unwrap())
        .await
        .unwrap();
    assert_eq!(retry["index"], index);
    assert_eq!(retry["already_applied"], true);

    // Bad signature: the right name, another key.
    r.refused(
        signed_text(commitment(2), &key("lab-a", 99)),
        401,
        "bad-signature",
    )
    .await;
    // Unknown author.
    let ghost = key("ghost", 42);
    r.refused(
        signed_text(Event::new("ghost", 1, 0, EventBody::ClosePeriod {}), &ghost),
        401,
        "unknown-author",
    )
    .await;
    // Wrong role for the event type.
    let p = r
        .refused(
            signed_text(Event::new("lab-a", 2, 0, EventBody::ClosePeriod {}), &lab_a),
            403,
            "wrong-role",
        )
        .await;
    assert_eq!(p["field"], "event.type");
    // Same sequence number, different content; then a lower one.
    let mut conflicting = commitment(1);
    if let EventBody::PublishCommitment { text, .. } = &mut conflicting.body {
        *text = "something else".into();
    }
    r.refused(signed_text(conflicting, &lab_a), 409, "id-conflict")
        .await;
    let later = r
        .client
        .submit(&SignedEvent::sign(commitment(5), &lab_a).unwrap())
        .await
        .unwrap();
    assert!(later["index"].as_u64().unwrap() > index);
    r.refused(signed_text(commitment(3), &lab_a), 409, "out-of-order")
        .await;
    // An event for another period.
    let mut wrong_period = commitment(6);
    wrong_period.period = 4;
    let p = r
        .refused(signed_text(wrong_period, &lab_a), 409, "wrong-period")
        .await;
    assert_eq!(p["field"], "event.period");
    // The rules refuse: lab-a holds no credits.
    let p = r
        .refused(
            signed_text(
                Event::new(
                    "lab-a",
                    7,
                    0,
                    EventBody::Transfer {
                        to: "lab-b".into(),
                        amount: 5,
                    },
                ),
                &lab_a,
            ),
            422,
            "insufficient-credits",
        )
        .await;
    assert!(p["detail"].as_str().unwrap().contains("lab-a"), "{p}");
    // A participant the rules do not know is named by the event's field.
    let p = r
        .refused(
            signed_text(
                Event::new(
                    "lab-a",
                    7,
                    0,
                    EventBody::Transfer {
                        to: "nobody".into(),
                        amount: 5,
                    },
                ),
                &lab_a,
            ),
            422,
            "unknown-participant",
        )
        .await;
    assert_eq!(p["field"], "event.to");
    // Malformed, another spelling of an event, two signatures, oversized.
    r.refused("hello".into(), 400, "malformed").await;
    let spelled = r#"{"seq":8,"author":"lab-a","period":0,"type":"close_period"}"#;
    let note = Note::sign(&format!("{EVENT_HEADER}\n{spelled}\n"), &[&lab_a]).unwrap();
    r.refused(note.to_string(), 400, "not-canonical").await;
    let json = Event::new("lab-a", 8, 0, EventBody::ClosePeriod {}).to_json_line();
    let twice = Note::sign(&format!("{EVENT_HEADER}\n{json}\n"), &[&lab_a, &sec]).unwrap();
    r.refused(twice.to_string(), 401, "signers").await;
    let p = r.refused("x".repeat(70_000), 413, "too-large").await;
    assert_eq!(p["field"], "body");
    let unknown_field = r#"{"author":"lab-a","seq":8,"period":0,"type":"close_period","extra":1}"#;
    let note = Note::sign(&format!("{EVENT_HEADER}\n{unknown_field}\n"), &[&lab_a]).unwrap();
    r.refused(note.to_string(), 400, "malformed").await;

    // The history: filtered, in log order, each entry as logged.
    let page: Value = r
        .client
        .get_json("/v1/events?author=lab-a&type=publish_commitment")
        .await
        .unwrap();
    let commitments: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["commitment"].as_str().unwrap())
        .collect();
    assert_eq!(commitments, ["c1", "c5"]);
    for e in page["events"].as_array().unwrap() {
        let logged = r
            .client
            .get_text(&format!("/v1/log/entries/{}", e["index"]))
            .await
            .unwrap();
        assert_eq!(e["signed"], logged);
    }
    let about: Value = r
        .client
        .get_json("/v1/events?about=monitor-1")
        .await
        .unwrap();
    assert_eq!(about["events"].as_array().unwrap().len(), 1);
    assert_eq!(about["events"][0]["event"]["type"], "register");
    assert_eq!(about["next"], Value::Null);

    // Unknown endpoints and labs are problems too.
    match r.client.get_bytes("/v1/nothing").await {
        Err(ClientError::Refused(p)) => assert_eq!(p.status, 404),
        other => panic!("expected a 404 problem, got {other:?}"),
    }
    // A misspelt filter is refused, naming it, not read as "no such events".
    match r.client.get_bytes("/v1/events?autor=lab-a").await {
        Err(ClientError::Refused(p)) => {
            assert_eq!((p.status, p.field.as_deref()), (400, Some("autor")), "{p}")
        }
        other => panic!("expected a 400 problem, got {other:?}"),
    }
    // So is a misspelt event type (an outside review found it answered
    // with an empty page).
    match r
        .client
        .get_bytes("/v1/events?type=publish-commitment")
        .await
    {
        Err(ClientError::Refused(p)) => {
            assert_eq!((p.status, p.field.as_deref()), (400, Some("type")), "{p}")
        }
        other => panic!("expected a 400 problem, got {other:?}"),
    }
    // A proof, an entry or a consistency proof beyond the log names the
    // request field that asked for it.
    for (path, field) in [
        ("/v1/log/proof/1000000", "index"),
        ("/v1/log/entries/1000000", "index"),
        ("/v1/log/consistency?old=1&new=1000000", "new"),
    ] {
        match r.client.get_bytes(path).await {
            Err(ClientError::Refused(p)) => {
                assert_eq!(
                    (p.status, p.field.as_deref()),
                    (404, Some(field)),
                    "{path}: {p}"
                )
            }
            other => panic!("{path}: expected a 404 problem, got {other:?}"),
        }
    }

    // A lab that left may only claim: anything else is refused, naming it.
    let lab_b = key("lab-b", 3);
    r.submit(
        &lab_b,
        1,
        0,
        EventBody::Leave {
            reason: "moving abroad".into(),
        },
    )
    .await
    .unwrap();
    let p = r
        .refused(
            signed_text(
                Event::new(
                    "lab-b",
                    2,
                    0,
                    EventBody::PublishCommitment {
                        commitment: "back".into(),
                        text: "we are back".into(),
                        binding: false,
                        beneficiary: None,
                        compensation_credits: None,
                        revises: None,
                    },
                ),
                &lab_b,
            ),
            403,
            "left",
        )
        .await;
    assert_eq!(p["field"], "event.author");
    let record: Value = r.client.get_json("/v1/labs/lab-b").await.unwrap();
    assert_eq!(record["left_in_period"], 0, "{record}");
    assert_eq!(record["access"]["allowed"], false, "{record}");
    r.shutdown().await;
    store.wipe().await;
}

async fn grants_restart_and_audit(store: Store) {
    let r = start(&store).await;
    populate(&r).await;
    let sec = key("secretariat", 1);
    r.submit(
        &sec,
        6,
        0,
        EventBody::SanctionDecision {
            lab: "lab-b".into(),
            action: accord_core::event::SanctionAction::Escalate,
            cause: "missed report".into(),
        },
    )
    .await
    .unwrap();

    // A grant verifies offline with the registry's key alone.
    let verifier = Ed25519Verifier::from_vkey(&r.vkey).unwrap();
    let grant = r.client.access("lab-a").await.unwrap();
    let statement = verify_grant(&grant, &verifier, None).unwrap();
    assert_eq!(statement.lab, "lab-a");
    assert!(!statement.allowed, "lab-a holds no credits yet");
    assert!(!statement.reasons.is_empty());
    let (size, hash) = r.summary().await;
    assert_eq!(
        (statement.log_size, statement.state_hash.clone()),
        (size, hash.clone())
    );
    let grant_b = r.client.access("lab-b").await.unwrap();
    let statement_b = verify_grant(&grant_b, &verifier, None).unwrap();
    assert!(grant_b.evidence.len() >= 2, "registration and the sanction");
    assert!(!statement_b.allowed);
    // A changed statement, a foreign key, evidence about another lab: refused.
    let mut forged = grant.clone();
    forged.statement = forged
        .statement
        .replace("\"allowed\":false", "\"allowed\":true");
    assert!(verify_grant(&forged, &verifier, None).is_err());
    assert!(verify_grant(&grant, &key(ORIGIN, 77).verifier(), None).is_err());
    let mut mixed = grant.clone();
    mixed.evidence = grant_b.evidence.clone();
    assert!(verify_grant(&mixed, &verifier, None).is_err());
    assert!(r.client.access("nobody").await.is_err());

    // Audit, remembering the checkpoint.
    let known = store.dir.join("audited.checkpoint");
    let report = r
        .client
        .audit(&AuditOptions {
            registry_key: Some(&verifier),
            known: Some(&known),
            ..AuditOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(report.log_size, size);
    assert_eq!(report.state_hash, hash);
    assert_eq!(report.consistent_with, None);

    // The audit recomputes grants: honest ones pass; one the registry's key
    // signed with a decision the log does not give is caught.
    let honest = [grant.clone(), grant_b.clone()];
    let options = AuditOptions {
        registry_key: Some(&verifier),
        grants: &honest,
        ..AuditOptions::default()
    };
    assert_eq!(r.client.audit(&options).await.unwrap().grants_checked, 2);
    let log_key = std::fs::read_to_string(store.dir.join("registry.key")).unwrap();
    let log_key = Ed25519Signer::from_skey(log_key.trim()).unwrap();
    let mut lie = statement.clone();
    lie.allowed = true;
    lie.reasons.clear();
    let mut signed_lie = grant.clone();
    signed_lie.statement = sign_statement(&lie, &log_key);
    verify_grant(&signed_lie, &verifier, None).expect("well signed");
    let lies = [signed_lie];
    let options = AuditOptions {
        registry_key: Some(&verifier),
        grants: &lies,
        ..AuditOptions::default()
    };
    let error = r.client.audit(&options).await.unwrap_err();
    assert!(error.to_string().contains("says allowed = true"), "{error}");

    // Restart: the same state from the log alone.
    r.shutdown().await;
    if store.schema.is_none() {
        // A clean stop folds SQLite's journal into the file: a copy of the
        // file alone is the whole registry.
        let journal = std::fs::metadata(format!("{}-wal", store.db));
        assert!(journal.is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound));
    }
    let r = start(&store).await;
    assert_eq!(r.summary().await, (size, hash.clone()));
    r.submit(
        &key("lab-a", 2),
        1,
        0,
        EventBody::ReportInvestment { amount: 10 },
    )
    .await
    .unwrap();
    let report = r
        .client
        .audit(&AuditOptions {
            registry_key: Some(&verifier),
            known: Some(&known),
            ..AuditOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(report.consistent_with, Some(size));
    assert_eq!(report.log_size, size + 1);

    // An entry changed in the database behind the log's back is caught.
    r.tamper_entry(&store).await;
    let error = r
        .client
        .audit(&AuditOptions {
            registry_key: Some(&verifier),
            ..AuditOptions::default()
        })
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("do not hash to the checkpoint"),
        "{error}"
    );
    r.shutdown().await;
    // Restarted on the tampered database, the registry refuses to serve it
    // (an outside review found it serving, signing and appending).
    let error = Registry::open(config(&store, PROTOCOL))
        .await
        .err()
        .expect("a tampered log is refused");
    assert!(
        error.to_string().contains("do not hash to the root"),
        "{error}"
    );

    // A history rewritten with the same key (the operator starts over and
    // leaves out the sanction) is caught by an auditor who saw the old one.
    store.wipe().await;
    let r = start(&store).await;
    populate(&r).await;
    for seq in 6..9 {
        r.submit(
            &sec,
            seq,
            0,
            EventBody::PublishCommitment {
                commitment: format!("c{seq}"),
                text: "filler".into(),
                binding: false,
                beneficiary: None,
                compensation_credits: None,
                revises: None,
            },
        )
        .await
        .unwrap();
    }
    let error = r
        .client
        .audit(&AuditOptions {
            registry_key: Some(&verifier),
            known: Some(&known),
            ..AuditOptions::default()
        })
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("forked") || error.to_string().contains("does not extend"),
        "{error}"
    );
    r.shutdown().await;
    store.wipe().await;
}

impl Running {
    async fn tamper_entry(&self, store: &Store) {
        // Swap the bytes of entry 3 for those of entry 4: each is a validly
        // signed event, but the tree no longer matches.
        store
            .tamper(
                "UPDATE entries SET data = (SELECT data FROM entries WHERE idx = 4) WHERE idx = 3",
            )
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_submissions_and_refusals() {
    submissions_and_refusals(Store::sqlite("refusals")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_submissions_and_refusals() {
    submissions_and_refusals(Store::postgres("refusals")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_grants_restart_and_audit() {
    grants_restart_and_audit(Store::sqlite("grants")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_grants_restart_and_audit() {
    grants_restart_and_audit(Store::postgres("grants")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_registry_needs_the_secretariat_key_and_keeps_its_protocol() {
    let store = Store::sqlite("config");
    let config = config(&store, PROTOCOL);
    let error = Registry::open(config.clone()).await.err().unwrap();
    assert!(error.to_string().contains("--secretariat-key"), "{error}");
    let r = start(&store).await;
    r.shutdown().await;
    // An existing log with a key file that is not there: refused, and no
    // stray key is made.
    let missing = store.dir.join("other.key");
    let error = Registry::open(RegistryConfig {
        key_file: missing.clone(),
        ..config.clone()
    })
    .await
    .err()
    .unwrap();
    assert!(error.to_string().contains("--key"), "{error}");
    assert!(!missing.exists());
    let other = RegistryConfig {
        protocol: include_str!("../../../examples/protocols/minimal.toml").into(),
        ..config
    };
    let error = Registry::open(other).await.err().unwrap();
    assert!(
        error.to_string().contains("runs the protocol with SHA-256"),
        "{error}"
    );
}

/// A close that leaves a lab short of its surrender obligation (rule 15a)
/// is evidence in the lab's grant: the debt it created is why the lab is
/// denied (an outside review found the grant citing only the lab's own
/// events).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_surrender_shortfall_is_evidence_of_the_denial() {
    let store = Store::sqlite("surrender");
    let protocol = PROTOCOL.replace("[credits]\n", "[credits]\nsurrender_per_period = 10\n");
    assert_ne!(protocol, PROTOCOL);
    let r = start_on(&store, None, &protocol).await;
    populate(&r).await;
    let sec = key("secretariat", 1);
    let close = r
        .submit(&sec, 6, 0, EventBody::ClosePeriod {})
        .await
        .unwrap();
    let close_index = close["index"].as_u64().unwrap();
    let verifier = Ed25519Verifier::from_vkey(&r.vkey).unwrap();
    let grant = r.client.access("lab-a").await.unwrap();
    let statement = verify_grant(&grant, &verifier, None).unwrap();
    assert!(!statement.allowed);
    assert!(
        grant.evidence.iter().any(|e| e.index == close_index),
        "the close at {close_index} is not among {:?}",
        grant.evidence.iter().map(|e| e.index).collect::<Vec<_>>()
    );
    r.shutdown().await;
    store.wipe().await;
}

/// The API publishes the leaderboard only where the protocol does, as the
/// pages do (an outside review found it served regardless).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leaderboard_is_served_only_where_the_protocol_publishes_it() {
    for (enabled, name) in [(true, "board-on"), (false, "board-off")] {
        let store = Store::sqlite(name);
        let protocol = PROTOCOL.replace(
            "[leaderboard]\nenabled = true\n",
            &format!("[leaderboard]\nenabled = {enabled}\n"),
        );
        let r = start_on(&store, None, &protocol).await;
        populate(&r).await;
        let board: Value = r.client.get_json("/v1/leaderboard").await.unwrap();
        assert_eq!(board["published"], enabled, "{board}");
        let rows = board["leaderboard"].as_array().unwrap();
        assert_eq!(rows.is_empty(), !enabled, "{board}");
        r.shutdown().await;
        store.wipe().await;
    }
}

/// Requests beyond the in-flight limit are answered 503 at once, whatever
/// the held ones do (here: send headers promising a body and then nothing);
/// once they go, the registry answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_in_flight_limit_are_refused_not_queued() {
    use tokio::io::AsyncWriteExt;
    let store = Store::sqlite("bounded");
    let registry = Registry::open(RegistryConfig {
        db: store.db.clone(),
        key_file: store.dir.join("registry.key"),
        origin: ORIGIN.into(),
        protocol: PROTOCOL.into(),
        secretariat_key: Some(key("secretariat", 1).verifier().public_key()),
        witnesses: None,
        channel: None,
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        accord_registry::serve(listener, registry, 2, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(
                b"POST /v1/events HTTP/1.1\r\nhost: x\r\ncontent-length: 60000\r\n\r\npartial",
            )
            .await
            .unwrap();
        stalled.push(stream);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let client = Client::new(&format!("http://{address}"));
    match client.get_bytes("/v1/state").await {
        Err(ClientError::Refused(p)) => {
            assert_eq!((p.status, p.rule.as_str()), (503, "overloaded"))
        }
        other => panic!("expected 503 overloaded, got {other:?}"),
    }
    drop(stalled);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let summary: Value = client.get_json("/v1/state").await.unwrap();
    assert_eq!(summary["log_size"], 1);
    let _ = stop.send(());
    task.await.unwrap();
}
