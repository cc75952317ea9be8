//! Calibrating labs' speeds from training-compute data (`accord calibrate`).
//!
//! Source: Epoch AI, "Data on Notable AI Models" (CC BY 4.0), shipped as
//! `data/epoch-ai/notable-ai-models-compute.csv`. Each organisation's compute
//! `C_i` is its largest reported training run in the window (a model
//! credited to several organisations counts for each). Speeds follow the
//! default world's rule, a tenfold compute lead buying `a` more progress per
//! period:
//!
//! ```text
//! speed_i = 1 + a · log10(C_i / median_j C_j)
//! ```
//!
//! A lab type with a spread draws each lab's speed as `speed · exp(σ·z)`,
//! `z` standard normal (`world::LabType::speed_log_sd`), so the fit is
//! log-normal: `speed` is the geometric mean `exp(mean ln speed_i)` and `σ`
//! the sample standard deviation of `ln speed_i`. The quantiles of the data
//! beside the fit's show how well a log-normal describes the population.

use accord_core::early_warning::detect::DatedReport;
use serde::Serialize;
use std::collections::BTreeMap;

/// Organisations a calibration reports one by one, at most.
pub const MAX_ORGANISATIONS: usize = 100_000;

/// One dated training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRun {
    /// Organisations credited with it (at least one).
    pub organisations: Vec<String>,
    /// Publication date as a fractional year.
    pub time: f64,
    /// Training compute, FLOP (positive, finite).
    pub flop: f64,
}

/// Dated reports of training compute (as the detectors read them) as
/// training runs, with how many no organisation is credited with: those are
/// left out, since they cannot calibrate any organisation's speed.
pub fn training_runs(reports: Vec<DatedReport>) -> (Vec<TrainingRun>, usize) {
    let uncredited = reports.iter().filter(|r| r.groups.is_empty()).count();
    let runs = reports
        .into_iter()
        .filter(|r| !r.groups.is_empty())
        .map(|r| TrainingRun {
            organisations: r.groups,
            time: r.time,
            flop: r.value,
        })
        .collect();
    (runs, uncredited)
}

/// Which runs count and how compute becomes speed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationSettings {
    /// Runs published before this fractional year are left out.
    pub since: Option<f64>,
    /// Organisations whose largest run is below this many FLOP are left out.
    pub min_flop: f64,
    /// `a`: speed gained per tenfold compute lead.
    pub speed_per_decade: f64,
    /// Keep only the organisations with the largest runs (None: all).
    pub top: Option<usize>,
}

impl Default for CalibrationSettings {
    /// The default world's calibration: every organisation with a run of at
    /// least 10²⁴ FLOP since 2024, `a = 0.25`.
    fn default() -> Self {
        Self {
            since: Some(2024.0),
            min_flop: 1e24,
            speed_per_decade: 0.25,
            top: None,
        }
    }
}

/// One organisation's compute and speed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationSpeed {
    /// Organisation as written in the data.
    pub organisation: String,
    /// Its largest training run in the window, FLOP.
    pub largest_run_flop: f64,
    /// `1 + a·log10(C_i / median C)`.
    pub speed: f64,
}

/// A quantile of the speeds: the data's and the log-normal fit's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileCheck {
    /// Probability level.
    pub level: f64,
    /// Empirical quantile (linear interpolation between order statistics).
    pub data: f64,
    /// `speed · exp(σ · Φ⁻¹(level))`.
    pub fit: f64,
}

/// The calibrated speeds and their log-normal fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedCalibration {
    /// The settings used.
    pub settings: CalibrationSettings,
    /// Organisations kept, largest run first.
    pub organisations: Vec<OrganisationSpeed>,
    /// Median of their largest runs, FLOP (the speed-1 reference).
    pub median_flop: f64,
    /// Geometric mean of the speeds: a lab type's `speed`.
    pub speed: f64,
    /// Sample standard deviation of the log speeds: a lab type's
    /// `speed_log_sd` (0 with a single organisation).
    pub speed_log_sd: f64,
    /// The data's quantiles beside the fit's.
    pub quantiles: Vec<QuantileCheck>,
}

impl SpeedCalibration {
    /// The calibrated population as a world file's `[[lab]]` block named
    /// `name`: one lab per organisation, speeds to three decimals; the
    /// type's other fields keep the world's defaults, for the user to set.
    pub fn lab_type_toml(&self, name: &str) -> String {
        let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
        let spread = if self.speed_log_sd > 0.0 {
            format!("speed_log_sd = {}\n", round3(self.speed_log_sd))
        } else {
            String::new()
        };
        format!(
            "[[lab]]\nname = {}\ncount = {}\nspeed = {}\n{spread}",
            toml::Value::from(name),
            self.organisations.len(),
            round3(self.speed)
        )
    }
}

