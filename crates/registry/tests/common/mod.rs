//! Helpers the registry's integration tests share: keys, scratch folders,
//! where a test registry keeps its data (a SQLite file or a PostgreSQL
//! schema), and serving a registry on loopback.
// Each test file uses only some of these.
#![allow(dead_code)]

use accord_log::Ed25519Signer;
use accord_registry::Registry;
use accord_registry::client::Client;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub fn key(name: &str, seed: u8) -> Ed25519Signer {
    Ed25519Signer::from_seed(name, [seed; 32]).unwrap()
}

pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "accord-registry-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn postgres_url(schema: &str) -> String {
    let base = std::env::var("ACCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    format!("{base}?schema={schema}")
}

pub fn unique_schema(name: &str) -> String {
    format!(
        "accord_registry_test_{}_{}_{name}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    )
}

/// Where a test registry keeps its log: a SQLite file or a PostgreSQL schema.
#[derive(Clone)]
pub struct Store {
    pub db: String,
    pub dir: PathBuf,
    pub schema: Option<String>,
}

impl Store {
    pub fn sqlite(name: &str) -> Self {
        let dir = temp_dir(name);
        Self {
            db: dir.join("registry.db").display().to_string(),
            dir,
            schema: None,
        }
    }

    pub fn postgres(name: &str) -> Self {
        let schema = unique_schema(name);
        Self {
            db: postgres_url(&schema),
            dir: temp_dir(name),
            schema: Some(schema),
        }
    }

    /// Runs SQL against the store behind the registry's back.
    pub async fn tamper(&self, sql: &str) {
        match &self.schema {
            None => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db))
                    .await
                    .unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Some(schema) => {
                let base = self.db.split('?').next().unwrap();
                let pool = sqlx::PgPool::connect(base).await.unwrap();
                sqlx::raw_sql(&format!("SET search_path TO {schema}; {sql}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
        }
    }

    /// Every row of every channel table, as text.
    pub async fn dump(&self) -> String {
        let queries = [
            "SELECT commitment, event_seq, log_index, lab, arrival_day, inbox_hash, reply_key, envelope FROM channel_reports",
            "SELECT commitment, seq, sender, day, envelope_sha256, envelope FROM channel_messages",
            "SELECT salt FROM channel_state",
        ];
        let mut text = String::new();
        macro_rules! dump_rows {
            ($pool:expr) => {
                for sql in queries {
                    use sqlx::{Column as _, Row as _, ValueRef as _};
                    for row in sqlx::query(sql).fetch_all(&$pool).await.unwrap() {
                        for (i, column) in row.columns().iter().enumerate() {
                            let raw = row.try_get_raw(i).unwrap();
                            if raw.is_null() {
                                continue;
                            }
                            let value = row
                                .try_get::<String, _>(i)
                                .or_else(|_| row.try_get::<i64, _>(i).map(|v| v.to_string()))
                                .or_else(|_| row.try_get::<Vec<u8>, _>(i).map(|v| BASE64.encode(v)))
                                .unwrap();
                            text.push_str(&format!("{}={value}\n", column.name()));
                        }
                    }
                }
            };
        }
        match &self.schema {
            None => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db))
                    .await
                    .unwrap();
                dump_rows!(pool);
                pool.close().await;
            }
            Some(schema) => {
                let base = self.db.split('?').next().unwrap();
                let options: sqlx::postgres::PgConnectOptions = base.parse().unwrap();
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(options.options([("search_path", schema.as_str())]))
                    .await
                    .unwrap();
                dump_rows!(pool);
                pool.close().await;
            }
        }
        text
    }

    /// Deletes everything the registry stored (the key file stays).
    pub async fn wipe(&self) {
        match &self.schema {
            None => {
                for suffix in ["", "-wal", "-shm", ".lock"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.db));
                }
            }
            Some(schema) => {
                let base = self.db.split('?').next().unwrap();
                let pool = sqlx::PgPool::connect(base).await.unwrap();
                sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
        }
    }
}

/// A registry served on a loopback port until `stop` fires.
pub struct Served {
    pub client: Client,
    pub url: String,
    pub stop: oneshot::Sender<()>,
    pub task: JoinHandle<()>,
}

/// Serves `registry` on a free loopback port with `max_in_flight`.
pub async fn serve(registry: Registry, max_in_flight: usize) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        accord_registry::serve(listener, registry, max_in_flight, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Served {
        client: Client::new(&url),
        url,
        stop,
        task,
    }
}

impl Served {
    /// Stops the server and waits for it (its registry closes).
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}
