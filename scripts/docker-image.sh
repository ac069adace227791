#!/usr/bin/env bash
# Builds the Docker image accesslog:latest (node, CLI, gateway, exporter).
#   scripts/docker-image.sh            from the binaries scripts/build.sh makes on this host (fast)
#   scripts/docker-image.sh --source   compiles inside the image build (docker/Dockerfile; ~40 min)
# Then: docker compose -f docker/compose.yml up   (three validators + the gateway)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v docker >/dev/null || die "docker is not installed"
if [[ "${1:-}" == "--source" ]]; then
	exec docker build -f "$REPO_ROOT/docker/Dockerfile" -t accesslog:latest "$REPO_ROOT"
fi
"$REPO_ROOT/scripts/build.sh"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
for bin in accesslog-node accesslog accesslog-gateway accesslog-exporter; do
	cp "$CARGO_TARGET_DIR/release/$bin" "$stage/"
done
cp "$REPO_ROOT/docker/Dockerfile.prebuilt" "$stage/Dockerfile"
log "building accesslog:latest from the host's release binaries"
docker build -t accesslog:latest "$stage"
