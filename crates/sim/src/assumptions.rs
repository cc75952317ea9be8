//! The modelling choices behind an evaluation's numbers, generated from the
//! protocol and world actually evaluated: which assumptions were active and
//! what each does to the results (`docs/model.md` states the model whole).

use crate::norms::norm_losses;
use crate::stats::Assumption;
use crate::world::{
    International, PublicSelection, Realisation, Recognition, Rule, StageKind, World,
};
use accord_core::Protocol;

/// Where labs are based and what a gate denial costs there (`docs/model.md`,
/// "International coordination"): a lab denied at home `h` is refused
/// `r = c_h·w_h` of the world's compute without recognition and
/// `r = Σ_j c_j·w_j` with it, and keeps `1 − r·(1 − leakage)` of its speed.
fn jurisdictions(protocol: &Protocol, world: &World, international: &International) -> Assumption {
    let places = &international.jurisdiction;
    // `c_j · w_j`: the world's compute behind j's gate.
    let gated: Vec<f64> = places
        .iter()
        .map(|j| {
            let own = j.protocol.as_deref().unwrap_or(protocol);
            if j.runs_protocol && own.compute.enabled {
                own.compute.covered_fraction * j.compute_share
            } else {
                0.0
            }
        })
        .collect();
    let everywhere: f64 = gated.iter().sum();
    let kept = |refused: f64| 100.0 * (1.0 - refused * (1.0 - world.economy.leakage));
    let described: Vec<String> = places
        .iter()
        .zip(&gated)
        .map(|(j, &gate)| {
            let own = j.protocol.as_deref().unwrap_or(protocol);
            let runs = match (&j.protocol, j.runs_protocol) {
                (_, false) => "a haven: no registry, no gate".to_string(),
                (Some(own), true) => format!("runs its own protocol {:?}", own.protocol.name),
                (None, true) => "runs the protocol under study".to_string(),
            };
            let (refused, always) = match international.recognition {
                Recognition::None => (gate, !j.runs_protocol),
                // Gates take the word only of a registry that gates compute.
                Recognition::Mutual => (everywhere, !(j.runs_protocol && own.compute.enabled)),
            };
            let speed = if always {
                format!("labs based there keep {:.0}% of their speed", kept(refused))
            } else {
                format!(
                    "a lab based there and denied keeps {:.0}% of its speed",
                    kept(refused)
                )
            };
            format!(
                "{} ({:.0}% of compute, {runs}; {speed})",
                j.name,
                100.0 * j.compute_share
            )
        })
        .collect();
    let recognition = match international.recognition {
        Recognition::None => {
            "no recognition: each gate judges only its own registry's labs and serves every other"
        }
        Recognition::Mutual => {
            "mutual recognition: every gate refuses whom the home registry denies, and labs based where no registry gates compute"
        }
    };
    let moves = if international.relocation {
        format!(
            "a denied lab moves where it would be refused less when a replay of the generation says it gains, paying {} once",
            international.relocation_cost
        )
    } else {
        "labs stay where they are based".to_string()
    };
    Assumption::new(
        format!(
            "Labs are based in {} jurisdictions: {}; {recognition}; {moves} (leakage {}).",
            places.len(),
            described.join("; "),
            world.economy.leakage
        ),
        "What a gate withholds depends on where a lab is based and on recognition; `accord international` compares these regimes with one registry.",
    )
}

