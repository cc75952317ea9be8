//! SQLite backend: one file, WAL journal, `synchronous = FULL`.
//!
//! Why FULL rather than NORMAL: in WAL mode NORMAL skips the fsync at
//! commit, so a power cut or OS crash can lose the last transactions. That
//! would break both promises of the log: an acknowledged index would vanish,
//! and after restart the log could re-sign a different tree at a size it has
//! already published (two inconsistent checkpoints). FULL syncs the WAL on
//! every commit; the sequencer amortises that one fsync over a whole batch.

use super::queries::{MAX_ROWS, sql_storage, to_i64};
use super::{StorageError, WriterLock};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite};
use std::path::Path;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS log_state (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    origin TEXT NOT NULL,
    vkey TEXT NOT NULL,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    checkpoint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tiles (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS published_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    size INTEGER NOT NULL,
    checkpoint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_state (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    checkpoint TEXT NOT NULL
);
";

/// A log (and witness state) in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
    path: std::path::PathBuf,
}

impl SqliteStorage {
    /// Opens or creates the database file and its tables.
    pub async fn open(path: &Path) -> Result<Self, StorageError> {
        Self::connect(path, true).await
    }

    /// Opens an existing database file; a missing file is
    /// [`StorageError::Missing`], and nothing is created.
    pub async fn open_existing(path: &Path) -> Result<Self, StorageError> {
        if !path.is_file() {
            return Err(StorageError::Missing(path.display().to_string()));
        }
        Self::connect(path, false).await
    }

    async fn connect(path: &Path, create: bool) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(Self {
            pool,
            path: path.to_path_buf(),
        })
    }
}

// What differs from the other backend; the rest is `sql_storage!`.
impl SqliteStorage {
    async fn try_lock_writer(&self) -> Result<WriterLock, StorageError> {
        let mut name = self.path.clone().into_os_string();
        name.push(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)
            .map_err(|e| {
                StorageError::Config(format!(
                    "cannot open the writer lock {}: {e}",
                    std::path::Path::new(&name).display()
                ))
            })?;
        match file.try_lock() {
            Ok(()) => Ok(WriterLock::File(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(StorageError::WriterBusy),
            Err(std::fs::TryLockError::Error(e)) => Err(StorageError::Config(format!(
                "cannot lock {}: {e}",
                std::path::Path::new(&name).display()
            ))),
        }
    }

    /// Multi-row VALUES: SQLite has no arrays to UNNEST.
    async fn insert_entries(
        conn: &mut SqliteConnection,
        first: u64,
        entries: &[Vec<u8>],
    ) -> Result<(), StorageError> {
        for (chunk_no, chunk) in entries.chunks(MAX_ROWS).enumerate() {
            let first = first.saturating_add((chunk_no * MAX_ROWS) as u64);
            let rows = chunk
                .iter()
                .enumerate()
                .map(|(i, data)| Ok((to_i64(first.saturating_add(i as u64), "entry index")?, data)))
                .collect::<Result<Vec<_>, StorageError>>()?;
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO entries (idx, data) ");
            q.push_values(rows, |mut row, (index, data)| {
                row.push_bind(index).push_bind(data.as_slice());
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}

sql_storage!(SqliteStorage, Sqlite);
