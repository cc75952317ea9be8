//! The log and witness test suite, run against both storage backends: SQLite
//! (a temporary file) and PostgreSQL (a fresh schema in the local `test`
//! database, dropped afterwards; set `ACCORD_TEST_POSTGRES_URL` to use another
//! server). The PostgreSQL tests fail, not skip, when the server is down.

use accord_log::cosignature::CosignatureSigner;
use accord_log::hash::{Hash, leaf_hash};
use accord_log::log::{LogConfig, LogError};
use accord_log::merkle::{MAX_TREE_SIZE, MemoryTree};
use accord_log::proof::{verify_consistency, verify_inclusion};
use accord_log::storage::{StorageError, WitnessRecord};
use accord_log::tile::{TILE_WIDTH, TileKind, TilePath, decode_bundle, tile_width};
use accord_log::witness::{AddCheckpointRequest, WitnessResponse};
use accord_log::{
    Ed25519Signer, Log, LogReader, PostgresStorage, SqliteStorage, Storage, Witness, WitnessClient,
    WitnessPolicy, WitnessStore,
};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const ORIGIN: &str = "example.org/accord-test-log";

fn signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(ORIGIN, [7; 32]).unwrap()
}

fn entry(i: u64) -> Vec<u8> {
    format!("entry {i}: {}", "x".repeat((i % 37) as usize)).into_bytes()
}

fn temp_path(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "accord-log-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("log.db")
}

fn postgres_url() -> String {
    std::env::var("ACCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A fresh schema; the body's panics are re-raised after the schema is dropped.
async fn with_postgres<F, Fut>(name: &str, body: F)
where
    F: FnOnce(PostgresStorage) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let schema = format!(
        "accord_log_test_{}_{}_{name}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    let url = postgres_url();
    let storage = PostgresStorage::connect(&url, Some(&schema)).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tests need a server at {url} (set ACCORD_TEST_POSTGRES_URL to change it; CI starts one): {e}"
        )
    });
    let outcome = tokio::spawn(body(storage.clone())).await;
    storage.drop_schema().await.expect("drop test schema");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn sqlite(name: &str) -> SqliteStorage {
    SqliteStorage::open(&temp_path(name)).await.unwrap()
}