/// The model's assumptions active for `protocol` in `world`.
pub fn of_model(protocol: &Protocol, world: &World) -> Vec<Assumption> {
    let mut list = Vec::new();
    let race = &world.race;
    if world.stage == StageKind::Race {
        list.push(Assumption::new(
            format!(
                "Labs race to a milestone W = {} with benefit b = {} per period, safety cost c = {}, unsafe speed s = {} and disaster probability p_r = {} per unsafe generation (a generalised DSAIR race).",
                race.milestone, race.benefit, race.safety_cost, race.unsafe_speed, race.disaster_probability
            ),
            "Every payoff, welfare figure and the size of the norm are in these units; the balance between racing and safety is set by them.",
        ));
    }
    list.push(Assumption::new(
        match race.realisation {
            Realisation::Sampled => "Disasters are drawn, once per lab per generation.",
            Realisation::Expected => {
                "Disasters enter as expected values (payoffs times survival probabilities)."
            }
        },
        match race.realisation {
            Realisation::Sampled => {
                "Disaster rates are shares of generations and carry sampling noise."
            }
            Realisation::Expected => {
                "Disaster rates are probabilities; no run is hit by a disaster."
            }
        },
    ));
    list.push(Assumption::new(
        match world.learning.rule {
            Rule::Imitation => format!(
                "Labs learn by imitation (pairwise comparison, selection β = {}, exploration μ = {}).",
                world.learning.selection, world.learning.exploration
            ),
            Rule::Logit => format!(
                "Labs learn by logit best response (λ = {}, exploration μ = {}), each replaying one sampled future generation.",
                world.learning.rationality, world.learning.exploration
            ),
            Rule::Fixed => "Labs keep their initial strategies.".into(),
        },
        "Long-run cooperation is where this learning process settles, not an equilibrium computed in closed form; exploration keeps some labs off any strategy.",
    ));
    for t in &world.lab {
        if let Some(budget) = t.budget.filter(|&b| b < race.safety_cost) {
            list.push(Assumption::new(
                format!(
                    "{} labs can fund safety in only {:.0}% of periods (budget {budget} against a safety cost of {}).",
                    t.name,
                    100.0 * budget / race.safety_cost,
                    race.safety_cost
                ),
                "When they mean to develop safely they still develop unsafely in the other periods, where monitors can catch them: their individual-rationality results rest on this budget.",
            ));
        }
    }
    let sensitive: Vec<(&str, f64, f64)> = world
        .lab
        .iter()
        .zip(norm_losses(world))
        .filter(|(t, _)| t.norm_sensitivity > 0.0)
        .map(|(t, loss)| (t.name.as_str(), t.norm_sensitivity, loss))
        .collect();
    if !sensitive.is_empty() && !crate::norms::norms_made_public(protocol, world) {
        list.push(Assumption::new(
            "The protocol has no social-norms mechanism that observes anything (no public leaderboard, or one without audits or expected reports to rank labs on), so labs pay no norm cost whatever their norm sensitivity.",
            "Norms act in the model only through the institution that makes them public; an evaluation of this protocol credits nothing to social norms.",
        ));
    } else if !sensitive.is_empty() {
        let terms: Vec<String> = sensitive
            .iter()
            .map(|(name, k, loss)| format!("{name}: k = {k}, L = {loss:.2}"))
            .collect();
        list.push(Assumption::new(
            format!(
                "A lab that develops unsafely while its empirical and normative expectations hold pays the norm cost k·L ({}), L {}; the term belongs to the social-norms family.",
                terms.join("; "),
                if world.stage == crate::world::StageKind::Matrix {
                    "what one defector costs a cooperator's mean payoff in the matrix stage, (R − S)/(N − 1)"
                } else {
                    "measured in this world's race"
                }
            ),
            "Without the social-norms family nobody pays it; its size follows what one violator takes from complying labs.",
        ));
    }
    if protocol.pacts.enabled && !protocol.pacts.pact.is_empty() {
        list.push(Assumption::new(
            "Labs pledge by the global game's threshold rule (private signals of θ) and pledging costs them nothing in utility; a binding pact obliges but makes no lab safe.",
            "A pact matters only through what the institution does with confirmed breaches (sanctions, compute denial), refund bonuses, and the normative expectations pledges create.",
        ));
        if crate::run::announces_pledge_counts(protocol) {
            list.push(announcement_assumption(protocol, world));
            list.push(Assumption::new(
                match world.pact.public_selection {
                    PublicSelection::Adaptive => "When θ is common knowledge labs pledge iff they themselves plus last generation's pledgers reach θ (equilibrium selection learned from history).",
                    PublicSelection::PayoffDominant => "When θ is common knowledge every lab pledges iff θ ≤ 1 (the payoff-dominant equilibrium is assumed).",
                },
                match world.pact.public_selection {
                    PublicSelection::Adaptive => "Coordination on pledging must first arise and can collapse; common knowledge helps only once it has.",
                    PublicSelection::PayoffDominant => "This favours common knowledge: it coordinates whenever coordination is an equilibrium.",
                },
            ));
        }
    }
    if let Some(international) = &world.international {
        list.push(jurisdictions(protocol, world, international));
    } else if protocol.compute.enabled && protocol.compute.covered_fraction > 0.0 {
        let kept = 1.0 - protocol.compute.covered_fraction * (1.0 - world.economy.leakage);
        list.push(Assumption::new(
            format!(
                "A lab denied gated compute keeps {:.0}% of its speed (covered share {}, leakage {}); labs outside the protocol are always denied.",
                100.0 * kept,
                protocol.compute.covered_fraction,
                world.economy.leakage
            ),
            "The gate's effect scales with coverage and leakage; a gate that covers nothing changes nothing.",
        ));
    }
    if protocol.credits.enabled {
        list.push(Assumption::new(
            format!(
                "A credit is worth {} to a lab (payoff units); credits count in labs' utilities but not in welfare.",
                world.economy.credit_value
            ),
            "Minted credits reward labs without creating welfare.",
        ));
        let surrender = protocol.credits.surrender_per_period;
        if surrender > 0 {
            list.push(Assumption::new(
                format!(
                    "Every member surrenders {surrender} credits at each period close (rule 15a); simulated labs do not trade credits (`accord market` runs the trading), and a shortfall is owed: it denies covered compute and is settled from the lab's next credits."
                ),
                "The obligation lowers members' payoffs by the credits it burns; a debt enters payoff only when later credits settle it, and where no lab can earn credits nothing is surrendered.",
            ));
        }
    }
    if protocol.early_warning.enabled {
        let metrics = &protocol.early_warning.metric;
        let driven: Vec<String> = metrics
            .iter()
            .filter_map(|m| m.role.map(|role| format!("{} ({})", m.name, role.name())))
            .collect();
        let undriven: Vec<&str> = metrics
            .iter()
            .filter(|m| m.role.is_none())
            .map(|m| m.name.as_str())
            .collect();
        list.push(Assumption::new(
            format!(
                "Simulated labs report training compute and a synthetic capability score under the metrics whose role says so; they drive {}.",
                if driven.is_empty() { "none".to_string() } else { driven.join(", ") }
            ),
            if undriven.is_empty() {
                "Every early-warning metric of the protocol is exercised.".to_string()
            } else {
                format!(
                    "Warning: the simulator sends no reports for {} (no role it can drive: training_compute or capability_evaluation); their alerts (missing reports aside) are not tested by this evaluation.",
                    undriven.join(", ")
                )
            },
        ));
    }
    if protocol.monitoring.enabled {
        list.push(Assumption::new(
            format!(
                "Monitors detect unsafe development with probabilities {:?}, can be captured with probabilities {:?}, share blind spots with probability {}, and audit at rate {} ({} above the compute threshold).",
                world.monitors.detection,
                world.monitors.capture,
                world.monitors.blind_spot_correlation,
                world.monitors.audit_rate,
                world.monitors.audit_rate_above_threshold
            ),
            "Everything the institution does to unsafe labs goes through these detections; a lab reporting compute below the threshold is audited less often.",
        ));
    }
    if world.uncertainty.is_empty() {
        list.push(Assumption::new(
            "The world declares no uncertain parameters.",
            "Robustness of the verdicts to other worlds cannot be checked (add an [uncertainty] table).",
        ));
    }
    list
}

