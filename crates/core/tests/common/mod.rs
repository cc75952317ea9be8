//! A small driver for writing event streams in tests.
#![allow(dead_code)]

use accord_core::event::{Event, EventBody, Role, Verdict};
use accord_core::{Outcome, Protocol, Rejection, State, parse_protocol};
use std::collections::{BTreeMap, HashMap};

pub const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// A public key of its own for each participant id (its bytes in hex, zero-padded).
pub fn key(id: &str) -> String {
    let hex: String = id.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex:0>64}")
}

pub fn global_protocol() -> Protocol {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/protocols/global-protocol.toml"
    ))
    .unwrap();
    parse_protocol(&text).unwrap()
}

/// Writes events with automatic sequence numbers at the current period.
pub struct Driver {
    pub state: State,
    pub log: Vec<Event>,
    seqs: HashMap<String, u64>,
}

impl Driver {
    pub fn new(protocol: Protocol) -> Self {
        Self {
            state: State::new(protocol),
            log: Vec::new(),
            seqs: HashMap::new(),
        }
    }

    /// Secretariat `sec`, labs `lab-a`, `lab-b`, `lab-c`, monitors `mon-1` … `mon-3`.
    pub fn with_participants(protocol: Protocol) -> Self {
        let mut driver = Self::new(protocol);
        driver.ok(
            "sec",
            EventBody::Register {
                participant: "sec".into(),
                role: Role::Secretariat,
                public_key: key("sec"),
            },
        );
        for lab in ["lab-a", "lab-b", "lab-c"] {
            driver.ok(
                "sec",
                EventBody::Register {
                    participant: lab.into(),
                    role: Role::Lab,
                    public_key: key(lab),
                },
            );
        }
        for monitor in ["mon-1", "mon-2", "mon-3"] {
            driver.ok(
                "sec",
                EventBody::Register {
                    participant: monitor.into(),
                    role: Role::Monitor,
                    public_key: key(monitor),
                },
            );
        }
        driver
    }

    pub fn event(&mut self, author: &str, body: EventBody) -> Event {
        let seq = self.seqs.entry(author.to_string()).or_insert(0);
        *seq += 1;
        Event::new(author, *seq, self.state.period(), body)
    }

    pub fn send(&mut self, author: &str, body: EventBody) -> Result<Outcome, Rejection> {
        let event = self.event(author, body);
        let result = self.state.apply(&event);
        if result.is_ok() {
            self.log.push(event);
        } else {
            // A rejected event does not use up its sequence number.
            *self.seqs.get_mut(author).unwrap() -= 1;
        }
        result
    }

    pub fn ok(&mut self, author: &str, body: EventBody) -> Vec<accord_core::Effect> {
        match self.send(author, body.clone()) {
            Ok(Outcome::Applied { effects }) => effects,
            other => panic!("{author} {body:?}: {other:?}"),
        }
    }

    pub fn rejected(&mut self, author: &str, body: EventBody) -> Rejection {
        match self.send(author, body.clone()) {
            Err(rejection) => rejection,
            other => panic!("{author} {body:?} should be rejected, got {other:?}"),
        }
    }

    pub fn close(&mut self) -> Vec<accord_core::Effect> {
        self.ok("sec", EventBody::ClosePeriod {})
    }

    pub fn audit(
        &mut self,
        monitor: &str,
        lab: &str,
        verdict: Verdict,
        verified: Option<u64>,
    ) -> Vec<accord_core::Effect> {
        let period = self.state.period();
        self.ok(
            monitor,
            EventBody::Audit {
                lab: lab.into(),
                audited_period: period,
                verdict,
                verified_investment: verified,
                measurements: BTreeMap::new(),
                violated_commitments: Vec::new(),
                cites_reports: Vec::new(),
            },
        )
    }

    /// Invest, get audited compliant by two monitors, and be issued credits.
    pub fn earn(&mut self, lab: &str, amount: u64) {
        self.ok(lab, EventBody::ReportInvestment { amount });
        self.audit("mon-1", lab, Verdict::Compliant, Some(amount));
        self.audit("mon-2", lab, Verdict::Compliant, Some(amount));
        let period = self.state.period();
        self.ok(
            "sec",
            EventBody::IssueCredits {
                lab: lab.into(),
                for_period: period,
            },
        );
    }
}
