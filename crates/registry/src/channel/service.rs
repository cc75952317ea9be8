//! The channel's service: admits reports, logs their receipts through the
//! registry's single writer, and keeps the mailboxes.
//!
//! * **Nothing stored for a refused report.** A report is checked (layout,
//!   recipients, token signature, lab, token unspent) before anything is
//!   written; then, in a task of its own, it is stored as pending and its
//!   receipt goes to the log; a refused receipt deletes it again. A receipt
//!   the log could not commit is submitted again, identically; one still
//!   undecided, or a crash in between, is settled on the next start against
//!   the log entry at the channel participant's sequence number.
//! * **The code never reaches the database.** The reporter's software sends
//!   what the receipt code derives; the registry keeps Argon2id of it under
//!   a per-registry salt, and finds the mailbox by that hash.
//! * **Guessing is rate-limited without addresses.** Every request that
//!   carries no token or signature (opening an inbox, answering from it)
//!   takes from one global bucket of `inbox_opens_per_second`; an empty
//!   bucket answers 429. With 128-bit codes the limit protects the CPU
//!   (each attempt costs an Argon2id hash), not the codes.
//! * **Argon2id memory is bounded.** At most [`ARGON2_AT_ONCE`] hashes run
//!   at once. Token-less requests find the limit reached and are answered
//!   503 at once; a report with a verified token waits its turn (the
//!   registry lets only a few reports upload at once, so the queue stays
//!   short), rather than failing an honest reporter.

// Refusals are the API's problem documents, built on cold paths; boxing
// them would only move the allocation.
#![allow(clippy::result_large_err)]

use super::store::{ReportKey, Store, StoreError, StoredReport};
use super::wire::{
    InboxMessage, InboxRequest, MessageAccepted, MessageView, MonitorMessage, REPORTER,
    ReportAccepted, ReportList, ReportSubmission, ReportSummary, ReportView, SignedRequest,
    day_after, today,
};
use crate::replica::Replica;
use crate::service::{Registry, RegistryError};
use crate::wire::{Problem, SignedEvent, hex};
use accord_channel::envelope::{Envelope, RecipientKey};
use accord_channel::token::{self, TokenKey};
use accord_core::event::{ChannelKeyPurpose, Event, EventBody};
use accord_core::{Role, State};
use accord_log::{AnyStorage, Log};
use accord_tlog::note::{Ed25519Signer, NoteSigner as _};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Default rate of token-less channel requests, per second, registry-wide.
pub const DEFAULT_INBOX_OPENS_PER_SECOND: u32 = 4;
/// Argon2id memory, KiB (OWASP's minimum for Argon2id: 19 MiB).
const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// Argon2id passes.
const ARGON2_PASSES: u32 = 2;
/// Times a receipt the log could not commit is submitted again.
const RESUBMISSIONS: usize = 3;
/// Largest follow-up message, sealed (text and small attachments).
pub const MAX_MESSAGE_ENVELOPE_BYTES: usize = 1024 * 1024;
/// Argon2id hashes computed at once (memory: this many × 19 MiB).
pub const ARGON2_AT_ONCE: usize = 2;

/// How to run the channel.
#[derive(Debug, Clone)]
pub struct ChannelConfig {
    /// Secret key file of the participant that records receipts (a
    /// secretariat, made by `accord registry keygen`; its name is its id).
    pub key_file: PathBuf,
    /// Token-less requests (inbox opens and answers) per second, in all.
    pub inbox_opens_per_second: u32,
}

