//! Classification on one dedicated thread.
//!
//! Each regex grows a lazy-DFA cache per thread that runs it (up to 8 MiB
//! each, ~1,300 regexes): classifying on whatever worker thread handles a
//! login would grow one set of caches per worker. One thread, fed through
//! a bounded queue, keeps one set; the parser itself is built when the
//! first login needs it, not at start. Results are cached by user agent.
use super::{ClientInfo, UserAgentClassifier, truncate_user_agent};
use crate::model::DeviceType;
use moka::sync::Cache;
use std::sync::{Arc, LazyLock, OnceLock};
use tokio::sync::{mpsc, oneshot};

type Job = (String, oneshot::Sender<ClientInfo>);

/// Logins waiting to be classified at most; more wait to enqueue.
const QUEUE: usize = 64;

/// The process's user-agent classification.
pub struct UserAgents {
    jobs: OnceLock<mpsc::Sender<Job>>,
    cache: Cache<String, Arc<ClientInfo>>,
}

static GLOBAL: LazyLock<UserAgents> = LazyLock::new(|| UserAgents {
    jobs: OnceLock::new(),
    cache: Cache::new(10_000),
});

fn unknown() -> ClientInfo {
    ClientInfo {
        device_type: DeviceType::Other,
        platform: "Unknown".to_owned(),
        browser_name: "Unknown".to_owned(),
        browser_version: String::new(),
    }
}

fn start() -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
    let spawned = std::thread::Builder::new()
        .name("user-agents".to_owned())
        .spawn(move || {
            let classifier = UserAgentClassifier::new()
                .inspect_err(|e| tracing::error!(error = %e, "user-agent rules unusable"))
                .ok();
            while let Some((ua, reply)) = rx.blocking_recv() {
                let info = classifier
                    .as_ref()
                    .map_or_else(unknown, |c| c.classify(&ua));
                let _ = reply.send(info);
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the user-agent thread");
    }
    tx
}

impl UserAgents {
    /// The one instance.
    pub fn global() -> &'static Self {
        &GLOBAL
    }

    /// What `ua` (cut to 512 bytes) says, from the cache when seen before.
    pub async fn classify(&self, ua: &str) -> Arc<ClientInfo> {
        let ua = truncate_user_agent(ua);
        if let Some(hit) = self.cache.get(ua) {
            return hit;
        }
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.get_or_init(start);
        let info = match jobs.send((ua.to_owned(), reply)).await {
            Ok(()) => answer.await.unwrap_or_else(|_| unknown()),
            Err(_) => unknown(),
        };
        let info = Arc::new(info);
        self.cache.insert(ua.to_owned(), info.clone());
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn classifies_on_its_thread_and_caches() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
        let first = UserAgents::global().classify(ua).await;
        assert_eq!(first.browser_name, "Firefox");
        assert_eq!(first.device_type, DeviceType::Desktop);
        let again = UserAgents::global().classify(ua).await;
        assert!(Arc::ptr_eq(&first, &again));
    }
}
