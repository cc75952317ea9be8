//! The registry's HTTP client, and the audit anyone can run against a
//! registry: fetch the public log, check it against the checkpoints seen
//! before, replay every event through the core and compare the state hash
//! with the one the registry serves.

use crate::replica::{ReplayError, Replica};
use crate::wire::{
    AccessGrant, Genesis, GrantStatement, Problem, SignedEvent, WireError, verify_grant,
};
use accord_tlog::checkpoint::SignedCheckpoint;
use accord_tlog::hash::{Hash, leaf_hash};
use accord_tlog::merkle::Frontier;
use accord_tlog::note::{Ed25519Verifier, NoteVerifier as _};
use accord_tlog::proof::verify_consistency;
use accord_tlog::tile::{TILE_WIDTH, TileKind, TilePath, decode_bundle, tile_width};
use accord_tlog::witness::WitnessPolicy;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Largest answer read (an entry bundle is at most 256 entries of 65,535
/// bytes; the whole state of a large registry fits too).
pub const MAX_RESPONSE_BYTES: usize = 64 << 20;
/// Longest a request may take.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A request that failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The registry refused the request with a problem document.
    #[error("the registry refused: {0}")]
    Refused(Box<Problem>),
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
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("a client without TLS builds"),
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
        let mut response = request
            .send()
            .await
            .map_err(|e| transport(crate::describe(&e)))?;
        let status = response.status();
        let too_large = || transport(format!("the answer exceeds {MAX_RESPONSE_BYTES} bytes"));
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(crate::describe(&e)))?
        {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return Ok(bytes);
        }
        match serde_json::from_slice::<Problem>(&bytes) {
            Ok(problem) => Err(ClientError::Refused(Box::new(problem))),
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

    /// POSTs `body` as JSON to `path`, with a monitor's signature if given.
    pub async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        signature: Option<&str>,
    ) -> Result<T, ClientError> {
        let body = serde_json::to_vec(body).expect("request bodies serialise");
        self.post_raw_json(path, body, signature).await
    }

    /// POSTs JSON bytes (exactly those, as signed) to `path`.
    pub async fn post_raw_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
        signature: Option<&str>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header(crate::channel::wire::SIGNATURE_HEADER, signature);
        }
        let bytes = self.send(request, &url).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Transport {
            url,
            message: format!("unexpected JSON: {e}"),
        })
    }

    /// GETs `path` as JSON with a monitor's signature.
    pub async fn get_signed<T: DeserializeOwned>(
        &self,
        path: &str,
        signature: &str,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let request = self
            .http
            .get(&url)
            .header(crate::channel::wire::SIGNATURE_HEADER, signature);
        let bytes = self.send(request, &url).await?;
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
    /// checkpoint, streaming the log one entry bundle at a time.
    pub async fn audit(&self, options: &AuditOptions<'_>) -> Result<AuditReport, ClientError> {
        Ok(self.audited_replica(options).await?.0)
    }

    /// [`Client::audit`], returning also the replica the audit recomputed:
    /// a state to read from without trusting the registry's answers.
    pub async fn audited_replica(
        &self,
        options: &AuditOptions<'_>,
    ) -> Result<(AuditReport, Replica), ClientError> {
        let fail = |m: String| ClientError::Audit(m);
        let info: serde_json::Value = self.get_json("/v1/registry").await?;
        let served_key = info["verifier_key"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let verifier = match options.registry_key {
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
        if let Some(policy) = options.policy {
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
        if size == 0 {
            return Err(fail("the checkpoint is of an empty log: no genesis".into()));
        }
        let mut grants = Vec::new();
        for grant in options.grants {
            let statement = verify_grant(grant, &verifier, options.policy)?;
            if statement.log_size > size {
                return Err(fail(format!(
                    "the grant for {} reflects log size {}, beyond the audited checkpoint ({size})",
                    statement.lab, statement.log_size
                )));
            }
            grants.push(statement);
        }
        grants.sort_by_key(|g| g.log_size);
        let consistent_with = match options.known.filter(|p| p.exists()) {
            Some(path) => Some(
                self.check_consistency(path, &checkpoint, &origin, &verifier)
                    .await?,
            ),
            None => None,
        };
        let mut fold = Fold::new(&verifier, grants);
        for index in 0..size.div_ceil(u64::from(TILE_WIDTH)) {
            let width = tile_width(TileKind::Entries, index, size);
            let path = TilePath {
                kind: TileKind::Entries,
                index,
                width,
            };
            let bundle = self.get_bytes(&format!("/{path}")).await?;
            let entries = decode_bundle(&bundle, width)
                .map_err(|e| fail(format!("entry bundle {path}: {e}")))?;
            for entry in entries {
                fold.push(entry);
            }
        }
        // A changed entry is reported as such, before what it broke in the replay.
        if fold.frontier.root() != checkpoint.checkpoint.root {
            return Err(fail(format!(
                "the {size} entries served do not hash to the checkpoint's root: the log's content was changed"
            )));
        }
        let replica = fold.finish().map_err(fail)?;
        let recomputed = replica.state().state_hash();
        let served = summary["state_hash"].as_str().unwrap_or_default();
        if recomputed != served {
            return Err(fail(format!(
                "replaying the {} logged events gives state hash {recomputed}, but the registry serves {served}",
                size - 1
            )));
        }
        if let Some(path) = options.known {
            remember(path, checkpoint_text).map_err(|e| {
                fail(format!(
                    "cannot remember the checkpoint in {}: {e}",
                    path.display()
                ))
            })?;
        }
        let report = AuditReport {
            origin,
            log_size: size,
            state_hash: recomputed,
            consistent_with,
            grants_checked: options.grants.len(),
            key_trusted_from_server: options.registry_key.is_none(),
        };
        Ok((report, replica))
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
    /// Access grants whose decision and state hash were recomputed.
    pub grants_checked: usize,
    /// Whether the verifier key came from the server (no key given).
    pub key_trusted_from_server: bool,
}

/// What to audit against.
#[derive(Debug, Default)]
pub struct AuditOptions<'a> {
    /// The registry's verifier key as the auditor knows it (`None`: trust
    /// the key the registry serves, and say so).
    pub registry_key: Option<&'a Ed25519Verifier>,
    /// The witnesses the auditor requires.
    pub policy: Option<&'a WitnessPolicy>,
    /// A file holding the last checkpoint this auditor accepted: the new one
    /// must be consistent with it; replaced once the audit passes.
    pub known: Option<&'a Path>,
    /// Access grants to recompute: each decision and state hash must be
    /// what the log gives at the grant's size.
    pub grants: &'a [AccessGrant],
}

/// The audit's fold over the entries as they arrive: the Merkle frontier,
/// the replica, and the grants checked at their sizes.
struct Fold<'a> {
    verifier: &'a Ed25519Verifier,
    frontier: Frontier,
    replica: Option<Replica>,
    grants: std::collections::VecDeque<GrantStatement>,
    error: Option<String>,
}

impl<'a> Fold<'a> {
    fn new(verifier: &'a Ed25519Verifier, grants: Vec<GrantStatement>) -> Self {
        Self {
            verifier,
            frontier: Frontier::new(),
            replica: None,
            grants: grants.into(),
            error: None,
        }
    }

    fn push(&mut self, entry: &[u8]) {
        self.frontier.push(leaf_hash(entry), |_, _| {});
        if self.error.is_some() {
            return;
        }
        let folded = match &mut self.replica {
            None => {
                let text = std::str::from_utf8(entry).unwrap_or_default();
                Genesis::open(text, self.verifier)
                    .map_err(|e| format!("log entry 0: {e}"))
                    .and_then(|g| Replica::new(g).map_err(|e: ReplayError| e.to_string()))
                    .map(|r| self.replica = Some(r))
            }
            Some(replica) => replica.replay_entry(entry).map_err(|e| e.to_string()),
        };
        if let Err(error) = folded {
            self.error = Some(error);
            return;
        }
        let replica = self.replica.as_ref().expect("folded above");
        while self
            .grants
            .front()
            .is_some_and(|g| g.log_size == replica.log_size())
        {
            let grant = self.grants.pop_front().expect("checked");
            if let Err(error) = check_grant(&grant, replica) {
                self.error = Some(error);
                return;
            }
        }
    }

    fn finish(self) -> Result<Replica, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if let Some(grant) = self.grants.front() {
            return Err(format!(
                "the grant for {} reflects log size {}, which no replayed prefix has",
                grant.lab, grant.log_size
            ));
        }
        self.replica.ok_or_else(|| "the log is empty".to_string())
    }
}

/// A grant's decision and state hash against the replica at its size.
fn check_grant(grant: &GrantStatement, replica: &Replica) -> Result<(), String> {
    let state = replica.state();
    let hash = state.state_hash();
    if hash != grant.state_hash {
        return Err(format!(
            "the grant for {} states state hash {} at log size {}, the log gives {hash}",
            grant.lab, grant.state_hash, grant.log_size
        ));
    }
    let decision = state.access(&grant.lab);
    let reasons: Vec<serde_json::Value> = decision
        .reasons
        .iter()
        .map(|r| serde_json::to_value(r).expect("reasons serialise"))
        .collect();
    if decision.allowed != grant.allowed
        || decision.period != grant.period
        || reasons != grant.reasons
    {
        return Err(format!(
            "the grant for {} at log size {} says allowed = {} for period {}, the log gives allowed = {} for period {} ({})",
            grant.lab,
            grant.log_size,
            grant.allowed,
            grant.period,
            decision.allowed,
            decision.period,
            serde_json::Value::from(reasons)
        ));
    }
    Ok(())
}

/// Replaces `path` with `text` atomically (a crash leaves the old file).
fn remember(path: &Path, text: &str) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}
