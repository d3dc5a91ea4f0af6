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
callgrind_peer "$out"
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
total=$(callgrind_count "$out" moves "$n")
echo "$((2 * n)) step actions: $total instructions, $((total / n / 2)) per action (profile: $out.1)"
