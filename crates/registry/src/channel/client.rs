//! The channel's client side: what `accord whistleblow` and `accord
//! monitor` do. Everything readable is sealed or opened here, on the
//! user's machine; the registry sees ciphertext, a token and what the
//! receipt code derives.
//!
//! Nothing the client seals to or checks against is taken on the
//! registry's word: the monitors' report keys, their participant keys and
//! the issuers' token keys come from a replica recomputed from the log and
//! checked against the registry's verifier key (the audit); the reporter's
//! reply and signing keys travel inside the sealed report. Every message
//! is signed inside its envelope — by the monitor's participant key, or by
//! the reporter's key derived from the receipt code — and bound to its
//! report, so the registry can neither read nor write a conversation.
//! Reports are checked against the log both ways: the reporter takes a
//! receipt only if it commits to the report sent and names the lab
//! chosen, and a monitor reads a report only if it hashes to a receipt the
//! log proves, for the lab shown.
//!
//! A message's plaintext is a C2SP signed note by its sender:
//!
//! ```text
//! accord-registry/channel-message/v1
//! <report commitment>
//! <sender: a monitor's id, or "reporter">
//! <base64 of the content's JSON>
//! ```

use super::wire::{
    InboxMessage, InboxRequest, MessageAccepted, MonitorMessage, REPORTER, ReportAccepted,
    ReportList, ReportReceipt, ReportSubmission, ReportView, check_receipt_entry, sign_request,
    today, verify_receipt_with,
};
use crate::client::{AuditOptions, Client, ClientError};
use crate::replica::Replica;
use crate::wire::{Problem, WireError, hex, parse_key_hex};
use accord_channel::envelope::{Envelope, RecipientKey, RecipientSecret, ReportContent};
use accord_channel::{ChannelError, ReceiptCode, TokenKey};
use accord_core::event::{ChannelKeyPurpose, ReportToken};
use accord_tlog::note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner as _, NoteVerifier};
use accord_tlog::witness::WitnessPolicy;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use std::fmt;

/// First line of a message's signed plaintext.
pub const MESSAGE_HEADER: &str = "accord-registry/channel-message/v1";

/// Why a channel operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChannelClientError {
    /// The registry refused, or did not answer as documented, or its log
    /// failed the audit.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Something did not seal, open or parse.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A statement failed verification.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The registry is not ready for reports.
    #[error("{0}")]
    NotReady(String),
    /// A submission the registry refused before storing anything (busy,
    /// overloaded, or not ready): the token was not spent by it.
    #[error(
        "the registry stored nothing and did not spend the token ({0}); submit the report again with the same token"
    )]
    NotStored(Box<Problem>),
    /// A submission the registry refused for good (a 4xx answer: the lab,
    /// the token or the request is wrong): nothing was stored.
    #[error(
        "the registry refused the report and stored nothing ({0}); this submission spent no token, and the receipt code shown opens nothing"
    )]
    Refused(Box<Problem>),
    /// The registry answered a submission with a receipt that is not the
    /// report's: another report's, or for another lab.
    #[error(
        "the registry's receipt does not match the report sent: {0}. The report may not be logged, yet its token may have been spent: try `accord whistleblow inbox` with the receipt code later, and tell the report monitors, before spending another token"
    )]
    ReceiptMismatch(String),
    /// A report the registry serves that its log does not back: changed,
    /// relabelled or invented in its database.
    #[error("the registry's copy does not match its log: {0}")]
    NotAsLogged(String),
    /// A message that is not what its sender signed.
    #[error("message {seq} from {sender}: {message}")]
    Forged {
        /// Its place in the conversation.
        seq: u32,
        /// Who the registry says sent it.
        sender: String,
        /// What is wrong.
        message: String,
    },
}

/// A message of a conversation, opened and its signature checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedMessage {
    /// Position in the conversation.
    pub seq: u32,
    /// `reporter` or the monitor, as signed.
    pub sender: String,
    /// Day it arrived.
    pub day: String,
    /// What it says.
    pub content: ReportContent,
}

