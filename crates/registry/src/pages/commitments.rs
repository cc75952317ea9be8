//! The commitments explorer: every commitment, pledge, revision and
//! withdrawal, per participant and over time, read from the log entries
//! themselves (each row cites its entry), with word diffs between a
//! commitment and its revision.

use super::{
    PageQuery, ROWS_PER_PAGE, Shared, Shown, UrlPath, UrlQuery, head, html_response, not_found,
    page_offset, pagination, segment, shell, witnessed,
};
use crate::wire::SignedEvent;
use accord_core::EventBody;
use accord_core::state::{CommitmentStatus, CommitmentView};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::json;

/// Tokens beyond which a diff is shown as a whole replacement (the LCS
/// table is quadratic in them).
const MAX_DIFF_TOKENS: usize = 2_000;

/// `/commitments`: who committed to what, and the pacts.
pub(super) async fn index_page(
    State(registry): State<Shared>,
    UrlQuery(query): UrlQuery<PageQuery>,
) -> Response {
    let (view, provenance) = match witnessed(&registry) {
        Ok(witnessed) => witnessed,
        Err(page) => return *page,
    };
    let state = view.replica.state();
    let pacts = state.pacts();
    let participants: Vec<(&str, u64)> = state
        .participants()
        .map(|participant| (participant, view.replica.pledge_events(participant)))
        .filter(|&(_, events)| events > 0)
        .collect();
    let (page, offset) = page_offset(query.page, participants.len());
    // Counted for the rows shown only: each reads the participant's commitments.
    let rows: Vec<_> = participants
        .iter()
        .skip(offset)
        .take(ROWS_PER_PAGE)
        .map(|&(participant, events)| {
            let counts = counts(&state.commitments(participant).unwrap_or_default());
            let pledged: Vec<&str> = pacts
                .iter()
                .filter(|p| p.pledgers.iter().any(|l| l == participant))
                .map(|p| p.pact.as_str())
                .collect();
            (participant, counts, pledged.join(", "), events)
        })
        .collect();
    let main = html! {
        p { "Every commitment, revision, withdrawal, pledge and departure is a signed event in the log; nothing is ever removed. Choose a participant for its history, with the differences between revisions. Withdrawing a binding commitment is a breach: it counts as violated." }
        table #participants {
            caption { (participants.len()) " participants with commitments or pledges" }
            (head(&["Participant", "Active", "Revised", "Withdrawn", "Violated", "Pledged to", "Events"]))
            tbody {
                @for (participant, [active, revised, withdrawn, violated], pledged, events) in &rows {
                    tr {
                        th scope="row" { a href={"/commitments/" (segment(participant))} { (participant) } }
                        td { (active) } td { (revised) } td { (withdrawn) } td { (violated) }
                        td { (pledged) } td { (events) }
                    }
                }
            }
        }
        (pagination("/commitments", page, participants.len()))
        @if !pacts.is_empty() {
            table #pacts {
                caption { "Pacts: pledges bind once the threshold is reached" }
                (head(&["Pact", "Pledges", "Threshold", "Binding", "Resolved"]))
                tbody {
                    @for pact in &pacts {
                        tr {
                            th scope="row" { (pact.pact) }
                            td { (pact.pledgers.join(", ")) }
                            td { (pact.threshold) }
                            td { @if pact.binding { "yes" } @else { "no" } }
                            td { @match pact.resolved { Some(true) => "succeeded", Some(false) => "failed", None => "open" } }
                        }
                    }
                }
            }
        }
    };
    html_response(shell("Commitments", &provenance, main))
}

/// Active, revised, withdrawn and violated commitments. A binding one
/// withdrawn was violated: the withdrawal is a breach and owes its
/// compensation.
fn counts(commitments: &[CommitmentView]) -> [usize; 4] {
    let mut counts = [0; 4];
    for c in commitments {
        counts[match c.status {
            CommitmentStatus::Active => 0,
            CommitmentStatus::Revised { .. } => 1,
            CommitmentStatus::Withdrawn { .. } if !c.binding => 2,
            CommitmentStatus::Withdrawn { .. } | CommitmentStatus::Violated { .. } => 3,
        }] += 1;
    }
    counts
}

/// One row of a participant's history, read from its log entry.
struct HistoryRow {
    entry: u64,
    breach: bool,
    event: Option<accord_core::Event>,
}

