//! Shared pieces of the simulator commands: loading the protocol and world
//! (embedded defaults when none is given) and setting parameters by path.

use crate::protocol::load_protocol;
use accord_core::{FileErrors, Protocol, parse_protocol};
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
        // Whole numbers become TOML integers unless the file had a float there:
        // integer fields reject floats, and float fields accept integers.
        let replacement = |existing: Option<&toml::Value>| match existing {
            Some(toml::Value::Float(_)) => toml::Value::Float(value),
            _ if value.fract() == 0.0 && value.abs() < 2f64.powi(53) => {
                toml::Value::Integer(value as i64)
            }
            _ => toml::Value::Float(value),
        };
        if last {
            match index {
                None => {
                    let new = replacement(current.get(key));
                    current.insert(key.to_string(), new);
                }
                Some(i) => {
                    let Some(toml::Value::Array(items)) = current.get_mut(key) else {
                        bail!("{path}: {key} is not an array in the file");
                    };
                    let item = items
                        .get_mut(i)
                        .with_context(|| format!("{path}: {key} has no element {i}"))?;
                    *item = replacement(Some(item));
                }
            }
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
    // Errors name fields only: line numbers would point into the regenerated text.
    let describe = |errors: FileErrors| {
        errors
            .0
            .iter()
            .map(|e| match &e.field {
                Some(field) => format!("field `{field}`: {}", e.message),
                None => e.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let context = described.join(", ");
    let p = parse_protocol(&protocol)
        .map_err(|e| anyhow::anyhow!("protocol with {context}: {}", describe(e)))?;
    let w = World::parse(&world)
        .map_err(|e| anyhow::anyhow!("world with {context}: {}", describe(e)))?;
    Ok((p, w))
}

/// Accepted generation counts: 1 to the world file's limit.
pub fn generations_range() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..=i64::from(accord_sim::world::MAX_GENERATIONS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_keep_the_type_toml_needs() {
        let minimal = include_str!("../../../examples/protocols/minimal.toml");
        let (protocol, _) = with_parameters(
            minimal,
            DEFAULT_WORLD,
            &[(Target::Protocol, "monitoring.quorum", 2.0)],
        )
        .unwrap();
        assert_eq!(protocol.monitoring.quorum, 2);
        let (_, world) = with_parameters(
            minimal,
            DEFAULT_WORLD,
            &[
                (Target::World, "monitors.detection[0]", 0.25),
                (Target::World, "race.disaster_probability", 1.0),
            ],
        )
        .unwrap();
        assert_eq!(world.monitors.detection[0], 0.25);
        assert_eq!(world.race.disaster_probability, 1.0);
        let error = with_parameters(
            minimal,
            DEFAULT_WORLD,
            &[(Target::World, "race.disaster_probability", 3.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("field `race.disaster_probability`") && !error.contains("line "),
            "{error}"
        );
        let error = set_toml("a = 1\n", "a[0]", 1.0).unwrap_err().to_string();
        assert!(error.contains("not an array"), "{error}");
    }
}
