//! The seed paper's claims about its five mechanism families, tested on an
//! ablation: per replicate, an outcome for each of the 32 subsets of families
//! (a [`Table`] row, indexed by subset mask: bit i set when family i of
//! [`Family::ALL`] is on). Replicate k of every subset shares random stream k,
//! so every comparison below is paired by replicate; every interval is the
//! percentile bootstrap of [`crate::stats`] and every verdict is three-valued.
//! A verdict needs [`MIN_REPLICATES_FOR_VERDICT`] replicates; with fewer, or
//! when the interval it rests on contains the decision boundary, it is
//! "undetermined".
//!
//! - *"Remove any one and the system weakens."* Removal loss of family i,
//!   `v(N) − v(N∖{i})`, in cooperation and in welfare. The family weakens the
//!   system when either loss's interval lies above 0; it does not when both
//!   intervals lie at or below 0. Confirmed when every family weakens it;
//!   partly confirmed when some do and some demonstrably do not; refuted when
//!   none is shown to and some demonstrably do not.
//! - *Priority ranking* (common knowledge and credible commitment high,
//!   mechanism design and early warning medium, social norms lower): Spearman
//!   rank correlation ρ (Spearman 1904, average ranks for ties) between the
//!   claimed levels (3, 2, 1) and the mean Shapley values of cooperation;
//!   its interval resamples replicates and recomputes the means and the ranks.
//!   Confirmed when the interval lies above 0, refuted when it lies at or
//!   below 0, undetermined when it straddles 0.
//! - *"No single mechanism is sufficient."* For each family i, the paired
//!   difference `v(N) − v({i})` in cooperation. Confirmed when every
//!   difference's interval lies above the practical-equivalence margin
//!   [`SUFFICIENCY_MARGIN`] (each family alone does demonstrably worse than
//!   all five by more than the margin); refuted when some family's interval
//!   lies below the margin (that family alone does as well as all five, up to
//!   the margin); undetermined otherwise. One boundary for both verdicts, so
//!   an interval inside `(0, margin)` cannot read both ways.
//!
//! - *"Over-engineering risk: simpler approaches might work better"* (the
//!   seed's self-critique). For each proper subset S of the families (no
//!   protocol included), the paired shortfall `v(N) − v(S)` in cooperation.
//!   Confirmed when some subset's interval lies below the margin (a simpler
//!   protocol does as well as all five, up to [`SUFFICIENCY_MARGIN`]; the
//!   evidence names the one with fewest families, ties broken by the smaller
//!   shortfall); refuted when every subset's interval lies above the margin
//!   (each simpler protocol does worse by more than it); undetermined
//!   otherwise. The 31 intervals are not adjusted for multiplicity.
//!
//! Spearman, C. (1904). The proof and measurement of association between two
//! things. *American Journal of Psychology* 15(1), 72–101.

use crate::experiment::shapley;
use crate::families::Family;
use crate::stats::{
    DECISION_TOLERANCE, Estimate, MIN_REPLICATES_FOR_VERDICT, Side, percentile_interval,
};
use serde::Serialize;
use std::fmt;

/// Subsets of the five families.
pub const SUBSETS: usize = 32;
/// Mask of the full protocol (every family on).
pub const ALL_FAMILIES: usize = SUBSETS - 1;
/// One outcome per subset and per replicate: `table[k][mask]`.
pub type Table = [[f64; SUBSETS]];
/// Cooperation (share of labs developing safely) within which a single family
/// counts as doing as well as all five.
pub const SUFFICIENCY_MARGIN: f64 = 0.02;

/// What the measurements say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// The evidence supports the claim.
    #[serde(rename = "confirmed")]
    Confirmed,
    /// The claim holds for some families and demonstrably fails for others.
    #[serde(rename = "partly confirmed")]
    PartlyConfirmed,
    /// The evidence contradicts the claim.
    #[serde(rename = "refuted")]
    Refuted,
    /// The evidence decides neither way.
    #[serde(rename = "undetermined")]
    Undetermined,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Confirmed => "confirmed",
            Verdict::PartlyConfirmed => "partly confirmed",
            Verdict::Refuted => "refuted",
            Verdict::Undetermined => "undetermined",
        })
    }
}

