//! The registry service: one writer task that admits signed events through
//! the [`Replica`] and appends them to the transparency log, and readers
//! that serve the state as of the latest durable log size.
//!
//! Guarantees:
//!
//! * **The log is the source of truth.** On start the registry replays the
//!   log from its genesis through the core; nothing else is stored. A state
//!   that the log cannot reproduce is refused, not served.
//! * **Acknowledged means durable.** A submission's reply carries its log
//!   index only after the log committed the entry (one fsync per batch).
//! * **Readers see only durable state.** The writer publishes a snapshot
//!   after each committed batch; reads never see an event that could still
//!   be lost.
//! * **A failed append changes nothing.** If the log cannot commit a batch,
//!   every event in it is refused with 503 and the writer rebuilds its
//!   replica from what the log holds.

use crate::replica::{Admitted, ReplayError, Replica};
use crate::wire::{
    AccessGrant, Evidence, Genesis, GrantStatement, Problem, SignedEvent, WireError, sign_statement,
};
use crate::witness::HttpWitness;
use accord_core::Effect;
use accord_log::log::MAX_READ_ENTRIES;
use accord_log::witness::{WitnessClient, WitnessPolicy};
use accord_log::{
    AnyStorage, Checkpoint, Ed25519Signer, Log, LogConfig, LogError, SignedCheckpoint, TlogProof,
};
use accord_tlog::hash::leaf_hash;
use accord_tlog::merkle::Frontier;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// Most submissions the writer admits into one log batch.
pub const MAX_SUBMISSIONS_PER_BATCH: usize = 1024;
/// Submissions waiting for the writer before new ones get 503.
pub const SUBMISSION_QUEUE: usize = 4096;

/// How to start a registry.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// SQLite file, or `postgres://…` URL (with optional `?schema=NAME`).
    pub db: String,
    /// The log's secret key file (C2SP signer key); created on first start.
    pub key_file: PathBuf,
    /// Log origin and key name for a new key.
    pub origin: String,
    /// The protocol file's text.
    pub protocol: String,
    /// Public key of the first secretariat (needed for a new registry).
    pub secretariat_key: Option<[u8; 32]>,
    /// Witnesses that must cosign a checkpoint before it is published.
    pub witnesses: Option<Witnessing>,
    /// The whistleblower channel, if this registry runs one.
    pub channel: Option<crate::channel::ChannelConfig>,
}

/// The registry's witnesses: a k-of-n policy and each witness's URL
/// (`urls[i]` serves `policy.witnesses()[i]`).
#[derive(Debug, Clone)]
pub struct Witnessing {
    /// Which cosignatures a published checkpoint needs.
    pub policy: WitnessPolicy,
    /// Base URLs of the witnesses, in the policy's order.
    pub urls: Vec<String>,
    /// Wait before asking again after a round without a quorum.
    pub retry: Duration,
}

/// Why the registry could not start or continue.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The log failed.
    #[error("transparency log")]
    Log(#[from] LogError),
    /// The stored log does not replay.
    #[error("the stored log does not replay through the protocol core; refusing to serve it")]
    Replay(#[from] ReplayError),
    /// The stored entries are not the ones the log's checkpoint commits to.
    #[error(
        "the {size} stored entries do not hash to the root of the log's checkpoint: an entry was changed outside the registry; refusing to serve it (restore the database from a backup)"
    )]
    Tampered {
        /// Entries stored.
        size: u64,
    },
    /// Bad configuration or key file.
    #[error("{0}")]
    Config(String),
}

/// Reply to an accepted submission.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Receipt {
    /// The event's log index (durable).
    pub index: u64,
    /// True when this was a retry of an event applied before.
    pub already_applied: bool,
    /// The event's effects (empty for a retry).
    #[schemars(with = "Vec<serde_json::Map<String, serde_json::Value>>")]
    pub effects: Vec<Effect>,
}

