//! # Access Log Pallet
//!
//! An append-only, permissioned store of API access-log entries: who (which agency, system and
//! official) accessed whose personal data (which citizen), when, through which API, for which legal
//! purpose and with what result.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, events, errors and storage; [`types`] for the stored
//! shapes and [`Pallet::entries_by_citizen`] and its siblings for the queries the runtime API
//! answers.
//!
//! ## Overview
//!
//! - **Sources** are the systems whose logs are kept (first: the household-registration API of the
//!   city data platform). Governance ([`Config::AdminOrigin`]) registers them and can deactivate
//!   them.
//! - **Submitters** are accounts that governance authorizes to write for one source. Authorizing an
//!   account gives it a provider reference, so it can hold a nonce and transact on this feeless
//!   chain; revoking takes that away again.
//! - **Entries** are the access records. No call ever changes or removes an entry. Personal IDs never
//!   reach the chain: the citizen and the official appear only as 32-byte keyed hashes
//!   (`citizen_ref`, `accessor_ref`), computed off chain with the organisation's secret key, whose
//!   rotation is tracked by `key_id`. The hash of the complete original record (`record_hash`) lets
//!   the full record kept elsewhere be proven unchanged.
//! - **Indexes** by citizen reference, by accessor reference, by `(source, seq)` and by time keep
//!   each query a bounded prefix scan, in order, with a cursor. The citizen and accessor indexes
//!   hold one key per entry; the sequence index one per 256 sequence numbers and the time index
//!   one per call and second, so a batch writes three state items per entry plus a few.
//!
//! A `(source, seq)` pair is stored at most once, so a submitter may safely resubmit after a
//! timeout. A sequence number that skips ahead is stored, and a [`Event::SequenceGap`] names the
//! missing range: a lost log line becomes visible on chain.
//!
//! ### Example
//!
//! A batch stores its records under consecutive entry ids, with one event for the batch (from
//! the pallet's tests, compiled and run with them):
#![doc = docify::embed!("src/tests.rs", submit_batch_stores_all_with_consecutive_ids)]
//!
//! A skipped sequence number is stored and the gap reported; filling it later reports nothing:
#![doc = docify::embed!("src/tests.rs", skipped_sequence_is_stored_with_gap_event)]
//!
//! ## Low Level / Implementation Details
//!
//! Index keys are hashed with `Identity` and integers in them are big-endian, so the trie's key
//! order is numeric order: a page is a contiguous key range, and the cursor is the last key
//! returned. The invariants (ids dense, every index entry pointing to an entry and back, per-source
//! counters matching) are checked by `try_state`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use polkadot_sdk::{frame_support, frame_system, sp_core, sp_io, sp_runtime};

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
pub mod types;
pub mod weights;
pub use types::*;
pub use weights::*;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::access-log";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{collections::btree_map::BTreeMap, vec::Vec};
	use frame_support::{
		pallet_prelude::*,
		traits::{Defensive, UnixTime},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;

	/// The in-code storage version. 1: the sequence and time indexes are kept in chunks
	/// ([`SeqIndex`], [`TimeIndex`]); 2: the official index too ([`AccessorIndex`]), and
	/// [`Entries`] keyed by the big-endian id itself instead of a hash of it; 3: [`KeyUse`],
	/// counted for entries stored under 2 by [`migrations::v3::BackfillKeyUse`]. Versions
	/// before 2 are not migrated: no network holding them is kept (start such a network
	/// afresh).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// Origin allowed to register sources and to authorize or revoke submitters: in the
		/// runtime, a 2/3 majority of the admin council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Wall-clock time, used to refuse records dated too far in the future.
		type Time: UnixTime;

		/// Most records one `submit_batch` may carry. Re-run the benchmarks if this changes.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;

		/// Most sources that can ever be registered.
		#[pallet::constant]
		type MaxSources: Get<u32>;

		/// How far (milliseconds) a record's `occurred_at` may lie ahead of the chain's clock.
		#[pallet::constant]
		type MaxClockSkewMs: Get<u64>;

		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need from the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// What the benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper {
		/// Set the clock [`Config::Time`] reads to `ms` since the epoch.
		fn set_now(ms: u64);
	}

	/// Id the next registered source will get (= number of sources).
	#[pallet::storage]
	pub type NextSourceId<T> = StorageValue<_, SourceId, ValueQuery>;

	/// Registered sources.
	// Twox64Concat: source ids are assigned by the pallet, not chosen by users.
	#[pallet::storage]
	pub type Sources<T: Config> =
		StorageMap<_, Twox64Concat, SourceId, SourceInfo<BlockNumberFor<T>>, OptionQuery>;

	/// Submitter accounts, current and revoked.
	// Blake2_128Concat: account ids are chosen by their holders.
	#[pallet::storage]
	pub type Submitters<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		SubmitterInfo<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// Id the next entry will get (= number of entries stored).
	#[pallet::storage]
	pub type NextEntryId<T> = StorageValue<_, EntryId, ValueQuery>;

	/// The entries, by big-endian id ([`Pallet::entry`] reads one by id).
	// Identity over big-endian ids (dense counters the pallet assigns, so no one chooses a key):
	// consecutive entries are neighbours in the trie and a batch's entries share their branch
	// nodes. With a hashed key each entry rewrote a path of its own at every validator.
	#[pallet::storage]
	pub type Entries<T: Config> =
		StorageMap<_, Identity, [u8; 8], Entry<T::AccountId, BlockNumberFor<T>>, OptionQuery>;

	/// Sequence index, in chunks: `(source, big-endian seq >> 8)` → the `(seq & 0xff, entry id)`
	/// pairs of that chunk, sorted. Refuses duplicates and answers sequence ranges. One state
	/// item per 256 sequence numbers instead of one per entry: a batch of consecutive records
	/// reads and writes one or two chunks.
	// Twox64Concat for the pallet-assigned source id; Identity over big-endian bytes keeps
	// chunks in numeric order.
	#[pallet::storage]
	pub type SeqIndex<T> =
		StorageDoubleMap<_, Twox64Concat, SourceId, Identity, [u8; 8], SeqChunk, ValueQuery>;

	/// Index `(citizen_ref, big-endian entry id)`: all accesses to one citizen's data, in order.
	// Identity: the citizen reference is already a keyed hash, and submitters are authorized.
	#[pallet::storage]
	pub type EntriesByCitizen<T> =
		StorageDoubleMap<_, Identity, Hash32, Identity, [u8; 8], (), OptionQuery>;

	/// Official index, in groups: `(accessor_ref, big-endian id of the group's last entry)` →
	/// the ids of the entries one call stored for that official, in order. One state item per
	/// call and official instead of one per entry (a platform's accesses come from few officials
	/// and system accounts: a batch holds several records of each). Keys of one official sort by
	/// their last id and calls' ids never interleave, so a scan yields the official's entries in
	/// id order.
	// Identity: as for `EntriesByCitizen`; big-endian ids keep the trie order that order.
	#[pallet::storage]
	pub type AccessorIndex<T: Config> = StorageDoubleMap<
		_,
		Identity,
		Hash32,
		Identity,
		[u8; 8],
		BoundedVec<EntryId, T::MaxBatchSize>,
		OptionQuery,
	>;

	/// Time index, in one-second groups: `(big-endian second of occurred_at, big-endian id of the
	/// group's last entry)` → the `(millisecond within the second, entry id)` of the entries one
	/// call stored for that second, in id order. One state item per call and second instead of
	/// one per entry. Keys of one second sort by their last id and calls' ids never interleave,
	/// so a scan yields entries by second, then by entry id.
	// Identity over big-endian bytes: the trie order is that order, so a time range is one scan.
	#[pallet::storage]
	pub type TimeIndex<T: Config> = StorageDoubleMap<
		_,
		Identity,
		[u8; 8],
		Identity,
		[u8; 8],
		BoundedVec<(u16, EntryId), T::MaxBatchSize>,
		OptionQuery,
	>;

	/// What each pseudonymisation key covers: `key_id` → the number of entries stored with it
	/// and the first and last of them (see [`KeyUsage`]).
	// Twox64Concat: key ids are few, and only authorized submitters write them.
	#[pallet::storage]
	pub type KeyUse<T> = StorageMap<_, Twox64Concat, u32, KeyUsage, OptionQuery>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance registered a new source.
		SourceRegistered {
			/// Id of the new source.
			source: SourceId,
			/// Its name.
			name: Vec<u8>,
		},
		/// Governance activated or deactivated a source.
		SourceActiveSet {
			/// The source.
			source: SourceId,
			/// Whether it now accepts entries.
			active: bool,
		},
		/// Governance authorized an account to write for a source.
		SubmitterAuthorized {
			/// The account.
			who: T::AccountId,
			/// The source it may write for.
			source: SourceId,
		},
		/// Governance revoked a submitter.
		SubmitterRevoked {
			/// The account.
			who: T::AccountId,
			/// The source it wrote for.
			source: SourceId,
		},
		/// Entries were stored by one call: ids `first_entry_id..first_entry_id + count`, in
		/// the order the call gave the records (one event per call, not per entry: a full block
		/// holds thousands of entries, and every event is state the block writes and every
		/// client watching a transaction downloads and decodes).
		EntriesStored {
			/// The source they belong to.
			source: SourceId,
			/// Id of the first one.
			first_entry_id: EntryId,
			/// How many (at least one).
			count: u32,
		},
		/// A stored sequence number skipped ahead: records `first..=last` of the source are
		/// missing (lost, or still to come).
		SequenceGap {
			/// The source.
			source: SourceId,
			/// First missing sequence number.
			first: u64,
			/// Last missing sequence number.
			last: u64,
		},
	}

	/// Errors of this pallet. Every call that fails changes nothing.
	#[pallet::error]
	pub enum Error<T> {
		/// The signer has never been authorized as a submitter. Ask the council to authorize it.
		NotAuthorized,
		/// The signer was a submitter but has been revoked.
		SubmitterRevoked,
		/// The submitter is already authorized; revoke it first to move it to another source.
		AlreadyAuthorized,
		/// The record names a source other than the one the submitter is authorized for.
		WrongSource,
		/// No source with this id is registered.
		UnknownSource,
		/// The source is deactivated and accepts no entries.
		SourceInactive,
		/// The source already has this active state; nothing to change.
		SourceUnchanged,
		/// The maximum number of sources ([`Config::MaxSources`]) is registered.
		TooManySources,
		/// A source name or agency is empty.
		EmptyName,
		/// A source name or agency is longer than [`MAX_NAME_LEN`] bytes.
		NameTooLong,
		/// An entry with this `(source, seq)` is already stored: the record was submitted before.
		DuplicateSequence,
		/// Sequence numbers start at 1.
		InvalidSequence,
		/// The record's `occurred_at` lies further in the future than
		/// [`Config::MaxClockSkewMs`]: check the source's clock.
		TimestampInFuture,
		/// A text field (agency, system, action, purpose) is longer than [`MAX_TEXT_LEN`] bytes.
		FieldTooLong,
		/// `submit_batch` was called with no records.
		EmptyBatch,
		/// `submit_batch` was called with more than [`Config::MaxBatchSize`] records.
		BatchTooLarge,
		/// The entry id counter would overflow.
		Overflow,
	}

	/// Initial sources and submitters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Sources as `(name, agency)`, registered with ids 0, 1, ... in this order.
		pub sources: Vec<(Vec<u8>, Vec<u8>)>,
		/// Submitters as `(account, source id)`.
		pub submitters: Vec<(T::AccountId, SourceId)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (name, agency) in &self.sources {
				Pallet::<T>::do_register_source(name.clone(), agency.clone())
					.expect("genesis sources must be valid");
			}
			for (who, source) in &self.submitters {
				Pallet::<T>::do_authorize(who.clone(), *source)
					.expect("genesis submitters must name registered sources");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Store one access record.
		///
		/// ## Dispatch Origin
		/// Signed by an active submitter of `record.source`.
		///
		/// ## Details
		/// Refused with no state change if the `(source, seq)` is already stored, the source is
		/// inactive, a field is too long or the time lies in the future. A `seq` that skips ahead
		/// is stored and a [`Event::SequenceGap`] emitted.
		///
		/// ## Events
		/// [`Event::EntriesStored`] (count 1), possibly preceded by [`Event::SequenceGap`].
		#[pallet::call_index(0)]
		#[pallet::weight(
			<T as Config>::WeightInfo::submit().saturating_add(Pallet::<T>::key_use_weight(1))
		)]
		pub fn submit(origin: OriginFor<T>, record: RecordInput) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (source, info, now) = Self::ensure_writer(&who)?;
			let record = Self::check_record(source, now, record)?;
			Self::store(&who, source, info, [record]).map(|_| ())
		}

		/// Store up to [`Config::MaxBatchSize`] access records at once, all or none.
		///
		/// ## Dispatch Origin
		/// Signed by an active submitter of the records' source.
		///
		/// ## Details
		/// The batch is atomic: if any record is refused (for the reasons of [`Pallet::submit`])
		/// nothing is stored. Entries get consecutive ids in batch order.
		///
		/// ## Weight
		/// Charged up front for the worst case (every record in its own sequence chunk and
		/// second, with a gap); what a batch of consecutive, close-in-time records does not use
		/// is refunded (see [`Pallet::batch_weight`]).
		///
		/// ## Events
		/// One [`Event::EntriesStored`] for the batch, preceded by [`Event::SequenceGap`] where
		/// sequences skip.
		#[pallet::call_index(1)]
		#[pallet::weight(
			<T as Config>::WeightInfo::submit_batch(records.len() as u32)
				.saturating_add(Pallet::<T>::key_use_weight(distinct_keys(records)))
		)]
		pub fn submit_batch(
			origin: OriginFor<T>,
			records: Vec<RecordInput>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!records.is_empty(), Error::<T>::EmptyBatch);
			ensure!(records.len() as u32 <= T::MaxBatchSize::get(), Error::<T>::BatchTooLarge);
			let (source, info, now) = Self::ensure_writer(&who)?;
			let checked = records
				.into_iter()
				.map(|r| Self::check_record(source, now, r))
				.collect::<Result<Vec<_>, _>>()?;
			// Dispatch is transactional: a duplicate found half-way rolls back earlier writes.
			let touched = Self::store(&who, source, info, checked)?;
			Ok(Some(
				Self::batch_weight(&touched).saturating_add(Self::key_use_weight(touched.keys)),
			)
			.into())
		}

		/// Register a new source, active from now on.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::SourceRegistered`].
		#[pallet::call_index(2)]
		pub fn register_source(
			origin: OriginFor<T>,
			name: Vec<u8>,
			agency: Vec<u8>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_source(name, agency).map(|_| ())
		}

		/// Activate or deactivate a source. A deactivated source accepts no entries; its stored
		/// entries stay.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::SourceActiveSet`].
		#[pallet::call_index(3)]
		pub fn set_source_active(
			origin: OriginFor<T>,
			source: SourceId,
			active: bool,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Sources::<T>::try_mutate(source, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::UnknownSource)?;
				ensure!(info.active != active, Error::<T>::SourceUnchanged);
				info.active = active;
				Ok(())
			})?;
			Self::deposit_event(Event::SourceActiveSet { source, active });
			Ok(())
		}

		/// Authorize `who` to write entries for `source`. A revoked submitter may be authorized
		/// again, for any source.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::SubmitterAuthorized`].
		#[pallet::call_index(4)]
		pub fn authorize_submitter(
			origin: OriginFor<T>,
			who: T::AccountId,
			source: SourceId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_authorize(who, source)
		}

		/// Revoke a submitter: its transactions are refused from now on. Its entries stay.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::SubmitterRevoked`].
		#[pallet::call_index(5)]
		pub fn revoke_submitter(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let info = Submitters::<T>::get(&who).ok_or(Error::<T>::NotAuthorized)?;
			ensure!(info.active, Error::<T>::SubmitterRevoked);
			Submitters::<T>::insert(
				&who,
				SubmitterInfo {
					source: info.source,
					active: false,
					changed_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			// Only fails while consumers remain, and nothing in this runtime takes a consumer.
			let _ = frame_system::Pallet::<T>::dec_providers(&who).defensive();
			Self::deposit_event(Event::SubmitterRevoked { who, source: info.source });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `who` may currently submit entries (used by the runtime's pool filter).
		pub fn is_active_submitter(who: &T::AccountId) -> bool {
			Submitters::<T>::get(who).is_some_and(|s| s.active)
		}

		/// The source `who` may write for now, its record and the chain's clock (ms) to check
		/// records against; or why `who` may not write: not (or no longer) a submitter, or its
		/// source is unknown or inactive.
		fn ensure_writer(
			who: &T::AccountId,
		) -> Result<(SourceId, SourceInfo<BlockNumberFor<T>>, u64), DispatchError> {
			let submitter = Submitters::<T>::get(who).ok_or(Error::<T>::NotAuthorized)?;
			ensure!(submitter.active, Error::<T>::SubmitterRevoked);
			let info = Sources::<T>::get(submitter.source).ok_or(Error::<T>::UnknownSource)?;
			ensure!(info.active, Error::<T>::SourceInactive);
			Ok((submitter.source, info, T::Time::now().as_millis() as u64))
		}

		/// Check everything about a record that does not depend on other records of the batch,
		/// for a submitter of the open `source`, at chain time `now` (ms).
		fn check_record(
			source: SourceId,
			now: u64,
			record: RecordInput,
		) -> Result<StoredRecord, DispatchError> {
			ensure!(record.source == source, Error::<T>::WrongSource);
			ensure!(record.seq >= 1, Error::<T>::InvalidSequence);
			ensure!(
				record.occurred_at <= now.saturating_add(T::MaxClockSkewMs::get()),
				Error::<T>::TimestampInFuture
			);
			let text = |v: Vec<u8>| Text::try_from(v).map_err(|_| Error::<T>::FieldTooLong);
			Ok(LogRecord {
				source: record.source,
				seq: record.seq,
				occurred_at: record.occurred_at,
				agency: text(record.agency)?,
				system: text(record.system)?,
				accessor_ref: record.accessor_ref,
				citizen_ref: record.citizen_ref,
				key_id: record.key_id,
				action: text(record.action)?,
				purpose: text(record.purpose)?,
				status: record.status,
				records: record.records,
				record_hash: record.record_hash,
			})
		}

		/// Store checked records of `source` (as `info`, read by [`Self::ensure_writer`]), in
		/// order, with their indexes and events; the source's counters, the next id and each
		/// touched chunk of the sequence and time indexes are written once. Checks each record
		/// before it writes it; the caller's dispatch rolls back all of them on an error.
		/// Returns what the call touched, which sets its actual weight.
		fn store(
			who: &T::AccountId,
			source: SourceId,
			mut info: SourceInfo<BlockNumberFor<T>>,
			records: impl IntoIterator<Item = StoredRecord>,
		) -> Result<Touched, DispatchError> {
			let first = NextEntryId::<T>::get();
			let mut id = first;
			let block = frame_system::Pallet::<T>::block_number();
			let mut chunks: BTreeMap<u64, SeqChunk> = BTreeMap::new();
			let mut seconds: BTreeMap<u64, Vec<(u16, EntryId)>> = BTreeMap::new();
			let mut accessors: BTreeMap<Hash32, Vec<EntryId>> = BTreeMap::new();
			let mut keys: BTreeMap<u32, KeyUsage> = BTreeMap::new();
			let mut gaps = 0u32;
			for record in records {
				let (chunk_no, low) = seq_parts(record.seq);
				let chunk = chunks
					.entry(chunk_no)
					.or_insert_with(|| SeqIndex::<T>::get(source, chunk_no.to_be_bytes()));
				let at = chunk
					.binary_search_by_key(&low, |(l, _)| *l)
					.err()
					.ok_or(Error::<T>::DuplicateSequence)?;
				let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
				// A chunk holds one pair per low byte, and `low` is not among them: room remains.
				chunk.try_insert(at, (low, id)).map_err(|_| Error::<T>::DuplicateSequence)?;
				if record.seq > info.last_seq.saturating_add(1) {
					gaps += 1;
					Self::deposit_event(Event::SequenceGap {
						source,
						first: info.last_seq + 1,
						last: record.seq - 1,
					});
				}
				info.last_seq = info.last_seq.max(record.seq);
				info.entries = info.entries.saturating_add(1);

				let (second, ms) = time_parts(record.occurred_at);
				seconds.entry(second).or_default().push((ms, id));
				accessors.entry(record.accessor_ref).or_default().push(id);
				keys.entry(record.key_id)
					.or_insert_with(|| {
						KeyUse::<T>::get(record.key_id).unwrap_or(KeyUsage::starting_at(id))
					})
					.add(id);
				EntriesByCitizen::<T>::insert(record.citizen_ref, id.to_be_bytes(), ());
				Entries::<T>::insert(
					id.to_be_bytes(),
					Entry { record, block, submitter: who.clone() },
				);
				id = next;
			}
			// At most `MaxBatchSize` (a `u32`) records: the counts fit.
			let count = u32::try_from(id - first).unwrap_or(u32::MAX);
			let touched = Touched {
				records: count,
				chunks: chunks.len() as u32,
				seconds: seconds.len() as u32,
				accessors: accessors.len() as u32,
				gaps,
				keys: keys.len() as u32,
			};
			for (chunk_no, chunk) in chunks {
				SeqIndex::<T>::insert(source, chunk_no.to_be_bytes(), chunk);
			}
			for (second, group) in seconds {
				let (last, group) = Self::stored_group(group);
				TimeIndex::<T>::insert(second.to_be_bytes(), last, group);
			}
			for (accessor, group) in accessors {
				let (last, group) = Self::stored_group(group);
				AccessorIndex::<T>::insert(accessor, last, group);
			}
			for (key_id, usage) in keys {
				KeyUse::<T>::insert(key_id, usage);
			}
			Sources::<T>::insert(source, info);
			NextEntryId::<T>::put(id);
			Self::deposit_event(Event::EntriesStored { source, first_entry_id: first, count });
			Ok(touched)
		}

		/// One call's group of a group index as stored: its key part (the last id, big-endian)
		/// and the items. Ids grow as a call stores, so the last pushed is the highest; a group
		/// holds records of one call, at most `MaxBatchSize`, so nothing is cut; it is never empty
		/// (created by a push).
		fn stored_group<I: GroupItem>(group: Vec<I>) -> ([u8; 8], BoundedVec<I, T::MaxBatchSize>) {
			let last = group.last().map_or(0, GroupItem::entry_id);
			(last.to_be_bytes(), BoundedVec::truncate_from(group))
		}

		/// The weight `submit_batch` of `touched.records` records actually used: its benchmarked
		/// best case (one sequence chunk, one second, one official, no gap), plus the benchmarked
		/// cost of each further official's group, plus the share of the rest of the worst case's
		/// excess (a chunk, a second and a gap per record) that the call's extra chunks, seconds
		/// or gaps, whichever are most, make up. Never above the worst case, charged up front.
		pub fn batch_weight(touched: &Touched) -> Weight {
			let n = touched.records;
			let worst = T::WeightInfo::submit_batch(n);
			if n <= 1 {
				return worst;
			}
			let best = T::WeightInfo::submit_batch_grouped(n);
			let officials = |a: u32| {
				T::WeightInfo::submit_batch_officials(a.clamp(1, n))
					.saturating_sub(T::WeightInfo::submit_batch_officials(1))
			};
			let rest = worst.saturating_sub(best.saturating_add(officials(n)));
			let extra =
				touched.chunks.max(touched.seconds).saturating_sub(1).max(touched.gaps).min(n - 1);
			best.saturating_add(officials(touched.accessors))
				.saturating_add(Perbill::from_rational(extra, n - 1) * rest)
				.min(worst)
		}

		/// The weight of reading and writing the [`KeyUse`] of `keys` distinct keys. Charged on
		/// top of the benchmarked weights of `submit` and `submit_batch`, which were measured
		/// before [`KeyUse`] existed; a new benchmark run includes it, and then this goes.
		pub fn key_use_weight(keys: u32) -> Weight {
			T::DbWeight::get().reads_writes(keys.into(), keys.into())
		}

		/// Register a source (shared by the call and genesis).
		pub(crate) fn do_register_source(
			name: Vec<u8>,
			agency: Vec<u8>,
		) -> Result<SourceId, DispatchError> {
			ensure!(!name.is_empty() && !agency.is_empty(), Error::<T>::EmptyName);
			let bounded = |v: Vec<u8>| Name::try_from(v).map_err(|_| Error::<T>::NameTooLong);
			let (name_b, agency) = (bounded(name.clone())?, bounded(agency)?);
			let source = NextSourceId::<T>::get();
			ensure!(source < T::MaxSources::get(), Error::<T>::TooManySources);
			Sources::<T>::insert(
				source,
				SourceInfo {
					name: name_b,
					agency,
					active: true,
					registered_at: frame_system::Pallet::<T>::block_number(),
					last_seq: 0,
					entries: 0,
				},
			);
			NextSourceId::<T>::put(source + 1);
			Self::deposit_event(Event::SourceRegistered { source, name });
			Ok(source)
		}

		/// Authorize a submitter (shared by the call and genesis).
		pub(crate) fn do_authorize(who: T::AccountId, source: SourceId) -> DispatchResult {
			ensure!(Sources::<T>::contains_key(source), Error::<T>::UnknownSource);
			ensure!(!Self::is_active_submitter(&who), Error::<T>::AlreadyAuthorized);
			Submitters::<T>::insert(
				&who,
				SubmitterInfo {
					source,
					active: true,
					changed_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			// A provider reference lets the account exist and keep a nonce without a balance.
			frame_system::Pallet::<T>::inc_providers(&who);
			Self::deposit_event(Event::SubmitterAuthorized { who, source });
			Ok(())
		}
	}
}

/// The number of distinct pseudonymisation keys among `records` (what `submit_batch` reads and
/// writes of [`KeyUse`]).
pub fn distinct_keys(records: &[RecordInput]) -> u32 {
	let keys: alloc::collections::BTreeSet<u32> = records.iter().map(|r| r.key_id).collect();
	keys.len() as u32
}

#[cfg(any(feature = "try-runtime", test))]
mod invariants;
mod queries;
