//! Several servers on one PostgreSQL database. Every event a store
//! publishes is delivered to this server's live streams at once and, on
//! PostgreSQL, also sent with `NOTIFY` on one channel; every server holds
//! one `LISTEN` connection and feeds what the others sent into the same
//! per-user fan-out. An end heard that way also drops the session from
//! this server's authentication cache, so the cache may live long (30 s)
//! while revocation stays immediate. While the listener is down the cache
//! falls back to the short TTL; after it reconnects every cached
//! authentication is dropped and every live stream resyncs, since ends may
//! have been missed. On SQLite (one server by definition) nothing leaves
//! the process.
pub(crate) mod link;

use crate::events::SessionEvent;
use crate::events::wire;
use crate::store::SessionStore;
use sea_orm::sqlx;
use sea_orm::sqlx::postgres::PgListener;
use std::collections::HashSet;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Payloads sent per `NOTIFY` round trip at most.
const NOTIFY_BATCH: usize = 100;

impl SessionStore {
    /// Delivers `event` to this server's streams and sends it to the others.
    pub(crate) fn publish(&self, event: SessionEvent) {
        let link = &self.inner.link;
        if let Some(outbox) = &link.outbox
            && let Some(payload) = wire::encode(&link.server_id, &event)
        {
            let _ = outbox.send(payload);
        }
        self.inner.events.deliver(event);
    }

    /// Whether this store shares its database with other servers and hears
    /// them right now (always false on SQLite).
    pub fn is_listening(&self) -> bool {
        self.inner.link.is_listening()
    }

    /// The publishing and listening tasks (PostgreSQL only).
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
        let (publisher, listener) = (self.clone(), self.clone());
        vec![
            tokio::spawn(async move { publisher.run_publisher(rx).await }),
            tokio::spawn(async move { listener.run_listener().await }),
        ]
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

    /// Listens until the connection is lost (`Ok`) or fails (`Err`).
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
        while let Some(notification) = listener.try_recv().await? {
            self.on_notification(notification.payload());
        }
        Ok(())
    }

    fn on_notification(&self, payload: &str) {
        let Some((sender, event)) = wire::decode(payload) else {
            tracing::warn!("ignored a malformed session event from another server");
            return;
        };
        // Our own echo: delivered and acted on when it was published.
        if sender == self.inner.link.server_id {
            return;
        }
        if let SessionEvent::Ended { session_id, .. } = &event {
            self.forget_sessions(&HashSet::from([session_id.as_str()]));
        }
        self.inner.events.deliver(event);
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
