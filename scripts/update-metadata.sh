#!/usr/bin/env bash
# Refreshes client/metadata/accesslog.scale from the runtime of a freshly built dev node.
# Run after any runtime change; a client test fails while the checked-in copy is stale.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ -x "$NODE_BIN" ] || "$REPO_ROOT/scripts/build.sh"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$NODE_BIN" --dev --tmp --rpc-port "$port" --port 0 --no-telemetry --no-prometheus >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
out="$REPO_ROOT/client/metadata/accesslog.scale"
python3 - "$port" "$out" <<'PY'
import json, sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
req = json.dumps({"id": 1, "jsonrpc": "2.0", "method": "state_getMetadata", "params": []}).encode()
for _ in range(120):
    try:
        r = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}", req, {"Content-Type": "application/json"}), timeout=5)
        hexstr = json.load(r)["result"]
        break
    except Exception:
        time.sleep(0.5)
else:
    sys.exit("the node did not answer state_getMetadata within 60 s")
open(out, "wb").write(bytes.fromhex(hexstr[2:]))
print(f"wrote {out} ({len(hexstr) // 2 - 1} bytes)")
PY
