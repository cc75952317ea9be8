//! Racing (`docs/model.md`, sections 2–3): speeds under the compute gate, finished races, the population-game shortcut and disasters.

use super::*;

impl Simulation<'_> {
    /// Each lab's speed this period.
    pub(super) fn speeds(&self, safe: &[bool]) -> Vec<f64> {
        let world = self.world;
        (0..self.labs.len())
            .map(|i| {
                let base = self.lab_speed[i]
                    * if safe[i] {
                        1.0
                    } else {
                        world.race.unsafe_speed
                    };
                let refused = self.refused_compute(i);
                let access = if refused > 0.0 {
                    1.0 - refused * (1.0 - world.economy.leakage)
                } else {
                    1.0
                };
                base * access
            })
            .collect()
    }

    /// The generation's races run to the end at once (nothing institutional
    /// happens during them); two-lab races come from the table of [`Self::pair`],
    /// since their members' type and safety are all their outcome depends on.
    pub(super) fn idle_totals(
        &mut self,
        races: &[Race],
        mechanics: &Mechanics,
        safe: &[bool],
    ) -> Totals {
        let n = self.labs.len();
        let speed = self.speeds(safe);
        let run = |mut race: Race| {
            while !race.finished {
                race.step(mechanics, &speed, safe);
            }
            race
        };
        let mut totals = Totals::empty(n);
        let mut count = vec![0.0; n];
        for race in races {
            let (true, &[a, b]) = (self.uniform_speeds, &race.members[..]) else {
                let finished = run(race.clone());
                for ((lab, payoff), (_, share)) in finished.payoffs().zip(finished.unsafe_shares())
                {
                    totals.payoff[lab] += payoff;
                    totals.unsafe_share[lab] += share;
                    count[lab] += 1.0;
                }
                totals.duration = totals.duration.max(finished.elapsed);
                continue;
            };
            // One table of two-lab races by group (2·type + unsafe) serves every path.
            let group = |lab: usize| 2 * self.labs[lab].kind + usize::from(!safe[lab]);
            let (group_a, group_b) = (group(a), group(b));
            let outcome = self.pair(group_a, group_b);
            for (k, lab) in [a, b].into_iter().enumerate() {
                totals.payoff[lab] += outcome.payoff[k];
                totals.unsafe_share[lab] += outcome.unsafe_share[k];
                count[lab] += 1.0;
            }
            totals.duration = totals.duration.max(outcome.elapsed);
        }
        totals.finish(&count, true)
    }

    /// The outcome of a two-lab race between groups `a` and `b` (group = `2·type + unsafe`).
    pub(super) fn pair(&mut self, a: usize, b: usize) -> PairOutcome {
        let groups = 2 * self.world.lab.len();
        if let Some(outcome) = self.pair_table[a * groups + b] {
            return outcome;
        }
        let race = &self.world.race;
        let mechanics = Mechanics {
            milestone: race.milestone,
            benefit: race.benefit,
            safety_cost: race.safety_cost,
            prize: race.prize,
            max_rounds: f64::from(race.max_rounds),
        };
        let speed = |group: usize| {
            self.world.lab[group / 2].speed
                * if group % 2 == 1 {
                    race.unsafe_speed
                } else {
                    1.0
                }
        };
        let (speeds, safe) = (
            [speed(a), speed(b)],
            [a.is_multiple_of(2), b.is_multiple_of(2)],
        );
        let mut contest = Race::new(vec![0, 1]);
        while !contest.finished {
            contest.step(&mechanics, &speeds, &safe);
        }
        let payoff: Vec<f64> = contest.payoffs().map(|p| p.1).collect();
        let share: Vec<f64> = contest.unsafe_shares().map(|p| p.1).collect();
        let outcome = PairOutcome {
            payoff: [payoff[0], payoff[1]],
            unsafe_share: [share[0], share[1]],
            elapsed: contest.elapsed,
        };
        self.pair_table[a * groups + b] = Some(outcome);
        outcome
    }

    /// A generation of a population game, computed group by group: the same
    /// payoffs as racing every pair, at a cost independent of the number of pairs.
    pub(super) fn population_generation(&mut self, g: u32) -> Outcome {
        let n = self.labs.len();
        let groups = 2 * self.world.lab.len();
        let group_of =
            |lab: &Lab| 2 * lab.kind + usize::from(lab.strategy.development == Development::Unsafe);
        let mut count = vec![0usize; groups];
        for lab in &self.labs {
            count[group_of(lab)] += 1;
        }
        let race = &self.world.race;
        let (p_r, setback) = (race.disaster_probability, race.collective_setback);
        let others = (n - 1) as f64;
        let mut periods: f64 = 0.0;
        let mut race_payoff = vec![0.0; groups];
        let mut disaster = vec![0.0; groups];
        for a in (0..groups).filter(|&a| count[a] > 0) {
            let (mut payoff, mut unsafe_share) = (0.0, 0.0);
            for b in (0..groups).filter(|&b| count[b] > 0) {
                let opponents = (count[b] - usize::from(a == b)) as f64;
                if opponents == 0.0 {
                    continue;
                }
                let outcome = self.pair(a, b);
                payoff += opponents * outcome.payoff[0];
                unsafe_share += opponents * outcome.unsafe_share[0];
                periods = periods.max(outcome.elapsed);
            }
            race_payoff[a] = payoff / others;
            disaster[a] = p_r * unsafe_share / others;
        }
        let mut material = vec![0.0; groups];
        let mut utility_of = vec![0.0; groups];
        for a in (0..groups).filter(|&a| count[a] > 0) {
            let setbacks: f64 = (0..groups)
                .map(|b| {
                    (1.0 - setback * disaster[b]).powi((count[b] - usize::from(a == b)) as i32)
                })
                .product();
            material[a] = super::disaster_struck(race_payoff[a], (1.0 - disaster[a]) * setbacks);
            // The population game has no norm, praise or blame (`with_population_game`).
            utility_of[a] = crate::utility::utility(
                &self.world.lab[a / 2],
                &UtilityTerms {
                    payoff: material[a],
                    own_loss: disaster[a] * race_payoff[a].max(0.0),
                    developed_unsafely: a % 2 == 1,
                    expectations: (0.0, 0.0),
                    norm_loss: 0.0,
                    praise: 0.0,
                },
            );
        }
        let payoffs: Vec<f64> = self.labs.iter().map(|l| material[group_of(l)]).collect();
        let utility: Vec<f64> = self.labs.iter().map(|l| utility_of[group_of(l)]).collect();
        let safe_count = self
            .labs
            .iter()
            .filter(|l| l.strategy.development == Development::Safe)
            .count();
        let labs = if self.options.record {
            self.labs
                .iter()
                .enumerate()
                .map(|(i, l)| LabRecord {
                    generation: g,
                    lab: l.name.clone(),
                    strategy: l.strategy.to_string(),
                    developed_safely: l.strategy.development == Development::Safe,
                    payoff: payoffs[i],
                    utility: utility[i],
                    disaster_probability: disaster[group_of(l)],
                    credits: 0,
                    sanction_level: 0,
                    compute_access: true,
                    pledged: false,
                    bound: false,
                    jurisdiction: self.jurisdiction_name(i),
                })
                .collect()
        } else {
            Vec::new()
        };
        let record = GenerationRecord {
            generation: g,
            safe_share: safe_count as f64 / n as f64,
            disaster_probability: 1.0
                - (0..groups)
                    .map(|a| (1.0 - disaster[a]).powi(count[a] as i32))
                    .product::<f64>(),
            welfare: payoffs.iter().sum(),
            periods,
            pact_succeeded: None,
            pact_binding: None,
            pact_fundamental: None,
            pact_public: None,
            pledge_threshold: None,
            alerts: 0,
        };
        Outcome {
            record,
            labs,
            payoffs,
            utility,
        }
    }

    /// How disasters enter payoffs: the world's realisation, or expected
    /// values in a replay weighing a move.
    pub(super) fn realisation(&self) -> Realisation {
        if self.expected_disasters {
            Realisation::Expected
        } else {
            self.world.race.realisation
        }
    }

    /// Draws (or, with expected realisation, records the probability of) each lab's disaster.
    pub(super) fn draw_disasters(&mut self, totals: &Totals) -> Vec<f64> {
        if !totals.raced {
            // The matrix stage has no race and no disaster risk.
            return vec![0.0; self.labs.len()];
        }
        (0..self.labs.len())
            .map(|i| {
                let probability = self.world.race.disaster_probability * totals.unsafe_share[i];
                match self.realisation() {
                    Realisation::Expected => probability,
                    Realisation::Sampled => {
                        f64::from(u8::from(self.rng.random::<f64>() < probability))
                    }
                }
            })
            .collect()
    }
}

