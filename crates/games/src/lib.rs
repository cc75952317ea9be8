//! Game models for Accord: symmetric matrix and group games, the published
//! models of the AI development race and of collective risk, and custom games
//! read from TOML.
//!
//! Everything here is pure computation: no I/O, no randomness, no threads.
//! The evolutionary dynamics that run on these games live in
//! `accord-dynamics`.

pub mod assurance;
pub mod cascade;
pub mod composition;
pub mod custom;
pub mod email_game;
pub mod equilibrium;
mod error;
mod game;
pub mod global_game;
mod group;
pub mod inspection;
pub mod liability_pool;
mod matrix;
pub mod models;
pub mod naming_game;
pub mod normal;
pub mod permits;
pub mod precipice;
mod roots;
pub mod threshold_model;

pub use error::GameError;
pub use game::Game;
pub use group::GroupGame;
pub use matrix::MatrixGame;

/// Strategy names must be present and distinct.
fn check_strategy_names(strategies: &[String]) -> Result<(), GameError> {
    if strategies.is_empty() {
        return Err(GameError::NoStrategies);
    }
    for (i, name) in strategies.iter().enumerate() {
        if strategies[..i].contains(name) {
            return Err(GameError::DuplicateStrategy(name.clone()));
        }
    }
    Ok(())
}
