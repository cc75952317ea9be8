//! Rendering an evaluation: Markdown, a self-contained HTML page, plots (SVG
//! and PNG), CSV and JSON.

use super::table::{Cell, Table, escape};
use crate::output::{StagedDir, estimate_text};
use accord_sim::World;
use accord_sim::claims::Verdict;
use accord_sim::evaluation::Evaluation;
use accord_sim::experiment::{SubsetResult, Summary};
use accord_sim::families::Family;
use accord_sim::rationality::{BestResponse, Rationality};
use accord_sim::robustness::VerdictRobustness;
use accord_sim::stats::CensoredTime;
use anyhow::Result;
use std::fmt::Write as _;

/// Restricted mean time with its interval, the median and the censored share.
fn time(t: &CensoredTime) -> String {
    if t.restricted_mean.mean.is_nan() {
        return "–".into();
    }
    format!(
        "{} of at most {} (median {}; {:.0}% of runs never coordinated: censored)",
        estimate_text(&t.restricted_mean, 1),
        t.horizon,
        t.median
            .map_or("not reached".to_string(), |m| m.to_string()),
        100.0 * t.censored_share
    )
}

/// What the sampled worlds that differ say: a decided verdict contradicts a
/// decided one, and an undetermined one is contradicted by nothing, only
/// decided elsewhere.
fn elsewhere(v: &VerdictRobustness) -> String {
    if v.verdict == Verdict::Undetermined.to_string() {
        format!("decided in {:.0}%", 100.0 * (1.0 - v.share_holding))
    } else {
        format!("contrary in {:.0}%", 100.0 * v.share_contrary)
    }
}

fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

fn family_set(families: &[Family]) -> String {
    if families.is_empty() {
        return "none".into();
    }
    families
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Whether `f` acts in the evaluation: the protocol holds it and it changed
/// some run. An absent or inert family changes no run, so the report leaves
/// out what repeats: its subsets, interactions and partial-implementation curve.
pub(super) fn acts(e: &Evaluation, f: Family) -> bool {
    e.families_present.contains(&f) && !e.families_inert.contains(&f)
}

/// `f`'s part in the evaluation: "acts", "inert" (held, but changed no run)
/// or "absent" (every section of it off).
pub(super) fn role(e: &Evaluation, f: Family) -> &'static str {
    if !e.families_present.contains(&f) {
        "absent"
    } else if e.families_inert.contains(&f) {
        "inert"
    } else {
        "acts"
    }
}

/// The families that act, in [`Family::ALL`] order.
fn acting(e: &Evaluation) -> Vec<Family> {
    Family::ALL.into_iter().filter(|&f| acts(e, f)).collect()
}

/// Only the subsets of the families that act.
pub(super) fn acting_subsets(e: &Evaluation) -> impl Iterator<Item = &SubsetResult> {
    e.ablation
        .subsets
        .iter()
        .filter(|s| s.families.iter().all(|&f| acts(e, f)))
}

/// Section 3's opening: what was run and, where families do not act, which,
/// why, and what that leaves out.
fn contribution_intro(e: &Evaluation) -> String {
    let acting = acting(e);
    if acting.len() == Family::ALL.len() {
        return CONTRIBUTION_INTRO.into();
    }
    let list = |families: &[Family]| family_set(families).replace(" + ", ", ");
    let absent: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| !e.families_present.contains(f))
        .collect();
    let mut why = Vec::new();
    if !absent.is_empty() {
        why.push(format!("The protocol does not hold {}", list(&absent)));
    }
    if !e.families_inert.is_empty() {
        why.push(format!(
            "{} {} switched on but changed no run in any subset or replicate",
            list(&e.families_inert),
            if e.families_inert.len() == 1 {
                "is"
            } else {
                "are"
            }
        ));
    }
    let idle = absent.len() + e.families_inert.len();
    let shown = if acting.is_empty() {
        "below only the configuration without any family is shown".to_string()
    } else {
        format!(
            "the interactions, subsets and partial-implementation curves below show only the {} that {}: {} ({} distinct configurations)",
            if acting.len() == 1 {
                "family"
            } else {
                "families"
            },
            if acting.len() == 1 { "acts" } else { "act" },
            list(&acting),
            1 << acting.len()
        )
    };
    format!(
        "{CONTRIBUTION_INTRO} {}: switching {} on changes no run, so {} Shapley value is zero, and {shown}; `subsets.csv` lists all 32.",
        why.join("; "),
        if idle == 1 { "it" } else { "them" },
        if idle == 1 { "its" } else { "each one's" },
    )
}

