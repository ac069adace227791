#!/usr/bin/env bash
# The README's run command. Builds, then starts the local network of three validators, each in its
# own network namespace with its own IP address (scripts/localnet.sh; needs root, so it re-runs
# itself with sudo when that is available), and the audit console (scripts/console.sh). Data is
# kept in .local/net between runs.
#   scripts/run.sh                    three validators (--validators N for another count)
#   scripts/run.sh --dev [--tmp]      one development node instead; no root needed
# Stop the network with `scripts/localnet.sh down`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [[ "${1:-}" == "--dev" ]]; then
	shift
	exec "$REPO_ROOT/scripts/run-dev.sh" "$@"
fi
"$REPO_ROOT/scripts/build.sh"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		log "the validators run in network namespaces: asking sudo"
		exec sudo --preserve-env=CARGO_TARGET_DIR,PATH "$0" "$@"
	fi
	die "the local network needs root (network namespaces); run as root, or: scripts/run.sh --dev"
fi
"$REPO_ROOT/scripts/localnet.sh" up "$@"
# The audit console on the network; the council is Alice, Bob and Charlie: two of them pass its
# audit source the first time.
"$REPO_ROOT/scripts/console.sh" up "$("$REPO_ROOT/scripts/localnet.sh" urls)" //Alice //Bob \
	|| log "the audit console did not start (see .local/console/console.log)"
