//! The institution each period (`docs/model.md`, sections 4–5): reports, audits, whistleblowers, credits, premiums, incidents and alerts.

use super::*;
use crate::stats::shuffle;
use accord_core::early_warning::Alert;

impl Simulation<'_> {
    /// Reports, audits, receipts, credits, premiums and the period's close.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn institutional_period(
        &mut self,
        safe: &[bool],
        active: &[bool],
        raced: &[f64],
        speed: &[f64],
        compute_scale: f64,
        g: u32,
        disasters: &[f64],
        races: &[Race],
    ) -> usize {
        let world = self.world;
        let n = self.labs.len();
        let protocols = self.protocols.clone();
        // Each registry's alerts concern its own labs.
        let mut alerts: Vec<Vec<Alert>> = vec![Vec::new(); self.registries.len()];
        // Labs report under the metrics whose declared roles the simulator
        // can drive, each registry's own.
        let compute_metric: Vec<_> = protocols
            .iter()
            .map(|p| p.metric_with_role(MetricRole::TrainingCompute))
            .collect();
        let capability_metric: Vec<_> = protocols
            .iter()
            .map(|p| p.metric_with_role(MetricRole::CapabilityEvaluation))
            .collect();
        let threshold: Vec<Option<f64>> = compute_metric
            .iter()
            .map(|m| m.and_then(|m| m.threshold))
            .collect();
        let investment = world.economy.investment_per_safe_period;
        let mut claimed = vec![0u64; n];
        let mut true_compute = vec![0.0; n];
        // Each lab's furthest progress in any of its races, in one pass over the races.
        let mut progress = vec![0.0f64; n];
        if capability_metric.iter().any(Option::is_some) {
            for race in races {
                for (lab, lab_progress) in race.progresses() {
                    progress[lab] = progress[lab].max(lab_progress);
                }
            }
        }
        for i in (0..n).filter(|&i| active[i]) {
            let strategy = self.labs[i].strategy;
            let omit = !safe[i] && strategy.reporting == Reporting::Selective;
            if safe[i] || strategy.reporting == Reporting::Gaming {
                // Whole units, the rest carried: claims over a generation
                // match the safety cost's share of the periods raced.
                debug_assert!((0.0..=1.0).contains(&raced[i]));
                let spent = self.unreported_investment[i] + investment as f64 * raced[i];
                let whole = (spent + 1e-9).floor();
                claimed[i] = whole as u64;
                self.unreported_investment[i] = (spent - whole).max(0.0);
            }
            let home = self.home[i];
            let p = protocols[home];
            true_compute[i] = compute_scale * speed[i];
            let mut reported = true_compute[i];
            if strategy.reporting == Reporting::ThresholdManipulation
                && let Some(t) = threshold[home]
                && reported >= t
            {
                reported = t * (1.0 - world.economy.manipulation_margin);
            }
            if p.monitoring.enabled || p.credits.enabled {
                self.registries[home].report_investment(i, claimed[i]);
            }
            if p.early_warning.enabled && !omit {
                if let Some(metric) = compute_metric[home] {
                    self.registries[home].report_metric(
                        i,
                        &metric.name,
                        reported,
                        &mut alerts[home],
                    );
                    self.reported_compute[i] = reported;
                }
                if let Some(metric) = capability_metric[home] {
                    let score =
                        (f64::from(g) + progress[i] / world.race.milestone) / (f64::from(g) + 1.0);
                    self.registries[home].report_metric(
                        i,
                        &metric.name,
                        score.max(1e-6),
                        &mut alerts[home],
                    );
                }
            }
        }
        // Where any registry audits, every lab draws as if audited (a lab
        // whose registry appoints no monitor meets an empty panel), so a
        // jurisdiction without monitors, a haven and labs outside the
        // protocol leave the same draws to everyone else.
        let audits = self.audits;
        for i in (0..n).filter(|&i| audits && active[i]) {
            let home = self.home[i];
            self.audit_lab(
                i,
                safe[i],
                claimed[i],
                true_compute[i],
                threshold[home],
                &mut alerts[home],
            );
        }
        // A lab whose registry runs no channel draws as a lab outside the
        // protocol does (under the protocol under study's channel), so a
        // registry without one, a haven and labs outside the protocol leave
        // the same draws to everyone else; only a registry's channel files.
        // The study's `protection` thus shifts this stream even where no
        // registry runs its channel (docs/model.md, section 4).
        let w = &world.whistleblowers;
        for i in (0..n).filter(|&i| active[i] && !safe[i]) {
            let home = self.home[i];
            let own = &protocols[home].whistleblower;
            let channel = if own.enabled {
                own
            } else {
                &self.protocol.whistleblower
            };
            if !channel.enabled {
                continue;
            }
            let probability = w.base_probability
                + channel.protection * (w.protected_probability - w.base_probability);
            if self.whistleblowing.random::<f64>() < probability {
                let nonce = self.whistleblowing.random::<u64>();
                if own.enabled {
                    self.registries[home].whistleblower_receipt(i, nonce, &mut alerts[home]);
                }
            }
        }
        for i in (0..n).filter(|&i| claimed[i] > 0) {
            if protocols[self.home[i]].credits.enabled {
                self.registry_mut(i).issue_credits(i);
            }
        }
        let insured: Vec<bool> = (0..n)
            .map(|i| protocols[self.home[i]].liability.enabled)
            .collect();
        for i in (0..n).filter(|&i| insured[i]) {
            self.registry_mut(i).pay_premium(i);
        }
        if !disasters.is_empty() && insured.contains(&true) {
            self.record_incidents(disasters, &Totals::of(races, self.labs.len()));
        }
        let revised: Vec<Vec<String>> = self
            .registries
            .iter_mut()
            .zip(&mut alerts)
            .map(|(registry, alerts)| registry.close_period(alerts))
            .collect();
        // Goodhart: a lab learns to game the version of the metric it reports
        // under; the metric's revision voids what it learned.
        if world.monitors.gaming_half_life_periods.is_some() {
            for i in (0..n).filter(|&i| active[i] && !safe[i]) {
                if self.labs[i].strategy.reporting == Reporting::Gaming {
                    self.gaming_capital[i] = self.gaming_capital[i].saturating_add(1);
                }
            }
            for i in 0..n {
                let home = self.home[i];
                if compute_metric[home].is_some_and(|metric| revised[home].contains(&metric.name)) {
                    self.gaming_capital[i] = 0;
                }
            }
        }
        self.flagged = vec![false; n];
        for (registry, alerts) in alerts.iter().enumerate() {
            for alert in alerts {
                match (&alert.lab, alert.kind) {
                    (Some(lab), _) => {
                        if let Some(i) = self.registries[registry].lab_index(lab) {
                            self.flagged[i] = true;
                        }
                    }
                    (None, AlertKind::ThresholdBunching) => {
                        if let (Evidence::Bunching(e), Some(t)) =
                            (&alert.evidence, threshold[registry])
                        {
                            let lower = t * 10f64.powf(e.window.0);
                            for i in (0..n).filter(|&i| self.home[i] == registry) {
                                let reported = self.reported_compute[i];
                                if reported >= lower && reported < t {
                                    self.flagged[i] = true;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        alerts.iter().map(Vec::len).sum()
    }

    pub(super) fn audit_lab(
        &mut self,
        lab: usize,
        safe: bool,
        claimed: u64,
        true_compute: f64,
        threshold: Option<f64>,
        alerts: &mut Vec<Alert>,
    ) {
        let m = &self.world.monitors;
        let rate = if self.flagged[lab] {
            1.0
        } else if threshold.is_some_and(|t| self.reported_compute[lab] >= t) {
            m.audit_rate_above_threshold
        } else {
            m.audit_rate
        };
        let panel = self.registry(lab).panel(lab);
        let common =
            (self.rng.random::<f64>() < m.blind_spot_correlation).then(|| self.rng.random::<f64>());
        let rotation = if self.protocols[self.home[lab]].monitoring.rotation_periods > 0 {
            m.rotation_capture_factor
        } else {
            1.0
        };
        let strategy = self.labs[lab].strategy;
        let mut audited = false;
        let mut detected = false;
        let mut convicted = false;
        for monitor in panel {
            if self.rng.random::<f64>() >= rate {
                continue;
            }
            let verified = (claimed > 0).then_some(claimed);
            let reported = self.reported_compute[lab];
            let finding = if safe {
                if self.rng.random::<f64>() < m.false_alarm {
                    Finding {
                        verdict: Verdict::Violation,
                        verified_investment: None,
                        measured_compute: Some(true_compute),
                    }
                } else {
                    Finding {
                        verdict: Verdict::Compliant,
                        verified_investment: verified,
                        measured_compute: Some(true_compute),
                    }
                }
            } else {
                let captured = strategy.reporting == Reporting::Capture && {
                    self.capture_spend[lab] += self.world.economy.capture_cost;
                    self.rng.random::<f64>() < m.capture[monitor % m.capture.len()] * rotation
                };
                let draw = common.unwrap_or_else(|| self.rng.random::<f64>());
                let mut detection = m.detection[monitor % m.detection.len()];
                if let Some(half_life) = m.gaming_half_life_periods
                    && strategy.reporting == Reporting::Gaming
                {
                    detection *= (-f64::from(self.gaming_capital[lab]) / half_life).exp2();
                }
                if !captured && draw < detection {
                    Finding {
                        verdict: Verdict::Violation,
                        verified_investment: None,
                        measured_compute: Some(true_compute),
                    }
                } else {
                    Finding {
                        verdict: Verdict::Compliant,
                        verified_investment: verified,
                        measured_compute: Some(reported),
                    }
                }
            };
            let violation = finding.verdict == Verdict::Violation;
            if let Some(verdict) = self.registry_mut(lab).audit(monitor, lab, finding, alerts) {
                audited = true;
                detected |= violation;
                let violation_verdict = verdict == Some(Verdict::Violation);
                convicted |= violation_verdict;
                // Standing follows the panel's verdict, not a dissenting vote.
                self.found_violating[lab] |= violation_verdict;
                self.judged[lab] |= verdict.is_some_and(|v| v != Verdict::Inconclusive);
            }
        }
        if safe {
            if audited {
                self.stats.safe_audited += 1;
                self.stats.false_alarms += u64::from(detected);
            }
        } else {
            self.stats.unsafe_periods += 1;
            if audited {
                self.stats.unsafe_audited += 1;
                self.stats.unsafe_detected += u64::from(detected);
                self.stats.unsafe_convicted += u64::from(convicted);
            }
        }
    }

    /// Disasters harm the other labs by the collective setback; the liability pool and the lab pay claims.
    ///
    /// A victim of `k` disasters lost `1 − (1 − σ)^k` of its race payoff
    /// (setbacks compound, as in `settle`); each culprit answers for an equal
    /// `1/k` of that loss, so claims never exceed what the victim lost.
    pub(super) fn record_incidents(&mut self, disasters: &[f64], totals: &Totals) {
        let setback = self.world.race.collective_setback;
        let value = self.world.economy.credit_value;
        if setback <= 0.0 || value <= 0.0 || self.realisation() != Realisation::Sampled {
            return;
        }
        let (payoff, duration) = (&totals.payoff, totals.duration);
        let mut culprits: Vec<usize> = (0..disasters.len())
            .filter(|&i| disasters[i] >= 1.0)
            .collect();
        // Each victim's harm per culprit, in credits; victims owed nothing are skipped.
        let mut owed: Vec<(usize, u64)> = (0..self.labs.len())
            .filter_map(|victim| {
                let others = culprits.len() - usize::from(disasters[victim] >= 1.0);
                let share_per_culprit = loss_share_per_culprit(setback, others)?;
                let harm = (share_per_culprit * payoff[victim].max(0.0) * duration / value).round();
                (harm >= 1.0).then_some((victim, harm as u64))
            })
            .collect();
        shuffle(&mut culprits, &mut self.settlement_order);
        shuffle(&mut owed, &mut self.settlement_order);
        // Claims are filed where both labs are registered: a registry has no
        // standing over a culprit or a victim based elsewhere.
        let period = self.registries[0].state().period();
        for &culprit in &culprits {
            let home = self.home[culprit];
            if !self.protocols[home].liability.enabled {
                continue;
            }
            for &(victim, harm) in owed
                .iter()
                .filter(|&&(victim, _)| victim != culprit && self.home[victim] == home)
            {
                let id = format!("d{period}-{culprit}-{victim}");
                self.registries[home].incident(id, culprit, victim, harm);
            }
        }
    }
}

/// The share of its race payoff a victim of `disasters` compounding setbacks
/// `σ` claims from each culprit: `(1 − (1 − σ)^k) / k` (`σ` when `k = 1`);
/// None without a disaster.
fn loss_share_per_culprit(setback: f64, disasters: usize) -> Option<f64> {
    match disasters {
        0 => None,
        1 => Some(setback),
        k => Some((1.0 - (1.0 - setback).powi(k as i32)) / k as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_add_up_to_the_compounded_loss_and_never_exceed_it() {
        for setback in [0.01, 0.2, 0.5, 1.0] {
            assert_eq!(loss_share_per_culprit(setback, 0), None);
            assert_eq!(loss_share_per_culprit(setback, 1), Some(setback));
            let mut survived = 1.0;
            for k in 1..=500 {
                survived *= 1.0 - setback;
                let claimed = k as f64 * loss_share_per_culprit(setback, k).unwrap();
                let lost = 1.0 - survived;
                assert!(
                    (claimed - lost).abs() < 1e-12,
                    "σ {setback}, k {k}: {claimed} vs {lost}"
                );
                assert!(claimed <= 1.0 + 1e-12);
            }
        }
    }
}
