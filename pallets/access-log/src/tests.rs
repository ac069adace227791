//! Unit tests of the access-log pallet on the mock runtime.

use crate::{
	frame_support::{assert_noop, assert_ok},
	frame_system,
	mock::*,
	sp_runtime::{DispatchError, Perbill},
	AccessorIndex, Entries, EntriesByCitizen, Entry, EntryId, Error, Event, NextEntryId,
	NextSourceId, Page, RecordInput, SeqIndex, Sources, Submitters, TimeIndex, WeightInfo,
	MAX_NAME_LEN, MAX_TEXT_LEN, SEQ_CHUNK_BITS,
};

/// The sequence numbers of a page's entries, in page order.
fn seqs<C>(page: &Page<C, Entry<u64, u64>>) -> Vec<u64> {
	page.items.iter().map(|(_, e)| e.record.seq).collect()
}

fn citizen(n: u8) -> [u8; 32] {
	[n; 32]
}

fn official(n: u8) -> [u8; 32] {
	let mut r = [0xA0; 32];
	r[0] = n;
	r
}

/// A valid record of source 0 with sequence `seq`, about citizen `c`, by official `o`, at
/// `NOW_MS - 1000 + seq`.
fn record(seq: u64, c: u8, o: u8) -> RecordInput {
	RecordInput {
		source: 0,
		seq,
		occurred_at: NOW_MS - 1_000 + seq,
		agency: "高雄市政府社會局".as_bytes().to_vec(),
		system: b"subsidy".to_vec(),
		accessor_ref: official(o),
		citizen_ref: citizen(c),
		key_id: 1,
		action: b"GET /household/v1/persons/{id}".to_vec(),
		purpose: b"019".to_vec(),
		status: 200,
		records: 1,
		record_hash: [seq as u8; 32],
	}
}

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn stored_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::AccessLog(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn genesis_registers_sources_and_submitters() {
	build_and_execute(|| {
		assert_eq!(NextSourceId::<Test>::get(), 2);
		let s = Sources::<Test>::get(0).unwrap();
		assert_eq!(s.name.to_vec(), b"kcg-household-api".to_vec());
		assert!(s.active);
		assert!(AccessLog::is_active_submitter(&SUBMITTER));
		assert!(!AccessLog::is_active_submitter(&STRANGER));
		// Authorization gives the account a provider, so it can hold a nonce.
		assert_eq!(frame_system::Pallet::<Test>::providers(&SUBMITTER), 1);
	});
}

#[test]
fn submit_stores_entry_indexes_and_event() {
	build_and_execute(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 7, 3)));
		assert_eq!(NextEntryId::<Test>::get(), 1);
		let e = AccessLog::entry(0).unwrap();
		assert_eq!(e.submitter, SUBMITTER);
		assert_eq!(e.block, 1);
		assert_eq!(e.record.citizen_ref, citizen(7));
		assert_eq!(e.record.purpose.to_vec(), b"019".to_vec());
		assert!(EntriesByCitizen::<Test>::contains_key(citizen(7), 0u64.to_be_bytes()));
		System::assert_last_event(
			Event::EntriesStored { source: 0, first_entry_id: 0, count: 1 }.into(),
		);
		let s = Sources::<Test>::get(0).unwrap();
		assert_eq!((s.entries, s.last_seq), (1, 1));
	});
}

#[docify::export]
#[test]
fn submit_batch_stores_all_with_consecutive_ids() {
	build_and_execute(|| {
		let batch: Vec<_> = (1..=5).map(|s| record(s, s as u8 % 2, 1)).collect();
		assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), batch));
		assert_eq!(NextEntryId::<Test>::get(), 5);
		for id in 0..5u64 {
			assert_eq!(AccessLog::entry(id).unwrap().record.seq, id + 1);
		}
		// One event for the batch.
		assert_eq!(
			stored_events(),
			vec![Event::EntriesStored { source: 0, first_entry_id: 0, count: 5 }]
		);
		// The next batch continues the ids.
		System::reset_events();
		assert_ok!(AccessLog::submit_batch(
			signed(SUBMITTER),
			vec![record(6, 1, 1), record(7, 1, 1)]
		));
		System::assert_last_event(
			Event::EntriesStored { source: 0, first_entry_id: 5, count: 2 }.into(),
		);
	});
}

