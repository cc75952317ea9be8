//! `accord protocol`: check protocol files, print their schema, replay event
//! streams, and run the early-warning detectors on public data.

use crate::dated_table::DatedTableArgs;
use crate::output::print_json;
use accord_core::early_warning::detect::{self, DetectOptions, Detection, MIN_REPORTS_TO_ESTIMATE};
use accord_core::event::parse_event;
use accord_core::spec::Protocol;
use accord_core::state::competition_ranks;
use accord_core::{Outcome, State, parse_protocol};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Protocol commands.
#[derive(Debug, Subcommand)]
pub enum ProtocolCommand {
    /// Validate a protocol file and summarise which mechanisms are on.
    Check {
        /// The protocol file.
        file: PathBuf,
        /// Print the parsed protocol as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the protocol-file format (for editors).
    Schema,
    /// Replay a JSON Lines event stream and print the derived state.
    Replay(ReplayArgs),
    /// Run the early-warning detectors on a CSV of reported values (default: Epoch AI's training compute).
    Detect(DetectArgs),
}

/// `accord protocol replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The protocol file.
    #[arg(long)]
    protocol: PathBuf,
    /// The event stream (JSON Lines; `-` for standard input).
    events: PathBuf,
    /// Stop at the first rejected event (exit status 1).
    #[arg(long)]
    strict: bool,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

/// `accord protocol detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    #[command(flatten)]
    table: DatedTableArgs,
    /// Only rows dated on or after this day (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Regulatory thresholds to test for bunching (repeatable).
    #[arg(long = "threshold", default_values_t = [1e25, 1e26])]
    thresholds: Vec<f64>,
    /// Bin width in log10 units.
    #[arg(long, default_value_t = 0.25)]
    bin_width: f64,
    /// Range of the fit on each side of the threshold, in log10 units.
    #[arg(long, default_value_t = 3.0)]
    fit_range: f64,
    /// Degree of the counterfactual polynomial.
    #[arg(long, default_value_t = DetectOptions::default().order)]
    order: u32,
    /// Bootstrap replicates.
    #[arg(long, default_value_t = 2000)]
    replicates: u32,
    /// Jump window in years.
    #[arg(long, default_value_t = 1.0)]
    jump_window_years: f64,
    /// Growth factor over the window that counts as a jump.
    #[arg(long, default_value_t = 10.0)]
    max_growth: f64,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs a protocol command.
pub fn run(command: ProtocolCommand) -> Result<()> {
    match command {
        ProtocolCommand::Check { file, json } => check(&file, json),
        ProtocolCommand::Schema => print_json(&schemars::schema_for!(Protocol)),
        ProtocolCommand::Replay(args) => replay(&args),
        ProtocolCommand::Detect(args) => detect(&args),
    }
}

/// Reads and validates a protocol file; errors name the file.
pub fn load_protocol(path: &Path) -> Result<Protocol> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_protocol_named(&text, &path.display().to_string())
}

/// Parses and validates a protocol; errors name `source` (a file name).
pub fn parse_protocol_named(text: &str, source: &str) -> Result<Protocol> {
    parse_protocol(text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        anyhow::anyhow!("{source} is not a valid protocol:\n{}", lines.join("\n"))
    })
}

/// Writes `text` to standard output; a reader that closed the pipe early is not an error.
fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => Ok(result?),
    }
}

fn on(enabled: bool) -> &'static str {
    if enabled { "on " } else { "off" }
}

