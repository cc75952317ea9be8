//! Monitoring: investment reports, audits by the panel, discrepancies and
//! whistleblower receipts. Each handler checks on `&State` and returns the
//! change that alone mutates it (see `handlers`).

use super::handlers::{Change, Handled};
use super::{CommitmentStatus, Effect, InvestmentRecord, Rejection, State, Vote};
use crate::early_warning::{Alert, AlertKind, Evidence};
use crate::event::{Role, Verdict};
use std::collections::{BTreeMap, BTreeSet};

impl State {
    pub(super) fn report_investment<'a>(&self, author: &'a str, amount: u64) -> Handled<'a> {
        let lab = self.require_role(author, Role::Lab, "report safety investment")?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive investment".into(),
            });
        }
        let period = self.period;
        if self
            .lab(lab)
            .investments
            .back()
            .is_some_and(|r| r.period == period)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} already reported its investment for period {period}"
            )));
        }
        let window = self.protocol.monitoring.audit_window_periods as usize + 1;
        Ok(Change::new(move |state| {
            let record = state.lab_mut(lab);
            if record.investments.len() == window {
                record.investments.pop_front();
            }
            record.investments.push_back(InvestmentRecord {
                period,
                amount,
                credited: false,
            });
            vec![Effect::ReportRecorded {
                lab: author.to_string(),
                what: "investment".into(),
            }]
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn audit<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        audited_period: u32,
        verdict: Verdict,
        verified_investment: Option<u64>,
        measurements: &'a BTreeMap<String, f64>,
        violated_commitments: &'a [String],
    ) -> Handled<'a> {
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
        Ok(Change::new(move |state| {
            let mut effects = vec![Effect::AuditRecorded {
                lab: lab_id.to_string(),
                period: audited_period,
                monitor: author.to_string(),
                verdict,
            }];
            state.check_discrepancies(lab, author, audited_period, measurements, &mut effects);
            let quorum = state.protocol.monitoring.quorum;
            let tally = state.audits.entry(key).or_insert_with(|| super::Tally {
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
                && state.protocol.early_warning.enabled
                && state.protocol.early_warning.disagreement_alerts
            {
                let alert = Alert::new(
                    state.period,
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
                state.raise(alert, &mut effects);
            }
            if let Some(verdict) = decided {
                effects.push(Effect::VerdictReached {
                    lab: lab_id.to_string(),
                    period: audited_period,
                    verdict,
                });
                if let Some(record) = state
                    .lab_mut(lab)
                    .history
                    .iter_mut()
                    .find(|r| r.period == audited_period)
                {
                    record.verdict = Some(verdict);
                }
                if verdict == Verdict::Violation {
                    state.confirm_breach(
                        lab,
                        format!("audit quorum found a violation in period {audited_period}"),
                        &mut effects,
                    );
                    for reference in violated {
                        let (owner, position) = state
                            .find_commitment(&reference)
                            .expect("checked before the change");
                        if state.participants[owner].commitments[position].status
                            == CommitmentStatus::Active
                            && state.participants[owner].commitments[position].binding
                        {
                            state.violate_commitment(owner, position, &mut effects);
                        }
                    }
                }
            }
            effects
        }))
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

    pub(super) fn whistleblower_receipt<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        report_commitment: &'a str,
    ) -> Handled<'a> {
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
        Ok(Change::new(move |state| {
            let trigger = state.protocol.whistleblower.receipts_to_trigger_audit;
            let record = state.lab_mut(lab);
            record.whistle_receipts += 1;
            let receipts = record.whistle_receipts;
            let mut effects = vec![Effect::ReportRecorded {
                lab: lab_id.to_string(),
                what: "whistleblower receipt".into(),
            }];
            if receipts == trigger {
                let alert = Alert::new(
                    state.period,
                    Some(lab_id),
                    AlertKind::SpecialAuditRequired,
                    None,
                    Evidence::Whistleblower { receipts, trigger },
                );
                state.raise(alert, &mut effects);
            }
            effects
        }))
    }
}
