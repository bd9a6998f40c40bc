//! Several servers on one PostgreSQL database. Every event a store
//! publishes is delivered to this server's live streams at once and, on
//! PostgreSQL, also sent with `NOTIFY` on one channel, signed; every server
//! holds one `LISTEN` connection and feeds what the others sent into the
//! same per-user fan-out. An end is sent by `pg_notify` inside the very
//! transaction that ends the session, so it is delivered exactly when the
//! end commits (never lost to a crash between the two); an end heard that
//! way drops the session from this server's authentication cache, so the
//! cache may live long (30 s) while revocation stays immediate.
//!
//! Each server also sends itself a heartbeat every
//! [`HEARTBEAT`](link::HEARTBEAT); when its own echo is missing for
//! [`DEAF_AFTER`](link::DEAF_AFTER) (a connection that died silently, a
//! network that drops packets without closing anything) it treats the
//! listener as lost. While the listener is down the cache falls back to the
//! short TTL; after it reconnects every cached authentication is dropped
//! and every live stream resyncs, since ends may have been missed. On
//! SQLite (one server by definition) nothing leaves the process.
pub(crate) mod link;

use crate::entity::session;
use crate::events::SessionEvent;
use crate::events::wire::{self, Message};
use crate::model::EndReason;
use crate::store::SessionStore;
use link::{DEAF_AFTER, HEARTBEAT};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DbBackend, sqlx};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Payloads sent per `NOTIFY` round trip at most.
const NOTIFY_BATCH: usize = 100;

impl SessionStore {
    /// Delivers `event` to this server's streams and sends it to the others
    /// (after the fact, by the publishing task: for what is not an end).
    pub(crate) fn publish(&self, event: SessionEvent) {
        let link = &self.inner.link;
        if let Some(outbox) = &link.outbox
            && let Some(payload) = wire::encode(&link.server_id, &event)
        {
            let _ = outbox.send(wire::sign(self.keyring(), payload));
        }
        self.inner.events.deliver(event);
    }

