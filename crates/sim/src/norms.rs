//! The size of the safety norm's sanction: how much one lab's unsafe
//! development costs the labs that comply, in the race the world describes.
//!
//! Bicchieri's norm utility (*The Grammar of Society*, 2006) charges a
//! violator `k_i` times the largest loss its violation imposes on another
//! player. In the N-lab race that loss is measured, not borrowed from the
//! two-lab DSAIR matrix:
//!
//! ```text
//! L_t = max over complying j of [ π_j(all comply) − π_j(t unsafe) + σ·p_r·max(π_j(t unsafe), 0) ]⁺
//! ```
//!
//! with `π_j` lab j's race payoff per period (benefit share, safety cost,
//! prize), `σ` the collective setback of a disaster and `p_r` the disaster
//! probability of unsafe development: the violator takes race share and
//! prize from j, and its disaster risk threatens what j earns (`π_j(t unsafe)`
//! the payoff of j racing against one unsafe lab of type t, all else safe). In the matrix
//! stage `L = (R − S)/(N − 1)`: a payoff is the mean over a lab's N − 1 games,
//! and a defector costs each cooperator `R − S` in one of them (with two labs,
//! Bicchieri's `R − S`). In races
//! of sampled groups of k labs the violator harms only its own race: `L_t` is
//! the largest loss over races of the violator and labs of one type, at the
//! sizes the matching makes (`⌊N/k⌋` races differing by at most one lab; one
//! race of everyone, as in `all`, when `N < 2k`). See `docs/model.md`,
//! section 6.

use crate::race::{Mechanics, Race};
use crate::world::{RaceFormat, StageKind, World};

/// Norm loss `L_t` for each lab type of the world, in race payoff units per period.
pub fn norm_losses(world: &World) -> Vec<f64> {
    let kinds = world.lab_kinds();
    let n = kinds.len();
    if n < 2 {
        return vec![0.0; world.lab.len()];
    }
    if let (StageKind::Matrix, Some(m)) = (world.stage, &world.matrix) {
        // A payoff is the mean over a lab's N − 1 games, one of them against the defector.
        let loss = (m.payoffs[0][0] - m.payoffs[0][1]).max(0.0) / (n - 1) as f64;
        return vec![loss; world.lab.len()];
    }
    let groups = match (world.race.format, world.race.group_size) {
        (RaceFormat::Groups, Some(k)) => (n / k as usize).max(1),
        _ => 1,
    };
    if groups > 1 {
        // A violator harms only the labs of its own race: the largest loss over
        // races of the violator and labs of one type, for each type, at each
        // size the matching makes (⌊N/k⌋ races differing by at most one lab).
        let smaller = n / groups;
        let sizes = if n.is_multiple_of(groups) {
            vec![smaller]
        } else {
            vec![smaller, smaller + 1]
        };
        let types = world.lab.len();
        return (0..types)
            .map(|kind| {
                sizes
                    .iter()
                    .flat_map(|&size| (0..types).map(move |other| (size, other)))
                    .map(|(size, other)| {
                        let group: Vec<usize> = std::iter::once(kind)
                            .chain(std::iter::repeat_n(other, size - 1))
                            .collect();
                        let all_safe = race_payoffs(world, &group, &vec![true; group.len()]);
                        largest_loss(world, &group, 0, &all_safe)
                    })
                    .fold(0.0, f64::max)
            })
            .collect();
    }
    // One race of everyone: `all`, or groups with room for a single race.
    let all_safe = race_payoffs(world, &kinds, &vec![true; n]);
    (0..world.lab.len())
        .map(|kind| match kinds.iter().position(|&k| k == kind) {
            Some(violator) => largest_loss(world, &kinds, violator, &all_safe),
            None => 0.0,
        })
        .collect()
}

/// The largest loss the lab at `violator` imposes on a complying lab among
/// labs of `kinds` by developing unsafely (the bracket of `L_t`), given their
/// race payoffs when all comply.
fn largest_loss(world: &World, kinds: &[usize], violator: usize, all_safe: &[f64]) -> f64 {
    let n = kinds.len();
    let risk = world.race.collective_setback * world.race.disaster_probability;
    let mut safe = vec![true; n];
    safe[violator] = false;
    let with_violator = race_payoffs(world, kinds, &safe);
    (0..n)
        .filter(|&j| j != violator)
        .map(|j| all_safe[j] - with_violator[j] + risk * with_violator[j].max(0.0))
        .fold(0.0, f64::max)
}

/// Race payoff per period of each lab (mean over its races), full compute access.
fn race_payoffs(world: &World, kinds: &[usize], safe: &[bool]) -> Vec<f64> {
    let r = &world.race;
    let mechanics = Mechanics {
        milestone: r.milestone,
        benefit: r.benefit,
        safety_cost: r.safety_cost,
        prize: r.prize,
        max_rounds: f64::from(r.max_rounds),
    };
    let n = kinds.len();
    let speed: Vec<f64> = (0..n)
        .map(|i| world.lab[kinds[i]].speed * if safe[i] { 1.0 } else { r.unsafe_speed })
        .collect();
    let races: Vec<Race> = match r.format {
        // With groups, `kinds` is one race (see `norm_losses`).
        RaceFormat::All | RaceFormat::Groups => vec![Race::new((0..n).collect())],
        RaceFormat::Pairwise => (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| Race::new(vec![i, j])))
            .collect(),
    };
    let (mut total, mut count) = (vec![0.0; n], vec![0.0; n]);
    for mut race in races {
        while !race.finished {
            race.step(&mechanics, &speed, safe);
        }
        for (lab, payoff) in race.payoffs() {
            total[lab] += payoff;
            count[lab] += 1.0;
        }
    }
    total.iter().zip(&count).map(|(t, c)| t / c).collect()
}

