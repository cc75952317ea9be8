//! Hostile participants (issue 9): each test replays an attack that worked
//! against an earlier core and checks that it no longer pays.

mod common;

use accord_core::event::{EventBody, Role, SanctionAction, Verdict};
use accord_core::state::DenyReason;
use accord_core::{Effect, Rejection};
use common::{Driver, global_protocol, key};
use std::collections::BTreeMap;

/// The demo's shape: `lab-a` and `lab-b` earn 60 and 40 credits.
fn funded() -> Driver {
    let mut d = Driver::with_participants(global_protocol());
    d.earn("lab-a", 60);
    d.earn("lab-b", 40);
    d
}

fn escalate(d: &mut Driver, lab: &str) -> Vec<Effect> {
    d.ok(
        "sec",
        EventBody::SanctionDecision {
            lab: lab.into(),
            action: SanctionAction::Escalate,
            cause: "confirmed breach".into(),
        },
    )
}

fn audit_listing(lab: &str, verdict: Verdict, violated: &[&str]) -> EventBody {
    EventBody::Audit {
        lab: lab.into(),
        audited_period: 0,
        verdict,
        verified_investment: None,
        measurements: BTreeMap::new(),
        violated_commitments: violated.iter().map(|c| c.to_string()).collect(),
        cites_reports: Vec::new(),
    }
}

fn publish_binding(d: &mut Driver, lab: &str, compensation: u64) {
    d.ok(
        lab,
        EventBody::PublishCommitment {
            commitment: "c1".into(),
            text: "no unaudited release".into(),
            binding: true,
            beneficiary: None,
            compensation_credits: Some(compensation),
            revises: None,
        },
    );
}

fn conserved(d: &Driver) {
    let (issued, burned, held) = d.state.credit_totals();
    let balances: u64 = d
        .state
        .participants()
        .map(|p| d.state.balance(p).unwrap())
        .sum::<u64>()
        + d.state.pool_balance();
    assert_eq!(held, balances);
    assert_eq!(
        issued - burned,
        balances,
        "issued − burned = Σ balances + pool"
    );
}

#[test]
fn item_1_an_audit_charges_only_the_audited_lab_and_only_by_verdict_majority() {
    let mut d = funded();
    publish_binding(&mut d, "lab-b", 40);
    publish_binding(&mut d, "lab-c", 40);
    let rejection = d.rejected(
        "mon-1",
        audit_listing("lab-c", Verdict::Violation, &["lab-b/c1"]),
    );
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "violated_commitments",
                ..
            }
        ),
        "{rejection}"
    );
    // One of the two violation votes names lab-c/c1: below the votes a verdict needs.
    d.ok(
        "mon-1",
        audit_listing("lab-c", Verdict::Violation, &["lab-c/c1"]),
    );
    let effects = d.ok("mon-2", audit_listing("lab-c", Verdict::Violation, &[]));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::BreachConfirmed { .. })),
        "{effects:?}"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CommitmentViolated { .. })),
        "one monitor below the quorum chose the charge: {effects:?}"
    );
    assert_eq!(d.state.balance("lab-b"), Some(40));
    assert_eq!(d.state.owed("lab-c"), Some(0));
}

#[test]
fn item_2_fines_become_obligations_settled_before_the_lab_spends_or_qualifies() {
    let mut d = funded();
    d.ok(
        "lab-a",
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 60,
        },
    );
    escalate(&mut d, "lab-a");
    let effects = escalate(&mut d, "lab-a");
    assert!(
        effects.contains(&Effect::CreditsBurned {
            account: "lab-a".into(),
            amount: 0,
            shortfall: 20,
            reason: "sanction: credit fine".into(),
        }),
        "{effects:?}"
    );
    assert_eq!(d.state.owed("lab-a"), Some(20));
    let access = d.state.access("lab-a");
    assert!(
        access
            .reasons
            .contains(&DenyReason::OutstandingObligations { owed: 20 }),
        "{access:?}"
    );
    conserved(&d);
    let effects = d.ok(
        "lab-b",
        EventBody::Transfer {
            to: "lab-a".into(),
            amount: 60,
        },
    );
    assert!(
        effects.contains(&Effect::ObligationSettled {
            debtor: "lab-a".into(),
            creditor: "burned".into(),
            amount: 20,
            remaining: 0,
        }),
        "{effects:?}"
    );
    assert_eq!(d.state.balance("lab-a"), Some(40));
    assert_eq!(d.state.owed("lab-a"), Some(0));
    conserved(&d);
    // Credits passed around do not qualify their recipient for compute.
    let access = d.state.access("lab-a");
    assert!(!access.allowed, "{access:?}");
    assert!(
        access.reasons.contains(&DenyReason::CreditsBelowThreshold {
            held: 0,
            required: 10
        }),
        "{access:?}"
    );
}

