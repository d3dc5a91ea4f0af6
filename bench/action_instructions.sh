#!/usr/bin/env bash
# The server's instructions per step action, counted by valgrind's callgrind (the write-side
# counterpart of bench/instructions.sh): on the peer's data (PostgreSQL), the first step of
# one run moves IN_PROGRESS -> HOLD -> IN_PROGRESS, each move locking its step, writing its
# history and rolling its run up. The same count for the same binary and data whatever else
# the machine is doing; user space of the server only.
#   BENCH_BIN=<server> bash bench/action_instructions.sh [pairs of moves]   (from the repo root)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
out="${CALLGRIND_OUT:-/tmp/traveler-actions.callgrind}"
source bench/lib.sh
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
build
work=$(mktemp -d); pgdb="traveler_actions_$$"; pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pg_drop "$pgdb"; rm -rf "$work"
}
trap cleanup EXIT
pg_create "$pgdb"; db_url="$BENCH_PG/$pgdb?sslmode=disable"
serve "$db_url" "$work/seed.log"; pids+=("$pid")
seed_peer "http://127.0.0.1:$port/graphql"
kill "$pid"; wait "$pid" 2>/dev/null || true
psql -q "$BENCH_PG/$pgdb" -c 'VACUUM ANALYZE'
port=$(free_port)
rm -f "$out"*
DATABASE_URL="$db_url" TRAVELER_LISTEN="127.0.0.1:$port" TRAVELER_ADMIN_TOKEN=$key RUST_LOG=warn \
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" >"$work/callgrind.log" 2>&1 &
vg=$!; pids+=("$vg")
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
# moves PAIRS: the step to IN_PROGRESS if it is TODO, then PAIRS times HOLD and back.
moves() {
  python3 - "http://127.0.0.1:$port/graphql" "$key" "$run_id" "$1" <<'PY'
import json, sys, urllib.request
url, key, run_id, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def ask(q, v):
    r = urllib.request.Request(url, json.dumps({"query": q, "variables": v}).encode(),
        {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    d = json.load(urllib.request.urlopen(r))
    assert "errors" not in d, d
    return d["data"]
s = ask("query($id: ID!) { run(id: $id) { steps { id _etag status } } }", {"id": run_id})["run"]["steps"][0]
M = ("mutation($id: ID!, $e: String!, $s: RunStepStatus!) { updateRunStep(input: "
     "{id: $id, etag: $e, status: $s}) { runStep { _etag status } } }")
etag = s["_etag"]
def move(to):
    return ask(M, {"id": s["id"], "e": etag, "s": to})["updateRunStep"]["runStep"]["_etag"]
if s["status"] == "TODO":
    etag = move("IN_PROGRESS")
for _ in range(n):
    for to in ("HOLD", "IN_PROGRESS"):
        etag = move(to)
PY
}
moves 10 # warm: pool, statement caches, parsed documents
callgrind_control -z "$vg" >/dev/null
moves "$n"
callgrind_control -d "$vg" >/dev/null
sleep 1
total=$(callgrind_annotate "$out".1 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$((2 * n)) step actions: $total instructions, $((total / n / 2)) per action (profile: $out.1)"
