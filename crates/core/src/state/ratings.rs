//! Rating indices: raters' assessments and the scores they give (the score
//! functions are in [`crate::ratings`]). The handler checks on `&State` and
//! returns the change that alone mutates it (see `handlers`).

use super::handlers::{Change, Handled};
use super::{Effect, MAX_TEXT_LEN, Rejection, State, as_pairs};
use crate::event::Role;
use crate::ratings::{Answer, MAX_ASSESSMENTS, MAX_STORED_ANSWERS, RatingIndex, ScorePlan};
use serde::Serialize;
use std::collections::BTreeMap;

/// One index's assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct RatingState {
    /// The current assessment by `(edition, lab)`.
    #[serde(serialize_with = "as_pairs")]
    assessments: BTreeMap<(usize, usize), Assessment>,
    #[serde(skip)]
    plan: ScorePlan,
}

impl RatingState {
    pub(super) fn new(index: &RatingIndex) -> Self {
        Self {
            assessments: BTreeMap::new(),
            plan: index.plan(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Assessment {
    rater: usize,
    /// The rater's sequence number of the `assess` event.
    seq: u64,
    period: u32,
    /// v_i of the indicators in force, in the index's order.
    values: Vec<f64>,
    evidence: String,
    /// Earlier assessments of this lab and edition it replaced.
    revisions: u32,
}

/// One lab's score in one edition, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RatedLab {
    /// Lab.
    pub lab: String,
    /// Score: points or scaled mean, by the index's aggregate.
    pub score: f64,
    /// Its letter on the GPA scale, if the index shows letters.
    pub grade: Option<&'static str>,
    /// Domain scores S_d in `[0, 1]`, in the index's domain order (`None`:
    /// no indicator of the domain is in force in the edition).
    pub domains: Vec<Option<f64>>,
    /// The rater who signed the assessment.
    pub rater: String,
    /// The rater's sequence number of that `assess` event.
    pub seq: u64,
    /// Period the assessment was logged in.
    pub period: u32,
    /// Earlier assessments it replaced.
    pub revisions: u32,
}

/// One edition of an index: its scores, best first (ties in registration order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditionScores {
    /// Edition id.
    pub edition: String,
    /// Highest possible score in this edition.
    pub max_score: f64,
    /// Assessed labs.
    pub rows: Vec<RatedLab>,
}

/// One indicator's answer as evidence for a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorValue {
    /// Indicator id.
    pub indicator: String,
    /// Its value v_i in `[0, 1]`.
    pub value: f64,
}

/// A lab's assessment in one edition, indicator by indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentEvidence {
    /// The score it gives.
    pub score: RatedLab,
    /// Values of the indicators in force, in the index's order.
    pub values: Vec<IndicatorValue>,
    /// The rater's pointer to its evidence.
    pub evidence: String,
}

