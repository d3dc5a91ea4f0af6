#!/usr/bin/env bash
# The peer in the benchmark (issue 16, item 5): Traveler and PostGraphile 4 serving the
# same two nested reads from the same PostgreSQL database: one run with its steps and
# their fields, and the first 50 runs with theirs. The answers are checked equal (after
# normalizing the shapes: PostGraphile's connections' `nodes`, its text `value`), then each
# read is loaded with wrk, alternating the servers, twice. Reported: requests per second,
# latency, and CPU per request of the server process plus the PostgreSQL backends serving
# it (from /proc; each server connects under its own application_name, so that its
# backends are told apart in pg_stat_activity).
#   bash bench/peer.sh [seconds per load]     (from the repo root)
# Prerequisites: see bench/lib.sh; wrk; Node.js 18+ with npm (PostGraphile 4 is installed
# into a temporary folder from the npm registry). Data: a procedure of 20 chained steps
# with 3 fields each and 60 runs, made through Traveler's API (`load seed-floor`).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
source bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
build
work=$(mktemp -d)
pgdb="traveler_peer_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pg_drop "$pgdb"
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund postgraphile@4 >/dev/null)
pg_create "$pgdb"
db_url="$BENCH_PG/$pgdb"
serve "$db_url?application_name=traveler&sslmode=disable" "$work/traveler.log"
t_pid=$pid; pids+=("$pid"); t_url="http://127.0.0.1:$port/graphql"
seed_peer "$t_url"
psql -q "$db_url" -c 'VACUUM ANALYZE'
pg_port=$(free_port)
NODE_ENV=production node "$work/node_modules/postgraphile/cli.js" -c "$db_url?application_name=postgraphile" --host 127.0.0.1 \
  --port "$pg_port" --schema public --disable-query-log >"$work/postgraphile.log" 2>&1 &
g_pid=$!; pids+=("$g_pid"); g_url="http://127.0.0.1:$pg_port/graphql"
for _ in $(seq 1 300); do
  curl -sf "$g_url" -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' >/dev/null && break
  sleep 0.1
done

sel='id title status'
step_sel="$sel position"
field_sel='id name value'
t_one="query { run(id: \\\"$run_id\\\") { $sel steps { $step_sel fields { $field_sel } } } }"
g_one="query { runById(id: \\\"$run_id\\\") { $sel runStepsByRunId(orderBy: [POSITION_ASC, ID_ASC]) { nodes { $step_sel runStepFieldsByRunStepId(orderBy: [POSITION_ASC, ID_ASC]) { nodes { $field_sel } } } } } }"
t_list="query { runs(first: 50) { edges { node { $sel steps { $step_sel fields { $field_sel } } } } } }"
g_list="query { allRuns(first: 50, orderBy: ID_ASC) { nodes { $sel runStepsByRunId(orderBy: [POSITION_ASC, ID_ASC]) { nodes { $step_sel runStepFieldsByRunStepId(orderBy: [POSITION_ASC, ID_ASC]) { nodes { $field_sel } } } } } } }"

post() { curl -sf "$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "{\"query\":\"$2\"}"; }
# The same answer in one shape: lists of runs, steps with `fields`, values as JSON.
normalize() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
assert "errors" not in d, d["errors"]
d = d["data"]
def field(f):
    v = f["value"]
    if isinstance(v, str):
        try: v = json.loads(v)
        except ValueError: pass
    return {"id": str(f["id"]), "name": f["name"], "value": v}
def step(s):
    fs = s.get("fields") or s["runStepFieldsByRunStepId"]["nodes"]
    return {"id": str(s["id"]), "title": s["title"], "status": s["status"], "position": s["position"], "fields": [field(f) for f in fs]}
def run(r):
    ss = r["steps"] if "steps" in r else r["runStepsByRunId"]["nodes"]
    return {"id": str(r["id"]), "title": r["title"], "status": r["status"], "steps": [step(s) for s in ss]}
if "run" in d: runs = [d["run"]]
elif "runById" in d: runs = [d["runById"]]
elif "runs" in d: runs = [e["node"] for e in d["runs"]["edges"]]
else: runs = d["allRuns"]["nodes"]
print(json.dumps([run(r) for r in runs], sort_keys=True))'
}
for pair in one list; do
  tq="t_$pair"; gq="g_$pair"
  a=$(post "$t_url" "${!tq}" | normalize)
  b=$(post "$g_url" "${!gq}" | normalize)
  [ "$a" = "$b" ] || { echo "answers differ for $pair" >&2; diff <(echo "$a" | python3 -m json.tool) <(echo "$b" | python3 -m json.tool) | head -20 >&2; exit 1; }
  echo "$pair: answers equal ($(echo "$a" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), "runs,", sum(len(s["fields"]) for x in r for s in x["steps"]), "fields")'))" >&2
