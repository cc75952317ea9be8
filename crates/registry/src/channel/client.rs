//! The channel's client side: what `accord whistleblow` and `accord
//! monitor` do. Everything readable is sealed or opened here, on the
//! user's machine; the registry sees ciphertext, a token and what the
//! receipt code derives.

use super::wire::{
    ChannelKeys, InboxMessage, InboxRequest, MessageAccepted, MonitorMessage, REPORTER,
    ReportAccepted, ReportList, ReportReceipt, ReportSubmission, ReportView, VerifiedReceipt,
    sign_request, today, verify_receipt,
};
use crate::client::{Client, ClientError};
use crate::wire::WireError;
use accord_channel::envelope::{Envelope, RecipientKey, RecipientSecret, ReportContent};
use accord_channel::{ChannelError, ReceiptCode};
use accord_core::event::ReportToken;
use accord_tlog::note::{Ed25519Signer, Ed25519Verifier, NoteSigner as _};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// Why a channel operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChannelClientError {
    /// The registry refused, or did not answer as documented.
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
}

/// A message of a conversation, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedMessage {
    /// Position in the conversation.
    pub seq: u32,
    /// `reporter` or the monitor.
    pub sender: String,
    /// Day it arrived.
    pub day: String,
    /// What it says.
    pub content: ReportContent,
}

/// The channel's keys as the registry publishes them.
pub async fn keys(client: &Client) -> Result<ChannelKeys, ChannelClientError> {
    Ok(client.get_json("/v1/channel/keys").await?)
}

/// The report monitors with their keys, in the protocol's order.
fn monitor_keys(keys: &ChannelKeys) -> Result<Vec<(String, RecipientKey)>, ChannelClientError> {
    if keys.monitors.is_empty() {
        return Err(ChannelClientError::NotReady(
            "the registry's protocol names no report monitors".into(),
        ));
    }
    keys.monitors
        .iter()
        .map(|m| match &m.key {
            Some(key) => Ok((m.id.clone(), RecipientKey::from_hex(key)?)),
            None => Err(ChannelClientError::NotReady(format!(
                "report monitor {} has not published its key yet",
                m.id
            ))),
        })
        .collect()
}

fn seal(
    recipients: &[(String, RecipientKey)],
    content: &ReportContent,
) -> Result<String, ChannelClientError> {
    let list: Vec<(&str, &RecipientKey)> =
        recipients.iter().map(|(id, k)| (id.as_str(), k)).collect();
    Ok(BASE64.encode(Envelope::seal(&list, &content.to_bytes()?)?))
}

fn open(
    envelope_base64: &str,
    id: &str,
    secret: &RecipientSecret,
) -> Result<ReportContent, ChannelClientError> {
    let bytes = BASE64
        .decode(envelope_base64)
        .map_err(|e| ChannelError::Malformed(format!("not base64: {e}")))?;
    let envelope = Envelope::parse(&bytes)?;
    Ok(ReportContent::from_bytes(
        &envelope.open(&bytes, id, secret)?,
    )?)
}

fn open_messages(
    view: &ReportView,
    id: &str,
    secret: &RecipientSecret,
) -> Result<Vec<OpenedMessage>, ChannelClientError> {
    view.messages
        .iter()
        .map(|m| {
            Ok(OpenedMessage {
                seq: m.seq,
                sender: m.sender.clone(),
                day: m.day.clone(),
                content: open(&m.envelope, id, secret).map_err(|e| {
                    ChannelClientError::Channel(ChannelError::Unopenable(format!(
                        "message {} from {}: {e}",
                        m.seq, m.sender
                    )))
                })?,
            })
        })
        .collect()
}

/// Seals `content` to the report monitors, submits it with `token`, and
/// returns the acceptance and the receipt verified against `log` (the
/// registry's verifier key).
pub async fn submit_report(
    client: &Client,
    log: &Ed25519Verifier,
    lab: &str,
    token: ReportToken,
    content: &ReportContent,
    code: &ReceiptCode,
) -> Result<(ReportAccepted, ReportReceipt, VerifiedReceipt), ChannelClientError> {
    let recipients = monitor_keys(&keys(client).await?)?;
    let submission = ReportSubmission {
        lab: lab.to_string(),
        token,
        envelope: seal(&recipients, content)?,
        reply_key: code.reply_key().public_key().to_hex(),
        inbox_secret: code.inbox_secret(),
    };
    let accepted: ReportAccepted = client
        .post_json("/v1/channel/reports", &submission, None)
        .await?;
    let receipt = ReportReceipt {
        report_commitment: accepted.report_commitment.clone(),
        index: accepted.index,
        entry: client
            .get_text(&format!("/v1/log/entries/{}", accepted.index))
            .await?,
        proof: client
            .get_text(&format!("/v1/log/proof/{}", accepted.index))
            .await?,
    };
    let verified = verify_receipt(&receipt, log)?;
    Ok((accepted, receipt, verified))
}

/// The reporter reads their conversation with the receipt code.
pub async fn inbox(
    client: &Client,
    code: &ReceiptCode,
) -> Result<(ReportView, Vec<OpenedMessage>), ChannelClientError> {
    let view: ReportView = client
        .post_json(
            "/v1/channel/inbox",
            &InboxRequest {
                inbox_secret: code.inbox_secret(),
            },
            None,
        )
        .await?;
    let messages = open_messages(&view, REPORTER, &code.reply_key())?;
    Ok((view, messages))
}

/// The reporter answers the monitors.
pub async fn reply(
    client: &Client,
    code: &ReceiptCode,
    content: &ReportContent,
) -> Result<MessageAccepted, ChannelClientError> {
    let mut recipients = monitor_keys(&keys(client).await?)?;
    recipients.push((REPORTER.to_string(), code.reply_key().public_key().clone()));
    Ok(client
        .post_json(
            "/v1/channel/inbox/messages",
            &InboxMessage {
                inbox_secret: code.inbox_secret(),
                envelope: seal(&recipients, content)?,
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

/// A monitor reads a report and its conversation.
pub async fn read(
    client: &Client,
    signer: &Ed25519Signer,
    secret: &RecipientSecret,
    commitment: &str,
) -> Result<(ReportView, ReportContent, Vec<OpenedMessage>), ChannelClientError> {
    let path = format!("/v1/channel/reports/{commitment}");
    let signature = sign_request(signer, "GET", &path, &today(), b"")?;
    let view: ReportView = client.get_signed(&path, &signature).await?;
    let id = signer.name();
    let report = open(&view.envelope, id, secret)?;
    let messages = open_messages(&view, id, secret)?;
    Ok((view, report, messages))
}

/// A monitor writes to a report's conversation (sealed to the reporter
/// and to every report monitor).
pub async fn ask(
    client: &Client,
    signer: &Ed25519Signer,
    commitment: &str,
    reply_key: &str,
    content: &ReportContent,
) -> Result<MessageAccepted, ChannelClientError> {
    let mut recipients = vec![(REPORTER.to_string(), RecipientKey::from_hex(reply_key)?)];
    recipients.extend(monitor_keys(&keys(client).await?)?);
    let body = serde_json::to_vec(&MonitorMessage {
        envelope: seal(&recipients, content)?,
    })
    .expect("bodies serialise");
    let path = format!("/v1/channel/reports/{commitment}/messages");
    let signature = sign_request(signer, "POST", &path, &today(), &body)?;
    Ok(client.post_raw_json(&path, body, Some(&signature)).await?)
}
