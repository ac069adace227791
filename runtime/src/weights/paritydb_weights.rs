//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-11-28 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//!
//! DATABASE: `ParityDb`, RUNTIME: `Access Log Development`
//! BLOCK-NUM: `Number(516)`
//! SKIP-WRITE: `false`, SKIP-READ: `false`, WARMUPS: `1`
//! STATE-VERSION: `V1`, STATE-CACHE-SIZE: ``
//! WEIGHT-PATH: `runtime/src/weights`
//! METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/accesslog-target/release/accesslog-node
//   benchmark
//   storage
//   --chain
//   dev
//   --base-path
//   .local/perf/scale-db
//   --state-version
//   1
//   --keys-limit
//   200000
//   --random-seed
//   1
//   --batch-size
//   10000
//   --template-path
//   scripts/db-weight-template.hbs
//   --weight-path
//   runtime/src/weights

/// Storage DB weights for the `Access Log Development` runtime and `ParityDb`.
pub mod constants {
	use polkadot_sdk::{
		frame_support::weights::{constants, RuntimeDbWeight},
		sp_core::parameter_types,
	};

	parameter_types! {
		/// Measured on this chain's own database (ParityDB, the only one the node builds) by
		/// `scripts/benchmark.sh --storage <base path>` on the state at the block named in the
		/// header: the runtime's `DbWeight`.
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			// Time to read one storage item.
			// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			//
			// Stats nanoseconds:
			//   Min, Max: 3_155, 2_018_697
			//   Average:  12_672
			//   Median:   11_201
			//   Std-Dev:  26860.05
			//
			// Percentiles nanoseconds:
			//   99th: 30_107
			//   95th: 15_859
			//   75th: 12_323
			read: 12_672 * constants::WEIGHT_REF_TIME_PER_NANOS,

			// Time to write one storage item.
			// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			//
			// Stats nanoseconds:
			//   Min, Max: 8_323, 9_587
			//   Average:  8_854
			//   Median:   8_771
			//   Std-Dev:  343.54
			//
			// Percentiles nanoseconds:
			//   99th: 9_587
			//   95th: 9_467
			//   75th: 9_041
			write: 8_854 * constants::WEIGHT_REF_TIME_PER_NANOS,
		};
	}

	#[cfg(test)]
	mod test_db_weights {
		use super::constants::ParityDbWeight as W;
		use polkadot_sdk::frame_support::weights::constants;

		/// Checks that all weights exist and have sane values.
		// NOTE: If this test fails but you are sure that the generated values are fine,
		// you can delete it.
		#[test]
		fn bound() {
			// At least 1 µs.
			assert!(
				W::get().reads(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
				"Read weight should be at least 1 µs."
			);
			assert!(
				W::get().writes(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
				"Write weight should be at least 1 µs."
			);
			// At most 1 ms.
			assert!(
				W::get().reads(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
				"Read weight should be at most 1 ms."
			);
			assert!(
				W::get().writes(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
				"Write weight should be at most 1 ms."
			);
		}
	}
}