/// A claim of the seed paper and what the measurements say.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// The claim, quoted or paraphrased.
    pub claim: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The evidence.
    pub evidence: String,
}

/// The four claims, from per-replicate cooperation and welfare tables, over
/// the families the protocol holds (`present`, see
/// [`crate::families::present`]) that act ([`inert`]): the subsets of an
/// absent or inert family repeat those without it, so it is neither removed,
/// ranked, tried alone nor counted as a simplification, and switching it on
/// changes no verdict.
pub fn claims(cooperation: &Table, welfare: &Table, present: u32) -> Vec<Claim> {
    let inert = inert(cooperation, welfare, present);
    let judged = present & !inert;
    let mut claims = vec![
        removal_weakens(cooperation, welfare, judged),
        priority_ranking(cooperation, judged),
        no_single_sufficient(cooperation, judged),
        simpler_suffices(cooperation, judged),
    ];
    let names = |mask: u32| -> String {
        families_in(mask)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let absent = ALL_FAMILIES as u32 & !present;
    for claim in &mut claims {
        if absent != 0 {
            claim.evidence.push_str(&format!(
                " Not in this protocol (every section of it is off), so not judged: {}.",
                names(absent)
            ));
        }
        if inert != 0 {
            claim.evidence.push_str(&format!(
                " Switched on but changing no run (cooperation and welfare the same with and without it in every subset and replicate), so not judged: {}.",
                names(inert)
            ));
        }
    }
    claims
}

/// The families of `present` that change no run: for every subset without
/// family i, every replicate's cooperation and welfare are bit for bit the
/// same with i added. Such a family observes or acts on nothing here, and a
/// verdict must not change when it is switched on (an outside review found an
/// announcement section that changes nothing confirming "over-engineering"
/// by its own removal).
pub fn inert(cooperation: &Table, welfare: &Table, present: u32) -> u32 {
    families_in(present)
        .into_iter()
        .filter(|family| {
            let bit = 1 << family.index();
            [cooperation, welfare].iter().all(|table| {
                table.iter().all(|v| {
                    (0..SUBSETS)
                        .filter(|mask| mask & bit == 0)
                        .all(|mask| v[mask].to_bits() == v[mask | bit].to_bits())
                })
            })
        })
        .fold(0, |mask, family| mask | (1 << family.index()))
}

/// The families of `present`, in [`Family::ALL`] order.
pub(crate) fn families_in(present: u32) -> Vec<Family> {
    Family::ALL
        .into_iter()
        .filter(|f| present & (1 << f.index()) != 0)
        .collect()
}

/// How the evidence names the full protocol.
fn full_name(present: u32) -> String {
    match present.count_ones() {
        5 => "all five".into(),
        1 => "the protocol's one acting family".into(),
        k => format!("the protocol's {k} acting families"),
    }
}

/// `v(N) − v(∅)`: what the full protocol gains over no protocol, paired by replicate.
fn gain(table: &Table) -> Estimate {
    per_replicate(table, |v| v[ALL_FAMILIES] - v[0])
}

fn enough(table: &Table) -> bool {
    table.len() >= MIN_REPLICATES_FOR_VERDICT
}

fn per_replicate(table: &Table, f: impl Fn(&[f64; SUBSETS]) -> f64) -> Estimate {
    Estimate::mean_of(&table.iter().map(f).collect::<Vec<_>>())
}

fn interval(e: &Estimate, digits: usize) -> String {
    format!(
        "{:+.d$} [{:+.d$}, {:+.d$}]",
        e.mean,
        e.low,
        e.high,
        d = digits
    )
}

fn too_few(table: &Table) -> String {
    format!(
        " Only {} replicates: a verdict needs {MIN_REPLICATES_FOR_VERDICT}.",
        table.len()
    )
}

/// "Remove any one mechanism and the system weakens."
pub fn removal_weakens(cooperation: &Table, welfare: &Table, present: u32) -> Claim {
    let (mut weakened, mut not_weakened, mut unclear) = (Vec::new(), Vec::new(), Vec::new());
    for family in families_in(present) {
        let without = ALL_FAMILIES ^ (1 << family.index());
        let loss = |table: &Table| per_replicate(table, |v| v[ALL_FAMILIES] - v[without]);
        let (c, w) = (loss(cooperation), loss(welfare));
        let evidence = format!(
            "{family}: loss in cooperation {}, in welfare {}",
            interval(&c, 3),
            interval(&w, 2)
        );
        if c.side_of(0.0) == Side::Above || w.side_of(0.0) == Side::Above {
            weakened.push(evidence);
        } else if c.high <= DECISION_TOLERANCE && w.high <= DECISION_TOLERANCE {
            not_weakened.push(evidence);
        } else {
            unclear.push(evidence);
        }
    }
    // A protocol that gains nothing has nothing a removal could lose.
    let (gained_cooperation, gained_welfare) = (gain(cooperation), gain(welfare));
    let gains = gained_cooperation.side_of(0.0) == Side::Above
        || gained_welfare.side_of(0.0) == Side::Above;
    let decidable = enough(cooperation) && enough(welfare) && gains && present != 0;
    let verdict = if !decidable {
        Verdict::Undetermined
    } else if !not_weakened.is_empty() {
        if weakened.is_empty() {
            Verdict::Refuted
        } else {
            Verdict::PartlyConfirmed
        }
    } else if unclear.is_empty() {
        Verdict::Confirmed
    } else {
        Verdict::Undetermined
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join("; ")
        }
    };
    let mut evidence = format!(
        "Removal loss, paired by replicate (95% intervals). Weakened (a loss above 0): {}. Not weakened (both losses at or below 0): {}. Undecided: {}.",
        list(&weakened),
        list(&not_weakened),
        list(&unclear)
    );
    if !gains {
        evidence.push_str(&format!(
            " The protocol does not demonstrably improve on no protocol (gain in cooperation {}, in welfare {}), so a removal has nothing to lose.",
            interval(&gained_cooperation, 3),
            interval(&gained_welfare, 2)
        ));
    }
    if !enough(cooperation) {
        evidence.push_str(&too_few(cooperation));
    }
    Claim {
        claim: "Remove any one mechanism and the system weakens.".into(),
        verdict,
        evidence,
    }
}

