//! SQLite backend: one file, WAL journal, `synchronous = FULL`.
//!
//! Why FULL rather than NORMAL: in WAL mode NORMAL skips the fsync at
//! commit, so a power cut or OS crash can lose the last transactions. That
//! would break both promises of the log: an acknowledged index would vanish,
//! and after restart the log could re-sign a different tree at a size it has
//! already published (two inconsistent checkpoints). FULL syncs the WAL on
//! every commit; the sequencer amortises that one fsync over a whole batch.

use super::{
    Batch, Storage, StorageError, StoredLog, TreeState, WitnessRecord, WitnessStore, WriterLock,
    to_hash, to_i64, to_u64,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
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
CREATE TABLE IF NOT EXISTS witness_state (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    checkpoint TEXT NOT NULL
);
";

/// Rows per multi-row INSERT (SQLite allows 32,766 bound parameters).
const INSERT_CHUNK: usize = 4096;

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

    /// Closes the connections (waits for them to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Storage for SqliteStorage {
    async fn lock_writer(&self) -> Result<WriterLock, StorageError> {
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

    async fn create(
        &self,
        origin: &str,
        vkey: &str,
        state: &TreeState,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        if let Some(row) = sqlx::query("SELECT origin FROM log_state WHERE id = 0")
            .fetch_optional(&mut *tx)
            .await?
        {
            return Err(StorageError::AlreadyExists(row.get(0)));
        }
        sqlx::query("INSERT INTO log_state (id, origin, vkey, size, root, checkpoint) VALUES (0, ?, ?, ?, ?, ?)")
            .bind(origin)
            .bind(vkey)
            .bind(to_i64(state.size))
            .bind(state.root.0.as_slice())
            .bind(&state.checkpoint)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn load(&self) -> Result<StoredLog, StorageError> {
        let row =
            sqlx::query("SELECT origin, vkey, size, root, checkpoint FROM log_state WHERE id = 0")
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StorageError::NoLog)?;
        Ok(StoredLog {
            origin: row.try_get(0)?,
            vkey: row.try_get(1)?,
            state: TreeState {
                size: to_u64(row.try_get(2)?, "size")?,
                root: to_hash(row.try_get::<&[u8], _>(3)?)?,
                checkpoint: row.try_get(4)?,
            },
        })
    }

    async fn commit(&self, batch: &Batch) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        // The compare-and-swap comes first so that the write lock is taken
        // before anything else is written.
        let updated = sqlx::query(
            "UPDATE log_state SET size = ?, root = ?, checkpoint = ? WHERE id = 0 AND size = ?",
        )
        .bind(to_i64(batch.state.size))
        .bind(batch.state.root.0.as_slice())
        .bind(&batch.state.checkpoint)
        .bind(to_i64(batch.old_size))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            let found: i64 = sqlx::query_scalar("SELECT size FROM log_state WHERE id = 0")
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StorageError::NoLog)?;
            return Err(StorageError::Conflict {
                expected: batch.old_size,
                found: to_u64(found, "size")?,
            });
        }
        for (chunk_no, chunk) in batch.entries.chunks(INSERT_CHUNK).enumerate() {
            let first = batch.old_size + (chunk_no * INSERT_CHUNK) as u64;
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO entries (idx, data) ");
            q.push_values(chunk.iter().enumerate(), |mut row, (i, data)| {
                row.push_bind(to_i64(first + i as u64))
                    .push_bind(data.as_slice());
            });
            q.build().execute(&mut *tx).await?;
        }
        for (level, index, data) in &batch.tiles {
            sqlx::query("INSERT INTO tiles (level, idx, data) VALUES (?, ?, ?) ON CONFLICT (level, idx) DO UPDATE SET data = excluded.data")
                .bind(i64::from(*level))
                .bind(to_i64(*index))
                .bind(data.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn read_tiles(&self, tiles: &[(u8, u64)]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(tiles.len());
        for (level, index) in tiles {
            out.push(
                sqlx::query_scalar("SELECT data FROM tiles WHERE level = ? AND idx = ?")
                    .bind(i64::from(*level))
                    .bind(to_i64(*index))
                    .fetch_optional(&mut *conn)
                    .await?,
            );
        }
        Ok(out)
    }

    async fn read_entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StorageError> {
        let rows =
            sqlx::query("SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx")
                .bind(to_i64(start))
                .bind(to_i64(end))
                .fetch_all(&self.pool)
                .await?;
        collect_entries(rows, start, end)
    }
}

pub(crate) fn collect_entries<R: Row>(
    rows: Vec<R>,
    start: u64,
    end: u64,
) -> Result<Vec<Vec<u8>>, StorageError>
where
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut out = Vec::with_capacity(rows.len());
    for (expected, row) in (start..end).zip(rows.iter()) {
        let idx = to_u64(row.try_get::<i64, _>(0)?, "index")?;
        if idx != expected {
            return Err(StorageError::Corrupt(format!(
                "entry {expected} is missing"
            )));
        }
        out.push(row.try_get::<Vec<u8>, _>(1)?);
    }
    if (out.len() as u64) != end - start {
        return Err(StorageError::Corrupt(format!(
            "entries {start}..{end}: only {} stored",
            out.len()
        )));
    }
    Ok(out)
}

impl WitnessStore for SqliteStorage {
    async fn witness_record(&self, origin: &str) -> Result<Option<WitnessRecord>, StorageError> {
        let row = sqlx::query("SELECT size, root, checkpoint FROM witness_state WHERE origin = ?")
            .bind(origin)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(WitnessRecord {
                size: to_u64(row.try_get(0)?, "size")?,
                root: to_hash(row.try_get::<&[u8], _>(1)?)?,
                checkpoint: row.try_get(2)?,
            })
        })
        .transpose()
    }

    async fn witness_swap(
        &self,
        origin: &str,
        expected: Option<&WitnessRecord>,
        new: &WitnessRecord,
    ) -> Result<bool, StorageError> {
        let done = match expected {
            None => sqlx::query("INSERT INTO witness_state (origin, size, root, checkpoint) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING")
                .bind(origin)
                .bind(to_i64(new.size))
                .bind(new.root.0.as_slice())
                .bind(&new.checkpoint)
                .execute(&self.pool)
                .await?,
            Some(old) => sqlx::query("UPDATE witness_state SET size = ?, root = ?, checkpoint = ? WHERE origin = ? AND size = ? AND root = ?")
                .bind(to_i64(new.size))
                .bind(new.root.0.as_slice())
                .bind(&new.checkpoint)
                .bind(origin)
                .bind(to_i64(old.size))
                .bind(old.root.0.as_slice())
                .execute(&self.pool)
                .await?,
        };
        Ok(done.rows_affected() == 1)
    }
}
