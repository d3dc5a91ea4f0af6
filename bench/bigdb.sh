#!/usr/bin/env bash
# A database after a year of use (issue 16, item 4): 5,000 runs x 200 chained steps
# (1,000,000 run steps, 1,000,000 fields), 80% of the runs finished, 10% in progress
# (half their steps done), 10% not started; 80% assigned to 20 operators, 10% to 4 teams,
# 10% in the unassigned pool. The runs are created through the GraphQL API
# (`load seed-big`: createRuns of 100 copies at a time), then finished with plain SQL
# (bench/bigdb-finish.sql) and ANALYZEd. Measured: `run(id)` (200 steps with their fields)
# on it (a run not started, as on the small database, and a finished one) and on a
# database holding only that procedure and one run; the first page of 50
# of `runs` by status, by assignee, the unassigned pool, and `me.assignedRuns` of an
# operator (p50 / p99 of sequential requests, `load probe`). Prints markdown.
#   bash bench/bigdb.sh [sqlite|postgres|both] [runs]     (from the repo root)
# Prerequisites: see bench/lib.sh, and the sqlite3 command line (3.33 or later) for SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
total="${2:-5000}"
n="${BIGDB_PROBES:-200}"
source bench/lib.sh
build
work=$(mktemp -d)
pid=
pgdbs=()
cleanup() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  for d in "${pgdbs[@]}"; do pg_drop "$d"; done
  rm -rf "$work"
}
trap cleanup EXIT

url() { echo "http://127.0.0.1:$port/graphql"; }
gql() { curl -sf "$(url)" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$1"; }
first_run() { # a run id of the given status
  gql "{\"query\":\"{ runs(filters: {status: {eq: $1}}, first: 1) { edges { node { id } } } }\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["runs"]["edges"][0]["node"]["id"])'
}
run_q='query($id: ID!) { run(id: $id) { id title status steps { id title status completedAt fields { id name value } } } }'
list_q='query($f: RunsInputFilters) { runs(filters: $f, first: 50) { edges { node { id number title status dueDate assignedToId assignedTeamId createdAt } } pageInfo { hasNextPage endCursor } } }'
me_q='{ me { assignedRuns(first: 50) { edges { node { id number title status dueDate assignedToId assignedTeamId createdAt } } pageInfo { hasNextPage endCursor } } } }'
probe() { "$load" probe --url "$(url)" --key "${3:-$key}" --n "$n" --query "$1" --variables "$2"; }

# start KIND NAME: a server on a fresh database; sets $db_url.
start() {
  if [ "$1" = sqlite ]; then
    db_url="sqlite://$work/$2.db?mode=rwc"
  else
    local d="traveler_bigdb_${2}_$$"
    pg_create "$d"; pgdbs+=("$d")
    db_url="$BENCH_PG/$d"
  fi
  serve "$db_url" "$work/$2.log"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

measure() {
  local kind=$1
  start "$kind" "empty_$kind"
  "$load" seed-big --url "$(url)" --key "$key" --runs 1 >/dev/null 2>&1
  read -r e50 e99 ebytes < <(probe "$run_q" "{\"id\":\"$(first_run TODO)\"}")
  stop

  start "$kind" "big_$kind"
  local t0=$SECONDS
  "$load" seed-big --url "$(url)" --key "$key" --runs "$total" >"$work/big.json" 2>"$work/seed.log"
  local created=$((SECONDS - t0))
  t0=$SECONDS
  if [ "$kind" = sqlite ]; then
    sqlite3 -bail "$work/big_sqlite.db" <bench/bigdb-finish.sql >/dev/null
    sqlite3 "$work/big_sqlite.db" 'ANALYZE;'
  else
    psql -q -v ON_ERROR_STOP=1 "$db_url" -f bench/bigdb-finish.sql
    psql -q "$db_url" -c 'VACUUM ANALYZE'
  fi
  local finished=$((SECONDS - t0))
  local counts
  if [ "$kind" = sqlite ]; then
    counts=$(sqlite3 "$work/big_sqlite.db" "SELECT (SELECT count(*) FROM runs) || ' runs, ' || (SELECT count(*) FROM run_steps) || ' run steps, ' || (SELECT count(*) FROM run_step_fields) || ' fields'")
  else
    counts=$(psql -Atq "$db_url" -c "SELECT (SELECT count(*) FROM runs) || ' runs, ' || (SELECT count(*) FROM run_steps) || ' run steps, ' || (SELECT count(*) FROM run_step_fields) || ' fields'")
  fi
  local op_id op_key team
  op_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["operator"]["id"])' "$work/big.json")
  op_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["operator"]["key"])' "$work/big.json")
  read -r b50 b99 bbytes < <(probe "$run_q" "{\"id\":\"$(first_run TODO)\"}")
  read -r c50 c99 cbytes < <(probe "$run_q" "{\"id\":\"$(first_run COMPLETE)\"}")
  read -r s50 s99 _ < <(probe "$list_q" '{"f":{"status":{"eq":"IN_PROGRESS"}}}')
  read -r a50 a99 _ < <(probe "$list_q" "{\"f\":{\"assignedToId\":{\"eq\":\"$op_id\"}}}")
  read -r p50 p99 _ < <(probe "$list_q" '{"f":{"assignedToId":{"isNull":true},"assignedTeamId":{"isNull":true}}}')
  read -r m50 m99 _ < <(probe "$me_q" '{}' "$op_key")
  local rss
  rss=$(peak_rss_mb "$pid")
  stop
  local ratio
  ratio=$(python3 -c "print(f'{$b50/$e50:.2f}')")
  cat <<TABLE
### A big database: $kind ($counts; created through the API in ${created} s, finished with SQL in ${finished} s)

load at the end: $(uptime | sed 's/.*load average: //'); $n sequential requests each, after 5 warm-up requests, one client

| request | p50 ms | p99 ms | goal |
|---|---:|---:|---|
| \`run(id)\`, 200 steps with their fields, database with 1 run ($ebytes bytes) | $e50 | $e99 | |
| \`run(id)\`, a run not started, big database ($bbytes bytes) | $b50 | $b99 | ratio **${ratio}x** (≤ 1.2x) |
| \`run(id)\`, a finished run, big database ($cbytes bytes) | $c50 | $c99 | |
| \`runs\` by status IN_PROGRESS, first 50 | $s50 | $s99 | p50 < 20 |
| \`runs\` by assignee, first 50 | $a50 | $a99 | p50 < 20 |
| \`runs\` unassigned pool, first 50 | $p50 | $p99 | p50 < 20 |
| \`me.assignedRuns\` (an operator on a team), first 50 | $m50 | $m99 | p50 < 20 |

Server peak RSS: $rss MB.

TABLE
}

[ "$which" = postgres ] || measure sqlite
[ "$which" = sqlite ] || measure postgres
