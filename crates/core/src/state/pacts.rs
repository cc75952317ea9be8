//! Assurance pacts: pledges, withdrawals and resolution of rounds. Each
//! handler checks on `&State` and returns the change that alone mutates it
//! (see `handlers`).

use super::handlers::{Change, Handled};
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

    pub(super) fn pledge<'a>(&self, author: &'a str, pact: &'a str) -> Handled<'a> {
        let lab = self.require_role(author, Role::Lab, "pledge to pacts")?;
        let p = self.pact_index(pact)?;
        let spec = &self.protocol.pacts.pact[p];
        let round = &self.pacts[p];
        if round.resolved.is_some() {
            return Err(Rejection::NotAllowed(format!("pact {pact} is resolved")));
        }
        if self.period > round.deadline(spec) {
            return Err(Rejection::NotAllowed(format!(
                "pact {pact}'s deadline (period {}) has passed",
                round.deadline(spec)
            )));
        }
        if round.pledgers.contains(&lab) {
            return Err(Rejection::NotAllowed(format!(
                "{author} has already pledged to {pact}"
            )));
        }
        let threshold = spec.threshold;
        Ok(Change::new(move |state| {
            let round = &mut state.pacts[p];
            round.pledgers.push(lab);
            let pledges = round.pledgers.len();
            let mut effects = vec![Effect::Pledged {
                pact: pact.to_string(),
                lab: author.to_string(),
                pledges,
                threshold,
            }];
            if round.binding_since.is_none() && pledges >= threshold as usize {
                round.binding_since = Some(state.period);
                let pledgers = round
                    .pledgers
                    .iter()
                    .map(|&i| state.participants[i].id.clone())
                    .collect();
                effects.push(Effect::PactBinding {
                    pact: pact.to_string(),
                    pledgers,
                });
            }
            effects
        }))
    }

    pub(super) fn withdraw_pledge<'a>(&self, author: &'a str, pact: &'a str) -> Handled<'a> {
        let lab = self.require_role(author, Role::Lab, "withdraw pledges")?;
        let p = self.pact_index(pact)?;
        let round = &self.pacts[p];
        let Some(position) = round.pledgers.iter().position(|&i| i == lab) else {
            return Err(Rejection::NotAllowed(format!(
                "{author} has not pledged to {pact}"
            )));
        };
        let binding = round.binding_since.is_some();
        if binding && round.withdrawal_breached.contains(&lab) {
            return Err(Rejection::NotAllowed(format!(
                "{author} already tried to withdraw from binding pact {pact}: the breach is on record and the pledge stands"
            )));
        }
        Ok(Change::new(move |state| {
            let mut effects = Vec::new();
            if binding {
                // A binding pledge cannot be escaped: the withdrawal is recorded as a breach and the pledge stands.
                state.pacts[p].withdrawal_breached.push(lab);
                effects.push(Effect::PledgeWithdrawn {
                    pact: pact.to_string(),
                    lab: author.to_string(),
                    breach: true,
                });
                state.confirm_breach(
                    lab,
                    format!("tried to withdraw from binding pact {pact}"),
                    &mut effects,
                );
            } else {
                state.pacts[p].pledgers.remove(position);
                effects.push(Effect::PledgeWithdrawn {
                    pact: pact.to_string(),
                    lab: author.to_string(),
                    breach: false,
                });
            }
            effects
        }))
    }

    pub(super) fn resolve_pact<'a>(&self, author: &'a str, pact: &'a str) -> Handled<'a> {
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
        let renews = spec.renews;
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
        Ok(Change::new(move |state| {
            state.pacts[p].resolved = Some(succeeded);
            if renews {
                let period = state.period;
                let round = &mut state.pacts[p];
                *round = PactState {
                    opened: period,
                    rounds_resolved: round.rounds_resolved.saturating_add(1),
                    ..PactState::default()
                };
            }
            let mut effects = vec![Effect::PactResolved {
                pact: pact.to_string(),
                succeeded,
                refunds_paid: refunds,
            }];
            if refunds > 0 {
                let date = state.credit_date();
                for lab in pledgers {
                    state.ledger.issue(lab, bonus, date, false);
                    state.settle(lab, &mut effects);
                }
            }
            effects
        }))
    }
}
