//! One test (at least) per rule of the state machine.

mod common;

use accord_core::early_warning::{AlertKind, Evidence};
use accord_core::event::{
    ChannelKeyPurpose, EventBody, ReportToken, Role, SanctionAction, Verdict,
};
use accord_core::state::DenyReason;
use accord_core::{Effect, Outcome, Rejection, State};
use common::{Driver, KEY, global_protocol, key};
use std::collections::BTreeMap;

fn driver() -> Driver {
    Driver::with_participants(global_protocol())
}

/// A monitor's audit of `lab` for `audited_period` with nothing but a verdict.
fn audit(lab: &str, audited_period: u32, verdict: Verdict) -> EventBody {
    EventBody::Audit {
        lab: lab.into(),
        audited_period,
        verdict,
        verified_investment: None,
        measurements: BTreeMap::new(),
        violated_commitments: Vec::new(),
        cites_reports: Vec::new(),
    }
}

#[test]
fn first_event_must_register_the_secretariat() {
    let mut d = Driver::new(global_protocol());
    let rejection = d.rejected(
        "lab-a",
        EventBody::Register {
            participant: "lab-a".into(),
            role: Role::Lab,
            public_key: KEY.into(),
        },
    );
    assert!(matches!(rejection, Rejection::NotAllowed(_)), "{rejection}");
    d.ok(
        "sec",
        EventBody::Register {
            participant: "sec".into(),
            role: Role::Secretariat,
            public_key: KEY.into(),
        },
    );
    let rejection = d.rejected(
        "mallory",
        EventBody::Register {
            participant: "mallory".into(),
            role: Role::Secretariat,
            public_key: KEY.into(),
        },
    );
    assert!(
        matches!(rejection, Rejection::NotAuthorized { .. }),
        "{rejection}"
    );
    let rejection = d.rejected(
        "sec",
        EventBody::Register {
            participant: "bad id!".into(),
            role: Role::Lab,
            public_key: KEY.into(),
        },
    );
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
    let rejection = d.rejected(
        "sec",
        EventBody::Register {
            participant: "lab-x".into(),
            role: Role::Lab,
            public_key: "abc".into(),
        },
    );
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "public_key",
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn ids_are_not_dot_segments() {
    // Browsers resolve `/commitments/..` (even `%2E%2E`) to `/`.
    let mut d = driver();
    for id in [".", ".."] {
        let rejection = d.rejected(
            "sec",
            EventBody::Register {
                participant: id.into(),
                role: Role::Lab,
                public_key: key(id),
            },
        );
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
        let rejection = d.rejected(
            "lab-a",
            EventBody::PublishCommitment {
                commitment: id.into(),
                text: "A commitment named like a dot segment".into(),
                binding: false,
                beneficiary: None,
                compensation_credits: None,
                revises: None,
            },
        );
        assert!(
            matches!(
                rejection,
                Rejection::Invalid {
                    field: "commitment",
                    ..
                }
            ),
            "{rejection}"
        );
    }
    // Dots elsewhere stay allowed.
    for id in ["...", ".lab", "lab.v2"] {
        d.ok(
            "sec",
            EventBody::Register {
                participant: id.into(),
                role: Role::Lab,
                public_key: key(id),
            },
        );
    }
}

#[test]
fn idempotency_by_event_id() {
    let mut d = driver();
    d.earn("lab-a", 30);
    let event = d.event(
        "lab-a",
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 5,
        },
    );
    assert!(matches!(d.state.apply(&event), Ok(Outcome::Applied { .. })));
    let hash = d.state.state_hash();
    assert_eq!(d.state.apply(&event), Ok(Outcome::AlreadyApplied));
    assert_eq!(d.state.state_hash(), hash, "a retry changes nothing");
    let mut conflicting = event.clone();
    conflicting.body = EventBody::Transfer {
        to: "lab-b".into(),
        amount: 6,
    };
    assert!(matches!(
        d.state.apply(&conflicting),
        Err(Rejection::IdConflict { .. })
    ));
    let mut old = event.clone();
    old.seq = 0;
    assert!(matches!(
        d.state.apply(&old),
        Err(Rejection::OutOfOrder { .. })
    ));
    assert_eq!(d.state.balance("lab-b"), Some(5));
}

#[test]
fn events_belong_to_the_current_period() {
    let mut d = driver();
    let mut event = d.event("lab-a", EventBody::ReportInvestment { amount: 3 });
    event.period = 5;
    assert!(matches!(
        d.state.apply(&event),
        Err(Rejection::WrongPeriod {
            event_period: 5,
            current: 0,
            ..
        })
    ));
}

#[test]
fn credits_are_issued_only_on_a_quorum_of_audits() {
    let mut d = driver();
    d.ok("lab-a", EventBody::ReportInvestment { amount: 40 });
    let nothing = d.rejected(
        "sec",
        EventBody::IssueCredits {
            lab: "lab-a".into(),
            for_period: 0,
        },
    );
    assert!(nothing.to_string().contains("majority"), "{nothing}");
    d.audit("mon-1", "lab-a", Verdict::Compliant, Some(30));
    assert!(
        d.send(
            "sec",
            EventBody::IssueCredits {
                lab: "lab-a".into(),
                for_period: 0
            }
        )
        .is_err(),
        "one audit is not a quorum"
    );
    let effects = d.audit("mon-2", "lab-a", Verdict::Compliant, Some(35));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::VerdictReached {
            verdict: Verdict::Compliant,
            ..
        }
    )));
    let effects = d.ok(
        "sec",
        EventBody::IssueCredits {
            lab: "lab-a".into(),
            for_period: 0,
        },
    );
    // The quorum (2) vouches for min(35, 30) = 30 units; 1 credit each.
    assert_eq!(
        effects,
        vec![Effect::CreditsIssued {
            lab: "lab-a".into(),
            amount: 30,
            for_period: 0
        }]
    );
    assert!(
        d.send(
            "sec",
            EventBody::IssueCredits {
                lab: "lab-a".into(),
                for_period: 0
            }
        )
        .is_err(),
        "credited once"
    );
    let (issued, burned, held) = d.state.credit_totals();
    assert_eq!((issued, burned, held), (30, 0, 30));
}

#[test]
fn issuance_is_capped_and_transfers_need_funds() {
    let mut d = driver();
    d.earn("lab-a", 500);
    assert_eq!(
        d.state.balance("lab-a"),
        Some(100),
        "max_credits_per_period = 100"
    );
    let rejection = d.rejected(
        "lab-a",
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 101,
        },
    );
    assert!(matches!(
        rejection,
        Rejection::InsufficientCredits {
            balance: 100,
            required: 101,
            ..
        }
    ));
    d.ok(
        "lab-a",
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 60,
        },
    );
    assert_eq!(
        (d.state.balance("lab-a"), d.state.balance("lab-b")),
        (Some(40), Some(60))
    );
}

#[test]
fn credits_expire_after_their_lifetime() {
    let mut d = driver();
    d.earn("lab-a", 20);
    for _ in 0..7 {
        d.close();
    }
    assert_eq!(d.state.balance("lab-a"), Some(20));
    let effects = d.close();
    assert!(
        effects.contains(&Effect::CreditsExpired { amount: 20 }),
        "{effects:?}"
    );
    assert_eq!(d.state.balance("lab-a"), Some(0));
    assert_eq!(d.state.credit_totals(), (20, 20, 0));
}

#[test]
fn each_close_burns_the_credits_labs_must_surrender_and_a_shortfall_is_owed() {
    let mut protocol = global_protocol();
    protocol.credits.surrender_per_period = 10;
    let mut d = Driver::with_participants(protocol);
    d.earn("lab-a", 30);
    d.earn("lab-c", 4);
    // Bought credits count toward the obligation (rule 15a).
    d.ok(
        "lab-a",
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 10,
        },
    );
    let effects = d.close();
    for (lab, surrendered, owed) in [("lab-a", 10, 0), ("lab-b", 10, 0), ("lab-c", 4, 6)] {
        assert!(
            effects.contains(&Effect::CreditsSurrendered {
                lab: lab.into(),
                period: 0,
                surrendered,
                owed,
            }),
            "{lab}: {effects:?}"
        );
    }
    assert_eq!(d.state.credit_totals(), (34, 24, 10));
    assert_eq!(d.state.owed("lab-c"), Some(6));
    assert!(
        d.state
            .access("lab-c")
            .reasons
            .contains(&DenyReason::OutstandingObligations { owed: 6 })
    );
    // Credits bought later settle the shortfall first, and are burned.
    let effects = d.ok(
        "lab-a",
        EventBody::Transfer {
            to: "lab-c".into(),
            amount: 6,
        },
    );
    assert!(
        effects.contains(&Effect::ObligationSettled {
            debtor: "lab-c".into(),
            creditor: "burned".into(),
            amount: 6,
            remaining: 0,
        }),
        "{effects:?}"
    );
    assert_eq!(d.state.credit_totals(), (34, 30, 4));
    // A lab out of the protocol surrenders nothing more: it owes what it owed.
    d.ok(
        "lab-b",
        EventBody::Leave {
            reason: "relocating".into(),
        },
    );
    let effects = d.close();
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::CreditsSurrendered { lab, .. } if lab == "lab-b")),
        "{effects:?}"
    );
    assert_eq!(d.state.owed("lab-b"), Some(0));
    assert_eq!(d.state.owed("lab-a"), Some(6));
}

