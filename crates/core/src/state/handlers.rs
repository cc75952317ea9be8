//! What every handler shares: the result type and guards. The handlers
//! themselves live with their mechanism (`registration`, `commitments`,
//! `pacts`, `monitoring`, `metrics`, `credits`, `liability`, `sanctions`);
//! each checks everything first and mutates only once the event is known to
//! apply, so a rejection leaves the state as it was.

use super::{Effect, Rejection};
use crate::spec::MAX_CREDITS_PER_ISSUANCE;

pub(super) type Handled = Result<Vec<Effect>, Rejection>;

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
