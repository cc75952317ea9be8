//! Decisions and summaries computed from the state alone.

use super::ledger::AccountId;
use super::{CommitmentStatus, State};
use crate::event::{ChannelKeyPurpose, ReportToken, Role, Verdict};
use crate::spec::ReportKind;
use serde::Serialize;

/// Why access to covered compute is denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DenyReason {
    /// Not a registered lab.
    NotALab,
    /// Expelled from the protocol.
    Expelled,
    /// Left the protocol (rule 25a).
    Left {
        /// Period it left in.
        period: u32,
    },
    /// Suspended by a sanction rung.
    Suspended {
        /// The rung.
        rung: String,
    },
    /// Not enough credits earned by the lab's own audited investment (credits
    /// received from others do not count, so one set cannot qualify several labs).
    CreditsBelowThreshold {
        /// Earned credits the lab still holds.
        held: u64,
        /// Credits required.
        required: u64,
    },
    /// The lab owes fines, compensation or claims it has not paid.
    OutstandingObligations {
        /// Credits owed.
        owed: u64,
    },
    /// In breach of a binding pact.
    PactBreach {
        /// The pact.
        pact: String,
        /// Period of the breach.
        period: u32,
    },
}

/// An access decision for a lab at the current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessDecision {
    /// Lab.
    pub lab: String,
    /// Period decided for.
    pub period: u32,
    /// Whether access is granted.
    pub allowed: bool,
    /// Every reason for denial (empty when allowed).
    pub reasons: Vec<DenyReason>,
}

/// The components of a lab's safety score, each in `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreComponents {
    /// Compliant verdicts over decided audits in the window (0 without audits).
    pub audit_pass_rate: f64,
    /// Credits relative to the best-endowed lab still in the protocol (0 if none holds any).
    pub credits: f64,
    /// Binding commitments neither withdrawn nor violated (0 without binding commitments).
    pub commitments_kept: f64,
    /// `1 − level/top` on the ladder.
    pub sanction_standing: f64,
    /// Expected reports delivered in the window (1 if none expected).
    pub reporting_completeness: f64,
}

/// What one lab's reports say, restricted to the report kinds the protocol's
/// `[information_sharing]` makes public.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicReports {
    /// Lab.
    pub lab: String,
    /// Latest reported safety investment `(period, amount)`, if investment reports are public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investment: Option<(u32, u64)>,
    /// Latest reported value of each metric `(metric, period, value)`, if metric reports are public.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<(String, u32, f64)>,
    /// Verdicts reached on the lab's recent periods `(period, verdict)`, if audits are public.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<(u32, Verdict)>,
    /// Incidents the lab caused `(incident, period, harm)`, if incidents are public.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<(String, u32, u64)>,
}

/// A pact's pledges and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PactSummary {
    /// Pact id.
    pub pact: String,
    /// Labs that pledged.
    pub pledgers: Vec<String>,
    /// Pledges needed to bind.
    pub threshold: u32,
    /// Whether it binds.
    pub binding: bool,
    /// `Some(true)` resolved as a success, `Some(false)` failed, `None` open.
    pub resolved: Option<bool>,
    /// Period the current pledge round opened in (0 for the first).
    pub round_opened: u32,
    /// Last period of the current round in which pledges are accepted.
    pub deadline: u32,
    /// Rounds resolved before the current one (renewing pacts).
    pub rounds_resolved: u32,
}

/// A participant's commitment as it stands, with its whole text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentView {
    /// Commitment id.
    pub id: String,
    /// What is committed to.
    pub text: String,
    /// Whether it binds.
    pub binding: bool,
    /// Compensation on violation, in credits.
    pub compensation: u64,
    /// Period it was published in.
    pub published_period: u32,
    /// Where it stands.
    pub status: super::CommitmentStatus,
    /// The commitment it revised, if any.
    pub revises: Option<String>,
}

/// Ranks of scores listed best first, equal scores sharing the better rank
/// ("1, 2, 2, 4"): the order of a list among equal scores ranks nobody.
pub fn competition_ranks(scores: impl IntoIterator<Item = f64>) -> Vec<usize> {
    // The last score seen, with its rank.
    let mut last: Option<(f64, usize)> = None;
    scores
        .into_iter()
        .enumerate()
        .map(|(position, score)| {
            let rank = match last {
                Some((previous, rank)) if previous == score => rank,
                _ => position + 1,
            };
            last = Some((score, rank));
            rank
        })
        .collect()
}

