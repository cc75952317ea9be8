//! Several jurisdictions (`docs/model.md`, "International coordination"):
//! which gates refuse a lab, and labs that move to where they are served.
//!
//! Jurisdiction `j` hosts the share `w_j` of the world's training compute
//! (Σ w_j = 1) and, if it runs a protocol, its gate covers `c_j · w_j` of the
//! world's compute, `c_j` being the `covered_fraction` of the protocol its
//! registry runs (0 where that protocol's compute gate is off). A lab based
//! in `h` is refused the covered compute
//!
//! ```text
//! r_i = d_i · c_h · w_h                   without recognition
//! r_i = d_i · Σ_{j runs a protocol} c_j · w_j   with mutual recognition
//! ```
//!
//! where `d_i` is whether its home registry denies it covered compute (a
//! haven's registry holds nobody and denies everyone). Under recognition a
//! gate takes the word only of a registry that gates compute itself, so
//! `d_i = 1` also for every lab whose home registry runs no gate: otherwise
//! a registry that asks nothing would open every gate to its labs, a better
//! refuge than a haven (as an outside review found). Its speed is then
//! `1 − r_i · (1 − leakage)`; one jurisdiction hosting all compute gives
//! back the single registry's `1 − covered_fraction · (1 − leakage)` for a
//! denied lab. Without recognition a denied lab can escape the gate by
//! moving (regulatory arbitrage); with it, no registry admits the lab and a
//! haven is refused everywhere.

use super::*;
use crate::world::Recognition;
use rand::SeedableRng;

