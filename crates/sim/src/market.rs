//! A market in safety credits: tradable obligations, run through the protocol.
//!
//! Source: W. D. Montgomery, "Markets in licenses and efficient pollution
//! control programs", Journal of Economic Theory 5, 395–418 (1972); the
//! closed form is `accord_games::permits`.
//!
//! Every period each lab in the protocol must surrender `e` credits
//! (`credits.surrender_per_period`, rule 15a). Lab `i` earns `k` credits per
//! unit of audited safety investment (`credits_per_investment_unit`), and
//! investing `a_i` units in a period costs it `c_i·a_i²/2` (its
//! `cost_slope`). A credit therefore costs lab `i` the marginal `c_i·q/k²`
//! when it earns `q`, and a price-taking lab offers, at price `λ` per credit,
//!
//! ```text
//! q_i(λ) = min(cap, λ·k²/c_i)   credits   (cap: max_credits_per_period).
//! ```
//!
//! The secretariat's call market clears at the `λ` where the labs' offers
//! meet what they must still acquire, `R = Σ_i (e + owed_i − held_i)`. Without
//! a binding cap this is Montgomery's equilibrium,
//!
//! ```text
//! λ = R / Σ_j (k²/c_j),   a_i = λ·k/c_i,   total cost = λ·R/2,
//! ```
//!
//! the least cost of meeting `R`, whatever each lab's own obligation: labs
//! that abate cheaply earn more than they owe and sell the rest to labs that
//! abate dearly, at `λ` per credit, paid outside the ledger.
//!
//! Each period runs through the core as a registry would see it: investment
//! reports, the panel's audits (honest: every monitor verifies the
//! investment), issuance, one `transfer` per trade, and the period's close,
//! which burns what each lab surrenders. Investment comes in whole units:
//! the market takes the cheapest whole units that earn at least `R` (unit
//! `a + 1` of lab `i` costs `c_i·(2a + 1)/2`), and credits earned beyond `R`
//! carry over with their earners. With nothing to acquire (`R = 0`), banked
//! credits change hands at the last price paid (Rubin 1996: without
//! interest, banking equalises prices across periods).
//!
//! Whole units make the least-cost allocation non-convex, and no uniform
//! price may then support it: a lab can be asked for a unit that costs more
//! per credit than `λ`, or whose credits are not all bought, and end worse off
//! than meeting its own obligation alone. As in electricity markets with
//! non-convex costs (O'Neill, Sotkiewicz, Hobbs, Rothkopf & Stewart, "Efficient
//! market-clearing prices in markets with nonconvexities", EJOR 164, 2005),
//! the market settles with make-whole payments: at the end each lab the
//! market left worse off than alone receives the difference, paid by the labs
//! it left better off in proportion to their gains,
//!
//! ```text
//! u_i = max(0, cost_i − alone_i),   g_j = max(0, alone_j − cost_j),
//! lab i receives u_i·f, lab j pays (Σu·f)·g_j/Σg,   f = min(1, Σg/Σu),
//! ```
//!
//! so no lab pays more than alone whenever trading saves in total (it never
//! costs more in one period). The payments are money, outside the ledger. The market isolates
//! the credit rules: of the protocol it keeps `[credits]` and `[monitoring]`
//! and switches the other mechanisms off, the compute gate among them (its
//! labs acquire credits to surrender, not to hold).

use crate::institution::{Finding, Institution};
use accord_core::early_warning::Alert;
use accord_core::event::Verdict;
use accord_core::spec::MAX_CREDITS_PER_ISSUANCE;
use accord_core::state::check_id;
use accord_core::validate::{FileErrors, parse_located};
use accord_core::{Protocol, Rejection};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The shipped protocol with a tradable obligation, `accord market`'s default.
pub const DEFAULT_MARKET_PROTOCOL: &str =
    include_str!("../../../examples/protocols/credit-market.toml");
/// The shipped market of five labs, `accord market`'s default.
pub const DEFAULT_MARKET: &str = include_str!("../../../examples/markets/frontier-labs.toml");

/// Most labs a market file may hold.
pub const MAX_MARKET_LABS: usize = 10_000;
/// Most periods a market may run.
pub const MAX_MARKET_PERIODS: u32 = 400;
/// Cost slopes accepted, `[1/MAX, MAX]`: wide enough for any currency unit,
/// narrow enough that prices and costs stay finite.
pub const MAX_COST_SLOPE: f64 = 1e9;

