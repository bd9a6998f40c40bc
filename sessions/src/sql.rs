//! Hand-written statements: numbered placeholders for either backend.
use sea_orm::{DbBackend, Statement, Value};

/// Values of a statement, each named by a numbered placeholder (`$n` on
/// PostgreSQL, `?n` on SQLite), so that one may appear several times.
pub(crate) struct Params {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Params {
    pub fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    /// Adds `v`; returns its placeholder.
    pub fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => format!("?{}", self.values.len()),
        }
    }

    /// The statement `sql` over these values.
    pub fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}