pub(super) fn short(f: Family) -> &'static str {
    match f {
        Family::MechanismDesign => "MD",
        Family::CredibleCommitment => "CC",
        Family::EarlyWarning => "EW",
        Family::SocialNorms => "SN",
        Family::CommonKnowledge => "CK",
    }
}

/// Writes every file of the report into the staged folder.
pub fn write(e: &Evaluation, world: &World, staged: &StagedDir) -> Result<()> {
    staged.write("report.json", serde_json::to_string_pretty(e)?)?;
    super::csv::write(e, staged)?;
    let plots = super::plots::write(e, staged)?;
    staged.write("report.md", markdown(e, world))?;
    let mut svgs = Vec::new();
    for (name, caption) in plots {
        let svg = std::fs::read_to_string(staged.path(&format!("{name}.svg")))?;
        svgs.push((name, caption, svg));
    }
    staged.write("report.html", html(e, world, &svgs))?;
    Ok(())
}

/// The full curve for a family: strength 0 (family removed), the measured levels, strength 1 (the protocol).
pub(super) fn curve_points(e: &Evaluation, family: Family) -> Vec<(f64, Summary)> {
    let removed = &e.ablation.subsets[31 ^ (1 << family.index())].summary;
    let full = &e.ablation.subsets[31].summary;
    let curve = e
        .partial
        .iter()
        .find(|c| c.family == family)
        .expect("every family has a curve");
    let mut points = vec![(0.0, removed.clone())];
    points.extend(curve.points.iter().cloned());
    points.push((1.0, full.clone()));
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points.dedup_by(|a, b| a.0 == b.0);
    points
}

fn outcome_rows(e: &Evaluation) -> Vec<[String; 4]> {
    let c = &e.comparison;
    vec![
        [
            "long-run cooperation (share of labs developing safely)".into(),
            estimate_text(&c.no_protocol.cooperation, 3),
            estimate_text(&c.protocol.cooperation, 3),
            estimate_text(&c.cooperation_gain, 3),
        ],
        [
            "probability of at least one disaster per generation".into(),
            estimate_text(&c.no_protocol.disaster_probability, 3),
            estimate_text(&c.protocol.disaster_probability, 3),
            estimate_text(&c.disaster_change, 3),
        ],
        [
            format!("welfare ({})", e.welfare_unit),
            estimate_text(&c.no_protocol.welfare, 2),
            estimate_text(&c.protocol.welfare, 2),
            estimate_text(&c.welfare_gain, 2),
        ],
        [
            "time to coordination (generations before 80% develop safely; restricted mean, Kaplan–Meier)".into(),
            time(&c.no_protocol.time_to_coordination),
            time(&c.protocol.time_to_coordination),
            String::new(),
        ],
        [
            "share of runs that coordinate".into(),
            estimate_text(&c.no_protocol.coordinated_share, 2),
            estimate_text(&c.protocol.coordinated_share, 2),
            String::new(),
        ],
        [
            "detection rate of audited unsafe development (a monitor's vote)".into(),
            "no monitors".into(),
            estimate_text(&c.protocol.detection_rate, 3),
            String::new(),
        ],
        [
            "conviction rate of audited unsafe development (the panel's verdict)".into(),
            "no monitors".into(),
            estimate_text(&c.protocol.conviction_rate, 3),
            String::new(),
        ],
        [
            "false-alarm rate of audited safe development".into(),
            "no monitors".into(),
            estimate_text(&c.protocol.false_alarm_rate, 3),
            String::new(),
        ],
    ]
}