#[test]
fn pact_binds_only_at_threshold_and_cannot_be_escaped() {
    let mut d = driver();
    let pact = || "frontier-safety-pact".to_string();
    d.ok("lab-a", EventBody::Pledge { pact: pact() });
    let effects = d.ok("lab-a", EventBody::WithdrawPledge { pact: pact() });
    assert!(
        effects.contains(&Effect::PledgeWithdrawn {
            pact: pact(),
            lab: "lab-a".into(),
            breach: false
        }),
        "free before binding"
    );
    d.ok("lab-a", EventBody::Pledge { pact: pact() });
    d.ok("lab-b", EventBody::Pledge { pact: pact() });
    let effects = d.ok("lab-c", EventBody::Pledge { pact: pact() });
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::PactBinding { .. })),
        "{effects:?}"
    );
    let effects = d.ok("lab-b", EventBody::WithdrawPledge { pact: pact() });
    assert!(effects.contains(&Effect::PledgeWithdrawn {
        pact: pact(),
        lab: "lab-b".into(),
        breach: true
    }));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::BreachConfirmed { .. }))
    );
    let pact = d.state.pacts().into_iter().next().unwrap();
    assert!(
        pact.binding && pact.pledgers.contains(&"lab-b".to_string()),
        "the pledge stands"
    );
    let access = d.state.access("lab-b");
    assert!(
        access
            .reasons
            .iter()
            .any(|r| matches!(r, DenyReason::PactBreach { .. })),
        "{access:?}"
    );
}

#[test]
fn one_abandoned_pledge_is_one_breach() {
    // Found by an outside review: every repeated withdrawal (a client retrying
    // with a new sequence number) was a new breach, up to expulsion, and
    // leaving after a withdrawal breached the same pledge again.
    let pact = || "frontier-safety-pact".to_string();
    let bound = || {
        let mut d = driver();
        for lab in ["lab-a", "lab-b", "lab-c"] {
            d.ok(lab, EventBody::Pledge { pact: pact() });
        }
        d
    };
    let breaches = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::BreachConfirmed { .. }))
            .count()
    };

    let mut d = bound();
    let effects = d.ok("lab-b", EventBody::WithdrawPledge { pact: pact() });
    assert_eq!(breaches(&effects), 1);
    let rejection = d.rejected("lab-b", EventBody::WithdrawPledge { pact: pact() });
    assert!(
        matches!(&rejection, Rejection::NotAllowed(message) if message.contains("already tried to withdraw")),
        "{rejection:?}"
    );
    assert_eq!(
        d.state.sanction("lab-b").unwrap().0,
        1,
        "one rung for one breach"
    );
    let effects = d.ok(
        "lab-b",
        EventBody::Leave {
            reason: String::new(),
        },
    );
    assert_eq!(breaches(&effects), 0, "{effects:?}");
    assert_eq!(d.state.sanction("lab-b").unwrap().0, 1);

    // Leaving without withdrawing first is the same single breach.
    let mut d = bound();
    let effects = d.ok(
        "lab-b",
        EventBody::Leave {
            reason: String::new(),
        },
    );
    assert_eq!(breaches(&effects), 1);
    assert_eq!(d.state.sanction("lab-b").unwrap().0, 1);
}

#[test]
fn failed_pact_pays_the_refund_bonus() {
    // The bonus is issued when the pact fails: nobody has to fund the secretariat first.
    let mut d = driver();
    d.ok(
        "lab-a",
        EventBody::Pledge {
            pact: "frontier-safety-pact".into(),
        },
    );
    let resolve = || EventBody::ResolvePact {
        pact: "frontier-safety-pact".into(),
    };
    for _ in 0..4 {
        d.close();
    }
    // Period 4 is the deadline: pledges are still accepted, so it cannot be resolved yet.
    let rejection = d.rejected("sec", resolve());
    assert!(
        rejection.to_string().contains("from period 5"),
        "{rejection}"
    );
    d.close();
    let effects = d.ok("sec", resolve());
    assert_eq!(
        effects,
        vec![Effect::PactResolved {
            pact: "frontier-safety-pact".into(),
            succeeded: false,
            refunds_paid: 5,
        }]
    );
    assert_eq!(d.state.balance("lab-a"), Some(5));
    assert_eq!(d.state.balance("sec"), Some(0));
}

#[test]
fn a_renewing_pact_opens_a_fresh_round_when_resolved() {
    let mut protocol = global_protocol();
    protocol.pacts.pact[0].renews = true;
    let mut d = Driver::with_participants(protocol);
    let pact = || "frontier-safety-pact".to_string();
    for lab in ["lab-a", "lab-b", "lab-c"] {
        d.ok(lab, EventBody::Pledge { pact: pact() });
    }
    for _ in 0..6 {
        d.close();
    }
    let effects = d.ok("sec", EventBody::ResolvePact { pact: pact() });
    assert!(
        matches!(
            &effects[..],
            [Effect::PactResolved {
                succeeded: true,
                ..
            }]
        ),
        "{effects:?}"
    );
    let round = d.state.pacts().into_iter().next().unwrap();
    assert_eq!(
        (round.round_opened, round.deadline, round.rounds_resolved),
        (6, 10, 1)
    );
    assert!(round.pledgers.is_empty() && !round.binding && round.resolved.is_none());
    // Last round's pledges do not carry over: the new round binds on fresh pledges only.
    d.ok("lab-a", EventBody::Pledge { pact: pact() });
    assert!(!d.state.pacts()[0].binding);
    assert!(
        d.send("sec", EventBody::ResolvePact { pact: pact() })
            .is_err(),
        "not before the new round's deadline"
    );
    for _ in 0..5 {
        d.close();
    }
    let rejection = d.rejected("lab-b", EventBody::Pledge { pact: pact() });
    assert!(rejection.to_string().contains("period 10"), "{rejection}");
    let effects = d.ok("sec", EventBody::ResolvePact { pact: pact() });
    assert!(
        matches!(
            &effects[..],
            [Effect::PactResolved {
                succeeded: false,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn mutual_claims_settle_without_leaving_a_debtor_holding_credits() {
    let mut d = driver();
    d.earn("lab-a", 60);
    d.earn("lab-b", 40);
    let incident = |d: &mut Driver, id: &str, lab: &str, harmed: &str, harm: u64| {
        d.ok(
            "sec",
            EventBody::Incident {
                incident: id.into(),
                lab: lab.into(),
                harm,
                harmed: harmed.into(),
            },
        );
        d.ok(
            harmed,
            EventBody::Claim {
                incident: id.into(),
            },
        );
    };
    // lab-a pays its 60 and owes lab-b 40.
    incident(&mut d, "i1", "lab-a", "lab-b", 100);
    assert_eq!(d.state.balance("lab-a"), Some(0));
    // lab-b pays lab-a its 100; lab-a settles its 40 back at once, and lab-b's
    // remaining debt of 100 takes those 40 too.
    incident(&mut d, "i2", "lab-b", "lab-a", 200);
    assert_eq!(d.state.balance("lab-b"), Some(0));
    assert_eq!(d.state.balance("lab-a"), Some(100));
}

#[test]
fn a_later_fine_does_not_overtake_an_older_claim() {
    let mut d = driver();
    let fine = |d: &mut Driver, amount: u64| {
        d.ok(
            "sec",
            EventBody::Fine {
                lab: "lab-a".into(),
                amount,
                reason: "late filing".into(),
            },
        );
    };
    // lab-a holds nothing: a fine of 10, then lab-b's claim of 5, then a fine of 7.
    fine(&mut d, 10);
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "i1".into(),
            lab: "lab-a".into(),
            harm: 5,
            harmed: "lab-b".into(),
        },
    );
    d.ok(
        "lab-b",
        EventBody::Claim {
            incident: "i1".into(),
        },
    );
    fine(&mut d, 7);
    assert_eq!(d.state.owed("lab-a"), Some(22));
    d.earn("lab-c", 17);
    d.ok(
        "lab-c",
        EventBody::Transfer {
            to: "lab-a".into(),
            amount: 17,
        },
    );
    // Oldest first: 10 burned, lab-b's 5 paid, 2 of the later fine burned.
    assert_eq!(d.state.balance("lab-b"), Some(5));
    assert_eq!(d.state.owed("lab-a"), Some(5));
    assert_eq!(d.state.balance("lab-a"), Some(0));
}

#[test]
fn conflicts_of_interest_and_panels() {
    let mut protocol = global_protocol();
    protocol
        .monitoring
        .conflicts
        .push(accord_core::spec::Conflict {
            monitor: "mon-3".into(),
            lab: "lab-a".into(),
        });
    let mut d = Driver::with_participants(protocol);
    let rejection = d.rejected(
        "mon-3",
        EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: 0,
            verdict: Verdict::Compliant,
            verified_investment: None,
            measurements: BTreeMap::new(),
            violated_commitments: vec![],
            cites_reports: Vec::new(),
        },
    );
    assert!(
        rejection.to_string().contains("conflict of interest"),
        "{rejection}"
    );
    let rejection = d.rejected(
        "lab-b",
        EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: 0,
            verdict: Verdict::Compliant,
            verified_investment: None,
            measurements: BTreeMap::new(),
            violated_commitments: vec![],
            cites_reports: Vec::new(),
        },
    );
    assert!(matches!(
        rejection,
        Rejection::NotAuthorized {
            required: Role::Monitor,
            ..
        }
    ));
    d.audit("mon-1", "lab-a", Verdict::Compliant, None);
    let rejection = d.rejected(
        "mon-1",
        EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: 0,
            verdict: Verdict::Violation,
            verified_investment: None,
            measurements: BTreeMap::new(),
            violated_commitments: vec![],
            cites_reports: Vec::new(),
        },
    );
    assert!(
        rejection.to_string().contains("already audited"),
        "{rejection}"
    );
}