/// Shuffles labs `0..n` into `⌊n/k⌋` races (at least one) whose sizes
/// differ by at most one: every lab races exactly once.
pub(super) fn sampled_groups(n: usize, group_size: usize, rng: &mut ChaCha8Rng) -> Vec<Race> {
    assert!(group_size >= 2, "a group race needs at least two labs");
    let mut order: Vec<usize> = (0..n).collect();
    crate::stats::shuffle(&mut order, rng);
    let races = (n / group_size).max(1);
    let mut members = vec![Vec::with_capacity(group_size + 1); races];
    for (position, lab) in order.into_iter().enumerate() {
        members[position % races].push(lab);
    }
    members.into_iter().map(Race::new).collect()
}

/// What a generation's races produced, per lab (averaged over a lab's races).
pub(super) struct Totals {
    /// Race payoff per period.
    pub(super) payoff: Vec<f64>,
    /// Share of race time spent developing unsafely.
    pub(super) unsafe_share: Vec<f64>,
    /// Duration of the longest race, in periods.
    pub(super) duration: f64,
    /// Whether there was a race at all (not in the matrix stage).
    pub(super) raced: bool,
}

impl Totals {
    pub(super) fn of(races: &[Race], n: usize) -> Totals {
        let mut totals = Totals::empty(n);
        let mut count = vec![0.0; n];
        for race in races {
            for ((lab, payoff), (_, share)) in race.payoffs().zip(race.unsafe_shares()) {
                totals.payoff[lab] += payoff;
                totals.unsafe_share[lab] += share;
                count[lab] += 1.0;
            }
            totals.duration = totals.duration.max(race.elapsed);
        }
        totals.finish(&count, !races.is_empty())
    }

