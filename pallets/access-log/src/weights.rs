//! Weights for `pallet_access_log`.
//!
//! PROVISIONAL: to be replaced by the output of `scripts/benchmark.sh` (FRAME benchmarking v2 on
//! the real runtime). Until then the figures below are upper estimates from the storage accesses
//! each call makes.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use crate::{frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}}, frame_system};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_access_log`.
pub trait WeightInfo {
	fn submit() -> Weight;
	fn submit_batch(n: u32, ) -> Weight;
	fn register_source() -> Weight;
	fn set_source_active() -> Weight;
	fn authorize_submitter() -> Weight;
	fn revoke_submitter() -> Weight;
}

/// Weights for `pallet_access_log` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	fn submit_batch(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(40_000_000, 4_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(T::DbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn register_source() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	fn set_source_active() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn authorize_submitter() -> Weight {
		Weight::from_parts(25_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	fn revoke_submitter() -> Weight {
		Weight::from_parts(25_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(2))
	}
}

// For tests and anything that does not care about weights.
impl WeightInfo for () {
	fn submit() -> Weight { Weight::from_parts(60_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(6, 7)) }
	fn submit_batch(n: u32, ) -> Weight { Weight::from_parts(40_000_000, 4_000).saturating_mul(n.into()).saturating_add(ParityDbWeight::get().reads_writes(3, 1)) }
	fn register_source() -> Weight { ParityDbWeight::get().reads_writes(1, 2) }
	fn set_source_active() -> Weight { ParityDbWeight::get().reads_writes(1, 1) }
	fn authorize_submitter() -> Weight { ParityDbWeight::get().reads_writes(3, 2) }
	fn revoke_submitter() -> Weight { ParityDbWeight::get().reads_writes(2, 2) }
}
