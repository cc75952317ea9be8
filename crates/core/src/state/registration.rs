//! Registering participants, and labs leaving. The handlers check on
//! `&State` and return the change (see `handlers`).

use super::handlers::{Change, Handled};
use super::{
    CommitmentStatus, Effect, LabRecord, MAX_PARTICIPANTS, MAX_TEXT_LEN, MetricTrack, Participant,
    PeriodRecord, Rejection, State, check_id,
};
use crate::event::Role;
use std::collections::VecDeque;

/// What a departure's commitments record before the lab's stated reason.
const LEFT: &str = "left the protocol: ";

impl State {
    pub(super) fn register<'a>(
        &self,
        author: &'a str,
        participant: &'a str,
        role: Role,
        public_key: &'a str,
    ) -> Handled<'a> {
        let genesis = self.participants.is_empty();
        if genesis {
            if author != participant || role != Role::Secretariat {
                return Err(Rejection::NotAllowed(
                    "the first event must be the secretariat registering itself (author = participant, role = secretariat)".into(),
                ));
            }
        } else {
            self.require_role(author, Role::Secretariat, "register participants")?;
        }
        check_id("participant", participant)?;
        if self.index.contains_key(participant) {
            return Err(Rejection::Invalid {
                field: "participant",
                message: format!("{participant} is already registered"),
            });
        }
        if public_key.len() != 64 || !public_key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: "expected an Ed25519 public key as 64 hex digits".into(),
            });
        }
        // One key, one participant, for ever: labs expelled or gone keep theirs.
        let key = public_key.to_ascii_lowercase();
        if let Some(&holder) = self.keys.get(&key) {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: format!(
                    "this key is already registered to {}; every participant needs its own key",
                    self.participants[holder].id
                ),
            });
        }
        if self.participants.len() == MAX_PARTICIPANTS {
            return Err(Rejection::Limit {
                what: "participants",
                limit: MAX_PARTICIPANTS,
            });
        }
        Ok(Change::new(move |state| {
            let index = state.ledger.open();
            debug_assert_eq!(index, state.participants.len());
            let lab = (role == Role::Lab).then(|| LabRecord {
                metrics: vec![MetricTrack::default(); state.protocol.early_warning.metric.len()],
                history: VecDeque::from([PeriodRecord {
                    period: state.period,
                    ..PeriodRecord::default()
                }]),
                ..LabRecord::default()
            });
            state.participants.push(Participant {
                id: participant.to_string(),
                role,
                public_key: key.clone(),
                registered_period: state.period,
                last_seq: 0,
                recent: VecDeque::new(),
                commitments: Vec::new(),
                obligations: Vec::new(),
                lab,
                channel_key: None,
            });
            state.index.insert(participant.to_string(), index);
            state.keys.insert(key, index);
            if role == Role::Monitor {
                state.monitors.push(index);
            }
            vec![Effect::Registered {
                participant: participant.to_string(),
                role,
            }]
        }))
    }

    /// A lab leaves for good (rule 25a). Whatever binds it is breached on the
    /// way out, as withdrawing it would be: each active binding commitment
    /// (its compensation charged) and each pledge to a binding pact (the
    /// pledge stands) that it has not already tried to withdraw. Non-binding
    /// commitments are withdrawn and pledges to pacts not yet binding
    /// dropped; obligations stay owed.
    pub(super) fn leave<'a>(&self, author: &'a str, reason: &'a str) -> Handled<'a> {
        let lab = self.require_role(author, Role::Lab, "leave the protocol")?;
        // The reason is recorded on each commitment it withdraws, after LEFT.
        let most = MAX_TEXT_LEN - LEFT.len();
        if reason.len() > most {
            return Err(Rejection::Invalid {
                field: "reason",
                message: format!("longer than {most} bytes (UTF-8)"),
            });
        }
        // An expelled lab, or one that left, never gets here (`check_standing`).
        debug_assert!(self.lab(lab).in_protocol());
        Ok(Change::new(move |state| {
            let mut effects = vec![Effect::Left {
                lab: author.to_string(),
                reason: reason.to_string(),
            }];
            let period = state.period;
            // Taken first: a breach below may expel the lab, which drops them.
            let open: Vec<usize> = (0..state.pacts.len())
                .filter(|&p| {
                    let round = &state.pacts[p];
                    round.binding_since.is_none()
                        && round.resolved.is_none()
                        && round.pledgers.contains(&lab)
                })
                .collect();
            for position in 0..state.participants[lab].commitments.len() {
                let commitment = &state.participants[lab].commitments[position];
                if commitment.status != CommitmentStatus::Active {
                    continue;
                }
                let (id, binding) = (commitment.id.clone(), commitment.binding);
                effects.push(Effect::CommitmentWithdrawn {
                    author: author.to_string(),
                    commitment: id.clone(),
                });
                if binding {
                    state.violate_commitment(lab, position, &mut effects);
                    state.confirm_breach(
                        lab,
                        format!("left the protocol bound by commitment {author}/{id}"),
                        &mut effects,
                    );
                }
                state.participants[lab].commitments[position].status =
                    CommitmentStatus::Withdrawn {
                        period,
                        reason: format!("{LEFT}{reason}"),
                    };
            }
            // A pledge whose withdrawal was already a breach is not breached again.
            let bound: Vec<usize> = (0..state.pacts.len())
                .filter(|&p| {
                    let round = &state.pacts[p];
                    round.binding_since.is_some()
                        && round.pledgers.contains(&lab)
                        && !round.withdrawal_breached.contains(&lab)
                })
                .collect();
            for p in bound {
                let pact = state.protocol.pacts.pact[p].id.clone();
                effects.push(Effect::PledgeWithdrawn {
                    pact: pact.clone(),
                    lab: author.to_string(),
                    breach: true,
                });
                state.confirm_breach(
                    lab,
                    format!("left the protocol pledged to binding pact {pact}"),
                    &mut effects,
                );
            }
            for p in open {
                effects.push(Effect::PledgeWithdrawn {
                    pact: state.protocol.pacts.pact[p].id.clone(),
                    lab: author.to_string(),
                    breach: false,
                });
            }
            state.drop_open_pledges(lab);
            state.lab_mut(lab).left = Some(period);
            effects
        }))
    }
}
