//! Hostile event streams: random authors, roles, keys, amounts, orders and
//! duplicated JSON keys, with and without an obligation to surrender credits. After every event: credits are conserved with
//! obligations counted, nobody who owes holds credits, a rejected event
//! changes nothing, and nobody acts beyond its role and standing.

mod common;

use accord_core::event::{Event, EventBody, Role, SanctionAction, Verdict, parse_event};
use accord_core::{Effect, Outcome, State};
use common::{Driver, global_protocol, key};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Registered at the start (`sec`, labs, monitors), then candidates for hostile registrations.
const NAMES: [&str; 12] = [
    "sec", "lab-a", "lab-b", "lab-c", "mon-1", "mon-2", "mon-3", "lab-d", "mon-4", "cp", "ghost",
    "lab-a2",
];
const AMOUNTS: [u64; 8] = [0, 1, 2, 20, 60, 1 << 40, u64::MAX - 1, u64::MAX];
const VERDICTS: [Verdict; 3] = [
    Verdict::Compliant,
    Verdict::Violation,
    Verdict::Inconclusive,
];

/// One hostile step: an event kind, two participant picks, an amount pick,
/// how the line is tampered with, and free bits.
type Step = (u8, usize, usize, usize, u8, u8);

fn step() -> impl Strategy<Value = Step> {
    (
        0..20u8,
        0..NAMES.len(),
        0..NAMES.len(),
        0..AMOUNTS.len(),
        0..8u8,
        any::<u8>(),
    )
}

/// The event a step describes: its author, and its body.
fn decode(&(kind, a, b, amount, _, bits): &Step, period: u32) -> (&'static str, EventBody) {
    let amount = AMOUNTS[amount];
    let target = NAMES[b];
    let lab = NAMES[1 + b % 3];
    // Usually the author a rule expects; a quarter of the time anyone at all.
    let natural = |expected: &'static str| if bits & 3 == 0 { NAMES[a] } else { expected };
    let commitment = format!("c{}", bits >> 6);
    let reference = format!("{target}/{commitment}");
    match kind {
        0 => {
            let roles = [
                Role::Lab,
                Role::Monitor,
                Role::ComputeProvider,
                Role::Secretariat,
            ];
            // Keys collide on purpose: another name's key, in either letter case.
            let mut public_key = key(NAMES[(bits >> 2) as usize % NAMES.len()]);
            if bits & 0x40 != 0 {
                public_key = public_key.to_ascii_uppercase();
            }
            (
                natural("sec"),
                EventBody::Register {
                    participant: target.into(),
                    role: roles[(bits >> 4) as usize % 4],
                    public_key,
                },
            )
        }
        1 => (natural(lab), EventBody::ReportInvestment { amount }),
        2 | 3 => (
            natural(NAMES[4 + a % 3]),
            EventBody::Audit {
                lab: lab.into(),
                audited_period: period.saturating_sub(u32::from(bits >> 7)),
                verdict: VERDICTS[(bits >> 2) as usize % 3],
                verified_investment: Some(amount),
                measurements: BTreeMap::new(),
                violated_commitments: if bits & 0x20 != 0 {
                    vec![reference]
                } else {
                    Vec::new()
                },
                cites_reports: Vec::new(),
            },
        ),
        4 => (
            natural("sec"),
            EventBody::IssueCredits {
                lab: lab.into(),
                for_period: period,
            },
        ),
        5 | 6 => (
            natural(NAMES[1 + a % 3]),
            EventBody::Transfer {
                to: target.into(),
                amount,
            },
        ),
        7 => (
            natural("sec"),
            EventBody::Fine {
                lab: target.into(),
                amount,
                reason: String::new(),
            },
        ),
        8 | 17 => (
            natural("sec"),
            EventBody::SanctionDecision {
                lab: lab.into(),
                action: if bits & 0x30 == 0x30 {
                    SanctionAction::StepDown
                } else {
                    SanctionAction::Escalate
                },
                cause: "hostile".into(),
            },
        ),
        9 => (
            natural(lab),
            EventBody::Pledge {
                pact: "frontier-safety-pact".into(),
            },
        ),
        10 => (
            natural(lab),
            EventBody::WithdrawPledge {
                pact: "frontier-safety-pact".into(),
            },
        ),
        11 => (
            natural("sec"),
            EventBody::ResolvePact {
                pact: "frontier-safety-pact".into(),
            },
        ),
        12 => (natural(lab), EventBody::PayPremium { amount }),
        13 => (
            natural("sec"),
            EventBody::Incident {
                incident: format!("i{}", bits >> 5),
                lab: lab.into(),
                harm: amount,
                harmed: target.into(),
            },
        ),
        14 => (
            NAMES[a],
            EventBody::Claim {
                incident: format!("i{}", bits >> 5),
            },
        ),
        15 => (
            natural(NAMES[1 + a % 3]),
            EventBody::PublishCommitment {
                commitment,
                text: "t".into(),
                binding: bits & 0x10 != 0,
                beneficiary: (bits & 0x20 != 0).then(|| target.to_string()),
                compensation_credits: Some(amount),
                // Sometimes a revision of another commitment, binding or not.
                revises: (bits & 0x08 != 0).then(|| format!("c{}", (bits >> 6) ^ 1)),
            },
        ),
        16 => (
            natural(NAMES[1 + a % 3]),
            EventBody::WithdrawCommitment {
                commitment,
                reason: String::new(),
            },
        ),
        // Rarely, so that most streams keep labs in the protocol.
        18 if bits & 0xe0 == 0xe0 => (
            natural(lab),
            EventBody::Leave {
                reason: "hostile".into(),
            },
        ),
        _ => (natural("sec"), EventBody::ClosePeriod {}),
    }
}

