//! Empirical and normative expectations (`docs/model.md`, section 6): what each lab observes and is told about the others.

use super::*;

impl Simulation<'_> {
    /// Expectations `(empirical, normative)` of each lab at the start of a generation.
    pub(super) fn expectations(&mut self) -> Vec<(f64, f64)> {
        let n = self.labs.len();
        if self
            .labs
            .iter()
            .all(|l| self.world.lab[l.kind].norm_sensitivity == 0.0)
        {
            // Nobody's utility depends on expectations.
            return vec![(0.0, 0.0); n];
        }
        // Standing reveals behaviour only where audits produce verdicts to
        // publish, each registry's of its own labs.
        let published: Vec<bool> = self
            .protocols
            .iter()
            .map(|p| {
                let audits_public = p.information_sharing.enabled
                    && p.information_sharing
                        .public_reports
                        .contains(&ReportKind::Audit);
                p.monitoring.enabled
                    && (p.leaderboard.enabled || p.transparency.enabled || audits_public)
            })
            .collect();
        // A lab outside every registry (outside the protocol, or in a haven)
        // has no standing to publish.
        let shown: Vec<bool> = (0..n)
            .map(|j| published[self.home[j]] && self.registry(j).is_member(j))
            .collect();
        let on_record: Vec<bool> = (0..n).map(|j| shown[j] && self.last_on_record[j]).collect();
        let sample = self.world.norms.private_sample_size as usize;
        let noise = self.world.norms.observation_noise;
        let supports: Vec<bool> = self
            .labs
            .iter()
            .map(|l| self.world.lab[l.kind].supports_safety)
            .collect();
        if n == 1 {
            return vec![(1.0, 1.0)];
        }
        let pacts = self.protocol.pacts.enabled;
        let endorses: Vec<bool> = (0..n)
            .map(|j| supports[j] || (pacts && self.last_pledged[j]))
            .collect();
        // Standing is evidence only where a verdict or sanction backs it: a
        // lab in good standing that nobody judged, or one outside the
        // protocol, looks like any unobserved lab.
        let judged_total = on_record.iter().filter(|&&j| j).count();
        let judged_clean_total = (0..n)
            .filter(|&j| on_record[j] && self.last_clean[j])
            .count();
        // Share among the others of a property held by `total` labs, `own` among them lab i's.
        let share_of_others =
            |total: usize, own: bool| (total - usize::from(own)) as f64 / (n - 1) as f64;
        let others = Others {
            labs: n,
            graph: self.graph.as_ref(),
        };
        let mut observations = self.observations.clone();
        // Endorsements are common knowledge only in a generation the
        // announcement reaches; the draw is made either way, so announcements
        // that do not reach leave every private observation unchanged.
        let reached = observations.random::<f64>() < self.world.pact.announcement_reach;
        let announcing: Vec<bool> = self
            .protocols
            .iter()
            .map(|p| reached && super::pact::announces_endorsements(p))
            .collect();
        // A registry announces its own members' endorsements.
        let announced: Vec<bool> = (0..n)
            .map(|j| announcing[self.home[j]] && self.registry(j).is_member(j))
            .collect();
        let announced_total = announced.iter().filter(|&&a| a).count();
        let endorsing_announced = (0..n).filter(|&j| announced[j] && endorses[j]).count();
        let result = (0..n)
            .map(|i| {
                let empirical = if shown.contains(&true) {
                    let own = on_record[i];
                    let judged_clean = judged_clean_total - usize::from(own && self.last_clean[i]);
                    let unjudged = n - 1 - (judged_total - usize::from(own));
                    // The unjudged are estimated as without public verdicts
                    // (drawn only when there are any, so full coverage draws nothing).
                    let unseen = if unjudged > 0 {
                        unjudged as f64
                            * private_share(&mut observations, i, &others, sample, noise, &|j| {
                                self.last_safe[j]
                            })
                    } else {
                        0.0
                    };
                    (judged_clean as f64 + unseen) / (n - 1) as f64
                } else {
                    private_share(&mut observations, i, &others, sample, noise, &|j| {
                        self.last_safe[j]
                    })
                };
                // Announced endorsements are known; the rest are estimated
                // from private observations (drawn only when there are any).
                let unannounced = n - 1 - (announced_total - usize::from(announced[i]));
                let normative = if announced_total == 0 {
                    private_share(&mut observations, i, &others, sample, noise, &|j| {
                        supports[j]
                    })
                } else if unannounced == 0 {
                    share_of_others(endorsing_announced, announced[i] && endorses[i])
                } else {
                    let known = endorsing_announced - usize::from(announced[i] && endorses[i]);
                    let estimated = unannounced as f64
                        * private_share(&mut observations, i, &others, sample, noise, &|j| {
                            supports[j]
                        });
                    (known as f64 + estimated) / (n - 1) as f64
                };
                (empirical, normative)
            })
            .collect();
        self.observations = observations;
        result
    }
}

/// The labs a lab can observe or imitate: every other, or its neighbours.
pub(super) struct Others<'a> {
    pub(super) labs: usize,
    pub(super) graph: Option<&'a Graph>,
}

impl Others<'_> {
    /// A uniformly drawn lab that `lab` observes (None if it observes nobody).
    pub(super) fn draw(&self, lab: usize, rng: &mut ChaCha8Rng) -> Option<usize> {
        match self.graph {
            None => {
                debug_assert!(self.labs >= 2 && lab < self.labs);
                let drawn = rng.random_range(0..self.labs - 1);
                Some(if drawn >= lab { drawn + 1 } else { drawn })
            }
            Some(graph) => {
                let around = graph.neighbours(lab);
                (!around.is_empty()).then(|| around[rng.random_range(0..around.len())] as usize)
            }
        }
    }
}

/// The share of `sample` observed labs (drawn with replacement) seen to hold
/// `truth`, each observation flipped with probability `noise`; a lab that
/// observes nobody sees nothing hold.
pub(super) fn private_share(
    rng: &mut ChaCha8Rng,
    i: usize,
    others: &Others,
    sample: usize,
    noise: f64,
    truth: &dyn Fn(usize) -> bool,
) -> f64 {
    let draws = sample.max(1);
    let mut yes = 0;
    for _ in 0..draws {
        let Some(j) = others.draw(i, rng) else {
            return 0.0;
        };
        let seen = truth(j) != (rng.random::<f64>() < noise);
        yes += usize::from(seen);
    }
    yes as f64 / draws as f64
}
