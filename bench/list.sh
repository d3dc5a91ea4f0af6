#!/usr/bin/env bash
# Our side of bench/peer.sh's list, without PostGraphile (BENCHMARKS.md, "The peer's list
# waits on something"): PostgreSQL, `load seed-floor --operators 2 --runs-per-operator 30
# --readers 0 --steps 20`, then `runs(first: 50)` with steps and fields: N sequential
# requests after 3 warm-ups (server CPU per request and per resolved field, p50 wall),
# then wrk -t2 -c16 for SECS seconds (req/s, server CPU per resolved field under load).
#   bash bench/list.sh [N] [SECS]    (from the repo root; BENCH_NO_BUILD=1,
#   BENCH_BIN as in bench/lib.sh, LOAD_BIN another build of the load client)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"; secs="${2:-10}"
source bench/lib.sh
build
load="${LOAD_BIN:-$load}"
work=$(mktemp -d)
pgdb="traveler_list_$$"
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pg_drop "$pgdb"; rm -rf "$work"; }
pg_create "$pgdb"
serve "$BENCH_PG/$pgdb" "$work/traveler.log"
trap cleanup EXIT
url="http://127.0.0.1:$port/graphql"
seed_peer "$url"
psql -q "$BENCH_PG/$pgdb" -c 'VACUUM ANALYZE'
q='query { runs(first: 50) { edges { node { id title status steps { id title status position fields { id name value } } } } } }'
body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$q")
post() { curl -sf "$url" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$body" -o "$1" -w '%{time_total}\n'; }
for _ in 1 2 3; do post "$work/out.json" >/dev/null; done
fields=$(python3 -c '
import json,sys
def n(v):
    if isinstance(v, dict): return sum(1 + n(x) for x in v.values())
    if isinstance(v, list): return sum(n(x) for x in v)
    return 0
d=json.load(open(sys.argv[1])); assert "errors" not in d, d; print(n(d["data"]))' "$work/out.json")
bytes=$(stat -c %s "$work/out.json")
tck=$(getconf CLK_TCK)
before=$(cpu_ticks "$pid")
for _ in $(seq 1 "$n"); do post /dev/null; done >"$work/times"
after=$(cpu_ticks "$pid")
python3 - "$work/times" "$before" "$after" "$tck" "$n" "$fields" "$bytes" <<'PY'
import sys, statistics
t = sorted(float(x) * 1000 for x in open(sys.argv[1]))
b, a, tck, n, f, by = map(int, sys.argv[2:])
cpu_ms = (a - b) * 1000 / tck / n
print(f"sequential: {n} requests, {f} resolved fields, {by} bytes; p50 {statistics.median(t):.1f} ms, min {t[0]:.1f} ms; server CPU {cpu_ms:.2f} ms/request = {cpu_ms * 1000 / f:.3f} us/field")
PY
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[%s]]\n' "$key" "$body" >"$work/list.lua"
wrk -t2 -c16 -d2s -s "$work/list.lua" "$url" >/dev/null
before=$(cpu_ticks "$pid")
out=$(wrk -t2 -c16 -d"${secs}s" --latency -s "$work/list.lua" "$url")
after=$(cpu_ticks "$pid")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1=="50%" {print $2}')
p99=$(echo "$out" | awk '$1=="99%" {print $2}')
reqs=$(echo "$out" | awk '/requests in/ {print $1}')
errs=$(echo "$out" | awk '/Non-2xx/ {print $4}')
python3 -c "print(f'wrk -t2 -c16 -d${secs}s: {$rps} req/s, p50 $p50, p99 $p99, non-2xx ${errs:-0}; server CPU {($after-$before)*1e6/$tck/($reqs*$fields):.3f} us/field')"
