//! Storage of a log behind one interface, with two backends: SQLite
//! (embedded, one file; [`SqliteStorage`]) and PostgreSQL
//! ([`PostgresStorage`]). Both run the same SQL (`queries.rs`); each adds
//! only its connection options, table types, writer lock and bulk insert.
//!
//! What is stored (one log per database or schema):
//!
//! * `log_state`: one row — origin, verifier key, and the tree state: size,
//!   root and the latest signed checkpoint. It is updated in the same
//!   transaction as the entries and tiles it describes, with a
//!   compare-and-swap on the size, so the tree, its entries and its signed
//!   checkpoint are always consistent with each other and a second writer is
//!   detected instead of forking the log.
//! * `entries`: one row per entry, by index.
//! * `tiles`: hash tiles (tlog-tiles) by level and index, each the latest,
//!   widest version; narrower partial tiles are its prefixes.
//! * `witness_state`: for a witness, the latest cosigned checkpoint per origin.

mod postgres;
mod queries;
mod sqlite;

pub use postgres::PostgresStorage;
pub use sqlite::SqliteStorage;

use crate::hash::Hash;
use std::future::Future;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database reported an error.
    /// (The cause is the error's source, so a chain prints it once.)
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// Another writer changed the log since this one read it.
    #[error(
        "the stored log has size {found}, expected {expected}: another process is writing to this log (one writer per log)"
    )]
    Conflict {
        /// Size this writer expected.
        expected: u64,
        /// Size stored.
        found: u64,
    },
    /// No log in this database.
    #[error("no log has been created in this database")]
    NoLog,
    /// A log already exists.
    #[error("a log already exists in this database (origin {0:?})")]
    AlreadyExists(String),
    /// A size or index beyond what a signed 64-bit column holds.
    #[error("{what} {value} is too large to store (at most 2^63 - 1)")]
    TooLarge {
        /// The size or index.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// Stored data is not what Accord writes.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A bad connection setting.
    #[error("invalid storage configuration: {0}")]
    Config(String),
    /// Another process holds the log's writer lock.
    #[error("another process is writing to this log (one writer per log); wait for it to finish")]
    WriterBusy,
    /// A SQLite file that does not exist, opened as an existing log.
    #[error("there is no log database at {0} (create one with `accord log init`)")]
    Missing(String),
}

/// The state of the tree as last committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeState {
    /// Number of entries.
    pub size: u64,
    /// Root hash.
    pub root: Hash,
    /// The signed checkpoint note for this size and root.
    pub checkpoint: String,
}

/// A stored log's identity and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLog {
    /// Checkpoint origin.
    pub origin: String,
    /// The log's verifier key.
    pub vkey: String,
    /// Tree state.
    pub state: TreeState,
}

/// Everything one sequenced batch changes, committed atomically.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Tree size before the batch; the commit fails unless it is the stored one.
    pub old_size: u64,
    /// New entries, at indexes `old_size..`.
    pub entries: Vec<Vec<u8>>,
    /// Hash tiles written (new or grown): `(level, index, data)`.
    pub tiles: Vec<(u8, u64, Vec<u8>)>,
    /// The new state; its size is `old_size + entries.len()`.
    pub state: TreeState,
}

/// A witness's record of one log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessRecord {
    /// Size of the latest cosigned checkpoint.
    pub size: u64,
    /// Its root.
    pub root: Hash,
    /// The checkpoint note as received.
    pub checkpoint: String,
}

