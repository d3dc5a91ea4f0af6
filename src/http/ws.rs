//! Subscriptions over WebSocket on `GET /graphql` with an `Upgrade` header
//! (`graphql-transport-ws` and the older `graphql-ws`), through async-graphql-axum; any
//! other GET goes to the HTTP handler.
//!
//! The connection is authenticated once, from `connection_init`'s payload
//! (`{"Authorization": "Bearer <key>"}`, `Token <key>` or the bare key) or the upgrade
//! request's header: no or a bad key closes with 4401, a key without read permission with
//! 4403. The key is checked again every 2 s (through the key cache), so a revoked key's
//! connection closes within the cache's lifetime. This handler owns the socket: it writes
//! what the protocol produces, keep-alive pings, and the close frames for the cases the
//! protocol library does not know (revoked key, slow consumer, shutdown).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::{Data, Executor, Request, Response as GqlResponse};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{BoxStream, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt, stream};
use tokio::sync::mpsc;

use super::AppState;
use super::request_id::RequestId;
use crate::caller::Caller;
use crate::domain::permission::Permission;
use crate::error::{AppError, Code};
use crate::graphql::{AppSchema, loaders};
use crate::live::{Closer, close};

const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// A socket that takes longer than this to accept one frame is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const RECHECK_KEY: Duration = Duration::from_secs(2);

pub async fn get(
    State(state): State<AppState>,
    rid: Extension<RequestId>,
    headers: HeaderMap,
    raw: RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    protocol: Result<GraphQLProtocol, StatusCode>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        return super::graphql::get(State(state), rid, headers, raw).await;
    };
    if !origin_allowed(&headers, &state.config.cors_origins) {
        // Cross-site WebSocket hijacking: a page of another site may open the socket.
        return (
            StatusCode::FORBIDDEN,
            "this Origin may not open subscriptions",
        )
            .into_response();
    }
    let Ok(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "Sec-WebSocket-Protocol must be graphql-transport-ws or graphql-ws",
        )
            .into_response();
    };
    let header_token = super::auth::token(&headers).map(str::to_string);
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, protocol, header_token))
}

/// Without an `Origin` (not a browser) anything goes; with one, it must be listed in
/// `TRAVELER_CORS_ORIGINS` (`*`: any) or be this server's own (the web app and GraphiQL).
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let same_site = host.is_some_and(|h| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            == Some(h)
    });
    same_site || allowed.iter().any(|a| a == "*" || a == origin)
}

type Sink = SplitSink<WebSocket, Message>;

async fn send(sink: &mut Sink, m: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await,
        Ok(Ok(()))
    )
}

async fn close_with(sink: &mut Sink, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    send(sink, Message::Close(Some(frame))).await;
}

/// The key in `connection_init`'s payload: `Authorization` (any case), also under `headers`.
fn init_token(first: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(first).ok()?;
    let payload = v.get("payload")?;
    let find = |o: &serde_json::Value| {
        o.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| v.as_str().map(str::to_string))
    };
    let value = find(payload).or_else(|| payload.get("headers").and_then(find))?;
    let mut h = HeaderMap::new();
    h.insert(header::AUTHORIZATION, HeaderValue::from_str(&value).ok()?);
    super::auth::token(&h).map(str::to_string)
}

async fn authenticate(
    state: &AppState,
    token: Option<&str>,
) -> Result<Caller, (u16, &'static str)> {
    let Some(token) = token else {
        return Err((
            close::UNAUTHORIZED,
            "an API key is required in connection_init",
        ));
    };
    match state.keys.caller(&state.db, token).await {
        Ok(Some(c)) if c.require(Permission::ReadAll).is_ok() => Ok(c),
        Ok(Some(_)) => Err((close::FORBIDDEN, "missing permission to read")),
        Ok(None) => Err((close::UNAUTHORIZED, "the API key is not valid")),
        Err(e) => {
            tracing::error!(error = %e, "authentication failed");
            Err((1011, "the database is not reachable"))
        }
    }
}

