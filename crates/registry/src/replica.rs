//! The registry's state as a fold of the protocol core over its log — one
//! code path for the live server, its restart and an outside auditor.
//!
//! Entry 0 is the [`Genesis`]; every later entry is a [`SignedEvent`] that
//! the core applied. Admitting an event checks, in this order: the form of
//! the signed note, the signature (with the author's registered key, or for
//! the very first event the genesis secretariat key), the author's role for
//! the event type ([`EventBody::required_role`]), then the core's rules. A
//! refused event changes nothing.

use crate::wire::{Genesis, Problem, SignedEvent, WireError, parse_key_hex};
use accord_channel::envelope::RecipientKey;
use accord_channel::token::TokenKey;
use accord_core::event::ChannelKeyPurpose;
use accord_core::state::Rejection;
use accord_core::{Effect, Event, EventBody, Outcome, Role, State, parse_protocol};
use std::collections::{HashMap, VecDeque};

/// Recent (sequence number, log index) pairs kept per author, so that a
/// client retrying an acknowledged event learns its index again.
pub const RECEIPTS_PER_AUTHOR: usize = 256;
/// Latest log indexes of events about a lab kept as access-grant evidence.
pub const EVIDENCE_PER_LAB: usize = 16;
/// Commitment and pledge events remembered per participant for the
/// commitments explorer (older ones stay in the log, counted).
pub const PLEDGE_HISTORY_PER_PARTICIPANT: usize = 256;

/// Why an event was not admitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The signed note is malformed or its signature fails.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The author is not a registered participant.
    #[error(
        "author {0:?} is not a registered participant (the first event must be the secretariat registering itself with the genesis key)"
    )]
    UnknownAuthor(String),
    /// The author's role may not submit this event type.
    #[error("{author} is a {role} and may not submit {kind} events; only a {required} may")]
    WrongRole {
        /// Author.
        author: String,
        /// The author's role.
        role: &'static str,
        /// Event type.
        kind: &'static str,
        /// Role required.
        required: &'static str,
    },
    /// The core's rules refuse it.
    #[error(transparent)]
    Rules(#[from] Rejection),
    /// A retry of an event applied too long ago to remember its index.
    #[error(
        "event {author}#{seq} was applied long ago; its index is no longer remembered (search the log)"
    )]
    Forgotten {
        /// Author.
        author: String,
        /// Sequence number.
        seq: u64,
    },
}

impl From<&Refusal> for Problem {
    fn from(refusal: &Refusal) -> Self {
        let detail = refusal.to_string();
        match refusal {
            Refusal::Wire(e) => Problem::from(e),
            Refusal::UnknownAuthor(_) => {
                Problem::new(401, "unknown-author", "Unknown author", detail).field("event.author")
            }
            Refusal::WrongRole { .. } => {
                Problem::new(403, "wrong-role", "Role may not submit this event", detail)
                    .field("event.type")
            }
            Refusal::Forgotten { .. } => {
                Problem::new(409, "forgotten", "Retry of an old event", detail).field("event.seq")
            }
            Refusal::Rules(rejection) => rule_problem(rejection, detail),
        }
    }
}

impl Refusal {
    /// The problem for a refusal of `event`, naming the event's own field
    /// where the rules refused a value without knowing which field held it.
    pub fn problem_for(&self, event: &Event) -> Problem {
        let problem = Problem::from(self);
        match self {
            Refusal::Rules(Rejection::UnknownParticipant(id)) => match event.body.key_holding(id) {
                Some(key) => problem.field(format!("event.{key}")),
                None => problem,
            },
            _ => problem,
        }
    }
}

