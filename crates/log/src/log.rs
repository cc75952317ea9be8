//! The log: a single writer that sequences appends into batches, integrates
//! them into stored hash tiles, and publishes a signed checkpoint with each
//! batch; and readers that serve proofs, tiles and entries from storage.
//!
//! Guarantees:
//!
//! * **Durable acknowledgement.** [`Log::append`] returns an index only after
//!   the transaction holding the entry, its hashes and the checkpoint that
//!   covers it has committed (SQLite `synchronous = FULL`, PostgreSQL
//!   `synchronous_commit = on`). Concurrent appends are grouped by the
//!   sequencer into one transaction (one fsync) of up to
//!   [`LogConfig::max_batch_entries`] entries.
//! * **No inconsistent checkpoints.** The tree only grows from the stored,
//!   verified state: on open (also after a crash) the stored checkpoint's
//!   signature is checked, and its size and root must match the stored tree
//!   recomputed from the tiles, before anything new is signed. The
//!   checkpoint is written in the same transaction as the tree, with a
//!   compare-and-swap on the size, so a second writer cannot fork the log.
//! * **Proofs from stored hashes.** Tree hashes, inclusion and consistency
//!   proofs read only the stored nodes they need (a few tiles), never the
//!   leaves.

use crate::bundle::TlogProof;
use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::hash::{HASH_SIZE, Hash, empty_root, leaf_hash};
use crate::merkle::{Frontier, MAX_TREE_SIZE, NodeId, PlanError, ProofPlan};
use crate::note::{Ed25519Signer, Ed25519Verifier, Note, NoteError, NoteSigner as _};
use crate::storage::{Batch, Storage, StorageError, TreeState, WriterLock};
use crate::tile::{
    MAX_ENTRY_SIZE, TILE_HEIGHT, TILE_WIDTH, TileError, TileKind, TilePath, encode_bundle,
    node_from_tile, node_location, tile_width,
};
use std::collections::{BTreeMap, HashMap};
use std::ops::{Deref, Range};
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Largest number of entries read by one [`LogReader::entries`] call.
pub const MAX_READ_ENTRIES: u64 = 4096;

/// A log operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Sizes or indexes out of range for a proof.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A bad tile request.
    #[error(transparent)]
    Tile(#[from] TileError),
    /// A key or note problem.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// Entry above [`MAX_ENTRY_SIZE`].
    #[error("entry of {0} bytes exceeds the maximum of 65535 bytes (tlog-tiles entry bundles)")]
    EntryTooLarge(usize),
    /// More entries in one call than a batch may hold.
    #[error("{entries} entries in one call exceed the batch limit of {limit}")]
    BatchTooLarge {
        /// Entries given.
        entries: usize,
        /// Limit.
        limit: usize,
    },
    /// Nothing to append.
    #[error("nothing to append")]
    EmptyBatch,
    /// The signer does not match the log's key.
    #[error("the signing key {given} is not this log's key {stored}")]
    WrongKey {
        /// Verifier key stored with the log.
        stored: String,
        /// Verifier key of the signer given.
        given: String,
    },
    /// Stored data fails verification: refuse to sign anything.
    #[error("the stored log fails verification, refusing to continue: {0}")]
    Inconsistent(String),
    /// A size or index beyond the latest checkpoint.
    #[error("{what} {value} is beyond the latest checkpoint (size {size})")]
    BeyondCheckpoint {
        /// What was asked.
        what: &'static str,
        /// Value asked.
        value: u64,
        /// Checkpoint size.
        size: u64,
    },
    /// The batch holding the entry failed to commit; it was not acknowledged.
    #[error("append failed, the entries were not acknowledged: {0}")]
    Commit(String),
    /// The sequencer is gone.
    #[error("the log is closed")]
    Closed,
    /// Invalid configuration.
    #[error("invalid log configuration: {0}")]
    Config(&'static str),
}

/// Batching limits of the sequencer.
#[derive(Debug, Clone, Copy)]
pub struct LogConfig {
    /// Most entries per transaction.
    pub max_batch_entries: usize,
    /// Most entry bytes per transaction.
    pub max_batch_bytes: usize,
    /// Append requests waiting for the sequencer before callers wait.
    pub queue_depth: usize,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            max_batch_entries: 8192,
            max_batch_bytes: 32 << 20,
            queue_depth: 4096,
        }
    }
}

