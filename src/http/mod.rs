//! The HTTP layer: routes, authentication, CORS, and the GraphQL-over-HTTP handler.

pub mod auth;
pub mod documents;
pub mod graphql;
pub mod limits;
pub mod request_id;
pub mod server;
pub mod web;
pub mod ws;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;
use crate::graphql::AppSchema;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    /// The same pool, for reads outside a transaction (`store::pooled`).
    pub reads: crate::store::pooled::ReadPool,
    pub config: Arc<Config>,
    pub keys: Arc<crate::store::auth::KeyCache>,
    /// Live subscriptions of this process.
    pub live: crate::live::Hub,
    /// On SQLite, mutations take this one permit in turn: a writer waits here, holding no
    /// pooled connection (so reads go on), until the one before it is done, or until its
    /// request's deadline. `None` on PostgreSQL, whose writers lock rows, not the database.
    pub writers: Option<Arc<tokio::sync::Semaphore>>,
    /// On SQLite, the queries that may execute at once while writes are pending
    /// (`TRAVELER_SQLITE_READERS`, the cores by default): more would not read faster, only
    /// slow the writers' chain down. `None` on PostgreSQL, or when the bound is 0.
    pub readers: Option<Arc<tokio::sync::Semaphore>>,
    /// Parsed documents by their text, shared by this process's requests.
    pub documents: Arc<documents::Documents>,
}

pub fn router(state: AppState) -> Router {
    let cors = cors(&state.config.cors_origins);
    let mut app = Router::new()
        .route("/", get(web::index))
        .route("/graphiql", get(web::graphiql))
        .route("/assets/{*path}", get(web::asset))
        .route("/graphql", get(ws::get).post(graphql::post))
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .with_state(state);
    if let Some(c) = cors {
        app = app.layer(c);
    }
    // Outermost, so every response (CORS refusals too) carries the id.
    app.layer(axum::middleware::from_fn(request_id::layer))
}

/// Only listed origins (or any, with `*`) may call the API from a browser; none by default.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    // `*` is safe here: keys travel in a header, never in cookies, so a page on another
    // origin can only call the API with a key its user gave it.
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        AllowOrigin::list(list)
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                request_id::HEADER,
            ])
            .expose_headers([request_id::HEADER])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Ready when the database answers.
async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}
