#!/usr/bin/env bash
# GraphQL-over-HTTP compliance audit (graphql-http serverAudits) against a built server.
#
# Usage: .ci/audit.sh [path/to/traveler]   (default ./target/debug/traveler; builds nothing)
# Needs node >= 18 and npm. Exits non-zero if any MUST or SHOULD audit fails (--strict).
set -euo pipefail

bin="${1:-./target/debug/traveler}"
port=18081
base="http://127.0.0.1:${port}"
key="audit-key-$$-${RANDOM}"
runner="$(cd "$(dirname "$0")" && pwd)/../../shared/tools/graphql-http-audit.mjs"

[[ -x "$bin" ]] || { echo "audit: server binary not found or not executable: $bin" >&2; exit 2; }
[[ -f "$runner" ]] || { echo "audit: runner not found: $runner" >&2; exit 2; }

work="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "audit: installing graphql-http@1.23.1 graphql@16"
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund graphql-http@1.23.1 graphql@16 >/dev/null)

# Health probe with node (already required), so curl is not needed.
probe() {
  node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/health"
}

# Refuse to audit whatever else might already be listening on the port.
if probe; then
  echo "audit: something already answers on $base; free port $port first" >&2
  exit 2
fi

echo "audit: starting $bin on 127.0.0.1:$port"
TRAVELER_ADMIN_TOKEN="$key" \
  DATABASE_URL="sqlite://$work/audit.db?mode=rwc" \
  TRAVELER_LISTEN="127.0.0.1:$port" \
  TRAVELER_INTROSPECTION=true \
  "$bin" >"$work/server.log" 2>&1 &
pid=$!

ready=""
for _ in $(seq 1 60); do # 60 x 0.5 s = 30 s at most
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "audit: server exited during startup; log:" >&2
    cat "$work/server.log" >&2
    exit 2
  fi
  if probe; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  echo "audit: server did not answer $base/health within 30 s; log:" >&2
  tail -n 50 "$work/server.log" >&2
  exit 2
fi

status=0
NODE_PATH="$work/node_modules" node "$runner" --strict --quiet \
  --header="Authorization: Bearer $key" "$base/graphql" || status=$?

if [[ $status -ne 0 ]]; then
  echo "audit: FAILED (exit $status); last server log lines:" >&2
  tail -n 30 "$work/server.log" >&2
fi
exit "$status"