#[test]
fn a_lab_is_not_audited_for_periods_before_it_registered() {
    let mut d = driver();
    d.close();
    d.close();
    d.ok(
        "sec",
        EventBody::Register {
            participant: "lab-new".into(),
            role: Role::Lab,
            public_key: key("lab-new"),
        },
    );
    // Period 1 is within the audit window, but lab-new was not a member then.
    let audit = |audited_period| EventBody::Audit {
        lab: "lab-new".into(),
        audited_period,
        verdict: Verdict::Violation,
        verified_investment: None,
        measurements: BTreeMap::new(),
        violated_commitments: vec![],
        cites_reports: Vec::new(),
    };
    let rejection = d.rejected("mon-1", audit(1));
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "audited_period",
                ..
            }
        ),
        "{rejection}"
    );
    assert!(rejection.to_string().contains("period 2"), "{rejection}");
    d.ok("mon-1", audit(2));
}

#[test]
fn rotating_panels_change_who_may_audit() {
    let mut protocol = global_protocol();
    protocol.monitoring.panel_size = 2;
    protocol.monitoring.quorum = 2;
    protocol.monitoring.rotation_periods = 1;
    let mut d = Driver::with_participants(protocol);
    let allowed_now: Vec<bool> = ["mon-1", "mon-2", "mon-3"]
        .iter()
        .map(|m| {
            d.send(
                m,
                EventBody::Audit {
                    lab: "lab-b".into(),
                    audited_period: 0,
                    verdict: Verdict::Inconclusive,
                    verified_investment: None,
                    measurements: BTreeMap::new(),
                    violated_commitments: vec![],
                    cites_reports: Vec::new(),
                },
            )
            .is_ok()
        })
        .collect();
    assert_eq!(
        allowed_now.iter().filter(|a| **a).count(),
        2,
        "a panel of two"
    );
    d.close();
    let allowed_next: Vec<bool> = ["mon-1", "mon-2", "mon-3"]
        .iter()
        .map(|m| {
            d.send(
                m,
                EventBody::Audit {
                    lab: "lab-b".into(),
                    audited_period: 1,
                    verdict: Verdict::Inconclusive,
                    verified_investment: None,
                    measurements: BTreeMap::new(),
                    violated_commitments: vec![],
                    cites_reports: Vec::new(),
                },
            )
            .is_ok()
        })
        .collect();
    assert_ne!(allowed_now, allowed_next, "the panel rotated");
}

#[test]
fn monitor_disagreement_is_a_recorded_signal() {
    let mut d = driver();
    d.audit("mon-1", "lab-a", Verdict::Compliant, None);
    let effects = d.audit("mon-2", "lab-a", Verdict::Violation, None);
    let alert = effects
        .iter()
        .find_map(|e| match e {
            Effect::Alert(a) => Some(a),
            _ => None,
        })
        .expect("alert");
    assert_eq!(alert.kind, AlertKind::MonitorDisagreement);
    assert!(matches!(
        alert.evidence,
        Evidence::Disagreement {
            compliant: 1,
            violation: 1,
            ..
        }
    ));
}

#[test]
fn violations_climb_the_ladder_and_compliance_steps_down() {
    let mut d = driver();
    d.earn("lab-a", 60);
    d.close();
    d.audit("mon-1", "lab-a", Verdict::Violation, None);
    let effects = d.audit("mon-2", "lab-a", Verdict::Violation, None);
    let step = effects
        .iter()
        .find_map(|e| match e {
            Effect::Sanction(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!((step.from, step.to, step.rung.as_str()), (0, 1, "warning"));
    assert!(
        step.cause.contains("violation"),
        "every step records its cause"
    );
    d.close();
    d.audit("mon-1", "lab-a", Verdict::Violation, None);
    let effects = d.audit("mon-3", "lab-a", Verdict::Violation, None);
    assert!(
        effects.contains(&Effect::CreditsBurned {
            account: "lab-a".into(),
            amount: 20,
            shortfall: 0,
            reason: "sanction: credit fine".into()
        }),
        "{effects:?}"
    );
    assert_eq!(d.state.balance("lab-a"), Some(40));
    d.close();
    for _ in 0..4 {
        // Demonstrated compliance: every expected report filed, and a compliant verdict.
        for (name, value) in [
            ("training_compute_flop", 1e24),
            ("capability_eval_score", 0.5),
        ] {
            // A metric past its sunset refuses reports and expects none.
            let _ = d.send(
                "lab-a",
                EventBody::ReportMetric {
                    metric: name.into(),
                    value,
                },
            );
        }
        d.audit("mon-1", "lab-a", Verdict::Compliant, None);
        d.audit("mon-2", "lab-a", Verdict::Compliant, None);
        d.close();
    }
    assert_eq!(
        d.state.sanction("lab-a").unwrap().0,
        1,
        "after the violating period, four compliant periods step one rung down"
    );
    let decision = d.ok(
        "sec",
        EventBody::SanctionDecision {
            lab: "lab-a".into(),
            action: SanctionAction::Escalate,
            cause: "refused inspection".into(),
        },
    );
    assert!(
        decision
            .iter()
            .any(|e| matches!(e, Effect::Sanction(s) if s.cause == "refused inspection"))
    );
    let missing_cause = d.rejected(
        "sec",
        EventBody::SanctionDecision {
            lab: "lab-a".into(),
            action: SanctionAction::StepDown,
            cause: " ".into(),
        },
    );
    assert!(matches!(
        missing_cause,
        Rejection::Invalid { field: "cause", .. }
    ));
}

#[test]
fn a_breach_at_a_fining_top_rung_is_fined_again() {
    // A ladder of one fine rung: the first breach reaches it, every later
    // breach finds the lab already there and pays the fine again.
    let mut protocol = global_protocol();
    protocol.sanctions.ladder.truncate(2);
    assert_eq!(protocol.sanctions.ladder[1].fine_credits, 20);
    let mut d = Driver::with_participants(protocol);
    d.earn("lab-a", 100);
    let mut burned = Vec::new();
    for _ in 0..4 {
        d.close();
        d.audit("mon-1", "lab-a", Verdict::Violation, None);
        let effects = d.audit("mon-2", "lab-a", Verdict::Violation, None);
        burned.push(
            effects
                .iter()
                .filter_map(|e| match e {
                    Effect::CreditsBurned { amount, .. } => Some(*amount),
                    _ => None,
                })
                .sum::<u64>(),
        );
    }
    // Warning, then the fine rung, then the fine again at the top.
    assert_eq!(burned, vec![0, 20, 20, 20]);
    assert_eq!(d.state.sanction("lab-a").unwrap().0, 2);
    // The shipped ladder's top rung expels and fines nothing more.
    let mut d = driver();
    d.earn("lab-a", 100);
    for _ in 0..5 {
        d.close();
        d.audit("mon-1", "lab-a", Verdict::Violation, None);
        d.audit("mon-2", "lab-a", Verdict::Violation, None);
    }
    assert_eq!(
        d.state.balance("lab-a"),
        Some(60),
        "two fines of 20 on the way up"
    );
}

#[test]
fn compliance_audited_in_the_next_period_counts_toward_stepping_down() {
    // Audits of a period usually arrive after it closes (the audit window
    // allows it); their verdicts must count once they are reached.
    let mut d = driver();
    d.ok(
        "sec",
        EventBody::SanctionDecision {
            lab: "lab-a".into(),
            action: SanctionAction::Escalate,
            cause: "late report".into(),
        },
    );
    assert_eq!(d.state.sanction("lab-a").unwrap().0, 1);
    // Period 0 holds the breach, so its compliance does not count: periods 1 to 4 do.
    for quarter in 0..6 {
        for (name, value) in [
            ("training_compute_flop", 1e24),
            ("capability_eval_score", 0.5),
        ] {
            // A metric past its sunset refuses reports and expects none.
            let _ = d.send(
                "lab-a",
                EventBody::ReportMetric {
                    metric: name.into(),
                    value,
                },
            );
        }
        if quarter > 0 {
            let audited_period = d.state.period() - 1;
            for monitor in ["mon-1", "mon-2"] {
                d.ok(monitor, audit("lab-a", audited_period, Verdict::Compliant));
            }
        }
        d.close();
    }
    assert_eq!(
        d.state.sanction("lab-a").unwrap().0,
        0,
        "four periods after the breach audited compliant (each in the period after) step one rung down"
    );
}

#[test]
fn compliance_from_before_a_breach_does_not_count_when_audited_late() {
    let mut protocol = global_protocol();
    protocol.monitoring.audit_window_periods = 2;
    protocol.sanctions.periods_to_step_down = 2;
    // No metrics: no expected reports, so only verdicts and breaches matter.
    protocol.early_warning.metric.clear();
    let mut d = Driver::with_participants(protocol);
    let compliant = |d: &mut Driver, audited_period: u32| {
        for monitor in ["mon-1", "mon-2"] {
            d.ok(monitor, audit("lab-a", audited_period, Verdict::Compliant));
        }
    };
    d.close();
    d.ok(
        "sec",
        EventBody::SanctionDecision {
            lab: "lab-a".into(),
            action: SanctionAction::Escalate,
            cause: "breach in period 1".into(),
        },
    );
    d.close();
    // Period 0 (before the breach) and period 2 (after it) audited compliant in period 2.
    compliant(&mut d, 0);
    compliant(&mut d, 2);
    d.close();
    assert_eq!(
        d.state.sanction("lab-a").unwrap().0,
        1,
        "period 0's compliance predates the breach: one compliant period so far"
    );
    compliant(&mut d, 3);
    d.close();
    assert_eq!(
        d.state.sanction("lab-a").unwrap().0,
        0,
        "two compliant periods after the breach step one rung down"
    );
}

#[test]
fn expulsion_and_access_reasons() {
    let mut d = driver();
    for _ in 0..4 {
        d.ok(
            "sec",
            EventBody::SanctionDecision {
                lab: "lab-c".into(),
                action: SanctionAction::Escalate,
                cause: "test".into(),
            },
        );
    }
    let (level, rung, expelled) = d.state.sanction("lab-c").unwrap();
    assert_eq!((level, rung.as_str(), expelled), (4, "expulsion", true));
    let access = d.state.access("lab-c");
    assert!(!access.allowed);
    assert!(access.reasons.contains(&DenyReason::Expelled));
    assert!(access.reasons.contains(&DenyReason::Suspended {
        rung: "expulsion".into()
    }));
    assert!(access.reasons.contains(&DenyReason::CreditsBelowThreshold {
        held: 0,
        required: 10
    }));
    d.earn("lab-a", 10);
    assert!(
        d.state.access("lab-a").allowed,
        "{:?}",
        d.state.access("lab-a")
    );
    assert_eq!(d.state.access("mon-1").reasons, vec![DenyReason::NotALab]);
    let off = State::new(
        accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap(),
    );
    assert_eq!(off.access("nobody").reasons, vec![DenyReason::NotALab]);
}

#[test]
fn early_warning_detectors() {
    let mut d = driver();
    let compute = |v: f64| EventBody::ReportMetric {
        metric: "training_compute_flop".into(),
        value: v,
    };
    d.ok("lab-a", compute(1e23));
    d.ok(
        "lab-a",
        EventBody::ReportMetric {
            metric: "capability_eval_score".into(),
            value: 0.4,
        },
    );
    let effects = d.close();
    let missing: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Alert(a) if a.kind == AlertKind::MissingReports => Some(a.lab.clone().unwrap()),
            _ => None,
        })
        .collect();
    assert_eq!(
        missing.iter().filter(|l| *l == "lab-b").count(),
        2,
        "lab-b reported nothing: {missing:?}"
    );
    assert!(!missing.contains(&"lab-a".to_string()));
    let effects = d.ok("lab-a", compute(5e24));
    let jump = effects
        .iter()
        .find_map(|e| match e {
            Effect::Alert(a) => Some(a),
            _ => None,
        })
        .expect("a 50× jump");
    assert!(
        matches!(jump.evidence, Evidence::Jump { growth_factor, .. } if (growth_factor - 50.0).abs() < 1e-9)
    );
    let mut measurements = BTreeMap::new();
    measurements.insert("training_compute_flop".to_string(), 9e24);
    let effects = d.ok(
        "mon-1",
        EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: 1,
            verdict: Verdict::Compliant,
            verified_investment: None,
            measurements,
            violated_commitments: vec![],
            cites_reports: Vec::new(),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Alert(a) if a.kind == AlertKind::AuditDiscrepancy)),
        "{effects:?}"
    );
}