/// A token bucket shared by every token-less request.
#[derive(Debug)]
struct Bucket {
    per_second: f64,
    capacity: f64,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second.max(1));
        let capacity = (2.0 * per_second).max(1.0);
        Self {
            per_second,
            capacity,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    fn take(&self) -> bool {
        let mut state = self.state.lock().expect("bucket lock");
        let now = Instant::now();
        let refill = now.duration_since(state.1).as_secs_f64() * self.per_second;
        state.0 = (state.0 + refill).min(self.capacity);
        state.1 = now;
        if state.0 >= 1.0 {
            state.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The running channel.
#[derive(Debug)]
pub struct Channel {
    signer: Ed25519Signer,
    store: Store,
    salt: Vec<u8>,
    /// One receipt (one sequence number of the channel's participant) at a
    /// time, and one conversation write at a time.
    writing: tokio::sync::Mutex<()>,
    /// Argon2id computations at once (each takes 19 MiB).
    hashing: tokio::sync::Semaphore,
    bucket: Bucket,
}

fn problem(status: u16, rule: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem::new(status, rule, title, detail)
}

fn invalid(field: &str, detail: impl Into<String>) -> Problem {
    problem(400, "invalid", "Invalid channel request", detail).field(field)
}

pub(super) fn no_channel() -> Problem {
    problem(
        404,
        "no-channel",
        "No whistleblower channel",
        "this registry runs no whistleblower channel (accord serve --channel-key)",
    )
}

fn spent() -> Problem {
    problem(
        409,
        "token-spent",
        "Token already spent",
        "this token was already spent; a token admits one report (ask the issuer for another)",
    )
    .field("token")
}

fn storage(error: StoreError) -> Problem {
    crate::service::internal(&error)
}

fn channel_problem(field: &str, error: &accord_channel::ChannelError) -> Problem {
    match error {
        accord_channel::ChannelError::TooLarge { .. } => {
            problem(413, "too-large", "Report too large", error.to_string()).field(field)
        }
        _ => invalid(field, error.to_string()),
    }
}

fn decode_envelope(text: &str) -> Result<(Vec<u8>, Envelope), Problem> {
    let bytes = BASE64.decode(text).map_err(|e| {
        invalid(
            "envelope",
            format!("envelope: not base64 ({e}); truncated?"),
        )
    })?;
    let envelope = Envelope::parse(&bytes).map_err(|e| channel_problem("envelope", &e))?;
    Ok((bytes, envelope))
}

fn check_secret(text: &str) -> Result<(), Problem> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(invalid(
            "inbox_secret",
            "expected the 64 hex digits the receipt code derives",
        ))
    }
}

/// The protocol's report monitors, all with published keys, in order.
fn report_monitors(state: &State) -> Result<Vec<String>, Problem> {
    let keys = state.report_keys();
    if keys.is_empty() {
        return Err(problem(
            404,
            "no-channel",
            "No whistleblower channel",
            "this protocol names no report monitors ([whistleblower] monitors)",
        ));
    }
    if let Some((monitor, _)) = keys.iter().find(|(_, key)| key.is_none()) {
        return Err(problem(
            503,
            "channel-not-ready",
            "Channel not ready",
            format!("report monitor {monitor} has not published its report key yet"),
        ));
    }
    Ok(keys.iter().map(|(m, _)| m.to_string()).collect())
}

fn check_recipients(envelope: &Envelope, expected: &[String]) -> Result<(), Problem> {
    let found = envelope.recipients();
    if found != expected {
        return Err(invalid(
            "envelope",
            format!(
                "sealed to {found:?}; this channel's recipients are {expected:?}, in that order"
            ),
        ));
    }
    Ok(())
}

fn envelope_digest(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn view(report: StoredReport, messages: Vec<super::store::StoredMessage>) -> ReportView {
    ReportView {
        report_commitment: report.commitment,
        lab: report.lab,
        arrival_day: report.arrival_day,
        log_index: report.log_index,
        reply_key: report.reply_key,
        envelope: BASE64.encode(&report.envelope),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                seq: m.seq,
                sender: m.sender,
                day: m.day,
                envelope: BASE64.encode(&m.envelope),
            })
            .collect(),
    }
}

