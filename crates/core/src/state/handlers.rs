//! One handler per event type. Each checks everything first and mutates only
//! once the event is known to apply, so a rejection leaves the state as it was.

use super::ledger::AccountId;
use super::{
    Commitment, CommitmentStatus, Creditor, Effect, IncidentRecord, InvestmentRecord, LabRecord,
    MAX_INCIDENTS, MAX_PARTICIPANTS, MetricTrack, PactState, Participant, PeriodRecord, Rejection,
    State, Vote, check_id, check_text,
};
use crate::early_warning::{Alert, AlertKind, Evidence};
use crate::event::{Role, SanctionAction, Verdict};
use crate::spec::MAX_CREDITS_PER_ISSUANCE;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

type Handled = Result<Vec<Effect>, Rejection>;

impl State {
    pub(super) fn register(
        &mut self,
        author: &str,
        participant: &str,
        role: Role,
        public_key: &str,
    ) -> Handled {
        let genesis = self.participants.is_empty();
        if genesis {
            if author != participant || role != Role::Secretariat {
                return Err(Rejection::NotAllowed(
                    "the first event must be the secretariat registering itself (author = participant, role = secretariat)".into(),
                ));
            }
        } else {
            self.require_role(author, Role::Secretariat, "register participants")?;
        }
        check_id("participant", participant)?;
        if self.index.contains_key(participant) {
            return Err(Rejection::NotAllowed(format!(
                "{participant} is already registered"
            )));
        }
        if public_key.len() != 64 || !public_key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: "expected an Ed25519 public key as 64 hex digits".into(),
            });
        }
        // One key, one participant, for ever: expelled participants keep theirs.
        let key = public_key.to_ascii_lowercase();
        if let Some(&holder) = self.keys.get(&key) {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: format!(
                    "this key is already registered to {}; every participant needs its own key",
                    self.participants[holder].id
                ),
            });
        }
        if self.participants.len() == MAX_PARTICIPANTS {
            return Err(Rejection::Limit {
                what: "participants",
                limit: MAX_PARTICIPANTS,
            });
        }
        let index = self.ledger.open();
        debug_assert_eq!(index, self.participants.len());
        let lab = (role == Role::Lab).then(|| LabRecord {
            metrics: vec![MetricTrack::default(); self.protocol.early_warning.metric.len()],
            history: VecDeque::from([PeriodRecord {
                period: self.period,
                ..PeriodRecord::default()
            }]),
            ..LabRecord::default()
        });
        self.participants.push(Participant {
            id: participant.to_string(),
            role,
            public_key: key.clone(),
            registered_period: self.period,
            last_seq: 0,
            recent: VecDeque::new(),
            commitments: Vec::new(),
            obligations: Vec::new(),
            lab,
        });
        self.index.insert(participant.to_string(), index);
        self.keys.insert(key, index);
        if role == Role::Monitor {
            self.monitors.push(index);
        }
        Ok(vec![Effect::Registered {
            participant: participant.to_string(),
            role,
        }])
    }

    pub(super) fn publish_commitment(
        &mut self,
        author: &str,
        commitment: &str,
        text: &str,
        binding: bool,
        beneficiary: Option<&str>,
        compensation: Option<u64>,
    ) -> Handled {
        let index = self.participant(author)?;
        check_id("commitment", commitment)?;
        check_text("text", text)?;
        let limit = self
            .protocol
            .commitments
            .max_per_participant
            .min(super::MAX_COMMITMENTS_PER_PARTICIPANT) as usize;
        let existing = &self.participants[index].commitments;
        if existing.iter().any(|c| c.id == commitment) {
            return Err(Rejection::NotAllowed(format!(
                "{author} already has a commitment {commitment:?}; commitments are never replaced"
            )));
        }
        if existing.len() >= limit {
            return Err(Rejection::Limit {
                what: "commitments per participant",
                limit,
            });
        }
        if binding && !self.protocol.commitments.enabled {
            return Err(Rejection::MechanismDisabled("commitments"));
        }
        let beneficiary = beneficiary.map(|b| self.participant(b)).transpose()?;
        let compensation =
            compensation.unwrap_or(self.protocol.commitments.default_compensation_credits);
        check_amount("compensation_credits", compensation)?;
        self.participants[index].commitments.push(Commitment {
            id: commitment.to_string(),
            text: text.to_string(),
            binding,
            beneficiary,
            compensation,
            published_period: self.period,
            status: CommitmentStatus::Active,
        });
        Ok(vec![Effect::CommitmentPublished {
            author: author.to_string(),
            commitment: commitment.to_string(),
            binding,
        }])
    }

    pub(super) fn withdraw_commitment(
        &mut self,
        author: &str,
        commitment: &str,
        reason: &str,
    ) -> Handled {
        let index = self.participant(author)?;
        check_text("reason", reason)?;
        let position = self.participants[index]
            .commitments
            .iter()
            .position(|c| c.id == commitment)
            .ok_or_else(|| {
                Rejection::NotAllowed(format!("{author} has no commitment {commitment:?}"))
            })?;
        let record = &self.participants[index].commitments[position];
        if record.status != CommitmentStatus::Active {
            return Err(Rejection::NotAllowed(format!(
                "commitment {author}/{commitment} is no longer active"
            )));
        }
        let binding = record.binding;
        let mut effects = vec![Effect::CommitmentWithdrawn {
            author: author.to_string(),
            commitment: commitment.to_string(),
        }];
        if binding {
            // Escaping a binding commitment is itself a violation.
            self.violate_commitment(index, position, &mut effects);
            if self.participants[index].role == Role::Lab {
                self.confirm_breach(
                    index,
                    format!("withdrew binding commitment {author}/{commitment}"),
                    &mut effects,
                );
            }
        }
        self.participants[index].commitments[position].status = CommitmentStatus::Withdrawn {
            period: self.period,
            reason: reason.to_string(),
        };
        Ok(effects)
    }

    /// Pays the compensation of a binding commitment and marks it violated.
    pub(super) fn violate_commitment(
        &mut self,
        owner: usize,
        position: usize,
        effects: &mut Vec<Effect>,
    ) {
        let commitment = &self.participants[owner].commitments[position];
        let owed = commitment.compensation;
        let beneficiary = commitment.beneficiary;
        let id = commitment.id.clone();
        let to = beneficiary.map_or(Creditor::Pool, Creditor::Participant);
        let paid = self.charge(owner, to, owed, effects);
        self.participants[owner].commitments[position].status = CommitmentStatus::Violated {
            period: self.period,
        };
        effects.push(Effect::CommitmentViolated {
            author: self.participants[owner].id.clone(),
            commitment: id,
            compensation_paid: paid,
            shortfall: owed - paid,
            beneficiary: beneficiary.map_or_else(
                || "liability pool".to_string(),
                |b| self.participants[b].id.clone(),
            ),
        });
    }

    fn pact_index(&self, pact: &str) -> Result<usize, Rejection> {
        if !self.protocol.pacts.enabled {
            return Err(Rejection::MechanismDisabled("pacts"));
        }
        self.protocol
            .pacts
            .pact
            .iter()
            .position(|p| p.id == pact)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .protocol
                    .pacts
                    .pact
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect();
                Rejection::Invalid {
                    field: "pact",
                    message: format!("unknown pact {pact:?}; pacts: {}", known.join(", ")),
                }
            })
    }

    pub(super) fn pledge(&mut self, author: &str, pact: &str) -> Handled {
        let lab = self.require_role(author, Role::Lab, "pledge to pacts")?;
        let p = self.pact_index(pact)?;
        let spec = &self.protocol.pacts.pact[p];
        let state = &self.pacts[p];
        if state.resolved.is_some() {
            return Err(Rejection::NotAllowed(format!("pact {pact} is resolved")));
        }
        if self.period > state.deadline(spec) {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact}'s deadline (period {}) has passed",
                state.deadline(spec)
            )));
        }
        if state.pledgers.contains(&lab) {
            return Err(Rejection::NotAllowed(format!(
                "{author} has already pledged to {pact}"
            )));
        }
        let threshold = spec.threshold;
        let state = &mut self.pacts[p];
        state.pledgers.push(lab);
        let pledges = state.pledgers.len();
        let mut effects = vec![Effect::Pledged {
            pact: pact.to_string(),
            lab: author.to_string(),
            pledges,
            threshold,
        }];
        if state.binding_since.is_none() && pledges >= threshold as usize {
            state.binding_since = Some(self.period);
            let pledgers = state
                .pledgers
                .iter()
                .map(|&i| self.participants[i].id.clone())
                .collect();
            effects.push(Effect::PactBinding {
                pact: pact.to_string(),
                pledgers,
            });
        }
        Ok(effects)
    }

    pub(super) fn withdraw_pledge(&mut self, author: &str, pact: &str) -> Handled {
        let lab = self.require_role(author, Role::Lab, "withdraw pledges")?;
        let p = self.pact_index(pact)?;
        let state = &self.pacts[p];
        let Some(position) = state.pledgers.iter().position(|&i| i == lab) else {
            return Err(Rejection::NotAllowed(format!(
                "{author} has not pledged to {pact}"
            )));
        };
        let binding = state.binding_since.is_some();
        let mut effects = Vec::new();
        if binding {
            // A binding pledge cannot be escaped: the withdrawal is recorded as a breach and the pledge stands.
            effects.push(Effect::PledgeWithdrawn {
                pact: pact.to_string(),
                lab: author.to_string(),
                breach: true,
            });
            self.confirm_breach(
                lab,
                format!("tried to withdraw from binding pact {pact}"),
                &mut effects,
            );
        } else {
            self.pacts[p].pledgers.remove(position);
            effects.push(Effect::PledgeWithdrawn {
                pact: pact.to_string(),
                lab: author.to_string(),
                breach: false,
            });
        }
        Ok(effects)
    }

    pub(super) fn resolve_pact(&mut self, author: &str, pact: &str) -> Handled {
        self.require_role(author, Role::Secretariat, "resolve pacts")?;
        let p = self.pact_index(pact)?;
        let spec = &self.protocol.pacts.pact[p];
        if self.pacts[p].resolved.is_some() {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact} is already resolved"
            )));
        }
        // Pledges are accepted through the deadline period; resolution follows it.
        let deadline = self.pacts[p].deadline(spec);
        if self.period <= deadline {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact} is resolved after its deadline, from period {}",
                deadline.saturating_add(1)
            )));
        }
        let bonus = spec.refund_bonus_credits;
        let succeeded = self.pacts[p].binding_since.is_some();
        let pledgers = self.pacts[p].pledgers.clone();
        // Dominant assurance: every pledger of a failed pact receives the bonus,
        // issued for the purpose (it is not earned, so it buys no compute access).
        let refunds = if succeeded || !self.protocol.credits.enabled {
            0
        } else {
            bonus.saturating_mul(pledgers.len() as u64)
        };
        if !self.ledger.can_issue(refunds) {
            return Err(Rejection::NotAllowed(format!(
                "refund bonuses of {refunds} credits would take the total issued past {}",
                u64::MAX
            )));
        }
        self.pacts[p].resolved = Some(succeeded);
        if spec.renews {
            let period = self.period;
            let state = &mut self.pacts[p];
            *state = PactState {
                opened: period,
                rounds_resolved: state.rounds_resolved.saturating_add(1),
                ..PactState::default()
            };
        }
        let mut effects = vec![Effect::PactResolved {
            pact: pact.to_string(),
            succeeded,
            refunds_paid: refunds,
        }];
        if refunds > 0 {
            let date = self.credit_date();
            for lab in pledgers {
                self.ledger.issue(lab, bonus, date, false);
                self.settle(lab, &mut effects);
            }
        }
        Ok(effects)
    }

    pub(super) fn report_investment(&mut self, author: &str, amount: u64) -> Handled {
        let lab = self.require_role(author, Role::Lab, "report safety investment")?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive investment".into(),
            });
        }
        let period = self.period;
        let window = self.protocol.monitoring.audit_window_periods as usize + 1;
        let record = self.lab_mut(lab);
        if record
            .investments
            .back()
            .is_some_and(|r| r.period == period)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} already reported its investment for period {period}"
            )));
        }
        if record.investments.len() == window {
            record.investments.pop_front();
        }
        record.investments.push_back(InvestmentRecord {
            period,
            amount,
            credited: false,
        });
        Ok(vec![Effect::ReportRecorded {
            lab: author.to_string(),
            what: "investment".into(),
        }])
    }

    fn metric_index(&self, metric: &str) -> Result<usize, Rejection> {
        let metrics = &self.protocol.early_warning.metric;
        metrics
            .iter()
            .position(|m| m.name == metric)
            .ok_or_else(|| {
                let known: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
                Rejection::Invalid {
                    field: "metric",
                    message: format!("unknown metric {metric:?}; metrics: {}", known.join(", ")),
                }
            })
    }

    pub(super) fn report_metric(&mut self, author: &str, metric: &str, value: f64) -> Handled {
        let lab = self.require_role(author, Role::Lab, "report metrics")?;
        let m = self.metric_index(metric)?;
        let spec = self.protocol.early_warning.metric[m].clone();
        if self.metrics[m].retired {
            return Err(Rejection::NotAllowed(format!(
                "metric {metric} was retired at its sunset; the secretariat must revise it"
            )));
        }
        if !value.is_finite() || (spec.log_scale && value <= 0.0) {
            return Err(Rejection::Invalid {
                field: "value",
                message: format!(
                    "expected a finite{} value, got {value}",
                    if spec.log_scale { " positive" } else { "" }
                ),
            });
        }
        let period = self.period;
        if self.lab(lab).metrics[m].last_period == Some(period) {
            return Err(Rejection::NotAllowed(format!(
                "{author} already reported {metric} for period {period}"
            )));
        }
        // Reports stay while an audit of their period may still arrive, and as long as the jump window.
        let audit_window = self.protocol.monitoring.audit_window_periods as usize + 1;
        let look_back = spec
            .jump
            .as_ref()
            .map_or(1, |j| j.window_periods as usize + 1)
            .max(audit_window);
        let track = &mut self.lab_mut(lab).metrics[m];
        track.last_period = Some(period);
        // The latest report is kept however old: silence does not reset the jump detector's baseline.
        while track.recent.len() > 1
            && track
                .recent
                .front()
                .is_some_and(|&(p, _)| (period - p) as usize >= look_back)
        {
            track.recent.pop_front();
        }
        let oldest = track.recent.front().copied();
        track.recent.push_back((period, value));
        if let Some(histogram) = self.metrics[m].histogram.as_mut() {
            histogram.add(value);
        }
        let mut effects = vec![Effect::ReportRecorded {
            lab: author.to_string(),
            what: metric.to_string(),
        }];
        if let (true, Some(jump), Some((from_period, from_value))) =
            (self.protocol.early_warning.enabled, &spec.jump, oldest)
        {
            let growth = if from_value > 0.0 {
                value / from_value
            } else {
                f64::INFINITY
            };
            if from_value > 0.0 && growth > jump.max_growth_factor {
                let alert = Alert::new(
                    period,
                    Some(author),
                    AlertKind::CapabilityJump,
                    Some(metric),
                    Evidence::Jump {
                        from_period,
                        from_value,
                        to_period: period,
                        to_value: value,
                        growth_factor: growth,
                        max_growth_factor: jump.max_growth_factor,
                    },
                );
                self.raise(alert, &mut effects);
            }
        }
        Ok(effects)
    }

    /// Monitors on `lab`'s panel for `period`: registered monitors without a
    /// declared conflict, `panel_size` of them starting at an offset that
    /// rotates every `rotation_periods`.
    pub(crate) fn panel(&self, lab: usize, period: u32) -> Vec<usize> {
        let monitoring = &self.protocol.monitoring;
        let lab_id = &self.participants[lab].id;
        let eligible: Vec<usize> = self
            .monitors
            .iter()
            .copied()
            .filter(|&m| {
                !monitoring
                    .conflicts
                    .iter()
                    .any(|c| c.lab == *lab_id && c.monitor == self.participants[m].id)
            })
            .collect();
        let size = monitoring.panel_size as usize;
        if size == 0 || size >= eligible.len() {
            return eligible;
        }
        let epoch = period.checked_div(monitoring.rotation_periods).unwrap_or(0) as usize;
        let start = (lab + epoch) % eligible.len();
        (0..size)
            .map(|k| eligible[(start + k) % eligible.len()])
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn audit(
        &mut self,
        author: &str,
        lab_id: &str,
        audited_period: u32,
        verdict: Verdict,
        verified_investment: Option<u64>,
        measurements: &BTreeMap<String, f64>,
        violated_commitments: &[String],
    ) -> Handled {
        if !self.protocol.monitoring.enabled {
            return Err(Rejection::MechanismDisabled("monitoring"));
        }
        let monitor = self.require_role(author, Role::Monitor, "submit audits")?;
        let lab = self.lab_index(lab_id)?;
        let window = self.protocol.monitoring.audit_window_periods;
        if audited_period > self.period || self.period - audited_period > window {
            return Err(Rejection::Invalid {
                field: "audited_period",
                message: format!(
                    "audits are accepted for periods {} to {}",
                    self.period.saturating_sub(window),
                    self.period
                ),
            });
        }
        if self
            .protocol
            .monitoring
            .conflicts
            .iter()
            .any(|c| c.monitor == author && c.lab == lab_id)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} has a declared conflict of interest with {lab_id}"
            )));
        }
        let key = (audited_period, lab);
        let panel = match self.audits.get(&key) {
            Some(tally) => tally.panel.clone(),
            None => self.panel(lab, audited_period),
        };
        if !panel.contains(&monitor) {
            return Err(Rejection::NotAllowed(format!(
                "{author} is not on {lab_id}'s monitoring panel for period {audited_period}"
            )));
        }
        for (name, value) in measurements {
            self.metric_index(name)?;
            if !value.is_finite() {
                return Err(Rejection::Invalid {
                    field: "measurements",
                    message: format!("{name}: expected a finite value"),
                });
            }
        }
        for reference in violated_commitments {
            let (owner, _) = self.find_commitment(reference)?;
            if owner != lab {
                return Err(Rejection::Invalid {
                    field: "violated_commitments",
                    message: format!(
                        "{reference:?} is not a commitment of {lab_id}; an audit of {lab_id} can only find {lab_id}'s commitments violated"
                    ),
                });
            }
        }
        if self
            .audits
            .get(&key)
            .is_some_and(|t| t.votes.iter().any(|v| v.monitor == monitor))
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} already audited {lab_id} for period {audited_period}"
            )));
        }
        let mut effects = vec![Effect::AuditRecorded {
            lab: lab_id.to_string(),
            period: audited_period,
            monitor: author.to_string(),
            verdict,
        }];
        self.check_discrepancies(lab, author, audited_period, measurements, &mut effects);
        let quorum = self.protocol.monitoring.quorum;
        let tally = self.audits.entry(key).or_insert_with(|| super::Tally {
            panel,
            ..super::Tally::default()
        });
        let needed = tally.votes_needed(quorum);
        tally.votes.push(Vote {
            monitor,
            verdict,
            verified_investment,
            violated_commitments: violated_commitments.to_vec(),
        });
        let count = |v: Verdict| tally.votes.iter().filter(|x| x.verdict == v).count();
        let (compliant, violation, inconclusive) = (
            count(Verdict::Compliant),
            count(Verdict::Violation),
            count(Verdict::Inconclusive),
        );
        let disagreement = compliant > 0 && violation > 0 && !tally.disagreement_alerted;
        if disagreement {
            tally.disagreement_alerted = true;
        }
        let decided = if tally.decided.is_none() && count(verdict) >= needed {
            tally.decided = Some(verdict);
            Some(verdict)
        } else {
            None
        };
        // A commitment is charged only when as many violation votes name it as a verdict needs.
        let violated: Vec<String> = if decided == Some(Verdict::Violation) {
            let mut named: BTreeMap<&String, usize> = BTreeMap::new();
            for reference in tally
                .votes
                .iter()
                .filter(|v| v.verdict == Verdict::Violation)
                .flat_map(|v| v.violated_commitments.iter().collect::<BTreeSet<_>>())
            {
                *named.entry(reference).or_default() += 1;
            }
            named
                .into_iter()
                .filter(|&(_, votes)| votes >= needed)
                .map(|(reference, _)| reference.clone())
                .collect()
        } else {
            Vec::new()
        };
        if disagreement
            && self.protocol.early_warning.enabled
            && self.protocol.early_warning.disagreement_alerts
        {
            let alert = Alert::new(
                self.period,
                Some(lab_id),
                AlertKind::MonitorDisagreement,
                None,
                Evidence::Disagreement {
                    audited_period,
                    compliant,
                    violation,
                    inconclusive,
                },
            );
            self.raise(alert, &mut effects);
        }
        if let Some(verdict) = decided {
            effects.push(Effect::VerdictReached {
                lab: lab_id.to_string(),
                period: audited_period,
                verdict,
            });
            if let Some(record) = self
                .lab_mut(lab)
                .history
                .iter_mut()
                .find(|r| r.period == audited_period)
            {
                record.verdict = Some(verdict);
            }
            if verdict == Verdict::Violation {
                self.confirm_breach(
                    lab,
                    format!("audit quorum found a violation in period {audited_period}"),
                    &mut effects,
                );
                for reference in violated {
                    let (owner, position) =
                        self.find_commitment(&reference).expect("checked above");
                    if self.participants[owner].commitments[position].status
                        == CommitmentStatus::Active
                        && self.participants[owner].commitments[position].binding
                    {
                        self.violate_commitment(owner, position, &mut effects);
                    }
                }
            }
        }
        Ok(effects)
    }

    /// `(owner, position)` of a commitment referenced as `author/commitment`.
    fn find_commitment(&self, reference: &str) -> Result<(usize, usize), Rejection> {
        let invalid = || Rejection::Invalid {
            field: "violated_commitments",
            message: format!("{reference:?}: expected an existing `author/commitment`"),
        };
        let (owner, id) = reference.split_once('/').ok_or_else(invalid)?;
        let owner = self.index.get(owner).copied().ok_or_else(invalid)?;
        let position = self.participants[owner]
            .commitments
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(invalid)?;
        Ok((owner, position))
    }

    fn check_discrepancies(
        &mut self,
        lab: usize,
        monitor: &str,
        period: u32,
        measurements: &BTreeMap<String, f64>,
        effects: &mut Vec<Effect>,
    ) {
        if !self.protocol.early_warning.enabled {
            return;
        }
        let mut alerts = Vec::new();
        for (name, &measured) in measurements {
            let m = self.metric_index(name).expect("checked by the caller");
            let Some(spec) = &self.protocol.early_warning.metric[m].audit_discrepancy else {
                continue;
            };
            let Some(&(_, reported)) = self.lab(lab).metrics[m]
                .recent
                .iter()
                .find(|(p, _)| *p == period)
            else {
                continue;
            };
            let scale = measured.abs().max(reported.abs()).max(f64::MIN_POSITIVE);
            let relative = (reported - measured).abs() / scale;
            if relative > spec.relative_tolerance {
                alerts.push(Alert::new(
                    self.period,
                    Some(&self.participants[lab].id),
                    AlertKind::AuditDiscrepancy,
                    Some(name),
                    Evidence::Discrepancy {
                        audited_period: period,
                        reported,
                        measured,
                        relative_difference: relative,
                        tolerance: spec.relative_tolerance,
                        monitor: monitor.to_string(),
                    },
                ));
            }
        }
        for alert in alerts {
            self.raise(alert, effects);
        }
    }

    pub(super) fn whistleblower_receipt(
        &mut self,
        author: &str,
        lab_id: &str,
        report_commitment: &str,
    ) -> Handled {
        if !self.protocol.whistleblower.enabled {
            return Err(Rejection::MechanismDisabled("whistleblower"));
        }
        self.require_role(author, Role::Secretariat, "record whistleblower receipts")?;
        let lab = self.lab_index(lab_id)?;
        if report_commitment.len() != 64
            || !report_commitment.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(Rejection::Invalid {
                field: "report_commitment",
                message: "expected a SHA-256 commitment as 64 hex digits".into(),
            });
        }
        let trigger = self.protocol.whistleblower.receipts_to_trigger_audit;
        let record = self.lab_mut(lab);
        record.whistle_receipts += 1;
        let receipts = record.whistle_receipts;
        let mut effects = vec![Effect::ReportRecorded {
            lab: lab_id.to_string(),
            what: "whistleblower receipt".into(),
        }];
        if receipts == trigger {
            let alert = Alert::new(
                self.period,
                Some(lab_id),
                AlertKind::SpecialAuditRequired,
                None,
                Evidence::Whistleblower { receipts, trigger },
            );
            self.raise(alert, &mut effects);
        }
        Ok(effects)
    }

    pub(super) fn issue_credits(&mut self, author: &str, lab_id: &str, for_period: u32) -> Handled {
        if !self.protocol.credits.enabled {
            return Err(Rejection::MechanismDisabled("credits"));
        }
        self.require_role(author, Role::Secretariat, "issue credits")?;
        let lab = self.lab_index(lab_id)?;
        if self.lab(lab).expelled {
            return Err(Rejection::NotAllowed(format!(
                "{lab_id} is expelled and earns no credits"
            )));
        }
        let nothing = |why: String| {
            Rejection::NotAllowed(format!(
                "no credits to issue to {lab_id} for period {for_period}: {why}"
            ))
        };
        let Some(investment) = self
            .lab(lab)
            .investments
            .iter()
            .find(|r| r.period == for_period)
        else {
            return Err(nothing(
                "no investment reported for that period (or outside the audit window)".into(),
            ));
        };
        if investment.credited {
            return Err(nothing("already credited".into()));
        }
        let Some(tally) = self
            .audits
            .get(&(for_period, lab))
            .filter(|t| t.decided == Some(Verdict::Compliant))
        else {
            return Err(nothing(
                "issuance needs a compliant verdict from a majority of the lab's panel".into(),
            ));
        };
        let quorum = tally.votes_needed(self.protocol.monitoring.quorum);
        let mut verified: Vec<u64> = tally
            .votes
            .iter()
            .filter(|v| v.verdict == Verdict::Compliant)
            .filter_map(|v| v.verified_investment)
            .collect();
        if verified.len() < quorum {
            return Err(nothing(format!(
                "only {} compliant audits verified the investment; {quorum} needed",
                verified.len()
            )));
        }
        // The quorum-th largest verification: a quorum of monitors vouches for at least this much.
        verified.sort_unstable_by(|a, b| b.cmp(a));
        let vouched = verified[quorum - 1].min(investment.amount);
        let credits = &self.protocol.credits;
        let cap = match credits.max_credits_per_period {
            0 => MAX_CREDITS_PER_ISSUANCE,
            cap => cap.min(MAX_CREDITS_PER_ISSUANCE),
        };
        let amount = vouched
            .saturating_mul(credits.credits_per_investment_unit)
            .min(cap);
        if !self.ledger.can_issue(amount) {
            return Err(nothing(format!(
                "{amount} more credits would take the total issued past {}",
                u64::MAX
            )));
        }
        let date = self.credit_date();
        self.lab_mut(lab)
            .investments
            .iter_mut()
            .find(|r| r.period == for_period)
            .expect("found above")
            .credited = true;
        self.ledger.issue(lab, amount, date, true);
        let mut effects = vec![Effect::CreditsIssued {
            lab: lab_id.to_string(),
            amount,
            for_period,
        }];
        self.settle(lab, &mut effects);
        Ok(effects)
    }

    pub(super) fn transfer(&mut self, author: &str, to: &str, amount: u64) -> Handled {
        if !self.protocol.credits.enabled {
            return Err(Rejection::MechanismDisabled("credits"));
        }
        let from = self.participant(author)?;
        let to_index = self.participant(to)?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive amount".into(),
            });
        }
        if from == to_index {
            return Err(Rejection::Invalid {
                field: "to",
                message: "cannot transfer to oneself".into(),
            });
        }
        self.check_funds(from, amount)?;
        let date = self.credit_date();
        self.ledger.transfer(
            AccountId::Participant(from),
            AccountId::Participant(to_index),
            amount,
            date,
        );
        let mut effects = vec![Effect::CreditsTransferred {
            from: author.to_string(),
            to: to.to_string(),
            amount,
        }];
        self.settle(to_index, &mut effects);
        Ok(effects)
    }

    /// A participant may spend only credits it holds and does not owe.
    fn check_funds(&self, participant: usize, amount: u64) -> Result<(), Rejection> {
        let account = &self.participants[participant].id;
        let owed = self.owed_by(participant);
        if owed > 0 {
            return Err(Rejection::OutstandingObligations {
                account: account.clone(),
                owed,
            });
        }
        let balance = self.ledger.balance(AccountId::Participant(participant));
        if balance < amount {
            return Err(Rejection::InsufficientCredits {
                account: account.clone(),
                balance,
                required: amount,
            });
        }
        Ok(())
    }

    pub(super) fn fine(
        &mut self,
        author: &str,
        lab_id: &str,
        amount: u64,
        reason: &str,
    ) -> Handled {
        self.require_role(author, Role::Secretariat, "fine labs")?;
        let lab = self.lab_index(lab_id)?;
        check_text("reason", reason)?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive amount".into(),
            });
        }
        check_amount("amount", amount)?;
        let mut effects = Vec::new();
        let burned = self.charge(lab, Creditor::Burn, amount, &mut effects);
        effects.insert(
            0,
            Effect::CreditsBurned {
                account: lab_id.to_string(),
                amount: burned,
                shortfall: amount - burned,
                reason: reason.to_string(),
            },
        );
        Ok(effects)
    }

    /// Premium due from a lab this period, from its record over the rating window.
    pub(super) fn premium_due(&self, lab: usize) -> u64 {
        let liability = &self.protocol.liability;
        let window = liability.rating_window_periods as usize;
        let violations: u32 = self
            .lab(lab)
            .history
            .iter()
            .rev()
            .take(window)
            .map(|r| r.breaches)
            .sum();
        // Integer arithmetic in parts per million, rounded half up.
        let factor = u128::from(MILLION)
            + u128::from(parts_per_million(liability.violation_loading)) * u128::from(violations);
        let premium = (u128::from(liability.base_premium_credits) * factor
            + u128::from(MILLION / 2))
            / u128::from(MILLION);
        u64::try_from(premium).unwrap_or(u64::MAX)
    }

    pub(super) fn pay_premium(&mut self, author: &str, amount: u64) -> Handled {
        if !self.protocol.liability.enabled {
            return Err(Rejection::MechanismDisabled("liability"));
        }
        let lab = self.require_role(author, Role::Lab, "pay liability premiums")?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive amount".into(),
            });
        }
        self.check_funds(lab, amount)?;
        let due = self.premium_due(lab);
        let date = self.credit_date();
        self.ledger
            .transfer(AccountId::Participant(lab), AccountId::Pool, amount, date);
        let record = self.lab_mut(lab);
        record.premium_paid += amount;
        if let Some(current) = record.history.back_mut() {
            current.premium_paid = record.premium_paid;
            current.premium_due = due;
        }
        Ok(vec![Effect::PremiumPaid {
            lab: author.to_string(),
            amount,
            due,
        }])
    }

    pub(super) fn incident(
        &mut self,
        author: &str,
        incident: &str,
        lab_id: &str,
        harm: u64,
        harmed: &str,
    ) -> Handled {
        self.require_role(author, Role::Secretariat, "record incidents")?;
        check_id("incident", incident)?;
        let lab = self.lab_index(lab_id)?;
        let harmed = self.participant(harmed)?;
        if harmed == lab {
            return Err(Rejection::Invalid {
                field: "harmed",
                message: format!(
                    "{lab_id} caused the incident; the pool does not compensate a lab for its own harm"
                ),
            });
        }
        if self.incidents.contains_key(incident) {
            return Err(Rejection::NotAllowed(format!(
                "incident {incident:?} is already recorded"
            )));
        }
        if self.incidents.len() == MAX_INCIDENTS {
            return Err(Rejection::Limit {
                what: "incidents",
                limit: MAX_INCIDENTS,
            });
        }
        if harm == 0 {
            return Err(Rejection::Invalid {
                field: "harm",
                message: "expected a positive harm in credits".into(),
            });
        }
        check_amount("harm", harm)?;
        // Cover is what the lab had bought when the incident happened, not later.
        let covered = self.protocol.liability.enabled
            && self
                .lab(lab)
                .history
                .back()
                .is_some_and(|r| r.premium_due > 0 && r.premium_paid >= r.premium_due);
        self.incidents.insert(
            incident.to_string(),
            IncidentRecord {
                lab,
                harm,
                harmed,
                period: self.period,
                covered,
                claimed: false,
            },
        );
        Ok(vec![Effect::IncidentRecorded {
            incident: incident.to_string(),
        }])
    }

    pub(super) fn claim(&mut self, author: &str, incident: &str) -> Handled {
        let claimant = self.participant(author)?;
        let record = self
            .incidents
            .get(incident)
            .ok_or_else(|| Rejection::Invalid {
                field: "incident",
                message: format!("unknown incident {incident:?}"),
            })?;
        if record.harmed != claimant {
            return Err(Rejection::NotAllowed(format!(
                "only the harmed party may claim for incident {incident}"
            )));
        }
        if record.claimed {
            return Err(Rejection::NotAllowed(format!(
                "incident {incident} was already claimed"
            )));
        }
        let (lab, harm, covered) = (record.lab, record.harm, record.covered);
        debug_assert_ne!(lab, claimant, "incidents never name the culprit as harmed");
        let liability = &self.protocol.liability;
        let mut from_pool = 0;
        let mut effects = Vec::new();
        if covered {
            let payable_exact = u128::from(harm)
                * u128::from(parts_per_million(liability.payout_fraction))
                / u128::from(MILLION);
            let mut payable = u64::try_from(payable_exact).expect("at most the harm");
            if liability.max_payout_credits > 0 {
                payable = payable.min(liability.max_payout_credits);
            }
            from_pool = payable.min(self.ledger.balance(AccountId::Pool));
            if from_pool > 0 {
                let date = self.credit_date();
                self.ledger.transfer(
                    AccountId::Pool,
                    AccountId::Participant(claimant),
                    from_pool,
                    date,
                );
                self.settle(claimant, &mut effects);
            }
        }
        // The responsible lab answers for the rest: now from what it holds, later from what it receives.
        let from_lab = self.charge(
            lab,
            Creditor::Participant(claimant),
            harm - from_pool,
            &mut effects,
        );
        self.incidents
            .get_mut(incident)
            .expect("found above")
            .claimed = true;
        effects.insert(
            0,
            Effect::ClaimPaid {
                incident: incident.to_string(),
                from_pool,
                from_lab,
                shortfall: harm - from_pool - from_lab,
            },
        );
        Ok(effects)
    }

    pub(super) fn sanction_decision(
        &mut self,
        author: &str,
        lab_id: &str,
        action: SanctionAction,
        cause: &str,
    ) -> Handled {
        if !self.protocol.sanctions.enabled {
            return Err(Rejection::MechanismDisabled("sanctions"));
        }
        self.require_role(author, Role::Secretariat, "decide sanctions")?;
        let lab = self.lab_index(lab_id)?;
        check_text("cause", cause)?;
        if cause.trim().is_empty() {
            return Err(Rejection::Invalid {
                field: "cause",
                message: "every sanction step records its cause".into(),
            });
        }
        let mut effects = Vec::new();
        match action {
            SanctionAction::Escalate => self.confirm_breach(lab, cause.to_string(), &mut effects),
            SanctionAction::StepDown => self.move_on_ladder(
                lab,
                SanctionAction::StepDown,
                cause.to_string(),
                &mut effects,
            ),
        }
        if effects.is_empty() {
            return Err(Rejection::NotAllowed(format!(
                "{lab_id} cannot move that way on the ladder"
            )));
        }
        Ok(effects)
    }

    pub(super) fn revise_metric(
        &mut self,
        author: &str,
        metric: &str,
        threshold: Option<f64>,
    ) -> Handled {
        self.require_role(author, Role::Secretariat, "revise metrics")?;
        let m = self.metric_index(metric)?;
        let spec = &self.protocol.early_warning.metric[m];
        if let Some(t) = threshold
            && (!t.is_finite() || (spec.log_scale && t <= 0.0))
        {
            return Err(Rejection::Invalid {
                field: "threshold",
                message: format!(
                    "expected a finite{} threshold",
                    if spec.log_scale { " positive" } else { "" }
                ),
            });
        }
        let log_scale = spec.log_scale;
        let bunching = spec.bunching.clone();
        let state = &mut self.metrics[m];
        state.revised_period = self.period;
        state.retired = false;
        if let Some(t) = threshold {
            state.threshold = Some(t);
            // Reports were binned around the old threshold; bunching restarts around the new one.
            state.histogram = bunching
                .as_ref()
                .map(|b| crate::early_warning::Histogram::new(t, log_scale, b));
            state.bunching_alerted = false;
        }
        Ok(vec![Effect::MetricRevised {
            metric: metric.to_string(),
            threshold: state.threshold,
        }])
    }
}

