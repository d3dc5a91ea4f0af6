#!/usr/bin/env bash
# The subscription benchmark of issue 11 (1,000 subscribers, one batch of 100 runs, one
# step action): release build, real server process. On PostgreSQL when TEST_DATABASE_URL
# is set, else on a SQLite file. Prints one "live bench:" line.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test process bench_1000_subscribers -- --ignored --nocapture 2>&1 | grep -E "live bench|panicked|FAILED|test result"
