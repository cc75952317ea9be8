//! The JSON bodies the registry answers with, as types: the HTTP handlers
//! serialise them and the OpenAPI document is generated from them. Core
//! values (the state, effects, access decisions, leaderboard rows) are
//! described as JSON objects whose structure the core's documentation gives.

use crate::wire::Genesis;
use accord_core::Role;
use accord_core::early_warning::Alert;
use accord_core::state::{AccessDecision, LeaderboardEntry, PactSummary};
use schemars::JsonSchema;
use serde::Serialize;

/// `GET /v1/registry`: who the registry is and what it runs.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistryInfo<'a> {
    /// Log origin (the log key's name).
    pub origin: &'a str,
    /// The log's verifier key (C2SP signed-note form).
    pub verifier_key: String,
    /// Log size this answer reflects.
    pub log_size: u64,
    /// Log entry 0: the protocol and the first secretariat key.
    pub genesis: &'a Genesis,
}

/// The state at a witnessed checkpoint.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WitnessedSummary {
    /// Log size of the witnessed checkpoint.
    pub log_size: u64,
    /// State hash after folding that many entries.
    pub state_hash: String,
    /// The checkpoint with its cosignatures (note text).
    pub checkpoint: String,
}

/// `GET /v1/state`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StateSummary {
    /// Durable log size this answer reflects.
    pub log_size: u64,
    /// Current protocol period.
    pub period: u32,
    /// Events applied.
    pub events_applied: u64,
    /// SHA-256 of the state's canonical JSON.
    pub state_hash: String,
    /// The log's signed checkpoint of `log_size` (not yet witnessed).
    pub checkpoint: String,
    /// The latest witnessed state (`null` before the witnesses first cosign).
    pub witnessed: Option<WitnessedSummary>,
    /// Why the last cosigning round failed, if it did.
    pub witness_failure: Option<String>,
    /// Whether the registry accepts events.
    pub accepting: bool,
}

/// `GET /v1/state/full`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FullState<'a> {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// The protocol core's whole state.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub state: &'a accord_core::State,
}

/// One participant.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ParticipantView<'a> {
    /// Participant id.
    pub id: &'a str,
    /// Its role.
    #[schemars(with = "Option<String>")]
    pub role: Option<Role>,
    /// Its Ed25519 public key, 64 hex digits.
    pub public_key: Option<String>,
}

/// `GET /v1/participants`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Participants<'a> {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// Everyone registered, in registration order.
    pub participants: Vec<ParticipantView<'a>>,
}

/// A lab's place on the sanction ladder.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SanctionView {
    /// Rung (0: none).
    pub level: u32,
    /// The rung's name.
    pub rung: String,
    /// Whether the lab is expelled.
    pub expelled: bool,
}

/// `GET /v1/labs/{lab}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LabView<'a> {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// The lab.
    pub lab: &'a str,
    /// Credits held.
    pub balance: Option<u64>,
    /// Credits owed.
    pub owed: Option<u64>,
    /// Sanction level.
    pub sanction: SanctionView,
    /// The period the lab left the protocol in (rule 25a); null while it has not.
    pub left_in_period: Option<u32>,
    /// The core's access decision, with every reason against.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub access: AccessDecision,
    /// Log indexes of its registration and latest events.
    pub evidence: Option<Vec<u64>>,
}

/// `GET /v1/leaderboard`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Leaderboard {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// Whether the protocol publishes a leaderboard; without one the rows
    /// are empty, as on the pages.
    pub published: bool,
    /// Rows, best first.
    #[schemars(with = "Vec<serde_json::Map<String, serde_json::Value>>")]
    pub leaderboard: Vec<LeaderboardEntry>,
}

/// `GET /v1/leaderboard/indices/{id}`: a rating index's scores, edition by edition.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IndexScores<'a> {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// The index as the protocol declares it (its score function).
    pub index: &'a accord_core::ratings::RatingIndex,
    /// Editions, oldest first.
    pub editions: Vec<EditionView>,
}

/// One edition of a rating index.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EditionView {
    /// Edition id.
    pub edition: String,
    /// Highest possible score.
    pub max_score: f64,
    /// Assessed labs, best first.
    pub rows: Vec<RatedLabView>,
}

/// A lab's score in one edition, with the log entry it comes from.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RatedLabView {
    /// The score and who gave it.
    #[serde(flatten)]
    pub score: accord_core::state::RatedLab,
    /// Log index of the `assess` event (prove it with `/v1/log/proof/{index}`).
    pub entry: Option<u64>,
}

/// `GET /v1/pacts`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Pacts {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// Each pact's pledges and status.
    #[schemars(with = "Vec<serde_json::Map<String, serde_json::Value>>")]
    pub pacts: Vec<PactSummary>,
}

/// `GET /v1/alerts`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Alerts<'a> {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// Alerts raised since genesis.
    pub alerts_raised: u64,
    /// The latest alerts.
    #[schemars(with = "Vec<serde_json::Map<String, serde_json::Value>>")]
    pub alerts: Vec<&'a Alert>,
}

/// One logged event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LoggedEvent {
    /// Log index.
    pub index: u64,
    /// The event.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub event: accord_core::Event,
    /// The signed note, verbatim (the log entry).
    pub signed: String,
}

/// `GET /v1/events`: logged events in log order, filtered.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventPage {
    /// Log size this answer reflects.
    pub log_size: u64,
    /// Events on this page.
    pub events: Vec<LoggedEvent>,
    /// Where the next page starts (`null` at the end of the log).
    pub next: Option<u64>,
}
