//! Shared pieces of the simulator commands: loading the protocol and world
//! (embedded defaults when none is given) and setting parameters by path.

use crate::protocol::load_protocol;
use accord_core::{Protocol, parse_protocol};
use accord_sim::World;
use accord_sim::parameters::{protocol_with, world_with};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// The shipped global protocol, embedded so the main job runs anywhere.
pub const DEFAULT_PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
/// The shipped world of frontier labs.
pub const DEFAULT_WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");

/// The protocol file given, or the embedded global protocol.
pub fn protocol_or_default(path: Option<&Path>) -> Result<(String, Protocol)> {
    match path {
        Some(path) => Ok((path.display().to_string(), load_protocol(path)?)),
        None => Ok((
            "global-protocol.toml (embedded)".into(),
            parse_protocol(DEFAULT_PROTOCOL)
                .map_err(|e| anyhow::anyhow!("embedded protocol: {e}"))?,
        )),
    }
}

/// Reads and validates a world file; errors name the file.
pub fn load_world(path: &Path) -> Result<World> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_world(&text, &path.display().to_string())
}

fn parse_world(text: &str, source: &str) -> Result<World> {
    World::parse(text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        anyhow::anyhow!("{source} is not a valid world:\n{}", lines.join("\n"))
    })
}

/// The world file given, or the embedded world of frontier labs.
pub fn world_or_default(path: Option<&Path>) -> Result<(String, World)> {
    match path {
        Some(path) => Ok((path.display().to_string(), load_world(path)?)),
        None => Ok((
            "frontier-labs.toml (embedded)".into(),
            parse_world(DEFAULT_WORLD, "embedded world")?,
        )),
    }
}

/// Which file a parameter path addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The protocol file.
    Protocol,
    /// The world file.
    World,
}

/// Parses `protocol:monitoring.quorum` or `world:race.disaster_probability`.
pub fn parse_target(path: &str) -> Result<(Target, String)> {
    match path.split_once(':') {
        Some(("protocol", rest)) => Ok((Target::Protocol, rest.to_string())),
        Some(("world", rest)) => Ok((Target::World, rest.to_string())),
        _ => bail!(
            "parameter {path:?}: expected protocol:SECTION.FIELD or world:SECTION.FIELD (for example world:race.disaster_probability)"
        ),
    }
}

/// The protocol and world with parameters `(target, path, value)` set, each
/// result validated as a file would be.
pub fn with_parameters(
    protocol: &Protocol,
    world: &World,
    parameters: &[(Target, &str, f64)],
) -> Result<(Protocol, World)> {
    let (mut protocol, mut world) = (protocol.clone(), world.clone());
    for &(target, path, value) in parameters {
        match target {
            Target::Protocol => {
                protocol = protocol_with(&protocol, path, value)
                    .map_err(|e| anyhow::anyhow!("protocol: {e}"))?
            }
            Target::World => {
                world =
                    world_with(&world, path, value).map_err(|e| anyhow::anyhow!("world: {e}"))?
            }
        }
    }
    Ok((protocol, world))
}

/// Accepted generation counts: 1 to the world file's limit.
pub fn generations_range() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..=i64::from(accord_sim::world::MAX_GENERATIONS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_keep_the_type_the_field_needs() {
        let minimal =
            parse_protocol(include_str!("../../../examples/protocols/minimal.toml")).unwrap();
        let (_, world) = world_or_default(None).unwrap();
        let (protocol, _) = with_parameters(
            &minimal,
            &world,
            &[(Target::Protocol, "monitoring.quorum", 2.0)],
        )
        .unwrap();
        assert_eq!(protocol.monitoring.quorum, 2);
        let (_, changed) = with_parameters(
            &minimal,
            &world,
            &[
                (Target::World, "monitors.detection[0]", 0.25),
                (Target::World, "race.disaster_probability", 1.0),
            ],
        )
        .unwrap();
        assert_eq!(changed.monitors.detection[0], 0.25);
        assert_eq!(changed.race.disaster_probability, 1.0);
        let error = with_parameters(
            &minimal,
            &world,
            &[(Target::World, "race.disaster_probability", 3.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("field `race.disaster_probability`") && !error.contains("line "),
            "{error}"
        );
    }
}
