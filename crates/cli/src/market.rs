//! `accord market`: a market in safety credits among labs whose safety work
//! costs them differently, run through the protocol's credit rules
//! (`accord_sim::market`), against Montgomery's closed form.

use crate::output::print_json;
use crate::protocol::{load_protocol, parse_protocol_named};
use accord_sim::market::{
    DEFAULT_MARKET, DEFAULT_MARKET_PROTOCOL, MarketReport, parse_market, run_market,
};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// `accord market`.
#[derive(Debug, Args)]
pub struct MarketArgs {
    /// Protocol file; its `[credits] surrender_per_period` is the obligation
    /// (default: the shipped examples/protocols/credit-market.toml).
    protocol: Option<PathBuf>,
    /// Market file: the labs and their cost slopes (default: the shipped
    /// examples/markets/frontier-labs.toml).
    #[arg(long)]
    labs: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the market.
pub fn run(args: &MarketArgs) -> Result<()> {
    let (protocol_source, protocol) = match &args.protocol {
        Some(path) => (path.display().to_string(), load_protocol(path)?),
        None => {
            let source = "the shipped credit-market protocol";
            (
                source.to_string(),
                parse_protocol_named(DEFAULT_MARKET_PROTOCOL, source)?,
            )
        }
    };
    let (source, text) = match &args.labs {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        ),
        None => (
            "the shipped frontier-labs market".to_string(),
            DEFAULT_MARKET.to_string(),
        ),
    };
    let market = parse_market(&text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        anyhow::anyhow!("{source} is not a valid market file:\n{}", lines.join("\n"))
    })?;
    let report = run_market(&protocol, &market)
        .with_context(|| format!("market of {source} under {protocol_source}"))?;
    if args.json {
        return print_json(&report);
    }
    print_report(&report);
    Ok(())
}

fn print_report(report: &MarketReport) {
    println!(
        "credit market under {}: {} labs each surrender {} credits a period, {} credit(s) per audited unit of safety investment",
        report.protocol,
        report.labs.len(),
        report.surrender_per_period,
        report.credits_per_investment_unit
    );
    println!(
        "\n  {:>6}  {:>12}  {:>14}  {:>22}  {:>6}",
        "period", "requirement", "price/credit", "Montgomery λ=R/Σ(k²/c)", "trades"
    );
    for period in &report.periods {
        let closed_form = period
            .closed_form_price_per_credit
            .map_or("cap binds".to_string(), price);
        println!(
            "  {:>6}  {:>12}  {:>14}  {:>22}  {:>6}",
            period.period,
            period.requirement_credits,
            price(period.price_per_credit),
            closed_form,
            period.trades.len()
        );
    }
    println!(
        "\n  {:<16}  {:>10}  {:>9}  {:>9}  {:>12}  {:>11}  {:>12}  {:>5}  {:>4}",
        "lab", "c_i", "units", "bought", "cost", "make-whole", "own cost", "held", "owed"
    );
    for lab in &report.labs {
        let own = lab.cost_without_trading.map_or("—".to_string(), cost);
        println!(
            "  {:<16}  {:>10}  {:>9}  {:>9}  {:>12}  {:>+11.2}  {:>12}  {:>5}  {:>4}",
            lab.name,
            slope(lab.cost_slope),
            lab.investment_units,
            lab.credits_bought,
            cost(lab.cost),
            lab.make_whole,
            own,
            lab.credits_held,
            lab.credits_owed
        );
    }
    if report.labs.iter().any(|lab| lab.make_whole != 0.0) {
        println!(
            "  (whole units: no single price covers every seller, so labs the market left worse off than alone are made whole by those it left better off; cost includes it)"
        );
    }
    match report.total_cost_without_trading {
        Some(own) if own > 0.0 => println!(
            "\ntotal cost {}, against {} had each lab met its own obligation ({:+.1}%)",
            cost(report.total_cost),
            cost(own),
            100.0 * (report.total_cost - own) / own
        ),
        _ => println!("\ntotal cost {}", cost(report.total_cost)),
    }
    println!(
        "ledger: {} credits issued, {} burned, {} held; {} events refused; state hash {}",
        report.credits_issued,
        report.credits_burned,
        report.credits_held,
        report.events_rejected,
        report.state_hash
    );
}

/// A price with four decimals, or four significant digits when that would
/// print a positive price as 0.0000.
fn price(value: f64) -> String {
    if value == 0.0 || value.abs() >= 0.01 {
        format!("{value:.4}")
    } else {
        format!("{value:.3e}")
    }
}

/// A cost to one decimal, scientific past 1e12 (slopes of 1e9 make costs
/// of many digits), and never "-0.0".
fn cost(value: f64) -> String {
    if value.abs() < 0.05 {
        "0.0".to_string()
    } else if value.abs() >= 1e12 {
        format!("{value:.3e}")
    } else {
        format!("{value:.1}")
    }
}

/// A slope in at most ten characters, whatever its magnitude (1e-9 to 1e9).
fn slope(value: f64) -> String {
    if (1e-3..1e6).contains(&value) {
        format!("{value}").chars().take(10).collect()
    } else {
        format!("{value:.3e}")
    }
}
