# Shared by the scripts in bench/ (sourced, not run).
# Prerequisites: a Rust toolchain (the scripts build the release server and the load client
# `bench/load.rs`), python3, curl, and for PostgreSQL psql and a server that lets
# $BENCH_PG (default postgres://postgres@127.0.0.1:5432) create databases.
BENCH_PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
target="${CARGO_TARGET_DIR:-target}"
# BENCH_BIN: another server binary (e.g. a copy built from an earlier commit, to compare).
bin="${BENCH_BIN:-$target/release/traveler}"
load="$target/release/examples/load"
key=bench-admin-key

build() {
  [ -z "${BENCH_NO_BUILD:-}" ] || return 0
  cargo build --release --locked -q
  cargo build --release --locked -q --example load
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# serve DATABASE_URL LOGFILE: starts a release server on a free port; sets $port and $pid.
serve() {
  port=$(free_port)
  DATABASE_URL="$1" TRAVELER_LISTEN="127.0.0.1:$port" TRAVELER_ADMIN_TOKEN=$key RUST_LOG=warn \
    "$bin" >"$2" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start; see $2" >&2
  cat "$2" >&2
  return 1
}

# pg_create NAME / pg_drop NAME: a scratch PostgreSQL database.
pg_create() { psql "$BENCH_PG/postgres" -q -c "CREATE DATABASE $1"; }
pg_drop() { psql "$BENCH_PG/postgres" -q -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" || true; }

# Peak resident memory (VmHWM) of a process, in MB.
peak_rss_mb() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# CPU ticks (user + system) of processes.
cpu_ticks() {
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}

# seed_peer URL: the peer's data (bench/peer.sh) made through the server at URL: a released
# procedure of 20 chained steps with 3 fields each, and 60 runs of it. The plan goes to
# $work/plan.json, the first run's id to $run_id.
seed_peer() {
  "$load" seed-floor --url "$1" --key "$key" --operators 2 --runs-per-operator 30 \
    --readers 0 --steps 20 >"$work/plan.json"
  run_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0])' "$work/plan.json")
}

# callgrind_peer OUT: the peer's data in a scratch PostgreSQL database, then the server under
# valgrind's callgrind writing to OUT; sets $port, $vg (valgrind's pid), $run_id and $work,
# and a trap that stops the server and drops the database. For bench/instructions.sh and
# bench/action_instructions.sh.
callgrind_peer() {
  local out=$1
  command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
  build
  work=$(mktemp -d); cg_db="traveler_callgrind_$$"; cg_pids=()
  trap 'for p in "${cg_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
        pg_drop "$cg_db"; rm -rf "$work"' EXIT
  pg_create "$cg_db"; local db_url="$BENCH_PG/$cg_db?sslmode=disable"
  serve "$db_url" "$work/seed.log"; cg_pids+=("$pid")
  seed_peer "http://127.0.0.1:$port/graphql"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  psql -q "$BENCH_PG/$cg_db" -c 'VACUUM ANALYZE'
  port=$(free_port)
  rm -f "$out"*
  DATABASE_URL="$db_url" TRAVELER_LISTEN="127.0.0.1:$port" TRAVELER_ADMIN_TOKEN=$key RUST_LOG=warn \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" >"$work/callgrind.log" 2>&1 &
  vg=$!; cg_pids+=("$vg")
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.2; done
  echo "server did not start under valgrind; see $work/callgrind.log" >&2; return 1
}

# callgrind_count OUT COMMAND...: zeroes the counts, runs COMMAND, dumps; prints the total
# of instructions counted while it ran.
callgrind_count() {
  local out=$1; shift
  callgrind_control -z "$vg" >/dev/null
  "$@"
  callgrind_control -d "$vg" >/dev/null
  sleep 1
  callgrind_annotate "$out".1 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