/// A lab's row on the leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderboardEntry {
    /// Lab.
    pub lab: String,
    /// Weighted score in `[0, 1]` (0 for a lab expelled or gone).
    pub score: f64,
    /// Its components.
    pub components: ScoreComponents,
}

impl State {
    /// Whether `lab` may use covered compute now, with every reason against.
    pub fn access(&self, lab: &str) -> AccessDecision {
        let mut reasons = Vec::new();
        let index = self
            .index
            .get(lab)
            .copied()
            .filter(|&i| self.participants[i].role == Role::Lab);
        match index {
            None => reasons.push(DenyReason::NotALab),
            Some(i) if self.protocol.compute.enabled => {
                let record = self.lab(i);
                if record.expelled {
                    reasons.push(DenyReason::Expelled);
                }
                if let Some(period) = record.left {
                    reasons.push(DenyReason::Left { period });
                }
                if record.level > 0 {
                    let rung = &self.protocol.sanctions.ladder[record.level as usize - 1];
                    if rung.suspends_compute {
                        reasons.push(DenyReason::Suspended {
                            rung: rung.name.clone(),
                        });
                    }
                }
                let owed = self.owed_by(i);
                if owed > 0 {
                    reasons.push(DenyReason::OutstandingObligations { owed });
                }
                let held = self.ledger.earned(i);
                let required = self.protocol.compute.credit_threshold;
                if held < required {
                    reasons.push(DenyReason::CreditsBelowThreshold { held, required });
                }
                if self.protocol.compute.deny_on_pact_breach {
                    let memory = self.protocol.compute.breach_memory_periods;
                    for &(pact, period) in &record.pact_breaches {
                        let reason = DenyReason::PactBreach {
                            pact: self.protocol.pacts.pact[pact].id.clone(),
                            period,
                        };
                        // Several breaches in one period are one reason.
                        if self.period - period < memory.max(1) && !reasons.contains(&reason) {
                            reasons.push(reason);
                        }
                    }
                }
            }
            Some(_) => {}
        }
        AccessDecision {
            lab: lab.to_string(),
            period: self.period,
            allowed: reasons.is_empty(),
            reasons,
        }
    }

    /// A registered participant's role.
    pub fn role(&self, participant: &str) -> Option<Role> {
        self.index
            .get(participant)
            .map(|&i| self.participants[i].role)
    }

    /// The highest sequence number `participant` has used.
    pub fn last_seq(&self, participant: &str) -> Option<u64> {
        let &index = self.index.get(participant)?;
        Some(self.participants[index].last_seq)
    }

    /// The key `participant` published for the whistleblower channel.
    pub fn channel_key(&self, participant: &str) -> Option<(ChannelKeyPurpose, &str)> {
        let &index = self.index.get(participant)?;
        let key = self.participants[index].channel_key.as_ref()?;
        Some((key.purpose, key.public_key.as_str()))
    }

    /// Whether `token` was spent under its issuer's current token key.
    pub fn token_spent(&self, token: &ReportToken) -> bool {
        self.index.get(&token.issuer).is_some_and(|&index| {
            self.participants[index]
                .channel_key
                .as_ref()
                .is_some_and(|key| {
                    key.spent_tokens
                        .contains(&token.message.to_ascii_lowercase())
                })
        })
    }

    /// Each of the protocol's report monitors with the report key it
    /// published (`None` until it has), in the protocol's order.
    pub fn report_keys(&self) -> Vec<(&str, Option<&str>)> {
        self.protocol
            .whistleblower
            .monitors
            .iter()
            .map(|monitor| {
                let key = self
                    .channel_key(monitor)
                    .filter(|(purpose, _)| *purpose == ChannelKeyPurpose::ReportEncryption)
                    .map(|(_, key)| key);
                (monitor.as_str(), key)
            })
            .collect()
    }

    /// Every registered participant's id, in registration order.
    pub fn participants(&self) -> impl Iterator<Item = &str> {
        self.participants.iter().map(|p| p.id.as_str())
    }

