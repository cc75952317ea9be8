//! The registry's wire formats, as pure functions (no I/O, no async): signed
//! events, the genesis entry, access grants and problem documents. An
//! offline verifier links only this module (`default-features = false`).
//!
//! Every statement is a C2SP signed note (signed-note v1.0.0), so existing
//! note tools can check the signatures:
//!
//! * **Signed event** — text `accord-registry/event/v1\n<event JSON>\n`,
//!   signed by the author's Ed25519 key under the author's participant id as
//!   key name. The JSON is the core's canonical form of the event
//!   ([`Event::to_json_line`]: fields in declaration order, no whitespace,
//!   absent options as `null`), so one event has exactly one signed form;
//!   the server refuses any other spelling. The whole note is the log entry.
//! * **Genesis** — log entry 0, signed by the registry's log key: the
//!   protocol file the registry runs (verbatim) and the public key of the
//!   secretariat that may register itself first.
//! * **Access grant** — a note signed by the registry's log key stating the
//!   core's access decision for a lab, the log size it reflects and the
//!   state hash; delivered with the signed checkpoint of that size and the
//!   inclusion proofs (C2SP tlog-proof) of the logged events about the lab.
//!   The grant's first line can never be a checkpoint's origin line, so the
//!   log key signing it cannot be confused with a checkpoint signature.

use accord_core::event::parse_event;
use accord_core::{Event, EventBody, Role};
use accord_tlog::bundle::TlogProof;
use accord_tlog::checkpoint::SignedCheckpoint;
use accord_tlog::hash::leaf_hash;
use accord_tlog::note::{Ed25519Signer, Ed25519Verifier, Note, NoteSigner as _, NoteVerifier};
use accord_tlog::witness::WitnessPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// First line of a signed event's text.
pub const EVENT_HEADER: &str = "accord-registry/event/v1";
/// First line of the genesis entry's text.
pub const GENESIS_HEADER: &str = "accord-registry/genesis/v1";
/// First line of an access grant's text.
pub const GRANT_HEADER: &str = "accord-registry/access-grant/v1";
/// Most evidence entries carried by one access grant.
pub const MAX_GRANT_EVIDENCE: usize = 32;

/// A statement that does not have the documented form, or whose signature
/// fails. `field` names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not parseable as documented.
    #[error("{field}: {message}")]
    Malformed {
        /// The part at fault (`note`, `event`, `event.amount`, …).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Parseable, but not the one canonical spelling of the event.
    #[error(
        "event: not in canonical form; sign exactly {expected:?} (use `accord registry submit`, which signs the canonical form)"
    )]
    NotCanonical {
        /// The canonical JSON of the same event.
        expected: String,
    },
    /// Not exactly one signature, by the author.
    #[error("signature: expected exactly one signature, by the author {author:?}; found {found}")]
    Signers {
        /// The event's author.
        author: String,
        /// The signers found.
        found: String,
    },
    /// The signature does not verify with the key it must verify with.
    #[error("signature: does not verify with {signer}'s registered key")]
    BadSignature {
        /// Whose key.
        signer: String,
    },
    /// A grant's parts do not fit together.
    #[error("{field}: {message}")]
    Grant {
        /// The part at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

fn malformed(field: &str, message: impl Into<String>) -> WireError {
    WireError::Malformed {
        field: field.to_string(),
        message: message.into(),
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 32-byte key from 64 hex digits.
pub fn parse_key_hex(field: &str, text: &str) -> Result<[u8; 32], WireError> {
    let bad = || malformed(field, "expected an Ed25519 public key as 64 hex digits");
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(key)
}

/// The text of a signed note after `header`: the one JSON line.
fn body_line<'a>(text: &'a str, header: &str) -> Result<&'a str, WireError> {
    let rest = text
        .strip_prefix(header)
        .and_then(|r| r.strip_prefix('\n'))
        .ok_or_else(|| {
            malformed(
                "note",
                format!("the text must start with the line {header}"),
            )
        })?;
    let line = rest
        .strip_suffix('\n')
        .ok_or_else(|| malformed("note", "the text must end in a newline"))?;
    if line.contains('\n') {
        return Err(malformed(
            "note",
            format!("expected one JSON line after {header}"),
        ));
    }
    Ok(line)
}

/// An event with its author's signature: what clients submit and what the
/// log stores.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedEvent {
    /// The event.
    pub event: Event,
    note: Note,
    text: String,
}

