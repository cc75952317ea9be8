//! Registering participants. The handler checks on `&State` and returns the
//! change that registers (see `handlers`).

use super::handlers::{Change, Handled};
use super::{
    Effect, LabRecord, MAX_PARTICIPANTS, MetricTrack, Participant, PeriodRecord, Rejection, State,
    check_id,
};
use crate::event::Role;
use std::collections::VecDeque;

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
            return Err(Rejection::NotAllowed(format!(
                "{participant} is already registered"
            )));
        }
        if public_key.len() != 64 || !public_key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: "expected an Ed25519 public key as 64 hex digits".into(),
            });
        }
        // One key, one participant, for ever: expelled participants keep theirs.
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
}
