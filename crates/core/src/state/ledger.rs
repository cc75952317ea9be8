//! The credit ledger: double-entry, integer units, never negative.
//!
//! Credits are created only by issuance and destroyed only by burning (fines,
//! expiry); every other movement is a transfer between two accounts. The
//! invariant `Σ balances = issued − burned` holds after every operation and
//! is asserted in debug builds. Balances are held as lots tagged with their
//! issuance period so that expiry (oldest first) needs no per-credit state:
//! an account holds at most two lots (earned, received) per live issuance
//! period, and the caller tags every lot with period 0 when credits never
//! expire, so accounts stay bounded whatever the length of the history.
//!
//! A lot is *earned* while it sits in the account it was issued to for the
//! holder's own audited investment; credits received from anyone else are
//! not. Access to covered compute counts earned credits only, so one set of
//! credits cannot qualify several labs in turn.
//!
//! The liability pool holds one undated reserve: reserves do not expire, and
//! credits paid out of the pool are dated afresh by the caller.

use serde::Serialize;
use std::collections::VecDeque;

/// A quantity of credits issued in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lot {
    /// Period of issuance.
    pub issued: u32,
    /// Credits.
    pub amount: u64,
    /// Issued to the holder for its own audited investment.
    pub earned: bool,
}

/// One account's holdings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Total credits held.
    pub balance: u64,
    /// Of which earned (see the module documentation).
    pub earned: u64,
    /// Lots, oldest first.
    lots: VecDeque<Lot>,
}

impl Account {
    fn add(&mut self, lot: Lot) {
        if lot.amount == 0 {
            return;
        }
        self.balance += lot.amount;
        if lot.earned {
            self.earned += lot.amount;
        }
        // Keep lots ordered by issuance period (received before earned), merging equal keys.
        let key = |l: &Lot| (l.issued, l.earned);
        match self.lots.iter().position(|l| key(l) >= key(&lot)) {
            Some(i) if key(&self.lots[i]) == key(&lot) => self.lots[i].amount += lot.amount,
            Some(i) => self.lots.insert(i, lot),
            None => self.lots.push_back(lot),
        }
    }

    /// Removes `amount` credits, oldest first, into `taken`.
    fn take(&mut self, mut amount: u64, taken: &mut Vec<Lot>) {
        debug_assert!(amount <= self.balance);
        self.balance -= amount;
        while amount > 0 {
            let front = self.lots.front_mut().expect("balance covers the amount");
            let part = front.amount.min(amount);
            front.amount -= part;
            amount -= part;
            if front.earned {
                self.earned -= part;
            }
            taken.push(Lot {
                issued: front.issued,
                amount: part,
                earned: front.earned,
            });
            if front.amount == 0 {
                self.lots.pop_front();
            }
        }
    }

    /// Removes every lot issued at or before `period`; returns the credits removed.
    fn expire_through(&mut self, period: u32) -> u64 {
        let mut expired = 0;
        while let Some(front) = self.lots.front() {
            if front.issued > period {
                break;
            }
            expired += front.amount;
            if front.earned {
                self.earned -= front.amount;
            }
            self.lots.pop_front();
        }
        self.balance -= expired;
        expired
    }
}

/// The whole ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// One account per participant, in registration order.
    accounts: Vec<Account>,
    /// The liability pool's account.
    pool: Account,
    /// Credits ever issued.
    pub issued: u64,
    /// Credits ever burned (fines and expiry).
    pub burned: u64,
    /// Of which burned by expiry.
    pub expired: u64,
    /// Scratch space for transfers, kept to avoid allocating per event.
    #[serde(skip)]
    scratch: Vec<Lot>,
}

/// An account: a participant's (by registration index) or the pool's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountId {
    /// A participant.
    Participant(usize),
    /// The liability pool.
    Pool,
}

impl Ledger {
    /// Opens an account for a newly registered participant.
    pub fn open(&mut self) -> usize {
        self.accounts.push(Account::default());
        self.accounts.len() - 1
    }

    fn account(&mut self, id: AccountId) -> &mut Account {
        match id {
            AccountId::Participant(i) => &mut self.accounts[i],
            AccountId::Pool => &mut self.pool,
        }
    }

    /// Balance of an account.
    pub fn balance(&self, id: AccountId) -> u64 {
        match id {
            AccountId::Participant(i) => self.accounts[i].balance,
            AccountId::Pool => self.pool.balance,
        }
    }

    /// Credits of a participant's balance that it earned itself and still holds.
    pub fn earned(&self, participant: usize) -> u64 {
        self.accounts[participant].earned
    }