/// Reads of a log that a concurrent writer kept changing before giving up.
const OPEN_ATTEMPTS: usize = 8;

/// Read access to a log: checkpoint, proofs, tiles and entries.
#[derive(Debug, Clone)]
pub struct LogReader<S> {
    storage: S,
    origin: String,
    verifier: Ed25519Verifier,
    latest: Arc<RwLock<SignedCheckpoint>>,
}

/// Checks a stored state: its checkpoint verifies with the log's key, is for
/// the log's origin, and matches the stored size and root.
fn verify_state(
    origin: &str,
    verifier: &Ed25519Verifier,
    state: &TreeState,
) -> Result<SignedCheckpoint, LogError> {
    let signed = SignedCheckpoint::open(&state.checkpoint, origin, verifier)
        .map_err(|e| LogError::Inconsistent(format!("stored checkpoint: {e}")))?;
    if signed.checkpoint.size != state.size || signed.checkpoint.root != state.root {
        return Err(LogError::Inconsistent(format!(
            "stored checkpoint is for size {} but the tree state is size {}",
            signed.checkpoint.size, state.size
        )));
    }
    Ok(signed)
}

impl<S: Storage> LogReader<S> {
    /// Opens a log for reading; verifies the stored checkpoint with the
    /// stored verifier key and the stored tree against the checkpoint.
    pub async fn open(storage: S) -> Result<Self, LogError> {
        // A writer may commit between reading the state and reading the
        // tiles; a failure that goes away on a fresh read was such a race.
        let mut attempts = 0;
        loop {
            let before = storage.load().await?.state.size;
            match Self::open_once(storage.clone()).await {
                Err(e @ LogError::Inconsistent(_)) => {
                    attempts += 1;
                    if attempts == OPEN_ATTEMPTS || storage.load().await?.state.size == before {
                        return Err(e);
                    }
                }
                result => return result,
            }
        }
    }

    async fn open_once(storage: S) -> Result<Self, LogError> {
        let stored = storage.load().await?;
        let verifier = Ed25519Verifier::from_vkey(&stored.vkey)
            .map_err(|e| LogError::Inconsistent(format!("stored verifier key: {e}")))?;
        let latest = verify_state(&stored.origin, &verifier, &stored.state)?;
        let reader = Self {
            storage,
            origin: stored.origin,
            verifier,
            latest: Arc::new(RwLock::new(latest)),
        };
        let root = reader.tree_hash(stored.state.size).await?;
        if root != stored.state.root {
            return Err(LogError::Inconsistent(format!(
                "the stored tiles give root {root} at size {}, the checkpoint says {}",
                stored.state.size, stored.state.root
            )));
        }
        Ok(reader)
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The log's verifier.
    pub fn verifier(&self) -> &Ed25519Verifier {
        &self.verifier
    }

    /// The storage.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The latest signed checkpoint.
    pub fn checkpoint(&self) -> SignedCheckpoint {
        self.latest.read().expect("checkpoint lock").clone()
    }

    /// Size of the latest checkpoint.
    pub fn size(&self) -> u64 {
        self.latest.read().expect("checkpoint lock").checkpoint.size
    }

    /// Re-reads the stored checkpoint (written by another process), checking
    /// that it is consistent with the one held so far.
    pub async fn refresh(&self) -> Result<SignedCheckpoint, LogError> {
        let stored = self.storage.load().await?;
        let fresh = verify_state(&self.origin, &self.verifier, &stored.state)?;
        let old = self.checkpoint().checkpoint;
        if fresh.checkpoint.size < old.size {
            return Err(LogError::Inconsistent(format!(
                "the stored log shrank from {} to {}",
                old.size, fresh.checkpoint.size
            )));
        }
        if self.tree_hash(old.size).await? != old.root {
            return Err(LogError::Inconsistent(format!(
                "the stored tree at size {} no longer has the root of the checkpoint held",
                old.size
            )));
        }
        *self.latest.write().expect("checkpoint lock") = fresh.clone();
        Ok(fresh)
    }

    fn check_size(&self, what: &'static str, value: u64) -> Result<(), LogError> {
        let size = self.size();
        if value > size {
            return Err(LogError::BeyondCheckpoint { what, value, size });
        }
        Ok(())
    }

    /// Reads stored nodes through the tiles holding them.
    async fn nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, LogError> {
        let locations: Vec<_> = ids.iter().map(|&id| (id, node_location(id))).collect();
        let mut tiles: Vec<(u8, u64)> = locations
            .iter()
            .map(|(_, l)| (l.tile_level, l.tile_index))
            .collect();
        tiles.sort_unstable();
        tiles.dedup();
        let data = self.storage.read_tiles(&tiles).await?;
        let by_tile: HashMap<(u8, u64), Option<Vec<u8>>> = tiles.into_iter().zip(data).collect();
        locations
            .into_iter()
            .map(|(id, loc)| {
                let tile = by_tile[&(loc.tile_level, loc.tile_index)]
                    .as_deref()
                    .ok_or_else(|| {
                        LogError::Inconsistent(format!(
                            "hash tile {}/{} is missing",
                            loc.tile_level, loc.tile_index
                        ))
                    })?;
                let hash = node_from_tile(&loc, tile).map_err(|e| {
                    LogError::Inconsistent(format!(
                        "hash tile {}/{}: {e}",
                        loc.tile_level, loc.tile_index
                    ))
                })?;
                Ok((id, hash))
            })
            .collect()
    }

    async fn run(&self, plan: &ProofPlan) -> Result<Vec<Hash>, LogError> {
        let nodes = self.nodes(&plan.nodes()).await?;
        plan.assemble(|id| Ok::<_, LogError>(nodes[&id]))
    }

    /// Root hash of the first `size` entries (at most the checkpoint size).
    pub async fn tree_hash(&self, size: u64) -> Result<Hash, LogError> {
        self.check_size("tree size", size)?;
        let plan = ProofPlan::tree_hash(size)?;
        Ok(self.run(&plan).await?.pop().unwrap_or_else(empty_root))
    }

    /// Inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        self.check_size("tree size", size)?;
        self.run(&ProofPlan::inclusion(index, size)?).await
    }

