//! GraphQL over HTTP (the graphql-over-http spec), written here because the stock
//! async-graphql-axum service answers the wrong media type, accepts bodies without a
//! content type, and executes mutations sent with GET.
//!
//! - POST with `Content-Type: application/json`: one request object, or an array of them
//!   (ION clients batch), at most `batch_operations` long.
//! - GET with `?query=`: queries only; a mutation gets 405.
//! - `Accept: application/graphql-response+json` gets that type and 4xx for request
//!   errors; `application/json` (or no Accept) gets JSON and 200 once the request is
//!   well-formed.
//! - Every request needs an API key (401 `UNAUTHENTICATED` otherwise).

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response as GqlResponse, ServerError, Variables};
use axum::Extension;
use axum::body::{Body, to_bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::request_id::RequestId;
use crate::caller::Caller;
use crate::config::Limits;
use crate::error::{AppError, Code};
use crate::graphql::loaders;

const GQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type from `Accept`; `None` means 406.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let types: Vec<String> = accept
        .split(',')
        .map(|p| {
            p.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    if types.iter().any(|t| t == GQL_RESPONSE) {
        Some(Media::GraphqlResponse)
    } else if types
        .iter()
        .any(|t| t == JSON || t == "*/*" || t == "application/*")
    {
        Some(Media::Json)
    } else {
        None
    }
}

/// An error response for a request that was not executed.
fn request_error(status: StatusCode, media: Media, code: &str, message: &str) -> Response {
    let body = json!({"errors": [{"message": message, "extensions": {"code": code}}]});
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    r
}

/// The caller of the key in `Authorization`, tagged with the request's id.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    media: Media,
    rid: &RequestId,
) -> Result<Caller, Response> {
    let unauth = |m: &str| {
        let mut r = request_error(StatusCode::UNAUTHORIZED, media, "UNAUTHENTICATED", m);
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r
    };
    let Some(token) = super::auth::token(headers) else {
        return Err(unauth(
            "an API key is required: send `Authorization: Bearer <key>`",
        ));
    };
    match state.keys.caller(&state.db, token).await {
        Ok(Some(c)) => Ok(Caller {
            request_id: Some(rid.0.clone()),
            rows: crate::caller::RowBudget::new(state.config.limits.rows_read),
            ..c
        }),
        Ok(None) => Err(unauth("the API key is not valid")),
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), "authentication failed");
            let body = json!({"errors": [{
                "message": "the database is not reachable",
                "extensions": {"code": Code::Internal.as_str(), "requestId": rid.0},
            }]});
            Err(respond(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                body.to_string(),
            ))
        }
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// 406: none of the response types we produce is acceptable.
fn not_acceptable() -> Response {
    request_error(
        StatusCode::NOT_ACCEPTABLE,
        Media::Json,
        "BAD_REQUEST",
        "acceptable media types: application/graphql-response+json, application/json",
    )
}

fn bad_request(media: Media, message: &str) -> Response {
    request_error(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", message)
}

pub async fn get(
    State(state): State<AppState>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if wants_html(&headers) && raw.is_none() {
        return super::web::graphiql().await;
    }
    let deadline = Instant::now() + state.config.limits.request_timeout;
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let caller = match authenticate(&state, &headers, media, &rid).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = match get_request(raw.as_deref().unwrap_or("")) {
        Ok(r) => r,
        Err(m) => return bad_request(media, &m),
    };
    execute_one(&state, caller, media, req, true, deadline).await
}

/// The request named by a GET's query string (`query`, `variables`, `operationName`,
/// `extensions`), checked as a POST body would be.
fn get_request(raw: &str) -> Result<Request, String> {
    let params = url_decode_pairs(raw);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let query = param("query").ok_or("missing `query` parameter")?;
    let mut obj = serde_json::Map::new();
    obj.insert("query".into(), Value::String(query));
    for (key, json) in [
        ("variables", true),
        ("operationName", false),
        ("extensions", true),
    ] {
        let Some(v) = param(key) else { continue };
        let v = if json {
            serde_json::from_str::<Value>(&v).map_err(|_| format!("`{key}` is not valid JSON"))?
        } else {
            Value::String(v)
        };
        obj.insert(key.into(), v);
    }
    to_request(Value::Object(obj))
}

/// `application/x-www-form-urlencoded` pairs of a GET's query string.
fn url_decode_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw).unwrap_or_default()
}

