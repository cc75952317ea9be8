//! Closing a period: the rules that run when logical time advances. The
//! handler checks on `&State` and returns the change that alone mutates it
//! (see `handlers`); the rules below run only inside that change.

use super::handlers::{Change, Handled};
use super::{Creditor, Effect, PeriodRecord, State};
use crate::early_warning::{Alert, AlertKind, Evidence, estimate_bunching, excess_mass};
use crate::event::{Role, SanctionAction};

impl State {
    pub(super) fn close_period<'a>(&self, author: &'a str) -> Handled<'a> {
        self.require_role(author, Role::Secretariat, "close periods")?;
        Ok(Change::new(|state| {
            let period = state.period;
            let mut effects = Vec::new();
            state.check_reporting(period, &mut effects);
            state.run_bunching(period, &mut effects);
            state.step_down_compliant_labs(&mut effects);
            state.retire_metrics(period, &mut effects);

            state.collect_surrenders(period, &mut effects);
            let next = period + 1;
            let expiry = state.protocol.credits.expiry_periods;
            if expiry > 0 && next >= expiry {
                let expired = state.ledger.expire_through(next - expiry);
                if expired > 0 {
                    effects.push(Effect::CreditsExpired { amount: expired });
                }
            }
            let window = state.protocol.monitoring.audit_window_periods;
            let oldest_open = next.saturating_sub(window);
            state
                .audits
                .retain(|&(audited, _), _| audited >= oldest_open);
            state.period = next;
            let keep = state.history_periods();
            let labs: Vec<usize> = (0..state.participants.len())
                .filter(|&i| state.participants[i].lab.is_some())
                .collect();
            for lab in labs {
                // Rated on the window ending with the period just closed, so
                // its breaches raise the next `rating_window_periods` premiums.
                let due = if state.protocol.liability.enabled {
                    state.premium_due(lab)
                } else {
                    0
                };
                let record = state.lab_mut(lab);
                record.breaches_this_period = 0;
                record.whistle_receipts = 0;
                record.premium_paid = 0;
                record.history.push_back(PeriodRecord {
                    period: next,
                    premium_due: due,
                    ..PeriodRecord::default()
                });
                while record.history.len() > keep {
                    record.history.pop_front();
                }
            }
            effects.push(Effect::PeriodClosed { period });
            effects
        }))
    }

    /// Each lab in the protocol surrenders the period's credits (rule 15a),
    /// before expiry, so credits expiring at this close still count.
    fn collect_surrenders(&mut self, period: u32, effects: &mut Vec<Effect>) {
        let due = self.protocol.credits.surrender_per_period;
        if due == 0 || !self.protocol.credits.enabled {
            return;
        }
        for lab in 0..self.participants.len() {
            if self.participants[lab].lab.is_none() || !self.lab(lab).in_protocol() {
                continue;
            }
            let surrendered = self.charge(lab, Creditor::Burn, due, effects);
            effects.push(Effect::CreditsSurrendered {
                lab: self.participants[lab].id.clone(),
                period,
                surrendered,
                owed: due - surrendered,
            });
        }
    }

    /// Expected metric reports whose cycle ends this period: delivered or missing.
    /// A switched-off `[early_warning]` expects no reports: nothing is
    /// recorded missing, as nothing in a switched-off section acts.
    fn check_reporting(&mut self, period: u32, effects: &mut Vec<Effect>) {
        if !self.protocol.early_warning.enabled {
            return;
        }
        let metrics = self.protocol.early_warning.metric.clone();
        for lab in 0..self.participants.len() {
            if self.participants[lab].lab.is_none() || !self.lab(lab).in_protocol() {
                continue;
            }
            let registered = self.participants[lab].registered_period;
            for (m, spec) in metrics.iter().enumerate() {
                let every = spec.expected_every_periods;
                if every == 0
                    || self.metrics[m].retired
                    || !(period + 1).is_multiple_of(every)
                    || period + 1 < registered + every
                {
                    continue;
                }
                let since = period + 1 - every;
                let last = self.lab(lab).metrics[m].last_period;
                let delivered = last.is_some_and(|p| p >= since);
                if let Some(current) = self.lab_mut(lab).history.back_mut() {
                    current.reports_expected += 1;
                    current.reports_delivered += u32::from(delivered);
                }
                if !delivered {
                    let lab_id = self.participants[lab].id.clone();
                    let alert = Alert::new(
                        period,
                        Some(&lab_id),
                        AlertKind::MissingReports,
                        Some(&spec.name),
                        Evidence::Missing {
                            expected_every_periods: every,
                            last_reported_period: last,
                        },
                    );
                    self.raise(alert, effects);
                }
            }
        }
    }

    fn run_bunching(&mut self, period: u32, effects: &mut Vec<Effect>) {
        if !self.protocol.early_warning.enabled {
            return;
        }
        for m in 0..self.metrics.len() {
            let spec = &self.protocol.early_warning.metric[m];
            let (Some(bunching), Some(histogram)) = (&spec.bunching, &self.metrics[m].histogram)
            else {
                continue;
            };
            let in_range = histogram.in_range();
            let checked = self.metrics[m].bunching_checked_at;
            // The estimate only changes with new data: rerun after 25% more reports in range.
            if self.metrics[m].bunching_alerted
                || histogram.reports() < u64::from(bunching.min_reports)
                || (checked > 0 && in_range * 4 < checked * 5)
            {
                continue;
            }
            let screened = excess_mass(histogram, bunching).is_some_and(|b| b > 0.0);
            let estimate = if screened {
                estimate_bunching(histogram, bunching)
            } else {
                None
            };
            self.metrics[m].bunching_checked_at = in_range.max(1);
            let Some(estimate) = estimate else {
                continue;
            };
            if estimate.significant() {
                let name = spec.name.clone();
                self.metrics[m].bunching_alerted = true;
                let alert = Alert::new(
                    period,
                    None,
                    AlertKind::ThresholdBunching,
                    Some(&name),
                    Evidence::Bunching(Box::new(estimate)),
                );
                self.raise(alert, effects);
            }
        }
    }

    /// Counts each period's verdict once it is reached — audits of a period
    /// may arrive in a later period, within the audit window — toward the
    /// compliant streak that steps a lab down the ladder.
    fn step_down_compliant_labs(&mut self, effects: &mut Vec<Effect>) {
        let needed = self.protocol.sanctions.periods_to_step_down;
        let window = self.protocol.monitoring.audit_window_periods;
        let period = self.period;
        for lab in 0..self.participants.len() {
            if self.participants[lab].lab.is_none() {
                continue;
            }
            let record = self.lab_mut(lab);
            let missed_reports = record
                .history
                .back()
                .is_some_and(|r| r.reports_delivered < r.reports_expected);
            if record.breaches_this_period > 0 || missed_reports {
                record.compliant_streak = 0;
            }
            // The latest period that restarted the count. Verdicts still
            // uncounted are within the audit window, which the history
            // covers, so no later restart has left it.
            let last_reset = record
                .history
                .iter()
                .rev()
                .find(|r| r.breaches > 0 || r.reports_delivered < r.reports_expected)
                .map(|r| r.period);
            let mut counted_now = false;
            for past in record.history.iter_mut().filter(|r| !r.step_down_counted) {
                let window_closed = past.period + window <= period;
                match past.verdict {
                    // Compliance from before a reset does not count after it,
                    // however late its verdict arrives.
                    Some(crate::event::Verdict::Compliant)
                        if last_reset.is_none_or(|reset| past.period > reset) =>
                    {
                        record.compliant_streak += 1;
                        past.step_down_counted = true;
                        counted_now = true;
                    }
                    Some(_) => past.step_down_counted = true,
                    // Only demonstrated compliance counts: a quiet, unaudited
                    // period neither counts nor resets.
                    None => past.step_down_counted = window_closed,
                }
            }
            if counted_now && needed > 0 && record.compliant_streak >= needed && record.level > 0 {
                record.compliant_streak = 0;
                self.move_on_ladder(
                    lab,
                    SanctionAction::StepDown,
                    format!("{needed} consecutive compliant periods"),
                    effects,
                );
            }
        }
    }

    fn retire_metrics(&mut self, period: u32, effects: &mut Vec<Effect>) {
        for m in 0..self.metrics.len() {
            let sunset = self.protocol.early_warning.metric[m].sunset_after_periods;
            let state = &mut self.metrics[m];
            if sunset > 0 && !state.retired && period + 1 - state.revised_period >= sunset {
                state.retired = true;
                effects.push(Effect::MetricRetired {
                    metric: self.protocol.early_warning.metric[m].name.clone(),
                });
            }
        }
    }
}