#[test]
fn item_2_a_lab_that_owes_cannot_spend_and_creditors_are_paid_from_what_it_receives() {
    let mut d = funded();
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "i1".into(),
            lab: "lab-c".into(),
            harm: 30,
            harmed: "lab-a".into(),
        },
    );
    let effects = d.ok(
        "lab-a",
        EventBody::Claim {
            incident: "i1".into(),
        },
    );
    assert!(
        effects.contains(&Effect::ClaimPaid {
            incident: "i1".into(),
            from_pool: 0,
            from_lab: 0,
            shortfall: 30,
        }),
        "{effects:?}"
    );
    assert_eq!(d.state.owed("lab-c"), Some(30));
    d.earn("lab-c", 50);
    assert_eq!(d.state.owed("lab-c"), Some(0));
    assert_eq!(d.state.balance("lab-c"), Some(20));
    assert_eq!(d.state.balance("lab-a"), Some(90));
    conserved(&d);
    // While it owed, lab-c could not pay a premium or transfer.
    let mut d = funded();
    d.ok(
        "sec",
        EventBody::Fine {
            lab: "lab-c".into(),
            amount: 5,
            reason: "late filing".into(),
        },
    );
    let rejection = d.rejected("lab-c", EventBody::PayPremium { amount: 1 });
    assert!(
        matches!(rejection, Rejection::OutstandingObligations { owed: 5, .. }),
        "{rejection}"
    );
}

#[test]
fn item_4_one_key_one_participant_for_ever() {
    let mut d = funded();
    let register = |participant: &str, role: Role, public_key: String| EventBody::Register {
        participant: participant.into(),
        role,
        public_key,
    };
    let rejection = d.rejected(
        "sec",
        register("mon-x", Role::Monitor, key("lab-a").to_ascii_uppercase()),
    );
    assert!(
        rejection
            .to_string()
            .contains("already registered to lab-a"),
        "{rejection}"
    );
    for _ in 0..4 {
        escalate(&mut d, "lab-c");
    }
    assert!(d.state.sanction("lab-c").unwrap().2, "expelled");
    let rejection = d.rejected("sec", register("lab-c2", Role::Lab, key("lab-c")));
    assert!(
        rejection
            .to_string()
            .contains("already registered to lab-c"),
        "{rejection}"
    );
    // A second registration under a taken id names the field at fault.
    let rejection = d.rejected("sec", register("lab-a", Role::Lab, key("lab-z")));
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "participant",
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn item_5_an_expelled_lab_may_only_claim() {
    let mut d = funded();
    d.ok(
        "lab-a",
        EventBody::Pledge {
            pact: "frontier-safety-pact".into(),
        },
    );
    for _ in 0..4 {
        escalate(&mut d, "lab-a");
    }
    assert!(
        d.state.pacts()[0].pledgers.is_empty(),
        "its pledge no longer counts"
    );
    for body in [
        EventBody::Pledge {
            pact: "frontier-safety-pact".into(),
        },
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 1,
        },
        EventBody::PayPremium { amount: 1 },
        EventBody::ReportInvestment { amount: 10 },
        EventBody::PublishCommitment {
            commitment: "c9".into(),
            text: String::new(),
            binding: false,
            beneficiary: None,
            compensation_credits: None,
            revises: None,
        },
    ] {
        let rejection = d.rejected("lab-a", body);
        assert!(
            matches!(rejection, Rejection::Expelled { .. }),
            "{rejection}"
        );
    }
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "i1".into(),
            lab: "lab-b".into(),
            harm: 5,
            harmed: "lab-a".into(),
        },
    );
    d.ok(
        "lab-a",
        EventBody::Claim {
            incident: "i1".into(),
        },
    );
}