/// What readers see: the replica as of a durable log size, and the signed
/// checkpoint of exactly that size (with the witnesses' cosignatures, for
/// a witnessed one).
#[derive(Debug)]
pub struct Published {
    /// The folded state.
    pub replica: Replica,
    /// Signed checkpoint of size `replica.log_size()`.
    pub checkpoint: SignedCheckpoint,
    /// The state hash, computed once per published size when first asked.
    hash: OnceLock<String>,
    /// The whole state as JSON, serialised once per published size.
    full: OnceLock<axum::body::Bytes>,
}

impl Published {
    fn new(replica: Replica, checkpoint: SignedCheckpoint) -> Self {
        Self {
            replica,
            checkpoint,
            hash: OnceLock::new(),
            full: OnceLock::new(),
        }
    }

    /// The checkpoint's note text.
    pub fn checkpoint_text(&self) -> String {
        self.checkpoint.note.to_string()
    }

    /// The state hash (serialising a large state is costly, so it is
    /// computed at most once per published size).
    pub fn state_hash(&self) -> &str {
        self.hash.get_or_init(|| self.replica.state().state_hash())
    }

    /// The `/v1/state/full` body, serialised at most once per published
    /// size (concurrent readers share one copy).
    pub fn full_json(&self) -> axum::body::Bytes {
        self.full
            .get_or_init(|| {
                let view = crate::views::FullState {
                    log_size: self.replica.log_size(),
                    state: self.replica.state(),
                };
                serde_json::to_vec(&view)
                    .expect("the state serialises")
                    .into()
            })
            .clone()
    }
}

/// A view of published state: the latest durable one (borrowed under its
/// lock; do not hold across an `.await`) or a frozen witnessed snapshot.
pub enum View<'a> {
    /// The latest durable state.
    Latest(RwLockReadGuard<'a, Published>),
    /// A witnessed snapshot.
    Witnessed(Arc<Published>),
}

impl std::ops::Deref for View<'_> {
    type Target = Published;
    fn deref(&self) -> &Published {
        match self {
            View::Latest(guard) => guard,
            View::Witnessed(snapshot) => snapshot,
        }
    }
}

struct Submission {
    signed: SignedEvent,
    signature_checked: bool,
    reply: oneshot::Sender<Result<Receipt, Problem>>,
}

struct Shared {
    log: Log<AnyStorage>,
    signer: Ed25519Signer,
    /// The latest durable state, with the log's own checkpoint. The writer
    /// applies each committed batch to it again (applying is cheaper than
    /// cloning a large state per batch).
    latest: RwLock<Published>,
    /// The latest durable size, for the publisher.
    durable_size: watch::Sender<u64>,
    /// The latest state whose checkpoint met the witness policy (`None`
    /// before the first one); unused without witnesses.
    witnessed: RwLock<Option<Arc<Published>>>,
    /// Why the last cosigning round failed, if it did.
    witness_failure: RwLock<Option<String>>,
    witnessing: bool,
}

/// A running registry.
pub struct Registry {
    shared: Arc<Shared>,
    channel: Option<crate::channel::Channel>,
    /// An `accord evaluate` report shown beside the live state.
    evaluation: Option<crate::EvaluationReport>,
    queue: mpsc::Sender<Submission>,
    writer: JoinHandle<()>,
    publisher: Option<JoinHandle<()>>,
}

