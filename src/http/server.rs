//! Serving connections: HTTP/1.1 with a header read timeout and a cap on open connections.
//!
//! `axum::serve` offers neither, so a client trickling its headers one byte at a time could
//! hold a connection (and a task) for as long as it liked, and thousands of them would
//! exhaust file descriptors. Here every connection holds a permit of a semaphore sized by
//! `TRAVELER_MAX_CONNECTIONS`; a connection over the cap is answered 503 at once and closed.
//! A WebSocket gives its permit back when it is upgraded (subscriptions have their own
//! limits, per key and per connection). The request body's deadline is the handler's
//! (`http::graphql::read_json`), since only it knows when it reads a body.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How connections are held.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// A request's headers (or, on an idle keep-alive connection, the next request's)
    /// must arrive within this time, or the connection is closed.
    pub header_timeout: Duration,
    /// Open HTTP connections; more are answered 503 and closed.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets every open
/// connection finish its request in flight and returns when all have closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS) as u32;
    let permits = Arc::new(Semaphore::new(max as usize));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                accept_error(e).await;
                continue;
            }
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                let conn = connection(stream, router.clone(), limits, stopping.clone(), permit);
                tokio::spawn(conn);
            }
            Err(_) => {
                metrics::counter!("traveler_connections_refused_total").increment(1);
                tokio::spawn(refuse(stream));
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Each open connection holds a permit until it closes.
    let _ = permits.acquire_many(max).await;
    Ok(())
}

/// One connection, served until it closes or, once shutdown starts, until its request in
/// flight is answered.
async fn connection(
    stream: TcpStream,
    router: Router,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let service = TowerToHyperService::new(router);
    let mut conn = pin!(
        builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades()
    );
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection closed");
            }
            return;
        }
        _ = stopping.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// Over the cap: a short 503, then close. The reply must be written within a second, and
/// what the client sends meanwhile is read and dropped for up to a second more (closing a
/// socket with unread input resets it, which could lose the reply).
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = r#"{"errors":[{"message":"the server has too many open connections; retry shortly","extensions":{"code":"LIMIT_EXCEEDED"}}]}"#;
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let write = async {
        stream.write_all(reply.as_bytes()).await?;
        stream.shutdown().await
    };
    if let Ok(Ok(())) = tokio::time::timeout(Duration::from_secs(1), write).await {
        let mut sink = [0u8; 1024];
        let drain = async { while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {} };
        let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    }
}

/// A failed accept: a peer that went away is ignored; anything else (such as running out
/// of file descriptors) is logged and accepting pauses a second, as hyper and axum do.
async fn accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
