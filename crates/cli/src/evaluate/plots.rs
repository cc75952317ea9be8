//! The evaluation's plots: Shapley values, partial implementation and
//! individual rationality, as SVG and PNG.

use super::report::{acting_subsets, acts, curve_points, short};
use crate::output::StagedDir;
use accord_plot::{Bar, BarChart, LineChart, Series};
use accord_sim::evaluation::Evaluation;
use accord_sim::experiment::{Contribution, Estimate};
use accord_sim::families::Family;
use anyhow::Result;

/// Writes every plot as SVG and PNG; returns each plot's name and caption.
pub(super) fn write(e: &Evaluation, staged: &StagedDir) -> Result<Vec<(String, String)>> {
    let mut written = Vec::new();
    let band = |curve: &[Estimate]| Series {
        label: String::new(),
        points: curve
            .iter()
            .enumerate()
            .map(|(g, x)| (g as f64, x.mean))
            .collect(),
        band: curve
            .iter()
            .enumerate()
            .map(|(g, x)| (g as f64, x.low, x.high))
            .collect(),
    };
    let trajectories = LineChart {
        title: "Share of labs developing safely (mean and 95% interval over replicates)".into(),
        x_label: "generation (race)".into(),
        y_label: "safe share".into(),
        y_range: Some((0.0, 1.0)),
        series: vec![
            Series {
                label: "no protocol".into(),
                ..band(&e.trajectories.no_protocol)
            },
            Series {
                label: e.protocol.clone(),
                ..band(&e.trajectories.protocol)
            },
        ],
    };
    trajectories.write_svg(&staged.path("trajectories.svg"))?;
    trajectories.write_png(&staged.path("trajectories.png"))?;
    written.push((
        "trajectories".into(),
        "Cooperation over time, with and without the protocol.".into(),
    ));

    let bars = |list: &[Contribution]| {
        list.iter()
            .map(|c| Bar {
                label: short(c.family).into(),
                value: c.shapley.mean,
                interval: Some((c.shapley.low, c.shapley.high)),
            })
            .collect()
    };
    let shapley = BarChart {
        title: "What each family contributes: Shapley values (95% intervals)".into(),
        y_label: "contribution to long-run cooperation".into(),
        series: vec![("cooperation".into(), bars(&e.ablation.cooperation))],
    };
    shapley.write_svg(&staged.path("shapley.svg"))?;
    shapley.write_png(&staged.path("shapley.png"))?;
    written.push(("shapley".into(), "Shapley value of each mechanism family for long-run cooperation (MD mechanism design, CC credible commitment, EW early warning, SN social norms, CK common knowledge).".into()));

    let mut sorted: Vec<_> = acting_subsets(e).collect();
    sorted.sort_by(|a, b| {
        a.summary
            .cooperation
            .mean
            .total_cmp(&b.summary.cooperation.mean)
    });
    let ablation = BarChart {
        title: "Long-run cooperation for every subset of families".into(),
        y_label: "safe share".into(),
        series: vec![(
            "cooperation".into(),
            sorted
                .iter()
                .map(|s| Bar {
                    label: if s.families.is_empty() {
                        "none".into()
                    } else {
                        s.families
                            .iter()
                            .map(|f| short(*f))
                            .collect::<Vec<_>>()
                            .join("+")
                    },
                    value: s.summary.cooperation.mean,
                    interval: Some((s.summary.cooperation.low, s.summary.cooperation.high)),
                })
                .collect(),
        )],
    };
    ablation.write_svg(&staged.path("ablation.svg"))?;
    ablation.write_png(&staged.path("ablation.png"))?;
    written.push((
        "ablation".into(),
        "Every subset of the families that act, sorted by outcome.".into(),
    ));

    let partial = LineChart {
        title: "Partial implementation: one family from off to full, the others full".into(),
        x_label: "strength of the family".into(),
        y_label: "long-run cooperation".into(),
        y_range: Some((0.0, 1.0)),
        series: Family::ALL
            .into_iter()
            .filter(|&f| acts(e, f))
            .map(|f| {
                let points = curve_points(e, f);
                Series {
                    label: f.to_string(),
                    points: points
                        .iter()
                        .map(|(l, s)| (*l, s.cooperation.mean))
                        .collect(),
                    band: points
                        .iter()
                        .map(|(l, s)| (*l, s.cooperation.low, s.cooperation.high))
                        .collect(),
                }
            })
            .collect(),
    };
    partial.write_svg(&staged.path("partial.svg"))?;
    partial.write_png(&staged.path("partial.png"))?;
    written.push(("partial".into(), "Partial implementation curves.".into()));

    let rationality = BarChart {
        title: "Complying against the best unilateral deviation".into(),
        y_label: "utility per period".into(),
        series: vec![
            (
                "comply".into(),
                e.rationality
                    .iter()
                    .map(|r| Bar {
                        label: r.lab_type.clone(),
                        value: r.comply.mean,
                        interval: Some((r.comply.low, r.comply.high)),
                    })
                    .collect(),
            ),
            (
                "best deviation".into(),
                e.rationality
                    .iter()
                    .map(|r| {
                        // Without a deviation that changes anything, the best deviation earns what complying does.
                        let best = r.best_deviation().map_or(r.comply, |d| d.utility);
                        Bar {
                            label: r.lab_type.clone(),
                            value: best.mean,
                            interval: Some((best.low, best.high)),
                        }
                    })
                    .collect(),
            ),
        ],
    };
    rationality.write_svg(&staged.path("rationality.svg"))?;
    rationality.write_png(&staged.path("rationality.png"))?;
    written.push(("rationality".into(), "Individual rationality: each lab type complying while all others comply, against its best deviation.".into()));
    Ok(written)
}
