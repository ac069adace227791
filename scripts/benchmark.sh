#!/usr/bin/env bash
# Regenerates the weights.rs of pallets/access-log and pallets/validator-set with FRAME
# benchmarking v2 on the real runtime.
# Builds the node with `--features runtime-benchmarks` (the first such build is long:
# frame-benchmarking-cli brings ~120 more crates, and the feature rebuilds much of the node stack).
# It replaces the release binary; scripts/build.sh switches back to the normal one.
#   scripts/benchmark.sh [--steps 50] [--repeat 20]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
cd "$REPO_ROOT"
steps=50; repeat=20
while (($#)); do
	case "$1" in
		--steps) steps="$2"; shift 2 ;;
		--repeat) repeat="$2"; shift 2 ;;
		*) die "unknown option $1 (use --steps N, --repeat N)" ;;
	esac
done
log "building accesslog-node with runtime-benchmarks"
cargo build --release --locked -p accesslog-node --features runtime-benchmarks
bin="$NODE_BIN"
for pallet in access_log validator_set; do
	out="pallets/${pallet//_/-}/src/weights.rs"
	log "benchmarking pallet_$pallet (steps $steps, repeat $repeat)"
	"$bin" benchmark pallet \
		--chain dev \
		--pallet "pallet_$pallet" \
		--extrinsic '*' \
		--wasm-execution compiled \
		--steps "$steps" \
		--repeat "$repeat" \
		--heap-pages 4096 \
		--template scripts/weight-template.hbs \
		--output "$out"
	log "wrote $out"
done
