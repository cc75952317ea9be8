//! The institution as the simulator sees it: Accord's protocol state machine
//! fed with the events a real registry would receive. It never sees the
//! world's truth — only reports, audits and receipts.

use accord_core::early_warning::Alert;
use accord_core::event::{Event, EventBody, Role, Verdict};
use accord_core::spec::MetricRole;
use accord_core::{Effect, Outcome, Protocol, State};
use std::collections::{BTreeMap, HashMap};

/// Participant indices: 0 is the secretariat, then labs, then monitors.
/// Labs that stay out of the protocol keep their index but are never
/// registered: they send nothing and nothing is sent about them; a lab that
/// leaves is treated the same from then on.
#[derive(Clone)]
pub struct Institution {
    state: State,
    names: Vec<String>,
    /// Whether each lab is in the protocol (joined, and has not left).
    members: Vec<bool>,
    /// Whether each lab was ever registered (the core takes an id once).
    ever_registered: Vec<bool>,
    /// Participant index by name.
    index_of: HashMap<String, usize>,
    seqs: Vec<u64>,
    labs: usize,
    /// Events rejected by the rules (a lab reporting twice, credits not yet due, …).
    pub rejected: u64,
    /// Pacts already resolved at their deadline.
    resolved: Vec<bool>,
    /// Each lab's current treaty commitment (`treaty-k`), once it made one.
    treaty: Vec<Option<u32>>,
}

/// A monitor's finding.
pub struct Finding {
    /// Verdict.
    pub verdict: Verdict,
    /// Investment the monitor vouches for.
    pub verified_investment: Option<u64>,
    /// Compute the monitor measured.
    pub measured_compute: Option<f64>,
}

impl Institution {
    /// Registers the secretariat, the `labs` that are `members` and `monitors` monitors.
    pub fn new(protocol: &Protocol, labs: &[String], members: &[bool], monitors: usize) -> Self {
        assert_eq!(labs.len(), members.len(), "one membership flag per lab");
        let mut names = vec!["sec".to_string()];
        names.extend(labs.iter().cloned());
        names.extend((1..=monitors).map(|m| format!("monitor-{m}")));
        let index_of = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let mut institution = Self {
            state: State::new(protocol.clone()),
            seqs: vec![0; names.len()],
            members: members.to_vec(),
            ever_registered: members.to_vec(),
            names,
            index_of,
            labs: labs.len(),
            rejected: 0,
            resolved: vec![false; protocol.pacts.pact.len()],
            treaty: vec![None; labs.len()],
        };
        let roles: Vec<(String, Role)> = institution
            .names
            .iter()
            .enumerate()
            .filter(|&(i, _)| i == 0 || i > labs.len() || members[i - 1])
            .map(|(i, n)| {
                (
                    n.clone(),
                    if i == 0 {
                        Role::Secretariat
                    } else if i <= labs.len() {
                        Role::Lab
                    } else {
                        Role::Monitor
                    },
                )
            })
            .collect();
        for (i, (name, role)) in roles.into_iter().enumerate() {
            // The core accepts each public key once: one per participant.
            institution.send(
                0,
                EventBody::Register {
                    participant: name,
                    role,
                    public_key: format!("{:064x}", i + 1),
                },
            );
        }
        institution
    }

    /// The protocol state.
    pub fn state(&self) -> &State {
        &self.state
    }

    fn lab_name(&self, lab: usize) -> &str {
        &self.names[1 + lab]
    }

    fn monitor_index(&self, name: &str) -> usize {
        *self.index_of.get(name).expect("registered monitor")
    }

    /// A lab's index from its participant id.
    pub fn lab_index(&self, name: &str) -> Option<usize> {
        self.index_of
            .get(name)
            .map(|&i| i.wrapping_sub(1))
            .filter(|&lab| lab < self.labs)
    }

    /// Whether a lab is in the protocol (joined, and has not left).
    pub fn is_member(&self, lab: usize) -> bool {
        self.members[lab]
    }

    /// Whether a lab may author events, or be issued credits: a member not
    /// expelled (an expelled lab may only claim, rule 25, and the simulator
    /// files its claims through `incident`).
    fn may_send(&self, lab: usize) -> bool {
        self.members[lab]
            && !self
                .state
                .sanction(self.lab_name(lab))
                .is_some_and(|(_, _, expelled)| expelled)
    }

