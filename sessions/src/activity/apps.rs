//! The protected apps each session used, written by the activity flush in
//! the same transaction (forward authentication): one row per session and
//! app, with first and last use and the pages opened there.
use super::Written;
use super::buffer::Batch;
use crate::Result;
use crate::store::SessionStore;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// Rows per statement: 5 parameters each, far below both databases' limits.
const ROWS_PER_STATEMENT: usize = 1_000;

fn upsert_sql(backend: DbBackend, rows: usize) -> String {
    let values = super::places::placeholders(backend, 0, rows, 5);
    // SQLite's two-argument max() is PostgreSQL's GREATEST().
    let max = match backend {
        DbBackend::Postgres => "GREATEST",
        _ => "max",
    };
    format!(
        "INSERT INTO session_apps (session_id, app, first_seen_at, last_seen_at, pages) \
         VALUES {values} ON CONFLICT (session_id, app) DO UPDATE SET \
           last_seen_at = {max}(session_apps.last_seen_at, excluded.last_seen_at), \
           pages = session_apps.pages + excluded.pages"
    )
}

impl SessionStore {
    /// Writes the app uses of the rows the flush just wrote (active ones).
    pub(crate) async fn write_apps<C: ConnectionTrait>(
        &self,
        conn: &C,
        batch: &Batch,
        written: &[Written],
    ) -> Result<()> {
        let backend = conn.get_database_backend();
        let mut rows: Vec<[Value; 5]> = Vec::new();
        for w in written {
            if let Some(p) = batch.get(&w.id) {
                for a in &p.apps {
                    rows.push([
                        w.id.into(),
                        a.name.to_string().into(),
                        a.first_ms.into(),
                        a.last_ms.into(),
                        a.pages.into(),
                    ]);
                }
            }
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<Value> = chunk.iter().flat_map(|r| r.iter().cloned()).collect();
            let sql = upsert_sql(backend, chunk.len());
            conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
        }
        Ok(())
    }
}
