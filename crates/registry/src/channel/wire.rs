//! The channel's request and response bodies, and the signed requests
//! monitors make. Pure functions, shared by the server and the clients.
//!
//! A monitor signs each channel request with its participant key, as a
//! C2SP signed note sent base64-encoded in the `Accord-Signature` header:
//!
//! ```text
//! accord-registry/channel-request/v1
//! <participant>
//! <METHOD> <path>
//! <day, YYYY-MM-DD>
//! <SHA-256 of the body, hex>
//! ```
//!
//! The registry accepts it on the day it names or the day after (clock
//! skew across midnight); a replay within that time repeats a read, and
//! a repeated message is stored once.

use crate::wire::{WireError, hex};
use accord_core::event::ReportToken;
use accord_tlog::note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner as _, NoteVerifier};
use accord_tlog::witness::WitnessPolicy;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// First line of a signed channel request.
pub const REQUEST_HEADER: &str = "accord-registry/channel-request/v1";
/// The HTTP header carrying a monitor's signed request.
pub const SIGNATURE_HEADER: &str = "accord-signature";
/// The sender name of the reporter's messages, and the recipient id of
/// messages sealed to the reporter's reply key.
pub const REPORTER: &str = "reporter";

/// `POST /v1/channel/reports`: a report, sealed on the reporter's machine.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSubmission {
    /// The lab reported on.
    pub lab: String,
    /// The single-use token from an issuer.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub token: ReportToken,
    /// The sealed report (an accord-envelope/v1 to the protocol's report
    /// monitors, in the protocol's order), base64.
    pub envelope: String,
    /// The public reply key derived from the receipt code, 64 hex digits.
    pub reply_key: String,
    /// The inbox secret derived from the receipt code, 64 hex digits.
    pub inbox_secret: String,
}

/// Reply to an accepted report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReportAccepted {
    /// SHA-256 of the envelope, hex: what the log commits to.
    pub report_commitment: String,
    /// Day of arrival, UTC.
    pub arrival_day: String,
    /// Log index of the whistleblower receipt (fetch its proof at
    /// `/v1/log/proof/{index}`).
    pub index: u64,
    /// The log entry: the receipt event, signed by the channel.
    pub entry: String,
}

/// `POST /v1/channel/inbox`: the reporter opens their mailbox.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxRequest {
    /// The inbox secret derived from the receipt code, 64 hex digits.
    pub inbox_secret: String,
}

/// `POST /v1/channel/inbox/messages`: the reporter answers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxMessage {
    /// The inbox secret derived from the receipt code, 64 hex digits.
    pub inbox_secret: String,
    /// The message sealed to the report monitors (and to `reporter`, so
    /// the reporter can read it back), base64.
    pub envelope: String,
}

/// `POST /v1/channel/reports/{commitment}/messages`: a monitor writes.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorMessage {
    /// The message sealed to `reporter` and to the report monitors, base64.
    pub envelope: String,
}

/// `GET /v1/channel/keys`: who reports are sealed to and who issues tokens.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ChannelKeys {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// The protocol's report monitors, in order, with their published
    /// X25519 keys (hex; `null` until published).
    pub monitors: Vec<PublishedKey>,
    /// Issuers with a published token key (base64 SPKI).
    pub issuers: Vec<PublishedKey>,
}

/// A participant and the channel key it published.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PublishedKey {
    /// Participant id.
    pub id: String,
    /// The key, if published.
    pub key: Option<String>,
}

/// One message of a report's conversation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MessageView {
    /// Position in the conversation, from 1.
    pub seq: u32,
    /// `reporter` or the monitor's participant id.
    pub sender: String,
    /// Day it arrived, UTC.
    pub day: String,
    /// The sealed message, base64.
    pub envelope: String,
}

/// A report and its conversation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReportView {
    /// SHA-256 of the envelope, hex.
    pub report_commitment: String,
    /// The lab reported on.
    pub lab: String,
    /// Day of arrival, UTC.
    pub arrival_day: String,
    /// Log index of its receipt.
    pub log_index: Option<u64>,
    /// The reporter's public reply key, hex.
    pub reply_key: String,
    /// The sealed report, base64.
    pub envelope: String,
    /// The conversation, oldest first.
    pub messages: Vec<MessageView>,
}

/// One line of the monitors' report list.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReportSummary {
    /// SHA-256 of the envelope, hex.
    pub report_commitment: String,
    /// The lab reported on.
    pub lab: String,
    /// Day of arrival, UTC.
    pub arrival_day: String,
    /// Log index of its receipt.
    pub log_index: Option<u64>,
    /// Messages in its conversation.
    pub messages: u32,
}