fn load_or_create_key(path: &Path, origin: &str) -> Result<Ed25519Signer, RegistryError> {
    let config = |m: String| RegistryError::Config(m);
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| config(format!("cannot read the log key {}: {e}", path.display())))?;
        return Ed25519Signer::from_skey(text.trim())
            .map_err(|e| config(format!("{}: not a log signing key: {e}", path.display())));
    }
    let signer = Ed25519Signer::generate(origin)
        .map_err(|e| config(format!("cannot generate a log key named {origin:?}: {e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| config(format!("cannot create the log key {}: {e}", path.display())))?;
    std::io::Write::write_all(&mut file, format!("{}\n", signer.skey()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| config(format!("cannot write the log key {}: {e}", path.display())))?;
    Ok(signer)
}

/// Reads the genesis and folds every later entry of the log, checking that
/// the entries hash to the root of the log's checkpoint: an entry changed in
/// the database outside the registry is refused, not served. With `kept`, a
/// checkpoint the log signed earlier, also returns the state at its size,
/// and refuses the log if that checkpoint's root is not the log's then.
async fn replay(
    log: &Log<AnyStorage>,
    kept: Option<&Checkpoint>,
) -> Result<(Replica, Option<Replica>), RegistryError> {
    let size = log.size();
    let genesis_entry = log.entry(0).await?;
    let mut tree = Frontier::new();
    let mut at_kept = None;
    let mut keep = |tree: &Frontier, replica: &Replica| -> Result<(), RegistryError> {
        if let Some(kept) = kept
            && tree.size() == kept.size
        {
            if tree.root() != kept.root {
                return Err(RegistryError::Tampered { size: kept.size });
            }
            at_kept = Some(replica.clone());
        }
        Ok(())
    };
    tree.push(leaf_hash(&genesis_entry), |_, _| {});
    let genesis = Genesis::open(
        std::str::from_utf8(&genesis_entry).unwrap_or_default(),
        log.verifier(),
    )
    .map_err(|e| ReplayError {
        index: 0,
        message: e.to_string(),
    })?;
    let mut replica = Replica::new(genesis)?;
    keep(&tree, &replica)?;
    let mut refused = None;
    let mut start = 1;
    while start < size {
        let end = size.min(start + MAX_READ_ENTRIES);
        for entry in log.entries(start, end).await? {
            tree.push(leaf_hash(&entry), |_, _| {});
            if refused.is_none()
                && let Err(error) = replica.replay_entry(&entry)
            {
                // Hash on: a changed entry is named as such, not as the
                // refusal it causes.
                refused = Some(error);
            }
            keep(&tree, &replica)?;
        }
        start = end;
    }
    let checkpoint = log.checkpoint().checkpoint;
    if tree.size() != checkpoint.size || tree.root() != checkpoint.root {
        return Err(RegistryError::Tampered { size });
    }
    if let Some(error) = refused {
        return Err(error.into());
    }
    Ok((replica, at_kept))
}

/// The cosigned checkpoint the registry published last, as recorded in its
/// database, if it was signed by this log and still meets `policy` (a
/// registry restarted with other witnesses starts without one).
async fn recorded_publication(
    log: &Log<AnyStorage>,
    policy: &WitnessPolicy,
) -> Result<Option<SignedCheckpoint>, RegistryError> {
    let Some(text) = accord_log::Storage::load_published(log.storage())
        .await
        .map_err(LogError::from)?
    else {
        return Ok(None);
    };
    let origin = &log.checkpoint().checkpoint.origin;
    let Ok(signed) = SignedCheckpoint::open(&text, origin, log.verifier()) else {
        return Err(RegistryError::Config(
            "the published checkpoint recorded in the database is not signed by this log's key; restore the database from a backup".into(),
        ));
    };
    if signed.checkpoint.size > log.size() {
        return Err(RegistryError::Tampered {
            size: signed.checkpoint.size,
        });
    }
    Ok(policy.check(&signed.note).is_ok().then_some(signed))
}

impl Registry {
    /// Opens (or creates) the registry's log and replays it. A new registry
    /// needs `secretariat_key`; an existing one must run the same protocol
    /// text it was created with.
    pub async fn open(config: RegistryConfig) -> Result<Self, RegistryError> {
        let storage = AnyStorage::open(&config.db).await.map_err(LogError::from)?;
        let new = match accord_log::Storage::load(&storage).await {
            Ok(_) => false,
            Err(accord_log::storage::StorageError::NoLog) => true,
            Err(e) => return Err(LogError::from(e).into()),
        };
        // Only a new log gets a new key: a key made for an existing log
        // would be refused, and left behind as a stray secret.
        if !new && !config.key_file.exists() {
            return Err(RegistryError::Config(format!(
                "the log in this database exists but its signing key {} does not; pass the key it was created with (--key)",
                config.key_file.display()
            )));
        }
        let signer = load_or_create_key(&config.key_file, &config.origin)?;
        if new {
            let key = config.secretariat_key.ok_or_else(|| {
                RegistryError::Config(
                    "a new registry needs the first secretariat's public key (--secretariat-key)"
                        .into(),
                )
            })?;
            // Refuse a protocol the core would refuse before anything is stored.
            Replica::new(Genesis::new(&config.protocol, key))?;
            Log::create(&storage, &signer).await?;
        }
        let log = Log::open(storage, signer.clone(), LogConfig::default()).await?;
        if log.size() == 0 {
            let key = config.secretariat_key.ok_or_else(|| {
                RegistryError::Config("the log has no genesis entry; pass --secretariat-key".into())
            })?;
            let entry = Genesis::new(&config.protocol, key)
                .sign(&signer)
                .map_err(|e| RegistryError::Config(e.to_string()))?;
            log.append(entry.into_bytes()).await?;
        }
        let recorded = match &config.witnesses {
            Some(w) => recorded_publication(&log, &w.policy).await?,
            None => None,
        };
        let (replica, at_recorded) =
            replay(&log, recorded.as_ref().map(|signed| &signed.checkpoint)).await?;
        // Serve what the witnesses last cosigned until they answer again.
        let witnessed = recorded
            .zip(at_recorded)
            .map(|(checkpoint, replica)| Arc::new(Published::new(replica, checkpoint)));
        if replica.genesis().protocol != config.protocol {
            return Err(RegistryError::Config(format!(
                "this registry runs the protocol with SHA-256 {}, not the file given; start it with that protocol (GET /v1/registry serves it)",
                replica.genesis().protocol_sha256
            )));
        }
        let channel = match &config.channel {
            Some(channel) => {
                Some(crate::channel::Channel::open(channel, &config.db, &replica, &log).await?)
            }
            None => None,
        };
        let (durable_size, _) = watch::channel(log.size());
        let shared = Arc::new(Shared {
            latest: RwLock::new(Published::new(replica.clone(), log.checkpoint())),
            log,
            signer,
            durable_size,
            witnessed: RwLock::new(witnessed),
            witness_failure: RwLock::new(None),
            witnessing: config.witnesses.is_some(),
        });
        let publisher = match config.witnesses {
            Some(w) => {
                let endpoints = w.urls.iter().map(|u| HttpWitness::new(u)).collect();
                let client = WitnessClient::new(w.policy, endpoints)
                    .map_err(|e| RegistryError::Config(format!("witnesses: {e}")))?;
                let updates = shared.durable_size.subscribe();
                Some(tokio::spawn(publish(
                    shared.clone(),
                    client,
                    w.retry,
                    updates,
                )))
            }
            None => None,
        };
        let (queue, submissions) = mpsc::channel(SUBMISSION_QUEUE);
        let writer = tokio::spawn(write(shared.clone(), replica, submissions));
        Ok(Self {
            shared,
            channel,
            evaluation: None,
            queue,
            writer,
            publisher,
        })
    }

    /// Shows `report` on the evaluation page.
    pub fn set_evaluation(&mut self, report: crate::EvaluationReport) {
        self.evaluation = Some(report);
    }

    /// The evaluation report shown beside the live state, if any.
    pub fn evaluation(&self) -> Option<&crate::EvaluationReport> {
        self.evaluation.as_ref()
    }

    /// The state as of the latest durable log size (a read lock: do not
    /// hold it across an `.await`).
    pub fn published(&self) -> View<'_> {
        View::Latest(self.shared.latest.read().expect("published lock"))
    }

    /// The latest state whose checkpoint the witness policy accepted (the
    /// latest durable one when the registry has no witnesses); `None` until
    /// the witnesses first cosign.
    pub fn witnessed(&self) -> Option<View<'_>> {
        if self.shared.witnessing {
            let snapshot = self
                .shared
                .witnessed
                .read()
                .expect("witnessed lock")
                .clone();
            snapshot.map(View::Witnessed)
        } else {
            Some(self.published())
        }
    }

    /// Whether the registry accepts events (false once it is stopping or
    /// its writer stopped after a log failure it could not recover from).
    pub fn accepting(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Why the last cosigning round failed (`None` after a success).
    pub fn witness_failure(&self) -> Option<String> {
        self.shared
            .witness_failure
            .read()
            .expect("failure lock")
            .clone()
    }

    /// The whistleblower channel, if this registry runs one.
    pub fn channel(&self) -> Option<&crate::channel::Channel> {
        self.channel.as_ref()
    }

    /// The log (for checkpoints, tiles and proofs).
    pub fn log(&self) -> &Log<AnyStorage> {
        &self.shared.log
    }

    /// Submits a signed event (its note text); returns the receipt once the
    /// event is durably logged, or the problem that refused it.
    pub async fn submit(&self, text: &str) -> Result<Receipt, Problem> {
        let signed = SignedEvent::parse(text).map_err(|e: WireError| Problem::from(&e))?;
        // Signatures are checked here, in parallel across requests, with the
        // published key: a participant's key never changes once registered.
        let key = self.published().replica.key_of(&signed.event.author);
        if let Some(key) = key {
            signed.verify(key).map_err(|e| Problem::from(&e))?;
        }
        let (reply, answer) = oneshot::channel();
        let submission = Submission {
            signed,
            signature_checked: key.is_some(),
            reply,
        };
        self.queue
            .try_send(submission)
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => Problem::new(
                    503,
                    "overloaded",
                    "Registry busy",
                    "too many submissions are waiting; retry later",
                ),
                mpsc::error::TrySendError::Closed(_) => stopped(),
            })?;
        answer.await.map_err(|_| stopped())?
    }

    /// The access grant for `lab`: the core's decision as of the published
    /// state, signed, bound to that checkpoint, with the evidence's proofs.
    pub async fn access_grant(&self, lab: &str) -> Result<AccessGrant, Problem> {
        let (statement, indexes, checkpoint) = self.decide_access(lab).ok_or_else(|| {
            if self.witnessed().is_none() {
                not_witnessed()
            } else {
                unknown_lab(lab)
            }
        })?;
        let mut evidence = Vec::with_capacity(indexes.len());
        for index in indexes {
            let entry = self.shared.log.entry(index).await.map_err(internal)?;
            let proof = self
                .shared
                .log
                .inclusion_proof(index, statement.log_size)
                .await
                .map_err(internal)?;
            evidence.push(Evidence {
                index,
                entry: String::from_utf8(entry).map_err(|_| internal("entry is not UTF-8"))?,
                proof: TlogProof {
                    extra: None,
                    index,
                    proof,
                    checkpoint: checkpoint.clone(),
                }
                .to_string(),
            });
        }
        Ok(AccessGrant {
            statement: sign_statement(&statement, &self.shared.signer),
            checkpoint,
            evidence,
        })
    }

    /// The decision, its evidence indexes and checkpoint, read under the
    /// published state's lock (released before the proofs are read);
    /// `None` when no checkpoint is witnessed yet or `lab` is not a lab.
    fn decide_access(&self, lab: &str) -> Option<(GrantStatement, Vec<u64>, String)> {
        let published = self.witnessed()?;
        let replica = &published.replica;
        let indexes = replica.evidence(lab)?;
        let decision = replica.state().access(lab);
        let statement = GrantStatement {
            lab: lab.to_string(),
            period: decision.period,
            allowed: decision.allowed,
            reasons: decision
                .reasons
                .iter()
                .map(|r| serde_json::to_value(r).expect("reasons serialise"))
                .collect(),
            log_size: replica.log_size(),
            state_hash: published.state_hash().to_string(),
        };
        Some((statement, indexes, published.checkpoint_text()))
    }

    /// Stops accepting events, lets the writer finish what it holds, and
    /// closes the log and its database (so a SQLite file holds every
    /// accepted event once the registry has stopped, with no journal beside it).
    pub async fn close(self) {
        if let Some(channel) = &self.channel {
            channel.close().await;
        }
        drop(self.queue);
        let _ = self.writer.await;
        if let Some(publisher) = self.publisher {
            publisher.abort();
            let _ = publisher.await;
        }
        if let Ok(shared) = Arc::try_unwrap(self.shared) {
            let storage = shared.log.storage().clone();
            shared.log.close().await;
            accord_log::Storage::close(&storage).await;
        }
    }
}

