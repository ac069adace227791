//! Runtime API of the access-log pallet: the queries auditors ask through the node's
//! `accessLog_*` RPC. Each answer is computed by the runtime at a chosen block, so it is exactly
//! the chain's state at that block.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_access_log::{
	Entry, EntryId, Hash32, Page, SourceId, SourceInfo, SubmitterInfo, TimeCursor, MAX_PAGE_SIZE,
};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries over the access log. Page sizes above [`MAX_PAGE_SIZE`] are clamped to it.
	pub trait AccessLogApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The entry with this id, if stored.
		fn entry(id: EntryId) -> Option<Entry<AccountId, BlockNumber>>;
		/// Number of entries stored.
		fn entry_count() -> u64;
		/// Accesses to one citizen's data, oldest first, after entry `after` (exclusive).
		fn entries_by_citizen(
			citizen_ref: Hash32,
			after: Option<EntryId>,
			limit: u32,
		) -> Page<EntryId, Entry<AccountId, BlockNumber>>;
		/// Accesses by one official, oldest first, after entry `after` (exclusive).
		fn entries_by_accessor(
			accessor_ref: Hash32,
			after: Option<EntryId>,
			limit: u32,
		) -> Page<EntryId, Entry<AccountId, BlockNumber>>;
		/// Entries of a source with `from_seq <= seq <= to_seq`, after sequence `after`.
		fn entries_by_seq(
			source: SourceId,
			from_seq: u64,
			to_seq: u64,
			after: Option<u64>,
			limit: u32,
		) -> Page<u64, Entry<AccountId, BlockNumber>>;
		/// Entries with `from_ms <= occurred_at <= to_ms`, by second of `occurred_at`, then by
		/// entry id, after `after` (exclusive).
		fn entries_by_time(
			from_ms: u64,
			to_ms: u64,
			after: Option<TimeCursor>,
			limit: u32,
		) -> Page<TimeCursor, Entry<AccountId, BlockNumber>>;
		/// All sources with their counters.
		fn sources() -> Vec<(SourceId, SourceInfo<BlockNumber>)>;
		/// All submitters, active and revoked.
		fn submitters() -> Vec<(AccountId, SubmitterInfo<BlockNumber>)>;
	}
}
