//! The SQL both backends run, written once with the decoding of its rows:
//! `sql_storage!` implements [`Storage`] and [`WitnessStore`] for each
//! backend. A backend keeps only what differs: its connection options and
//! table types, its writer lock and its bulk insert of entries.
//!
//! A macro rather than code generic over `sqlx::Database`: sqlx has no
//! driver-generic `rows_affected`, its `QueryBuilder` does not borrow-check
//! over a generic driver, generic code needs ten lines of higher-ranked
//! executor, encode and decode bounds per trait impl, and blanket impls over
//! a private trait vanish from the docs (which would no longer say that
//! `SqliteStorage` is a `Storage`).
//!
//! Fixed statements use `$N` placeholders, which sqlx's SQLite driver binds
//! to argument N as PostgreSQL does. Multi-row statements are built by
//! `QueryBuilder`, which writes `?` for SQLite: SQLite looks `$N` names up
//! linearly, and with `$N` a commit of 9,000 entries and 5,000 tiles took
//! twenty times as long.
//!
//! [`Storage`]: super::Storage
//! [`WitnessStore`]: super::WitnessStore

use super::StorageError;
use crate::hash::Hash;

/// Rows per multi-row statement: at 3 bound parameters a row, within
/// SQLite's 32,766 and PostgreSQL's 65,535.
pub(super) const MAX_ROWS: usize = 4096;