    /// Sends the ends of `rows` to the other servers inside the caller's
    /// transaction: PostgreSQL delivers them when it commits, and not at
    /// all if it does not. Nothing to do on SQLite.
    pub(crate) async fn notify_ended_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        rows: &[session::Model],
        reason: EndReason,
    ) -> crate::Result<()> {
        if rows.is_empty() || conn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        // Named on this very connection: another from the pool, while this
        // one holds a transaction, could wait for ever on a busy pool.
        let channel = match self.inner.link.channel.get() {
            Some(known) => known.clone(),
            None => {
                let schema = conn
                    .query_one_raw(sea_orm::Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT current_schema()",
                    ))
                    .await?
                    .map(|row| row.try_get_by_index::<String>(0))
                    .transpose()?
                    .unwrap_or_default();
                wire::channel(&schema)
            }
        };
        let server = &self.inner.link.server_id;
        let payloads: Vec<String> = rows
            .iter()
            .filter_map(|row| {
                let event = SessionEvent::Ended {
                    user_id: row.user_id,
                    session_id: row.public_id.clone(),
                    reason,
                };
                wire::encode(server, &event).map(|p| wire::sign(self.keyring(), p))
            })
            .collect();
        for chunk in payloads.chunks(1000) {
            let mut p = crate::sql::Params::new(DbBackend::Postgres);
            let ch = p.push(channel.clone());
            let values: Vec<String> = chunk
                .iter()
                .map(|payload| format!("({})", p.push(payload.clone())))
                .collect();
            let sql = format!(
                "SELECT pg_notify({ch}, v.p) FROM (VALUES {}) AS v(p)",
                values.join(", ")
            );
            conn.execute_raw(p.statement(sql)).await?;
        }
        Ok(())
    }

    /// Whether this store shares its database with other servers and hears
    /// them right now (always false on SQLite).
    pub fn is_listening(&self) -> bool {
        self.inner.link.is_listening()
    }

    /// The publishing, heartbeat and listening tasks (PostgreSQL only).
    pub(crate) fn spawn_cluster_tasks(&self) -> Vec<JoinHandle<()>> {
        let rx = self
            .inner
            .link
            .outbox_rx
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(rx) = rx else {
            return Vec::new();
        };
        let (publisher, listener, heart) = (self.clone(), self.clone(), self.clone());
        vec![
            tokio::spawn(async move { publisher.run_publisher(rx).await }),
            tokio::spawn(async move { listener.run_listener().await }),
            tokio::spawn(async move { heart.run_heartbeat().await }),
        ]
    }

    /// Sends this server's heartbeat to itself, through the database, every
    /// [`HEARTBEAT`].
    async fn run_heartbeat(self) {
        let payload = wire::sign(self.keyring(), wire::ping(&self.inner.link.server_id));
        let mut tick = tokio::time::interval(HEARTBEAT);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Some(outbox) = &self.inner.link.outbox {
                let _ = outbox.send(payload.clone());
            }
        }
    }

    /// The channel of this deployment (see [`wire::channel`]).
    async fn channel(&self) -> Result<&str, sqlx::Error> {
        let pool = self.inner.db.get_postgres_connection_pool();
        let name = self
            .inner
            .link
            .channel
            .get_or_try_init(|| async {
                let schema: String = sqlx::query_scalar("SELECT current_schema()")
                    .fetch_one(pool)
                    .await?;
                Ok::<_, sqlx::Error>(wire::channel(&schema))
            })
            .await?;
        Ok(name)
    }

    async fn run_publisher(self, mut rx: tokio::sync::mpsc::UnboundedReceiver<String>) {
        let pool = self.inner.db.get_postgres_connection_pool().clone();
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < NOTIFY_BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
            let sent = match self.channel().await {
                Ok(channel) => {
                    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
                        .bind(channel)
                        .bind(&batch)
                        .execute(&pool)
                        .await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = sent {
                // Other servers fall back on their cache's TTL for these.
                tracing::warn!(error = %e, events = batch.len(), "could not notify other servers");
            }
        }
    }

    async fn run_listener(self) {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.listen_until_lost().await {
                Ok(()) => {
                    tracing::warn!("lost the LISTEN connection; reconnecting");
                    backoff = Duration::from_millis(100);
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "cannot LISTEN for other servers' events")
                }
            }
            self.set_listening(false);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    /// Listens until the connection is lost (`Ok`) or fails (`Err`). Lost
    /// also means deaf: no echo of this server's own heartbeat for
    /// [`DEAF_AFTER`], whatever the socket says.
    async fn listen_until_lost(&self) -> Result<(), sqlx::Error> {
        let channel = self.channel().await?;
        let pool = self.inner.db.get_postgres_connection_pool();
        let mut listener = PgListener::connect_with(pool).await?;
        listener.eager_reconnect(false);
        listener.listen(channel).await?;
        // Listening again: whatever ended meanwhile was not heard.
        self.forget_everything_cached();
        self.set_listening(true);
        tracing::info!("listening for other servers' session events");
        let mut last_echo = Instant::now();
        let mut watch = tokio::time::interval(Duration::from_millis(500));
        loop {
            tokio::select! {
                received = listener.try_recv() => match received? {
                    Some(n) => {
                        if self.on_notification(n.payload()) {
                            last_echo = Instant::now();
                        }
                    }
                    None => return Ok(()),
                },
                _ = watch.tick() => {
                    if last_echo.elapsed() > DEAF_AFTER {
                        tracing::warn!(silent_for = ?last_echo.elapsed(), "no echo of this server's heartbeat: treating the listener as lost");
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Acts on one payload; whether it was this server's own heartbeat.
    fn on_notification(&self, signed: &str) -> bool {
        let Some(payload) = wire::verify(self.keyring(), signed) else {
            tracing::warn!("ignored a session event that is not signed with this deployment's key");
            return false;
        };
        let Some((sender, message)) = wire::decode(payload) else {
            tracing::warn!("ignored a malformed session event from another server");
            return false;
        };
        let own = sender == self.inner.link.server_id;
        match message {
            Message::Ping => return own,
            // Our own echo: delivered and acted on when it was published.
            Message::Event(_) if own => {}
            Message::Event(event) => {
                if let SessionEvent::Ended { session_id, .. } = &event {
                    self.forget_sessions(&HashSet::from([session_id.as_str()]));
                }
                self.inner.events.deliver(event);
            }
        }
        false
    }

    /// Sessions that ended elsewhere: out of the cache now, and kept out.
    fn forget_sessions(&self, public_ids: &HashSet<&str>) {
        for id in public_ids {
            self.inner.recently_ended.record(id);
        }
        if let Some(cache) = &self.inner.auth_cache {
            cache.invalidate_sessions(public_ids);
        }
    }

    fn forget_everything_cached(&self) {
        if let Some(cache) = &self.inner.auth_cache {
            cache.clear();
        }
        self.inner.events.resync_all();
    }

    fn set_listening(&self, up: bool) {
        self.inner.link.set_listening(up);
        if let Some(cache) = &self.inner.auth_cache {
            let c = &self.inner.config;
            cache.set_ttl(if up {
                c.auth_cache_ttl
            } else {
                c.auth_cache_ttl_unlistened
            });
        }
    }
}
