//! Events: the only input of the state machine.
//!
//! Every event has an author (a participant id), a sequence number unique
//! per author (`seq`, strictly increasing), and the logical period it belongs
//! to; the core never reads a clock. The text form is JSON Lines, one event
//! per line, with the common fields and the event's own fields side by side:
//!
//! ```text
//! {"author":"lab-a","seq":3,"period":0,"type":"transfer","to":"lab-b","amount":5}
//! ```

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Role of a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An AI developer.
    Lab,
    /// An independent monitor or auditor.
    Monitor,
    /// A provider of covered compute.
    ComputeProvider,
    /// The coordination body that operates the protocol.
    Secretariat,
    /// A body, independent of the registry's operator, that hands insiders
    /// single-use tokens for the whistleblower channel.
    WhistleblowerIssuer,
    /// A transparency-log witness that cosigns the registry's checkpoints.
    Witness,
}

impl Role {
    /// The role as written in events (`compute_provider`, …).
    pub fn name(self) -> &'static str {
        match self {
            Role::Lab => "lab",
            Role::Monitor => "monitor",
            Role::ComputeProvider => "compute_provider",
            Role::Secretariat => "secretariat",
            Role::WhistleblowerIssuer => "whistleblower_issuer",
            Role::Witness => "witness",
        }
    }
}

/// A monitor's verdict on a lab for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The lab complied.
    Compliant,
    /// The lab violated the protocol.
    Violation,
    /// The audit could not decide.
    Inconclusive,
}

/// What a key published with `publish_channel_key` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKeyPurpose {
    /// A whistleblower issuer's RSA key for blind-signed report tokens
    /// (RFC 9474), as base64 of its DER SubjectPublicKeyInfo.
    TokenSigning,
    /// A report monitor's X25519 key that reports are sealed to (HPKE,
    /// RFC 9180), as 64 hex digits.
    ReportEncryption,
}

impl ChannelKeyPurpose {
    /// The role that may publish a key for this purpose.
    pub fn role(self) -> Role {
        match self {
            ChannelKeyPurpose::TokenSigning => Role::WhistleblowerIssuer,
            ChannelKeyPurpose::ReportEncryption => Role::Monitor,
        }
    }
}

/// A spent single-use token of the whistleblower channel: an RSA blind
/// signature (RFC 9474, RSABSSA-SHA384-PSS-Randomized) by an issuer's
/// published token key on a random message. The core checks its form and
/// that it is spent once; the registry checks the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportToken {
    /// The `whistleblower_issuer` whose current token key signed it.
    pub issuer: String,
    /// The random message, 64 hex digits; a token is spent by its message.
    pub message: String,
    /// The RFC 9474 message randomizer, 64 hex digits.
    pub randomizer: String,
    /// The signature, base64.
    pub signature: String,
}

/// A manual step on the sanction ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionAction {
    /// One or more rungs up (by `escalation_per_breach`).
    Escalate,
    /// One rung down.
    StepDown,
}