/// The channel's keys as the log holds them, and what proves an entry
/// in it (the log key, the witnesses required).
#[derive(Debug)]
pub struct VerifiedKeys {
    replica: Replica,
    log: Ed25519Verifier,
    policy: Option<WitnessPolicy>,
}

impl VerifiedKeys {
    /// Replays the registry's log, checked against `log` (its verifier key).
    pub async fn fetch(client: &Client, log: &Ed25519Verifier) -> Result<Self, ChannelClientError> {
        Self::audit(
            client,
            &AuditOptions {
                registry_key: Some(log),
                ..AuditOptions::default()
            },
        )
        .await
    }

    /// Replays the registry's log as `options` say: with witnesses to
    /// require and a checkpoint seen before, a registry cannot show this
    /// client a log of its own making (it holds the log key).
    pub async fn audit(
        client: &Client,
        options: &AuditOptions<'_>,
    ) -> Result<Self, ChannelClientError> {
        let (_, replica) = client.audited_replica(options).await?;
        let log = match options.registry_key {
            Some(key) => key.clone(),
            // As the audit did: the key the registry serves.
            None => served_key(client).await?,
        };
        Ok(Self {
            replica,
            log,
            policy: options.policy.cloned(),
        })
    }

    /// The report monitors with their report keys, in the protocol's order.
    pub fn monitors(&self) -> Result<Vec<(String, RecipientKey)>, ChannelClientError> {
        let keys = self.replica.state().report_keys();
        if keys.is_empty() {
            return Err(ChannelClientError::NotReady(
                "the registry's protocol names no report monitors".into(),
            ));
        }
        keys.into_iter()
            .map(|(id, key)| match key {
                Some(key) => Ok((id.to_string(), RecipientKey::from_hex(key)?)),
                None => Err(ChannelClientError::NotReady(format!(
                    "report monitor {id} has not published its key yet"
                ))),
            })
            .collect()
    }

    /// An issuer's current token key.
    pub fn token_key(&self, issuer: &str) -> Result<TokenKey, ChannelClientError> {
        match self.replica.state().channel_key(issuer) {
            Some((ChannelKeyPurpose::TokenSigning, key)) => Ok(TokenKey::from_base64(key)?),
            _ => Err(ChannelClientError::NotReady(format!(
                "{issuer} has published no token key"
            ))),
        }
    }

    /// A report monitor's participant key, which signs its messages.
    fn monitor_key(&self, monitor: &str) -> Option<[u8; 32]> {
        let named = self
            .replica
            .state()
            .report_keys()
            .iter()
            .any(|(id, _)| *id == monitor);
        named.then(|| self.replica.key_of(monitor)).flatten()
    }
}

/// The verifier key the registry serves.
async fn served_key(client: &Client) -> Result<Ed25519Verifier, ChannelClientError> {
    let info: serde_json::Value = client.get_json("/v1/registry").await?;
    let vkey = info["verifier_key"].as_str().unwrap_or_default();
    Ed25519Verifier::from_vkey(vkey)
        .map_err(|e| ClientError::Audit(format!("served verifier key: {e}")).into())
}

fn seal(
    recipients: &[(String, RecipientKey)],
    plaintext: &[u8],
) -> Result<Vec<u8>, ChannelClientError> {
    let list: Vec<(&str, &RecipientKey)> =
        recipients.iter().map(|(id, k)| (id.as_str(), k)).collect();
    Ok(Envelope::seal(&list, plaintext)?)
}

fn decode(envelope_base64: &str) -> Result<Vec<u8>, ChannelClientError> {
    Ok(BASE64
        .decode(envelope_base64)
        .map_err(|e| ChannelError::Malformed(format!("not base64: {e}")))?)
}

fn open(bytes: &[u8], id: &str, secret: &RecipientSecret) -> Result<Vec<u8>, ChannelClientError> {
    let envelope = Envelope::parse(bytes)?;
    Ok(envelope.open(bytes, id, secret)?)
}