impl SignedEvent {
    /// Signs `event` with the author's key (whose name must be the author).
    pub fn sign(event: Event, key: &Ed25519Signer) -> Result<Self, WireError> {
        if key.name() != event.author {
            return Err(WireError::Signers {
                author: event.author.clone(),
                found: key.name().to_string(),
            });
        }
        let text = format!("{EVENT_HEADER}\n{}\n", event.to_json_line());
        let note = Note::sign(&text, &[key]).map_err(|e| malformed("event", e.to_string()))?;
        let text = note.to_string();
        Ok(Self { event, note, text })
    }

    /// Parses a signed event (without checking the signature against a key):
    /// the note, its header, the event JSON in canonical form, and exactly
    /// one signature whose key name is the author.
    pub fn parse(text: &str) -> Result<Self, WireError> {
        let note = Note::parse(text).map_err(|e| malformed("note", e.to_string()))?;
        if note.to_string() != text {
            return Err(malformed(
                "note",
                "not in the canonical signed-note encoding",
            ));
        }
        let line = body_line(&note.text, EVENT_HEADER)?;
        let event = parse_event(line, 1).map_err(|e| WireError::Malformed {
            field: e
                .field
                .as_ref()
                .map_or_else(|| "event".to_string(), |f| format!("event.{f}")),
            message: e.message.clone(),
        })?;
        let expected = event.to_json_line();
        if expected != line {
            return Err(WireError::NotCanonical { expected });
        }
        if note.signatures.len() != 1 || note.signatures[0].name != event.author {
            return Err(WireError::Signers {
                author: event.author.clone(),
                found: note
                    .signatures
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(Self {
            event,
            note,
            text: text.to_string(),
        })
    }

    /// Checks the signature with the author's public key.
    pub fn verify(&self, public_key: [u8; 32]) -> Result<(), WireError> {
        let bad = || WireError::BadSignature {
            signer: self.event.author.clone(),
        };
        let verifier = Ed25519Verifier::new(&self.event.author, public_key).map_err(|_| bad())?;
        self.note
            .verify(&[&verifier as &dyn NoteVerifier])
            .map_err(|_| bad())?;
        Ok(())
    }

    /// The signed note, as submitted and as logged.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Log entry 0: what the registry runs and who may start it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Public key (64 hex digits) of the secretariat that registers itself
    /// with the first event.
    pub secretariat_key: String,
    /// SHA-256 of `protocol`, hex.
    pub protocol_sha256: String,
    /// The protocol file, verbatim (TOML).
    pub protocol: String,
}

impl Genesis {
    /// A genesis for a protocol file's text and the secretariat's key.
    pub fn new(protocol: &str, secretariat_key: [u8; 32]) -> Self {
        Self {
            secretariat_key: hex(&secretariat_key),
            protocol_sha256: hex(&Sha256::digest(protocol.as_bytes())),
            protocol: protocol.to_string(),
        }
    }

    /// The signed entry.
    pub fn sign(&self, log_key: &Ed25519Signer) -> Result<String, WireError> {
        let json = serde_json::to_string(self).expect("genesis serialises");
        let note = Note::sign(&format!("{GENESIS_HEADER}\n{json}\n"), &[log_key])
            .map_err(|e| malformed("genesis", e.to_string()))?;
        Ok(note.to_string())
    }

    /// Parses entry 0 and checks the log key's signature and the digest.
    pub fn open(entry: &str, log: &Ed25519Verifier) -> Result<Self, WireError> {
        let (note, _) = Note::open(entry, &[log as &dyn NoteVerifier])
            .map_err(|e| malformed("genesis", e.to_string()))?;
        let genesis: Genesis = serde_json::from_str(body_line(&note.text, GENESIS_HEADER)?)
            .map_err(|e| malformed("genesis", e.to_string()))?;
        parse_key_hex("genesis.secretariat_key", &genesis.secretariat_key)?;
        if hex(&Sha256::digest(genesis.protocol.as_bytes())) != genesis.protocol_sha256 {
            return Err(malformed(
                "genesis.protocol_sha256",
                "does not match the protocol text",
            ));
        }
        Ok(genesis)
    }
}

/// What an access grant states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantStatement {
    /// The lab.
    pub lab: String,
    /// Period the decision is for.
    pub period: u32,
    /// Whether the lab may use covered compute.
    pub allowed: bool,
    /// Every reason against (the core's `DenyReason`s), empty when allowed.
    pub reasons: Vec<serde_json::Value>,
    /// Log size the decision reflects.
    pub log_size: u64,
    /// State hash after folding those entries.
    pub state_hash: String,
}

/// A logged event the grant rests on, with its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// Log index.
    pub index: u64,
    /// The signed event, verbatim.
    pub entry: String,
    /// tlog-proof bundle of the entry in the grant's checkpoint.
    pub proof: String,
}

/// An access grant as served by `GET /v1/access/{lab}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AccessGrant {
    /// The signed [`GrantStatement`] note.
    pub statement: String,
    /// The signed checkpoint of size `log_size`.
    pub checkpoint: String,
    /// The lab's registration and the latest logged events about it.
    pub evidence: Vec<Evidence>,
}

