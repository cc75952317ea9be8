//! A C2SP tlog-witness v1.0.0 witness with persistent state, and a client
//! that gathers k-of-n cosignatures for a log's checkpoints. The wire
//! protocol and policies are `accord_tlog::witness` (re-exported here).
//!
//! The witness checks the old size and persists the new checkpoint
//! atomically (a compare-and-swap in [`WitnessStore`]), so two concurrent
//! requests can never roll its view of a log back.

pub use accord_tlog::witness::*;

use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::cosignature::{CosignatureSigner, CosignatureVerifier, now};
use crate::hash::Hash;
use crate::log::{LogError, LogReader};
use crate::note::{Ed25519Verifier, Note, NoteSignature, NoteVerifier};
use crate::proof::verify_consistency;
use crate::storage::{Storage, WitnessRecord, WitnessStore};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

/// A witness: trusted log keys by origin, a cosigning key and its state.
#[derive(Debug)]
pub struct Witness<S> {
    signer: CosignatureSigner,
    logs: HashMap<String, Vec<Ed25519Verifier>>,
    store: S,
}

impl<S: WitnessStore> Witness<S> {
    /// A witness that trusts no log yet.
    pub fn new(signer: CosignatureSigner, store: S) -> Self {
        Self {
            signer,
            logs: HashMap::new(),
            store,
        }
    }

    /// Trusts `key` for checkpoints of `origin`.
    pub fn add_log(&mut self, origin: &str, key: Ed25519Verifier) {
        self.logs.entry(origin.to_string()).or_default().push(key);
    }

    /// The cosigner's verifier.
    pub fn verifier(&self) -> CosignatureVerifier {
        self.signer.verifier()
    }

    /// Handles an `add-checkpoint` request body.
    pub async fn add_checkpoint(&self, body: &[u8]) -> WitnessResponse {
        match AddCheckpointRequest::parse(body) {
            Ok(request) => self.add(&request).await,
            Err(e) => WitnessResponse::BadRequest(e.to_string()),
        }
    }

    /// Handles a parsed `add-checkpoint` request.
    pub async fn add(&self, request: &AddCheckpointRequest) -> WitnessResponse {
        let note = match Note::parse(&request.checkpoint) {
            Ok(n) => n,
            Err(e) => return WitnessResponse::BadRequest(format!("checkpoint note: {e}")),
        };
        let checkpoint = match Checkpoint::parse(&note.text) {
            Ok(c) => c,
            Err(e) => return WitnessResponse::BadRequest(e.to_string()),
        };
        let Some(keys) = self.logs.get(&checkpoint.origin) else {
            return WitnessResponse::UnknownLog(format!(
                "unknown log origin {:?}",
                checkpoint.origin
            ));
        };
        let verifiers: Vec<&dyn NoteVerifier> =
            keys.iter().map(|k| k as &dyn NoteVerifier).collect();
        if let Err(e) = note.verify(&verifiers) {
            return WitnessResponse::Forbidden(e.to_string());
        }
        if request.old_size > checkpoint.size {
            return WitnessResponse::BadRequest(format!(
                "old size {} is larger than the checkpoint size {}",
                request.old_size, checkpoint.size
            ));
        }
        let record = match self.store.witness_record(&checkpoint.origin).await {
            Ok(r) => r,
            Err(e) => return WitnessResponse::Internal(crate::describe(&e)),
        };
        let latest = record.as_ref().map_or(0, |r| r.size);
        if request.old_size != latest {
            return WitnessResponse::Conflict(latest);
        }
        if let Some(r) = &record
            && r.size == checkpoint.size
            && r.root != checkpoint.root
        {
            return WitnessResponse::Conflict(latest);
        }
        match &record {
            None | Some(WitnessRecord { size: 0, .. }) if !request.proof.is_empty() => {
                return WitnessResponse::BadProof(
                    "the proof must be empty when the old size is 0".into(),
                );
            }
            Some(r) if r.size > 0 => {
                if let Err(e) = verify_consistency(
                    r.size,
                    checkpoint.size,
                    &request.proof,
                    r.root.as_bytes(),
                    checkpoint.root.as_bytes(),
                ) {
                    return WitnessResponse::BadProof(e.to_string());
                }
            }
            _ => {}
        }
        let cosignature = self.signer.cosign_at(note.text.as_bytes(), now());
        let new = WitnessRecord {
            size: checkpoint.size,
            root: checkpoint.root,
            checkpoint: request.checkpoint.clone(),
        };
        match self
            .store
            .witness_swap(&checkpoint.origin, record.as_ref(), &new)
            .await
        {
            Ok(true) => WitnessResponse::Cosigned(vec![cosignature]),
            Ok(false) => match self.store.witness_record(&checkpoint.origin).await {
                Ok(r) => WitnessResponse::Conflict(r.map_or(0, |r| r.size)),
                Err(e) => WitnessResponse::Internal(crate::describe(&e)),
            },
            Err(e) => WitnessResponse::Internal(crate::describe(&e)),
        }
    }
}