/// A message's plaintext: `content` signed by `signer` for the report.
fn sign_message(
    signer: &Ed25519Signer,
    commitment: &str,
    content: &ReportContent,
) -> Result<Vec<u8>, ChannelClientError> {
    let text = format!(
        "{MESSAGE_HEADER}\n{commitment}\n{}\n{}\n",
        signer.name(),
        BASE64.encode(content.to_bytes()?)
    );
    let note = Note::sign(&text, &[signer]).map_err(|e| WireError::Malformed {
        field: "message".into(),
        message: e.to_string(),
    })?;
    Ok(note.to_string().into_bytes())
}

/// Opens a message of `view`'s conversation and checks its signature:
/// `key_of(sender)` is the key the sender signs with.
fn open_message(
    view: &ReportView,
    index: usize,
    id: &str,
    secret: &RecipientSecret,
    key_of: &dyn Fn(&str) -> Option<[u8; 32]>,
) -> Result<OpenedMessage, ChannelClientError> {
    let m = &view.messages[index];
    let forged = |message: String| ChannelClientError::Forged {
        seq: m.seq,
        sender: m.sender.clone(),
        message,
    };
    let plaintext = decode(&m.envelope)
        .and_then(|bytes| open(&bytes, id, secret))
        .map_err(|e| forged(e.to_string()))?;
    let text = String::from_utf8(plaintext).map_err(|_| forged("not a signed message".into()))?;
    let note = Note::parse(&text).map_err(|e| forged(format!("not a signed message: {e}")))?;
    let lines: Vec<&str> = note.text.lines().collect();
    let [MESSAGE_HEADER, commitment, sender, content] = lines[..] else {
        return Err(forged("not a signed channel message".into()));
    };
    if commitment != view.report_commitment {
        return Err(forged("signed for another report".into()));
    }
    if sender != m.sender {
        return Err(forged(format!(
            "signed by {sender}, shown as from {}",
            m.sender
        )));
    }
    let key = key_of(sender).ok_or_else(|| forged(format!("{sender} has no known key")))?;
    let verifier = Ed25519Verifier::new(sender, key).map_err(|e| forged(e.to_string()))?;
    note.verify(&[&verifier as &dyn NoteVerifier])
        .map_err(|_| forged(format!("the signature is not {sender}'s")))?;
    let json = BASE64
        .decode(content)
        .map_err(|_| forged("content is not base64".into()))?;
    Ok(OpenedMessage {
        seq: m.seq,
        sender: sender.to_string(),
        day: m.day.clone(),
        content: ReportContent::from_bytes(&json)?,
    })
}

fn reporter_signer(code: &ReceiptCode) -> Ed25519Signer {
    Ed25519Signer::from_seed(REPORTER, code.signing_seed()).expect("a valid key name")
}

/// A report the registry took, checked against what was sent: its
/// commitment is SHA-256 of the sealed report, and the entry the registry
/// says it logged is a whistleblower receipt for that commitment and lab
/// (which [`receipt`]'s inclusion proof then shows is in the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedReport {
    /// The lab reported on.
    pub lab: String,
    /// SHA-256 of the sealed report, hex.
    pub report_commitment: String,
    /// Day of arrival, UTC, as logged.
    pub arrival_day: String,
    /// Log index of the receipt.
    pub index: u64,
    /// The log entry: the receipt event, signed by the channel.
    pub entry: String,
}

/// Refusals after which the channel holds nothing of the submission and
/// the token is unspent (the channel's Argon2 limit, the registry's upload
/// or submission limit, a channel not ready); any other 503 may come after
/// the receipt reached the log.
const NOTHING_STORED: [&str; 3] = ["busy", "overloaded", "channel-not-ready"];