    /// Sends an event from participant `author`; returns its effects, or `None` if rejected.
    fn send(&mut self, author: usize, body: EventBody) -> Option<Vec<Effect>> {
        self.seqs[author] += 1;
        let event = Event::new(
            self.names[author].clone(),
            self.seqs[author],
            self.state.period(),
            body,
        );
        match self.state.apply(&event) {
            Ok(Outcome::Applied { effects }) => Some(effects),
            Ok(Outcome::AlreadyApplied) => unreachable!("the simulator never repeats an event"),
            Err(_) => {
                self.seqs[author] -= 1;
                self.rejected += 1;
                None
            }
        }
    }

    /// Whether a lab may use covered compute now.
    pub fn access_allowed(&self, lab: usize) -> bool {
        self.state.access(self.lab_name(lab)).allowed
    }

    /// Credits a lab holds.
    pub fn credits(&self, lab: usize) -> u64 {
        self.state.balance(self.lab_name(lab)).unwrap_or(0)
    }

    /// Credits a lab owes (obligations it could not pay when charged).
    pub fn owed(&self, lab: usize) -> u64 {
        self.state.owed(self.lab_name(lab)).unwrap_or(0)
    }

    /// A lab transfers credits to another; false when the core refused it.
    pub fn transfer(&mut self, from: usize, to: usize, amount: u64) -> bool {
        let body = EventBody::Transfer {
            to: self.lab_name(to).to_string(),
            amount,
        };
        self.may_send(from) && self.send(1 + from, body).is_some()
    }

    /// Sanction level of a lab.
    pub fn sanction_level(&self, lab: usize) -> u32 {
        self.state.sanction(self.lab_name(lab)).map_or(0, |s| s.0)
    }

    /// Monitors (by monitor number, 0-based) on a lab's panel this period
    /// (none for a lab outside the protocol).
    pub fn panel(&self, lab: usize) -> Vec<usize> {
        if !self.members[lab] {
            return Vec::new();
        }
        let first_monitor = 1 + self.labs;
        self.state
            .panel_of(self.lab_name(lab), self.state.period())
            .iter()
            .map(|m| self.monitor_index(m) - first_monitor)
            .collect()
    }

    /// A lab reports its safety investment.
    pub fn report_investment(&mut self, lab: usize, amount: u64) -> bool {
        amount > 0
            && self.may_send(lab)
            && self
                .send(1 + lab, EventBody::ReportInvestment { amount })
                .is_some()
    }

    /// A lab reports a metric.
    pub fn report_metric(&mut self, lab: usize, metric: &str, value: f64, alerts: &mut Vec<Alert>) {
        if !self.may_send(lab) {
            return;
        }
        if let Some(effects) = self.send(
            1 + lab,
            EventBody::ReportMetric {
                metric: metric.to_string(),
                value,
            },
        ) {
            collect_alerts(effects, alerts);
        }
    }

    /// A monitor submits an audit of a lab for the current period; returns
    /// None when the core refused it, else the verdict this vote completed
    /// (a quorum of the panel), if any.
    pub fn audit(
        &mut self,
        monitor: usize,
        lab: usize,
        finding: Finding,
        alerts: &mut Vec<Alert>,
    ) -> Option<Option<Verdict>> {
        let mut measurements = BTreeMap::new();
        if let (Some(compute), Some(metric)) = (
            finding.measured_compute,
            self.state
                .protocol()
                .metric_with_role(MetricRole::TrainingCompute),
        ) {
            measurements.insert(metric.name.clone(), compute);
        }
        // A violation vote names the lab's treaty commitment; the core
        // charges its compensation once a verdict's worth of votes name it.
        let violated_commitments = match (finding.verdict, self.treaty[lab]) {
            (Verdict::Violation, Some(k)) => vec![format!("{}/treaty-{k}", self.lab_name(lab))],
            _ => Vec::new(),
        };
        let body = EventBody::Audit {
            lab: self.lab_name(lab).to_string(),
            audited_period: self.state.period(),
            verdict: finding.verdict,
            verified_investment: finding.verified_investment,
            measurements,
            violated_commitments,
            cites_reports: Vec::new(),
        };
        let effects = self.send(1 + self.labs + monitor, body)?;
        let verdict = effects.iter().find_map(|e| match e {
            Effect::VerdictReached { verdict, .. } => Some(*verdict),
            _ => None,
        });
        collect_alerts(effects, alerts);
        Some(verdict)
    }

    /// The whistleblower channel records a report on a lab.
    pub fn whistleblower_receipt(&mut self, lab: usize, nonce: u64, alerts: &mut Vec<Alert>) {
        if !self.members[lab] {
            return;
        }
        let commitment = format!("{:064x}", u128::from(nonce) * 0x9e37_79b9_7f4a_7c15);
        let body = EventBody::WhistleblowerReceipt {
            lab: self.lab_name(lab).to_string(),
            report_commitment: commitment,
            arrival_day: None,
            token: None,
        };
        if let Some(effects) = self.send(0, body) {
            collect_alerts(effects, alerts);
        }
    }

