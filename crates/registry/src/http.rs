//! The registry's HTTP API (axum). Writes are `POST /v1/events` with a
//! signed event as the body; every refusal is an RFC 9457 problem document
//! (`application/problem+json`) naming the rule and the field. Reads are
//! JSON and carry the log size they reflect; the log itself is served at
//! the C2SP tlog-tiles paths (`/checkpoint`, `/tile/…`).
//!
//! Limits: request bodies up to [`MAX_BODY_BYTES`]; at most
//! `max_in_flight` requests at once (more get 503 at once, so memory stays
//! bounded whatever clients do).

use crate::service::{Registry, internal, not_witnessed, unknown_lab};
use crate::views::{
    Alerts, EditionView, EventPage, IndexScores, LabView, Leaderboard, LoggedEvent, Pacts,
    ParticipantView, Participants, RatedLabView, RegistryInfo, SanctionView, StateSummary,
    WitnessedSummary,
};
use crate::wire::{Problem, SignedEvent};
use accord_core::event::EventBody;
use accord_log::merkle::MAX_TREE_SIZE;
use accord_log::tile::{MAX_ENTRY_SIZE, TilePath};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Largest request body: one log entry.
pub const MAX_BODY_BYTES: usize = MAX_ENTRY_SIZE;
/// Longest a request may take, body included.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Whistleblower reports uploading at once (each may take minutes and up
/// to 11 MiB of memory).
pub const MAX_REPORT_UPLOADS: usize = 8;
/// Longest a whistleblower report's upload may take, body included.
pub const REPORT_UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

type Shared = Arc<Registry>;

/// The registry's routes, with the in-flight limit and body limit applied.
pub fn router(registry: Shared, max_in_flight: usize) -> Router {
    let permits = Arc::new(Semaphore::new(max_in_flight));
    let uploads = Arc::new(Semaphore::new(MAX_REPORT_UPLOADS));
    Router::new()
        .route("/v1/events", post(submit).get(events))
        .route("/v1/registry", get(registry_info))
        .route("/v1/state", get(state_summary))
        .route("/v1/state/full", get(state_full))
        .route("/v1/participants", get(participants))
        .route("/v1/labs/{lab}", get(lab))
        .route("/v1/leaderboard", get(leaderboard))
        .route("/v1/leaderboard/indices/{id}", get(index_scores))
        .route("/v1/pacts", get(pacts))
        .route("/v1/alerts", get(alerts))
        .route("/v1/access/{lab}", get(access))
        .route("/v1/log/entries/{index}", get(entry))
        .route("/v1/log/proof/{index}", get(proof))
        .route("/v1/log/consistency", get(consistency))
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*path}", get(tile))
        .merge(crate::channel::http::routes())
        .merge(crate::pages::routes())
        .route(
            "/openapi.json",
            get(|| async { Json(crate::openapi::document()) }),
        )
        .method_not_allowed_fallback(|| async {
            Problem::new(
                405,
                "method-not-allowed",
                "Method not allowed",
                "this endpoint does not take that method; see /openapi.json",
            )
        })
        .fallback(|| async {
            Problem::new(
                404,
                "not-found",
                "Not found",
                "no such endpoint; see /v1/registry",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let permits = permits.clone();
            let uploads = uploads.clone();
            async move {
                // A report of several MiB over Tor takes minutes to arrive;
                // few such uploads may be open at once.
                let upload = request.uri().path() == "/v1/channel/reports"
                    && request.method() == axum::http::Method::POST;
                let (limit, _upload_permit) = if upload {
                    match uploads.clone().try_acquire_owned() {
                        Ok(permit) => (REPORT_UPLOAD_TIMEOUT, Some(permit)),
                        Err(_) => {
                            return Problem::new(
                                503,
                                "overloaded",
                                "Registry busy",
                                "too many reports are uploading; retry in a minute",
                            )
                            .into_response();
                        }
                    }
                } else {
                    (REQUEST_TIMEOUT, None)
                };
                match permits.try_acquire() {
                    // A slow client (a body trickling in) cannot hold a permit for ever.
                    Ok(_permit) => tokio::time::timeout(limit, next.run(request))
                        .await
                        .unwrap_or_else(|_| {
                            Problem::new(
                                408,
                                "timeout",
                                "Request timeout",
                                "the request took too long to arrive or to answer",
                            )
                            .into_response()
                        }),
                    Err(_) => Problem::new(
                        503,
                        "overloaded",
                        "Registry busy",
                        "too many requests in flight; retry later",
                    )
                    .into_response(),
                }
            }
        }))
        .with_state(registry)
}

