//! The five mechanism families of the coordination framework, how each maps
//! onto the protocol file and the world, and how strongly it is implemented.
//!
//! | family | protocol sections | world levers |
//! |---|---|---|
//! | mechanism design | `credits`, `pacts`, `liability`, `information_sharing` | — |
//! | credible commitment | `compute`, `transparency`, `commitments` | — |
//! | early warning | `monitoring`, `early_warning`, `whistleblower`, `sanctions` | — |
//! | social norms | `leaderboard` | praise and blame weight, the norm term's weight |
//! | common knowledge | `announcements` | reach of announcements |
//!
//! Strength `σ ∈ [0, 1]` scales each family's main parameters: the credits an
//! audited safe period can earn and the liability payout (mechanism design;
//! the compute gate's credit threshold, the liability premium and pacts'
//! refund bonuses shrink with the credits, so the gate still asks for as
//! many audited safe periods; amounts other families fix in credits — fines,
//! compensation — do not);
//! the covered share of compute and the compensation of binding commitments
//! (credible commitment); the number of monitors (at least one) and the
//! protection of whistleblowers (early warning); the weight of praise and
//! blame and of the norm term in labs' utility (social norms); the
//! probability that an announcement becomes common knowledge (common
//! knowledge). `σ = 0` switches the family off, `σ = 1` is the protocol as
//! written.
//!
//! Every combination is a coherent institution that passes the protocol
//! validator: a compute gate whose credit threshold no lab could meet
//! (credits switched off, or no audits to verify the investment credits are
//! issued for) falls back to a threshold of zero, so the gate still denies
//! suspended, expelled and pact-breaching labs but asks for no credits; and
//! without credits, fines and commitment compensation fall to zero.

use crate::world::World;
use accord_core::Protocol;
use serde::Serialize;
use std::fmt;

/// A mechanism family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Incentive-compatible structures: credits, pacts, liability pools, information sharing.
    MechanismDesign,
    /// Removing options: compute governance, irreversible transparency, binding treaties.
    CredibleCommitment,
    /// Monitoring robust to gaming, with graduated sanctions as the response.
    EarlyWarning,
    /// Expectations, praise and blame.
    SocialNorms,
    /// Public, witnessed announcements.
    CommonKnowledge,
}

impl Family {
    /// All five, in the framework's order.
    pub const ALL: [Family; 5] = [
        Family::MechanismDesign,
        Family::CredibleCommitment,
        Family::EarlyWarning,
        Family::SocialNorms,
        Family::CommonKnowledge,
    ];

    /// Position in [`Family::ALL`].
    pub fn index(self) -> usize {
        Family::ALL.iter().position(|&f| f == self).expect("listed")
    }

    /// The seed paper's leverage class: high, medium or lower.
    pub fn claimed_leverage(self) -> &'static str {
        match self {
            Family::CommonKnowledge | Family::CredibleCommitment => "high",
            Family::MechanismDesign | Family::EarlyWarning => "medium",
            Family::SocialNorms => "lower",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::MechanismDesign => "mechanism design",
            Family::CredibleCommitment => "credible commitment",
            Family::EarlyWarning => "early warning",
            Family::SocialNorms => "social norms",
            Family::CommonKnowledge => "common knowledge",
        })
    }
}

/// Strength of each family, in [`Family::ALL`] order.
pub type Strengths = [f64; 5];

/// The protocol and world with each family at its strength. A world whose
/// jurisdictions run protocols of their own has each of them scaled the same
/// way: a family switched off is off everywhere.
pub fn apply(protocol: &Protocol, world: &World, strengths: &Strengths) -> (Protocol, World) {
    let mut p = protocol.clone();
    let mut w = world.clone();
    scale_protocol(&mut p, world, strengths);
    if let Some(international) = &mut w.international {
        for own in international
            .jurisdiction
            .iter_mut()
            .filter_map(|j| j.protocol.as_deref_mut())
        {
            scale_protocol(own, world, strengths);
        }
    }
    for family in Family::ALL {
        let sigma = strengths[family.index()].clamp(0.0, 1.0);
        match family {
            Family::SocialNorms => {
                w.norms.praise_weight *= sigma;
                for lab_type in &mut w.lab {
                    lab_type.norm_sensitivity *= sigma;
                }
            }
            Family::CommonKnowledge => w.pact.announcement_reach *= sigma,
            _ => {}
        }
    }
    (p, w)
}