/// Signs a grant statement with the log key.
pub fn sign_statement(statement: &GrantStatement, log_key: &Ed25519Signer) -> String {
    let json = serde_json::to_string(statement).expect("statements serialise");
    Note::sign(&format!("{GRANT_HEADER}\n{json}\n"), &[log_key])
        .expect("a JSON line is valid note text")
        .to_string()
}

/// Verifies an access grant offline, trusting only the registry's verifier
/// key (and the witnesses' keys in `policy`): the statement's signature,
/// the checkpoint's signature, size and cosignatures, and that every
/// evidence entry is an event about the lab (or a period close, which can
/// leave it owing its surrender) included in that checkpoint —
/// among them the lab's registration as a lab, whose key checks the
/// signatures of the lab's own events. It does not say the grant is
/// current (compare `log_size` and the cosignature times with what you
/// require) nor who presents it (compare `lab`); whether the decision
/// follows from the log is what `accord registry audit --grant` checks.
pub fn verify_grant(
    grant: &AccessGrant,
    registry: &Ed25519Verifier,
    policy: Option<&WitnessPolicy>,
) -> Result<GrantStatement, WireError> {
    let fail = |field: &'static str, message: String| WireError::Grant { field, message };
    let (note, _) = Note::open(&grant.statement, &[registry as &dyn NoteVerifier])
        .map_err(|e| fail("statement", e.to_string()))?;
    let statement: GrantStatement = serde_json::from_str(body_line(&note.text, GRANT_HEADER)?)
        .map_err(|e| fail("statement", e.to_string()))?;
    let origin = registry.name();
    let checkpoint = SignedCheckpoint::open(&grant.checkpoint, origin, registry)
        .map_err(|e| fail("checkpoint", e.to_string()))?;
    if let Some(policy) = policy {
        policy
            .check(&checkpoint.note)
            .map_err(|e| fail("checkpoint", format!("witnesses: {e}")))?;
    }
    if checkpoint.checkpoint.size != statement.log_size {
        return Err(fail(
            "checkpoint",
            format!(
                "is for size {} but the statement reflects size {}",
                checkpoint.checkpoint.size, statement.log_size
            ),
        ));
    }
    if grant.evidence.len() > MAX_GRANT_EVIDENCE {
        return Err(fail(
            "evidence",
            format!("more than {MAX_GRANT_EVIDENCE} entries"),
        ));
    }
    let mut lab_key = None;
    let mut by_lab = Vec::new();
    for item in &grant.evidence {
        let proof =
            TlogProof::parse(&item.proof).map_err(|e| fail("evidence.proof", e.to_string()))?;
        if proof.index != item.index || proof.checkpoint != grant.checkpoint {
            return Err(fail(
                "evidence.proof",
                format!(
                    "entry {} is not proved in the grant's checkpoint",
                    item.index
                ),
            ));
        }
        proof
            .verify(&leaf_hash(item.entry.as_bytes()), origin, registry, None)
            .map_err(|e| fail("evidence.proof", format!("entry {}: {e}", item.index)))?;
        let signed = SignedEvent::parse(&item.entry)
            .map_err(|e| fail("evidence.entry", format!("entry {}: {e}", item.index)))?;
        let event = &signed.event;
        if let EventBody::Register {
            participant,
            role: Role::Lab,
            public_key,
        } = &event.body
            && *participant == statement.lab
        {
            lab_key = Some(parse_key_hex("evidence.entry", public_key)?);
        } else if event.author == statement.lab {
            by_lab.push(signed);
        } else if event.body.subject() != Some(statement.lab.as_str())
            // A close charges every lab's surrender obligation (rule 15a).
            && !matches!(event.body, EventBody::ClosePeriod {})
        {
            return Err(fail(
                "evidence.entry",
                format!("entry {} is not about {}", item.index, statement.lab),
            ));
        }
    }
    let Some(lab_key) = lab_key else {
        return Err(fail(
            "evidence",
            format!("does not include {}'s registration as a lab", statement.lab),
        ));
    };
    // The lab's own events carry its signature, checkable with the key in
    // its registration; others' events are vouched for by their inclusion.
    for signed in by_lab {
        signed
            .verify(lab_key)
            .map_err(|e| fail("evidence.entry", e.to_string()))?;
    }
    Ok(statement)
}