/// What an event says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventBody {
    /// A participant joins with a role and an Ed25519 public key (64 hex digits).
    Register {
        /// New participant id.
        participant: String,
        /// Its role.
        role: Role,
        /// Its public key.
        public_key: String,
    },
    /// The author publishes a commitment; it can never be removed.
    PublishCommitment {
        /// Commitment id, unique for the author.
        commitment: String,
        /// What is committed to.
        text: String,
        /// Binding commitments carry compensation on violation.
        #[serde(default)]
        binding: bool,
        /// Who is compensated on violation (default: the secretariat's pool).
        #[serde(default)]
        beneficiary: Option<String>,
        /// Compensation in credits (default from the protocol file).
        #[serde(default)]
        compensation_credits: Option<u64>,
        /// The author's active commitment this one replaces (a revision:
        /// the old text stays on record). Omitted from the canonical form
        /// when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revises: Option<String>,
    },
    /// The author withdraws one of its commitments (a new, visible event).
    WithdrawCommitment {
        /// Commitment id.
        commitment: String,
        /// Stated reason.
        #[serde(default)]
        reason: String,
    },
    /// A lab pledges to a pact.
    Pledge {
        /// Pact id.
        pact: String,
    },
    /// A lab withdraws its pledge (free before the pact binds, a breach after).
    WithdrawPledge {
        /// Pact id.
        pact: String,
    },
    /// A lab leaves the protocol for good: whatever binds it is breached on
    /// the way out, and it may only claim from then on (rule 25a).
    Leave {
        /// Stated reason.
        #[serde(default)]
        reason: String,
    },
    /// The secretariat resolves a pact at or after its deadline.
    ResolvePact {
        /// Pact id.
        pact: String,
    },
    /// A lab reports its safety investment for the current period.
    ReportInvestment {
        /// Units invested.
        amount: u64,
    },
    /// A lab reports a metric for the current period.
    ReportMetric {
        /// Metric name.
        metric: String,
        /// Reported value.
        value: f64,
    },
    /// A monitor's audit of a lab.
    Audit {
        /// Audited lab.
        lab: String,
        /// Period audited.
        audited_period: u32,
        /// Verdict.
        verdict: Verdict,
        /// Safety investment the monitor verified.
        #[serde(default)]
        verified_investment: Option<u64>,
        /// Metric values the monitor measured.
        #[serde(default)]
        measurements: BTreeMap<String, f64>,
        /// Commitments (`author/commitment`) the monitor found violated.
        #[serde(default)]
        violated_commitments: Vec<String>,
        /// Whistleblower reports (their SHA-256 commitments, 64 hex digits)
        /// the audit answers. Omitted from the canonical form when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cites_reports: Vec<String>,
    },
    /// A rater assesses a lab on one edition of a rating index declared in
    /// `[[leaderboard.indices]]`: one answer per indicator in force. A later
    /// assessment of the same lab and edition replaces it, in public.
    Assess {
        /// Index id.
        index: String,
        /// Edition id.
        edition: String,
        /// Assessed lab.
        lab: String,
        /// Answer per indicator id.
        answers: BTreeMap<String, crate::ratings::Answer>,
        /// Where the assessment's evidence is published (omitted from the
        /// canonical form when empty).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        evidence: String,
    },
    /// A whistleblower issuer or a report monitor publishes the key the
    /// whistleblower channel uses with it (publishing again replaces it).
    PublishChannelKey {
        /// What the key is for.
        purpose: ChannelKeyPurpose,
        /// The key, in the purpose's encoding.
        public_key: String,
    },
    /// The channel operator records a whistleblower report by its hash only.
    WhistleblowerReceipt {
        /// Lab reported on.
        lab: String,
        /// SHA-256 commitment to the report (64 hex digits).
        report_commitment: String,
        /// Day the report arrived (`YYYY-MM-DD`, UTC); never a finer time.
        /// Omitted from the canonical form when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arrival_day: Option<String>,
        /// The single-use token that admitted the report (absent for a
        /// report the secretariat received by other means). Omitted from
        /// the canonical form when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<ReportToken>,
    },
    /// The secretariat issues the credits an audited investment earned.
    IssueCredits {
        /// Lab.
        lab: String,
        /// Period of the audited investment.
        for_period: u32,
    },
    /// The author transfers credits.
    Transfer {
        /// Recipient.
        to: String,
        /// Credits.
        amount: u64,
    },
    /// The secretariat burns credits of a lab.
    Fine {
        /// Lab.
        lab: String,
        /// Credits.
        amount: u64,
        /// Stated reason.
        #[serde(default)]
        reason: String,
    },
    /// A lab pays its liability premium into the pool.
    PayPremium {
        /// Credits.
        amount: u64,
    },
    /// The secretariat records an incident caused by a lab.
    Incident {
        /// Incident id.
        incident: String,
        /// Lab responsible.
        lab: String,
        /// Harm in credits.
        harm: u64,
        /// Harmed participant.
        harmed: String,
    },
    /// The harmed participant claims compensation for an incident.
    Claim {
        /// Incident id.
        incident: String,
    },
    /// The secretariat moves a lab on the sanction ladder by hand.
    SanctionDecision {
        /// Lab.
        lab: String,
        /// Direction.
        action: SanctionAction,
        /// Recorded cause.
        cause: String,
    },
    /// The secretariat revises a metric (new threshold, restarts its sunset clock).
    ReviseMetric {
        /// Metric name.
        metric: String,
        /// New threshold (unchanged if absent).
        #[serde(default)]
        threshold: Option<f64>,
    },
    /// The secretariat closes the current period.
    ClosePeriod {},
}

