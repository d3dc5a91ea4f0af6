//! Logging: one line per event on stderr, as text or JSON (`TRAVELER_LOG_FORMAT`), with
//! colour only when stderr is a terminal, so a log file or a collector gets no escapes.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

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

/// Installs the global subscriber; `RUST_LOG` filters (default `info`).
pub fn init(format: Format) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        Format::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        // The request span's fields (its `request_id`) sit beside the event's own.
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
