//! Early warning: alerts, the evidence behind them, and the detectors.
//!
//! Each detector is a documented function over what the institution sees:
//!
//! * **threshold bunching** ([`bunching`]): excess mass of reported values just
//!   below a regulatory threshold (Chetty et al. 2011; Kleven 2016);
//! * **capability jump**: a lab's reported value grows by more than a factor
//!   over a look-back window (checked on each report);
//! * **selective reporting**: an expected report is missing at the end of its
//!   cycle, or a self-report differs from an audited measurement beyond a
//!   tolerance (only favourable numbers reported, or the metric gamed);
//! * **monitor disagreement**: monitors reach opposite verdicts on the same
//!   lab and period.

pub mod bunching;
pub mod detect;

pub use bunching::{BunchingEstimate, Histogram, estimate_bunching, excess_mass};

use serde::Serialize;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Reported values pile up just below a threshold.
    ThresholdBunching,
    /// A reported capability grew faster than allowed.
    CapabilityJump,
    /// An expected report did not arrive.
    MissingReports,
    /// A self-report and an audit measurement disagree.
    AuditDiscrepancy,
    /// Monitors disagree on a verdict.
    MonitorDisagreement,
    /// Whistleblower receipts call for a special audit.
    SpecialAuditRequired,
}

/// The evidence behind an alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "evidence", rename_all = "snake_case")]
pub enum Evidence {
    /// The bunching estimate with its bootstrap interval.
    Bunching(Box<BunchingEstimate>),
    /// Growth over the window.
    Jump {
        /// Period of the earliest report in the window.
        from_period: u32,
        /// Its value.
        from_value: f64,
        /// Period of the new report.
        to_period: u32,
        /// Its value.
        to_value: f64,
        /// `to_value / from_value`.
        growth_factor: f64,
        /// The limit in the protocol.
        max_growth_factor: f64,
    },
    /// A missing report.
    Missing {
        /// Reporting cycle.
        expected_every_periods: u32,
        /// Last period reported, if ever.
        last_reported_period: Option<u32>,
    },
    /// A self-report against an audited measurement.
    Discrepancy {
        /// Period audited.
        audited_period: u32,
        /// Value the lab reported.
        reported: f64,
        /// Value the monitor measured.
        measured: f64,
        /// `|reported − measured| / max(|reported|, |measured|)`.
        relative_difference: f64,
        /// The tolerance in the protocol.
        tolerance: f64,
        /// Monitor.
        monitor: String,
    },
    /// Verdict counts.
    Disagreement {
        /// Period audited.
        audited_period: u32,
        /// Compliant verdicts.
        compliant: usize,
        /// Violation verdicts.
        violation: usize,
        /// Inconclusive verdicts.
        inconclusive: usize,
    },
    /// Whistleblower receipts.
    Whistleblower {
        /// Receipts this period.
        receipts: u32,
        /// Receipts that trigger a special audit.
        trigger: u32,
    },
}

/// An early-warning alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Sequential id.
    pub id: u64,
    /// Period raised.
    pub period: u32,
    /// Lab concerned, if one.
    pub lab: Option<String>,
    /// What it is about.
    pub kind: AlertKind,
    /// Metric concerned, if one.
    pub metric: Option<String>,
    /// Why.
    pub evidence: Evidence,
}

impl Alert {
    /// A new alert (its id is assigned when raised).
    pub fn new(
        period: u32,
        lab: Option<&str>,
        kind: AlertKind,
        metric: Option<&str>,
        evidence: Evidence,
    ) -> Self {
        Self {
            id: 0,
            period,
            lab: lab.map(str::to_string),
            kind,
            metric: metric.map(str::to_string),
            evidence,
        }
    }
}

/// A jump in a time series: a value more than `max_growth` times the largest
/// value seen in the preceding window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesJump {
    /// Time of the jumping value.
    pub time: f64,
    /// The value.
    pub value: f64,
    /// Time of the previous maximum within the window.
    pub reference_time: f64,
    /// The previous maximum.
    pub reference_value: f64,
    /// `value / reference_value`.
    pub growth_factor: f64,
}

/// Capability jumps in a series of `(time, value)` points (any order): each
/// point is compared with the largest earlier value within `window` time
/// units before it; growth beyond `max_growth` is a jump. Points with no
/// earlier value in the window are not compared.
pub fn series_jumps(points: &[(f64, f64)], window: f64, max_growth: f64) -> Vec<SeriesJump> {
    let mut sorted: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0)
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut jumps = Vec::new();
    for (i, &(time, value)) in sorted.iter().enumerate() {
        let reference = sorted[..i]
            .iter()
            .filter(|&&(t, _)| t < time && time - t <= window)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some(&(reference_time, reference_value)) = reference {
            let growth_factor = value / reference_value;
            if growth_factor > max_growth {
                jumps.push(SeriesJump {
                    time,
                    value,
                    reference_time,
                    reference_value,
                    growth_factor,
                });
            }
        }
    }
    jumps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumps_compare_with_the_window_maximum() {
        let series = [
            (0.0, 1.0),
            (0.5, 8.0),
            (1.0, 100.0),
            (3.0, 200.0),
            (3.2, 5000.0),
        ];
        let jumps = series_jumps(&series, 1.0, 10.0);
        assert_eq!(jumps.len(), 2);
        assert_eq!((jumps[0].time, jumps[0].reference_value), (1.0, 8.0));
        assert_eq!((jumps[1].time, jumps[1].growth_factor), (3.2, 25.0));
    }
}