/// `/commitments/{participant}`: its commitments as they stand, and its history.
pub(super) async fn participant_page(
    State(registry): State<Shared>,
    UrlPath(participant): UrlPath<String>,
    UrlQuery(query): UrlQuery<PageQuery>,
) -> Response {
    // Read what the snapshot says, then let it go before touching storage.
    let (provenance, commitments, history, total) = {
        let (view, provenance) = match witnessed(&registry) {
            Ok(witnessed) => witnessed,
            Err(page) => return *page,
        };
        let Some(commitments) = view.replica.state().commitments(&participant) else {
            return not_found(&provenance, &format!("No participant {participant:?}."));
        };
        let (history, total) = view.replica.pledge_history(&participant);
        (provenance, commitments, history, total)
    };
    let (page, offset) = page_offset(query.page, history.len());
    let mut rows = Vec::new();
    for &(entry, breach) in history.iter().rev().skip(offset).take(ROWS_PER_PAGE) {
        let event = match registry.log().entry(entry).await {
            Ok(bytes) => std::str::from_utf8(&bytes)
                .ok()
                .and_then(|text| SignedEvent::parse(text).ok())
                .map(|signed| signed.event),
            Err(_) => None,
        };
        rows.push(HistoryRow {
            entry,
            breach,
            event,
        });
    }
    let commitment = |id: &str| commitments.iter().find(|c| c.id == id);
    let text_of = |id: &str| commitment(id).map(|c| c.text.as_str());
    let base = format!("/commitments/{}", segment(&participant));
    let main = html! {
        p { a href="/commitments" { "All participants" } }
        table #standing {
            caption { (commitments.len()) " commitments as they stand" }
            (head(&["Commitment", "Text", "Binding", "Published", "Status"]))
            tbody {
                @for c in &commitments {
                    tr {
                        th scope="row" { (c.id) }
                        td { (Shown(&c.text)) }
                        td { @if c.binding { "yes, " (c.compensation) " credits" } @else { "no" } }
                        td { "period " (c.published_period) }
                        td { (status(c)) }
                    }
                }
            }
        }
        section aria-labelledby="history" {
            h2 #history { "History, latest first" }
            p { "A revision shows the words it added (highlighted green, " ins { "like this" } ") and removed (red, " del { "like this" } ") against the commitment it replaced." }
            @if total > history.len() as u64 {
                p { "The latest " (history.len()) " of " (total) " events; earlier ones are in the log (" code { "GET /v1/events?author=" (participant) } ")." }
            }
            // Numbered by their place among all its events, the first being 1.
            ol.history reversed start=(total.saturating_sub(offset as u64)) {
                @for row in &rows {
                    @match &row.event {
                        Some(event) => {
                            li data-entry=(row.entry) data-claim=(claim(event)) {
                                (describe(event, &text_of))
                                @if let Some(effect) = effect(event, row.breach, &commitment) { " " (effect) }
                                " " small { "period " (event.period) ", entry " a href={"/v1/log/entries/" (row.entry)} { "#" (row.entry) } }
                            }
                        }
                        None => { li { "Entry #" (row.entry) " could not be read." } }
                    }
                }
            }
        }
        (pagination(&base, page, history.len()))
    };
    html_response(shell(
        &format!("Commitments of {participant}"),
        &provenance,
        main,
    ))
}

fn status(c: &CommitmentView) -> Markup {
    html! {
        @match &c.status {
            CommitmentStatus::Active => "active",
            CommitmentStatus::Revised { period, by } => { "revised in period " (period) " by " (by) }
            CommitmentStatus::Withdrawn { period, reason } => {
                "withdrawn in period " (period)
                @if c.binding {
                    " (a breach: it was binding"
                    @if c.compensation > 0 { "; " (c.compensation) " credits of compensation owed" }
                    ")"
                }
                @if !reason.is_empty() { ": " (Shown(reason)) }
            }
            CommitmentStatus::Violated { period } => { "violated (found in period " (period) ")" }
        }
    }
}

/// What the browser checks against the entry: the fields the row shows.
fn claim(event: &accord_core::Event) -> String {
    let mut claim = json!({ "author": event.author, "type": event.body.kind() });
    match &event.body {
        EventBody::PublishCommitment {
            commitment,
            text,
            binding,
            revises,
            ..
        } => {
            claim["commitment"] = json!(commitment);
            claim["text"] = json!(text);
            claim["binding"] = json!(binding);
            // Always present: a row shown as a publication must not be a revision.
            claim["revises"] = json!(revises);
        }
        EventBody::WithdrawCommitment { commitment, reason } => {
            claim["commitment"] = json!(commitment);
            claim["reason"] = json!(reason);
        }
        EventBody::Pledge { pact } | EventBody::WithdrawPledge { pact } => {
            claim["pact"] = json!(pact);
        }
        EventBody::Leave { reason } => {
            claim["reason"] = json!(reason);
        }
        _ => {}
    }
    claim.to_string()
}

