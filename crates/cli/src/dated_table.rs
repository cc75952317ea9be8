//! Reading a CSV of dated, grouped values (Epoch AI's training compute by
//! default), shared by `accord protocol detect` and `accord calibrate`.

use accord_core::early_warning::detect::{DatedReport, split_groups, year_fraction};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Where the values, dates and groups are.
#[derive(Debug, Args)]
pub struct DatedTableArgs {
    /// CSV with one dated value per row.
    #[arg(default_value = "data/epoch-ai/notable-ai-models-compute.csv")]
    pub csv: PathBuf,
    /// Column with the value.
    #[arg(long, default_value = "Training compute (FLOP)")]
    pub value_column: String,
    /// Column grouping rows by reporter (comma-separated when several).
    #[arg(long, default_value = "Organization")]
    pub group_column: String,
    /// Column with the date (YYYY-MM-DD).
    #[arg(long, default_value = "Publication date")]
    pub date_column: String,
}

/// The rows read.
pub struct DatedTable {
    /// Rows in the file.
    pub rows: usize,
    /// Rows with a value, dated on or after `since`.
    pub reports: Vec<DatedReport>,
    /// `since` as a fractional year.
    pub since: Option<f64>,
}

impl DatedTableArgs {
    /// Reads the rows dated on or after `since` (YYYY-MM-DD, from the
    /// option `--since`); rows without a value are skipped, any other bad
    /// cell is an error naming the file, line and column.
    pub fn read(&self, since: Option<&str>) -> Result<DatedTable> {
        let path = &self.csv;
        let mut reader =
            csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
        let headers = reader
            .headers()
            .with_context(|| format!("{}: reading the header", path.display()))?
            .clone();
        let column = |name: &str| {
            headers.iter().position(|h| h == name).with_context(|| {
                format!(
                    "{}: no column {name:?}; columns: {}",
                    path.display(),
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })
        };
        let (value_at, group_at, date_at) = (
            column(&self.value_column)?,
            column(&self.group_column)?,
            column(&self.date_column)?,
        );
        let since = since
            .map(|d| {
                year_fraction(d).with_context(|| format!("--since {d:?}: expected YYYY-MM-DD"))
            })
            .transpose()?;
        let mut rows = 0;
        let mut reports = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{}: record {}", path.display(), i + 1))?;
            rows += 1;
            let raw = record.get(value_at).unwrap_or("").trim();
            if raw.is_empty() {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            let value = raw
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .with_context(|| {
                    format!(
                        "{}: line {line}: column {:?}: {raw:?} is not a positive finite number",
                        path.display(),
                        self.value_column
                    )
                })?;
            let date = record.get(date_at).unwrap_or("").trim();
            let time = year_fraction(date).with_context(|| {
                format!(
                    "{}: line {line}: column {:?}: {date:?} is not a date (YYYY-MM-DD)",
                    path.display(),
                    self.date_column
                )
            })?;
            if since.is_some_and(|s| time < s) {
                continue;
            }
            reports.push(DatedReport {
                date: date.to_string(),
                time,
                value,
                groups: split_groups(record.get(group_at).unwrap_or("")),
            });
        }
        Ok(DatedTable {
            rows,
            reports,
            since,
        })
    }
}