fn check(path: &Path, json: bool) -> Result<()> {
    let p = load_protocol(path)?;
    if json {
        return print_json(&p);
    }
    // Collected first and written once, so a closed pipe (`| head`) ends the output quietly.
    let mut out = String::new();
    writeln!(
        out,
        "{} (format {}): valid",
        p.protocol.name, p.protocol.format
    )?;
    writeln!(out, "\nmechanism design")?;
    writeln!(
        out,
        "  [{}] credits            {} credit(s) per audited investment unit, cap {}/period, expiry {} periods, {} surrendered/period",
        on(p.credits.enabled),
        p.credits.credits_per_investment_unit,
        p.credits.max_credits_per_period,
        p.credits.expiry_periods,
        p.credits.surrender_per_period
    )?;
    for pact in &p.pacts.pact {
        writeln!(
            out,
            "  [{}] pact {:<14} binds at {} pledges by period {}, refund bonus {}",
            on(p.pacts.enabled),
            pact.id,
            pact.threshold,
            pact.deadline_period,
            pact.refund_bonus_credits
        )?;
    }
    if p.pacts.pact.is_empty() {
        writeln!(
            out,
            "  [{}] pacts              none defined",
            on(p.pacts.enabled)
        )?;
    }
    writeln!(
        out,
        "  [{}] liability pool     premium {} + {}×/violation over {} periods, pays {:.0}% (cap {})",
        on(p.liability.enabled),
        p.liability.base_premium_credits,
        p.liability.violation_loading,
        p.liability.rating_window_periods,
        100.0 * p.liability.payout_fraction,
        p.liability.max_payout_credits
    )?;
    writeln!(
        out,
        "  [{}] information sharing public: {:?}",
        on(p.information_sharing.enabled),
        p.information_sharing.public_reports
    )?;
    writeln!(
        out,
        "  [{}] commitments        binding with default compensation {}",
        on(p.commitments.enabled),
        p.commitments.default_compensation_credits
    )?;
    writeln!(out, "credible commitment")?;
    writeln!(
        out,
        "  [{}] compute governance  threshold {} credits, {:.0}% of compute covered, deny on pact breach: {}",
        on(p.compute.enabled),
        p.compute.credit_threshold,
        100.0 * p.compute.covered_fraction,
        p.compute.deny_on_pact_breach
    )?;
    writeln!(
        out,
        "  [{}] transparency        published: {:?}",
        on(p.transparency.enabled),
        p.transparency.published
    )?;
    writeln!(out, "common knowledge")?;
    writeln!(
        out,
        "  [{}] announcements       {:?}, {} witness(es)",
        on(p.announcements.enabled),
        p.announcements.announce,
        p.announcements.witnesses
    )?;
    writeln!(out, "early warning")?;
    let panel = if p.monitoring.panel_size == 0 {
        p.monitoring.monitors
    } else {
        p.monitoring.panel_size
    };
    writeln!(
        out,
        "  [{}] monitoring          {} monitors, panels of {}, quorum {}, rotation every {} periods, {} conflict(s)",
        on(p.monitoring.enabled),
        p.monitoring.monitors,
        panel,
        p.monitoring.quorum,
        p.monitoring.rotation_periods,
        p.monitoring.conflicts.len()
    )?;
    for m in &p.early_warning.metric {
        let mut detectors = Vec::new();
        if m.bunching.is_some() {
            detectors.push("bunching".to_string());
        }
        if let Some(j) = &m.jump {
            detectors.push(format!(
                "jump >{}× in {} periods",
                j.max_growth_factor, j.window_periods
            ));
        }
        if let Some(d) = &m.audit_discrepancy {
            detectors.push(format!(
                "audit discrepancy >{:.0}%",
                100.0 * d.relative_tolerance
            ));
        }
        writeln!(
            out,
            "  [{}] metric {:<22} threshold {:?}, every {} period(s), sunset {}; {}",
            on(p.early_warning.enabled),
            m.name,
            m.threshold,
            m.expected_every_periods,
            m.sunset_after_periods,
            detectors.join(", ")
        )?;
    }
    writeln!(
        out,
        "  [{}] whistleblowers      {} receipt(s) trigger an audit, protection {}",
        on(p.whistleblower.enabled),
        p.whistleblower.receipts_to_trigger_audit,
        p.whistleblower.protection
    )?;
    writeln!(out, "enforcement")?;
    let ladder: Vec<&str> = p.sanctions.ladder.iter().map(|r| r.name.as_str()).collect();
    writeln!(
        out,
        "  [{}] sanctions           {} ; step down after {} compliant periods",
        on(p.sanctions.enabled),
        ladder.join(" → "),
        p.sanctions.periods_to_step_down
    )?;
    writeln!(out, "social norms")?;
    writeln!(
        out,
        "  [{}] leaderboard         window {} periods, weights: audit pass rate {}, credits {}, commitments kept {}, sanction standing {}, reporting completeness {}",
        on(p.leaderboard.enabled),
        p.leaderboard.window_periods,
        p.leaderboard.weights.audit_pass_rate,
        p.leaderboard.weights.credits,
        p.leaderboard.weights.commitments_kept,
        p.leaderboard.weights.sanction_standing,
        p.leaderboard.weights.reporting_completeness
    )?;
    write_stdout(&out)
}