async fn submit(State(registry): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status().as_u16();
            let (rule, title) = if status == 413 {
                ("too-large", "Request body too large")
            } else {
                ("unreadable-body", "Unreadable request body")
            };
            return Problem::new(status, rule, title, rejection.body_text())
                .field("body")
                .into_response();
        }
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return Problem::new(
            400,
            "malformed",
            "Malformed signed event",
            "the body is not UTF-8",
        )
        .field("body")
        .into_response();
    };
    match registry.submit(text).await {
        Ok(receipt) => Json(receipt).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn registry_info(State(registry): State<Shared>) -> Response {
    let published = registry.published();
    Json(RegistryInfo {
        origin: registry.log().origin(),
        verifier_key: registry.log().verifier().vkey(),
        log_size: published.replica.log_size(),
        genesis: published.replica.genesis(),
    })
    .into_response()
}

async fn state_summary(State(registry): State<Shared>) -> Response {
    let witnessed = registry.witnessed().map(|w| WitnessedSummary {
        log_size: w.replica.log_size(),
        state_hash: w.state_hash().to_string(),
        checkpoint: w.checkpoint_text(),
    });
    let witness_failure = registry.witness_failure();
    let published = registry.published();
    let state = published.replica.state();
    Json(StateSummary {
        log_size: published.replica.log_size(),
        period: state.period(),
        events_applied: state.events_applied(),
        state_hash: published.state_hash().to_string(),
        checkpoint: published.checkpoint_text(),
        witnessed,
        witness_failure,
        accepting: registry.accepting(),
    })
    .into_response()
}

async fn state_full(State(registry): State<Shared>) -> Response {
    let body = registry.published().full_json();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn participants(State(registry): State<Shared>) -> Response {
    let published = registry.published();
    let state = published.replica.state();
    let participants = state
        .participants()
        .map(|id| ParticipantView {
            id,
            role: state.role(id),
            public_key: published.replica.key_of(id).map(|k| crate::wire::hex(&k)),
        })
        .collect();
    Json(Participants {
        log_size: published.replica.log_size(),
        participants,
    })
    .into_response()
}

async fn lab(State(registry): State<Shared>, lab: Result<Path<String>, PathRejection>) -> Response {
    let Path(lab) = match lab {
        Ok(lab) => lab,
        Err(rejection) => return bad_parameter("lab", &rejection.body_text()),
    };
    let published = registry.published();
    let state = published.replica.state();
    let (Some((level, rung, expelled)), Some(evidence)) =
        (state.sanction(&lab), published.replica.evidence(&lab))
    else {
        return unknown_lab(&lab).into_response();
    };
    Json(LabView {
        log_size: published.replica.log_size(),
        lab: &lab,
        balance: state.balance(&lab),
        owed: state.owed(&lab),
        sanction: SanctionView {
            level,
            rung,
            expelled,
        },
        left_in_period: state.left(&lab),
        access: state.access(&lab),
        evidence: Some(evidence),
    })
    .into_response()
}

async fn leaderboard(State(registry): State<Shared>) -> Response {
    let published = registry.published();
    let state = published.replica.state();
    let enabled = state.protocol().leaderboard.enabled;
    Json(Leaderboard {
        log_size: published.replica.log_size(),
        published: enabled,
        leaderboard: if enabled {
            state.leaderboard()
        } else {
            Vec::new()
        },
    })
    .into_response()
}

async fn index_scores(
    State(registry): State<Shared>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return bad_parameter("id", &rejection.body_text()),
    };
    // The witnessed state, as the pages show: every entry it cites is provable.
    let Some(published) = registry.witnessed() else {
        return not_witnessed().into_response();
    };
    let (replica, state) = (&published.replica, published.replica.state());
    let (Some(index), Some(editions)) = (
        state.rating_indices().iter().find(|i| i.id == id),
        state.index_scores(&id),
    ) else {
        return Problem::new(
            404,
            "unknown-index",
            "Unknown rating index",
            format!("the protocol declares no rating index {id:?}"),
        )
        .field("id")
        .into_response();
    };
    let editions = editions
        .into_iter()
        .map(|e| EditionView {
            rows: e
                .rows
                .into_iter()
                .map(|r| RatedLabView {
                    entry: replica.assessment_entry(&id, &e.edition, &r.lab),
                    score: r,
                })
                .collect(),
            edition: e.edition,
            max_score: e.max_score,
        })
        .collect();
    Json(IndexScores {
        log_size: replica.log_size(),
        index,
        editions,
    })
    .into_response()
}

async fn pacts(State(registry): State<Shared>) -> Response {
    let published = registry.published();
    Json(Pacts {
        log_size: published.replica.log_size(),
        pacts: published.replica.state().pacts(),
    })
    .into_response()
}

async fn alerts(State(registry): State<Shared>) -> Response {
    let published = registry.published();
    let (alerts, total) = published.replica.state().alerts();
    Json(Alerts {
        log_size: published.replica.log_size(),
        alerts_raised: total,
        alerts: alerts.iter().collect(),
    })
    .into_response()
}

/// A path or query parameter that does not parse.
fn bad_parameter(name: &str, why: &str) -> Response {
    Problem::new(400, "bad-parameter", "Bad parameter", why)
        .field(name)
        .into_response()
}

async fn access(
    State(registry): State<Shared>,
    lab: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(lab) = match lab {
        Ok(lab) => lab,
        Err(rejection) => return bad_parameter("lab", &rejection.body_text()),
    };
    match registry.access_grant(&lab).await {
        Ok(grant) => Json(grant).into_response(),
        Err(problem) => problem.into_response(),
    }
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The problem a log read's error is, naming `field`: the request field
/// that asked beyond the log (a tile's error always names its path).
fn log_problem(error: accord_log::LogError, field: &'static str) -> Response {
    use accord_log::LogError as E;
    match error {
        E::BeyondCheckpoint { .. } | E::Plan(_) => {
            Problem::new(404, "beyond-log", "Beyond the log", error.to_string())
                .field(field)
                .into_response()
        }
        E::Tile(_) => Problem::new(404, "bad-tile", "No such tile", error.to_string())
            .field("path")
            .into_response(),
        other => internal(other).into_response(),
    }
}

/// `Cache-Control` of the checkpoint: it changes as the log grows, and
/// tlog-tiles asks that it be cached for a few seconds at most. A cache
/// must ask again each time: a page rendered a moment ago must not meet an
/// older checkpoint, which the in-browser verifier would refuse.
const CHECKPOINT_CACHE: &str = "no-cache";
/// `Cache-Control` of a full tile or entry bundle: it never changes.
const FULL_TILE_CACHE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a partial tile: its bytes never change either, but
/// it is only wanted until the log fills the tile.
const PARTIAL_TILE_CACHE: &str = "public, max-age=60";

async fn checkpoint(State(registry): State<Shared>) -> Response {
    match registry.witnessed() {
        Some(published) => (
            [(header::CACHE_CONTROL, CHECKPOINT_CACHE)],
            text(published.checkpoint_text()),
        )
            .into_response(),
        None => not_witnessed().into_response(),
    }
}

async fn tile(
    State(registry): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(path) = match path {
        Ok(path) => path,
        Err(rejection) => return bad_parameter("path", &rejection.body_text()),
    };
    let parsed = match TilePath::parse(&format!("tile/{path}")) {
        Ok(p) => p,
        Err(e) => {
            return Problem::new(404, "bad-tile", "No such tile", e.to_string())
                .field("path")
                .into_response();
        }
    };
    let cache = if parsed.is_full() {
        FULL_TILE_CACHE
    } else {
        PARTIAL_TILE_CACHE
    };
    match registry.log().tile(&parsed).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (header::CACHE_CONTROL, cache),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => log_problem(e, "path"),
    }
}

async fn entry(
    State(registry): State<Shared>,
    index: Result<Path<u64>, PathRejection>,
) -> Response {
    let Path(index) = match index {
        Ok(index) => index,
        Err(rejection) => return bad_parameter("index", &rejection.body_text()),
    };
    let size = registry.published().replica.log_size();
    if index >= size {
        return Problem::new(
            404,
            "beyond-log",
            "Beyond the log",
            format!("entry {index} is beyond the published size {size}"),
        )
        .field("index")
        .into_response();
    }
    match registry.log().entry(index).await {
        Ok(bytes) => text(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => log_problem(e, "index"),
    }
}

/// Entries scanned by one `GET /v1/events` request.
pub const EVENTS_SCANNED_PER_PAGE: u64 = 1024;

/// `GET /v1/events` filters. An unknown one is refused rather than
/// ignored, so a misspelt filter never reads as "no such events".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    /// First log index to scan (default 1: after the genesis).
    start: Option<u64>,
    /// Only events by this author.
    author: Option<String>,
    /// Only events about this participant (as author or subject).
    about: Option<String>,
    /// Only events of this type (`publish_commitment`, `transfer`, …).
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The history: logged events in order, filtered by author, participant or
/// type, one page of at most [`EVENTS_SCANNED_PER_PAGE`] entries scanned
/// (follow `next`). Withdrawals, transfers and verdicts are all here:
/// nothing is ever deleted.
async fn events(
    State(registry): State<Shared>,
    query: Result<Query<EventQuery>, QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(query) => query,
        Err(rejection) => {
            let why = rejection.body_text();
            let unknown = why
                .split_once("unknown field `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(name, _)| name.to_string());
            return bad_parameter(unknown.as_deref().unwrap_or("start"), &why);
        }
    };
    if let Some(kind) = query.kind.as_deref().filter(|k| !EventBody::is_kind(k)) {
        return bad_parameter(
            "type",
            &format!(
                "no event has the type {kind:?}; types are snake_case event tags such as publish_commitment"
            ),
        );
    }
    if query.start.is_some_and(|s| s > MAX_TREE_SIZE) {
        return bad_parameter(
            "start",
            &format!("at most {MAX_TREE_SIZE} (the largest log)"),
        );
    }
    let size = registry.published().replica.log_size();
    let start = query.start.unwrap_or(1).max(1);
    if start >= size {
        return Json(EventPage {
            log_size: size,
            events: Vec::new(),
            next: None,
        })
        .into_response();
    }
    let end = size.min(start + EVENTS_SCANNED_PER_PAGE);
    let entries = match registry.log().entries(start, end).await {
        Ok(entries) => entries,
        Err(e) => return log_problem(e, "start"),
    };
    let mut events = Vec::new();
    for (index, entry) in (start..end).zip(entries) {
        let text = String::from_utf8_lossy(&entry).into_owned();
        let Ok(signed) = SignedEvent::parse(&text) else {
            return internal(format!("log entry {index} is not a signed event")).into_response();
        };
        let event = &signed.event;
        let keep = query.author.as_ref().is_none_or(|a| *a == event.author)
            && query.kind.as_ref().is_none_or(|k| k == event.body.kind())
            && query
                .about
                .as_ref()
                .is_none_or(|p| *p == event.author || event.body.subject() == Some(p.as_str()));
        if keep {
            events.push(LoggedEvent {
                index,
                event: signed.event,
                signed: text,
            });
        }
    }
    Json(EventPage {
        log_size: size,
        events,
        next: (end < size).then_some(end),
    })
    .into_response()
}

/// `?size=` for a proof in an earlier tree.
#[derive(Deserialize)]
struct SizeQuery {
    size: Option<u64>,
}

async fn proof(
    State(registry): State<Shared>,
    index: Result<Path<u64>, PathRejection>,
    query: Result<Query<SizeQuery>, QueryRejection>,
) -> Response {
    let (Path(index), Query(query)) = match (index, query) {
        (Ok(index), Ok(query)) => (index, query),
        (Err(rejection), _) => return bad_parameter("index", &rejection.body_text()),
        (_, Err(rejection)) => return bad_parameter("size", &rejection.body_text()),
    };
    let Some((size, checkpoint)) = registry
        .witnessed()
        .map(|w| (w.replica.log_size(), w.checkpoint_text()))
    else {
        return not_witnessed().into_response();
    };
    if query.size.is_some_and(|s| s != size) {
        return Problem::new(
            422,
            "size",
            "Proofs are served for the published checkpoint",
            format!("the published checkpoint has size {size}; use /v1/log/consistency to reach it from an earlier one"),
        )
        .field("size")
        .into_response();
    }
    match registry.log().inclusion_proof(index, size).await {
        Ok(proof) => text(
            accord_log::TlogProof {
                extra: None,
                index,
                proof,
                checkpoint,
            }
            .to_string(),
        ),
        Err(e) => log_problem(e, "index"),
    }
}

/// `?old=&new=` sizes of a consistency proof.
#[derive(Deserialize)]
struct ConsistencyQuery {
    old: u64,
    /// Default: the witnessed checkpoint's size, as for every other proof.
    new: Option<u64>,
}

async fn consistency(
    State(registry): State<Shared>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(query) => query,
        Err(rejection) => return bad_parameter("old", &rejection.body_text()),
    };
    let new = match query.new {
        Some(new) => new,
        None => match registry.witnessed() {
            Some(witnessed) => witnessed.replica.log_size(),
            None => return not_witnessed().into_response(),
        },
    };
    let size = registry.published().replica.log_size();
    if new > size {
        return Problem::new(
            404,
            "beyond-log",
            "Beyond the log",
            format!("tree size {new} is beyond the published size {size}"),
        )
        .field("new")
        .into_response();
    }
    if query.old == 0 || query.old > new {
        return bad_parameter(
            "old",
            &format!(
                "old is {}; it must be at least 1 (RFC 9162 defines no proof from the empty tree) and at most new ({new})",
                query.old
            ),
        );
    }
    match registry.log().consistency_proof(query.old, new).await {
        Ok(hashes) => text(
            hashes
                .iter()
                .map(|h| format!("{}\n", h.to_base64()))
                .collect(),
        ),
        Err(e) => log_problem(e, "old"),
    }
}
