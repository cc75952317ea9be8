//! Shared pieces of the simulator commands: loading the protocol and world
//! (embedded defaults when none is given) and setting parameters by path.

use crate::protocol::load_protocol;
use accord_core::{Protocol, parse_protocol};
use accord_sim::World;
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

/// Sets `path` (dotted, with `[i]` for array elements) to `value` in a TOML document.
pub fn set_toml(text: &str, path: &str, value: f64) -> Result<String> {
    let mut document: toml::Table =
        toml::from_str(text).context("parsing the document to modify")?;
    let mut current = &mut document;
    let segments: Vec<&str> = path.split('.').collect();
    for (depth, segment) in segments.iter().enumerate() {
        let (key, index) = match segment.split_once('[') {
            Some((k, rest)) => (
                k,
                Some(
                    rest.trim_end_matches(']')
                        .parse::<usize>()
                        .with_context(|| format!("{path}: bad index in {segment:?}"))?,
                ),
            ),
            None => (*segment, None),
        };
        let last = depth + 1 == segments.len();
        if last && index.is_none() {
            let existing = current.get(key);
            let new = match existing {
                Some(toml::Value::Integer(_)) if value.fract() == 0.0 => {
                    toml::Value::Integer(value as i64)
                }
                _ => toml::Value::Float(value),
            };
            current.insert(key.to_string(), new);
            return Ok(toml::to_string(&document)?);
        }
        let entry = current
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let entry = match (entry, index) {
            (toml::Value::Array(items), Some(i)) => items
                .get_mut(i)
                .with_context(|| format!("{path}: {key} has no element {i}"))?,
            (value, None) => value,
            _ => bail!("{path}: {key} is not an array"),
        };
        current = match entry {
            toml::Value::Table(table) => table,
            _ => bail!("{path}: {segment} is not a table"),
        };
    }
    bail!("{path}: empty parameter path")
}

/// Re-parses the protocol and world after setting parameters `(target, path, value)`.
pub fn with_parameters(
    protocol: &str,
    world: &str,
    parameters: &[(Target, &str, f64)],
) -> Result<(Protocol, World)> {
    let (mut protocol, mut world) = (protocol.to_string(), world.to_string());
    let mut described = Vec::new();
    for &(target, path, value) in parameters {
        match target {
            Target::Protocol => protocol = set_toml(&protocol, path, value)?,
            Target::World => world = set_toml(&world, path, value)?,
        }
        described.push(format!(
            "{}:{path} = {value}",
            if target == Target::Protocol {
                "protocol"
            } else {
                "world"
            }
        ));
    }
    let context = described.join(", ");
    let p =
        parse_protocol(&protocol).map_err(|e| anyhow::anyhow!("protocol with {context}: {e}"))?;
    let w = parse_world(&world, &format!("world with {context}"))?;
    Ok((p, w))
}
