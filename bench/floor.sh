#!/usr/bin/env bash
# A floor under load (issue 16, item 3): 64 operator clients, each working the steps of
# its own runs (open the run, start a step, enter a number and a text, sign off, complete),
# and 16 viewer clients reading random travelers, for 60 s: on SQLite with one server, then
# on PostgreSQL with two server processes on the same database, the clients split between
# them. Prints actions per second, p50/p99 per action, the error count and each server's
# peak RSS as markdown.
#   bash bench/floor.sh [seconds] [sqlite|postgres|both]     (from the repo root)
# Prerequisites: see bench/lib.sh (Rust toolchain, python3, curl; psql and a PostgreSQL
# server for the PostgreSQL half). The data is made through the GraphQL API
# (`load seed-floor`: a released procedure of 10 chained steps with a required NUMBER, a
# STRING and a required SIGNOFF field; 64 operators with 40 runs each, 16 viewers).
# The load client runs on the same machine as the servers and the database.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
which="${2:-both}"
source bench/lib.sh
build
work=$(mktemp -d)
pids=()
pgdb=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -z "$pgdb" ] || pg_drop "$pgdb"
  rm -rf "$work"
}
trap cleanup EXIT

# run_floor NAME URL...: seeds through the first server, then loads all of them.
run_floor() {
  local name=$1; shift
  local urls
  urls=$(IFS=,; echo "$*")
  "$load" seed-floor --url "$1" --key "$key" >"$work/plan.json"
  # The peak while seeding (bulk creation through the API) is reported apart, and the
  # high-water mark is reset (Linux's clear_refs 5) so the floor's own peak is measured.
  local p rss=() seeded=() scope="under the floor"
  for p in "${pids[@]}"; do
    seeded+=("$(peak_rss_mb "$p") MB")
    echo 5 >"/proc/$p/clear_refs" 2>/dev/null || scope="seeding and floor (mark not reset)"
  done
  echo "### Floor under load: $name, ${secs} s, $(nproc) cores, load before: $(uptime | sed 's/.*load average: //')"
  echo
  "$load" floor --urls "$urls" --plan "$work/plan.json" --secs "$secs"
  for p in "${pids[@]}"; do rss+=("$(peak_rss_mb "$p") MB"); done
  echo "peak RSS per server, $scope: ${rss[*]} (while seeding: ${seeded[*]}); load after: $(uptime | sed 's/.*load average: //')"
  echo
}

if [ "$which" != postgres ]; then
  serve "sqlite://$work/floor.db?mode=rwc" "$work/sqlite.log"
  pids=("$pid")
  run_floor "SQLite, one server" "http://127.0.0.1:$port/graphql"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pids=()
fi
if [ "$which" != sqlite ]; then
  pgdb="traveler_floor_$$"
  pg_create "$pgdb"
  serve "$BENCH_PG/$pgdb" "$work/pg1.log"
  pids=("$pid"); u1="http://127.0.0.1:$port/graphql"
  serve "$BENCH_PG/$pgdb" "$work/pg2.log"
  pids+=("$pid"); u2="http://127.0.0.1:$port/graphql"
  run_floor "PostgreSQL, two servers on one database" "$u1" "$u2"
fi