/// Why no calibration could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    /// A setting is out of range.
    #[error("{field}: {message}")]
    Setting {
        /// The setting.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No organisation is left after filtering.
    #[error(
        "no organisation has a training run of at least {min_flop:e} FLOP in the window; lower --min-flop (min_flop) or move --since (since) earlier"
    )]
    Empty {
        /// The floor used.
        min_flop: f64,
    },
    /// The rule gives an organisation a speed of zero or less.
    #[error(
        "{organisation}'s largest run ({flop:e} FLOP) gives speed {speed:.3} ≤ 0 under a = {speed_per_decade}; raise --min-flop (min_flop) or lower --speed-per-decade (speed_per_decade)"
    )]
    NonPositiveSpeed {
        /// The organisation.
        organisation: String,
        /// Its largest run.
        flop: f64,
        /// The speed the rule gives.
        speed: f64,
        /// `a`.
        speed_per_decade: f64,
    },
    /// More organisations than a calibration reports.
    #[error("{count} organisations, more than the {MAX_ORGANISATIONS} a calibration reports")]
    TooMany {
        /// How many there were.
        count: usize,
    },
}

/// Quantile levels compared between the data and the fit.
const LEVELS: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// Calibrates speeds from `runs` (see the module's equations).
pub fn calibrate_speeds(
    runs: &[TrainingRun],
    settings: &CalibrationSettings,
) -> Result<SpeedCalibration, CalibrationError> {
    let setting = |field, message: &str| CalibrationError::Setting {
        field,
        message: message.into(),
    };
    if !(settings.min_flop.is_finite() && settings.min_flop >= 0.0) {
        return Err(setting("min_flop", "expected a finite FLOP count ≥ 0"));
    }
    if !(settings.speed_per_decade.is_finite() && settings.speed_per_decade >= 0.0) {
        return Err(setting("speed_per_decade", "expected a finite value ≥ 0"));
    }
    if settings.top == Some(0) {
        return Err(setting("top", "expected at least one organisation"));
    }
    let mut largest: BTreeMap<&str, f64> = BTreeMap::new();
    for run in runs {
        debug_assert!(
            run.flop.is_finite() && run.flop > 0.0,
            "validated by the reader"
        );
        if settings.since.is_some_and(|since| run.time < since) {
            continue;
        }
        for organisation in &run.organisations {
            let best = largest.entry(organisation).or_insert(0.0);
            *best = best.max(run.flop);
        }
    }
    let mut kept: Vec<(&str, f64)> = largest
        .into_iter()
        .filter(|&(_, flop)| flop >= settings.min_flop)
        .collect();
    if kept.len() > MAX_ORGANISATIONS {
        return Err(CalibrationError::TooMany { count: kept.len() });
    }
    // Largest run first; names break ties so the order never depends on input order.
    kept.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    if let Some(top) = settings.top {
        kept.truncate(top);
    }
    if kept.is_empty() {
        return Err(CalibrationError::Empty {
            min_flop: settings.min_flop,
        });
    }
    let flops: Vec<f64> = kept.iter().rev().map(|&(_, flop)| flop).collect();
    let median_flop = quantile_sorted(&flops, 0.5);
    let organisations = kept
        .iter()
        .map(|&(organisation, flop)| {
            let speed = 1.0 + settings.speed_per_decade * (flop / median_flop).log10();
            if speed > 0.0 {
                Ok(OrganisationSpeed {
                    organisation: organisation.to_string(),
                    largest_run_flop: flop,
                    speed,
                })
            } else {
                Err(CalibrationError::NonPositiveSpeed {
                    organisation: organisation.to_string(),
                    flop,
                    speed,
                    speed_per_decade: settings.speed_per_decade,
                })
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let logs: Vec<f64> = organisations.iter().map(|o| o.speed.ln()).collect();
    let n = logs.len() as f64;
    let mean_log = logs.iter().sum::<f64>() / n;
    let speed_log_sd = if logs.len() > 1 {
        (logs.iter().map(|l| (l - mean_log).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let speed = mean_log.exp();
    let ascending: Vec<f64> = organisations.iter().rev().map(|o| o.speed).collect();
    let quantiles = LEVELS
        .iter()
        .map(|&level| QuantileCheck {
            level,
            data: quantile_sorted(&ascending, level),
            fit: speed * (speed_log_sd * accord_games::normal::quantile(level)).exp(),
        })
        .collect();
    Ok(SpeedCalibration {
        settings: settings.clone(),
        organisations,
        median_flop,
        speed,
        speed_log_sd,
        quantiles,
    })
}

/// The `level` quantile of ascending `values` (linear interpolation between
/// order statistics, numpy's default), so the median of an even count is the
/// mean of the middle two.
fn quantile_sorted(values: &[f64], level: f64) -> f64 {
    assert!(!values.is_empty(), "a quantile of nothing");
    debug_assert!(values.windows(2).all(|w| w[0] <= w[1]), "ascending");
    let position = level * (values.len() - 1) as f64;
    let (below, fraction) = (position.floor() as usize, position.fract());
    match values.get(below + 1) {
        Some(above) => values[below] + fraction * (above - values[below]),
        None => values[below],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(organisations: &[&str], time: f64, flop: f64) -> TrainingRun {
        TrainingRun {
            organisations: organisations.iter().map(|o| o.to_string()).collect(),
            time,
            flop,
        }
    }

    #[test]
    fn each_organisation_counts_once_at_its_largest_run_in_the_window() {
        let runs = [
            run(&["a"], 2024.5, 1e25),
            run(&["a"], 2024.9, 1e26),
            run(&["a"], 2023.0, 1e28), // before the window
            run(&["b", "c"], 2025.0, 1e24),
            run(&["d"], 2025.0, 1e23), // below the floor
        ];
        let calibration = calibrate_speeds(&runs, &CalibrationSettings::default()).unwrap();
        let kept: Vec<(&str, f64)> = calibration
            .organisations
            .iter()
            .map(|o| (o.organisation.as_str(), o.largest_run_flop))
            .collect();
        assert_eq!(kept, [("a", 1e26), ("b", 1e24), ("c", 1e24)]);
        // Median 1e24: b and c have speed 1, a two decades ahead has 1 + 2a.
        assert_eq!(calibration.median_flop, 1e24);
        assert!((calibration.organisations[0].speed - 1.5).abs() < 1e-12);
        assert_eq!(calibration.organisations[1].speed, 1.0);
        let logs = [1.5f64.ln(), 0.0, 0.0];
        let mean = logs.iter().sum::<f64>() / 3.0;
        let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        assert!((calibration.speed - mean.exp()).abs() < 1e-12);
        assert!((calibration.speed_log_sd - sd).abs() < 1e-12);
    }

    #[test]
    fn the_fit_reproduces_its_own_quantiles_at_the_median_and_orders_them() {
        let runs: Vec<TrainingRun> = (0..9)
            .map(|k| {
                run(
                    &[&format!("lab{k}")],
                    2025.0,
                    10f64.powf(24.0 + 0.3 * k as f64),
                )
            })
            .collect();
        let calibration = calibrate_speeds(&runs, &CalibrationSettings::default()).unwrap();
        let median = &calibration.quantiles[2];
        assert_eq!(median.level, 0.5);
        assert!(
            (median.data - 1.0).abs() < 1e-12,
            "the median lab has speed 1"
        );
        for pair in calibration.quantiles.windows(2) {
            assert!(pair[0].data <= pair[1].data && pair[0].fit < pair[1].fit);
        }
    }

    #[test]
    fn top_keeps_the_largest_and_re_centres_the_median() {
        let runs: Vec<TrainingRun> = (0..5)
            .map(|k| run(&[&format!("lab{k}")], 2025.0, 10f64.powi(24 + k)))
            .collect();
        let settings = CalibrationSettings {
            top: Some(2),
            ..CalibrationSettings::default()
        };
        let calibration = calibrate_speeds(&runs, &settings).unwrap();
        assert_eq!(calibration.organisations.len(), 2);
        assert_eq!(calibration.median_flop, (1e28 + 1e27) / 2.0);
        assert!(calibration.organisations[0].speed > 1.0);
        assert!(calibration.organisations[1].speed < 1.0);
    }

    #[test]
    fn a_zero_slope_makes_every_lab_equal_and_leaves_no_spread() {
        let runs = [run(&["a"], 2025.0, 1e24), run(&["b"], 2025.0, 1e27)];
        let settings = CalibrationSettings {
            speed_per_decade: 0.0,
            ..CalibrationSettings::default()
        };
        let calibration = calibrate_speeds(&runs, &settings).unwrap();
        assert_eq!(calibration.speed, 1.0);
        assert_eq!(calibration.speed_log_sd, 0.0);
    }

    #[test]
    fn bad_settings_and_impossible_speeds_are_refused_with_what_to_change() {
        let runs = [
            run(&["tiny"], 2025.0, 1e20),
            run(&["big"], 2025.0, 1e28),
            run(&["mid"], 2025.0, 1e24),
        ];
        let loose = CalibrationSettings {
            min_flop: 0.0,
            ..CalibrationSettings::default()
        };
        let error = calibrate_speeds(&runs, &loose).unwrap_err();
        assert!(
            matches!(error, CalibrationError::NonPositiveSpeed { ref organisation, .. } if organisation == "tiny")
        );
        assert!(error.to_string().contains("raise --min-flop"));
        let empty = CalibrationSettings {
            min_flop: 1e30,
            ..CalibrationSettings::default()
        };
        assert!(matches!(
            calibrate_speeds(&runs, &empty),
            Err(CalibrationError::Empty { .. })
        ));
        for bad in [
            CalibrationSettings {
                min_flop: f64::NAN,
                ..CalibrationSettings::default()
            },
            CalibrationSettings {
                speed_per_decade: -0.1,
                ..CalibrationSettings::default()
            },
            CalibrationSettings {
                top: Some(0),
                ..CalibrationSettings::default()
            },
        ] {
            assert!(matches!(
                calibrate_speeds(&runs, &bad),
                Err(CalibrationError::Setting { .. })
            ));
        }
    }
}
