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
callgrind_peer "$out"
body="{\"query\":\"query { run(id: \\\"$run_id\\\") { id title status steps { id title status position fields { id name value } } } }\"}"
ask() { for _ in $(seq 1 "$1"); do
  curl -sf "http://127.0.0.1:$port/graphql" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d "$body" >/dev/null; done; }
ask 20 # warm: pool, statement caches, parsed documents
total=$(callgrind_count "$out" ask "$n")
echo "$n requests: $total instructions, $((total / n)) per request (profile: $out.1)"
