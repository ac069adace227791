#!/usr/bin/env bash
# A local network of validators, each in its own network namespace with its own IP address
# (separate hosts as far as the network is concerned), joined by a bridge on the host.
#
#   scripts/localnet.sh up [--validators 3]   start (creates keys, chain spec, namespaces once)
#   scripts/localnet.sh down                  stop every node, remove the namespaces (data kept)
#   scripts/localnet.sh status                heights, peers, finality of every node
#   scripts/localnet.sh logs <n> [-f]         a node's log
#   scripts/localnet.sh stop <n> | start <n>  stop (SIGTERM) or restart one node
#   scripts/localnet.sh kill <n>              SIGKILL one node
#   scripts/localnet.sh cut <n> | heal <n>    cut / restore node n's network link
#   scripts/localnet.sh reset                 down, then delete all data and keys
#
# Node n (1-based) is at 10.89.0.(10+n): RPC ws://10.89.0.1n:9944 (safe methods), unsafe RPC
# on its own localhost:9945 only, Prometheus on :9615, p2p :30333, peering reserved-only with
# fixed node keys. Data lives in .local/net/<name>. Needs root (network namespaces).
# LOCALNET_DIR, LOCALNET_PREFIX and LOCALNET_SUBNET select another network (data folder, names of
# the bridge and namespaces, first three octets), e.g. for the fault tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Overridable, so a second network (the fault tests') can run beside the user's.
NET="${LOCALNET_DIR:-$REPO_ROOT/.local/net}"
PREFIX="${LOCALNET_PREFIX:-al}"   # names the bridge, namespaces and veths (≤ 6 characters)
BRIDGE="${PREFIX}br0"
SUBNET="${LOCALNET_SUBNET:-10.89.0}"
NAMES=(alice bob charlie dave eve ferdie)

ip_of() { echo "$SUBNET.$((10 + $1))"; }
ns_of() { echo "$PREFIX-v$1"; }
veth_of() { echo "${PREFIX}v$1"; }
name_of() { echo "${NAMES[$(($1 - 1))]}"; }
count() { cat "$NET/validators" 2>/dev/null || echo 0; }
node_pid() { cat "$NET/$(name_of "$1")/pid" 2>/dev/null || true; }
running() { local p; p="$(node_pid "$1")"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "network namespaces need root: run with sudo"
	command -v ip >/dev/null || die "the ip command (iproute2) is missing: apt-get install iproute2"
}

# The chain spec: the runtime's local_testnet preset with the first n dev validators, all of
# them on the council, Dave... as in the preset for submitters.
make_spec() {
	local n="$1"
	"$NODE_BIN" export-chain-spec --chain local >"$NET/spec-plain.json" 2>/dev/null
	python3 - "$NET/spec-plain.json" "$n" "$NET/keys.json" <<'PY'
import json, sys
path, n, keys_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
spec = json.load(open(path))
keys = json.load(open(keys_path))[:n]
patch = spec["genesis"]["runtimeGenesis"]["patch"]
# Validator account = its sr25519 dev account (same key as its Aura key).
patch["validatorSet"] = {"validators": [[k["aura"], k["aura"], k["grandpa"]] for k in keys]}
spec["name"] = f"Access-log local network ({n} validators)"
spec["id"] = "accesslog_localnet"
spec["bootNodes"] = []
json.dump(spec, open(path, "w"), indent=1)
PY
	"$NODE_BIN" export-chain-spec --chain "$NET/spec-plain.json" --raw >"$NET/spec.json" 2>/dev/null
}

# Dev keys (//Alice …) for validators: this network is for testing on one machine.
make_keys() {
	local out="[" sep="" name aura gran
	for name in "${NAMES[@]}"; do
		local cap="${name^}"
		aura="$("$NODE_BIN" key inspect --scheme sr25519 --output-type json "//$cap" | python3 -c 'import json,sys;print(json.load(sys.stdin)["ss58Address"])')"
		gran="$("$NODE_BIN" key inspect --scheme ed25519 --output-type json "//$cap" | python3 -c 'import json,sys;print(json.load(sys.stdin)["ss58Address"])')"
		out+="$sep{\"name\":\"$name\",\"suri\":\"//$cap\",\"aura\":\"$aura\",\"grandpa\":\"$gran\"}"
		sep=","
	done
	echo "$out]" >"$NET/keys.json"
}