impl EventBody {
    /// The key of the event whose value is the text `value` (for example the
    /// field naming a participant the rules do not know), if any.
    pub fn key_holding(&self, value: &str) -> Option<String> {
        let serde_json::Value::Object(map) = serde_json::to_value(self).ok()? else {
            return None;
        };
        map.into_iter()
            .find(|(key, v)| key != "type" && v.as_str() == Some(value))
            .map(|(key, _)| key)
    }

    /// Whether `kind` is some event's `type` tag (see [`Self::kind`]).
    pub fn is_kind(kind: &str) -> bool {
        // serde knows the tags: an unknown one fails on the tag itself, a
        // known one at worst on a missing field.
        match serde_json::from_value::<EventBody>(serde_json::json!({ "type": kind })) {
            Ok(_) => true,
            Err(error) => !error.to_string().starts_with("unknown variant"),
        }
    }

    /// The event's `type` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Register { .. } => "register",
            EventBody::PublishCommitment { .. } => "publish_commitment",
            EventBody::WithdrawCommitment { .. } => "withdraw_commitment",
            EventBody::Pledge { .. } => "pledge",
            EventBody::WithdrawPledge { .. } => "withdraw_pledge",
            EventBody::Leave { .. } => "leave",
            EventBody::ResolvePact { .. } => "resolve_pact",
            EventBody::ReportInvestment { .. } => "report_investment",
            EventBody::ReportMetric { .. } => "report_metric",
            EventBody::Audit { .. } => "audit",
            EventBody::Assess { .. } => "assess",
            EventBody::PublishChannelKey { .. } => "publish_channel_key",
            EventBody::WhistleblowerReceipt { .. } => "whistleblower_receipt",
            EventBody::IssueCredits { .. } => "issue_credits",
            EventBody::Transfer { .. } => "transfer",
            EventBody::Fine { .. } => "fine",
            EventBody::PayPremium { .. } => "pay_premium",
            EventBody::Incident { .. } => "incident",
            EventBody::Claim { .. } => "claim",
            EventBody::SanctionDecision { .. } => "sanction_decision",
            EventBody::ReviseMetric { .. } => "revise_metric",
            EventBody::ClosePeriod {} => "close_period",
        }
    }

    /// The role the author must hold for this event, where the rules name
    /// one (`None`: any registered participant). The first registration,
    /// the secretariat registering itself, is the one exception the state
    /// machine makes to `register`'s role.
    pub fn required_role(&self) -> Option<Role> {
        match self {
            EventBody::Register { .. }
            | EventBody::ResolvePact { .. }
            | EventBody::WhistleblowerReceipt { .. }
            | EventBody::IssueCredits { .. }
            | EventBody::Fine { .. }
            | EventBody::Incident { .. }
            | EventBody::SanctionDecision { .. }
            | EventBody::ReviseMetric { .. }
            | EventBody::ClosePeriod {} => Some(Role::Secretariat),
            EventBody::Pledge { .. }
            | EventBody::WithdrawPledge { .. }
            | EventBody::Leave { .. }
            | EventBody::ReportInvestment { .. }
            | EventBody::ReportMetric { .. }
            | EventBody::PayPremium { .. } => Some(Role::Lab),
            EventBody::Audit { .. } | EventBody::Assess { .. } => Some(Role::Monitor),
            EventBody::PublishChannelKey { purpose, .. } => Some(purpose.role()),
            EventBody::PublishCommitment { .. }
            | EventBody::WithdrawCommitment { .. }
            | EventBody::Transfer { .. }
            | EventBody::Claim { .. } => None,
        }
    }

    /// The participant this event is about besides its author, if it names
    /// one: the audited, fined, sanctioned or credited lab, the registered
    /// participant, the recipient of a transfer.
    pub fn subject(&self) -> Option<&str> {
        match self {
            EventBody::Register { participant, .. } => Some(participant),
            EventBody::Audit { lab, .. }
            | EventBody::Assess { lab, .. }
            | EventBody::WhistleblowerReceipt { lab, .. }
            | EventBody::IssueCredits { lab, .. }
            | EventBody::Fine { lab, .. }
            | EventBody::Incident { lab, .. }
            | EventBody::SanctionDecision { lab, .. } => Some(lab),
            EventBody::Transfer { to, .. } => Some(to),
            _ => None,
        }
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Participant who signed it.
    pub author: String,
    /// Sequence number, strictly increasing per author.
    pub seq: u64,
    /// Logical period the event belongs to.
    pub period: u32,
    /// What it says.
    #[serde(flatten)]
    pub body: EventBody,
}

