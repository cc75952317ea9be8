//! Pre-commitment agreements: publishing, withdrawing, and violations found
//! by audits. Each handler checks on `&State` and returns the change that
//! alone mutates it (see `handlers`).

use super::handlers::{Change, Handled, check_amount};
use super::{
    Commitment, CommitmentStatus, Creditor, Effect, Rejection, State, check_id, check_text,
};
use crate::event::Role;

impl State {
    pub(super) fn publish_commitment<'a>(
        &self,
        author: &'a str,
        commitment: &'a str,
        text: &'a str,
        binding: bool,
        beneficiary: Option<&'a str>,
        compensation: Option<u64>,
    ) -> Handled<'a> {
        let index = self.participant(author)?;
        check_id("commitment", commitment)?;
        check_text("text", text)?;
        let limit = self
            .protocol
            .commitments
            .max_per_participant
            .min(super::MAX_COMMITMENTS_PER_PARTICIPANT) as usize;
        let existing = &self.participants[index].commitments;
        if existing.iter().any(|c| c.id == commitment) {
            return Err(Rejection::NotAllowed(format!(
                "{author} already has a commitment {commitment:?}; commitments are never replaced"
            )));
        }
        if existing.len() >= limit {
            return Err(Rejection::Limit {
                what: "commitments per participant",
                limit,
            });
        }
        if binding && !self.protocol.commitments.enabled {
            return Err(Rejection::MechanismDisabled("commitments"));
        }
        let beneficiary = beneficiary.map(|b| self.participant(b)).transpose()?;
        let compensation =
            compensation.unwrap_or(self.protocol.commitments.default_compensation_credits);
        check_amount("compensation_credits", compensation)?;
        Ok(Change::new(move |state| {
            state.participants[index].commitments.push(Commitment {
                id: commitment.to_string(),
                text: text.to_string(),
                binding,
                beneficiary,
                compensation,
                published_period: state.period,
                status: CommitmentStatus::Active,
            });
            vec![Effect::CommitmentPublished {
                author: author.to_string(),
                commitment: commitment.to_string(),
                binding,
            }]
        }))
    }

    pub(super) fn withdraw_commitment<'a>(
        &self,
        author: &'a str,
        commitment: &'a str,
        reason: &'a str,
    ) -> Handled<'a> {
        let index = self.participant(author)?;
        check_text("reason", reason)?;
        let position = self.participants[index]
            .commitments
            .iter()
            .position(|c| c.id == commitment)
            .ok_or_else(|| {
                Rejection::NotAllowed(format!("{author} has no commitment {commitment:?}"))
            })?;
        let record = &self.participants[index].commitments[position];
        if record.status != CommitmentStatus::Active {
            return Err(Rejection::NotAllowed(format!(
                "commitment {author}/{commitment} is no longer active"
            )));
        }
        let binding = record.binding;
        Ok(Change::new(move |state| {
            let mut effects = vec![Effect::CommitmentWithdrawn {
                author: author.to_string(),
                commitment: commitment.to_string(),
            }];
            if binding {
                // Escaping a binding commitment is itself a violation.
                state.violate_commitment(index, position, &mut effects);
                if state.participants[index].role == Role::Lab {
                    state.confirm_breach(
                        index,
                        format!("withdrew binding commitment {author}/{commitment}"),
                        &mut effects,
                    );
                }
            }
            state.participants[index].commitments[position].status = CommitmentStatus::Withdrawn {
                period: state.period,
                reason: reason.to_string(),
            };
            effects
        }))
    }

    /// Pays the compensation of a binding commitment and marks it violated.
    pub(super) fn violate_commitment(
        &mut self,
        owner: usize,
        position: usize,
        effects: &mut Vec<Effect>,
    ) {
        let commitment = &self.participants[owner].commitments[position];
        let owed = commitment.compensation;
        let beneficiary = commitment.beneficiary;
        let id = commitment.id.clone();
        let to = beneficiary.map_or(Creditor::Pool, Creditor::Participant);
        let paid = self.charge(owner, to, owed, effects);
        self.participants[owner].commitments[position].status = CommitmentStatus::Violated {
            period: self.period,
        };
        effects.push(Effect::CommitmentViolated {
            author: self.participants[owner].id.clone(),
            commitment: id,
            compensation_paid: paid,
            shortfall: owed - paid,
            beneficiary: beneficiary.map_or_else(
                || "liability pool".to_string(),
                |b| self.participants[b].id.clone(),
            ),
        });
    }

    /// `(owner, position)` of a commitment referenced as `author/commitment`.
    pub(super) fn find_commitment(&self, reference: &str) -> Result<(usize, usize), Rejection> {
        let invalid = || Rejection::Invalid {
            field: "violated_commitments",
            message: format!("{reference:?}: expected an existing `author/commitment`"),
        };
        let (owner, id) = reference.split_once('/').ok_or_else(invalid)?;
        let owner = self.index.get(owner).copied().ok_or_else(invalid)?;
        let position = self.participants[owner]
            .commitments
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(invalid)?;
        Ok((owner, position))
    }
}