    /// Consistency proof from `old` to `new` entries.
    pub async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, LogError> {
        self.check_size("tree size", new)?;
        self.run(&ProofPlan::consistency(old, new)?).await
    }

    /// Entries `start..end` (at most [`MAX_READ_ENTRIES`]).
    pub async fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, LogError> {
        self.check_size("entry range end", end)?;
        if start > end || end - start > MAX_READ_ENTRIES {
            return Err(LogError::Config(
                "entry range must be start <= end with at most 4096 entries",
            ));
        }
        Ok(self.storage.read_entries(start, end).await?)
    }

    /// One entry.
    pub async fn entry(&self, index: u64) -> Result<Vec<u8>, LogError> {
        if index >= self.size() {
            return Err(LogError::BeyondCheckpoint {
                what: "entry index",
                value: index,
                size: self.size(),
            });
        }
        Ok(self.storage.read_entries(index, index + 1).await?.remove(0))
    }

    /// A tlog-tiles resource: hash tile or entry bundle, if the latest
    /// checkpoint's tree contains it at that width.
    pub async fn tile(&self, path: &TilePath) -> Result<Vec<u8>, LogError> {
        let available = tile_width(path.kind, path.index, self.size());
        if path.width > available {
            return Err(LogError::BeyondCheckpoint {
                what: "tile width",
                value: u64::from(path.width),
                size: self.size(),
            });
        }
        match path.kind {
            TileKind::Hash(level) => {
                let data = self
                    .storage
                    .read_tiles(&[(level, path.index)])
                    .await?
                    .pop()
                    .flatten()
                    .ok_or_else(|| LogError::Inconsistent(format!("{path} is missing")))?;
                let len = usize::from(path.width) * HASH_SIZE;
                if data.len() < len {
                    return Err(LogError::Inconsistent(format!(
                        "{path} is shorter than its width"
                    )));
                }
                Ok(data[..len].to_vec())
            }
            TileKind::Entries => {
                let start = path.index * u64::from(TILE_WIDTH);
                let entries = self
                    .storage
                    .read_entries(start, start + u64::from(path.width))
                    .await?;
                Ok(encode_bundle(entries.iter().map(Vec::as_slice))?)
            }
        }
    }

    /// A tlog-proof bundle proving entry `index` in the latest checkpoint.
    pub async fn prove_entry(
        &self,
        index: u64,
        extra: Option<Vec<u8>>,
    ) -> Result<TlogProof, LogError> {
        let signed = self.checkpoint();
        let proof = self.inclusion_proof(index, signed.checkpoint.size).await?;
        Ok(TlogProof {
            extra,
            index,
            proof,
            checkpoint: signed.note.to_string(),
        })
    }
}