/// A market file (`examples/markets/*.toml`): the labs that trade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Periods to run (default 4, a year of quarters).
    #[serde(default = "default_periods")]
    pub periods: u32,
    /// The labs, each `[[lab]]`.
    pub lab: Vec<MarketLab>,
}

fn default_periods() -> u32 {
    4
}

/// One lab of the market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketLab {
    /// Participant id.
    pub name: String,
    /// `c_i`: investing `a` units of safety in a period costs the lab `c_i·a²/2`.
    pub cost_slope: f64,
}

/// Parses and checks a market file; errors name line and field.
pub fn parse_market(text: &str) -> Result<Market, FileErrors> {
    parse_located(text, check_market)
}

/// Semantic checks: `(field path, message)` for each problem.
pub fn check_market(market: &Market) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if market.periods == 0 || market.periods > MAX_MARKET_PERIODS {
        problems.push((
            "periods".to_string(),
            format!(
                "expected 1 to {MAX_MARKET_PERIODS} periods, got {}",
                market.periods
            ),
        ));
    }
    if market.lab.is_empty() || market.lab.len() > MAX_MARKET_LABS {
        problems.push((
            "lab".to_string(),
            format!(
                "expected 1 to {MAX_MARKET_LABS} [[lab]] tables, got {}",
                market.lab.len()
            ),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, lab) in market.lab.iter().enumerate() {
        let reserved = lab.name == "sec"
            || lab
                .name
                .strip_prefix("monitor-")
                .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
        if let Err(Rejection::Invalid { message, .. }) = check_id("name", &lab.name) {
            problems.push((format!("lab[{i}].name"), message));
        } else if reserved {
            problems.push((
                format!("lab[{i}].name"),
                format!(
                    "{:?} is the name the market gives the secretariat or a monitor (sec, monitor-1, …); choose another",
                    lab.name
                ),
            ));
        } else if !names.insert(lab.name.as_str()) {
            problems.push((
                format!("lab[{i}].name"),
                format!("{:?} names two labs; each lab needs its own", lab.name),
            ));
        }
        if !(1.0 / MAX_COST_SLOPE..=MAX_COST_SLOPE).contains(&lab.cost_slope) {
            problems.push((
                format!("lab[{i}].cost_slope"),
                format!(
                    "expected a slope from 1e-9 to 1e9 (cost of a units: slope·a²/2), got {:e}",
                    lab.cost_slope
                ),
            ));
        }
    }
    problems
}

/// Why a market cannot run.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    /// The market file breaks a rule of its format.
    #[error("field `{field}`: {message}")]
    Invalid {
        /// Dotted path of the field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The protocol obliges nobody to surrender credits.
    #[error(
        "the protocol obliges no lab to surrender credits: a market needs [credits] enabled = true with surrender_per_period above 0, and [monitoring] enabled = true (rule 15a)"
    )]
    NoObligation,
    /// Issuance cannot cover what the labs must surrender.
    #[error(
        "in period {period} the labs must acquire {requirement} credits but the protocol issues them at most {capacity} (credits.max_credits_per_period per lab); raise the cap or lower credits.surrender_per_period"
    )]
    ObligationExceedsIssuance {
        /// Period.
        period: u32,
        /// Credits the labs must acquire.
        requirement: u64,
        /// Credits the protocol can issue them.
        capacity: u64,
    },
    /// The core refused an event of the market.
    #[error(
        "the protocol refused the market's {what} in period {period}; check that its [monitoring] panel can reach a verdict (panel_size, quorum)"
    )]
    Refused {
        /// What was refused.
        what: String,
        /// Period.
        period: u32,
    },
}

/// One trade: credits moved by a `transfer` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketTrade {
    /// The lab that sold.
    pub seller: String,
    /// The lab that bought.
    pub buyer: String,
    /// Credits moved.
    pub credits: u64,
}