/// One protocol's sections with each family at its strength (`world`
/// gives the credits an audited safe period can earn).
fn scale_protocol(p: &mut Protocol, world: &World, strengths: &Strengths) {
    for family in Family::ALL {
        let sigma = strengths[family.index()].clamp(0.0, 1.0);
        let on = sigma > 0.0;
        match family {
            Family::MechanismDesign => {
                p.credits.enabled &= on;
                p.pacts.enabled &= on;
                p.liability.enabled &= on;
                p.information_sharing.enabled &= on;
                let per_period = world
                    .economy
                    .investment_per_safe_period
                    .saturating_mul(p.credits.credits_per_investment_unit);
                if on && sigma < 1.0 {
                    let issued_in_full = match p.credits.max_credits_per_period {
                        0 => per_period,
                        max => per_period.min(max),
                    };
                    let cap = ((per_period as f64) * sigma).round().max(1.0) as u64;
                    p.credits.max_credits_per_period = if p.credits.max_credits_per_period == 0 {
                        cap
                    } else {
                        p.credits.max_credits_per_period.min(cap)
                    };
                    // The gate asks for the same number of audited safe periods
                    // as at full strength: a threshold fixed in credits while
                    // issuance shrinks would shut every lab out near σ = 0.
                    // So do the family's other amounts in credits: the
                    // liability premium (at least 1 credit, as the protocol
                    // check requires) and pacts' refund bonuses.
                    let issued = p.credits.max_credits_per_period.min(per_period);
                    if issued_in_full > 0 && issued < issued_in_full {
                        let scaled = |credits: u64| {
                            let exact = u128::from(credits) * u128::from(issued);
                            u64::try_from(exact.div_ceil(u128::from(issued_in_full)))
                                .expect("at most the original amount")
                        };
                        p.compute.credit_threshold = scaled(p.compute.credit_threshold);
                        p.credits.surrender_per_period = scaled(p.credits.surrender_per_period);
                        p.liability.base_premium_credits =
                            scaled(p.liability.base_premium_credits).max(1);
                        for pact in &mut p.pacts.pact {
                            pact.refund_bonus_credits = scaled(pact.refund_bonus_credits);
                        }
                    }
                }
                p.liability.payout_fraction *= sigma;
            }
            Family::CredibleCommitment => {
                p.compute.enabled &= on;
                p.transparency.enabled &= on;
                p.commitments.enabled &= on;
                p.compute.covered_fraction *= sigma;
                p.commitments.default_compensation_credits =
                    (p.commitments.default_compensation_credits as f64 * sigma).round() as u64;
            }
            Family::EarlyWarning => {
                p.monitoring.enabled &= on;
                p.early_warning.enabled &= on;
                p.whistleblower.enabled &= on;
                p.sanctions.enabled &= on;
                if on && sigma < 1.0 {
                    let monitors =
                        ((f64::from(p.monitoring.monitors) * sigma).round() as u32).max(1);
                    p.monitoring.monitors = monitors;
                    p.monitoring.panel_size = p.monitoring.panel_size.min(monitors);
                    p.monitoring.quorum = p.monitoring.quorum.min(monitors);
                }
                p.whistleblower.protection *= sigma;
            }
            Family::SocialNorms => p.leaderboard.enabled &= on,
            Family::CommonKnowledge => p.announcements.enabled &= on,
        }
    }
    fall_back_to_a_credit_free_gate(p);
}

/// A credit threshold needs credits that audits can verify; without them the
/// gate asks for none, and no lab is obliged to surrender credits it could
/// never earn. Without credits nothing can pay a fine or a commitment's
/// compensation either: they fall to zero (the ladder still suspends and
/// expels), rather than leave debts no lab could ever settle.
fn fall_back_to_a_credit_free_gate(p: &mut Protocol) {
    let earnable = p.credits.enabled && p.monitoring.enabled;
    if p.compute.enabled && !earnable {
        p.compute.credit_threshold = 0;
    }
    if !earnable {
        p.credits.surrender_per_period = 0;
    }
    if !p.credits.enabled {
        for rung in &mut p.sanctions.ladder {
            rung.fine_credits = 0;
        }
        p.commitments.default_compensation_credits = 0;
    }
}

/// The families the protocol holds (bit `i` = family `i`): those with a
/// section switched on in the protocol under study or a jurisdiction's
/// own. A family whose every section the protocols switch off is absent, and its
/// subsets of an ablation repeat those without it: the world's own
/// parameters of a family (norm sensitivity, announcement reach) act only
/// through its protocol sections (a leaderboard, announcements).
pub fn present(protocol: &Protocol, world: &World) -> u32 {
    // Removing a family switches its sections off (and scales parameters
    // that a switched-off section never reads), so it is held where that
    // turns some section's switch.
    let held = |strengths: &Strengths| {
        let (p, w) = apply(protocol, world, strengths);
        let mut switched = vec![switches(&p)];
        for j in w.international.iter().flat_map(|i| &i.jurisdiction) {
            switched.extend(j.protocol.as_deref().map(switches));
        }
        switched
    };
    let full = held(&[1.0; 5]);
    Family::ALL
        .iter()
        .filter(|family| {
            let mut without = [1.0; 5];
            without[family.index()] = 0.0;
            held(&without) != full
        })
        .fold(0, |mask, family| mask | (1 << family.index()))
}

/// Every section's `enabled` switch.
fn switches(p: &Protocol) -> [bool; 13] {
    [
        p.credits.enabled,
        p.pacts.enabled,
        p.liability.enabled,
        p.information_sharing.enabled,
        p.compute.enabled,
        p.transparency.enabled,
        p.commitments.enabled,
        p.monitoring.enabled,
        p.early_warning.enabled,
        p.whistleblower.enabled,
        p.sanctions.enabled,
        p.leaderboard.enabled,
        p.announcements.enabled,
    ]
}