fn rule_problem(rejection: &Rejection, detail: String) -> Problem {
    let (status, rule, title, field) = match rejection {
        Rejection::IdConflict { .. } => (409, "id-conflict", "Sequence number reused", "event.seq"),
        Rejection::OutOfOrder { .. } => (
            409,
            "out-of-order",
            "Sequence number not increasing",
            "event.seq",
        ),
        Rejection::WrongPeriod { .. } => (
            409,
            "wrong-period",
            "Event for another period",
            "event.period",
        ),
        Rejection::UnknownParticipant(_) => {
            (422, "unknown-participant", "Unknown participant", "event")
        }
        Rejection::NotAuthorized { .. } => (403, "not-authorized", "Not authorized", "event.type"),
        Rejection::Expelled { .. } => (403, "expelled", "Author expelled", "event.author"),
        Rejection::Left { .. } => (403, "left", "Author left the protocol", "event.author"),
        Rejection::OutstandingObligations { .. } => (
            422,
            "outstanding-obligations",
            "Outstanding obligations",
            "event",
        ),
        Rejection::MechanismDisabled(_) => (
            422,
            "mechanism-disabled",
            "Mechanism disabled by the protocol",
            "event.type",
        ),
        Rejection::InsufficientCredits { .. } => (
            422,
            "insufficient-credits",
            "Insufficient credits",
            "event.amount",
        ),
        Rejection::Invalid { field, .. } => {
            return Problem::new(422, "invalid-field", "Invalid field", detail)
                .field(format!("event.{field}"));
        }
        Rejection::NotAllowed(_) => (
            422,
            "not-allowed",
            "Refused by the protocol's rules",
            "event",
        ),
        Rejection::Limit { .. } => (422, "limit", "Limit reached", "event"),
    };
    Problem::new(status, rule, title, detail).field(field)
}

/// What admitting an event did.
#[derive(Debug, Clone, PartialEq)]
pub enum Admitted {
    /// Applied; it goes into the log at `index`.
    Applied {
        /// Log index the event takes.
        index: u64,
        /// Its effects.
        effects: Vec<Effect>,
    },
    /// The same event was applied before, at `index`; nothing changed.
    AlreadyApplied {
        /// Its log index.
        index: u64,
    },
}

/// A log entry that the fold refuses: the log is not a registry log, or
/// was tampered with.
#[derive(Debug, thiserror::Error)]
#[error("log entry {index}: {message}")]
pub struct ReplayError {
    /// Index of the entry.
    pub index: u64,
    /// What is wrong.
    pub message: String,
}

/// The lab's evidence for access grants.
#[derive(Debug, Clone, Default)]
struct LabEvidence {
    registration: u64,
    recent: VecDeque<u64>,
}

/// The state folded from a log prefix.
#[derive(Debug, Clone)]
pub struct Replica {
    state: State,
    genesis: Genesis,
    genesis_key: [u8; 32],
    /// Entries folded, genesis included: the next event's log index.
    log_size: u64,
    keys: HashMap<String, [u8; 32]>,
    receipts: HashMap<String, VecDeque<(u64, u64)>>,
    evidence: HashMap<String, LabEvidence>,
    /// Log index of the current assessment per `(index, edition, lab)`; as
    /// bounded as the core's assessments.
    assessments: HashMap<(String, String, String), u64>,
    /// Per participant: its latest [`PLEDGE_HISTORY_PER_PARTICIPANT`]
    /// commitment and pledge events (log index, and whether it was a
    /// breach), and how many there were.
    pledge_history: HashMap<String, (VecDeque<(u64, bool)>, u64)>,
}

