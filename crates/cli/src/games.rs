//! `accord games`: the classic coordination models behind the framework's
//! mechanisms, each computed by `accord-games` and printed as text or JSON.

use crate::egt::GameArgs;
use crate::output::{number, print_json};
use accord_games::assurance::AssuranceContract;
use accord_games::email_game::EmailGame;
use accord_games::equilibrium::commitment::{ValueOfCommitment, value_of_commitment};
use accord_games::equilibrium::{
    Bimatrix, Equilibrium, GroupEquilibrium, Player, SymmetricEquilibrium, is_degenerate,
    support_enumeration, symmetric_equilibria, symmetric_group_equilibria, vertex_enumeration,
};
use accord_games::global_game::GlobalGame;
use accord_games::inspection::{InspectionGame, dresher};
use accord_games::liability_pool::LiabilityPool;
use accord_games::precipice::{Information, Precipice};
use accord_games::{Game, cascade, naming_game, permits, threshold_model};
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;

/// Classic coordination models.
#[derive(Debug, Subcommand)]
pub enum GamesCommand {
    /// All Nash equilibria of a bimatrix game, with exploitability and the value of commitment.
    Equilibria(EquilibriaArgs),
    /// Symmetric Nash equilibria of a built-in model or custom game (2-player, or N-player with 2 strategies).
    Symmetric(SymmetricArgs),
    /// Global game of regime change (Morris & Shin 1998): thresholds θ* and x*, and whether they are unique.
    GlobalGame(GlobalGameArgs),
    /// Rubinstein's electronic mail game: does "almost common knowledge" coordinate?
    EmailGame(EmailGameArgs),
    /// One-shot inspection game (Avenhaus, von Stengel & Zamir 2002): equilibrium rates and the value of leadership.
    Inspection(InspectionArgs),
    /// Dresher's recursive inspection game: value with n periods and m inspections.
    Dresher(DresherArgs),
    /// Granovetter's threshold model: how many act in equilibrium.
    Threshold(ThresholdArgs),
    /// Information cascades (Bikhchandani, Hirshleifer & Welch 1992): probability of a right, wrong or no cascade.
    Cascade(CascadeArgs),
    /// Committed-minority tipping in the binary naming game (Xie et al. 2011).
    NamingGame(NamingGameArgs),
    /// Dominant assurance contract (Tabarrok 1998): equilibria with a refund bonus.
    Assurance(AssuranceArgs),
    /// Tradable permits / safety credits with quadratic costs (Montgomery 1972): price and abatement.
    Permits(PermitsArgs),
    /// Racing to the precipice (Armstrong, Bostrom & Shulman 2016): the safety teams race at, with no, private or public information about capabilities.
    Precipice(PrecipiceArgs),
    /// A liability pool (Shavell 1987): the care flat and risk-rated premiums leave labs an incentive to take.
    Liability(LiabilityArgs),
}

/// Options of every model command.
#[derive(Debug, Args)]
pub struct Output {
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// `accord games equilibria`.
#[derive(Debug, Args)]
pub struct EquilibriaArgs {
    /// Row player's payoffs, rows separated by `;` and entries by `,` (e.g. "3,0;5,1").
    #[arg(long, allow_hyphen_values = true)]
    row: String,
    /// Column player's payoffs in the same layout (default: the transpose of --row, a symmetric game).
    #[arg(long, allow_hyphen_values = true)]
    column: Option<String>,
    /// Algorithm: vertex enumeration (every extreme equilibrium of any game) or support enumeration.
    #[arg(long, value_enum, default_value_t = Method::Vertex)]
    method: Method,
    #[command(flatten)]
    output: Output,
}

/// Equilibrium enumeration algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Best-response polytope vertices (Avis et al. 2010).
    Vertex,
    /// Equal-size supports and indifference equations.
    Support,
}

/// `accord games symmetric`.
#[derive(Debug, Args)]
pub struct SymmetricArgs {
    #[command(flatten)]
    game: GameArgs,
    #[command(flatten)]
    output: Output,
}

