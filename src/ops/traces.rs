//! OpenTelemetry traces, exported over OTLP/HTTP (protobuf) when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: a span
//! per request (with its `request_id`), per GraphQL operation and per SQL statement. The
//! exporter reads the other standard `OTEL_*` variables itself (headers, timeouts, the
//! batch delay `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_SERVICE_NAME`).

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;

use super::BoxError;

/// Whether SQL statements become spans (only while exporting: a span per statement is
/// not free).
static SQL_SPANS: AtomicBool = AtomicBool::new(false);

fn configured() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|k| std::env::var(k).is_ok_and(|v| !v.trim().is_empty()))
}

/// The tracer provider when an OTLP endpoint is configured. Its batch exporter runs on a
/// thread of its own; `shutdown` flushes it.
pub fn provider() -> Result<Option<SdkTracerProvider>, BoxError> {
    if !configured() {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()?;
    let mut resource = Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name("traveler");
    }
    SQL_SPANS.store(true, Ordering::Relaxed);
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build(),
    ))
}

/// Records a finished SQL statement as a span (inside the request's and operation's).
pub fn statement(sql: &str, elapsed: std::time::Duration) {
    if SQL_SPANS.load(Ordering::Relaxed) {
        let _span = tracing::info_span!(
            "sql",
            otel.kind = "client",
            db.statement = sql,
            db.duration_ms = elapsed.as_secs_f64() * 1e3
        )
        .entered();
    }
}
