"""Load client of bench/soak.sh (issue 13): three organizations, each with creators,
operators working steps and heavy readers, clients aborting about one request in five
mid-flight. Samples the server's RSS every second and scrapes the pool gauges at the end.

    python bench/soak.py --url URL --metrics URL --pid PID --admin-token KEY [--duration 600]

Prints a summary and exits 1 if a criterion fails: a 5xx or a lost connection, an
INTERNAL_SERVER_ERROR, RSS after the first minute above that minute's peak + 10%, or a pool
connection still in use after the clients stop. Needs aiohttp (a venv: see bench/soak.sh).
"""

import argparse
import asyncio
import collections
import json
import random
import sys
import time

import aiohttp

STEPS = 20
FIELDS = [
    {"name": "torque", "type": "NUMBER", "required": True, "min": 0, "max": 100, "unit": "Nm"},
    {"name": "note", "type": "STRING"},
    {"name": "ok", "type": "BOOLEAN"},
]
HEAVY = """query Heavy($sort: [RunSortEnum!]) { runs(first: 50, sort: $sort) { edges { node {
  id title status steps { id status availableToWork upstreamStepIds
  fields { id name type value } } } } } }"""
RUN = """query Run($id: ID!) { run(id: $id) { id status steps { id _etag status availableToWork
  fields { id _etag name } } } }"""
CREATE_RUNS = "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }"
CREATE_BATCH = (
    "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }"
)
STEP = """mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) {
  runStep { id _etag status fields { id _etag name } } } }"""
VALUE = """mutation($i: UpdateRunStepFieldValueInput!) { updateRunStepFieldValue(input: $i) {
  runStepField { id _etag } } }"""


class Stats:
    def __init__(self):
        self.status = collections.Counter()  # HTTP status, or "aborted" / "conn-error"
        self.codes = collections.Counter()  # GraphQL error codes
        self.kinds = collections.Counter()  # requests by client kind
        self.samples = []  # GraphQL INTERNAL_SERVER_ERROR / 5xx bodies, a few
        self.runs_created = 0
        self.steps_completed = 0
        self.latency = collections.defaultdict(list)