#[test]
fn bunching_is_detected_at_period_close() {
    let mut protocol = global_protocol();
    protocol.early_warning.metric[0].expected_every_periods = 0;
    protocol.early_warning.metric[0].jump = None;
    let mut d = Driver::new(protocol);
    d.ok(
        "sec",
        EventBody::Register {
            participant: "sec".into(),
            role: Role::Secretariat,
            public_key: KEY.into(),
        },
    );
    let labs: Vec<String> = (0..60).map(|i| format!("lab-{i}")).collect();
    for lab in &labs {
        d.ok(
            "sec",
            EventBody::Register {
                participant: lab.clone(),
                role: Role::Lab,
                public_key: key(lab),
            },
        );
    }
    // 60 labs × 8 periods of reports spread over 10^23 … 10^27, with a third of those
    // that would land in [10^25, 10^25.6) reported just below 10^25 instead.
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut alerts = Vec::new();
    for _ in 0..8 {
        for lab in &labs {
            let z: f64 = 24.5 + ((0..12).map(|_| next()).sum::<f64>() - 6.0);
            let z = if (25.0..25.6).contains(&z) && next() < 0.5 {
                25.0 - 0.3 * next()
            } else {
                z
            };
            d.ok(
                lab,
                EventBody::ReportMetric {
                    metric: "training_compute_flop".into(),
                    value: 10f64.powf(z),
                },
            );
        }
        alerts.extend(d.close().into_iter().filter_map(|e| match e {
            Effect::Alert(a) if a.kind == AlertKind::ThresholdBunching => Some(a),
            _ => None,
        }));
    }
    assert_eq!(alerts.len(), 1, "raised once");
    let Evidence::Bunching(estimate) = &alerts[0].evidence else {
        panic!()
    };
    assert!(estimate.significant() && estimate.interval.0 > 0.0);
}

#[test]
fn binding_commitments_compensate_and_are_never_deleted() {
    let mut d = driver();
    d.earn("lab-a", 50);
    d.ok(
        "lab-a",
        EventBody::PublishCommitment {
            commitment: "no-bio".into(),
            text: "No biological uplift evaluations skipped".into(),
            binding: true,
            beneficiary: Some("lab-b".into()),
            compensation_credits: Some(15),
            revises: None,
        },
    );
    let duplicate = d.rejected(
        "lab-a",
        EventBody::PublishCommitment {
            commitment: "no-bio".into(),
            text: "changed".into(),
            binding: false,
            beneficiary: None,
            compensation_credits: None,
            revises: None,
        },
    );
    assert!(
        duplicate.to_string().contains("never replaced"),
        "{duplicate}"
    );
    let effects = d.ok(
        "lab-a",
        EventBody::WithdrawCommitment {
            commitment: "no-bio".into(),
            reason: "competition".into(),
        },
    );
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::CommitmentViolated {
                compensation_paid: 15,
                ..
            }
        )),
        "{effects:?}"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::BreachConfirmed { .. }))
    );
    assert_eq!(d.state.balance("lab-b"), Some(15));
    let again = d.rejected(
        "lab-a",
        EventBody::WithdrawCommitment {
            commitment: "no-bio".into(),
            reason: String::new(),
        },
    );
    assert!(again.to_string().contains("no longer active"));
    let entry = d
        .state
        .leaderboard()
        .into_iter()
        .find(|e| e.lab == "lab-a")
        .unwrap();
    assert_eq!(entry.components.commitments_kept, 0.0);
}

