//! # Access-log chain runtime
//!
//! A feeless, permissioned solochain runtime: `frame-system`, `timestamp`, Aura (block
//! production), GRANDPA (finality), an admin council (`pallet-collective` + `pallet-membership`),
//! [`pallet_validator_set`] (the council adds and removes validators), [`pallet_access_log`] and
//! [`pallet_root_gate`]. There is no sudo: a 2/3 majority of the council is the only admin origin,
//! and it reaches Root through the root gate; a runtime upgrade (or any raw state change) needs a
//! 3/4 majority ([`configs::CouncilThreeQuarters`]). `pallet-migrations` runs the pallets'
//! multi-block storage migrations after an upgrade. There is no token:
//! [`permission::CheckPermission`] keeps every transaction whose signer is neither an active
//! submitter nor a council member out of the transaction pool.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-generated items carry no docs of their own.
#![allow(missing_docs)]
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Before `apis`: it defines the `list_benchmarks!` / `add_benchmarks!` macros `apis` uses.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod permission;
pub mod weights;

use alloc::vec::Vec;
pub use polkadot_sdk::*;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_access_log::Call as AccessLogCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know of the runtime without knowing its calls.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: Aura for authoring, GRANDPA for finality votes.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` on every change of runtime logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("accesslog"),
	impl_name: alloc::borrow::Cow::Borrowed("accesslog"),
	authoring_version: 1,
	spec_version: 109,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time, in milliseconds. Aura slots are this long.
pub const MILLI_SECS_PER_BLOCK: u64 = 2000;
/// Aura slot duration (= block time: one author per slot).
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Transaction signature: sr25519 (or ed25519/ecdsa) through `MultiSignature`.
pub type Signature = MultiSignature;
/// An account id: the public key of its signer.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Transaction counter of an account.
pub type Nonce = u32;
/// Block hash.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// The address format of transactions.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block with its justifications.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions. [`permission::CheckPermission`] carries no payload of its own, so
/// standard tools (Polkadot.js, subxt) sign for this chain unchanged. There is no fee payment.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	permission::CheckPermission<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Extrinsic as the runtime sees it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Single-block storage migrations, run on runtime upgrade. The multi-block ones are
/// `pallet_migrations::Config::Migrations` ([`configs`]).
#[allow(unused_parens)]
type Migrations = ();

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The admin council's instance of `pallet-collective`.
pub type CouncilCollective = pallet_collective::Instance1;
/// The admin council's instance of `pallet-membership`.
pub type CouncilMembershipInstance = pallet_membership::Instance1;

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
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(5)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	#[runtime::pallet_index(6)]
	pub type AccessLog = pallet_access_log;

	#[runtime::pallet_index(7)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(8)]
	pub type RootGate = pallet_root_gate;

	#[runtime::pallet_index(9)]
	pub type MultiBlockMigrations = pallet_migrations;
}
