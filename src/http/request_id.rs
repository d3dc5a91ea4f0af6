//! Request ids: every request gets one, taken from `X-Request-Id` when the client sent a
//! sane one (so a proxy's id carries through) or made here as a UUID v7 (time-ordered).
//! It is echoed in the response, set on a tracing span around the handler (so every log
//! line of the request carries it), stored on audit events, and sent in
//! `extensions.requestId` of internal errors.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming id kept; longer ones are replaced (they end up in logs and the audit log).
const MAX_LEN: usize = 128;

/// The id of the request being served (an axum request extension).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Middleware: picks the id, runs the rest of the stack in its span, echoes it.
pub async fn layer(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(sane)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let mut resp = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, v);
    }
    resp
}

/// An incoming id is kept only if it is 1..=128 visible ASCII characters (no spaces or
/// control characters that could forge log lines).
fn sane(v: &HeaderValue) -> Option<String> {
    let b = v.as_bytes();
    let ok = !b.is_empty() && b.len() <= MAX_LEN && b.iter().all(|c| (0x21..=0x7e).contains(c));
    ok.then(|| String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_only() {
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(sane(&h("abc-123_X.y")).as_deref(), Some("abc-123_X.y"));
        assert_eq!(sane(&h("")), None);
        assert_eq!(sane(&h("a b")), None);
        assert_eq!(sane(&h("a\tb")), None);
        assert_eq!(
            sane(&h(&"x".repeat(MAX_LEN))).map(|s| s.len()),
            Some(MAX_LEN)
        );
        assert_eq!(sane(&h(&"x".repeat(MAX_LEN + 1))), None);
        assert_eq!(
            sane(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()),
            None
        );
    }
}
