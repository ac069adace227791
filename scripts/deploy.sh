#!/usr/bin/env bash
# Generates a real network (keys, chain spec, per-node folders with start commands and systemd
# units) from a small TOML config; see scripts/deploy.py and docs/deploy.md.
#   scripts/deploy.sh deploy/network.example.toml /secure/place/kcg-network
set -euo pipefail
source "$(dirname "$0")/lib.sh"
(($# == 2)) || die "usage: scripts/deploy.sh CONFIG.toml OUT_DIR"
[ -x "$NODE_BIN" ] && [ -x "$CARGO_TARGET_DIR/release/accesslog" ] || "$REPO_ROOT/scripts/build.sh"
python3 -c 'import tomllib' 2>/dev/null || die "python 3.11 or newer is needed (tomllib)"
umask 077
exec python3 "$REPO_ROOT/scripts/deploy.py" "$1" "$2" "$NODE_BIN" "$CARGO_TARGET_DIR/release/accesslog"