done

# backends NAME: the PostgreSQL backends of the server connected as NAME.
backends() { psql -Atq "$BENCH_PG/postgres" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$pgdb' AND application_name = '$1'"; }
# ticks PID...: "pid ticks" lines, for the processes still alive.
ticks() { local p; for p in "$@"; do [ -r "/proc/$p/stat" ] && echo "$p $(awk '{print $14 + $15}' "/proc/$p/stat")"; done; true; }
# CPU ticks spent between two `ticks` listings (files): a process that started meanwhile
# counts from 0; one that ended meanwhile is left out rather than counted negative (the
# other server's pool closing idle connections made the totals of the first version wrong).
# With a third argument (a pid), only that process's ticks.
spent() { python3 -c 'import sys
b = dict(l.split() for l in open(sys.argv[1]) if l.strip())
a = dict(l.split() for l in open(sys.argv[2]) if l.strip())
only = sys.argv[3:]
print(sum(int(t) - int(b.get(p, 0)) for p, t in a.items() if not only or p in only))' "$@"; }
tck=$(getconf CLK_TCK)
# wrk_run NAME URL QUERY SERVER_PID APPLICATION_NAME:
#   "req/s p50 p99 non2xx requests cpu_ms_per_request server_cpu_ms_per_request"
wrk_run() {
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[{"query":"%s"}]]\n' "$key" "$3" >"$work/$1.lua"
  wrk -t2 -c16 -d2s -s "$work/$1.lua" "$2" >/dev/null # warm-up: connections, caches, JIT
  local out spent_ticks server_ticks
  ticks "$4" $(backends "$5") >"$work/before"
  out=$(wrk -t2 -c16 -d"${secs}s" --latency -s "$work/$1.lua" "$2")
  ticks "$4" $(backends "$5") >"$work/after"
  spent_ticks=$(spent "$work/before" "$work/after")
  server_ticks=$(spent "$work/before" "$work/after" "$4")
  local rps p50 p99 reqs errs
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  errs=$(echo "$out" | awk '/Non-2xx/ {print $4}')
  local per="* 1000 / $tck / $reqs, 3"
  echo "$rps $p50 $p99 ${errs:-0} $reqs $(python3 -c "print(round($spent_ticks $per))") $(python3 -c "print(round($server_ticks $per))")"
}
echo "### Traveler and PostGraphile $(node -e 'console.log(require(process.argv[1]).version)' "$work/node_modules/postgraphile/package.json") on the same PostgreSQL data (wrk -t2 -c16 -d${secs}s each, alternating, two rounds)"
echo
echo "load before: $(uptime | sed 's/.*load average: //')"
echo
echo "| read | round | server | req/s | p50 | p99 | non-2xx | CPU ms per request (server + PostgreSQL) | of which the server |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
for round in 1 2; do
  for pair in one list; do
    tq="t_$pair"; gq="g_$pair"
    name=$([ "$pair" = one ] && echo "one run, 20 steps x 3 fields" || echo "first 50 runs with steps and fields")
    read -r rps p50 p99 err reqs cpu own < <(wrk_run "t_$pair" "$t_url" "${!tq}" "$t_pid" traveler)
    echo "| $name | $round | Traveler | $rps | $p50 | $p99 | $err | $cpu | $own |"
    read -r rps p50 p99 err reqs cpu own < <(wrk_run "g_$pair" "$g_url" "${!gq}" "$g_pid" postgraphile)
    echo "| $name | $round | PostGraphile | $rps | $p50 | $p99 | $err | $cpu | $own |"
  done
done
echo
echo "load after: $(uptime | sed 's/.*load average: //')"
