//! The access-log pallet's read-only queries run natively over a block's state, for the RPC's
//! summaries and entry batches ([`access_log_rpc::Native`]).
//!
//! The node carries the pallet compiled in (the runtime crate with `std`). Run natively, a scan
//! of thousands of entries reads the same trie as the runtime does, without the Wasm executor's
//! per-call and per-read costs. The copy is used only at blocks whose runtime is this node's
//! own (same `spec_name` and `spec_version`): after a runtime upgrade the node's copy may no
//! longer know the storage layout, and the RPC falls back to the runtime API.

use access_log_rpc::{IndexQuery, Indexes, Native};
use accesslog_runtime::{opaque::Block, AccountId, BlockNumber, Runtime, VERSION};
use pallet_access_log::{EntryId, Hash32, Page, TimeCursor};
use polkadot_sdk::{
	sc_client_api::{Backend, TrieCacheContext},
	sp_api::{CallApiAt, CallContext},
	sp_externalities::set_and_run_with_externalities,
	sp_runtime::traits::Block as BlockT,
	sp_state_machine::{Ext, OverlayedChanges},
};
use std::{marker::PhantomData, sync::Arc};

type Pallet = pallet_access_log::Pallet<Runtime>;
type Hash = <Block as BlockT>::Hash;

/// Runs the node's pallet over the backend's state.
pub struct NativeQueries<C, B> {
	client: Arc<C>,
	backend: Arc<B>,
}

impl<C, B> NativeQueries<C, B> {
	/// Over `backend`'s state, checking runtime versions with `client`.
	pub fn new(client: Arc<C>, backend: Arc<B>) -> Self {
		Self { client, backend }
	}
}

impl<C, B> NativeQueries<C, B>
where
	C: CallApiAt<Block> + Send + Sync,
	B: Backend<Block>,
{
	/// `f` with the pallet's storage reads answered from the state at `at`; `None` when that
	/// block's runtime is not this node's (or its version cannot be read).
	fn run<R>(&self, at: Hash, f: impl FnOnce() -> Result<R, String>) -> Option<Result<R, String>> {
		let version = self.client.runtime_version_at(at, CallContext::Offchain).ok()?;
		if version.spec_name != VERSION.spec_name || version.spec_version != VERSION.spec_version {
			return None;
		}
		let state = match self.backend.state_at(at, TrieCacheContext::Untrusted) {
			Ok(state) => state,
			Err(e) => return Some(Err(format!("state of block {at:?}: {e}"))),
		};
		// Reads only: the overlay stays empty and is dropped.
		let mut overlay = OverlayedChanges::default();
		let mut ext = Ext::new(&mut overlay, &state, None);
		Some(set_and_run_with_externalities(&mut ext, f))
	}
}

impl<C, B> Native<Hash> for NativeQueries<C, B>
where
	C: CallApiAt<Block> + Send + Sync,
	B: Backend<Block>,
{
	fn summary(
		&self,
		at: Hash,
		query: &IndexQuery,
		agency: Option<&str>,
		limit: u32,
	) -> Option<Result<access_log_rpc::SummaryJson, String>> {
		self.run(at, || access_log_rpc::summarize(&InPallet(PhantomData), query, agency, limit))
	}

	fn ids(
		&self,
		at: Hash,
		query: &IndexQuery,
		limit: u32,
	) -> Option<Result<access_log_rpc::IdsJson, String>> {
		self.run(at, || access_log_rpc::ids(&InPallet(PhantomData), query, limit))
	}

	fn entries(&self, at: Hash, ids: &[EntryId]) -> Option<Result<Vec<Option<Vec<u8>>>, String>> {
		self.run(at, || access_log_rpc::entries(&InPallet(PhantomData), ids))
	}
}

/// [`Indexes`] answered by the pallet itself: only inside [`NativeQueries::run`], where storage
/// reads have a state to read.
struct InPallet(PhantomData<()>);

/// An entry as the pallet stores it.
type StoredEntry = pallet_access_log::Entry<AccountId, BlockNumber>;

impl Indexes for InPallet {
	type Entry = StoredEntry;

	fn entry(&self, id: EntryId) -> Result<Option<StoredEntry>, String> {
		Ok(Pallet::entry(id))
	}

	fn by_citizen(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, StoredEntry>, String> {
		Ok(Pallet::entries_by_citizen(r, after, limit))
	}

	fn by_accessor(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, StoredEntry>, String> {
		Ok(Pallet::entries_by_accessor(r, after, limit))
	}

	fn by_seq(
		&self,
		source: u32,
		from: u64,
		to: u64,
		after: Option<u64>,
		limit: u32,
	) -> Result<Page<u64, StoredEntry>, String> {
		Ok(Pallet::entries_by_seq(source, from, to, after, limit))
	}

	fn by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
	) -> Result<Page<TimeCursor, StoredEntry>, String> {
		Ok(Pallet::entries_by_time(from_ms, to_ms, after, limit))
	}

	fn ids_by_citizen(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, ()>, String> {
		Ok(Pallet::ids_by_citizen(r, after, limit))
	}

	fn ids_by_accessor(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, ()>, String> {
		Ok(Pallet::ids_by_accessor(r, after, limit))
	}

	fn ids_by_seq(
		&self,
		source: u32,
		from: u64,
		to: u64,
		after: Option<u64>,
		limit: u32,
	) -> Result<Page<u64, ()>, String> {
		Ok(Pallet::ids_by_seq(source, from, to, after, limit))
	}

	fn ids_by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
	) -> Result<Page<TimeCursor, ()>, String> {
		Ok(Pallet::ids_by_time(from_ms, to_ms, after, limit))
	}
}
