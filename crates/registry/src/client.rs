//! The registry's HTTP client, and the audit anyone can run against a
//! registry: fetch the public log, check it against the checkpoints seen
//! before, replay every event through the core and compare the state hash
//! with the one the registry serves.

use crate::replica::{ReplayError, Replica};
use crate::wire::{AccessGrant, Genesis, Problem, SignedEvent, WireError};
use accord_tlog::checkpoint::SignedCheckpoint;
use accord_tlog::hash::{Hash, leaf_hash};
use accord_tlog::merkle::Frontier;
use accord_tlog::note::{Ed25519Verifier, NoteVerifier as _};
use accord_tlog::proof::verify_consistency;
use accord_tlog::tile::{TILE_WIDTH, TileKind, TilePath, decode_bundle, tile_width};
use accord_tlog::witness::WitnessPolicy;
use serde::de::DeserializeOwned;
use std::path::Path;

/// A request that failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The registry refused the request with a problem document.
    #[error("the registry refused: {0}")]
    Refused(Problem),
    /// No answer, or an answer that is not what the API documents.
    #[error("{url}: {message}")]
    Transport {
        /// The URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A statement that fails verification.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The audit found the registry's log or state wrong.
    #[error("audit failed: {0}")]
    Audit(String),
}

/// A client of one registry.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    /// A client for the registry at `base` (e.g. `http://127.0.0.1:8377`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<Vec<u8>, ClientError> {
        let transport = |message: String| ClientError::Transport {
            url: url.to_string(),
            message,
        };
        let response = request
            .send()
            .await
            .map_err(|e| transport(crate::describe(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport(crate::describe(&e)))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        match serde_json::from_slice::<Problem>(&bytes) {
            Ok(problem) => Err(ClientError::Refused(problem)),
            Err(_) => Err(transport(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes).trim_end()
            ))),
        }
    }

    /// GETs `path` as bytes.
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}{path}", self.base);
        self.send(self.http.get(&url), &url).await
    }

    /// GETs `path` as text.
    pub async fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let bytes = self.get_bytes(path).await?;
        String::from_utf8(bytes).map_err(|_| ClientError::Transport {
            url: format!("{}{path}", self.base),
            message: "the answer is not UTF-8".into(),
        })
    }

    /// GETs `path` as JSON.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let bytes = self.get_bytes(path).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Transport {
            url: format!("{}{path}", self.base),
            message: format!("unexpected JSON: {e}"),
        })
    }

    /// Submits a signed event; returns the receipt (index and effects).
    pub async fn submit(&self, event: &SignedEvent) -> Result<serde_json::Value, ClientError> {
        let url = format!("{}/v1/events", self.base);
        let bytes = self
            .send(
                self.http
                    .post(&url)
                    .header("content-type", "text/plain; charset=utf-8")
                    .body(event.as_str().to_string()),
                &url,
            )
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Transport {
            url,
            message: format!("unexpected JSON: {e}"),
        })
    }

    /// The access grant for `lab` (unverified; see [`crate::verify_grant`]).
    pub async fn access(&self, lab: &str) -> Result<AccessGrant, ClientError> {
        self.get_json(&format!("/v1/access/{lab}")).await
    }

    /// Audits the registry (see the module docs) at its latest witnessed
    /// checkpoint. `registry_key` is the registry's verifier key as the
    /// auditor knows it (`None`: trust the key the registry serves, and say
    /// so); `policy`, the witnesses the auditor requires; `known`, a file
    /// holding the last checkpoint this auditor accepted, checked for
    /// consistency and replaced once the audit passes.
    pub async fn audit(
        &self,
        registry_key: Option<&Ed25519Verifier>,
        policy: Option<&WitnessPolicy>,
        known: Option<&Path>,
    ) -> Result<AuditReport, ClientError> {
        let fail = |m: String| ClientError::Audit(m);
        let info: serde_json::Value = self.get_json("/v1/registry").await?;
        let served_key = info["verifier_key"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let verifier = match registry_key {
            Some(key) => {
                if key.vkey() != served_key {
                    return Err(fail(format!(
                        "the registry serves the verifier key {served_key}, not the one given"
                    )));
                }
                key.clone()
            }
            None => Ed25519Verifier::from_vkey(&served_key)
                .map_err(|e| fail(format!("served verifier key: {e}")))?,
        };
        let origin = verifier.name().to_string();
        let state: serde_json::Value = self.get_json("/v1/state").await?;
        let summary = &state["witnessed"];
        if summary.is_null() {
            return Err(fail("the registry has no witnessed checkpoint yet".into()));
        }
        let checkpoint_text = summary["checkpoint"].as_str().unwrap_or_default();
        let checkpoint = SignedCheckpoint::open(checkpoint_text, &origin, &verifier)
            .map_err(|e| fail(format!("the served checkpoint: {e}")))?;
        if let Some(policy) = policy {
            policy
                .check(&checkpoint.note)
                .map_err(|e| fail(format!("the served checkpoint's witnesses: {e}")))?;
        }
        let size = checkpoint.checkpoint.size;
        if summary["log_size"].as_u64() != Some(size) {
            return Err(fail(format!(
                "the state is served for log size {} but its checkpoint has size {size}",
                summary["log_size"]
            )));
        }
        let consistent_with = match known.filter(|p| p.exists()) {
            Some(path) => Some(
                self.check_consistency(path, &checkpoint, &origin, &verifier)
                    .await?,
            ),
            None => None,
        };
        let entries = self.fetch_entries(size).await?;
        let mut frontier = Frontier::new();
        for entry in &entries {
            frontier.push(leaf_hash(entry), |_, _| {});
        }
        if frontier.root() != checkpoint.checkpoint.root {
            return Err(fail(format!(
                "the {size} entries served do not hash to the checkpoint's root: the log's content was changed"
            )));
        }
        let genesis_text = std::str::from_utf8(&entries[0]).unwrap_or_default();
        let genesis = Genesis::open(genesis_text, &verifier)
            .map_err(|e| fail(format!("log entry 0: {e}")))?;
        let replica = Replica::replay(genesis, entries[1..].iter().map(Vec::as_slice))
            .map_err(|e: ReplayError| fail(e.to_string()))?;
        let recomputed = replica.state().state_hash();
        let served = summary["state_hash"].as_str().unwrap_or_default();
        if recomputed != served {
            return Err(fail(format!(
                "replaying the {} logged events gives state hash {recomputed}, but the registry serves {served}",
                size - 1
            )));
        }
        if let Some(path) = known {
            std::fs::write(path, checkpoint_text).map_err(|e| {
                fail(format!(
                    "cannot remember the checkpoint in {}: {e}",
                    path.display()
                ))
            })?;
        }
        Ok(AuditReport {
            origin,
            log_size: size,
            state_hash: recomputed,
            consistent_with,
            key_trusted_from_server: registry_key.is_none(),
        })
    }

    async fn check_consistency(
        &self,
        path: &Path,
        new: &SignedCheckpoint,
        origin: &str,
        verifier: &Ed25519Verifier,
    ) -> Result<u64, ClientError> {
        let fail = |m: String| ClientError::Audit(m);
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
        let old = SignedCheckpoint::open(&text, origin, verifier)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let (a, b) = (&old.checkpoint, &new.checkpoint);
        if a.size > b.size {
            return Err(fail(format!(
                "the log shrank: seen at size {} before, now {}",
                a.size, b.size
            )));
        }
        if a.size == b.size || a.size == 0 {
            if a.size == b.size && a.root != b.root {
                return Err(fail(format!(
                    "two different trees of size {}: the log forked",
                    a.size
                )));
            }
            return Ok(a.size);
        }
        let body = self
            .get_text(&format!(
                "/v1/log/consistency?old={}&new={}",
                a.size, b.size
            ))
            .await?;
        let proof = body
            .lines()
            .map(Hash::from_base64)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(format!("consistency proof: {e}")))?;
        verify_consistency(a.size, b.size, &proof, a.root.as_bytes(), b.root.as_bytes()).map_err(
            |e| {
                fail(format!(
                    "the log at size {} does not extend the one seen at size {}: {e} (the log forked or was rewritten)",
                    b.size, a.size
                ))
            },
        )?;
        Ok(a.size)
    }

    /// Entries `0..size` from the entry bundles at the tlog-tiles paths.
    async fn fetch_entries(&self, size: u64) -> Result<Vec<Vec<u8>>, ClientError> {
        let mut entries = Vec::with_capacity(size as usize);
        for index in 0..size.div_ceil(u64::from(TILE_WIDTH)) {
            let width = tile_width(TileKind::Entries, index, size);
            let path = TilePath {
                kind: TileKind::Entries,
                index,
                width,
            };
            let bundle = self.get_bytes(&format!("/{path}")).await?;
            let decoded = decode_bundle(&bundle, width)
                .map_err(|e| ClientError::Audit(format!("entry bundle {path}: {e}")))?;
            entries.extend(decoded.into_iter().map(<[u8]>::to_vec));
        }
        Ok(entries)
    }
}

/// What an audit established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// The registry's log origin.
    pub origin: String,
    /// Log size audited.
    pub log_size: u64,
    /// State hash recomputed from the log, equal to the served one.
    pub state_hash: String,
    /// Size of the earlier checkpoint this one was proved consistent with.
    pub consistent_with: Option<u64>,
    /// Whether the verifier key came from the server (no key given).
    pub key_trusted_from_server: bool,
}
