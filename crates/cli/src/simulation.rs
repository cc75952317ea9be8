//! Shared pieces of the simulator commands: loading the protocol and world
//! (embedded defaults when none is given) and setting parameters by path.

use crate::protocol::parse_protocol_named;
use accord_core::Protocol;
use accord_sim::World;
use accord_sim::parameters::{protocol_with_all, world_with_all};
use accord_sim::shard::Input;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// Where the files an experiment names are read from.
pub enum Inputs {
    /// The file system.
    Disk,
    /// The texts a shard file recorded, by the argument that named them
    /// (what `accord merge` replays).
    Recorded(Vec<(String, Input)>),
}

impl Inputs {
    /// The file `path` names, kept by value.
    pub fn read(&self, path: &Path) -> Result<Input> {
        let name = path.display().to_string();
        match self {
            Inputs::Disk => Ok(Input {
                text: std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?,
                source: name,
            }),
            Inputs::Recorded(inputs) => inputs
                .iter()
                .find(|(argument, _)| *argument == name)
                .map(|(_, input)| input.clone())
                .with_context(|| format!("the shard files do not record {name}")),
        }
    }

    /// The file `path` names, as a shard file records it: by the argument's text.
    pub fn entry(&self, path: &Path) -> Result<(String, Input)> {
        Ok((path.display().to_string(), self.read(path)?))
    }

    /// These inputs with every file in `paths` read now, once: what a
    /// command reads later (and records in its shard files) is what it ran on.
    pub fn snapshot<'a>(&self, paths: impl IntoIterator<Item = &'a PathBuf>) -> Result<Inputs> {
        Ok(Inputs::Recorded(
            paths
                .into_iter()
                .map(|path| self.entry(path))
                .collect::<Result<_>>()?,
        ))
    }

    /// Every recorded input, by the argument that named it.
    pub fn entries(&self) -> Vec<(String, Input)> {
        match self {
            Inputs::Disk => Vec::new(),
            Inputs::Recorded(inputs) => inputs.clone(),
        }
    }

    /// The protocol file given, or the embedded global protocol.
    pub fn protocol(&self, path: Option<&Path>) -> Result<Input> {
        path.map_or_else(|| Ok(Input::default_protocol()), |p| self.read(p))
    }

    /// The world file given, or the embedded world of frontier labs.
    pub fn world(&self, path: Option<&Path>) -> Result<Input> {
        path.map_or_else(|| Ok(Input::default_world()), |p| self.read(p))
    }
}

/// Parses and validates a protocol; errors name its source.
pub fn protocol_of(input: &Input) -> Result<Protocol> {
    parse_protocol_named(&input.text, &input.source)
}

/// Parses and validates a world; errors name its source.
pub fn world_of(input: &Input) -> Result<World> {
    World::parse(&input.text).map_err(|errors| {
        let source = &input.source;
        let lines: Vec<String> = errors.0.iter().map(|e| format!("{source}: {e}")).collect();
        anyhow::anyhow!("{source} is not a valid world:\n{}", lines.join("\n"))
    })
}

/// The protocol file given, or the embedded global protocol, with its source.
pub fn protocol_or_default(path: Option<&Path>) -> Result<(String, Protocol)> {
    let input = Inputs::Disk.protocol(path)?;
    Ok((input.source.clone(), protocol_of(&input)?))
}

/// The world file given, or the embedded world of frontier labs, with its source.
pub fn world_or_default(path: Option<&Path>) -> Result<(String, World)> {
    let input = Inputs::Disk.world(path)?;
    Ok((input.source.clone(), world_of(&input)?))
}

/// Which file a parameter path addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The protocol file.
    Protocol,
    /// The world file.
    World,
}

/// Warns on standard error when `path` lies in a section the protocol
/// switches off: varying it changes nothing.
pub fn warn_if_switched_off(protocol: &Protocol, path: &str) {
    if let Some(section) = accord_sim::parameters::switched_off_section(protocol, path) {
        eprintln!(
            "warning: [{section}] is switched off in this protocol (enabled = false), so {path} changes nothing; enable it to study the parameter"
        );
    }
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

/// The protocol and world with parameters `(target, path, value)` set, then
/// each validated as a file would be (values valid only together, such as a
/// panel and its quorum, can be set together).
pub fn with_parameters(
    protocol: &Protocol,
    world: &World,
    parameters: &[(Target, &str, f64)],
) -> Result<(Protocol, World)> {
    let of = |target: Target| -> Vec<(&str, f64)> {
        parameters
            .iter()
            .filter(|(t, _, _)| *t == target)
            .map(|&(_, path, value)| (path, value))
            .collect()
    };
    let protocol = protocol_with_all(protocol, &of(Target::Protocol))
        .map_err(|e| anyhow::anyhow!("protocol: {e}"))?;
    let world =
        world_with_all(world, &of(Target::World)).map_err(|e| anyhow::anyhow!("world: {e}"))?;
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
            accord_core::parse_protocol(include_str!("../../../examples/protocols/minimal.toml"))
                .unwrap();
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

    #[test]
    fn values_valid_only_together_can_be_set_together() {
        // Five monitors on every panel need a quorum of at least 3: neither
        // value alone is valid with the shipped protocol's other.
        let (shipped, world) = (
            protocol_or_default(None).unwrap().1,
            world_or_default(None).unwrap().1,
        );
        let together = [
            (Target::Protocol, "monitoring.monitors", 5.0),
            (Target::Protocol, "monitoring.panel_size", 5.0),
            (Target::Protocol, "monitoring.quorum", 3.0),
        ];
        let (protocol, _) = with_parameters(&shipped, &world, &together).unwrap();
        assert_eq!(protocol.monitoring.quorum, 3);
        let error = with_parameters(&shipped, &world, &together[..2])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("monitoring.monitors = 5, monitoring.panel_size = 5")
                && error.contains("field `monitoring.quorum`"),
            "{error}"
        );
    }
}
