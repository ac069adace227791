#!/usr/bin/env bash
# The whole test suite: builds the node, then runs
#   1. every crate's unit tests and the integration tests against real `accesslog-node --dev`
#      processes over real RPC (client/tests);
#   2. the pallet's unit tests with its benchmark test suite (runtime-benchmarks feature).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/build.sh"
cd "$REPO_ROOT"
export ACCESSLOG_NODE="$NODE_BIN"

log "unit and integration tests (release, against real dev nodes)"
cargo test --release --locked --workspace

log "pallet unit tests with the benchmark test suite"
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-access-log --features runtime-benchmarks
log "all tests passed"
