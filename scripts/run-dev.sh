#!/usr/bin/env bash
# Builds and starts a local development chain (one validator, Alice as council and submitter)
# and the audit console against it (scripts/console.sh). State is kept in .local/dev (pass --tmp
# to start from scratch each time).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/build.sh"
RPC_PORT="${RPC_PORT:-9944}"
BASE="$REPO_ROOT/.local/dev"
args=(--dev --rpc-port "$RPC_PORT" --rpc-cors all)
if [[ "${1:-}" == "--tmp" ]]; then args+=(--tmp); shift; else args+=(--base-path "$BASE"); fi
ws="ws://127.0.0.1:$RPC_PORT"
cat <<MSG

  Development chain starting.
  WebSocket RPC:   $ws
  Polkadot.js Apps: https://polkadot.js.org/apps/?rpc=$(python3 -c "import urllib.parse,sys;print(urllib.parse.quote(sys.argv[1],safe=''))" "$ws")#/explorer
  Auditor RPC:     curl -s -H 'Content-Type: application/json' \\
                     -d '{"id":1,"jsonrpc":"2.0","method":"accessLog_sources","params":[]}' http://127.0.0.1:$RPC_PORT
  Stop with Ctrl-C.

MSG
"$NODE_BIN" "${args[@]}" "$@" &
node=$!
trap '"$REPO_ROOT/scripts/console.sh" down; kill "$node" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 120); do
	curl -sf -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
		"http://127.0.0.1:$RPC_PORT" >/dev/null && break
	kill -0 "$node" 2>/dev/null || die "the node stopped"
	sleep 0.5
done
"$REPO_ROOT/scripts/console.sh" up "$ws" //Alice
wait "$node"
