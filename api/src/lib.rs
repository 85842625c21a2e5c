//! The `carbot` server: configuration, start-up, HTTP and WebSocket routes.

// The merged GraphQL roots nest deeply; computing their futures' layout needs more than 128.
#![recursion_limit = "256"]

pub mod app;
pub mod backup;
pub mod config;
pub mod http;
pub mod metrics;
pub mod multiplex;
pub mod postgres;
pub mod request;
pub mod security_headers;
pub mod seed;
pub mod smtp;
pub mod state;
pub mod stripe;
pub mod webhooks;
pub mod ws;

pub use app::App;
pub use config::Config;

/// Installs the `tracing` subscriber for the binary.
pub fn init_logging(filter: &str, format: config::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format {
        config::LogFormat::Text => builder.init(),
        config::LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
