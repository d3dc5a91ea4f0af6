//! A `graphql-transport-ws` client over tokio-tungstenite, for subscription tests (also
//! used by tests/process).

#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Ws {
    pub socket: Socket,
}

/// Opens a socket on `/graphql` with the subprotocol and extra headers; the HTTP status
/// of a refused upgrade as `Err`.
pub async fn open(addr: &str, protocol: &str, headers: &[(&str, &str)]) -> Result<Socket, u16> {
    let mut req = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    for (k, v) in headers {
        let name = http::HeaderName::from_bytes(k.as_bytes()).unwrap();
        req.headers_mut().insert(name, v.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((s, _)) => Ok(s),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("websocket connect: {e}"),
    }
}

/// Opens a socket and sends `connection_init` with `payload`; does not wait for the ack.
pub async fn init(addr: &str, payload: Value) -> Ws {
    let socket = open(addr, "graphql-transport-ws", &[])
        .await
        .expect("upgrade");
    let mut ws = Ws { socket };
    ws.send(json!({"type": "connection_init", "payload": payload}))
        .await;
    ws
}

/// A connection authenticated with `key` in `connection_init`, acknowledged.
pub async fn connect(addr: &str, key: &str) -> Ws {
    let mut ws = init(addr, json!({"Authorization": format!("Bearer {key}")})).await;
    let ack = ws.message().await.expect("connection_ack");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

impl Ws {
    pub async fn send(&mut self, v: Value) {
        self.socket
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))
            .await;
    }

    /// The next protocol message (pings answered and skipped); `None` when the socket
    /// closed. Panics after 10 s without one.
    pub async fn message(&mut self) -> Option<Value> {
        self.message_within(Duration::from_secs(10))
            .await
            .expect("a message within 10 s")
    }

    /// `Err(())` when nothing came within `wait`.
    pub async fn message_within(&mut self, wait: Duration) -> Result<Option<Value>, ()> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let m = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .map_err(|_| ())?;
            match m {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).expect("json message");
                    if v["type"] == "ping" {
                        self.send(json!({"type": "pong"})).await;
                        continue;
                    }
                    return Ok(Some(v));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(None),
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The payload of the next `next` message of subscription `id`.
    pub async fn next(&mut self, id: &str) -> Value {
        let m = self.message().await.expect("socket open");
        assert_eq!(m["type"], "next", "{m}");
        assert_eq!(m["id"], id, "{m}");
        m["payload"].clone()
    }

    /// Asserts no message arrives within `wait`.
    pub async fn quiet(&mut self, wait: Duration) {
        if let Ok(m) = self.message_within(wait).await {
            panic!("expected nothing, got {m:?}");
        }
    }

    /// The close code the server ends the connection with (panics after 10 s).
    pub async fn close_code(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let m = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .expect("closed within 10 s");
            match m {
                Some(Ok(Message::Close(f))) => return f.map(|f| u16::from(f.code)),
                None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }
}