impl Channel {
    /// Opens the channel's storage in the registry's database and settles
    /// reports a crash left pending.
    pub async fn open(
        config: &ChannelConfig,
        db: &str,
        replica: &Replica,
        log: &Log<AnyStorage>,
    ) -> Result<Self, RegistryError> {
        let fail = |m: String| RegistryError::Config(m);
        let path = &config.key_file;
        let text = std::fs::read_to_string(path).map_err(|e| {
            fail(format!(
                "cannot read the channel key {}: {e}",
                path.display()
            ))
        })?;
        let signer = Ed25519Signer::from_skey(text.trim()).map_err(|e| {
            fail(format!(
                "{}: not a key made by `accord registry keygen`: {e}",
                path.display()
            ))
        })?;
        let store = Store::open(db)
            .await
            .map_err(|e| fail(format!("channel storage: {}", crate::describe(&e))))?;
        let salt = store
            .salt(accord_channel_random())
            .await
            .map_err(|e| fail(format!("channel storage: {}", crate::describe(&e))))?;
        let channel = Self {
            signer,
            store,
            salt,
            writing: tokio::sync::Mutex::new(()),
            hashing: tokio::sync::Semaphore::new(ARGON2_AT_ONCE),
            bucket: Bucket::new(config.inbox_opens_per_second),
        };
        channel
            .settle(replica, log)
            .await
            .map_err(|e| fail(format!("channel storage: settling pending reports: {e}")))?;
        Ok(channel)
    }

    /// The participant id the channel records receipts as.
    pub fn participant(&self) -> &str {
        self.signer.name()
    }

    /// Pending reports whose receipt was logged (the entry at the channel
    /// participant's sequence number commits to them) are confirmed; the
    /// others were never acknowledged and are deleted.
    async fn settle(&self, replica: &Replica, log: &Log<AnyStorage>) -> Result<(), String> {
        let last = replica.state().last_seq(self.participant()).unwrap_or(0);
        let pending = self
            .store
            .pending()
            .await
            .map_err(|e| crate::describe(&e))?;
        for (commitment, seq) in pending {
            let logged = match replica.index_of(self.participant(), seq) {
                Some(index) if seq <= last => {
                    let entry = log.entry(index).await.map_err(|e| crate::describe(&e))?;
                    let commits = std::str::from_utf8(&entry)
                        .ok()
                        .and_then(|text| SignedEvent::parse(text).ok())
                        .is_some_and(|signed| {
                            matches!(
                                &signed.event.body,
                                EventBody::WhistleblowerReceipt { report_commitment, .. }
                                    if *report_commitment == commitment
                            )
                        });
                    commits.then_some(index)
                }
                _ => None,
            };
            let done = match logged {
                Some(index) => self.store.confirm(&commitment, index).await,
                // Older than the replica's memory of the channel's receipts
                // (256): kept pending rather than guessed.
                None if seq <= last && replica.index_of(self.participant(), seq).is_none() => {
                    Ok(())
                }
                None => self.store.delete(&commitment).await,
            };
            done.map_err(|e| crate::describe(&e))?;
        }
        Ok(())
    }

    /// A turn to hash for a token-less request, or 503 at once when
    /// [`ARGON2_AT_ONCE`] hashes are running, so a flood cannot queue up.
    fn hashing_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, Problem> {
        self.hashing.try_acquire().map_err(|_| {
            problem(
                503,
                "busy",
                "Channel busy",
                "the channel is hashing as many receipt secrets as it may at once; nothing was stored: retry in a moment",
            )
        })
    }

