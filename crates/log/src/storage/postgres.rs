//! PostgreSQL backend. Each log lives in its own schema (default `public`);
//! commits are durable with PostgreSQL's default `synchronous_commit = on`.
//! The compare-and-swap `UPDATE … WHERE size = $old` takes the state row's
//! lock first, so concurrent writers serialise and the loser sees a conflict.

use super::sqlite::collect_entries;
use super::{
    Batch, Storage, StorageError, StoredLog, TreeState, WitnessRecord, WitnessStore, WriterLock,
    to_hash, to_i64, to_u64,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Row};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS log_state (
    id SMALLINT PRIMARY KEY CHECK (id = 0),
    origin TEXT NOT NULL,
    vkey TEXT NOT NULL,
    size BIGINT NOT NULL,
    root BYTEA NOT NULL,
    checkpoint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS tiles (
    level SMALLINT NOT NULL,
    idx BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS witness_state (
    origin TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    root BYTEA NOT NULL,
    checkpoint TEXT NOT NULL
);
";

/// A log (and witness state) in a PostgreSQL schema.
#[derive(Debug, Clone)]
pub struct PostgresStorage {
    pool: PgPool,
    schema: String,
}

/// True for schema names Accord creates: lowercase ASCII letters, digits and
/// `_`, starting with a letter, at most 63 bytes.
fn valid_schema(name: &str) -> bool {
    name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl PostgresStorage {
    /// Connects to `url`; with `schema`, creates it if needed and keeps all
    /// tables in it (so several logs or test runs can share a database).
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StorageError> {
        let mut options: PgConnectOptions = url
            .parse()
            .map_err(|e| StorageError::Config(format!("bad PostgreSQL URL: {e}")))?;
        let schema = schema.unwrap_or("public").to_string();
        if !valid_schema(&schema) {
            return Err(StorageError::Config(format!(
                "schema name {schema:?} must be lowercase letters, digits and _"
            )));
        }
        if schema != "public" {
            let mut conn = options.connect().await?;
            sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            options = options.options([("search_path", schema.as_str())]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(Self { pool, schema })
    }

    /// Drops this storage's schema and everything in it (not `public`).
    pub async fn drop_schema(&self) -> Result<(), StorageError> {
        if self.schema == "public" {
            return Err(StorageError::Config(
                "refusing to drop the public schema".into(),
            ));
        }
        sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            .execute(&self.pool)
            .await?;
        self.pool.close().await;
        Ok(())
    }
}

impl Storage for PostgresStorage {
    async fn lock_writer(&self) -> Result<WriterLock, StorageError> {
        // One advisory-lock key per schema, on a connection of its own that
        // lives as long as the lock.
        let mut connection = self.pool.acquire().await?.detach();
        let key = format!("accord-log-writer/{}", self.schema);
        let locked: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
                .bind(&key)
                .fetch_one(&mut connection)
                .await?;
        if locked {
            Ok(WriterLock::Postgres(connection, key))
        } else {
            Err(StorageError::WriterBusy)
        }
    }

    async fn create(
        &self,
        origin: &str,
        vkey: &str,
        state: &TreeState,
    ) -> Result<(), StorageError> {
        let inserted = sqlx::query("INSERT INTO log_state (id, origin, vkey, size, root, checkpoint) VALUES (0, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
            .bind(origin)
            .bind(vkey)
            .bind(to_i64(state.size))
            .bind(state.root.0.as_slice())
            .bind(&state.checkpoint)
            .execute(&self.pool)
            .await?;
        if inserted.rows_affected() != 1 {
            return Err(StorageError::AlreadyExists(self.load().await?.origin));
        }
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
        let updated = sqlx::query(
            "UPDATE log_state SET size = $1, root = $2, checkpoint = $3 WHERE id = 0 AND size = $4",
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
        if !batch.entries.is_empty() {
            let indexes: Vec<i64> = (0..batch.entries.len() as u64)
                .map(|i| to_i64(batch.old_size + i))
                .collect();
            sqlx::query(
                "INSERT INTO entries (idx, data) SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[])",
            )
            .bind(&indexes)
            .bind(&batch.entries)
            .execute(&mut *tx)
            .await?;
        }
        if !batch.tiles.is_empty() {
            let levels: Vec<i16> = batch.tiles.iter().map(|t| i16::from(t.0)).collect();
            let indexes: Vec<i64> = batch.tiles.iter().map(|t| to_i64(t.1)).collect();
            let data: Vec<&[u8]> = batch.tiles.iter().map(|t| t.2.as_slice()).collect();
            sqlx::query("INSERT INTO tiles (level, idx, data) SELECT * FROM UNNEST($1::SMALLINT[], $2::BIGINT[], $3::BYTEA[]) ON CONFLICT (level, idx) DO UPDATE SET data = excluded.data")
                .bind(&levels)
                .bind(&indexes)
                .bind(&data)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn read_tiles(&self, tiles: &[(u8, u64)]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let levels: Vec<i16> = tiles.iter().map(|t| i16::from(t.0)).collect();
        let indexes: Vec<i64> = tiles.iter().map(|t| to_i64(t.1)).collect();
        let rows = sqlx::query("SELECT t.level, t.idx, t.data FROM tiles t JOIN UNNEST($1::SMALLINT[], $2::BIGINT[]) AS w(level, idx) ON t.level = w.level AND t.idx = w.idx")
            .bind(&levels)
            .bind(&indexes)
            .fetch_all(&self.pool)
            .await?;
        let mut out = vec![None; tiles.len()];
        for row in rows {
            let key = (
                u8::try_from(row.try_get::<i16, _>(0)?)
                    .map_err(|_| StorageError::Corrupt("tile level".into()))?,
                to_u64(row.try_get(1)?, "tile index")?,
            );
            let data: Vec<u8> = row.try_get(2)?;
            for (slot, wanted) in out.iter_mut().zip(tiles) {
                if *wanted == key {
                    *slot = Some(data.clone());
                }
            }
        }
        Ok(out)
    }

    async fn read_entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StorageError> {
        let rows =
            sqlx::query("SELECT idx, data FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx")
                .bind(to_i64(start))
                .bind(to_i64(end))
                .fetch_all(&self.pool)
                .await?;
        collect_entries(rows, start, end)
    }
}

impl WitnessStore for PostgresStorage {
    async fn witness_record(&self, origin: &str) -> Result<Option<WitnessRecord>, StorageError> {
        let row = sqlx::query("SELECT size, root, checkpoint FROM witness_state WHERE origin = $1")
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
            None => sqlx::query("INSERT INTO witness_state (origin, size, root, checkpoint) VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING")
                .bind(origin)
                .bind(to_i64(new.size))
                .bind(new.root.0.as_slice())
                .bind(&new.checkpoint)
                .execute(&self.pool)
                .await?,
            Some(old) => sqlx::query("UPDATE witness_state SET size = $1, root = $2, checkpoint = $3 WHERE origin = $4 AND size = $5 AND root = $6")
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