#[test]
fn item_6_insurance_bought_after_the_incident_does_not_cover_it() {
    let mut d = funded();
    d.ok("lab-a", EventBody::PayPremium { amount: 2 });
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "i1".into(),
            lab: "lab-b".into(),
            harm: 30,
            harmed: "lab-a".into(),
        },
    );
    d.ok("lab-b", EventBody::PayPremium { amount: 2 });
    let effects = d.ok(
        "lab-a",
        EventBody::Claim {
            incident: "i1".into(),
        },
    );
    assert!(
        matches!(
            effects[0],
            Effect::ClaimPaid {
                from_pool: 0,
                from_lab: 30,
                ..
            }
        ),
        "{effects:?}"
    );
    // Cover bought before the incident pays, even when claimed periods later.
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "i2".into(),
            lab: "lab-b".into(),
            harm: 3,
            harmed: "lab-a".into(),
        },
    );
    for _ in 0..6 {
        d.close();
    }
    let effects = d.ok(
        "lab-a",
        EventBody::Claim {
            incident: "i2".into(),
        },
    );
    assert!(
        matches!(effects[0], Effect::ClaimPaid { from_pool: 2, .. }),
        "{effects:?}"
    );
}

#[test]
fn item_7_a_minority_of_the_panel_cannot_decide_and_panels_are_fixed() {
    let mut protocol = global_protocol();
    protocol.monitoring.monitors = 5;
    protocol.monitoring.panel_size = 5;
    let mut d = Driver::with_participants(protocol);
    for monitor in ["mon-4", "mon-5"] {
        d.ok(
            "sec",
            EventBody::Register {
                participant: monitor.into(),
                role: Role::Monitor,
                public_key: key(monitor),
            },
        );
    }
    d.ok("lab-a", EventBody::ReportInvestment { amount: 50 });
    d.audit("mon-1", "lab-a", Verdict::Compliant, Some(50));
    let effects = d.audit("mon-2", "lab-a", Verdict::Compliant, Some(50));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::VerdictReached { .. })),
        "two of five do not decide: {effects:?}"
    );
    // A monitor registered mid-tally is not on the panel fixed at the first audit.
    d.ok(
        "sec",
        EventBody::Register {
            participant: "mon-6".into(),
            role: Role::Monitor,
            public_key: key("mon-6"),
        },
    );
    let rejection = d.rejected("mon-6", audit_listing("lab-a", Verdict::Compliant, &[]));
    assert!(rejection.to_string().contains("panel"), "{rejection}");
    d.audit("mon-3", "lab-a", Verdict::Violation, None);
    d.audit("mon-4", "lab-a", Verdict::Violation, None);
    let effects = d.audit("mon-5", "lab-a", Verdict::Violation, None);
    assert!(
        effects.contains(&Effect::VerdictReached {
            lab: "lab-a".into(),
            period: 0,
            verdict: Verdict::Violation
        }),
        "{effects:?}"
    );
    assert!(
        d.send(
            "sec",
            EventBody::IssueCredits {
                lab: "lab-a".into(),
                for_period: 0
            }
        )
        .is_err()
    );
}

#[test]
fn item_9_stepping_down_needs_demonstrated_compliance() {
    let mut protocol = global_protocol();
    protocol.early_warning.metric.clear();
    let mut d = Driver::with_participants(protocol);
    for _ in 0..4 {
        escalate(&mut d, "lab-c");
    }
    for _ in 0..20 {
        d.close();
    }
    assert_eq!(
        d.state.sanction("lab-c").unwrap().0,
        4,
        "silence is not compliance"
    );
    let mut d2 = Driver::with_participants({
        let mut p = global_protocol();
        p.early_warning.metric.clear();
        p
    });
    escalate(&mut d2, "lab-a");
    d2.close();
    for _ in 0..4 {
        d2.audit("mon-1", "lab-a", Verdict::Compliant, None);
        d2.audit("mon-2", "lab-a", Verdict::Compliant, None);
        d2.close();
    }
    assert_eq!(
        d2.state.sanction("lab-a").unwrap().0,
        0,
        "four audited compliant periods step down"
    );
}

fn metric(d: &mut Driver, lab: &str, name: &str, value: f64) -> Vec<Effect> {
    d.ok(
        lab,
        EventBody::ReportMetric {
            metric: name.into(),
            value,
        },
    )
}

fn alerts(effects: &[Effect]) -> Vec<accord_core::early_warning::AlertKind> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Alert(a) => Some(a.kind),
            _ => None,
        })
        .collect()
}

