//! The protocol state machine.
//!
//! [`State`] is a fold of events and nothing else: [`State::apply`] checks an
//! event against the protocol's rules and either applies it completely,
//! returning its effects, or rejects it and changes nothing. That is a
//! structure, not a convention: every handler checks the event on `&State`
//! and only then returns the change that alone mutates it (see `handlers`).
//! Replaying the same events gives the same state and the same
//! [`State::state_hash`], byte for byte. State grows with participants and
//! their commitments, never with the number of events: histories are windows
//! of bounded length.

mod close;
mod commitments;
mod credits;
mod handlers;
pub mod ledger;
mod liability;
mod metrics;
mod monitoring;
mod obligations;
mod outcome;
mod pacts;
mod queries;
mod ratings;
mod registration;
mod sanctions;

pub use outcome::{Effect, Outcome, Rejection, SanctionStep};
pub use queries::{
    AccessDecision, CommitmentView, DenyReason, LeaderboardEntry, PactSummary, PublicReports,
    ScoreComponents, competition_ranks,
};
pub use ratings::{AssessmentEvidence, EditionScores, IndicatorValue, RatedLab};

use crate::early_warning::{Alert, Histogram};
use crate::event::{ChannelKeyPurpose, Event, EventBody, Role, SanctionAction, Verdict};
use crate::spec::Protocol;
use handlers::Handled;
use ledger::{AccountId, Ledger};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// Participants the state accepts.
pub const MAX_PARTICIPANTS: usize = 100_000;
/// Recent events per author remembered to tell a retry from a conflicting reuse of its id.
pub const REPLAY_WINDOW: usize = 256;
/// Alerts kept in the state (older ones are counted, not kept).
pub const MAX_ALERTS_KEPT: usize = 10_000;
/// Sanction steps kept per lab (older ones are counted, not kept).
pub const MAX_SANCTION_STEPS_KEPT: usize = 256;
/// Incidents the state accepts.
pub const MAX_INCIDENTS: usize = 1_000_000;
/// Obligations of one participant kept strictly in the order they were
/// charged. Past this a new charge joins the latest obligation to the same
/// creditor, if any, so a list holds fewer than this plus one per creditor.
pub const MAX_OBLIGATIONS_IN_ORDER: usize = 256;
/// Longest participant, commitment, pact, metric or incident id.
pub const MAX_ID_LEN: usize = 64;
/// Longest free text (commitment texts, reasons, causes), in bytes.
pub const MAX_TEXT_LEN: usize = 10_000;
/// Most commitments the protocol file may allow one participant.
pub const MAX_COMMITMENTS_PER_PARTICIPANT: u32 = 1024;
/// Longest per-lab history window, in periods.
pub const MAX_HISTORY_PERIODS: usize = 1024;
/// Most monitors a whistleblower report is sealed to.
pub const MAX_REPORT_MONITORS: usize = 16;
/// Tokens one issuer key can admit; the issuer publishes a new key (which
/// retires the old one's tokens) before this, so the spent set is bounded.
pub const MAX_TOKENS_PER_KEY: usize = 100_000;
/// Most whistleblower reports one audit cites.
pub const MAX_CITED_REPORTS: usize = 64;
/// Periods a token key stays in force before its issuer may publish
/// another. Tokens verify only under the current key, so an issuer that
/// rotated at will could tell reports apart by key; this bounds that to
/// one key per this many periods, in public.
pub const MIN_TOKEN_KEY_PERIODS: u32 = 4;
/// Token keys one issuer may publish in all.
pub const MAX_TOKEN_KEYS: usize = 64;
/// Longest published channel key, in bytes of its text form.
pub const MAX_CHANNEL_KEY_LEN: usize = 1024;

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Participant {
    id: String,
    role: Role,
    public_key: String,
    registered_period: u32,
    last_seq: u64,
    /// `(seq, digest)` of the most recent events, for idempotency.
    recent: VecDeque<(u64, [u8; 32])>,
    commitments: Vec<Commitment>,
    /// What it owes and could not pay when charged, oldest first (a charge
    /// joins the last entry when it is to the same creditor, see
    /// [`MAX_OBLIGATIONS_IN_ORDER`]). Incoming credits settle these before
    /// anything else, so a participant that owes anything holds no credits.
    obligations: Vec<Obligation>,
    lab: Option<LabRecord>,
    /// The key it published for the whistleblower channel, if any (left
    /// out of the state's hash when absent, so states of registries that
    /// never ran the channel keep theirs).
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_key: Option<ChannelKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ChannelKey {
    purpose: ChannelKeyPurpose,
    public_key: String,
    published_period: u32,
    /// Messages of the tokens this key admitted (token keys only).
    spent_tokens: BTreeSet<String>,
    /// Keys it published before (token keys only), never to come back:
    /// a retired key's tokens would verify again with an empty spent set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    retired: Vec<String>,
}

/// Who an obligation is owed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Creditor {
    /// A fine: settled credits are burned.
    Burn,
    /// The liability pool.
    Pool,
    /// A participant (compensation, claims).
    Participant(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct Obligation {
    to: Creditor,
    amount: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Commitment {
    id: String,
    text: String,
    binding: bool,
    beneficiary: Option<usize>,
    compensation: u64,
    published_period: u32,
    status: CommitmentStatus,
    /// The commitment this one revised (left out of the hash when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    revises: Option<String>,
}

/// Where a commitment stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// In force.
    Active,
    /// Withdrawn by its author, with the stated reason.
    Withdrawn {
        /// Period of the withdrawal.
        period: u32,
        /// Stated reason.
        reason: String,
    },
    /// Found violated (a binding commitment: compensation was charged).
    Violated {
        /// Period of the finding.
        period: u32,
    },
    /// Replaced by a revision, `by` (it neither counts as kept nor as broken).
    Revised {
        /// Period of the revision.
        period: u32,
        /// The revising commitment's id.
        by: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct LabRecord {
    level: u32,
    expelled: bool,
    /// Period it left the protocol in (rule 25a). Left out of the canonical
    /// form while it has not, so states without departures hash as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    left: Option<u32>,
    compliant_streak: u32,
    breaches_this_period: u32,
    steps: VecDeque<SanctionStep>,
    step_count: u64,
    /// One record per period, most recent last, at most the history window.
    history: VecDeque<PeriodRecord>,
    /// Investment reports within the audit window.
    investments: VecDeque<InvestmentRecord>,
    /// Per metric (in protocol order): the latest reports.
    metrics: Vec<MetricTrack>,
    whistle_receipts: u32,
    premium_paid: u64,
    /// `(pact index, period)` of recent binding-pact breaches.
    pact_breaches: VecDeque<(usize, u32)>,
}

impl LabRecord {
    /// Neither expelled nor gone: the protocol still governs the lab.
    fn in_protocol(&self) -> bool {
        !self.expelled && self.left.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct PeriodRecord {
    period: u32,
    verdict: Option<Verdict>,
    /// Whether the verdict (or its absence, once the audit window closed)
    /// has been counted toward stepping down the sanction ladder.
    step_down_counted: bool,
    breaches: u32,
    reports_expected: u32,
    reports_delivered: u32,
    premium_due: u64,
    premium_paid: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct InvestmentRecord {
    period: u32,
    amount: u64,
    credited: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct MetricTrack {
    last_period: Option<u32>,
    /// `(period, value)` within the metric's look-back window.
    recent: VecDeque<(u32, f64)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct PactState {
    /// Period the current pledge round opened in.
    opened: u32,
    /// Rounds resolved so far.
    rounds_resolved: u32,
    pledgers: Vec<usize>,
    binding_since: Option<u32>,
    resolved: Option<bool>,
    /// Pledgers whose attempt to withdraw from the binding pact is on record
    /// as a breach: one abandoned pledge is one breach, so a second attempt
    /// is refused and leaving breaks nothing new (rules 25a, 26). Left out of
    /// the state's JSON while empty, so states without such a withdrawal keep
    /// the hash they had before the field existed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    withdrawal_breached: Vec<usize>,
}

impl PactState {
    /// Last period of the current round in which pledges are accepted.
    fn deadline(&self, spec: &crate::spec::Pact) -> u32 {
        self.opened.saturating_add(spec.deadline_period)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Vote {
    monitor: usize,
    verdict: Verdict,
    verified_investment: Option<u64>,
    violated_commitments: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct Tally {
    /// The panel when the first audit of this lab and period arrived; later
    /// registrations do not change who decides.
    panel: Vec<usize>,
    votes: Vec<Vote>,
    decided: Option<Verdict>,
    disagreement_alerted: bool,
}

impl Tally {
    /// Agreeing votes that decide: the protocol's quorum, and never fewer
    /// than a majority of the panel, so a minority cannot capture a verdict.
    fn votes_needed(&self, quorum: u32) -> usize {
        (quorum as usize).max(self.panel.len() / 2 + 1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct MetricState {
    threshold: Option<f64>,
    revised_period: u32,
    retired: bool,
    histogram: Option<Histogram>,
    bunching_alerted: bool,
    /// In-range reports when the detector last ran (it reruns after 25% more).
    bunching_checked_at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct IncidentRecord {
    lab: usize,
    harm: u64,
    harmed: usize,
    period: u32,
    /// The lab had paid its full premium for the period when the incident was recorded.
    covered: bool,
    claimed: bool,
}

/// The state of a protocol after a sequence of events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct State {
    #[serde(skip)]
    protocol: Arc<Protocol>,
    protocol_digest: String,
    period: u32,
    participants: Vec<Participant>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    /// Participant by public key in canonical (lowercase hex) form.
    #[serde(skip)]
    keys: HashMap<String, usize>,
    /// Registered monitors, in registration order.
    monitors: Vec<usize>,
    ledger: Ledger,
    pacts: Vec<PactState>,
    /// Open audit tallies by `(audited period, lab)`.
    #[serde(serialize_with = "as_pairs")]
    audits: BTreeMap<(u32, usize), Tally>,
    metrics: Vec<MetricState>,
    incidents: BTreeMap<String, IncidentRecord>,
    alerts: VecDeque<Alert>,
    alert_count: u64,
    events_applied: u64,
    /// Per rating index (in protocol order): its assessments. Left out of
    /// the hash when the protocol declares no index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<ratings::RatingState>,
    /// Answers held in `ratings`, against [`crate::ratings::MAX_STORED_ANSWERS`].
    #[serde(skip)]
    rating_answers_stored: usize,
}

impl State {
    /// The empty state of a protocol, at period 0.
    pub fn new(protocol: Protocol) -> Self {
        let protocol_digest = {
            let mut hasher = crate::event::HashWriter(Sha256::new());
            serde_json::to_writer(&mut hasher, &protocol).expect("protocols serialise");
            hex(&hasher.0.finalize())
        };
        let metrics = protocol
            .early_warning
            .metric
            .iter()
            .map(|m| MetricState {
                threshold: m.threshold,
                revised_period: 0,
                retired: false,
                histogram: m
                    .bunching
                    .as_ref()
                    .zip(m.threshold)
                    .map(|(b, t)| Histogram::new(t, m.log_scale, b)),
                bunching_alerted: false,
                bunching_checked_at: 0,
            })
            .collect();
        let pacts = vec![PactState::default(); protocol.pacts.pact.len()];
        let ratings = protocol
            .leaderboard
            .indices
            .iter()
            .map(ratings::RatingState::new)
            .collect();
        Self {
            protocol: Arc::new(protocol),
            protocol_digest,
            period: 0,
            participants: Vec::new(),
            index: HashMap::new(),
            keys: HashMap::new(),
            monitors: Vec::new(),
            ledger: Ledger::default(),
            pacts,
            audits: BTreeMap::new(),
            metrics,
            incidents: BTreeMap::new(),
            alerts: VecDeque::new(),
            alert_count: 0,
            events_applied: 0,
            ratings,
            rating_answers_stored: 0,
        }
    }

    /// The protocol in force.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// The current period.
    pub fn period(&self) -> u32 {
        self.period
    }

    /// Events applied so far (retries not counted).
    pub fn events_applied(&self) -> u64 {
        self.events_applied
    }

    /// Applies one event: all of it, or nothing.
    pub fn apply(&mut self, event: &Event) -> Result<Outcome, Rejection> {
        let id = || event.id().to_string();
        if let Some(&author) = self.index.get(&event.author) {
            let participant = &self.participants[author];
            if event.seq <= participant.last_seq {
                return match participant.recent.iter().find(|(seq, _)| *seq == event.seq) {
                    Some((_, d)) if *d == event.digest() => Ok(Outcome::AlreadyApplied),
                    Some(_) => Err(Rejection::IdConflict { id: id() }),
                    None => Err(Rejection::OutOfOrder {
                        id: id(),
                        author: event.author.clone(),
                        last: participant.last_seq,
                    }),
                };
            }
        }
        if event.period != self.period {
            return Err(Rejection::WrongPeriod {
                id: id(),
                event_period: event.period,
                current: self.period,
            });
        }
        self.check_standing(event)?;
        let change = self.dispatch(event)?;
        let effects = change.run(self);
        self.check_invariants();
        // Only applied events are remembered, so rejected ones never pay for a digest.
        let digest = event.digest();
        let author = *self
            .index
            .get(&event.author)
            .expect("the author is registered once the event applies");
        let participant = &mut self.participants[author];
        participant.last_seq = event.seq;
        if participant.recent.len() == REPLAY_WINDOW {
            participant.recent.pop_front();
        }
        participant.recent.push_back((event.seq, digest));
        self.events_applied += 1;
        Ok(Outcome::Applied { effects })
    }

    /// An expelled lab, or one that left, may only claim compensation for
    /// incidents that harmed it.
    fn check_standing(&self, event: &Event) -> Result<(), Rejection> {
        let Some(&author) = self.index.get(&event.author) else {
            return Ok(());
        };
        let Some(record) = self.participants[author].lab.as_ref() else {
            return Ok(());
        };
        if matches!(event.body, EventBody::Claim { .. }) {
            return Ok(());
        }
        if record.expelled {
            return Err(Rejection::Expelled {
                author: event.author.clone(),
                action: event.body.kind(),
            });
        }
        if let Some(period) = record.left {
            return Err(Rejection::Left {
                author: event.author.clone(),
                period,
                action: event.body.kind(),
            });
        }
        Ok(())
    }

    /// Invariants every applied event keeps (debug builds).
    fn check_invariants(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        let (issued, burned, held) = self.credit_totals();
        debug_assert_eq!(held, issued - burned, "credits are conserved");
        let creditors = self.participants.len() + 2;
        for (i, p) in self.participants.iter().enumerate() {
            debug_assert!(
                p.obligations.is_empty() || self.ledger.balance(AccountId::Participant(i)) == 0,
                "{} owes credits yet holds some",
                p.id
            );
            debug_assert!(p.obligations.iter().all(|o| o.amount > 0));
            debug_assert!(p.obligations.len() < MAX_OBLIGATIONS_IN_ORDER + creditors);
            debug_assert!(self.ledger.earned(i) <= self.ledger.balance(AccountId::Participant(i)));
            if let Some(lab) = &p.lab {
                debug_assert!(lab.level as usize <= self.protocol.sanctions.ladder.len());
            }
        }
    }

    /// Checks an event against its handler's rules and returns its change.
    fn dispatch<'a>(&self, event: &'a Event) -> Handled<'a> {
        let author = event.author.as_str();
        match &event.body {
            EventBody::Register {
                participant,
                role,
                public_key,
            } => self.register(author, participant, *role, public_key),
            EventBody::PublishCommitment {
                commitment,
                text,
                binding,
                beneficiary,
                compensation_credits,
                revises,
            } => self.publish_commitment(
                author,
                commitments::Published {
                    commitment,
                    text,
                    binding: *binding,
                    beneficiary: beneficiary.as_deref(),
                    compensation: *compensation_credits,
                    revises: revises.as_deref(),
                },
            ),
            EventBody::WithdrawCommitment { commitment, reason } => {
                self.withdraw_commitment(author, commitment, reason)
            }
            EventBody::Pledge { pact } => self.pledge(author, pact),
            EventBody::WithdrawPledge { pact } => self.withdraw_pledge(author, pact),
            EventBody::ResolvePact { pact } => self.resolve_pact(author, pact),
            EventBody::ReportInvestment { amount } => self.report_investment(author, *amount),
            EventBody::ReportMetric { metric, value } => self.report_metric(author, metric, *value),
            EventBody::Audit {
                lab,
                audited_period,
                verdict,
                verified_investment,
                measurements,
                violated_commitments,
                cites_reports,
            } => {
                monitoring::check_citations(cites_reports)?;
                self.audit(
                    author,
                    lab,
                    *audited_period,
                    *verdict,
                    *verified_investment,
                    measurements,
                    violated_commitments,
                )
            }
            EventBody::Assess {
                index,
                edition,
                lab,
                answers,
                evidence,
            } => self.assess(author, event.seq, index, edition, lab, answers, evidence),
            EventBody::PublishChannelKey {
                purpose,
                public_key,
            } => self.publish_channel_key(author, *purpose, public_key),
            EventBody::WhistleblowerReceipt {
                lab,
                report_commitment,
                arrival_day,
                token,
            } => self.whistleblower_receipt(
                author,
                lab,
                report_commitment,
                arrival_day.as_deref(),
                token.as_ref(),
            ),
            EventBody::IssueCredits { lab, for_period } => {
                self.issue_credits(author, lab, *for_period)
            }
            EventBody::Transfer { to, amount } => self.transfer(author, to, *amount),
            EventBody::Fine {
                lab,
                amount,
                reason,
            } => self.fine(author, lab, *amount, reason),
            EventBody::PayPremium { amount } => self.pay_premium(author, *amount),
            EventBody::Incident {
                incident,
                lab,
                harm,
                harmed,
            } => self.incident(author, incident, lab, *harm, harmed),
            EventBody::Claim { incident } => self.claim(author, incident),
            EventBody::SanctionDecision { lab, action, cause } => {
                self.sanction_decision(author, lab, *action, cause)
            }
            EventBody::ReviseMetric { metric, threshold } => {
                self.revise_metric(author, metric, *threshold)
            }
            EventBody::Leave { reason } => self.leave(author, reason),
            EventBody::ClosePeriod {} => self.close_period(author),
        }
    }

    /// SHA-256 of the canonical JSON form of the state (protocol digest included).
    pub fn state_hash(&self) -> String {
        let mut hasher = crate::event::HashWriter(Sha256::new());
        serde_json::to_writer(&mut hasher, self).expect("state serialises");
        hex(&hasher.0.finalize())
    }

    /// Credits held by a participant.
    pub fn balance(&self, participant: &str) -> Option<u64> {
        self.index
            .get(participant)
            .map(|&i| self.ledger.balance(AccountId::Participant(i)))
    }

    /// Credits a participant owes in outstanding obligations (fines,
    /// compensation and claims it could not pay when charged).
    pub fn owed(&self, participant: &str) -> Option<u64> {
        self.index.get(participant).map(|&i| self.owed_by(i))
    }

    fn owed_by(&self, participant: usize) -> u64 {
        self.participants[participant]
            .obligations
            .iter()
            .fold(0u64, |sum, o| sum.saturating_add(o.amount))
    }

    /// Credits in the liability pool.
    pub fn pool_balance(&self) -> u64 {
        self.ledger.balance(AccountId::Pool)
    }

    /// `(issued, burned, held)`: held = issued − burned, always.
    pub fn credit_totals(&self) -> (u64, u64, u64) {
        (self.ledger.issued, self.ledger.burned, self.ledger.total())
    }

    /// Recent alerts (at most [`MAX_ALERTS_KEPT`]) and the total raised.
    pub fn alerts(&self) -> (&VecDeque<Alert>, u64) {
        (&self.alerts, self.alert_count)
    }

    fn participant(&self, id: &str) -> Result<usize, Rejection> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| Rejection::UnknownParticipant(id.to_string()))
    }

    fn require_role(
        &self,
        author: &str,
        role: Role,
        action: &'static str,
    ) -> Result<usize, Rejection> {
        let index = self.index.get(author).copied();
        let actual = index.map(|i| self.participants[i].role);
        if actual != Some(role) {
            return Err(Rejection::NotAuthorized {
                author: author.to_string(),
                role: actual,
                action,
                required: role,
            });
        }
        Ok(index.expect("role matched"))
    }

    fn lab_index(&self, id: &str) -> Result<usize, Rejection> {
        let index = self.participant(id)?;
        if self.participants[index].role != Role::Lab {
            return Err(Rejection::Invalid {
                field: "lab",
                message: format!("{id} is not a lab"),
            });
        }
        Ok(index)
    }

    fn lab(&self, index: usize) -> &LabRecord {
        self.participants[index]
            .lab
            .as_ref()
            .expect("labs have a lab record")
    }

    fn lab_mut(&mut self, index: usize) -> &mut LabRecord {
        self.participants[index]
            .lab
            .as_mut()
            .expect("labs have a lab record")
    }

    fn raise(&mut self, mut alert: Alert, effects: &mut Vec<Effect>) {
        alert.id = self.alert_count;
        self.alert_count += 1;
        if self.alerts.len() == MAX_ALERTS_KEPT {
            self.alerts.pop_front();
        }
        self.alerts.push_back(alert.clone());
        effects.push(Effect::Alert(alert));
    }

    /// Length of the per-lab history window.
    fn history_periods(&self) -> usize {
        let p = &self.protocol;
        let longest = [
            p.leaderboard.window_periods,
            p.liability.rating_window_periods,
            p.monitoring.audit_window_periods + 1,
            p.compute.breach_memory_periods,
            1,
        ]
        .into_iter()
        .max()
        .unwrap_or(1) as usize;
        longest.min(MAX_HISTORY_PERIODS)
    }
}

/// Serialises a map with non-string keys as a sequence of `[key, value]` pairs.
fn as_pairs<K: Serialize, V: Serialize, S: serde::Serializer>(
    map: &BTreeMap<K, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(map.iter())
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks an id: 1 to [`MAX_ID_LEN`] characters from `[A-Za-z0-9._:/-]`,
/// and not `.` or `..`: ids name pages (`/commitments/{participant}`), and
/// browsers resolve those two as dot segments even percent-encoded, so
/// such a page could never be reached.
pub fn check_id(field: &'static str, id: &str) -> Result<(), Rejection> {
    let invalid = |message: String| Rejection::Invalid { field, message };
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-' | '/'));
    if !ok {
        return Err(invalid(format!(
            "{id:?}: expected 1 to {MAX_ID_LEN} characters from A–Z, a–z, 0–9 and . _ : - /"
        )));
    }
    if id == "." || id == ".." {
        return Err(invalid(format!(
            "{id:?} is a path's dot segment, which no address can name; choose another id"
        )));
    }
    Ok(())
}

/// Checks a free text: at most [`MAX_TEXT_LEN`] bytes (bytes, not characters, bound the state).
pub(crate) fn check_text(field: &'static str, text: &str) -> Result<(), Rejection> {
    if text.len() > MAX_TEXT_LEN {
        return Err(Rejection::Invalid {
            field,
            message: format!("longer than {MAX_TEXT_LEN} bytes (UTF-8)"),
        });
    }
    Ok(())
}
