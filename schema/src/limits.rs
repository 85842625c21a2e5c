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

/// CSV downloads (`exportLeads`, `exportServices`, `GET /exports/…`) per workshop and per client
/// address and hour: each reads a whole table.
pub const EXPORTS_PER_HOUR: u32 = 120;

/// Counts one CSV download of `workshop_id` from `ip`; `RATE_LIMITED` beyond
/// [`EXPORTS_PER_HOUR`] for either.
pub async fn export(
    limiter: &dyn RateLimiter,
    workshop_id: uuid::Uuid,
    ip: Option<std::net::IpAddr>,
) -> crate::error::ApiResult<()> {
    hit(
        limiter,
        &format!("exports:workshop:{workshop_id}"),
        EXPORTS_PER_HOUR,
        HOUR,
    )
    .await?;
    let ip = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    hit(limiter, &format!("exports:ip:{ip}"), EXPORTS_PER_HOUR, HOUR).await
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
    /// Takes `points` from every one of `buckets` together, or from none of them when one holds
    /// too few; negative `points` give points back (never above a bucket's size). Answers what
    /// each bucket holds afterwards.
    async fn draw(&self, buckets: &[Bucket], points: i64) -> Draw;
}

/// A leaky bucket's size: it holds up to `maximum` points and refills `restore_per_second`
/// points every second, continuously. (In the schema: a plan's `CostBudget`.)
#[derive(async_graphql::SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "CostBudget")]
pub struct BucketSize {
    /// Points the bucket holds when full: the most one operation may cost.
    #[graphql(name = "maximumAvailable")]
    pub maximum: u32,
    /// Points restored per second.
    #[graphql(name = "restoreRate")]
    pub restore_per_second: u32,
}

/// One leaky bucket, e.g. `cost:token:<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub size: BucketSize,
}

/// The outcome of [`RateLimiter::draw`].
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    /// Points each bucket holds after the draw, in the order asked.
    pub levels: Vec<f64>,
    /// Set when nothing was taken: how long until every bucket holds enough.
    pub refused: Option<RetryAfter>,
}

/// The arithmetic of one draw over buckets whose current levels are known (shared by the
/// in-process buckets and, in Lua, by the Redis ones).
fn settle(sizes: &[BucketSize], levels: &mut [f64], points: i64) -> Option<RetryAfter> {
    let wanted = points as f64;
    let wait = sizes
        .iter()
        .zip(levels.iter())
        .filter(|(_, level)| wanted > **level)
        .map(|(size, level)| (wanted - level) / f64::from(size.restore_per_second.max(1)))
        .fold(0.0, f64::max);
    if wait > 0.0 {
        return Some(RetryAfter(Duration::from_secs_f64(wait)));
    }
    for (size, level) in sizes.iter().zip(levels.iter_mut()) {
        *level = (*level - wanted).min(f64::from(size.maximum));
    }
    None
}

#[derive(Debug, Default)]
pub struct InProcessRateLimiter {
    windows: Mutex<HashMap<String, Window>>,
    /// Leaky buckets: the level and when it was last brought up to date.
    buckets: Mutex<HashMap<String, (f64, Instant, BucketSize)>>,
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

    async fn draw(&self, buckets: &[Bucket], points: i64) -> Draw {
        let now = Instant::now();
        let mut stored = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let level_now = |(level, at, size): &(f64, Instant, BucketSize)| {
            let elapsed = now.saturating_duration_since(*at).as_secs_f64();
            (level + elapsed * f64::from(size.restore_per_second)).min(f64::from(size.maximum))
        };
        if stored.len() > PRUNE_ABOVE {
            // A bucket that has filled up again is the same as no bucket.
            stored.retain(|_, entry| level_now(entry) < f64::from(entry.2.maximum));
        }
        let sizes: Vec<BucketSize> = buckets.iter().map(|b| b.size).collect();
        let mut levels: Vec<f64> = buckets
            .iter()
            .map(|b| {
                stored
                    .get(&b.key)
                    .map_or(f64::from(b.size.maximum), level_now)
            })
            .collect();
        let refused = settle(&sizes, &mut levels, points);
        if refused.is_none() {
            for (bucket, level) in buckets.iter().zip(&levels) {
                stored.insert(bucket.key.clone(), (*level, now, bucket.size));
            }
        }
        Draw { levels, refused }
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

    #[test]
    fn a_draw_takes_from_all_buckets_or_from_none() {
        let small = BucketSize {
            maximum: 100,
            restore_per_second: 10,
        };
        let large = BucketSize {
            maximum: 1_000,
            restore_per_second: 50,
        };
        let mut levels = [100.0, 1_000.0];
        assert_eq!(settle(&[small, large], &mut levels, 60), None);
        assert_eq!(levels, [40.0, 940.0]);
        // 60 more do not fit the small bucket: 20 missing at 10 per second.
        let refused = settle(&[small, large], &mut levels, 60).expect("refused");
        assert_eq!(refused.0, Duration::from_secs(2));
        assert_eq!(levels, [40.0, 940.0], "a refused draw takes nothing");
        // Giving back never fills a bucket above its size.
        assert_eq!(settle(&[small, large], &mut levels, -100), None);
        assert_eq!(levels, [100.0, 1_000.0]);
    }

    #[tokio::test]
    async fn buckets_refill_at_their_rate() {
        let limiter = InProcessRateLimiter::default();
        let bucket = Bucket {
            key: "cost:test".into(),
            size: BucketSize {
                maximum: 1_000,
                restore_per_second: 1_000,
            },
        };
        let buckets = std::slice::from_ref(&bucket);
        let drawn = limiter.draw(buckets, 900).await;
        assert!(drawn.refused.is_none());
        assert!(drawn.levels[0] >= 100.0 && drawn.levels[0] < 110.0);
        let refused = limiter.draw(buckets, 900).await;
        let wait = refused.refused.expect("does not fit").0;
        assert!(wait <= Duration::from_millis(800) && wait > Duration::from_millis(500));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let later = limiter.draw(buckets, 0).await;
        assert!(later.levels[0] >= 190.0, "refilled: {later:?}");
    }
}