#[test]
fn a_lab_that_leaves_breaches_what_binds_it_and_may_only_claim() {
    let mut d = driver();
    let pact = || "frontier-safety-pact".to_string();
    d.earn("lab-a", 50);
    let publish = |id: &str, binding: bool| EventBody::PublishCommitment {
        commitment: id.into(),
        text: "Safety evaluations before every release".into(),
        binding,
        beneficiary: None,
        compensation_credits: binding.then_some(20),
        revises: None,
    };
    d.ok("lab-a", publish("evals", true));
    d.ok("lab-a", publish("blog", false));
    for lab in ["lab-a", "lab-b", "lab-c"] {
        d.ok(lab, EventBody::Pledge { pact: pact() });
    }
    assert!(d.state.pacts()[0].binding);
    let period = d.state.period();
    let effects = d.ok(
        "lab-a",
        EventBody::Leave {
            reason: "competition".into(),
        },
    );
    assert_eq!(
        effects[0],
        Effect::Left {
            lab: "lab-a".into(),
            reason: "competition".into()
        }
    );
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::CommitmentViolated {
                compensation_paid: 20,
                ..
            }
        )),
        "the binding commitment's compensation is charged: {effects:?}"
    );
    assert!(effects.contains(&Effect::PledgeWithdrawn {
        pact: pact(),
        lab: "lab-a".into(),
        breach: true
    }));
    let breaches = effects
        .iter()
        .filter(|e| matches!(e, Effect::BreachConfirmed { .. }))
        .count();
    assert_eq!(breaches, 2, "one breach per binding promise: {effects:?}");
    assert_eq!(d.state.pool_balance(), 20);
    let commitments = d.state.commitments("lab-a").unwrap();
    assert!(
        commitments.iter().all(|c| matches!(
            c.status,
            accord_core::state::CommitmentStatus::Withdrawn { .. }
        )),
        "{commitments:?}"
    );
    assert!(
        d.state.pacts()[0].pledgers.contains(&"lab-a".to_string()),
        "a binding pledge stands"
    );
    assert_eq!(d.state.left("lab-a"), Some(period));
    assert!(
        d.state
            .access("lab-a")
            .reasons
            .contains(&DenyReason::Left { period })
    );
    let entry = d
        .state
        .leaderboard()
        .into_iter()
        .find(|e| e.lab == "lab-a")
        .unwrap();
    assert_eq!(
        entry.score, 0.0,
        "listed below every lab still in the protocol"
    );
    // Gone for good: it may only claim.
    for body in [
        EventBody::ReportInvestment { amount: 10 },
        EventBody::Transfer {
            to: "lab-b".into(),
            amount: 1,
        },
        EventBody::Leave {
            reason: String::new(),
        },
    ] {
        let rejection = d.rejected("lab-a", body);
        assert!(matches!(rejection, Rejection::Left { .. }), "{rejection}");
    }
    let rejection = d.rejected(
        "sec",
        EventBody::IssueCredits {
            lab: "lab-a".into(),
            for_period: period,
        },
    );
    assert!(
        rejection.to_string().contains("earns no credits"),
        "{rejection}"
    );
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "spill".into(),
            lab: "lab-b".into(),
            harm: 5,
            harmed: "lab-a".into(),
        },
    );
    d.ok(
        "lab-a",
        EventBody::Claim {
            incident: "spill".into(),
        },
    );
    // Only labs leave.
    let rejection = d.rejected(
        "mon-1",
        EventBody::Leave {
            reason: String::new(),
        },
    );
    assert!(
        matches!(rejection, Rejection::NotAuthorized { .. }),
        "{rejection}"
    );
}

#[test]
fn a_lab_that_left_answers_for_its_past_only_and_ranks_below_every_member() {
    let mut d = driver();
    d.earn("lab-a", 40);
    d.earn("lab-b", 10);
    d.ok(
        "lab-a",
        EventBody::Leave {
            reason: String::new(),
        },
    );
    let left = d.state.period();
    // The period it left in can still be audited; later ones cannot.
    let accepted = ["mon-1", "mon-2", "mon-3"]
        .into_iter()
        .filter(|monitor| {
            d.send(monitor, audit("lab-a", left, Verdict::Compliant))
                .is_ok()
        })
        .count();
    assert!(accepted > 0, "its panel audits the period it left in");
    d.close();
    let rejection = d.rejected("mon-1", audit("lab-a", left + 1, Verdict::Violation));
    assert!(
        rejection.to_string().contains("until it left the protocol"),
        "{rejection}"
    );
    // Credits are compared among members: lab-a's frozen 40 set no scale.
    let board = d.state.leaderboard();
    let labs: Vec<&str> = board.iter().map(|e| e.lab.as_str()).collect();
    assert_eq!(labs.last(), Some(&"lab-a"), "{labs:?}");
    let b = board.iter().find(|e| e.lab == "lab-b").unwrap();
    assert_eq!(b.components.credits, 1.0);
    // A reason too long to record on the commitments it withdraws is refused.
    let rejection = d.rejected(
        "lab-b",
        EventBody::Leave {
            reason: "x".repeat(accord_core::state::MAX_TEXT_LEN),
        },
    );
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "reason",
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn a_lab_that_leaves_before_a_pact_binds_takes_its_pledge_back() {
    let mut d = driver();
    let pact = || "frontier-safety-pact".to_string();
    d.ok("lab-b", EventBody::Pledge { pact: pact() });
    let effects = d.ok(
        "lab-b",
        EventBody::Leave {
            reason: String::new(),
        },
    );
    assert!(effects.contains(&Effect::PledgeWithdrawn {
        pact: pact(),
        lab: "lab-b".into(),
        breach: false
    }));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::BreachConfirmed { .. })),
        "nothing bound it: {effects:?}"
    );
    assert!(d.state.pacts()[0].pledgers.is_empty());
    assert_eq!(d.state.sanction("lab-b").unwrap().0, 0);
}

#[test]
fn a_commitment_cannot_compensate_its_own_author() {
    let mut d = driver();
    d.earn("lab-a", 50);
    let rejection = d.rejected(
        "lab-a",
        EventBody::PublishCommitment {
            commitment: "no-bio".into(),
            text: "No biological uplift evaluations skipped".into(),
            binding: true,
            beneficiary: Some("lab-a".into()),
            compensation_credits: Some(45),
            revises: None,
        },
    );
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "beneficiary",
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn audits_can_confirm_commitment_violations() {
    let mut d = driver();
    d.earn("lab-b", 40);
    d.close();
    d.ok(
        "lab-b",
        EventBody::PublishCommitment {
            commitment: "evals".into(),
            text: "Run dangerous-capability evals before release".into(),
            binding: true,
            beneficiary: None,
            compensation_credits: Some(10),
            revises: None,
        },
    );
    for monitor in ["mon-1", "mon-2"] {
        d.ok(
            monitor,
            EventBody::Audit {
                lab: "lab-b".into(),
                audited_period: 1,
                verdict: Verdict::Violation,
                verified_investment: None,
                measurements: BTreeMap::new(),
                violated_commitments: vec!["lab-b/evals".into()],
                cites_reports: Vec::new(),
            },
        );
    }
    assert_eq!(
        d.state.pool_balance(),
        10,
        "compensation without beneficiary goes to the pool"
    );
}

#[test]
fn commitments_of_labs_with_a_slash_in_their_id_can_be_found_violated() {
    let mut d = driver();
    for participant in ["org", "org/lab"] {
        d.ok(
            "sec",
            EventBody::Register {
                participant: participant.into(),
                role: Role::Lab,
                public_key: key(participant),
            },
        );
    }
    d.ok(
        "org/lab",
        commitment("c1", "Run evals", true, Some(10), None),
    );
    // Another participant's commitment that "org/lab/c1" also spells cannot shield it.
    d.ok("org", commitment("lab/c1", "Decoy", false, None, None));
    for monitor in ["mon-1", "mon-2"] {
        d.ok(
            monitor,
            EventBody::Audit {
                lab: "org/lab".into(),
                audited_period: 0,
                verdict: Verdict::Violation,
                verified_investment: None,
                measurements: BTreeMap::new(),
                violated_commitments: vec!["org/lab/c1".into()],
                cites_reports: Vec::new(),
            },
        );
    }
    assert_eq!(
        d.state.owed("org/lab"),
        Some(10),
        "its compensation is owed to the pool"
    );
    // An audit of org names org's commitment the same way.
    let rejection = d.rejected(
        "mon-1",
        EventBody::Audit {
            lab: "org".into(),
            audited_period: 0,
            verdict: Verdict::Violation,
            verified_investment: None,
            measurements: BTreeMap::new(),
            violated_commitments: vec!["org/lab/c2".into()],
            cites_reports: Vec::new(),
        },
    );
    assert!(
        rejection.to_string().contains("not a commitment of org"),
        "{rejection}"
    );
}

#[test]
fn liability_pool_pays_covered_claims() {
    let mut d = driver();
    d.earn("lab-a", 50);
    let effects = d.ok("lab-a", EventBody::PayPremium { amount: 2 });
    assert_eq!(
        effects,
        vec![Effect::PremiumPaid {
            lab: "lab-a".into(),
            amount: 2,
            due: 2
        }]
    );
    d.earn("lab-b", 50);
    d.ok("lab-b", EventBody::PayPremium { amount: 2 });
    d.ok(
        "sec",
        EventBody::Incident {
            incident: "inc-1".into(),
            lab: "lab-a".into(),
            harm: 10,
            harmed: "lab-c".into(),
        },
    );
    assert!(
        d.send(
            "lab-b",
            EventBody::Claim {
                incident: "inc-1".into()
            }
        )
        .is_err(),
        "only the harmed party claims"
    );
    let effects = d.ok(
        "lab-c",
        EventBody::Claim {
            incident: "inc-1".into(),
        },
    );
    // 80% of 10 from the pool (which holds 4), the rest from the responsible lab.
    assert_eq!(
        effects,
        vec![Effect::ClaimPaid {
            incident: "inc-1".into(),
            from_pool: 4,
            from_lab: 6,
            shortfall: 0
        }]
    );
    assert_eq!(d.state.balance("lab-c"), Some(10));
}

#[test]
fn the_premium_due_is_fixed_when_the_period_opens() {
    // Whether the lab pays before or after a breach in the same period, the
    // same payment buys the same cover: in its first period and a later one.
    for close_first in [false, true] {
        for pay_first in [false, true] {
            let mut d = driver();
            d.earn("lab-a", 50);
            if close_first {
                d.close();
            }
            let pay = |d: &mut Driver| {
                let effects = d.ok("lab-a", EventBody::PayPremium { amount: 2 });
                assert_eq!(
                    effects,
                    vec![Effect::PremiumPaid {
                        lab: "lab-a".into(),
                        amount: 2,
                        due: 2
                    }]
                );
            };
            if pay_first {
                pay(&mut d);
            }
            d.ok(
                "sec",
                EventBody::SanctionDecision {
                    lab: "lab-a".into(),
                    action: SanctionAction::Escalate,
                    cause: "breach".into(),
                },
            );
            assert_eq!(d.state.premium_due_for("lab-a"), 2);
            if !pay_first {
                pay(&mut d);
            }
            d.ok(
                "sec",
                EventBody::Incident {
                    incident: "inc-1".into(),
                    lab: "lab-a".into(),
                    harm: 10,
                    harmed: "lab-b".into(),
                },
            );
            let effects = d.ok(
                "lab-b",
                EventBody::Claim {
                    incident: "inc-1".into(),
                },
            );
            assert!(
                matches!(effects[0], Effect::ClaimPaid { from_pool: 2, .. }),
                "close first: {close_first}, pay first: {pay_first}: {effects:?}"
            );
            d.close();
            assert_eq!(
                d.state.premium_due_for("lab-a"),
                4,
                "the breach loads the next period's premium"
            );
        }
    }
}

#[test]
fn a_breach_loads_the_premium_for_exactly_the_rating_window() {
    for window in [1, 3] {
        let mut protocol = global_protocol();
        protocol.liability.rating_window_periods = window;
        // No metrics: no expected reports, so the escalation is the only breach.
        protocol.early_warning.metric.clear();
        let mut d = Driver::with_participants(protocol);
        d.close();
        let base = d.state.premium_due_for("lab-a");
        d.ok(
            "sec",
            EventBody::SanctionDecision {
                lab: "lab-a".into(),
                action: SanctionAction::Escalate,
                cause: "breach".into(),
            },
        );
        assert_eq!(
            d.state.premium_due_for("lab-a"),
            base,
            "this period's due is fixed"
        );
        for later in 1..=window {
            d.close();
            assert!(
                d.state.premium_due_for("lab-a") > base,
                "window {window}: period {later} after the breach is loaded"
            );
        }
        d.close();
        assert_eq!(
            d.state.premium_due_for("lab-a"),
            base,
            "window {window}: the breach has left the window"
        );
    }
}

#[test]
fn without_credits_nothing_creates_a_debt() {
    // A file may switch credits off; then no event may charge a lab what it
    // could never pay.
    let mut protocol = global_protocol();
    protocol.credits.enabled = false;
    protocol.liability.enabled = false;
    protocol.compute.credit_threshold = 0;
    for rung in &mut protocol.sanctions.ladder {
        rung.fine_credits = 0;
    }
    protocol.commitments.default_compensation_credits = 0;
    let mut d = Driver::with_participants(protocol);
    let refused = d.rejected(
        "sec",
        EventBody::Incident {
            incident: "inc-1".into(),
            lab: "lab-a".into(),
            harm: 5,
            harmed: "lab-b".into(),
        },
    );
    assert!(refused.to_string().contains("credits"), "{refused}");
    let refused = d.rejected(
        "sec",
        EventBody::Fine {
            lab: "lab-a".into(),
            amount: 5,
            reason: "late".into(),
        },
    );
    assert!(refused.to_string().contains("credits"), "{refused}");
    let refused = d.rejected(
        "lab-a",
        EventBody::PublishCommitment {
            commitment: "c1".into(),
            text: "evaluate before release".into(),
            binding: true,
            beneficiary: None,
            compensation_credits: Some(20),
            revises: None,
        },
    );
    assert!(refused.to_string().contains("compensation"), "{refused}");
    assert!(d.state.access("lab-a").allowed);
}

#[test]
fn whistleblower_receipts_trigger_special_audits() {
    let mut d = driver();
    let effects = d.ok(
        "sec",
        EventBody::WhistleblowerReceipt {
            lab: "lab-b".into(),
            report_commitment: "ab".repeat(32),
            arrival_day: None,
            token: None,
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Alert(a) if a.kind == AlertKind::SpecialAuditRequired))
    );
    let rejection = d.rejected(
        "lab-a",
        EventBody::WhistleblowerReceipt {
            lab: "lab-b".into(),
            report_commitment: "ab".repeat(32),
            arrival_day: None,
            token: None,
        },
    );
    assert!(matches!(rejection, Rejection::NotAuthorized { .. }));
}