/// The seed's leverage class as a number: high 3, medium 2, lower 1.
fn claimed_level(family: Family) -> f64 {
    match family.claimed_leverage() {
        "high" => 3.0,
        "medium" => 2.0,
        _ => 1.0,
    }
}

/// Mean Shapley value of each family over the replicates `sample` of `shapleys`.
fn mean_shapley(shapleys: &[[f64; 5]], sample: impl Iterator<Item = usize>) -> [f64; 5] {
    let mut sum = [0.0; 5];
    let mut count = 0.0;
    for k in sample {
        for (s, value) in sum.iter_mut().zip(shapleys[k]) {
            *s += value;
        }
        count += 1.0;
    }
    sum.map(|s| s / count)
}

/// Priority: common knowledge and credible commitment high, mechanism design
/// and early warning medium, social norms lower.
pub fn priority_ranking(cooperation: &Table, present: u32) -> Claim {
    let families = families_in(present);
    let claimed: Vec<f64> = families.iter().map(|&f| claimed_level(f)).collect();
    let shapleys: Vec<[f64; 5]> = cooperation
        .iter()
        .map(|v| std::array::from_fn(|i| shapley(v, i)))
        .collect();
    // An absent family's Shapley value is 0 and the others' are those of
    // the game among the present ones (a dummy player changes no value).
    let held =
        |means: [f64; 5]| -> Vec<f64> { families.iter().map(|f| means[f.index()]).collect() };
    let means = held(mean_shapley(&shapleys, 0..shapleys.len()));
    let rho = spearman(&claimed, &means);
    let (low, high) = percentile_interval(shapleys.len(), |sample| {
        spearman(
            &claimed,
            &held(mean_shapley(&shapleys, sample.iter().copied())),
        )
    })
    .unwrap_or((f64::NAN, f64::NAN));
    let correlation = Estimate {
        mean: rho,
        low,
        high,
        n: shapleys.len(),
    };
    // Equal measured leverage everywhere ranks nothing: the correlation is
    // undefined (`spearman` reports 0), which must not read as a refutation.
    let ranked = families.len() >= 3 && means.iter().any(|&m| m != means[0]);
    let verdict = if !enough(cooperation) || !ranked {
        Verdict::Undetermined
    } else {
        match correlation.side_of(0.0) {
            Side::Above => Verdict::Confirmed,
            _ if correlation.high <= DECISION_TOLERANCE => Verdict::Refuted,
            _ => Verdict::Undetermined,
        }
    };
    let measured: Vec<String> = families
        .iter()
        .map(|&f| {
            let e = per_replicate_shapley(&shapleys, f.index());
            format!("{f} ({}) {}", f.claimed_leverage(), interval(&e, 3))
        })
        .collect();
    let measured = if measured.is_empty() {
        "none".to_string()
    } else {
        measured.join("; ")
    };
    let mut evidence = if families.len() < 3 {
        // Fewer than three ranks correlate perfectly or not at all.
        format!(
            "Shapley values of long-run cooperation: {measured}. A ranking needs at least three families that act; the protocol has {}.",
            families.len()
        )
    } else {
        format!(
            "Shapley values of long-run cooperation: {measured}. Spearman correlation between claimed and measured leverage: {} (95% bootstrap interval over replicates).",
            interval(&correlation, 2)
        )
    };
    if families.len() >= 3 && !ranked {
        evidence.push_str(" Every family's measured leverage is the same, so the correlation is undefined (shown as 0).");
    }
    if !enough(cooperation) {
        evidence.push_str(&too_few(cooperation));
    }
    Claim {
        claim: "Priority: common knowledge and credible commitment have high leverage, mechanism design and early warning medium, social norms lower.".into(),
        verdict,
        evidence,
    }
}

