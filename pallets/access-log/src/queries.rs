//! Read-only queries answered through the runtime API: each is a bounded, ordered key-range scan
//! over one index, resumed from a cursor.

use crate::{
	frame_system::pallet_prelude::BlockNumberFor,
	types::{seq_of, seq_parts, time_of, time_parts},
	AccessorIndex, Config, Entries, EntriesByCitizen, Entry, EntryId, Hash32, NextEntryId, Page,
	Pallet, SeqIndex, SourceId, SourceInfo, Sources, SubmitterInfo, Submitters, TimeCursor,
	TimeIndex, MAX_PAGE_SIZE,
};
use alloc::vec::Vec;

/// An entry as the runtime stores it.
pub type EntryOf<T> = Entry<<T as crate::frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// Clamp a requested page size into `1..=MAX_PAGE_SIZE`.
fn clamp(limit: u32) -> usize {
	limit.clamp(1, MAX_PAGE_SIZE) as usize
}

/// Take up to `limit` items of `iter`, and the cursor of the last one if more remain.
fn paginate<C, I: Iterator<Item = (C, EntryId)>, E>(
	mut iter: I,
	limit: u32,
	fetch: impl Fn(EntryId) -> Option<E>,
) -> Page<C, E>
where
	C: Clone,
{
	let limit = clamp(limit);
	let mut items = Vec::new();
	let mut last = None;
	for (cursor, id) in iter.by_ref() {
		// Index and entry are written together; an index key without its entry would be a broken
		// invariant, which `try_state` reports. Skipping keeps the query answering.
		if let Some(entry) = fetch(id) {
			items.push((id, entry));
		}
		last = Some(cursor);
		if items.len() == limit {
			break;
		}
	}
	let next = if iter.next().is_some() { last } else { None };
	Page { items, next }
}

fn be(bytes: [u8; 8]) -> u64 {
	u64::from_be_bytes(bytes)
}

impl<T: Config> Pallet<T> {
	/// The entry with this id.
	pub fn entry(id: EntryId) -> Option<EntryOf<T>> {
		Entries::<T>::get(id.to_be_bytes())
	}

	/// Number of entries stored.
	pub fn entry_count() -> u64 {
		NextEntryId::<T>::get()
	}