#[docify::export]
#[test]
fn skipped_sequence_is_stored_with_gap_event() {
	build_and_execute(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)));
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(5, 1, 1)));
		assert!(stored_events().contains(&Event::SequenceGap { source: 0, first: 2, last: 4 }));
		// Filling the gap later is allowed and emits no new gap.
		System::reset_events();
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(3, 1, 1)));
		assert!(!stored_events().iter().any(|e| matches!(e, Event::SequenceGap { .. })));
		assert_eq!(Sources::<Test>::get(0).unwrap().last_seq, 5);
	});
}

#[test]
fn first_sequence_above_one_reports_gap_from_one() {
	build_and_execute(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(3, 1, 1)));
		assert!(stored_events().contains(&Event::SequenceGap { source: 0, first: 1, last: 2 }));
	});
}

#[test]
fn duplicate_sequence_is_refused() {
	build_and_execute(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)));
		assert_noop!(
			AccessLog::submit(signed(SUBMITTER), record(1, 2, 2)),
			Error::<Test>::DuplicateSequence
		);
	});
}

#[test]
fn batch_with_duplicate_inside_stores_nothing() {
	build_and_execute(|| {
		let batch = vec![record(1, 1, 1), record(2, 1, 1), record(1, 1, 1)];
		assert_noop!(
			AccessLog::submit_batch(signed(SUBMITTER), batch),
			Error::<Test>::DuplicateSequence
		);
	});
}

#[test]
fn batch_with_an_already_stored_record_stores_nothing() {
	build_and_execute(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(2, 1, 1)));
		assert_noop!(
			AccessLog::submit_batch(signed(SUBMITTER), vec![record(1, 1, 1), record(2, 1, 1)]),
			Error::<Test>::DuplicateSequence
		);
	});
}

#[test]
fn unknown_and_revoked_submitters_are_refused() {
	build_and_execute(|| {
		assert_noop!(
			AccessLog::submit(signed(STRANGER), record(1, 1, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(AccessLog::revoke_submitter(RuntimeOrigin::root(), SUBMITTER));
		assert_noop!(
			AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)),
			Error::<Test>::SubmitterRevoked
		);
		assert_noop!(
			AccessLog::submit_batch(signed(SUBMITTER), vec![record(1, 1, 1)]),
			Error::<Test>::SubmitterRevoked
		);
	});
}

#[test]
fn unsigned_submission_is_refused() {
	build_and_execute(|| {
		assert_noop!(
			AccessLog::submit(RuntimeOrigin::none(), record(1, 1, 1)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn record_for_another_source_is_refused() {
	build_and_execute(|| {
		let mut r = record(1, 1, 1);
		r.source = 1;
		assert_noop!(AccessLog::submit(signed(SUBMITTER), r), Error::<Test>::WrongSource);
	});
}

#[test]
fn inactive_source_refuses_entries_until_reactivated() {
	build_and_execute(|| {
		assert_ok!(AccessLog::set_source_active(RuntimeOrigin::root(), 0, false));
		System::assert_last_event(Event::SourceActiveSet { source: 0, active: false }.into());
		assert_noop!(
			AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)),
			Error::<Test>::SourceInactive
		);
		assert_noop!(
			AccessLog::set_source_active(RuntimeOrigin::root(), 0, false),
			Error::<Test>::SourceUnchanged
		);
		assert_ok!(AccessLog::set_source_active(RuntimeOrigin::root(), 0, true));
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)));
	});
}

#[test]
fn future_timestamp_is_refused_but_clock_skew_is_tolerated() {
	build_and_execute(|| {
		let mut r = record(1, 1, 1);
		r.occurred_at = NOW_MS + MaxClockSkewMs::get() + 1;
		assert_noop!(
			AccessLog::submit(signed(SUBMITTER), r.clone()),
			Error::<Test>::TimestampInFuture
		);
		r.occurred_at = NOW_MS + MaxClockSkewMs::get();
		assert_ok!(AccessLog::submit(signed(SUBMITTER), r));
	});
}

#[test]
fn sequence_zero_is_refused() {
	build_and_execute(|| {
		assert_noop!(
			AccessLog::submit(signed(SUBMITTER), record(0, 1, 1)),
			Error::<Test>::InvalidSequence
		);
	});
}

#[test]
fn oversized_fields_are_refused() {
	build_and_execute(|| {
		let long = vec![b'a'; MAX_TEXT_LEN as usize + 1];
		let cases: [fn(&mut RecordInput, Vec<u8>); 4] =
			[|r, v| r.agency = v, |r, v| r.system = v, |r, v| r.action = v, |r, v| r.purpose = v];
		for set in cases {
			let mut r = record(1, 1, 1);
			set(&mut r, long.clone());
			assert_noop!(AccessLog::submit(signed(SUBMITTER), r), Error::<Test>::FieldTooLong);
		}
		let mut r = record(1, 1, 1);
		r.action = vec![b'a'; MAX_TEXT_LEN as usize];
		assert_ok!(AccessLog::submit(signed(SUBMITTER), r));
	});
}

#[test]
fn empty_and_oversized_batches_are_refused() {
	build_and_execute(|| {
		assert_noop!(AccessLog::submit_batch(signed(SUBMITTER), vec![]), Error::<Test>::EmptyBatch);
		let too_many: Vec<_> =
			(1..=MaxBatchSize::get() as u64 + 1).map(|s| record(s, 1, 1)).collect();
		assert_noop!(
			AccessLog::submit_batch(signed(SUBMITTER), too_many),
			Error::<Test>::BatchTooLarge
		);
		let max: Vec<_> = (1..=MaxBatchSize::get() as u64).map(|s| record(s, 1, 1)).collect();
		assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), max));
	});
}

