//! Subscribers that ask the same thing share one subscription (multiplexing, as Hasura's live
//! queries and Centrifugo's channels do): where sockets of this process send the same document
//! with the same variables and the same access (principal, language, address and origin) and
//! ask for no replay (no `after`), the subscription runs once and each of its responses goes to
//! all of them. An event is then resolved once per group instead of once per subscriber.
//!
//! A subscriber that falls more than [`QUEUE`] responses behind its group leaves it and goes on
//! alone from the last event it got, replayed from the table (`events::Resume`): a slow socket
//! loses nothing and holds nobody else up. One that joined a group which ended before giving it
//! anything (a refusal it came too late for) runs the subscription itself.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use async_graphql::{Name, Request, Response, ServerError, Value, Variables};
use carbot_schema::budget::SubscriptionCost;
use carbot_schema::events::{Position, Resume};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use tokio::sync::broadcast;

/// Responses a subscriber may fall behind its group by before it goes on alone.
const QUEUE: usize = 128;

static GROUP_IDS: AtomicU64 = AtomicU64::new(1);
/// Subscribers that joined a running group (`/metrics`).
static JOINED: AtomicU64 = AtomicU64::new(0);
/// Subscribers that fell behind their group and went on alone (`/metrics`).
static LEFT_BEHIND: AtomicU64 = AtomicU64::new(0);

/// How many subscribers joined a subscription another socket already ran.
pub fn joined_total() -> u64 {
    JOINED.load(Ordering::Relaxed)
}

/// How many subscribers fell behind their shared subscription and went on alone.
pub fn left_behind_total() -> u64 {
    LEFT_BEHIND.load(Ordering::Relaxed)
}

type Registry = Mutex<HashMap<String, (u64, Weak<Group>)>>;

fn lock(registry: &Registry) -> MutexGuard<'_, HashMap<String, (u64, Weak<Group>)>> {
    registry
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The shared subscriptions running in this process, by what they ask.
#[derive(Clone, Default)]
pub struct Multiplexer {
    groups: Arc<Registry>,
}

#[derive(Clone)]
enum Frame {
    Response {
        response: Arc<Response>,
        /// The last stored event the shared follower had handed on with this response.
        position: Option<i64>,
    },
    End,
}

/// One running subscription and its subscribers; it stops with its last subscriber.
struct Group {
    id: u64,
    key: String,
    registry: Arc<Registry>,
    frames: broadcast::Sender<Frame>,
    position: Position,
    /// The subscription's cost, once its budget check passed.
    cost: tokio::sync::watch::Receiver<Option<u64>>,
    task: tokio::task::AbortHandle,
}

impl Drop for Group {
    fn drop(&mut self) {
        self.task.abort();
        let mut groups = lock(&self.registry);
        if groups.get(&self.key).is_some_and(|(id, _)| *id == self.id) {
            groups.remove(&self.key);
        }
    }
}

/// How a subscription request is run: for a group (whose follower keeps the position and whose
/// budget check reports the cost), or on its own (resuming as `resume` says).
#[derive(Default)]
pub struct Start {
    pub position: Option<Position>,
    pub cost: Option<SubscriptionCost>,
    pub resume: Option<Resume>,
}

/// Runs the subscription request.
pub type Run = Arc<dyn Fn(Start) -> BoxStream<'static, Response> + Send + Sync>;

/// Charges a subscriber that joins a group what the group's subscription cost; the refusal
/// when its budget holds too little.
pub type Charge = Box<dyn FnOnce(u64) -> BoxFuture<'static, Option<ServerError>> + Send>;

