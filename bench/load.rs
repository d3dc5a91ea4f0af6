//! The load client of `bench/floor.sh` and `bench/bigdb.sh`: seeds a floor through the
//! GraphQL API over HTTP, works it with many clients, and times single queries. Built with
//! `cargo build --release --example load`; run with `--help` for the commands.
//!
//! Every request is a real HTTP/1.1 POST on a keep-alive connection of its own client, so
//! the latencies include the network stack and JSON on both sides. A GraphQL error or a
//! non-2xx answer counts as an error; nothing is retried.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// A procedure of chained steps (each with a NUMBER, a STRING and a SIGNOFF field),
    /// operators and viewers with their own keys, and runs assigned to each operator.
    /// Writes the plan (keys and run ids) as JSON on stdout.
    SeedFloor {
        #[arg(long)]
        url: String,
        #[arg(long)]
        key: String,
        #[arg(long, default_value_t = 64)]
        operators: usize,
        #[arg(long, default_value_t = 16)]
        readers: usize,
        #[arg(long, default_value_t = 40)]
        runs_per_operator: usize,
        #[arg(long, default_value_t = 10)]
        steps: usize,
    },
    /// Operators work their runs' steps (start, values, sign-off, complete) while readers
    /// read random travelers, for `secs`; clients are spread over `urls` (comma-separated).
    Floor {
        #[arg(long, value_delimiter = ',')]
        urls: Vec<String>,
        #[arg(long)]
        plan: String,
        #[arg(long, default_value_t = 60)]
        secs: u64,
    },
    /// A procedure of `steps` chained steps with one NUMBER field, operators, teams, and
    /// `runs` runs in chunks of 100: every tenth chunk unassigned, every tenth+1 assigned
    /// to a team, the rest to operators. Writes the plan as JSON on stdout.
    SeedBig {
        #[arg(long)]
        url: String,
        #[arg(long)]
        key: String,
        #[arg(long, default_value_t = 5000)]
        runs: usize,
        #[arg(long, default_value_t = 200)]
        steps: usize,
    },
    /// Sends one GraphQL request `n` times in a row (after 5 warm-up requests) and prints
    /// `p50_ms p99_ms response_bytes`.
    Probe {
        #[arg(long)]
        url: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        query: String,
        #[arg(long, default_value = "{}")]
        variables: String,
        #[arg(long, default_value_t = 200)]
        n: usize,
    },
}

type Http = Client<HttpConnector, Full<Bytes>>;

/// One client: one keep-alive connection, one key.
#[derive(Clone)]
struct Api {
    http: Http,
    url: String,
    key: String,
}

impl Api {
    fn new(url: &str, key: &str) -> Api {
        let http = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(1)
            .build_http();
        Api {
            http,
            url: url.to_string(),
            key: key.to_string(),
        }
    }

    /// The response's `data`, or the errors / status as text.
    async fn gql(&self, query: &str, variables: Value) -> Result<(Value, usize), String> {
        let body = serde_json::to_vec(&json!({"query": query, "variables": variables}))
            .map_err(|e| e.to_string())?;
        let req = http::Request::post(&self.url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.key))
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = self.http.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if !status.is_success() {
            return Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        let mut v: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if let Some(errs) = v.get("errors") {
            return Err(errs.to_string());
        }
        Ok((v["data"].take(), bytes.len()))
    }

    async fn ok(&self, query: &str, variables: Value) -> Value {
        match self.gql(query, variables).await {
            Ok((v, _)) => v,
            Err(e) => panic!("{query}: {e}"),
        }
    }
}

