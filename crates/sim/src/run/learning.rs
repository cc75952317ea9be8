//! Learning (`docs/model.md`, section 8): revising strategies by comparing utilities, and the counterfactual utility of a strategy.

use super::*;

impl Simulation<'_> {
    /// Revision between generations.
    pub(super) fn revise(&mut self, g: u32, utility: &[f64]) {
        let learning = &self.world.learning;
        let n = self.labs.len();
        let menu = self.menu.clone();
        // A model is copied with the strategy that earned its utility, not
        // one it switched to earlier in this loop.
        let played: Vec<Strategy> = self.labs.iter().map(|l| l.strategy).collect();
        for _ in 0..learning.revisions_per_generation {
            let focal = self.rng.random_range(0..n);
            if self.world.lab[self.labs[focal].kind].committed {
                continue;
            }
            if self.rng.random::<f64>() < learning.exploration {
                self.labs[focal].strategy = menu[self.rng.random_range(0..menu.len())];
                continue;
            }
            match learning.rule {
                Rule::Imitation if n > 1 => {
                    let others = expectations::Others {
                        labs: n,
                        graph: self.graph.as_ref(),
                    };
                    let Some(model) = others.draw(focal, &mut self.rng) else {
                        continue;
                    };
                    let gain = utility[model] - utility[focal];
                    let probability = 1.0 / (1.0 + (-learning.selection * gain).exp());
                    if self.rng.random::<f64>() < probability {
                        self.labs[focal].strategy = played[model];
                    }
                }
                Rule::Logit => {
                    let values: Vec<f64> = menu
                        .iter()
                        .map(|&s| self.counterfactual_utility(g, focal, s))
                        .collect();
                    let top = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let weights: Vec<f64> = values
                        .iter()
                        .map(|v| (learning.rationality * (v - top)).exp())
                        .collect();
                    let total: f64 = weights.iter().sum();
                    let mut ticket = self.rng.random::<f64>() * total;
                    for (strategy, w) in menu.iter().zip(&weights) {
                        if ticket < *w {
                            self.labs[focal].strategy = *strategy;
                            break;
                        }
                        ticket -= w;
                    }
                }
                _ => {}
            }
        }
    }

    /// Utility `focal` would get if it played `strategy` against the others' current strategies.
    pub(super) fn counterfactual_utility(&self, g: u32, focal: usize, strategy: Strategy) -> f64 {
        if self.world.stage == StageKind::Matrix {
            return self.matrix_utility(focal, strategy);
        }
        // Replay the next generation from the current institutional state with common random numbers.
        let mut trial = self.clone();
        trial.capture_spend = vec![0.0; self.labs.len()];
        // A lab weighing strategies takes everyone's jurisdiction as given.
        trial.relocation_spend.fill(0.0);
        trial.relocation_frozen = true;
        trial.labs[focal].strategy = strategy;
        trial.generation(g + 1).utility[focal]
    }

    /// Exact expected utility of a strategy in the matrix stage against the current population.
    pub(super) fn matrix_utility(&self, focal: usize, strategy: Strategy) -> f64 {
        let Some(m) = &self.world.matrix else {
            return 0.0;
        };
        let n = self.labs.len();
        let row = usize::from(strategy.development == Development::Unsafe);
        let others: Vec<usize> = (0..n).filter(|&j| j != focal).collect();
        let material = others
            .iter()
            .map(|&j| {
                m.payoffs[row]
                    [usize::from(self.labs[j].strategy.development == Development::Unsafe)]
            })
            .sum::<f64>()
            / others.len() as f64;
        let t = &self.world.lab[self.labs[focal].kind];
        let empirical = others
            .iter()
            .filter(|&&j| self.labs[j].strategy.development == Development::Safe)
            .count() as f64
            / others.len() as f64;
        let normative = others
            .iter()
            .filter(|&&j| self.world.lab[self.labs[j].kind].supports_safety)
            .count() as f64
            / others.len() as f64;
        crate::utility::utility(
            t,
            &UtilityTerms {
                payoff: material,
                own_loss: 0.0,
                developed_unsafely: row == 1,
                expectations: (empirical, normative),
                norm_loss: self.norm_loss[self.labs[focal].kind],
                praise: 0.0,
            },
        )
    }
}
