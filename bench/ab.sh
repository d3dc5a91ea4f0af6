#!/usr/bin/env bash
# Two server builds side by side on one database, the peer's one-run read (bench/peer.sh),
# loaded in turn for short spells, so that a drift of the machine falls on both: CPU ms
# per request of each server plus its PostgreSQL backends, and of the server alone.
#   A=<server> B=<server> bash bench/ab.sh [rounds] [seconds]     (from the repo root)
# With SQLITE=1 both serve one SQLite file (the readers only read); the CPU is then the
# server's alone. With LIST=1 the read is the peer's list: the first 50 runs with their
# steps and fields. Prerequisites: see bench/lib.sh; wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-6}"; secs="${2:-5}"
source bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
build # the load client (and this tree's server)
work=$(mktemp -d); pgdb="traveler_ab_$$"; pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -n "${SQLITE:-}" ] || pg_drop "$pgdb"
  rm -rf "$work"
}
trap cleanup EXIT
url() { # NAME: the database as server NAME connects to it
  if [ -n "${SQLITE:-}" ]; then echo "sqlite://$work/ab.db?mode=rwc"
  else echo "$BENCH_PG/$pgdb?application_name=$1&sslmode=disable"; fi
}
[ -n "${SQLITE:-}" ] || pg_create "$pgdb"
bin=$A serve "$(url a)" "$work/a.log"; a_pid=$pid; a_url="http://127.0.0.1:$port/graphql"; pids+=("$pid")
seed_peer "$a_url"
bin=$B serve "$(url b)" "$work/b.log"; b_pid=$pid; b_url="http://127.0.0.1:$port/graphql"; pids+=("$pid")
[ -n "${SQLITE:-}" ] || psql -q "$BENCH_PG/$pgdb" -c 'VACUUM ANALYZE'
sel="id title status steps { id title status position fields { id name value } }"
q="query { run(id: \\\"$run_id\\\") { $sel } }"
[ -z "${LIST:-}" ] || q="query { runs(first: 50) { edges { node { $sel } } } }"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[{"query":"%s"}]]\n' "$key" "$q" >"$work/q.lua"
backends() {
  [ -n "${SQLITE:-}" ] && return 0
  psql -Atq "$BENCH_PG/postgres" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$pgdb' AND application_name = '$1'"
}
ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
tck=$(getconf CLK_TCK)
spell() { # NAME URL PID: one load, "| NAME | req/s | CPU ms (server + database) | server |"
  wrk -t2 -c16 -d1s -s "$work/q.lua" "$2" >/dev/null
  local b s0 t0 out reqs
  b=$(backends "$1"); s0=$(ticks "$3"); t0=$(ticks "$3" $b)
  out=$(wrk -t2 -c16 -d"${secs}s" -s "$work/q.lua" "$2")
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  python3 -c "print('| $1 | %.1f | %.3f | %.3f |' % ($reqs / $secs, ($(ticks "$3" $b) - $t0) * 1000 / $tck / $reqs, ($(ticks "$3") - $s0) * 1000 / $tck / $reqs))"
}
echo "| build | req/s | CPU ms per request | of which the server |"
echo "|---|---:|---:|---:|"
for _ in $(seq 1 "$rounds"); do spell a "$a_url" "$a_pid"; spell b "$b_url" "$b_pid"; done
