//! The location trail, written by the activity flush in the same
//! transaction: every address a session was used from, with first and
//! last seen, the [`MAX_PLACES`] most recent kept. A new address in a
//! country other than the session's login country marks it "Location
//! changed" and asks "Was this you?" again.
use super::Written;
use super::buffer::{Batch, MAX_PLACES};
use crate::Result;
use crate::store::SessionStore;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};
use std::collections::HashMap;

/// Rows per statement: 5 parameters each, far below both databases' limits.
const ROWS_PER_STATEMENT: usize = 1_000;

/// A session whose trail grew.
#[derive(Debug)]
pub(crate) struct Moved {
    pub user_id: i64,
    pub public_id: String,
}

#[derive(Debug, FromQueryResult)]
struct NewPlace {
    session_id: i64,
    country_code: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct Counted {
    id: i64,
    place_count: i32,
}

pub(super) fn placeholders(
    backend: DbBackend,
    first: usize,
    rows: usize,
    per_row: usize,
) -> String {
    let mut n = first;
    (0..rows)
        .map(|_| {
            let p: Vec<String> = (0..per_row)
                .map(|_| {
                    n += 1;
                    match backend {
                        DbBackend::Postgres => format!("${n}"),
                        _ => format!("?{n}"),
                    }
                })
                .collect();
            format!("({})", p.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn param(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

impl SessionStore {
    /// Writes the places of the rows the flush just wrote (active ones
    /// only); returns the sessions whose trail grew.
    pub(crate) async fn write_places<C: ConnectionTrait>(
        &self,
        conn: &C,
        batch: &Batch,
        written: &[Written],
    ) -> Result<Vec<Moved>> {
        let backend = conn.get_database_backend();
        let mut rows: Vec<(i64, String, Option<String>, i64, i64)> = Vec::new();
        for w in written {
            if let Some(p) = batch.get(&w.id) {
                for s in &p.places {
                    let ip = s.ip.to_string();
                    rows.push((w.id, ip, self.country_of(s.ip), s.first_ms, s.last_ms));
                }
            }
        }
        let mut new_places = Vec::new();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
            for (id, ip, country, first, last) in chunk {
                values.extend([
                    (*id).into(),
                    ip.clone().into(),
                    country.clone().into(),
                    (*first).into(),
                    (*last).into(),
                ]);
            }
            let tuples = placeholders(backend, 0, chunk.len(), 5);
            // Only the rows actually inserted come back: the new places.
            let insert = format!(
                "INSERT INTO session_places (session_id, ip, country_code, first_seen_at, last_seen_at) \
                 VALUES {tuples} ON CONFLICT (session_id, ip) DO NOTHING \
                 RETURNING session_id, country_code"
            );
            let statement = Statement::from_sql_and_values(backend, insert, values.clone());
            new_places.extend(NewPlace::find_by_statement(statement).all(conn).await?);
            let update = format!(
                "WITH v(v_sid, v_ip, v_country, v_first, v_last) AS (VALUES {tuples}) \
                 UPDATE session_places SET last_seen_at = v.v_last \
                 FROM v WHERE session_places.session_id = v.v_sid \
                 AND session_places.ip = v.v_ip AND session_places.last_seen_at < v.v_last"
            );
            let statement = Statement::from_sql_and_values(backend, update, values);
            conn.execute_raw(statement).await?;
        }
        if new_places.is_empty() {
            return Ok(Vec::new());
        }
        self.count_new_places(conn, written, new_places).await
    }

    /// Bumps the place counts, marks moves, trims long trails.
    async fn count_new_places<C: ConnectionTrait>(
        &self,
        conn: &C,
        written: &[Written],
        new_places: Vec<NewPlace>,
    ) -> Result<Vec<Moved>> {
        let backend = conn.get_database_backend();
        let by_id: HashMap<i64, &Written> = written.iter().map(|w| (w.id, w)).collect();
        let mut added: HashMap<i64, (i32, HashMap<String, i64>)> = HashMap::new();
        for p in new_places {
            let entry = added.entry(p.session_id).or_default();
            entry.0 += 1;
            let login = by_id
                .get(&p.session_id)
                .and_then(|w| w.login_country_code.as_ref());
            // Both known and different: a move, not a lookup gap.
            if let (Some(c), Some(l)) = (p.country_code, login)
                && &c != l
            {
                *entry.1.entry(c).or_default() += 1;
            }
        }
        let mut moved = Vec::with_capacity(added.len());
        for (id, (count, countries)) in added {
            // A country seen before in this trail (first time) is no news.
            let news = if countries.is_empty() {
                false
            } else {
                self.countries_first_seen(conn, id, &countries).await?
            };
            let changed = if news {
                ", location_changed = TRUE, answer = NULL"
            } else {
                ""
            };
            let sql = format!(
                "UPDATE sessions SET place_count = place_count + {}{changed} \
                 WHERE id = {} RETURNING id, place_count",
                param(backend, 1),
                param(backend, 2)
            );
            let values: Vec<Value> = vec![count.into(), id.into()];
            let statement = Statement::from_sql_and_values(backend, sql, values);
            let counted = Counted::find_by_statement(statement).one(conn).await?;
            if counted
                .as_ref()
                .is_some_and(|c| c.place_count as usize > MAX_PLACES)
            {
                self.trim_places(conn, id).await?;
            }
            if let (Some(c), Some(w)) = (counted, by_id.get(&id)) {
                if news {
                    tracing::warn!(target: "audit", user = w.user_id, session = %w.public_id, places = c.place_count, "location changed");
                }
                debug_assert_eq!(c.id, id);
                moved.push(Moved {
                    user_id: w.user_id,
                    public_id: w.public_id.clone(),
                });
            }
        }
        Ok(moved)
    }

    /// Whether one of `countries` (with the places just added in each) had
    /// no place in the trail of session `id` before.
    async fn countries_first_seen<C: ConnectionTrait>(
        &self,
        conn: &C,
        id: i64,
        countries: &HashMap<String, i64>,
    ) -> Result<bool> {
        let backend = conn.get_database_backend();
        let sql = format!(
            "SELECT country_code, COUNT(*) AS n FROM session_places \
             WHERE session_id = {} GROUP BY country_code",
            param(backend, 1)
        );
        let statement = Statement::from_sql_and_values(backend, sql, [id.into()]);
        let rows = conn.query_all_raw(statement).await?;
        for row in rows {
            let country: Option<String> = row.try_get("", "country_code")?;
            let n: i64 = row.try_get("", "n")?;
            if country.and_then(|c| countries.get(&c)) == Some(&n) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Keeps the [`MAX_PLACES`] most recently used places of session `id`.
    async fn trim_places<C: ConnectionTrait>(&self, conn: &C, id: i64) -> Result<()> {
        let backend = conn.get_database_backend();
        let (a, b) = (param(backend, 1), param(backend, 2));
        let sql = format!(
            "DELETE FROM session_places WHERE session_id = {a} AND id NOT IN \
             (SELECT id FROM session_places WHERE session_id = {a} \
              ORDER BY last_seen_at DESC, id DESC LIMIT {b})"
        );
        let values: Vec<Value> = vec![id.into(), (MAX_PLACES as i64).into()];
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        Ok(())
    }
}