/// An event's identity: its author and sequence number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventId {
    /// Author.
    pub author: String,
    /// Sequence number.
    pub seq: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.author, self.seq)
    }
}

impl Event {
    /// Builds an event.
    pub fn new(author: impl Into<String>, seq: u64, period: u32, body: EventBody) -> Self {
        Self {
            author: author.into(),
            seq,
            period,
            body,
        }
    }

    /// The event's id.
    pub fn id(&self) -> EventId {
        EventId {
            author: self.author.clone(),
            seq: self.seq,
        }
    }

    /// SHA-256 of the event's canonical JSON form: two events with the same
    /// id are the same event exactly when their digests match.
    pub fn digest(&self) -> [u8; 32] {
        let mut hasher = HashWriter(Sha256::new());
        serde_json::to_writer(&mut hasher, self).expect("events serialise");
        hasher.0.finalize().into()
    }

    /// The event as one JSON line (no newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }
}

/// Adapts a hasher to `io::Write` so values hash without an intermediate buffer.
pub(crate) struct HashWriter(pub(crate) Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a line of an event stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {message}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct EventParseError {
    /// 1-based line number in the stream.
    pub line: usize,
    /// The field at fault, when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Largest accepted line of an event stream, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Parses one JSON line (`line` is its 1-based number, for messages).
pub fn parse_event(text: &str, line: usize) -> Result<Event, EventParseError> {
    let fail = |field: Option<&str>, message: String| EventParseError {
        line,
        field: field.map(str::to_string),
        message,
    };
    if text.len() > MAX_LINE_BYTES {
        return Err(fail(
            None,
            format!("line is longer than {MAX_LINE_BYTES} bytes"),
        ));
    }
    // serde_json keeps the last of two equal keys; a signed line must mean one thing only.
    let mut deserializer = serde_json::Deserializer::from_str(text);
    if let Err(e) = serde::de::DeserializeSeed::deserialize(
        UniqueKeys {
            path: String::new(),
        },
        &mut deserializer,
    ) {
        let message = e.to_string();
        return Err(match message.strip_prefix(DUPLICATE_KEY) {
            Some(path) => {
                let path = path.split(" at line").next().unwrap_or(path);
                fail(
                    Some(path),
                    "appears twice in the event; each key may appear once".into(),
                )
            }
            None => fail(None, format!("not valid JSON: {message}")),
        });
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| fail(None, format!("not valid JSON: {e}")))?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(fail(None, "expected a JSON object".into()));
    };
    let author = match map.remove("author") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(fail(Some("author"), "expected a string".into())),
        None => return Err(fail(Some("author"), "missing".into())),
    };
    let seq = match map.remove("seq") {
        Some(v) => v
            .as_u64()
            .ok_or_else(|| fail(Some("seq"), "expected a non-negative integer".into()))?,
        None => return Err(fail(Some("seq"), "missing".into())),
    };
    let period = match map.remove("period") {
        Some(v) => v
            .as_u64()
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| {
                fail(
                    Some("period"),
                    "expected a non-negative integer below 2^32".into(),
                )
            })?,
        None => return Err(fail(Some("period"), "missing".into())),
    };
    if !map.contains_key("type") {
        return Err(fail(
            Some("type"),
            "missing; expected the event type, e.g. \"transfer\"".into(),
        ));
    }
    let parse = |map: &serde_json::Map<String, serde_json::Value>| {
        serde_json::from_value::<EventBody>(serde_json::Value::Object(map.clone()))
    };
    let body = parse(&map).map_err(|e| {
        let mut message = e.to_string();
        // serde quotes both field names and offending values in backticks:
        // only a quoted key of the event is a field.
        let quoted = message
            .split('`')
            .skip(1)
            .step_by(2)
            .find(|quoted| map.contains_key(*quoted) || message.starts_with("missing field"))
            .map(str::to_string);
        // A value of the wrong type names no key: the offending key is the one
        // whose removal changes the error (type errors stop at the first bad
        // value; missing fields are reported only after every value is read).
        // The tag last: without it every event fails differently.
        let field = quoted.or_else(|| {
            map.keys()
                .filter(|key| *key != "type")
                .chain(map.keys().filter(|key| *key == "type"))
                .find(|key| {
                    let mut without = map.clone();
                    without.remove(*key);
                    parse(&without).map_err(|e| e.to_string()).err() != Some(message.clone())
                })
                .cloned()
        });
        if message.contains("floating point") && message.contains("expected u") {
            message.push_str(
                " (expected a whole number of credits or units, at most 18446744073709551615)",
            );
        }
        EventParseError {
            line,
            field,
            message,
        }
    })?;
    Ok(Event {
        author,
        seq,
        period,
        body,
    })
}

