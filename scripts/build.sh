#!/usr/bin/env bash
# Builds the node (with its runtime wasm) in release mode. Shows cargo's progress.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
cd "$REPO_ROOT"
log "building accesslog-node (first build: ~30-40 min on 2 cores; rebuilds: minutes)"
cargo build --release --locked --workspace --bins
