#!/usr/bin/env bash
# The performance scenarios of docs/performance.md, each one command. Results (JSON) and charts
# (PNG) go to .local/perf (PERF_OUT to change it).
#
#   scripts/perf.sh sla [accesslog-load sla options]         50 users, 10 min, against the local
#        three-validator network (start it first: scripts/run.sh) through an ingest gateway that
#        this script starts in front of it (scripts/gateway.sh)
#   scripts/perf.sh throughput [options]   highest sustained finalized entries/s on the local
#        network, then the naive baseline (one system.remark_with_event per record), and the ratio
#   scripts/perf.sh scale [options]        fills a fresh dev node of its own to 10 k, 100 k and 1 M
#        entries; query latency and database bytes per entry at each step (~15 min). Its
#        database is deleted afterwards, unless SCALE_DB names an empty folder to keep it in
#        (scripts/benchmark.sh --storage measures the runtime's DbWeight on it)
#   SCALE_DB=DIR scripts/perf.sh console [options]   CONSOLE_USERS (50) auditors for
#        CONSOLE_DURATION (120) s, CONSOLE_THINK_MS (0) between operations, against an audit
#        console on the chain `scale` filled and kept in DIR (a dev node of its own on it, the
#        console started by scripts/console.sh on CONSOLE_PORT, default 8090). The load starts
#        once the node has read its chart facts (the log says "chart facts: ready");
#        NODE_ARGS adds node options (NODE_ARGS="--chart-facts 0": the baseline without them)
#   scripts/perf.sh chart                  PNG charts of the JSON results present
#
# Add --dev to sla or throughput to run against one dev node (scripts/run.sh --dev) instead.
# Options after the scenario (and --dev) go to `accesslog-load <scenario>`; see its --help.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
OUT="${PERF_OUT:-$REPO_ROOT/.local/perf}"
LOAD_BIN="$CARGO_TARGET_DIR/release/accesslog-load"
mkdir -p "$OUT"
scenario="${1:-}"; shift || true
dev=0
if [[ "${1:-}" == "--dev" ]]; then dev=1; shift; fi