/// One period of the market.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketPeriod {
    /// Period.
    pub period: u32,
    /// `R`: credits the labs had to acquire, net of what they held.
    pub requirement_credits: u64,
    /// `λ`: the clearing price per credit.
    pub price_per_credit: f64,
    /// Montgomery's closed form `R / Σ(k²/c_j)` (absent when the cap binds,
    /// where it does not apply).
    pub closed_form_price_per_credit: Option<f64>,
    /// Whether some lab's offer was cut by `max_credits_per_period`.
    pub cap_binds: bool,
    /// The trades, sellers and buyers each in file order.
    pub trades: Vec<MarketTrade>,
}

/// One lab over the whole market.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketLabOutcome {
    /// Lab.
    pub name: String,
    /// `c_i`.
    pub cost_slope: f64,
    /// Units of safety investment, summed over periods.
    pub investment_units: u64,
    /// Credits issued to it, summed over periods.
    pub credits_earned: u64,
    /// Credits bought, less credits sold (negative: a net seller).
    pub credits_bought: i64,
    /// What it spent: `Σ c_i·a²/2 + λ·(bought − sold)` over periods, less
    /// its make-whole payment.
    pub cost: f64,
    /// Make-whole settlement: received (positive) by a lab the market left
    /// worse off than alone, paid (negative) by the labs it left better off,
    /// in proportion to their gains; 0 without a cost alone to compare with.
    pub make_whole: f64,
    /// What meeting its own obligation would have cost without trading: a
    /// lab alone under the same rules, investing each period the units that
    /// earn what it lacks (absent when the cap forbids it).
    pub cost_without_trading: Option<f64>,
    /// Credits held at the end.
    pub credits_held: u64,
    /// Credits owed at the end (a shortfall, rule 15a).
    pub credits_owed: u64,
}

/// What a market run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketReport {
    /// The protocol's name.
    pub protocol: String,
    /// `e`: credits each lab surrenders per period.
    pub surrender_per_period: u64,
    /// `k`: credits per unit of audited investment.
    pub credits_per_investment_unit: u64,
    /// Per period.
    pub periods: Vec<MarketPeriod>,
    /// Per lab, in file order.
    pub labs: Vec<MarketLabOutcome>,
    /// Total cost with trading.
    pub total_cost: f64,
    /// Total cost had every lab met its own obligation (absent when the cap forbids it).
    pub total_cost_without_trading: Option<f64>,
    /// Credits ever issued, burned, and held at the end (`issued − burned = held`).
    pub credits_issued: u64,
    /// Credits burned (surrendered, expired).
    pub credits_burned: u64,
    /// Credits held.
    pub credits_held: u64,
    /// Events the core refused (none in a well-formed market).
    pub events_rejected: u64,
    /// The protocol state hash at the end.
    pub state_hash: String,
}