class Client:
    """One organization's HTTP client: a request is aborted (the connection closed)
    after a short random delay with probability `abort_p`."""

    def __init__(self, session, url, token, stats, abort_p, stop):
        self.session, self.url, self.token = session, url, token
        self.stats, self.abort_p, self.stop = stats, abort_p, stop

    async def gql(self, kind, query, variables=None, may_abort=True):
        """The response's `data` (None on abort or error)."""
        body = {"query": query, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {self.token}"}
        self.stats.kinds[kind] += 1
        abort = may_abort and random.random() < self.abort_p
        t = time.monotonic()
        try:
            req = self._post(body, headers)
            if abort:
                status, doc = await asyncio.wait_for(req, random.uniform(0.002, 0.3))
            else:
                status, doc = await req
        except asyncio.TimeoutError:
            self.stats.status["aborted"] += 1
            return None
        except (aiohttp.ClientError, ConnectionError) as e:
            self.stats.status["conn-error"] += 1
            self._sample(f"{kind}: {type(e).__name__}: {e}")
            return None
        self.stats.latency[kind].append(time.monotonic() - t)
        self.stats.status[status] += 1
        if status >= 500:
            self._sample(f"{kind}: HTTP {status}: {json.dumps(doc)[:300]}")
        for err in (doc or {}).get("errors") or []:
            code = (err.get("extensions") or {}).get("code", "NO_CODE")
            self.stats.codes[code] += 1
            if code in ("INTERNAL_SERVER_ERROR", "NO_CODE"):
                self._sample(f"{kind}: {code}: {err.get('message', '')[:300]}")
        return (doc or {}).get("data")

    async def _post(self, body, headers):
        async with self.session.post(self.url, json=body, headers=headers) as r:
            text = await r.text()
            try:
                return r.status, json.loads(text)
            except ValueError:
                return r.status, {"raw": text[:300]}

    def _sample(self, s):
        if len(self.stats.samples) < 20:
            self.stats.samples.append(s)


async def must(client, query, variables, path):
    data = await client.gql("setup", query, variables, may_abort=False)
    if data is None:
        raise SystemExit(f"set-up failed: {query[:60]} {variables}")
    for k in path:
        data = data[k]
    return data


async def set_up_org(session, url, admin, n, stats, stop):
    """An organization with its admin key, a SERIAL part and a released procedure of
    STEPS chained steps of len(FIELDS) fields."""
    root = Client(session, url, admin, stats, 0, stop)
    org = await must(
        root,
        "mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { id } token } }",
        {"i": {"name": f"Soak org {n} {int(time.time())}"}},
        ["createOrganization"],
    )
    c = Client(session, url, org["token"], stats, 0, stop)
    part = await must(
        c,
        "mutation($i: CreatePartInput!) { createPart(input: $i) { part { id } } }",
        {"i": {"partNumber": f"SOAK-{n}", "trackingType": "SERIAL"}},
        ["createPart", "part", "id"],
    )
    proc = await must(
        c,
        "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }",
        {"i": {"title": f"Soak procedure {n}", "partIds": [part]}},
        ["createProcedure", "procedure", "id"],
    )
    prev = []
    for i in range(STEPS):
        step = await must(
            c,
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            {"i": {"procedureId": proc, "title": f"Step {i + 1}", "content": "Do the thing " * 20,
                   "upstreamStepIds": prev, "fields": FIELDS}},
            ["createStep", "step", "id"],
        )
        prev = [step]
    etag = await must(c, "query($id: ID!) { procedure(id: $id) { _etag } }", {"id": proc},
                      ["procedure", "_etag"])
    await must(
        c,
        "mutation($i: ReleaseProcedureInput!) { releaseProcedure(input: $i) { procedure { status } } }",
        {"i": {"id": proc, "etag": etag}},
        ["releaseProcedure", "procedure", "status"],
    )
    return {"token": org["token"], "part": part, "proc": proc, "runs": []}


async def creator(c, org, stats):
    """createRuns of 1-5 copies and createBatchedRun of 2-8, alternately."""
    while not c.stop.is_set():
        spec = {"partId": org["part"], "procedureId": org["proc"], "autogenerateSerialNumber": True}
        if random.random() < 0.5:
            spec["copies"] = random.randint(1, 5)
            data = await c.gql("createRuns", CREATE_RUNS, {"i": {"runs": [spec]}})
            runs = data and data.get("createRuns") and data["createRuns"]["runs"]
        else:
            spec["copies"] = random.randint(2, 8)
            data = await c.gql("createBatchedRun", CREATE_BATCH, {"i": {"runs": [spec]}})
            runs = data and data.get("createBatchedRun") and data["createBatchedRun"]["runs"]
        if runs:
            stats.runs_created += len(runs)
            org["runs"].extend(r["id"] for r in runs)
            del org["runs"][:-200]  # operators work the newest runs
        await asyncio.sleep(random.uniform(0.05, 0.3))


async def operator(c, org, stats):
    """Works one step of a recent run: IN_PROGRESS, its fields, COMPLETE."""
    while not c.stop.is_set():
        if not org["runs"]:
            await asyncio.sleep(0.2)
            continue
        rid = random.choice(org["runs"])
        data = await c.gql("run", RUN, {"id": rid})
        if not data or not data.get("run"):
            continue
        steps = data["run"]["steps"]
        step = next((s for s in steps if s["status"] == "IN_PROGRESS"), None) or next(
            (s for s in steps if s["availableToWork"]), None)
        if step is None:
            if rid in org["runs"] and all(s["status"] == "COMPLETE" for s in steps):
                org["runs"].remove(rid)
            continue
        await work_step(c, step, stats)


async def work_step(c, step, stats):
    etag, fields = step["_etag"], step["fields"]
    if step["status"] == "TODO":
        d = await c.gql("updateRunStep", STEP, {"i": {"id": step["id"], "etag": etag, "status": "IN_PROGRESS"}})
        if not d or not d.get("updateRunStep"):
            return
        etag, fields = d["updateRunStep"]["runStep"]["_etag"], d["updateRunStep"]["runStep"]["fields"]
    values = {"torque": round(random.uniform(0, 100), 1), "note": f"soak {random.random()}", "ok": True}
    for f in fields:
        d = await c.gql("updateRunStepFieldValue", VALUE,
                        {"i": {"id": f["id"], "etag": f["_etag"], "value": values[f["name"]]}})
        if not d or not d.get("updateRunStepFieldValue"):
            return
    # A stale etag (another operator, or an aborted request that did commit) leaves the
    # step IN_PROGRESS: the next pass re-reads the run and finishes it.
    d = await c.gql("updateRunStep", STEP, {"i": {"id": step["id"], "etag": etag, "status": "COMPLETE"}})
    if d and d.get("updateRunStep"):
        stats.steps_completed += 1


async def reader(c, stats):
    """runs(first: 50) with every step and field, newest or oldest first."""
    while not c.stop.is_set():
        await c.gql("heavyRead", HEAVY, {"sort": [random.choice(["ID_ASC", "ID_DESC"])]})


async def sample_rss(pid, t0, rss, stop):
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                kb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            rss.append((time.monotonic() - t0, kb))
        except (OSError, StopIteration):
            rss.append((time.monotonic() - t0, -1))
        await asyncio.sleep(1)


PG_TX = """select count(*) filter (where state like 'idle in transaction%%'),
  count(*) filter (where state like 'idle in transaction%%' and now() - state_change > interval '5 seconds'),
  count(*) from pg_stat_activity where datname = '%s' and pid <> pg_backend_pid()"""


async def pg_sessions(db):
    """PostgreSQL's view of the server's connections: (idle in a transaction, of which
    for over 5 s, all). A pooled connection idle inside a transaction is one the pool
    thinks is clean while the server still holds its transaction open."""
    p = await asyncio.create_subprocess_exec(
        "psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc", PG_TX % db,
        stdout=asyncio.subprocess.PIPE)
    out, _ = await p.communicate()
    return tuple(int(x) for x in out.decode().strip().split("|"))


async def sample_pg(db, t0, seen, stop):
    while not stop.is_set():
        idle_tx, stuck, total = await pg_sessions(db)
        seen.append((time.monotonic() - t0, idle_tx, stuck, total))
        await asyncio.sleep(2)


async def pool_gauges(session, metrics_url):
    async with session.get(metrics_url) as r:
        text = await r.text()
    g = {}
    for line in text.splitlines():
        if line.startswith("traveler_db_pool_"):
            name, value = line.rsplit(" ", 1)
            g[name] = float(value)
    return g


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--admin-token", required=True)
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--orgs", type=int, default=3)
    ap.add_argument("--creators", type=int, default=1)
    ap.add_argument("--operators", type=int, default=3)
    ap.add_argument("--readers", type=int, default=2)
    ap.add_argument("--abort", type=float, default=0.2)
    ap.add_argument("--label", default="")
    ap.add_argument("--pg-db", help="the PostgreSQL database, to watch its sessions")
    a = ap.parse_args()

    stats = Stats()
    stop = asyncio.Event()
    conn = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        orgs = [await set_up_org(session, a.url, a.admin_token, n + 1, stats, stop) for n in range(a.orgs)]
        rss = []
        t0 = time.monotonic()
        sampler = asyncio.create_task(sample_rss(a.pid, t0, rss, asyncio.Event()))
        pg_seen = []
        if a.pg_db:
            pg_sampler = asyncio.create_task(sample_pg(a.pg_db, t0, pg_seen, asyncio.Event()))
        tasks = []
        for org in orgs:
            mk = lambda: Client(session, a.url, org["token"], stats, a.abort, stop)
            tasks += [asyncio.create_task(creator(mk(), org, stats)) for _ in range(a.creators)]
            tasks += [asyncio.create_task(operator(mk(), org, stats)) for _ in range(a.operators)]
            tasks += [asyncio.create_task(reader(mk(), stats)) for _ in range(a.readers)]
        await progress(a, t0, stats, rss)
        stop.set()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - t0
        # The pool: every connection idle again once the clients are gone (a dropped
        # statement may still be finishing: poll for up to 10 s).
        t1 = time.monotonic()
        first = await pool_gauges(session, a.metrics)
        g = first
        while g.get("traveler_db_pool_in_use", 1) != 0 and time.monotonic() - t1 < 10:
            await asyncio.sleep(0.25)
            g = await pool_gauges(session, a.metrics)
        idle_after = time.monotonic() - t1
        sampler.cancel()
        pg_end = None
        if a.pg_db:
            pg_sampler.cancel()
            pg_end = await pg_sessions(a.pg_db)
    return report(a, stats, rss, elapsed, first, g, idle_after, pg_seen, pg_end)


async def progress(a, t0, stats, rss):
    while (now := time.monotonic() - t0) < a.duration:
        await asyncio.sleep(min(60, a.duration - now))
        print(f"[{a.label}] {time.monotonic() - t0:5.0f}s  requests {sum(stats.kinds.values())}"
              f"  runs {stats.runs_created}  steps completed {stats.steps_completed}"
              f"  rss {rss[-1][1] // 1024 if rss else '?'} MB  status {dict(stats.status)}", flush=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else 0


def report(a, stats, rss, elapsed, first, g, idle_after, pg_seen, pg_end):
    first_min = [kb for t, kb in rss if t <= 60]
    after = [kb for t, kb in rss if t > 60]
    peak1 = max(first_min) if first_min else 0
    peak_after = max(after) if after else 0
    limit = peak1 * 1.10
    five = sum(n for s, n in stats.status.items() if isinstance(s, int) and s >= 500)
    ise = stats.codes["INTERNAL_SERVER_ERROR"] + stats.codes["NO_CODE"]
    in_use = g.get("traveler_db_pool_in_use", -1)
    checks = {
        "no 5xx and no lost connection": five == 0 and stats.status["conn-error"] == 0,
        "no INTERNAL_SERVER_ERROR": ise == 0,
        "RSS after 1st minute <= 1st-minute peak + 10%": bool(after) and peak_after <= limit,
        "pool idle at the end": in_use == 0,
    }
    if pg_end is not None:
        checks["no PostgreSQL session left inside a transaction at the end"] = pg_end[0] == 0
    print(f"\n=== soak [{a.label}] {elapsed:.0f}s, {a.orgs} orgs x ({a.creators} creators, "
          f"{a.operators} operators, {a.readers} readers), abort p={a.abort}")
    print(f"requests: {sum(stats.kinds.values())}  by kind: {dict(stats.kinds)}")
    print(f"HTTP status: {dict(sorted(stats.status.items(), key=str))}")
    print(f"GraphQL error codes: {dict(stats.codes)}")
    print(f"runs created: {stats.runs_created}  steps completed: {stats.steps_completed}")
    for kind, xs in sorted(stats.latency.items()):
        print(f"  {kind:24} n={len(xs):6}  p50 {pct(xs, .5) * 1000:7.1f} ms  p99 {pct(xs, .99) * 1000:7.1f} ms")
    print(f"RSS: first-minute peak {peak1 / 1024:.1f} MB, max afterwards {peak_after / 1024:.1f} MB "
          f"(limit {limit / 1024:.1f} MB), last {rss[-1][1] / 1024 if rss else 0:.1f} MB")
    print("RSS per minute (max MB): " + " ".join(
        f"{max(kb for t, kb in rss if m * 60 < t <= (m + 1) * 60) / 1024:.0f}"
        for m in range(int(elapsed // 60) + 1) if any(m * 60 < t <= (m + 1) * 60 for t, _ in rss)))
    print(f"pool when clients stopped: {fmt_pool(first)}; after {idle_after:.2f}s: {fmt_pool(g)}")
    if pg_end is not None:
        stuck = [x for x in pg_seen if x[2] > 0]
        print(f"PostgreSQL sessions at the end: {pg_end[2]} open, {pg_end[0]} idle in a transaction; "
              f"during the soak: max {max((x[1] for x in pg_seen), default=0)} idle in a transaction, "
              f"max {max((x[2] for x in pg_seen), default=0)} for over 5 s "
              f"(first at {stuck[0][0]:.0f}s)" if stuck else
              f"PostgreSQL sessions at the end: {pg_end[2]} open, {pg_end[0]} idle in a transaction; "
              f"during the soak: max {max((x[1] for x in pg_seen), default=0)} idle in a transaction, none for over 5 s")
    for s in stats.samples:
        print(f"  sample: {s}")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


def fmt_pool(g):
    short = {k.replace("traveler_db_pool_", ""): int(v) for k, v in g.items()}
    return " ".join(f"{k}={v}" for k, v in sorted(short.items()))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
