#!/usr/bin/env bash
# The server's instructions per request on the peer's one-run read (bench/peer.sh: a run of
# 20 steps with 3 fields each, PostgreSQL), counted by valgrind's callgrind: the same
# count for the same binary and data whatever else the machine is doing, so two builds
# compare without alternating. User space only: the kernel's share (sockets, wakeups) and
# PostgreSQL's are not in it.
#   BENCH_BIN=<server> bash bench/instructions.sh [requests]     (from the repo root)
# Prints the instructions per request; the profile stays in $CALLGRIND_OUT (default
# /tmp/traveler.callgrind) for callgrind_annotate --inclusive=yes.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
out="${CALLGRIND_OUT:-/tmp/traveler.callgrind}"
source bench/lib.sh
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
build
work=$(mktemp -d); pgdb="traveler_instructions_$$"; pids=()
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
body="{\"query\":\"query { run(id: \\\"$run_id\\\") { id title status steps { id title status position fields { id name value } } } }\"}"
ask() { for _ in $(seq 1 "$1"); do
  curl -sf "http://127.0.0.1:$port/graphql" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d "$body" >/dev/null; done; }
ask 20 # warm: pool, statement caches, parsed documents
callgrind_control -z "$vg" >/dev/null
ask "$n"
callgrind_control -d "$vg" >/dev/null
sleep 1
total=$(callgrind_annotate "$out".1 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$n requests: $total instructions, $((total / n)) per request (profile: $out.1)"
