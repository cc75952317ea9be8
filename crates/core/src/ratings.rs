//! Rating indices: public scorecards of developers' practices, declared in
//! the protocol file's `[[leaderboard.indices]]` and fed by raters'
//! `assess` events, so each score is a logged, verifiable statement.
//!
//! The score functions are general enough for the published indices: the
//! Foundation Model Transparency Index (Bommasani et al., Stanford CRFM,
//! 2023–2025: 100 binary indicators in three domains, scored in points) and
//! the FLI AI Safety Index (Future of Life Institute, 2024–2025: letter
//! grades per domain, averaged on a GPA scale).
//!
//! An index has domains d with weights W_d and indicators i, each in one
//! domain, with weight w_i and an answer kind mapping an answer to a value
//! v_i in [0, 1]:
//!
//! ```text
//! binary    0 or 1
//! tristate  fulfilled = 1, partial = 0.5, unfulfilled = 0
//! graded    points / max_points, 0 ≤ points ≤ max_points
//! letter    GPA(letter) / 4.3, A+ = 4.3, A = 4.0, A− = 3.7, B+ = 3.3, …, D− = 0.7, F = 0
//! ```
//!
//! An edition is scored on the indicators in force in it, E. Per domain
//!
//! ```text
//! S_d = Σ_{i∈d∩E} w_i v_i / Σ_{i∈d∩E} w_i          (in [0, 1])
//! ```
//!
//! and the index score is, by the index's `aggregate`,
//!
//! ```text
//! points  Σ_d W_d Σ_{i∈d∩E} w_i v_i                  (FMTI: one point per indicator)
//! mean    scale · Σ_d W_d S_d / Σ_d W_d              (over domains with indicators in E)
//! ```
//!
//! With `letter_grades`, a score on the GPA scale (a `mean` with
//! `scale = 4.3`) is shown as the highest letter whose grade point it
//! reaches: 2.64 is a C+, 0.62 an F, as the FLI index publishes them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most indices a protocol declares.
pub const MAX_INDICES: usize = 16;
/// Most editions of one index.
pub const MAX_EDITIONS: usize = 64;
/// Most domains of one index.
pub const MAX_DOMAINS: usize = 32;
/// Most indicators of one index, over all its editions.
pub const MAX_INDICATORS: usize = 1_000;
/// Most assessments the state keeps over all indices (labs × editions).
pub const MAX_ASSESSMENTS: usize = 200_000;
/// Most raters one index names.
pub const MAX_RATERS: usize = 64;
/// Most answers the state keeps over all indices; an assessment past it is
/// refused, so the state stays bounded whatever raters publish.
pub const MAX_STORED_ANSWERS: usize = 4_000_000;

/// The letter grades of the GPA scale, best first, with their grade points.
pub const LETTER_GRADES: [(&str, f64); 13] = [
    ("A+", 4.3),
    ("A", 4.0),
    ("A-", 3.7),
    ("B+", 3.3),
    ("B", 3.0),
    ("B-", 2.7),
    ("C+", 2.3),
    ("C", 2.0),
    ("C-", 1.7),
    ("D+", 1.3),
    ("D", 1.0),
    ("D-", 0.7),
    ("F", 0.0),
];

/// The top of the GPA scale (A+).
pub const GPA_MAX: f64 = 4.3;

/// The grade point of a letter (`A+` … `F`; a typographic minus `−` is read as `-`).
pub fn grade_point(letter: &str) -> Option<f64> {
    let letter = letter.replace('−', "-");
    LETTER_GRADES
        .iter()
        .find(|(l, _)| *l == letter)
        .map(|&(_, gpa)| gpa)
}

/// The highest letter whose grade point `gpa` reaches.
pub fn letter_for(gpa: f64) -> &'static str {
    // Scores are sums of weighted grade points: forgive their rounding.
    LETTER_GRADES
        .iter()
        .find(|&&(_, point)| gpa + 1e-9 >= point)
        .map_or("F", |&(l, _)| l)
}

