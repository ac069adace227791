//! The access-log pallet's read-only queries run natively over a block's state, for the RPC's
//! summaries and entry batches ([`access_log_rpc::Native`]).
//!
//! The node carries the pallet compiled in (the runtime crate with `std`). Run natively, a scan
//! of thousands of entries reads the same trie as the runtime does, without the Wasm executor's
//! per-call and per-read costs. The copy is used only at blocks whose runtime is this node's
//! own (same `spec_name` and `spec_version`): after a runtime upgrade the node's copy may no
//! longer know the storage layout, and the RPC falls back to the runtime API.
//!
//! Summaries count what [`ChartFacts`] keeps of each final entry, reading the entries only once.

use crate::facts::{ChartFacts, Facts, CHUNK};
use access_log_rpc::{IndexQuery, Indexes, Native};
use accesslog_format::{
	keys,
	layout::{self, decode_all},
};
use accesslog_runtime::{opaque::Block, AccountId, BlockNumber, Runtime, VERSION};
use codec::Decode;
use pallet_access_log::{EntryId, Hash32, Page, TimeCursor};
use polkadot_sdk::{
	sc_client_api::{Backend, StateBackend, TrieCacheContext},
	sp_api::{CallApiAt, CallContext},
	sp_blockchain::{lowest_common_ancestor, HeaderBackend},
	sp_externalities::set_and_run_with_externalities,
	sp_runtime::traits::{Block as BlockT, HashingFor},
	sp_state_machine::{Ext, IterArgs, OverlayedChanges},
};
use std::{marker::PhantomData, sync::Arc};

type Pallet = pallet_access_log::Pallet<Runtime>;
type Hash = <Block as BlockT>::Hash;

/// Runs the node's pallet over the backend's state.
pub struct NativeQueries<C, B> {
	client: Arc<C>,
	backend: Arc<B>,
	facts: Arc<ChartFacts>,
}

impl<C, B> NativeQueries<C, B> {
	/// Over `backend`'s state, checking runtime versions with `client`; summaries count `facts`.
	pub fn new(client: Arc<C>, backend: Arc<B>, facts: Arc<ChartFacts>) -> Self {
		Self { client, backend, facts }
	}
}

impl<C, B> NativeQueries<C, B>
where
	C: CallApiAt<Block> + Send + Sync,
	B: Backend<Block>,
{
	/// `f` with the pallet's storage reads answered from the state at `at`; `None` when that
	/// block's runtime is not this node's (or its version cannot be read).
	fn run<R>(
		&self,
		at: Hash,
		f: impl FnOnce(&B::State) -> Result<R, String>,
	) -> Option<Result<R, String>> {
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
		Some(set_and_run_with_externalities(&mut ext, || f(&state)))
	}

	/// Entries below this id are final as seen from `at` (whose entry count is `count`): all
	/// of them when `at` is final, those of the last finalized block when `at` descends from it,
	/// none on a fork that finality left.
	fn stable(&self, at: Hash, count: EntryId) -> Result<EntryId, String> {
		let chain = self.backend.blockchain();
		let finalized = chain.info().finalized_hash;
		let common = lowest_common_ancestor(chain, at, finalized)
			.map_err(|e| format!("ancestry of block {at:?}: {e}"))?
			.hash;
		if common == at {
			Ok(count)
		} else if common == finalized {
			let state = self
				.backend
				.state_at(finalized, TrieCacheContext::Untrusted)
				.map_err(|e| format!("state of block {finalized:?}: {e}"))?;
			entry_count(&state)
		} else {
			Ok(0)
		}
	}
}

/// The number of entries stored in `state`.
pub fn entry_count<S: StateBackend<HashingFor<Block>>>(state: &S) -> Result<EntryId, String> {
	let bytes = state.storage(&keys::entry_count_key()).map_err(|e| e.to_string())?;
	bytes.map_or(Ok(0), |b| u64::decode(&mut &b[..]).map_err(|e| format!("entry count: {e}")))
}

