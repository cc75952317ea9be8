//! The pact stage (`docs/model.md`, section 7): pledge rounds through the institution, pledging under private signals or common knowledge.

use super::*;
use accord_core::spec::Announcement;

impl Simulation<'_> {
    /// The pact stage (`docs/model.md`, section 7): the secretariat resolves
    /// the pledge rounds that are due, each lab decides whether to pledge,
    /// and the institution's rules decide whether a pact binds.
    pub(super) fn pact_stage(&mut self) -> PactStage {
        let n = self.labs.len();
        if !self.protocol.pacts.enabled || self.protocol.pacts.pact.is_empty() {
            return PactStage {
                pledged: vec![false; n],
                bound: vec![false; n],
                succeeded: None,
                binding: None,
                fundamental: None,
                public: None,
                threshold: None,
            };
        }
        for registry in &mut self.registries {
            registry.resolve_rounds();
        }
        let p = &self.world.pact;
        let theta = p.prior_mean + normal(&mut self.pact_draws) / p.prior_precision.sqrt();
        // Every draw is made whether or not it is used, so switching
        // announcements on or off leaves the pact's other draws unchanged.
        let reached = self.pact_draws.random::<f64>() < p.announcement_reach;
        let signals: Vec<f64> = (0..n)
            .map(|_| theta + normal(&mut self.pact_draws) / p.signal_precision.sqrt())
            .collect();
        let public =
            announces_pledge_counts(self.protocol) && reached && self.announcement_coordinates;
        let threshold = self.pledge_threshold;
        let wants: Vec<bool> = if public {
            match p.public_selection {
                PublicSelection::PayoffDominant => vec![theta <= 1.0; n],
                PublicSelection::Adaptive => {
                    let before = self.last_pledged.iter().filter(|&&x| x).count();
                    (0..n)
                        .map(|i| {
                            let others = before - usize::from(self.last_pledged[i]);
                            (1 + others) as f64 / n as f64 >= theta
                        })
                        .collect()
                }
            }
        } else {
            signals.iter().map(|&x| x <= threshold).collect()
        };
        if !public {
            // Iterated best response: next generation's labs answer this one's threshold.
            let game = GlobalGame {
                prior_mean: p.prior_mean,
                prior_precision: p.prior_precision,
                signal_precision: p.signal_precision,
                cost: p.pledge_cost,
            };
            self.pledge_threshold = game.best_response(threshold);
        }
        // A jurisdiction running its own protocol runs no pacts: its labs do not pledge.
        let pledged: Vec<bool> = (0..n)
            .map(|i| {
                wants[i]
                    && self.protocols[self.home[i]].pacts.enabled
                    && self.registry(i).is_member(i)
            })
            .collect();
        for (lab, _) in pledged.iter().enumerate().filter(|(_, yes)| **yes) {
            self.registry_mut(lab).pledge(lab);
        }
        let share = pledged.iter().filter(|&&x| x).count() as f64 / n as f64;
        let bound: Vec<bool> = (0..n).map(|i| self.registry(i).bound(i)).collect();
        PactStage {
            succeeded: Some(share >= theta),
            binding: Some(bound.iter().any(|&b| b)),
            pledged,
            bound,
            fundamental: Some(theta),
            public: Some(public),
            threshold: (!public).then_some(threshold),
        }
    }
}

pub(super) struct PactStage {
    pub(super) pledged: Vec<bool>,
    /// Bound by a binding pact it pledged to.
    pub(super) bound: Vec<bool>,
    pub(super) succeeded: Option<bool>,
    pub(super) binding: Option<bool>,
    pub(super) fundamental: Option<f64>,
    pub(super) public: Option<bool>,
    pub(super) threshold: Option<f64>,
}

/// Whether the protocol announces pacts' pledge counts, which is what makes
/// the pact's coordinates public: announcements of other facts, or none
/// (`announce = []`), coordinate nothing.
pub(crate) fn announces_pledge_counts(protocol: &Protocol) -> bool {
    let a = &protocol.announcements;
    a.enabled && a.announce.contains(&Announcement::PledgeCounts)
}

/// Whether the protocol announces labs' endorsements of safety, making
/// normative expectations public: their commitments, or, where pacts run,
/// their pledges.
pub(crate) fn announces_endorsements(protocol: &Protocol) -> bool {
    let a = &protocol.announcements;
    a.enabled
        && (a.announce.contains(&Announcement::Commitments)
            || (protocol.pacts.enabled && a.announce.contains(&Announcement::PledgeCounts)))
}

/// Whether an announcement of `θ` coordinates pledging as common knowledge
/// would (`docs/model.md`, section 7). A witnessed announcement is common
/// knowledge. An unwitnessed one is knowledge of finite depth, each
/// confirmation lost with probability `ε = 1 − announcement_reach`: by
/// Rubinstein's e-mail game confirmations sustain coordination only where
/// `(1 − ε)M ≥ L`, with `M = 1 − c` (a successful pledge) and `L = c` (a lone
/// pledge). Where instead the prior alone would sustain it, labs would
/// pledge without any message, so the announcement adds nothing to their
/// private signals and does not count.
pub(super) fn announcement_coordinates(protocol: &Protocol, pact: &PactGame) -> bool {
    let loss = 1.0 - pact.announcement_reach;
    let cost = pact.pledge_cost;
    protocol.announcements.witnesses > 0
        || loss <= 0.0
        || cost <= 0.0
        || (1.0 - loss) * (1.0 - cost) >= cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_games::email_game::EmailGame;

    fn coordinates(reach: f64, cost: f64, prior_mean: f64) -> bool {
        let protocol = accord_core::parse_protocol(
            "[protocol]\nname = \"p\"\nformat = 1\n[announcements]\nenabled = true\nannounce = [\"pledge_counts\"]\nwitnesses = 0\n",
        )
        .unwrap();
        let pact = PactGame {
            announcement_reach: reach,
            pledge_cost: cost,
            prior_mean,
            ..PactGame::default()
        };
        announcement_coordinates(&protocol, &pact)
    }

    #[test]
    fn an_unwitnessed_announcement_coordinates_where_confirmations_do() {
        for cost in [0.1, 0.3, 0.4, 0.5, 0.7] {
            for reach in [0.05, 0.3, 0.5, 0.6, 0.65, 0.7, 0.9, 0.99] {
                // Where no lab would pledge on the prior alone (Rubinstein's
                // p < 1/2), the e-mail game's greatest equilibrium decides.
                let game = EmailGame::new(1.0 - cost, cost, 1.0 - reach, 0.3).unwrap();
                assert!(!game.prior_alone_sustains());
                assert_eq!(
                    coordinates(reach, cost, 2.0),
                    game.greatest_equilibrium().coordinates(),
                    "reach {reach}, cost {cost}"
                );
            }
        }
    }

    #[test]
    fn a_prior_that_favours_pledging_lends_an_unheard_announcement_nothing() {
        // The shipped pact (c = 0.4, z = 0.6, α = 4): the prior alone makes a
        // lab without a message pledge once ε ≥ 0.45. That is no work of the
        // announcement's, so coordination must still grow with reach.
        let by_reach: Vec<bool> = [0.1, 0.3, 0.5, 0.55, 0.6, 0.65, 0.7, 0.9]
            .iter()
            .map(|&reach| coordinates(reach, 0.4, 0.6))
            .collect();
        assert_eq!(
            by_reach,
            [false, false, false, false, false, false, true, true]
        );
    }
}