/// Storage of one log. Implementations must make [`Storage::commit`] atomic
/// and durable before it returns.
pub trait Storage: Clone + Send + Sync + 'static {
    /// Creates the log's tables and its initial state; fails if a log exists.
    fn create(
        &self,
        origin: &str,
        vkey: &str,
        state: &TreeState,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The stored log, if any.
    fn load(&self) -> impl Future<Output = Result<StoredLog, StorageError>> + Send;

    /// Takes the log's writer lock, held until the returned guard is
    /// dropped; [`StorageError::WriterBusy`] if another writer holds it.
    fn lock_writer(&self) -> impl Future<Output = Result<WriterLock, StorageError>> + Send;

    /// Commits a batch atomically; fails with [`StorageError::Conflict`] if the
    /// stored size is not `batch.old_size`.
    fn commit(&self, batch: &Batch) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The stored data of hash tiles `(level, index)`, `None` where absent.
    fn read_tiles(
        &self,
        tiles: &[(u8, u64)],
    ) -> impl Future<Output = Result<Vec<Option<Vec<u8>>>, StorageError>> + Send;

    /// Entries `start..end`; fails if any is missing.
    fn read_entries(
        &self,
        start: u64,
        end: u64,
    ) -> impl Future<Output = Result<Vec<Vec<u8>>, StorageError>> + Send;

    /// Records `checkpoint`, the log's checkpoint of size `size` with the
    /// cosignatures that met its publisher's witness policy, unless a larger
    /// one is recorded (one of equal size is replaced: its witnesses may have
    /// changed): a publisher restarted while its witnesses
    /// are down still has a witnessed checkpoint to serve.
    fn save_published(
        &self,
        size: u64,
        checkpoint: &str,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The checkpoint [`Storage::save_published`] recorded, if any.
    fn load_published(&self) -> impl Future<Output = Result<Option<String>, StorageError>> + Send;

    /// Closes every connection, waiting for those in use. With SQLite the
    /// last connection to close folds the WAL journal back into the database
    /// file, so after a clean stop that file alone holds every commit.
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// A witness's persistent state: the latest cosigned checkpoint per origin.
pub trait WitnessStore: Clone + Send + Sync + 'static {
    /// The record for `origin`, if any.
    fn witness_record(
        &self,
        origin: &str,
    ) -> impl Future<Output = Result<Option<WitnessRecord>, StorageError>> + Send;

    /// Replaces the record for `origin` if it is still `expected` (`None`:
    /// no record yet), atomically; returns false if it changed meanwhile.
    fn witness_swap(
        &self,
        origin: &str,
        expected: Option<&WitnessRecord>,
        new: &WitnessRecord,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;
}

/// The one writer's hold on a log: an exclusive lock on a file beside the
/// SQLite database, or a PostgreSQL session advisory lock on a connection
/// of its own. Dropping it (or the process ending) releases the lock.
#[derive(Debug)]
pub enum WriterLock {
    /// Locked `<database>.lock` file.
    File(std::fs::File),
    /// The connection holding the advisory lock, and the lock's key.
    Postgres(sqlx::PgConnection, String),
}

impl WriterLock {
    /// Releases the lock now (dropping it releases it too, but a
    /// PostgreSQL server notices a dropped connection only later).
    pub async fn release(self) {
        match self {
            WriterLock::File(file) => drop(file),
            WriterLock::Postgres(mut connection, key) => {
                let _ = sqlx::query("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
                    .bind(key)
                    .execute(&mut connection)
                    .await;
                let _ = sqlx::Connection::close(connection).await;
            }
        }
    }
}

/// Either backend, chosen at run time (for the CLI).
#[derive(Debug, Clone)]
pub enum AnyStorage {
    /// SQLite file.
    Sqlite(SqliteStorage),
    /// PostgreSQL schema.
    Postgres(PostgresStorage),
}

impl AnyStorage {
    /// Opens `postgres://…` / `postgresql://…` URLs with PostgreSQL and
    /// anything else as a SQLite file path. A `schema=NAME` parameter in the
    /// URL keeps the log in that schema (created if needed), so one database
    /// can hold several logs; the default is `public`.
    pub async fn open(location: &str) -> Result<Self, StorageError> {
        Self::connect(location, true).await
    }

    /// As [`AnyStorage::open`], but a SQLite file must already exist: a
    /// mistyped path is an error, not a new empty database.
    pub async fn open_existing(location: &str) -> Result<Self, StorageError> {
        Self::connect(location, false).await
    }

    /// Whether `location` names a SQLite file (not a PostgreSQL URL).
    pub fn is_sqlite(location: &str) -> bool {
        !(location.starts_with("postgres://") || location.starts_with("postgresql://"))
    }

    async fn connect(location: &str, create: bool) -> Result<Self, StorageError> {
        if !Self::is_sqlite(location) {
            let (url, schema) = split_schema(location);
            return Ok(Self::Postgres(
                PostgresStorage::connect(&url, schema.as_deref()).await?,
            ));
        }
        let path = std::path::Path::new(location);
        Ok(Self::Sqlite(if create {
            SqliteStorage::open(path).await?
        } else {
            SqliteStorage::open_existing(path).await?
        }))
    }
}

/// The URL without its `schema=` query parameter, and that parameter.
pub fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(name) => {
                schema = Some(name.to_string());
                false
            }
            None => !pair.is_empty(),
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, schema)
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStorage::Sqlite($s) => $e.await,
            AnyStorage::Postgres($s) => $e.await,
        }
    };
}

impl Storage for AnyStorage {
    async fn create(
        &self,
        origin: &str,
        vkey: &str,
        state: &TreeState,
    ) -> Result<(), StorageError> {
        delegate!(self, s => s.create(origin, vkey, state))
    }
    async fn load(&self) -> Result<StoredLog, StorageError> {
        delegate!(self, s => s.load())
    }
    async fn lock_writer(&self) -> Result<WriterLock, StorageError> {
        delegate!(self, s => s.lock_writer())
    }
    async fn commit(&self, batch: &Batch) -> Result<(), StorageError> {
        delegate!(self, s => s.commit(batch))
    }
    async fn read_tiles(&self, tiles: &[(u8, u64)]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        delegate!(self, s => s.read_tiles(tiles))
    }
    async fn read_entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StorageError> {
        delegate!(self, s => s.read_entries(start, end))
    }
    async fn save_published(&self, size: u64, checkpoint: &str) -> Result<(), StorageError> {
        delegate!(self, s => s.save_published(size, checkpoint))
    }
    async fn load_published(&self) -> Result<Option<String>, StorageError> {
        delegate!(self, s => s.load_published())
    }
    async fn close(&self) {
        delegate!(self, s => s.close())
    }
}

impl WitnessStore for AnyStorage {
    async fn witness_record(&self, origin: &str) -> Result<Option<WitnessRecord>, StorageError> {
        delegate!(self, s => s.witness_record(origin))
    }
    async fn witness_swap(
        &self,
        origin: &str,
        expected: Option<&WitnessRecord>,
        new: &WitnessRecord,
    ) -> Result<bool, StorageError> {
        delegate!(self, s => s.witness_swap(origin, expected, new))
    }
}

#[cfg(test)]
mod tests {
    use super::split_schema;

    #[test]
    fn the_schema_parameter_is_taken_out_of_the_url() {
        assert_eq!(
            split_schema("postgres://h/db?schema=log_a&sslmode=disable"),
            (
                "postgres://h/db?sslmode=disable".to_string(),
                Some("log_a".to_string())
            )
        );
        assert_eq!(
            split_schema("postgres://h/db?schema=b"),
            ("postgres://h/db".to_string(), Some("b".to_string()))
        );
        assert_eq!(
            split_schema("postgres://h/db"),
            ("postgres://h/db".to_string(), None)
        );
    }
}
