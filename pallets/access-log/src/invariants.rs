//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use crate::frame_support::traits::{GetStorageVersion, StorageVersion};
use crate::sp_runtime::TryRuntimeError;
use crate::types::{group_is_well_formed, seq_of, time_of};
use crate::{
	AccessorIndex, Config, Entries, EntriesByCitizen, KeyUsage, KeyUse, NextEntryId, NextSourceId,
	Pallet, SeqIndex, Sources, TimeIndex,
};
use alloc::collections::btree_map::BTreeMap;

impl<T: Config> Pallet<T> {
	/// Check the invariants of the pallet's storage.
	///
	/// ## Expectations:
	/// 1. Entry ids are dense: exactly the ids `0..NextEntryId` are stored.
	/// 2. Every entry is in each of the four indexes under its own keys, once.
	/// 3. Every index item points to a stored entry that carries that key (no dangling index).
	///    Sequence chunks, time groups and official groups are non-empty and sorted; a time or
	///    official group's key names its last id.
	/// 4. Each source's `entries` counter equals its stored entries and `last_seq` is the highest
	///    stored sequence; every entry's source is registered; source ids are dense.
	/// 5. From storage version 3 on, `KeyUse` holds, for each key id the entries carry, their
	///    number and the first and last of them, and nothing else.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let count = NextEntryId::<T>::get();
		let stored = Entries::<T>::iter_keys().count() as u64;
		ensure(stored == count, "number of entries differs from NextEntryId")?;

		// Every item of the chunked indexes, checked for shape and duplicates on the way.
		let mut by_seq = BTreeMap::new();
		for (source, chunk, pairs) in SeqIndex::<T>::iter() {
			ensure(!pairs.is_empty(), "empty sequence chunk")?;
			ensure(pairs.windows(2).all(|w| w[0].0 < w[1].0), "sequence chunk not sorted")?;
			for (low, id) in pairs {
				let seq = seq_of(u64::from_be_bytes(chunk), low);
				ensure(by_seq.insert((source, seq), id).is_none(), "sequence indexed twice")?;
			}
		}
		let mut by_time = BTreeMap::new();
		for (second, last, group) in TimeIndex::<T>::iter() {
			ensure(group_is_well_formed(&group, last), "time group unsorted or under another key")?;
			for (ms, id) in group {
				let ts = time_of(u64::from_be_bytes(second), ms);
				ensure(ms < 1_000 && by_time.insert(id, ts).is_none(), "bad time index item")?;
			}
		}
		let mut by_accessor = BTreeMap::new();
		for (accessor, last, group) in AccessorIndex::<T>::iter() {
			ensure(
				group_is_well_formed(&group, last),
				"official group unsorted or under another key",
			)?;
			for id in group {
				ensure(by_accessor.insert(id, accessor).is_none(), "entry in two official groups")?;
			}
		}
		ensure(by_seq.len() as u64 == count, "sequence index size differs from the entries")?;
		ensure(by_accessor.len() as u64 == count, "official index size differs from the entries")?;
		ensure(by_time.len() as u64 == count, "time index size differs from the entries")?;

		let mut per_source: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
		let mut per_key: BTreeMap<u32, KeyUsage> = BTreeMap::new();
		for id in 0..count {
			let entry = Pallet::<T>::entry(id).ok_or("entry ids are not dense")?;
			let r = &entry.record;
			let key = id.to_be_bytes();
			ensure(
				by_seq.get(&(r.source, r.seq)) == Some(&id),
				"entry missing from the (source, seq) index",
			)?;
			ensure(
				EntriesByCitizen::<T>::contains_key(r.citizen_ref, key),
				"entry missing from the citizen index",
			)?;
			ensure(
				by_accessor.get(&id) == Some(&r.accessor_ref),
				"entry missing from the official index",
			)?;
			ensure(by_time.get(&id) == Some(&r.occurred_at), "entry missing from the time index")?;
			let s = per_source.entry(r.source).or_default();
			s.0 += 1;
			s.1 = s.1.max(r.seq);
			per_key.entry(r.key_id).or_insert_with(|| KeyUsage::starting_at(id)).add(id);
		}
		if Pallet::<T>::on_chain_storage_version() >= StorageVersion::new(3) {
			let kept: BTreeMap<u32, KeyUsage> = KeyUse::<T>::iter().collect();
			ensure(kept == per_key, "KeyUse differs from the entries")?;
		}

		for (citizen, id) in EntriesByCitizen::<T>::iter_keys() {
			let entry = Pallet::<T>::entry(u64::from_be_bytes(id));
			ensure(
				entry.is_some_and(|e| e.record.citizen_ref == citizen),
				"dangling citizen index key",
			)?;
		}
		let sources = NextSourceId::<T>::get();
		ensure(Sources::<T>::iter_keys().count() as u32 == sources, "source ids are not dense")?;
		for (source, info) in Sources::<T>::iter() {
			ensure(source < sources, "source id beyond NextSourceId")?;
			let (entries, last_seq) = per_source.remove(&source).unwrap_or_default();
			ensure(info.entries == entries, "source entry counter is wrong")?;
			ensure(info.last_seq == last_seq, "source last_seq is wrong")?;
		}
		ensure(per_source.is_empty(), "entry of an unregistered source")?;
		Ok(())
	}
}

fn ensure(ok: bool, what: &'static str) -> Result<(), TryRuntimeError> {
	if ok {
		Ok(())
	} else {
		Err(what.into())
	}
}
