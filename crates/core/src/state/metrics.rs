//! Early-warning metrics: reports and revisions. Each handler checks on
//! `&State` and returns the change that alone mutates it (see `handlers`).

use super::handlers::{Change, Handled};
use super::{Effect, Rejection, State};
use crate::early_warning::{Alert, AlertKind, Evidence};
use crate::event::Role;

impl State {
    pub(super) fn metric_index(&self, metric: &str) -> Result<usize, Rejection> {
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

    pub(super) fn report_metric<'a>(
        &self,
        author: &'a str,
        metric: &'a str,
        value: f64,
    ) -> Handled<'a> {
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
        Ok(Change::new(move |state| {
            // Reports stay while an audit of their period may still arrive, and as long as the jump window.
            let audit_window = state.protocol.monitoring.audit_window_periods as usize + 1;
            let look_back = spec
                .jump
                .as_ref()
                .map_or(1, |j| j.window_periods as usize + 1)
                .max(audit_window);
            let track = &mut state.lab_mut(lab).metrics[m];
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
            if let Some(histogram) = state.metrics[m].histogram.as_mut() {
                histogram.add(value);
            }
            let mut effects = vec![Effect::ReportRecorded {
                lab: author.to_string(),
                what: metric.to_string(),
            }];
            if let (true, Some(jump), Some((from_period, from_value))) =
                (state.protocol.early_warning.enabled, &spec.jump, oldest)
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
                    state.raise(alert, &mut effects);
                }
            }
            effects
        }))
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

    pub(super) fn revise_metric<'a>(
        &self,
        author: &'a str,
        metric: &'a str,
        threshold: Option<f64>,
    ) -> Handled<'a> {
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
        Ok(Change::new(move |state| {
            let spec = &state.protocol.early_warning.metric[m];
            let metric_state = &mut state.metrics[m];
            metric_state.revised_period = state.period;
            metric_state.retired = false;
            if let Some(t) = threshold {
                metric_state.threshold = Some(t);
                // Reports were binned around the old threshold; bunching restarts around the new one.
                metric_state.histogram = spec
                    .bunching
                    .as_ref()
                    .map(|b| crate::early_warning::Histogram::new(t, spec.log_scale, b));
                metric_state.bunching_alerted = false;
            }
            vec![Effect::MetricRevised {
                metric: metric.to_string(),
                threshold: metric_state.threshold,
            }]
        }))
    }
}
