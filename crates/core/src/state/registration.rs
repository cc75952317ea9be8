//! Registering participants. Each handler checks everything first and mutates only once
//! the event is known to apply, so a rejection leaves the state as it was.

use super::handlers::Handled;
use super::{
    Effect, LabRecord, MAX_PARTICIPANTS, MetricTrack, Participant, PeriodRecord, Rejection, State,
    check_id,
};
use crate::event::Role;
use std::collections::VecDeque;

impl State {
    pub(super) fn register(
        &mut self,
        author: &str,
        participant: &str,
        role: Role,
        public_key: &str,
    ) -> Handled {
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
        let index = self.ledger.open();
        debug_assert_eq!(index, self.participants.len());
        let lab = (role == Role::Lab).then(|| LabRecord {
            metrics: vec![MetricTrack::default(); self.protocol.early_warning.metric.len()],
            history: VecDeque::from([PeriodRecord {
                period: self.period,
                ..PeriodRecord::default()
            }]),
            ..LabRecord::default()
        });
        self.participants.push(Participant {
            id: participant.to_string(),
            role,
            public_key: key.clone(),
            registered_period: self.period,
            last_seq: 0,
            recent: VecDeque::new(),
            commitments: Vec::new(),
            obligations: Vec::new(),
            lab,
        });
        self.index.insert(participant.to_string(), index);
        self.keys.insert(key, index);
        if role == Role::Monitor {
            self.monitors.push(index);
        }
        Ok(vec![Effect::Registered {
            participant: participant.to_string(),
            role,
        }])
    }
}