fn s(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

#[tokio::main]
async fn main() {
    match Cli::parse().cmd {
        Cmd::SeedFloor {
            url,
            key,
            operators,
            readers,
            runs_per_operator,
            steps,
        } => {
            let api = Api::new(&url, &key);
            let plan = seed_floor(&api, operators, readers, runs_per_operator, steps).await;
            println!("{plan}");
        }
        Cmd::Floor { urls, plan, secs } => {
            let plan: Value = serde_json::from_slice(&std::fs::read(plan).expect("plan file"))
                .expect("plan JSON");
            floor(&urls, &plan, Duration::from_secs(secs)).await;
        }
        Cmd::SeedBig {
            url,
            key,
            runs,
            steps,
        } => println!("{}", seed_big(&Api::new(&url, &key), runs, steps).await),
        Cmd::Probe {
            url,
            key,
            query,
            variables,
            n,
        } => {
            let vars: Value = serde_json::from_str(&variables).expect("variables JSON");
            let api = Api::new(&url, &key);
            let mut times = Vec::with_capacity(n);
            let mut size = 0;
            for i in 0..n + 5 {
                let t = Instant::now();
                let (_, bytes) = api.gql(&query, vars.clone()).await.expect("probe request");
                if i >= 5 {
                    times.push(t.elapsed().as_micros() as u64);
                }
                size = bytes;
            }
            times.sort_unstable();
            println!(
                "{:.2} {:.2} {size}",
                pct(&times, 0.50) as f64 / 1e3,
                pct(&times, 0.99) as f64 / 1e3
            );
        }
    }
}

/// A released procedure of `steps` chained steps with `fields` on each; its id and part.
async fn procedure(api: &Api, tag: &str, steps: usize, fields: Value) -> (String, String) {
    let part = api
        .ok(
            "mutation($n: String!) { createPart(input: {partNumber: $n, trackingType: SERIAL}) { part { id } } }",
            json!({"n": format!("{tag}-{}", std::process::id())}),
        )
        .await;
    let part = s(&part["createPart"]["part"]["id"]);
    let p = api
        .ok(
            "mutation($p: ID!, $t: String!) { createProcedure(input: {title: $t, partIds: [$p]}) { procedure { id } } }",
            json!({"p": part, "t": tag}),
        )
        .await;
    let proc_id = s(&p["createProcedure"]["procedure"]["id"]);
    let mut prev: Option<String> = None;
    for i in 1..=steps {
        let up: Vec<String> = prev.iter().cloned().collect();
        let st = api
            .ok(
                "mutation($p: ID!, $t: String!, $f: [StepFieldInput!], $u: [ID!]) { createStep(input: {procedureId: $p, title: $t, fields: $f, upstreamStepIds: $u}) { step { id } } }",
                json!({"p": proc_id, "t": format!("Step {i}"), "f": fields, "u": up}),
            )
            .await;
        prev = Some(s(&st["createStep"]["step"]["id"]));
    }
    let e = api
        .ok(
            "query($id: ID!) { procedure(id: $id) { _etag } }",
            json!({"id": proc_id}),
        )
        .await;
    api.ok(
        "mutation($id: ID!, $e: String!) { releaseProcedure(input: {id: $id, etag: $e}) { procedure { status } } }",
        json!({"id": proc_id, "e": e["procedure"]["_etag"]}),
    )
    .await;
    (part, proc_id)
}

/// A user with `role` and an API key: (user id, token).
async fn user(api: &Api, name: &str, role: &str) -> (String, String) {
    let u = api
        .ok(
            "mutation($n: String!, $e: String!, $r: [Role!]) { createUser(input: {name: $n, email: $e, roles: $r}) { user { id } } }",
            json!({"n": name, "e": format!("{name}-{}@bench.example", std::process::id()), "r": [role]}),
        )
        .await;
    let id = s(&u["createUser"]["user"]["id"]);
    let k = api
        .ok(
            "mutation($u: ID!) { createApiKey(input: {userId: $u, name: \"bench\"}) { token } }",
            json!({"u": id}),
        )
        .await;
    (id, s(&k["createApiKey"]["token"]))
}

/// `copies` runs of the procedure, assigned as `assign` says; their ids.
async fn runs(api: &Api, part: &str, proc_id: &str, copies: usize, assign: Value) -> Vec<String> {
    let mut input = json!({"partId": part, "procedureId": proc_id,
        "autogenerateSerialNumber": true, "copies": copies});
    if let (Some(i), Some(a)) = (input.as_object_mut(), assign.as_object()) {
        i.extend(a.clone());
    }
    let r = api
        .ok(
            "mutation($r: [CreateRunInput!]!) { createRuns(input: {runs: $r}) { runs { id } } }",
            json!({"r": [input]}),
        )
        .await;
    r["createRuns"]["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| s(&r["id"]))
        .collect()
}

async fn seed_floor(
    api: &Api,
    operators: usize,
    readers: usize,
    per: usize,
    steps: usize,
) -> Value {
    let fields = json!([
        {"name": "torque", "type": "NUMBER", "required": true, "min": 0, "max": 100},
        {"name": "note", "type": "STRING"},
        {"name": "inspector", "type": "SIGNOFF", "required": true}
    ]);
    let (part, proc_id) = procedure(api, "FLOOR", steps, fields).await;
    let mut ops = Vec::new();
    let mut all = Vec::new();
    for i in 0..operators {
        let (uid, token) = user(api, &format!("operator{i}"), "OPERATOR").await;
        let ids = runs(api, &part, &proc_id, per, json!({"assignedToId": uid})).await;
        all.extend(ids.clone());
        ops.push(json!({"key": token, "runs": ids}));
    }
    let mut rds = Vec::new();
    for i in 0..readers {
        rds.push(json!({"key": user(api, &format!("viewer{i}"), "VIEWER").await.1}));
    }
    json!({"operators": ops, "readers": rds, "runs": all})
}

async fn seed_big(api: &Api, total: usize, steps: usize) -> Value {
    let fields = json!([{"name": "reading", "type": "NUMBER"}]);
    let (part, proc_id) = procedure(api, "BIG", steps, fields).await;
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(user(api, &format!("op{i}"), "OPERATOR").await);
    }
    let mut teams = Vec::new();
    for t in 0..4 {
        let members: Vec<&String> = users.iter().skip(t).step_by(4).map(|u| &u.0).collect();
        let r = api
            .ok(
                "mutation($n: String!, $m: [ID!]) { createTeam(input: {name: $n, userIds: $m}) { team { id } } }",
                json!({"n": format!("team{t}-{}", std::process::id()), "m": members}),
            )
            .await;
        teams.push(s(&r["createTeam"]["team"]["id"]));
    }
    let mut made = 0;
    let mut chunk = 0;
    while made < total {
        let n = (total - made).min(100);
        let assign = match chunk % 10 {
            0 => json!({}),
            1 => json!({"assignedTeamId": teams[chunk / 10 % teams.len()]}),
            _ => json!({"assignedToId": users[chunk % users.len()].0}),
        };
        let t = Instant::now();
        runs(api, &part, &proc_id, n, assign).await;
        made += n;
        chunk += 1;
        eprintln!("{made} runs ({} ms)", t.elapsed().as_millis());
    }
    // users[2] has runs of its own (chunks 2, 22, 42, ...) and its team's (team 2).
    let op = &users[2];
    json!({"operator": {"id": op.0, "key": op.1}, "teams": teams, "procedure": proc_id})
}

const RUN_READ: &str = "query($id: ID!) { run(id: $id) { id title status steps { id _etag title status fields { id _etag name type value } } } }";
const START_OR_COMPLETE: &str = "mutation($id: ID!, $e: String!, $s: RunStepStatus!) { updateRunStep(input: {id: $id, etag: $e, status: $s}) { runStep { id _etag status } } }";
const VALUE: &str = "mutation($id: ID!, $e: String!, $v: JSON!) { updateRunStepFieldValue(input: {id: $id, etag: $e, value: $v}) { runStepField { id _etag value } } }";

/// Latencies in µs by action, and the errors, of one client.
#[derive(Default)]
struct Tally {
    times: BTreeMap<&'static str, Vec<u64>>,
    errors: Vec<String>,
}

impl Tally {
    /// Runs one request, timing it under `action`.
    async fn time(&mut self, api: &Api, action: &'static str, q: &str, v: Value) -> Option<Value> {
        let t = Instant::now();
        let r = api.gql(q, v).await;
        let us = t.elapsed().as_micros() as u64;
        match r {
            Ok((d, _)) => {
                self.times.entry(action).or_default().push(us);
                Some(d)
            }
            Err(e) => {
                self.errors.push(format!("{action}: {e}"));
                None
            }
        }
    }
}

/// One operator: opens each of its runs and works its steps in order until `end`.
async fn operator(api: Api, runs: Vec<String>, end: Instant) -> Tally {
    let mut t = Tally::default();
    for run in runs {
        if Instant::now() >= end {
            break;
        }
        let Some(r) = t.time(&api, "open run", RUN_READ, json!({"id": run})).await else {
            continue;
        };
        for step in r["run"]["steps"].as_array().into_iter().flatten() {
            if Instant::now() >= end {
                return t;
            }
            if step["status"] != "TODO" {
                continue;
            }
            let go = json!({"id": step["id"], "e": step["_etag"], "s": "IN_PROGRESS"});
            let Some(st) = t.time(&api, "start", START_OR_COMPLETE, go).await else {
                break;
            };
            for f in step["fields"].as_array().into_iter().flatten() {
                let (action, v) = match f["type"].as_str() {
                    Some("NUMBER") => ("value", json!(42.5)),
                    Some("STRING") => ("value", json!("torqued to spec")),
                    _ => ("sign-off", json!(true)),
                };
                let v = json!({"id": f["id"], "e": f["_etag"], "v": v});
                t.time(&api, action, VALUE, v).await;
            }
            let etag = &st["updateRunStep"]["runStep"]["_etag"];
            let done = json!({"id": step["id"], "e": etag, "s": "COMPLETE"});
            if t.time(&api, "complete", START_OR_COMPLETE, done)
                .await
                .is_none()
            {
                break;
            }
        }
    }
    if Instant::now() < end {
        t.errors
            .push("operator ran out of runs before the end".into());
    }
    t
}

/// One reader: reads random travelers until `end`.
async fn reader(api: Api, runs: Vec<String>, end: Instant, seed: u64) -> Tally {
    let mut t = Tally::default();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    while Instant::now() < end {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let run = &runs[(x >> 33) as usize % runs.len()];
        t.time(&api, "read traveler", RUN_READ, json!({"id": run}))
            .await;
    }
    t
}

fn pct(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

async fn floor(urls: &[String], plan: &Value, secs: Duration) {
    let list = |k: &str| plan[k].as_array().cloned().unwrap_or_default();
    let all: Vec<String> = list("runs").iter().map(s).collect();
    let started = Instant::now();
    let end = started + secs;
    let mut tasks = Vec::new();
    for (i, op) in list("operators").iter().enumerate() {
        let api = Api::new(&urls[i % urls.len()], &s(&op["key"]));
        let runs: Vec<String> = op["runs"].as_array().expect("runs").iter().map(s).collect();
        tasks.push(tokio::spawn(operator(api, runs, end)));
    }
    for (i, rd) in list("readers").iter().enumerate() {
        let api = Api::new(&urls[i % urls.len()], &s(&rd["key"]));
        tasks.push(tokio::spawn(reader(api, all.clone(), end, i as u64)));
    }
    let mut total = Tally::default();
    for task in tasks {
        let t = task.await.expect("client task");
        for (k, v) in t.times {
            total.times.entry(k).or_default().extend(v);
        }
        total.errors.extend(t.errors);
    }
    let elapsed = started.elapsed().as_secs_f64();
    report(&total, elapsed);
}

fn report(total: &Tally, elapsed: f64) {
    println!("| action | count | per second | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut step_actions: Vec<u64> = Vec::new();
    for (k, v) in &total.times {
        let mut v = v.clone();
        v.sort_unstable();
        row(k, &v, elapsed);
        if ["start", "value", "sign-off", "complete"].contains(k) {
            step_actions.extend(v);
        }
    }
    step_actions.sort_unstable();
    row("**all step actions**", &step_actions, elapsed);
    println!();
    println!("errors: {} in {elapsed:.1} s", total.errors.len());
    for e in total.errors.iter().take(5) {
        println!("  {}", &e[..e.len().min(300)]);
    }
}

fn row(name: &str, v: &[u64], elapsed: f64) {
    println!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
        v.len(),
        v.len() as f64 / elapsed,
        pct(v, 0.50) as f64 / 1e3,
        pct(v, 0.99) as f64 / 1e3,
        v.last().copied().unwrap_or(0) as f64 / 1e3
    );
}