#[test]
fn entry_id_overflow_is_refused() {
	build_and_execute(|| {
		NextEntryId::<Test>::put(u64::MAX);
		assert_noop!(
			AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)),
			Error::<Test>::Overflow
		);
		// Restore a consistent state for the invariant check.
		NextEntryId::<Test>::put(0);
	});
}

#[test]
fn register_source_by_admin_only() {
	build_and_execute(|| {
		assert_noop!(
			AccessLog::register_source(signed(SUBMITTER), b"x".to_vec(), b"y".to_vec()),
			DispatchError::BadOrigin
		);
		assert_ok!(AccessLog::register_source(
			RuntimeOrigin::root(),
			b"tax-api".to_vec(),
			b"finance".to_vec()
		));
		System::assert_last_event(
			Event::SourceRegistered { source: 2, name: b"tax-api".to_vec() }.into(),
		);
		assert_eq!(NextSourceId::<Test>::get(), 3);
	});
}

#[test]
fn register_source_checks_names_and_limit() {
	build_and_execute(|| {
		let root = || RuntimeOrigin::root();
		assert_noop!(
			AccessLog::register_source(root(), vec![], b"y".to_vec()),
			Error::<Test>::EmptyName
		);
		assert_noop!(
			AccessLog::register_source(root(), b"x".to_vec(), vec![]),
			Error::<Test>::EmptyName
		);
		assert_noop!(
			AccessLog::register_source(
				root(),
				vec![b'n'; MAX_NAME_LEN as usize + 1],
				b"y".to_vec()
			),
			Error::<Test>::NameTooLong
		);
		assert_ok!(AccessLog::register_source(root(), b"third".to_vec(), b"y".to_vec()));
		assert_noop!(
			AccessLog::register_source(root(), b"fourth".to_vec(), b"y".to_vec()),
			Error::<Test>::TooManySources
		);
	});
}

