#!/usr/bin/env bash
# Soak (issue 13): a server on a fresh database, three organizations mixing creations,
# step work and heavy reads for SOAK_SECONDS (default 600) with clients aborting about one
# request in five mid-flight (bench/soak.py). Fails (exit 1) on a 5xx, an
# INTERNAL_SERVER_ERROR, RSS after the first minute above that minute's peak + 10%, or a
# pool connection still in use once the clients stop. Not part of CI.
#   bash bench/soak.sh                       SQLite
#   SOAK_POSTGRES=1 bash bench/soak.sh       a fresh PostgreSQL database (dropped after)
# SOAK_BIN picks the server binary (default target/release/traveler, else target/debug);
# extra arguments go to bench/soak.py (--operators 3, --readers 2, --abort 0.2, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${SOAK_SECONDS:-600}"
target="${CARGO_TARGET_DIR:-target}"
bin="${SOAK_BIN:-}"
if [ -z "$bin" ]; then
  bin="$target/release/traveler"
  [ -x "$bin" ] || bin="$target/debug/traveler"
fi
[ -x "$bin" ] || { echo "no server binary: cargo build --release" >&2; exit 2; }
venv="${SOAK_VENV:-/tmp/traveler-soak-venv}"
if ! "$venv/bin/python" -c 'import aiohttp' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q aiohttp
fi
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
mport=$(free_port)
key="soak-admin-$RANDOM$RANDOM"
db_url="sqlite://$work/soak.db?mode=rwc"
label=SQLite
if [ -n "${SOAK_POSTGRES:-}" ]; then
  pgdb="traveler_soak_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE $pgdb"
  db_url="postgres://postgres@127.0.0.1:5432/$pgdb"
  label=PostgreSQL
fi
DATABASE_URL="$db_url" TRAVELER_LISTEN="127.0.0.1:$port" TRAVELER_METRICS="127.0.0.1:$mport" \
  TRAVELER_ADMIN_TOKEN=$key RUST_LOG=warn "$bin" >"$work/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -s "$work/server.log" ]; then
    # Kept (outside the temporary directory) when the soak failed, to read the errors.
    if [ "${status:-1}" != 0 ]; then
      keep="/tmp/traveler-soak-$label-$(date +%s).log"
      cp "$work/server.log" "$keep" && echo "server log kept: $keep"
    fi
    echo "--- server log: errors and warnings other than PostgreSQL notices (last 20 of $(wc -l <"$work/server.log") lines)"
    grep -v 'sqlx::postgres::notice' "$work/server.log" | tail -20
  fi
  rm -rf "$work"
  [ -z "${pgdb:-}" ] || psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" || true
}
trap cleanup EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
echo "soak: $label, $bin ($(git rev-parse --short HEAD)), ${secs}s, server pid $pid"
status=0
"$venv/bin/python" bench/soak.py --url "http://127.0.0.1:$port/graphql" \
  --metrics "http://127.0.0.1:$mport/metrics" --pid "$pid" --admin-token "$key" \
  --duration "$secs" --label "$label" ${pgdb:+--pg-db "$pgdb"} "$@" || status=$?
# PostgreSQL's notices of a BEGIN inside an open transaction (or a COMMIT/ROLLBACK with none):
# a pooled connection whose transaction state the driver lost track of.
echo "server log: $(grep -c 'already a transaction in progress' "$work/server.log" || true) 'already a transaction in progress', $(grep -c 'no transaction in progress' "$work/server.log" || true) 'no transaction in progress'"
kill -0 "$pid" 2>/dev/null || { echo "FAIL  the server exited"; status=1; }
exit "$status"
