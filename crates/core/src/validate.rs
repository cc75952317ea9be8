//! Reading and checking TOML files (the protocol file, and the simulator's
//! world file), with errors that name the line, column and field at fault and
//! say what was expected.

use crate::ratings::MAX_INDICES;
use crate::spec::{FORMAT_VERSION, MAX_CREDITS_PER_ISSUANCE, Protocol};
use crate::state::{
    MAX_COMMITMENTS_PER_PARTICIPANT, MAX_HISTORY_PERIODS, MAX_ID_LEN, MAX_REPORT_MONITORS,
};
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted path of the field (`monitoring.quorum`, `pacts.pact[1].threshold`).
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)?;
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a file (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileErrors(pub Vec<FileError>);

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Parses and validates a protocol file.
pub fn parse_protocol(text: &str) -> Result<Protocol, FileErrors> {
    parse_located(text, check)
}

/// Parses a TOML document into `T`, then runs `check`, which returns
/// `(dotted field path, message)` for each semantic problem; every error is
/// located at its line and column.
pub fn parse_located<T: serde::de::DeserializeOwned>(
    text: &str,
    check: impl Fn(&T) -> Vec<(String, String)>,
) -> Result<T, FileErrors> {
    let value: T = toml::from_str(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let (line, column) = line_column(text, span.start);
        let message = error.message().trim().to_string();
        // A missing field is reported at its table: name the field, not the table's first key.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match missing {
            // An empty span is the document itself; a table at its very start has a span.
            Some(name) if span.is_empty() => Some(name.to_string()),
            Some(name) => Some(
                field_at(text, span.start)
                    .map_or(name.to_string(), |table| format!("{table}.{name}")),
            ),
            None => field_at(text, span.start),
        };
        FileErrors(vec![FileError {
            line,
            column,
            field,
            message,
        }])
    })?;
    let problems = check(&value);
    if problems.is_empty() {
        return Ok(value);
    }
    let document = DeTable::parse(text).ok();
    Err(FileErrors(
        problems
            .into_iter()
            .map(|(path, message)| {
                let offset = document
                    .as_ref()
                    .and_then(|d| span_of(d.get_ref(), &path))
                    .map_or(0, |s| s.start);
                let (line, column) = line_column(text, offset);
                FileError {
                    line,
                    column,
                    field: Some(path),
                    message,
                }
            })
            .collect(),
    ))
}