#[test]
fn set_source_active_of_unknown_source_is_refused() {
	build_and_execute(|| {
		assert_noop!(
			AccessLog::set_source_active(RuntimeOrigin::root(), 42, false),
			Error::<Test>::UnknownSource
		);
		assert_noop!(
			AccessLog::set_source_active(signed(SUBMITTER), 0, false),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn authorize_and_revoke_manage_providers_and_history() {
	build_and_execute(|| {
		let new = 5u64;
		assert_noop!(
			AccessLog::authorize_submitter(signed(SUBMITTER), new, 0),
			DispatchError::BadOrigin
		);
		assert_noop!(
			AccessLog::authorize_submitter(RuntimeOrigin::root(), new, 7),
			Error::<Test>::UnknownSource
		);
		assert_ok!(AccessLog::authorize_submitter(RuntimeOrigin::root(), new, 0));
		System::assert_last_event(Event::SubmitterAuthorized { who: new, source: 0 }.into());
		assert_eq!(frame_system::Pallet::<Test>::providers(&new), 1);
		assert_noop!(
			AccessLog::authorize_submitter(RuntimeOrigin::root(), new, 1),
			Error::<Test>::AlreadyAuthorized
		);
		assert_ok!(AccessLog::submit(signed(new), record(1, 1, 1)));

		assert_ok!(AccessLog::revoke_submitter(RuntimeOrigin::root(), new));
		System::assert_last_event(Event::SubmitterRevoked { who: new, source: 0 }.into());
		assert_eq!(frame_system::Pallet::<Test>::providers(&new), 0);
		assert!(!Submitters::<Test>::get(new).unwrap().active);
		assert_noop!(
			AccessLog::revoke_submitter(RuntimeOrigin::root(), new),
			Error::<Test>::SubmitterRevoked
		);
		assert_noop!(
			AccessLog::revoke_submitter(RuntimeOrigin::root(), STRANGER),
			Error::<Test>::NotAuthorized
		);
		// The revoked account's entry stays.
		assert_eq!(AccessLog::entry(0).unwrap().submitter, new);
		// It can be authorized again, for another source.
		assert_ok!(AccessLog::authorize_submitter(RuntimeOrigin::root(), new, 1));
		assert_eq!(frame_system::Pallet::<Test>::providers(&new), 1);
	});
}

#[test]
fn queries_page_through_each_index_in_order() {
	build_and_execute(|| {
		// 20 records: citizens alternate 1/2, officials cycle 1..=4.
		for chunk in (1..=20u64).collect::<Vec<_>>().chunks(8) {
			let batch = chunk.iter().map(|&s| record(s, (s % 2 + 1) as u8, (s % 4 + 1) as u8));
			assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), batch.collect()));
		}
		// By citizen 1 (odd... seq % 2 == 0 -> citizen 1): seqs 2,4,...,20 -> ids 1,3,...,19.
		let mut ids = vec![];
		let mut cursor = None;
		loop {
			let page = AccessLog::entries_by_citizen(citizen(1), cursor, 3);
			assert!(page.items.len() <= 3);
			ids.extend(page.items.iter().map(|(id, _)| *id));
			match page.next {
				Some(c) => cursor = Some(c),
				None => break,
			}
		}
		assert_eq!(ids, (1..20).step_by(2).collect::<Vec<u64>>());

		// By official 2 (seq % 4 == 1): seqs 1,5,9,13,17.
		let page = AccessLog::entries_by_accessor(official(2), None, 100);
		let seqs: Vec<_> = page.items.iter().map(|(_, e)| e.record.seq).collect();
		assert_eq!(seqs, vec![1, 5, 9, 13, 17]);
		assert_eq!(page.next, None);

		// By sequence range 5..=12, pages of 5.
		let p1 = AccessLog::entries_by_seq(0, 5, 12, None, 5);
		assert_eq!(
			p1.items.iter().map(|(_, e)| e.record.seq).collect::<Vec<_>>(),
			vec![5, 6, 7, 8, 9]
		);
		assert_eq!(p1.next, Some(9));
		let p2 = AccessLog::entries_by_seq(0, 5, 12, p1.next, 5);
		assert_eq!(
			p2.items.iter().map(|(_, e)| e.record.seq).collect::<Vec<_>>(),
			vec![10, 11, 12]
		);
		assert_eq!(p2.next, None);
		assert!(AccessLog::entries_by_seq(1, 0, u64::MAX, None, 10).items.is_empty());

		// By time: occurred_at = NOW_MS - 1000 + seq; range covering seqs 3..=7.
		let from = NOW_MS - 1_000 + 3;
		let to = NOW_MS - 1_000 + 7;
		let p1 = AccessLog::entries_by_time(from, to, None, 4);
		assert_eq!(
			p1.items.iter().map(|(_, e)| e.record.seq).collect::<Vec<_>>(),
			vec![3, 4, 5, 6]
		);
		let p2 = AccessLog::entries_by_time(from, to, p1.next, 4);
		assert_eq!(p2.items.iter().map(|(_, e)| e.record.seq).collect::<Vec<_>>(), vec![7]);
		assert_eq!(p2.next, None);

		// The ids-only queries walk the same index: the same ids and cursors.
		fn same<C: PartialEq + core::fmt::Debug, E>(ids: Page<C, ()>, entries: Page<C, E>) {
			let ids_of =
				|items: Vec<(EntryId, ())>| items.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
			assert_eq!(ids.next, entries.next);
			assert_eq!(
				ids_of(ids.items),
				entries.items.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
			);
		}
		same(
			AccessLog::ids_by_citizen(citizen(1), Some(5), 3),
			AccessLog::entries_by_citizen(citizen(1), Some(5), 3),
		);
		same(
			AccessLog::ids_by_accessor(official(2), None, 2),
			AccessLog::entries_by_accessor(official(2), None, 2),
		);
		same(
			AccessLog::ids_by_seq(0, 5, 12, Some(6), 4),
			AccessLog::entries_by_seq(0, 5, 12, Some(6), 4),
		);
		same(
			AccessLog::ids_by_time(from, to, p1.next, 4),
			AccessLog::entries_by_time(from, to, p1.next, 4),
		);
		assert_eq!(AccessLog::ids_by_time(from, to, None, 100).items.len(), 5);
	});
}

#[test]
fn equal_timestamps_page_by_entry_id() {
	build_and_execute(|| {
		let batch: Vec<_> = (1..=6)
			.map(|s| {
				let mut r = record(s, 1, 1);
				r.occurred_at = NOW_MS;
				r
			})
			.collect();
		assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), batch));
		let p1 = AccessLog::entries_by_time(NOW_MS, NOW_MS, None, 4);
		assert_eq!(p1.next, Some((NOW_MS, 3)));
		let p2 = AccessLog::entries_by_time(NOW_MS, NOW_MS, p1.next, 4);
		assert_eq!(p2.items.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![4, 5]);
	});
}

