//! Safety credits: issuance for audited investment, transfers and fines.
//! Each handler checks on `&State` and returns the change that alone mutates
//! it (see `handlers`).

use super::handlers::{Change, Handled, check_amount};
use super::ledger::AccountId;
use super::{Creditor, Effect, Rejection, State, check_text};
use crate::event::{Role, Verdict};
use crate::spec::MAX_CREDITS_PER_ISSUANCE;

impl State {
    pub(super) fn issue_credits<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        for_period: u32,
    ) -> Handled<'a> {
        if !self.protocol.credits.enabled {
            return Err(Rejection::MechanismDisabled("credits"));
        }
        self.require_role(author, Role::Secretariat, "issue credits")?;
        let lab = self.lab_index(lab_id)?;
        if !self.lab(lab).in_protocol() {
            return Err(Rejection::NotAllowed(format!(
                "{lab_id} is no longer in the protocol (expelled or left) and earns no credits"
            )));
        }
        let nothing = |why: String| {
            Rejection::NotAllowed(format!(
                "no credits to issue to {lab_id} for period {for_period}: {why}"
            ))
        };
        let Some(investment) = self
            .lab(lab)
            .investments
            .iter()
            .find(|r| r.period == for_period)
        else {
            return Err(nothing(
                "no investment reported for that period (or outside the audit window)".into(),
            ));
        };
        if investment.credited {
            return Err(nothing("already credited".into()));
        }
        let Some(tally) = self
            .audits
            .get(&(for_period, lab))
            .filter(|t| t.decided == Some(Verdict::Compliant))
        else {
            return Err(nothing(
                "issuance needs a compliant verdict from a majority of the lab's panel".into(),
            ));
        };
        let quorum = tally.votes_needed(self.protocol.monitoring.quorum);
        let mut verified: Vec<u64> = tally
            .votes
            .iter()
            .filter(|v| v.verdict == Verdict::Compliant)
            .filter_map(|v| v.verified_investment)
            .collect();
        if verified.len() < quorum {
            return Err(nothing(format!(
                "only {} compliant audits verified the investment; {quorum} needed",
                verified.len()
            )));
        }
        // The quorum-th largest verification: a quorum of monitors vouches for at least this much.
        verified.sort_unstable_by(|a, b| b.cmp(a));
        let vouched = verified[quorum - 1].min(investment.amount);
        let credits = &self.protocol.credits;
        let cap = match credits.max_credits_per_period {
            0 => MAX_CREDITS_PER_ISSUANCE,
            cap => cap.min(MAX_CREDITS_PER_ISSUANCE),
        };
        let amount = vouched
            .saturating_mul(credits.credits_per_investment_unit)
            .min(cap);
        if !self.ledger.can_issue(amount) {
            return Err(nothing(format!(
                "{amount} more credits would take the total issued past {}",
                u64::MAX
            )));
        }
        Ok(Change::new(move |state| {
            let date = state.credit_date();
            state
                .lab_mut(lab)
                .investments
                .iter_mut()
                .find(|r| r.period == for_period)
                .expect("found above")
                .credited = true;
            state.ledger.issue(lab, amount, date, true);
            let mut effects = vec![Effect::CreditsIssued {
                lab: lab_id.to_string(),
                amount,
                for_period,
            }];
            state.settle(lab, &mut effects);
            effects
        }))
    }

    pub(super) fn transfer<'a>(&self, author: &'a str, to: &'a str, amount: u64) -> Handled<'a> {
        if !self.protocol.credits.enabled {
            return Err(Rejection::MechanismDisabled("credits"));
        }
        let from = self.participant(author)?;
        let to_index = self.participant(to)?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive amount".into(),
            });
        }
        if from == to_index {
            return Err(Rejection::Invalid {
                field: "to",
                message: "cannot transfer to oneself".into(),
            });
        }
        self.check_funds(from, amount)?;
        Ok(Change::new(move |state| {
            let date = state.credit_date();
            state.ledger.transfer(
                AccountId::Participant(from),
                AccountId::Participant(to_index),
                amount,
                date,
            );
            let mut effects = vec![Effect::CreditsTransferred {
                from: author.to_string(),
                to: to.to_string(),
                amount,
            }];
            state.settle(to_index, &mut effects);
            effects
        }))
    }

    /// A participant may spend only credits it holds and does not owe.
    pub(super) fn check_funds(&self, participant: usize, amount: u64) -> Result<(), Rejection> {
        let account = &self.participants[participant].id;
        let owed = self.owed_by(participant);
        if owed > 0 {
            return Err(Rejection::OutstandingObligations {
                account: account.clone(),
                owed,
            });
        }
        let balance = self.ledger.balance(AccountId::Participant(participant));
        if balance < amount {
            return Err(Rejection::InsufficientCredits {
                account: account.clone(),
                balance,
                required: amount,
            });
        }
        Ok(())
    }

    pub(super) fn fine<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        amount: u64,
        reason: &'a str,
    ) -> Handled<'a> {
        // Without credits a fine is a debt nothing could ever settle.
        if !self.protocol.credits.enabled {
            return Err(Rejection::MechanismDisabled("credits"));
        }
        self.require_role(author, Role::Secretariat, "fine labs")?;
        let lab = self.lab_index(lab_id)?;
        check_text("reason", reason)?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive amount".into(),
            });
        }
        check_amount("amount", amount)?;
        Ok(Change::new(move |state| {
            let mut effects = Vec::new();
            let burned = state.charge(lab, Creditor::Burn, amount, &mut effects);
            effects.insert(
                0,
                Effect::CreditsBurned {
                    account: lab_id.to_string(),
                    amount: burned,
                    shortfall: amount - burned,
                    reason: reason.to_string(),
                },
            );
            effects
        }))
    }
}
