//! Graduated sanctions: moves on the ladder (escalation on a confirmed
//! breach, stepping down after demonstrated compliance, expulsion) and the
//! secretariat's decisions. The handler checks on `&State` and returns the
//! change that alone mutates it (see `handlers`).

use super::handlers::{Change, Handled};
use super::*;

impl State {
    pub(super) fn sanction_decision<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        action: SanctionAction,
        cause: &'a str,
    ) -> Handled<'a> {
        if !self.protocol.sanctions.enabled {
            return Err(Rejection::MechanismDisabled("sanctions"));
        }
        self.require_role(author, Role::Secretariat, "decide sanctions")?;
        let lab = self.lab_index(lab_id)?;
        check_text("cause", cause)?;
        if cause.trim().is_empty() {
            return Err(Rejection::Invalid {
                field: "cause",
                message: "every sanction step records its cause".into(),
            });
        }
        // An escalation always records a breach; a step down must move the lab.
        if action == SanctionAction::StepDown && self.ladder_move(lab, action).is_none() {
            return Err(Rejection::NotAllowed(format!(
                "{lab_id} cannot move that way on the ladder"
            )));
        }
        Ok(Change::new(move |state| {
            let mut effects = Vec::new();
            match action {
                SanctionAction::Escalate => {
                    state.confirm_breach(lab, cause.to_string(), &mut effects)
                }
                SanctionAction::StepDown => state.move_on_ladder(
                    lab,
                    SanctionAction::StepDown,
                    cause.to_string(),
                    &mut effects,
                ),
            }
            debug_assert!(
                !effects.is_empty(),
                "checked that the decision moves the lab"
            );
            effects
        }))
    }

    pub(super) fn rung_name(&self, level: u32) -> String {
        if level == 0 {
            "good standing".to_string()
        } else {
            self.protocol.sanctions.ladder[level as usize - 1]
                .name
                .clone()
        }
    }

    /// `(from, to)` levels of a move on the ladder, or `None` if the lab
    /// would stay where it is.
    fn ladder_move(&self, lab: usize, action: SanctionAction) -> Option<(u32, u32)> {
        let sanctions = &self.protocol.sanctions;
        if !sanctions.enabled || sanctions.ladder.is_empty() {
            return None;
        }
        let top = sanctions.ladder.len() as u32;
        let record = self.lab(lab);
        let from = record.level;
        let to = match action {
            SanctionAction::Escalate => from
                .saturating_add(sanctions.escalation_per_breach)
                .min(top),
            SanctionAction::StepDown if record.expelled && sanctions.expulsion_is_final => from,
            SanctionAction::StepDown => from.saturating_sub(1),
        };
        (to != from).then_some((from, to))
    }

    /// Moves a lab on the ladder, applying the rung reached; returns the effects.
    pub(super) fn move_on_ladder(
        &mut self,
        lab: usize,
        action: SanctionAction,
        cause: String,
        effects: &mut Vec<Effect>,
    ) {
        let Some((from, to)) = self.ladder_move(lab, action) else {
            return;
        };
        let final_expulsion = self.protocol.sanctions.expulsion_is_final;
        let rung = self.rung_name(to);
        let step = SanctionStep {
            lab: self.participants[lab].id.clone(),
            period: self.period,
            from,
            to,
            rung,
            cause,
        };
        let reached = (to > 0).then(|| self.protocol.sanctions.ladder[to as usize - 1].clone());
        let record = self.lab_mut(lab);
        record.level = to;
        // A final expulsion sticks; otherwise standing follows the rung.
        record.expelled =
            reached.as_ref().is_some_and(|r| r.expels) || (record.expelled && final_expulsion);
        if record.steps.len() == MAX_SANCTION_STEPS_KEPT {
            record.steps.pop_front();
        }
        record.steps.push_back(step.clone());
        record.step_count += 1;
        effects.push(Effect::Sanction(step));
        if self.lab(lab).expelled {
            self.drop_open_pledges(lab);
        }
        if let Some(rung) = reached.filter(|r| r.fine_credits > 0 && to > from) {
            let burned = self.charge(lab, Creditor::Burn, rung.fine_credits, effects);
            effects.push(Effect::CreditsBurned {
                account: self.participants[lab].id.clone(),
                amount: burned,
                shortfall: rung.fine_credits - burned,
                reason: format!("sanction: {}", rung.name),
            });
        }
    }

    /// The lab's pledges no longer count towards pacts that do not bind yet
    /// (it was expelled, or left).
    pub(super) fn drop_open_pledges(&mut self, lab: usize) {
        for pact in &mut self.pacts {
            if pact.binding_since.is_none() && pact.resolved.is_none() {
                pact.pledgers.retain(|&p| p != lab);
            }
        }
    }

    /// Records a confirmed breach: ladder, pact breach, period record.
    pub(super) fn confirm_breach(&mut self, lab: usize, cause: String, effects: &mut Vec<Effect>) {
        effects.push(Effect::BreachConfirmed {
            lab: self.participants[lab].id.clone(),
            cause: cause.clone(),
        });
        let period = self.period;
        let bound: Vec<usize> = self
            .pacts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.binding_since.is_some() && p.pledgers.contains(&lab))
            .map(|(i, _)| i)
            .collect();
        let memory = self.protocol.compute.breach_memory_periods.max(1) as usize;
        let record = self.lab_mut(lab);
        record.breaches_this_period += 1;
        if let Some(current) = record.history.back_mut() {
            current.breaches += 1;
        }
        for pact in bound {
            if record.pact_breaches.len() == memory {
                record.pact_breaches.pop_front();
            }
            record.pact_breaches.push_back((pact, period));
        }
        let sanctions = &self.protocol.sanctions;
        let top = sanctions.ladder.len() as u32;
        let top_fine = sanctions.ladder.last().map_or(0, |rung| rung.fine_credits);
        let repeated_at_top = sanctions.enabled && top > 0 && self.lab(lab).level == top;
        self.move_on_ladder(lab, SanctionAction::Escalate, cause, effects);
        // With nowhere left to climb, the top rung's fine is charged again:
        // otherwise every breach after the first would be free to the worst offender.
        if repeated_at_top && top_fine > 0 {
            let rung = self.rung_name(top);
            let burned = self.charge(lab, Creditor::Burn, top_fine, effects);
            effects.push(Effect::CreditsBurned {
                account: self.participants[lab].id.clone(),
                amount: burned,
                shortfall: top_fine - burned,
                reason: format!("sanction: {rung} (repeated breach at the top rung)"),
            });
        }
    }
}