/// Appends concurrently; checks the indexes; compares everything the log
/// serves with an in-memory reference tree.
async fn appends_and_proofs<S: Storage>(storage: S) {
    Log::create(&storage, &signer()).await.unwrap();
    assert!(matches!(
        Log::create(&storage, &signer()).await,
        Err(LogError::Storage(StorageError::AlreadyExists(_)))
    ));
    let log = Arc::new(
        Log::open(storage.clone(), signer(), LogConfig::default())
            .await
            .unwrap(),
    );
    assert_eq!(log.size(), 0);
    assert_eq!(
        log.checkpoint().checkpoint.root,
        accord_log::hash::empty_root()
    );

    // 40 concurrent writers, 1300 entries: batches cross tile boundaries.
    let mut tasks = Vec::new();
    for w in 0..40u64 {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..30u64 {
                let e = entry(w * 1000 + i);
                got.push((log.append(e.clone()).await.unwrap(), e));
            }
            let many: Vec<Vec<u8>> = (0..25).map(|i| entry(w * 1000 + 500 + i)).collect();
            let range = log.append_all(many.clone()).await.unwrap();
            got.extend(range.zip(many));
            got
        }));
    }
    let mut by_index = vec![Vec::new(); 40 * 55];
    for t in tasks {
        for (index, e) in t.await.unwrap() {
            assert!(
                by_index[index as usize].is_empty(),
                "index {index} given twice"
            );
            by_index[index as usize] = e;
        }
    }
    let n = by_index.len() as u64;
    assert_eq!(log.size(), n);
    let mut tree = MemoryTree::new();
    for e in &by_index {
        tree.push(leaf_hash(e));
    }
    let cp = log.checkpoint().checkpoint;
    assert_eq!((cp.size, cp.root), (n, tree.root(n).unwrap()));

    for size in [1, 2, 3, 255, 256, 257, 511, 512, 1000, n] {
        assert_eq!(log.tree_hash(size).await.unwrap(), tree.root(size).unwrap());
        for index in [0, size / 3, size - 1] {
            let proof = log.inclusion_proof(index, size).await.unwrap();
            assert_eq!(proof, tree.inclusion_proof(index, size).unwrap());
            verify_inclusion(
                index,
                size,
                &leaf_hash(&by_index[index as usize]),
                &proof,
                tree.root(size).unwrap().as_bytes(),
            )
            .unwrap();
        }
        for old in [1, size / 2, size - 1, size] {
            if old == 0 {
                continue;
            }
            let proof = log.consistency_proof(old, size).await.unwrap();
            assert_eq!(proof, tree.consistency_proof(old, size).unwrap());
            verify_consistency(
                old,
                size,
                &proof,
                tree.root(old).unwrap().as_bytes(),
                tree.root(size).unwrap().as_bytes(),
            )
            .unwrap();
        }
    }
    assert!(matches!(
        log.inclusion_proof(0, n + 1).await,
        Err(LogError::BeyondCheckpoint { .. })
    ));
    assert!(log.inclusion_proof(n, n).await.is_err());
    assert!(log.consistency_proof(0, n).await.is_err());

    // Tiles and entry bundles, full and partial.
    for level in 0..2u8 {
        for index in 0..=(n >> (8 * level)) / 256 {
            let width = tile_width(TileKind::Hash(level), index, n);
            if width == 0 {
                continue;
            }
            let data = log
                .tile(&TilePath::hash(level, index, width).unwrap())
                .await
                .unwrap();
            assert_eq!(data.len(), usize::from(width) * 32);
            for (i, h) in data.chunks(32).enumerate() {
                let node = accord_log::merkle::NodeId::new(8 * level, index * 256 + i as u64);
                assert_eq!(Hash::from_slice(h).unwrap(), tree.node(node).unwrap());
            }
            if width > 1 {
                let narrower = log
                    .tile(&TilePath::hash(level, index, width - 1).unwrap())
                    .await
                    .unwrap();
                assert_eq!(narrower, data[..narrower.len()]);
            }
        }
    }
    let bundle = log
        .tile(&TilePath::entries(1, TILE_WIDTH).unwrap())
        .await
        .unwrap();
    let entries = decode_bundle(&bundle, TILE_WIDTH).unwrap();
    assert_eq!(
        entries,
        by_index[256..512]
            .iter()
            .map(Vec::as_slice)
            .collect::<Vec<_>>()
    );
    let last = n / 256;
    let w = (n % 256) as u16;
    assert_eq!(
        decode_bundle(
            &log.tile(&TilePath::entries(last, w).unwrap())
                .await
                .unwrap(),
            w
        )
        .unwrap()
        .len(),
        usize::from(w)
    );
    assert!(
        log.tile(&TilePath::entries(last, w + 1).unwrap())
            .await
            .is_err()
    );
    assert!(
        log.tile(&TilePath::hash(0, last + 1, 1).unwrap())
            .await
            .is_err()
    );
    assert_eq!(log.entry(1234).await.unwrap(), by_index[1234]);
    assert!(log.entry(n).await.is_err());

    // tlog-proof bundles.
    let proof = log.prove_entry(77, Some(b"ctx".to_vec())).await.unwrap();
    let parsed = accord_log::TlogProof::parse(&proof.to_string()).unwrap();
    parsed
        .verify(&leaf_hash(&by_index[77]), ORIGIN, log.verifier(), None)
        .unwrap();
    assert!(
        parsed
            .verify(&leaf_hash(b"other"), ORIGIN, log.verifier(), None)
            .is_err()
    );
    assert!(
        parsed
            .verify(
                &leaf_hash(&by_index[77]),
                "other.origin",
                log.verifier(),
                None
            )
            .is_err()
    );

    // Limits.
    assert!(matches!(
        log.append(vec![0; 65536]).await,
        Err(LogError::EntryTooLarge(65536))
    ));
    assert!(matches!(
        log.append_all(Vec::new()).await,
        Err(LogError::EmptyBatch)
    ));
    assert_eq!(log.append(vec![0; 65535]).await.unwrap(), n);

    // Restart: the state survives and growth stays consistent.
    let before = log.checkpoint().checkpoint;
    Arc::into_inner(log).unwrap().close().await;
    let other = Ed25519Signer::from_seed(ORIGIN, [8; 32]).unwrap();
    assert!(matches!(
        Log::open(storage.clone(), other, LogConfig::default()).await,
        Err(LogError::WrongKey { .. })
    ));
    let log = Log::open(storage.clone(), signer(), LogConfig::default())
        .await
        .unwrap();
    assert_eq!(log.checkpoint().checkpoint, before);
    log.append(b"after restart".to_vec()).await.unwrap();
    let after = log.checkpoint().checkpoint;
    let proof = log
        .consistency_proof(before.size, after.size)
        .await
        .unwrap();
    verify_consistency(
        before.size,
        after.size,
        &proof,
        before.root.as_bytes(),
        after.root.as_bytes(),
    )
    .unwrap();
    log.close().await;
}