pub async fn post(
    State(state): State<AppState>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let deadline = Instant::now() + state.config.limits.request_timeout;
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    if !sends_json(&headers) {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "BAD_REQUEST",
            "send the request as `Content-Type: application/json`",
        );
    }
    let caller = match authenticate(&state, &headers, media, &rid).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let value = match read_json(body, &state.config.limits, media).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match value {
        Value::Array(items) => execute_batch(&state, caller, media, items, deadline).await,
        other => match to_request(other) {
            Ok(r) => execute_one(&state, caller, media, r, false, deadline).await,
            Err(m) => bad_request(media, &m),
        },
    }
}

/// Whether `Content-Type` is `application/json` (parameters such as charset aside).
fn sends_json(headers: &HeaderMap) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == JSON
}

/// The body as JSON, refused when not received in time (408), over the byte limit (413),
/// or not JSON (400).
async fn read_json(body: Body, limits: &Limits, media: Media) -> Result<Value, Response> {
    let limit = limits.body_bytes;
    let Ok(read) = tokio::time::timeout(limits.body_timeout, to_bytes(body, limit)).await else {
        return Err(request_error(
            StatusCode::REQUEST_TIMEOUT,
            media,
            "LIMIT_EXCEEDED",
            &format!(
                "the request body did not arrive within {} s",
                limits.body_timeout.as_secs()
            ),
        ));
    };
    let Ok(bytes) = read else {
        return Err(request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            "LIMIT_EXCEEDED",
            &format!("the request body is over {limit} bytes"),
        ));
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| bad_request(media, &format!("the body is not valid JSON: {e}")))
}

/// A batch runs its operations one after another; every one must be well-formed first.
async fn execute_batch(
    state: &AppState,
    caller: Caller,
    media: Media,
    items: Vec<Value>,
    deadline: Instant,
) -> Response {
    if items.is_empty() {
        return bad_request(media, "an empty batch");
    }
    let max = state.config.limits.batch_operations;
    if items.len() > max {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "LIMIT_EXCEEDED",
            &format!("{} operations in one request; at most {max}", items.len()),
        );
    }
    let reqs = match items
        .into_iter()
        .map(to_request)
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(r) => r,
        Err(m) => return bad_request(media, &m),
    };
    let mut out = Vec::with_capacity(reqs.len());
    // The response budget is the HTTP request's, shared by the batch's operations.
    let mut left = state.config.limits.response_bytes;
    for r in reqs {
        let (_, v) = run(state, caller.clone(), r, false, deadline, left).await;
        left = left.saturating_sub(v.len());
        out.push(v);
    }
    respond(StatusCode::OK, media, format!("[{}]", out.join(",")))
}

/// A GraphQL request from its JSON form, with the parameter types the spec requires.
fn to_request(v: Value) -> Result<Request, String> {
    let Value::Object(mut m) = v else {
        return Err("the body must be a JSON object".into());
    };
    let query = match m.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("`query` must be a string".into()),
        None => return Err("missing `query`".into()),
    };
    let mut req = Request::new(query);
    match m.remove("operationName") {
        Some(Value::String(n)) => req = req.operation_name(n),
        Some(Value::Null) | None => {}
        Some(_) => return Err("`operationName` must be a string".into()),
    }
    match m.remove("variables") {
        Some(v @ Value::Object(_)) => req = req.variables(Variables::from_json(v)),
        Some(Value::Null) | None => {}
        Some(_) => return Err("`variables` must be an object".into()),
    }
    match m.remove("extensions") {
        Some(Value::Object(_)) | Some(Value::Null) | None => {}
        Some(_) => return Err("`extensions` must be an object".into()),
    }
    Ok(req)
}