/// `accord games global-game`.
#[derive(Debug, Args)]
pub struct GlobalGameArgs {
    /// z: prior mean of the fundamental θ (the share of pledgers needed).
    #[arg(long, default_value_t = 0.6, allow_hyphen_values = true)]
    prior_mean: f64,
    /// α: prior precision.
    #[arg(long, default_value_t = 4.0)]
    prior_precision: f64,
    /// β: precision of each private signal.
    #[arg(long, default_value_t = 100.0)]
    signal_precision: f64,
    /// c: cost of pledging relative to the benefit of success, in (0, 1).
    #[arg(long, default_value_t = 0.4)]
    cost: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games email-game`.
#[derive(Debug, Args)]
pub struct EmailGameArgs {
    /// M: payoff of coordinating on the action the state favours.
    #[arg(long, default_value_t = 1.0)]
    gain: f64,
    /// L: loss of playing the risky action alone.
    #[arg(long, default_value_t = 2.0)]
    loss: f64,
    /// ε: probability that each confirmation is lost.
    #[arg(long, default_value_t = 0.1)]
    message_loss: f64,
    /// p: probability of the state in which the risky action pays.
    #[arg(long, default_value_t = 0.3)]
    prior: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games inspection`.
#[derive(Debug, Args)]
pub struct InspectionArgs {
    /// e: inspector's cost of inspecting a legal inspectee.
    #[arg(long, default_value_t = 1.0)]
    inspection_cost: f64,
    /// c: inspector's loss from an undetected violation.
    #[arg(long, default_value_t = 10.0)]
    undetected_loss: f64,
    /// a: inspector's loss from a detected violation (a < c).
    #[arg(long, default_value_t = 2.0, allow_hyphen_values = true)]
    detected_loss: f64,
    /// b: inspectee's gain from an undetected violation.
    #[arg(long, default_value_t = 4.0)]
    violation_gain: f64,
    /// f: inspectee's penalty when caught.
    #[arg(long, default_value_t = 6.0)]
    penalty: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games dresher`.
#[derive(Debug, Args)]
pub struct DresherArgs {
    /// n: periods.
    #[arg(long, short = 'n', default_value_t = 10)]
    periods: u32,
    /// m: inspections (at most n).
    #[arg(long, short = 'm', default_value_t = 3)]
    inspections: u32,
    /// The inspectee's loss when a violation is detected (Dresher: 1).
    #[arg(long, default_value_t = 1.0)]
    detected_loss: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games threshold`.
#[derive(Debug, Args)]
pub struct ThresholdArgs {
    /// Thresholds as numbers of others who must act first, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = crate::output::list_number, conflicts_with_all = ["mean", "spread"], allow_hyphen_values = true)]
    thresholds: Vec<f64>,
    /// Mean of normally distributed thresholds, as a share (mean-field model).
    #[arg(long, requires = "spread", allow_hyphen_values = true)]
    mean: Option<f64>,
    /// Standard deviation of the thresholds, as a share.
    #[arg(long, requires = "mean")]
    spread: Option<f64>,
    #[command(flatten)]
    output: Output,
}

/// `accord games cascade`.
#[derive(Debug, Args)]
pub struct CascadeArgs {
    /// p: probability that a private signal is right, in (1/2, 1).
    #[arg(long, default_value_t = 0.7)]
    accuracy: f64,
    /// Agents who have decided (rounded down to pairs for the closed form).
    #[arg(long, default_value_t = 10)]
    agents: u32,
    #[command(flatten)]
    output: Output,
}

/// `accord games naming-game`.
#[derive(Debug, Args)]
pub struct NamingGameArgs {
    /// Share of agents committed to the new convention; omitted: compute the critical share.
    #[arg(long)]
    committed: Option<f64>,
    #[command(flatten)]
    output: Output,
}

/// `accord games assurance`.
#[derive(Debug, Args)]
pub struct AssuranceArgs {
    /// N: agents.
    #[arg(long, default_value_t = 6)]
    agents: u32,
    /// K: pledges needed.
    #[arg(long, default_value_t = 3)]
    threshold: u32,
    /// v: value of the good to each agent.
    #[arg(long, default_value_t = 3.0, allow_hyphen_values = true)]
    value: f64,
    /// c: the pledge.
    #[arg(long, default_value_t = 1.0)]
    cost: f64,
    /// f: refund bonus per pledger of a failed contract.
    #[arg(long, default_value_t = 0.2)]
    bonus: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games precipice`.
#[derive(Debug, Args)]
pub struct PrecipiceArgs {
    /// n: teams in the race.
    #[arg(long, default_value_t = 2)]
    teams: usize,
    /// μ: capabilities are uniform on [0, μ].
    #[arg(long, default_value_t = 1.0)]
    spread: f64,
    /// e: enmity, the loss in [0, 1] when another team wins safely.
    #[arg(long, default_value_t = 1.0)]
    enmity: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games liability`.
#[derive(Debug, Args)]
pub struct LiabilityArgs {
    /// N: labs sharing the pool.
    #[arg(long, default_value_t = 10)]
    labs: usize,
    /// p₀: accident probability without care.
    #[arg(long, default_value_t = 0.5)]
    base_accident_probability: f64,
    /// h: harm of an accident, in units of care cost.
    #[arg(long, default_value_t = 100.0)]
    harm: f64,
    /// ρ: weight of each lab's own risk rating in its premium (0 flat, 1 fully rated).
    #[arg(long, default_value_t = 0.0)]
    rating_weight: f64,
    #[command(flatten)]
    output: Output,
}

/// `accord games permits`.
#[derive(Debug, Args)]
pub struct PermitsArgs {
    /// c_i: slope of each firm's marginal abatement cost, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = crate::output::list_number, default_values_t = [1.0, 2.0, 4.0], allow_hyphen_values = true)]
    cost_slopes: Vec<f64>,
    /// A: total abatement required.
    #[arg(long, default_value_t = 14.0)]
    requirement: f64,
    /// e_i: initial obligations, comma-separated (default: equal shares of A).
    #[arg(long, value_delimiter = ',', value_parser = crate::output::list_number, allow_hyphen_values = true)]
    obligations: Vec<f64>,
    #[command(flatten)]
    output: Output,
}

/// Runs an `accord games` command.
pub fn run(command: GamesCommand) -> Result<()> {
    match command {
        GamesCommand::Equilibria(args) => equilibria(&args),
        GamesCommand::Symmetric(args) => symmetric(&args),
        GamesCommand::GlobalGame(args) => global_game(&args),
        GamesCommand::EmailGame(args) => email_game(&args),
        GamesCommand::Inspection(args) => inspection(&args),
        GamesCommand::Dresher(args) => {
            let result = dresher(args.periods, args.inspections, args.detected_loss)?;
            if args.output.json {
                return print_json(&result);
            }
            println!(
                "Dresher's game, n = {} periods, m = {} inspections: value {} to the inspectee; now it violates with probability {} and is inspected with probability {}",
                result.periods,
                result.inspections,
                number(result.value),
                number(result.violation_probability),
                number(result.inspection_probability)
            );
            Ok(())
        }
        GamesCommand::Threshold(args) => threshold(&args),
        GamesCommand::Cascade(args) => {
            let result = cascade::closed_form(args.accuracy, args.agents / 2)?;
            if args.output.json {
                return print_json(&result);
            }
            println!(
                "after {} agents with signals right with probability {}: correct cascade {}, wrong cascade {}, no cascade yet {}",
                result.agents,
                args.accuracy,
                number(result.correct),
                number(result.wrong),
                number(result.none)
            );
            Ok(())
        }
        GamesCommand::NamingGame(args) => naming(&args),
        GamesCommand::Assurance(args) => assurance(&args),
        GamesCommand::Permits(args) => permit_market(&args),
        GamesCommand::Precipice(args) => precipice(&args),
        GamesCommand::Liability(args) => liability(&args),
    }
}

#[derive(Serialize)]
struct LiabilityOutput {
    pool: LiabilityPool,
    /// `w = ρ + (1 − ρ)/N`.
    own_risk_weight: f64,
    /// `x* = max(0, ln(w·p₀·h))`.
    care: f64,
    /// `p₀·e^(−x*)`.
    accident_probability: f64,
    /// `ln(p₀h)⁺`, what full liability induces.
    efficient_care: f64,
    /// Expected social cost per lab at `x*` and at the efficient care.
    social_cost_per_lab: f64,
    efficient_social_cost_per_lab: f64,
}

fn liability(args: &LiabilityArgs) -> Result<()> {
    let pool = LiabilityPool::new(
        args.labs,
        args.base_accident_probability,
        args.harm,
        args.rating_weight,
    )?;
    let (care, efficient_care) = (pool.equilibrium_care(), pool.efficient_care());
    let output = LiabilityOutput {
        pool,
        own_risk_weight: pool.own_risk_weight(),
        care,
        accident_probability: pool.accident_probability(care),
        efficient_care,
        social_cost_per_lab: pool.social_cost_per_lab(care),
        efficient_social_cost_per_lab: pool.social_cost_per_lab(efficient_care),
    };
    if args.output.json {
        return print_json(&output);
    }
    println!(
        "{} labs share a pool, accident probability {}·e^(−care), harm {}, rating weight ρ = {}:",
        pool.labs,
        number(pool.base_accident_probability),
        number(pool.harm),
        number(pool.rating_weight)
    );
    println!(
        "  each lab pays for w = ρ + (1 − ρ)/N = {} of its own expected harm and takes care x* = max(0, ln(w·p₀·h)) = {} (accident probability {})",
        number(output.own_risk_weight),
        number(care),
        number(output.accident_probability)
    );
    println!(
        "  full liability (or ρ = 1) gives care max(0, ln(p₀h)) = {}; social cost per lab {} against {} at that care",
        number(efficient_care),
        number(output.social_cost_per_lab),
        number(output.efficient_social_cost_per_lab)
    );
    Ok(())
}

#[derive(Serialize)]
struct PrecipiceOutput {
    race: Precipice,
    /// One answer per information regime, least informed first.
    regimes: Vec<PrecipiceRegime>,
}

#[derive(Serialize)]
struct PrecipiceRegime {
    information: Information,
    /// The probability that the race is safe: `s*` with no information,
    /// else the winner's expected safety.
    safety: f64,
    disaster_probability: f64,
}

fn precipice(args: &PrecipiceArgs) -> Result<()> {
    let race = Precipice::new(args.teams, args.spread, args.enmity)?;
    let output = PrecipiceOutput {
        race,
        regimes: Information::ALL
            .into_iter()
            .map(|information| {
                let safety = race.safety(information);
                PrecipiceRegime {
                    information,
                    safety,
                    disaster_probability: 1.0 - safety,
                }
            })
            .collect(),
    };
    if args.output.json {
        return print_json(&output);
    }
    println!(
        "{} teams, capabilities uniform on [0, {}], enmity {} (k = 1 + (n − 1)·e):",
        race.teams,
        number(race.capability_spread),
        number(race.enmity)
    );
    for regime in &output.regimes {
        let rule = match regime.information {
            Information::None => {
                "nobody knows any capability: every team plays s* = min(1, μ/(n·e))"
            }
            Information::Private => "each knows its own: a team of capability c plays min(1, c/k)",
            Information::Public => "all know all: the leader, ahead by Δ, plays min(1, Δ/e)",
        };
        println!(
            "  {rule}; the race is safe with probability {}, ends in disaster with probability {}",
            number(regime.safety),
            number(regime.disaster_probability)
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct GlobalGameOutput {
    game: GlobalGame,
    /// This game has exactly one threshold equilibrium.
    unique: bool,
    /// `β ≥ α²/2π`: it would have exactly one whatever the cost.
    unique_for_every_cost: bool,
    thresholds: Vec<accord_games::global_game::Threshold>,
    /// With θ common knowledge, coordination is an equilibrium for 0 < θ ≤ 1.
    common_knowledge_region: (f64, f64),
}

fn global_game(args: &GlobalGameArgs) -> Result<()> {
    let game = GlobalGame::new(
        args.prior_mean,
        args.prior_precision,
        args.signal_precision,
        args.cost,
    )?;
    let thresholds = game.thresholds();
    assert!(!thresholds.is_empty(), "a checked game has a threshold");
    let unique = thresholds.len() == 1;
    let unique_for_every_cost = game.unique_for_every_cost();
    if args.output.json {
        return print_json(&GlobalGameOutput {
            game,
            unique,
            unique_for_every_cost,
            thresholds,
            common_knowledge_region: (0.0, 1.0),
        });
    }
    println!(
        "global game: θ ~ N({}, 1/{}), signals of precision {}, pledge cost {}",
        args.prior_mean, args.prior_precision, args.signal_precision, args.cost
    );
    for t in &thresholds {
        println!(
            "  the pact succeeds iff θ ≤ θ* = {}; labs pledge iff their signal x ≤ x* = {}",
            number(t.fundamental),
            number(t.signal)
        );
    }
    let bound = number(args.prior_precision.powi(2) / (2.0 * std::f64::consts::PI));
    println!(
        "  {}",
        match (unique_for_every_cost, unique) {
            (true, _) => "unique (β ≥ α²/2π)".to_string(),
            (false, true) => format!(
                "unique at this cost, though β < α²/2π = {bound}: other costs have several threshold equilibria"
            ),
            (false, false) => format!(
                "not unique: β < α²/2π = {bound}, {} threshold equilibria",
                thresholds.len()
            ),
        }
    );
    println!("  with θ common knowledge both outcomes are equilibria for 0 < θ ≤ 1");
    Ok(())
}

#[derive(Serialize)]
struct EmailGameOutput {
    game: EmailGame,
    /// `1/(2 − ε)`.
    lower_count_probability: f64,
    /// `p ≥ (L + M)/(L + M + εM)`: player 2 plays `B` without a message.
    prior_alone_sustains: bool,
    /// The prior alone sustains it, or `(1 − ε)M ≥ L`.
    sustains_coordination: bool,
    equilibrium: accord_games::email_game::EmailEquilibrium,
}

fn email_game(args: &EmailGameArgs) -> Result<()> {
    let game = EmailGame::new(args.gain, args.loss, args.message_loss, args.prior)?;
    let equilibrium = game.greatest_equilibrium();
    if args.output.json {
        return print_json(&EmailGameOutput {
            game,
            lower_count_probability: game.lower_count_probability(),
            prior_alone_sustains: game.prior_alone_sustains(),
            sustains_coordination: game.sustains_coordination(),
            equilibrium,
        });
    }
    println!(
        "e-mail game: M = {}, L = {}, ε = {}, p = {}",
        args.gain, args.loss, args.message_loss, args.prior
    );
    let margin = number((1.0 - args.message_loss) * args.gain);
    let first = equilibrium
        .player1_plays_b
        .iter()
        .position(|&b| b)
        .unwrap_or(0);
    if game.prior_alone_sustains() {
        println!(
            "  coordination survives without any message: p ≥ (L + M)/(L + M + εM) = {}, so player 2 plays the risky action even with none and nothing unravels (outside Rubinstein's p < 1/2)",
            number(
                (args.loss + args.gain) / (args.loss + args.gain + args.message_loss * args.gain)
            )
        );
    } else if equilibrium.coordinates() {
        println!(
            "  coordination survives: (1 − ε)M = {margin} ≥ L = {}; player 1 plays the risky action once its machine has sent {first} message(s) (T₁ ≥ {first}: {} confirmation(s) received)",
            number(args.loss),
            first.saturating_sub(1)
        );
    } else {
        println!(
            "  no finite number of confirmations coordinates: (1 − ε)M = {margin} < L = {}; both play safe whatever they know (Rubinstein 1989)",
            number(args.loss)
        );
    }
    Ok(())
}

fn inspection(args: &InspectionArgs) -> Result<()> {
    let game = InspectionGame::new(
        args.inspection_cost,
        args.undetected_loss,
        args.detected_loss,
        args.violation_gain,
        args.penalty,
    )?;
    let eq = game.equilibrium();
    if args.output.json {
        return print_json(&eq);
    }
    println!(
        "inspection game: inspect with probability p* = {}, violation with probability q* = {}",
        number(eq.inspection_probability),
        number(eq.violation_probability)
    );
    println!(
        "  inspector's payoff: {} simultaneous, {} as a leader {}",
        number(eq.inspector_payoff),
        number(eq.inspector_payoff_as_leader),
        if eq.leader_deters {
            "committing to p* (deterrence)"
        } else {
            "tolerating violations (deterring would cost more: e·p* > a·p* + c·(1 − p*))"
        }
    );
    Ok(())
}

#[derive(Serialize)]
struct ThresholdOutput {
    model: &'static str,
    /// Equilibrium number (finite) or share (mean-field) acting.
    equilibrium: f64,
}

fn threshold(args: &ThresholdArgs) -> Result<()> {
    let (model, equilibrium) = match (args.mean, args.spread) {
        (Some(mean), Some(spread)) => (
            "mean-field, normal thresholds",
            threshold_model::normal_equilibrium_share(mean, spread)?,
        ),
        _ if args.thresholds.is_empty() => {
            bail!("give --thresholds 0,1,2,… or --mean and --spread")
        }
        _ => (
            "finite population",
            threshold_model::cascade_size(&args.thresholds)? as f64,
        ),
    };
    if args.output.json {
        return print_json(&ThresholdOutput { model, equilibrium });
    }
    match model {
        "finite population" => println!(
            "{} of {} act in equilibrium",
            equilibrium,
            args.thresholds.len()
        ),
        _ => println!("a share of {} acts in equilibrium", number(equilibrium)),
    }
    Ok(())
}

#[derive(Serialize)]
struct NamingOutput {
    committed: Option<f64>,
    tips: Option<bool>,
    critical_share: Option<f64>,
}

/// The critical share is bracketed to this width: the share printed tips,
/// the share this much below it does not.
const NAMING_TOLERANCE: f64 = 1e-9;

fn naming(args: &NamingGameArgs) -> Result<()> {
    let output = match args.committed {
        Some(share) => NamingOutput {
            committed: Some(share),
            tips: Some(naming_game::tips(share)?),
            critical_share: None,
        },
        None => NamingOutput {
            committed: None,
            tips: None,
            critical_share: Some(naming_game::critical_share(NAMING_TOLERANCE)?),
        },
    };
    if args.output.json {
        return print_json(&output);
    }
    match (output.committed, output.tips, output.critical_share) {
        (Some(share), Some(tips), _) => println!(
            "a committed share of {share} {} the convention",
            if tips { "tips" } else { "does not tip" }
        ),
        (_, _, Some(p_c)) => println!(
            "critical committed share p_c = {} (mean field)",
            number(p_c)
        ),
        _ => unreachable!("one of the two is set"),
    }
    Ok(())
}

fn assurance(args: &AssuranceArgs) -> Result<()> {
    let contract = AssuranceContract::new(
        args.agents,
        args.threshold,
        args.value,
        args.cost,
        args.bonus,
    )?;
    let eq = contract.equilibria();
    if args.output.json {
        return print_json(&eq);
    }
    println!(
        "assurance contract: N = {}, K = {}, v = {}, c = {}, refund bonus f = {}",
        args.agents, args.threshold, args.value, args.cost, args.bonus
    );
    println!(
        "  pledging dominant: {}; pure equilibria with {:?} pledgers",
        if eq.pledging_dominant { "yes" } else { "no" },
        eq.pure_pledger_counts
    );
    for (q, success) in eq
        .mixed_pledge_probabilities
        .iter()
        .zip(&eq.mixed_success_probabilities)
    {
        println!(
            "  symmetric mixed equilibrium: pledge with probability {}, success {}",
            number(*q),
            number(*success)
        );
    }
    Ok(())
}

fn permit_market(args: &PermitsArgs) -> Result<()> {
    let firms = args.cost_slopes.len();
    let obligations = if args.obligations.is_empty() {
        vec![args.requirement / firms.max(1) as f64; firms]
    } else {
        args.obligations.clone()
    };
    let market = permits::clear(&args.cost_slopes, args.requirement, &obligations)?;
    if args.output.json {
        return print_json(&market);
    }
    println!(
        "permit price λ = {}, least total cost {}",
        number(market.price),
        number(market.total_cost)
    );
    for (i, (a, buy)) in market
        .abatement
        .iter()
        .zip(&market.net_purchases)
        .enumerate()
    {
        let trade = if *buy >= 0.0 {
            format!("buys {} permits", number(*buy))
        } else {
            format!("sells {} permits", number(-buy))
        };
        println!("  firm {i}: abates {}, {trade}", number(*a));
    }
    Ok(())
}

/// Parses "a,b;c,d" into rows.
fn parse_matrix(text: &str, flag: &str) -> Result<Vec<Vec<f64>>> {
    text.split(';')
        .enumerate()
        .map(|(r, row)| {
            row.split(',')
                .enumerate()
                .map(|(c, cell)| {
                    cell.trim().parse::<f64>().map_err(|_| {
                        anyhow::anyhow!(
                            "{flag}: row {} column {}: {:?} is not a number",
                            r + 1,
                            c + 1,
                            cell.trim()
                        )
                    })
                })
                .collect()
        })
        .collect()
}

#[derive(Serialize)]
struct EquilibriaOutput {
    method: &'static str,
    /// Whether the game is degenerate: support enumeration may then miss
    /// equilibria (vertex enumeration finds every extreme one).
    degenerate: bool,
    equilibria: Vec<Equilibrium>,
    /// Exploitability (NashConv) of each equilibrium, 0 up to rounding.
    exploitability: Vec<f64>,
    /// Row player as leader.
    row_leads: ValueOfCommitment,
    /// Column player as leader.
    column_leads: ValueOfCommitment,
}

fn equilibria(args: &EquilibriaArgs) -> Result<()> {
    let row = parse_matrix(&args.row, "--row")?;
    let column = match &args.column {
        Some(text) => parse_matrix(text, "--column")?,
        None => (0..row.first().map_or(0, Vec::len))
            .map(|j| {
                row.iter()
                    .map(|r| r.get(j).copied().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect(),
    };
    let game = Bimatrix::new(row, column)?;
    let (method, equilibria) = match args.method {
        Method::Vertex => ("vertex enumeration", vertex_enumeration(&game)?),
        Method::Support => ("support enumeration", support_enumeration(&game)?),
    };
    let exploitability = equilibria
        .iter()
        .map(|e| game.exploitability(&e.row, &e.column))
        .collect::<Result<Vec<_>, _>>()?;
    let row_leads = value_of_commitment(&game, Player::Row)?;
    let column_leads = value_of_commitment(&game, Player::Column)?;
    let degenerate = is_degenerate(&game)?;
    if args.output.json {
        return print_json(&EquilibriaOutput {
            method,
            degenerate,
            equilibria,
            exploitability,
            row_leads,
            column_leads,
        });
    }
    println!(
        "{} Nash equilibri{} ({method}):",
        equilibria.len(),
        if equilibria.len() == 1 { "um" } else { "a" }
    );
    if degenerate && matches!(args.method, Method::Support) {
        println!(
            "  the game is degenerate: support enumeration may miss equilibria here; --method vertex finds every extreme one"
        );
    }
    let mix = |v: &[f64]| v.iter().map(|p| number(*p)).collect::<Vec<_>>().join(", ");
    for e in &equilibria {
        println!(
            "  row ({}), column ({}): payoffs {} and {}",
            mix(&e.row),
            mix(&e.column),
            number(e.row_payoff),
            number(e.column_payoff)
        );
    }
    for (who, v) in [("row", &row_leads), ("column", &column_leads)] {
        println!(
            "{who} player as leader: best Nash {}, committing to a pure strategy {}, to a mixed strategy {}",
            number(v.best_nash_leader_payoff),
            number(v.pure.leader_payoff),
            number(v.mixed.leader_payoff)
        );
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(untagged)]
enum SymmetricOutput {
    TwoPlayer {
        strategies: Vec<String>,
        equilibria: Vec<SymmetricEquilibrium>,
        /// Whether `(A, Aᵀ)` is degenerate: equilibria may then form
        /// continua, of which only isolated points are listed (`None`: too
        /// large to decide).
        degenerate: Option<bool>,
    },
    Group {
        strategies: Vec<String>,
        group_size: usize,
        /// Symmetric equilibria as the probability of the first strategy.
        equilibria: Vec<GroupEquilibrium>,
    },
}

fn symmetric(args: &SymmetricArgs) -> Result<()> {
    let population = crate::egt::PopulationArgs {
        beta: None,
        population: None,
    };
    let setup = crate::egt::Setup::new(&args.game, &population)?;
    let strategies = setup.game.strategies().to_vec();
    let output = match &setup.game {
        Game::Matrix(game) => SymmetricOutput::TwoPlayer {
            strategies,
            equilibria: symmetric_equilibria(game)?,
            degenerate: is_degenerate(&Bimatrix::from(game)).ok(),
        },
        Game::Group(game) => SymmetricOutput::Group {
            strategies,
            group_size: game.group_size(),
            equilibria: symmetric_group_equilibria(game)?,
        },
    };
    if args.output.json {
        return print_json(&output);
    }
    println!("{}", setup.name);
    match &output {
        SymmetricOutput::TwoPlayer {
            strategies,
            equilibria,
            degenerate,
        } => {
            if *degenerate == Some(true) {
                println!(
                    "  the game is degenerate: symmetric equilibria may form a continuum (ties in payoffs), of which only isolated points are listed"
                );
            }
            for e in equilibria {
                let mix: Vec<String> = strategies
                    .iter()
                    .zip(&e.strategy)
                    .filter(|(_, p)| **p > 0.0)
                    .map(|(s, p)| format!("{s} {}", number(*p)))
                    .collect();
                println!(
                    "  everyone plays ({}): payoff {}",
                    mix.join(", "),
                    number(e.payoff)
                );
            }
        }
        SymmetricOutput::Group {
            strategies,
            group_size,
            equilibria,
        } => {
            println!("  groups of {group_size}");
            for e in equilibria {
                println!(
                    "  {} with probability {} ({})",
                    strategies[0],
                    number(e.probability),
                    if e.stable { "stable" } else { "unstable" }
                );
            }
        }
    }
    Ok(())
}