/// Something that answers `add-checkpoint` (a [`Witness`] in process, or an
/// HTTP client).
pub trait WitnessEndpoint: Send + Sync {
    /// Sends a request body; returns the witness's response.
    fn add_checkpoint(&self, body: String) -> impl Future<Output = WitnessResponse> + Send;
}

impl<S: WitnessStore> WitnessEndpoint for Witness<S> {
    async fn add_checkpoint(&self, body: String) -> WitnessResponse {
        Witness::add_checkpoint(self, body.as_bytes()).await
    }
}

/// Produces consistency proofs for the client (a log).
pub trait ConsistencyProver: Send + Sync {
    /// Proof from `old` to `new`.
    fn prove_consistency(
        &self,
        old: u64,
        new: u64,
    ) -> impl Future<Output = Result<Vec<Hash>, LogError>> + Send;
}

impl<S: Storage> ConsistencyProver for LogReader<S> {
    async fn prove_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, LogError> {
        self.consistency_proof(old, new).await
    }
}

/// Why the client could not get a quorum.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Too few witnesses cosigned.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The log could not prove consistency.
    #[error(transparent)]
    Log(#[from] LogError),
    /// Endpoints and policy witnesses differ in number.
    #[error("{endpoints} endpoints for {witnesses} policy witnesses")]
    Mismatch {
        /// Endpoints given.
        endpoints: usize,
        /// Witnesses in the policy.
        witnesses: usize,
    },
}

/// Collects cosignatures for a log's checkpoints from the witnesses of a
/// policy, remembering each witness's latest size between calls.
#[derive(Debug)]
pub struct WitnessClient<E> {
    policy: WitnessPolicy,
    endpoints: Vec<E>,
    known: Mutex<HashMap<usize, u64>>,
}

impl<E: WitnessEndpoint> WitnessClient<E> {
    /// `endpoints[i]` is the witness `policy.witnesses()[i]`.
    pub fn new(policy: WitnessPolicy, endpoints: Vec<E>) -> Result<Self, ClientError> {
        if endpoints.len() != policy.witnesses().len() {
            return Err(ClientError::Mismatch {
                endpoints: endpoints.len(),
                witnesses: policy.witnesses().len(),
            });
        }
        Ok(Self {
            policy,
            endpoints,
            known: Mutex::new(HashMap::new()),
        })
    }

    /// Asks every witness to cosign `checkpoint` and returns the note with
    /// the valid cosignatures added, if the policy's quorum is met.
    pub async fn cosign(
        &self,
        checkpoint: &SignedCheckpoint,
        prover: &impl ConsistencyProver,
    ) -> Result<Note, ClientError> {
        let size = checkpoint.checkpoint.size;
        let mut note = checkpoint.note.clone();
        let mut failures = Vec::new();
        for (i, (endpoint, verifier)) in self
            .endpoints
            .iter()
            .zip(self.policy.witnesses())
            .enumerate()
        {
            let mut old = self
                .known
                .lock()
                .expect("lock")
                .get(&i)
                .copied()
                .unwrap_or(0);
            // One retry: a 409 tells the witness's actual size.
            for attempt in 0..2 {
                if old > size {
                    failures.push(format!("{} has already seen size {old}", verifier.name()));
                    break;
                }
                let proof = if old == 0 || old == size {
                    Vec::new()
                } else {
                    prover.prove_consistency(old, size).await?
                };
                let request = AddCheckpointRequest {
                    old_size: old,
                    proof,
                    checkpoint: checkpoint.note.to_string(),
                };
                match endpoint.add_checkpoint(request.to_string()).await {
                    WitnessResponse::Cosigned(sigs) => {
                        let valid: Vec<NoteSignature> = sigs
                            .into_iter()
                            .filter(|s| s.name == verifier.name() && s.key_id == verifier.key_id())
                            .filter(|s| verifier.verify(note.text.as_bytes(), &s.signature))
                            .collect();
                        if valid.is_empty() {
                            failures
                                .push(format!("{} returned no valid cosignature", verifier.name()));
                        } else {
                            self.known.lock().expect("lock").insert(i, size);
                        }
                        note.add_signatures(valid);
                        break;
                    }
                    WitnessResponse::Conflict(latest) if attempt == 0 => {
                        old = latest;
                        self.known.lock().expect("lock").insert(i, latest);
                    }
                    other => {
                        failures.push(format!(
                            "{}: HTTP {} {}",
                            verifier.name(),
                            other.status(),
                            other.body().trim_end()
                        ));
                        break;
                    }
                }
            }
        }
        match self.policy.check(&note) {
            Ok(_) => Ok(note),
            Err(PolicyError::NotEnough { got, need, .. }) => Err(PolicyError::NotEnough {
                got,
                need,
                detail: if failures.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", failures.join("; "))
                },
            }
            .into()),
            Err(e) => Err(e.into()),
        }
    }
}