fn outcome_table(e: &Evaluation) -> Table {
    let rows = outcome_rows(e)
        .into_iter()
        .map(|row| row.into_iter().map(Cell::Text).collect())
        .collect();
    Table::new(
        &["outcome", "no protocol", "protocol", "difference (paired)"],
        rows,
    )
}

fn rationality_table(e: &Evaluation) -> Table {
    let rows = e
        .rationality
        .iter()
        .map(|r| {
            let best = r.best_deviation();
            vec![
                Cell::Text(r.lab_type.clone()),
                Cell::Text(estimate_text(&r.comply, 2)),
                Cell::Text(best.map_or("none changes anything".into(), |d| d.strategy.clone())),
                Cell::Text(best.map_or(String::new(), |d| estimate_text(&d.gain, 2))),
                match r.compliance_is_best_response {
                    BestResponse::No => Cell::Alarm("no".into()),
                    verdict => Cell::Text(verdict.to_string()),
                },
                Cell::Text(if r.no_effect.is_empty() {
                    "–".into()
                } else {
                    r.no_effect.join(", ")
                }),
                participation_cell(r),
            ]
        })
        .collect();
    Table::new(
        &[
            "lab type",
            "comply",
            "best deviation",
            "its gain (paired)",
            "compliance a best response?",
            "no effect (identical in every replicate)",
            "joining and staying beats staying out or leaving? (best way out, its gain)",
        ],
        rows,
    )
}

/// The participation verdict with the best way of staying out or leaving and its gain over joining.
fn participation_text(r: &Rationality) -> (BestResponse, String) {
    let Some(p) = &r.participation else {
        return (BestResponse::Undetermined, "not assessed".into());
    };
    // The first of equally good ways, as for deviations.
    let best = p
        .stay_out
        .iter()
        .reduce(|best, t| {
            if t.gain.mean > best.gain.mean {
                t
            } else {
                best
            }
        })
        .map_or("staying out and leaving change nothing".into(), |t| {
            format!("{}, {}", t.strategy, estimate_text(&t.gain, 2))
        });
    (p.joining_pays, format!("{} ({best})", p.joining_pays))
}

fn participation_cell(r: &Rationality) -> Cell {
    match participation_text(r) {
        (BestResponse::No, text) => Cell::Alarm(text),
        (_, text) => Cell::Text(text),
    }
}

fn robustness_table(e: &Evaluation) -> Table {
    let rows = e
        .robustness
        .iter()
        .map(|v| {
            // The two strongest, and any tied with the second (an outside
            // review found ties shown as if two parameters stood out).
            let second = v.sensitivity.get(1).map_or(0.0, |(_, rho)| rho.abs());
            let sensitive = v
                .sensitivity
                .iter()
                .enumerate()
                .take_while(|(k, (_, rho))| *k < 2 || rho.abs() >= second - 1e-12)
                .map(|(_, (path, rho))| format!("{path} (ρ = {rho:+.2})"))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Cell::Text(v.claim.clone()),
                Cell::Text(v.verdict.clone()),
                Cell::Text(format!(
                    "{:.0}% of {} worlds ({})",
                    100.0 * v.share_holding,
                    v.samples,
                    elsewhere(v)
                )),
                Cell::Text(if sensitive.is_empty() {
                    if v.share_holding > 0.0 {
                        "– (the same in every sampled world)".into()
                    } else {
                        "– (the same in no sampled world)".into()
                    }
                } else {
                    sensitive
                }),
            ]
        })
        .collect();
    Table::new(
        &[
            "claim",
            "verdict in this world",
            "same verdict in sampled worlds",
            "most sensitive to (rank correlation with holding)",
        ],
        rows,
    )
}

