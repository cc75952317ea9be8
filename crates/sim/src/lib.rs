//! The coordination simulator.
//!
//! A world of heterogeneous labs races, generation after generation, under a
//! protocol. The world holds the truth — who developed safely, true compute,
//! who tried to capture which monitor — and the institution, Accord's protocol
//! state machine ([`accord_core::State`]), sees only what a real registry
//! would: reports, audits and whistleblower receipts. Its outputs — credits,
//! sanctions, compute access, the leaderboard — feed back into the labs'
//! payoffs, and labs revise their strategies between generations.
//!
//! The model and its sources are documented in `docs/model.md`.

pub mod assumptions;
pub mod attack;
pub mod calibration;
pub mod claims;
pub mod design;
pub mod egta;
pub mod evaluation;
pub mod experiment;
pub mod families;
pub mod institution;
pub mod international;
pub mod lobbying;
pub mod market;
pub mod network;
pub mod norms;
pub mod parameters;
pub mod precipice;
pub mod race;
pub mod rationality;
pub mod robustness;
pub mod run;
pub mod search;
pub mod sensitivity;
pub mod shard;
pub mod stats;
pub mod strategy;
mod utility;
pub mod world;

pub use run::{RunOptions, RunResult, RunSummary, run};
pub use strategy::Strategy;
pub use world::World;
