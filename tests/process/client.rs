//! A minimal HTTP/1.1 client (one request per connection) and a server-process handle.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const KEY: &str = "process-test-key";

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

pub async fn post(addr: &str, query: &str, variables: Value) -> std::io::Result<Reply> {
    post_as(addr, KEY, query, variables).await
}

/// `post` with another API key.
pub async fn post_as(
    addr: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> std::io::Result<Reply> {
    let body = json!({"query": query, "variables": variables}).to_string();
    let mut s = TcpStream::connect(addr).await?;
    let req = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAuthorization: Bearer {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    // Responses are small enough to come unchunked or in one chunk.
    let json_start = body.find('{').or_else(|| body.find('[')).unwrap_or(0);
    let json_end = body.rfind('}').map(|i| i + 1).unwrap_or(body.len());
    let body =
        serde_json::from_str(&body[json_start..json_end.max(json_start)]).unwrap_or(Value::Null);
    Ok(Reply { status, body })
}

/// Runs `query` and returns `data`, panicking on any error.
pub async fn ok(addr: &str, query: &str, variables: Value) -> Value {
    let r = post(addr, query, variables).await.expect("request");
    assert!(
        r.status == 200 && r.body.get("errors").is_none(),
        "{} {}",
        r.status,
        r.body
    );
    r.body["data"].clone()
}

/// Runs `traveler ARGS` on `database_url` to its end.
pub fn cli(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_traveler"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("TRAVELER_ADMIN_TOKEN", KEY)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("run traveler")
}

/// A GET on the server, returning the status and the body.
pub async fn get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr).await?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    pub async fn start(database_url: &str) -> Server {
        Self::start_with(database_url, &[], Stdio::null()).await
    }

    /// A server with more environment (it overrides the defaults here) and its stderr
    /// (the log) sent to `stderr`.
    pub async fn start_with(
        database_url: &str,
        env: &[(&str, &str)],
        stderr: impl Into<Stdio>,
    ) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_traveler"))
            .env("DATABASE_URL", database_url)
            .env("TRAVELER_LISTEN", &addr)
            .env("TRAVELER_ADMIN_TOKEN", KEY)
            .env("RUST_LOG", "warn")
            .env("TRAVELER_METRICS", "off")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start traveler");
        let started = Instant::now();
        loop {
            if let Ok(mut s) = TcpStream::connect(&addr).await {
                let _ = s
                    .write_all(b"GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await;
                let mut buf = Vec::new();
                let _ = s.read_to_end(&mut buf).await;
                if buf.starts_with(b"HTTP/1.1 200") {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "server did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, addr }
    }

    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status();
    }

    pub fn wait(&mut self) -> Option<i32> {
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh database for one test: a new PostgreSQL database, or a temp SQLite file.
pub async fn fresh_database() -> String {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(url) => {
            use sea_orm::ConnectionTrait;
            let admin = sea_orm::Database::connect(url.clone())
                .await
                .expect("connect");
            let name = format!("traveler_proc_{tag}");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let base = url
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(url);
            format!("{base}/{name}")
        }
        None => format!(
            "sqlite://{}?mode=rwc",
            std::env::temp_dir()
                .join(format!("traveler-proc-{tag}.db"))
                .display()
        ),
    }
}

/// A SERIAL part and a released procedure of `steps` chained steps with two fields each.
pub async fn catalog(addr: &str, steps: usize) -> (String, String) {
    let d = ok(addr, "mutation { createPart(input: {partNumber: \"BRKT-001\", trackingType: SERIAL}) { part { id } } }", json!({})).await;
    let part = d["createPart"]["part"]["id"].as_str().unwrap().to_string();
    let d = ok(addr, "mutation($p: ID!) { createProcedure(input: {title: \"Build\", partIds: [$p]}) { procedure { id } } }", json!({"p": part})).await;
    let proc_ = d["createProcedure"]["procedure"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut prev: Option<String> = None;
    for i in 0..steps {
        let d = ok(
            addr,
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            json!({"i": {"procedureId": proc_, "title": format!("Step {i}"), "upstreamStepIds": prev.iter().collect::<Vec<_>>(),
                          "fields": [{"name": "a", "type": "NUMBER"}, {"name": "b", "type": "STRING"}]}}),
        )
        .await;
        prev = Some(d["createStep"]["step"]["id"].as_str().unwrap().to_string());
    }
    let d = ok(
        addr,
        "query($id: ID!) { procedure(id: $id) { _etag } }",
        json!({"id": proc_}),
    )
    .await;
    ok(addr, "mutation($id: ID!, $e: String!) { releaseProcedure(input: {id: $id, etag: $e}) { procedure { status } } }", json!({"id": proc_, "e": d["procedure"]["_etag"]})).await;
    (part, proc_)
}