/// Seals `content` (with the reporter's reply and signing keys) to the
/// report monitors of the verified log, submits it with `token`, and
/// checks the registry's receipt against what was sent.
pub async fn submit_report(
    client: &Client,
    keys: &VerifiedKeys,
    lab: &str,
    token: ReportToken,
    content: &ReportContent,
    code: &ReceiptCode,
) -> Result<SubmittedReport, ChannelClientError> {
    let report = ReportContent {
        reply_key: Some(code.reply_key().public_key().to_hex()),
        signing_key: Some(hex(&reporter_signer(code).verifier().public_key())),
        ..content.clone()
    };
    let envelope = seal(&keys.monitors()?, &report.to_bytes()?)?;
    let commitment = hex(&Sha256::digest(&envelope));
    let submission = ReportSubmission {
        lab: lab.to_string(),
        token,
        envelope: BASE64.encode(&envelope),
        reply_key: code.reply_key().public_key().to_hex(),
        inbox_secret: code.inbox_secret(),
    };
    let accepted: ReportAccepted = client
        .post_json("/v1/channel/reports", &submission, None)
        .await
        .map_err(|error| match error {
            ClientError::Refused(problem)
                if problem.status == 503 && NOTHING_STORED.contains(&problem.rule.as_str()) =>
            {
                ChannelClientError::NotStored(problem)
            }
            ClientError::Refused(problem) if (400..500).contains(&problem.status) => {
                ChannelClientError::Refused(problem)
            }
            other => other.into(),
        })?;
    let mismatch = ChannelClientError::ReceiptMismatch;
    if !accepted.report_commitment.eq_ignore_ascii_case(&commitment) {
        return Err(mismatch(format!(
            "it is for report {}, but the report sent is {commitment}",
            accepted.report_commitment
        )));
    }
    let logged_day = check_receipt_entry(&accepted.entry, &commitment, lab)
        .map_err(|e| mismatch(e.to_string()))?;
    if logged_day.as_deref() != Some(accepted.arrival_day.as_str()) {
        return Err(mismatch(format!(
            "it gives the arrival day {}, its entry {}",
            accepted.arrival_day,
            logged_day.as_deref().unwrap_or("none")
        )));
    }
    // The index too: a receipt at the wrong one would only fail to verify later.
    let at_index = client
        .get_text(&format!("/v1/log/entries/{}", accepted.index))
        .await
        .map_err(|e| {
            mismatch(format!(
                "its log index {} holds nothing: {e}",
                accepted.index
            ))
        })?;
    if at_index != accepted.entry {
        return Err(mismatch(format!(
            "its log index {} holds another entry",
            accepted.index
        )));
    }
    Ok(SubmittedReport {
        lab: lab.to_string(),
        report_commitment: commitment,
        arrival_day: accepted.arrival_day,
        index: accepted.index,
        entry: accepted.entry,
    })
}

/// The receipt of a submitted report, with its inclusion proof once the
/// registry serves one (with witnesses, once they cosigned a checkpoint
/// that includes it).
pub async fn receipt(client: &Client, submitted: &SubmittedReport) -> ReportReceipt {
    let proof = client
        .get_text(&format!("/v1/log/proof/{}", submitted.index))
        .await
        .ok();
    ReportReceipt {
        lab: submitted.lab.clone(),
        report_commitment: submitted.report_commitment.clone(),
        index: submitted.index,
        entry: submitted.entry.clone(),
        proof,
    }
}

/// One message of a conversation: opened and verified, or why not. A
/// message that fails (forged, corrupted, not signed by its sender) does
/// not hide the others.
pub type Opened = Result<OpenedMessage, ChannelClientError>;

/// The reporter reads their conversation with the receipt code.
pub async fn inbox(
    client: &Client,
    keys: &VerifiedKeys,
    code: &ReceiptCode,
) -> Result<(ReportView, Backing, Vec<Opened>), ChannelClientError> {
    let view: ReportView = client
        .post_json(
            "/v1/channel/inbox",
            &InboxRequest {
                inbox_secret: code.inbox_secret(),
            },
            None,
        )
        .await?;
    // What the reporter is shown must be what the log holds, as for monitors.
    let backing = check_logged(client, keys, &view, &decode(&view.envelope)?).await?;
    let own = reporter_signer(code).verifier().public_key();
    let key_of = |sender: &str| {
        if sender == REPORTER {
            Some(own)
        } else {
            keys.monitor_key(sender)
        }
    };
    let messages = (0..view.messages.len())
        .map(|i| open_message(&view, i, REPORTER, &code.reply_key(), &key_of))
        .collect();
    Ok((view, backing, messages))
}

