//! Witnesses over HTTP: the C2SP tlog-witness `add-checkpoint` endpoint
//! for an [`accord_log::Witness`] (what `accord witness serve` runs), and
//! the registry's side, an endpoint that posts to a witness's URL.

use accord_log::witness::{WitnessEndpoint, WitnessResponse};
use accord_log::{AnyStorage, Witness};
pub use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::sync::Arc;
use std::time::Duration;

/// Largest `add-checkpoint` body accepted (a checkpoint note and a proof).
const MAX_ADD_CHECKPOINT_BYTES: usize = 512 * 1024;
/// How long the registry waits for one witness.
const WITNESS_TIMEOUT: Duration = Duration::from_secs(5);

/// The witness's routes: `POST /add-checkpoint`.
pub fn router(witness: Arc<Witness<AnyStorage>>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_ADD_CHECKPOINT_BYTES))
        .with_state(witness)
}

async fn add_checkpoint(State(witness): State<Arc<Witness<AnyStorage>>>, body: Bytes) -> Response {
    let response = witness.add_checkpoint(&body).await;
    let status =
        StatusCode::from_u16(response.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, response.content_type())],
        response.body(),
    )
        .into_response()
}

/// A witness reached over HTTP at its base URL.
#[derive(Debug, Clone)]
pub struct HttpWitness {
    url: String,
    http: reqwest::Client,
}

impl HttpWitness {
    /// The witness whose `add-checkpoint` is at `{base}/add-checkpoint`.
    pub fn new(base: &str) -> Self {
        Self {
            url: format!("{}/add-checkpoint", base.trim_end_matches('/')),
            http: reqwest::Client::builder()
                .timeout(WITNESS_TIMEOUT)
                .build()
                .expect("a client without TLS builds"),
        }
    }
}

impl WitnessEndpoint for HttpWitness {
    async fn add_checkpoint(&self, body: String) -> WitnessResponse {
        let response = match self.http.post(&self.url).body(body).send().await {
            Ok(r) => r,
            Err(e) => return WitnessResponse::Internal(format!("{} unreachable: {e}", self.url)),
        };
        let status = response.status().as_u16();
        match response.text().await {
            Ok(text) => WitnessResponse::from_http(status, &text)
                .unwrap_or_else(|e| WitnessResponse::Internal(format!("{}: {e}", self.url))),
            Err(e) => WitnessResponse::Internal(format!("{}: {e}", self.url)),
        }
    }
}

/// Serves a witness's routes on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