/// An RFC 9457 problem document: why a request was refused. `rule` is a
/// stable slug; `type` is `urn:accord:registry:<rule>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// `urn:accord:registry:<rule>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the rule.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened, for a person.
    pub detail: String,
    /// The request field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule, as a slug.
    pub rule: String,
}

impl Problem {
    /// A problem for `rule` with HTTP `status`.
    pub fn new(status: u16, rule: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:accord:registry:{rule}"),
            title: title.to_string(),
            status,
            detail: detail.into(),
            field: None,
            rule: rule.to_string(),
        }
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({}): {}",
            self.status, self.title, self.rule, self.detail
        )?;
        if let Some(field) = &self.field {
            write!(f, " [field {field}]")?;
        }
        Ok(())
    }
}

impl From<&WireError> for Problem {
    fn from(error: &WireError) -> Self {
        match error {
            WireError::Malformed { field, .. } => Problem::new(
                400,
                "malformed",
                "Malformed signed event",
                error.to_string(),
            )
            .field(field.clone()),
            WireError::NotCanonical { .. } => Problem::new(
                400,
                "not-canonical",
                "Event not in canonical form",
                error.to_string(),
            )
            .field("event"),
            WireError::Signers { .. } => {
                Problem::new(401, "signers", "Wrong signers", error.to_string()).field("signature")
            }
            WireError::BadSignature { .. } => {
                Problem::new(401, "bad-signature", "Bad signature", error.to_string())
                    .field("signature")
            }
            WireError::Grant { field, .. } => {
                Problem::new(400, "grant", "Invalid grant", error.to_string()).field(*field)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Ed25519Signer {
        Ed25519Signer::from_seed(name, [7; 32]).unwrap()
    }

    fn transfer(author: &str) -> Event {
        Event::new(
            author,
            1,
            0,
            EventBody::Transfer {
                to: "lab-b".into(),
                amount: 5,
            },
        )
    }

    #[test]
    fn a_signed_event_round_trips_and_verifies_with_its_key_only() {
        let k = key("lab-a");
        let signed = SignedEvent::sign(transfer("lab-a"), &k).unwrap();
        let parsed = SignedEvent::parse(signed.as_str()).unwrap();
        assert_eq!(parsed, signed);
        parsed.verify(k.verifier().public_key()).unwrap();
        let other = Ed25519Signer::from_seed("lab-a", [8; 32]).unwrap();
        assert!(matches!(
            parsed.verify(other.verifier().public_key()),
            Err(WireError::BadSignature { .. })
        ));
    }

    #[test]
    fn another_spelling_of_the_same_event_is_refused() {
        let k = key("lab-a");
        let json =
            r#"{"seq":1,"author":"lab-a","period":0,"type":"transfer","to":"lab-b","amount":5}"#;
        let note = Note::sign(&format!("{EVENT_HEADER}\n{json}\n"), &[&k]).unwrap();
        assert!(matches!(
            SignedEvent::parse(&note.to_string()),
            Err(WireError::NotCanonical { .. })
        ));
    }

    #[test]
    fn a_signature_by_someone_else_than_the_author_is_refused() {
        let k = key("lab-b");
        let text = format!("{EVENT_HEADER}\n{}\n", transfer("lab-a").to_json_line());
        let note = Note::sign(&text, &[&k]).unwrap();
        assert!(matches!(
            SignedEvent::parse(&note.to_string()),
            Err(WireError::Signers { .. })
        ));
        assert!(SignedEvent::sign(transfer("lab-a"), &k).is_err());
    }

    #[test]
    fn keys_are_exactly_64_hex_digits() {
        assert_eq!(parse_key_hex("k", &"aB".repeat(32)).unwrap(), [0xab; 32]);
        for bad in [
            format!("€{}", "0".repeat(61)),
            format!("+f{}", "0".repeat(62)),
            "0".repeat(63),
        ] {
            assert!(parse_key_hex("k", &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_that_once_could_not_be_signed_now_can() {
        // Without serde_json's float_roundtrip these parse one ulp off, so
        // the canonical form could never be met.
        for value in [5.1e26, 5.3e26, 2.088554962673739e237] {
            let event = Event::new(
                "lab-a",
                1,
                0,
                EventBody::ReportMetric {
                    metric: "m".into(),
                    value,
                },
            );
            let signed = SignedEvent::sign(event, &key("lab-a")).unwrap();
            assert_eq!(SignedEvent::parse(signed.as_str()).unwrap(), signed);
        }
    }

    proptest::proptest! {
        /// Every finite metric value has one signed form that the server
        /// accepts back (floats print and parse to the same value).
        #[test]
        fn every_finite_value_survives_signing_and_parsing(value in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let event = Event::new("lab-a", 1, 0, EventBody::ReportMetric { metric: "m".into(), value });
            let signed = SignedEvent::sign(event, &key("lab-a")).unwrap();
            let parsed = SignedEvent::parse(signed.as_str()).unwrap();
            proptest::prop_assert_eq!(parsed.event, signed.event);
        }
    }

    #[test]
    fn the_genesis_entry_checks_its_signature_and_digest() {
        let log = key("registry.example/log");
        let genesis = Genesis::new("[protocol]\nname = \"x\"\n", [1; 32]);
        let entry = genesis.sign(&log).unwrap();
        assert_eq!(Genesis::open(&entry, &log.verifier()).unwrap(), genesis);
        let other = Ed25519Signer::from_seed("registry.example/log", [9; 32]).unwrap();
        assert!(Genesis::open(&entry, &other.verifier()).is_err());
    }
}