/// The robustness section's text: the table, or why there is none.
fn robustness_intro(e: &Evaluation) -> &'static str {
    if e.robustness.is_empty() {
        "Not checked: no worlds were sampled (`--robustness 0`, or the world declares no [uncertainty] table)."
    } else {
        ROBUSTNESS_INTRO
    }
}

fn deviation_table(e: &Evaluation) -> Table {
    let rows = e
        .rationality
        .iter()
        .flat_map(|r| {
            r.deviations.iter().map(|t| {
                vec![
                    Cell::Text(r.lab_type.clone()),
                    Cell::Text(t.strategy.clone()),
                    Cell::Text(estimate_text(&t.utility, 2)),
                    Cell::Text(estimate_text(&t.gain, 2)),
                    Cell::Text(p_value(t.p_profitable)),
                    Cell::Text(p_value(t.p_profitable_holm)),
                    Cell::Text(format!(
                        "{} (δ = {:.3})",
                        p_value(t.p_unprofitable),
                        r.margin
                    )),
                    Cell::Text(t.result.to_string()),
                ]
            })
        })
        .collect();
    Table::new(
        &[
            "lab type",
            "deviation",
            "utility",
            "gain (paired)",
            "p (gain > 0)",
            "Holm-adjusted p",
            "p (gain < δ)",
            "result",
        ],
        rows,
    )
}

fn assumption_table(e: &Evaluation) -> Table {
    let rows = e
        .assumptions
        .iter()
        .map(|a| {
            vec![
                Cell::Text(a.assumption.clone()),
                Cell::Text(a.effect.clone()),
            ]
        })
        .collect();
    Table::new(&["assumption", "what it does"], rows)
}

fn contribution_table(e: &Evaluation) -> Table {
    let a = &e.ablation;
    let rows = a
        .cooperation
        .iter()
        .zip(&a.welfare)
        .zip(&a.disaster_probability)
        .map(|((c, w), d)| {
            let family = match role(e, c.family) {
                "absent" => format!("{} (not in the protocol)", c.family),
                "inert" => format!("{} (changed no run)", c.family),
                _ => c.family.to_string(),
            };
            vec![
                Cell::Text(family),
                Cell::Text(c.claimed_leverage.to_string()),
                Cell::Text(estimate_text(&c.shapley, 3)),
                Cell::Text(estimate_text(&c.removal_loss, 3)),
                Cell::Text(estimate_text(&w.shapley, 2)),
                Cell::Text(estimate_text(&d.shapley, 3)),
            ]
        })
        .collect();
    Table::new(
        &[
            "family",
            "seed's leverage",
            "Shapley (cooperation)",
            "removal loss (cooperation)",
            "Shapley (welfare)",
            "Shapley (disaster probability)",
        ],
        rows,
    )
}

fn interaction_table(e: &Evaluation) -> Table {
    let rows = e
        .ablation
        .interactions
        .iter()
        .filter(|i| acts(e, i.a) && acts(e, i.b))
        .map(|i| {
            vec![
                Cell::Text(format!("{} × {}", i.a, i.b)),
                Cell::Text(estimate_text(&i.index, 3)),
            ]
        })
        .collect();
    Table::new(&["families", "interaction index (cooperation)"], rows)
}

fn subset_table(e: &Evaluation) -> Table {
    let mut sorted: Vec<_> = acting_subsets(e).collect();
    sorted.sort_by(|a, b| {
        b.summary
            .cooperation
            .mean
            .total_cmp(&a.summary.cooperation.mean)
    });
    let rows = sorted
        .into_iter()
        .map(|s| {
            vec![
                Cell::Text(family_set(&s.families)),
                Cell::Text(estimate_text(&s.summary.cooperation, 3)),
                Cell::Text(estimate_text(&s.summary.disaster_probability, 3)),
                Cell::Text(estimate_text(&s.summary.welfare, 2)),
                Cell::Text(time(&s.summary.time_to_coordination)),
            ]
        })
        .collect();
    Table::new(
        &[
            "families on",
            "cooperation",
            "disaster probability",
            "welfare",
            "time to coordination",
        ],
        rows,
    )
}

