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
    ReportList, ReportReceipt, ReportSubmission, ReportView, sign_request, today,
};
use crate::client::{AuditOptions, Client, ClientError};
use crate::replica::Replica;
use crate::wire::{WireError, hex, parse_key_hex};
use accord_channel::envelope::{Envelope, RecipientKey, RecipientSecret, ReportContent};
use accord_channel::{ChannelError, ReceiptCode, TokenKey};
use accord_core::event::{ChannelKeyPurpose, ReportToken};
use accord_tlog::note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner as _, NoteVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

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

/// The channel's keys as the log holds them.
#[derive(Debug)]
pub struct VerifiedKeys {
    replica: Replica,
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
        Ok(Self { replica })
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

fn seal(
    recipients: &[(String, RecipientKey)],
    plaintext: &[u8],
) -> Result<String, ChannelClientError> {
    let list: Vec<(&str, &RecipientKey)> =
        recipients.iter().map(|(id, k)| (id.as_str(), k)).collect();
    Ok(BASE64.encode(Envelope::seal(&list, plaintext)?))
}

fn open(
    envelope_base64: &str,
    id: &str,
    secret: &RecipientSecret,
) -> Result<Vec<u8>, ChannelClientError> {
    let bytes = BASE64
        .decode(envelope_base64)
        .map_err(|e| ChannelError::Malformed(format!("not base64: {e}")))?;
    let envelope = Envelope::parse(&bytes)?;
    Ok(envelope.open(&bytes, id, secret)?)
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
    let plaintext = open(&m.envelope, id, secret).map_err(|e| forged(e.to_string()))?;
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

/// Seals `content` (with the reporter's reply and signing keys) to the
/// report monitors of the verified log and submits it with `token`.
pub async fn submit_report(
    client: &Client,
    keys: &VerifiedKeys,
    lab: &str,
    token: ReportToken,
    content: &ReportContent,
    code: &ReceiptCode,
) -> Result<ReportAccepted, ChannelClientError> {
    let report = ReportContent {
        reply_key: Some(code.reply_key().public_key().to_hex()),
        signing_key: Some(hex(&reporter_signer(code).verifier().public_key())),
        ..content.clone()
    };
    let submission = ReportSubmission {
        lab: lab.to_string(),
        token,
        envelope: seal(&keys.monitors()?, &report.to_bytes()?)?,
        reply_key: code.reply_key().public_key().to_hex(),
        inbox_secret: code.inbox_secret(),
    };
    Ok(client
        .post_json("/v1/channel/reports", &submission, None)
        .await?)
}

/// The receipt of an accepted report, with its inclusion proof once the
/// registry serves one (with witnesses, once they cosigned a checkpoint
/// that includes it).
pub async fn receipt(client: &Client, accepted: &ReportAccepted) -> ReportReceipt {
    let proof = client
        .get_text(&format!("/v1/log/proof/{}", accepted.index))
        .await
        .ok();
    ReportReceipt {
        report_commitment: accepted.report_commitment.clone(),
        index: accepted.index,
        entry: accepted.entry.clone(),
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
) -> Result<(ReportView, Vec<Opened>), ChannelClientError> {
    let view: ReportView = client
        .post_json(
            "/v1/channel/inbox",
            &InboxRequest {
                inbox_secret: code.inbox_secret(),
            },
            None,
        )
        .await?;
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
    Ok((view, messages))
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
                envelope: seal(&recipients, &plaintext)?,
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

/// A report as a monitor reads it: the report, and its conversation with
/// every signature checked.
#[derive(Debug)]
pub struct ReadReport {
    /// What the registry stores about it.
    pub view: ReportView,
    /// The report.
    pub report: ReportContent,
    /// The conversation, each message opened and verified or refused.
    pub messages: Vec<Opened>,
}

/// A monitor reads a report and its conversation.
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
    let id = signer.name();
    let report = ReportContent::from_bytes(&open(&view.envelope, id, secret)?)?;
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
        envelope: seal(&recipients, &plaintext)?,
    })
    .expect("bodies serialise");
    let path = format!("/v1/channel/reports/{commitment}/messages");
    let signature = sign_request(signer, "POST", &path, &today(), &body)?;
    Ok(client.post_raw_json(&path, body, Some(&signature)).await?)
}
