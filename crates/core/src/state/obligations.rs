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
            // Obligations are settled in the order they were charged, so a
            // charge joins only the latest one, when it is to the same
            // creditor. At the limit it joins the latest to that creditor
            // anywhere (settled a little early) rather than grow the list.
            let joins = match obligations.last() {
                Some(last) if last.to == to => Some(obligations.len() - 1),
                _ if obligations.len() >= MAX_OBLIGATIONS_IN_ORDER => {
                    obligations.iter().rposition(|o| o.to == to)
                }
                _ => None,
            };
            match joins {
                Some(i) => obligations[i].amount = obligations[i].amount.saturating_add(rest),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A secretariat and labs `a` and `b`, under a protocol with every mechanism off.
    fn state() -> State {
        let protocol = crate::parse_protocol("[protocol]\nname = \"t\"\nformat = 1\n").unwrap();
        let mut state = State::new(protocol);
        for (seq, (participant, role)) in [
            ("sec", Role::Secretariat),
            ("a", Role::Lab),
            ("b", Role::Lab),
        ]
        .into_iter()
        .enumerate()
        {
            let body = EventBody::Register {
                participant: participant.into(),
                role,
                public_key: format!("{:064x}", seq + 1),
            };
            state
                .apply(&Event::new("sec", seq as u64 + 1, 0, body))
                .unwrap();
        }
        state
    }

    #[test]
    fn charges_keep_their_order_up_to_the_limit_and_then_stay_bounded() {
        let mut state = state();
        let (a, b) = (state.index["a"], state.index["b"]);
        let mut effects = Vec::new();
        // Burn, b, b, Burn, b, Burn, …: consecutive charges to one creditor merge.
        state.charge(a, Creditor::Burn, 1, &mut effects);
        state.charge(a, Creditor::Participant(b), 1, &mut effects);
        state.charge(a, Creditor::Participant(b), 1, &mut effects);
        assert_eq!(
            state.participants[a].obligations,
            [
                Obligation {
                    to: Creditor::Burn,
                    amount: 1
                },
                Obligation {
                    to: Creditor::Participant(b),
                    amount: 2
                },
            ]
        );
        let rounds = MAX_OBLIGATIONS_IN_ORDER as u64;
        for _ in 0..rounds {
            state.charge(a, Creditor::Burn, 1, &mut effects);
            state.charge(a, Creditor::Participant(b), 1, &mut effects);
        }
        let obligations = &state.participants[a].obligations;
        assert_eq!(obligations.len(), MAX_OBLIGATIONS_IN_ORDER);
        assert!(
            obligations
                .iter()
                .enumerate()
                .all(|(i, o)| (o.to == Creditor::Burn) == (i % 2 == 0)),
            "still alternating: nothing overtook an older obligation below the limit"
        );
        assert_eq!(state.owed_by(a), 3 + 2 * rounds, "nothing is forgotten");
    }
}
