//! Connecting to SQLite or PostgreSQL with the settings the store relies on.
use crate::StartupError;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

/// SQLite connections in the pool: WAL lets readers run beside the one
/// writer, and a handful covers two cores; more only queue on the write lock.
pub const SQLITE_POOL_SIZE: u32 = 8;
/// PostgreSQL connections per app server: several servers share one database,
/// whose default limit is 100.
pub const POSTGRES_POOL_SIZE: u32 = 16;

/// Whether `url` points at SQLite.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Opens a pool on `url`. SQLite gets WAL, `busy_timeout` 10 s,
/// `foreign_keys=ON` and `synchronous=FULL` on every connection: a
/// committed end survives a crash or a power loss.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StartupError> {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if is_sqlite(url) {
        opt.max_connections(SQLITE_POOL_SIZE)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .synchronous(SqliteSynchronous::Full)
            });
    } else {
        opt.max_connections(POSTGRES_POOL_SIZE).min_connections(1);
    }
    Ok(Database::connect(opt).await?)
}