/// The encrypted channel's rules: who publishes which key, and that a
/// token admits exactly one report.
#[test]
fn channel_keys_and_tokens_are_spent_once() {
    let mut protocol = global_protocol();
    protocol.whistleblower.monitors = vec!["mon-1".into(), "mon-2".into()];
    let mut d = Driver::with_participants(protocol);
    d.ok(
        "sec",
        EventBody::Register {
            participant: "issuer".into(),
            role: Role::WhistleblowerIssuer,
            public_key: key("issuer"),
        },
    );
    let report_key = |author: &str| EventBody::PublishChannelKey {
        purpose: ChannelKeyPurpose::ReportEncryption,
        public_key: key(author),
    };
    d.ok("mon-1", report_key("mon-1"));
    let outsider = d.rejected("mon-3", report_key("mon-3"));
    assert!(
        matches!(outsider, Rejection::NotAllowed(ref m) if m.contains("whistleblower.monitors"))
    );
    let wrong_role = d.rejected("lab-a", report_key("lab-a"));
    assert!(matches!(wrong_role, Rejection::NotAuthorized { .. }));
    assert_eq!(
        d.state.report_keys(),
        vec![("mon-1", Some(key("mon-1").as_str())), ("mon-2", None)]
    );

    let token = |message: &str| ReportToken {
        issuer: "issuer".into(),
        message: message.repeat(32),
        randomizer: "cd".repeat(32),
        signature: "c2lnbmF0dXJl".into(),
    };
    let receipt = |token| EventBody::WhistleblowerReceipt {
        lab: "lab-b".into(),
        report_commitment: "ab".repeat(32),
        arrival_day: Some("2026-12-05".into()),
        token: Some(token),
    };
    let keyless = d.rejected("sec", receipt(token("01")));
    assert!(
        matches!(keyless, Rejection::Invalid { field: "token", .. }),
        "{keyless:?}"
    );
    let token_key = EventBody::PublishChannelKey {
        purpose: ChannelKeyPurpose::TokenSigning,
        public_key: "TUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUE=".into(),
    };
    d.ok("issuer", token_key.clone());
    d.ok("sec", receipt(token("01")));
    let double_spend = d.rejected("sec", receipt(token("01")));
    assert!(matches!(double_spend, Rejection::NotAllowed(ref m) if m.contains("already spent")));
    d.ok("sec", receipt(token("02")));
    let precise = d.rejected(
        "sec",
        EventBody::WhistleblowerReceipt {
            lab: "lab-b".into(),
            report_commitment: "ab".repeat(32),
            arrival_day: Some("2026-12-05T14:03".into()),
            token: Some(token("03")),
        },
    );
    assert!(matches!(
        precise,
        Rejection::Invalid {
            field: "arrival_day",
            ..
        }
    ));
    // A token key stays in force for a while, and never comes back: its
    // spent tokens would count again.
    let new_key = EventBody::PublishChannelKey {
        purpose: ChannelKeyPurpose::TokenSigning,
        public_key: "bmV3IGtleQ==".into(),
    };
    let early = d.rejected("issuer", new_key.clone());
    assert!(
        matches!(early, Rejection::NotAllowed(ref m) if m.contains("in force")),
        "{early:?}"
    );
    for _ in 0..accord_core::state::MIN_TOKEN_KEY_PERIODS {
        d.close();
    }
    let again = d.rejected("issuer", token_key.clone());
    assert!(matches!(again, Rejection::NotAllowed(ref m) if m.contains("never published twice")));
    // A new key retires the old key's tokens (they no longer verify) and
    // starts an empty spent set.
    d.ok("issuer", new_key);
    d.ok("sec", receipt(token("01")));
    for _ in 0..accord_core::state::MIN_TOKEN_KEY_PERIODS {
        d.close();
    }
    let back = d.rejected("issuer", token_key);
    assert!(matches!(back, Rejection::NotAllowed(ref m) if m.contains("never published twice")));
}