/// The right edge of the stored tree, held by the sequencer: the frontier,
/// and at each tile level the tile that the next hash goes into.
#[derive(Debug, Clone)]
struct Integrator {
    frontier: Frontier,
    edges: Vec<(u64, Vec<u8>)>,
}

impl Integrator {
    async fn load<S: Storage>(reader: &LogReader<S>, size: u64) -> Result<Self, LogError> {
        let ids = Frontier::node_ids(size);
        let nodes = reader.nodes(&ids).await?;
        let hashes: Vec<Hash> = ids.iter().map(|id| nodes[id]).collect();
        let frontier = Frontier::from_hashes(size, &hashes);
        let mut edges = Vec::new();
        let mut wanted = Vec::new();
        for level in 0u32.. {
            let count = size
                .checked_shr(u32::from(TILE_HEIGHT) * level)
                .unwrap_or(0);
            if count == 0 {
                break;
            }
            let index = count / u64::from(TILE_WIDTH);
            let width = (count % u64::from(TILE_WIDTH)) as usize;
            edges.push((index, Vec::new()));
            if width > 0 {
                wanted.push((level as usize, index, width));
            }
        }
        let ids: Vec<(u8, u64)> = wanted.iter().map(|&(l, i, _)| (l as u8, i)).collect();
        let data = reader.storage.read_tiles(&ids).await?;
        for ((level, index, width), tile) in wanted.into_iter().zip(data) {
            let tile = tile.ok_or_else(|| {
                LogError::Inconsistent(format!("edge tile {level}/{index} is missing"))
            })?;
            if tile.len() != width * HASH_SIZE {
                return Err(LogError::Inconsistent(format!(
                    "edge tile {level}/{index} holds {} bytes, the tree size implies {}",
                    tile.len(),
                    width * HASH_SIZE
                )));
            }
            edges[level].1 = tile;
        }
        Ok(Self { frontier, edges })
    }

    /// Appends a leaf; records every tile it touches in `dirty`.
    fn push(&mut self, leaf: Hash, dirty: &mut BTreeMap<(u8, u64), Vec<u8>>) {
        let edges = &mut self.edges;
        self.frontier.push(leaf, |id, hash| {
            if id.level % TILE_HEIGHT != 0 {
                return;
            }
            let level = usize::from(id.level / TILE_HEIGHT);
            let index = id.index / u64::from(TILE_WIDTH);
            if edges.len() == level {
                edges.push((index, Vec::new()));
            }
            let edge = &mut edges[level];
            if edge.0 != index {
                assert_eq!(
                    edge.1.len(),
                    usize::from(TILE_WIDTH) * HASH_SIZE,
                    "a tile is left only when full"
                );
                let full = std::mem::take(&mut edge.1);
                if let Some(slot) = dirty.get_mut(&(level as u8, edge.0)) {
                    *slot = full;
                }
                edge.0 = index;
            }
            debug_assert_eq!(
                edge.1.len() / HASH_SIZE,
                (id.index % u64::from(TILE_WIDTH)) as usize
            );
            edge.1.extend_from_slice(hash.as_bytes());
            dirty.entry((level as u8, index)).or_default();
        });
    }

    /// The final contents of the tiles in `dirty`.
    fn finish(&self, mut dirty: BTreeMap<(u8, u64), Vec<u8>>) -> Vec<(u8, u64, Vec<u8>)> {
        for (level, (index, data)) in self.edges.iter().enumerate() {
            if let Some(slot) = dirty.get_mut(&(level as u8, *index)) {
                slot.clone_from(data);
            }
        }
        dirty.into_iter().map(|((l, i), d)| (l, i, d)).collect()
    }
}

/// Appends waiting for the sequencer.
struct Request {
    entries: Vec<Vec<u8>>,
    leaves: Vec<Hash>,
    reply: oneshot::Sender<Result<Range<u64>, LogError>>,
}

/// A log open for writing (it also reads: it dereferences to [`LogReader`]).
#[derive(Debug)]
pub struct Log<S> {
    reader: LogReader<S>,
    queue: mpsc::Sender<Request>,
    sequencer: JoinHandle<()>,
    config: LogConfig,
    /// Held for the writer's lifetime: a second writer is refused at open.
    writer: WriterLock,
}