/// `lab` is not a registered lab.
pub(crate) fn unknown_lab(lab: &str) -> Problem {
    Problem::new(
        404,
        "unknown-lab",
        "Unknown lab",
        format!("{lab:?} is not a registered lab"),
    )
    .field("lab")
}

/// No checkpoint has met the witness policy yet.
pub(crate) fn not_witnessed() -> Problem {
    Problem::new(
        503,
        "not-witnessed",
        "No witnessed checkpoint yet",
        "the witnesses have not yet cosigned a checkpoint of this registry; retry later",
    )
}

fn stopped() -> Problem {
    Problem::new(
        503,
        "stopped",
        "Registry stopped",
        "the registry is not accepting events (it is stopping, or its writer stopped after a log failure it could not recover from); the event was not acknowledged",
    )
}

/// A server-side failure, as a problem (the detail is the error's text).
pub(crate) fn internal(error: impl std::fmt::Display) -> Problem {
    Problem::new(500, "internal", "Internal error", error.to_string())
}

/// The writer: batches submissions (by count and by bytes), admits them
/// in order, appends the admitted ones in one log commit, then answers
/// every submission of the batch and publishes. Nothing is answered before
/// the commit's outcome is known, so no answer rests on state that is then
/// rolled back.
async fn write(shared: Arc<Shared>, mut replica: Replica, mut queue: mpsc::Receiver<Submission>) {
    let max_batch_bytes = LogConfig::default().max_batch_bytes;
    let mut carry: Option<Submission> = None;
    loop {
        let Some(first) = carry.take().or(queue.recv().await) else {
            return;
        };
        let mut bytes = first.signed.as_str().len();
        let mut batch = vec![first];
        while batch.len() < MAX_SUBMISSIONS_PER_BATCH
            && let Ok(next) = queue.try_recv()
        {
            bytes += next.signed.as_str().len();
            if bytes > max_batch_bytes {
                carry = Some(next);
                break;
            }
            batch.push(next);
        }
        let mut entries = Vec::new();
        let mut admitted = Vec::new();
        let mut answers = Vec::with_capacity(batch.len());
        for submission in batch {
            let answer = match replica.admit(&submission.signed, submission.signature_checked) {
                Ok(Admitted::Applied { index, effects }) => {
                    entries.push(submission.signed.as_str().as_bytes().to_vec());
                    admitted.push(submission.signed);
                    Ok(Receipt {
                        index,
                        already_applied: false,
                        effects,
                    })
                }
                Ok(Admitted::AlreadyApplied { index }) => Ok(Receipt {
                    index,
                    already_applied: true,
                    effects: Vec::new(),
                }),
                Err(refusal) => Err(refusal.problem_for(&submission.signed.event)),
            };
            answers.push((submission.reply, answer));
        }
        if entries.is_empty() {
            for (reply, answer) in answers {
                let _ = reply.send(answer);
            }
            continue;
        }
        let first_index = replica.log_size() - entries.len() as u64;
        match shared.log.append_all(entries).await {
            Ok(range) if range.start == first_index => {
                publish_batch(&shared, &replica, &admitted, range.end);
                for (reply, answer) in answers {
                    let _ = reply.send(answer);
                }
            }
            outcome => {
                let why = match &outcome {
                    Ok(range) => format!(
                        "the log placed the batch at {} instead of {first_index}",
                        range.start
                    ),
                    Err(error) => crate::describe(error),
                };
                let problem = Problem::new(
                    503,
                    "log-unavailable",
                    "Log unavailable",
                    format!(
                        "the log could not confirm this batch ({why}); retry: an event that was logged after all is answered with its index"
                    ),
                );
                for (reply, _) in answers {
                    let _ = reply.send(Err(problem.clone()));
                }
                let closed = matches!(outcome, Err(LogError::Closed));
                match rebuild(&shared).await {
                    Ok(fresh) if !closed && outcome.is_err() => replica = fresh,
                    // A closed log, a log that grew behind the writer's back,
                    // or one that no longer replays: stop. Later submissions
                    // are answered 503 "stopped".
                    _ => return,
                }
            }
        }
    }
}

