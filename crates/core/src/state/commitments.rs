//! Pre-commitment agreements: publishing, withdrawing, and violations found
//! by audits. Each handler checks on `&State` and returns the change that
//! alone mutates it (see `handlers`).

use super::handlers::{Change, Handled, check_amount};
use super::{
    Commitment, CommitmentStatus, Creditor, Effect, Rejection, State, check_id, check_text,
};
use crate::event::Role;

/// A `publish_commitment` event's fields.
pub(super) struct Published<'a> {
    pub(super) commitment: &'a str,
    pub(super) text: &'a str,
    pub(super) binding: bool,
    pub(super) beneficiary: Option<&'a str>,
    pub(super) compensation: Option<u64>,
    pub(super) revises: Option<&'a str>,
}

impl State {
    pub(super) fn publish_commitment<'a>(
        &self,
        author: &'a str,
        published: Published<'a>,
    ) -> Handled<'a> {
        let Published {
            commitment,
            text,
            binding,
            beneficiary,
            compensation,
            revises,
        } = published;
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
        // Compensation paid to oneself costs nothing, so it would bind nobody.
        if beneficiary == Some(index) {
            return Err(Rejection::Invalid {
                field: "beneficiary",
                message: format!(
                    "{author} cannot be the beneficiary of its own commitment; name another participant, or none to compensate the liability pool"
                ),
            });
        }
        let compensation =
            compensation.unwrap_or(self.protocol.commitments.default_compensation_credits);
        check_amount("compensation_credits", compensation)?;
        if binding && compensation > 0 && !self.protocol.credits.enabled {
            return Err(Rejection::Invalid {
                field: "compensation_credits",
                message: "compensation is paid in credits and this protocol has none; set it to 0"
                    .into(),
            });
        }
        let revised = revises
            .map(|old| self.check_revision(author, index, old, binding, beneficiary, compensation))
            .transpose()?;
        Ok(Change::new(move |state| {
            let period = state.period;
            if let Some(position) = revised {
                state.participants[index].commitments[position].status =
                    CommitmentStatus::Revised {
                        period,
                        by: commitment.to_string(),
                    };
            }
            state.participants[index].commitments.push(Commitment {
                id: commitment.to_string(),
                text: text.to_string(),
                binding,
                beneficiary,
                compensation,
                published_period: period,
                status: CommitmentStatus::Active,
                revises: revises.map(str::to_string),
            });
            vec![Effect::CommitmentPublished {
                author: author.to_string(),
                commitment: commitment.to_string(),
                binding,
                revises: revises.map(str::to_string),
            }]
        }))
    }

    /// The position of the active commitment a revision replaces. A binding
    /// commitment may only be revised into one that binds at least as much
    /// (same beneficiary, no less compensation): otherwise a revision would
    /// be a free exit, where a withdrawal is a breach.
    fn check_revision(
        &self,
        author: &str,
        index: usize,
        old: &str,
        binding: bool,
        beneficiary: Option<usize>,
        compensation: u64,
    ) -> Result<usize, Rejection> {
        let commitments = &self.participants[index].commitments;
        let position = commitments
            .iter()
            .position(|c| c.id == old)
            .ok_or_else(|| Rejection::Invalid {
                field: "revises",
                message: format!("{author} has no commitment {old:?}"),
            })?;
        let record = &commitments[position];
        if record.status != CommitmentStatus::Active {
            return Err(Rejection::NotAllowed(format!(
                "commitment {author}/{old} is no longer active and cannot be revised"
            )));
        }
        if record.binding
            && !(binding
                && beneficiary == record.beneficiary
                && compensation >= record.compensation)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author}/{old} binds with {} credits of compensation; a revision must bind as much \
                 (binding, the same beneficiary, at least that compensation), or withdraw it, which is a breach",
                record.compensation
            )));
        }
        Ok(position)
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

    /// The position of the latest revision of a commitment (itself if never revised).
    pub(super) fn current_version(&self, owner: usize, mut position: usize) -> usize {
        let commitments = &self.participants[owner].commitments;
        // Each revision is published later than what it revises, so the walk ends.
        while let CommitmentStatus::Revised { by, .. } = &commitments[position].status {
            position = commitments
                .iter()
                .position(|c| &c.id == by)
                .expect("a revision is on record");
        }
        position
    }

    /// The position of `lab`'s commitment referenced as `lab/commitment`.
    /// Participant and commitment ids may both contain '/', so a reference
    /// can split several ways; an audit names its lab's commitments only,
    /// so the reading with that lab as author is the one it means (and
    /// nobody else's commitment can make it ambiguous).
    pub(super) fn find_commitment(&self, lab: usize, reference: &str) -> Result<usize, Rejection> {
        let author = &self.participants[lab].id;
        reference
            .strip_prefix(author.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|id| {
                self.participants[lab]
                    .commitments
                    .iter()
                    .position(|c| c.id == id)
            })
            .ok_or_else(|| Rejection::Invalid {
                field: "violated_commitments",
                message: format!(
                    "{reference:?} is not a commitment of {author}: expected `{author}/<commitment>` naming one of its commitments (an audit of {author} can only find {author}'s commitments violated)"
                ),
            })
    }
}
