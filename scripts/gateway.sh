#!/usr/bin/env bash
# Starts an ingest gateway in front of the local network (default) or a dev node (--dev), with
# development keys: Dave (local network) or Alice (--dev) as submitter of the household API, the
# dev pseudonymisation key. Writes its configuration, queue, TLS certificate and client token to
# .local/gateway (kept between runs), prints how to send logs, and runs in the foreground.
#   scripts/gateway.sh [--dev] [--http ADDR] [--syslog ADDR] [--syslog-tls ADDR]
# GATEWAY_DIR selects another folder. Real deployments: docs/gateway.md and
# deploy/gateway.example.toml.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dev=0 http=127.0.0.1:8080 syslog=127.0.0.1:1514 syslog_tls=127.0.0.1:6514
while [[ $# -gt 0 ]]; do
	case "$1" in
	--dev) dev=1 ;;
	--http) http="$2"; shift ;;
	--syslog) syslog="$2"; shift ;;
	--syslog-tls) syslog_tls="$2"; shift ;;
	*) die "unknown option $1 (see the comment at the top of $0)" ;;
	esac
	shift
done
GW_BIN="$CARGO_TARGET_DIR/release/accesslog-gateway"
[[ -x "$GW_BIN" ]] || "$REPO_ROOT/scripts/build.sh"
dir="${GATEWAY_DIR:-$REPO_ROOT/.local/gateway}"
mkdir -p "$dir" && chmod 700 "$dir"
if [[ $dev == 1 ]]; then
	nodes='["ws://127.0.0.1:9944"]' submitter='//Alice'
else
	urls="$("$REPO_ROOT/scripts/localnet.sh" urls 2>/dev/null || true)"
	[[ -n "$urls" ]] ||
		die "no local network found: start it with scripts/run.sh (or use --dev for a dev node)"
	nodes="[$(printf '"%s",' ${urls//,/ } | sed 's/,$//')]" submitter='//Dave'
fi
if [[ ! -f "$dir/token" ]]; then
	"$GW_BIN" token > "$dir/token"
	chmod 600 "$dir/token"
fi
token="$(awk '/^token:/ {print $2}' "$dir/token")"
hash="$(awk '/^token_sha256:/ {print $2}' "$dir/token")"
if [[ ! -f "$dir/cert.pem" ]]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null ||
		die "openssl could not make a TLS certificate (apt-get install openssl)"
	chmod 600 "$dir/key.pem"
fi
cat > "$dir/gateway.toml" <<TOML
# Written by scripts/gateway.sh: development keys only.
nodes = $nodes
[queue]
dir = "$dir/queue"
[pseudonym]
key_env = "ACCESSLOG_PSEUDONYM_KEY"
[http]
listen = "$http"
[syslog]
tcp = "$syslog"
tls = { listen = "$syslog_tls", cert = "$dir/cert.pem", key = "$dir/key.pem" }
[[sources]]
name = "kcg-household-api"
submitter_key_env = "ACCESSLOG_KEY"
[[clients]]
name = "local"
token_sha256 = "$hash"
sources = ["kcg-household-api"]
admin = true
TOML
cat <<MSG

  Ingest gateway starting (nodes: $nodes).
  HTTP:        http://$http   (token in $dir/token)
                 accesslog generate --count 100 > logs.jsonl
                 curl -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \\
                      --data-binary @logs.jsonl 'http://$http/v1/logs?wait=finalized'
  Syslog TCP:  $syslog    Syslog TLS: $syslog_tls (certificate $dir/cert.pem)
                 accesslog generate --count 100 --format syslog | nc ${syslog%:*} ${syslog##*:}
  Health:      http://$http/health   Metrics: http://$http/metrics   API: http://$http/openapi.json
  Stop with Ctrl-C; accepted records stay queued in $dir/queue.

MSG
export ACCESSLOG_PSEUDONYM_KEY="${ACCESSLOG_PSEUDONYM_KEY:-1:0x$(printf '07%.0s' {1..32})}"
export ACCESSLOG_KEY="$submitter"
exec "$GW_BIN" run --config "$dir/gateway.toml"
