//! The browser pages: the web app at `/` and GraphiQL at `/graphiql`, with every script,
//! style and font compiled into the binary (`web/`), so they work on a network with no
//! internet. The content security policy lets a page load and connect to this server only.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Only this origin: no third-party host can be reached, even by a vendored script.
/// Inline styles are allowed because React and CodeMirror set `style` attributes.
const CSP: &str = "default-src 'self'; img-src 'self' data:; font-src 'self' data:; \
                   style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// One embedded file: its URL path under `/assets/`, media type and bytes.
struct Asset {
    path: &'static str,
    media: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $media:expr) => {
        Asset {
            path: $path,
            media: $media,
            bytes: include_bytes!(concat!("../../web/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("ui.js", JS),
    asset!("runs.js", JS),
    asset!("wizard.js", JS),
    asset!("traveler.js", JS),
    asset!("graphiql.js", JS),
    asset!("style.css", CSS),
    asset!("vendor/graphiql-3.8.3/graphiql.min.js", JS),
    asset!("vendor/graphiql-3.8.3/graphiql.min.css", CSS),
    asset!("vendor/react-18.3.1/react.production.min.js", JS),
    asset!("vendor/react-dom-18.3.1/react-dom.production.min.js", JS),
];

const INDEX: &str = include_str!("../../web/index.html");
const GRAPHIQL: &str = include_str!("../../web/graphiql.html");

/// `GET /`: the web app.
pub async fn index() -> Response {
    page(INDEX)
}

/// `GET /graphiql` (and `GET /graphql` asking for HTML): GraphiQL.
pub async fn graphiql() -> Response {
    page(GRAPHIQL)
}

/// `GET /assets/{*path}`: an embedded file, or 404.
pub async fn asset(Path(path): Path<String>) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut r = a.bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.media));
    // Revalidated each time: the files change with the binary, and they are local.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn page(html: &'static str) -> Response {
    let mut r = html.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_match_extensions() {
        for a in ASSETS {
            let want = if a.path.ends_with(".js") { JS } else { CSS };
            assert_eq!(a.media, want, "{}", a.path);
            assert!(!a.bytes.is_empty(), "{}", a.path);
        }
    }
}