/// Amounts an event charges (fines, compensation, harm) are bounded like
/// issuance, so obligations cannot overflow.
fn check_amount(field: &'static str, amount: u64) -> Result<(), Rejection> {
    if amount > MAX_CREDITS_PER_ISSUANCE {
        return Err(Rejection::Invalid {
            field,
            message: format!("expected at most {MAX_CREDITS_PER_ISSUANCE} credits, got {amount}"),
        });
    }
    Ok(())
}

const MILLION: u64 = 1_000_000;

/// A non-negative fraction of the protocol file (a loading, a payout share)
/// in parts per million, so credit amounts never pass through `f64`.
fn parts_per_million(fraction: f64) -> u64 {
    debug_assert!(
        fraction.is_finite() && fraction >= 0.0,
        "validated by the protocol check"
    );
    (fraction * MILLION as f64).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_credits_are_exact_in_parts_per_million() {
        // f64 would pay 28 of a 100-credit harm at 29%: 100.0 * 0.29 = 28.999….
        assert_eq!((100.0f64 * 0.29).floor(), 28.0);
        assert_eq!(100 * parts_per_million(0.29) / MILLION, 29);
        assert_eq!(parts_per_million(0.8), 800_000);
        assert_eq!(parts_per_million(1.0), MILLION);
    }
}