    pub(super) fn empty(n: usize) -> Totals {
        Totals {
            payoff: vec![0.0; n],
            unsafe_share: vec![0.0; n],
            duration: 0.0,
            raced: false,
        }
    }

    pub(super) fn finish(mut self, count: &[f64], raced: bool) -> Totals {
        for (i, &c) in count.iter().enumerate() {
            if c > 0.0 {
                self.payoff[i] /= c;
                self.unsafe_share[i] /= c;
            }
        }
        self.raced = raced;
        self
    }
}

/// A finished two-lab race, by member: payoff per period and unsafe share, and its duration.
#[derive(Debug, Clone, Copy)]
pub(super) struct PairOutcome {
    pub(super) payoff: [f64; 2],
    pub(super) unsafe_share: [f64; 2],
    pub(super) elapsed: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_groups_seat_every_lab_once_in_races_of_nearly_equal_size() {
        let mut rng = accord_seed::run_rng(9, 0);
        for (n, k) in [(1, 2), (2, 2), (7, 2), (10, 3), (10, 6), (1000, 7), (5, 10)] {
            let races = sampled_groups(n, k, &mut rng);
            assert_eq!(races.len(), (n / k).max(1), "n {n}, k {k}");
            let mut seen = vec![0; n];
            for race in &races {
                for &lab in &race.members {
                    seen[lab] += 1;
                }
            }
            assert!(seen.iter().all(|&times| times == 1), "n {n}, k {k}");
            let sizes = races.iter().map(|r| r.members.len());
            let (low, high) = (sizes.clone().min().unwrap(), sizes.max().unwrap());
            assert!(
                high - low <= 1 && (n < k || low >= k),
                "n {n}, k {k}: {low}..{high}"
            );
        }
        // Reshuffled each time: the first race's members change between draws.
        let first = |rng: &mut ChaCha8Rng| sampled_groups(100, 2, rng)[0].members.clone();
        assert_ne!(first(&mut rng), first(&mut rng));
    }
}