/// The first text frame (the client's `connection_init`), within `INIT_TIMEOUT`.
async fn first_text(sink: &mut Sink, stream: &mut SplitStream<WebSocket>) -> Option<String> {
    let read = async {
        while let Some(Ok(m)) = stream.next().await {
            match m {
                Message::Text(t) => return Some(t.to_string()),
                Message::Close(_) => return None,
                _ => {}
            }
        }
        None
    };
    match tokio::time::timeout(INIT_TIMEOUT, read).await {
        Ok(t) => t,
        Err(_) => {
            close_with(
                sink,
                close::INIT_TIMEOUT,
                "connection_init not received in time",
            )
            .await;
            None
        }
    }
}

async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    header_token: Option<String>,
) {
    let (mut sink, mut input) = socket.split();
    let Some(first) = first_text(&mut sink, &mut input).await else {
        return;
    };
    let token = init_token(&first).or(header_token);
    let caller = match authenticate(&state, token.as_deref()).await {
        Ok(c) => c,
        Err((code, reason)) => return close_with(&mut sink, code, reason).await,
    };
    let cleared = caller.export_control_cleared;
    let Some(_connection) = state.live.connect(caller.api_key_id) else {
        let reason = "LIMIT_EXCEEDED: too many subscription connections for this API key";
        return close_with(&mut sink, close::LIMIT_EXCEEDED, reason).await;
    };
    let (closer, closed) = Closer::new();
    let mut data = Data::default();
    data.insert(caller.clone());
    data.insert(closer);
    // The protocol library writes into a channel; this task writes the socket, so it can
    // add pings and close frames of its own.
    let (out_tx, out_rx) = mpsc::channel::<Message>(64);
    let out = futures_util::sink::unfold(out_tx, |tx, m: Message| async move {
        tx.send(m)
            .await
            .map(|()| tx)
            .map_err(|_| axum::Error::new("socket closed"))
    });
    // The `connection_init` read above is handed on, so the library acknowledges it.
    let replayed = stream::once(async move { Ok(Message::Text(first.into())) }).chain(input);
    let limits = state.live.limits().clone();
    let executor = Limited {
        schema: state.schema.clone(),
        reads: state.reads.clone(),
        caller,
        active: Arc::new(AtomicUsize::new(0)),
        max: limits.subscriptions_per_connection,
        max_aliases: state.config.limits.aliases,
    };
    let protocol_task = GraphQLWebSocket::new_with_pair(out, replayed, executor, protocol)
        .with_data(data)
        .serve();
    let conn = Conn {
        state: &state,
        token: token.unwrap_or_default(),
        cleared,
        keepalive: limits.keepalive,
    };
    conn.pump(&mut sink, out_rx, protocol_task, closed).await;
}

/// One authenticated connection, while it is served.
struct Conn<'a> {
    state: &'a AppState,
    token: String,
    cleared: bool,
    keepalive: Duration,
}

impl Conn<'_> {
    /// Writes what the protocol produces, and pings, until the protocol ends or the
    /// connection must close (revoked key, slow consumer, shutdown); then the close frame.
    async fn pump(
        &self,
        sink: &mut Sink,
        mut out_rx: mpsc::Receiver<Message>,
        protocol_task: impl Future<Output = ()>,
        mut closed: tokio::sync::watch::Receiver<Option<(u16, String)>>,
    ) {
        tokio::pin!(protocol_task);
        let start = tokio::time::Instant::now();
        let mut ping = tokio::time::interval_at(start + self.keepalive, self.keepalive);
        let mut recheck = tokio::time::interval_at(start + RECHECK_KEY, RECHECK_KEY);
        let mut shutdown = self.state.live.shutdown_signal();
        let mut protocol_done = false;
        let end: Option<(u16, String)> = loop {
            tokio::select! {
                () = &mut protocol_task, if !protocol_done => protocol_done = true,
                m = out_rx.recv() => match m {
                    Some(m) => {
                        let last = matches!(m, Message::Close(_));
                        if !send(sink, m).await || last {
                            return;
                        }
                    }
                    None => break None,
                },
                _ = ping.tick() => if !send(sink, Message::Ping(Default::default())).await {
                    return;
                },
                _ = recheck.tick() => if let Some(end) = self.recheck().await {
                    break Some(end);
                },
                Ok(()) = closed.changed() => {
                    if let Some(c) = closed.borrow().clone() {
                        break Some(c);
                    }
                }
                Ok(()) = shutdown.changed() => {
                    break Some((close::GOING_AWAY, "the server is shutting down".into()));
                }
            }
        };
        // What the protocol already produced goes out before the close frame.
        while let Ok(m) = out_rx.try_recv() {
            if !send(sink, m).await {
                return;
            }
        }
        match end {
            Some((code, reason)) => close_with(sink, code, &reason).await,
            None => close_with(sink, 1000, "").await,
        }
    }

    /// The close code and reason when the key no longer holds as it did at connect.
    async fn recheck(&self) -> Option<(u16, String)> {
        match self.state.keys.caller(&self.state.db, &self.token).await {
            Ok(Some(c))
                if c.export_control_cleared == self.cleared
                    && c.require(Permission::ReadAll).is_ok() =>
            {
                None
            }
            // Scoping was decided at connect: a changed clearance or role means the
            // client reconnects under the new one.
            Ok(Some(_)) => Some((
                close::FORBIDDEN,
                "the key's permissions changed; reconnect".into(),
            )),
            Ok(None) => Some((close::UNAUTHORIZED, "the API key is no longer valid".into())),
            // A database hiccup: keep the connection, check again next time.
            Err(e) => {
                tracing::warn!(error = %e, "rechecking a subscription key failed");
                None
            }
        }
    }
}