    /// The secretariat issues the credits a lab earned this period, if any
    /// (an expelled lab earns none, rule 25).
    pub fn issue_credits(&mut self, lab: usize) {
        if !self.may_send(lab) {
            return;
        }
        let body = EventBody::IssueCredits {
            lab: self.lab_name(lab).to_string(),
            for_period: self.state.period(),
        };
        self.send(0, body);
    }

    /// A member lab renews its treaty: where `[commitments]` bind and it
    /// holds no active commitment (it never made one, or its last was found
    /// violated), it publishes a binding commitment to develop safely, with
    /// the protocol's default compensation paid to the liability pool on a
    /// violation verdict. One agreement thus covers at most one generation's
    /// breach, as in Han et al. (2013), where a broken agreement is
    /// compensated once. A lab that has used up `max_per_participant`
    /// commitments stays unbound (the core would refuse another); an
    /// expelled lab publishes nothing (rule 25).
    pub fn renew_treaty(&mut self, lab: usize) {
        if !self.may_send(lab) || !self.state.protocol().commitments.enabled {
            return;
        }
        let Some(counts) = self.state.commitment_counts(self.lab_name(lab)) else {
            return;
        };
        // Nothing is deleted, so a lab at the limit would only be refused.
        let limit = self.state.protocol().commitments.max_per_participant as usize;
        if counts[0] > 0 || counts.iter().sum::<usize>() >= limit {
            return;
        }
        let k = self.treaty[lab].map_or(1, |k| k + 1);
        let body = EventBody::PublishCommitment {
            commitment: format!("treaty-{k}"),
            text: "develop safely in every period".into(),
            binding: true,
            beneficiary: None,
            compensation_credits: None,
            revises: None,
        };
        if self.send(1 + lab, body).is_some() {
            self.treaty[lab] = Some(k);
        }
    }

    /// A lab pays the premium due, if it can.
    pub fn pay_premium(&mut self, lab: usize) {
        if !self.may_send(lab) {
            return;
        }
        let due = self.state.premium_due_for(self.lab_name(lab));
        if due > 0 && self.credits(lab) >= due {
            self.send(1 + lab, EventBody::PayPremium { amount: due });
        }
    }

    /// A lab pledges to every open pact.
    pub fn pledge(&mut self, lab: usize) {
        if !self.may_send(lab) {
            return;
        }
        let pacts: Vec<String> = self
            .state
            .protocol()
            .pacts
            .pact
            .iter()
            .map(|p| p.id.clone())
            .collect();
        for pact in pacts {
            self.send(1 + lab, EventBody::Pledge { pact });
        }
    }

    /// A member lab leaves the protocol for good (rule 25a); from then on the
    /// simulator treats it as a lab that stayed out (it sends nothing and
    /// nothing is sent about it), while the core keeps what it owes. An
    /// expelled lab cannot send the leave (the core has already dropped what
    /// bound it) but walks away all the same: it stops seeking readmission,
    /// which would otherwise come through audits of its compliance.
    pub fn leave(&mut self, lab: usize) {
        if !self.members[lab] {
            return;
        }
        if !self.may_send(lab) {
            self.members[lab] = false;
            return;
        }
        let body = EventBody::Leave {
            reason: "deviation".into(),
        };
        if self.send(1 + lab, body).is_some() {
            self.members[lab] = false;
        }
    }

    /// Whether a lab could join here: it was never registered.
    pub fn may_join(&self, lab: usize) -> bool {
        !self.ever_registered[lab]
    }

    /// A lab that was never registered here joins, with a clean record (a
    /// lab moving in from another jurisdiction); false when it cannot.
    pub fn join(&mut self, lab: usize) -> bool {
        if !self.may_join(lab) {
            return false;
        }
        let body = EventBody::Register {
            participant: self.lab_name(lab).to_string(),
            role: Role::Lab,
            // Past every key given at the start (1 to the participant count).
            public_key: format!("{:064x}", self.names.len() + 1 + lab),
        };
        if self.send(0, body).is_some() {
            self.members[lab] = true;
            self.ever_registered[lab] = true;
        }
        self.members[lab]
    }