prepare_node() {
	local i="$1" name dir
	name="$(name_of "$i")"; dir="$NET/$name"
	mkdir -p "$dir"
	if [ ! -f "$dir/node-key" ]; then
		"$NODE_BIN" key generate-node-key --file "$dir/node-key" 2>/dev/null
		chmod 600 "$dir/node-key"
	fi
	"$NODE_BIN" key inspect-node-key --file "$dir/node-key" >"$dir/peer-id"
	if [ ! -d "$dir/chains" ]; then
		"$NODE_BIN" key insert --base-path "$dir" --chain "$NET/spec.json" --scheme sr25519 \
			--suri "//${name^}" --key-type aura
		"$NODE_BIN" key insert --base-path "$dir" --chain "$NET/spec.json" --scheme ed25519 \
			--suri "//${name^}" --key-type gran
	fi
}

net_up() {
	local n="$1" i ns
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add "$BRIDGE" type bridge
		ip addr add "$SUBNET.1/24" dev "$BRIDGE"
		ip link set "$BRIDGE" up
	fi
	for i in $(seq 1 "$n"); do
		ns="$(ns_of "$i")"
		ip netns list | grep -qw "$ns" && continue
		ip netns add "$ns"
		# A veth left by a namespace whose last process was slow to exit.
		ip link del "$(veth_of "$i")" 2>/dev/null || true
		ip link add "$(veth_of "$i")" type veth peer name eth0 netns "$ns"
		ip link set "$(veth_of "$i")" master "$BRIDGE" up
		ip -n "$ns" addr add "$(ip_of "$i")/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		ip -n "$ns" route add default via "$SUBNET.1"
	done
}

start_node() {
	local i="$1" n name dir ns reserved=() j
	n="$(count)"; name="$(name_of "$i")"; dir="$NET/$name"; ns="$(ns_of "$i")"
	running "$i" && { log "$name already running"; return; }
	for j in $(seq 1 "$n"); do
		[ "$j" -eq "$i" ] && continue
		reserved+=(--reserved-nodes "/ip4/$(ip_of "$j")/tcp/30333/p2p/$(cat "$NET/$(name_of "$j")/peer-id")")
	done
	ip netns exec "$ns" setsid "$NODE_BIN" \
		--chain "$NET/spec.json" --base-path "$dir" --name "$name" --validator \
		--node-key-file "$dir/node-key" \
		--listen-addr /ip4/0.0.0.0/tcp/30333 --reserved-only "${reserved[@]}" \
		--no-mdns --no-telemetry \
		--experimental-rpc-endpoint "listen-addr=0.0.0.0:9944,methods=safe" \
		--experimental-rpc-endpoint "listen-addr=127.0.0.1:9945,methods=unsafe" \
		--prometheus-external --prometheus-port 9615 \
		>>"$dir/node.log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	log "$name started: ws://$(ip_of "$i"):9944 (pid $!)"
}

# Wait until every node has finalized a block (first start: a few seconds), showing progress.
wait_finalized() {
	local n="$1"
	python3 - "$n" "$SUBNET" <<'PY' || die "the network did not finalize within 120 s: see '$0 logs 1'"
import json, sys, time, urllib.request
n, subnet = int(sys.argv[1]), sys.argv[2]
def call(ip, method, params=()):
    req = json.dumps({"id": 1, "jsonrpc": "2.0", "method": method, "params": list(params)}).encode()
    r = urllib.request.urlopen(urllib.request.Request(f"http://{ip}:9944", req, {"Content-Type": "application/json"}), timeout=3)
    return json.load(r)["result"]
deadline = time.time() + 120
while time.time() < deadline:
    heads = []
    for i in range(1, n + 1):
        ip = f"{subnet}.{10 + i}"
        try:
            best = int(call(ip, "chain_getHeader")["number"], 16)
            fin = int(call(ip, "chain_getHeader", [call(ip, "chain_getFinalizedHead")])["number"], 16)
            heads.append((best, fin))
        except Exception:
            heads.append(None)
    line = "  ".join(f"node {i + 1}: " + (f"best #{h[0]} finalized #{h[1]}" if h else "starting") for i, h in enumerate(heads))
    print(f"\r{line}   ", end="", file=sys.stderr, flush=True)
    if all(h and h[1] >= 1 for h in heads):
        print(file=sys.stderr)
        sys.exit(0)
    time.sleep(1)
print(file=sys.stderr)
sys.exit(1)
PY
}