#[test]
fn item_11_reporting_ahead_or_staying_silent_hides_nothing() {
    use accord_core::early_warning::AlertKind;
    let mut protocol = global_protocol();
    protocol.early_warning.metric[1].jump = None;
    let mut d = Driver::with_participants(protocol);
    metric(&mut d, "lab-a", "capability_eval_score", 0.2);
    d.close();
    metric(&mut d, "lab-a", "capability_eval_score", 0.3);
    // Period 0's audit arrives after period 1's report and still finds the discrepancy.
    let effects = d.ok(
        "mon-1",
        EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: 0,
            verdict: Verdict::Compliant,
            verified_investment: None,
            measurements: BTreeMap::from([("capability_eval_score".to_string(), 0.8)]),
            violated_commitments: Vec::new(),
            cites_reports: Vec::new(),
        },
    );
    assert!(
        alerts(&effects).contains(&AlertKind::AuditDiscrepancy),
        "{effects:?}"
    );
    // Silence longer than the jump window: the next report is compared with the last one.
    metric(&mut d, "lab-b", "training_compute_flop", 1e23);
    for _ in 0..6 {
        d.close();
    }
    let effects = metric(&mut d, "lab-b", "training_compute_flop", 5e24);
    assert!(
        alerts(&effects).contains(&AlertKind::CapabilityJump),
        "{effects:?}"
    );
}

#[test]
fn item_12_pool_reserves_last_and_wrongdoers_are_not_paid() {
    let mut d = funded();
    d.ok("lab-a", EventBody::PayPremium { amount: 2 });
    for _ in 0..10 {
        d.close();
    }
    assert_eq!(d.state.pool_balance(), 2, "reserves do not expire");
    let rejection = d.rejected(
        "sec",
        EventBody::Incident {
            incident: "self".into(),
            lab: "lab-a".into(),
            harm: 5,
            harmed: "lab-a".into(),
        },
    );
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "harmed",
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn item_13_expelled_labs_rank_last_and_only_binding_commitments_count() {
    let mut d = funded();
    for _ in 0..4 {
        escalate(&mut d, "lab-a");
    }
    for i in 0..5 {
        d.ok(
            "lab-c",
            EventBody::PublishCommitment {
                commitment: format!("trivial-{i}"),
                text: "we will be nice".into(),
                binding: false,
                beneficiary: None,
                compensation_credits: None,
                revises: None,
            },
        );
    }
    let board = d.state.leaderboard();
    assert_eq!(board.last().unwrap().lab, "lab-a", "{board:?}");
    assert_eq!(board.last().unwrap().score, 0.0);
    let c = board.iter().find(|r| r.lab == "lab-c").unwrap();
    assert_eq!(c.components.commitments_kept, 0.0, "{c:?}");
}

#[test]
fn item_15_rejections_name_roles_as_written_in_events() {
    let mut d = funded();
    let rejection = d.rejected("lab-a", EventBody::ClosePeriod {});
    assert_eq!(
        rejection.to_string(),
        "lab-a (lab) may not close periods; only a secretariat may"
    );
    let rejection = d.rejected("nobody", EventBody::ClosePeriod {});
    assert!(
        rejection.to_string().contains("nobody (not registered)"),
        "{rejection}"
    );
}

#[test]
fn item_16_accounts_stay_bounded_when_credits_never_expire() {
    let mut protocol = global_protocol();
    protocol.credits.expiry_periods = 0;
    protocol.early_warning.metric.clear();
    let mut d = Driver::with_participants(protocol);
    let period = |d: &mut Driver| {
        d.earn("lab-a", 5);
        d.ok("lab-a", EventBody::PayPremium { amount: 2 });
        d.ok(
            "lab-a",
            EventBody::Transfer {
                to: "lab-b".into(),
                amount: 1,
            },
        );
        d.close();
    };
    // Bytes of the state but the per-author replay window (a constant 256 events, filling up here).
    let serialized = |d: &Driver| {
        let mut state = serde_json::to_value(&d.state).unwrap();
        for participant in state["participants"].as_array_mut().unwrap() {
            participant.as_object_mut().unwrap().remove("recent");
        }
        state.to_string().len()
    };
    // Once the history windows are full, the state stops growing.
    for _ in 0..10 {
        period(&mut d);
    }
    let before = serialized(&d);
    for _ in 0..40 {
        period(&mut d);
    }
    let after = serialized(&d);
    assert!(
        after <= before + 100,
        "{before} → {after} bytes in 40 periods"
    );
    let rejection = d.rejected(
        "lab-a",
        EventBody::PublishCommitment {
            commitment: "long".into(),
            text: "é".repeat(6_000),
            binding: false,
            beneficiary: None,
            compensation_credits: None,
            revises: None,
        },
    );
    assert!(rejection.to_string().contains("bytes"), "{rejection}");
}
