//! A mock runtime with the access-log pallet, for unit tests.

use crate::{self as pallet_access_log, frame_support, frame_system, sp_runtime};
use core::time::Duration;
use frame_support::{derive_impl, parameter_types, traits::UnixTime};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system::Pallet<Test>;

	#[runtime::pallet_index(1)]
	pub type AccessLog = pallet_access_log::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The admin (root stands in for the council in unit tests).
pub const SUBMITTER: u64 = 1;
/// A second submitter, of the second source.
pub const OTHER_SUBMITTER: u64 = 2;
/// An account nobody authorized.
pub const STRANGER: u64 = 9;
/// "Now" in the mock, ms since the epoch: 2026-11-20T01:00:00Z.
pub const NOW_MS: u64 = 1_795_651_200_000;

parameter_types! {
	pub static MockNow: u64 = NOW_MS;
	pub const MaxBatchSize: u32 = 8;
	pub const MaxSources: u32 = 3;
	pub const MaxClockSkewMs: u64 = 300_000;
}

/// Wall clock of the mock, set through [`MockNow`].
pub struct MockTime;
impl UnixTime for MockTime {
	fn now() -> Duration {
		Duration::from_millis(MockNow::get())
	}
}

impl pallet_access_log::Config for Test {
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type Time = MockTime;
	type MaxBatchSize = MaxBatchSize;
	type MaxSources = MaxSources;
	type MaxClockSkewMs = MaxClockSkewMs;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockTime;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_access_log::BenchmarkHelper for MockTime {
	fn set_now(ms: u64) {
		MockNow::set(ms);
	}
}

/// Genesis: source 0 (`kcg-household-api`, submitter 1) and source 1 (`other-api`, submitter 2).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		access_log: pallet_access_log::GenesisConfig {
			sources: vec![
				(b"kcg-household-api".to_vec(), "高雄市政府民政局".as_bytes().to_vec()),
				(b"other-api".to_vec(), b"other agency".to_vec()),
			],
			submitters: vec![(SUBMITTER, 0), (OTHER_SUBMITTER, 1)],
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Run `test` on the genesis above, then check the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		AccessLog::do_try_state().expect("all invariants must hold after a test");
	});
}

use crate::sp_io;