/// Strengths with the families in `subset` (bit `i` = family `i`) at full strength and the rest off.
pub fn subset_strengths(subset: u32) -> Strengths {
    let mut strengths = [0.0; 5];
    for (i, s) in strengths.iter_mut().enumerate() {
        if subset & (1 << i) != 0 {
            *s = 1.0;
        }
    }
    strengths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> (Protocol, World) {
        let protocol = accord_core::parse_protocol(include_str!(
            "../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap();
        let world =
            World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap();
        (protocol, world)
    }

    /// The shipped protocol holds every family; each switched off in the
    /// file is absent (an outside review found evaluate's claims judging
    /// families a protocol never had); the empty protocol holds none.
    #[test]
    fn a_protocol_holds_the_families_it_switches_on() {
        let (protocol, world) = shipped();
        assert_eq!(present(&protocol, &world), 0b11111);
        let mut without_announcements = protocol.clone();
        without_announcements.announcements.enabled = false;
        assert_eq!(
            present(&without_announcements, &world),
            0b11111 & !(1 << Family::CommonKnowledge.index())
        );
        let empty =
            accord_core::parse_protocol(include_str!("../../../examples/protocols/minimal.toml"))
                .unwrap();
        assert_eq!(present(&empty, &world), 0);
    }

    #[test]
    fn a_family_switched_off_is_off_in_every_jurisdiction() {
        let (mut protocol, _) = shipped();
        protocol.pacts.enabled = false;
        let mut world = World::parse(include_str!("../../../examples/worlds/jurisdictions.toml"))
            .expect("shipped");
        world.international.as_mut().unwrap().jurisdiction[1].protocol =
            Some(Box::new(protocol.clone()));
        let own = |w: &World| {
            w.international.as_ref().unwrap().jurisdiction[1]
                .protocol
                .clone()
                .unwrap()
        };
        for subset in 0..32 {
            let (scaled, scaled_world) = apply(&protocol, &world, &subset_strengths(subset));
            assert_eq!(*own(&scaled_world), scaled, "subset {subset}");
            assert_eq!(scaled_world.problems(), Vec::new(), "subset {subset}");
        }
        let (_, without_early_warning) = apply(&protocol, &world, &[1.0, 1.0, 0.0, 1.0, 1.0]);
        assert!(!own(&without_early_warning).monitoring.enabled);
        let (_, as_written) = apply(&protocol, &world, &[1.0; 5]);
        assert_eq!(*own(&as_written), protocol);
    }

    #[test]
    fn every_subset_and_level_is_a_valid_institution() {
        let (mut protocol, world) = shipped();
        // With a tradable obligation too, which must shrink with issuance.
        protocol.credits.surrender_per_period = 10;
        let mut strengths: Vec<Strengths> = (0u32..32).map(subset_strengths).collect();
        for family in Family::ALL {
            for level in [0.25, 0.5, 0.75] {
                let mut s = [1.0; 5];
                s[family.index()] = level;
                strengths.push(s);
            }
        }
        for s in strengths {
            let (p, _) = apply(&protocol, &world, &s);
            let problems = accord_core::validate::check(&p);
            assert!(problems.is_empty(), "strengths {s:?}: {problems:?}");
        }
    }

    #[test]
    fn weaker_credits_leave_the_gate_as_many_safe_periods_away() {
        // Shipped: 10 credits per audited safe period, a threshold of 10
        // credits, expiring after 8 periods. At σ = 0.1 a safe period earns
        // 1 credit, so a threshold left at 10 could never be held.
        let (protocol, world) = shipped();
        let full_per_period =
            world.economy.investment_per_safe_period * protocol.credits.credits_per_investment_unit;
        let periods_needed =
            |p: &Protocol, per_period: u64| p.compute.credit_threshold.div_ceil(per_period);
        let at_full = periods_needed(&protocol, full_per_period);
        for sigma in [0.01, 0.1, 0.25, 0.5, 0.75] {
            let mut s = [1.0; 5];
            s[Family::MechanismDesign.index()] = sigma;
            let (p, _) = apply(&protocol, &world, &s);
            let per_period = p.credits.max_credits_per_period.min(full_per_period);
            assert!(p.compute.credit_threshold >= 1, "σ = {sigma}");
            assert_eq!(periods_needed(&p, per_period), at_full, "σ = {sigma}");
            let premium = p.liability.base_premium_credits;
            assert!(
                premium >= 1 && premium <= protocol.liability.base_premium_credits,
                "σ = {sigma}: premium {premium}"
            );

            assert!(
                p.compute.credit_threshold <= per_period * u64::from(p.credits.expiry_periods),
                "σ = {sigma}: the threshold can be held"
            );
        }
    }

    #[test]
    fn without_social_norms_nobody_feels_the_norm() {
        let (protocol, world) = shipped();
        let mut s = [1.0; 5];
        s[Family::SocialNorms.index()] = 0.0;
        let (_, w) = apply(&protocol, &world, &s);
        assert!(w.lab.iter().all(|t| t.norm_sensitivity == 0.0));
        assert_eq!(w.norms.praise_weight, 0.0);
    }
}