fn partial_table(e: &Evaluation) -> Table {
    let mut rows = Vec::new();
    for f in Family::ALL.into_iter().filter(|&f| acts(e, f)) {
        for (level, s) in curve_points(e, f) {
            rows.push(vec![
                Cell::Text(f.to_string()),
                Cell::Text(format!("{level:.2}")),
                Cell::Text(estimate_text(&s.cooperation, 3)),
                Cell::Text(estimate_text(&s.disaster_probability, 3)),
                Cell::Text(estimate_text(&s.welfare, 2)),
            ]);
        }
    }
    Table::new(
        &[
            "family",
            "strength",
            "cooperation",
            "disaster probability",
            "welfare",
        ],
        rows,
    )
}

fn markdown(e: &Evaluation, world: &World) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# Evaluation: {}\n", e.protocol);
    let _ = writeln!(
        m,
        "World: **{}** ({} labs; {}). Protocol file: {}. {} replicates per configuration, {} generations per run, master seed {} — rerun `accord evaluate` with the same seed for the same numbers. {INTERVALS}\n",
        e.world, e.labs, e.world_source, e.protocol_source, e.replicates, e.generations, e.seed
    );
    let _ = writeln!(m, "{}\n", world.world.description);
    let _ = writeln!(
        m,
        "## 1. Outcome against no protocol\n\n{}",
        outcome_table(e).markdown()
    );
    let _ = writeln!(m, "![cooperation over time](trajectories.svg)\n");
    let _ = writeln!(
        m,
        "## 2. Individual rationality\n\n{RATIONALITY_INTRO} Utility per period, strategies held fixed for the whole run.\n\n{}\n{DEVIATIONS_INTRO}\n\n{}",
        rationality_table(e).markdown(),
        deviation_table(e).markdown()
    );
    let _ = writeln!(m, "![rationality](rationality.svg)\n");
    let _ = writeln!(
        m,
        "## 3. What each mechanism contributes\n\n{}\n\n{}",
        contribution_intro(e),
        contribution_table(e).markdown()
    );
    let _ = writeln!(
        m,
        "![Shapley values](shapley.svg)\n\nPairwise interactions:\n\n{}",
        if acting(e).len() < 2 {
            NO_INTERACTIONS.to_string()
        } else {
            interaction_table(e).markdown()
        }
    );
    let _ = writeln!(m, "### The seed's claims, measured\n");
    for c in &e.claims {
        let _ = writeln!(m, "- **{}** — *{}*. {}", c.claim, c.verdict, c.evidence);
    }
    let _ = writeln!(
        m,
        "\n### Do the verdicts hold in other worlds?\n\n{}\n",
        robustness_intro(e)
    );
    if !e.robustness.is_empty() {
        let _ = writeln!(m, "{}", robustness_table(e).markdown());
    }
    let _ = writeln!(
        m,
        "\n![every subset](ablation.svg)\n\n{}",
        subset_table(e).markdown()
    );
    let _ = writeln!(
        m,
        "## 4. Partial implementation\n\n{}\n\n{}",
        partial_intro(e),
        if acting(e).is_empty() {
            String::new()
        } else {
            partial_table(e).markdown()
        }
    );
    let _ = writeln!(
        m,
        "![partial implementation](partial.svg)\n\n## 5. Assumptions\n\n{ASSUMPTIONS_INTRO}\n\n{}\n## Files\n\n`report.json` (everything above), `subsets.csv`, `contributions.csv`, `interactions.csv`, `partial.csv`, `rationality.csv`, `trajectories.csv`; plots as SVG and PNG.\n\nModel: `docs/model.md`. Calibration data: Epoch AI (epoch.ai), *Data on Notable AI Models*, CC BY 4.0.",
        assumption_table(e).markdown()
    );
    m
}