    /// Whether `amount` more credits can be issued without the total issued
    /// (which bounds every balance) overflowing `u64`.
    pub fn can_issue(&self, amount: u64) -> bool {
        self.issued.checked_add(amount).is_some()
    }

    /// Creates `amount` credits in participant `to`'s account, dated
    /// `period`, `earned` when they reward `to`'s own audited investment; the
    /// caller has checked [`Ledger::can_issue`].
    pub fn issue(&mut self, to: usize, amount: u64, period: u32, earned: bool) {
        self.issued = self
            .issued
            .checked_add(amount)
            .expect("the caller checked can_issue");
        self.accounts[to].add(Lot {
            issued: period,
            amount,
            earned,
        });
        self.check();
    }

    /// Moves `amount` credits; the caller has checked the balance. Credits
    /// paid out of the pool are dated `period`; received credits are never earned.
    pub fn transfer(&mut self, from: AccountId, to: AccountId, amount: u64, period: u32) {
        let mut taken = std::mem::take(&mut self.scratch);
        taken.clear();
        self.account(from).take(amount, &mut taken);
        let receiver = self.account(to);
        for lot in &taken {
            receiver.add(Lot {
                issued: match (from, to) {
                    (_, AccountId::Pool) => 0,
                    (AccountId::Pool, _) => period,
                    _ => lot.issued,
                },
                amount: lot.amount,
                earned: false,
            });
        }
        self.scratch = taken;
        self.check();
    }

    /// Burns up to `amount` credits of `from`; returns the credits burned.
    pub fn burn(&mut self, from: AccountId, amount: u64) -> u64 {
        let mut taken = std::mem::take(&mut self.scratch);
        taken.clear();
        let account = self.account(from);
        let burned = amount.min(account.balance);
        account.take(burned, &mut taken);
        self.scratch = taken;
        self.burned += burned;
        self.check();
        burned
    }

    /// Burns every lot issued at or before `period` in every participant's
    /// account (pool reserves do not expire).
    pub fn expire_through(&mut self, period: u32) -> u64 {
        let mut total = 0;
        for account in &mut self.accounts {
            total += account.expire_through(period);
        }
        self.burned += total;
        self.expired += total;
        self.check();
        total
    }

    /// Sum of all balances.
    pub fn total(&self) -> u64 {
        self.accounts.iter().map(|a| a.balance).sum::<u64>() + self.pool.balance
    }

    fn check(&self) {
        debug_assert_eq!(
            self.total(),
            self.issued - self.burned,
            "credits are conserved"
        );
        debug_assert!(
            self.pool.lots.len() <= 1,
            "the pool holds one undated reserve"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_keep_lot_ages_and_expiry_takes_oldest() {
        let mut ledger = Ledger::default();
        let (a, b) = (ledger.open(), ledger.open());
        ledger.issue(a, 10, 0, true);
        ledger.issue(a, 5, 2, true);
        ledger.transfer(AccountId::Participant(a), AccountId::Participant(b), 12, 3);
        assert_eq!(ledger.balance(AccountId::Participant(a)), 3);
        assert_eq!(ledger.earned(a), 3);
        assert_eq!(ledger.earned(b), 0, "received credits are not earned");
        assert_eq!(ledger.expire_through(0), 10);
        assert_eq!(ledger.balance(AccountId::Participant(b)), 2);
        assert_eq!(ledger.balance(AccountId::Participant(a)), 3);
        assert_eq!(ledger.total(), ledger.issued - ledger.burned);
        assert_eq!(ledger.burn(AccountId::Participant(a), 100), 3);
        assert_eq!(ledger.earned(a), 0);
    }

    #[test]
    fn pool_reserves_do_not_expire_and_payouts_are_dated_afresh() {
        let mut ledger = Ledger::default();
        let a = ledger.open();
        ledger.issue(a, 10, 0, true);
        ledger.issue(a, 10, 1, true);
        ledger.transfer(AccountId::Participant(a), AccountId::Pool, 15, 1);
        assert_eq!(ledger.pool.lots.len(), 1);
        assert_eq!(ledger.expire_through(5), 5);
        assert_eq!(ledger.balance(AccountId::Pool), 15);
        ledger.transfer(AccountId::Pool, AccountId::Participant(a), 4, 9);
        assert_eq!(ledger.expire_through(8), 0, "paid out in period 9");
        assert_eq!(ledger.balance(AccountId::Participant(a)), 4);
    }
}