/// Semantic checks: `(field path, message)` for each problem.
pub fn check(p: &Protocol) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut fail = |path: String, message: String| problems.push((path, message));
    let probability = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);

    if p.protocol.format != FORMAT_VERSION {
        fail(
            "protocol.format".into(),
            format!(
                "format version {} is not supported; expected {FORMAT_VERSION}",
                p.protocol.format
            ),
        );
    }
    if p.protocol.name.trim().is_empty() {
        fail("protocol.name".into(), "expected a non-empty name".into());
    }
    if p.credits.enabled && p.credits.credits_per_investment_unit == 0 {
        fail(
            "credits.credits_per_investment_unit".into(),
            "expected at least 1 when credits are enabled".into(),
        );
    }
    if p.credits.max_credits_per_period > MAX_CREDITS_PER_ISSUANCE {
        fail(
            "credits.max_credits_per_period".into(),
            format!(
                "expected at most {MAX_CREDITS_PER_ISSUANCE} credits per issuance (0 means that cap), got {}",
                p.credits.max_credits_per_period
            ),
        );
    }
    if p.credits.surrender_per_period > MAX_CREDITS_PER_ISSUANCE {
        fail(
            "credits.surrender_per_period".into(),
            format!(
                "expected at most {MAX_CREDITS_PER_ISSUANCE} credits, got {}",
                p.credits.surrender_per_period
            ),
        );
    }
    if p.credits.max_credits_per_period > 0
        && p.credits.surrender_per_period > p.credits.max_credits_per_period
    {
        fail(
            "credits.surrender_per_period".into(),
            format!(
                "each lab must surrender {} credits a period but earns at most {} (max_credits_per_period): every lab would owe more each period",
                p.credits.surrender_per_period, p.credits.max_credits_per_period
            ),
        );
    }
    if p.credits.surrender_per_period > 0 && !p.credits.enabled {
        fail(
            "credits.surrender_per_period".into(),
            "an obligation to surrender credits needs [credits] enabled = true".into(),
        );
    } else if p.credits.surrender_per_period > 0 && !p.monitoring.enabled {
        fail(
            "credits.surrender_per_period".into(),
            "an obligation to surrender credits needs [monitoring] enabled = true (credits are earned only through audits)"
                .into(),
        );
    }
    let mut pact_ids = BTreeSet::new();
    for (i, pact) in p.pacts.pact.iter().enumerate() {
        if pact.id.trim().is_empty() {
            fail(
                format!("pacts.pact[{i}].id"),
                "expected a non-empty id".into(),
            );
        } else if !pact_ids.insert(pact.id.as_str()) {
            fail(
                format!("pacts.pact[{i}].id"),
                format!("pact id {:?} is used twice", pact.id),
            );
        }
        if pact.threshold == 0 {
            fail(
                format!("pacts.pact[{i}].threshold"),
                "expected a threshold k of at least 1 pledge".into(),
            );
        }
        if pact.deadline_period == 0 {
            fail(
                format!("pacts.pact[{i}].deadline_period"),
                "expected a deadline after period 0, so that labs registered in period 0 have a period to pledge in".into(),
            );
        }
        if pact.refund_bonus_credits > MAX_CREDITS_PER_ISSUANCE {
            fail(
                format!("pacts.pact[{i}].refund_bonus_credits"),
                format!("expected at most {MAX_CREDITS_PER_ISSUANCE} credits"),
            );
        }
        if p.pacts.enabled && pact.refund_bonus_credits > 0 && !p.credits.enabled {
            fail(
                format!("pacts.pact[{i}].refund_bonus_credits"),
                "a refund bonus is issued as credits and needs [credits] enabled = true".into(),
            );
        }
    }
    if p.pacts.enabled && p.pacts.pact.is_empty() {
        fail(
            "pacts.pact".into(),
            "pacts are enabled but none is defined; add a [[pacts.pact]] table".into(),
        );
    }
    let l = &p.liability;
    if !(l.violation_loading.is_finite() && l.violation_loading >= 0.0) {
        fail(
            "liability.violation_loading".into(),
            format!("expected a finite number ≥ 0, got {}", l.violation_loading),
        );
    }
    if !probability(l.payout_fraction) {
        fail(
            "liability.payout_fraction".into(),
            format!("expected a fraction in [0, 1], got {}", l.payout_fraction),
        );
    }
    if l.enabled && l.rating_window_periods == 0 {
        fail(
            "liability.rating_window_periods".into(),
            "expected at least 1 period".into(),
        );
    }
    if l.enabled && !p.credits.enabled {
        fail(
            "liability.enabled".into(),
            "liability needs [credits] enabled = true (premiums and claims are paid in credits)"
                .into(),
        );
    }
    if l.enabled && l.base_premium_credits == 0 {
        fail(
            "liability.base_premium_credits".into(),
            "expected at least 1 credit: cover needs a premium, so with 0 the pool never pays"
                .into(),
        );
    }
    if !probability(p.compute.covered_fraction) {
        fail(
            "compute.covered_fraction".into(),
            format!(
                "expected a fraction in [0, 1], got {}",
                p.compute.covered_fraction
            ),
        );
    }
    if p.compute.enabled && p.compute.credit_threshold > 0 && !p.credits.enabled {
        fail(
            "compute.credit_threshold".into(),
            "a credit threshold needs [credits] enabled = true (no credits could ever be earned)"
                .into(),
        );
    } else if p.compute.enabled && p.compute.credit_threshold > 0 && !p.monitoring.enabled {
        fail(
            "compute.credit_threshold".into(),
            "a credit threshold needs [monitoring] enabled = true (credits are earned only through audits)"
                .into(),
        );
    }
    // Amounts charged as obligations are bounded like the amounts of single
    // events, so debts can never saturate and lose later charges.
    if p.commitments.default_compensation_credits > MAX_CREDITS_PER_ISSUANCE {
        fail(
            "commitments.default_compensation_credits".into(),
            format!(
                "expected at most {MAX_CREDITS_PER_ISSUANCE} credits, got {}",
                p.commitments.default_compensation_credits
            ),
        );
    }
    if p.commitments.enabled && p.commitments.default_compensation_credits > 0 && !p.credits.enabled
    {
        fail(
            "commitments.default_compensation_credits".into(),
            "compensation needs [credits] enabled = true (nothing could ever pay it); set it to 0 or enable credits"
                .into(),
        );
    }
    if p.commitments.enabled
        && !(1..=MAX_COMMITMENTS_PER_PARTICIPANT).contains(&p.commitments.max_per_participant)
    {
        fail(
            "commitments.max_per_participant".into(),
            format!(
                "expected 1 to {MAX_COMMITMENTS_PER_PARTICIPANT} commitments per participant, got {}",
                p.commitments.max_per_participant
            ),
        );
    }
    let m = &p.monitoring;
    if m.enabled {
        if m.monitors == 0 {
            fail(
                "monitoring.monitors".into(),
                "expected at least 1 monitor".into(),
            );
        }
        if m.panel_size > m.monitors {
            fail(
                "monitoring.panel_size".into(),
                format!(
                    "a panel of {} is larger than the {} monitors",
                    m.panel_size, m.monitors
                ),
            );
        }
        let panel = if m.panel_size == 0 {
            m.monitors
        } else {
            m.panel_size
        };
        if m.quorum == 0 || m.quorum > panel {
            fail(
                "monitoring.quorum".into(),
                format!(
                    "expected a quorum between 1 and the panel size {panel}, got {}",
                    m.quorum
                ),
            );
        } else if m.quorum <= panel / 2 {
            fail(
                "monitoring.quorum".into(),
                format!(
                    "a quorum of {} lets a minority of a panel of {panel} decide; expected at least {}",
                    m.quorum,
                    panel / 2 + 1
                ),
            );
        }
    }
    // Windows read the per-lab history, which keeps at most this many periods.
    for (field, periods) in [
        (
            "liability.rating_window_periods",
            p.liability.rating_window_periods,
        ),
        ("leaderboard.window_periods", p.leaderboard.window_periods),
        (
            "compute.breach_memory_periods",
            p.compute.breach_memory_periods,
        ),
    ] {
        if periods as usize > MAX_HISTORY_PERIODS {
            fail(
                field.into(),
                format!("expected at most {MAX_HISTORY_PERIODS} periods, got {periods}"),
            );
        }
    }
    if m.audit_window_periods as usize >= MAX_HISTORY_PERIODS {
        fail(
            "monitoring.audit_window_periods".into(),
            format!(
                "expected fewer than {MAX_HISTORY_PERIODS} periods, got {}",
                m.audit_window_periods
            ),
        );
    }
    for (i, c) in m.conflicts.iter().enumerate() {
        if c.monitor.trim().is_empty() || c.lab.trim().is_empty() {
            fail(
                format!("monitoring.conflicts[{i}]"),
                "expected both `monitor` and `lab` ids".into(),
            );
        }
    }
    let mut metric_names = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for (i, metric) in p.early_warning.metric.iter().enumerate() {
        let at = |field: &str| format!("early_warning.metric[{i}].{field}");
        if let Some(role) = metric.role
            && !roles.insert(role)
        {
            fail(
                at("role"),
                format!(
                    "another metric already has the role {:?}; give each role to one metric",
                    role.name()
                ),
            );
        }
        if metric.name.trim().is_empty() {
            fail(at("name"), "expected a non-empty name".into());
        } else if !metric_names.insert(metric.name.as_str()) {
            fail(
                at("name"),
                format!("metric {:?} is defined twice", metric.name),
            );
        }
        if let Some(t) = metric.threshold
            && (!t.is_finite() || (metric.log_scale && t <= 0.0))
        {
            fail(
                at("threshold"),
                format!(
                    "expected a finite{} threshold, got {t}",
                    if metric.log_scale {
                        ", positive (log scale)"
                    } else {
                        ""
                    }
                ),
            );
        }
        if let Some(b) = &metric.bunching {
            if metric.threshold.is_none() {
                fail(
                    at("bunching"),
                    "the bunching detector needs the metric's `threshold`".into(),
                );
            }
            for (field, message) in b.problems() {
                fail(at(&format!("bunching.{field}")), message);
            }
        }
        if let Some(j) = &metric.jump {
            if j.window_periods == 0 {
                fail(
                    at("jump.window_periods"),
                    "expected at least 1 period".into(),
                );
            }
            if !(j.max_growth_factor.is_finite() && j.max_growth_factor > 1.0) {
                fail(
                    at("jump.max_growth_factor"),
                    format!("expected a factor > 1, got {}", j.max_growth_factor),
                );
            }
        }
        if let Some(d) = &metric.audit_discrepancy
            && !(d.relative_tolerance.is_finite() && d.relative_tolerance > 0.0)
        {
            fail(
                at("audit_discrepancy.relative_tolerance"),
                format!(
                    "expected a positive tolerance, got {}",
                    d.relative_tolerance
                ),
            );
        }
    }
    if !probability(p.whistleblower.protection) {
        fail(
            "whistleblower.protection".into(),
            format!(
                "expected a probability in [0, 1], got {}",
                p.whistleblower.protection
            ),
        );
    }
    if p.whistleblower.enabled && p.whistleblower.receipts_to_trigger_audit == 0 {
        fail(
            "whistleblower.receipts_to_trigger_audit".into(),
            "expected at least 1 receipt".into(),
        );
    }
    let monitors = &p.whistleblower.monitors;
    if monitors.len() > MAX_REPORT_MONITORS {
        fail(
            "whistleblower.monitors".into(),
            format!(
                "expected at most {MAX_REPORT_MONITORS} monitors, got {}",
                monitors.len()
            ),
        );
    }
    for (i, id) in monitors.iter().enumerate() {
        if id.is_empty() || id.len() > MAX_ID_LEN {
            fail(
                format!("whistleblower.monitors[{i}]"),
                format!("expected a participant id of 1 to {MAX_ID_LEN} bytes"),
            );
        } else if id == "reporter" {
            fail(
                format!("whistleblower.monitors[{i}]"),
                "\"reporter\" is the channel's name for the reporter; choose another id".into(),
            );
        } else if monitors[..i].contains(id) {
            fail(
                format!("whistleblower.monitors[{i}]"),
                format!("{id} is listed twice"),
            );
        }
    }
    if !monitors.is_empty() && !p.whistleblower.enabled {
        fail(
            "whistleblower.monitors".into(),
            "the channel needs whistleblower.enabled = true".into(),
        );
    }
    let s = &p.sanctions;
    if s.enabled && s.ladder.is_empty() {
        fail(
            "sanctions.ladder".into(),
            "sanctions are enabled but the ladder is empty".into(),
        );
    }
    if s.enabled && !(1..=s.ladder.len().max(1)).contains(&(s.escalation_per_breach as usize)) {
        fail(
            "sanctions.escalation_per_breach".into(),
            format!(
                "expected 1 to {} rungs per breach (the ladder's length), got {}",
                s.ladder.len().max(1),
                s.escalation_per_breach
            ),
        );
    }
    let mut rung_names = BTreeSet::new();
    for (i, rung) in s.ladder.iter().enumerate() {
        if rung.expels && i + 1 < s.ladder.len() {
            fail(
                format!("sanctions.ladder[{i}].expels"),
                "only the top rung may expel: a further breach would move the lab past its expulsion"
                    .into(),
            );
        }
        if rung.fine_credits > MAX_CREDITS_PER_ISSUANCE {
            fail(
                format!("sanctions.ladder[{i}].fine_credits"),
                format!(
                    "expected at most {MAX_CREDITS_PER_ISSUANCE} credits, got {}",
                    rung.fine_credits
                ),
            );
        }
        // A fine in a protocol without credits is a debt nothing can ever
        // settle: the lab would be denied compute for good.
        if s.enabled && rung.fine_credits > 0 && !p.credits.enabled {
            fail(
                format!("sanctions.ladder[{i}].fine_credits"),
                "a fine needs [credits] enabled = true (nothing could ever pay it); set it to 0 or enable credits"
                    .into(),
            );
        }
        if !rung_names.insert(rung.name.as_str()) {
            fail(
                format!("sanctions.ladder[{i}].name"),
                format!("rung {:?} appears twice", rung.name),
            );
        }
    }
    let w = &p.leaderboard.weights;
    let weights = [
        ("audit_pass_rate", w.audit_pass_rate),
        ("credits", w.credits),
        ("commitments_kept", w.commitments_kept),
        ("sanction_standing", w.sanction_standing),
        ("reporting_completeness", w.reporting_completeness),
    ];
    for (name, value) in weights {
        if !(value.is_finite() && value >= 0.0) {
            fail(
                format!("leaderboard.weights.{name}"),
                format!("expected a weight ≥ 0, got {value}"),
            );
        }
    }
    if p.leaderboard.enabled && weights.iter().map(|w| w.1).sum::<f64>() <= 0.0 {
        fail(
            "leaderboard.weights".into(),
            "at least one weight must be positive".into(),
        );
    }
    if p.leaderboard.enabled && p.leaderboard.window_periods == 0 {
        fail(
            "leaderboard.window_periods".into(),
            "expected at least 1 period".into(),
        );
    }
    let indices = &p.leaderboard.indices;
    if indices.len() > MAX_INDICES {
        fail(
            "leaderboard.indices".into(),
            format!(
                "expected at most {MAX_INDICES} indices, got {}",
                indices.len()
            ),
        );
    }
    if !indices.is_empty() && !p.leaderboard.enabled {
        fail(
            "leaderboard.enabled".into(),
            "rating indices are declared but the leaderboard is off, so no assessment would be accepted"
                .into(),
        );
    }
    let mut index_ids = BTreeSet::new();
    for (k, index) in indices.iter().enumerate() {
        let at = format!("leaderboard.indices[{k}]");
        if let Err(e) = crate::state::check_id("id", &index.id) {
            fail(format!("{at}.id"), e.to_string());
        } else if !index_ids.insert(index.id.as_str()) {
            fail(
                format!("{at}.id"),
                format!("index {:?} appears twice", index.id),
            );
        }
        for (field, message) in crate::ratings::check_index(index) {
            fail(format!("{at}.{field}"), message);
        }
    }
    problems
}