impl<S> Deref for Log<S> {
    type Target = LogReader<S>;
    fn deref(&self) -> &LogReader<S> {
        &self.reader
    }
}

fn sign_state(signer: &Ed25519Signer, size: u64, root: Hash) -> Result<TreeState, LogError> {
    let checkpoint = Checkpoint::new(signer.name(), size, root)
        .map_err(|e| LogError::Inconsistent(format!("cannot form a checkpoint: {e}")))?;
    let note = Note::sign(&checkpoint.to_string(), &[signer])?;
    Ok(TreeState {
        size,
        root,
        checkpoint: note.to_string(),
    })
}

impl<S: Storage> Log<S> {
    /// Creates an empty log whose origin is the signer's key name, and stores
    /// its signed checkpoint of size 0.
    pub async fn create(storage: &S, signer: &Ed25519Signer) -> Result<(), LogError> {
        let state = sign_state(signer, 0, empty_root())?;
        storage
            .create(signer.name(), &signer.verifier().vkey(), &state)
            .await?;
        Ok(())
    }

    /// Opens a log for writing: verifies the stored state (see the module
    /// docs) and starts the sequencer. Needs a Tokio runtime.
    pub async fn open(
        storage: S,
        signer: Ed25519Signer,
        config: LogConfig,
    ) -> Result<Self, LogError> {
        if config.max_batch_entries == 0
            || config.max_batch_bytes < MAX_ENTRY_SIZE
            || config.queue_depth == 0
        {
            return Err(LogError::Config(
                "max_batch_entries and queue_depth must be positive and max_batch_bytes at least 65535",
            ));
        }
        let writer = storage.lock_writer().await?;
        let (reader, integrator) = match Self::verify_stored(storage, &signer).await {
            Ok(opened) => opened,
            Err(error) => {
                // Released now: a dropped PostgreSQL lock is noticed only
                // later, and a second open would be refused meanwhile.
                writer.release().await;
                return Err(error);
            }
        };
        let (queue, requests) = mpsc::channel(config.queue_depth);
        let sequencer = tokio::spawn(sequence(
            reader.clone(),
            signer,
            integrator,
            requests,
            config,
        ));
        Ok(Self {
            reader,
            queue,
            sequencer,
            config,
            writer,
        })
    }

    /// Checks the signer against the stored key and the stored tree against
    /// its checkpoint (see the module docs).
    async fn verify_stored(
        storage: S,
        signer: &Ed25519Signer,
    ) -> Result<(LogReader<S>, Integrator), LogError> {
        let stored = storage.load().await?;
        let given = signer.verifier().vkey();
        if stored.vkey != given {
            return Err(LogError::WrongKey {
                stored: stored.vkey,
                given,
            });
        }
        let reader = LogReader::open(storage).await?;
        let integrator = Integrator::load(&reader, reader.size()).await?;
        Ok((reader, integrator))
    }

    /// Appends one entry; returns its index once it is durably stored.
    pub async fn append(&self, entry: Vec<u8>) -> Result<u64, LogError> {
        Ok(self.append_all(vec![entry]).await?.start)
    }

    /// Appends entries (all in the same transaction, at consecutive
    /// indexes); returns their indexes once durably stored.
    pub async fn append_all(&self, entries: Vec<Vec<u8>>) -> Result<Range<u64>, LogError> {
        if entries.is_empty() {
            return Err(LogError::EmptyBatch);
        }
        if entries.len() > self.config.max_batch_entries {
            return Err(LogError::BatchTooLarge {
                entries: entries.len(),
                limit: self.config.max_batch_entries,
            });
        }
        if let Some(e) = entries.iter().find(|e| e.len() > MAX_ENTRY_SIZE) {
            return Err(LogError::EntryTooLarge(e.len()));
        }
        if entries.iter().map(Vec::len).sum::<usize>() > self.config.max_batch_bytes {
            return Err(LogError::Config("the entries exceed max_batch_bytes"));
        }
        // Leaf hashing happens in the caller's task, in parallel.
        let leaves = entries.iter().map(|e| leaf_hash(e)).collect();
        let (reply, response) = oneshot::channel();
        self.queue
            .send(Request {
                entries,
                leaves,
                reply,
            })
            .await
            .map_err(|_| LogError::Closed)?;
        response.await.map_err(|_| LogError::Closed)?
    }

    /// Stops accepting appends and waits for the queued ones to finish.
    pub async fn close(self) {
        drop(self.queue);
        // A panicking sequencer has already failed its requests.
        let _ = self.sequencer.await;
        self.writer.release().await;
    }
}

