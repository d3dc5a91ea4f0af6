//! Logging: one line per event on stderr, as text or JSON (`TRAVELER_LOG_FORMAT`), with
//! colour only when stderr is a terminal, so a log file or a collector gets no escapes.
//! With a tracer provider, spans are also exported (`traces.rs`).

use std::io::IsTerminal;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// `TRAVELER_LOG_FORMAT`: `text` (the default) or `json`.
    pub fn from_env() -> Result<Format, String> {
        match std::env::var("TRAVELER_LOG_FORMAT")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "" | "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "TRAVELER_LOG_FORMAT: `{other}` is neither `text` nor `json`"
            )),
        }
    }
}

/// Installs the global subscriber; `RUST_LOG` filters (default `info`) logs and spans.
pub fn init(format: Format, traces: Option<&SdkTracerProvider>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match format {
        Format::Text => fmt.with_ansi(std::io::stderr().is_terminal()).boxed(),
        // The request span's fields (its `request_id`) sit beside the event's own.
        Format::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    // Spans are exported whatever `RUST_LOG` says: the request, operation and SQL spans.
    let otel = traces.map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("traveler"))
            .with_filter(Targets::new().with_target("traveler", Level::INFO))
    });
    let _ = tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel)
        .try_init();
}
