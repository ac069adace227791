//! Benchmarks of the validator-set pallet (FRAME benchmarking v2). Each call is measured with the
//! set one short of full (`n` validators), the worst case for its scans.

use super::*;
use alloc::vec::Vec;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use polkadot_sdk::frame_benchmarking::v2::*;

fn keys(i: u32) -> (AuraId, GrandpaId) {
	let mut raw = [0u8; 32];
	raw[..4].copy_from_slice(&i.to_be_bytes());
	raw[31] = 0xaa;
	(sp_core::sr25519::Public::from_raw(raw).into(), sp_core::ed25519::Public::from_raw(raw).into())
}

/// Replace the set with `n` generated validators.
fn fill<T: Config>(n: u32) -> Vec<T::AccountId> {
	let validators: Vec<_> = (0..n)
		.map(|i| {
			let (aura, grandpa) = keys(i);
			Validator { account: account::<T::AccountId>("validator", i, 0), aura, grandpa }
		})
		.collect();
	let accounts = validators.iter().map(|v| v.account.clone()).collect();
	Validators::<T>::put(BoundedVec::truncate_from(validators));
	accounts
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator(n: Linear<1, { T::MaxValidators::get() - 1 }>) -> Result<(), BenchmarkError> {
		fill::<T>(n);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("new", 0, 0);
		let (aura, grandpa) = keys(u32::MAX);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), aura, grandpa);
		assert!(Pallet::<T>::accounts().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_validator(
		n: Linear<{ T::MinValidators::get() + 1 }, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		let accounts = fill::<T>(n);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who = accounts.last().cloned().expect("n >= 1");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(!Pallet::<T>::accounts().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn set_keys(n: Linear<1, { T::MaxValidators::get() }>) -> Result<(), BenchmarkError> {
		let accounts = fill::<T>(n);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who = accounts.last().cloned().expect("n >= 1");
		let (aura, grandpa) = keys(u32::MAX);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who, aura.clone(), grandpa);
		assert!(Validators::<T>::get().iter().any(|v| v.aura == aura));
		Ok(())
	}

	#[benchmark]
	fn force_change() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		frame_system::Pallet::<T>::set_block_number(100u32.into());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 5u32.into(), 90u32.into());
		assert!(NextChangeForced::<T>::get().is_some());
		Ok(())
	}

	#[benchmark]
	fn apply_change(n: Linear<1, { T::MaxValidators::get() }>) {
		fill::<T>(n);
		ChangePending::<T>::put(true);
		#[block]
		{
			Pallet::<T>::apply();
		}
		assert!(!ChangePending::<T>::get());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
