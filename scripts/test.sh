#!/usr/bin/env bash
# The whole test suite: builds the node, then runs
#   1. every crate's unit tests and the integration tests against real `accesslog-node --dev`
#      processes over real RPC (client/tests), including the fault tests on three- and
#      four-validator networks (client/tests/network.rs), and the ingest gateway's end-to-end
#      tests (gateway/tests/gateway.rs: HTTP, syslog TCP/TLS, pull, kill -9, node loss, back-pressure);
#   2. the pallet's unit tests with its benchmark test suite (runtime-benchmarks feature).
# Ends with one summary line: "tests: N passed, M failed".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/build.sh"
cd "$REPO_ROOT"
export ACCESSLOG_NODE="$NODE_BIN"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

log "unit and integration tests (release, against real dev nodes)"
cargo test --release --locked --workspace 2>&1 | tee -a "$results"

log "pallet unit tests with the benchmark test suites"
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-access-log -p pallet-validator-set \
	--features runtime-benchmarks 2>&1 \
	| tee -a "$results"

# Sum the runners' "test result:" lines (every run above passed, or `set -e` stopped us).
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' \
	"$results"