/// Whether the protocol's social-norms mechanism, its public leaderboard, has
/// anything to rank labs on in the simulation: audit verdicts (monitoring
/// that audits at all — at a positive audit rate of the world, or on the
/// alerts of early warning or whistleblowers — which also verifies credits
/// and confirms breaches) or the completeness of expected reports the
/// simulated labs make (early-warning metrics with a role and a reporting
/// cycle). Norms act through it only then: a leaderboard that can observe
/// nothing changes nothing (`docs/model.md`, section 6).
pub fn norms_made_public(protocol: &accord_core::Protocol, world: &World) -> bool {
    let rates = &world.monitors;
    let audits = protocol.monitoring.enabled
        && (rates.audit_rate > 0.0
            || rates.audit_rate_above_threshold > 0.0
            || protocol.early_warning.enabled
            || protocol.whistleblower.enabled);
    let reports_expected = protocol.early_warning.enabled
        && protocol
            .early_warning
            .metric
            .iter()
            .any(|m| m.role.is_some() && m.expected_every_periods > 0);
    protocol.leaderboard.enabled && (audits || reports_expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_games::models::dsair::Dsair;

    #[test]
    fn two_labs_recover_the_dsair_loss() {
        // Two identical labs, no setback: L = Π(AS,AS) − Π(AS,AU) of DSAIR before risk.
        let world = World::parse(
            "[world]\nname = \"w\"\n[race]\nbenefit = 4.0\nsafety_cost = 1.0\nunsafe_speed = 2.0\nmilestone = 40.0\nprize = 400.0\ncollective_setback = 0.0\n[[lab]]\nname = \"a\"\ncount = 2\n",
        )
        .unwrap();
        let d = Dsair {
            b: 4.0,
            c: 1.0,
            s: 2.0,
            p_r: 0.0,
            prize: 400.0,
            milestone: 40.0,
        }
        .payoff_matrix();
        let losses = norm_losses(&world);
        assert!((losses[0] - (d[0][0] - d[0][1])).abs() < 1e-9, "{losses:?}");
    }

    #[test]
    fn a_crowded_race_dilutes_what_one_violator_takes() {
        let world = |count: u32| {
            World::parse(&format!(
                "[world]\nname = \"w\"\n[race]\ncollective_setback = 0.0\n[[lab]]\nname = \"a\"\ncount = {count}\n"
            ))
            .unwrap()
        };
        let (two, six) = (norm_losses(&world(2))[0], norm_losses(&world(6))[0]);
        assert!(six > 0.0 && six < two, "two labs {two}, six labs {six}");
    }

    #[test]
    fn groups_measure_the_loss_in_the_races_the_matching_makes() {
        let world = |types: &str, format: &str| {
            World::parse(&format!(
                "[world]\nname = \"w\"\n[race]\ncollective_setback = 0.0\n{format}\n{types}"
            ))
            .unwrap()
        };
        let three = "[[lab]]\nname = \"fast\"\nspeed = 1.3\n[[lab]]\nname = \"mid\"\n[[lab]]\nname = \"slow\"\nspeed = 0.8\n";
        // Three labs in pairs make one race of three, which is `all`; so do
        // groups of as many labs as there are.
        let all = norm_losses(&world(three, "format = \"all\""));
        for format in [
            "format = \"groups\"\ngroup_size = 2",
            "format = \"groups\"\ngroup_size = 3",
        ] {
            assert_eq!(norm_losses(&world(three, format)), all, "{format}");
        }
        // Five identical labs in pairs race in a pair and a triple: the loss
        // is the larger of the two races'.
        let five = "[[lab]]\nname = \"a\"\ncount = 5\n";
        let groups = norm_losses(&world(five, "format = \"groups\"\ngroup_size = 2"))[0];
        let (pair, triple) = (
            norm_losses(&world(
                "[[lab]]\nname = \"a\"\ncount = 2\n",
                "format = \"all\"",
            ))[0],
            norm_losses(&world(
                "[[lab]]\nname = \"a\"\ncount = 3\n",
                "format = \"all\"",
            ))[0],
        );
        assert!(
            (groups - pair.max(triple)).abs() < 1e-12,
            "{groups} vs {pair}, {triple}"
        );
    }

    #[test]
    fn disaster_risk_to_others_counts() {
        let world = |setback: f64| {
            World::parse(&format!(
                "[world]\nname = \"w\"\n[race]\ndisaster_probability = 0.5\ncollective_setback = {setback}\n[[lab]]\nname = \"a\"\ncount = 2\n"
            ))
            .unwrap()
        };
        assert!(norm_losses(&world(0.5))[0] > norm_losses(&world(0.0))[0]);
    }
}