fn respond(status: StatusCode, media: Media, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    r
}

async fn execute_one(
    state: &AppState,
    caller: Caller,
    media: Media,
    req: Request,
    via_get: bool,
    deadline: Instant,
) -> Response {
    let budget = state.config.limits.response_bytes;
    let (kind, body) = run(state, caller, req, via_get, deadline, budget).await;
    let status = match (kind, media) {
        (Outcome::MethodNotAllowed, _) => {
            let mut r = respond(StatusCode::METHOD_NOT_ALLOWED, media, body);
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return r;
        }
        (Outcome::RequestError, Media::GraphqlResponse) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    respond(status, media, body)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Executed,
    /// Parse or validation failure: nothing ran, and `data` is absent.
    RequestError,
    MethodNotAllowed,
}

/// A request refused before execution: its outcome, code and message.
type Refusal = (Outcome, &'static str, String);

/// Parses, checks and executes one request; logs one line for it.
async fn run(
    state: &AppState,
    caller: Caller,
    mut req: Request,
    via_get: bool,
    deadline: Instant,
    bytes_left: usize,
) -> (Outcome, String) {
    let started = Instant::now();
    state.documents.parse(&mut req);
    let op_name = operation_name(&mut req);
    let fail = |(outcome, code, message): Refusal| {
        tracing::info!(target: "traveler::request", operation = %op_name, ms = started.elapsed().as_millis() as u64, outcome = code, "graphql");
        crate::ops::metrics::request(&op_name, code, started.elapsed(), 0);
        (
            outcome,
            json!({"errors": [{"message": message, "extensions": {"code": code}}]}).to_string(),
        )
    };
    let ty = match precheck(&mut req, via_get, &state.config.limits) {
        Ok(ty) => ty,
        Err(r) => return fail(r),
    };
    let reshape = crate::graphql::dialect::translate(&mut req);
    let rid = caller.request_id.clone().unwrap_or_default();
    let span = tracing::info_span!("graphql", otel.name = %op_name_or(&op_name));
    let executed = tracing::Instrument::instrument(execute(state, caller, req, ty, deadline), span);
    let (resp, statements) = crate::ops::metrics::counting(executed).await;
    let mut resp = match resp {
        Ok(r) => finish_errors(r, &rid),
        Err(r) => return fail(r),
    };
    reshape.apply(&mut resp);
    let (outcome, text) = render(&resp, &rid);
    // A mutation's payload is sent whatever its size: its change is committed.
    if text.len() > bytes_left && ty != Some(OperationType::Mutation) {
        let max = state.config.limits.response_bytes;
        let msg = format!(
            "the response would be {} bytes; the budget is {max} bytes per HTTP request \
             (TRAVELER_MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages",
            text.len() + max - bytes_left
        );
        return fail((Outcome::Executed, "LIMIT_EXCEEDED", msg));
    }
    let label = outcome_label(&resp);
    tracing::info!(target: "traveler::request", operation = %op_name, ms = started.elapsed().as_millis() as u64, outcome = %label, "graphql");
    crate::ops::metrics::request(&op_name, &label, started.elapsed(), statements);
    (outcome, text)
}

/// The operation's name for logs and metrics: `operationName`, or the name of the
/// document's only operation; empty when anonymous.
fn operation_name(req: &mut Request) -> String {
    if let Some(n) = &req.operation_name {
        return n.clone();
    }
    let Ok(doc) = req.parsed_query() else {
        return String::new();
    };
    let mut ops = doc.operations.iter();
    match (ops.next(), ops.next()) {
        (Some((Some(name), _)), None) => name.to_string(),
        _ => String::new(),
    }
}

/// The operation's span name: its name, or `anonymous`.
fn op_name_or(name: &str) -> &str {
    if name.is_empty() { "anonymous" } else { name }
}

/// Parse failures, mutations sent with GET and too many aliases, found before execution.
fn precheck(
    req: &mut Request,
    via_get: bool,
    limits: &crate::config::Limits,
) -> Result<Option<OperationType>, Refusal> {
    let selected = req.operation_name.clone();
    let (ty, aliases, unknown) = match req.parsed_query() {
        Ok(doc) => (
            crate::http::limits::operation_type(doc, selected.as_deref()),
            crate::http::limits::aliases(doc),
            crate::http::limits::unknown_directive(doc),
        ),
        Err(e) => return Err((Outcome::RequestError, "GRAPHQL_PARSE_FAILED", e.message)),
    };
    if via_get && ty.is_some_and(|t| t != OperationType::Query) {
        return Err((
            Outcome::MethodNotAllowed,
            "BAD_REQUEST",
            "only queries may be sent with GET; send mutations with POST".into(),
        ));
    }
    if let Some(name) = unknown {
        let msg = format!("unknown directive \"@{name}\"");
        return Err((Outcome::RequestError, "GRAPHQL_VALIDATION_FAILED", msg));
    }
    if aliases > limits.aliases {
        return Err((
            Outcome::RequestError,
            "LIMIT_EXCEEDED",
            format!("{aliases} aliases; at most {}", limits.aliases),
        ));
    }
    if crate::http::limits::has_nul(&req.query, &req.variables) {
        let msg = "text must not contain NUL characters (U+0000)";
        return Err((Outcome::RequestError, "BAD_USER_INPUT", msg.into()));
    }
    Ok(ty)
}

/// Executes `req` as `caller`, with its loaders, stopped at the HTTP request's deadline
/// (shared by every operation of a batch). On SQLite a mutation first waits its turn
/// among writers (`AppState::writers`) and, while writes are pending, a query among
/// readers (`AppState::readers`), within the same deadline.
async fn execute(
    state: &AppState,
    caller: Caller,
    req: Request,
    ty: Option<OperationType>,
    deadline: Instant,
) -> Result<GqlResponse, Refusal> {
    let timeout = state.config.limits.request_timeout;
    let req = req
        .data(loaders::new(state.reads.clone(), caller.clone()))
        .data(caller);
    let turn = match ty {
        Some(OperationType::Mutation) => state.writers.as_ref().map(|t| (t, "write")),
        // Bounded only while a write runs or waits: the bound is there to leave the
        // writers' chain its CPU, and without writes it would only make a light query
        // wait behind heavy ones.
        _ => (state.readers.as_ref())
            .filter(|_| writes_pending(state))
            .map(|t| (t, "read")),
    };
    let work = async {
        let _turn = match turn {
            Some((t, kind)) => Some(crate::ops::metrics::Turn::take(t, kind).await),
            None => None,
        };
        state.schema.execute(req).await
    };
    tokio::time::timeout_at(deadline.into(), work)
        .await
        .map_err(|_| {
            (
                Outcome::Executed,
                "LIMIT_EXCEEDED",
                format!(
                    "the request ran over {} s and was stopped; nothing it changed was kept",
                    timeout.as_secs()
                ),
            )
        })
}

/// True on SQLite while a mutation holds the writers' turn or waits for it.
fn writes_pending(state: &AppState) -> bool {
    state
        .writers
        .as_ref()
        .is_some_and(|w| w.available_permits() == 0)
}

/// The request log's outcome: `ok`, or the errors' codes.
fn outcome_label(resp: &GqlResponse) -> String {
    let codes: Vec<String> = resp
        .errors
        .iter()
        .map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map(|c| c.to_string().trim_matches('"').to_string())
                .unwrap_or_else(|| {
                    if e.path.is_empty() {
                        "GRAPHQL_VALIDATION_FAILED"
                    } else {
                        "BAD_USER_INPUT"
                    }
                    .into()
                })
        })
        .collect();
    if codes.is_empty() {
        "ok".to_string()
    } else {
        codes.join(",")
    }
}