/// Runs the market on the credit rules of `protocol`.
pub fn run_market(protocol: &Protocol, market: &Market) -> Result<MarketReport, MarketError> {
    if let Some((field, message)) = check_market(market).into_iter().next() {
        return Err(MarketError::Invalid { field, message });
    }
    let credits = &protocol.credits;
    let surrender = credits.surrender_per_period;
    if !(credits.enabled && surrender > 0 && protocol.monitoring.enabled) {
        return Err(MarketError::NoObligation);
    }
    let isolated = Protocol {
        protocol: protocol.protocol.clone(),
        credits: protocol.credits.clone(),
        monitoring: protocol.monitoring.clone(),
        compute: Default::default(),
        pacts: Default::default(),
        liability: Default::default(),
        information_sharing: Default::default(),
        commitments: Default::default(),
        transparency: Default::default(),
        announcements: Default::default(),
        early_warning: Default::default(),
        whistleblower: Default::default(),
        sanctions: Default::default(),
        leaderboard: Default::default(),
    };
    let monitors = protocol.monitoring.monitors as usize;
    let names: Vec<String> = market.lab.iter().map(|l| l.name.clone()).collect();
    let n = names.len();
    let mut institution = Institution::new(&isolated, &names, &vec![true; n], monitors);

    let per_unit = credits.credits_per_investment_unit;
    assert!(
        per_unit >= 1,
        "validated protocols issue at least one credit per unit"
    );
    // The core caps the credits of one issuance, not the units (rule 14).
    let cap = match credits.max_credits_per_period {
        0 => MAX_CREDITS_PER_ISSUANCE,
        cap => cap.min(MAX_CREDITS_PER_ISSUANCE),
    };
    // Slopes of each lab's marginal cost per credit: c_i/k².
    let k = per_unit as f64;
    let credit_slopes: Vec<f64> = market.lab.iter().map(|l| l.cost_slope / (k * k)).collect();
    let slopes: Vec<f64> = market.lab.iter().map(|l| l.cost_slope).collect();
    let own = own_units(&isolated, monitors, market.periods)?;
    let mut last_price = 0.0;

    let mut periods = Vec::with_capacity(market.periods as usize);
    let mut units_total = vec![0u64; n];
    let mut earned_total = vec![0u64; n];
    let mut bought = vec![0i64; n];
    let mut cost = vec![0.0f64; n];
    let mut alerts = Vec::new();
    for _ in 0..market.periods {
        let period = institution.state().period();
        // What each lab still needs (positive) or can spare (negative) before investing.
        let need: Vec<i128> = (0..n)
            .map(|i| {
                i128::from(surrender) + i128::from(institution.owed(i))
                    - i128::from(institution.credits(i))
            })
            .collect();
        let requirement = u64::try_from(need.iter().sum::<i128>().max(0))
            .expect("at most 10⁴ labs owing at most 2⁶⁴ each");
        let capacity = cap.saturating_mul(n as u64);
        if requirement > capacity {
            return Err(MarketError::ObligationExceedsIssuance {
                period,
                requirement,
                capacity,
            });
        }
        let clearing = clearing_price(requirement as f64, &credit_slopes, cap as f64);
        // With nothing to acquire, banked credits change hands at the last
        // price paid for them: without interest, banking equalises prices
        // across periods (Rubin 1996).
        let price = if requirement == 0 {
            last_price
        } else {
            clearing
        };
        last_price = price;
        // Montgomery's price holds unless it would take some lab past the cap.
        let closed_form = requirement as f64 / credit_slopes.iter().map(|s| 1.0 / s).sum::<f64>();
        let cap_binds = credit_slopes.iter().any(|s| closed_form / s > cap as f64);
        let units = whole_units(&slopes, requirement, per_unit, cap);

        for (i, &invested) in units.iter().enumerate() {
            invest(&mut institution, i, invested, &names[i], &mut alerts)?;
        }

        // Net positions after issuance; sellers meet buyers in file order.
        let mut position: Vec<i128> = (0..n)
            .map(|i| i128::from((units[i] * per_unit).min(cap)) - need[i])
            .collect();
        let mut trades = Vec::new();
        let mut buyer = 0;
        for seller in 0..n {
            while position[seller] > 0 {
                while buyer < n && position[buyer] >= 0 {
                    buyer += 1;
                }
                if buyer == n {
                    break;
                }
                let amount = position[seller].min(-position[buyer]);
                let credits = u64::try_from(amount).expect("positive and below 2⁶⁴");
                if !institution.transfer(seller, buyer, credits) {
                    return Err(MarketError::Refused {
                        what: format!(
                            "transfer of {credits} credits from {} to {}",
                            names[seller], names[buyer]
                        ),
                        period,
                    });
                }
                position[seller] -= amount;
                position[buyer] += amount;
                let signed = i64::try_from(credits).expect("fewer than 2⁶³ credits");
                bought[seller] -= signed;
                bought[buyer] += signed;
                cost[seller] -= price * credits as f64;
                cost[buyer] += price * credits as f64;
                trades.push(MarketTrade {
                    seller: names[seller].clone(),
                    buyer: names[buyer].clone(),
                    credits,
                });
            }
        }
        for (i, lab) in market.lab.iter().enumerate() {
            let invested = units[i] as f64;
            cost[i] += lab.cost_slope * invested * invested / 2.0;
            units_total[i] += units[i];
            earned_total[i] += (units[i] * per_unit).min(cap);
        }
        institution.close_period(&mut alerts);
        periods.push(MarketPeriod {
            period,
            requirement_credits: requirement,
            price_per_credit: price,
            closed_form_price_per_credit: (!cap_binds).then_some(closed_form),
            cap_binds,
            trades,
        });
    }

    // A lab alone invests the same units every lab would, period by period.
    let alone: Option<Vec<f64>> = own.as_ref().map(|units| {
        market
            .lab
            .iter()
            .map(|lab| {
                units
                    .iter()
                    .map(|&u| lab.cost_slope * (u as f64).powi(2) / 2.0)
                    .sum()
            })
            .collect()
    });
    let make_whole = alone
        .as_ref()
        .map_or_else(|| vec![0.0; n], |alone| make_whole_payments(&cost, alone));
    let labs: Vec<MarketLabOutcome> = market
        .lab
        .iter()
        .enumerate()
        .map(|(i, lab)| MarketLabOutcome {
            name: lab.name.clone(),
            cost_slope: lab.cost_slope,
            investment_units: units_total[i],
            credits_earned: earned_total[i],
            credits_bought: bought[i],
            cost: cost[i] - make_whole[i],
            make_whole: make_whole[i],
            cost_without_trading: alone.as_ref().map(|alone| alone[i]),
            credits_held: institution.credits(i),
            credits_owed: institution.owed(i),
        })
        .collect();
    let (issued, burned, held) = institution.state().credit_totals();
    Ok(MarketReport {
        protocol: protocol.protocol.name.clone(),
        surrender_per_period: surrender,
        credits_per_investment_unit: per_unit,
        periods,
        total_cost: labs.iter().map(|l| l.cost).sum(),
        total_cost_without_trading: labs.iter().map(|l| l.cost_without_trading).sum(),
        labs,
        credits_issued: issued,
        credits_burned: burned,
        credits_held: held,
        events_rejected: institution.rejected,
        state_hash: institution.state().state_hash(),
    })
}