    /// Monitors entitled to audit `lab` for `period` (its panel, conflicts excluded).
    pub fn panel_of(&self, lab: &str, period: u32) -> Vec<&str> {
        match self.index.get(lab) {
            Some(&i) if self.participants[i].role == Role::Lab => self
                .audits
                .get(&(period, i))
                .map_or_else(|| self.panel(i, period), |t| t.panel.clone())
                .into_iter()
                .map(|m| self.participants[m].id.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Liability premium due from a lab this period, as fixed when the
    /// period opened (0 if unknown).
    pub fn premium_due_for(&self, lab: &str) -> u64 {
        match self.index.get(lab) {
            Some(&i)
                if self.participants[i].role == Role::Lab && self.protocol.liability.enabled =>
            {
                self.period_premium_due(i)
            }
            _ => 0,
        }
    }

    /// Each lab's reports that the protocol makes public (nothing when
    /// information sharing is off).
    pub fn public_reports(&self) -> Vec<PublicReports> {
        let sharing = &self.protocol.information_sharing;
        let public = |kind: ReportKind| sharing.enabled && sharing.public_reports.contains(&kind);
        (0..self.participants.len())
            .filter(|&i| self.participants[i].role == Role::Lab)
            .map(|i| {
                let record = self.lab(i);
                PublicReports {
                    lab: self.participants[i].id.clone(),
                    investment: public(ReportKind::Investment)
                        .then(|| record.investments.back().map(|r| (r.period, r.amount)))
                        .flatten(),
                    metrics: if public(ReportKind::Metric) {
                        self.protocol
                            .early_warning
                            .metric
                            .iter()
                            .zip(&record.metrics)
                            .filter_map(|(spec, track)| {
                                track
                                    .recent
                                    .back()
                                    .map(|&(period, value)| (spec.name.clone(), period, value))
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    verdicts: if public(ReportKind::Audit) {
                        record
                            .history
                            .iter()
                            .filter_map(|r| r.verdict.map(|v| (r.period, v)))
                            .collect()
                    } else {
                        Vec::new()
                    },
                    incidents: if public(ReportKind::Incident) {
                        self.incidents
                            .iter()
                            .filter(|(_, x)| x.lab == i)
                            .map(|(id, x)| (id.clone(), x.period, x.harm))
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }

    /// Registered labs, in registration order.
    pub fn labs(&self) -> Vec<&str> {
        self.participants
            .iter()
            .filter(|p| p.role == Role::Lab)
            .map(|p| p.id.as_str())
            .collect()
    }

    /// Sanction level (0 = good standing) and rung name of a lab.
    pub fn sanction(&self, lab: &str) -> Option<(u32, String, bool)> {
        let &i = self.index.get(lab)?;
        let record = self.participants[i].lab.as_ref()?;
        Some((record.level, self.rung_name(record.level), record.expelled))
    }

    /// The period a lab left the protocol in, if it left (rule 25a).
    pub fn left(&self, lab: &str) -> Option<u32> {
        let &i = self.index.get(lab)?;
        self.participants[i].lab.as_ref()?.left
    }

    /// Pledges and status of every pact.
    pub fn pacts(&self) -> Vec<PactSummary> {
        self.protocol
            .pacts
            .pact
            .iter()
            .zip(&self.pacts)
            .map(|(spec, state)| PactSummary {
                pact: spec.id.clone(),
                pledgers: state
                    .pledgers
                    .iter()
                    .map(|&i| self.participants[i].id.clone())
                    .collect(),
                threshold: spec.threshold,
                binding: state.binding_since.is_some(),
                resolved: state.resolved,
                round_opened: state.opened,
                deadline: state.deadline(spec),
                rounds_resolved: state.rounds_resolved,
            })
            .collect()
    }

    /// How many of a participant's commitments are `[active, revised,
    /// withdrawn, violated]` (`None` if not registered).
    pub fn commitment_counts(&self, participant: &str) -> Option<[usize; 4]> {
        let index = *self.index.get(participant)?;
        let mut counts = [0; 4];
        for c in &self.participants[index].commitments {
            counts[match c.status {
                super::CommitmentStatus::Active => 0,
                super::CommitmentStatus::Revised { .. } => 1,
                super::CommitmentStatus::Withdrawn { .. } => 2,
                super::CommitmentStatus::Violated { .. } => 3,
            }] += 1;
        }
        Some(counts)
    }

    /// A participant's commitments in publication order (`None` if not registered).
    pub fn commitments(&self, participant: &str) -> Option<Vec<CommitmentView>> {
        let index = *self.index.get(participant)?;
        Some(
            self.participants[index]
                .commitments
                .iter()
                .map(|c| CommitmentView {
                    id: c.id.clone(),
                    text: c.text.clone(),
                    binding: c.binding,
                    compensation: c.compensation,
                    published_period: c.published_period,
                    status: c.status.clone(),
                    revises: c.revises.clone(),
                })
                .collect(),
        )
    }

    /// The public safety leaderboard, best first (ties in registration order).
    pub fn leaderboard(&self) -> Vec<LeaderboardEntry> {
        let settings = &self.protocol.leaderboard;
        let window = settings.window_periods as usize;
        let labs: Vec<usize> = (0..self.participants.len())
            .filter(|&i| self.participants[i].role == Role::Lab)
            .collect();
        // Credits are compared among the labs the protocol still governs: a
        // balance frozen outside it says nothing of the others' standing.
        let best = labs
            .iter()
            .filter(|&&i| self.lab(i).in_protocol())
            .map(|&i| self.ledger.balance(AccountId::Participant(i)))
            .max()
            .unwrap_or(0);
        let top = self.protocol.sanctions.ladder.len() as f64;
        let w = &settings.weights;
        let total_weight = w.audit_pass_rate
            + w.credits
            + w.commitments_kept
            + w.sanction_standing
            + w.reporting_completeness;
        let mut rows: Vec<(bool, LeaderboardEntry)> = labs
            .iter()
            .map(|&i| {
                let record = self.lab(i);
                let recent = record.history.iter().rev().take(window);
                let (decided, compliant, expected, delivered) =
                    recent.fold((0u32, 0u32, 0u32, 0u32), |acc, r| {
                        (
                            acc.0
                                + u32::from(r.verdict.is_some_and(|v| v != Verdict::Inconclusive)),
                            acc.1 + u32::from(r.verdict == Some(Verdict::Compliant)),
                            acc.2 + r.reports_expected,
                            acc.3 + r.reports_delivered,
                        )
                    });
                // Only binding commitments carry a cost when broken, so only
                // they count; a revised one counts through its revision.
                let commitments: Vec<_> = self.participants[i]
                    .commitments
                    .iter()
                    .filter(|c| c.binding && !matches!(c.status, CommitmentStatus::Revised { .. }))
                    .collect();
                let kept = commitments
                    .iter()
                    .filter(|c| c.status == CommitmentStatus::Active)
                    .count();
                let components = ScoreComponents {
                    audit_pass_rate: if decided == 0 {
                        0.0
                    } else {
                        f64::from(compliant) / f64::from(decided)
                    },
                    credits: if best == 0 {
                        0.0
                    } else {
                        self.ledger.balance(AccountId::Participant(i)) as f64 / best as f64
                    },
                    commitments_kept: if commitments.is_empty() {
                        0.0
                    } else {
                        kept as f64 / commitments.len() as f64
                    },
                    sanction_standing: if top == 0.0 {
                        1.0
                    } else {
                        1.0 - f64::from(record.level) / top
                    },
                    reporting_completeness: if expected == 0 {
                        1.0
                    } else {
                        f64::from(delivered) / f64::from(expected)
                    },
                };
                let c = &components;
                // A lab expelled or gone is listed, below every lab still in the protocol.
                let score = if !record.in_protocol() {
                    0.0
                } else if total_weight > 0.0 {
                    (w.audit_pass_rate * c.audit_pass_rate
                        + w.credits * c.credits
                        + w.commitments_kept * c.commitments_kept
                        + w.sanction_standing * c.sanction_standing
                        + w.reporting_completeness * c.reporting_completeness)
                        / total_weight
                } else {
                    0.0
                };
                let entry = LeaderboardEntry {
                    lab: self.participants[i].id.clone(),
                    score,
                    components,
                };
                (!record.in_protocol(), entry)
            })
            .collect();
        // Labs out of the protocol last, however the others score (rule 34).
        rows.sort_by(|(a_out, a), (b_out, b)| a_out.cmp(b_out).then(b.score.total_cmp(&a.score)));
        rows.into_iter().map(|(_, entry)| entry).collect()
    }
}
