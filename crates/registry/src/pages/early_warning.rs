//! The early-warning dashboard: the core detectors' alerts on this
//! registry's reports, and training compute against the thresholds that
//! matter in law, on Epoch AI's public data, with the bunching estimate and
//! its interval below each threshold (the same pipeline as `accord protocol
//! detect`).
//!
//! Thresholds: the EU AI Act presumes systemic risk above 10²⁵ FLOP of
//! training compute (Art. 51(2)) and wants the Commission notified within
//! two weeks of meeting it (Art. 52(1)); California's SB 53 (2025) calls a
//! model trained with more than 10²⁶ FLOP a frontier model.

use super::{
    PageQuery, ROWS_PER_PAGE, Shared, UrlQuery, head, html_response, page_offset, pagination,
    shell, witnessed,
};
use accord_core::early_warning::Evidence;
use accord_core::early_warning::detect::{
    DatedReport, DetectOptions, Detection, ThresholdResult, detect, split_groups, year_fraction,
};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use std::sync::OnceLock;

/// Epoch AI's training compute of notable models (`data/epoch-ai/`, CC BY 4.0).
const EPOCH_CSV: &str = include_str!("../../../../data/epoch-ai/notable-ai-models-compute.csv");
const EPOCH_ATTRIBUTION: &str = "Data: Epoch AI (epoch.ai), “Data on Notable AI Models”, CC BY 4.0; columns reduced (data/epoch-ai).";

/// Each threshold with the law that sets it.
const LAWS: [(f64, &str); 2] = [
    (
        1e25,
        "EU AI Act: presumption of systemic risk; notify the Commission within two weeks",
    ),
    (1e26, "California SB 53: frontier model"),
];

/// The embedded dataset and what the detectors find in it, computed once.
struct Reference {
    /// `(fractional year, log10 FLOP)` of every model.
    points: Vec<(f64, f64)>,
    detection: Detection,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(EPOCH_CSV.as_bytes());
        let reports: Vec<DatedReport> = reader
            .records()
            .map(|record| {
                let record = record.expect("the embedded dataset is valid CSV");
                let date = record[2].to_string();
                DatedReport {
                    time: year_fraction(&date).expect("the embedded dataset's dates parse"),
                    value: record[3]
                        .parse()
                        .expect("the embedded dataset's values parse"),
                    groups: split_groups(&record[1]),
                    date,
                }
            })
            .collect();
        let options = DetectOptions {
            thresholds: LAWS.iter().map(|(t, _)| *t).collect(),
            ..DetectOptions::default()
        };
        let settings = options.settings().expect("the default settings are valid");
        Reference {
            points: reports.iter().map(|r| (r.time, r.value.log10())).collect(),
            detection: detect(&reports, &settings),
        }
    })
}