/// The facts of entries `first..end` in `state`, in one ordered pass over their keys.
pub fn read_range<S: StateBackend<HashingFor<Block>>>(
	state: &S,
	first: EntryId,
	end: EntryId,
) -> Result<Vec<Facts>, String> {
	let (prefix, start) = (keys::entries_prefix(), keys::entry_key(first));
	let mut args = IterArgs::default();
	args.prefix = Some(&prefix);
	args.start_at = Some(&start);
	let pairs = state.pairs(args).map_err(|e| format!("entries from {first}: {e}"))?;
	let mut out = Vec::with_capacity((end - first) as usize);
	for (pair, want) in pairs.zip(first..end) {
		let (key, value) = pair.map_err(|e| format!("entries from {first}: {e}"))?;
		if keys::entry_id_of_key(&key) != Some(want) {
			return Err(format!("entry {want} is not stored (ids are dense)"));
		}
		out.push(facts_of(want, &value)?);
	}
	if out.len() as u64 != end - first {
		return Err(format!("entries {first}..{end}: only {} stored", out.len()));
	}
	Ok(out)
}

/// Entry `id`'s facts in `state`.
fn read_one<S: StateBackend<HashingFor<Block>>>(state: &S, id: EntryId) -> Result<Facts, String> {
	match state.storage(&keys::entry_key(id)).map_err(|e| format!("entry {id}: {e}"))? {
		Some(value) => facts_of(id, &value),
		None => Err(format!("entry {id} is not stored")),
	}
}

fn facts_of(id: EntryId, value: &[u8]) -> Result<Facts, String> {
	let e: layout::Entry = decode_all(value).map_err(|err| format!("entry {id}: {err}"))?;
	let r = e.record;
	Ok(Facts { occurred_at: r.occurred_at, agency: r.agency, action: r.action, purpose: r.purpose })
}

/// Keep the facts of every final entry in `backend`'s state, newest first, until `facts` is
/// full; progress in the log. Awaits between chunks, so the node can stop meanwhile.
pub async fn warm<B: Backend<Block>>(facts: Arc<ChartFacts>, backend: Arc<B>) {
	let started = std::time::Instant::now();
	let finalized = backend.blockchain().info().finalized_hash;
	let (state, stable) = match backend
		.state_at(finalized, TrieCacheContext::Untrusted)
		.map_err(|e| e.to_string())
		.and_then(|s| entry_count(&s).map(|n| (s, n)))
	{
		Ok(found) => found,
		Err(e) => return log::warn!("chart facts: not read ({e}); summaries read entries"),
	};
	log::info!("📊 chart facts: reading {stable} final entries, newest first");
	let mut chunks = 0u64;
	for chunk in (0..stable.div_ceil(CHUNK)).rev() {
		match facts.warm_chunk(chunk, stable, &mut |first, end| read_range(&state, first, end)) {
			Ok(true) => {},
			Ok(false) => {
				log::info!("📊 chart facts: full at {} entries (--chart-facts)", facts.rows());
				break;
			},
			Err(e) => return log::warn!("chart facts: stopped at chunk {chunk}: {e}"),
		}
		chunks += 1;
		if chunks.is_multiple_of(64) {
			log::info!("📊 chart facts: {} of {stable} entries kept", facts.rows());
		}
		tokio::task::yield_now().await;
	}
	log::info!(
		"📊 chart facts: ready, {} entries kept in {:.1} s",
		facts.rows(),
		started.elapsed().as_secs_f64()
	);
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
		self.run(at, |state| {
			let stable = self.stable(at, entry_count(state)?)?;
			access_log_rpc::summarize_facts(
				&InPallet(PhantomData),
				query,
				agency,
				limit,
				|ids, sink| {
					self.facts.each(
						ids,
						stable,
						&mut |first, end| read_range(state, first, end),
						&mut |id| read_one(state, id),
						sink,
					)
				},
			)
		})
	}

	fn ids(
		&self,
		at: Hash,
		query: &IndexQuery,
		limit: u32,
	) -> Option<Result<access_log_rpc::IdsJson, String>> {
		self.run(at, |_| access_log_rpc::ids(&InPallet(PhantomData), query, limit))
	}

	fn entries(&self, at: Hash, ids: &[EntryId]) -> Option<Result<Vec<Option<Vec<u8>>>, String>> {
		self.run(at, |_| access_log_rpc::entries(&InPallet(PhantomData), ids))
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
