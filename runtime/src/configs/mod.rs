//! Configuration of each pallet of the runtime.

use crate::{
	AccountId, Aura, Block, BlockNumber, Council, CouncilCollective, CouncilMembershipInstance,
	Hash, MultiBlockMigrations, Nonce, PalletInfo, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, RuntimeTask, Timestamp, DAYS, SLOT_DURATION, VERSION,
};
use polkadot_sdk::*;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ChangeMembers, ConstBool, ConstU32, ConstU64, InitializeMembers},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;

	/// Up to 0.5 s of execution per 2 s block (0.375 s of it for normal transactions: ~5,400
	/// entries): every validator must execute and commit the block inside the slot, also when
	/// three of them share a small machine's cores; a full block of twice this weight takes
	/// longer than the slot to author there, and forks follow (docs/performance.md, throughput).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND / 2, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// Benchmarked on a node holding 1 M entries (runtime/src/weights/paritydb_weights.rs), in
	/// place of the SDK's reference constants, which charge 50 µs a write: several times what a
	/// write costs on ParityDB here.
	type DbWeight = crate::weights::paritydb_weights::constants::ParityDbWeight;
	type Version = Version;
	/// No balances: accounts exist through the provider references that the access-log pallet
	/// (submitters) and the council membership (admins) give them.
	type AccountData = ();
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	/// The SDK's benchmarked execution times over this runtime's `DbWeight` (the `()` default
	/// charges the SDK's RocksDB constants, about three times the extensions' real cost per
	/// transaction).
	type SystemWeightInfo = frame_system::weights::SubstrateWeight<Runtime>;
	type ExtensionsWeightInfo = frame_system::SubstrateExtensionsWeight<Runtime>;
	/// Multi-block migrations: while one runs, blocks hold only inherents.
	type MultiBlockMigrator = MultiBlockMigrations;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

/// A 2/3 majority of the admin council: the only admin origin of this chain.
pub type CouncilTwoThirds =
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>;

/// A 3/4 majority of the admin council: what a runtime upgrade (or a raw change of state) needs
/// on top of [`CouncilTwoThirds`] (3 of 3 members, 4 of 4 or 5, 5 of 6, …).
pub type CouncilThreeQuarters =
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 3, 4>;

parameter_types! {
	pub const CouncilMotionDuration: BlockNumber = 3 * DAYS;
	pub const CouncilMaxProposals: u32 = 100;
	pub const CouncilMaxMembers: u32 = 32;
	pub MaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Members change only through `CouncilMembership`, by a council vote.
	type SetMembersOrigin = frame_system::EnsureNever<()>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = CouncilTwoThirds;
	type KillOrigin = CouncilTwoThirds;
	type Consideration = ();
}

/// Forwards council membership changes to the collective and keeps each admin's provider
/// reference, so admins can transact on this chain without balances.
pub struct CouncilMembersWithProviders;

impl ChangeMembers<AccountId> for CouncilMembersWithProviders {
	fn change_members_sorted(incoming: &[AccountId], outgoing: &[AccountId], new: &[AccountId]) {
		for who in incoming {
			frame_system::Pallet::<Runtime>::inc_providers(who);
		}
		for who in outgoing {
			// Fails only while consumers remain; nothing in this runtime takes consumers.
			let _ = frame_system::Pallet::<Runtime>::dec_providers(who);
		}
		Council::change_members_sorted(incoming, outgoing, new);
	}

	fn set_prime(prime: Option<AccountId>) {
		Council::set_prime(prime);
	}

	fn get_prime() -> Option<AccountId> {
		Council::get_prime()
	}
}

impl InitializeMembers<AccountId> for CouncilMembersWithProviders {
	fn initialize_members(members: &[AccountId]) {
		for who in members {
			frame_system::Pallet::<Runtime>::inc_providers(who);
		}
		Council::initialize_members(members);
	}
}

