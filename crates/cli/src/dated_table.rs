//! Reading a CSV of dated, grouped values (Epoch AI's training compute by
//! default), shared by `accord protocol detect` and `accord calibrate`.

use crate::csv_lines::CsvLines;
use accord_core::early_warning::detect::{DatedReport, split_groups, year_fraction};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Epoch AI's notable models with their training compute
/// (`data/epoch-ai/`), built in so the commands run from any folder.
const EPOCH_AI: &str = include_str!("../../../data/epoch-ai/notable-ai-models-compute.csv");

/// Where the values, dates and groups are.
#[derive(Debug, Args)]
pub struct DatedTableArgs {
    /// CSV with one dated value per row (default: Epoch AI's notable models,
    /// `data/epoch-ai/notable-ai-models-compute.csv`, built in).
    pub csv: Option<PathBuf>,
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
        let path = self.source();
        let read;
        let text: &[u8] = match &self.csv {
            Some(file) => {
                read =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                &read
            }
            None => EPOCH_AI.as_bytes(),
        };
        let mut reader = csv::Reader::from_reader(text);
        let mut lines = CsvLines::new(text);
        let headers = reader
            .headers()
            .with_context(|| format!("{path}: reading the header"))?
            .clone();
        let column = |name: &str| {
            headers.iter().position(|h| h == name).with_context(|| {
                format!(
                    "{path}: no column {name:?}; columns: {}",
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
            let record = record.map_err(|error| {
                let line = lines.line(error.position());
                match error.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => anyhow::anyhow!(
                        "{path}: line {line}: {len} fields, where the header has {expected_len}"
                    ),
                    _ => anyhow::anyhow!("{path}: line {line} (record {}): {error}", i + 1),
                }
            })?;
            rows += 1;
            let raw = record.get(value_at).unwrap_or("").trim();
            if raw.is_empty() {
                continue;
            }
            let line = lines.line(record.position());
            let value = raw
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .with_context(|| {
                    format!(
                        "{path}: line {line}: column {:?}: {raw:?} is not a positive finite number",
                        self.value_column
                    )
                })?;
            let date = record.get(date_at).unwrap_or("").trim();
            let time = year_fraction(date).with_context(|| {
                format!(
                    "{path}: line {line}: column {:?}: {date:?} is not a date (YYYY-MM-DD)",
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

    /// The data's attribution, owed only when the built-in data was read.
    pub fn attribution(&self) -> Option<&'static str> {
        self.csv
            .is_none()
            .then_some("Data: Epoch AI (epoch.ai), Data on Notable AI Models, CC BY 4.0.")
    }

    /// The file read, as reports name it.
    pub fn source(&self) -> String {
        self.csv.as_ref().map_or_else(
            || "notable-ai-models-compute.csv (Epoch AI, built in)".to_string(),
            |file| file.display().to_string(),
        )
    }
}