/// Spent tokens are kept per issuer, so a token key belongs to one issuer
/// for ever: a second issuer publishing it, current or retired, would make
/// every token spent under it count again.
#[test]
fn a_token_key_is_one_issuers_only() {
    let mut protocol = global_protocol();
    protocol.whistleblower.monitors = vec!["mon-1".into()];
    let mut d = Driver::with_participants(protocol);
    for issuer in ["issuer", "other"] {
        d.ok(
            "sec",
            EventBody::Register {
                participant: issuer.into(),
                role: Role::WhistleblowerIssuer,
                public_key: key(issuer),
            },
        );
    }
    let publish = |public_key: &str| EventBody::PublishChannelKey {
        purpose: ChannelKeyPurpose::TokenSigning,
        public_key: public_key.into(),
    };
    let token = |issuer: &str| ReportToken {
        issuer: issuer.into(),
        message: "01".repeat(32),
        randomizer: "cd".repeat(32),
        signature: "c2lnbmF0dXJl".into(),
    };
    let receipt = |token| EventBody::WhistleblowerReceipt {
        lab: "lab-b".into(),
        report_commitment: "ab".repeat(32),
        arrival_day: Some("2026-12-05".into()),
        token: Some(token),
    };
    d.ok("issuer", publish("Zmlyc3Qga2V5"));
    d.ok("sec", receipt(token("issuer")));
    let copied = d.rejected("other", publish("Zmlyc3Qga2V5"));
    assert!(
        matches!(copied, Rejection::Invalid { field: "public_key", ref message }
            if message.contains("already another issuer's (issuer)")),
        "{copied:?}"
    );
    // The token spent under `issuer` cannot be spent again under `other`.
    let again = d.rejected("sec", receipt(token("other")));
    assert!(
        matches!(again, Rejection::Invalid { field: "token", .. }),
        "{again:?}"
    );
    // Nor once `issuer` has retired the key.
    for _ in 0..accord_core::state::MIN_TOKEN_KEY_PERIODS {
        d.close();
    }
    d.ok("issuer", publish("c2Vjb25kIGtleQ=="));
    let retired = d.rejected("other", publish("Zmlyc3Qga2V5"));
    assert!(
        matches!(
            retired,
            Rejection::Invalid {
                field: "public_key",
                ..
            }
        ),
        "{retired:?}"
    );
    // A key of its own is fine.
    d.ok("other", publish("b3RoZXIga2V5"));
}

#[test]
fn metrics_sunset_and_revision() {
    let mut d = driver();
    for _ in 0..4 {
        d.close();
    }
    let retired = d.rejected(
        "lab-a",
        EventBody::ReportMetric {
            metric: "capability_eval_score".into(),
            value: 0.5,
        },
    );
    assert!(retired.to_string().contains("retired"), "{retired}");
    d.ok(
        "sec",
        EventBody::ReviseMetric {
            metric: "capability_eval_score".into(),
            threshold: Some(0.8),
        },
    );
    d.ok(
        "lab-a",
        EventBody::ReportMetric {
            metric: "capability_eval_score".into(),
            value: 0.5,
        },
    );
}

#[test]
fn disabled_mechanisms_reject_their_events() {
    let mut d = Driver::with_participants(
        accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap(),
    );
    assert_eq!(
        d.rejected("lab-a", EventBody::Pledge { pact: "x".into() }),
        Rejection::MechanismDisabled("pacts")
    );
    assert_eq!(
        d.rejected(
            "lab-a",
            EventBody::Transfer {
                to: "lab-b".into(),
                amount: 1
            }
        ),
        Rejection::MechanismDisabled("credits")
    );
    assert!(matches!(
        d.rejected(
            "mon-1",
            EventBody::Audit {
                lab: "lab-a".into(),
                audited_period: 0,
                verdict: Verdict::Compliant,
                verified_investment: None,
                measurements: BTreeMap::new(),
                violated_commitments: vec![],
                cites_reports: Vec::new()
            }
        ),
        Rejection::MechanismDisabled("monitoring")
    ));
}

#[test]
fn leaderboard_ranks_safer_labs_first() {
    let mut d = driver();
    d.earn("lab-a", 50);
    d.audit("mon-1", "lab-b", Verdict::Violation, None);
    d.audit("mon-2", "lab-b", Verdict::Violation, None);
    let board = d.state.leaderboard();
    assert_eq!(board[0].lab, "lab-a");
    assert_eq!(board.last().unwrap().lab, "lab-b");
    assert!(board.iter().all(|e| (0.0..=1.0).contains(&e.score)));
}

#[test]
fn replay_gives_the_same_state_hash() {
    let mut d = driver();
    d.earn("lab-a", 50);
    d.ok(
        "lab-a",
        EventBody::Pledge {
            pact: "frontier-safety-pact".into(),
        },
    );
    d.close();
    let mut replayed = State::new(global_protocol());
    for event in &d.log {
        replayed.apply(event).unwrap();
    }
    assert_eq!(replayed.state_hash(), d.state.state_hash());
    assert_eq!(replayed, d.state);
}

#[test]
fn information_sharing_decides_which_reports_are_public() {
    let mut d = driver();
    d.earn("lab-a", 30);
    d.ok(
        "lab-a",
        EventBody::ReportMetric {
            metric: "training_compute_flop".into(),
            value: 3e24,
        },
    );
    let reports = d.state.public_reports();
    let a = reports.iter().find(|r| r.lab == "lab-a").unwrap();
    // The global protocol shares investment, audits and incidents, not metric values.
    assert_eq!(a.investment, Some((0, 30)));
    assert!(a.metrics.is_empty());
    assert_eq!(a.verdicts, vec![(0, Verdict::Compliant)]);
    let mut protocol = global_protocol();
    protocol.information_sharing.enabled = false;
    let closed = Driver::with_participants(protocol);
    assert!(
        closed
            .state
            .public_reports()
            .iter()
            .all(|r| r.investment.is_none() && r.verdicts.is_empty())
    );
}

#[test]
fn one_issuance_cannot_exhaust_issuance_for_everyone() {
    let mut protocol = global_protocol();
    protocol.credits.max_credits_per_period = 0;
    protocol.credits.credits_per_investment_unit = 1;
    let mut d = Driver::with_participants(protocol);
    d.earn("lab-a", u64::MAX);
    assert_eq!(
        d.state.balance("lab-a"),
        Some(accord_core::spec::MAX_CREDITS_PER_ISSUANCE),
        "0 means the built-in cap, not no cap"
    );
    d.earn("lab-b", 5);
    assert_eq!(d.state.balance("lab-b"), Some(5));
}

#[test]
fn escalation_beyond_the_ladder_is_refused_by_validation() {
    let mut protocol = global_protocol();
    protocol.sanctions.escalation_per_breach = u32::MAX;
    let problems = accord_core::validate::check(&protocol);
    assert!(
        problems.iter().any(
            |(field, message)| field == "sanctions.escalation_per_breach"
                && message.contains("ladder's length")
        ),
        "{problems:?}"
    );
}

#[test]
fn the_role_table_is_the_rules() {
    // `EventBody::required_role` (which the registry checks first) names
    // exactly the role the state machine demands.
    let bodies = [
        EventBody::Register {
            participant: "x".into(),
            role: Role::Lab,
            public_key: key("x"),
        },
        EventBody::ResolvePact {
            pact: "frontier-safety-pact".into(),
        },
        EventBody::WhistleblowerReceipt {
            lab: "lab-a".into(),
            report_commitment: "ab".repeat(32),
            arrival_day: None,
            token: None,
        },
        EventBody::IssueCredits {
            lab: "lab-a".into(),
            for_period: 0,
        },
        EventBody::Fine {
            lab: "lab-a".into(),
            amount: 1,
            reason: "r".into(),
        },
        EventBody::Incident {
            incident: "i".into(),
            lab: "lab-a".into(),
            harm: 1,
            harmed: "lab-b".into(),
        },
        EventBody::SanctionDecision {
            lab: "lab-a".into(),
            action: SanctionAction::Escalate,
            cause: "c".into(),
        },
        EventBody::ReviseMetric {
            metric: "training_compute_flop".into(),
            threshold: None,
        },
        EventBody::ClosePeriod {},
        EventBody::Pledge {
            pact: "frontier-safety-pact".into(),
        },
        EventBody::WithdrawPledge {
            pact: "frontier-safety-pact".into(),
        },
        EventBody::ReportInvestment { amount: 1 },
        EventBody::ReportMetric {
            metric: "training_compute_flop".into(),
            value: 1e24,
        },
        EventBody::PayPremium { amount: 1 },
        audit("lab-a", 0, Verdict::Compliant),
    ];
    for body in bodies {
        let required = body.required_role().expect("these bodies name a role");
        let outsider = match required {
            Role::Lab => "mon-1",
            _ => "lab-a",
        };
        let mut d = driver();
        match d.rejected(outsider, body.clone()) {
            Rejection::NotAuthorized { required: r, .. } => {
                assert_eq!(r, required, "{}", body.kind())
            }
            other => panic!("{}: expected NotAuthorized, got {other:?}", body.kind()),
        }
    }
}

/// A protocol with the global rules and one small rating index: three
/// indicators in two domains, rated by `mon-1` only, in two editions.
fn rated_protocol() -> accord_core::Protocol {
    let mut protocol = global_protocol();
    let index: accord_core::ratings::RatingIndex = toml::from_str(
        r#"
        id = "practices"
        title = "Practices"
        raters = ["mon-1"]
        editions = ["2024", "2025"]
        aggregate = "mean"
        scale = 100.0
        domains = [{ id = "safety", title = "Safety" }, { id = "openness", title = "Openness", weight = 3.0 }]
        indicators = [
            { id = "evals", title = "Evaluations", domain = "safety", answer = "tristate" },
            { id = "redteam", title = "Red team", domain = "safety", answer = "graded", max_points = 4, editions = ["2025"] },
            { id = "weights", title = "Weights", domain = "openness" },
        ]
        "#,
    )
    .expect("index parses");
    protocol.leaderboard.indices.push(index);
    assert_eq!(accord_core::validate::check(&protocol), Vec::new());
    protocol
}

fn assess(edition: &str, lab: &str, answers: &[(&str, accord_core::ratings::Answer)]) -> EventBody {
    EventBody::Assess {
        index: "practices".into(),
        edition: edition.into(),
        lab: lab.into(),
        answers: answers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        evidence: String::new(),
    }
}

