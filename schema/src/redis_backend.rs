//! Redis behind the event bus and the rate limiter, so that every `carbot serve` process on one
//! Redis acts as one platform. Redis being away degrades, it does not stop: events still reach
//! subscribers of this process (and the others catch up from PostgreSQL when Redis is back),
//! and rate limits fall back to this process's own counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::events::{Envelope, EventBus, Hub, resync_marker};
use crate::limits::{Bucket, Draw, InProcessRateLimiter, RateLimiter, RetryAfter};
use crate::principal::Tenant;

const TIMEOUT: Duration = Duration::from_secs(1);

async fn manager(client: &redis::Client) -> redis::RedisResult<ConnectionManager> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_secs(2));
    client.get_connection_manager_with_config(config).await
}

/// One bus message on the wire. (`Cow`: the payload is JSON in JSON, so it arrives escaped
/// and cannot be borrowed.)
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    w: Uuid,
    #[serde(borrow)]
    t: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    p: std::borrow::Cow<'a, str>,
}

/// Publishes to one Redis channel and forwards everything on it to this process's subscribers
/// through one Redis connection, however many subscribers there are.
#[derive(Debug)]
pub struct RedisEventBus {
    publisher: ConnectionManager,
    channel: String,
    /// This process's subscribers, by workshop and topic.
    local: Arc<Hub>,
    listening: Arc<AtomicBool>,
    stop: CancellationToken,
}

impl RedisEventBus {
    /// Connects (failing fast when Redis is not there at start-up) and starts listening.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let publisher = manager(&client).await?;
        let channel = format!("{prefix}:events");
        let local = Arc::new(Hub::default());
        let listening = Arc::new(AtomicBool::new(false));
        let stop = CancellationToken::new();
        tokio::spawn(listen(
            client,
            channel.clone(),
            local.clone(),
            listening.clone(),
            stop.clone(),
        ));
        Ok(Self {
            publisher,
            channel,
            local,
            listening,
            stop,
        })
    }
}

impl Drop for RedisEventBus {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Keeps one subscription to the channel, reconnecting with back-off; after every reconnect
/// the local subscribers are told to catch up from the table.
async fn listen(
    client: redis::Client,
    channel: String,
    local: Arc<Hub>,
    listening: Arc<AtomicBool>,
    stop: CancellationToken,
) {
    let mut delay = Duration::from_millis(100);
    let mut first = true;
    loop {
        let connected = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            redis::RedisResult::Ok(pubsub)
        };
        let result = tokio::select! {
            () = stop.cancelled() => return,
            result = tokio::time::timeout(TIMEOUT * 3, connected) => result,
        };
        match result {
            Ok(Ok(pubsub)) => {
                listening.store(true, Ordering::Relaxed);
                if !first {
                    tracing::info!("redis is back; subscribers catch up");
                    local.send(resync_marker());
                }
                delay = Duration::from_millis(100);
                let mut messages = pubsub.into_on_message();
                loop {
                    let message = tokio::select! {
                        () = stop.cancelled() => return,
                        message = messages.next() => message,
                    };
                    let Some(message) = message else { break };
                    let Ok(payload) = message.get_payload::<String>() else {
                        continue;
                    };
                    if let Ok(wire) = serde_json::from_str::<Wire<'_>>(&payload) {
                        local.send(Envelope::new(
                            wire.w,
                            wire.t.into_owned(),
                            Arc::from(wire.p.as_ref()),
                        ));
                    }
                }
                listening.store(false, Ordering::Relaxed);
                tracing::warn!("lost the redis subscription; reconnecting");
            }
            Ok(Err(error)) => tracing::warn!(%error, "cannot subscribe to redis"),
            Err(_) => tracing::warn!("subscribing to redis timed out"),
        }
        first = false;
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[async_trait::async_trait]
impl EventBus for RedisEventBus {
    async fn publish(&self, event: Envelope) {
        let wire = Wire {
            w: event.workshop_id,
            t: std::borrow::Cow::Borrowed(&event.topic),
            p: std::borrow::Cow::Borrowed(&event.payload),
        };
        let Ok(message) = serde_json::to_string(&wire) else {
            return;
        };
        let mut conn = self.publisher.clone();
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(message)
            .query_async(&mut conn)
            .await;
        // Without Redis, or while our own subscription is down, deliver here at least; the
        // other processes catch up from the table when Redis is back.
        if let Err(error) = sent {
            tracing::warn!(%error, "publishing to redis failed; delivering in this process only");
            self.local.send(event);
        } else if !self.listening.load(Ordering::Relaxed) {
            self.local.send(event);
        }
    }

    fn subscribe(&self, tenant: Tenant, topic: &str) -> BoxStream<'static, Envelope> {
        self.local.subscribe(tenant, topic)
    }

    fn status(&self) -> &'static str {
        if self.listening.load(Ordering::Relaxed) {
            "redis"
        } else {
            "redis-degraded"
        }
    }
}

/// `INCR` + `PEXPIRE` in one step: a fixed window per key, shared by all processes.
const HIT: &str = "
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}";

