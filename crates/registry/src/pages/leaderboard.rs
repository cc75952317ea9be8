//! The leaderboard: the protocol's own standing of labs, and the rating
//! indices its raters assess (per-domain bars, each developer's trend over
//! editions, and each score's evidence down to the logged `assess` event).

use super::{
    PageQuery, ROWS_PER_PAGE, Shared, UrlPath, UrlQuery, bar, head, html_response, json_block,
    not_found, number, page_offset, pagination, segment, shell, trend, witnessed,
};
use accord_core::ratings::RatingIndex;
use accord_core::state::{EditionScores, competition_ranks};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

/// `?edition=&page=`.
#[derive(Debug, Deserialize)]
pub(super) struct TableQuery {
    edition: Option<String>,
    page: Option<usize>,
}

/// What the browser checks against a cited `assess` entry.
#[derive(Serialize)]
struct AssessClaim<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// The rater.
    author: &'a str,
    index: &'a str,
    edition: &'a str,
    lab: &'a str,
    /// The score shown, recomputed in the browser from the entry's answers.
    score: f64,
}

/// `/` and `/leaderboard`.
pub(super) async fn home(
    State(registry): State<Shared>,
    UrlQuery(query): UrlQuery<PageQuery>,
) -> Response {
    let (view, provenance) = match witnessed(&registry) {
        Ok(witnessed) => witnessed,
        Err(page) => return *page,
    };
    let state = view.replica.state();
    let standing = state.leaderboard();
    let ranks = competition_ranks(standing.iter().map(|row| row.score));
    let (page, offset) = page_offset(query.page, standing.len());
    let indices = state.rating_indices();
    let main = html! {
        @if state.protocol().leaderboard.enabled {
            section aria-labelledby="standing" {
                h2 #standing { "Standing under the protocol" }
                p { "Each lab's weighted score from its audits, credits, kept commitments, sanctions and reporting, recomputed from the whole log by " code { "accord registry audit" } "." }
                table {
                    caption { (standing.len()) " labs by protocol score, best first" }
                    (head(&["Rank", "Lab", "Score"]))
                    tbody {
                        @for (rank, row) in ranks.iter().zip(&standing).skip(offset).take(ROWS_PER_PAGE) {
                            tr {
                                td { (rank) }
                                th scope="row" { (row.lab) }
                                td { (bar(row.score, &format!("{} scores {:.0}%", row.lab, row.score * 100.0))) " " (number(row.score * 100.0)) "%" }
                            }
                        }
                    }
                }
                (pagination("/leaderboard", page, standing.len()))
            }
        }
        section aria-labelledby="indices" {
            h2 #indices { "Rating indices" }
            @if indices.is_empty() {
                p { "This protocol declares no rating index." }
            } @else {
                ul {
                    @for index in indices {
                        li {
                            a href={"/leaderboard/" (segment(&index.id))} { (index.title) }
                            " — editions " (index.editions.join(", "))
                            @if !index.attribution.is_empty() { br; small { (index.attribution) } }
                        }
                    }
                }
            }
        }
    };
    html_response(shell("Leaderboard", &provenance, main))
}

/// `/leaderboard/{index}`: one edition's scores, paginated.
pub(super) async fn index_page(
    State(registry): State<Shared>,
    UrlPath(index_id): UrlPath<String>,
    UrlQuery(query): UrlQuery<TableQuery>,
) -> Response {
    let (view, provenance) = match witnessed(&registry) {
        Ok(witnessed) => witnessed,
        Err(page) => return *page,
    };
    let state = view.replica.state();
    let (Some(index), Some(editions)) = (
        state.rating_indices().iter().find(|i| i.id == index_id),
        state.index_scores(&index_id),
    ) else {
        return not_found(&provenance, &format!("No rating index {index_id:?}."));
    };
    let e = match &query.edition {
        Some(edition) => match index.edition_index(edition) {
            Some(e) => e,
            None => {
                return not_found(
                    &provenance,
                    &format!("{} has no edition {edition:?}.", index.title),
                );
            }
        },
        None => editions.len() - 1,
    };
    let edition = &editions[e];
    let (page, offset) = page_offset(query.page, edition.rows.len());
    let ranks = competition_ranks(edition.rows.iter().map(|row| row.score));
    let rows: Vec<_> = ranks
        .iter()
        .zip(&edition.rows)
        .skip(offset)
        .take(ROWS_PER_PAGE)
        .collect();
    let base = format!(
        "/leaderboard/{}?edition={}",
        segment(&index.id),
        segment(&edition.edition)
    );
    let main = html! {
        (about(index))
        nav aria-label="Editions" {
            ul.editions {
                @for other in &editions {
                    li {
                        @if other.edition == edition.edition {
                            a href={"/leaderboard/" (segment(&index.id)) "?edition=" (segment(&other.edition))} aria-current="page" { (other.edition) }
                        } @else {
                            a href={"/leaderboard/" (segment(&index.id)) "?edition=" (segment(&other.edition))} { (other.edition) }
                        }
                    }
                }
            }
        }
        table #scores {
            caption { "Edition " (edition.edition) ": " (edition.rows.len()) " developers, best first; score out of " (number(edition.max_score)) }
            thead {
                tr {
                    th scope="col" { "Rank" }
                    th scope="col" { "Developer" }
                    th scope="col" { "Score" }
                    @for domain in &index.domains { th scope="col" { (domain.title) } }
                    th scope="col" { "Trend" }
                    th scope="col" { "Evidence" }
                }
            }
            tbody {
                @for (rank, row) in &rows {
                    @let entry = view.replica.assessment_entry(&index.id, &edition.edition, &row.lab);
                    @let claim = AssessClaim { kind: "assess", author: &row.rater, index: &index.id, edition: &edition.edition, lab: &row.lab, score: row.score };
                    tr data-entry=[entry] data-claim=(serde_json::to_string(&claim).expect("claims serialise")) {
                        td { (rank) }
                        th.lab scope="row" { (row.lab) }
                        td.score { (number(row.score)) @if let Some(grade) = row.grade { " (" (grade) ")" } }
                        @for (d, share) in row.domains.iter().enumerate() {
                            td.domain data-domain=(index.domains[d].id) {
                                @if let Some(share) = share {
                                    (bar(*share, &format!("{}: {:.0}% of {}", row.lab, share * 100.0, index.domains[d].title)))
                                    " " span.share { (number(share * 100.0)) "%" }
                                } @else { span.share { "—" } }
                            }
                        }
                        td { (trend(&series(&editions, &row.lab), edition.max_score.max(1.0), &format!("{}'s score by edition", row.lab))) }
                        td {
                            a href={"/leaderboard/" (segment(&index.id)) "/" (segment(&edition.edition)) "/" (segment(&row.lab))} { "indicators" }
                            @if let Some(entry) = entry { ", entry " a href={"/v1/log/entries/" (entry)} { "#" (entry) } }
                        }
                    }
                }
            }
        }
        (pagination(&base, page, edition.rows.len()))
        table #trends {
            caption { "Scores by edition (the trend charts' data)" }
            thead {
                tr {
                    th scope="col" { "Developer" }
                    @for other in &editions { th scope="col" { (other.edition) } }
                }
            }
            tbody {
                @for (_, row) in &rows {
                    tr {
                        th scope="row" { (row.lab) }
                        @for score in series(&editions, &row.lab) {
                            td { @if let Some(score) = score { (number(score)) } @else { "—" } }
                        }
                    }
                }
            }
        }
        script #index-definition type="application/json" { (json_block(index)) }
    };
    html_response(shell(&index.title, &provenance, main))
}

