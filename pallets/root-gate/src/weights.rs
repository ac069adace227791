//! Weights for `pallet_root_gate`.
//!
//! `dispatch_as_root` adds to its inner call's own weight one origin check and one hash of the
//! encoded call, and writes no storage besides its event. The value below is an upper estimate
//! of that overhead, not yet measured by `scripts/benchmark.sh` (the benchmark is in
//! `benchmarking.rs`); the inner call's benchmarked weight is charged in full on top of it.

#![allow(missing_docs)]

use crate::frame_support::weights::Weight;

/// Weight functions needed for `pallet_root_gate`.
pub trait WeightInfo {
	fn dispatch_as_root() -> Weight;
}

/// Weights for `pallet_root_gate`.
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	/// 20 µs and no proof size of its own.
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(20_000_000, 0)
	}
}

// For tests.
impl WeightInfo for () {
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(20_000_000, 0)
	}
}