#[derive(Serialize)]
struct ReplaySummary {
    protocol: String,
    period: u32,
    events_applied: u64,
    already_applied: u64,
    rejected: u64,
    rejections: Vec<String>,
    credits: BTreeMap<String, u64>,
    /// Credits owed by each participant that owes any (rules 17, 15a).
    owed: BTreeMap<String, u64>,
    liability_pool: u64,
    issued: u64,
    burned: u64,
    pacts: Vec<accord_core::state::PactSummary>,
    sanctions: Vec<serde_json::Value>,
    alerts_raised: u64,
    recent_alerts: Vec<accord_core::early_warning::Alert>,
    access: Vec<accord_core::state::AccessDecision>,
    /// None when the protocol publishes no leaderboard.
    leaderboard: Option<Vec<accord_core::state::LeaderboardEntry>>,
    /// Scores of the rating indices, edition by edition.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rating_indices: Vec<IndexScores>,
    /// Reports the protocol's information sharing makes public.
    public_reports: Vec<accord_core::state::PublicReports>,
    state_hash: String,
}

/// Rejections shown in full (the rest are counted).
const REJECTIONS_SHOWN: usize = 50;
/// Alerts shown in full (the rest are counted).
const ALERTS_SHOWN: usize = 50;

fn replay(args: &ReplayArgs) -> Result<()> {
    let protocol = load_protocol(&args.protocol)?;
    let name = protocol.protocol.name.clone();
    let mut state = State::new(protocol);
    let reader: Box<dyn BufRead> = if args.events.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.events)
            .with_context(|| format!("opening {}", args.events.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let source = args.events.display().to_string();
    let (mut already, mut rejected) = (0u64, 0u64);
    let mut rejections = Vec::new();
    for (number, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{source}: reading line {}", number + 1))?;
        if line.trim().is_empty() || line.trim_start().starts_with("//") {
            continue;
        }
        let event = match parse_event(&line, number + 1) {
            Ok(event) => event,
            // An unreadable line is refused like any other bad event: counted, or fatal with --strict.
            Err(error) => {
                let message = format!("{source}: {error}");
                if args.strict {
                    bail!(message);
                }
                rejected += 1;
                if rejections.len() < REJECTIONS_SHOWN {
                    rejections.push(message);
                }
                continue;
            }
        };
        match state.apply(&event) {
            Ok(Outcome::Applied { .. }) => {}
            Ok(Outcome::AlreadyApplied) => already += 1,
            Err(rejection) => {
                let message = format!(
                    "{source}: line {}: event {} rejected: {rejection}",
                    number + 1,
                    event.id()
                );
                if args.strict {
                    bail!(message);
                }
                rejected += 1;
                if rejections.len() < REJECTIONS_SHOWN {
                    rejections.push(message);
                }
            }
        }
    }
    let labs: Vec<String> = state.labs().into_iter().map(str::to_string).collect();
    let (issued, burned, _) = state.credit_totals();
    let (alerts, alerts_raised) = state.alerts();
    let summary = ReplaySummary {
        protocol: name,
        period: state.period(),
        events_applied: state.events_applied(),
        already_applied: already,
        rejected,
        rejections,
        credits: state_participant_balances(&state),
        owed: state
            .participants()
            .filter_map(|id| Some((id.to_string(), state.owed(id)?)))
            .filter(|&(_, owed)| owed > 0)
            .collect(),
        liability_pool: state.pool_balance(),
        issued,
        burned,
        pacts: state.pacts(),
        sanctions: labs
            .iter()
            .map(|lab| {
                let (level, rung, expelled) = state.sanction(lab).expect("registered lab");
                let left = state.left(lab);
                serde_json::json!({ "lab": lab, "level": level, "rung": rung, "expelled": expelled, "left_in_period": left })
            })
            .collect(),
        alerts_raised,
        recent_alerts: alerts.iter().rev().take(ALERTS_SHOWN).rev().cloned().collect(),
        access: labs.iter().map(|lab| state.access(lab)).collect(),
        leaderboard: state
            .protocol()
            .leaderboard
            .enabled
            .then(|| state.leaderboard()),
        rating_indices: state
            .rating_indices()
            .iter()
            .map(|index| IndexScores {
                index: index.id.clone(),
                title: index.title.clone(),
                attribution: index.attribution.clone(),
                editions: state
                    .index_scores(&index.id)
                    .expect("the protocol declares it"),
            })
            .collect(),
        public_reports: state.public_reports(),
        state_hash: state.state_hash(),
    };
    if args.json {
        return print_json(&summary);
    }
    print_replay(&summary);
    Ok(())
}

/// One rating index in a replay summary.
#[derive(Debug, Serialize)]
struct IndexScores {
    index: String,
    title: String,
    attribution: String,
    editions: Vec<accord_core::state::EditionScores>,
}

fn state_participant_balances(state: &State) -> BTreeMap<String, u64> {
    state
        .participants()
        .map(|id| (id.to_string(), state.balance(id).unwrap_or(0)))
        .collect()
}

fn print_replay(s: &ReplaySummary) {
    println!("{} — period {}", s.protocol, s.period);
    println!(
        "events: {} applied, {} already applied, {} rejected",
        s.events_applied, s.already_applied, s.rejected
    );
    for r in &s.rejections {
        println!("  {r}");
    }
    println!(
        "\ncredits (issued {}, burned {}, liability pool {}):",
        s.issued, s.burned, s.liability_pool
    );
    for (id, balance) in &s.credits {
        match s.owed.get(id) {
            Some(owed) => println!("  {id:<20} {balance} (owes {owed})"),
            None => println!("  {id:<20} {balance}"),
        }
    }
    if !s.pacts.is_empty() {
        println!("\npacts:");
        for p in &s.pacts {
            println!(
                "  {}: {} pledges (threshold {}), binding: {}, resolved: {:?}",
                p.pact,
                p.pledgers.len(),
                p.threshold,
                p.binding,
                p.resolved
            );
        }
    }
    println!("\nsanctions:");
    for x in &s.sanctions {
        println!(
            "  {:<20} level {} ({}){}",
            x["lab"].as_str().unwrap_or(""),
            x["level"],
            x["rung"].as_str().unwrap_or(""),
            [
                (x["expelled"] == true).then(|| ", expelled".to_string()),
                x["left_in_period"]
                    .as_u64()
                    .map(|period| format!(", left in period {period}")),
            ]
            .into_iter()
            .flatten()
            .collect::<String>()
        );
    }
    println!("\ncompute access:");
    for a in &s.access {
        let reasons: Vec<String> = a
            .reasons
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default())
            .collect();
        println!(
            "  {:<20} {}{}",
            a.lab,
            if a.allowed { "allowed" } else { "denied" },
            if reasons.is_empty() {
                String::new()
            } else {
                format!(": {}", reasons.join(", "))
            }
        );
    }
    println!("\nalerts: {} raised", s.alerts_raised);
    for alert in &s.recent_alerts {
        println!(
            "  #{} period {} {:?} {} {}",
            alert.id,
            alert.period,
            alert.kind,
            alert.lab.as_deref().unwrap_or("-"),
            alert.metric.as_deref().unwrap_or("")
        );
    }
    match &s.leaderboard {
        Some(leaderboard) => {
            println!("\nleaderboard:");
            let ranks = competition_ranks(leaderboard.iter().map(|e| e.score));
            for (rank, e) in ranks.iter().zip(leaderboard) {
                println!("  {rank}. {:<20} {:.3}", e.lab, e.score);
            }
        }
        None => println!("\nleaderboard: not published (off in this protocol)"),
    }
    for index in &s.rating_indices {
        println!("\n{} ({}):", index.title, index.index);
        if !index.attribution.is_empty() {
            println!("  source: {}", index.attribution);
        }
        for edition in &index.editions {
            println!("  edition {}:", edition.edition);
            let ranks = competition_ranks(edition.rows.iter().map(|row| row.score));
            for (rank, row) in ranks.iter().zip(&edition.rows) {
                println!(
                    "    {:>3}. {:<20} {:>7.2} of {}{}",
                    rank,
                    row.lab,
                    row.score,
                    edition.max_score,
                    row.grade.map(|g| format!(" ({g})")).unwrap_or_default()
                );
            }
        }
    }
    let shared: Vec<_> = s
        .public_reports
        .iter()
        .filter(|r| {
            r.investment.is_some()
                || !r.metrics.is_empty()
                || !r.verdicts.is_empty()
                || !r.incidents.is_empty()
        })
        .collect();
    if !shared.is_empty() {
        println!("\npublic reports (information sharing):");
        for r in shared {
            let mut parts = Vec::new();
            if let Some((period, amount)) = r.investment {
                parts.push(format!("investment {amount} (period {period})"));
            }
            for (metric, period, value) in &r.metrics {
                parts.push(format!("{metric} {value:e} (period {period})"));
            }
            if let Some((period, verdict)) = r.verdicts.last() {
                parts.push(format!("last verdict {verdict:?} (period {period})"));
            }
            if !r.incidents.is_empty() {
                parts.push(format!("{} incident(s)", r.incidents.len()));
            }
            println!("  {:<20} {}", r.lab, parts.join("; "));
        }
    }
    println!("\nstate hash {}", s.state_hash);
}

