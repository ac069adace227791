//! Benchmarks of the access-log pallet (FRAME benchmarking v2). Every benchmark measures the
//! worst case the call allows: longest text fields, a fresh citizen key per record (so each
//! index write creates a new trie branch), and for `submit` and `submit_batch` a new official, a
//! new sequence chunk, a new second and a sequence gap per record. `submit_batch_grouped`
//! measures the case the call refunds to: consecutive records of one official in one chunk and
//! one second; `submit_batch_officials` what each further official's group adds to it.

use super::*;
use crate::{
	frame_support::traits::{EnsureOrigin, Get, UnixTime},
	frame_system::RawOrigin,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::frame_benchmarking::v2::*;

/// A 32-byte reference unique to `n`.
fn reference(n: u64) -> [u8; 32] {
	let mut unique = [0u8; 32];
	unique[..8].copy_from_slice(&n.to_be_bytes());
	unique
}

/// A record of `source` with sequence `seq`, occurred `ago_ms` before now, with the longest text
/// fields, a citizen reference unique to `seq` and official number `official`.
fn worst_record<T: Config>(source: SourceId, seq: u64, ago_ms: u64, official: u64) -> RecordInput {
	let text = vec![b'x'; MAX_TEXT_LEN as usize];
	let unique = reference(seq);
	let now = T::Time::now().as_millis() as u64;
	RecordInput {
		source,
		seq,
		occurred_at: now.saturating_sub(ago_ms),
		agency: text.clone(),
		system: text.clone(),
		accessor_ref: reference(official),
		citizen_ref: unique,
		key_id: 1,
		action: text.clone(),
		purpose: text,
		status: 200,
		records: 1,
		record_hash: unique,
	}
}

/// Register a source and authorize a submitter for it; returns both. Sets the clock to a
/// present-day time, so that records can lie up to `MaxBatchSize` seconds in the past.
fn setup_submitter<T: Config>() -> (T::AccountId, SourceId) {
	T::BenchmarkHelper::set_now(1_795_651_200_000);
	let source = Pallet::<T>::do_register_source(
		vec![b'n'; MAX_NAME_LEN as usize],
		vec![b'a'; MAX_NAME_LEN as usize],
	)
	.expect("a fresh benchmark state has room for a source");
	let caller: T::AccountId = whitelisted_caller();
	Pallet::<T>::do_authorize(caller.clone(), source).expect("source was just registered");
	(caller, source)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit() {
		let (caller, source) = setup_submitter::<T>();
		// A gap (seq 2 after nothing) costs an extra event: include it.
		let record = worst_record::<T>(source, 2, 1, 2);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), record);

		assert_eq!(NextEntryId::<T>::get(), 1);
	}

	#[benchmark]
	fn submit_batch(n: Linear<1, { T::MaxBatchSize::get() }>) {
		let (caller, source) = setup_submitter::<T>();
		// Each record of its own official, in a chunk and a second of its own, after a gap.
		let records: Vec<_> = (1..=n as u64)
			.map(|k| worst_record::<T>(source, k << SEQ_CHUNK_BITS, k * 1_000, k))
			.collect();

		#[extrinsic_call]
		submit_batch(RawOrigin::Signed(caller), records);

		assert_eq!(NextEntryId::<T>::get(), n as u64);
		assert_eq!(TimeIndex::<T>::iter_keys().count(), n as usize);
	}

	#[benchmark]
	fn submit_batch_grouped(n: Linear<1, { T::MaxBatchSize::get() }>) {
		let (caller, source) = setup_submitter::<T>();
		// Consecutive sequences from 1 (no gap) in as few chunks as the batch allows, all at
		// one instant, by one official.
		let records: Vec<_> = (1..=n as u64).map(|s| worst_record::<T>(source, s, 0, 0)).collect();

		#[extrinsic_call]
		submit_batch(RawOrigin::Signed(caller), records);

		assert_eq!(NextEntryId::<T>::get(), n as u64);
		assert_eq!(TimeIndex::<T>::iter_keys().count(), 1);
		assert_eq!(AccessorIndex::<T>::iter_keys().count(), 1);
	}

	#[benchmark]
	fn submit_batch_officials(a: Linear<1, { T::MaxBatchSize::get() }>) {
		let (caller, source) = setup_submitter::<T>();
		// A full grouped batch (as `submit_batch_grouped`) whose records come from `a` officials.
		let n = T::MaxBatchSize::get() as u64;
		let records: Vec<_> =
			(1..=n).map(|s| worst_record::<T>(source, s, 0, s % a as u64)).collect();

		#[extrinsic_call]
		submit_batch(RawOrigin::Signed(caller), records);

		assert_eq!(NextEntryId::<T>::get(), n);
		assert_eq!(AccessorIndex::<T>::iter_keys().count(), a as usize);
	}

	#[benchmark]
	fn register_source() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let name = vec![b'n'; MAX_NAME_LEN as usize];
		let before = NextSourceId::<T>::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name, vec![b'a'; MAX_NAME_LEN as usize]);

		assert_eq!(NextSourceId::<T>::get(), before + 1);
		Ok(())
	}

	#[benchmark]
	fn set_source_active() -> Result<(), BenchmarkError> {
		let (_, source) = setup_submitter::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, source, false);

		assert!(!Sources::<T>::get(source).expect("registered above").active);
		Ok(())
	}

	#[benchmark]
	fn authorize_submitter() -> Result<(), BenchmarkError> {
		let (_, source) = setup_submitter::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("submitter", 1, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), source);

		assert!(Pallet::<T>::is_active_submitter(&who));
		Ok(())
	}

	#[benchmark]
	fn revoke_submitter() -> Result<(), BenchmarkError> {
		let (caller, _) = setup_submitter::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, caller.clone());

		assert!(!Pallet::<T>::is_active_submitter(&caller));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
