//! The pallets whose benchmarks `scripts/benchmark.sh` runs on this runtime.

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[pallet_access_log, AccessLog]
	[pallet_validator_set, ValidatorSet]
	[pallet_root_gate, RootGate]
);

#[allow(unused_imports)]
use crate::{AccessLog, RootGate, ValidatorSet};
