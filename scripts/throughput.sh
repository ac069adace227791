#!/usr/bin/env bash
# Submits N generated entries (batched) to a running dev node and prints entries/s included in a
# block and finalized. Start the node first (scripts/run-dev.sh). Options are passed through:
#   scripts/throughput.sh --url ws://127.0.0.1:9944 --count 10000 --batch 500 --inflight 4
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
cargo run --release --locked -q -p accesslog-client --example throughput -- "$@"