/// The response body; request errors lose `data`, and every error leaves with a code.
fn render(resp: &GqlResponse, rid: &str) -> (Outcome, String) {
    if resp.errors.is_empty() {
        // The common case: serialize the response once, straight to text.
        let text = serde_json::to_string(resp).unwrap_or_else(|_| {
            json!({"errors": [{"message": "response could not be serialized", "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": rid}}]}).to_string()
        });
        return (Outcome::Executed, text);
    }
    let request_error = is_request_error(resp);
    let mut body = serde_json::to_value(resp)
        .unwrap_or_else(|_| json!({"errors": [{"message": "response could not be serialized"}]}));
    let (outcome, default_code) = if request_error {
        if let Value::Object(m) = &mut body {
            m.remove("data");
        }
        (Outcome::RequestError, "GRAPHQL_VALIDATION_FAILED")
    } else {
        // Our resolvers always set a code; errors without one come from async-graphql
        // coercing arguments (a wrong type, an invalid date): the caller's input.
        (Outcome::Executed, "BAD_USER_INPUT")
    };
    if let Some(Value::Array(errs)) = body.get_mut("errors") {
        for e in errs {
            set_default_code(e, default_code);
        }
    }
    (outcome, body.to_string())
}

/// Gives every error of ours its code, logs each internal error once, with its cause, in
/// the request's span (so with its id), and gives the client the request id in place of
/// the cause.
fn finish_errors(mut resp: GqlResponse, rid: &str) -> GqlResponse {
    let internal = async_graphql::Value::from(Code::Internal.as_str());
    for e in &mut resp.errors {
        let code = e.extensions.as_ref().and_then(|x| x.get("code")).is_some();
        if let (false, Some(app)) = (code, e.source::<AppError>()) {
            // `?` on an AppError in a resolver (async-graphql's blanket `From`) keeps it
            // only as the source: its code, field and index are restored here.
            e.extensions = app.clone().into_gql().extensions;
        }
        if e.extensions.as_ref().and_then(|x| x.get("code")) != Some(&internal) {
            continue;
        }
        let cause = e
            .source::<AppError>()
            .map_or_else(|| e.message.clone(), |a| crate::error::chain(a));
        let path = serde_json::to_string(&e.path).unwrap_or_default();
        tracing::error!(error = %cause, path = %path, "internal error");
        e.extensions
            .get_or_insert_with(Default::default)
            .set("requestId", rid);
    }
    resp
}

