//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use crate::sp_runtime::TryRuntimeError;
use crate::{
	Config, Entries, EntriesByAccessor, EntriesByCitizen, EntriesByTime, EntryBySeq, NextEntryId,
	NextSourceId, Pallet, Sources,
};
use alloc::collections::btree_map::BTreeMap;

impl<T: Config> Pallet<T> {
	/// Check the invariants of the pallet's storage.
	///
	/// ## Expectations:
	/// 1. Entry ids are dense: exactly the ids `0..NextEntryId` are stored.
	/// 2. Every entry is in each of the four indexes under its own keys.
	/// 3. Every index key points to a stored entry that carries that key (no dangling index).
	/// 4. Each source's `entries` counter equals its stored entries and `last_seq` is the highest
	///    stored sequence; every entry's source is registered; source ids are dense.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let count = NextEntryId::<T>::get();
		let stored = Entries::<T>::iter_keys().count() as u64;
		ensure(stored == count, "number of entries differs from NextEntryId")?;

		let mut per_source: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
		for id in 0..count {
			let entry = Entries::<T>::get(id).ok_or("entry ids are not dense")?;
			let r = &entry.record;
			let key = id.to_be_bytes();
			ensure(
				EntryBySeq::<T>::get(r.source, r.seq.to_be_bytes()) == Some(id),
				"entry missing from the (source, seq) index",
			)?;
			ensure(
				EntriesByCitizen::<T>::contains_key(r.citizen_ref, key),
				"entry missing from the citizen index",
			)?;
			ensure(
				EntriesByAccessor::<T>::contains_key(r.accessor_ref, key),
				"entry missing from the accessor index",
			)?;
			ensure(
				EntriesByTime::<T>::contains_key(r.occurred_at.to_be_bytes(), key),
				"entry missing from the time index",
			)?;
			let s = per_source.entry(r.source).or_default();
			s.0 += 1;
			s.1 = s.1.max(r.seq);
		}

		let points_back = |id: u64, check: &dyn Fn(&crate::StoredRecord) -> bool| {
			Entries::<T>::get(id).is_some_and(|e| check(&e.record))
		};
		for (source, seq, id) in EntryBySeq::<T>::iter() {
			ensure(
				points_back(id, &|r| r.source == source && r.seq.to_be_bytes() == seq),
				"dangling (source, seq) index key",
			)?;
		}
		for (citizen, id) in EntriesByCitizen::<T>::iter_keys() {
			ensure(
				points_back(u64::from_be_bytes(id), &|r| r.citizen_ref == citizen),
				"dangling citizen index key",
			)?;
		}
		for (accessor, id) in EntriesByAccessor::<T>::iter_keys() {
			ensure(
				points_back(u64::from_be_bytes(id), &|r| r.accessor_ref == accessor),
				"dangling accessor index key",
			)?;
		}
		for (ts, id) in EntriesByTime::<T>::iter_keys() {
			ensure(
				points_back(u64::from_be_bytes(id), &|r| r.occurred_at.to_be_bytes() == ts),
				"dangling time index key",
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
