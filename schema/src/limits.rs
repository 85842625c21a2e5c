//! Rate limits behind one interface: in-process by default, shared (Redis) when configured, so
//! that several `carbot serve` processes enforce one limit together.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the caller should wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    pub fn secs(self) -> u64 {
        self.0.as_secs().max(1)
    }
}

pub const MINUTE: Duration = Duration::from_secs(60);
pub const HOUR: Duration = Duration::from_secs(3_600);

impl From<RetryAfter> for crate::error::ApiError {
    fn from(retry: RetryAfter) -> Self {
        Self::RateLimited {
            retry_after_secs: retry.secs(),
        }
    }
}

/// Counts one hit of `key`; `RATE_LIMITED` once it goes over `limit` per `window`.
pub async fn hit(
    limiter: &dyn RateLimiter,
    key: &str,
    limit: u32,
    window: Duration,
) -> crate::error::ApiResult<()> {
    Ok(limiter.hit(key, limit, window).await?)
}

/// Fixed-window counters keyed by strings such as `login:ip:203.0.113.7`.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Fails when `key` already reached `limit` hits in the current window; counts nothing.
    async fn check(&self, key: &str, limit: u32, window: Duration) -> Result<(), RetryAfter>;
    /// Counts one hit of `key`; fails when this hit goes over `limit`.
    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<(), RetryAfter>;
    /// Forgets the hits of `key` (e.g. after a successful login).
    async fn reset(&self, key: &str);
}

#[derive(Debug, Default)]
pub struct InProcessRateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    length: Duration,
    hits: u32,
}

impl Window {
    fn retry_after(&self, now: Instant) -> RetryAfter {
        RetryAfter((self.started + self.length).saturating_duration_since(now))
    }
}

const PRUNE_ABOVE: usize = 10_000;

impl InProcessRateLimiter {
    fn with_window<T>(
        &self,
        key: &str,
        window: Duration,
        f: impl FnOnce(&mut Window, Instant) -> T,
    ) -> T {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, w| now.duration_since(w.started) < w.length);
        }
        let entry = windows.entry(key.to_owned()).or_insert(Window {
            started: now,
            length: window,
            hits: 0,
        });
        if now.duration_since(entry.started) >= entry.length {
            *entry = Window {
                started: now,
                length: window,
                hits: 0,
            };
        }
        f(entry, now)
    }
}

#[async_trait::async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn check(&self, key: &str, limit: u32, window: Duration) -> Result<(), RetryAfter> {
        self.with_window(key, window, |w, now| {
            if w.hits >= limit {
                Err(w.retry_after(now))
            } else {
                Ok(())
            }
        })
    }

    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<(), RetryAfter> {
        self.with_window(key, window, |w, now| {
            w.hits = w.hits.saturating_add(1);
            if w.hits > limit {
                Err(w.retry_after(now))
            } else {
                Ok(())
            }
        })
    }

    async fn reset(&self, key: &str) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        windows.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_hits_per_key_and_window() {
        let limiter = InProcessRateLimiter::default();
        let minute = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.hit("a", 3, minute).await.is_ok());
        }
        let refused = limiter
            .hit("a", 3, minute)
            .await
            .expect_err("fourth hit is over");
        assert!(refused.secs() >= 59);
        assert!(limiter.check("a", 3, minute).await.is_err());
        assert!(limiter.check("b", 3, minute).await.is_ok());
        limiter.reset("a").await;
        assert!(limiter.check("a", 3, minute).await.is_ok());

        assert!(
            limiter
                .hit("short", 1, Duration::from_millis(20))
                .await
                .is_ok()
        );
        assert!(
            limiter
                .hit("short", 1, Duration::from_millis(20))
                .await
                .is_err()
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(
            limiter
                .hit("short", 1, Duration::from_millis(20))
                .await
                .is_ok()
        );
    }
}
