//! Password hashing off the async workers, and bounded: at most `permits`
//! Argon2id runs at once (each holds `memory_kib` of memory), and an
//! attempt that cannot get a permit within `max_wait` is answered "busy"
//! at once rather than queued, so a flood of logins costs a bounded amount
//! of memory and CPU.
use crate::config::HashingConfig;
use crate::secret::PasswordHash;
use crate::{Result, StoreError};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

pub(crate) struct PasswordWork {
    config: HashingConfig,
    permits: Arc<Semaphore>,
    /// Verified against when a username is unknown, so that both answers
    /// cost the same; made with the configured cost on first use.
    dummy: OnceCell<PasswordHash>,
}

impl PasswordWork {
    pub fn new(config: HashingConfig) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(config.permits)),
            config,
            dummy: OnceCell::new(),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        let c = &self.config;
        // Our parameters are within Argon2's ranges unless configured absurdly.
        let params = Params::new(c.memory_kib, c.iterations, 1, None).unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Runs `f` on a blocking thread once a permit is free.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T> {
        let acquire = self.permits.clone().acquire_owned();
        let permit = match tokio::time::timeout(self.config.max_wait, acquire).await {
            Ok(Ok(permit)) => permit,
            _ => {
                tracing::warn!(target: "audit", "password hashing saturated: answered busy");
                return Err(StoreError::Busy {
                    retry_after_secs: 1,
                });
            }
        };
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || {
            let _held = permit;
            f(argon2)
        })
        .await
        .map_err(|_| StoreError::PasswordHashing)
    }

    /// A new hash of `password`.
    pub async fn hash(&self, password: &str) -> Result<PasswordHash> {
        let password = password.to_owned();
        self.run(move |a| PasswordHash::create_with(&a, &password))
            .await?
    }

    /// Whether `password` matches `hash` (or, with no account, a dummy).
    pub async fn verify(&self, hash: Option<PasswordHash>, password: &str) -> Result<bool> {
        let (real, hash) = match hash {
            Some(h) => (true, h),
            None => (false, self.dummy().await?),
        };
        let password = password.to_owned();
        let ok = self.run(move |_| hash.verify(&password)).await?;
        Ok(real && ok)
    }

    async fn dummy(&self) -> Result<PasswordHash> {
        self.dummy
            .get_or_try_init(|| async {
                self.run(|a| PasswordHash::create_with(&a, "not a real password"))
                    .await?
            })
            .await
            .cloned()
    }

    /// Permits free right now (tests).
    #[cfg(test)]
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cheap(permits: usize, max_wait: Duration) -> PasswordWork {
        PasswordWork::new(HashingConfig {
            memory_kib: 64,
            iterations: 1,
            permits,
            max_wait,
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn saturated_hashing_answers_busy_instead_of_queueing() {
        let work = Arc::new(cheap(1, Duration::from_millis(20)));
        // Hold the only permit, as a long Argon2 run would.
        let held = work.permits.clone().acquire_owned().await.unwrap();
        // Had it queued, this would wait for a permit nobody gives back.
        let busy = work.hash("some password").await.unwrap_err();
        assert!(matches!(
            busy,
            StoreError::Busy {
                retry_after_secs: 1
            }
        ));
        drop(held);
        let hash = work.hash("some password").await.unwrap();
        assert!(
            work.verify(Some(hash.clone()), "some password")
                .await
                .unwrap()
        );
        assert!(!work.verify(Some(hash), "other").await.unwrap());
        assert!(!work.verify(None, "not a real password").await.unwrap());
        assert_eq!(work.available(), 1, "permits come back");
    }
}
