#!/usr/bin/env bash
# The whole benchmark suite, one command: in-process creation, reading and batch actions
# on SQLite and PostgreSQL (cargo bench), then HTTP throughput, CPU per field and peak RSS
# of a release server (bench/http.sh). Prints the tables and writes them to BENCHMARKS.md.
#   bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
BENCH_WRITE=1 cargo bench --locked --bench bench
BENCH_WRITE=1 cargo bench --locked --bench schedule
bash bench/http.sh "${BENCH_HTTP_SECONDS:-10}" | tee /tmp/traveler-http-bench.md
BENCH_HTTP_POSTGRES=1 bash bench/http.sh "${BENCH_HTTP_SECONDS:-10}" | tee -a /tmp/traveler-http-bench.md
{ echo; cat /tmp/traveler-http-bench.md; } >> BENCHMARKS.md
{
  echo
  echo "### Subscriptions (release server, 1,000 WebSocket subscribers of runChanged on a batch of 100 runs, one step action; time from sending the mutation to delivery; bench/live.sh)"
  echo
  echo '```'
  echo "SQLite:     $(bash bench/live.sh | grep 'live bench')"
  echo "PostgreSQL: $(TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bash bench/live.sh | grep 'live bench')"
  echo '```'
} | tee -a BENCHMARKS.md
