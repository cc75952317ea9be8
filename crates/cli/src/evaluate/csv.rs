//! The evaluation's tables as CSV files, one row per estimate with its interval.

use super::report::{acts, curve_points, role, short};
use crate::output::StagedDir;
use accord_sim::evaluation::Evaluation;
use accord_sim::experiment::Estimate;
use anyhow::Result;
use std::fmt::Write as _;

/// Writes the report's CSV files.
pub fn write(e: &Evaluation, staged: &StagedDir) -> Result<()> {
    let row = |x: &Estimate| format!("{},{},{}", x.mean, x.low, x.high);
    let mut subsets = String::from(
        "families,cooperation,cooperation_low,cooperation_high,disaster,disaster_low,disaster_high,welfare,welfare_low,welfare_high,coordinated_share,coordinated_share_low,coordinated_share_high,time_to_coordination_restricted_mean,time_low,time_high,time_horizon,time_censored_share\n",
    );
    for s in &e.ablation.subsets {
        let m = &s.summary;
        writeln!(
            subsets,
            "{},{},{},{},{},{},{},{}",
            s.families
                .iter()
                .map(|f| short(*f))
                .collect::<Vec<_>>()
                .join("+"),
            row(&m.cooperation),
            row(&m.disaster_probability),
            row(&m.welfare),
            row(&m.coordinated_share),
            row(&m.time_to_coordination.restricted_mean),
            m.time_to_coordination.horizon,
            m.time_to_coordination.censored_share
        )?;
    }
    staged.write("subsets.csv", subsets)?;
    let mut contributions = String::from(
        "outcome,family,claimed_leverage,role,shapley,shapley_low,shapley_high,removal_loss,removal_loss_low,removal_loss_high,alone_gain,alone_gain_low,alone_gain_high\n",
    );
    for (name, list) in [
        ("cooperation", &e.ablation.cooperation),
        ("welfare", &e.ablation.welfare),
        ("disaster_probability", &e.ablation.disaster_probability),
    ] {
        for c in list {
            writeln!(
                contributions,
                "{name},{},{},{},{},{},{}",
                c.family,
                c.claimed_leverage,
                role(e, c.family),
                row(&c.shapley),
                row(&c.removal_loss),
                row(&c.alone_gain)
            )?;
        }
    }
    staged.write("contributions.csv", contributions)?;
    let mut interactions =
        String::from("a,b,interaction,interaction_low,interaction_high,both_act\n");
    for i in &e.ablation.interactions {
        writeln!(
            interactions,
            "{},{},{},{}",
            i.a,
            i.b,
            row(&i.index),
            acts(e, i.a) && acts(e, i.b)
        )?;
    }
    staged.write("interactions.csv", interactions)?;
    let mut partial = String::from(
        "family,strength,cooperation,cooperation_low,cooperation_high,disaster,disaster_low,disaster_high,welfare,welfare_low,welfare_high\n",
    );
    for curve in &e.partial {
        for (level, s) in curve_points(e, curve.family) {
            writeln!(
                partial,
                "{},{level},{},{},{}",
                curve.family,
                row(&s.cooperation),
                row(&s.disaster_probability),
                row(&s.welfare)
            )?;
        }
    }
    staged.write("partial.csv", partial)?;
    let mut rationality = String::from(
        "lab_type,strategy,utility,utility_low,utility_high,gain,gain_low,gain_high,p_profitable,p_profitable_holm,p_unprofitable,result\n",
    );
    for r in &e.rationality {
        writeln!(
            rationality,
            "{},safe/honest (comply),{},,,,,,,",
            r.lab_type,
            row(&r.comply)
        )?;
        let stay_out = r.participation.iter().flat_map(|p| &p.stay_out);
        for t in r.deviations.iter().chain(stay_out) {
            writeln!(
                rationality,
                "{},{},{},{},{},{},{},{}",
                r.lab_type,
                t.strategy,
                row(&t.utility),
                row(&t.gain),
                t.p_profitable,
                t.p_profitable_holm,
                t.p_unprofitable,
                t.result
            )?;
        }
        for strategy in &r.no_effect {
            writeln!(
                rationality,
                "{},{strategy},{},0,0,0,,,,no effect",
                r.lab_type,
                row(&r.comply)
            )?;
        }
    }
    staged.write("rationality.csv", rationality)?;
    let mut trajectories = String::from(
        "generation,no_protocol,no_protocol_low,no_protocol_high,protocol,protocol_low,protocol_high\n",
    );
    for (g, (a, b)) in e
        .trajectories
        .no_protocol
        .iter()
        .zip(&e.trajectories.protocol)
        .enumerate()
    {
        writeln!(trajectories, "{g},{},{}", row(a), row(b))?;
    }
    staged.write("trajectories.csv", trajectories)?;
    Ok(())
}
