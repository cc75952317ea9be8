//! The report viewer: an `accord evaluate` report (its `report.json`)
//! rendered with the registry pages' components, so a protocol's simulated
//! evaluation sits beside its live state. The report is not in the log; the
//! page shows its SHA-256, which `accord evaluate` with the same seed
//! reproduces byte for byte.
//!
//! The viewer reads the report's published fields (those below), ignoring
//! the rest, so it does not link the simulator.

use super::{Shared, bar, head, html_response, not_found, number, shell, witnessed};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Largest report the viewer reads.
pub const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// An estimate with its 95% interval (`null` where undefined).
#[derive(Debug, Clone, Copy, Deserialize)]
struct Estimate {
    mean: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Summary {
    cooperation: Estimate,
    disaster_probability: Estimate,
    welfare: Estimate,
    coordinated_share: Estimate,
}

#[derive(Debug, Deserialize)]
struct Comparison {
    no_protocol: Summary,
    protocol: Summary,
    cooperation_gain: Estimate,
    disaster_change: Estimate,
    welfare_gain: Estimate,
}

#[derive(Debug, Deserialize)]
struct Deviation {
    strategy: String,
    gain: Estimate,
    result: String,
}

#[derive(Debug, Deserialize)]
struct Participation {
    joining_pays: String,
}

#[derive(Debug, Deserialize)]
struct Rationality {
    lab_type: String,
    comply: Estimate,
    compliance_is_best_response: String,
    participation: Option<Participation>,
    deviations: Vec<Deviation>,
}

#[derive(Debug, Deserialize)]
struct Contribution {
    family: String,
    shapley: Estimate,
    removal_loss: Estimate,
}

#[derive(Debug, Deserialize)]
struct Ablation {
    cooperation: Vec<Contribution>,
}

#[derive(Debug, Deserialize)]
struct Claim {
    claim: String,
    verdict: String,
    evidence: String,
}

#[derive(Debug, Deserialize)]
struct Trajectories {
    no_protocol: Vec<Estimate>,
    protocol: Vec<Estimate>,
}

/// The parts of `report.json` the page shows.
#[derive(Debug, Deserialize)]
pub struct EvaluationReport {
    protocol: String,
    protocol_source: String,
    world: String,
    world_source: String,
    labs: usize,
    seed: u64,
    replicates: u64,
    generations: u32,
    welfare_unit: String,
    comparison: Comparison,
    rationality: Vec<Rationality>,
    ablation: Ablation,
    claims: Vec<Claim>,
    trajectories: Trajectories,
    /// SHA-256 of the file as read, hex.
    #[serde(skip)]
    sha256: String,
}

/// Reads a report: `report.json`, or the folder `accord evaluate` wrote it in.
pub fn load(path: &Path) -> Result<EvaluationReport, String> {
    let file = if path.is_dir() {
        path.join("report.json")
    } else {
        path.to_path_buf()
    };
    let shown = file.display();
    let size = std::fs::metadata(&file)
        .map_err(|e| format!("{shown}: {e}"))?
        .len();
    if size > MAX_REPORT_BYTES {
        return Err(format!(
            "{shown}: {size} bytes; a report is at most {MAX_REPORT_BYTES}"
        ));
    }
    let bytes = std::fs::read(&file).map_err(|e| format!("{shown}: {e}"))?;
    let mut report: EvaluationReport = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{shown}: line {}, column {}: {e} (expected the report.json of `accord evaluate`)",
            e.line(),
            e.column()
        )
    })?;
    report.sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(report)
}

fn interval(e: &Estimate) -> String {
    match (e.mean, e.low, e.high) {
        (Some(mean), Some(low), Some(high)) => {
            format!("{} [{}, {}]", signed(mean), signed(low), signed(high))
        }
        (Some(mean), _, _) => signed(mean),
        _ => "—".into(),
    }
}