/// The sequencer task: batches requests, integrates, signs, commits, replies.
async fn sequence<S: Storage>(
    reader: LogReader<S>,
    signer: Ed25519Signer,
    mut integrator: Integrator,
    mut requests: mpsc::Receiver<Request>,
    config: LogConfig,
) {
    let mut carry: Option<Request> = None;
    loop {
        let first = match carry.take() {
            Some(r) => r,
            None => match requests.recv().await {
                Some(r) => r,
                None => return,
            },
        };
        let mut count = first.entries.len();
        let mut bytes: usize = first.entries.iter().map(Vec::len).sum();
        let mut batch = vec![first];
        while let Ok(next) = requests.try_recv() {
            let next_bytes: usize = next.entries.iter().map(Vec::len).sum();
            if count + next.entries.len() > config.max_batch_entries
                || bytes + next_bytes > config.max_batch_bytes
            {
                carry = Some(next);
                break;
            }
            count += next.entries.len();
            bytes += next_bytes;
            batch.push(next);
        }
        let result = integrate(&reader, &signer, &mut integrator, &mut batch).await;
        match result {
            Ok(ranges) => {
                for (request, range) in batch.into_iter().zip(ranges) {
                    // The caller may have gone; the entries are stored anyway.
                    let _ = request.reply.send(Ok(range));
                }
            }
            Err(error) => {
                let message = error.to_string();
                for request in batch {
                    let _ = request.reply.send(Err(LogError::Commit(message.clone())));
                }
                // Start again from what storage holds (the commit may or may
                // not have happened), after verifying it.
                let reloaded = match reader.refresh().await {
                    Ok(signed) => Integrator::load(&reader, signed.checkpoint.size).await,
                    Err(e) => Err(e),
                };
                match reloaded {
                    Ok(fresh) => integrator = fresh,
                    Err(e) => {
                        fail_all(&mut requests, carry.take(), &crate::describe(&e)).await;
                        return;
                    }
                }
            }
        }
    }
}

async fn fail_all(requests: &mut mpsc::Receiver<Request>, carry: Option<Request>, why: &str) {
    requests.close();
    let message =
        format!("the log stopped after a storage failure it could not recover from: {why}");
    if let Some(r) = carry {
        let _ = r.reply.send(Err(LogError::Commit(message.clone())));
    }
    while let Some(r) = requests.recv().await {
        let _ = r.reply.send(Err(LogError::Commit(message.clone())));
    }
}

async fn integrate<S: Storage>(
    reader: &LogReader<S>,
    signer: &Ed25519Signer,
    integrator: &mut Integrator,
    batch: &mut [Request],
) -> Result<Vec<Range<u64>>, LogError> {
    let previous = reader.checkpoint().checkpoint;
    let old_size = integrator.frontier.size();
    // The tree grows only from the published state.
    if old_size != previous.size || integrator.frontier.root() != previous.root {
        return Err(LogError::Inconsistent(
            "the sequencer's tree differs from the latest checkpoint".into(),
        ));
    }
    let total: usize = batch.iter().map(|r| r.entries.len()).sum();
    if old_size + total as u64 > MAX_TREE_SIZE {
        return Err(LogError::Plan(PlanError::TooLarge(old_size + total as u64)));
    }
    let mut grown = integrator.clone();
    let mut dirty = BTreeMap::new();
    let mut entries = Vec::with_capacity(total);
    let mut ranges = Vec::with_capacity(batch.len());
    for request in batch.iter_mut() {
        let start = grown.frontier.size();
        for leaf in &request.leaves {
            grown.push(*leaf, &mut dirty);
        }
        entries.append(&mut request.entries);
        ranges.push(start..grown.frontier.size());
    }
    let size = grown.frontier.size();
    let state = sign_state(signer, size, grown.frontier.root())?;
    let signed = SignedCheckpoint::open(&state.checkpoint, reader.origin(), reader.verifier())
        .map_err(|e| LogError::Inconsistent(format!("own checkpoint does not verify: {e}")))?;
    let commit = Batch {
        old_size,
        entries,
        tiles: grown.finish(dirty),
        state,
    };
    reader.storage.commit(&commit).await?;
    *integrator = grown;
    *reader.latest.write().expect("checkpoint lock") = signed;
    Ok(ranges)
}
