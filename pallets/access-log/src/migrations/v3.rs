//! Storage version 2 → 3: [`KeyUse`], what each pseudonymisation key covers,
//! counted from every entry stored before the upgrade.
//!
//! Version 3 keeps [`KeyUse`] up to date as entries are stored; this migration
//! counts the entries a chain stored under version 2, in id order, as many per block as the
//! migration weight allows (a chain of a million entries takes a few dozen blocks; blocks are
//! produced and finalized meanwhile, transactions wait in the pool). Its cursor is the next entry
//! id to count. It ends by writing storage version 3; on a chain already at 3 it does nothing.

use crate::{
	frame_support::{
		migrations::{MigrationId, SteppedMigration, SteppedMigrationError},
		traits::{Get, GetStorageVersion, StorageVersion},
		weights::{Weight, WeightMeter},
	},
	Config, Entries, EntryId, KeyUsage, KeyUse, NextEntryId, Pallet,
};
use alloc::collections::btree_map::BTreeMap;
use core::marker::PhantomData;

/// The identifier `pallet-migrations` knows this migration by.
pub const ID: MigrationId<18> =
	MigrationId { pallet_id: *b"access-log-key-use", version_from: 2, version_to: 3 };

/// CPU time of decoding one entry and counting it (an upper estimate: an entry is about 300
/// bytes of SCALE; its storage read is charged separately, at the runtime's database weight).
const DECODE_PER_ENTRY: Weight = Weight::from_parts(5_000_000, 0);

/// Counts every entry stored before version 3 into [`KeyUse`].
pub struct BackfillKeyUse<T>(PhantomData<T>);

impl<T: Config> BackfillKeyUse<T> {
	fn per_entry() -> Weight {
		T::DbWeight::get().reads(1).saturating_add(DECODE_PER_ENTRY)
	}

	/// Reading and then writing one key's [`KeyUsage`].
	fn per_key() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}

	/// What a step needs at least: the entry count, one entry, its key, the version.
	fn minimum() -> Weight {
		T::DbWeight::get()
			.reads_writes(1, 1)
			.saturating_add(Self::per_entry())
			.saturating_add(Self::per_key())
	}
}

impl<T: Config> SteppedMigration for BackfillKeyUse<T> {
	type Cursor = EntryId;
	type Identifier = MigrationId<18>;

	fn id() -> Self::Identifier {
		ID
	}

	fn step(
		cursor: Option<EntryId>,
		meter: &mut WeightMeter,
	) -> Result<Option<EntryId>, SteppedMigrationError> {
		if Pallet::<T>::on_chain_storage_version() != StorageVersion::new(2) {
			// A chain started at version 3 keeps `KeyUse` from its first entry on.
			return Ok(None);
		}
		let required = Self::minimum();
		if meter.try_consume(required).is_err() {
			return Err(SteppedMigrationError::InsufficientWeight { required });
		}
		// Constant during the migration: no transaction is applied until it ends.
		let end = NextEntryId::<T>::get();
		let start = cursor.unwrap_or(0);
		let mut id = start;
		let mut counted: BTreeMap<u32, KeyUsage> = BTreeMap::new();
		// `minimum` paid for the first entry and its key.
		let mut paid_entry = true;
		while id < end {
			if !paid_entry && meter.try_consume(Self::per_entry()).is_err() {
				break;
			}
			paid_entry = false;
			// Ids are dense (`try_state` checks it): a missing one means corrupt state, and
			// counting around it would make the counts wrong for good.
			let entry = Entries::<T>::get(id.to_be_bytes()).ok_or(SteppedMigrationError::Failed)?;
			let key_id = entry.record.key_id;
			if !counted.contains_key(&key_id) {
				if !counted.is_empty() && meter.try_consume(Self::per_key()).is_err() {
					break;
				}
				let usage = KeyUse::<T>::get(key_id).unwrap_or(KeyUsage::starting_at(id));
				counted.insert(key_id, usage);
			}
			counted.get_mut(&key_id).expect("inserted above; qed").add(id);
			id += 1;
		}
		for (key_id, usage) in counted {
			KeyUse::<T>::insert(key_id, usage);
		}
		if id >= end {
			StorageVersion::new(3).put::<Pallet<T>>();
			log::info!(
				target: crate::LOG_TARGET,
				"storage version 3: counted the key use of {end} entries"
			);
			return Ok(None);
		}
		if id == start {
			return Err(SteppedMigrationError::InsufficientWeight {
				required: required.saturating_add(Self::per_entry()),
			});
		}
		Ok(Some(id))
	}

	/// The use of each key, counted over every entry in a single pass.
	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, crate::sp_runtime::TryRuntimeError> {
		use codec::Encode;
		Ok(count_all::<T>().encode())
	}

	/// `KeyUse` equals the single-pass count, and the version is 3.
	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), crate::sp_runtime::TryRuntimeError> {
		use codec::Decode;
		let expected = BTreeMap::<u32, KeyUsage>::decode(&mut &state[..])
			.map_err(|_| "cannot decode the pre-upgrade count")?;
		let got: BTreeMap<u32, KeyUsage> = KeyUse::<T>::iter().collect();
		crate::frame_support::ensure!(got == expected, "KeyUse differs from the entries");
		crate::frame_support::ensure!(
			Pallet::<T>::on_chain_storage_version() == StorageVersion::new(3),
			"storage version is not 3"
		);
		Ok(())
	}
}

/// The use of each key over every stored entry, in one pass (for checks, not for blocks).
#[cfg(any(feature = "try-runtime", test))]
pub fn count_all<T: Config>() -> BTreeMap<u32, KeyUsage> {
	let mut counted: BTreeMap<u32, KeyUsage> = BTreeMap::new();
	for id in 0..NextEntryId::<T>::get() {
		if let Some(entry) = Entries::<T>::get(id.to_be_bytes()) {
			counted.entry(entry.record.key_id).or_insert_with(|| KeyUsage::starting_at(id)).add(id);
		}
	}
	counted
}
