//! `accord calibrate`: lab speeds from training-compute data, as a lab type
//! a world file can use (`accord_sim::calibration`).

use crate::dated_table::DatedTableArgs;
use crate::output::print_json;
use accord_sim::calibration::{
    CalibrationError, CalibrationSettings, SpeedCalibration, calibrate_speeds, training_runs,
};
use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

/// Organisations listed one by one in the text output.
const LISTED: usize = 40;

/// `accord calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    table: DatedTableArgs,
    /// Only runs published on or after this day (YYYY-MM-DD).
    #[arg(long, default_value = "2024-01-01")]
    since: String,
    /// Leave out organisations whose largest run is below this many FLOP.
    #[arg(long, default_value_t = 1e24, allow_hyphen_values = true)]
    min_flop: f64,
    /// Speed gained per tenfold compute lead (`a` in speed = 1 + a·log10(C / median C)).
    #[arg(long, default_value_t = 0.25, allow_hyphen_values = true)]
    speed_per_decade: f64,
    /// Keep only the organisations with the largest runs.
    #[arg(long)]
    top: Option<usize>,
    /// Name of the lab type printed for a world file.
    #[arg(long, default_value = "population")]
    type_name: String,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct CalibrateReport<'a> {
    source: String,
    since: &'a str,
    #[serde(flatten)]
    calibration: &'a SpeedCalibration,
    /// The lab type, as TOML for a world file.
    lab_type: String,
    /// Dated rows with a value but no organisation, left out.
    rows_without_organisation: usize,
    attribution: Option<&'static str>,
}

/// Runs `accord calibrate`.
pub fn calibrate(args: &CalibrateArgs) -> Result<()> {
    let table = args.table.read(Some(&args.since))?;
    let (runs, rows_without_organisation) = training_runs(table.reports);
    let settings = CalibrationSettings {
        since: table.since,
        min_flop: args.min_flop,
        speed_per_decade: args.speed_per_decade,
        top: args.top,
    };
    let calibration = calibrate_speeds(&runs, &settings)
        .map_err(|error| match error {
            // Settings are the command's options.
            CalibrationError::Setting { field, message } => {
                anyhow::anyhow!("--{}: {message}", field.replace('_', "-"))
            }
            other => anyhow::Error::new(other),
        })
        .with_context(|| format!("calibrating speeds from {}", args.table.source()))?;
    let report = CalibrateReport {
        source: args.table.source(),
        since: &args.since,
        calibration: &calibration,
        lab_type: calibration.lab_type_toml(&args.type_name),
        rows_without_organisation,
        attribution: args.table.attribution(),
    };
    if args.json {
        return print_json(&report);
    }
    let organisations = &calibration.organisations;
    println!(
        "{}: {} organisation(s) with a training run of at least {:e} FLOP since {} (largest run each; median {:.3e} FLOP)",
        report.source,
        organisations.len(),
        args.min_flop,
        args.since,
        calibration.median_flop
    );
    if rows_without_organisation > 0 {
        println!(
            "  ({rows_without_organisation} dated run(s) with no {:?} left out)",
            args.table.group_column
        );
    }
    println!(
        "speed = 1 + {}·log10(C / median C)\n",
        args.speed_per_decade
    );
    println!(
        "  {:<36} {:>18} {:>7}",
        "organisation", "largest run (FLOP)", "speed"
    );
    for o in organisations.iter().take(LISTED) {
        println!(
            "  {:<36} {:>18.2e} {:>7.3}",
            o.organisation, o.largest_run_flop, o.speed
        );
    }
    if organisations.len() > LISTED {
        println!(
            "  … and {} more (--json lists all)",
            organisations.len() - LISTED
        );
    }
    println!(
        "\nlog-normal fit: speed {:.3} (geometric mean), speed_log_sd {:.3}",
        calibration.speed, calibration.speed_log_sd
    );
    println!("  {:>8} {:>7} {:>7}", "quantile", "data", "fit");
    for q in &calibration.quantiles {
        println!("  {:>7.0}% {:>7.3} {:>7.3}", q.level * 100.0, q.data, q.fit);
    }
    println!(
        "\nas a lab type of a world file (labs draw speed · exp(speed_log_sd · z)):\n\n{}",
        report.lab_type
    );
    if let Some(attribution) = report.attribution {
        println!("{attribution}");
    }
    Ok(())
}
