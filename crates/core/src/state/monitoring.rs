//! Monitoring: investment reports, audits by the panel, discrepancies and
//! whistleblower receipts. Each handler checks on `&State` and returns the
//! change that alone mutates it (see `handlers`).

use super::handlers::{Change, Handled};
use super::{
    ChannelKey, CommitmentStatus, Effect, InvestmentRecord, MAX_CHANNEL_KEY_LEN, MAX_CITED_REPORTS,
    MAX_TOKEN_KEYS, MAX_TOKENS_PER_KEY, MIN_TOKEN_KEY_PERIODS, Rejection, State, Vote,
};
use crate::early_warning::{Alert, AlertKind, Evidence};
use crate::event::{ChannelKeyPurpose, ReportToken, Role, Verdict};
use std::collections::{BTreeMap, BTreeSet};

impl State {
    pub(super) fn report_investment<'a>(&self, author: &'a str, amount: u64) -> Handled<'a> {
        let lab = self.require_role(author, Role::Lab, "report safety investment")?;
        if amount == 0 {
            return Err(Rejection::Invalid {
                field: "amount",
                message: "expected a positive investment".into(),
            });
        }
        let period = self.period;
        if self
            .lab(lab)
            .investments
            .back()
            .is_some_and(|r| r.period == period)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} already reported its investment for period {period}"
            )));
        }
        let window = self.protocol.monitoring.audit_window_periods as usize + 1;
        Ok(Change::new(move |state| {
            let record = state.lab_mut(lab);
            if record.investments.len() == window {
                record.investments.pop_front();
            }
            record.investments.push_back(InvestmentRecord {
                period,
                amount,
                credited: false,
            });
            vec![Effect::ReportRecorded {
                lab: author.to_string(),
                what: "investment".into(),
            }]
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn audit<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        audited_period: u32,
        verdict: Verdict,
        verified_investment: Option<u64>,
        measurements: &'a BTreeMap<String, f64>,
        violated_commitments: &'a [String],
    ) -> Handled<'a> {
        if !self.protocol.monitoring.enabled {
            return Err(Rejection::MechanismDisabled("monitoring"));
        }
        let monitor = self.require_role(author, Role::Monitor, "submit audits")?;
        let lab = self.lab_index(lab_id)?;
        let window = self.protocol.monitoring.audit_window_periods;
        // A lab answers only for periods it was a member in.
        let registered = self.participants[lab].registered_period;
        let earliest = self.period.saturating_sub(window).max(registered);
        let left = self.lab(lab).left;
        let latest = left.map_or(self.period, |period| period.min(self.period));
        if audited_period > latest || audited_period < earliest {
            let until = left.map_or(String::new(), |period| {
                format!(", until it left the protocol in period {period}")
            });
            return Err(Rejection::Invalid {
                field: "audited_period",
                message: format!(
                    "audits of {lab_id} are accepted for periods {earliest} to {latest} (the audit window, from its registration in period {registered}{until})"
                ),
            });
        }
        if self
            .protocol
            .monitoring
            .conflicts
            .iter()
            .any(|c| c.monitor == author && c.lab == lab_id)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} has a declared conflict of interest with {lab_id}"
            )));
        }
        let key = (audited_period, lab);
        let panel = match self.audits.get(&key) {
            Some(tally) => tally.panel.clone(),
            None => self.panel(lab, audited_period),
        };
        if !panel.contains(&monitor) {
            return Err(Rejection::NotAllowed(format!(
                "{author} is not on {lab_id}'s monitoring panel for period {audited_period}"
            )));
        }
        for (name, value) in measurements {
            self.metric_index(name)?;
            if !value.is_finite() {
                return Err(Rejection::Invalid {
                    field: "measurements",
                    message: format!("{name}: expected a finite value"),
                });
            }
        }
        for reference in violated_commitments {
            self.find_commitment(lab, reference)?;
        }
        if self
            .audits
            .get(&key)
            .is_some_and(|t| t.votes.iter().any(|v| v.monitor == monitor))
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} already audited {lab_id} for period {audited_period}"
            )));
        }
        Ok(Change::new(move |state| {
            let mut effects = vec![Effect::AuditRecorded {
                lab: lab_id.to_string(),
                period: audited_period,
                monitor: author.to_string(),
                verdict,
            }];
            state.check_discrepancies(lab, author, audited_period, measurements, &mut effects);
            let quorum = state.protocol.monitoring.quorum;
            let tally = state.audits.entry(key).or_insert_with(|| super::Tally {
                panel,
                ..super::Tally::default()
            });
            let needed = tally.votes_needed(quorum);
            tally.votes.push(Vote {
                monitor,
                verdict,
                verified_investment,
                violated_commitments: violated_commitments.to_vec(),
            });
            let count = |v: Verdict| tally.votes.iter().filter(|x| x.verdict == v).count();
            let (compliant, violation, inconclusive) = (
                count(Verdict::Compliant),
                count(Verdict::Violation),
                count(Verdict::Inconclusive),
            );
            let disagreement = compliant > 0 && violation > 0 && !tally.disagreement_alerted;
            if disagreement {
                tally.disagreement_alerted = true;
            }
            let decided = if tally.decided.is_none() && count(verdict) >= needed {
                tally.decided = Some(verdict);
                Some(verdict)
            } else {
                None
            };
            // A commitment is charged only when as many violation votes name it as a verdict needs.
            let violated: Vec<String> = if decided == Some(Verdict::Violation) {
                let mut named: BTreeMap<&String, usize> = BTreeMap::new();
                for reference in tally
                    .votes
                    .iter()
                    .filter(|v| v.verdict == Verdict::Violation)
                    .flat_map(|v| v.violated_commitments.iter().collect::<BTreeSet<_>>())
                {
                    *named.entry(reference).or_default() += 1;
                }
                named
                    .into_iter()
                    .filter(|&(_, votes)| votes >= needed)
                    .map(|(reference, _)| reference.clone())
                    .collect()
            } else {
                Vec::new()
            };
            if disagreement
                && state.protocol.early_warning.enabled
                && state.protocol.early_warning.disagreement_alerts
            {
                let alert = Alert::new(
                    state.period,
                    Some(lab_id),
                    AlertKind::MonitorDisagreement,
                    None,
                    Evidence::Disagreement {
                        audited_period,
                        compliant,
                        violation,
                        inconclusive,
                    },
                );
                state.raise(alert, &mut effects);
            }
            if let Some(verdict) = decided {
                effects.push(Effect::VerdictReached {
                    lab: lab_id.to_string(),
                    period: audited_period,
                    verdict,
                });
                if let Some(record) = state
                    .lab_mut(lab)
                    .history
                    .iter_mut()
                    .find(|r| r.period == audited_period)
                {
                    record.verdict = Some(verdict);
                }
                if verdict == Verdict::Violation {
                    state.confirm_breach(
                        lab,
                        format!("audit quorum found a violation in period {audited_period}"),
                        &mut effects,
                    );
                    for reference in violated {
                        let position = state
                            .find_commitment(lab, &reference)
                            .expect("checked before the change");
                        // A commitment revised while the votes came in is
                        // answered for by its revision: revising is no exit.
                        let position = state.current_version(lab, position);
                        let commitment = &state.participants[lab].commitments[position];
                        if commitment.status == CommitmentStatus::Active && commitment.binding {
                            state.violate_commitment(lab, position, &mut effects);
                        }
                    }
                }
            }
            effects
        }))
    }

    fn check_discrepancies(
        &mut self,
        lab: usize,
        monitor: &str,
        period: u32,
        measurements: &BTreeMap<String, f64>,
        effects: &mut Vec<Effect>,
    ) {
        if !self.protocol.early_warning.enabled {
            return;
        }
        let mut alerts = Vec::new();
        for (name, &measured) in measurements {
            let m = self.metric_index(name).expect("checked by the caller");
            let Some(spec) = &self.protocol.early_warning.metric[m].audit_discrepancy else {
                continue;
            };
            let Some(&(_, reported)) = self.lab(lab).metrics[m]
                .recent
                .iter()
                .find(|(p, _)| *p == period)
            else {
                continue;
            };
            let scale = measured.abs().max(reported.abs()).max(f64::MIN_POSITIVE);
            let relative = (reported - measured).abs() / scale;
            if relative > spec.relative_tolerance {
                alerts.push(Alert::new(
                    self.period,
                    Some(&self.participants[lab].id),
                    AlertKind::AuditDiscrepancy,
                    Some(name),
                    Evidence::Discrepancy {
                        audited_period: period,
                        reported,
                        measured,
                        relative_difference: relative,
                        tolerance: spec.relative_tolerance,
                        monitor: monitor.to_string(),
                    },
                ));
            }
        }
        for alert in alerts {
            self.raise(alert, effects);
        }
    }

    pub(super) fn publish_channel_key<'a>(
        &self,
        author: &'a str,
        purpose: ChannelKeyPurpose,
        public_key: &'a str,
    ) -> Handled<'a> {
        if !self.protocol.whistleblower.enabled {
            return Err(Rejection::MechanismDisabled("whistleblower"));
        }
        let index = self.require_role(author, purpose.role(), "publish this channel key")?;
        let well_formed = match purpose {
            ChannelKeyPurpose::TokenSigning => {
                !public_key.is_empty()
                    && public_key.len() <= MAX_CHANNEL_KEY_LEN
                    && public_key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            }
            ChannelKeyPurpose::ReportEncryption => is_hex(public_key, 64),
        };
        if !well_formed {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: match purpose {
                    ChannelKeyPurpose::TokenSigning => format!(
                        "expected an RSA SubjectPublicKeyInfo in base64, at most {MAX_CHANNEL_KEY_LEN} characters"
                    ),
                    ChannelKeyPurpose::ReportEncryption => {
                        "expected an X25519 public key as 64 hex digits".into()
                    }
                },
            });
        }
        if purpose == ChannelKeyPurpose::ReportEncryption
            && !self
                .protocol
                .whistleblower
                .monitors
                .iter()
                .any(|m| m == author)
        {
            return Err(Rejection::NotAllowed(format!(
                "{author} is not among the protocol's whistleblower.monitors"
            )));
        }
        let current = self.participants[index].channel_key.as_ref();
        if purpose == ChannelKeyPurpose::TokenSigning
            && let Some(current) = current
        {
            if current.public_key == public_key || current.retired.iter().any(|k| k == public_key) {
                return Err(Rejection::NotAllowed(
                    "this token key was published before; a token key is never published twice (its spent tokens would count again)".into(),
                ));
            }
            let since = self.period.saturating_sub(current.published_period);
            if since < MIN_TOKEN_KEY_PERIODS {
                return Err(Rejection::NotAllowed(format!(
                    "the current token key is {since} period(s) old; a token key stays in force for at least {MIN_TOKEN_KEY_PERIODS} periods, so keys cannot tell reports apart"
                )));
            }
            if current.retired.len() + 1 >= MAX_TOKEN_KEYS {
                return Err(Rejection::Limit {
                    what: "token keys per issuer",
                    limit: MAX_TOKEN_KEYS,
                });
            }
        }
        // Spent tokens are kept per issuer: the same key under a second
        // issuer would admit every token spent under the first again.
        if purpose == ChannelKeyPurpose::TokenSigning
            && let Some(holder) = self.participants.iter().enumerate().find_map(|(i, p)| {
                let key = p.channel_key.as_ref()?;
                let held = i != index
                    && key.purpose == ChannelKeyPurpose::TokenSigning
                    && (key.public_key == public_key
                        || key.retired.iter().any(|k| k == public_key));
                held.then_some(&p.id)
            })
        {
            return Err(Rejection::Invalid {
                field: "public_key",
                message: format!(
                    "this token key is already another issuer's ({holder}); a token key is published by one issuer only, ever, or the tokens spent under it would count again"
                ),
            });
        }
        Ok(Change::new(move |state| {
            let slot = &mut state.participants[index].channel_key;
            let retired = match slot.take() {
                Some(old) if purpose == ChannelKeyPurpose::TokenSigning => {
                    let mut retired = old.retired;
                    retired.push(old.public_key);
                    retired
                }
                _ => Vec::new(),
            };
            *slot = Some(ChannelKey {
                purpose,
                public_key: public_key.to_string(),
                published_period: state.period,
                spent_tokens: BTreeSet::new(),
                retired,
            });
            vec![Effect::ChannelKeyPublished {
                participant: author.to_string(),
                purpose,
            }]
        }))
    }

    pub(super) fn whistleblower_receipt<'a>(
        &self,
        author: &'a str,
        lab_id: &'a str,
        report_commitment: &'a str,
        arrival_day: Option<&str>,
        token: Option<&'a ReportToken>,
    ) -> Handled<'a> {
        if !self.protocol.whistleblower.enabled {
            return Err(Rejection::MechanismDisabled("whistleblower"));
        }
        self.require_role(author, Role::Secretariat, "record whistleblower receipts")?;
        let lab = self.lab_index(lab_id)?;
        if !is_hex(report_commitment, 64) {
            return Err(Rejection::Invalid {
                field: "report_commitment",
                message: "expected a SHA-256 commitment as 64 hex digits".into(),
            });
        }
        if let Some(day) = arrival_day
            && !is_day(day)
        {
            return Err(Rejection::Invalid {
                field: "arrival_day",
                message: format!("{day:?}: expected a day as YYYY-MM-DD, nothing finer"),
            });
        }
        let issuer = token.map(|t| self.check_token(t)).transpose()?;
        Ok(Change::new(move |state| {
            if let (Some(issuer), Some(token)) = (issuer, token) {
                let key = state.participants[issuer]
                    .channel_key
                    .as_mut()
                    .expect("checked: the issuer has a token key");
                key.spent_tokens.insert(token.message.to_ascii_lowercase());
            }
            let trigger = state.protocol.whistleblower.receipts_to_trigger_audit;
            let record = state.lab_mut(lab);
            record.whistle_receipts += 1;
            let receipts = record.whistle_receipts;
            let mut effects = vec![Effect::ReportRecorded {
                lab: lab_id.to_string(),
                what: "whistleblower receipt".into(),
            }];
            if receipts == trigger {
                let alert = Alert::new(
                    state.period,
                    Some(lab_id),
                    AlertKind::SpecialAuditRequired,
                    None,
                    Evidence::Whistleblower { receipts, trigger },
                );
                state.raise(alert, &mut effects);
            }
            effects
        }))
    }

    /// The issuer of an unspent, well-formed token (the signature is the
    /// registry's to check; the core has no cryptography).
    fn check_token(&self, token: &ReportToken) -> Result<usize, Rejection> {
        let invalid = |message: String| Rejection::Invalid {
            field: "token",
            message,
        };
        let issuer = self.participant(&token.issuer)?;
        let Some(key) = self.participants[issuer]
            .channel_key
            .as_ref()
            .filter(|k| k.purpose == ChannelKeyPurpose::TokenSigning)
        else {
            return Err(invalid(format!(
                "{} has published no token key",
                token.issuer
            )));
        };
        if !is_hex(&token.message, 64) || !is_hex(&token.randomizer, 64) {
            return Err(invalid(
                "expected message and randomizer as 64 hex digits each".into(),
            ));
        }
        if token.signature.is_empty() || token.signature.len() > MAX_CHANNEL_KEY_LEN {
            return Err(invalid(format!(
                "expected a signature of at most {MAX_CHANNEL_KEY_LEN} characters"
            )));
        }
        if key
            .spent_tokens
            .contains(&token.message.to_ascii_lowercase())
        {
            return Err(Rejection::NotAllowed(
                "this token was already spent; a token admits one report".into(),
            ));
        }
        if key.spent_tokens.len() >= MAX_TOKENS_PER_KEY {
            return Err(Rejection::Limit {
                what: "tokens per issuer key (the issuer must publish a new key)",
                limit: MAX_TOKENS_PER_KEY,
            });
        }
        Ok(issuer)
    }
}

/// An audit's citations must be report commitments (the core keeps no
/// list of them: whether one was logged is the log's to show).
pub(super) fn check_citations(cites: &[String]) -> Result<(), Rejection> {
    if cites.len() > MAX_CITED_REPORTS {
        return Err(Rejection::Limit {
            what: "cited reports",
            limit: MAX_CITED_REPORTS,
        });
    }
    match cites.iter().find(|c| !is_hex(c, 64)) {
        Some(bad) => Err(Rejection::Invalid {
            field: "cites_reports",
            message: format!("{bad:?}: expected a report commitment as 64 hex digits"),
        }),
        None => Ok(()),
    }
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let month: u32 = text[5..7].parse().expect("digits");
    let day: u32 = text[8..10].parse().expect("digits");
    (1..=12).contains(&month) && (1..=31).contains(&day)
}
