//! Benchmark of the root-gate pallet (FRAME benchmarking v2): `dispatch_as_root` of the
//! cheapest call there is, so what is measured is the gate's own overhead.

use super::*;
use alloc::{boxed::Box, vec::Vec};
use frame_support::traits::EnsureOrigin;
use polkadot_sdk::frame_benchmarking::v2::*;

#[benchmarks(where <T as Config>::RuntimeCall: From<frame_system::Call<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn dispatch_as_root() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let call: <T as Config>::RuntimeCall =
			frame_system::Call::<T>::remark { remark: Vec::new() }.into();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Box::new(call));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