impl Replica {
    /// The replica of a log holding only its genesis entry.
    pub fn new(genesis: Genesis) -> Result<Self, ReplayError> {
        let fail = |message: String| ReplayError { index: 0, message };
        let protocol = parse_protocol(&genesis.protocol)
            .map_err(|e| fail(format!("genesis protocol: {e}")))?;
        let genesis_key = parse_key_hex("genesis.secretariat_key", &genesis.secretariat_key)
            .map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            state: State::new(protocol),
            genesis,
            genesis_key,
            log_size: 1,
            keys: HashMap::new(),
            receipts: HashMap::new(),
            evidence: HashMap::new(),
            assessments: HashMap::new(),
            pledge_history: HashMap::new(),
        })
    }

    /// Folds logged entries (those after genesis, in order); every one must
    /// be admitted as a new event at its index.
    pub fn replay<'a>(
        genesis: Genesis,
        entries: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, ReplayError> {
        let mut replica = Self::new(genesis)?;
        for entry in entries {
            replica.replay_entry(entry)?;
        }
        Ok(replica)
    }

    /// Folds the next logged entry.
    pub fn replay_entry(&mut self, entry: &[u8]) -> Result<(), ReplayError> {
        let index = self.log_size;
        let fail = |message: String| ReplayError { index, message };
        let text = std::str::from_utf8(entry).map_err(|_| fail("not UTF-8".into()))?;
        let signed = SignedEvent::parse(text).map_err(|e| fail(e.to_string()))?;
        match self.admit(&signed, false) {
            Ok(Admitted::Applied { .. }) => Ok(()),
            Ok(Admitted::AlreadyApplied { .. }) => {
                Err(fail("a repeat of an event applied before".into()))
            }
            Err(refusal) => Err(fail(format!("refused: {refusal}"))),
        }
    }

    /// The log index of `author`'s event `seq`, if it is among the
    /// author's recent events.
    pub fn index_of(&self, author: &str, seq: u64) -> Option<u64> {
        self.receipts
            .get(author)?
            .iter()
            .find(|(s, _)| *s == seq)
            .map(|&(_, index)| index)
    }

    /// The registered key of `author`, if any.
    pub fn key_of(&self, author: &str) -> Option<[u8; 32]> {
        self.keys.get(author).copied()
    }

    /// Admits a signed event: checks it (see the module docs) and applies
    /// it. `signature_checked` skips the signature check when the caller
    /// already verified it with the author's registered key (keys never
    /// change once registered).
    pub fn admit(
        &mut self,
        signed: &SignedEvent,
        signature_checked: bool,
    ) -> Result<Admitted, Refusal> {
        let event = &signed.event;
        let author_role = self.state.role(&event.author);
        let first = self.keys.is_empty();
        match (self.key_of(&event.author), first) {
            (Some(key), _) => {
                if !signature_checked {
                    signed.verify(key)?;
                }
            }
            (None, true) => signed.verify(self.genesis_key)?,
            (None, false) => return Err(Refusal::UnknownAuthor(event.author.clone())),
        }
        if let (Some(role), Some(required)) = (author_role, event.body.required_role())
            && role != required
        {
            return Err(Refusal::WrongRole {
                author: event.author.clone(),
                role: role.name(),
                kind: event.body.kind(),
                required: required.name(),
            });
        }
        self.check_channel_cryptography(&event.body)?;
        if first
            && let EventBody::Register { public_key, .. } = &event.body
            && !public_key.eq_ignore_ascii_case(&self.genesis.secretariat_key)
        {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: "the first secretariat must register the genesis key".into(),
            }
            .into());
        }
        match self.state.apply(event)? {
            Outcome::AlreadyApplied => {
                let index = self
                    .receipts
                    .get(&event.author)
                    .and_then(|r| r.iter().find(|(seq, _)| *seq == event.seq))
                    .map(|&(_, index)| index)
                    .ok_or_else(|| Refusal::Forgotten {
                        author: event.author.clone(),
                        seq: event.seq,
                    })?;
                Ok(Admitted::AlreadyApplied { index })
            }
            Outcome::Applied { effects } => {
                let index = self.log_size;
                self.log_size += 1;
                self.remember(signed, index, &effects);
                Ok(Admitted::Applied { index, effects })
            }
        }
    }

    /// What the core cannot check: that a published channel key parses,
    /// and that a receipt's token carries its issuer's signature.
    fn check_channel_cryptography(&self, body: &EventBody) -> Result<(), Refusal> {
        let invalid = |field: &'static str, error: accord_channel::ChannelError| {
            Refusal::from(Rejection::Invalid {
                field,
                message: error.to_string(),
            })
        };
        match body {
            EventBody::PublishChannelKey {
                purpose: ChannelKeyPurpose::TokenSigning,
                public_key,
            } => {
                let key =
                    TokenKey::from_base64(public_key).map_err(|e| invalid("public_key", e))?;
                // One spelling per key, so the core's history of retired
                // keys cannot be dodged by re-encoding one.
                if key.to_base64() != *public_key {
                    return Err(Rejection::Invalid {
                        field: "public_key",
                        message: "not in canonical form: base64 of the DER SubjectPublicKeyInfo, as `accord issuer keygen` prints it".into(),
                    }
                    .into());
                }
                Ok(())
            }
            EventBody::PublishChannelKey {
                purpose: ChannelKeyPurpose::ReportEncryption,
                public_key,
            } => RecipientKey::from_hex(public_key)
                .map(drop)
                .map_err(|e| invalid("public_key", e)),
            EventBody::WhistleblowerReceipt {
                token: Some(token), ..
            } => match self.state.channel_key(&token.issuer) {
                Some((ChannelKeyPurpose::TokenSigning, key)) => {
                    let key = TokenKey::from_base64(key).map_err(|e| invalid("token", e))?;
                    accord_channel::token::verify(&key, token).map_err(|e| invalid("token", e))
                }
                // The core refuses it, naming what is missing.
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn remember(&mut self, signed: &SignedEvent, index: u64, effects: &[Effect]) {
        let event = &signed.event;
        if let EventBody::Register {
            participant,
            role,
            public_key,
        } = &event.body
        {
            let key = parse_key_hex("public_key", public_key).expect("the core checked the key");
            self.keys.insert(participant.clone(), key);
            if *role == Role::Lab {
                self.evidence.insert(
                    participant.clone(),
                    LabEvidence {
                        registration: index,
                        recent: VecDeque::new(),
                    },
                );
            }
        }
        if let EventBody::Assess {
            index: rating_index,
            edition,
            lab,
            ..
        } = &event.body
        {
            self.assessments
                .insert((rating_index.clone(), edition.clone(), lab.clone()), index);
        }
        if matches!(
            event.body,
            EventBody::PublishCommitment { .. }
                | EventBody::WithdrawCommitment { .. }
                | EventBody::Pledge { .. }
                | EventBody::WithdrawPledge { .. }
                | EventBody::Leave { .. }
        ) {
            // What the event did depends on the state it met (a pact that
            // already binds, a binding commitment): only its effects tell.
            let breach = effects.iter().any(|effect| {
                matches!(
                    effect,
                    Effect::PledgeWithdrawn { breach: true, .. }
                        | Effect::CommitmentViolated { .. }
                )
            });
            let (recent, count) = self.pledge_history.entry(event.author.clone()).or_default();
            if recent.len() == PLEDGE_HISTORY_PER_PARTICIPANT {
                recent.pop_front();
            }
            recent.push_back((index, breach));
            *count += 1;
        }
        let receipts = self.receipts.entry(event.author.clone()).or_default();
        if receipts.len() == RECEIPTS_PER_AUTHOR {
            receipts.pop_front();
        }
        receipts.push_back((event.seq, index));
        // A close that leaves a lab short of its surrender obligation is
        // about that lab too: the debt denies it covered compute.
        let short = effects.iter().filter_map(|effect| match effect {
            Effect::CreditsSurrendered { lab, owed, .. } if *owed > 0 => Some(lab.as_str()),
            _ => None,
        });
        for lab in [Some(event.author.as_str()), event.body.subject()]
            .into_iter()
            .flatten()
            .chain(short)
        {
            if let Some(evidence) = self.evidence.get_mut(lab)
                && evidence.registration != index
                && evidence.recent.back() != Some(&index)
            {
                if evidence.recent.len() == EVIDENCE_PER_LAB {
                    evidence.recent.pop_front();
                }
                evidence.recent.push_back(index);
            }
        }
    }

    /// The core state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The genesis entry's content.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// Entries folded, genesis included.
    pub fn log_size(&self) -> u64 {
        self.log_size
    }

    /// The log index of the assessment behind `lab`'s score in an edition
    /// of a rating index.
    pub fn assessment_entry(&self, index: &str, edition: &str, lab: &str) -> Option<u64> {
        self.assessments
            .get(&(index.to_string(), edition.to_string(), lab.to_string()))
            .copied()
    }

    /// `participant`'s latest commitment and pledge events, oldest first,
    /// as (log index, whether it was a breach: a withdrawal from a pact
    /// that binds, which leaves the pledge standing, or of a binding
    /// commitment), and how many it made in all.
    pub fn pledge_history(&self, participant: &str) -> (Vec<(u64, bool)>, u64) {
        self.pledge_history
            .get(participant)
            .map_or((Vec::new(), 0), |(recent, count)| {
                (recent.iter().copied().collect(), *count)
            })
    }

    /// How many commitment and pledge events `participant` made in all.
    pub fn pledge_events(&self, participant: &str) -> u64 {
        self.pledge_history
            .get(participant)
            .map_or(0, |(_, count)| *count)
    }

    /// Log indexes an access grant for `lab` rests on: its registration and
    /// the latest events about it (`None` if `lab` is not a registered lab).
    pub fn evidence(&self, lab: &str) -> Option<Vec<u64>> {
        let e = self.evidence.get(lab)?;
        Some(
            std::iter::once(e.registration)
                .chain(e.recent.iter().copied())
                .collect(),
        )
    }
}