#[test]
fn page_size_is_capped() {
	build_and_execute(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)));
		// A limit of 0 still returns one item; huge limits are clamped to MAX_PAGE_SIZE.
		assert_eq!(AccessLog::entries_by_citizen(citizen(1), None, 0).items.len(), 1);
		assert_eq!(AccessLog::entries_by_citizen(citizen(1), None, u32::MAX).items.len(), 1);
	});
}

#[test]
fn try_state_detects_a_dangling_index() {
	new_test_ext().execute_with(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)));
		assert_ok!(AccessLog::do_try_state());
		EntriesByCitizen::<Test>::insert(citizen(9), 0u64.to_be_bytes(), ());
		assert!(AccessLog::do_try_state().is_err());
	});
}

#[test]
fn try_state_detects_a_missing_entry() {
	new_test_ext().execute_with(|| {
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(1, 1, 1)));
		Entries::<Test>::remove(0u64.to_be_bytes());
		assert!(AccessLog::do_try_state().is_err());
	});
}

#[test]
fn sequence_chunks_hold_ranges_across_their_boundaries_and_gap_fills() {
	build_and_execute(|| {
		// 254..=259 straddle the first chunk boundary (256); 1 leaves a gap 2..=253 that 3
		// later fills, out of order, in the first chunk.
		let mut batch: Vec<_> = (254..=259).map(|s| record(s, 1, 1)).collect();
		batch.insert(0, record(1, 1, 1));
		assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), batch));
		assert_eq!(SeqIndex::<Test>::iter_prefix(0).count(), 2);
		assert_ok!(AccessLog::submit(signed(SUBMITTER), record(3, 1, 1)));
		// A duplicate is found in either chunk, also next to records of its own batch.
		for dup in [3, 255, 257] {
			assert_noop!(
				AccessLog::submit_batch(
					signed(SUBMITTER),
					vec![record(600, 1, 1), record(dup, 1, 1)]
				),
				Error::<Test>::DuplicateSequence
			);
		}
		let p1 = AccessLog::entries_by_seq(0, 0, u64::MAX, None, 3);
		assert_eq!((seqs(&p1), p1.next), (vec![1, 3, 254], Some(254)));
		let p2 = AccessLog::entries_by_seq(0, 0, 258, p1.next, 3);
		assert_eq!((seqs(&p2), p2.next), (vec![255, 256, 257], Some(257)));
		let p3 = AccessLog::entries_by_seq(0, 0, 258, p2.next, 3);
		assert_eq!((seqs(&p3), p3.next), (vec![258], None));
		// A range starting inside the second chunk, and one past every sequence.
		assert_eq!(seqs(&AccessLog::entries_by_seq(0, 257, 1_000, None, 10)), vec![257, 258, 259]);
		assert!(AccessLog::entries_by_seq(0, 260, u64::MAX, None, 10).items.is_empty());
		assert!(AccessLog::entries_by_seq(0, 0, u64::MAX, Some(u64::MAX), 10).items.is_empty());
	});
}