/// The make-whole settlement (module docs): what each lab receives
/// (positive) or pays (negative), given its cost in the market and alone.
fn make_whole_payments(cost: &[f64], alone: &[f64]) -> Vec<f64> {
    debug_assert_eq!(cost.len(), alone.len());
    let losses: Vec<f64> = cost
        .iter()
        .zip(alone)
        .map(|(c, a)| (c - a).max(0.0))
        .collect();
    let gains: Vec<f64> = cost
        .iter()
        .zip(alone)
        .map(|(c, a)| (a - c).max(0.0))
        .collect();
    let (lost, gained): (f64, f64) = (losses.iter().sum(), gains.iter().sum());
    if lost == 0.0 || gained == 0.0 {
        return vec![0.0; cost.len()];
    }
    let funded = (gained / lost).min(1.0);
    let paid = lost * funded;
    losses
        .iter()
        .zip(&gains)
        .map(|(loss, gain)| loss * funded - paid * gain / gained)
        .collect()
}

/// Reports `units` of investment for lab `i`, has its panel audit them
/// (honestly) and the credits issued.
fn invest(
    institution: &mut Institution,
    i: usize,
    units: u64,
    name: &str,
    alerts: &mut Vec<Alert>,
) -> Result<(), MarketError> {
    if units == 0 {
        return Ok(());
    }
    let period = institution.state().period();
    let refused = |what: &str| MarketError::Refused {
        what: format!("{what} for {name}"),
        period,
    };
    if !institution.report_investment(i, units) {
        return Err(refused("investment report"));
    }
    for monitor in institution.panel(i) {
        let finding = Finding {
            verdict: Verdict::Compliant,
            verified_investment: Some(units),
            measured_compute: None,
        };
        if institution.audit(monitor, i, finding, alerts).is_none() {
            return Err(refused("audit"));
        }
    }
    let before = institution.credits(i) + institution.owed(i);
    institution.issue_credits(i);
    if institution.credits(i) + institution.owed(i) == before {
        return Err(refused("credit issuance"));
    }
    Ok(())
}