impl Simulation<'_> {
    /// The registry of a lab's jurisdiction.
    pub(super) fn registry(&self, lab: usize) -> &Institution {
        &self.registries[self.home[lab]]
    }

    pub(super) fn registry_mut(&mut self, lab: usize) -> &mut Institution {
        let home = self.home[lab];
        &mut self.registries[home]
    }

    /// The name of a lab's jurisdiction, in a world that declares them.
    pub(super) fn jurisdiction_name(&self, lab: usize) -> Option<String> {
        let international = self.world.international.as_ref()?;
        Some(international.jurisdiction[self.home[lab]].name.clone())
    }

    /// `c_j`: the share of the compute hosted in jurisdiction `j` that its
    /// registry's gate covers.
    fn coverage(&self, j: usize) -> f64 {
        let compute = &self.protocols[j].compute;
        let runs = self
            .world
            .international
            .as_ref()
            .is_none_or(|i| i.jurisdiction[j].runs_protocol);
        if runs && compute.enabled {
            compute.covered_fraction
        } else {
            0.0
        }
    }

    /// Whether some registry's gate covers compute.
    pub(super) fn gated(&self) -> bool {
        (0..self.registries.len()).any(|j| self.coverage(j) > 0.0)
    }

    /// `r_i`: the share of the world's compute that gates refusing `lab` cover.
    pub(super) fn refused_compute(&self, lab: usize) -> f64 {
        let denied = !self.registry(lab).access_allowed(lab);
        let Some(international) = &self.world.international else {
            return if denied { self.coverage(0) } else { 0.0 };
        };
        let home = self.home[lab];
        match international.recognition {
            Recognition::None if denied => {
                self.coverage(home) * international.jurisdiction[home].compute_share
            }
            Recognition::Mutual if denied || !self.vouches(home) => self.covered_compute(),
            _ => 0.0,
        }
    }

    /// Whether, under mutual recognition, gates take the word of `j`'s
    /// registry on its labs: only a registry that gates compute itself
    /// vouches for them (a haven's runs no protocol; a protocol with its
    /// compute gate off decides no access).
    fn vouches(&self, j: usize) -> bool {
        let runs = self
            .world
            .international
            .as_ref()
            .is_none_or(|i| i.jurisdiction[j].runs_protocol);
        runs && self.protocols[j].compute.enabled
    }

    /// `Σ_j c_j · w_j`: the share of the world's compute behind every gate.
    /// Gates that cover alike (one protocol everywhere) give `c · Σ w_j`.
    fn covered_compute(&self) -> f64 {
        let Some(international) = &self.world.international else {
            return self.coverage(0);
        };
        let gates: Vec<(f64, f64)> = international
            .jurisdiction
            .iter()
            .enumerate()
            .filter(|(_, j)| j.runs_protocol)
            .map(|(k, j)| (self.coverage(k), j.compute_share))
            .collect();
        match gates.first() {
            Some(&(c, _)) if gates.iter().all(|&(other, _)| other == c) => {
                c * gates.iter().map(|&(_, w)| w).sum::<f64>()
            }
            _ => gates.iter().map(|&(c, w)| c * w).sum(),
        }
    }

    /// Regulatory arbitrage, at the start of every generation after the
    /// first (at the first no lab has had a period to earn what a gate asks
    /// for). A member its home registry denies covered compute weighs every
    /// jurisdiction whose gates would refuse it strictly less: it replays the
    /// generation with the move, paying `relocation_cost` and leaving behind
    /// its credits and what binds it (rule 25a), against the same generation
    /// staying (common random numbers, nobody else moving), and moves to the
    /// best one if that beats staying. The replay counts all the move
    /// changes (compute, and the clean record and fresh standing of a
    /// newcomer), so a lab that would earn its way back through the gate
    /// within the generation stays, and one whose gate costs it little may
    /// still move to shed its record.
    pub(super) fn relocate(&mut self, g: u32, credits_before: &[u64]) {
        if self.relocation_frozen {
            return;
        }
        self.relocation_spend.fill(0.0);
        let Some(international) = &self.world.international else {
            return;
        };
        if g == 0 || !international.relocation || !self.gated() {
            return;
        }
        let mut staying: Option<Vec<f64>> = None;
        for lab in 0..self.labs.len() {
            if !self.registry(lab).is_member(lab) {
                continue;
            }
            let at_home = self.refused_compute(lab);
            let destinations: Vec<usize> = (0..self.registries.len())
                .filter(|&j| {
                    j != self.home[lab]
                        && self
                            .refused_after_moving(lab, j)
                            .is_some_and(|refused| refused < at_home)
                })
                .collect();
            if destinations.is_empty() {
                continue;
            }
            let stay = staying.get_or_insert_with(|| self.replay(g, credits_before, None))[lab];
            let mut best: Option<(usize, f64)> = None;
            for to in destinations {
                let utility = self.replay(g, credits_before, Some((lab, to)))[lab];
                if best.is_none_or(|(_, b)| utility > b) {
                    best = Some((to, utility));
                }
            }
            if let Some((to, utility)) = best
                && utility > stay
                && self.move_lab(lab, to)
            {
                staying = None;
            }
        }
    }

    /// The share of the world's compute behind gates that would refuse `lab`
    /// once based in `to`; None where it would not be admitted. A registry
    /// admits a newcomer with a clean record and no credits (so a credit
    /// threshold denies it at first), but only without recognition and only
    /// once. Under recognition a lab based where no registry vouches for it
    /// is refused by every gate, as a haven's labs are.
    fn refused_after_moving(&self, lab: usize, to: usize) -> Option<f64> {
        let international = self.world.international.as_ref()?;
        let destination = &international.jurisdiction[to];
        match (destination.runs_protocol, international.recognition) {
            (false, Recognition::None) => Some(0.0),
            (_, Recognition::Mutual) if !self.vouches(to) => Some(self.covered_compute()),
            (true, Recognition::None) if self.registries[to].may_join(lab) => {
                Some(if self.protocols[to].compute.credit_threshold > 0 {
                    self.coverage(to) * destination.compute_share
                } else {
                    0.0
                })
            }
            _ => None,
        }
    }

    /// Every lab's utility in generation `g` replayed from here, after
    /// `moving` (lab, destination) if given, with nobody else moving. The
    /// replay draws from streams of its own, the same in every branch and
    /// unrelated to the run's, so a lab weighs moving against a sampled
    /// generation, not against the one it will live (whose disasters it
    /// foresaw, as an outside review found); and it weighs disasters by their
    /// probability rather than one draw, which would decide most moves by
    /// luck.
    fn replay(&self, g: u32, credits_before: &[u64], moving: Option<(usize, usize)>) -> Vec<f64> {
        let mut trial = self.clone();
        trial.relocation_frozen = true;
        trial.resumed_credits = Some(credits_before.to_vec());
        let stream = |k: u128| {
            let mut rng = ChaCha8Rng::seed_from_u64(self.options.seed ^ REPLAY_KEY);
            rng.set_stream(self.options.run_index);
            rng.set_word_pos(((u128::from(g) << 3) | k) << 40);
            rng
        };
        trial.rng = stream(0);
        trial.observations = stream(1);
        trial.pact_draws = stream(2);
        trial.grouping = stream(3);
        trial.whistleblowing = stream(4);
        trial.settlement_order = stream(5);
        trial.mixing = stream(6);
        trial.expected_disasters = true;
        if let Some((lab, to)) = moving
            && !trial.move_lab(lab, to)
        {
            return vec![f64::NEG_INFINITY; self.labs.len()];
        }
        trial.generation(g).utility
    }

    /// Moves a lab out of its registry (rule 25a) and into jurisdiction
    /// `to`; false when the core refused the leave.
    fn move_lab(&mut self, lab: usize, to: usize) -> bool {
        let cost = self
            .world
            .international
            .as_ref()
            .map_or(0.0, |i| i.relocation_cost);
        self.registry_mut(lab).leave(lab);
        if self.registry(lab).is_member(lab) {
            return false;
        }
        self.home[lab] = to;
        if self
            .world
            .international
            .as_ref()
            .is_some_and(|i| i.jurisdiction[to].runs_protocol)
        {
            let joined = self.registries[to].join(lab);
            debug_assert!(joined, "a registry the lab never joined admits it");
        }
        self.relocation_spend[lab] += cost;
        self.relocations += 1;
        true
    }
}

