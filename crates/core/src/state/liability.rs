//! The liability pool: premiums, incidents and claims. Each handler checks
//! on `&State` and returns the change that alone mutates it (see `handlers`).

use super::handlers::{Change, Handled, check_amount};
use super::ledger::AccountId;
use super::{Creditor, Effect, IncidentRecord, MAX_INCIDENTS, Rejection, State, check_id};
use crate::event::Role;

impl State {
    /// Premium due from a lab for the current period: one figure, fixed when
    /// the period opened, so the same payment buys the same cover whatever
    /// else the period brings. A lab's first period opens at its
    /// registration, with a clean record: the base premium.
    pub(super) fn period_premium_due(&self, lab: usize) -> u64 {
        let current = self
            .lab(lab)
            .history
            .back()
            .expect("labs have a current period");
        if current.period == self.participants[lab].registered_period {
            self.protocol.liability.base_premium_credits
        } else {
            current.premium_due
        }
    }

    /// Premium for the period a close opens, from the lab's record over the rating window.
    pub(super) fn premium_due(&self, lab: usize) -> u64 {
        let liability = &self.protocol.liability;
        let window = liability.rating_window_periods as usize;
        let violations: u32 = self
            .lab(lab)
            .history
            .iter()
            .rev()
            .take(window)
            .map(|r| r.breaches)
            .sum();
        // Integer arithmetic in parts per million, rounded half up.
        let factor = u128::from(MILLION)
            + u128::from(parts_per_million(liability.violation_loading)) * u128::from(violations);
        let premium = (u128::from(liability.base_premium_credits) * factor
            + u128::from(MILLION / 2))
            / u128::from(MILLION);
        u64::try_from(premium).unwrap_or(u64::MAX)
    }

    pub(super) fn pay_premium<'a>(&self, author: &'a str, amount: u64) -> Handled<'a> {
        if !self.protocol.liability.enabled {
            return Err(Rejection::MechanismDisabled("liability"));
        }
        let lab = self.require_role(author, Role::Lab, "pay liability premiums")?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive amount".into(),
            });
        }
        self.check_funds(lab, amount)?;
        Ok(Change::new(move |state| {
            let due = state.period_premium_due(lab);
            let date = state.credit_date();
            state
                .ledger
                .transfer(AccountId::Participant(lab), AccountId::Pool, amount, date);
            let record = state.lab_mut(lab);
            record.premium_paid += amount;
            if let Some(current) = record.history.back_mut() {
                current.premium_paid = record.premium_paid;
                // Unchanged once a close fixed it; the record of a first
                // period learns it here.
                current.premium_due = due;
            }
            vec![Effect::PremiumPaid {
                lab: author.to_string(),
                amount,
                due,
            }]
        }))
    }

    pub(super) fn incident<'a>(
        &self,
        author: &'a str,
        incident: &'a str,
        lab_id: &'a str,
        harm: u64,
        harmed: &'a str,
    ) -> Handled<'a> {
        // Harm is compensated in credits: without them a claim is a debt
        // nothing could ever settle.
        if !self.protocol.credits.enabled {
            return Err(Rejection::MechanismDisabled("credits"));
        }
        self.require_role(author, Role::Secretariat, "record incidents")?;
        check_id("incident", incident)?;
        let lab = self.lab_index(lab_id)?;
        let harmed = self.participant(harmed)?;
        if harmed == lab {
            return Err(Rejection::Invalid {
                field: "harmed",
                message: format!(
                    "{lab_id} caused the incident; the pool does not compensate a lab for its own harm"
                ),
            });
        }
        if self.incidents.contains_key(incident) {
            return Err(Rejection::NotAllowed(format!(
                "incident {incident:?} is already recorded"
            )));
        }
        if self.incidents.len() == MAX_INCIDENTS {
            return Err(Rejection::Limit {
                what: "incidents",
                limit: MAX_INCIDENTS,
            });
        }
        if harm == 0 {
            return Err(Rejection::Invalid {
                field: "harm",
                message: "expected a positive harm in credits".into(),
            });
        }
        check_amount("harm", harm)?;
        Ok(Change::new(move |state| {
            // Cover is what the lab had bought when the incident happened, not later.
            let covered = state.protocol.liability.enabled && {
                let due = state.period_premium_due(lab);
                let paid = state.lab(lab).premium_paid;
                due > 0 && paid >= due
            };
            state.incidents.insert(
                incident.to_string(),
                IncidentRecord {
                    lab,
                    harm,
                    harmed,
                    period: state.period,
                    covered,
                    claimed: false,
                },
            );
            vec![Effect::IncidentRecorded {
                incident: incident.to_string(),
            }]
        }))
    }

    pub(super) fn claim<'a>(&self, author: &'a str, incident: &'a str) -> Handled<'a> {
        let claimant = self.participant(author)?;
        let record = self
            .incidents
            .get(incident)
            .ok_or_else(|| Rejection::Invalid {
                field: "incident",
                message: format!("unknown incident {incident:?}"),
            })?;
        if record.harmed != claimant {
            return Err(Rejection::NotAllowed(format!(
                "only the harmed party may claim for incident {incident}"
            )));
        }
        if record.claimed {
            return Err(Rejection::NotAllowed(format!(
                "incident {incident} was already claimed"
            )));
        }
        let (lab, harm, covered) = (record.lab, record.harm, record.covered);
        debug_assert_ne!(lab, claimant, "incidents never name the culprit as harmed");
        Ok(Change::new(move |state| {
            let liability = &state.protocol.liability;
            let mut from_pool = 0;
            let mut effects = Vec::new();
            if covered {
                let payable_exact = u128::from(harm)
                    * u128::from(parts_per_million(liability.payout_fraction))
                    / u128::from(MILLION);
                let mut payable = u64::try_from(payable_exact).expect("at most the harm");
                if liability.max_payout_credits > 0 {
                    payable = payable.min(liability.max_payout_credits);
                }
                from_pool = payable.min(state.ledger.balance(AccountId::Pool));
                if from_pool > 0 {
                    let date = state.credit_date();
                    state.ledger.transfer(
                        AccountId::Pool,
                        AccountId::Participant(claimant),
                        from_pool,
                        date,
                    );
                    state.settle(claimant, &mut effects);
                }
            }
            // The responsible lab answers for the rest: now from what it holds, later from what it receives.
            let from_lab = state.charge(
                lab,
                Creditor::Participant(claimant),
                harm - from_pool,
                &mut effects,
            );
            state
                .incidents
                .get_mut(incident)
                .expect("found above")
                .claimed = true;
            effects.insert(
                0,
                Effect::ClaimPaid {
                    incident: incident.to_string(),
                    from_pool,
                    from_lab,
                    shortfall: harm - from_pool - from_lab,
                },
            );
            effects
        }))
    }
}

const MILLION: u64 = 1_000_000;

/// A non-negative fraction of the protocol file (a loading, a payout share)
/// in parts per million, so credit amounts never pass through `f64`.
fn parts_per_million(fraction: f64) -> u64 {
    debug_assert!(
        fraction.is_finite() && fraction >= 0.0,
        "validated by the protocol check"
    );
    (fraction * MILLION as f64).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_credits_are_exact_in_parts_per_million() {
        // f64 would pay 28 of a 100-credit harm at 29%: 100.0 * 0.29 = 28.999….
        assert_eq!((100.0f64 * 0.29).floor(), 28.0);
        assert_eq!(100 * parts_per_million(0.29) / MILLION, 29);
        assert_eq!(parts_per_million(0.8), 800_000);
        assert_eq!(parts_per_million(1.0), MILLION);
    }
}