/// Applies a committed batch to the published state and publishes it.
fn publish_batch(shared: &Shared, replica: &Replica, admitted: &[SignedEvent], size: u64) {
    let mut latest = shared.latest.write().expect("published lock");
    for signed in admitted {
        if !matches!(
            latest.replica.admit(signed, true),
            Ok(Admitted::Applied { .. })
        ) {
            // Cannot happen (both replicas fold the same log); if it did, the
            // writer's replica is the fold of the log, so publish a copy.
            latest.replica = replica.clone();
            break;
        }
    }
    debug_assert_eq!(latest.replica.log_size(), size);
    latest.checkpoint = shared.log.checkpoint();
    latest.hash = OnceLock::new();
    latest.full = OnceLock::new();
    drop(latest);
    shared.durable_size.send_replace(size);
}

/// After a failed append: reads what the log durably holds (the commit may
/// have happened after all) and folds it again, for both the writer and the
/// readers.
async fn rebuild(shared: &Shared) -> Result<Replica, RegistryError> {
    shared.log.refresh().await?;
    let (fresh, _) = replay(&shared.log, None).await?;
    *shared.latest.write().expect("published lock") =
        Published::new(fresh.clone(), shared.log.checkpoint());
    shared.durable_size.send_replace(shared.log.size());
    Ok(fresh)
}