const RATIONALITY_INTRO: &str = "Each lab type complies (safe development, honest reporting) while every other lab complies, against each unilateral deviation — unsafe development and every evasion: selective reporting, metric gaming, threshold manipulation, monitor capture.";
const CONTRIBUTION_INTRO: &str = "Every subset of the five families was run (32 configurations). The Shapley value attributes the gain of the full protocol over no protocol to each family; the removal loss is the outcome lost when only that family is removed; the interaction index (Grabisch 1997) is positive for complements.";
const INTERVALS: &str = "Intervals are 95% intervals: percentile bootstrap over replicates (paired by replicate for differences, Shapley values and removal losses), Wilson for the share of runs that coordinate; time to coordination is censored at the horizon (Kaplan–Meier). Section 5 lists the assumptions.";
const DEVIATIONS_INTRO: &str = "Every deviation that changes the lab's utility, tested one-sided by sign-flip randomization: p (gain > 0) is Holm-corrected across the lab type's deviations; p (gain < δ) tests the gain against the practical-equivalence margin δ (1% of the utility of complying). \"yes\" needs every deviation unprofitable, \"no\" one profitable after correction; anything else is undetermined.";
const ROBUSTNESS_INTRO: &str = "The whole ablation was rerun in worlds sampled by Latin hypercube over the ranges the world file declares uncertain ([uncertainty]); for each claim, the share of sampled worlds giving the same verdict as this world, and the parameters whose values best predict whether it does (Spearman's ρ with the indicator that it holds).";
const NO_INTERACTIONS: &str = "None: fewer than two families act.\n";
const ASSUMPTIONS_INTRO: &str = "Which choices produce the numbers above, and what each does.";
const PARTIAL_INTRO: &str = "Each family's strength goes from 0 (off) to 1 (as written) while the others stay at full strength (see `docs/model.md` for what strength scales).";

fn partial_intro(e: &Evaluation) -> String {
    if acting(e).is_empty() {
        format!("{PARTIAL_INTRO} No family acts: there is nothing to scale.")
    } else {
        PARTIAL_INTRO.into()
    }
}