/// Parse and validation failures have no path and produce no data.
fn is_request_error(resp: &GqlResponse) -> bool {
    resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e: &ServerError| e.path.is_empty())
}

fn set_default_code(err: &mut Value, code: &str) {
    if let Value::Object(m) = err {
        let ext = m.entry("extensions").or_insert_with(|| json!({}));
        if let Value::Object(x) = ext {
            x.entry("code")
                .or_insert_with(|| Value::String(code.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Pos;

    /// What a resolver's `?` on an `AppError` produces: the message, the error as source,
    /// no extensions.
    fn via_question_mark(e: AppError) -> ServerError {
        async_graphql::Error::from(e).into_server_error(Pos::default())
    }

    fn ext(e: &ServerError, k: &str) -> Option<async_graphql::Value> {
        e.extensions.as_ref().and_then(|x| x.get(k)).cloned()
    }

    #[test]
    fn errors_of_ours_get_their_code_and_internal_ones_the_request_id() {
        let mut resp = GqlResponse::new(async_graphql::Value::Null);
        resp.errors = vec![
            via_question_mark(AppError::not_found("part").at(&["input", "partId"])),
            via_question_mark(AppError::internal("disk on fire")),
            AppError::internal("pool closed")
                .into_gql()
                .into_server_error(Pos::default()),
        ];
        let resp = finish_errors(resp, "rid-1");
        let [nf, i1, i2] = &resp.errors[..] else {
            panic!("three errors")
        };
        assert_eq!(ext(nf, "code"), Some("NOT_FOUND".into()));
        assert!(ext(nf, "field").is_some());
        assert_eq!(ext(nf, "requestId"), None);
        for e in [i1, i2] {
            assert_eq!(ext(e, "code"), Some("INTERNAL_SERVER_ERROR".into()));
            assert_eq!(ext(e, "requestId"), Some("rid-1".into()));
            assert_eq!(e.message, "internal server error");
        }
    }
}