/// Prefix of the error [`UniqueKeys`] raises, followed by the key's path.
const DUPLICATE_KEY: &str = "duplicate key: ";

/// Walks a JSON value and fails on the first object holding a key twice.
struct UniqueKeys {
    /// Dotted path of the value walked, for the error.
    path: String,
}

impl UniqueKeys {
    fn child(&self, key: &str) -> Self {
        Self {
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let mut i = 0;
        while items
            .next_element_seed(self.child(&format!("[{i}]")))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if !seen.insert(key) {
                return Err(serde::de::Error::custom(format!(
                    "{DUPLICATE_KEY}{}",
                    child.path
                )));
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }
}

/// Parses a whole JSON Lines stream; blank lines and lines starting with `//` are skipped.
pub fn parse_events(text: &str) -> Result<Vec<Event>, EventParseError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .map(|(i, l)| parse_event(l, i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_known_by_their_tags_alone() {
        for kind in [
            "register",
            "publish_commitment",
            "close_period",
            "claim",
            "incident",
        ] {
            assert!(EventBody::is_kind(kind), "{kind}");
        }
        for kind in ["publish-commitment", "Register", "", "nothing"] {
            assert!(!EventBody::is_kind(kind), "{kind:?}");
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_field() {
        let head = r#"{"author":"lab-a","seq":1,"period":0,"#;
        for (rest, field) in [
            (r#""type":"report_investment","amount":1.5}"#, "amount"),
            (r#""type":"report_investment","amount":"5"}"#, "amount"),
            (r#""type":"report_investment","amount":-5}"#, "amount"),
            (
                r#""type":"transfer","to":"lab-b","amount":18446744073709551616}"#,
                "amount",
            ),
            (r#""type":"transfer","to":7,"amount":5}"#, "to"),
            (
                r#""type":"register","participant":"x","role":"king","public_key":"ab"}"#,
                "role",
            ),
            (r#""type":"frobnicate"}"#, "type"),
        ] {
            let error = parse_event(&format!("{head}{rest}"), 1).expect_err(rest);
            assert_eq!(error.field.as_deref(), Some(field), "{rest}: {error}");
        }
        let error = parse_event(
            &format!(r#"{head}"type":"transfer","to":"lab-b","amount":18446744073709551616}}"#),
            1,
        )
        .unwrap_err();
        assert!(
            error.message.contains("at most 18446744073709551615"),
            "{error}"
        );
    }

    #[test]
    fn round_trip_through_json_lines() {
        let event = Event::new(
            "lab-a",
            3,
            0,
            EventBody::Transfer {
                to: "lab-b".into(),
                amount: 5,
            },
        );
        let line = event.to_json_line();
        assert_eq!(
            line,
            r#"{"author":"lab-a","seq":3,"period":0,"type":"transfer","to":"lab-b","amount":5}"#
        );
        assert_eq!(parse_event(&line, 1).unwrap(), event);
    }

    #[test]
    fn unknown_fields_and_types_are_named() {
        let error = parse_event(
            r#"{"author":"a","seq":1,"period":0,"type":"transfer","to":"b","amount":1,"memo":"x"}"#,
            7,
        )
        .unwrap_err();
        assert_eq!(error.line, 7);
        assert_eq!(error.field.as_deref(), Some("memo"), "{error}");
        let error =
            parse_event(r#"{"author":"a","seq":1,"period":0,"type":"teleport"}"#, 2).unwrap_err();
        assert!(error.message.contains("teleport"), "{error}");
        let error =
            parse_event(r#"{"author":"a","period":0,"type":"close_period"}"#, 3).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("seq"));
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for (line, field) in [
            (
                r#"{"author":"la","author":"lb","seq":1,"period":0,"type":"transfer","to":"lc","amount":1}"#,
                "author",
            ),
            (
                r#"{"author":"la","seq":1,"period":0,"type":"transfer","to":"lc","amount":1,"amount":60}"#,
                "amount",
            ),
            (
                r#"{"author":"la","seq":1,"seq":9,"period":0,"type":"close_period"}"#,
                "seq",
            ),
            (
                r#"{"author":"la","seq":1,"period":0,"type":"transfer","type":"fine","to":"lc","amount":1}"#,
                "type",
            ),
            (
                r#"{"author":"m","seq":1,"period":0,"type":"audit","lab":"la","audited_period":0,"verdict":"compliant","measurements":{"x":1,"x":2}}"#,
                "measurements.x",
            ),
        ] {
            let error = parse_event(line, 4).unwrap_err();
            assert_eq!(error.field.as_deref(), Some(field), "{error}");
            assert_eq!(error.line, 4);
            assert!(error.to_string().contains("appears twice"), "{error}");
        }
    }

    #[test]
    fn a_bad_value_is_not_named_as_the_field() {
        let error = parse_event(
            r#"{"author":"a","seq":1,"period":0,"type":"transfer","to":"b","amount":-5}"#,
            1,
        )
        .unwrap_err();
        assert_ne!(error.field.as_deref(), Some("-5"), "{error}");
        let error = parse_event(
            r#"{"author":"a","seq":1,"period":0,"type":"transfer","to":"b"}"#,
            1,
        )
        .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("amount"), "{error}");
    }

    #[test]
    fn digest_depends_on_content() {
        let a = Event::new("lab-a", 1, 0, EventBody::ReportInvestment { amount: 10 });
        let b = Event::new("lab-a", 1, 0, EventBody::ReportInvestment { amount: 11 });
        assert_eq!(a.digest(), a.clone().digest());
        assert_ne!(a.digest(), b.digest());
    }
}