/// Two writers on one log: the second is refused at open with a clear
/// error while the first holds the log, and can write once it is closed.
async fn second_writer_is_detected<S: Storage>(storage: S) {
    Log::create(&storage, &signer()).await.unwrap();
    let a = Log::open(storage.clone(), signer(), LogConfig::default())
        .await
        .unwrap();
    let Err(err) = Log::open(storage.clone(), signer(), LogConfig::default()).await else {
        panic!("a second writer opened the log");
    };
    assert!(err.to_string().contains("another process"), "{err}");
    assert_eq!(a.append(b"a0".to_vec()).await.unwrap(), 0);
    a.close().await;
    let b = Log::open(storage.clone(), signer(), LogConfig::default())
        .await
        .unwrap();
    assert_eq!(b.append(b"b1".to_vec()).await.unwrap(), 1);
    let reader = LogReader::open(storage.clone()).await.unwrap();
    assert_eq!(reader.size(), 2);
    assert_eq!(
        reader.entries(0, 2).await.unwrap(),
        vec![b"a0".to_vec(), b"b1".to_vec()]
    );
    b.close().await;
}

/// The witness protocol end to end, with every response code.
async fn witnesses<S: Storage + WitnessStore>(storage: S) {
    Log::create(&storage, &signer()).await.unwrap();
    let log = Log::open(storage.clone(), signer(), LogConfig::default())
        .await
        .unwrap();
    let cosigners: Vec<CosignatureSigner> = (0..3)
        .map(|i| {
            CosignatureSigner::from_seed(&format!("witness.example/w{i}"), [20 + i; 32]).unwrap()
        })
        .collect();
    let mut endpoints = Vec::new();
    for (i, c) in cosigners.iter().enumerate() {
        let mut w = Witness::new(c.clone(), storage.clone());
        // Witness 2 does not know this log.
        if i < 2 {
            w.add_log(ORIGIN, signer().verifier());
        }
        endpoints.push(w);
    }
    let policy = WitnessPolicy::new(cosigners.iter().map(|c| c.verifier()).collect(), 2).unwrap();
    let client = WitnessClient::new(policy.clone(), endpoints).unwrap();

    log.append_all((0..10).map(entry).collect()).await.unwrap();
    let cp10 = log.checkpoint();
    let note = client.cosign(&cp10, &*log).await.unwrap();
    assert_eq!(
        policy.check(&note).unwrap(),
        ["witness.example/w0", "witness.example/w1"]
    );
    log.append_all((10..300).map(entry).collect())
        .await
        .unwrap();
    let cp300 = log.checkpoint();
    let note = client.cosign(&cp300, &*log).await.unwrap();
    assert_eq!(policy.check(&note).unwrap().len(), 2);
    let strict = WitnessPolicy::new(cosigners.iter().map(|c| c.verifier()).collect(), 3).unwrap();
    let err = strict.check(&note).unwrap_err();
    assert!(err.to_string().contains("2 of the required 3"), "{err}");

    // A cosigned bundle verifies under the policy.
    let mut bundle = log.prove_entry(5, None).await.unwrap();
    bundle.checkpoint = note.to_string();
    bundle
        .verify(&leaf_hash(&entry(5)), ORIGIN, log.verifier(), Some(&policy))
        .unwrap();

    // Every response code, on a fresh witness sharing the state.
    let mut w = Witness::new(cosigners[0].clone(), storage.clone());
    w.add_log(ORIGIN, signer().verifier());
    let req = |old: u64, proof: Vec<Hash>, checkpoint: String| {
        AddCheckpointRequest {
            old_size: old,
            proof,
            checkpoint,
        }
        .to_string()
    };
    let cp = cp300.note.to_string();
    assert_eq!(w.add_checkpoint(b"garbage").await.status(), 400);
    assert_eq!(
        w.add_checkpoint(req(301, vec![], cp.clone()).as_bytes())
            .await
            .status(),
        400
    );
    assert_eq!(
        w.add_checkpoint(req(10, vec![], cp.clone()).as_bytes())
            .await,
        WitnessResponse::Conflict(300)
    );
    log.append(b"one more".to_vec()).await.unwrap();
    let cp301 = log.checkpoint();
    let proof = log.consistency_proof(300, 301).await.unwrap();
    let mut bad = proof.clone();
    bad[0].0[0] ^= 1;
    assert_eq!(
        w.add_checkpoint(req(300, bad, cp301.note.to_string()).as_bytes())
            .await
            .status(),
        422
    );
    let forged = cp301.note.to_string().replace(
        &cp301.checkpoint.root.to_base64(),
        &Hash([9; 32]).to_base64(),
    );
    assert_eq!(
        w.add_checkpoint(req(300, proof.clone(), forged).as_bytes())
            .await
            .status(),
        403
    );
    let stranger = Ed25519Signer::from_seed("example.org/other-log", [3; 32]).unwrap();
    let foreign = accord_log::Note::sign(
        &accord_log::Checkpoint::new("example.org/other-log", 1, Hash([1; 32]))
            .unwrap()
            .to_string(),
        &[&stranger],
    )
    .unwrap();
    assert_eq!(
        w.add_checkpoint(req(0, vec![], foreign.to_string()).as_bytes())
            .await
            .status(),
        404
    );
    let ok = w
        .add_checkpoint(req(300, proof, cp301.note.to_string()).as_bytes())
        .await;
    assert_eq!(ok.status(), 200, "{}", ok.body());
    // Same size, another root: 409 (signed by the log key, but a fork).
    let fork = accord_log::Note::sign(
        &accord_log::Checkpoint::new(ORIGIN, 301, Hash([5; 32]))
            .unwrap()
            .to_string(),
        &[&signer()],
    )
    .unwrap();
    assert_eq!(
        w.add_checkpoint(req(301, vec![], fork.to_string()).as_bytes())
            .await,
        WitnessResponse::Conflict(301)
    );
    log.close().await;
}