/// The schema, with at most `max` subscriptions at a time on one connection. Each
/// subscription gets loaders of its own: its events are resolved one after the other, so
/// emptying them for each event cannot disturb a load in flight of another subscription.
#[derive(Clone)]
struct Limited {
    schema: AppSchema,
    reads: crate::store::pooled::ReadPool,
    caller: Caller,
    active: Arc<AtomicUsize>,
    max: usize,
    max_aliases: usize,
}

/// The HTTP handler's checks for what arrives over the socket: only subscriptions (queries
/// and mutations go over HTTP, where the request timeout holds), the alias limit, no NUL
/// characters; then ION's dialect, as over HTTP.
fn admit(request: &mut Request, max_aliases: usize) -> Result<(), AppError> {
    use async_graphql::parser::types::OperationType;
    let name = request.operation_name.clone();
    let doc = request
        .parsed_query()
        .map_err(|e| AppError::new(Code::BadUserInput, e.message))?;
    let ty = super::limits::operation_type(doc, name.as_deref());
    if ty.is_some_and(|t| t != OperationType::Subscription) {
        let msg =
            "only subscriptions go over the socket; send queries and mutations with HTTP POST";
        return Err(AppError::new(Code::BadUserInput, msg));
    }
    let aliases = super::limits::aliases(doc);
    if aliases > max_aliases {
        let msg = format!("{aliases} aliases; at most {max_aliases}");
        return Err(AppError::new(Code::LimitExceeded, msg));
    }
    if super::limits::has_nul(&request.query, &request.variables) {
        let msg = "text must not contain NUL characters (U+0000)";
        return Err(AppError::new(Code::BadUserInput, msg));
    }
    // Subscriptions answer events, never root lists: nothing to reshape.
    let _ = crate::graphql::dialect::translate(request);
    Ok(())
}

/// One error as the whole answer to a refused operation.
fn refused(e: AppError) -> BoxStream<'static, GqlResponse> {
    let mut e = e.into_gql().into_server_error(Default::default());
    e.locations.clear();
    stream::once(async move { GqlResponse::from_errors(vec![e]) }).boxed()
}

struct Active(Arc<AtomicUsize>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for Limited {
    async fn execute(&self, request: Request) -> GqlResponse {
        let request = request.data(loaders::new(self.reads.clone(), self.caller.clone()));
        self.schema.execute(request).await
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, GqlResponse> {
        if let Err(e) = admit(&mut request, self.max_aliases) {
            return refused(e);
        }
        if self.active.fetch_add(1, Ordering::SeqCst) >= self.max {
            self.active.fetch_sub(1, Ordering::SeqCst);
            let max = self.max;
            let msg = format!("at most {max} subscriptions per connection");
            return refused(AppError::new(Code::LimitExceeded, msg));
        }
        let active = Active(self.active.clone());
        let request = request.data(loaders::new(self.reads.clone(), self.caller.clone()));
        Executor::execute_stream(&self.schema, request, session_data)
            .map(move |r| {
                let _held = &active;
                r
            })
            .boxed()
    }
}
