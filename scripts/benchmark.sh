#!/usr/bin/env bash
# Regenerates the weights.rs of pallets/access-log and pallets/validator-set with FRAME
# benchmarking v2 on the real runtime.
# Builds the node with `--features runtime-benchmarks` in a target directory of its own
# ($BENCH_TARGET_DIR, default ~/.cache/accesslog-bench-target), so the normal build stays as it
# is (the first such build is long: frame-benchmarking-cli brings ~120 more crates; ~22 min on
# the 2-core machine of docs/performance.md).
#   scripts/benchmark.sh [--steps 50] [--repeat 20] [--pallet access_log|validator_set]
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
steps=50; repeat=20; storage=""; pallets="access_log validator_set"
while (($#)); do
	case "$1" in
		--steps) steps="$2"; shift 2 ;;
		--repeat) repeat="$2"; shift 2 ;;
		--storage) storage="${2:?--storage needs the base path of a dev node}"; shift 2 ;;
		--pallet)
			case "${2:-}" in
				access_log | validator_set) pallets="$2"; shift 2 ;;
				*) die "--pallet takes access_log or validator_set, not '${2:-}'" ;;
			esac ;;
		*) die "unknown option $1 (use --steps N, --repeat N, --pallet NAME, --storage <base path>)" ;;
	esac
done
if [[ -n "$storage" ]]; then
	[[ -d "$storage/chains/accesslog_dev" ]] || die "$storage holds no dev chain database (expected $storage/chains/accesslog_dev)"
fi
export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$HOME/.cache/accesslog-bench-target}"
log "building accesslog-node with runtime-benchmarks in $CARGO_TARGET_DIR"
cargo build --release --locked -p accesslog-node --features runtime-benchmarks
bin="$CARGO_TARGET_DIR/release/accesslog-node"
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
for pallet in $pallets; do
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
