//! What every handler shares: the two-phase result and guards. The handlers
//! themselves live with their mechanism (`registration`, `commitments`,
//! `pacts`, `monitoring`, `metrics`, `credits`, `liability`, `sanctions`,
//! `close`).
//!
//! A handler runs in two phases and the types keep them apart. It checks
//! the event holding `&State` only, so a rejection cannot leave a trace:
//! there is nothing it could have changed. Once every check has passed it
//! returns a [`Change`], the only part of a handler that is handed
//! `&mut State`, and [`State::apply`] runs it at once on the state just
//! checked. A change must not fail: whatever could reject the event belongs
//! in the checks, and a change may only assert invariants.

use super::{Effect, Rejection, State};
use crate::spec::MAX_CREDITS_PER_ISSUANCE;

/// A checked event's change, or why the event is rejected.
pub(super) type Handled<'a> = Result<Change<'a>, Rejection>;

/// The mutations of an event that passed every check, returning its effects.
/// It may borrow from the event (`'a`), never from the state it was checked
/// against: that state is what it is given to change.
#[must_use = "a change does nothing until it is run"]
pub(super) struct Change<'a>(Box<Mutation<'a>>);

type Mutation<'a> = dyn FnOnce(&mut State) -> Vec<Effect> + 'a;

impl<'a> Change<'a> {
    pub(super) fn new(change: impl FnOnce(&mut State) -> Vec<Effect> + 'a) -> Self {
        Self(Box::new(change))
    }

    /// Applies the change to the state it was checked against.
    pub(super) fn run(self, state: &mut State) -> Vec<Effect> {
        (self.0)(state)
    }
}

/// Amounts an event charges (fines, compensation, harm) are bounded like
/// issuance, so obligations cannot overflow.
pub(super) fn check_amount(field: &'static str, amount: u64) -> Result<(), Rejection> {
    if amount > MAX_CREDITS_PER_ISSUANCE {
        return Err(Rejection::Invalid {
            field,
            message: format!("expected at most {MAX_CREDITS_PER_ISSUANCE} credits, got {amount}"),
        });
    }
    Ok(())
}
