//! The detection pipeline over a table of dated reports (`accord protocol
//! detect`): threshold bunching at each threshold (Chetty et al. 2011;
//! Kleven 2016, see [`super::bunching`]) and capability jumps within each
//! group's series ([`super::series_jumps`]). Reading the table is the
//! caller's; this module only computes.

use super::bunching::{BunchingEstimate, Histogram, estimate_bunching};
use super::{SeriesJump, series_jumps};
use crate::spec::BunchingSpec;
use serde::Serialize;
use std::collections::BTreeMap;

/// Reports within the fit range a bunching estimate needs: a polynomial
/// through a handful of reports says nothing.
pub const MIN_REPORTS_TO_ESTIMATE: u64 = 20;

/// One reported value with its date and the groups (developers) it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedReport {
    /// The date as written (`YYYY-MM-DD`).
    pub date: String,
    /// The date as a fractional year ([`year_fraction`]).
    pub time: f64,
    /// The reported value (positive, finite).
    pub value: f64,
    /// Groups the report counts for.
    pub groups: Vec<String>,
}

/// What to look for.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectSettings {
    /// Bunching estimator settings.
    pub bunching: BunchingSpec,
    /// Thresholds to test for bunching (positive; the scale is logarithmic).
    pub thresholds: Vec<f64>,
    /// Look-back window for jumps, in years.
    pub jump_window_years: f64,
    /// Growth factor beyond which a value is a jump.
    pub max_growth: f64,
}

/// Bunching at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdResult {
    /// The threshold.
    pub threshold: f64,
    /// Reports within the fit range around the threshold.
    pub reports_in_range: u64,
    /// Whether the estimate's interval excludes zero.
    pub significant: bool,
    /// The estimate; `None` with fewer than [`MIN_REPORTS_TO_ESTIMATE`]
    /// reports in range or too few bins outside the window to fit.
    pub estimate: Option<BunchingEstimate>,
}

/// A jump in one group's series, with the dates as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupJump {
    /// The group.
    pub group: String,
    /// The jump.
    #[serde(flatten)]
    pub jump: SeriesJump,
    /// Date of the jumping value.
    pub date: String,
    /// Date of the reference value.
    pub reference_date: String,
}

/// Everything the pipeline found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// Bunching at each threshold, in the order given.
    pub bunching: Vec<ThresholdResult>,
    /// Jumps, largest growth first.
    pub jumps: Vec<GroupJump>,
}

/// The pipeline's options, as `accord protocol detect` and the Python API
/// take them (the bunching window is one bin below the threshold and at
/// most three above it).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectOptions {
    /// Thresholds to test for bunching.
    pub thresholds: Vec<f64>,
    /// Bin width in log10 units.
    pub bin_width: f64,
    /// Range of the fit on each side of the threshold, in log10 units.
    pub fit_range: f64,
    /// Degree of the counterfactual polynomial.
    pub order: u32,
    /// Bootstrap replicates.
    pub replicates: u32,
    /// Jump window in years.
    pub jump_window_years: f64,
    /// Growth factor over the window that counts as a jump.
    pub max_growth: f64,
}

impl Default for DetectOptions {
    /// The EU AI Act's and the US executive order's compute thresholds,
    /// quarter-dex bins, a counterfactual polynomial of order 7 fitted over
    /// ±3 dex (as Chetty et al. 2011; a cubic cannot follow a bell-shaped
    /// density across ±3 dex and found bunching at its peak in 94% of clean
    /// data sets, an outside review measured), and
    /// tenfold growth within a year as a jump.
    fn default() -> Self {
        Self {
            thresholds: vec![1e25, 1e26],
            bin_width: 0.25,
            fit_range: 3.0,
            order: 7,
            replicates: 2000,
            jump_window_years: 1.0,
            max_growth: 10.0,
        }
    }
}

impl DetectOptions {
    /// The settings, or the first problem as `(option, message)` with the
    /// option named as in this struct.
    pub fn settings(&self) -> Result<DetectSettings, (&'static str, String)> {
        let bunching = BunchingSpec {
            bin_width: self.bin_width,
            window_below: self.bin_width,
            max_window_above: 3.0 * self.bin_width,
            fit_range: self.fit_range,
            polynomial_order: self.order,
            bootstrap_replicates: self.replicates,
            min_reports: 1,
        };
        if let Some((field, message)) = bunching.problems().into_iter().next() {
            let option = match field {
                "polynomial_order" => "order",
                "bootstrap_replicates" => "replicates",
                other => other,
            };
            return Err((option, message));
        }
        if let Some(bad) = self
            .thresholds
            .iter()
            .find(|t| !(t.is_finite() && **t > 0.0))
        {
            return Err((
                "threshold",
                format!("expected a positive value (the scale is logarithmic), got {bad}"),
            ));
        }
        if !(self.jump_window_years.is_finite() && self.jump_window_years > 0.0) {
            return Err((
                "jump_window_years",
                format!(
                    "expected a positive number of years, got {}",
                    self.jump_window_years
                ),
            ));
        }
        if !(self.max_growth.is_finite() && self.max_growth > 1.0) {
            return Err((
                "max_growth",
                format!("expected a growth factor above 1, got {}", self.max_growth),
            ));
        }
        Ok(DetectSettings {
            bunching,
            thresholds: self.thresholds.clone(),
            jump_window_years: self.jump_window_years,
            max_growth: self.max_growth,
        })
    }
}

