#!/usr/bin/env bash
# Regenerates the weights.rs of pallets/access-log and pallets/validator-set with FRAME
# benchmarking v2 on the real runtime.
# Builds the node with `--features runtime-benchmarks` (the first such build is long:
# frame-benchmarking-cli brings ~120 more crates, and the feature rebuilds much of the node stack).
# It replaces the release binary; scripts/build.sh switches back to the normal one.
#   scripts/benchmark.sh [--steps 50] [--repeat 20]
#   scripts/benchmark.sh --storage <base path>
# --storage measures instead the read and write cost of one storage item in the database of a
# stopped dev node (`--chain dev`) at that base path, and writes the runtime's DbWeight
# (runtime/src/weights/paritydb_weights.rs). Fill that node first, as large as the chain will
# get: SCALE_DB=<base path> scripts/perf.sh scale keeps the database of its 1 M-entry run.
# Writes are timed in batches of 10,000 keys, the size of a full block's (2,000-8,000 entries,
# five items each); 200,000 keys are sampled.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$REPO_ROOT/scripts/setup.sh"
cd "$REPO_ROOT"
steps=50; repeat=20; storage=""
while (($#)); do
	case "$1" in
		--steps) steps="$2"; shift 2 ;;
		--repeat) repeat="$2"; shift 2 ;;
		--storage) storage="${2:?--storage needs the base path of a dev node}"; shift 2 ;;
		*) die "unknown option $1 (use --steps N, --repeat N, --storage <base path>)" ;;
	esac
done
if [[ -n "$storage" ]]; then
	[[ -d "$storage/chains/accesslog_dev" ]] || die "$storage holds no dev chain database (expected $storage/chains/accesslog_dev)"
fi
log "building accesslog-node with runtime-benchmarks"
cargo build --release --locked -p accesslog-node --features runtime-benchmarks
bin="$NODE_BIN"
if [[ -n "$storage" ]]; then
	mkdir -p runtime/src/weights
	log "measuring storage reads and writes on $storage (takes minutes on a large state)"
	"$bin" benchmark storage \
		--chain dev \
		--base-path "$storage" \
		--state-version 1 \
		--keys-limit 200000 \
		--random-seed 1 \
		--batch-size 10000 \
		--template-path scripts/db-weight-template.hbs \
		--weight-path runtime/src/weights
	log "wrote runtime/src/weights/paritydb_weights.rs"
	exit 0
fi
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
