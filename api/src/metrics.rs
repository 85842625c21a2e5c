//! Prometheus metrics: request durations by operation type and outcome, pool use, backlogs and
//! model answers the catalog did not back.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const GRAPHQL_DURATION: &str = "carbot_graphql_request_duration_seconds";
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0,
];

/// One recorder per process (tests start many apps in one process; they share it).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(GRAPHQL_DURATION.into()), BUCKETS)
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (an embedding program); then ours
            // still renders what is recorded through it.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

pub fn record_graphql(operation_type: &'static str, outcome: &'static str, seconds: f64) {
    metrics::histogram!(GRAPHQL_DURATION, "operation_type" => operation_type, "outcome" => outcome)
        .record(seconds);
}

pub fn record_statements(total: u64) {
    metrics::counter!("carbot_db_statements_total").absolute(total);
}

/// Model answers replaced by the built-in assistant because they quoted an amount the catalog
/// does not back; recorded on every scrape, so the counter shows (as 0) before the first one.
pub fn record_unbacked_answers(total: u64) {
    metrics::counter!("carbot_assistant_unbacked_answers_total").absolute(total);
}

/// Subscribers that fell more than their queue behind and were resynced from the table.
pub fn record_lagged_subscribers(total: u64) {
    metrics::counter!("carbot_subscribers_resynced_total").absolute(total);
}

/// Shared subscriptions (`crate::multiplex`): running now, subscribers that joined one, and
/// subscribers that fell behind theirs and went on alone.
pub fn record_shared_subscriptions(running: usize, joined: u64, left_behind: u64) {
    metrics::gauge!("carbot_shared_subscriptions").set(running as f64);
    metrics::counter!("carbot_shared_subscription_joins_total").absolute(joined);
    metrics::counter!("carbot_shared_subscription_left_behind_total").absolute(left_behind);
}

pub fn record_pool(state: &bb8::State) {
    metrics::gauge!("carbot_db_pool_connections").set(f64::from(state.connections));
    metrics::gauge!("carbot_db_pool_idle_connections").set(f64::from(state.idle_connections));
}

/// The platform's e-mail backlog: a growing count or age means the mail server is away.
pub fn record_outbox(pending: i64, oldest: Option<chrono::DateTime<chrono::Utc>>) {
    metrics::gauge!("carbot_outbox_pending_emails").set(pending as f64);
    let age = oldest.map_or(0.0, |at| {
        (chrono::Utc::now() - at).num_milliseconds() as f64 / 1e3
    });
    metrics::gauge!("carbot_outbox_oldest_pending_seconds").set(age.max(0.0));
}

/// Stripe events stored but not yet applied: a growing count or age means plans lag payments;
/// unreadable ones (signed, but not parsed by this version) need an operator.
pub fn record_payment_events(
    pending: i64,
    oldest: Option<chrono::DateTime<chrono::Utc>>,
    unreadable: i64,
) {
    metrics::gauge!("carbot_payment_events_pending").set(pending as f64);
    metrics::gauge!("carbot_payment_events_unreadable").set(unreadable as f64);
    let age = oldest.map_or(0.0, |at| {
        (chrono::Utc::now() - at).num_milliseconds() as f64 / 1e3
    });
    metrics::gauge!("carbot_payment_events_oldest_pending_seconds").set(age.max(0.0));
}

/// A scheduled backup this process took (`ok`) or that failed, and how long it took.
pub fn record_backup(ok: bool, seconds: f64) {
    let result = if ok { "ok" } else { "failed" };
    metrics::counter!("carbot_backups_total", "result" => result).increment(1);
    metrics::gauge!("carbot_backup_last_duration_seconds").set(seconds);
}

/// When the platform's newest scheduled backup finished (any process), as a Unix time; 0 when
/// there is none. An alert on its age catches backups that silently stopped.
pub fn record_last_backup(at: Option<chrono::DateTime<chrono::Utc>>) {
    let seconds = at.map_or(0.0, |at| at.timestamp_millis() as f64 / 1e3);
    metrics::gauge!("carbot_backup_last_success_timestamp_seconds").set(seconds);
}