/// The groups a report counts for, from a comma-separated cell.
pub fn split_groups(cell: &str) -> Vec<String> {
    cell.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect()
}

/// Runs both detectors over `reports`.
pub fn detect(reports: &[DatedReport], settings: &DetectSettings) -> Detection {
    let bunching = settings
        .thresholds
        .iter()
        .map(|&threshold| {
            let histogram = Histogram::from_values(
                threshold,
                true,
                &settings.bunching,
                reports.iter().map(|r| r.value),
            );
            let reports_in_range = histogram.in_range();
            let estimate = (reports_in_range >= MIN_REPORTS_TO_ESTIMATE)
                .then(|| estimate_bunching(&histogram, &settings.bunching))
                .flatten();
            ThresholdResult {
                threshold,
                reports_in_range,
                significant: estimate.as_ref().is_some_and(BunchingEstimate::significant),
                estimate,
            }
        })
        .collect();
    let mut series: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut dates: BTreeMap<u64, &str> = BTreeMap::new();
    for report in reports {
        dates.insert(report.time.to_bits(), &report.date);
        for group in &report.groups {
            series
                .entry(group)
                .or_default()
                .push((report.time, report.value));
        }
    }
    let date_of = |time: f64| dates.get(&time.to_bits()).map_or("", |d| d).to_string();
    let mut jumps: Vec<GroupJump> = series
        .iter()
        .flat_map(|(group, points)| {
            series_jumps(points, settings.jump_window_years, settings.max_growth)
                .into_iter()
                .map(|jump| GroupJump {
                    group: group.to_string(),
                    date: date_of(jump.time),
                    reference_date: date_of(jump.reference_time),
                    jump,
                })
        })
        .collect();
    jumps.sort_by(|a, b| b.jump.growth_factor.total_cmp(&a.jump.growth_factor));
    Detection { bunching, jumps }
}

/// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) as a fractional year; None for
/// anything else, a day its month does not have included (2023-02-29).
pub fn year_fraction(date: &str) -> Option<f64> {
    let mut parts = date.trim().split('-');
    let number = |part: Option<&str>, digits: usize| {
        part.filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let year = number(parts.next(), 4)?;
    let month = match parts.next() {
        Some(month) => number(Some(month), 2)?,
        None => 1,
    };
    let day = match parts.next() {
        Some(day) => number(Some(day), 2)?,
        None => 1,
    };
    if parts.next().is_some() || !(1..=12).contains(&month) {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    Some(f64::from(year) + f64::from(month - 1) / 12.0 + f64::from(day - 1) / 365.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(date: &str, value: f64, group: &str) -> DatedReport {
        DatedReport {
            date: date.to_string(),
            time: year_fraction(date).unwrap(),
            value,
            groups: vec![group.to_string()],
        }
    }

    #[test]
    fn only_real_dates_parse() {
        assert_eq!(year_fraction("2024-01-01"), Some(2024.0));
        assert_eq!(
            year_fraction("2024-02-29"),
            Some(2024.0 + 1.0 / 12.0 + 28.0 / 365.0)
        );
        assert_eq!(year_fraction("2024-07"), Some(2024.5));
        assert_eq!(year_fraction("2024"), Some(2024.0));
        // Found by an outside review, all accepted before.
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "1900-02-29",
            "2024-1-5",
            "2024.9",
            "+2024-01-01",
            "99999-01-01",
            "inf",
            "NaN-01-01",
            "2024-01-01-01",
            "2024-13-01",
            "",
        ] {
            assert_eq!(year_fraction(bad), None, "{bad:?}");
        }
    }

    fn settings(thresholds: Vec<f64>) -> DetectSettings {
        DetectSettings {
            bunching: BunchingSpec {
                bin_width: 0.1,
                window_below: 0.1,
                max_window_above: 0.3,
                fit_range: 2.0,
                polynomial_order: 3,
                bootstrap_replicates: 50,
                min_reports: 1,
            },
            thresholds,
            jump_window_years: 1.0,
            max_growth: 10.0,
        }
    }

    #[test]
    fn jumps_carry_their_dates_and_come_largest_first() {
        let reports = [
            report("2020-01-01", 1.0, "a"),
            report("2020-06-01", 20.0, "a"),
            report("2021-01-01", 1.0, "b"),
            report("2021-03-01", 500.0, "b"),
        ];
        let found = detect(&reports, &settings(Vec::new()));
        assert_eq!(found.jumps.len(), 2);
        assert_eq!(found.jumps[0].group, "b");
        assert_eq!(found.jumps[0].date, "2021-03-01");
        assert_eq!(found.jumps[0].reference_date, "2021-01-01");
        assert_eq!(found.jumps[1].group, "a");
    }

    #[test]
    fn too_few_reports_give_no_bunching_estimate() {
        let reports: Vec<DatedReport> = (0..10)
            .map(|i| report("2022-01-01", 10f64.powf(24.0 + 0.1 * f64::from(i)), "a"))
            .collect();
        let found = detect(&reports, &settings(vec![1e25]));
        assert_eq!(found.bunching[0].reports_in_range, 10);
        assert!(found.bunching[0].estimate.is_none());
        assert!(!found.bunching[0].significant);
    }

    #[test]
    fn dates_are_fractional_years() {
        assert_eq!(year_fraction("2024"), Some(2024.0));
        assert!((year_fraction("2024-07-01").unwrap() - 2024.5).abs() < 1e-12);
        assert_eq!(year_fraction("2024-13-01"), None);
        assert_eq!(year_fraction("soon"), None);
    }
}