impl Multiplexer {
    /// The responses of a subscription: shared with the other subscribers of `key` when there
    /// is one (see [`key`]), else `run` on its own. A subscriber that joins a running group is
    /// charged its cost by `charge` (`None`: the caller draws from no budget).
    pub fn subscribe(
        &self,
        key: Option<String>,
        run: Run,
        charge: Option<Charge>,
    ) -> BoxStream<'static, Response> {
        let Some(key) = key else {
            return run(Start::default());
        };
        let (group, joined) = self.group(key, &run);
        let member = Member::Shared {
            frames: group.frames.subscribe(),
            last: group.position.get(),
            since: chrono::Utc::now(),
            got_any: false,
            charge: charge
                .filter(|_| joined)
                .map(|charge| (charge, group.cost.clone())),
            _group: group,
            run,
        };
        futures_util::stream::unfold(member, Member::next).boxed()
    }

    /// The running group of `key` (`true`: joined), or a new one.
    fn group(&self, key: String, run: &Run) -> (Arc<Group>, bool) {
        let mut groups = lock(&self.groups);
        if let Some(group) = groups.get(&key).and_then(|(_, group)| group.upgrade()) {
            JOINED.fetch_add(1, Ordering::Relaxed);
            return (group, true);
        }
        let id = GROUP_IDS.fetch_add(1, Ordering::Relaxed);
        let (frames, _) = broadcast::channel(QUEUE);
        let position = Position::default();
        let (cost, cost_known) = tokio::sync::watch::channel(None);
        let mut responses = run(Start {
            position: Some(position.clone()),
            cost: Some(SubscriptionCost(cost)),
            resume: None,
        });
        let task = tokio::spawn({
            let (frames, position, registry, key) = (
                frames.clone(),
                position.clone(),
                self.groups.clone(),
                key.clone(),
            );
            async move {
                while let Some(response) = responses.next().await {
                    let _ = frames.send(Frame::Response {
                        response: Arc::new(response),
                        position: position.get(),
                    });
                }
                // Nobody joins a group that has ended: out of the registry first.
                let mut groups = lock(&registry);
                if groups.get(&key).is_some_and(|(group, _)| *group == id) {
                    groups.remove(&key);
                }
                let _ = frames.send(Frame::End);
            }
        })
        .abort_handle();
        let group = Arc::new(Group {
            id,
            key: key.clone(),
            registry: self.groups.clone(),
            frames,
            position,
            cost: cost_known,
            task,
        });
        groups.insert(key, (id, Arc::downgrade(&group)));
        (group, false)
    }

    /// Running shared subscriptions (`/metrics`).
    pub fn groups(&self) -> usize {
        lock(&self.groups).len()
    }
}

enum Member {
    Shared {
        /// Held, not read: the group runs while it has members.
        _group: Arc<Group>,
        frames: broadcast::Receiver<Frame>,
        /// The last stored event of the responses received (or the group's when joining).
        last: Option<i64>,
        since: chrono::DateTime<chrono::Utc>,
        got_any: bool,
        /// Still to be charged, once the group's cost is known.
        charge: Option<(Charge, tokio::sync::watch::Receiver<Option<u64>>)>,
        run: Run,
    },
    Alone(BoxStream<'static, Response>),
    /// Refused (its budget could not pay for it).
    Done,
}

impl Member {
    async fn next(mut self) -> Option<(Response, Self)> {
        loop {
            let alone = match &mut self {
                Member::Alone(responses) => {
                    let response = responses.next().await?;
                    return Some((response, self));
                }
                Member::Shared {
                    frames,
                    last,
                    since,
                    got_any,
                    charge,
                    run,
                    ..
                } => {
                    if let Some((charge, mut cost)) = charge.take() {
                        // A group whose check failed never learns its cost (the sender goes
                        // with its request): this one then follows the group to its end.
                        let known = cost.wait_for(Option::is_some).await.ok().and_then(|c| *c);
                        if let Some(cost) = known
                            && let Some(refused) = charge(cost).await
                        {
                            return Some((Response::from_errors(vec![refused]), Member::Done));
                        }
                    }
                    match frames.recv().await {
                        Ok(Frame::Response { response, position }) => {
                            *last = position.or(*last);
                            *got_any = true;
                            return Some((copy(&response), self));
                        }
                        Ok(Frame::End) | Err(broadcast::error::RecvError::Closed) => {
                            if *got_any {
                                return None;
                            }
                            run(Start::default())
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            LEFT_BEHIND.fetch_add(1, Ordering::Relaxed);
                            run(Start {
                                resume: Some(Resume {
                                    after: *last,
                                    since: *since,
                                }),
                                ..Start::default()
                            })
                        }
                    }
                }
                Member::Done => return None,
            };
            // Leaving the group (dropping it stops it when this was its last subscriber).
            self = Member::Alone(alone);
        }
    }
}

fn copy(response: &Response) -> Response {
    let mut copy = Response::new(response.data.clone());
    copy.extensions.clone_from(&response.extensions);
    copy.cache_control = response.cache_control;
    copy.errors.clone_from(&response.errors);
    copy.http_headers.clone_from(&response.http_headers);
    copy
}

/// What subscribers must share to share a subscription: `access` (who asks, in which
/// language, from where) and the request itself; `None` for a request that cannot be shared:
/// not one parsed subscription of fields, or one that replays (`after` other than null).
pub fn key(access: &str, request: &Request) -> Option<String> {
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let operation = match (&document.operations, &request.operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(&Name::new(name))?
        }
        (DocumentOperations::Multiple(_), None) => return None,
    };
    let operation = &operation.node;
    if operation.ty != OperationType::Subscription {
        return None;
    }
    let defaults: HashMap<&str, &Value> = operation
        .variable_definitions
        .iter()
        .filter_map(|definition| {
            let definition = &definition.node;
            let default = definition.default_value.as_ref()?;
            Some((definition.name.node.as_str(), &default.node))
        })
        .collect();
    for selection in &operation.selection_set.node.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        for (name, value) in &field.node.arguments {
            if name.node != "after" {
                continue;
            }
            let after = value.node.clone().into_const_with(|variable| {
                let given = request.variables.get(&variable);
                let default = defaults.get(variable.as_str()).copied();
                Ok::<_, ()>(given.or(default).cloned().unwrap_or(Value::Null))
            });
            if after != Ok(Value::Null) {
                return None;
            }
        }
    }
    let extensions: BTreeMap<&String, &Value> = request.extensions.0.iter().collect();
    Some(format!(
        "{access}\n{:?}\n{}\n{}\n{:?}\n{}",
        request.operation_name,
        variables_json(&request.variables),
        serde_json::to_string(&extensions).ok()?,
        request.introspection_mode,
        request.query
    ))
}