#[derive(Serialize)]
struct DetectReport {
    source: String,
    rows: usize,
    rows_with_value: usize,
    since: Option<String>,
    #[serde(flatten)]
    detection: Detection,
    attribution: Option<&'static str>,
}

impl DetectArgs {
    fn options(&self) -> DetectOptions {
        DetectOptions {
            thresholds: self.thresholds.clone(),
            bin_width: self.bin_width,
            fit_range: self.fit_range,
            order: self.order,
            replicates: self.replicates,
            jump_window_years: self.jump_window_years,
            max_growth: self.max_growth,
        }
    }
}

fn detect(args: &DetectArgs) -> Result<()> {
    let settings = args.options().settings().map_err(|(option, message)| {
        anyhow::anyhow!("--{}: {message}", option.replace('_', "-"))
    })?;
    let table = args.table.read(args.since.as_deref())?;
    let report = DetectReport {
        source: args.table.source(),
        rows: table.rows,
        rows_with_value: table.reports.len(),
        since: args.since.clone(),
        detection: detect::detect(&table.reports, &settings),
        attribution: args.table.attribution(),
    };
    if args.json {
        return print_json(&report);
    }
    println!(
        "{}: {} rows, {} with a dated positive value{}",
        report.source,
        report.rows,
        report.rows_with_value,
        args.since
            .as_ref()
            .map(|s| format!(" since {s}"))
            .unwrap_or_default()
    );
    println!(
        "\nthreshold bunching (bins of {} dex, polynomial order {}, fit ±{} dex, {} bootstrap replicates):",
        args.bin_width, args.order, args.fit_range, args.replicates
    );
    for result in &report.detection.bunching {
        match &result.estimate {
            Some(e) => println!(
                "  {:e}: excess {:+.1} reports in [{:+.2}, 0) dex, b̂ = {:+.2} bins, 95% interval [{:+.2}, {:+.2}] → {}",
                result.threshold,
                e.excess_mass,
                e.window.0,
                e.normalised_excess,
                e.interval.0,
                e.interval.1,
                if result.significant {
                    "significant bunching"
                } else {
                    "no significant bunching"
                }
            ),
            None if result.reports_in_range < MIN_REPORTS_TO_ESTIMATE => println!(
                "  {:e}: insufficient data: {} report(s) within ±{} dex, at least {MIN_REPORTS_TO_ESTIMATE} needed",
                result.threshold, result.reports_in_range, args.fit_range
            ),
            None => println!(
                "  {:e}: too few bins outside the window to fit the counterfactual",
                result.threshold
            ),
        }
    }
    println!(
        "\njumps: growth beyond {}× the group's largest value in the previous {} year(s): {}",
        args.max_growth,
        args.jump_window_years,
        report.detection.jumps.len()
    );
    for j in report.detection.jumps.iter().take(25) {
        println!(
            "  {:<32} {} {:.2e} vs {:.2e} on {} ({:.0}×)",
            j.group,
            j.date,
            j.jump.value,
            j.jump.reference_value,
            j.reference_date,
            j.jump.growth_factor
        );
    }
    if let Some(attribution) = report.attribution {
        println!("\n{attribution}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use clap::Parser;

    #[derive(Parser)]
    struct Detect {
        #[command(flatten)]
        args: DetectArgs,
    }

    #[test]
    fn detect_defaults_are_the_library_defaults() {
        let parsed = Detect::parse_from(["detect"]);
        assert_eq!(parsed.args.options(), DetectOptions::default());
    }
}
