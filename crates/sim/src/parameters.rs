//! Numeric parameters of a protocol or world addressed by path
//! (`race.disaster_probability`, `monitors.detection[0]`), for sweeps and
//! robustness samples. A parameter is set on the parsed value, then the
//! result is validated as a file would be, so a sample can never run an
//! institution or world that a user's file could not describe.

use accord_core::Protocol;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::world::World;

/// Why a parameter could not be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParameterError {
    /// The path names nothing numeric.
    #[error("parameter {path}: {reason}")]
    Path {
        /// The parameter path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Values not allowed together.
    #[error("{settings}: {reason}")]
    Combination {
        /// The parameters and values, `path = value` comma-separated.
        settings: String,
        /// The validator's message (with the fields it names).
        reason: String,
    },
    /// The value is not allowed there.
    #[error("{path} = {value}: {reason}")]
    Invalid {
        /// The parameter path.
        path: String,
        /// The value tried.
        value: f64,
        /// The validator's message (with the field it names).
        reason: String,
    },
}

/// A copy of `target` with the numeric field at `path` set to `value`.
/// Integer fields take whole values only; the caller validates the result.
pub fn with_parameter<T: Serialize + DeserializeOwned>(
    target: &T,
    path: &str,
    value: f64,
) -> Result<T, ParameterError> {
    let mut document = serde_json::to_value(target).map_err(|e| path_error(path, e.to_string()))?;
    let current = locate(&mut document, path)?;
    *current = if matches!(current, Value::Number(n) if n.is_f64()) {
        serde_json::Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| invalid(path, value, "not a finite number"))?
    } else if value.fract() == 0.0 && value >= 0.0 && value < 2f64.powi(53) {
        Value::from(value as u64)
    } else {
        return Err(invalid(path, value, "this field takes a whole number ≥ 0"));
    };
    serde_json::from_value(document).map_err(|e| invalid(path, value, &e.to_string()))
}

/// The protocol section holding `path` when that section is switched off
/// (`enabled = false`), so that no value of the field can change anything.
pub fn switched_off_section(protocol: &Protocol, path: &str) -> Option<String> {
    let section = path.split(['.', '[']).next()?;
    let document = serde_json::to_value(protocol).ok()?;
    (document.get(section)?.get("enabled")? == &Value::Bool(false)).then(|| section.to_string())
}

/// Whether the numeric field at `path` takes whole numbers only (an integer
/// field), so that a design can draw whole values for it.
pub fn takes_whole_numbers<T: Serialize>(target: &T, path: &str) -> Result<bool, ParameterError> {
    let mut document = serde_json::to_value(target).map_err(|e| path_error(path, e.to_string()))?;
    let number = locate(&mut document, path)?;
    Ok(!matches!(number, Value::Number(n) if n.is_f64()))
}

/// The current value of the numeric field at `path`.
pub fn value_of<T: Serialize>(target: &T, path: &str) -> Result<f64, ParameterError> {
    let mut document = serde_json::to_value(target).map_err(|e| path_error(path, e.to_string()))?;
    let number = locate(&mut document, path)?;
    number
        .as_f64()
        .ok_or_else(|| path_error(path, "not a number".into()))
}

fn path_error(path: &str, reason: String) -> ParameterError {
    ParameterError::Path {
        path: path.to_string(),
        reason,
    }
}

/// The number at `path` in `document`.
fn locate<'a>(document: &'a mut Value, path: &str) -> Result<&'a mut Value, ParameterError> {
    let fail = |reason: String| path_error(path, reason);
    if path.is_empty() {
        return Err(fail("empty path".into()));
    }
    let mut current = document;
    for segment in path.split('.') {
        let (key, index) = match segment.split_once('[') {
            Some((key, rest)) => {
                let index = rest
                    .strip_suffix(']')
                    .and_then(|i| i.parse::<usize>().ok())
                    .ok_or_else(|| fail(format!("bad index in {segment:?}")))?;
                (key, Some(index))
            }
            None => (segment, None),
        };
        current = current
            .get_mut(key)
            .ok_or_else(|| {
                fail(format!(
                    "no field {key:?} (an optional field or section the file leaves out has no value to vary: write it in the file first)"
                ))
            })?;
        if let Some(i) = index {
            current = current
                .get_mut(i)
                .ok_or_else(|| fail(format!("{key} has no element {i}")))?;
        }
    }
    match current {
        Value::Number(_) => Ok(current),
        Value::Null => Err(fail(
            "has no value to vary; give it one in the file first".into(),
        )),
        _ => Err(fail("not a number".into())),
    }
}

fn invalid(path: &str, value: f64, reason: &str) -> ParameterError {
    ParameterError::Invalid {
        path: path.to_string(),
        value,
        reason: reason.to_string(),
    }
}