/// `GET /v1/channel/reports`: the monitors' list.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReportList {
    /// Reports, oldest first.
    pub reports: Vec<ReportSummary>,
}

/// Reply to a stored message.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MessageAccepted {
    /// Its position in the conversation.
    pub seq: u32,
}

/// A monitor's signed request, parsed (not yet checked against a key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The signer.
    pub participant: String,
    /// `GET`, `POST`.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The day it was signed on.
    pub day: String,
    /// SHA-256 of the body, hex.
    pub body_sha256: String,
    note: Note,
}

fn malformed(message: impl Into<String>) -> WireError {
    WireError::Malformed {
        field: SIGNATURE_HEADER.into(),
        message: message.into(),
    }
}

/// The `Accord-Signature` header value for a request.
pub fn sign_request(
    key: &Ed25519Signer,
    method: &str,
    path: &str,
    day: &str,
    body: &[u8],
) -> Result<String, WireError> {
    let text = format!(
        "{REQUEST_HEADER}\n{}\n{method} {path}\n{day}\n{}\n",
        key.name(),
        hex(&Sha256::digest(body))
    );
    let note = Note::sign(&text, &[key]).map_err(|e| malformed(e.to_string()))?;
    Ok(BASE64.encode(note.to_string()))
}

impl SignedRequest {
    /// Parses an `Accord-Signature` header value.
    pub fn parse(header: &str) -> Result<Self, WireError> {
        let bytes = BASE64
            .decode(header.trim())
            .map_err(|e| malformed(format!("not base64: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
        let note = Note::parse(&text).map_err(|e| malformed(e.to_string()))?;
        let lines: Vec<&str> = note.text.lines().collect();
        let [header, participant, request, day, body_sha256] = lines[..] else {
            return Err(malformed(format!(
                "expected the five lines of {REQUEST_HEADER}"
            )));
        };
        if header != REQUEST_HEADER {
            return Err(malformed(format!("expected {REQUEST_HEADER}")));
        }
        let (method, path) = request
            .split_once(' ')
            .ok_or_else(|| malformed("expected `METHOD path` on the third line"))?;
        if note.signatures.len() != 1 || note.signatures[0].name != participant {
            return Err(malformed(format!(
                "expected exactly one signature, by {participant}"
            )));
        }
        Ok(Self {
            participant: participant.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            day: day.to_string(),
            body_sha256: body_sha256.to_string(),
            note,
        })
    }

    /// Checks the signature with the participant's registered key.
    pub fn verify(&self, public_key: [u8; 32]) -> Result<(), WireError> {
        let bad = || WireError::BadSignature {
            signer: self.participant.clone(),
        };
        let verifier = Ed25519Verifier::new(&self.participant, public_key).map_err(|_| bad())?;
        self.note
            .verify(&[&verifier as &dyn NoteVerifier])
            .map_err(|_| bad())?;
        Ok(())
    }
}

/// What the reporter keeps: the logged receipt and its inclusion proof,
/// enough to show anyone, offline, that the report was made.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportReceipt {
    /// The lab the reporter named.
    pub lab: String,
    /// The report's commitment: SHA-256 of the sealed report the
    /// reporter's software sent.
    pub report_commitment: String,
    /// Its log index.
    pub index: u64,
    /// The log entry: the receipt event signed by the channel.
    pub entry: String,
    /// The inclusion proof (C2SP tlog-proof) against a signed checkpoint;
    /// absent until the registry serves one (with witnesses, once they
    /// cosigned a checkpoint that includes the entry).
    pub proof: Option<String>,
}

/// What a verified receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The lab reported on.
    pub lab: String,
    /// Day of arrival.
    pub arrival_day: Option<String>,
    /// The log index.
    pub index: u64,
    /// Size of the checkpoint that includes it.
    pub checkpoint_size: u64,
}

/// Checks that a log entry is a whistleblower receipt for exactly this
/// report (`commitment`) and `lab`; returns its arrival day.
pub(crate) fn check_receipt_entry(
    entry: &str,
    commitment: &str,
    lab: &str,
) -> Result<Option<String>, WireError> {
    let bad = |message: String| WireError::Malformed {
        field: "entry".into(),
        message,
    };
    let event = crate::wire::SignedEvent::parse(entry)?;
    let accord_core::EventBody::WhistleblowerReceipt {
        lab: logged_lab,
        report_commitment,
        arrival_day,
        ..
    } = &event.event.body
    else {
        return Err(bad(format!(
            "a {} event, not a whistleblower receipt",
            event.event.body.kind()
        )));
    };
    if !report_commitment.eq_ignore_ascii_case(commitment) {
        return Err(bad(format!(
            "the entry commits to report {report_commitment}, not to {commitment}"
        )));
    }
    if logged_lab != lab {
        return Err(bad(format!(
            "the entry is a receipt for a report on {logged_lab}, not on {lab}"
        )));
    }
    Ok(arrival_day.clone())
}

/// Verifies a receipt offline: the entry is a whistleblower receipt for
/// the receipt's commitment and lab (what the reporter's software sent,
/// not what the registry answered), and the proof includes it in a
/// checkpoint signed by the log key `log` (the registry's verifier key,
/// known in advance).
pub fn verify_receipt(
    receipt: &ReportReceipt,
    log: &Ed25519Verifier,
) -> Result<VerifiedReceipt, WireError> {
    verify_receipt_with(receipt, log, None)
}

/// [`verify_receipt`], with the checkpoint also cosigned as `policy` asks.
pub fn verify_receipt_with(
    receipt: &ReportReceipt,
    log: &Ed25519Verifier,
    policy: Option<&WitnessPolicy>,
) -> Result<VerifiedReceipt, WireError> {
    let bad = |field: &str, message: String| WireError::Malformed {
        field: field.to_string(),
        message,
    };
    let arrival_day =
        check_receipt_entry(&receipt.entry, &receipt.report_commitment, &receipt.lab)?;
    let text = receipt.proof.as_deref().ok_or_else(|| {
        bad(
            "proof",
            "the receipt has no inclusion proof yet; fetch it with `accord whistleblow verify --url`".into(),
        )
    })?;
    let proof = accord_tlog::bundle::TlogProof::parse(text)
        .map_err(|e| bad("proof", crate::describe(&e)))?;
    if proof.index != receipt.index {
        return Err(bad(
            "proof",
            format!(
                "the proof is for index {}, not {}",
                proof.index, receipt.index
            ),
        ));
    }
    let leaf = accord_tlog::hash::leaf_hash(receipt.entry.as_bytes());
    let checkpoint = proof
        .verify(&leaf, log.name(), log, policy)
        .map_err(|e| bad("proof", crate::describe(&e)))?;
    Ok(VerifiedReceipt {
        lab: receipt.lab.clone(),
        arrival_day,
        index: receipt.index,
        checkpoint_size: checkpoint.checkpoint.size,
    })
}

/// The UTC day (`YYYY-MM-DD`) of `seconds` since the Unix epoch
/// (proleptic Gregorian calendar; Hinnant's `civil_from_days`).
pub fn utc_day(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Today, UTC, by the system clock.
pub fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_day(seconds)
}

/// The day after `day` (for the signed-request window).
pub fn day_after(day: &str) -> Option<String> {
    let seconds = day_seconds(day)?;
    Some(utc_day(seconds + 86_400))
}

/// Seconds since the epoch at the start of `day` (inverse of [`utc_day`]).
fn day_seconds(day: &str) -> Option<u64> {
    if day.len() != 10 {
        return None;
    }
    let year: i64 = day.get(0..4)?.parse().ok()?;
    let month: i64 = day.get(5..7)?.parse().ok()?;
    let day_of_month: i64 = day.get(8..10)?.parse().ok()?;
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day_of_month - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    u64::try_from(days).ok().map(|d| d * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_civil_dates() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(951_782_400), "2000-02-29");
        assert_eq!(utc_day(1_764_892_800 + 86_399), "2025-12-05");
        assert_eq!(day_after("2024-02-28").as_deref(), Some("2024-02-29"));
        assert_eq!(day_after("2026-12-31").as_deref(), Some("2027-01-01"));
        for seconds in (0..4_000_000_000u64).step_by(7_777_777) {
            let day = utc_day(seconds);
            assert_eq!(utc_day(day_seconds(&day).unwrap()), day);
        }
    }

    #[test]
    fn signed_requests_round_trip_and_bind_their_key() {
        let key = Ed25519Signer::generate("mon-1").unwrap();
        let other = Ed25519Signer::generate("mon-1").unwrap();
        let header = sign_request(&key, "GET", "/v1/channel/reports", "2026-12-05", b"").unwrap();
        let request = SignedRequest::parse(&header).unwrap();
        assert_eq!(request.participant, "mon-1");
        assert_eq!(request.path, "/v1/channel/reports");
        request.verify(key.verifier().public_key()).unwrap();
        assert!(request.verify(other.verifier().public_key()).is_err());
        assert!(SignedRequest::parse("bm90IGEgbm90ZQ==").is_err());
    }
}