charts() {
	local venv="$REPO_ROOT/.local/venv"
	if ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
		log "installing matplotlib into $venv (once)"
		python3 -m venv "$venv" || die "python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv)"
		"$venv/bin/pip" install -q matplotlib
	fi
	local files=()
	for f in sla throughput scale; do [[ -f "$OUT/$f.json" ]] && files+=("$OUT/$f.json"); done
	[[ ${#files[@]} -gt 0 ]] || die "no results in $OUT yet: run a scenario first"
	"$venv/bin/python" "$REPO_ROOT/scripts/perf-chart.py" "${files[@]}" --out-dir "$OUT"
}

network_urls() {
	if [[ $dev == 1 ]]; then
		echo "ws://127.0.0.1:9944"
	else
		local urls
		urls="$("$REPO_ROOT/scripts/localnet.sh" urls)"
		curl -sf -m 5 -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
			"http://$(echo "${urls%%,*}" | sed 's#ws://##')" >/dev/null ||
			die "the local network does not answer at ${urls%%,*}: start it with scripts/run.sh (or use --dev)"
		echo "$urls"
	fi
}

# The dev node of `scale` and `console`: on the chain in $1, RPC on $port, log in $OUT/$2; its
# pid in $node.
port=9977
dev_node() {
	# shellcheck disable=SC2086 # NODE_ARGS is a list of options
	"$NODE_BIN" --dev --base-path "$1" --rpc-port $port --no-prometheus --no-telemetry \
		--rpc-max-connections 1000 ${NODE_ARGS:-} >"$OUT/$2" 2>&1 &
	node=$!
}

# Wait until the dev node answers RPC (its log: $OUT/$1).
wait_node() {
	for _ in $(seq 1 100); do
		curl -sf -m 2 -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
			http://127.0.0.1:$port >/dev/null && return 0
		kill -0 $node 2>/dev/null || die "the node stopped: see $OUT/$1"
		sleep 0.3
	done
	die "the node did not answer RPC in 30 s: see $OUT/$1"
}

# Wait until the node (log: $OUT/$1) has read its chart facts, or keeps none.
wait_chart_facts() {
	for _ in $(seq 1 600); do
		grep -aq "chart facts: \(ready\|full\|stopped\|not read\)" "$OUT/$1" && return 0
		[[ " ${NODE_ARGS:-} " == *" --chart-facts 0 "* ]] && return 0
		kill -0 $node 2>/dev/null || die "the node stopped: see $OUT/$1"
		sleep 0.5
	done
	die "the node did not read its chart facts in 5 min: see $OUT/$1"
}

build() {
	[[ -x "$LOAD_BIN" && -x "$NODE_BIN" ]] || "$REPO_ROOT/scripts/build.sh"
}

case "$scenario" in
	sla)
		build
		urls="$(network_urls)"
		gw_log="$OUT/gateway.log"
		if [[ $dev == 1 ]]; then gw_args=(--dev); else gw_args=(); fi
		# A gateway of its own, with an empty queue: the records' sequence numbers start after
		# the chain's last one, and a queue remembering other runs' numbers would refuse them.
		export GATEWAY_DIR="$OUT/gateway"
		rm -rf "$GATEWAY_DIR/queue"
		log "starting an ingest gateway in front of $urls (log: $gw_log)"
		"$REPO_ROOT/scripts/gateway.sh" "${gw_args[@]}" >"$gw_log" 2>&1 &
		gw=$!
		trap 'kill $gw 2>/dev/null || true; wait $gw 2>/dev/null || true' EXIT
		for _ in $(seq 1 100); do
			curl -sf -m 2 http://127.0.0.1:8080/health >/dev/null && break
			kill -0 $gw 2>/dev/null || die "the gateway stopped: see $gw_log"
			sleep 0.3
		done
		ACCESSLOG_GATEWAY_TOKEN="$(awk '/^token:/ {print $2}' "$GATEWAY_DIR/token")"
		export ACCESSLOG_GATEWAY_TOKEN
		export ACCESSLOG_PSEUDONYM_KEY="${ACCESSLOG_PSEUDONYM_KEY:-1:0x$(printf '07%.0s' {1..32})}"
		"$LOAD_BIN" sla --nodes "$urls" --out "$OUT/sla.json" "$@"
		;;
	throughput)
		build
		urls="$(network_urls)"
		if [[ $dev == 1 ]]; then submitter=//Alice; else submitter=//Dave; fi
		export ACCESSLOG_SUBMITTER_KEY="${ACCESSLOG_SUBMITTER_KEY:-$submitter}"
		export ACCESSLOG_BASELINE_KEY="${ACCESSLOG_BASELINE_KEY:-//Alice}"
		"$LOAD_BIN" throughput --nodes "$urls" --out "$OUT/throughput.json" "$@"
		;;
	scale)
		build
		if [[ -n "${SCALE_DB:-}" ]]; then
			[[ ! -e "$SCALE_DB" || -z "$(ls -A "$SCALE_DB")" ]] || die "SCALE_DB=$SCALE_DB is not empty"
			mkdir -p "$SCALE_DB"
			base="$(cd "$SCALE_DB" && pwd)"; keep=1
		else
			base="$(mktemp -d)"; keep=0
		fi
		log "starting a fresh dev node for the scale run (data: $base, RPC :$port)"
		dev_node "$base" scale-node.log
		trap 'kill $node 2>/dev/null || true; wait $node 2>/dev/null || true; [[ $keep == 1 ]] || rm -rf "$base"' EXIT
		wait_node scale-node.log
		export ACCESSLOG_SUBMITTER_KEY="${ACCESSLOG_SUBMITTER_KEY:-//Alice}"
		"$LOAD_BIN" scale --nodes ws://127.0.0.1:$port --db-path "$base" --out "$OUT/scale.json" "$@"
		;;
	console)
		build
		[[ -n "${SCALE_DB:-}" && -n "$(ls -A "${SCALE_DB}" 2>/dev/null)" ]] ||
			die "console needs a filled chain: SCALE_DB=DIR scripts/perf.sh scale keeps one in DIR"
		log "starting a dev node on the chain in $SCALE_DB (RPC :$port)"
		dev_node "$SCALE_DB" console-node.log
		export CONSOLE_PORT="${CONSOLE_PORT:-8090}"
		trap 'scripts/console.sh down; kill $node 2>/dev/null || true; wait $node 2>/dev/null || true' EXIT
		wait_node console-node.log
		wait_chart_facts console-node.log
		scripts/console.sh up ws://127.0.0.1:$port //Alice >/dev/null
		ACCESSLOG_CONSOLE_PASSWORD=audit-lin-dev "$LOAD_BIN" console \
			--url "http://127.0.0.1:$CONSOLE_PORT" --user audit-lin --users "${CONSOLE_USERS:-50}" --duration "${CONSOLE_DURATION:-120}" \
			--think-ms "${CONSOLE_THINK_MS:-0}" \
			--nodes ws://127.0.0.1:$port --out "$OUT/console.json" "$@"
		;;
	chart) charts ;;
	*) die "usage: scripts/perf.sh sla|throughput|scale|console [--dev] [options] | chart (see the top of $0)" ;;
esac