/// `/early-warning`.
pub(super) async fn dashboard(
    State(registry): State<Shared>,
    UrlQuery(query): UrlQuery<PageQuery>,
) -> Response {
    let (view, provenance) = match witnessed(&registry) {
        Ok(witnessed) => witnessed,
        Err(page) => return *page,
    };
    let (alerts, raised) = view.replica.state().alerts();
    let (page, offset) = page_offset(query.page, alerts.len());
    let reference = reference();
    let defaults = DetectOptions::default();
    let main = html! {
        section aria-labelledby="alerts" {
            h2 #alerts { "Alerts from this registry's detectors" }
            p { (raised) " raised in all; the latest " (alerts.len()) " are kept. They are derived from the whole log: " code { "accord registry audit" } " replays it and finds the same." }
            table #alert-table {
                caption { "Alerts, latest first" }
                (head(&["Alert", "Period", "Kind", "Lab", "Evidence"]))
                tbody {
                    @for alert in alerts.iter().rev().skip(offset).take(ROWS_PER_PAGE) {
                        tr {
                            th scope="row" { "#" (alert.id) }
                            td { (alert.period) }
                            td { (kind_label(alert.kind)) @if let Some(metric) = &alert.metric { " (" (metric) ")" } }
                            td { (alert.lab.as_deref().unwrap_or("—")) }
                            td { (evidence(&alert.evidence)) }
                        }
                    }
                }
            }
            (pagination("/early-warning", page, alerts.len()))
        }
        section aria-labelledby="compute" {
            h2 #compute { "Training compute against the thresholds in law" }
            p.attribution { (EPOCH_ATTRIBUTION) }
            (scatter(&reference.points))
            table #thresholds {
                caption { "Bunching below each threshold (" (reference.points.len()) " models; bins of " (defaults.bin_width) " dex, counterfactual polynomial of order " (defaults.order) " over ±" (defaults.fit_range) " dex, " (defaults.replicates) " bootstrap replicates of the bin counts)" }
                (head(&["Threshold", "Law", "Models at or above", "Excess just below", "b̂ (bins)", "95% interval", "Verdict"]))
                tbody {
                    @for (result, (_, law)) in reference.detection.bunching.iter().zip(LAWS) {
                        (threshold_row(result, law, &reference.points))
                    }
                }
            }
            @for result in &reference.detection.bunching {
                @if let Some(estimate) = &result.estimate {
                    details {
                        summary { "Counts near 10" sup { (result.threshold.log10().round()) } " FLOP, observed and counterfactual" }
                        table {
                            caption { "Bins relative to 10" sup { (result.threshold.log10().round()) } " FLOP (dex)" }
                            (head(&["Bin centre", "Observed", "Counterfactual"]))
                            tbody {
                                @for ((bin, observed), counterfactual) in estimate.bins.iter().zip(&estimate.counts).zip(&estimate.counterfactual) {
                                    tr { th scope="row" { (format!("{bin:+.3}")) } td { (observed) } td { (format!("{counterfactual:.2}")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    html_response(shell("Early warning", &provenance, main))
}

fn threshold_row(result: &ThresholdResult, law: &str, points: &[(f64, f64)]) -> Markup {
    let exponent = result.threshold.log10();
    let above = points.iter().filter(|(_, v)| *v >= exponent).count();
    html! {
        tr {
            th scope="row" { "10" sup { (exponent.round()) } " FLOP" }
            td { (law) }
            td { (above) }
            @match &result.estimate {
                Some(e) => {
                    td { (format!("{:+.1} models", e.excess_mass)) }
                    td { (format!("{:+.2}", e.normalised_excess)) }
                    td { (format!("[{:+.2}, {:+.2}]", e.interval.0, e.interval.1)) }
                    td { @if result.significant { "significant bunching" } @else { "no significant bunching" } }
                }
                None => {
                    td colspan="4" { "too few models near the threshold to estimate (" (result.reports_in_range) " in range)" }
                }
            }
        }
    }
}

fn evidence(evidence: &Evidence) -> Markup {
    html! {
        @match evidence {
            Evidence::Bunching(e) => { (format!("b̂ = {:+.2} bins, 95% interval [{:+.2}, {:+.2}]", e.normalised_excess, e.interval.0, e.interval.1)) }
            Evidence::Jump { from_period, from_value, to_period, to_value, growth_factor, .. } => {
                (format!("{to_value:.3e} in period {to_period} against {from_value:.3e} in period {from_period} ({growth_factor:.1}×)"))
            }
            Evidence::Missing { expected_every_periods, last_reported_period } => {
                "expected every " (expected_every_periods) " period(s); last report: "
                (last_reported_period.map_or("never".to_string(), |p| format!("period {p}")))
            }
            Evidence::Discrepancy { audited_period, reported, measured, monitor, .. } => {
                (format!("period {audited_period}: reported {reported:.3e}, {monitor} measured {measured:.3e}"))
            }
            Evidence::Disagreement { audited_period, compliant, violation, inconclusive } => {
                (format!("period {audited_period}: {compliant} compliant, {violation} violation, {inconclusive} inconclusive"))
            }
            Evidence::Whistleblower { receipts, trigger } => { (format!("{receipts} {} (special audit at {trigger})", if *receipts == 1 { "receipt" } else { "receipts" })) }
        }
    }
}

/// Training compute over time on a log scale, with the legal thresholds:
/// the models since 2010 between 10¹⁷ and 10²⁸ FLOP (the table counts all).
fn scatter(points: &[(f64, f64)]) -> Markup {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 320.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 28.0;
    let (x_min, y_min, y_max) = (2010.0, 17.0, 28.0);
    let shown: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(t, v)| t >= x_min && (y_min..=y_max).contains(&v))
        .collect();
    let x_max = shown
        .iter()
        .fold(x_min + 1.0, |hi, (t, _)| hi.max(*t))
        .ceil();
    let x = |t: f64| LEFT + (t - x_min) / (x_max - x_min) * (WIDTH - LEFT - 8.0);
    let y = |v: f64| (HEIGHT - BOTTOM) - (v - y_min) / (y_max - y_min) * (HEIGHT - BOTTOM - 8.0);
    let years: Vec<f64> = (x_min as i32..=x_max as i32)
        .step_by(2)
        .map(f64::from)
        .collect();
    html! {
        figure {
            svg.scatter width=(WIDTH) height=(HEIGHT) viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-labelledby="scatter-title scatter-desc" {
                title #scatter-title { "Training compute of notable AI models over time" }
                desc #scatter-desc { (shown.len()) " of " (points.len()) " models: those published from " (x_min) " with 10^17 to 10^28 FLOP, on a log scale, with lines at 10^25 (EU AI Act) and 10^26 (California SB 53) FLOP. The bunching estimates are in the table below." }
                @for exponent in [18, 20, 22, 24, 26, 28] {
                    text.axis x=(LEFT - 6.0) y=(y(f64::from(exponent)) + 4.0) text-anchor="end" { "1e" (exponent) }
                }
                @for year in &years {
                    text.axis x=(x(*year)) y=(HEIGHT - 8.0) text-anchor="middle" { (year) }
                }
                @for (t, v) in &shown {
                    circle.model cx=(format!("{:.1}", x(*t))) cy=(format!("{:.1}", y(*v))) r="2" {}
                }
                @for (threshold, label) in [(25.0, "10^25 FLOP: EU AI Act"), (26.0, "10^26 FLOP: California SB 53")] {
                    line.threshold x1=(LEFT) x2=(WIDTH - 8.0) y1=(y(threshold)) y2=(y(threshold)) {}
                    text.threshold-label x=(LEFT + 4.0) y=(y(threshold) - 4.0) { (label) }
                }
            }
            figcaption { "Each dot is a model published since 2010 (" (shown.len()) " of " (points.len()) "); the dashed lines are the thresholds. The table below counts every model." }
        }
    }
}

/// An alert's kind in words: its API name (`special_audit_required`) with
/// spaces.
fn kind_label(kind: accord_core::early_warning::AlertKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .expect("alert kinds serialise as strings")
}