impl State {
    fn rating_index(&self, id: &str) -> Result<(usize, &RatingIndex), Rejection> {
        let indices = &self.protocol.leaderboard.indices;
        indices
            .iter()
            .enumerate()
            .find(|(_, index)| index.id == id)
            .ok_or_else(|| {
                let known: Vec<&str> = indices.iter().map(|i| i.id.as_str()).collect();
                Rejection::Invalid {
                    field: "index",
                    message: format!("unknown index {id:?}; indices: {}", known.join(", ")),
                }
            })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn assess<'a>(
        &self,
        author: &'a str,
        seq: u64,
        index: &'a str,
        edition: &'a str,
        lab: &'a str,
        answers: &BTreeMap<String, Answer>,
        evidence: &'a str,
    ) -> Handled<'a> {
        let rater = self.require_role(author, Role::Monitor, "assess labs")?;
        if !self.protocol.leaderboard.enabled {
            return Err(Rejection::MechanismDisabled("leaderboard"));
        }
        let (k, spec) = self.rating_index(index)?;
        if !spec.raters.is_empty() && !spec.raters.iter().any(|r| r == author) {
            return Err(Rejection::NotAllowed(format!(
                "{author} is not a rater of {index}; its raters: {}",
                spec.raters.join(", ")
            )));
        }
        let e = spec
            .edition_index(edition)
            .ok_or_else(|| Rejection::Invalid {
                field: "edition",
                message: format!(
                    "{index} has no edition {edition:?}; editions: {}",
                    spec.editions.join(", ")
                ),
            })?;
        let lab_index = self.lab_index(lab)?;
        if evidence.len() > MAX_TEXT_LEN {
            return Err(Rejection::Invalid {
                field: "evidence",
                message: format!("expected at most {MAX_TEXT_LEN} bytes"),
            });
        }
        let plan = &self.ratings[k].plan;
        let mut values = Vec::with_capacity(plan.indicators_in(e).len());
        for &i in plan.indicators_in(e) {
            let indicator = &spec.indicators[i];
            let answer = answers
                .get(&indicator.id)
                .ok_or_else(|| Rejection::Invalid {
                    field: "answers",
                    message: format!(
                        "no answer for indicator {:?}, in force in {index} {edition}",
                        indicator.id
                    ),
                })?;
            values.push(
                indicator
                    .value(answer)
                    .map_err(|message| Rejection::Invalid {
                        field: "answers",
                        message,
                    })?,
            );
        }
        if answers.len() != values.len() {
            let in_force: std::collections::BTreeSet<&str> = plan
                .indicators_in(e)
                .iter()
                .map(|&i| spec.indicators[i].id.as_str())
                .collect();
            let extra = answers
                .keys()
                .find(|id| !in_force.contains(id.as_str()))
                .expect("more answers than indicators in force means one is not in force");
            return Err(Rejection::Invalid {
                field: "answers",
                message: format!("{extra:?} is not an indicator of {index} in force in {edition}"),
            });
        }
        let replaced = self.ratings[k].assessments.get(&(e, lab_index));
        let stored = self.rating_answers_stored - replaced.map_or(0, |a| a.values.len());
        if stored + values.len() > MAX_STORED_ANSWERS {
            return Err(Rejection::Limit {
                what: "stored rating answers",
                limit: MAX_STORED_ANSWERS,
            });
        }
        let assessments: usize = self.ratings.iter().map(|r| r.assessments.len()).sum();
        if replaced.is_none() && assessments >= MAX_ASSESSMENTS {
            return Err(Rejection::Limit {
                what: "assessments",
                limit: MAX_ASSESSMENTS,
            });
        }
        let revisions = replaced.map_or(0, |a| a.revisions + 1);
        let score = spec.score(plan, e, &values).total;
        let period = self.period;
        Ok(Change::new(move |state| {
            state.rating_answers_stored = stored + values.len();
            state.ratings[k].assessments.insert(
                (e, lab_index),
                Assessment {
                    rater,
                    seq,
                    period,
                    values,
                    evidence: evidence.to_string(),
                    revisions,
                },
            );
            vec![Effect::Assessed {
                index: index.to_string(),
                edition: edition.to_string(),
                lab: lab.to_string(),
                score,
                revisions,
            }]
        }))
    }

    fn rated_lab(
        &self,
        spec: &RatingIndex,
        plan: &ScorePlan,
        edition: usize,
        lab: usize,
        a: &Assessment,
    ) -> RatedLab {
        let score = spec.score(plan, edition, &a.values);
        RatedLab {
            lab: self.participants[lab].id.clone(),
            score: score.total,
            grade: spec.letter(score.total),
            domains: score.domains,
            rater: self.participants[a.rater].id.clone(),
            seq: a.seq,
            period: a.period,
            revisions: a.revisions,
        }
    }

    /// The rating indices the protocol declares.
    pub fn rating_indices(&self) -> &[RatingIndex] {
        &self.protocol.leaderboard.indices
    }

    /// Every edition of an index with its scores, oldest edition first;
    /// `None` if the protocol declares no such index.
    pub fn index_scores(&self, index: &str) -> Option<Vec<EditionScores>> {
        let (k, spec) = self.rating_index(index).ok()?;
        let mut editions: Vec<EditionScores> = spec
            .editions
            .iter()
            .enumerate()
            .map(|(e, edition)| EditionScores {
                edition: edition.clone(),
                max_score: spec.max_score(e),
                rows: Vec::new(),
            })
            .collect();
        for (&(e, lab), a) in &self.ratings[k].assessments {
            editions[e]
                .rows
                .push(self.rated_lab(spec, &self.ratings[k].plan, e, lab, a));
        }
        for edition in &mut editions {
            // The map is ordered by lab registration, and the sort is stable.
            edition.rows.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        Some(editions)
    }

    /// A lab's assessment in one edition of an index, indicator by indicator.
    pub fn assessment(&self, index: &str, edition: &str, lab: &str) -> Option<AssessmentEvidence> {
        let (k, spec) = self.rating_index(index).ok()?;
        let e = spec.edition_index(edition)?;
        let lab = *self.index.get(lab)?;
        let a = self.ratings[k].assessments.get(&(e, lab))?;
        let plan = &self.ratings[k].plan;
        let values = plan
            .indicators_in(e)
            .iter()
            .zip(&a.values)
            .map(|(&i, &value)| IndicatorValue {
                indicator: spec.indicators[i].id.clone(),
                value,
            })
            .collect();
        Some(AssessmentEvidence {
            score: self.rated_lab(spec, plan, e, lab, a),
            values,
            evidence: a.evidence.clone(),
        })
    }
}
