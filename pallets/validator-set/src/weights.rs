//! Weights for `pallet_validator_set`.
//!
//! PROVISIONAL: estimated from the storage each call touches (reads, writes) plus a generous
//! execution allowance, until `scripts/benchmark.sh` regenerates this file from the benchmarks in
//! `benchmarking.rs`. The calls are rare governance calls; over-estimating costs nothing.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use crate::{frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}}, frame_system};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_validator_set`.
pub trait WeightInfo {
	fn add_validator(n: u32, ) -> Weight;
	fn remove_validator(n: u32, ) -> Weight;
	fn set_keys(n: u32, ) -> Weight;
	fn force_change() -> Weight;
	fn apply_change(n: u32, ) -> Weight;
}

/// Weights for `pallet_validator_set` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `ValidatorSet::Validators` (r:1 w:1), `ValidatorSet::ChangePending` (r:0 w:1)
	fn add_validator(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 3000)
			.saturating_add(Weight::from_parts(1_000_000, 100).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `ValidatorSet::Validators` (r:1 w:1), `ValidatorSet::ChangePending` (r:0 w:1)
	fn remove_validator(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 3000)
			.saturating_add(Weight::from_parts(1_000_000, 100).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `ValidatorSet::Validators` (r:1 w:1), `ValidatorSet::ChangePending` (r:0 w:1)
	fn set_keys(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 3000)
			.saturating_add(Weight::from_parts(1_000_000, 100).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Grandpa::NextForced` (r:1 w:0), `ValidatorSet::NextChangeForced` (r:0 w:1),
	/// `ValidatorSet::ChangePending` (r:0 w:1)
	fn force_change() -> Weight {
		Weight::from_parts(40_000_000, 1500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `ValidatorSet::ChangePending` (r:1 w:1), `Grandpa::PendingChange` (r:1 w:1),
	/// `ValidatorSet::Validators` (r:1 w:0), `ValidatorSet::NextChangeForced` (r:1 w:1),
	/// `Grandpa::NextForced` (r:1 w:1), `Grandpa::CurrentSetId` (r:1 w:1),
	/// `Aura::Authorities` (r:0 w:1), `System::Digest` (r:1 w:1)
	fn apply_change(n: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 5000)
			.saturating_add(Weight::from_parts(2_000_000, 200).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
}

// For tests: the same figures with ParityDB's database weights.
impl WeightInfo for () {
	fn add_validator(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 3000)
			.saturating_add(Weight::from_parts(1_000_000, 100).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn remove_validator(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 3000)
			.saturating_add(Weight::from_parts(1_000_000, 100).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn set_keys(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 3000)
			.saturating_add(Weight::from_parts(1_000_000, 100).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn force_change() -> Weight {
		Weight::from_parts(40_000_000, 1500)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn apply_change(n: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 5000)
			.saturating_add(Weight::from_parts(2_000_000, 200).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
	}
}