/// The reporter answers the monitors in the conversation of `commitment`.
pub async fn reply(
    client: &Client,
    keys: &VerifiedKeys,
    code: &ReceiptCode,
    commitment: &str,
    content: &ReportContent,
) -> Result<MessageAccepted, ChannelClientError> {
    let mut recipients = keys.monitors()?;
    recipients.push((REPORTER.to_string(), code.reply_key().public_key().clone()));
    let plaintext = sign_message(&reporter_signer(code), commitment, content)?;
    Ok(client
        .post_json(
            "/v1/channel/inbox/messages",
            &InboxMessage {
                inbox_secret: code.inbox_secret(),
                envelope: BASE64.encode(seal(&recipients, &plaintext)?),
            },
            None,
        )
        .await?)
}

/// A monitor lists the reports logged after `after`.
pub async fn reports(
    client: &Client,
    signer: &Ed25519Signer,
    after: u64,
) -> Result<ReportList, ChannelClientError> {
    let path = "/v1/channel/reports";
    let signature = sign_request(signer, "GET", path, &today(), b"")?;
    Ok(client
        .get_signed(&format!("{path}?after={after}"), &signature)
        .await?)
}

/// A report as a monitor reads it: the report, checked against its
/// receipt in the log, and its conversation with every signature checked.
#[derive(Debug)]
pub struct ReadReport {
    /// What the registry stores about it: its commitment, lab, arrival day
    /// and log index as the log's receipt has them.
    pub view: ReportView,
    /// How far the log backs it.
    pub backing: Backing,
    /// The report.
    pub report: ReportContent,
    /// The conversation, each message opened and verified or refused.
    pub messages: Vec<Opened>,
}

/// How far the log backs a report the registry shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backing {
    /// Its receipt is proved included in a checkpoint the client verified:
    /// commitment, lab and day are the log's.
    Proved,
    /// Not logged yet: only its hash is checked; lab and day are the
    /// registry's word until it is.
    Pending,
    /// Logged at this index, which no witnessed checkpoint covers yet: only
    /// its hash is checked until witnesses cosign one that does.
    NotYetProved(u64),
}

impl fmt::Display for Backing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backing::Proved => write!(f, "proved in the log"),
            Backing::Pending => write!(
                f,
                "not logged yet: its lab and day are the registry's word until it is"
            ),
            Backing::NotYetProved(index) => write!(
                f,
                "logged at index {index}, which no witnessed checkpoint covers yet: its lab and day are the registry's word until witnesses cosign one (this is no sign of tampering; look again later)"
            ),
        }
    }
}

/// Checks a report the registry serves against its log: the sealed
/// report hashes to its commitment, and the entry at its log index is a
/// whistleblower receipt for that commitment, lab and day, included in a
/// checkpoint signed by the log key (and cosigned as the audit required).
/// A report without a log index, or whose index no witnessed checkpoint
/// covers yet, is only hashed, and says so.
async fn check_logged(
    client: &Client,
    keys: &VerifiedKeys,
    view: &ReportView,
    envelope: &[u8],
) -> Result<Backing, ChannelClientError> {
    let refuse = |message: String| ChannelClientError::NotAsLogged(message);
    let hashed = hex(&Sha256::digest(envelope));
    if !hashed.eq_ignore_ascii_case(&view.report_commitment) {
        return Err(refuse(format!(
            "the sealed report hashes to {hashed}, not to its commitment"
        )));
    }
    let Some(index) = view.log_index else {
        return Ok(Backing::Pending);
    };
    let entry = client
        .get_text(&format!("/v1/log/entries/{index}"))
        .await
        .map_err(|e| refuse(format!("cannot fetch log entry {index}: {e}")))?;
    let proof = match client.get_text(&format!("/v1/log/proof/{index}")).await {
        Ok(proof) => proof,
        // Before witnesses cosign a checkpoint covering it (or any at all).
        Err(ClientError::Refused(problem))
            if problem.status == 503 || (problem.status == 404 && problem.rule == "beyond-log") =>
        {
            return Ok(Backing::NotYetProved(index));
        }
        Err(e) => {
            return Err(refuse(format!(
                "cannot fetch the inclusion proof of log entry {index}: {e}"
            )));
        }
    };
    let receipt = ReportReceipt {
        lab: view.lab.clone(),
        report_commitment: view.report_commitment.clone(),
        index,
        entry,
        proof: Some(proof),
    };
    let verified = verify_receipt_with(&receipt, &keys.log, keys.policy.as_ref())
        .map_err(|e| refuse(format!("log entry {index}: {e}")))?;
    if verified.arrival_day.as_deref() != Some(view.arrival_day.as_str()) {
        return Err(refuse(format!(
            "it is shown as arrived on {}, but log entry {index} gives {}",
            view.arrival_day,
            verified.arrival_day.as_deref().unwrap_or("no day")
        )));
    }
    Ok(Backing::Proved)
}