/// Units a lab that trades nothing invests each period to surrender what it
/// must, run through the core on its own (so carry-over, the cap on one
/// issuance and expiry are the protocol's); `None` when the cap on one
/// issuance is below the obligation, which no lab can then meet alone.
fn own_units(
    isolated: &Protocol,
    monitors: usize,
    periods: u32,
) -> Result<Option<Vec<u64>>, MarketError> {
    let credits = &isolated.credits;
    let cap = match credits.max_credits_per_period {
        0 => MAX_CREDITS_PER_ISSUANCE,
        cap => cap.min(MAX_CREDITS_PER_ISSUANCE),
    };
    if credits.surrender_per_period > cap {
        return Ok(None);
    }
    let name = "alone".to_string();
    let mut institution =
        Institution::new(isolated, std::slice::from_ref(&name), &[true], monitors);
    let mut alerts = Vec::new();
    let mut units = Vec::with_capacity(periods as usize);
    for _ in 0..periods {
        let lacking = (credits.surrender_per_period + institution.owed(0))
            .saturating_sub(institution.credits(0));
        let invested = lacking.div_ceil(credits.credits_per_investment_unit);
        invest(&mut institution, 0, invested, &name, &mut alerts)?;
        institution.close_period(&mut alerts);
        units.push(invested);
    }
    Ok(Some(units))
}

/// Whole units of investment that earn at least `requirement` credits at
/// the least total cost `Σ c_i·a_i²/2`: lab `i`'s unit `a + 1` costs
/// `c_i·(2a + 1)/2` and earns `min(k, cap − k·a)` credits, so the cheapest
/// allocation takes every unit whose cost per credit is below a threshold
/// `τ`, the least at which enough credits are earned, and of the units that
/// cost exactly `τ` (within a relative 1e-9, so that scaling every slope
/// moves nothing) as many as are still needed, in file order.
fn whole_units(slopes: &[f64], requirement: u64, per_unit: u64, cap: u64) -> Vec<u64> {
    if requirement == 0 {
        return vec![0; slopes.len()];
    }
    let full_units = cap / per_unit;
    let last_unit_credits = cap % per_unit;
    // Units of lab `i` costing at most `tau` per credit.
    let units_within = |slope: f64, tau: f64| -> u64 {
        // c·(2a + 1)/(2k) ≤ τ  ⇔  a ≤ τ·k/c − 1/2, for a < full_units.
        let below = (tau * per_unit as f64 / slope + 0.5).floor();
        let mut units = if below >= full_units as f64 {
            full_units
        } else {
            below.max(0.0) as u64
        };
        if units == full_units && last_unit_credits > 0 {
            let cost = slope * (2 * full_units + 1) as f64 / (2 * last_unit_credits) as f64;
            if cost <= tau {
                units += 1;
            }
        }
        units
    };
    let earned = |units: u64| (units.saturating_mul(per_unit)).min(cap);
    let credits_within = |tau: f64| -> u64 {
        slopes
            .iter()
            .map(|&s| earned(units_within(s, tau)))
            .fold(0u64, u64::saturating_add)
    };
    // Bracket τ, then bisect to the least τ that earns enough.
    let mut high = slopes.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    while credits_within(high) < requirement {
        high *= 2.0;
        assert!(
            high.is_finite(),
            "the capacity check admits the requirement"
        );
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if credits_within(middle) >= requirement {
            high = middle;
        } else {
            low = middle;
        }
    }
    const TIE: f64 = 1e-9;
    let mut units: Vec<u64> = slopes
        .iter()
        .map(|&s| units_within(s, high * (1.0 - TIE)))
        .collect();
    let mut total: u64 = units.iter().map(|&u| earned(u)).sum();
    // The units tied at τ, in file order.
    while total < requirement {
        let before = total;
        for (i, &slope) in slopes.iter().enumerate() {
            if total >= requirement {
                break;
            }
            if units_within(slope, high * (1.0 + TIE)) > units[i] {
                total = total - earned(units[i]) + earned(units[i] + 1);
                units[i] += 1;
            }
        }
        assert!(total > before, "the units within τ earn the requirement");
    }
    units
}