/// Sizes beyond the tree limit from a witness's client, signed by the
/// trusted log key: refused with 400 before cosigning, nothing stored; the
/// storage itself answers an error, not a panic, for sizes beyond 2^63.
async fn oversized_sizes<S: Storage + WitnessStore>(storage: S) {
    let mut w = Witness::new(
        CosignatureSigner::from_seed("witness.example/w0", [20; 32]).unwrap(),
        storage.clone(),
    );
    w.add_log(ORIGIN, signer().verifier());
    let root = Hash([1; 32]).to_base64();
    for size in [MAX_TREE_SIZE + 1, 1 << 63, u64::MAX] {
        let text = format!("{ORIGIN}\n{size}\n{root}\n");
        let note = accord_log::Note::sign(&text, &[&signer()]).unwrap();
        let request = AddCheckpointRequest {
            old_size: 0,
            proof: vec![],
            checkpoint: note.to_string(),
        };
        let response = w.add_checkpoint(request.to_string().as_bytes()).await;
        assert_eq!(response.status(), 400, "{}", response.body());
        assert!(
            response.body().contains(&size.to_string()),
            "{}",
            response.body()
        );
    }
    assert_eq!(storage.witness_record(ORIGIN).await.unwrap(), None);

    let huge = WitnessRecord {
        size: u64::MAX,
        root: Hash([1; 32]),
        checkpoint: String::new(),
    };
    assert!(matches!(
        storage.witness_swap(ORIGIN, None, &huge).await,
        Err(StorageError::TooLarge {
            value: u64::MAX,
            ..
        })
    ));
    assert!(matches!(
        storage.read_entries(0, u64::MAX).await,
        Err(StorageError::TooLarge {
            value: u64::MAX,
            ..
        })
    ));
    assert!(matches!(
        storage.read_tiles(&[(0, u64::MAX)]).await,
        Err(StorageError::TooLarge {
            value: u64::MAX,
            ..
        })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_oversized_sizes() {
    oversized_sizes(sqlite("oversized").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_oversized_sizes() {
    with_postgres("oversized", oversized_sizes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_appends_and_proofs() {
    appends_and_proofs(sqlite("appends").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_second_writer() {
    second_writer_is_detected(sqlite("writers").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_witnesses() {
    witnesses(sqlite("witness").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_appends_and_proofs() {
    with_postgres("appends", appends_and_proofs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_second_writer() {
    with_postgres("writers", second_writer_is_detected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_witnesses() {
    with_postgres("witness", witnesses).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_storage_is_refused() {
    let path = temp_path("tamper");
    let storage = SqliteStorage::open(&path).await.unwrap();
    Log::create(&storage, &signer()).await.unwrap();
    let log = Log::open(storage.clone(), signer(), LogConfig::default())
        .await
        .unwrap();
    log.append_all((0..600).map(entry).collect()).await.unwrap();
    log.close().await;
    storage.close().await;
    // Rewrite one stored leaf hash behind the log's back.
    let conn = sqlx_tamper(&path).await;
    assert!(conn, "tampering failed");
    let storage = SqliteStorage::open(&path).await.unwrap();
    let err = Log::open(storage, signer(), LogConfig::default())
        .await
        .unwrap_err();
    assert!(matches!(err, LogError::Inconsistent(_)), "{err}");
}

async fn sqlx_tamper(path: &std::path::Path) -> bool {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let done =
        sqlx::query("UPDATE tiles SET data = zeroblob(length(data)) WHERE level = 0 AND idx = 2")
            .execute(&mut conn)
            .await
            .unwrap();
    done.rows_affected() == 1
}