/// Sets the key of the replays' streams apart from the runs' (which use
/// the master seed itself).
const REPLAY_KEY: u64 = 0x5245_504c_4159_0001;

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol() -> Protocol {
        accord_core::parse_protocol(include_str!(
            "../../../../examples/protocols/global-protocol.toml"
        ))
        .unwrap()
    }

    fn three_jurisdictions(recognition: &str) -> World {
        World::parse(&format!(
            "[world]\nname = \"w\"\n[economy]\nleakage = 0.25\n\
             [[lab]]\nname = \"x\"\njurisdiction = \"a\"\n\
             [[lab]]\nname = \"y\"\njurisdiction = \"b\"\n\
             [[lab]]\nname = \"z\"\njurisdiction = \"haven\"\n\
             [international]\nrecognition = \"{recognition}\"\n\
             [[international.jurisdiction]]\nname = \"a\"\ncompute_share = 0.6\n\
             [[international.jurisdiction]]\nname = \"b\"\ncompute_share = 0.3\n\
             [[international.jurisdiction]]\nname = \"haven\"\ncompute_share = 0.1\nruns_protocol = false\n"
        ))
        .unwrap()
    }

    /// Nobody holds credits before the first period, so the credit gate
    /// denies every member, and a haven's lab is registered nowhere.
    #[test]
    fn a_denied_lab_loses_only_the_compute_behind_gates_that_refuse_it() {
        let protocol = protocol();
        let covered = protocol.compute.covered_fraction;
        for (recognition, refused) in [("none", [0.6, 0.3, 0.0]), ("mutual", [0.9, 0.9, 0.9])] {
            let world = three_jurisdictions(recognition);
            let options = RunOptions::default();
            let simulation = Simulation::new(&world, &protocol, &options);
            let speeds = simulation.speeds(&[true; 3]);
            for lab in 0..3 {
                let expected = covered * refused[lab];
                assert!(
                    (simulation.refused_compute(lab) - expected).abs() < 1e-12,
                    "{recognition}, lab {lab}"
                );
                let expected = 1.0 - expected * (1.0 - 0.25);
                assert!(
                    (speeds[lab] - expected).abs() < 1e-12,
                    "{recognition}, lab {lab}"
                );
            }
        }
    }

    /// Each gate covers the share its own registry's protocol sets: a
    /// jurisdiction whose protocol covers half its compute refuses that
    /// much; one whose protocol gates nothing refuses nothing and denies
    /// nobody, but under recognition vouches for nobody either, so its labs
    /// are refused by every gate, as a haven's are.
    #[test]
    fn each_gate_covers_what_its_own_protocol_sets() {
        let protocol = protocol();
        let c = protocol.compute.covered_fraction;
        for (own_coverage, own_gate) in [(0.5, true), (0.5, false)] {
            let mut own = protocol.clone();
            own.pacts.enabled = false;
            own.compute.covered_fraction = own_coverage;
            own.compute.enabled = own_gate;
            let b = if own_gate { own_coverage } else { 0.0 };
            let everywhere = c * 0.6 + b * 0.3;
            for (recognition, refused) in [
                ("none", [c * 0.6, b * 0.3, 0.0]),
                ("mutual", [everywhere, everywhere, everywhere]),
            ] {
                let mut world = three_jurisdictions(recognition);
                world.international.as_mut().unwrap().jurisdiction[1].protocol =
                    Some(Box::new(own.clone()));
                assert_eq!(world.problems(), Vec::new());
                let options = RunOptions::default();
                let simulation = Simulation::new(&world, &protocol, &options);
                for (lab, expected) in refused.into_iter().enumerate() {
                    let actual = simulation.refused_compute(lab);
                    assert!(
                        (actual - expected).abs() < 1e-12,
                        "{recognition}, gate {own_gate}, lab {lab}: {actual} vs {expected}"
                    );
                }
            }
        }
    }
}