    /// The secretariat records a disaster caused by `lab` harming `harmed`, who claims at once.
    pub fn incident(&mut self, id: String, lab: usize, harmed: usize, harm: u64) {
        if harm == 0 || lab == harmed || !self.members[lab] || !self.members[harmed] {
            return;
        }
        let body = EventBody::Incident {
            incident: id.clone(),
            lab: self.lab_name(lab).to_string(),
            harm,
            harmed: self.lab_name(harmed).to_string(),
        };
        if self.send(0, body).is_some() {
            self.send(1 + harmed, EventBody::Claim { incident: id });
        }
    }

    /// Closes the period, adding the alerts raised; returns the metrics
    /// that reached their sunset, each revised at once (the secretariat's
    /// "sunset and revise").
    pub fn close_period(&mut self, alerts: &mut Vec<Alert>) -> Vec<String> {
        let Some(effects) = self.send(0, EventBody::ClosePeriod {}) else {
            return Vec::new();
        };
        let retired: Vec<String> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::MetricRetired { metric } => Some(metric.clone()),
                _ => None,
            })
            .collect();
        collect_alerts(effects, alerts);
        for metric in &retired {
            self.send(
                0,
                EventBody::ReviseMetric {
                    metric: metric.clone(),
                    threshold: None,
                },
            );
        }
        // One-off pacts are resolved once their deadline period has closed
        // (refund bonuses of failed pacts are paid); renewing ones at the
        // start of a generation (`resolve_rounds`).
        let pacts = &self.state.protocol().pacts;
        let due: Vec<(usize, String)> = pacts
            .pact
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                pacts.enabled
                    && !p.renews
                    && !self.resolved[*i]
                    && self.state.period() > p.deadline_period
            })
            .map(|(i, p)| (i, p.id.clone()))
            .collect();
        for (i, pact) in due {
            self.resolved[i] = true;
            self.send(0, EventBody::ResolvePact { pact });
        }
        retired
    }

    /// Resolves every renewing pact whose round has reached its deadline,
    /// opening the next round (a generation is one pledge round).
    pub fn resolve_rounds(&mut self) {
        if !self.state.protocol().pacts.enabled {
            return;
        }
        let period = self.state.period();
        let due: Vec<String> = self
            .state
            .protocol()
            .pacts
            .pact
            .iter()
            .zip(self.state.pacts())
            .filter(|(spec, round)| spec.renews && period > round.deadline)
            .map(|(spec, _)| spec.id.clone())
            .collect();
        for pact in due {
            self.send(0, EventBody::ResolvePact { pact });
        }
    }

    /// Whether a lab in the protocol is bound by a binding pact it pledged to
    /// (a lab that left is governed by nothing, though its pledge stands).
    pub fn bound(&self, lab: usize) -> bool {
        if !self.members[lab] {
            return false;
        }
        let name = self.lab_name(lab);
        self.state
            .pacts()
            .iter()
            .any(|p| p.binding && p.pledgers.iter().any(|l| l == name))
    }

    /// Public safety scores by lab (0 when the leaderboard is off).
    pub fn scores(&self) -> Vec<f64> {
        let mut scores = vec![0.0; self.labs];
        for entry in self.state.leaderboard() {
            if let Some(lab) = self.lab_index(&entry.lab) {
                scores[lab] = entry.score;
            }
        }
        scores
    }
}

fn collect_alerts(effects: Vec<Effect>, alerts: &mut Vec<Alert>) {
    alerts.extend(effects.into_iter().filter_map(|e| match e {
        Effect::Alert(alert) => Some(alert),
        _ => None,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lab expelled when it means to leave cannot send the leave, but it
    /// is out all the same: the simulator stops auditing it, so compliant
    /// audits never readmit it (an outside review found expelled leavers
    /// readmitted and playing on as members).
    #[test]
    fn an_expelled_lab_that_leaves_is_out() {
        let protocol = accord_core::parse_protocol(include_str!(
            "../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap();
        let labs = ["a".to_string(), "b".to_string()];
        let mut institution = Institution::new(&protocol, &labs, &[true, true], 3);
        let mut alerts = Vec::new();
        for _ in 0..8 {
            for monitor in institution.panel(0) {
                let finding = Finding {
                    verdict: Verdict::Violation,
                    verified_investment: None,
                    measured_compute: None,
                };
                institution.audit(monitor, 0, finding, &mut alerts);
            }
            institution.close_period(&mut alerts);
        }
        assert!(!institution.may_send(0), "four breaches expel");
        assert!(institution.is_member(0));
        institution.leave(0);
        assert!(!institution.is_member(0));
        institution.leave(1);
        assert!(
            !institution.is_member(1),
            "a member in good standing leaves too"
        );
    }
}
