#!/usr/bin/env bash
# The chain as a @polkadot/api user sees it (docs/polkadot-js.md): installs the pinned
# @polkadot/api from npm into clients/polkadot-js, starts a dev node, stores generated records
# and passes a council motion with the accesslog CLI, then runs clients/polkadot-js's test.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT/clients/polkadot-js"
npm install --no-audit --no-fund --no-package-lock --silent
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log="$(mktemp -t accesslog-polkadot-js-XXXX.log)"
"$NODE_BIN" --dev --tmp --no-telemetry --no-prometheus --no-mdns --rpc-port "$port" --port 0 >"$log" 2>&1 &
node=$!
trap 'kill "$node" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
	curl -sf -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' \
		"http://127.0.0.1:$port" | grep -q '"number":"0x[1-9a-f]' && break
	kill -0 "$node" 2>/dev/null || { tail -20 "$log"; die "the dev node stopped"; }
	sleep 0.5
done
cli="$CARGO_TARGET_DIR/release/accesslog"
export ACCESSLOG_URL="ws://127.0.0.1:$port" ACCESSLOG_KEY=//Alice
export ACCESSLOG_PSEUDONYM_KEY="1:0x$(printf '07%.0s' {1..32})"
"$cli" generate --count 300 | "$cli" submit --wait finalized - >/dev/null
"$cli" admin register-source --name kcg-land-api --agency 高雄市政府地政局 >/dev/null
ACCESSLOG_WS="$ACCESSLOG_URL" node --test polkadot-js.test.mjs