	/// Accesses to one citizen's data, oldest first, after entry `after` (exclusive).
	pub fn entries_by_citizen(
		citizen_ref: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Page<EntryId, EntryOf<T>> {
		Self::scan_by_citizen(citizen_ref, after, limit, Self::entry)
	}

	/// [`Self::entries_by_citizen`] without reading the entries: the ids alone (an index key
	/// without its entry is a broken invariant `try_state` reports).
	pub fn ids_by_citizen(
		citizen_ref: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Page<EntryId, ()> {
		Self::scan_by_citizen(citizen_ref, after, limit, |_| Some(()))
	}

	/// The scan of [`Self::entries_by_citizen`], with `fetch` reading each entry found.
	fn scan_by_citizen<E>(
		citizen_ref: Hash32,
		after: Option<EntryId>,
		limit: u32,
		fetch: impl Fn(EntryId) -> Option<E>,
	) -> Page<EntryId, E> {
		let iter = match after {
			None => EntriesByCitizen::<T>::iter_key_prefix(citizen_ref),
			Some(id) => EntriesByCitizen::<T>::iter_key_prefix_from(
				citizen_ref,
				EntriesByCitizen::<T>::hashed_key_for(citizen_ref, id.to_be_bytes()),
			),
		};
		paginate(iter.map(|k| (be(k), be(k))), limit, fetch)
	}

	/// Accesses by one official, oldest first, after entry `after` (exclusive).
	pub fn entries_by_accessor(
		accessor_ref: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Page<EntryId, EntryOf<T>> {
		Self::scan_by_accessor(accessor_ref, after, limit, Self::entry)
	}

	/// [`Self::entries_by_accessor`] without reading the entries: the ids alone (an index key
	/// without its entry is a broken invariant `try_state` reports).
	pub fn ids_by_accessor(
		accessor_ref: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Page<EntryId, ()> {
		Self::scan_by_accessor(accessor_ref, after, limit, |_| Some(()))
	}

	/// The scan of [`Self::entries_by_accessor`], with `fetch` reading each entry found.
	fn scan_by_accessor<E>(
		accessor_ref: Hash32,
		after: Option<EntryId>,
		limit: u32,
		fetch: impl Fn(EntryId) -> Option<E>,
	) -> Page<EntryId, E> {
		// Groups whose last id is above `after` (the keys after `after`'s own), then on.
		let iter = match after {
			None => AccessorIndex::<T>::iter_prefix(accessor_ref),
			Some(id) => AccessorIndex::<T>::iter_prefix_from(
				accessor_ref,
				AccessorIndex::<T>::hashed_key_for(accessor_ref, id.to_be_bytes()),
			),
		};
		let iter = iter
			.flat_map(|(_, group)| group.into_iter())
			.filter(move |id| after.is_none_or(|after| *id > after))
			.map(|id| (id, id));
		paginate(iter, limit, fetch)
	}

	/// Entries of `source` with `from_seq <= seq <= to_seq`, in sequence order, after sequence
	/// `after` (exclusive). The cursor is the last sequence number returned.
	pub fn entries_by_seq(
		source: SourceId,
		from_seq: u64,
		to_seq: u64,
		after: Option<u64>,
		limit: u32,
	) -> Page<u64, EntryOf<T>> {
		Self::scan_by_seq(source, from_seq, to_seq, after, limit, Self::entry)
	}

	/// Entries of `source` with `from_seq <= seq <= to_seq`, in sequence order, after sequence
	/// `after` (exclusive). The cursor is the last sequence number returned.
	/// As [`Self::entries_by_seq`] without reading the entries.
	pub fn ids_by_seq(
		source: SourceId,
		from_seq: u64,
		to_seq: u64,
		after: Option<u64>,
		limit: u32,
	) -> Page<u64, ()> {
		Self::scan_by_seq(source, from_seq, to_seq, after, limit, |_| Some(()))
	}

	/// The scan of [`Self::entries_by_seq`], with `fetch` reading each entry found.
	fn scan_by_seq<E>(
		source: SourceId,
		from_seq: u64,
		to_seq: u64,
		after: Option<u64>,
		limit: u32,
		fetch: impl Fn(EntryId) -> Option<E>,
	) -> Page<u64, E> {
		// The first sequence number wanted; none after `u64::MAX`.
		let Some(lo) =
			after.map_or(Some(from_seq), |seq| seq.checked_add(1).map(|s| s.max(from_seq)))
		else {
			return Page { items: Vec::new(), next: None };
		};
		// Start at `lo`'s chunk: after the one before it, or at the source's first chunk.
		let iter = match seq_parts(lo).0.checked_sub(1) {
			None => SeqIndex::<T>::iter_prefix(source),
			Some(before) => SeqIndex::<T>::iter_prefix_from(
				source,
				SeqIndex::<T>::hashed_key_for(source, before.to_be_bytes()),
			),
		};
		let iter = iter
			.flat_map(|(chunk, pairs)| {
				pairs.into_iter().map(move |(low, id)| (seq_of(be(chunk), low), id))
			})
			.skip_while(move |(seq, _)| *seq < lo)
			.take_while(|(seq, _)| *seq <= to_seq);
		paginate(iter, limit, fetch)
	}

	/// Entries with `from_ms <= occurred_at <= to_ms`, by second of `occurred_at` and within a
	/// second by entry id (the order the chain stored them), after `after` (exclusive).
	pub fn entries_by_time(
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
	) -> Page<TimeCursor, EntryOf<T>> {
		Self::scan_by_time(from_ms, to_ms, after, limit, Self::entry)
	}

	/// [`Self::entries_by_time`] without reading the entries: the ids alone (an index key
	/// without its entry is a broken invariant `try_state` reports).
	pub fn ids_by_time(
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
	) -> Page<TimeCursor, ()> {
		Self::scan_by_time(from_ms, to_ms, after, limit, |_| Some(()))
	}

	/// The scan of [`Self::entries_by_time`], with `fetch` reading each entry found.
	fn scan_by_time<E>(
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
		fetch: impl Fn(EntryId) -> Option<E>,
	) -> Page<TimeCursor, E> {
		// A cursor before the range is no cursor.
		let after = after.filter(|(ts, _)| *ts >= from_ms);
		let start = match after {
			// Groups of the cursor's second whose last id is above the cursor's, then on.
			Some((ts, id)) => {
				TimeIndex::<T>::hashed_key_for(time_parts(ts).0.to_be_bytes(), id.to_be_bytes())
			},
			None => {
				// The raw key of the first-level key alone sorts before every full key under it.
				let second = time_parts(from_ms).0.to_be_bytes();
				let mut key = TimeIndex::<T>::hashed_key_for(second, [0u8; 8]);
				key.truncate(key.len() - 8);
				key
			},
		};
		let past_cursor = move |ts: u64, id: EntryId| match after {
			Some((at, last)) => time_parts(ts).0 > time_parts(at).0 || id > last,
			None => true,
		};
		let iter = TimeIndex::<T>::iter_from(start)
			.take_while(move |(second, _, _)| be(*second) <= time_parts(to_ms).0)
			.flat_map(|(second, _, group)| {
				group.into_iter().map(move |(ms, id)| (time_of(be(second), ms), id))
			})
			.filter(move |(ts, id)| (from_ms..=to_ms).contains(ts) && past_cursor(*ts, *id))
			.map(|(ts, id)| ((ts, id), id));
		paginate(iter, limit, fetch)
	}

	/// All registered sources with their counters.
	pub fn sources() -> Vec<(SourceId, SourceInfo<BlockNumberFor<T>>)> {
		let mut all: Vec<_> = Sources::<T>::iter().collect();
		all.sort_by_key(|(id, _)| *id);
		all
	}

	/// All submitters, active and revoked.
	pub fn submitters() -> Vec<(T::AccountId, SubmitterInfo<BlockNumberFor<T>>)> {
		Submitters::<T>::iter().collect()
	}
}
