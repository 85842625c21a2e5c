//! The bus that carries committed events to subscribers: in-process by default, Redis when
//! configured (`crate::redis_backend`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::sync::broadcast;
use uuid::Uuid;

use super::StoredEvent;
use crate::principal::Tenant;

/// One message on the bus; `payload` is a serialized [`super::StoredEvent`].
#[derive(Debug, Clone)]
pub struct Envelope {
    pub workshop_id: Uuid,
    pub topic: String,
    pub payload: Arc<str>,
    /// The payload read as an event, once per event (not once per subscriber): every clone of
    /// an envelope shares it.
    pub decoded: Arc<OnceLock<Option<StoredEvent>>>,
}

impl Envelope {
    /// A message of `payload`, read when a subscriber first asks.
    pub fn new(workshop_id: Uuid, topic: impl Into<String>, payload: Arc<str>) -> Self {
        Self {
            workshop_id,
            topic: topic.into(),
            payload,
            decoded: Arc::default(),
        }
    }

    /// The message of a stored event, already read.
    pub fn of_event(event: &StoredEvent, payload: String) -> Self {
        Self {
            workshop_id: event.workshop_id,
            topic: TOPIC.into(),
            payload: payload.into(),
            decoded: Arc::new(OnceLock::from(Some(event.clone()))),
        }
    }

    /// The event the payload holds (`None` for one that does not read as an event).
    pub fn event(&self) -> Option<&StoredEvent> {
        self.decoded
            .get_or_init(|| serde_json::from_str(&self.payload).ok())
            .as_ref()
    }
}

/// The topic of workshop events.
pub const TOPIC: &str = "events";
/// Sent to every subscriber when the bus may have missed messages: read the table again.
pub const RESYNC: &str = "resync";

#[async_trait::async_trait]
pub trait EventBus: Send + Sync + std::fmt::Debug {
    async fn publish(&self, event: Envelope);
    /// Events of `workshop_id` on `topic` published after this call, plus [`RESYNC`] markers.
    fn subscribe(&self, tenant: Tenant, topic: &str) -> BoxStream<'static, Envelope>;
    /// `in-process`, `redis` or `redis-degraded`, for `/readyz` and logs.
    fn status(&self) -> &'static str;
}

/// Delivers within this process only: the default without `REDIS_URL`.
#[derive(Debug, Default)]
pub struct InProcessEventBus {
    hub: Hub,
}

#[async_trait::async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, event: Envelope) {
        // No subscriber is not an error: events are also stored with the change that caused them.
        self.hub.send(event);
    }

    fn subscribe(&self, tenant: Tenant, topic: &str) -> BoxStream<'static, Envelope> {
        self.hub.subscribe(tenant, topic)
    }

    fn status(&self) -> &'static str {
        "in-process"
    }
}

/// Events one subscriber may fall behind by before it is told to resync from the table (its
/// queue does not grow beyond this; a channel's slots are allocated up front, hence small).
const SUBSCRIBER_QUEUE: usize = 128;

/// Subscribers that fell behind and were resynced from the table (`/metrics`).
static LAGGED: AtomicU64 = AtomicU64::new(0);

/// How many times a subscriber fell behind its queue and was resynced from the table.
pub fn lagged_subscribers() -> u64 {
    LAGGED.load(Ordering::Relaxed)
}

/// This process's subscribers by workshop and topic: an event wakes only its own audience, so
/// its cost does not grow with the number of other workshops connected.
#[derive(Debug, Default)]
pub struct Hub {
    channels: RwLock<HashMap<Uuid, HashMap<String, broadcast::Sender<Envelope>>>>,
}

impl Hub {
    fn read(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, HashMap<Uuid, HashMap<String, broadcast::Sender<Envelope>>>>
    {
        self.channels
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, HashMap<Uuid, HashMap<String, broadcast::Sender<Envelope>>>>
    {
        self.channels
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hands `event` to the subscribers of its workshop and topic; a [`RESYNC`] marker to all.
    pub fn send(&self, event: Envelope) {
        if event.topic == RESYNC {
            for sender in self.read().values().flat_map(HashMap::values) {
                let _ = sender.send(event.clone());
            }
            return;
        }
        let (workshop_id, topic) = (event.workshop_id, event.topic.clone());
        let unheard = self
            .read()
            .get(&workshop_id)
            .and_then(|topics| topics.get(&topic))
            .is_some_and(|sender| sender.send(event).is_err());
        if unheard {
            // Its last subscriber left: forget the channel.
            let mut channels = self.write();
            if let Some(topics) = channels.get_mut(&workshop_id) {
                topics.retain(|_, sender| sender.receiver_count() > 0);
                if topics.is_empty() {
                    channels.remove(&workshop_id);
                }
            }
        }
    }

    /// The events of the tenant's workshop on `topic` from now on, plus [`RESYNC`] markers.
    pub fn subscribe(&self, tenant: Tenant, topic: &str) -> BoxStream<'static, Envelope> {
        let receiver = self
            .write()
            .entry(tenant.workshop_id())
            .or_default()
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(SUBSCRIBER_QUEUE).0)
            .subscribe();
        queue(receiver)
    }
}

/// A subscriber's queue. One that falls behind gets a [`RESYNC`] instead of what it missed,
/// and catches up from the table.
fn queue(receiver: broadcast::Receiver<Envelope>) -> BoxStream<'static, Envelope> {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        match receiver.recv().await {
            Ok(event) => Some((event, receiver)),
            Err(broadcast::error::RecvError::Lagged(_)) => {
                LAGGED.fetch_add(1, Ordering::Relaxed);
                Some((resync_marker(), receiver))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    })
    .boxed()
}

pub(crate) fn resync_marker() -> Envelope {
    Envelope::new(Uuid::nil(), RESYNC, Arc::from(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::test_tenant;

    #[tokio::test]
    async fn subscribers_get_only_their_workshop_and_topic() {
        let bus = InProcessEventBus::default();
        let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
        let mut stream = bus.subscribe(test_tenant(mine), "leads");
        let event = |workshop_id, topic: &str, payload: &str| {
            Envelope::new(workshop_id, topic, payload.into())
        };
        bus.publish(event(other, "leads", "foreign")).await;
        bus.publish(event(mine, "chat", "other topic")).await;
        bus.publish(event(mine, "leads", "mine")).await;
        let received = stream.next().await.expect("an event");
        assert_eq!(&*received.payload, "mine");
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_to_resync() {
        let hub = Hub::default();
        let workshop = Uuid::new_v4();
        let mut stream = hub.subscribe(test_tenant(workshop), TOPIC);
        let before = lagged_subscribers();
        for n in 0..SUBSCRIBER_QUEUE + 5 {
            hub.send(Envelope::new(workshop, TOPIC, n.to_string().into()));
        }
        assert_eq!(stream.next().await.expect("marker").topic, RESYNC);
        assert!(lagged_subscribers() > before);
    }

    #[tokio::test]
    async fn channels_go_when_their_last_subscriber_leaves() {
        let hub = Hub::default();
        let workshop = Uuid::new_v4();
        let stream = hub.subscribe(test_tenant(workshop), TOPIC);
        assert_eq!(hub.read().len(), 1);
        drop(stream);
        hub.send(Envelope::new(workshop, TOPIC, "nobody hears it".into()));
        assert!(hub.read().is_empty());
    }
}
