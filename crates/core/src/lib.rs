//! The protocol core of Accord: one protocol file and one deterministic state
//! machine for every institutional rule of the coordination framework —
//! credits, pacts, commitments, audits, alerts, sanctions, liability and
//! compute access.
//!
//! The crate is pure: no I/O, no clock, no threads. It turns a
//! [`Protocol`](spec::Protocol) plus a sequence of [`Event`](event::Event)s
//! into a [`State`](state::State), with the effects of each event and the
//! reasons for every decision. The same rules drive the simulator and the
//! registry.

pub mod early_warning;
pub mod event;
pub mod ratings;
pub mod spec;
pub mod state;
pub mod validate;

pub use event::{Event, EventBody, Role, Verdict};
pub use spec::Protocol;
pub use state::{Effect, Outcome, Rejection, State};
pub use validate::{FileErrors, parse_protocol};
