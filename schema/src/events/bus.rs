//! The bus that carries committed events to subscribers: in-process by default, Redis when
//! configured (`crate::redis_backend`).

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::principal::Tenant;

/// One message on the bus; `payload` is a serialized [`super::StoredEvent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub workshop_id: Uuid,
    pub topic: String,
    pub payload: Arc<str>,
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
#[derive(Debug)]
pub struct InProcessEventBus {
    sender: broadcast::Sender<Envelope>,
}

impl Default for InProcessEventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(4096).0,
        }
    }
}

#[async_trait::async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, event: Envelope) {
        // No subscriber is not an error: events are also stored with the change that caused them.
        let _ = self.sender.send(event);
    }

    fn subscribe(&self, tenant: Tenant, topic: &str) -> BoxStream<'static, Envelope> {
        filtered(self.sender.subscribe(), tenant, topic)
    }

    fn status(&self) -> &'static str {
        "in-process"
    }
}

/// A receiver's events for one workshop and topic. A lagging receiver gets a [`RESYNC`]
/// instead of what it missed, and catches up from the table.
pub(crate) fn filtered(
    receiver: broadcast::Receiver<Envelope>,
    tenant: Tenant,
    topic: &str,
) -> BoxStream<'static, Envelope> {
    let workshop_id = tenant.workshop_id();
    let topic = topic.to_owned();
    futures_util::stream::unfold(receiver, move |mut receiver| {
        let topic = topic.clone();
        async move {
            loop {
                match receiver.recv().await {
                    Ok(event)
                        if event.topic == RESYNC
                            || (event.workshop_id == workshop_id && event.topic == topic) =>
                    {
                        return Some((event, receiver));
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((resync_marker(), receiver));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    })
    .boxed()
}

pub(crate) fn resync_marker() -> Envelope {
    Envelope {
        workshop_id: Uuid::nil(),
        topic: RESYNC.into(),
        payload: Arc::from(""),
    }
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
        let event = |workshop_id, topic: &str, payload: &str| Envelope {
            workshop_id,
            topic: topic.into(),
            payload: payload.into(),
        };
        bus.publish(event(other, "leads", "foreign")).await;
        bus.publish(event(mine, "chat", "other topic")).await;
        bus.publish(event(mine, "leads", "mine")).await;
        let received = stream.next().await.expect("an event");
        assert_eq!(&*received.payload, "mine");
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_to_resync() {
        let (sender, receiver) = broadcast::channel(2);
        let workshop = Uuid::new_v4();
        let mut stream = filtered(receiver, test_tenant(workshop), TOPIC);
        for n in 0..5 {
            sender
                .send(Envelope {
                    workshop_id: workshop,
                    topic: TOPIC.into(),
                    payload: n.to_string().into(),
                })
                .expect("a receiver");
        }
        assert_eq!(stream.next().await.expect("marker").topic, RESYNC);
    }
}