/// What a withdrawal did under the protocol, which its entry alone does
/// not say: it depends on the state the event met, so it comes from the
/// registry's replay (`breach`), outside the words the browser checks.
fn effect<'a>(
    event: &accord_core::Event,
    breach: bool,
    commitment: &impl Fn(&str) -> Option<&'a CommitmentView>,
) -> Option<Markup> {
    match &event.body {
        EventBody::WithdrawPledge { .. } if breach => Some(html! {
            span.effect.breach { "A breach: the pact binds, so the pledge stands." }
        }),
        EventBody::WithdrawPledge { .. } => {
            Some(html! { span.effect { "The pledge is withdrawn." } })
        }
        EventBody::Leave { .. } if breach => Some(html! {
            span.effect.breach {
                "A breach of every binding promise it held: their compensation is owed and binding pledges stand."
            }
        }),
        EventBody::Leave { .. } => Some(
            html! { span.effect { "No breach: nothing it held bound it that it had not already breached." } },
        ),
        EventBody::WithdrawCommitment { commitment: id, .. } if breach => {
            let owed = commitment(id).map_or(0, |c| c.compensation);
            Some(html! {
                span.effect.breach {
                    "A breach: the commitment was binding"
                    @if owed > 0 { "; " (owed) " credits of compensation are owed" }
                    "."
                }
            })
        }
        _ => None,
    }
}

/// What an event says, in words the browser rebuilds from the entry to check them.
fn describe<'a>(event: &accord_core::Event, text_of: &impl Fn(&str) -> Option<&'a str>) -> Markup {
    html! {
        span.what { @match &event.body {
            EventBody::PublishCommitment { commitment, text, binding, revises: Some(old), .. } => {
                strong { "Revised " (old) " as " (commitment) } @if *binding { " (binding)" } ": "
                @match text_of(old) {
                    Some(before) => span.diff { (diff(before, text)) },
                    None => (Shown(text)),
                }
            }
            EventBody::PublishCommitment { commitment, text, binding, .. } => {
                strong { "Published " (commitment) } @if *binding { " (binding)" } ": " (Shown(text))
            }
            EventBody::WithdrawCommitment { commitment, reason } => {
                strong { "Withdrew " (commitment) } @if !reason.is_empty() { ": " (Shown(reason)) }
            }
            EventBody::Pledge { pact } => { strong { "Pledged to " (pact) } }
            // Whether the pledge went is the effect's to say: a pact that binds keeps it.
            EventBody::WithdrawPledge { pact } => { strong { "Asked to withdraw its pledge to " (pact) } }
            EventBody::Leave { reason } => {
                strong { "Left the protocol" } @if !reason.is_empty() { ": " (Shown(reason)) }
            }
            other => { (other.kind()) }
        } }
    }
}

/// A word diff of `before` into `after`: removed words in `del`, added in `ins`.
fn diff(before: &str, after: &str) -> Markup {
    let a: Vec<&str> = before.split_inclusive(char::is_whitespace).collect();
    let b: Vec<&str> = after.split_inclusive(char::is_whitespace).collect();
    let ops = if a.len() * b.len() > MAX_DIFF_TOKENS * MAX_DIFF_TOKENS / 4 {
        vec![Op::Delete(before), Op::Insert(after)]
    } else {
        word_diff(&a, &b)
    };
    html! {
        @for op in ops {
            @match op {
                Op::Keep(t) => (Shown(t)),
                Op::Delete(t) => del { (Shown(t)) },
                Op::Insert(t) => ins { (Shown(t)) },
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Op<'a> {
    Keep(&'a str),
    Delete(&'a str),
    Insert(&'a str),
}

/// The longest common subsequence of tokens, as keep/delete/insert runs.
fn word_diff<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Keep(a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(Op::Insert(b[j]));
            j += 1;
        } else {
            ops.push(Op::Delete(a[i]));
            i += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<&str> {
        text.split_inclusive(char::is_whitespace).collect()
    }

    #[test]
    fn a_word_diff_keeps_what_is_common() {
        let (a, b) = (
            tokens("Publish a model card with every release."),
            tokens("Publish a model card with major releases."),
        );
        let ops = word_diff(&a, &b);
        let kept: String = ops
            .iter()
            .filter_map(|o| match o {
                Op::Keep(t) => Some(*t),
                _ => None,
            })
            .collect();
        assert_eq!(kept, "Publish a model card with ");
        assert!(ops.contains(&Op::Delete("every ")));
        assert!(ops.contains(&Op::Insert("major ")));
        // Applying the diff to the old text gives the new one.
        let rebuilt: String = ops
            .iter()
            .filter_map(|o| match o {
                Op::Keep(t) | Op::Insert(t) => Some(*t),
                Op::Delete(_) => None,
            })
            .collect();
        assert_eq!(rebuilt, "Publish a model card with major releases.");
    }
}
