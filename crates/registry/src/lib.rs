//! `accord-registry`: runs a protocol for real. A coordination body starts
//! it with one command; labs, monitors and compute providers send it events
//! signed with their own keys; every accepted event goes into a witnessed
//! transparency log, and the state it serves is the fold of the protocol
//! core over that log, so anyone can recompute every decision.
//!
//! * [`wire`] — the signed statements (events, genesis, access grants) and
//!   problem documents, as pure functions; an offline verifier builds this
//!   crate with `default-features = false` and links no database or runtime.
//! * [`replica`] — the state as a fold of the core over the log: one path
//!   for the server, its restart and an outside auditor.
//! * `service` and `http` (feature `server`) — the writer, the snapshot
//!   readers, and the HTTP API on axum.
//! * `pages` (feature `server`) — the public HTML pages, which the reader's
//!   browser verifies against the log.
//! * `client` (feature `client`) — the HTTP client and the audit.
//! * [`channel`] — the protected whistleblower channel: its bodies and
//!   signed requests (always), its service and routes (feature `server`).

pub mod channel;
pub mod replica;
pub mod wire;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod openapi;
#[cfg(feature = "server")]
mod pages;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
pub mod views;
#[cfg(feature = "server")]
pub mod witness;

#[cfg(feature = "server")]
pub use pages::evaluation::{EvaluationReport, load as load_evaluation};
pub use replica::{Admitted, Refusal, Replica};
#[cfg(feature = "server")]
pub use service::{Registry, RegistryConfig, RegistryError, Witnessing};
pub use wire::{AccessGrant, Genesis, Problem, SignedEvent, WireError, verify_grant};

/// Steps of 50 ms `serve` waits at shutdown for work still holding the
/// registry (a report being admitted) before it lets the process end.
#[cfg(feature = "server")]
const SHUTDOWN_WAIT_STEPS: usize = 600;

/// Default limit on requests in flight (more are answered 503 at once).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;

/// Serves `registry` on `listener` until `shutdown` completes, then lets
/// in-flight requests finish and closes the registry (its log included).
#[cfg(feature = "server")]
pub async fn serve(
    listener: tokio::net::TcpListener,
    registry: Registry,
    max_in_flight: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = std::sync::Arc::new(registry);
    let app = http::router(registry.clone(), max_in_flight);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    // A whistleblower report being admitted holds the registry until its
    // receipt is logged: wait for it (bounded) so the log closes cleanly.
    let mut registry = registry;
    for _ in 0..SHUTDOWN_WAIT_STEPS {
        match std::sync::Arc::try_unwrap(registry) {
            Ok(registry) => {
                registry.close().await;
                return Ok(());
            }
            Err(shared) => {
                registry = shared;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
    Ok(())
}

/// An error and its sources, joined as `error: cause: cause…`.
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