/// `/leaderboard/{index}/{edition}/{lab}`: a score's indicators and its entry.
pub(super) async fn evidence_page(
    State(registry): State<Shared>,
    UrlPath((index_id, edition, lab)): UrlPath<(String, String, String)>,
) -> Response {
    let (view, provenance) = match witnessed(&registry) {
        Ok(witnessed) => witnessed,
        Err(page) => return *page,
    };
    let state = view.replica.state();
    let index = state.rating_indices().iter().find(|i| i.id == index_id);
    let (Some(index), Some(assessment)) = (index, state.assessment(&index_id, &edition, &lab))
    else {
        return not_found(
            &provenance,
            &format!("No assessment of {lab:?} in {index_id:?} edition {edition:?}."),
        );
    };
    let entry = view.replica.assessment_entry(&index_id, &edition, &lab);
    let claim = AssessClaim {
        kind: "assess",
        author: &assessment.score.rater,
        index: &index.id,
        edition: &edition,
        lab: &lab,
        score: assessment.score.score,
    };
    let score = &assessment.score;
    let main = html! {
        (about(index))
        dl #assessment data-entry=[entry] data-claim=(serde_json::to_string(&claim).expect("claims serialise")) {
            dt { "Score" } dd.score { (number(score.score)) @if let Some(grade) = score.grade { " (" (grade) ")" } }
            dt { "Rater" } dd.rater { (score.rater) }
            dt { "Event" } dd { "#" (score.seq) " of the rater, period " (score.period) }
            dt { "Log entry" } dd { @if let Some(entry) = entry { a href={"/v1/log/entries/" (entry)} { "#" (entry) } } @else { "not found" } }
            @if score.revisions > 0 { dt { "Revisions" } dd { "replaces " (score.revisions) " earlier assessment(s)" } }
            @if !assessment.evidence.is_empty() { dt { "Rater's evidence" } dd { (assessment.evidence) } }
        }
        table #domains {
            caption { "Domain scores" }
            (head(&["Domain", "Share of its indicators' weight"]))
            tbody {
                @for (domain, share) in index.domains.iter().zip(&score.domains) {
                    @if let Some(share) = share {
                        tr data-domain=(domain.id) {
                            th scope="row" { (domain.title) }
                            td { (bar(*share, &format!("{}: {:.0}%", domain.title, share * 100.0))) " " span.share { (number(share * 100.0)) "%" } }
                        }
                    }
                }
            }
        }
        table #indicators {
            caption { (assessment.values.len()) " indicators in force in " (edition) }
            (head(&["Domain", "Indicator", "Value"]))
            tbody {
                @for value in &assessment.values {
                    @let indicator = index.indicators.iter().find(|i| i.id == value.indicator).expect("the index defines it");
                    tr data-indicator=(indicator.id) data-value=(value.value) {
                        td { (indicator.domain) }
                        th.title scope="row" { (indicator.title) }
                        td.value { (number(value.value)) }
                    }
                }
            }
        }
        script #index-definition type="application/json" { (json_block(index)) }
    };
    html_response(shell(
        &format!("{} — {lab}, {edition}", index.title),
        &provenance,
        main,
    ))
}

/// An index's credit line and source.
fn about(index: &RatingIndex) -> Markup {
    html! {
        @if !index.attribution.is_empty() || index.source_url.is_some() {
            p.attribution {
                "Source: " (index.attribution)
                @if let Some(url) = &index.source_url { " " a href=(url) { (url) } }
            }
        }
    }
}

/// A developer's score in every edition (`None`: not assessed in it).
fn series(editions: &[EditionScores], lab: &str) -> Vec<Option<f64>> {
    editions
        .iter()
        .map(|e| e.rows.iter().find(|r| r.lab == lab).map(|r| r.score))
        .collect()
}