/// The role an event type requires of its author (`None`: any registered participant).
fn required_role(body: &EventBody) -> Option<Role> {
    match body {
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

fn total_owed(state: &State) -> i128 {
    state
        .participants()
        .map(|p| i128::from(state.owed(p).unwrap()))
        .sum()
}

/// Obligations recorded minus obligations settled, as the effects report them.
fn owed_change(effects: &[Effect]) -> i128 {
    effects
        .iter()
        .map(|e| match e {
            Effect::CreditsBurned { shortfall, .. }
            | Effect::CommitmentViolated { shortfall, .. }
            | Effect::ClaimPaid { shortfall, .. } => i128::from(*shortfall),
            Effect::CreditsSurrendered { owed, .. } => i128::from(*owed),
            Effect::ObligationSettled { amount, .. } => -i128::from(*amount),
            _ => 0,
        })
        .sum()
}

fn check_state(state: &State) -> Result<(), TestCaseError> {
    let (issued, burned, held) = state.credit_totals();
    let balances: u64 = state
        .participants()
        .map(|p| state.balance(p).unwrap())
        .sum::<u64>()
        + state.pool_balance();
    prop_assert_eq!(held, balances);
    prop_assert_eq!(
        issued - burned,
        balances,
        "issued − burned = Σ balances + pool"
    );
    for participant in state.participants() {
        if state.owed(participant).unwrap() > 0 {
            prop_assert_eq!(
                state.balance(participant),
                Some(0),
                "{} owes yet holds credits",
                participant
            );
        }
    }
    for lab in state.labs() {
        let access = state.access(lab);
        let (level, _, expelled) = state.sanction(lab).unwrap();
        if access.allowed {
            prop_assert!(
                !expelled && state.left(lab).is_none() && state.owed(lab) == Some(0),
                "{lab}: {access:?}"
            );
        }
        prop_assert!(level as usize <= state.protocol().sanctions.ladder.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hostile_streams_keep_every_invariant(
        steps in prop::collection::vec(step(), 1..300),
        surrender_per_period in prop_oneof![Just(0u64), Just(20)],
    ) {
        // Half the streams run under a tradable obligation (rule 15a).
        let mut protocol = global_protocol();
        protocol.credits.surrender_per_period = surrender_per_period;
        let mut d = Driver::with_participants(protocol.clone());
        let mut last_seq: HashMap<&str, u64> = HashMap::new();
        for name in NAMES {
            last_seq.insert(name, 0);
        }
        for name in ["sec", "lab-a", "lab-b", "lab-c", "mon-1", "mon-2", "mon-3"] {
            last_seq.insert(name, d.log.iter().filter(|e| e.author == name).count() as u64);
        }
        for step in &steps {
            let tamper = step.4;
            let (author, body) = decode(step, d.state.period());
            let last = last_seq[author];
            let (seq, period) = match tamper {
                // An old sequence number: a retry or a conflicting reuse.
                1 => (last.saturating_sub(u64::from(step.5 % 3)), d.state.period()),
                // Another period.
                2 if step.5 & 1 == 0 => (last + 1, d.state.period() + 1),
                2 => (last + 1, d.state.period().wrapping_sub(1)),
                _ => (last + 1, d.state.period()),
            };
            let mut line = Event::new(author, seq, period, body).to_json_line();
            if tamper == 3 {
                // Repeat one of the line's keys, first with another value: the line must be refused.
                let value: serde_json::Value = serde_json::from_str(&line).unwrap();
                let keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
                let repeated = &keys[step.5 as usize % keys.len()];
                line = format!("{{\"{repeated}\":\"lab-b\",{}", &line[1..]);
                let error = parse_event(&line, 1).expect_err("a repeated key is refused");
                prop_assert_eq!(error.field.as_deref(), Some(repeated.as_str()), "{}", error);
                continue;
            }
            let event = parse_event(&line, 1).expect("the core's own lines parse");
            let hash = d.state.state_hash();
            let owed = total_owed(&d.state);
            let role = d.state.role(author);
            let expelled = d.state.sanction(author).is_some_and(|s| s.2);
            let left = d.state.left(author).is_some();
            match d.state.apply(&event) {
                Err(_) | Ok(Outcome::AlreadyApplied) => {
                    prop_assert_eq!(d.state.state_hash(), hash, "a refused or repeated event changes nothing");
                }
                Ok(Outcome::Applied { effects }) => {
                    last_seq.insert(author, seq);
                    d.log.push(event.clone());
                    prop_assert!(role.is_some(), "{} is not registered", author);
                    if let Some(required) = required_role(&event.body) {
                        prop_assert_eq!(role, Some(required), "{:?}", event);
                    }
                    prop_assert!(
                        !(expelled || left) || matches!(event.body, EventBody::Claim { .. }),
                        "{} acted after leaving or being expelled: {:?}", author, event
                    );
                    let expected = owed + owed_change(&effects);
                    prop_assert_eq!(total_owed(&d.state), expected, "{:?} {:?}", event, effects);
                }
            }
            check_state(&d.state)?;
        }
        // The stream applied replays to the same state.
        let mut replayed = State::new(protocol);
        for event in &d.log {
            let applied = matches!(replayed.apply(event), Ok(Outcome::Applied { .. }));
            prop_assert!(applied, "replayed event applies");
        }
        prop_assert_eq!(replayed.state_hash(), d.state.state_hash());
    }
}
