//! A mock runtime with Aura, GRANDPA and the validator-set pallet, for unit tests.

use crate::{
	self as pallet_validator_set, frame_support, frame_system, sp_io, sp_runtime, AuraId, GrandpaId,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstBool, ConstU32, ConstU64, Hooks},
};
use polkadot_sdk::{pallet_aura, pallet_grandpa, pallet_timestamp, sp_core};
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
	pub type Timestamp = pallet_timestamp::Pallet<Test>;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura::Pallet<Test>;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa::Pallet<Test>;

	#[runtime::pallet_index(4)]
	pub type ValidatorSet = pallet_validator_set::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<1000>;
	type WeightInfo = ();
}

impl pallet_aura::Config for Test {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<8>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Test>;
}

impl pallet_grandpa::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<8>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

parameter_types! {
	pub const MaxValidators: u32 = 4;
	pub const MinValidators: u32 = 2;
}

impl pallet_validator_set::Config for Test {
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type MaxValidators = MaxValidators;
	type MinValidators = MinValidators;
	type WeightInfo = ();
}

/// The Aura key of test validator `n`.
pub fn aura(n: u8) -> AuraId {
	sp_core::sr25519::Public::from_raw([n; 32]).into()
}

/// The GRANDPA key of test validator `n`.
pub fn grandpa(n: u8) -> GrandpaId {
	sp_core::ed25519::Public::from_raw([n; 32]).into()
}

/// Genesis: validators 1, 2 and 3 (accounts 1, 2, 3 with keys `aura(n)`, `grandpa(n)`).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		validator_set: pallet_validator_set::GenesisConfig {
			validators: (1..=3u8).map(|n| (n as u64, aura(n), grandpa(n))).collect(),
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Finish the current block (GRANDPA enacts due changes) and start the next one.
pub fn next_block() {
	let n = System::block_number();
	Grandpa::on_finalize(n);
	System::set_block_number(n + 1);
	ValidatorSet::on_initialize(n + 1);
}

/// Aura's current authorities.
pub fn aura_authorities() -> Vec<AuraId> {
	pallet_aura::Authorities::<Test>::get().into_inner()
}

/// GRANDPA's current authorities (keys only).
pub fn grandpa_authorities() -> Vec<GrandpaId> {
	Grandpa::grandpa_authorities().into_iter().map(|(k, _)| k).collect()
}
