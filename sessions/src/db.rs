//! Connecting to SQLite or PostgreSQL with the settings the store relies on.
use crate::StartupError;
use sea_orm::sqlx::sqlite::{SqliteConnection, SqliteJournalMode, SqliteSynchronous};
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
/// `foreign_keys=ON` and `synchronous=FULL` on every connection (a
/// committed end survives a crash or a power loss), and a stable query
/// planner (see `plan_once`); its connections are not pinged before use.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StartupError> {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if is_sqlite(url) {
        // No ping before each use: an embedded connection cannot have been
        // dropped by a server, and the ping is a round trip to the
        // connection's thread (two thread wake-ups) in front of every query.
        opt.max_connections(SQLITE_POOL_SIZE)
            .min_connections(1)
            .test_before_acquire(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .synchronous(SqliteSynchronous::Full)
            })
            .map_sqlx_sqlite_pool_opts(|p| {
                p.after_connect(|conn, _| Box::pin(async move { plan_once(conn).await }))
            });
    } else {
        opt.max_connections(POSTGRES_POOL_SIZE).min_connections(1);
    }
    Ok(Database::connect(opt).await?)
}

/// Turns on SQLite's query-planner stability guarantee for `conn`.
///
/// The bundled SQLite (built with STAT4) marks a statement "expired"
/// whenever a parameter its plan looked at is bound again; every `LIMIT ?`
/// (SeaORM writes them for `.one()` and `.limit()`) is such a parameter,
/// so each execution re-parsed its statement (a large share of the
/// sessions page's time; PERFORMANCE.md). With the guarantee, a cached statement
/// keeps its plan. There is no PRAGMA for it, hence the one FFI call.
async fn plan_once(conn: &mut SqliteConnection) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the open connection this handle keeps locked; the
    // option takes an int and an optional int pointer, here none.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        tracing::warn!(rc, "could not make SQLite's query plans stable");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnectionTrait;

    /// Every pooled SQLite connection has the stable planner on.
    #[tokio::test]
    async fn sqlite_connections_keep_their_plans() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
        let db = connect(&url).await.unwrap();
        db.execute_unprepared("SELECT 1").await.unwrap();
        let mut conn = db.get_sqlite_connection_pool().acquire().await.unwrap();
        let mut handle = conn.lock_handle().await.unwrap();
        let mut on: std::ffi::c_int = -1;
        // SAFETY: reads the option back into `on` on the locked connection.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_db_config(
                handle.as_raw_handle().as_ptr(),
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                -1,
                &mut on as *mut std::ffi::c_int,
            )
        };
        assert_eq!((rc, on), (libsqlite3_sys::SQLITE_OK, 1));
    }
}