fn per_replicate_shapley(shapleys: &[[f64; 5]], family: usize) -> Estimate {
    Estimate::mean_of(&shapleys.iter().map(|s| s[family]).collect::<Vec<_>>())
}

/// "No single mechanism is sufficient."
pub fn no_single_sufficient(cooperation: &Table, present: u32) -> Claim {
    let shortfalls: Vec<(Family, Estimate, f64)> = families_in(present)
        .into_iter()
        .map(|f| {
            let alone = 1 << f.index();
            let alone_mean = per_replicate(cooperation, |v| v[alone]).mean;
            (
                f,
                per_replicate(cooperation, |v| v[ALL_FAMILIES] - v[alone]),
                alone_mean,
            )
        })
        .collect();
    let full = full_name(present);
    // A protocol that does not beat no protocol by the margin has nothing a
    // single family could fall short of.
    let gained = gain(cooperation);
    let gains = gained.side_of(SUFFICIENCY_MARGIN) == Side::Above;
    let sufficient = |d: &Estimate| d.side_of(SUFFICIENCY_MARGIN) == Side::Below;
    let verdict = if !enough(cooperation) || !gains || shortfalls.len() < 2 {
        Verdict::Undetermined
    } else if shortfalls.iter().any(|(_, d, _)| sufficient(d)) {
        Verdict::Refuted
    } else if shortfalls
        .iter()
        .all(|(_, d, _)| d.side_of(SUFFICIENCY_MARGIN) == Side::Above)
    {
        Verdict::Confirmed
    } else {
        Verdict::Undetermined
    };
    // The family that decides a refutation, else the best alone; the first
    // of equally good ones, so a null family never stands in for a tie.
    let deciding = verdict == Verdict::Refuted;
    let best = shortfalls
        .iter()
        .filter(|(_, d, _)| !deciding || sufficient(d))
        .reduce(|best, x| if x.2 > best.2 { x } else { best });
    let all = per_replicate(cooperation, |v| v[ALL_FAMILIES]);
    let mut evidence = match best {
        Some((best, shortfall, alone)) => format!(
            "Best single family: {best} with cooperation {alone:.3}; {full}: {:.3}; {full} minus it, paired by replicate: {} (a single family is sufficient when this lies below {SUFFICIENCY_MARGIN}). Every family: {}.",
            all.mean,
            interval(shortfall, 3),
            shortfalls
                .iter()
                .map(|(f, d, _)| format!("{f} {}", interval(d, 3)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        None => "No family of the protocol acts.".into(),
    };
    if shortfalls.len() == 1 {
        evidence.push_str(" One family of the protocol acts: alone, it is the whole protocol.");
    }
    if !gains {
        evidence.push_str(&format!(
            " The protocol does not demonstrably beat no protocol by more than {SUFFICIENCY_MARGIN} (gain in cooperation {}), so no family can fall short of it.",
            interval(&gained, 3)
        ));
    }
    if !enough(cooperation) {
        evidence.push_str(&too_few(cooperation));
    }
    Claim {
        claim: "No single mechanism is sufficient.".into(),
        verdict,
        evidence,
    }
}

/// "Over-engineering risk: simpler approaches might work better."
pub fn simpler_suffices(cooperation: &Table, present: u32) -> Claim {
    let names = |mask: usize| -> String {
        let on: Vec<String> = Family::ALL
            .iter()
            .filter(|f| mask & (1 << f.index()) != 0)
            .map(ToString::to_string)
            .collect();
        if on.is_empty() {
            "no protocol".to_string()
        } else {
            on.join(" + ")
        }
    };
    // Strict subsets of what the protocol holds: a subset with an absent
    // family is the protocol without it, not a simpler one.
    let present = present as usize;
    let shortfalls: Vec<(usize, Estimate)> = (0..ALL_FAMILIES)
        .filter(|&mask| mask & !present == 0 && mask != present)
        .map(|mask| {
            (
                mask,
                per_replicate(cooperation, |v| v[ALL_FAMILIES] - v[mask]),
            )
        })
        .collect();
    let simplest = shortfalls
        .iter()
        .filter(|(_, d)| d.side_of(SUFFICIENCY_MARGIN) == Side::Below)
        .min_by(|(a, da), (b, db)| {
            a.count_ones()
                .cmp(&b.count_ones())
                .then(da.mean.total_cmp(&db.mean))
        });
    let worse = shortfalls
        .iter()
        .filter(|(_, d)| d.side_of(SUFFICIENCY_MARGIN) == Side::Above)
        .count();
    let verdict = if !enough(cooperation) || shortfalls.is_empty() {
        Verdict::Undetermined
    } else if simplest.is_some() {
        Verdict::Confirmed
    } else if worse == shortfalls.len() {
        Verdict::Refuted
    } else {
        Verdict::Undetermined
    };
    let all = per_replicate(cooperation, |v| v[ALL_FAMILIES]);
    let (full, held) = (full_name(present as u32), present.count_ones());
    let closest = shortfalls
        .iter()
        .min_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
    let mut evidence = match (simplest, closest) {
        (Some((mask, shortfall)), _) => format!(
            "The simplest protocol doing as well as {full} (shortfall below {SUFFICIENCY_MARGIN}): {} ({} of {held} families), shortfall in cooperation {} against {full}'s {:.3}.",
            names(*mask),
            mask.count_ones(),
            interval(shortfall, 3),
            all.mean
        ),
        (None, Some((mask, shortfall))) => format!(
            "No simpler protocol is shown to do as well as {full} (cooperation {:.3}) within {SUFFICIENCY_MARGIN}; the closest is {}, shortfall {}.",
            all.mean,
            names(*mask),
            interval(shortfall, 3)
        ),
        (None, None) => "No family of the protocol acts: nothing is simpler.".into(),
    };
    evidence.push_str(&format!(
        " Of the {} simpler protocols (no protocol included), {worse} do worse than {full} by more than {SUFFICIENCY_MARGIN} (shortfall above it), paired by replicate.",
        shortfalls.len()
    ));
    if !enough(cooperation) {
        evidence.push_str(&too_few(cooperation));
    }
    Claim {
        claim: "Over-engineering risk: simpler approaches might work better.".into(),
        verdict,
        evidence,
    }
}

/// Spearman rank correlation (average ranks for ties); 0 when either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let (va, vb): (f64, f64) = (
        ra.iter().map(|x| (x - ma).powi(2)).sum(),
        rb.iter().map(|y| (y - mb).powi(2)).sum(),
    );
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            ranks[k] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every family present.
    const ALL: u32 = ALL_FAMILIES as u32;

    const REPLICATES: usize = 12;

    /// An additive game: v(S) = Σ_{i ∈ S} weights_k[i] + noise_k, per replicate k.
    fn additive(weights: impl Fn(usize) -> [f64; 5]) -> Vec<[f64; SUBSETS]> {
        (0..REPLICATES)
            .map(|k| {
                let w = weights(k);
                let noise = 0.01 * (k % 4) as f64;
                std::array::from_fn(|mask| {
                    noise
                        + (0..5)
                            .filter(|i| mask & (1 << i) != 0)
                            .map(|i| w[i])
                            .sum::<f64>()
                })
            })
            .collect()
    }

    /// Weights in family order (MD, CC, EW, SN, CK), a little noise per replicate.
    fn jittered(base: [f64; 5]) -> impl Fn(usize) -> [f64; 5] {
        move |k| base.map(|w| w * (1.0 + 0.05 * ((k % 3) as f64 - 1.0)))
    }

    /// A protocol without common knowledge (an outside review's case): its
    /// subsets with common knowledge repeat those without, so the protocol
    /// is not its own "simpler protocol", common knowledge is neither
    /// removed nor ranked, and the evidence says it is not there.
    #[test]
    fn a_family_the_protocol_does_not_hold_is_not_judged() {
        let without_ck = ALL & !(1 << Family::CommonKnowledge.index());
        let table = additive(jittered([0.1, 0.15, 0.1, 0.05, 0.0]));
        let claims = claims(&table, &table, without_ck);
        let [removal, priority, single, simpler] = &claims[..] else {
            panic!("four claims")
        };
        assert_eq!(removal.verdict, Verdict::Confirmed, "{}", removal.evidence);
        assert_eq!(single.verdict, Verdict::Confirmed, "{}", single.evidence);
        assert_eq!(simpler.verdict, Verdict::Refuted, "{}", simpler.evidence);
        assert!(
            simpler.evidence.contains("Of the 15 simpler protocols"),
            "{}",
            simpler.evidence
        );
        assert!(
            !priority.evidence.contains("common knowledge (high)"),
            "{}",
            priority.evidence
        );
        for claim in &claims {
            assert!(
                claim.evidence.contains("so not judged: common knowledge."),
                "{}",
                claim.evidence
            );
        }
        // Switched on but changing nothing, it is judged as if absent: the
        // same verdicts (an outside review found an inert family deciding them).
        let inert = self::claims(&table, &table, ALL);
        for (on, off) in inert.iter().zip(&claims) {
            assert_eq!(on.verdict, off.verdict, "{}", on.evidence);
            assert!(
                on.evidence
                    .contains("changing no run (cooperation and welfare the same with and without it in every subset and replicate), so not judged: common knowledge."),
                "{}",
                on.evidence
            );
        }
        // With every family acting, the evidence reads as it always has.
        let table = additive(jittered([0.1, 0.15, 0.1, 0.05, 0.2]));
        let all = self::claims(&table, &table, ALL);
        assert!(all.iter().all(|c| !c.evidence.contains("not judged")));
        assert!(all[3].evidence.contains("Of the 31 simpler protocols"));
    }

    /// A decision boundary passed by a rounding residue alone is not passed:
    /// a resampled mean of values summing exactly to 0 can land at 1e-17.
    #[test]
    fn a_rounding_residue_decides_nothing() {
        let residue = Estimate {
            mean: 0.267,
            low: 9.25e-18,
            high: 0.608,
            n: 6,
        };
        assert_eq!(residue.side_of(0.0), Side::Straddles);
        let clear = Estimate {
            low: 0.001,
            ..residue
        };
        assert_eq!(clear.side_of(0.0), Side::Above);
    }

    /// A protocol of one family is its own single family: "no single
    /// mechanism is sufficient" has nothing to compare.
    #[test]
    fn a_protocol_of_one_family_decides_no_sufficiency() {
        let early_warning = 1 << Family::EarlyWarning.index();
        let table = additive(jittered([0.0, 0.0, 0.3, 0.0, 0.0]));
        let single = no_single_sufficient(&table, early_warning);
        assert_eq!(single.verdict, Verdict::Undetermined, "{}", single.evidence);
        assert!(single.evidence.contains("it is the whole protocol"));
        let simpler = simpler_suffices(&table, early_warning);
        assert_eq!(simpler.verdict, Verdict::Refuted, "{}", simpler.evidence);
        assert!(simpler.evidence.contains("Of the 1 simpler protocols"));
        assert_eq!(
            priority_ranking(&table, early_warning).verdict,
            Verdict::Undetermined
        );
    }

    /// A protocol that gains nothing over no protocol (an outside review ran
    /// the minimal protocol) has nothing to lose by a removal and nothing a
    /// single family could fall short of: undetermined, not refuted.
    #[test]
    fn a_protocol_that_gains_nothing_refutes_nothing() {
        let table = additive(|_| [0.0; 5]);
        let removal = removal_weakens(&table, &table, ALL);
        assert_eq!(
            removal.verdict,
            Verdict::Undetermined,
            "{}",
            removal.evidence
        );
        assert!(
            removal
                .evidence
                .contains("does not demonstrably improve on no protocol")
        );
        let single = no_single_sufficient(&table, ALL);
        assert_eq!(single.verdict, Verdict::Undetermined, "{}", single.evidence);
        assert!(
            single
                .evidence
                .contains("does not demonstrably beat no protocol")
        );
        // No protocol does as well: over-engineering is confirmed.
        assert_eq!(simpler_suffices(&table, ALL).verdict, Verdict::Confirmed);
    }

    /// The family a refutation rests on is the one named, not a family with
    /// a higher mean whose interval decides nothing.
    #[test]
    fn the_family_that_refutes_sufficiency_is_the_one_named() {
        // Early warning alone does all the protocol does; mechanism design
        // alone is noisy around a higher mean, its interval straddling the margin.
        let table: Vec<[f64; SUBSETS]> = (0..REPLICATES)
            .map(|k| {
                let swing = if k % 2 == 0 { 0.4 } else { -0.2 };
                std::array::from_fn(|mask| {
                    if mask == 1 << Family::MechanismDesign.index() {
                        0.5 + swing
                    } else if mask & (1 << Family::EarlyWarning.index()) != 0 {
                        0.5
                    } else {
                        0.1
                    }
                })
            })
            .collect();
        let claim = no_single_sufficient(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Refuted, "{}", claim.evidence);
        assert!(
            claim
                .evidence
                .starts_with("Best single family: early warning"),
            "{}",
            claim.evidence
        );
    }

    #[test]
    fn every_simpler_protocol_doing_worse_refutes_over_engineering() {
        // Additive with every family contributing: dropping any lowers cooperation.
        let table = additive(jittered([0.1, 0.15, 0.1, 0.05, 0.2]));
        let claim = simpler_suffices(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Refuted, "{}", claim.evidence);
        assert!(claim.evidence.contains("31 do worse"), "{}", claim.evidence);
    }

    #[test]
    fn the_simplest_sufficient_protocol_is_named() {
        // Cooperation 0.9 with both credible commitment and common knowledge
        // on, whatever else is: the two of them are the simplest protocol
        // that does as well as all five.
        let both =
            (1 << Family::CredibleCommitment.index()) | (1 << Family::CommonKnowledge.index());
        let table: Vec<[f64; SUBSETS]> = (0..REPLICATES)
            .map(|k| {
                std::array::from_fn(|mask| {
                    let noise = 0.01 * (k % 3) as f64;
                    if mask & both == both {
                        0.9 + noise
                    } else {
                        0.3 + noise
                    }
                })
            })
            .collect();
        let claim = simpler_suffices(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Confirmed, "{}", claim.evidence);
        assert!(
            claim
                .evidence
                .contains("credible commitment + common knowledge (2 of 5 families)"),
            "{}",
            claim.evidence
        );
        // With too few replicates nothing is decided.
        assert_eq!(
            simpler_suffices(&table[..2], ALL).verdict,
            Verdict::Undetermined
        );
    }

    #[test]
    fn removing_any_family_lowers_the_outcome() {
        let table = additive(jittered([0.1, 0.15, 0.1, 0.05, 0.2]));
        let claim = removal_weakens(&table, &table, ALL);
        assert_eq!(claim.verdict, Verdict::Confirmed, "{}", claim.evidence);
        assert_eq!(
            no_single_sufficient(&table, ALL).verdict,
            Verdict::Confirmed
        );
    }

    #[test]
    fn a_single_family_that_suffices() {
        // Cooperation 0.9 whenever common knowledge is on, whatever else is.
        let table: Vec<[f64; SUBSETS]> = (0..REPLICATES)
            .map(|k| {
                std::array::from_fn(|mask| {
                    let noise = 0.01 * (k % 3) as f64;
                    if mask & (1 << Family::CommonKnowledge.index()) != 0 {
                        0.9 + noise
                    } else {
                        0.1 + noise
                    }
                })
            })
            .collect();
        let sufficient = no_single_sufficient(&table, ALL);
        assert_eq!(
            sufficient.verdict,
            Verdict::Refuted,
            "{}",
            sufficient.evidence
        );
        assert!(
            sufficient
                .evidence
                .contains("Best single family: common knowledge")
        );
        // Removing common knowledge weakens; removing any other changes nothing.
        let removal = removal_weakens(&table, &table, ALL);
        assert_eq!(
            removal.verdict,
            Verdict::PartlyConfirmed,
            "{}",
            removal.evidence
        );
    }

    #[test]
    fn a_shortfall_straddling_the_margin_decides_nothing() {
        // Mechanism design alone falls short of all five by the others'
        // 4 × 0.005 = the margin, ± 5% per replicate: demonstrably above 0,
        // not demonstrably beyond the margin, so neither "sufficient" nor
        // "insufficient" is shown.
        let table = additive(jittered([0.9, 0.005, 0.005, 0.005, 0.005]));
        let alone = per_replicate(&table, |v| {
            v[ALL_FAMILIES] - v[1 << Family::MechanismDesign.index()]
        });
        assert_eq!(alone.side_of(0.0), Side::Above);
        assert_eq!(alone.side_of(SUFFICIENCY_MARGIN), Side::Straddles);
        let claim = no_single_sufficient(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Undetermined, "{}", claim.evidence);
    }

    #[test]
    fn tied_best_families_name_the_first() {
        // Every family alone does nothing: the evidence names the first, not the last.
        let table = additive(|_| [0.0; 5]);
        let claim = no_single_sufficient(&table, ALL);
        assert!(
            claim
                .evidence
                .contains("Best single family: mechanism design"),
            "{}",
            claim.evidence
        );
    }

    #[test]
    fn a_ranking_that_matches_is_confirmed() {
        // CK and CC high, MD and EW medium, SN lower.
        let table = additive(jittered([0.1, 0.3, 0.12, 0.02, 0.28]));
        let claim = priority_ranking(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Confirmed, "{}", claim.evidence);
    }

    #[test]
    fn a_reversed_ranking_is_refuted() {
        let table = additive(jittered([0.1, 0.02, 0.12, 0.3, 0.01]));
        let claim = priority_ranking(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Refuted, "{}", claim.evidence);
    }

    /// A protocol none of whose families changes anything (an outside review
    /// ran the minimal protocol): every Shapley value is 0, the ranking is
    /// undefined and must not read as refuted.
    #[test]
    fn a_ranking_of_equal_leverage_is_undetermined() {
        let table = additive(|_| [0.0; 5]);
        let claim = priority_ranking(&table, ALL);
        assert_eq!(claim.verdict, Verdict::Undetermined, "{}", claim.evidence);
        assert!(claim.evidence.contains("undefined"), "{}", claim.evidence);
    }

    #[test]
    fn a_ranking_the_replicates_disagree_on_is_undetermined() {
        // Each replicate ranks the families differently (a rotation); over ten
        // replicates every rotation appears twice, so the mean Shapley values
        // (nearly) tie and resampling moves ρ to both sides of 0.
        let table = additive(|k| std::array::from_fn(|i| 0.05 * ((i + k) % 5) as f64));
        let claim = priority_ranking(&table[..10], ALL);
        assert_eq!(claim.verdict, Verdict::Undetermined, "{}", claim.evidence);
        assert!(claim.evidence.contains("Spearman"));
    }

    #[test]
    fn too_few_replicates_decide_nothing() {
        let table = additive(jittered([0.1, 0.3, 0.12, 0.02, 0.28]));
        let few = &table[..3];
        for claim in claims(few, few, ALL) {
            assert_eq!(claim.verdict, Verdict::Undetermined, "{}", claim.claim);
            assert!(claim.evidence.contains("Only 3 replicates"));
        }
    }

    #[test]
    fn straddling_removal_losses_are_undetermined() {
        // Removing social norms helps in half the replicates and hurts in the other half.
        let table = additive(|k| {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            [0.1, 0.15, 0.1, 0.05 * sign, 0.2]
        });
        let claim = removal_weakens(&table, &table, ALL);
        assert_eq!(claim.verdict, Verdict::Undetermined, "{}", claim.evidence);
    }

    #[test]
    fn spearman_handles_ties_and_constants() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), 0.0);
    }
}