fn signed(value: f64) -> String {
    let text = number(value);
    if value > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

/// A share in `[0, 1]` with its bar and interval.
fn share(e: &Estimate, label: &str) -> Markup {
    html! {
        @if let Some(mean) = e.mean {
            (bar(mean, &format!("{label}: {:.0}%", mean * 100.0)))
            " " (number(mean * 100.0)) "% "
            @if let (Some(low), Some(high)) = (e.low, e.high) { small { "[" (number(low * 100.0)) ", " (number(high * 100.0)) "]" } }
        } @else { "—" }
    }
}

/// `/evaluation`.
pub(super) async fn page(State(registry): State<Shared>) -> Response {
    let (_, provenance) = match witnessed(&registry) {
        Ok(witnessed) => witnessed,
        Err(page) => return *page,
    };
    let Some(report) = registry.evaluation() else {
        return not_found(
            &provenance,
            "No evaluation report is loaded: start the registry with `accord serve --evaluation results/evaluation`.",
        );
    };
    let c = &report.comparison;
    let main = html! {
        p {
            "Simulated: " strong { (report.protocol) } " (" (report.protocol_source) ") against the world " strong { (report.world) }
            " (" (report.labs) " labs; " (report.world_source) "), " (report.replicates) " replicates of " (report.generations) " generations, master seed " (report.seed) ". "
            "Intervals are 95%. This report is not in the log: its SHA-256 is " code #report-sha256 { (report.sha256) } ", and the same " code { "accord evaluate" } " command (master seed " (report.seed) ") reproduces it byte for byte."
        }
        table #outcome {
            caption { "Long-run outcome without and with the protocol" }
            (head(&["Measure", "No protocol", "Protocol", "Difference"]))
            tbody {
                tr { th scope="row" { "Cooperation (share of labs developing safely)" } td { (share(&c.no_protocol.cooperation, "no protocol")) } td { (share(&c.protocol.cooperation, "protocol")) } td { (interval(&c.cooperation_gain)) } }
                tr { th scope="row" { "Disaster probability" } td { (share(&c.no_protocol.disaster_probability, "no protocol")) } td { (share(&c.protocol.disaster_probability, "protocol")) } td { (interval(&c.disaster_change)) } }
                tr { th scope="row" { "Welfare (" (report.welfare_unit) ")" } td { (interval(&c.no_protocol.welfare)) } td { (interval(&c.protocol.welfare)) } td { (interval(&c.welfare_gain)) } }
                tr { th scope="row" { "Runs that coordinate" } td { (share(&c.no_protocol.coordinated_share, "no protocol")) } td { (share(&c.protocol.coordinated_share, "protocol")) } td { "" } }
            }
        }
        (trajectory_chart(&report.trajectories))
        table #rationality {
            caption { "Individual rationality: is complying each lab type's best response?" }
            (head(&["Lab type", "Utility of complying", "Best response", "Joining pays", "Most profitable deviation (gain)"]))
            tbody {
                @for r in &report.rationality {
                    @let best = r.deviations.iter().filter(|d| d.gain.mean.is_some()).max_by(|a, b| a.gain.mean.unwrap_or(f64::MIN).total_cmp(&b.gain.mean.unwrap_or(f64::MIN)));
                    tr {
                        th scope="row" { (r.lab_type) }
                        td { (interval(&r.comply)) }
                        td { (r.compliance_is_best_response) }
                        td { (r.participation.as_ref().map_or("—", |p| p.joining_pays.as_str())) }
                        td { @if let Some(d) = best { (d.strategy) ": " (interval(&d.gain)) " (" (d.result) ")" } @else { "—" } }
                    }
                }
            }
        }
        table #contributions {
            caption { "What each mechanism family contributes to cooperation" }
            (head(&["Family", "Shapley value", "Loss when removed"]))
            tbody {
                @for f in &report.ablation.cooperation {
                    tr { th scope="row" { (f.family.replace('_', " ")) } td { (interval(&f.shapley)) } td { (interval(&f.removal_loss)) } }
                }
            }
        }
        section aria-labelledby="claims" {
            h2 #claims { "The framework's claims, measured" }
            ul {
                @for claim in &report.claims {
                    li { strong { (claim.claim) } " — " em { (claim.verdict) } ". " (claim.evidence) }
                }
            }
        }
    };
    html_response(shell(
        &format!("Evaluation: {}", report.protocol),
        &provenance,
        main,
    ))
}

/// Cooperation by generation, without and with the protocol, with its table.
fn trajectory_chart(t: &Trajectories) -> Markup {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 200.0;
    const LEFT: f64 = 40.0;
    let generations = t.protocol.len().max(t.no_protocol.len()).max(2);
    let x = |g: usize| LEFT + g as f64 / (generations - 1) as f64 * (WIDTH - LEFT - 8.0);
    let y = |v: f64| HEIGHT - 20.0 - v.clamp(0.0, 1.0) * (HEIGHT - 30.0);
    let line = |series: &[Estimate]| -> String {
        series
            .iter()
            .enumerate()
            .filter_map(|(g, e)| e.mean.map(|m| format!("{:.1},{:.1}", x(g), y(m))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        figure {
            svg.chart width=(WIDTH) height=(HEIGHT) viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-labelledby="trajectory-title" {
                title #trajectory-title { "Cooperation by generation, without the protocol (dashed) and with it (solid); the numbers are in the table below" }
                @for v in [0.0, 0.5, 1.0] {
                    text x=(LEFT - 6.0) y=(y(v) + 4.0) text-anchor="end" { (number(v * 100.0)) "%" }
                }
                polyline.no-protocol points=(line(&t.no_protocol)) {}
                polyline.protocol points=(line(&t.protocol)) {}
            }
            figcaption { "Cooperation by generation: dashed without the protocol, solid with it." }
        }
        details {
            summary { "Cooperation by generation, as a table" }
            table #trajectories {
                caption { "Mean share of labs developing safely, by generation" }
                (head(&["Generation", "No protocol", "Protocol"]))
                tbody {
                    @for g in 0..generations.min(t.protocol.len().max(t.no_protocol.len())) {
                        tr {
                            th scope="row" { (g) }
                            td { (t.no_protocol.get(g).and_then(|e| e.mean).map_or("—".into(), number)) }
                            td { (t.protocol.get(g).and_then(|e| e.mean).map_or("—".into(), number)) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_report_is_named_with_its_line_and_column() {
        let dir = std::env::temp_dir().join(format!("accord-evaluation-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("report.json");
        std::fs::write(&file, "{\n  \"protocol\": \"p\",\n  \"labs\": \"six\"\n}").unwrap();
        let error = load(&dir).unwrap_err();
        assert!(error.contains("report.json: line 3, column"), "{error}");
        assert!(error.contains("accord evaluate"), "{error}");
        assert!(load(&dir.join("missing.json")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
