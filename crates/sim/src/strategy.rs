//! What a lab chooses: how it develops, how it reports, and (through the
//! pact stage) whether it pledges.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a lab develops.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Development {
    /// Speed 1, safety cost `c` per period, no disaster risk.
    #[default]
    Safe,
    /// Speed `s`, no safety cost, disaster risk `p_r`.
    Unsafe,
}

/// How a lab reports to the institution.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    /// Reports what is true.
    #[default]
    Honest,
    /// Omits unfavourable reports (nothing in unsafe periods).
    Selective,
    /// Inflates the safety measure: claims the safe investment when unsafe.
    Gaming,
    /// Keeps reported compute just under the regulatory threshold.
    ThresholdManipulation,
    /// Reports honestly but tries to capture the monitors who audit it.
    Capture,
}

/// A lab's strategy.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// Development.
    pub development: Development,
    /// Reporting.
    #[serde(default)]
    pub reporting: Reporting,
}

impl Strategy {
    /// Safe development, honest reporting.
    pub const COMPLY: Strategy = Strategy {
        development: Development::Safe,
        reporting: Reporting::Honest,
    };

    /// Every strategy, compliance first.
    pub fn all() -> Vec<Strategy> {
        let mut all = Vec::with_capacity(10);
        for development in [Development::Safe, Development::Unsafe] {
            for reporting in [
                Reporting::Honest,
                Reporting::Selective,
                Reporting::Gaming,
                Reporting::ThresholdManipulation,
                Reporting::Capture,
            ] {
                all.push(Strategy {
                    development,
                    reporting,
                });
            }
        }
        all
    }

    /// Every strategy that behaves differently from compliance: unsafe
    /// development with each reporting mode, and threshold manipulation while
    /// developing safely. (Selective reporting, gaming and capture change
    /// nothing while a lab develops safely, so they are not deviations then.)
    pub fn deviations() -> Vec<Strategy> {
        Strategy::all()
            .into_iter()
            .filter(|s| {
                s.development == Development::Unsafe
                    || s.reporting == Reporting::ThresholdManipulation
            })
            .collect()
    }

    /// Whether the strategy breaks the safety norm (develops unsafely) or the reporting rules.
    pub fn complies(&self) -> bool {
        *self == Strategy::COMPLY
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let development = match self.development {
            Development::Safe => "safe",
            Development::Unsafe => "unsafe",
        };
        let reporting = match self.reporting {
            Reporting::Honest => "honest",
            Reporting::Selective => "selective",
            Reporting::Gaming => "gaming",
            Reporting::ThresholdManipulation => "threshold-manipulation",
            Reporting::Capture => "capture",
        };
        write!(f, "{development}/{reporting}")
    }
}

/// A strategy name that is none of the ten.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown strategy {given:?}; expected one of {expected}")]
pub struct UnknownStrategy {
    /// The name given.
    pub given: String,
    /// Every strategy's name, comma-separated.
    pub expected: String,
}

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    /// `development/reporting`, as strategies are displayed (`safe/honest`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let all = Strategy::all();
        all.iter()
            .copied()
            .find(|s| s.to_string() == text.trim())
            .ok_or_else(|| UnknownStrategy {
                given: text.to_string(),
                expected: all
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_parses_from_its_name() {
        for strategy in Strategy::all() {
            assert_eq!(strategy.to_string().parse::<Strategy>(), Ok(strategy));
        }
        let unknown = "unsafe/sneaky".parse::<Strategy>().unwrap_err();
        assert!(unknown.to_string().contains("safe/honest"), "{unknown}");
    }
}