stop_node() {
	local i="$1" sig="${2:-TERM}" p
	p="$(node_pid "$i")"
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill -"$sig" "$p"
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		log "$(name_of "$i") stopped ($sig)"
	fi
	rm -f "$NET/$(name_of "$i")/pid"
}

urls() {
	local i out="" sep=""
	for i in $(seq 1 "$(count)"); do out+="${sep}ws://$(ip_of "$i"):9944"; sep=","; done
	echo "$out"
}

cmd="${1:-up}"; shift || true
case "$cmd" in
	up)
		need_root
		n=3
		while (($#)); do
			case "$1" in
				--validators) n="$2"; shift 2 ;;
				*) die "unknown option $1 (use --validators N)" ;;
			esac
		done
		((n >= 1 && n <= ${#NAMES[@]})) || die "--validators must be 1..${#NAMES[@]}"
		[ -x "$NODE_BIN" ] || "$REPO_ROOT/scripts/build.sh"
		mkdir -p "$NET"
		if [ -f "$NET/validators" ] && [ "$(count)" != "$n" ]; then
			die "the network in $NET has $(count) validators; run '$0 reset' first to change it"
		fi
		if [ ! -f "$NET/spec.json" ]; then
			make_keys
			make_spec "$n"
			echo "$n" >"$NET/validators"
		fi
		net_up "$n"
		for i in $(seq 1 "$n"); do prepare_node "$i"; done
		for i in $(seq 1 "$n"); do start_node "$i"; done
		wait_finalized "$n"
		cat <<MSG

  Local network: $n validators, each in its own network namespace.
  RPC endpoints:    $(urls)
  Polkadot.js Apps: https://polkadot.js.org/apps/?rpc=$(python3 -c "import urllib.parse,sys;print(urllib.parse.quote(sys.argv[1],safe=''))" "ws://$(ip_of 1):9944")#/explorer
  Status:           scripts/localnet.sh status     Stop: scripts/localnet.sh down
  CLI:              ACCESSLOG_URL=$(urls) accesslog status

MSG
		;;
	down)
		need_root
		for i in $(seq 1 "$(count)"); do stop_node "$i"; done
		for i in $(seq 1 "$(count)"); do ip netns del "$(ns_of "$i")" 2>/dev/null || true; done
		ip link del "$BRIDGE" 2>/dev/null || true
		;;
	reset)
		need_root
		"$0" down
		rm -rf "$NET"
		;;
	status)
		export ACCESSLOG_URL; ACCESSLOG_URL="$(urls)"
		[ -n "$ACCESSLOG_URL" ] || die "no network in $NET: run '$0 up'"
		exec "$CARGO_TARGET_DIR/release/accesslog" status
		;;
	urls) urls ;;
	logs)
		i="${1:?node number}"; shift
		exec tail -n 200 "$@" "$NET/$(name_of "$i")/node.log"
		;;
	start) need_root; start_node "${1:?node number}" ;;
	stop) need_root; stop_node "${1:?node number}" TERM ;;
	kill) need_root; stop_node "${1:?node number}" KILL ;;
	cut) need_root; ip link set "$(veth_of "${1:?node number}")" down; log "$(name_of "$1") cut off" ;;
	heal) need_root; ip link set "$(veth_of "${1:?node number}")" up; log "$(name_of "$1") reconnected" ;;
	*) die "unknown command $cmd (up, down, reset, status, urls, logs, start, stop, kill, cut, heal)" ;;
esac