/// What makes an announcement of θ common knowledge in this protocol.
fn announcement_assumption(protocol: &Protocol, world: &World) -> Assumption {
    let witnesses = protocol.announcements.witnesses;
    if witnesses > 0 {
        Assumption::new(
            format!(
                "An announcement cosigned by {witnesses} witness(es) is common knowledge; it reaches the labs in a generation with probability {}.",
                world.pact.announcement_reach
            ),
            "Witnessing is what lets every lab rely on every other lab having seen the same announcement.",
        )
    } else {
        let cost = world.pact.pledge_cost;
        let loss = 1.0 - world.pact.announcement_reach;
        Assumption::new(
            format!(
                "Announcements are not witnessed: they are knowledge of finite depth, each confirmation lost with probability ε = {loss:.2}; by Rubinstein's e-mail game they coordinate pledging only if (1 − ε)(1 − c) ≥ c (here c = {cost})."
            ),
            "Where the condition fails labs pledge on their private signals whatever is announced: almost common knowledge is not common knowledge.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lab denied at home keeps `1 − r·(1 − leakage)` of its speed, `r`
    /// the compute behind the gates that refuse it (an outside review found
    /// the single-registry figure, 28%, stated for a world of jurisdictions).
    #[test]
    fn jurisdictions_state_what_a_denial_costs_where() {
        let protocol = accord_core::parse_protocol(include_str!(
            "../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap();
        let mut world =
            World::parse(include_str!("../../../examples/worlds/jurisdictions.toml")).unwrap();
        let text = |world: &World| -> String {
            of_model(&protocol, world)
                .into_iter()
                .map(|a| a.assumption)
                .find(|a| a.starts_with("Labs are based in 3 jurisdictions"))
                .expect("stated")
        };
        let none = text(&world);
        // 1 − 0.8·0.6·0.9 and 1 − 0.8·0.3·0.9.
        assert!(none.contains("north (60% of compute, runs the protocol under study; a lab based there and denied keeps 57% of its speed)"), "{none}");
        assert!(
            none.contains("a lab based there and denied keeps 78% of its speed"),
            "{none}"
        );
        assert!(
            none.contains(
                "a haven: no registry, no gate; labs based there keep 100% of their speed"
            ),
            "{none}"
        );
        assert!(!none.contains("28%"), "{none}");
        world.international.as_mut().unwrap().recognition = Recognition::Mutual;
        // 1 − 0.8·0.9·0.9 everywhere.
        let mutual = text(&world);
        assert!(
            mutual.contains("labs based there keep 35% of their speed"),
            "{mutual}"
        );
        assert_eq!(
            mutual.matches("keeps 35% of its speed").count(),
            2,
            "{mutual}"
        );
    }

    #[test]
    fn the_shipped_world_states_its_budget_and_its_pledging_rule() {
        let protocol = accord_core::parse_protocol(include_str!(
            "../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap();
        let world =
            World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap();
        let text: Vec<String> = of_model(&protocol, &world)
            .into_iter()
            .map(|a| a.assumption)
            .collect();
        assert!(
            text.iter()
                .any(|a| a.contains("fast-follower labs can fund safety in only 80%"))
        );
        assert!(
            text.iter()
                .any(|a| a.contains("last generation's pledgers"))
        );
        assert!(!text.iter().any(|a| a.contains("surrenders")));
        let mut obliged = protocol.clone();
        obliged.credits.surrender_per_period = 5;
        assert!(
            of_model(&obliged, &world)
                .iter()
                .any(|a| a.assumption.contains("surrenders 5 credits"))
        );
        let mut unroled = protocol.clone();
        unroled.early_warning.metric[0].name = "frontier_compute".into();
        unroled.early_warning.metric[0].role = None;
        let effects: Vec<String> = of_model(&unroled, &world)
            .into_iter()
            .map(|a| a.effect)
            .collect();
        assert!(
            effects
                .iter()
                .any(|e| e.starts_with("Warning") && e.contains("frontier_compute")),
            "a metric the simulator cannot drive is named: {effects:?}"
        );
    }
}
