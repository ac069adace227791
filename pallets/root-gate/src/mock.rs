//! A mock runtime with a three-member council (`pallet-collective`) and the root gate, for unit
//! tests: the origins are the council's real ones, 2/3 for everyday Root calls and 3/4 for
//! runtime changes, as in the chain's runtime.

use crate::{self as pallet_root_gate, frame_support, frame_system, sp_runtime};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	weights::Weight,
};
use frame_system::EnsureRoot;
use polkadot_sdk::{pallet_collective, sp_io};
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
	pub type Council = pallet_collective::Pallet<Test, Instance1>;

	#[runtime::pallet_index(2)]
	pub type RootGate = pallet_root_gate::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	pub MaxProposalWeight: Weight = Weight::from_parts(1_000_000_000_000, u64::MAX);
}

impl pallet_collective::Config<pallet_collective::Instance1> for Test {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = ConstU64<10>;
	type MaxProposals = ConstU32<10>;
	type MaxMembers = ConstU32<5>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = ();
	/// Root only: the everyday Root call the tests dispatch through the gate.
	type SetMembersOrigin = EnsureRoot<u64>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = EnsureRoot<u64>;
	type KillOrigin = EnsureRoot<u64>;
	type Consideration = ();
}

/// 2/3 of the council, as in the runtime.
pub type TwoThirds =
	pallet_collective::EnsureProportionAtLeast<u64, pallet_collective::Instance1, 2, 3>;
/// 3/4 of the council, as in the runtime.
pub type ThreeQuarters =
	pallet_collective::EnsureProportionAtLeast<u64, pallet_collective::Instance1, 3, 4>;

impl pallet_root_gate::Config for Test {
	type RuntimeCall = RuntimeCall;
	type AdminOrigin = TwoThirds;
	type UpgradeOrigin = ThreeQuarters;
	type RuntimeChanges = pallet_root_gate::SystemRuntimeChanges<Test>;
	type WeightInfo = ();
}

/// The origin of a motion carried by `ayes` of the council's `seats`.
pub fn council(ayes: u32, seats: u32) -> RuntimeOrigin {
	pallet_collective::RawOrigin::<u64, pallet_collective::Instance1>::Members(ayes, seats).into()
}

/// Genesis: a council of accounts 1, 2 and 3; block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		council: pallet_collective::GenesisConfig {
			members: vec![1, 2, 3],
			phantom: Default::default(),
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
