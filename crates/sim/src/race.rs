//! One race to the milestone, in continuous time, period by period.
//!
//! Generalises the DSAIR race (Han et al., JAIR 2020): each period a lab
//! moves at speed `v_i` (1 safe, `s` unsafe, times its own speed and its
//! compute access), earns the share `b·v_i/Σ_j v_j` of the per-period benefit
//! and pays `c` if it developed safely. The first lab to reach the milestone
//! `W` — at the exact time `(W − progress)/v` within the period — takes the
//! prize `B` (split on ties); the last period's flows are prorated. A lab's
//! race payoff is its total divided by the race's duration, which for two
//! labs at constant speeds is exactly the DSAIR matrix entry before risk.

/// Tolerance for simultaneous finishes.
const TIE: f64 = 1e-12;

/// A race between some labs.
#[derive(Debug, Clone)]
pub struct Race {
    /// Lab indices taking part.
    pub members: Vec<usize>,
    progress: Vec<f64>,
    totals: Vec<f64>,
    unsafe_time: Vec<f64>,
    /// Time elapsed, in periods.
    pub elapsed: f64,
    /// Whether the race is over.
    pub finished: bool,
}

/// Parameters of the race mechanics.
#[derive(Debug, Clone, Copy)]
pub struct Mechanics {
    /// `W`.
    pub milestone: f64,
    /// `b`.
    pub benefit: f64,
    /// `c`.
    pub safety_cost: f64,
    /// `B`.
    pub prize: f64,
    /// Longest race.
    pub max_rounds: f64,
}

impl Race {
    /// A race between `members`.
    pub fn new(members: Vec<usize>) -> Self {
        let n = members.len();
        Self {
            members,
            progress: vec![0.0; n],
            totals: vec![0.0; n],
            unsafe_time: vec![0.0; n],
            elapsed: 0.0,
            finished: false,
        }
    }

    /// Advances one period (or to the finish) with speeds and safety by lab index.
    pub fn step(&mut self, mechanics: &Mechanics, speed: &[f64], safe: &[bool]) {
        if self.finished {
            return;
        }
        let speeds: Vec<f64> = self.members.iter().map(|&l| speed[l].max(0.0)).collect();
        let finish: Vec<f64> = speeds
            .iter()
            .zip(&self.progress)
            .map(|(&v, &p)| {
                if v > 0.0 {
                    ((mechanics.milestone - p) / v).max(0.0)
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let first = finish.iter().copied().fold(f64::INFINITY, f64::min);
        let duration = first
            .min(1.0)
            .min(mechanics.max_rounds - self.elapsed)
            .max(0.0);
        let total_speed: f64 = speeds.iter().sum();
        for (k, &lab) in self.members.iter().enumerate() {
            let share = if total_speed > 0.0 {
                mechanics.benefit * speeds[k] / total_speed
            } else {
                0.0
            };
            let cost = if safe[lab] {
                mechanics.safety_cost
            } else {
                0.0
            };
            self.totals[k] += (share - cost) * duration;
            self.progress[k] += speeds[k] * duration;
            if !safe[lab] {
                self.unsafe_time[k] += duration;
            }
        }
        self.elapsed += duration;
        if first <= 1.0 {
            let winners: Vec<usize> = (0..self.members.len())
                .filter(|&k| finish[k] <= first + TIE)
                .collect();
            for &k in &winners {
                self.totals[k] += mechanics.prize / winners.len() as f64;
            }
            self.finished = true;
        } else if self.elapsed >= mechanics.max_rounds {
            self.finished = true;
        }
    }

    /// Race payoff per period of each member (total over duration).
    pub fn payoffs(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let duration = self.elapsed.max(f64::MIN_POSITIVE);
        self.members
            .iter()
            .zip(&self.totals)
            .map(move |(&lab, &t)| (lab, t / duration))
    }

    /// Share of its race time each member spent developing unsafely.
    pub fn unsafe_shares(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let duration = self.elapsed.max(f64::MIN_POSITIVE);
        self.members
            .iter()
            .zip(&self.unsafe_time)
            .map(move |(&lab, &u)| (lab, u / duration))
    }

    /// Each member and its progress.
    pub fn progresses(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.members
            .iter()
            .copied()
            .zip(self.progress.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_games::models::dsair::Dsair;

    fn mechanics() -> Mechanics {
        Mechanics {
            milestone: 100.0,
            benefit: 4.0,
            safety_cost: 1.0,
            prize: 10_000.0,
            max_rounds: 1e6,
        }
    }

    fn play(speeds: [f64; 2], safe: [bool; 2]) -> [f64; 2] {
        let mut race = Race::new(vec![0, 1]);
        while !race.finished {
            race.step(&mechanics(), &speeds, &safe);
        }
        let p: Vec<f64> = race.payoffs().map(|(_, x)| x).collect();
        [p[0], p[1]]
    }

    #[test]
    fn two_labs_reproduce_the_dsair_matrix_before_risk() {
        for s in [1.5, 2.0, 3.7] {
            let d = Dsair {
                b: 4.0,
                c: 1.0,
                s,
                p_r: 0.0,
                prize: 10_000.0,
                milestone: 100.0,
            }
            .payoff_matrix();
            let both_safe = play([1.0, 1.0], [true, true]);
            let mixed = play([1.0, s], [true, false]);
            let both_unsafe = play([s, s], [false, false]);
            assert!(
                (both_safe[0] - d[0][0]).abs() < 1e-9,
                "{both_safe:?} vs {d:?}"
            );
            assert!((mixed[0] - d[0][1]).abs() < 1e-9);
            assert!((mixed[1] - d[1][0]).abs() < 1e-9);
            assert!((both_unsafe[0] - d[1][1]).abs() < 1e-9);
        }
    }
}