/// The `λ` at which price-taking labs offer `requirement` credits in all,
/// `Σ_i min(cap, λ/s_i) = requirement` (`s_i` the slope of lab `i`'s
/// marginal cost per credit), solved exactly on the piecewise-linear offer
/// curve: labs reach the cap in the order of their slopes, at `λ = s_i·cap`.
fn clearing_price(requirement: f64, credit_slopes: &[f64], cap: f64) -> f64 {
    if requirement <= 0.0 {
        return 0.0;
    }
    let mut order: Vec<usize> = (0..credit_slopes.len()).collect();
    order.sort_by(|&a, &b| credit_slopes[a].total_cmp(&credit_slopes[b]));
    // Σ 1/s over the labs from position j on: those not yet at the cap.
    let mut open = vec![0.0; order.len() + 1];
    for j in (0..order.len()).rev() {
        open[j] = open[j + 1] + 1.0 / credit_slopes[order[j]];
    }
    let mut at_cap = 0.0;
    for (j, &lab) in order.iter().enumerate() {
        let price = (requirement - at_cap) / open[j];
        if price <= credit_slopes[lab] * cap {
            return price;
        }
        at_cap += cap;
    }
    // Every lab at the cap: the capacity check admits this only when it is exact.
    credit_slopes[*order.last().expect("at least one lab")] * cap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clearing_price_meets_the_requirement_and_respects_the_cap() {
        let price = clearing_price(14.0, &[1.0, 2.0, 4.0], f64::INFINITY);
        assert!((price - 8.0).abs() < 1e-12, "{price}");
        // Capped at 7 each, the cheapest lab stops at 7 and the others fill in.
        let price = clearing_price(14.0, &[1.0, 2.0, 4.0], 7.0);
        assert!(
            (7.0 + price / 2.0 + price / 4.0 - 14.0).abs() < 1e-9,
            "{price}"
        );
        assert_eq!(clearing_price(0.0, &[1.0], 5.0), 0.0);
        // Slopes far from 1 on either side.
        let price = clearing_price(200.0, &[1e-21, 1.0], 1e12);
        assert!(
            (price - 200.0 / (1e21 + 1.0)).abs() <= 1e-12 * price,
            "{price}"
        );
        let price = clearing_price(100.0, &[1e9], 1e12);
        assert!((price - 1e11).abs() <= 1e-3, "{price}");
        // Every lab at the cap.
        assert_eq!(clearing_price(10.0, &[1.0, 3.0], 5.0), 15.0);
    }

    #[test]
    fn whole_units_are_the_cheapest_that_earn_the_requirement() {
        // k = 100, 500 credits: unit costs 0.25, 0.75, 1.25 (c = 0.5), 0.5
        // (c = 1), 1 (c = 2), 2 (c = 4) and 4 (c = 8): the five cheapest.
        assert_eq!(
            whole_units(&[0.5, 1.0, 2.0, 4.0, 8.0], 500, 100, u64::MAX),
            [3, 1, 1, 0, 0]
        );
        // Ties at τ go in file order, whatever the scale of the slopes.
        for scale in [1.0, 1e-3, 7e5] {
            let slopes = [1.0 * scale, 3.0 * scale, 1.0 * scale];
            assert_eq!(whole_units(&slopes, 4, 1, u64::MAX), [2, 1, 1]);
            assert_eq!(whole_units(&slopes, 5, 1, u64::MAX), [2, 1, 2]);
        }
        // The cap on one issuance: 7 credits at k = 3 are two full units
        // and a third that earns 1.
        assert_eq!(whole_units(&[1.0, 100.0], 14, 3, 7), [3, 3]);
        assert_eq!(whole_units(&[1.0], 0, 3, 7), [0]);
    }

    #[test]
    fn market_files_are_checked_field_by_field() {
        let errors = parse_market(
            "periods = 0\n[[lab]]\nname = \"a\"\ncost_slope = 1\n[[lab]]\nname = \"a\"\ncost_slope = -2\n",
        )
        .unwrap_err();
        let fields: Vec<_> = errors.0.iter().filter_map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["periods", "lab[1].name", "lab[1].cost_slope"]);
        assert_eq!(errors.0[2].line, 7);
        for name in ["sec", "monitor-2"] {
            let text = format!("[[lab]]\nname = \"{name}\"\ncost_slope = 1\n");
            let errors = parse_market(&text).unwrap_err();
            assert_eq!(errors.0[0].field.as_deref(), Some("lab[0].name"));
            assert!(errors.0[0].message.contains("secretariat or a monitor"));
        }
        let errors = parse_market("[[lab]]\nname = \"a b\"\ncost_slope = 1e10\n").unwrap_err();
        assert!(
            errors.0[0].message.starts_with("\"a b\": expected 1 to 64"),
            "{errors}"
        );
        assert_eq!(errors.0[1].field.as_deref(), Some("lab[0].cost_slope"));
    }
}
