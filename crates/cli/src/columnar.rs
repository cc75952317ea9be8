//! Parquet output for tables that can be long (sweeps, trajectories):
//! written one row group at a time, so memory stays bounded by a row
//! group whatever the table's length. Flat schema, snappy compression;
//! pandas (`pandas.read_parquet`) and pyarrow read it.

use anyhow::{Context, Result, ensure};
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit floats; `NaN` is written as null.
    Float,
    /// 64-bit integers.
    Integer,
    /// UTF-8 text.
    Text,
    /// Booleans (possibly null).
    Boolean,
}

/// One row group's values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Floats (`NaN`: null).
    Float(Vec<f64>),
    /// Integers.
    Integer(Vec<i64>),
    /// Text (empty: null, as an empty CSV cell reads).
    Text(Vec<String>),
    /// Booleans (`None`: null).
    Boolean(Vec<Option<bool>>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Float(v) => v.len(),
            Column::Integer(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Boolean(v) => v.len(),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Column::Float(_) => Kind::Float,
            Column::Integer(_) => Kind::Integer,
            Column::Text(_) => Kind::Text,
            Column::Boolean(_) => Kind::Boolean,
        }
    }
}

/// A Parquet file being written, row group by row group.
pub struct ParquetTable {
    path: PathBuf,
    kinds: Vec<Kind>,
    writer: SerializedFileWriter<File>,
}

impl ParquetTable {
    /// Creates `path` with the named columns.
    pub fn create(path: &Path, columns: &[(String, Kind)]) -> Result<ParquetTable> {
        let fields = columns
            .iter()
            .map(|(name, kind)| {
                let (physical, logical, repetition) = match kind {
                    Kind::Float => (PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
                    Kind::Integer => (PhysicalType::INT64, None, Repetition::REQUIRED),
                    Kind::Text => (
                        PhysicalType::BYTE_ARRAY,
                        Some(LogicalType::String),
                        Repetition::OPTIONAL,
                    ),
                    Kind::Boolean => (PhysicalType::BOOLEAN, None, Repetition::OPTIONAL),
                };
                Ok(Arc::new(
                    Type::primitive_type_builder(name, physical)
                        .with_repetition(repetition)
                        .with_logical_type(logical)
                        .build()?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let schema = Arc::new(
            Type::group_type_builder("schema")
                .with_fields(fields)
                .build()?,
        );
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(format!("accord {}", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ParquetTable {
            path: path.to_path_buf(),
            kinds: columns.iter().map(|(_, kind)| *kind).collect(),
            writer: SerializedFileWriter::new(file, schema, properties)?,
        })
    }

    /// Writes one row group: every column, in order, with the same number of rows.
    pub fn write(&mut self, columns: &[Column]) -> Result<()> {
        ensure!(
            columns
                .iter()
                .map(Column::kind)
                .eq(self.kinds.iter().copied()),
            "{}: row group columns do not match the schema",
            self.path.display()
        );
        let rows = columns.first().map_or(0, Column::len);
        ensure!(
            columns.iter().all(|c| c.len() == rows),
            "{}: columns of unequal length",
            self.path.display()
        );
        if rows == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group()?;
        for column in columns {
            let mut writer = group
                .next_column()?
                .context("one column writer per schema column")?;
            match column {
                Column::Float(values) => {
                    let present: Vec<f64> =
                        values.iter().copied().filter(|v| !v.is_nan()).collect();
                    let levels: Vec<i16> = values.iter().map(|v| i16::from(!v.is_nan())).collect();
                    writer
                        .typed::<DoubleType>()
                        .write_batch(&present, Some(&levels), None)?;
                }
                Column::Integer(values) => {
                    writer
                        .typed::<Int64Type>()
                        .write_batch(values, None, None)?;
                }
                Column::Text(values) => {
                    let bytes: Vec<ByteArray> = values
                        .iter()
                        .filter(|v| !v.is_empty())
                        .map(|v| ByteArray::from(v.as_str()))
                        .collect();
                    let levels: Vec<i16> =
                        values.iter().map(|v| i16::from(!v.is_empty())).collect();
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(&bytes, Some(&levels), None)?;
                }
                Column::Boolean(values) => {
                    let present: Vec<bool> = values.iter().flatten().copied().collect();
                    let levels: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
                    writer
                        .typed::<BoolType>()
                        .write_batch(&present, Some(&levels), None)?;
                }
            }
            writer.close()?;
        }
        group.close()?;
        Ok(())
    }

    /// Finishes the file (its footer).
    pub fn finish(self) -> Result<()> {
        self.writer
            .close()
            .with_context(|| format!("writing {}", self.path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn row_groups_read_back() {
        let dir = std::env::temp_dir().join(format!("accord-parquet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        let mut table = ParquetTable::create(
            &path,
            &[
                ("world:race.x".into(), Kind::Float),
                ("point".into(), Kind::Integer),
                ("matrix".into(), Kind::Text),
                ("safe".into(), Kind::Boolean),
            ],
        )
        .unwrap();
        for chunk in 0..3 {
            table
                .write(&[
                    Column::Float(vec![0.5, f64::NAN]),
                    Column::Integer(vec![2 * chunk, 2 * chunk + 1]),
                    Column::Text(vec!["A".into(), "AB1".into()]),
                    Column::Boolean(vec![Some(false), None]),
                ])
                .unwrap();
        }
        assert!(table.write(&[Column::Integer(vec![1])]).is_err());
        table.finish().unwrap();
        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 3);
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows.len(), 6);
        let first: Vec<_> = rows[1].get_column_iter().map(|(_, f)| f.clone()).collect();
        assert_eq!(
            first,
            vec![
                Field::Null,
                Field::Long(1),
                Field::Str("AB1".into()),
                Field::Null
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