/// A draw from several leaky buckets at once (see `limits::settle`, the same arithmetic): each
/// bucket is a hash `{l: level, t: milliseconds}` brought up to date with Redis's own clock, so
/// that processes whose clocks differ share one budget. KEYS are the buckets; ARGV the points,
/// then each bucket's size and restore rate. Answers the wait in milliseconds (0: taken) and
/// every bucket's level afterwards.
const DRAW: &str = "
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local points = tonumber(ARGV[1])
local levels = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 * i]); local rate = tonumber(ARGV[2 * i + 1])
  local v = redis.call('HMGET', key, 'l', 't')
  local level = tonumber(v[1]) or max
  local at = tonumber(v[2]) or now
  level = math.min(max, level + math.max(0, now - at) * rate / 1000)
  levels[i] = level
  if points > level then wait = math.max(wait, math.ceil((points - level) * 1000 / rate)) end
end
if wait == 0 then
  for i, key in ipairs(KEYS) do
    local max = tonumber(ARGV[2 * i]); local rate = tonumber(ARGV[2 * i + 1])
    levels[i] = math.min(max, levels[i] - points)
    redis.call('HSET', key, 'l', tostring(levels[i]), 't', tostring(now))
    redis.call('PEXPIRE', key, math.ceil((max - levels[i]) * 1000 / rate) + 1000)
  end
end
local out = {tostring(wait)}
for i, level in ipairs(levels) do out[i + 1] = tostring(level) end
return out";

#[derive(Debug)]
pub struct RedisRateLimiter {
    conn: ConnectionManager,
    prefix: String,
    hit: redis::Script,
    draw: redis::Script,
    /// Used while Redis is away, so that limits still hold per process.
    fallback: InProcessRateLimiter,
}

impl RedisRateLimiter {
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        Ok(Self {
            conn: manager(&client).await?,
            prefix: format!("{prefix}:limit:"),
            hit: redis::Script::new(HIT),
            draw: redis::Script::new(DRAW),
            fallback: InProcessRateLimiter::default(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn over(hits: i64, limit: u32, ttl_ms: i64) -> Result<(), RetryAfter> {
    if hits > i64::from(limit) {
        Err(RetryAfter(Duration::from_millis(ttl_ms.max(0) as u64)))
    } else {
        Ok(())
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, key: &str, limit: u32, window: Duration) -> Result<(), RetryAfter> {
        let mut conn = self.conn.clone();
        let result: redis::RedisResult<(Option<i64>, i64)> = redis::pipe()
            .get(self.key(key))
            .pttl(self.key(key))
            .query_async(&mut conn)
            .await;
        match result {
            Ok((hits, ttl)) => over(hits.unwrap_or(0) + 1, limit, ttl),
            Err(error) => {
                tracing::warn!(%error, "rate limiter: redis unavailable, counting in-process");
                self.fallback.check(key, limit, window).await
            }
        }
    }

    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<(), RetryAfter> {
        let mut conn = self.conn.clone();
        let result: redis::RedisResult<(i64, i64)> = self
            .hit
            .key(self.key(key))
            .arg(window.as_millis() as u64)
            .invoke_async(&mut conn)
            .await;
        match result {
            Ok((hits, ttl)) => over(hits, limit, ttl),
            Err(error) => {
                tracing::warn!(%error, "rate limiter: redis unavailable, counting in-process");
                self.fallback.hit(key, limit, window).await
            }
        }
    }

    async fn reset(&self, key: &str) {
        let mut conn = self.conn.clone();
        let _: redis::RedisResult<i64> = redis::cmd("DEL")
            .arg(self.key(key))
            .query_async(&mut conn)
            .await;
        self.fallback.reset(key).await;
    }

    async fn draw(&self, buckets: &[Bucket], points: i64) -> Draw {
        let mut invocation = self.draw.prepare_invoke();
        invocation.arg(points);
        for bucket in buckets {
            invocation
                .key(self.key(&bucket.key))
                .arg(bucket.size.maximum)
                .arg(bucket.size.restore_per_second.max(1));
        }
        let mut conn = self.conn.clone();
        let answer: redis::RedisResult<Vec<String>> = invocation.invoke_async(&mut conn).await;
        let parsed = answer.ok().and_then(|answer| {
            let numbers: Option<Vec<f64>> = answer.iter().map(|n| n.parse().ok()).collect();
            numbers.filter(|n| n.len() == buckets.len() + 1)
        });
        match parsed {
            Some(numbers) => Draw {
                levels: numbers[1..].to_vec(),
                refused: (numbers[0] > 0.0)
                    .then(|| RetryAfter(Duration::from_millis(numbers[0] as u64))),
            },
            None => {
                tracing::warn!("cost budgets: redis unavailable, counting in-process");
                self.fallback.draw(buckets, points).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Wire;

    #[test]
    fn payloads_survive_the_wire_whatever_they_contain() {
        let payload = r#"{"body":"Er sagte \"Hallo\"\n<script>","ü":"ß"}"#;
        let wire = Wire {
            w: uuid::Uuid::nil(),
            t: "events".into(),
            p: payload.into(),
        };
        let text = serde_json::to_string(&wire).expect("serialize");
        let back: Wire<'_> = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back.p, payload);
        assert_eq!(back.t, "events");
    }
}