impl pallet_membership::Config<CouncilMembershipInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = CouncilTwoThirds;
	type RemoveOrigin = CouncilTwoThirds;
	type SwapOrigin = CouncilTwoThirds;
	type ResetOrigin = CouncilTwoThirds;
	type PrimeOrigin = CouncilTwoThirds;
	type MembershipInitialized = CouncilMembersWithProviders;
	type MembershipChanged = CouncilMembersWithProviders;
	type MaxMembers = CouncilMaxMembers;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Most records in one `submit_batch`.
	pub const AccessLogMaxBatchSize: u32 = 500;
	/// Most sources ever registered.
	pub const AccessLogMaxSources: u32 = 1_000;
	/// A record may be dated at most 5 minutes ahead of the chain's clock.
	pub const AccessLogMaxClockSkewMs: u64 = 5 * 60 * 1000;
}

impl pallet_access_log::Config for Runtime {
	type AdminOrigin = CouncilTwoThirds;
	type Time = Timestamp;
	type MaxBatchSize = AccessLogMaxBatchSize;
	type MaxSources = AccessLogMaxSources;
	type MaxClockSkewMs = AccessLogMaxClockSkewMs;
	type WeightInfo = pallet_access_log::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = AccessLogBenchmarkClock;
}

/// Sets the chain's clock for the access-log benchmarks (genesis state has none).
#[cfg(feature = "runtime-benchmarks")]
pub struct AccessLogBenchmarkClock;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_access_log::BenchmarkHelper for AccessLogBenchmarkClock {
	fn set_now(ms: u64) {
		pallet_timestamp::Now::<Runtime>::put(ms);
	}
}

parameter_types! {
	/// Most validators at once (Aura's and GRANDPA's `MaxAuthorities`).
	pub const MaxValidators: u32 = 32;
	/// The council cannot remove the last validator.
	pub const MinValidators: u32 = 1;
}

impl pallet_validator_set::Config for Runtime {
	type AdminOrigin = CouncilTwoThirds;
	type MaxValidators = MaxValidators;
	type MinValidators = MinValidators;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}

/// The council reaches Root through the gate: everyday Root calls (e.g. `grandpa.note_stalled`)
/// at 2/3, runtime upgrades and raw state writes at 3/4.
impl pallet_root_gate::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type AdminOrigin = CouncilTwoThirds;
	type UpgradeOrigin = CouncilThreeQuarters;
	type RuntimeChanges = pallet_root_gate::SystemRuntimeChanges<Runtime>;
	type WeightInfo = pallet_root_gate::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Half of a block's weight, each block, for a multi-block migration (no transactions run
	/// while one is ongoing; the rest keeps the block's execution well inside its slot).
	pub MbmServiceWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// A failed multi-block migration is reported (`MultiBlockMigrations::UpgradeFailed`, and the
/// log) and the chain goes on storing entries: the SDK's other choice, a chain that accepts no
/// transaction, would lose the very records it exists for, and the council could not even vote
/// a fix. What the failed migration left is then the next runtime's to repair.
pub struct ContinueAfterFailedMigration;

impl frame_support::migrations::FailedMigrationHandler for ContinueAfterFailedMigration {
	fn failed(migration: Option<u32>) -> frame_support::migrations::FailedMigrationHandling {
		log::error!(target: "runtime", "multi-block migration {migration:?} failed; going on");
		frame_support::migrations::FailedMigrationHandling::ForceUnstuck
	}
}

impl pallet_migrations::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Oldest first. A migration stays listed until every chain that needs it has run it.
	#[cfg(not(feature = "runtime-benchmarks"))]
	type Migrations = (pallet_access_log::migrations::v3::BackfillKeyUse<Runtime>,);
	#[cfg(feature = "runtime-benchmarks")]
	type Migrations = pallet_migrations::mock_helpers::MockedMigrations;
	type CursorMaxLen = ConstU32<64>;
	type IdentifierMaxLen = ConstU32<64>;
	type MigrationStatusHandler = ();
	type FailedMigrationHandler = ContinueAfterFailedMigration;
	type MaxServiceWeight = MbmServiceWeight;
	type WeightInfo = pallet_migrations::weights::SubstrateWeight<Runtime>;
}

// `RuntimeTask` and `PalletInfo` are used by the derived `frame_system::Config`.
#[allow(unused_imports)]
use {PalletInfo as _, RuntimeTask as _};