/// A monitor reads a report and its conversation. A report its log entry
/// does not back is refused ([`ChannelClientError::NotAsLogged`]).
pub async fn read(
    client: &Client,
    keys: &VerifiedKeys,
    signer: &Ed25519Signer,
    secret: &RecipientSecret,
    commitment: &str,
) -> Result<ReadReport, ChannelClientError> {
    let path = format!("/v1/channel/reports/{commitment}");
    let signature = sign_request(signer, "GET", &path, &today(), b"")?;
    let view: ReportView = client.get_signed(&path, &signature).await?;
    if !view.report_commitment.eq_ignore_ascii_case(commitment) {
        return Err(ChannelClientError::NotAsLogged(format!(
            "asked for report {commitment}, it answered with {}",
            view.report_commitment
        )));
    }
    let envelope = decode(&view.envelope)?;
    let backing = check_logged(client, keys, &view, &envelope).await?;
    // The registry lists logged reports only.
    if backing == Backing::Pending {
        return Err(ChannelClientError::NotAsLogged(
            "it has no log index".into(),
        ));
    }
    let id = signer.name();
    let report = ReportContent::from_bytes(&open(&envelope, id, secret)?)?;
    let reporter = report
        .signing_key
        .as_deref()
        .and_then(|k| parse_key_hex("signing_key", k).ok());
    let key_of = |sender: &str| {
        if sender == REPORTER {
            reporter
        } else {
            keys.monitor_key(sender)
        }
    };
    let messages = (0..view.messages.len())
        .map(|i| open_message(&view, i, id, secret, &key_of))
        .collect();
    Ok(ReadReport {
        view,
        backing,
        report,
        messages,
    })
}

/// A monitor writes to a report's conversation, sealed to the reporter's
/// reply key from inside the report and to every report monitor.
pub async fn ask(
    client: &Client,
    keys: &VerifiedKeys,
    signer: &Ed25519Signer,
    read: &ReadReport,
    content: &ReportContent,
) -> Result<MessageAccepted, ChannelClientError> {
    let reply_key = read.report.reply_key.as_deref().ok_or_else(|| {
        ChannelClientError::NotReady(
            "the report carries no reply key; it cannot be answered".into(),
        )
    })?;
    let mut recipients = vec![(REPORTER.to_string(), RecipientKey::from_hex(reply_key)?)];
    recipients.extend(keys.monitors()?);
    let commitment = &read.view.report_commitment;
    let plaintext = sign_message(signer, commitment, content)?;
    let body = serde_json::to_vec(&MonitorMessage {
        envelope: BASE64.encode(seal(&recipients, &plaintext)?),
    })
    .expect("bodies serialise");
    let path = format!("/v1/channel/reports/{commitment}/messages");
    let signature = sign_request(signer, "POST", &path, &today(), &body)?;
    Ok(client.post_raw_json(&path, body, Some(&signature)).await?)
}