/// The publisher: asks the witnesses to cosign each new durable checkpoint
/// and publishes it once the policy is met. Appends never wait for it; if
/// too few witnesses answer, the published checkpoint stays where it was
/// and the round is retried.
async fn publish(
    shared: Arc<Shared>,
    client: WitnessClient<HttpWitness>,
    retry: Duration,
    mut updates: watch::Receiver<u64>,
) {
    // The state being cosigned, kept across failed rounds: one copy per
    // new size, not per retry.
    let mut pending: Option<(Replica, SignedCheckpoint)> = None;
    loop {
        let size = *updates.borrow_and_update();
        let already = shared
            .witnessed
            .read()
            .expect("witnessed lock")
            .as_ref()
            .is_some_and(|w| w.checkpoint.checkpoint.size >= size);
        let mut done = already;
        if !already {
            if pending
                .as_ref()
                .is_none_or(|(_, c)| c.checkpoint.size != size)
            {
                let latest = shared.latest.read().expect("published lock");
                pending = Some((latest.replica.clone(), latest.checkpoint.clone()));
            }
            let (replica, checkpoint) = pending.as_ref().expect("set above");
            let reader: &accord_log::LogReader<AnyStorage> = &shared.log;
            match client.cosign(checkpoint, reader).await {
                Ok(note) => {
                    let cosigned = SignedCheckpoint {
                        note,
                        checkpoint: checkpoint.checkpoint.clone(),
                    };
                    // Recorded first, so a restart never serves less than was published.
                    let recorded = accord_log::Storage::save_published(
                        shared.log.storage(),
                        cosigned.checkpoint.size,
                        &cosigned.note.to_string(),
                    )
                    .await;
                    let snapshot = Published::new(replica.clone(), cosigned);
                    pending = None;
                    *shared.witnessed.write().expect("witnessed lock") = Some(Arc::new(snapshot));
                    *shared.witness_failure.write().expect("failure lock") =
                        recorded.err().map(|error| {
                            format!(
                                "published, but not recorded for a restart: {}",
                                crate::describe(&error)
                            )
                        });
                    done = true;
                }
                Err(error) => {
                    *shared.witness_failure.write().expect("failure lock") =
                        Some(crate::describe(&error));
                }
            }
        }
        if done {
            if updates.changed().await.is_err() {
                return;
            }
        } else {
            tokio::select! {
                changed = updates.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(retry) => {}
            }
        }
    }
}
