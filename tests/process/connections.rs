//! Slow clients on a real socket: trickled headers and bodies are cut off at their
//! timeouts, connections over the cap are refused at once, and normal requests are served.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::*;

/// Sends `head`, then one more byte of `trickle` every 100 ms, until the server closes
/// the connection (or 30 s pass). Returns how long that took and what the server sent.
async fn trickle(addr: &str, head: String, trickle: u8) -> (Duration, String) {
    let s = TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now();
    let (mut r, mut w) = s.into_split();
    let writer = tokio::spawn(async move {
        if w.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if w.write_all(&[trickle]).await.is_err() {
                return;
            }
        }
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // Until EOF or a reset: either way the server let go.
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, r.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    writer.abort();
    (
        started.elapsed(),
        String::from_utf8_lossy(&buf).into_owned(),
    )
}

async fn server(url: &str, env: &[(&str, &str)]) -> Server {
    Server::start_with(url, env, Stdio::null()).await
}

/// Headers trickled a byte at a time are cut off at the header timeout; a body trickled
/// after complete headers gets 408 at the body timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_headers_and_bodies_are_cut_off() {
    let url = fresh_database().await;
    let env = [
        ("TRAVELER_HEADER_TIMEOUT_SECS", "1"),
        ("TRAVELER_BODY_TIMEOUT_SECS", "1"),
    ];
    let s = server(&url, &env).await;
    let head = "POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_string();
    let (took, _) = trickle(&s.addr, head, b'a').await;
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "slow headers held {took:?}"
    );
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer {KEY}\r\nContent-Length: 1000\r\n\r\n{{\"query\": \""
    );
    let (took, reply) = trickle(&s.addr, head, b' ').await;
    assert!(took < Duration::from_secs(3), "slow body held {took:?}");
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("LIMIT_EXCEEDED"), "{reply}");
    // A client that sends its request promptly is served as before.
    let d = ok(&s.addr, "{ me { id } }", json!({})).await;
    assert!(d["me"]["id"].is_string(), "{d}");
}

/// 300 trickling connections against a cap of 100: the 200 over the cap are refused at
/// once with 503, the 100 within it are cut off at the header timeout, and then a normal
/// request is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_over_the_cap_are_refused_and_service_resumes() {
    let url = fresh_database().await;
    let env = [
        ("TRAVELER_HEADER_TIMEOUT_SECS", "2"),
        ("TRAVELER_MAX_CONNECTIONS", "100"),
    ];
    let s = server(&url, &env).await;
    let started = Instant::now();
    let mut attackers = Vec::new();
    for _ in 0..300 {
        let addr = s.addr.clone();
        let head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_string();
        attackers.push(tokio::spawn(
            async move { trickle(&addr, head, b'a').await },
        ));
        // Connect in order, so the first 100 are the ones accepted.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut refused = 0;
    let mut cut_off = 0;
    for a in attackers {
        let (took, reply) = a.await.unwrap();
        if reply.starts_with("HTTP/1.1 503") {
            assert!(reply.contains("LIMIT_EXCEEDED"), "{reply}");
            assert!(took < Duration::from_secs(1), "a refusal took {took:?}");
            refused += 1;
        } else {
            assert!(took < Duration::from_secs(4), "a slow client held {took:?}");
            cut_off += 1;
        }
    }
    assert_eq!((refused, cut_off), (200, 100));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Every slot is free again: 50 normal requests at once are all served.
    let mut clients = Vec::new();
    for _ in 0..50 {
        let addr = s.addr.clone();
        clients.push(tokio::spawn(async move {
            post(&addr, "{ me { id } }", json!({}))
                .await
                .expect("request")
        }));
    }
    for c in clients {
        let r = c.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
    }
}
