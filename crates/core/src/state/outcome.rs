//! What applying an event returns: the outcome, the effects an applied event
//! had, and why a rejected one was refused.

use super::*;

/// The result of applying an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The event changed the state as listed.
    Applied {
        /// What happened.
        effects: Vec<Effect>,
    },
    /// The same event (same id, same content) was applied before: nothing changed.
    AlreadyApplied,
}

/// Why an event was rejected; the state is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "rejection", rename_all = "snake_case")]
pub enum Rejection {
    /// An id reused with different content.
    #[error("event {id} was already applied with different content; use a new sequence number")]
    IdConflict {
        /// The event id.
        id: String,
    },
    /// A sequence number not above the author's last one (and not a recent retry).
    #[error("event {id}: sequence numbers must increase; {}", last_applied(author, *last))]
    OutOfOrder {
        /// The event id.
        id: String,
        /// Author.
        author: String,
        /// Last applied sequence number.
        last: u64,
    },
    /// Event for another period than the current one.
    #[error("event {id} is for period {event_period} but the current period is {current}")]
    WrongPeriod {
        /// The event id.
        id: String,
        /// Period on the event.
        event_period: u32,
        /// Current period.
        current: u32,
    },
    /// Author or referenced participant not registered.
    #[error("unknown participant {0:?}")]
    UnknownParticipant(String),
    /// The author's role may not do this.
    #[error("{author} ({}) may not {action}; only a {} may", role.map_or("not registered", Role::name), required.name())]
    NotAuthorized {
        /// Author.
        author: String,
        /// Author's role (None if unregistered).
        role: Option<Role>,
        /// Attempted action.
        action: &'static str,
        /// Role required.
        required: Role,
    },
    /// An expelled lab may only claim for incidents that harmed it.
    #[error("{author} is expelled and may not {action}; an expelled lab may only file claims")]
    Expelled {
        /// Author.
        author: String,
        /// Attempted event type.
        action: &'static str,
    },
    /// A lab that left the protocol may only claim for incidents that harmed it.
    #[error(
        "{author} left the protocol in period {period} and may not {action}; a lab that left may only file claims"
    )]
    Left {
        /// Author.
        author: String,
        /// Period it left in.
        period: u32,
        /// Attempted event type.
        action: &'static str,
    },
    /// The author owes credits and may not spend before settling.
    #[error(
        "{account} owes {owed} credits in outstanding obligations; credits it receives settle them first"
    )]
    OutstandingObligations {
        /// Account.
        account: String,
        /// Credits owed.
        owed: u64,
    },
    /// The mechanism is switched off in the protocol file.
    #[error("the protocol has [{0}] disabled")]
    MechanismDisabled(&'static str),
    /// Not enough credits.
    #[error("{account} holds {balance} credits, {required} needed")]
    InsufficientCredits {
        /// Account.
        account: String,
        /// Its balance.
        balance: u64,
        /// Credits needed.
        required: u64,
    },
    /// A field's value is not acceptable.
    #[error("field `{field}`: {message}")]
    Invalid {
        /// Field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The action conflicts with the current state.
    #[error("{0}")]
    NotAllowed(String),
    /// An explicit limit was reached.
    #[error("limit reached: at most {limit} {what}")]
    Limit {
        /// What is limited.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// One consequence of an applied event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// A lab left the protocol (what bound it is breached in the effects that follow).
    Left {
        /// Lab.
        lab: String,
        /// Stated reason.
        reason: String,
    },
    /// A participant joined.
    Registered {
        /// Participant.
        participant: String,
        /// Role.
        role: Role,
    },
    /// A commitment was published.
    CommitmentPublished {
        /// Author.
        author: String,
        /// Commitment id.
        commitment: String,
        /// Whether it binds.
        binding: bool,
        /// The commitment it revised, if it is a revision.
        #[serde(skip_serializing_if = "Option::is_none")]
        revises: Option<String>,
    },
    /// A commitment was withdrawn (it stays on record).
    CommitmentWithdrawn {
        /// Author.
        author: String,
        /// Commitment id.
        commitment: String,
    },
    /// A binding commitment was violated and compensation paid.
    CommitmentViolated {
        /// Author.
        author: String,
        /// Commitment id.
        commitment: String,
        /// Credits paid.
        compensation_paid: u64,
        /// Credits not paid now, recorded as the author's obligation.
        shortfall: u64,
        /// Who received it.
        beneficiary: String,
    },
    /// A pledge was recorded.
    Pledged {
        /// Pact.
        pact: String,
        /// Lab.
        lab: String,
        /// Pledges now.
        pledges: usize,
        /// Threshold k.
        threshold: u32,
    },
    /// A pledge was withdrawn.
    PledgeWithdrawn {
        /// Pact.
        pact: String,
        /// Lab.
        lab: String,
        /// Whether the withdrawal breached a binding pact.
        breach: bool,
    },
    /// A pact reached its threshold and now binds its pledgers.
    PactBinding {
        /// Pact.
        pact: String,
        /// Pledgers bound.
        pledgers: Vec<String>,
    },
    /// A pact was resolved at its deadline.
    PactResolved {
        /// Pact.
        pact: String,
        /// Whether it had bound.
        succeeded: bool,
        /// Refund bonuses issued to pledgers of a failed pact.
        refunds_paid: u64,
    },
    /// A rater's assessment of a lab was recorded.
    Assessed {
        /// Index.
        index: String,
        /// Edition.
        edition: String,
        /// Lab.
        lab: String,
        /// The score it gives.
        score: f64,
        /// Earlier assessments of this lab and edition it replaced.
        revisions: u32,
    },
    /// A participant published a key for the whistleblower channel.
    ChannelKeyPublished {
        /// Who published it.
        participant: String,
        /// What the key is for.
        purpose: crate::event::ChannelKeyPurpose,
    },
    /// A report was recorded.
    ReportRecorded {
        /// Lab.
        lab: String,
        /// `investment` or the metric name.
        what: String,
    },
    /// An audit was recorded.
    AuditRecorded {
        /// Lab.
        lab: String,
        /// Audited period.
        period: u32,
        /// Monitor.
        monitor: String,
        /// Verdict.
        verdict: Verdict,
    },
    /// Audits reached the quorum.
    VerdictReached {
        /// Lab.
        lab: String,
        /// Audited period.
        period: u32,
        /// The verdict.
        verdict: Verdict,
    },
    /// A breach was confirmed.
    BreachConfirmed {
        /// Lab.
        lab: String,
        /// What was breached.
        cause: String,
    },
    /// A lab moved on the sanction ladder.
    Sanction(SanctionStep),
    /// Credits were issued.
    CreditsIssued {
        /// Lab.
        lab: String,
        /// Credits.
        amount: u64,
        /// Audited period.
        for_period: u32,
    },
    /// Credits changed hands.
    CreditsTransferred {
        /// From.
        from: String,
        /// To.
        to: String,
        /// Credits.
        amount: u64,
    },
    /// Credits were burned.
    CreditsBurned {
        /// Account.
        account: String,
        /// Credits burned.
        amount: u64,
        /// Credits not held, recorded as the lab's obligation (burned when it receives credits).
        shortfall: u64,
        /// Why.
        reason: String,
    },
    /// A lab surrendered its credits for the period that closed (rule 15a).
    CreditsSurrendered {
        /// Lab.
        lab: String,
        /// Period closed.
        period: u32,
        /// Credits surrendered (burned) now.
        surrendered: u64,
        /// The rest of the period's obligation, now owed.
        owed: u64,
    },
    /// Credits expired.
    CreditsExpired {
        /// Credits burned by expiry.
        amount: u64,
    },
    /// A premium was paid into the pool.
    PremiumPaid {
        /// Lab.
        lab: String,
        /// Credits paid.
        amount: u64,
        /// Premium due this period.
        due: u64,
    },
    /// An incident was recorded.
    IncidentRecorded {
        /// Incident id.
        incident: String,
    },
    /// A claim was paid.
    ClaimPaid {
        /// Incident id.
        incident: String,
        /// Paid by the pool.
        from_pool: u64,
        /// Paid by the responsible lab.
        from_lab: u64,
        /// Not paid now, recorded as the responsible lab's obligation to the claimant.
        shortfall: u64,
    },
    /// An earlier obligation was settled (in part) from credits the debtor received.
    ObligationSettled {
        /// Debtor.
        debtor: String,
        /// Creditor (`burned` for fines, `liability pool`, or a participant).
        creditor: String,
        /// Credits paid.
        amount: u64,
        /// Still owed on that obligation (a later one may be to the same creditor).
        remaining: u64,
    },
    /// An early-warning alert.
    Alert(Alert),
    /// A metric was revised.
    MetricRevised {
        /// Metric.
        metric: String,
        /// Threshold now in force.
        threshold: Option<f64>,
    },
    /// A metric reached its sunset without revision.
    MetricRetired {
        /// Metric.
        metric: String,
    },
    /// The period was closed.
    PeriodClosed {
        /// The period closed.
        period: u32,
    },
}

/// One move on the sanction ladder, with its cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanctionStep {
    /// Lab.
    pub lab: String,
    /// Period.
    pub period: u32,
    /// Level before (0 = good standing).
    pub from: u32,
    /// Level after.
    pub to: u32,
    /// Name of the rung reached (`good standing` at 0).
    pub rung: String,
    /// What caused it.
    pub cause: String,
}

/// The author's last applied sequence number, as an out-of-order rejection names it.
fn last_applied(author: &str, last: u64) -> String {
    if last == 0 {
        format!("{author} has applied no event yet, and sequence numbers start at 1")
    } else {
        format!("{author}'s last applied event is #{last}")
    }
}
