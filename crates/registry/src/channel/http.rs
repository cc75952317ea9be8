//! The channel's routes. Reporters' routes take a token or the receipt
//! code's inbox secret in a POST body (never in a URL, which proxies log);
//! monitors' routes take a signed request. No route reads the client's
//! address or headers other than `Accord-Signature`, and no response sets
//! a cookie.
//!
//! * `GET /v1/channel/keys` — the monitors' report keys, the issuers' token keys.
//! * `POST /v1/channel/reports` — submit a sealed report with a token.
//! * `POST /v1/channel/inbox` — the reporter reads their conversation.
//! * `POST /v1/channel/inbox/messages` — the reporter answers.
//! * `GET /v1/channel/reports?after=INDEX` — monitors list reports.
//! * `GET /v1/channel/reports/{commitment}` — a report and its conversation.
//! * `POST /v1/channel/reports/{commitment}/messages` — a monitor writes.

// Refusals are the API's problem documents, built on cold paths; boxing
// them would only move the allocation.
#![allow(clippy::result_large_err)]

use super::service::{Channel, MAX_MESSAGE_ENVELOPE_BYTES, no_channel};
use super::wire::{
    ChannelKeys, InboxMessage, InboxRequest, MonitorMessage, PublishedKey, ReportSubmission,
    SIGNATURE_HEADER,
};
use crate::service::Registry;
use crate::wire::Problem;
use accord_channel::envelope::MAX_ENVELOPE_BYTES;
use accord_core::event::ChannelKeyPurpose;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Largest report submission: a full envelope in base64, and the rest.
pub const MAX_REPORT_BODY_BYTES: usize = MAX_ENVELOPE_BYTES / 3 * 4 + 64 * 1024;
/// Largest message: a message envelope in base64, and the rest.
pub const MAX_MESSAGE_BODY_BYTES: usize = MAX_MESSAGE_ENVELOPE_BYTES / 3 * 4 + 4 * 1024;
/// Largest inbox request: one secret, but the same bound as every other
/// small body, so a malformed body is answered as malformed (400), not 413.
pub const MAX_INBOX_BODY_BYTES: usize = crate::http::MAX_BODY_BYTES;

type Shared = Arc<Registry>;

/// The channel's routes (answering 404 when the registry runs no channel).
pub fn routes() -> Router<Shared> {
    let limit = |bytes: usize| DefaultBodyLimit::max(bytes);
    Router::new()
        .route("/v1/channel/keys", get(keys))
        .route(
            "/v1/channel/reports",
            post(submit).layer(limit(MAX_REPORT_BODY_BYTES)).get(list),
        )
        .route("/v1/channel/reports/{commitment}", get(report))
        .route(
            "/v1/channel/reports/{commitment}/messages",
            post(monitor_message).layer(limit(MAX_MESSAGE_BODY_BYTES)),
        )
        .route(
            "/v1/channel/inbox",
            post(inbox).layer(limit(MAX_INBOX_BODY_BYTES)),
        )
        .route(
            "/v1/channel/inbox/messages",
            post(reporter_message).layer(limit(MAX_MESSAGE_BODY_BYTES)),
        )
}

/// The body, or the problem that kept it from arriving (413 when too large).
fn read(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Problem> {
    body.map_err(|rejection| {
        let status = rejection.status().as_u16();
        Problem::new(
            status,
            "unreadable-body",
            "Unreadable request body",
            rejection.body_text(),
        )
        .field("body")
    })
}

/// The body as `T`, or the problem naming what is wrong with it.
fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, Problem> {
    parse_bytes(&read(body)?)
}

fn parse_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::new(400, "malformed", "Malformed channel request", e.to_string()).field("body")
    })
}

/// The report's commitment from the URL, or the problem naming it
/// (a path that is not UTF-8, for one).
fn commitment_in_path(commitment: Result<Path<String>, PathRejection>) -> Result<String, Problem> {
    commitment
        .map(|Path(commitment)| commitment)
        .map_err(|rejection| {
            Problem::new(400, "bad-parameter", "Bad parameter", rejection.body_text())
                .field("commitment")
        })
}

fn answer<T: serde::Serialize>(result: Result<T, Problem>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn keys(State(registry): State<Shared>) -> Response {
    answer(
        async {
            registry.channel().ok_or_else(no_channel)?;
            let published = registry.published();
            let state = published.replica.state();
            let monitors = state
                .report_keys()
                .into_iter()
                .map(|(id, key)| PublishedKey {
                    id: id.to_string(),
                    key: key.map(str::to_string),
                })
                .collect();
            let issuers = state
                .participants()
                .filter_map(|id| match state.channel_key(id) {
                    Some((ChannelKeyPurpose::TokenSigning, key)) => Some(PublishedKey {
                        id: id.to_string(),
                        key: Some(key.to_string()),
                    }),
                    _ => None,
                })
                .collect();
            Ok(ChannelKeys {
                log_size: published.replica.log_size(),
                monitors,
                issuers,
            })
        }
        .await,
    )
}

async fn submit(State(registry): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    answer(async { Channel::submit_report(registry, parse::<ReportSubmission>(body)?).await }.await)
}

async fn inbox(State(registry): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    answer(
        async {
            let channel = registry.channel().ok_or_else(no_channel)?;
            channel.inbox(parse::<InboxRequest>(body)?).await
        }
        .await,
    )
}

async fn reporter_message(
    State(registry): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    answer(
        async {
            let channel = registry.channel().ok_or_else(no_channel)?;
            channel
                .reporter_message(&registry, parse::<InboxMessage>(body)?)
                .await
        }
        .await,
    )
}

fn signature(headers: &HeaderMap) -> Option<&str> {
    headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    after: u64,
}

async fn list(
    State(registry): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    answer(
        async {
            let channel = registry.channel().ok_or_else(no_channel)?;
            channel.authorise(
                &registry,
                signature(&headers),
                "GET",
                "/v1/channel/reports",
                b"",
            )?;
            let Query(ListQuery { after }) = query.map_err(|rejection| {
                Problem::new(400, "bad-parameter", "Bad parameter", rejection.body_text())
                    .field("after")
            })?;
            channel.reports(after).await
        }
        .await,
    )
}

async fn report(
    State(registry): State<Shared>,
    headers: HeaderMap,
    commitment: Result<Path<String>, PathRejection>,
) -> Response {
    answer(
        async {
            let commitment = commitment_in_path(commitment)?;
            let channel = registry.channel().ok_or_else(no_channel)?;
            let path = format!("/v1/channel/reports/{commitment}");
            channel.authorise(&registry, signature(&headers), "GET", &path, b"")?;
            channel.report(&commitment).await
        }
        .await,
    )
}

async fn monitor_message(
    State(registry): State<Shared>,
    headers: HeaderMap,
    commitment: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    answer(
        async {
            let commitment = commitment_in_path(commitment)?;
            let channel = registry.channel().ok_or_else(no_channel)?;
            let bytes = read(body)?;
            let path = format!("/v1/channel/reports/{commitment}/messages");
            let monitor =
                channel.authorise(&registry, signature(&headers), "POST", &path, &bytes)?;
            channel
                .monitor_message(
                    &registry,
                    &monitor,
                    &commitment,
                    parse_bytes::<MonitorMessage>(&bytes)?,
                )
                .await
        }
        .await,
    )
}
