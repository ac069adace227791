#!/usr/bin/env bash
# The audit console against running nodes, with development logins (for trying it out; a real
# deployment writes its own configuration: docs/console.md).
#   scripts/console.sh up <ws-url>[,<ws-url>…] <council secret URI>…   start it in the background
#   scripts/console.sh down                                             stop it
# `up` registers the console's audit source and authorizes its key (//Eve) through the council
# when the chain lacks them, writes .local/console/console.toml, starts the console on
# CONSOLE_PORT (default 8080) and prints its URL and logins.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DIR="$REPO_ROOT/.local/console"
BIN="$CARGO_TARGET_DIR/release/accesslog-console"
PORT="${CONSOLE_PORT:-8080}"

stop() {
	if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
		kill "$(cat "$DIR/pid")" && log "console stopped"
	fi
	rm -f "$DIR/pid"
}

case "${1:-}" in
	up)
		[ $# -ge 3 ] || die "usage: $0 up <ws-url>[,…] <council secret URI>…"
		urls="$2"; shift 2
		[ -x "$BIN" ] || die "$BIN is missing: run scripts/build.sh"
		stop
		mkdir -p "$DIR"; chmod 700 "$DIR"
		key="$DIR/pseudonym-key.json"
		# The development pseudonymisation key every dev tool uses (README, scripts/gateway.sh).
		[ -f "$key" ] || (umask 077; printf '{"key_id":1,"secret":"0x%s"}\n' "$(printf '07%.0s' {1..32})" >"$key")
		hash() { printf '%s' "$1" | "$BIN" hash-password; }
		nodes=$(python3 -c 'import json,sys;print(json.dumps(sys.argv[1].split(",")))' "$urls")
		cat >"$DIR/console.toml" <<TOML
# Written by scripts/console.sh: development logins, do not use elsewhere.
listen = "0.0.0.0:$PORT"
nodes = $nodes
secure_cookies = false
[[users]]
name = "audit-lin"
role = "auditor"
password_argon2 = "$(hash audit-lin-dev)"
[[users]]
name = "ops-chen"
role = "operator"
password_argon2 = "$(hash ops-chen-dev)"
[[users]]
name = "admin"
role = "admin"
password_argon2 = "$(hash admin-dev)"
[[pseudonym_keys]]
key_file = "$key"
[audit]
source = "accesslog-console"
agency = "高雄市政府政風處"
submitter_key_env = "ACCESSLOG_CONSOLE_SUBMITTER"
TOML
		export ACCESSLOG_CONSOLE_SUBMITTER=//Eve
		envs=()
		i=0
		for uri in "$@"; do
			export "ACCESSLOG_COUNCIL_$i=$uri"; envs+=(--council-env "ACCESSLOG_COUNCIL_$i"); i=$((i + 1))
		done
		"$BIN" setup-audit-source --config "$DIR/console.toml" "${envs[@]}" >/dev/null
		"$BIN" run --config "$DIR/console.toml" >"$DIR/console.log" 2>&1 &
		echo $! >"$DIR/pid"
		for _ in $(seq 1 100); do
			grep -q '"listening"' "$DIR/console.log" && break
			kill -0 "$(cat "$DIR/pid")" 2>/dev/null || { cat "$DIR/console.log" >&2; die "the console did not start"; }
			sleep 0.1
		done
		cat <<MSG

  Audit console:   http://127.0.0.1:$PORT/   (log: $DIR/console.log)
  Logins (dev):    auditor audit-lin / audit-lin-dev · operator ops-chen / ops-chen-dev · admin admin / admin-dev
  Stop:            scripts/console.sh down

MSG
		;;
	down) stop ;;
	*) die "usage: $0 up <ws-url>[,…] <council secret URI>… | down" ;;
esac
