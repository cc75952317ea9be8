//! Assurance pacts: pledges, withdrawals and resolution of rounds. Each handler checks everything first and mutates only once
//! the event is known to apply, so a rejection leaves the state as it was.

use super::handlers::Handled;
use super::{Effect, PactState, Rejection, State};
use crate::event::Role;

impl State {
    pub(super) fn pact_index(&self, pact: &str) -> Result<usize, Rejection> {
        if !self.protocol.pacts.enabled {
            return Err(Rejection::MechanismDisabled("pacts"));
        }
        self.protocol
            .pacts
            .pact
            .iter()
            .position(|p| p.id == pact)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .protocol
                    .pacts
                    .pact
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect();
                Rejection::Invalid {
                    field: "pact",
                    message: format!("unknown pact {pact:?}; pacts: {}", known.join(", ")),
                }
            })
    }

    pub(super) fn pledge(&mut self, author: &str, pact: &str) -> Handled {
        let lab = self.require_role(author, Role::Lab, "pledge to pacts")?;
        let p = self.pact_index(pact)?;
        let spec = &self.protocol.pacts.pact[p];
        let state = &self.pacts[p];
        if state.resolved.is_some() {
            return Err(Rejection::NotAllowed(format!("pact {pact} is resolved")));
        }
        if self.period > state.deadline(spec) {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact}'s deadline (period {}) has passed",
                state.deadline(spec)
            )));
        }
        if state.pledgers.contains(&lab) {
            return Err(Rejection::NotAllowed(format!(
                "{author} has already pledged to {pact}"
            )));
        }
        let threshold = spec.threshold;
        let state = &mut self.pacts[p];
        state.pledgers.push(lab);
        let pledges = state.pledgers.len();
        let mut effects = vec![Effect::Pledged {
            pact: pact.to_string(),
            lab: author.to_string(),
            pledges,
            threshold,
        }];
        if state.binding_since.is_none() && pledges >= threshold as usize {
            state.binding_since = Some(self.period);
            let pledgers = state
                .pledgers
                .iter()
                .map(|&i| self.participants[i].id.clone())
                .collect();
            effects.push(Effect::PactBinding {
                pact: pact.to_string(),
                pledgers,
            });
        }
        Ok(effects)
    }

    pub(super) fn withdraw_pledge(&mut self, author: &str, pact: &str) -> Handled {
        let lab = self.require_role(author, Role::Lab, "withdraw pledges")?;
        let p = self.pact_index(pact)?;
        let state = &self.pacts[p];
        let Some(position) = state.pledgers.iter().position(|&i| i == lab) else {
            return Err(Rejection::NotAllowed(format!(
                "{author} has not pledged to {pact}"
            )));
        };
        let binding = state.binding_since.is_some();
        let mut effects = Vec::new();
        if binding {
            // A binding pledge cannot be escaped: the withdrawal is recorded as a breach and the pledge stands.
            effects.push(Effect::PledgeWithdrawn {
                pact: pact.to_string(),
                lab: author.to_string(),
                breach: true,
            });
            self.confirm_breach(
                lab,
                format!("tried to withdraw from binding pact {pact}"),
                &mut effects,
            );
        } else {
            self.pacts[p].pledgers.remove(position);
            effects.push(Effect::PledgeWithdrawn {
                pact: pact.to_string(),
                lab: author.to_string(),
                breach: false,
            });
        }
        Ok(effects)
    }

    pub(super) fn resolve_pact(&mut self, author: &str, pact: &str) -> Handled {
        self.require_role(author, Role::Secretariat, "resolve pacts")?;
        let p = self.pact_index(pact)?;
        let spec = &self.protocol.pacts.pact[p];
        if self.pacts[p].resolved.is_some() {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact} is already resolved"
            )));
        }
        // Pledges are accepted through the deadline period; resolution follows it.
        let deadline = self.pacts[p].deadline(spec);
        if self.period <= deadline {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact} is resolved after its deadline, from period {}",
                deadline.saturating_add(1)
            )));
        }
        let bonus = spec.refund_bonus_credits;
        let succeeded = self.pacts[p].binding_since.is_some();
        let pledgers = self.pacts[p].pledgers.clone();
        // Dominant assurance: every pledger of a failed pact receives the bonus,
        // issued for the purpose (it is not earned, so it buys no compute access).
        let refunds = if succeeded || !self.protocol.credits.enabled {
            0
        } else {
            bonus.saturating_mul(pledgers.len() as u64)
        };
        if !self.ledger.can_issue(refunds) {
            return Err(Rejection::NotAllowed(format!(
                "refund bonuses of {refunds} credits would take the total issued past {}",
                u64::MAX
            )));
        }
        self.pacts[p].resolved = Some(succeeded);
        if spec.renews {
            let period = self.period;
            let state = &mut self.pacts[p];
            *state = PactState {
                opened: period,
                rounds_resolved: state.rounds_resolved.saturating_add(1),
                ..PactState::default()
            };
        }
        let mut effects = vec![Effect::PactResolved {
            pact: pact.to_string(),
            succeeded,
            refunds_paid: refunds,
        }];
        if refunds > 0 {
            let date = self.credit_date();
            for lab in pledgers {
                self.ledger.issue(lab, bonus, date, false);
                self.settle(lab, &mut effects);
            }
        }
        Ok(effects)
    }
}
