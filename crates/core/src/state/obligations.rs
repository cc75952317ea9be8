//! Obligations: what a participant is charged is taken from what it holds,
//! and whatever it cannot pay is owed and settled first from anything it
//! later receives.

use super::*;

impl State {
    /// The period new lots are dated with: 0 when credits never expire, so
    /// an account holds one lot whatever the length of the history.
    pub(super) fn credit_date(&self) -> u32 {
        if self.protocol.credits.expiry_periods > 0 {
            self.period
        } else {
            0
        }
    }

    pub(super) fn creditor_name(&self, creditor: Creditor) -> String {
        match creditor {
            Creditor::Burn => "burned".to_string(),
            Creditor::Pool => "liability pool".to_string(),
            Creditor::Participant(i) => self.participants[i].id.clone(),
        }
    }

    /// Charges `amount` to `debtor`: paid at once from what it holds unless
    /// it already owes (earlier obligations come first); the rest is recorded
    /// as an obligation. Returns the credits paid now.
    pub(super) fn charge(
        &mut self,
        debtor: usize,
        to: Creditor,
        amount: u64,
        effects: &mut Vec<Effect>,
    ) -> u64 {
        let paid = if self.participants[debtor].obligations.is_empty() {
            amount.min(self.ledger.balance(AccountId::Participant(debtor)))
        } else {
            0
        };
        self.pay(debtor, to, paid, effects);
        let rest = amount - paid;
        if rest > 0 {
            let obligations = &mut self.participants[debtor].obligations;
            match obligations.iter_mut().find(|o| o.to == to) {
                Some(o) => o.amount = o.amount.saturating_add(rest),
                None => obligations.push(Obligation { to, amount: rest }),
            }
            // Paying the creditor may have settled the creditor's own debt to
            // the debtor, handing credits back: they settle the new debt.
            self.settle(debtor, effects);
        }
        paid
    }

    /// Moves `amount` credits from `debtor` to its creditor; a participant
    /// paid settles its own obligations in turn.
    pub(super) fn pay(
        &mut self,
        debtor: usize,
        to: Creditor,
        amount: u64,
        effects: &mut Vec<Effect>,
    ) {
        if amount == 0 {
            return;
        }
        let date = self.credit_date();
        let from = AccountId::Participant(debtor);
        match to {
            Creditor::Burn => {
                self.ledger.burn(from, amount);
            }
            Creditor::Pool => self.ledger.transfer(from, AccountId::Pool, amount, date),
            Creditor::Participant(c) => {
                self.ledger
                    .transfer(from, AccountId::Participant(c), amount, date);
                self.settle(c, effects);
            }
        }
    }

    /// Settles `start`'s obligations from what it holds, oldest first.
    /// Ends: every payment lowers the total owed.
    pub(super) fn settle(&mut self, start: usize, effects: &mut Vec<Effect>) {
        let mut pending = vec![start];
        while let Some(debtor) = pending.pop() {
            while let Some(&first) = self.participants[debtor].obligations.first() {
                let balance = self.ledger.balance(AccountId::Participant(debtor));
                if balance == 0 {
                    break;
                }
                let part = first.amount.min(balance);
                let date = self.credit_date();
                let from = AccountId::Participant(debtor);
                match first.to {
                    Creditor::Burn => {
                        self.ledger.burn(from, part);
                    }
                    Creditor::Pool => self.ledger.transfer(from, AccountId::Pool, part, date),
                    Creditor::Participant(c) => {
                        self.ledger
                            .transfer(from, AccountId::Participant(c), part, date);
                        pending.push(c);
                    }
                }
                let obligations = &mut self.participants[debtor].obligations;
                obligations[0].amount -= part;
                let remaining = obligations[0].amount;
                if remaining == 0 {
                    obligations.remove(0);
                }
                effects.push(Effect::ObligationSettled {
                    debtor: self.participants[debtor].id.clone(),
                    creditor: self.creditor_name(first.to),
                    amount: part,
                    remaining,
                });
            }
        }
    }
}