/// `[[leaderboard.indices]]`: one rating index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIndex {
    /// Index id, as `assess` events name it.
    pub id: String,
    /// Title shown on the leaderboard.
    pub title: String,
    /// Credit line shown wherever the index's data appears (its licence may require one).
    #[serde(default)]
    pub attribution: String,
    /// Where the index's method and data are published.
    #[serde(default)]
    pub source_url: Option<String>,
    /// Participants (monitors) whose assessments count; empty: any monitor.
    #[serde(default)]
    pub raters: Vec<String>,
    /// Edition ids, oldest first (for example `2023-10`).
    pub editions: Vec<String>,
    /// How indicator values add up to the score.
    #[serde(default)]
    pub aggregate: Aggregate,
    /// Score of a perfect `mean` (ignored by `points`, whose maximum is Σ W_d w_i).
    #[serde(default = "one")]
    pub scale: f64,
    /// Show scores as letters of the GPA scale.
    #[serde(default)]
    pub letter_grades: bool,
    /// Domains, in display order.
    pub domains: Vec<RatingDomain>,
    /// Indicators, in display order.
    pub indicators: Vec<Indicator>,
}

fn one() -> f64 {
    1.0
}

/// How an index adds up its indicators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// `Σ_d W_d Σ_i w_i v_i`: points, as the FMTI counts them.
    Points,
    /// `scale · Σ_d W_d S_d / Σ_d W_d`: a weighted mean of domain scores.
    #[default]
    Mean,
}

/// A domain of an index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingDomain {
    /// Domain id.
    pub id: String,
    /// Title shown on the leaderboard.
    pub title: String,
    /// Weight W_d.
    #[serde(default = "one")]
    pub weight: f64,
}

/// One indicator of an index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Indicator id, as answers name it.
    pub id: String,
    /// Title shown as evidence.
    pub title: String,
    /// Its domain's id.
    pub domain: String,
    /// Weight w_i.
    #[serde(default = "one")]
    pub weight: f64,
    /// What an answer is.
    #[serde(default)]
    pub answer: AnswerKind,
    /// Top of a `graded` answer.
    #[serde(default)]
    pub max_points: Option<u32>,
    /// Editions it is assessed in; empty: every edition.
    #[serde(default)]
    pub editions: Vec<String>,
}

/// The kind of an indicator's answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// 0 or 1 (or `true`/`false`).
    #[default]
    Binary,
    /// `fulfilled` (1), `partial` (0.5) or `unfulfilled` (0).
    Tristate,
    /// A number of points from 0 to the indicator's `max_points`.
    Graded,
    /// A letter grade, `A+` to `F`, on the GPA scale.
    Letter,
}

/// An answer as an `assess` event writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// `true` or `false` (binary).
    Flag(bool),
    /// A number (binary 0/1, or graded points).
    Number(f64),
    /// A word or a letter (tristate, letter).
    Text(String),
}

/// An index's indicators in force per edition and each indicator's
/// domain, worked out once so that scoring is linear in the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePlan {
    in_force: Vec<Vec<usize>>,
    domain_of: Vec<usize>,
}

impl ScorePlan {
    /// Indices of the indicators in force in an edition, in display order.
    pub fn indicators_in(&self, edition: usize) -> &[usize] {
        &self.in_force[edition]
    }
}

/// One edition's score for one developer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The index score (points or scaled mean).
    pub total: f64,
    /// `S_d` per domain, in the index's domain order; `None` for a domain
    /// without indicators in force in the edition.
    pub domains: Vec<Option<f64>>,
}

impl RatingIndex {
    /// Position of an edition.
    pub fn edition_index(&self, edition: &str) -> Option<usize> {
        self.editions.iter().position(|e| e == edition)
    }

    /// Whether indicator `i` is assessed in edition `edition`.
    pub fn in_force(&self, indicator: &Indicator, edition: usize) -> bool {
        indicator.editions.is_empty() || indicator.editions.contains(&self.editions[edition])
    }