/// Span of the value at a dotted path such as `pacts.pact[1].threshold`.
fn span_of(table: &DeTable<'_>, path: &str) -> Option<Range<usize>> {
    let mut current: Option<&DeValue<'_>> = None;
    let mut span = None;
    let segments: Vec<&str> = path.split('.').collect();
    let mut next = 0;
    while next < segments.len() {
        let map = match current {
            None => table,
            Some(DeValue::Table(t)) => t,
            _ => return span,
        };
        // A quoted key may hold dots and brackets (`"lab[0].speed" = …` in
        // `[uncertainty]`): the longest run of segments that names a key wins.
        // A field the file leaves out is located at the nearest table it has.
        let found = (next + 1..=segments.len()).rev().find_map(|end| {
            let literal = segments[next..end].join(".");
            if let Some((_, value)) = map.iter().find(|(k, _)| k.get_ref().as_ref() == literal) {
                next = end;
                return Some((None, value));
            }
            let (inner, last) = (&segments[next..end - 1], segments[end - 1]);
            if inner.iter().any(|segment| segment.contains('[')) {
                return None;
            }
            let (last, index) = match last.split_once('[') {
                Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (last, None),
            };
            let key = [inner, &[last]].concat().join(".");
            let (_, value) = map.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
            next = end;
            Some((index, value))
        });
        let Some((index, value)) = found else {
            return span;
        };
        span = Some(value.span());
        current = Some(value.get_ref());
        if let Some(i) = index {
            let DeValue::Array(items) = value.get_ref() else {
                return span;
            };
            let Some(item) = items.get(i) else {
                return span;
            };
            span = Some(item.span());
            current = Some(item.get_ref());
        }
    }
    span
}

/// The dotted path of the value (or key) at `offset`, searching the whole
/// document: table headers do not span their contents, so every leaf is visited.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let document = DeTable::parse(text).ok()?;
    find_in_table(document.get_ref(), offset, "")
}

fn find_in_table(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
    table.iter().find_map(|(key, value)| {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if key.span().contains(&offset) {
            return Some(path);
        }
        find_in_value(value.get_ref(), value.span(), offset, &path)
    })
}

fn find_in_value(
    value: &DeValue<'_>,
    span: Range<usize>,
    offset: usize,
    path: &str,
) -> Option<String> {
    match value {
        DeValue::Table(inner) => find_in_table(inner, offset, path)
            .or_else(|| span.contains(&offset).then(|| path.to_string())),
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| {
                find_in_value(item.get_ref(), item.span(), offset, &format!("{path}[{i}]"))
            })
            .or_else(|| span.contains(&offset).then(|| path.to_string())),
        _ => span.contains(&offset).then(|| path.to_string()),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
