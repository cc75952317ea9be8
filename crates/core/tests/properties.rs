//! Invariants over random event streams.

mod common;

use accord_core::event::{EventBody, SanctionAction, Verdict};
use accord_core::{Outcome, State};
use common::{Driver, global_protocol};
use proptest::prelude::*;
use std::collections::BTreeMap;

const LABS: [&str; 3] = ["lab-a", "lab-b", "lab-c"];
const MONITORS: [&str; 3] = ["mon-1", "mon-2", "mon-3"];

#[derive(Debug, Clone)]
enum Op {
    Invest(usize, u64),
    Audit(usize, usize, u8, u64),
    Issue(usize),
    Transfer(usize, usize, u64),
    Fine(usize, u64),
    Pledge(usize),
    Unpledge(usize),
    Premium(usize, u64),
    Escalate(usize),
    StepDown(usize),
    Metric(usize, f64),
    Commit(usize, u8, bool),
    Withdraw(usize, u8),
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 1..80u64).prop_map(|(l, a)| Op::Invest(l, a)),
        (0..3usize, 0..3usize, 0..3u8, 0..80u64).prop_map(|(m, l, v, a)| Op::Audit(m, l, v, a)),
        (0..3usize).prop_map(Op::Issue),
        (0..3usize, 0..3usize, 0..60u64).prop_map(|(a, b, x)| Op::Transfer(a, b, x)),
        (0..3usize, 0..40u64).prop_map(|(l, a)| Op::Fine(l, a)),
        (0..3usize).prop_map(Op::Pledge),
        (0..3usize).prop_map(Op::Unpledge),
        (0..3usize, 0..10u64).prop_map(|(l, a)| Op::Premium(l, a)),
        (0..3usize).prop_map(Op::Escalate),
        (0..3usize).prop_map(Op::StepDown),
        (0..3usize, 20.0..27.0f64).prop_map(|(l, z)| Op::Metric(l, 10f64.powf(z))),
        (0..3usize, 0..4u8, any::<bool>()).prop_map(|(l, c, b)| Op::Commit(l, c, b)),
        (0..3usize, 0..4u8).prop_map(|(l, c)| Op::Withdraw(l, c)),
        Just(Op::Close),
    ]
}

fn body(op: &Op, period: u32) -> (&'static str, EventBody) {
    let verdicts = [
        Verdict::Compliant,
        Verdict::Violation,
        Verdict::Inconclusive,
    ];
    match *op {
        Op::Invest(l, a) => (LABS[l], EventBody::ReportInvestment { amount: a }),
        Op::Audit(m, l, v, a) => (
            MONITORS[m],
            EventBody::Audit {
                lab: LABS[l].into(),
                audited_period: period,
                verdict: verdicts[v as usize],
                verified_investment: Some(a),
                measurements: BTreeMap::new(),
                violated_commitments: vec![],
                cites_reports: Vec::new(),
            },
        ),
        Op::Issue(l) => (
            "sec",
            EventBody::IssueCredits {
                lab: LABS[l].into(),
                for_period: period,
            },
        ),
        Op::Transfer(a, b, x) => (
            LABS[a],
            EventBody::Transfer {
                to: LABS[b].into(),
                amount: x,
            },
        ),
        Op::Fine(l, a) => (
            "sec",
            EventBody::Fine {
                lab: LABS[l].into(),
                amount: a,
                reason: "test".into(),
            },
        ),
        Op::Pledge(l) => (
            LABS[l],
            EventBody::Pledge {
                pact: "frontier-safety-pact".into(),
            },
        ),
        Op::Unpledge(l) => (
            LABS[l],
            EventBody::WithdrawPledge {
                pact: "frontier-safety-pact".into(),
            },
        ),
        Op::Premium(l, a) => (LABS[l], EventBody::PayPremium { amount: a }),
        Op::Escalate(l) => (
            "sec",
            EventBody::SanctionDecision {
                lab: LABS[l].into(),
                action: SanctionAction::Escalate,
                cause: "test".into(),
            },
        ),
        Op::StepDown(l) => (
            "sec",
            EventBody::SanctionDecision {
                lab: LABS[l].into(),
                action: SanctionAction::StepDown,
                cause: "test".into(),
            },
        ),
        Op::Metric(l, v) => (
            LABS[l],
            EventBody::ReportMetric {
                metric: "training_compute_flop".into(),
                value: v,
            },
        ),
        Op::Commit(l, c, b) => (
            LABS[l],
            EventBody::PublishCommitment {
                commitment: format!("c{c}"),
                text: "t".into(),
                binding: b,
                beneficiary: None,
                compensation_credits: Some(7),
                revises: None,
            },
        ),
        Op::Withdraw(l, c) => (
            LABS[l],
            EventBody::WithdrawCommitment {
                commitment: format!("c{c}"),
                reason: String::new(),
            },
        ),
        Op::Close => ("sec", EventBody::ClosePeriod {}),
    }
}

fn check_invariants(state: &State) -> Result<(), TestCaseError> {
    let (issued, burned, held) = state.credit_totals();
    prop_assert!(burned <= issued);
    prop_assert_eq!(held, issued - burned, "credits are conserved");
    let top = state.protocol().sanctions.ladder.len() as u32;
    for lab in state.labs() {
        let (level, _, _) = state.sanction(lab).unwrap();
        prop_assert!(level <= top, "sanction levels stay on the ladder");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_streams_keep_every_invariant(ops in prop::collection::vec(op(), 1..200)) {
        let mut d = Driver::with_participants(global_protocol());
        for op in &ops {
            let (author, body) = body(op, d.state.period());
            let _ = d.send(author, body);
            check_invariants(&d.state)?;
        }
        // Replay is deterministic.
        let mut replayed = State::new(global_protocol());
        for event in &d.log {
            let applied = matches!(replayed.apply(event), Ok(Outcome::Applied { .. }));
            prop_assert!(applied, "replayed event applies");
        }
        prop_assert_eq!(replayed.state_hash(), d.state.state_hash());
        // Applying the stream again changes nothing.
        let hash = d.state.state_hash();
        for event in &d.log {
            prop_assert_eq!(d.state.apply(event), Ok(Outcome::AlreadyApplied));
        }
        prop_assert_eq!(d.state.state_hash(), hash);
        // Access decisions are a function of the state alone.
        for lab in LABS {
            prop_assert_eq!(d.state.access(lab), replayed.access(lab));
            prop_assert_eq!(d.state.access(lab), d.state.clone().access(lab));
        }
        prop_assert_eq!(d.state.leaderboard(), replayed.leaderboard());
    }
}