#[test]
fn time_groups_answer_by_second_then_entry_id_across_calls() {
	build_and_execute(|| {
		let s0 = NOW_MS - 10_000; // a second boundary: NOW_MS is whole seconds
		let at = |seq: u64, ts: u64| {
			let mut r = record(seq, 1, 1);
			r.occurred_at = ts;
			r
		};
		// Call 1 (ids 0..=2): seconds 0, 1, 0 of the range. Call 2 (ids 3, 4): seconds 1, 0.
		assert_ok!(AccessLog::submit_batch(
			signed(SUBMITTER),
			vec![at(1, s0 + 900), at(2, s0 + 1_100), at(3, s0 + 5)]
		));
		assert_ok!(AccessLog::submit_batch(
			signed(SUBMITTER),
			vec![at(4, s0 + 1_000), at(5, s0 + 1)]
		));
		// One group per call and second.
		assert_eq!(TimeIndex::<Test>::iter_keys().count(), 4);
		let all = AccessLog::entries_by_time(s0, s0 + 1_999, None, 100);
		let ids: Vec<_> = all.items.iter().map(|(id, _)| *id).collect();
		assert_eq!(ids, vec![0, 2, 4, 1, 3]);
		// Paging by two resumes inside a second, between and inside groups.
		let mut paged = vec![];
		let mut cursor = None;
		loop {
			let page = AccessLog::entries_by_time(s0, s0 + 1_999, cursor, 2);
			paged.extend(page.items.iter().map(|(id, _)| *id));
			match page.next {
				Some(c) => cursor = Some(c),
				None => break,
			}
		}
		assert_eq!(paged, ids);
		// Range ends cut inside a second's groups.
		let cut = AccessLog::entries_by_time(s0 + 2, s0 + 1_050, None, 100);
		assert_eq!(cut.items.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![0, 2, 3]);
		assert_eq!(cut.next, None);
	});
}

#[test]
fn batch_weight_refunds_what_a_grouped_batch_does_not_use() {
	build_and_execute(|| {
		let worst = <() as WeightInfo>::submit_batch(4);
		let best = <() as WeightInfo>::submit_batch_grouped(4);
		// What officials beyond the first add, as benchmarked.
		let officials = |a: u32| {
			<() as WeightInfo>::submit_batch_officials(a)
				- <() as WeightInfo>::submit_batch_officials(1)
		};
		assert!(best.ref_time() < worst.ref_time());
		assert!(officials(2).ref_time() > 0);
		// Consecutive, in one second, by one official: the grouped case.
		let grouped: Vec<_> = (1..=4).map(|s| record(s, 1, 1)).collect();
		let info = AccessLog::submit_batch(signed(SUBMITTER), grouped).unwrap();
		assert_eq!(info.actual_weight, Some(best));
		// The same by two officials: one group more.
		let two: Vec<_> = (5..=8).map(|s| record(s, 1, (s % 2) as u8)).collect();
		let info = AccessLog::submit_batch(signed(SUBMITTER), two).unwrap();
		assert_eq!(info.actual_weight, Some(best + officials(2)));
		// An official, a chunk and a second per record: no refund.
		let scattered: Vec<_> = (1..=4u64)
			.map(|k| {
				let mut r = record(k << SEQ_CHUNK_BITS, 1, k as u8);
				r.occurred_at = NOW_MS - k * 1_000;
				r
			})
			.collect();
		let info = AccessLog::submit_batch(signed(SUBMITTER), scattered).unwrap();
		assert_eq!(info.actual_weight, Some(worst));
		// Half-way: two seconds of four records, one chunk, no gap, one official: a third of
		// the excess that is not the officials'.
		let t = NOW_MS - 100_000;
		let half: Vec<_> = (1025..=1028u64)
			.map(|s| {
				let mut r = record(s, 1, 1);
				r.occurred_at = t + (s % 2) * 1_000;
				r
			})
			.collect();
		let info = AccessLog::submit_batch(signed(SUBMITTER), half).unwrap();
		let expected = best + Perbill::from_rational(1u32, 3) * (worst - best - officials(4));
		assert_eq!(info.actual_weight, Some(expected));
	});
}

