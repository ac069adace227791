#!/usr/bin/env bash
# Runs the zombienet test of three validators (zombienet/accesslog-3-validators.zndsl: blocks
# produced and finalized, access-log entries stored and answered) with the native provider.
# Installs zombienet into zombienet/node_modules on first use (needs Node.js and npm).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v npm >/dev/null || die "npm is not installed (apt-get install nodejs npm)"
[ -x "$NODE_BIN" ] || "$REPO_ROOT/scripts/build.sh"
cd "$REPO_ROOT/zombienet"
if [ ! -x node_modules/.bin/zombienet ]; then
	log "installing zombienet (npm)"
	npm install --no-audit --no-fund
fi
export PATH="$(dirname "$NODE_BIN"):$PATH"
exec node_modules/.bin/zombienet -p native test accesslog-3-validators.zndsl
