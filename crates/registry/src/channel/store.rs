//! The channel's tables, in the registry's database (SQLite file or
//! PostgreSQL schema) beside the log's. The SQL is written once with `$N`
//! placeholders, which both of sqlx's drivers bind; `on_pool!` runs it on
//! whichever backend the registry uses.
//!
//! Nothing here is a time finer than a day, an address or a user agent.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};
use std::time::Duration;

/// Messages one report's conversation can hold.
pub const MAX_MESSAGES_PER_REPORT: u32 = 1000;
/// Sealed bytes one report's conversation can hold, in all.
pub const MAX_CONVERSATION_BYTES: i64 = 32 * 1024 * 1024;
/// Reports one list answer holds (the oldest first; later ones by `after`).
pub const MAX_LISTED_REPORTS: i64 = 1000;

const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS channel_state (id INTEGER PRIMARY KEY CHECK (id = 0), salt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS channel_reports (
    commitment TEXT PRIMARY KEY,
    event_seq INTEGER NOT NULL,
    log_index INTEGER,
    lab TEXT NOT NULL,
    arrival_day TEXT NOT NULL,
    inbox_hash TEXT NOT NULL UNIQUE,
    reply_key TEXT NOT NULL,
    envelope BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS channel_messages (
    commitment TEXT NOT NULL REFERENCES channel_reports (commitment) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    sender TEXT NOT NULL,
    day TEXT NOT NULL,
    envelope_sha256 TEXT NOT NULL,
    envelope BLOB NOT NULL,
    PRIMARY KEY (commitment, seq),
    UNIQUE (commitment, envelope_sha256)
);
";

const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS channel_state (id INTEGER PRIMARY KEY CHECK (id = 0), salt BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS channel_reports (
    commitment TEXT PRIMARY KEY,
    event_seq BIGINT NOT NULL,
    log_index BIGINT,
    lab TEXT NOT NULL,
    arrival_day TEXT NOT NULL,
    inbox_hash TEXT NOT NULL UNIQUE,
    reply_key TEXT NOT NULL,
    envelope BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS channel_messages (
    commitment TEXT NOT NULL REFERENCES channel_reports (commitment) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    sender TEXT NOT NULL,
    day TEXT NOT NULL,
    envelope_sha256 TEXT NOT NULL,
    envelope BYTEA NOT NULL,
    PRIMARY KEY (commitment, seq),
    UNIQUE (commitment, envelope_sha256)
);
";

/// A stored report.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub commitment: String,
    pub event_seq: u64,
    pub log_index: Option<u64>,
    pub lab: String,
    pub arrival_day: String,
    pub reply_key: String,
    pub envelope: Vec<u8>,
}

/// A stored message.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub seq: u32,
    pub sender: String,
    pub day: String,
    pub envelope: Vec<u8>,
}

/// How a report is looked up.
#[derive(Debug, Clone, Copy)]
pub enum ReportKey<'a> {
    /// By its commitment (monitors).
    Commitment(&'a str),
    /// By the Argon2id hash of its inbox secret (the reporter).
    InboxHash(&'a str),
}

/// Why a row was not written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is already stored.
    #[error("already stored")]
    Duplicate,
    /// The conversation is full.
    #[error(
        "the conversation is full ({MAX_MESSAGES_PER_REPORT} messages or {MAX_CONVERSATION_BYTES} sealed bytes)"
    )]
    Full,
    /// The database failed.
    #[error("channel storage")]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool.
macro_rules! on_pool {
    ($self:expr, $pool:ident => $body:expr) => {
        match $self {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).expect("counts fit in i64")
}

impl Store {
    /// Opens the channel's tables in the registry's database (the log's
    /// storage has created the file or schema already).
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        if accord_log::AnyStorage::is_sqlite(location) {
            let options = SqliteConnectOptions::new()
                .filename(location)
                .foreign_keys(true)
                // A refused report's bytes must not linger in free pages.
                .pragma("secure_delete", "ON")
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
            sqlx::raw_sql(SQLITE_SCHEMA).execute(&pool).await?;
            // Frames a crash (or a busy checkpoint) left behind.
            truncate_wal(&pool).await?;
            return Ok(Self::Sqlite(pool));
        }
        let (url, schema) = accord_log::storage::split_schema(location);
        let mut options: PgConnectOptions = url.parse()?;
        if let Some(schema) = schema.as_deref() {
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        sqlx::raw_sql(POSTGRES_SCHEMA).execute(&pool).await?;
        Ok(Self::Postgres(pool))
    }

    /// The registry's Argon2 salt, made on first use.
    pub async fn salt(&self, fresh: [u8; 16]) -> Result<Vec<u8>, StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO channel_state (id, salt) VALUES (0, $1) ON CONFLICT (id) DO NOTHING")
                .bind(fresh.as_slice())
                .execute(pool)
                .await?;
            let row = sqlx::query("SELECT salt FROM channel_state WHERE id = 0")
                .fetch_one(pool)
                .await?;
            Ok(row.try_get::<Vec<u8>, _>(0)?)
        })
    }

    /// Stores a report before its receipt is logged (`log_index` unset).
    pub async fn insert_pending(
        &self,
        report: &StoredReport,
        inbox_hash: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            // No error for a conflict: PostgreSQL would log the key values.
            let done = sqlx::query("INSERT INTO channel_reports (commitment, event_seq, log_index, lab, arrival_day, inbox_hash, reply_key, envelope) VALUES ($1, $2, NULL, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
                .bind(&report.commitment)
                .bind(to_i64(report.event_seq))
                .bind(&report.lab)
                .bind(&report.arrival_day)
                .bind(inbox_hash)
                .bind(&report.reply_key)
                .bind(report.envelope.as_slice())
                .execute(pool)
                .await?;
            if done.rows_affected() == 1 {
                Ok(())
            } else {
                Err(StoreError::Duplicate)
            }
        })
    }

    /// Records the log index of a report's receipt.
    pub async fn confirm(&self, commitment: &str, index: u64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE channel_reports SET log_index = $1 WHERE commitment = $2")
                .bind(to_i64(index))
                .bind(commitment)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Removes a report whose receipt was refused (and its messages).
    pub async fn delete(&self, commitment: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM channel_reports WHERE commitment = $1")
                .bind(commitment)
                .execute(pool)
                .await?;
        });
        if let Self::Sqlite(pool) = self {
            truncate_wal(pool).await?;
        }
        Ok(())
    }

    /// `(commitment, event_seq)` of reports whose receipt was not confirmed.
    pub async fn pending(&self) -> Result<Vec<(String, u64)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT commitment, event_seq FROM channel_reports WHERE log_index IS NULL")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    let seq: i64 = row.try_get(1)?;
                    Ok((row.try_get(0)?, seq as u64))
                })
                .collect()
        })
    }

    /// The logged report found by `key` (a pending report may still be
    /// refused, so it is neither readable nor has an inbox yet).
    pub async fn logged_report(
        &self,
        key: ReportKey<'_>,
    ) -> Result<Option<StoredReport>, StoreError> {
        let (sql, value) = match key {
            ReportKey::Commitment(value) => (
                "SELECT commitment, event_seq, log_index, lab, arrival_day, reply_key, envelope FROM channel_reports WHERE commitment = $1 AND log_index IS NOT NULL",
                value,
            ),
            ReportKey::InboxHash(value) => (
                "SELECT commitment, event_seq, log_index, lab, arrival_day, reply_key, envelope FROM channel_reports WHERE inbox_hash = $1 AND log_index IS NOT NULL",
                value,
            ),
        };
        on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(value).fetch_optional(pool).await?;
            row.map(|row| -> Result<StoredReport, StoreError> {
                let mut report = report_row!(&row);
                report.envelope = row.try_get(6)?;
                Ok(report)
            })
            .transpose()
        })
    }

    /// Confirmed reports in log order after `after` (a log index), with
    /// their message counts, at most [`MAX_LISTED_REPORTS`].
    pub async fn list(&self, after: u64) -> Result<Vec<(StoredReport, u32)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT r.commitment, r.event_seq, r.log_index, r.lab, r.arrival_day, r.reply_key, (SELECT COUNT(*) FROM channel_messages m WHERE m.commitment = r.commitment) FROM channel_reports r WHERE r.log_index IS NOT NULL AND r.log_index > $1 ORDER BY r.log_index LIMIT $2")
                .bind(i64::try_from(after).unwrap_or(i64::MAX))
                .bind(MAX_LISTED_REPORTS)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    let count: i64 = row.try_get(6)?;
                    Ok((report_row!(row), count as u32))
                })
                .collect()
        })
    }

    /// A report's conversation, oldest first.
    pub async fn messages(&self, commitment: &str) -> Result<Vec<StoredMessage>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT seq, sender, day, envelope FROM channel_messages WHERE commitment = $1 ORDER BY seq")
                .bind(commitment)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    let seq: i64 = row.try_get(0)?;
                    Ok(StoredMessage {
                        seq: seq as u32,
                        sender: row.try_get(1)?,
                        day: row.try_get(2)?,
                        envelope: row.try_get(3)?,
                    })
                })
                .collect()
        })
    }

    /// Appends a message; a message stored before (same envelope) keeps
    /// its place. Callers serialise writers (the channel's lock).
    pub async fn add_message(
        &self,
        commitment: &str,
        sender: &str,
        day: &str,
        envelope_sha256: &str,
        envelope: &[u8],
    ) -> Result<u32, StoreError> {
        on_pool!(self, pool => {
            let existing = sqlx::query("SELECT seq FROM channel_messages WHERE commitment = $1 AND envelope_sha256 = $2")
                .bind(commitment)
                .bind(envelope_sha256)
                .fetch_optional(pool)
                .await?;
            if let Some(row) = existing {
                let seq: i64 = row.try_get(0)?;
                return Ok(seq as u32);
            }
            let row = sqlx::query("SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(envelope)), 0) AS BIGINT) FROM channel_messages WHERE commitment = $1")
                .bind(commitment)
                .fetch_one(pool)
                .await?;
            let count: i64 = row.try_get(0)?;
            let stored: i64 = row.try_get(1)?;
            if count >= i64::from(MAX_MESSAGES_PER_REPORT)
                || stored + envelope.len() as i64 > MAX_CONVERSATION_BYTES
            {
                return Err(StoreError::Full);
            }
            let seq = count + 1;
            let done = sqlx::query("INSERT INTO channel_messages (commitment, seq, sender, day, envelope_sha256, envelope) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
                .bind(commitment)
                .bind(seq)
                .bind(sender)
                .bind(day)
                .bind(envelope_sha256)
                .bind(envelope)
                .execute(pool)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Duplicate);
            }
            Ok(seq as u32)
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

/// Moves the WAL's frames into the database and empties the WAL file.
/// `secure_delete` zeroes a deleted report's pages, but the frames that
/// wrote it stay in the WAL until a checkpoint resets it; deletions are
/// rare (refused receipts), so each is followed by this. Best effort: if
/// readers hold the WAL past the busy timeout, the frames stay until the
/// next deletion or start.
async fn truncate_wal(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await?;
    Ok(())
}

/// Decodes `commitment, event_seq, log_index, lab, arrival_day, reply_key`
/// (columns 0 to 5) of a report row.
macro_rules! report_row {
    ($row:expr) => {{
        let row = $row;
        let seq: i64 = row.try_get(1)?;
        let index: Option<i64> = row.try_get(2)?;
        StoredReport {
            commitment: row.try_get(0)?,
            event_seq: seq as u64,
            log_index: index.map(|i| i as u64),
            lab: row.try_get(3)?,
            arrival_day: row.try_get(4)?,
            reply_key: row.try_get(5)?,
            envelope: Vec::new(),
        }
    }};
}
use report_row;

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteJournalMode;

    /// `secure_delete` zeroes a deleted report's pages in the database, but
    /// the WAL frames that wrote it are another copy: they go too.
    #[tokio::test]
    async fn a_deleted_report_lingers_neither_in_the_database_nor_in_its_wal() {
        let dir = std::env::temp_dir().join(format!(
            "accord-channel-store-{}-linger",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("registry.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        // The log's storage puts the file in WAL mode and stays connected.
        let log = SqlitePool::connect_with(
            SqliteConnectOptions::new()
                .filename(&db)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal),
        )
        .await
        .unwrap();
        let store = Store::open(&db.display().to_string()).await.unwrap();
        let marker = b"a refused report, not to linger";
        // Large enough for overflow pages.
        let envelope = marker.repeat(400);
        let report = StoredReport {
            commitment: "ab".repeat(32),
            event_seq: 1,
            log_index: None,
            lab: "lab-a".into(),
            arrival_day: "2026-12-05".into(),
            reply_key: "cd".repeat(32),
            envelope,
        };
        store.insert_pending(&report, "hash").await.unwrap();
        store.delete(&report.commitment).await.unwrap();
        for suffix in ["", "-wal"] {
            let path = format!("{}{suffix}", db.display());
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker),
                "{path} still holds the deleted report"
            );
        }
        store.close().await;
        log.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
