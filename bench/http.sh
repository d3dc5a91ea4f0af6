#!/usr/bin/env bash
# HTTP throughput of a release server: `run(id)` with 50 steps of 5 fields, beside
# `{ __typename }` (the framework's ceiling), with wrk; the server's CPU time per resolved
# field under that load, and its peak RSS. Prints a markdown table on stdout.
#   bash bench/http.sh [seconds per load]     (run from the repo root after a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
bin=${BENCH_BIN:-./target/release/traveler}
[ -x "$bin" ] || cargo build --release --locked -q
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
key=bench-key
# BENCH_HTTP_POSTGRES=1 runs the server on a fresh PostgreSQL database instead of SQLite.
db_url="sqlite://$work/bench.db?mode=rwc"
db_name=SQLite
if [ -n "${BENCH_HTTP_POSTGRES:-}" ]; then
  pgdb="traveler_http_bench_$$"
  psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE $pgdb"
  db_url="postgres://postgres@127.0.0.1:5432/$pgdb"
  db_name=PostgreSQL
fi
DATABASE_URL="$db_url" TRAVELER_LISTEN="127.0.0.1:$port" TRAVELER_ADMIN_TOKEN=$key RUST_LOG=warn "$bin" >"$work/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
  [ -z "${pgdb:-}" ] || psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" || true
}
trap cleanup EXIT
url="http://127.0.0.1:$port/graphql"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

gql() { curl -sf "$url" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$1"; }
jid() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

part=$(gql '{"query":"mutation { createPart(input: {partNumber: \"BENCH\", trackingType: SERIAL}) { part { id } } }"}' | jid "['data']['createPart']['part']['id']")
proc=$(gql "{\"query\":\"mutation { createProcedure(input: {title: \\\"Bench\\\", partIds: [$part]}) { procedure { id } } }\"}" | jid "['data']['createProcedure']['procedure']['id']")
fields='[{name: \"a\", type: NUMBER}, {name: \"b\", type: STRING}, {name: \"c\", type: BOOLEAN}, {name: \"d\", type: STRING}, {name: \"e\", type: NUMBER}]'
for i in $(seq 1 50); do
  gql "{\"query\":\"mutation { createStep(input: {procedureId: $proc, title: \\\"Step $i\\\", fields: $fields}) { step { id } } }\"}" >/dev/null
done
etag=$(gql "{\"query\":\"{ procedure(id: $proc) { _etag } }\"}" | jid "['data']['procedure']['_etag']")
gql "{\"query\":\"mutation { releaseProcedure(input: {id: $proc, etag: \\\"$etag\\\"}) { procedure { status } } }\"}" >/dev/null
run=$(gql "{\"query\":\"mutation { createRun(input: {partId: $part, procedureId: $proc, autogenerateSerialNumber: true}) { run { id } } }\"}" | jid "['data']['createRun']['run']['id']")

run_body="{\"query\":\"query Run(\$id: ID!) { run(id: \$id) { id title status steps { id title status fields { id name type value } } } }\",\"variables\":{\"id\":\"$run\"}}"
# Resolved fields in one response: every key of the JSON under `data`.
fields_per=$(gql "$run_body" | python3 -c '
import json,sys
def n(v):
    if isinstance(v, dict): return sum(1 + n(x) for x in v.values())
    if isinstance(v, list): return sum(n(x) for x in v)
    return 0
print(n(json.load(sys.stdin)["data"]))')

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
tck=$(getconf CLK_TCK)
load() { # name body -> "rps p50 p99 cpu_ticks requests"
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[%s]]\n' "$key" "$2" >"$work/$1.lua"
  local before after out
  before=$(cpu)
  out=$(wrk -t2 -c32 -d"${secs}s" --latency -s "$work/$1.lua" "$url")
  after=$(cpu)
  echo "$out" >"$work/$1.wrk"
  local rps p50 p99 reqs errs
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  errs=$(echo "$out" | awk '/Non-2xx/ {print $4}')
  echo "$rps $p50 $p99 $((after - before)) $reqs ${errs:-0}"
}
read -r t_rps t_p50 t_p99 t_cpu t_reqs t_err < <(load typename '{"query":"{ __typename }"}')
# BENCH_PROFILE=file records a CPU profile of the server during the run(id) load.
perf_pid=
if [ -n "${BENCH_PROFILE:-}" ]; then
  perf record -F 999 -e cpu-clock -g -p "$pid" -o "$BENCH_PROFILE" -- sleep "$secs" >/dev/null 2>&1 &
  perf_pid=$!
fi
read -r r_rps r_p50 r_p99 r_cpu r_reqs r_err < <(load run "$run_body")
[ -z "$perf_pid" ] || wait "$perf_pid"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
us_per_field=$(python3 -c "print(round(($r_cpu/$tck) * 1e6 / ($r_reqs * $fields_per), 3))")
us_per_req_t=$(python3 -c "print(round(($t_cpu/$tck) * 1e6 / $t_reqs, 1))")
cat <<TABLE
### HTTP (release server, $db_name, wrk -t2 -c32 -d${secs}s, same machine as the load generator)

| request | req/s | p50 | p99 | non-2xx | server CPU |
|---|---|---|---|---|---|
| \`{ __typename }\` (ceiling) | $t_rps | $t_p50 | $t_p99 | $t_err | ${us_per_req_t} µs/request |
| \`run(id)\`: 50 steps x 5 fields, $fields_per resolved fields | $r_rps | $r_p50 | $r_p99 | $r_err | **${us_per_field} µs per resolved field** (target ≤ 2) |

Peak RSS of the server during the HTTP run: **$((hwm / 1024)) MB** (target < 150 MB).
TABLE