/// Implements `Storage` and `WitnessStore` for `$storage`, whose sqlx driver
/// is `$db`. It has a `pool` field and two inherent functions:
/// `try_lock_writer(&self)` (see `Storage::lock_writer`), and
/// `insert_entries(conn, first, entries)`, which inserts `entries` at
/// indexes `first..` within the commit's transaction.
macro_rules! sql_storage {
    ($storage:ty, $db:ty) => {
        const _: () = {
            use $crate::storage::queries::{MAX_ROWS, to_hash, to_i64, to_u64};
            use $crate::storage::{
                Batch, Storage, StorageError, StoredLog, TreeState, WitnessRecord, WitnessStore,
                WriterLock,
            };
            use ::sqlx::{QueryBuilder, Row};

            impl Storage for $storage {
                async fn create(
                    &self,
                    origin: &str,
                    vkey: &str,
                    state: &TreeState,
                ) -> Result<(), StorageError> {
                    let done = sqlx::query("INSERT INTO log_state (id, origin, vkey, size, root, checkpoint) VALUES (0, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
                        .bind(origin)
                        .bind(vkey)
                        .bind(to_i64(state.size, "tree size")?)
                        .bind(state.root.0.as_slice())
                        .bind(&state.checkpoint)
                        .execute(&self.pool)
                        .await?;
                    if done.rows_affected() != 1 {
                        return Err(StorageError::AlreadyExists(self.load().await?.origin));
                    }
                    Ok(())
                }

                async fn load(&self) -> Result<StoredLog, StorageError> {
                    let row = sqlx::query(
                        "SELECT origin, vkey, size, root, checkpoint FROM log_state WHERE id = 0",
                    )
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StorageError::NoLog)?;
                    Ok(StoredLog {
                        origin: row.try_get(0)?,
                        vkey: row.try_get(1)?,
                        state: TreeState {
                            size: to_u64(row.try_get(2)?, "size")?,
                            root: to_hash(row.try_get(3)?)?,
                            checkpoint: row.try_get(4)?,
                        },
                    })
                }

                async fn lock_writer(&self) -> Result<WriterLock, StorageError> {
                    self.try_lock_writer().await
                }

                async fn commit(&self, batch: &Batch) -> Result<(), StorageError> {
                    let mut tx = self.pool.begin().await?;
                    // The compare-and-swap comes first so that it takes the
                    // write lock (SQLite's database lock, PostgreSQL's lock on
                    // the state row) before anything else is written:
                    // concurrent writers serialise, and the loser sees a
                    // conflict.
                    let done = sqlx::query("UPDATE log_state SET size = $1, root = $2, checkpoint = $3 WHERE id = 0 AND size = $4")
                        .bind(to_i64(batch.state.size, "tree size")?)
                        .bind(batch.state.root.0.as_slice())
                        .bind(&batch.state.checkpoint)
                        .bind(to_i64(batch.old_size, "old tree size")?)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() != 1 {
                        let found: i64 =
                            sqlx::query_scalar("SELECT size FROM log_state WHERE id = 0")
                                .fetch_optional(&mut *tx)
                                .await?
                                .ok_or(StorageError::NoLog)?;
                        return Err(StorageError::Conflict {
                            expected: batch.old_size,
                            found: to_u64(found, "size")?,
                        });
                    }
                    if !batch.entries.is_empty() {
                        Self::insert_entries(&mut tx, batch.old_size, &batch.entries).await?;
                    }
                    for chunk in batch.tiles.chunks(MAX_ROWS) {
                        let rows = chunk
                            .iter()
                            .map(|(level, index, data)| {
                                Ok((*level, to_i64(*index, "tile index")?, data))
                            })
                            .collect::<Result<Vec<_>, StorageError>>()?;
                        let mut q =
                            QueryBuilder::<$db>::new("INSERT INTO tiles (level, idx, data) ");
                        q.push_values(rows, |mut row, (level, index, data)| {
                            row.push_bind(i64::from(level))
                                .push_bind(index)
                                .push_bind(data.as_slice());
                        });
                        q.push(" ON CONFLICT (level, idx) DO UPDATE SET data = excluded.data");
                        q.build().execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn read_tiles(
                    &self,
                    tiles: &[(u8, u64)],
                ) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
                    let mut out = vec![None; tiles.len()];
                    // One query per chunk; each wanted tile carries its
                    // position in `out`.
                    for (chunk_no, chunk) in tiles.chunks(MAX_ROWS).enumerate() {
                        let rows = chunk
                            .iter()
                            .map(|(level, index)| Ok((*level, to_i64(*index, "tile index")?)))
                            .collect::<Result<Vec<_>, StorageError>>()?;
                        let mut q =
                            QueryBuilder::<$db>::new("WITH wanted (pos, level, idx) AS (");
                        q.push_values(rows.into_iter().enumerate(), |mut row, (i, (level, index))| {
                            row.push_bind((chunk_no * MAX_ROWS + i) as i64)
                                .push_bind(i64::from(level))
                                .push_bind(index);
                        });
                        q.push(") SELECT wanted.pos, tiles.data FROM wanted JOIN tiles ON tiles.level = wanted.level AND tiles.idx = wanted.idx");
                        for row in q.build().fetch_all(&self.pool).await? {
                            let pos = to_u64(row.try_get(0)?, "tile position")?;
                            let slot = out.get_mut(pos as usize).ok_or_else(|| {
                                StorageError::Corrupt(format!("tile position {pos}"))
                            })?;
                            *slot = Some(row.try_get(1)?);
                        }
                    }
                    Ok(out)
                }

                async fn read_entries(
                    &self,
                    start: u64,
                    end: u64,
                ) -> Result<Vec<Vec<u8>>, StorageError> {
                    let rows = sqlx::query(
                        "SELECT idx, data FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                    )
                    .bind(to_i64(start, "entry index")?)
                    .bind(to_i64(end, "entry index")?)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for (expected, row) in (start..end).zip(rows.iter()) {
                        if to_u64(row.try_get(0)?, "index")? != expected {
                            return Err(StorageError::Corrupt(format!(
                                "entry {expected} is missing"
                            )));
                        }
                        out.push(row.try_get(1)?);
                    }
                    if (out.len() as u64) != end - start {
                        // Every stored row matched its index: the first
                        // missing one follows them.
                        return Err(StorageError::Corrupt(format!(
                            "entry {} is missing ({} of the entries {start} to {} are stored)",
                            start + out.len() as u64,
                            out.len(),
                            end - 1
                        )));
                    }
                    Ok(out)
                }

                async fn save_published(
                    &self,
                    size: u64,
                    checkpoint: &str,
                ) -> Result<(), StorageError> {
                    sqlx::query("INSERT INTO published_checkpoint (id, size, checkpoint) VALUES (0, $1, $2) ON CONFLICT (id) DO UPDATE SET size = excluded.size, checkpoint = excluded.checkpoint WHERE published_checkpoint.size <= excluded.size")
                        .bind(to_i64(size, "checkpoint size")?)
                        .bind(checkpoint)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn load_published(&self) -> Result<Option<String>, StorageError> {
                    let row = sqlx::query("SELECT checkpoint FROM published_checkpoint WHERE id = 0")
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row.map(|row| row.try_get(0)).transpose()?)
                }

                async fn close(&self) {
                    self.pool.close().await;
                }
            }

            impl WitnessStore for $storage {
                async fn witness_record(
                    &self,
                    origin: &str,
                ) -> Result<Option<WitnessRecord>, StorageError> {
                    let row = sqlx::query(
                        "SELECT size, root, checkpoint FROM witness_state WHERE origin = $1",
                    )
                    .bind(origin)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|row| {
                        Ok(WitnessRecord {
                            size: to_u64(row.try_get(0)?, "size")?,
                            root: to_hash(row.try_get(1)?)?,
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
                            .bind(to_i64(new.size, "checkpoint size")?)
                            .bind(new.root.0.as_slice())
                            .bind(&new.checkpoint)
                            .execute(&self.pool)
                            .await?,
                        Some(old) => sqlx::query("UPDATE witness_state SET size = $1, root = $2, checkpoint = $3 WHERE origin = $4 AND size = $5 AND root = $6")
                            .bind(to_i64(new.size, "checkpoint size")?)
                            .bind(new.root.0.as_slice())
                            .bind(&new.checkpoint)
                            .bind(origin)
                            .bind(to_i64(old.size, "checkpoint size")?)
                            .bind(old.root.0.as_slice())
                            .execute(&self.pool)
                            .await?,
                    };
                    Ok(done.rows_affected() == 1)
                }
            }
        };
    };
}
pub(super) use sql_storage;

/// Converts a stored signed integer to a size or index.
pub(super) fn to_u64(v: i64, what: &str) -> Result<u64, StorageError> {
    u64::try_from(v).map_err(|_| StorageError::Corrupt(format!("negative {what} {v}")))
}

/// Converts a size or index to the stored signed integer; an error, not a
/// panic, above `i64::MAX`, as a caller may pass a size from elsewhere.
pub(super) fn to_i64(value: u64, what: &'static str) -> Result<i64, StorageError> {
    i64::try_from(value).map_err(|_| StorageError::TooLarge { what, value })
}

/// The stored root as a hash.
pub(super) fn to_hash(bytes: &[u8]) -> Result<Hash, StorageError> {
    Hash::from_slice(bytes).map_err(|e| StorageError::Corrupt(format!("stored root: {e}")))
}
