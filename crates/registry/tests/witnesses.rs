//! Three witnesses on loopback and a registry with a 2-of-3 policy: with
//! all up, and with one down, checkpoints are published cosigned; with two
//! down, appends still succeed but publication stops where it was. Grants
//! and audits check the cosignatures.

use accord_core::{Event, EventBody, Role};
use accord_log::hash::{Hash, leaf_hash};
use accord_log::merkle::MAX_TREE_SIZE;
use accord_log::proof::verify_consistency;
use accord_log::witness::{AddCheckpointRequest, WitnessPolicy};
use accord_log::{AnyStorage, CosignatureSigner, Ed25519Signer, Note, SignedCheckpoint, Witness};
use accord_registry::client::{AuditOptions, Client};
use accord_registry::wire::hex;
use accord_registry::{Registry, RegistryConfig, SignedEvent, Witnessing, verify_grant};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const ORIGIN: &str = "registry.test/witnessed";

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accord-registry-witness-test-{}-{}",
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
    url: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Server {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

async fn start_witness(
    dir: &std::path::Path,
    i: u8,
    log: &Ed25519Signer,
) -> (Server, CosignatureSigner) {
    let signer = CosignatureSigner::from_seed(&format!("witness-{i}.test"), [20 + i; 32]).unwrap();
    let storage = AnyStorage::open(&dir.join(format!("witness-{i}.db")).display().to_string())
        .await
        .unwrap();
    let mut witness = Witness::new(signer.clone(), storage);
    witness.add_log(ORIGIN, log.verifier());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let app = accord_registry::witness::router(Arc::new(witness));
    let task = tokio::spawn(async move {
        accord_registry::witness::serve(listener, app, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (Server { url, stop, task }, signer)
}

async fn state(client: &Client) -> Value {
    client.get_json("/v1/state").await.unwrap()
}

/// Waits until the witnessed size reaches the latest size.
async fn caught_up(client: &Client) -> Value {
    for _ in 0..200 {
        let s = state(client).await;
        if s["witnessed"]["log_size"] == s["log_size"] {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the witnessed checkpoint never caught up: {}",
        state(client).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_of_three_witnesses_publish_and_two_down_stop_publication_not_appends() {
    let dir = temp_dir();
    let log_key = Ed25519Signer::from_seed(ORIGIN, [3; 32]).unwrap();
    std::fs::write(dir.join("registry.key"), log_key.skey()).unwrap();
    let mut witnesses = Vec::new();
    let mut cosigners = Vec::new();
    for i in 0..3 {
        let (server, signer) = start_witness(&dir, i, &log_key).await;
        witnesses.push(server);
        cosigners.push(signer.verifier());
    }
    let policy = WitnessPolicy::new(cosigners.clone(), 2).unwrap();
    let sec = Ed25519Signer::from_seed("secretariat", [1; 32]).unwrap();
    let config = RegistryConfig {
        db: dir.join("registry.db").display().to_string(),
        key_file: dir.join("registry.key"),
        origin: ORIGIN.into(),
        protocol: PROTOCOL.into(),
        secretariat_key: Some(sec.verifier().public_key()),
        witnesses: Some(Witnessing {
            policy: policy.clone(),
            urls: witnesses.iter().map(|w| w.url.clone()).collect(),
            retry: Duration::from_millis(100),
        }),
        channel: None,
    };
    let serve = |registry: Registry| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            accord_registry::serve(listener, registry, 64, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        (base, stop, server)
    };
    let registry = Registry::open(config.clone()).await.unwrap();
    let (base, stop, server) = serve(registry).await;
    let client = Client::new(&base);
    let mut seq = 0;
    let mut submit = |body: EventBody| {
        seq += 1;
        let event = Event::new("secretariat", seq, 0, body);
        let signed = SignedEvent::sign(event, &sec).unwrap();
        let client = client.clone();
        async move { client.submit(&signed).await.unwrap() }
    };
    let register = |id: &str, seed: u8| EventBody::Register {
        participant: id.into(),
        role: Role::Lab,
        public_key: hex(&Ed25519Signer::from_seed(id, [seed; 32])
            .unwrap()
            .verifier()
            .public_key()),
    };
    submit(EventBody::Register {
        participant: "secretariat".into(),
        role: Role::Secretariat,
        public_key: hex(&sec.verifier().public_key()),
    })
    .await;
    submit(register("lab-a", 2)).await;

    // All three up: the published checkpoint carries at least two cosignatures.
    let s = caught_up(&client).await;
    let published = client.get_text("/checkpoint").await.unwrap();
    let checkpoint = SignedCheckpoint::open(&published, ORIGIN, &log_key.verifier()).unwrap();
    assert!(policy.check(&checkpoint.note).unwrap().len() >= 2);
    assert_eq!(s["witnessed"]["checkpoint"], published);
    let grant = client.access("lab-a").await.unwrap();
    verify_grant(&grant, &log_key.verifier(), Some(&policy)).unwrap();
    let other = CosignatureSigner::from_seed("stranger.test", [99; 32]).unwrap();
    let stranger = WitnessPolicy::new(vec![other.verifier()], 1).unwrap();
    assert!(verify_grant(&grant, &log_key.verifier(), Some(&stranger)).is_err());

    // One witness down: k = 2 still publishes.
    witnesses.remove(0).stop().await;
    submit(register("lab-b", 3)).await;
    let s = caught_up(&client).await;
    assert_eq!(s["log_size"], 4);

    // Two down: the append is acknowledged, publication stays where it was.
    witnesses.remove(0).stop().await;
    let receipt = submit(register("lab-c", 4)).await;
    assert_eq!(receipt["index"], 4);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let s = state(&client).await;
    assert_eq!(s["log_size"], 5);
    assert_eq!(s["witnessed"]["log_size"], 4);
    assert!(
        s["witness_failure"]
            .as_str()
            .unwrap()
            .contains("1 of the required 2"),
        "{s}"
    );
    let still = client.get_text("/checkpoint").await.unwrap();
    let witnessed = SignedCheckpoint::open(&still, ORIGIN, &log_key.verifier())
        .unwrap()
        .checkpoint;
    assert_eq!(witnessed.size, 4);
    // A consistency proof without `new` reaches the witnessed checkpoint,
    // not the unwitnessed size 5.
    let get = |path: &str| {
        let url = format!("{base}{path}");
        async move {
            let response = reqwest::get(url).await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, body) = get("/v1/log/consistency?old=1").await;
    assert_eq!(status, 200, "{body}");
    let proof: Vec<Hash> = body
        .lines()
        .map(|l| Hash::from_base64(l).unwrap())
        .collect();
    let genesis = client.get_text("/v1/log/entries/0").await.unwrap();
    verify_consistency(
        1,
        4,
        &proof,
        leaf_hash(genesis.as_bytes()).as_bytes(),
        witnessed.root.as_bytes(),
    )
    .unwrap();
    // Impossible sizes are request errors naming `old`; beyond the log, `new`.
    for (query, status, field) in [
        ("old=0", 400, "old"),
        ("old=0&new=4", 400, "old"),
        ("old=5&new=4", 400, "old"),
        ("old=1&new=6", 404, "new"),
    ] {
        let (got, body) = get(&format!("/v1/log/consistency?{query}")).await;
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (got, problem["field"].as_str()),
            (status, Some(field)),
            "{query}: {body}"
        );
    }
    // The audit checks the witnessed checkpoint and its cosignatures.
    let report = client
        .audit(&AuditOptions {
            registry_key: Some(&log_key.verifier()),
            policy: Some(&policy),
            ..AuditOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(report.log_size, 4);
    let _ = stop.send(());
    server.await.unwrap();

    // Restarted while too few witnesses answer, the registry serves the
    // checkpoint they last cosigned, not nothing.
    let registry = Registry::open(config).await.unwrap();
    let (base, stop, server) = serve(registry).await;
    let client = Client::new(&base);
    let s = state(&client).await;
    assert_eq!(
        (s["log_size"].as_u64(), s["witnessed"]["log_size"].as_u64()),
        (Some(5), Some(4)),
        "{s}"
    );
    assert_eq!(client.get_text("/checkpoint").await.unwrap(), still);
    assert_eq!(client.access("lab-a").await.map(|_| ()).ok(), Some(()));
    let _ = stop.send(());
    server.await.unwrap();
    for w in witnesses {
        w.stop().await;
    }
}

/// A checkpoint whose tree size is beyond the log's limit, validly signed by
/// the log, gets 400 naming the size (it used to panic the witness's handler
/// and drop the connection), and the witness records nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witness_refuses_sizes_beyond_the_tree_limit() {
    let dir = temp_dir();
    let log_key = Ed25519Signer::from_seed(ORIGIN, [3; 32]).unwrap();
    let (witness, _) = start_witness(&dir, 0, &log_key).await;
    let http = reqwest::Client::new();
    for size in [MAX_TREE_SIZE + 1, u64::MAX] {
        let text = format!("{ORIGIN}\n{size}\n{}\n", Hash([1; 32]).to_base64());
        let request = AddCheckpointRequest {
            old_size: 0,
            proof: vec![],
            checkpoint: Note::sign(&text, &[&log_key]).unwrap().to_string(),
        };
        let response = http
            .post(format!("{}/add-checkpoint", witness.url))
            .body(request.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(&size.to_string()), "{body}");
    }
    witness.stop().await;
}
