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

pub use bunching::{BunchingEstimate, Histogram, estimate_bunching};

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