/// `svgs`: (plot name, caption, SVG text).
fn html(e: &Evaluation, world: &World, svgs: &[(String, String, String)]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation: {}</title><style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}}table{{border-collapse:collapse;margin:1em 0;font-size:0.9em}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}th{{background:#f3f3f3}}figure{{margin:1.5em 0}}figcaption{{font-size:0.9em;color:#555}}svg{{max-width:100%;height:auto}}.no{{color:#b00;font-weight:bold}}</style></head><body>",
        escape(&e.protocol)
    );
    let _ = write!(
        h,
        "<h1>Evaluation: {}</h1><p>World: <b>{}</b> ({} labs; {}). Protocol file: {}. {} replicates per configuration, {} generations per run, master seed {}. {}</p><p>{}</p>",
        escape(&e.protocol),
        escape(&e.world),
        e.labs,
        escape(&e.world_source),
        escape(&e.protocol_source),
        e.replicates,
        e.generations,
        e.seed,
        escape(INTERVALS),
        escape(&world.world.description)
    );
    let figure = |name: &str| -> String {
        let (_, caption, svg) = svgs
            .iter()
            .find(|(plot, _, _)| plot == name)
            .unwrap_or_else(|| panic!("the report draws a plot named {name}"));
        format!(
            "<figure>{svg}<figcaption>{}</figcaption></figure>",
            escape(caption)
        )
    };
    h.push_str("<h2>1. Outcome against no protocol</h2>");
    h.push_str(&outcome_table(e).html());
    h.push_str(&figure("trajectories"));
    let _ = write!(
        h,
        "<h2>2. Individual rationality</h2><p>{}</p>",
        escape(RATIONALITY_INTRO)
    );
    h.push_str(&rationality_table(e).html());
    let _ = write!(h, "<p>{}</p>", escape(DEVIATIONS_INTRO));
    h.push_str(&deviation_table(e).html());
    h.push_str(&figure("rationality"));
    let _ = write!(
        h,
        "<h2>3. What each mechanism contributes</h2><p>{}</p>",
        escape(&contribution_intro(e))
    );
    h.push_str(&contribution_table(e).html());
    h.push_str(&figure("shapley"));
    h.push_str("<h3>The seed's claims, measured</h3><ul>");
    for c in &e.claims {
        let _ = write!(
            h,
            "<li><b>{}</b> — <i>{}</i>. {}</li>",
            escape(&c.claim),
            escape(&c.verdict.to_string()),
            escape(&c.evidence)
        );
    }
    h.push_str("</ul>");
    let _ = write!(
        h,
        "<h3>Do the verdicts hold in other worlds?</h3><p>{}</p>",
        escape(robustness_intro(e))
    );
    if !e.robustness.is_empty() {
        h.push_str(&robustness_table(e).html());
    }
    if acting(e).len() < 2 {
        let _ = write!(h, "<p>{}</p>", escape(NO_INTERACTIONS));
    } else {
        h.push_str(&interaction_table(e).html());
    }
    h.push_str(&figure("ablation"));
    h.push_str(&subset_table(e).html());
    let _ = write!(
        h,
        "<h2>4. Partial implementation</h2><p>{}</p>",
        escape(&partial_intro(e))
    );
    h.push_str(&figure("partial"));
    if !acting(e).is_empty() {
        h.push_str(&partial_table(e).html());
    }
    let _ = write!(
        h,
        "<h2>5. Assumptions</h2><p>{}</p>",
        escape(ASSUMPTIONS_INTRO)
    );
    h.push_str(&assumption_table(e).html());
    h.push_str("<p>Data: every number above is in report.json and the CSV files beside this page. Model: docs/model.md. Calibration data: Epoch AI (epoch.ai), Data on Notable AI Models, CC BY 4.0.</p></body></html>");
    h
}

/// Prints the headline results.
pub fn print_summary(e: &Evaluation) {
    println!(
        "{} in {} ({} labs), {} replicates × {} generations, seed {}",
        e.protocol, e.world, e.labs, e.replicates, e.generations, e.seed
    );
    for [a, b, c, d] in outcome_rows(e).into_iter().take(3) {
        println!("  {a}: {b} → {c} (difference {d})");
    }
    println!("individual rationality:");
    for r in &e.rationality {
        let best = r
            .best_deviation()
            .map_or("none changes anything".into(), |d| {
                format!(
                    "best deviation {}, gain {}",
                    d.strategy,
                    estimate_text(&d.gain, 2)
                )
            });
        println!(
            "  {:<16} compliance a best response: {} ({best}); joining and staying beats staying out or leaving: {}",
            r.lab_type,
            r.compliance_is_best_response,
            participation_text(r).1
        );
    }
    println!("Shapley values (cooperation):");
    for c in &e.ablation.cooperation {
        println!(
            "  {:<20} {} (seed: {} leverage)",
            c.family.to_string(),
            estimate_text(&c.shapley, 3),
            c.claimed_leverage
        );
    }
    for c in &e.claims {
        let held = e
            .robustness
            .iter()
            .find(|v| v.claim == c.claim)
            .map_or(String::new(), |v| {
                format!(
                    " (same verdict in {:.0}% of {} sampled worlds, {})",
                    100.0 * v.share_holding,
                    v.samples,
                    elsewhere(v)
                )
            });
        println!("claim: {} → {}{held}", c.claim, c.verdict);
    }
}