#[test]
fn official_groups_answer_in_id_order_across_calls() {
	build_and_execute(|| {
		// Call 1 (ids 0..=5): officials 1, 2, 1, 1, 2, 3. Call 2 (ids 6..=9): 2, 1, 2, 1.
		let officials = [1u8, 2, 1, 1, 2, 3, 2, 1, 2, 1];
		let batch = |seqs: core::ops::RangeInclusive<u64>| {
			seqs.map(|s| record(s, 1, officials[s as usize - 1])).collect::<Vec<_>>()
		};
		assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), batch(1..=6)));
		assert_ok!(AccessLog::submit_batch(signed(SUBMITTER), batch(7..=10)));
		// One group per call and official, keyed by its last id.
		assert_eq!(AccessorIndex::<Test>::iter_keys().count(), 5);
		assert_eq!(
			AccessorIndex::<Test>::get(official(1), 3u64.to_be_bytes()).unwrap(),
			vec![0, 2, 3]
		);
		let ids = |o: u8, after: Option<u64>, limit: u32| {
			let page = AccessLog::entries_by_accessor(official(o), after, limit);
			(page.items.iter().map(|(id, _)| *id).collect::<Vec<_>>(), page.next)
		};
		assert_eq!(ids(1, None, 100), (vec![0, 2, 3, 7, 9], None));
		assert_eq!(ids(2, None, 100), (vec![1, 4, 6, 8], None));
		assert_eq!(ids(3, None, 100), (vec![5], None));
		// Paging by two resumes inside a group, at a group's end and across calls.
		assert_eq!(ids(1, None, 2), (vec![0, 2], Some(2)));
		assert_eq!(ids(1, Some(2), 2), (vec![3, 7], Some(7)));
		assert_eq!(ids(1, Some(7), 2), (vec![9], None));
		// A cursor that is not one of the official's ids, and one past them all.
		assert_eq!(ids(2, Some(5), 100), (vec![6, 8], None));
		assert_eq!(ids(2, Some(8), 100), (vec![], None));
		assert_eq!(ids(4, None, 100), (vec![], None));
	});
}

#[test]
fn try_state_detects_broken_chunked_indexes() {
	new_test_ext().execute_with(|| {
		assert_ok!(AccessLog::submit_batch(
			signed(SUBMITTER),
			vec![record(1, 1, 1), record(2, 1, 1)]
		));
		assert_ok!(AccessLog::do_try_state());
		// A sequence item pointing to the wrong entry.
		let chunk = SeqIndex::<Test>::get(0, 0u64.to_be_bytes());
		let mut wrong = chunk.clone();
		wrong[0].1 = 1;
		SeqIndex::<Test>::insert(0, 0u64.to_be_bytes(), wrong);
		assert!(AccessLog::do_try_state().is_err());
		SeqIndex::<Test>::insert(0, 0u64.to_be_bytes(), chunk);
		assert_ok!(AccessLog::do_try_state());
		// A time group under a key that does not name its last id.
		let (second, last, group) = TimeIndex::<Test>::iter().next().unwrap();
		TimeIndex::<Test>::remove(second, last);
		TimeIndex::<Test>::insert(second, 0u64.to_be_bytes(), group.clone());
		assert!(AccessLog::do_try_state().is_err());
		TimeIndex::<Test>::remove(second, 0u64.to_be_bytes());
		TimeIndex::<Test>::insert(second, last, group);
		assert_ok!(AccessLog::do_try_state());
		// An official group that lost an entry, then one filed under another official.
		let (o, last, group) = AccessorIndex::<Test>::iter().next().unwrap();
		AccessorIndex::<Test>::insert(
			o,
			last,
			crate::frame_support::BoundedVec::truncate_from(vec![1u64]),
		);
		assert!(AccessLog::do_try_state().is_err());
		AccessorIndex::<Test>::remove(o, last);
		AccessorIndex::<Test>::insert(official(9), last, group);
		assert!(AccessLog::do_try_state().is_err());
	});
}
