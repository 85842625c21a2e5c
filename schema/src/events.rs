//! The event bus: how a change in one place reaches live subscribers.
//!
//! In-process by default; the chat issue adds a Redis implementation so that several
//! `carbot serve` processes share one bus.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::sync::broadcast;
use uuid::Uuid;

/// One event for one workshop; `payload` is the JSON the subscription resolvers decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub workshop_id: Uuid,
    pub topic: String,
    pub payload: String,
}

#[async_trait::async_trait]
pub trait EventBus: Send + Sync + std::fmt::Debug {
    async fn publish(&self, event: Event);
    /// Events of `workshop_id` on `topic` published after this call.
    fn subscribe(&self, workshop_id: Uuid, topic: &str) -> BoxStream<'static, Event>;
}

#[derive(Debug)]
pub struct InProcessEventBus {
    sender: broadcast::Sender<Event>,
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
    async fn publish(&self, event: Event) {
        // No subscriber is not an error: events are also stored with the change that caused them.
        let _ = self.sender.send(event);
    }

    fn subscribe(&self, workshop_id: Uuid, topic: &str) -> BoxStream<'static, Event> {
        let topic = topic.to_owned();
        broadcast_stream(self.sender.subscribe())
            .filter(move |event| {
                futures_util::future::ready(
                    event.workshop_id == workshop_id && event.topic == topic,
                )
            })
            .boxed()
    }
}

/// A lagging receiver skips what it missed rather than ending the stream.
fn broadcast_stream(receiver: broadcast::Receiver<Event>) -> BoxStream<'static, Event> {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((event, receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_get_only_their_workshop_and_topic() {
        let bus = InProcessEventBus::default();
        let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
        let mut stream = bus.subscribe(mine, "leads");
        let event = |workshop_id, topic: &str, payload: &str| Event {
            workshop_id,
            topic: topic.into(),
            payload: payload.into(),
        };
        bus.publish(event(other, "leads", "foreign")).await;
        bus.publish(event(mine, "chat", "other topic")).await;
        bus.publish(event(mine, "leads", "mine")).await;
        let received = stream.next().await.expect("an event");
        assert_eq!(received.payload, "mine");
    }
}