    /// Indices of the indicators in force in an edition, in display order.
    pub fn indicators_in(&self, edition: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.indicators.len()).filter(move |&i| self.in_force(&self.indicators[i], edition))
    }

    /// Position of a domain.
    pub fn domain_index(&self, domain: &str) -> Option<usize> {
        self.domains.iter().position(|d| d.id == domain)
    }

    /// The plan [`RatingIndex::score`] follows (of a validated index).
    pub fn plan(&self) -> ScorePlan {
        ScorePlan {
            in_force: (0..self.editions.len())
                .map(|e| self.indicators_in(e).collect())
                .collect(),
            domain_of: self
                .indicators
                .iter()
                .map(|i| {
                    self.domain_index(&i.domain)
                        .expect("validated: every indicator's domain exists")
                })
                .collect(),
        }
    }

    /// The score of an edition from the values v_i of its indicators in
    /// force, in the order of [`ScorePlan::indicators_in`].
    pub fn score(&self, plan: &ScorePlan, edition: usize, values: &[f64]) -> Score {
        let mut weighted = vec![0.0; self.domains.len()];
        let mut weights = vec![0.0; self.domains.len()];
        let in_force = plan.indicators_in(edition);
        assert_eq!(
            in_force.len(),
            values.len(),
            "one value per indicator in force"
        );
        for (&i, &v) in in_force.iter().zip(values) {
            debug_assert!((0.0..=1.0).contains(&v), "indicator values are in [0, 1]");
            let weight = self.indicators[i].weight;
            let d = plan.domain_of[i];
            weighted[d] += weight * v;
            weights[d] += weight;
        }
        let domains: Vec<Option<f64>> = weighted
            .iter()
            .zip(&weights)
            .map(|(&sum, &w)| (w > 0.0).then(|| sum / w))
            .collect();
        let total = match self.aggregate {
            Aggregate::Points => self
                .domains
                .iter()
                .zip(&weighted)
                .map(|(d, sum)| d.weight * sum)
                .sum(),
            Aggregate::Mean => {
                let (sum, weight) =
                    self.domains
                        .iter()
                        .zip(&domains)
                        .fold((0.0, 0.0), |(sum, weight), (d, s)| match s {
                            Some(s) => (sum + d.weight * s, weight + d.weight),
                            None => (sum, weight),
                        });
                if weight > 0.0 {
                    self.scale * sum / weight
                } else {
                    0.0
                }
            }
        };
        Score { total, domains }
    }

    /// The highest score an edition allows.
    pub fn max_score(&self, edition: usize) -> f64 {
        match self.aggregate {
            Aggregate::Mean => self.scale,
            Aggregate::Points => self
                .indicators_in(edition)
                .map(|i| {
                    let indicator = &self.indicators[i];
                    let d = self
                        .domain_index(&indicator.domain)
                        .expect("validated: every indicator's domain exists");
                    self.domains[d].weight * indicator.weight
                })
                .sum(),
        }
    }

    /// The letter a score stands for, if the index shows letters.
    pub fn letter(&self, score: f64) -> Option<&'static str> {
        self.letter_grades.then(|| letter_for(score))
    }
}

impl Indicator {
    /// The value v_i of an answer, or why it is not an answer of this kind.
    pub fn value(&self, answer: &Answer) -> Result<f64, String> {
        let expected = || match self.answer {
            AnswerKind::Binary => "0, 1, true or false".to_string(),
            AnswerKind::Tristate => "\"fulfilled\", \"partial\" or \"unfulfilled\"".to_string(),
            AnswerKind::Graded => format!("points from 0 to {}", self.max_points.unwrap_or(0)),
            AnswerKind::Letter => "a letter grade from \"A+\" to \"F\"".to_string(),
        };
        let value = match (self.answer, answer) {
            (AnswerKind::Binary, Answer::Flag(b)) => Some(f64::from(u8::from(*b))),
            (AnswerKind::Binary, Answer::Number(n)) if *n == 0.0 || *n == 1.0 => Some(*n),
            (AnswerKind::Tristate, Answer::Text(t)) => match t.as_str() {
                "fulfilled" => Some(1.0),
                "partial" => Some(0.5),
                "unfulfilled" => Some(0.0),
                _ => None,
            },
            (AnswerKind::Graded, Answer::Number(n)) => {
                let max = f64::from(self.max_points.expect("validated: graded has max_points"));
                (n.is_finite() && (0.0..=max).contains(n)).then(|| n / max)
            }
            (AnswerKind::Letter, Answer::Text(t)) => grade_point(t).map(|g| g / GPA_MAX),
            _ => None,
        };
        value.ok_or_else(|| {
            let got = serde_json::to_string(answer).expect("answers serialise");
            format!(
                "indicator {:?}: expected {}, got {got}",
                self.id,
                expected()
            )
        })
    }
}