    /// Argon2id of an inbox secret under the registry's salt, hex, in the
    /// hashing turn `_turn` (at most [`ARGON2_AT_ONCE`] at a time).
    async fn slow_hash(
        &self,
        secret: &str,
        _turn: tokio::sync::SemaphorePermit<'_>,
    ) -> Result<String, Problem> {
        let secret = secret.to_ascii_lowercase();
        let salt = self.salt.clone();
        tokio::task::spawn_blocking(move || {
            let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, Some(32))
                .expect("valid Argon2 parameters");
            let argon =
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
            let mut out = [0u8; 32];
            argon
                .hash_password_into(secret.as_bytes(), &salt, &mut out)
                .expect("Argon2id with valid parameters");
            hex(&out)
        })
        .await
        .map_err(|e| crate::service::internal(&e))
    }

    fn take_token_less(&self) -> Result<(), Problem> {
        if self.bucket.take() {
            Ok(())
        } else {
            Err(problem(
                429,
                "rate-limited",
                "Too many inbox requests",
                "the registry takes a limited number of inbox requests per second from everyone together; retry in a few seconds",
            ))
        }
    }

    /// Admits a report: checks it, stores it, logs its receipt. The part
    /// that stores and logs runs in a task of its own, so a client that
    /// goes away (or the request timeout) cannot stop it half way.
    pub async fn submit_report(
        registry: Arc<Registry>,
        body: ReportSubmission,
    ) -> Result<ReportAccepted, Problem> {
        let channel = registry.channel().ok_or_else(no_channel)?;
        let (bytes, envelope) = decode_envelope(&body.envelope)?;
        RecipientKey::from_hex(&body.reply_key).map_err(|_| {
            invalid(
                "reply_key",
                "expected the reporter's reply key, a usable X25519 public key as 64 hex digits"
                    .to_string(),
            )
        })?;
        check_secret(&body.inbox_secret)?;
        {
            let published = registry.published();
            let state = published.replica.state();
            check_recipients(&envelope, &report_monitors(state)?)?;
            if state.role(&body.lab) != Some(Role::Lab) {
                return Err(invalid(
                    "lab",
                    format!("{:?} is not a registered lab", body.lab),
                ));
            }
            let key = match state.channel_key(&body.token.issuer) {
                Some((ChannelKeyPurpose::TokenSigning, key)) => key,
                _ => {
                    return Err(invalid(
                        "token.issuer",
                        format!(
                            "{:?} is not an issuer with a published token key",
                            body.token.issuer
                        ),
                    ));
                }
            };
            let key = TokenKey::from_base64(key).map_err(|e| invalid("token", e.to_string()))?;
            token::verify(&key, &body.token).map_err(|e| invalid("token", e.to_string()))?;
            if state.token_spent(&body.token) {
                return Err(spent());
            }
        }
        // A verified token waits for its turn: uploads are capped
        // (`MAX_REPORT_UPLOADS`), so few can wait, and a reporter with a
        // valid token is not turned away because others are hashing.
        let turn = channel
            .hashing
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        let inbox_hash = channel.slow_hash(&body.inbox_secret, turn).await?;
        let task_registry = registry.clone();
        tokio::spawn(async move {
            let channel = task_registry.channel().expect("checked above");
            channel.admit(&task_registry, body, bytes, inbox_hash).await
        })
        .await
        .map_err(|e| crate::service::internal(&e))?
    }

    /// Stores a checked report as pending and logs its receipt, one at a
    /// time (the channel participant's sequence numbers).
    async fn admit(
        &self,
        registry: &Registry,
        body: ReportSubmission,
        bytes: Vec<u8>,
        inbox_hash: String,
    ) -> Result<ReportAccepted, Problem> {
        let commitment = envelope_digest(&bytes);
        let arrival_day = today();
        let _writing = self.writing.lock().await;
        let (seq, period) = {
            let published = registry.published();
            let state = published.replica.state();
            if state.role(self.participant()) != Some(Role::Secretariat) {
                return Err(problem(
                    503,
                    "channel-not-ready",
                    "Channel not ready",
                    format!(
                        "the channel's participant {} is not registered as a secretariat",
                        self.participant()
                    ),
                ));
            }
            // Again under the lock: a concurrent submission may have spent it.
            if state.token_spent(&body.token) {
                return Err(spent());
            }
            let last = state.last_seq(self.participant()).unwrap_or(0);
            (last + 1, state.period())
        };
        let report = StoredReport {
            commitment: commitment.clone(),
            event_seq: seq,
            log_index: None,
            lab: body.lab.clone(),
            arrival_day: arrival_day.clone(),
            reply_key: body.reply_key.to_ascii_lowercase(),
            envelope: bytes,
        };
        self.store
            .insert_pending(&report, &inbox_hash)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate => problem(
                    409,
                    "duplicate",
                    "Already submitted",
                    "this report (or this receipt code) was submitted before",
                ),
                other => storage(other),
            })?;
        let event = Event::new(
            self.participant(),
            seq,
            period,
            EventBody::WhistleblowerReceipt {
                lab: body.lab,
                report_commitment: commitment.clone(),
                arrival_day: Some(arrival_day.clone()),
                token: Some(body.token),
            },
        );
        let signed = match SignedEvent::sign(event, &self.signer) {
            Ok(signed) => signed,
            Err(e) => {
                self.store.delete(&commitment).await.map_err(storage)?;
                return Err(Problem::from(&e));
            }
        };
        let mut submitted = registry.submit(signed.as_str()).await;
        // A failed commit is answered 503 and the writer rebuilds from the
        // log; the identical entry again is applied, or answered with the
        // index it already has.
        let mut undecided = None;
        for _ in 0..RESUBMISSIONS {
            match submitted {
                Err(refused) if refused.status == 503 && refused.rule != "overloaded" => {
                    undecided = Some(refused);
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    submitted = registry.submit(signed.as_str()).await;
                }
                _ => break,
            }
        }
        // "overloaded" means this attempt never reached the writer; an
        // earlier one may have reached the log all the same.
        if let (Err(refused), Some(earlier)) = (&submitted, undecided)
            && refused.rule == "overloaded"
        {
            submitted = Err(earlier);
        }
        match submitted {
            Ok(receipt) => {
                // Logged: a failure to note the index is settled on restart.
                let _ = self.store.confirm(&commitment, receipt.index).await;
                Ok(ReportAccepted {
                    report_commitment: commitment,
                    arrival_day,
                    index: receipt.index,
                    entry: signed.as_str().to_string(),
                })
            }
            // Still unknown whether the log holds it: the report stays
            // pending, and the next start settles it against the log.
            Err(refused) if refused.status == 503 && refused.rule != "overloaded" => Err(refused),
            Err(refused) => {
                self.store.delete(&commitment).await.map_err(storage)?;
                Err(refused)
            }
        }
    }

    async fn by_secret(&self, secret: &str) -> Result<StoredReport, Problem> {
        check_secret(secret)?;
        self.take_token_less()?;
        let hash = self.slow_hash(secret, self.hashing_turn()?).await?;
        self.store
            .logged_report(ReportKey::InboxHash(&hash))
            .await
            .map_err(storage)?
            .ok_or_else(|| {
                problem(
                    404,
                    "unknown-receipt",
                    "No such receipt",
                    "no report has this receipt code; check it letter by letter",
                )
            })
    }

    /// The reporter's mailbox.
    pub async fn inbox(&self, body: InboxRequest) -> Result<ReportView, Problem> {
        let report = self.by_secret(&body.inbox_secret).await?;
        let messages = self
            .store
            .messages(&report.commitment)
            .await
            .map_err(storage)?;
        Ok(view(report, messages))
    }

    /// The reporter answers.
    pub async fn reporter_message(
        &self,
        registry: &Registry,
        body: InboxMessage,
    ) -> Result<MessageAccepted, Problem> {
        let (bytes, envelope) = decode_envelope(&body.envelope)?;
        let report = self.by_secret(&body.inbox_secret).await?;
        let mut expected = report_monitors(registry.published().replica.state())?;
        expected.push(REPORTER.to_string());
        check_recipients(&envelope, &expected)?;
        self.add_message(&report.commitment, REPORTER, &bytes).await
    }

    async fn add_message(
        &self,
        commitment: &str,
        sender: &str,
        bytes: &[u8],
    ) -> Result<MessageAccepted, Problem> {
        if bytes.len() > MAX_MESSAGE_ENVELOPE_BYTES {
            return Err(problem(
                413,
                "too-large",
                "Message too large",
                format!(
                    "a sealed message takes at most {MAX_MESSAGE_ENVELOPE_BYTES} bytes; send large evidence with a report"
                ),
            )
            .field("envelope"));
        }
        let _writing = self.writing.lock().await;
        let seq = self
            .store
            .add_message(commitment, sender, &today(), &envelope_digest(bytes), bytes)
            .await
            .map_err(|e| match e {
                StoreError::Full => {
                    problem(409, "conversation-full", "Conversation full", e.to_string())
                }
                other => storage(other),
            })?;
        Ok(MessageAccepted { seq })
    }

    /// Checks a monitor's signed request; returns the monitor.
    pub fn authorise(
        &self,
        registry: &Registry,
        header: Option<&str>,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<String, Problem> {
        let unauthorised = |detail: String| {
            problem(401, "unauthorised", "Signed request required", detail)
                .field(super::wire::SIGNATURE_HEADER)
        };
        let header = header.ok_or_else(|| {
            unauthorised(
                "monitors sign channel requests (the Accord-Signature header; `accord monitor inbox` does it)".into(),
            )
        })?;
        let request = SignedRequest::parse(header).map_err(|e| unauthorised(e.to_string()))?;
        let published = registry.published();
        let state = published.replica.state();
        if !state
            .report_keys()
            .iter()
            .any(|(monitor, _)| *monitor == request.participant)
        {
            return Err(problem(
                403,
                "not-a-report-monitor",
                "Not a report monitor",
                format!(
                    "{} is not among the protocol's whistleblower.monitors",
                    request.participant
                ),
            ));
        }
        let key = published
            .replica
            .key_of(&request.participant)
            .ok_or_else(|| unauthorised(format!("{} is not registered", request.participant)))?;
        request
            .verify(key)
            .map_err(|e| unauthorised(e.to_string()))?;
        let today = today();
        if request.method != method || request.path != path {
            return Err(unauthorised(format!(
                "signed for {} {}, used for {method} {path}",
                request.method, request.path
            )));
        }
        if request.day != today && day_after(&request.day).as_deref() != Some(today.as_str()) {
            return Err(unauthorised(format!(
                "signed on {}; a signed request is good on its day and the next",
                request.day
            )));
        }
        if request.body_sha256 != hex(&Sha256::digest(body)) {
            return Err(unauthorised("the signature is for another body".into()));
        }
        Ok(request.participant)
    }

    /// The monitors' list of reports after log index `after`.
    pub async fn reports(&self, after: u64) -> Result<ReportList, Problem> {
        let rows = self.store.list(after).await.map_err(storage)?;
        Ok(ReportList {
            reports: rows
                .into_iter()
                .map(|(r, messages)| ReportSummary {
                    report_commitment: r.commitment,
                    lab: r.lab,
                    arrival_day: r.arrival_day,
                    log_index: r.log_index,
                    messages,
                })
                .collect(),
        })
    }

    /// One report and its conversation, for a monitor.
    pub async fn report(&self, commitment: &str) -> Result<ReportView, Problem> {
        let report = self
            .store
            .logged_report(ReportKey::Commitment(commitment))
            .await
            .map_err(storage)?
            .ok_or_else(|| {
                problem(
                    404,
                    "unknown-report",
                    "No such report",
                    format!("no report {commitment}"),
                )
            })?;
        let messages = self.store.messages(commitment).await.map_err(storage)?;
        Ok(view(report, messages))
    }

    /// A monitor writes to a report's conversation.
    pub async fn monitor_message(
        &self,
        registry: &Registry,
        monitor: &str,
        commitment: &str,
        body: MonitorMessage,
    ) -> Result<MessageAccepted, Problem> {
        let (bytes, envelope) = decode_envelope(&body.envelope)?;
        self.report(commitment).await?;
        let mut expected = vec![REPORTER.to_string()];
        expected.extend(report_monitors(registry.published().replica.state())?);
        check_recipients(&envelope, &expected)?;
        self.add_message(commitment, monitor, &bytes).await
    }

    /// Closes the channel's storage.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

fn accord_channel_random() -> [u8; 16] {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random generator");
    salt
}