fn problems_to_error(settings: &[(&str, f64)], problems: Vec<(String, String)>) -> ParameterError {
    let reason = problems
        .into_iter()
        .map(|(field, message)| format!("field `{field}`: {message}"))
        .collect::<Vec<_>>()
        .join("; ");
    match settings {
        [(path, value)] => invalid(path, *value, &reason),
        _ => ParameterError::Combination {
            settings: settings
                .iter()
                .map(|(path, value)| format!("{path} = {value}"))
                .collect::<Vec<_>>()
                .join(", "),
            reason,
        },
    }
}

/// The world with `path` set to `value`, validated as a world file.
pub fn world_with(world: &World, path: &str, value: f64) -> Result<World, ParameterError> {
    world_with_all(world, &[(path, value)])
}

/// The world with every `(path, value)` set, then validated as a world
/// file (so values that are valid only together, such as a lower and an
/// upper bound, can be set).
pub fn world_with_all(world: &World, settings: &[(&str, f64)]) -> Result<World, ParameterError> {
    let changed = settings
        .iter()
        .try_fold(world.clone(), |w, &(path, value)| {
            with_parameter(&w, path, value)
        })?;
    match changed.problems() {
        problems if problems.is_empty() => Ok(changed),
        problems => Err(problems_to_error(settings, problems)),
    }
}

/// The protocol with `path` set to `value`, validated as a protocol file.
pub fn protocol_with(
    protocol: &Protocol,
    path: &str,
    value: f64,
) -> Result<Protocol, ParameterError> {
    protocol_with_all(protocol, &[(path, value)])
}

/// The protocol with every `(path, value)` set, then validated as a
/// protocol file (so values that are valid only together, such as a panel
/// and its quorum, can be set).
pub fn protocol_with_all(
    protocol: &Protocol,
    settings: &[(&str, f64)],
) -> Result<Protocol, ParameterError> {
    let changed = settings
        .iter()
        .try_fold(protocol.clone(), |p, &(path, value)| {
            with_parameter(&p, path, value)
        })?;
    match accord_core::validate::check(&changed) {
        problems if problems.is_empty() => Ok(changed),
        problems => Err(problems_to_error(settings, problems)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::parse(include_str!("../../../examples/worlds/frontier-labs.toml")).unwrap()
    }

    #[test]
    fn floats_integers_and_list_elements() {
        let w = world_with(&world(), "race.disaster_probability", 0.25).unwrap();
        assert_eq!(w.race.disaster_probability, 0.25);
        let w = world_with(&w, "monitors.detection[1]", 0.5).unwrap();
        assert_eq!(w.monitors.detection, vec![0.75, 0.5, 0.65]);
        let w = world_with(&w, "economy.investment_per_safe_period", 20.0).unwrap();
        assert_eq!(w.economy.investment_per_safe_period, 20);
        let w = world_with(&w, "lab[2].speed", 1.5).unwrap();
        assert_eq!(w.lab[2].speed, 1.5);
    }

    #[test]
    fn bad_paths_and_values_are_named() {
        let error = world_with(&world(), "race.disaster_probability", 3.0).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("field `race.disaster_probability`"),
            "{error}"
        );
        let error = world_with(&world(), "race.nope", 1.0).unwrap_err();
        assert!(error.to_string().contains("no field \"nope\""), "{error}");
        let error = world_with(&world(), "economy.investment_per_safe_period", 2.5).unwrap_err();
        assert!(error.to_string().contains("whole number"), "{error}");
        let error = world_with(&world(), "monitors.detection[9]", 0.5).unwrap_err();
        assert!(error.to_string().contains("no element 9"), "{error}");
        let error = world_with(&world(), "world.name", 0.5).unwrap_err();
        assert!(error.to_string().contains("not a number"), "{error}");
    }

    #[test]
    fn fields_of_switched_off_sections_are_told() {
        let protocol = accord_core::parse_protocol(
            "[protocol]\nname = \"p\"\nformat = 1\n[monitoring]\nenabled = true\n",
        )
        .unwrap();
        assert_eq!(
            switched_off_section(&protocol, "compute.covered_fraction"),
            Some("compute".into())
        );
        assert_eq!(
            switched_off_section(&protocol, "pacts.pact[0].threshold"),
            Some("pacts".into())
        );
        assert_eq!(switched_off_section(&protocol, "monitoring.monitors"), None);
        assert_eq!(switched_off_section(&protocol, "nope.field"), None);
    }

    #[test]
    fn integer_fields_are_told_apart() {
        let w = world();
        assert!(takes_whole_numbers(&w, "economy.investment_per_safe_period").unwrap());
        assert!(!takes_whole_numbers(&w, "race.disaster_probability").unwrap());
        assert!(!takes_whole_numbers(&w, "monitors.detection[0]").unwrap());
        assert!(takes_whole_numbers(&w, "race.nope").is_err());
    }
}