fn variables_json(variables: &Variables) -> String {
    serde_json::to_string(variables).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in subscription: the group's responses come from `events` (each advancing the
    /// position); a subscriber that goes on alone gets the events after its resume point up to
    /// `LAST`, as a replay from the table would give them.
    fn run(
        events: tokio::sync::mpsc::UnboundedReceiver<i64>,
        resumed: Arc<Mutex<Vec<Resume>>>,
    ) -> Run {
        let events = Mutex::new(Some(events));
        Arc::new(move |start: Start| match (start.position, start.resume) {
            (Some(position), _) => {
                if let Some(cost) = start.cost {
                    cost.0.send_replace(Some(7));
                }
                let events = lock_test(&events).take().expect("one group");
                futures_util::stream::unfold(
                    (events, position),
                    |(mut events, position)| async move {
                        let id = events.recv().await?;
                        position.advance(id);
                        Some((Response::new(Value::from(id)), (events, position)))
                    },
                )
                .boxed()
            }
            (None, Some(resume)) => {
                lock_test(&resumed).push(resume);
                let from = resume.after.unwrap_or(0) + 1;
                futures_util::stream::iter((from..=LAST).map(|id| Response::new(Value::from(id))))
                    .boxed()
            }
            (None, None) => futures_util::stream::empty().boxed(),
        })
    }

    const LAST: i64 = 300;

    fn lock_test<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
        mutex.lock().expect("not poisoned")
    }

    async fn id(responses: &mut BoxStream<'static, Response>) -> i64 {
        let response = tokio::time::timeout(std::time::Duration::from_secs(5), responses.next())
            .await
            .expect("a response in time")
            .expect("the subscription goes on");
        match response.data {
            Value::Number(id) => id.as_i64().expect("an id"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn subscribers_share_a_group_and_a_slow_one_resumes_alone_without_losing_a_response() {
        let multiplexer = Multiplexer::default();
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
        let resumed = Arc::default();
        let run = run(receiver, Arc::clone(&resumed));
        let mut fast = multiplexer.subscribe(Some("k".into()), run.clone(), None);
        let mut slow = multiplexer.subscribe(Some("k".into()), run.clone(), None);
        assert_eq!(multiplexer.groups(), 1);
        for n in 1..=5 {
            events.send(n).expect("the group listens");
            assert_eq!(id(&mut fast).await, n);
            assert_eq!(id(&mut slow).await, n);
        }
        // `slow` stops reading while more than its queue holds goes by.
        let left_before = left_behind_total();
        for n in 6..=LAST {
            events.send(n).expect("the group listens");
            assert_eq!(id(&mut fast).await, n);
        }
        let mut seen = Vec::new();
        for _ in 6..=LAST {
            seen.push(id(&mut slow).await);
        }
        assert_eq!(
            seen,
            (6..=LAST).collect::<Vec<_>>(),
            "every response once, in order"
        );
        assert_eq!(lock_test(&resumed)[0].after, Some(5));
        assert!(left_behind_total() > left_before);
        // `slow` left the group; it stops with its last subscriber and leaves the registry.
        assert_eq!(multiplexer.groups(), 1);
        drop(fast);
        assert_eq!(multiplexer.groups(), 0);
        drop(slow);
    }

    #[tokio::test]
    async fn a_subscriber_of_a_group_that_ended_before_it_got_anything_runs_its_own() {
        let multiplexer = Multiplexer::default();
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel::<i64>();
        let resumed = Arc::default();
        let run = run(receiver, resumed);
        let mut first = multiplexer.subscribe(Some("k".into()), run.clone(), None);
        let mut second = multiplexer.subscribe(Some("k".into()), run, None);
        drop(events);
        assert!(first.next().await.is_none());
        // It got nothing from the group, so it ran the subscription itself (here: empty).
        assert!(second.next().await.is_none());
        assert_eq!(multiplexer.groups(), 0);
    }

    const EVENTS: &str = "subscription($id: ID!, $after: String) {
        conversationEvents(conversationId: $id, after: $after) { kind } }";

    fn request(query: &str, variables: serde_json::Value) -> Request {
        Request::new(query).variables(Variables::from_json(variables))
    }

    #[test]
    fn a_subscription_without_replay_is_shared_by_what_it_asks() {
        let one = key("owner", &request(EVENTS, serde_json::json!({ "id": "c1" })));
        let same = key(
            "owner",
            &request(EVENTS, serde_json::json!({ "id": "c1", "after": null })),
        );
        assert!(one.is_some());
        assert_ne!(
            one,
            key("owner", &request(EVENTS, serde_json::json!({ "id": "c2" })))
        );
        assert_ne!(
            one,
            key("staff", &request(EVENTS, serde_json::json!({ "id": "c1" })))
        );
        // A null variable is not the same text of variables, but nothing is wrong with that:
        // both are shareable, each with its own.
        assert!(same.is_some());
    }

    #[test]
    fn a_replay_a_query_or_a_fragment_is_not_shared() {
        let replay = request(EVENTS, serde_json::json!({ "id": "c1", "after": "0" }));
        assert_eq!(key("owner", &replay), None);
        let literal = request(
            "subscription { inboxEvents(after: \"12\") { cursor } }",
            serde_json::json!({}),
        );
        assert_eq!(key("owner", &literal), None);
        let defaulted = request(
            "subscription($after: String = \"3\") { inboxEvents(after: $after) { cursor } }",
            serde_json::json!({}),
        );
        assert_eq!(key("owner", &defaulted), None);
        let query = request("{ __typename }", serde_json::json!({}));
        assert_eq!(key("owner", &query), None);
        let fragment = request(
            "subscription { ...F } fragment F on SubscriptionRoot { inboxEvents { cursor } }",
            serde_json::json!({}),
        );
        assert_eq!(key("owner", &fragment), None);
        assert_eq!(
            key("owner", &request("subscription {", serde_json::json!({}))),
            None
        );
    }

    #[tokio::test]
    async fn a_subscriber_joining_a_group_is_charged_its_cost_and_refused_if_it_cannot_pay() {
        let multiplexer = Multiplexer::default();
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
        let run = run(receiver, Arc::default());
        let charged = Arc::new(Mutex::new(Vec::new()));
        let charge = |refuse: bool| -> Charge {
            let charged = charged.clone();
            Box::new(move |cost| {
                Box::pin(async move {
                    lock_test(&charged).push(cost);
                    refuse.then(|| ServerError::new("over budget", None))
                })
            })
        };
        // The first one starts the group (its own check charges it) and pays nothing here.
        let mut first = multiplexer.subscribe(Some("k".into()), run.clone(), Some(charge(true)));
        let mut paying = multiplexer.subscribe(Some("k".into()), run.clone(), Some(charge(false)));
        let mut refused = multiplexer.subscribe(Some("k".into()), run, Some(charge(true)));
        events.send(1).expect("the group listens");
        assert_eq!(id(&mut first).await, 1);
        assert_eq!(id(&mut paying).await, 1);
        let answer = refused.next().await.expect("the refusal");
        assert_eq!(answer.errors[0].message, "over budget");
        assert!(refused.next().await.is_none(), "a refused one ends");
        assert_eq!(
            *lock_test(&charged),
            [7, 7],
            "each joiner paid the group's cost"
        );
    }
}