/// Problems with one index definition, as `(field under the index, message)`.
pub(crate) fn check_index(index: &RatingIndex) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut fail = |path: String, message: String| problems.push((path, message));
    let mut unique = |what: &str, ids: Vec<&str>, limit: usize| {
        let mut seen = std::collections::BTreeSet::new();
        if ids.is_empty() || ids.len() > limit {
            fail(
                what.to_string(),
                format!("expected 1 to {limit}, got {}", ids.len()),
            );
        }
        for (i, id) in ids.into_iter().enumerate() {
            if let Err(e) = crate::state::check_id("id", id) {
                fail(format!("{what}[{i}]"), e.to_string());
            } else if !seen.insert(id) {
                fail(format!("{what}[{i}]"), format!("{id:?} appears twice"));
            }
        }
    };
    unique(
        "editions",
        index.editions.iter().map(String::as_str).collect(),
        MAX_EDITIONS,
    );
    unique(
        "domains",
        index.domains.iter().map(|d| d.id.as_str()).collect(),
        MAX_DOMAINS,
    );
    unique(
        "indicators",
        index.indicators.iter().map(|d| d.id.as_str()).collect(),
        MAX_INDICATORS,
    );
    if let Some(url) = &index.source_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        fail(
            "source_url".into(),
            format!("expected an http:// or https:// address, got {url:?}"),
        );
    }
    if index.raters.len() > MAX_RATERS {
        fail(
            "raters".into(),
            format!(
                "expected at most {MAX_RATERS} raters, got {}",
                index.raters.len()
            ),
        );
    }
    for (r, rater) in index.raters.iter().enumerate() {
        if let Err(e) = crate::state::check_id("id", rater) {
            fail(format!("raters[{r}]"), e.to_string());
        }
    }
    if !(index.scale.is_finite() && index.scale > 0.0) {
        fail(
            "scale".into(),
            format!("expected a positive scale, got {}", index.scale),
        );
    }
    if index.letter_grades && (index.aggregate != Aggregate::Mean || index.scale != GPA_MAX) {
        fail(
            "letter_grades".into(),
            format!(
                "letters read a score on the GPA scale: set aggregate = \"mean\" and scale = {GPA_MAX}"
            ),
        );
    }
    for (d, domain) in index.domains.iter().enumerate() {
        if !(domain.weight.is_finite() && domain.weight >= 0.0) {
            fail(
                format!("domains[{d}].weight"),
                format!("expected a weight ≥ 0, got {}", domain.weight),
            );
        }
    }
    for (i, indicator) in index.indicators.iter().enumerate() {
        if index.domain_index(&indicator.domain).is_none() {
            fail(
                format!("indicators[{i}].domain"),
                format!("unknown domain {:?}", indicator.domain),
            );
        }
        if !(indicator.weight.is_finite() && indicator.weight > 0.0) {
            fail(
                format!("indicators[{i}].weight"),
                format!("expected a weight > 0, got {}", indicator.weight),
            );
        }
        match (indicator.answer, indicator.max_points) {
            (AnswerKind::Graded, None | Some(0)) => fail(
                format!("indicators[{i}].max_points"),
                "a graded indicator needs max_points ≥ 1".into(),
            ),
            (AnswerKind::Graded, Some(_)) | (_, None) => {}
            (_, Some(_)) => fail(
                format!("indicators[{i}].max_points"),
                "only a graded indicator has max_points".into(),
            ),
        }
        for edition in &indicator.editions {
            if index.edition_index(edition).is_none() {
                fail(
                    format!("indicators[{i}].editions"),
                    format!("unknown edition {edition:?}"),
                );
            }
        }
    }
    for (e, edition) in index.editions.iter().enumerate() {
        if index.indicators_in(e).next().is_none() {
            fail(
                "editions".into(),
                format!("edition {edition:?} has no indicator in force"),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(aggregate: Aggregate) -> RatingIndex {
        let indicator = |id: &str, domain: &str, answer, max_points| Indicator {
            id: id.into(),
            title: id.into(),
            domain: domain.into(),
            weight: 1.0,
            answer,
            max_points,
            editions: Vec::new(),
        };
        RatingIndex {
            id: "test".into(),
            title: "Test".into(),
            attribution: String::new(),
            source_url: None,
            raters: Vec::new(),
            editions: vec!["2024".into()],
            aggregate,
            scale: 100.0,
            letter_grades: false,
            domains: vec![
                RatingDomain {
                    id: "a".into(),
                    title: "A".into(),
                    weight: 1.0,
                },
                RatingDomain {
                    id: "b".into(),
                    title: "B".into(),
                    weight: 3.0,
                },
            ],
            indicators: vec![
                indicator("x", "a", AnswerKind::Binary, None),
                indicator("y", "a", AnswerKind::Tristate, None),
                indicator("z", "b", AnswerKind::Graded, Some(4)),
            ],
        }
    }

    #[test]
    fn answers_map_to_values_by_kind() {
        let idx = index(Aggregate::Mean);
        let [x, y, z] = [0, 1, 2].map(|i| &idx.indicators[i]);
        assert_eq!(x.value(&Answer::Flag(true)), Ok(1.0));
        assert_eq!(x.value(&Answer::Number(0.0)), Ok(0.0));
        assert!(x.value(&Answer::Number(0.5)).is_err());
        assert_eq!(y.value(&Answer::Text("partial".into())), Ok(0.5));
        assert!(y.value(&Answer::Text("half".into())).is_err());
        assert_eq!(z.value(&Answer::Number(3.0)), Ok(0.75));
        assert!(z.value(&Answer::Number(5.0)).is_err());
        assert!(z.value(&Answer::Number(f64::NAN)).is_err());
    }

    #[test]
    fn mean_weighs_domain_means_and_points_count_points() {
        // S_a = (1 + 0.5) / 2, S_b = 0.75.
        let idx = index(Aggregate::Mean);
        let mean = idx.score(&idx.plan(), 0, &[1.0, 0.5, 0.75]);
        assert_eq!(mean.domains, vec![Some(0.75), Some(0.75)]);
        assert!((mean.total - 75.0).abs() < 1e-12);
        let idx = index(Aggregate::Points);
        let points = idx.score(&idx.plan(), 0, &[1.0, 0.5, 0.75]);
        assert!((points.total - (1.5 + 3.0 * 0.75)).abs() < 1e-12);
        assert_eq!(index(Aggregate::Points).max_score(0), 5.0);
    }

    /// Overall grade points and letters as the FLI AI Safety Index
    /// published them (December 2024 and Summer 2025 editions): each letter
    /// is the highest one whose grade point the score reaches.
    #[test]
    fn letters_match_the_fli_index() {
        let published = [
            (2.13, "C"),
            (1.55, "D+"),
            (1.32, "D+"),
            (1.11, "D"),
            (0.75, "D-"),
            (0.65, "F"),
            (2.64, "C+"),
            (2.10, "C"),
            (1.76, "C-"),
            (1.23, "D"),
            (1.06, "D"),
            (0.62, "F"),
            (0.37, "F"),
        ];
        for (gpa, letter) in published {
            assert_eq!(letter_for(gpa), letter, "GPA {gpa}");
        }
        assert_eq!(letter_for(GPA_MAX), "A+");
        assert_eq!(grade_point("B−"), Some(2.7));
    }

    #[test]
    fn definitions_are_checked() {
        let mut idx = index(Aggregate::Mean);
        assert!(check_index(&idx).is_empty());
        idx.indicators[2].max_points = None;
        idx.indicators[0].domain = "nowhere".into();
        idx.letter_grades = true;
        let fields: Vec<String> = check_index(&idx).into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "letter_grades",
                "indicators[0].domain",
                "indicators[2].max_points"
            ]
        );
    }
}
