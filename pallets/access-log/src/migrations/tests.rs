//! Unit tests of the migrations on the mock runtime: the backfill of a version-2 chain gives
//! exactly what storing under version 3 keeps.

use crate::{
	frame_support::{
		migrations::{SteppedMigration, SteppedMigrationError},
		traits::{GetStorageVersion, StorageVersion},
		weights::{Weight, WeightMeter},
	},
	migrations::v3::{count_all, BackfillKeyUse},
	mock::*,
	Entries, KeyUsage, KeyUse, Pallet, RecordInput,
};
use alloc::collections::btree_map::BTreeMap;

/// A record of source 0 with `seq`, made with pseudonym key `key`.
fn keyed(seq: u64, key: u32) -> RecordInput {
	RecordInput {
		source: 0,
		seq,
		occurred_at: NOW_MS - 1_000 + seq,
		agency: b"agency".to_vec(),
		system: b"system".to_vec(),
		accessor_ref: [7; 32],
		citizen_ref: [seq as u8; 32],
		key_id: key,
		action: b"GET /x".to_vec(),
		purpose: b"019".to_vec(),
		status: 200,
		records: 1,
		record_hash: [1; 32],
	}
}

fn store(records: Vec<RecordInput>) {
	crate::frame_support::assert_ok!(AccessLog::submit_batch(
		RuntimeOrigin::signed(SUBMITTER),
		records
	));
}

fn kept() -> BTreeMap<u32, KeyUsage> {
	KeyUse::<Test>::iter().collect()
}

/// Make the state what a version-2 chain holds: the same entries, no `KeyUse`.
fn as_version_2() {
	let _ = KeyUse::<Test>::clear(u32::MAX, None);
	StorageVersion::new(2).put::<Pallet<Test>>();
}

/// Weight for `n` entries of one key in a step.
fn weight_for(n: u64) -> Weight {
	// The mock's database weights are zero: what is metered is the decoding.
	Weight::from_parts(5_000_000 * n, 0)
}

/// Run the migration to its end with `limit` per step; the number of steps.
fn run_to_end(limit: Weight) -> u32 {
	let mut cursor = None;
	for steps in 1..1_000 {
		let mut meter = WeightMeter::with_limit(limit);
		cursor = BackfillKeyUse::<Test>::transactional_step(cursor, &mut meter).unwrap();
		if cursor.is_none() {
			return steps;
		}
	}
	panic!("the migration did not end");
}

#[test]
fn storing_keeps_each_keys_count_first_and_last_entry() {
	build_and_execute(|| {
		store((1..=3).map(|s| keyed(s, 1)).collect());
		store(vec![keyed(4, 2), keyed(5, 1), keyed(6, 2)]);
		assert_eq!(
			kept(),
			BTreeMap::from([
				(1, KeyUsage { entries: 4, first_entry: 0, last_entry: 4 }),
				(2, KeyUsage { entries: 2, first_entry: 3, last_entry: 5 }),
			])
		);
	});
}

#[test]
fn the_backfill_counts_a_version_2_chain_as_storing_would_have() {
	build_and_execute(|| {
		store((1..=7).map(|s| keyed(s, 1 + (s % 3) as u32)).collect());
		store((8..=12).map(|s| keyed(s, 9)).collect());
		let expected = kept();
		assert_eq!(expected, count_all::<Test>());
		as_version_2();
		// Three entries a step: twelve entries take four steps.
		assert_eq!(run_to_end(weight_for(3)), 4);
		assert_eq!(kept(), expected);
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(3));
		// Storing goes on from the counts the migration left.
		store(vec![keyed(13, 9)]);
		assert_eq!(kept()[&9], KeyUsage { entries: 6, first_entry: 7, last_entry: 12 });
	});
}

#[test]
fn a_step_without_weight_for_one_entry_is_refused_and_changes_nothing() {
	build_and_execute(|| {
		store((1..=2).map(|s| keyed(s, 1)).collect());
		let expected = kept();
		as_version_2();
		let mut meter = WeightMeter::with_limit(weight_for(1) - Weight::from_parts(1, 0));
		assert_eq!(
			BackfillKeyUse::<Test>::transactional_step(None, &mut meter),
			Err(SteppedMigrationError::InsufficientWeight { required: weight_for(1) })
		);
		assert!(kept().is_empty());
		assert_eq!(run_to_end(weight_for(1)), 2);
		assert_eq!(kept(), expected);
	});
}

#[test]
fn on_a_chain_at_version_3_the_backfill_does_nothing() {
	build_and_execute(|| {
		store(vec![keyed(1, 4)]);
		let expected = kept();
		let mut meter = WeightMeter::with_limit(weight_for(100));
		assert_eq!(BackfillKeyUse::<Test>::step(None, &mut meter), Ok(None));
		assert_eq!(meter.consumed(), Weight::zero());
		assert_eq!(kept(), expected);
	});
}

#[test]
fn a_missing_entry_fails_the_migration_and_keeps_nothing_of_the_step() {
	new_test_ext().execute_with(|| {
		store((1..=3).map(|s| keyed(s, 1)).collect());
		as_version_2();
		Entries::<Test>::remove(1u64.to_be_bytes());
		let mut meter = WeightMeter::with_limit(weight_for(10));
		assert_eq!(
			BackfillKeyUse::<Test>::transactional_step(None, &mut meter),
			Err(SteppedMigrationError::Failed)
		);
		assert!(kept().is_empty());
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(2));
	});
}

#[cfg(feature = "try-runtime")]
#[test]
fn the_try_runtime_checks_pass_around_the_backfill() {
	build_and_execute(|| {
		store((1..=5).map(|s| keyed(s, 1 + (s % 2) as u32)).collect());
		as_version_2();
		let state = BackfillKeyUse::<Test>::pre_upgrade().unwrap();
		// Before the migration ends, the post-upgrade check fails: it can fail.
		assert!(BackfillKeyUse::<Test>::post_upgrade(state.clone()).is_err());
		run_to_end(weight_for(2));
		BackfillKeyUse::<Test>::post_upgrade(state).unwrap();
	});
}
