#!/usr/bin/env bash
# The whole test suite: builds the node, then runs
#   1. every crate's unit tests and the integration tests against real `accesslog-node --dev`
#      processes over real RPC (client/tests), including the fault tests on three- and
#      four-validator networks (client/tests/network.rs), and the ingest gateway's end-to-end
#      tests (gateway/tests/gateway.rs: HTTP, syslog TCP/TLS, pull, kill -9, node loss, back-pressure);
#   2. the pallets' unit tests with their benchmark test suites and the migrations' pre/post
#      checks (runtime-benchmarks and try-runtime features);
#   3. the evidence verifier built for the browser (wasm32-unknown-unknown) and run by node;
#   4. the monitoring: Prometheus alert rules, their unit tests, the dashboard's queries;
#   5. the lint gate: rustfmt, clippy with warnings denied, rustdoc with broken links denied
#      (fmt runs first, before anything is built).
# Ends with one summary line: "tests: N passed, M failed".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh"
log "lint: cargo fmt --check"
cargo fmt --all --check
"$REPO_ROOT/scripts/build.sh"
export ACCESSLOG_NODE="$NODE_BIN"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

log "unit and integration tests (release, against real dev nodes)"
cargo test --release --locked --workspace 2>&1 | tee -a "$results"

log "pallet unit tests with the benchmark test suites and the migrations' try-runtime checks"
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-access-log -p pallet-validator-set -p pallet-root-gate \
	--features runtime-benchmarks,try-runtime 2>&1 \
	| tee -a "$results"

log "evidence verifier as WebAssembly (wasm32-unknown-unknown), run by node as a browser would"
# The module the console embeds (console/build.rs built it for the tests above).
wasm="$CARGO_TARGET_DIR/console-wasm/wasm32-unknown-unknown/web/accesslog_evidence.wasm"
[ -s "$wasm" ] || die "$wasm is missing: the console's build script makes it"
EVIDENCE_WASM="$wasm" node --test "$REPO_ROOT/evidence/tests/wasm.test.mjs" 2>&1 | tee -a "$results"

log "polkadot.js: @polkadot/api from npm decodes the chain and calls accessLog_* (docs/polkadot-js.md)"
"$REPO_ROOT/scripts/polkadot-js.sh" 2>&1 | tee -a "$results"

log "monitoring: alert rules and their unit tests, the Grafana dashboard's queries (promtool)"
"$REPO_ROOT/scripts/monitoring.sh"

log "lint: clippy (warnings denied) and rustdoc (broken intra-doc links denied)"
SKIP_WASM_BUILD=1 cargo clippy --locked --workspace --all-targets -- -D warnings
SKIP_WASM_BUILD=1 RUSTDOCFLAGS="-D rustdoc::broken_intra_doc_links -D rustdoc::private_intra_doc_links" \
	cargo doc --locked --workspace --no-deps

# Sum the runners' "test result:" lines and node's "# pass" / "# fail" (every run above passed,
# or `set -e` stopped us).
awk '/^test result:/ { p += $4; f += $6 } /^# pass / { p += $3 } /^# fail / { f += $3 }
	END { printf "tests: %d passed, %d failed\n", p, f }' "$results"