#[test]
fn assessments_score_editions_and_replace_in_public() {
    use accord_core::ratings::Answer::{Flag, Number, Text};
    let mut d = Driver::with_participants(rated_protocol());
    let effects = d.ok(
        "mon-1",
        assess(
            "2024",
            "lab-a",
            &[("evals", Text("partial".into())), ("weights", Flag(true))],
        ),
    );
    // S_safety = 0.5, S_openness = 1: 100 · (0.5 + 3·1) / 4.
    assert!(
        matches!(&effects[..], [Effect::Assessed { score, revisions: 0, .. }] if (*score - 87.5).abs() < 1e-9),
        "{effects:?}"
    );
    d.ok(
        "mon-1",
        assess(
            "2025",
            "lab-a",
            &[
                ("evals", Text("fulfilled".into())),
                ("redteam", Number(1.0)),
                ("weights", Number(0.0)),
            ],
        ),
    );
    d.ok(
        "mon-1",
        assess(
            "2024",
            "lab-b",
            &[("evals", Text("fulfilled".into())), ("weights", Flag(true))],
        ),
    );
    let editions = d.state.index_scores("practices").expect("declared");
    let first: Vec<(&str, f64)> = editions[0]
        .rows
        .iter()
        .map(|r| (r.lab.as_str(), r.score))
        .collect();
    assert_eq!(first, [("lab-b", 100.0), ("lab-a", 87.5)]);
    // 2025: S_safety = (1 + 0.25) / 2.
    assert_eq!(editions[1].rows[0].domains, [Some(0.625), Some(0.0)]);
    // A second assessment of the same edition replaces the first and says so.
    let effects = d.ok(
        "mon-1",
        assess(
            "2024",
            "lab-a",
            &[
                ("evals", Text("unfulfilled".into())),
                ("weights", Flag(false)),
            ],
        ),
    );
    assert!(
        matches!(&effects[..], [Effect::Assessed { score, revisions: 1, .. }] if *score == 0.0)
    );
    let evidence = d
        .state
        .assessment("practices", "2024", "lab-a")
        .expect("assessed");
    assert_eq!(evidence.score.revisions, 1);
    assert_eq!(evidence.values.len(), 2);
}

#[test]
fn assessments_are_refused_whole() {
    use accord_core::ratings::Answer::{Flag, Number, Text};
    let mut d = Driver::with_participants(rated_protocol());
    let full = [("evals", Text("partial".into())), ("weights", Flag(true))];
    let before = d.state.state_hash();
    let cases: Vec<(&str, EventBody, &str)> = vec![
        ("mon-2", assess("2024", "lab-a", &full), "not a rater"),
        ("mon-1", assess("2026", "lab-a", &full), "no edition"),
        ("mon-1", assess("2024", "mon-2", &full), "not a lab"),
        (
            "mon-1",
            assess("2024", "lab-a", &full[..1]),
            "no answer for indicator \"weights\"",
        ),
        (
            "mon-1",
            assess(
                "2024",
                "lab-a",
                &[full[0].clone(), full[1].clone(), ("redteam", Number(2.0))],
            ),
            "\"redteam\" is not an indicator of practices in force in 2024",
        ),
        (
            "mon-1",
            assess(
                "2024",
                "lab-a",
                &[("evals", Text("mostly".into())), full[1].clone()],
            ),
            "expected \"fulfilled\", \"partial\" or \"unfulfilled\"",
        ),
        (
            "mon-1",
            assess(
                "2024",
                "lab-a",
                &[full[0].clone(), ("weights", Number(0.5))],
            ),
            "expected 0, 1, true or false",
        ),
    ];
    for (author, body, expected) in cases {
        let rejection = d.rejected(author, body);
        assert!(rejection.to_string().contains(expected), "{rejection}");
    }
    let rejection = d.rejected("lab-a", assess("2024", "lab-a", &full));
    assert!(
        matches!(rejection, Rejection::NotAuthorized { .. }),
        "{rejection}"
    );
    assert_eq!(d.state.state_hash(), before, "a refusal changes nothing");
}

/// Declaring no index leaves the protocol's digest and the state's hash as
/// they were before rating indices existed.
#[test]
fn protocols_without_indices_keep_their_digest() {
    let protocol = global_protocol();
    let json = serde_json::to_string(&protocol).expect("serialises");
    assert!(!json.contains("indices"));
    let d = Driver::with_participants(protocol);
    let state = serde_json::to_string(&d.state).expect("serialises");
    assert!(!state.contains("ratings"));
}

fn commitment(
    id: &str,
    text: &str,
    binding: bool,
    compensation: Option<u64>,
    revises: Option<&str>,
) -> EventBody {
    EventBody::PublishCommitment {
        commitment: id.into(),
        text: text.into(),
        binding,
        beneficiary: None,
        compensation_credits: compensation,
        revises: revises.map(str::to_string),
    }
}

#[test]
fn a_revision_replaces_a_commitment_on_record_and_cannot_weaken_a_binding_one() {
    let mut d = driver();
    d.ok(
        "lab-a",
        commitment(
            "framework",
            "Publish a safety framework.",
            true,
            Some(20),
            None,
        ),
    );
    d.ok(
        "lab-a",
        commitment("cards", "Publish model cards.", false, None, None),
    );
    // A binding commitment cannot be revised into a weaker one: that would be a free exit.
    for weaker in [
        commitment(
            "framework-2",
            "Publish something.",
            false,
            None,
            Some("framework"),
        ),
        commitment(
            "framework-2",
            "Publish something.",
            true,
            Some(5),
            Some("framework"),
        ),
    ] {
        let rejection = d.rejected("lab-a", weaker);
        assert!(
            rejection.to_string().contains("must bind as much"),
            "{rejection}"
        );
    }
    let effects = d.ok(
        "lab-a",
        commitment(
            "framework-2",
            "Publish a safety framework with thresholds.",
            true,
            Some(20),
            Some("framework"),
        ),
    );
    assert!(
        matches!(&effects[..], [Effect::CommitmentPublished { revises: Some(old), .. }] if old == "framework"),
        "{effects:?}"
    );
    // The old one stays on record, revised; it can be revised no more, nor withdrawn.
    let rejection = d.rejected(
        "lab-a",
        commitment("framework-3", "x", true, Some(20), Some("framework")),
    );
    assert!(
        rejection.to_string().contains("no longer active"),
        "{rejection}"
    );
    let rejection = d.rejected(
        "lab-a",
        EventBody::WithdrawCommitment {
            commitment: "framework".into(),
            reason: String::new(),
        },
    );
    assert!(
        rejection.to_string().contains("no longer active"),
        "{rejection}"
    );
    // A non-binding commitment may be revised freely; only another's own commitments are revisable.
    d.ok(
        "lab-a",
        commitment(
            "cards-2",
            "Publish model cards for major releases.",
            false,
            None,
            Some("cards"),
        ),
    );
    let rejection = d.rejected("lab-b", commitment("x", "x", false, None, Some("cards")));
    assert!(
        matches!(
            rejection,
            Rejection::Invalid {
                field: "revises",
                ..
            }
        ),
        "{rejection}"
    );
    // Revising is neither keeping nor breaking: the binding revision counts, kept.
    let row = d
        .state
        .leaderboard()
        .into_iter()
        .find(|r| r.lab == "lab-a")
        .expect("listed");
    assert_eq!(row.components.commitments_kept, 1.0);
}

#[test]
fn revising_a_commitment_under_audit_does_not_escape_its_violation() {
    let mut d = driver();
    d.ok(
        "lab-a",
        commitment(
            "framework",
            "Publish a safety framework.",
            true,
            Some(20),
            None,
        ),
    );
    let violated = |d: &mut Driver, monitor: &str| {
        d.ok(
            monitor,
            EventBody::Audit {
                lab: "lab-a".into(),
                audited_period: 0,
                verdict: Verdict::Violation,
                verified_investment: None,
                measurements: BTreeMap::new(),
                violated_commitments: vec!["lab-a/framework".into()],
                cites_reports: Vec::new(),
            },
        )
    };
    let panel: Vec<String> = d
        .state
        .panel_of("lab-a", 0)
        .into_iter()
        .map(str::to_string)
        .collect();
    violated(&mut d, &panel[0]);
    // The lab sees the vote coming and revises, as binding as before.
    d.ok(
        "lab-a",
        commitment(
            "framework-2",
            "Publish a framework, later.",
            true,
            Some(20),
            Some("framework"),
        ),
    );
    let mut effects = Vec::new();
    for monitor in &panel[1..] {
        effects.extend(violated(&mut d, monitor));
    }
    assert!(
        effects.iter().any(|e| matches!(e, Effect::CommitmentViolated { commitment, .. } if commitment == "framework-2")),
        "{effects:?}"
    );
}

#[test]
fn equal_scores_share_a_rank() {
    use accord_core::state::competition_ranks;
    assert_eq!(
        competition_ranks([0.9, 0.75, 0.75, 0.5, 0.5, 0.5, 0.1]),
        [1, 2, 2, 4, 4, 4, 7]
    );
    assert!(competition_ranks([]).is_empty());
}
