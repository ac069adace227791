//! Unit tests of the validator-set pallet against the mock runtime.

use crate::{mock::*, pallet_grandpa, Error, Event, NextChangeForced, Validators};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

fn accounts() -> Vec<u64> {
	ValidatorSet::accounts()
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::ValidatorSet(e) => Some(e),
			_ => None,
		})
		.expect("a validator-set event")
}

#[test]
fn genesis_gives_aura_and_grandpa_the_validators_keys() {
	new_test_ext().execute_with(|| {
		assert_eq!(accounts(), vec![1, 2, 3]);
		assert_eq!(aura_authorities(), vec![aura(1), aura(2), aura(3)]);
		assert_eq!(grandpa_authorities(), vec![grandpa(1), grandpa(2), grandpa(3)]);
		assert_eq!(Grandpa::current_set_id(), 0);
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn an_added_validator_authors_and_votes_from_the_next_block() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4, aura(4), grandpa(4)));
		System::assert_last_event(Event::ValidatorAdded { who: 4 }.into());
		assert_eq!(accounts(), vec![1, 2, 3, 4]);
		// Nothing changes for consensus within the block that voted.
		assert_eq!(aura_authorities().len(), 3);
		assert_eq!(Grandpa::current_set_id(), 0);

		next_block();
		assert_eq!(aura_authorities(), vec![aura(1), aura(2), aura(3), aura(4)]);
		let pending = pallet_grandpa::PendingChange::<Test>::get().expect("a scheduled change");
		assert_eq!(pending.scheduled_at, 2);
		assert_eq!(pending.delay, 0);
		assert!(pending.forced.is_none());
		assert_eq!(Grandpa::current_set_id(), 1);
		assert_eq!(
			last_event(),
			Event::ValidatorSetApplied {
				validators: vec![1, 2, 3, 4].try_into().unwrap(),
				grandpa_set_id: 1,
				forced: false,
			}
		);

		// GRANDPA enacts the standard change at the end of the signalling block.
		next_block();
		assert_eq!(grandpa_authorities(), vec![grandpa(1), grandpa(2), grandpa(3), grandpa(4)]);
		assert!(pallet_grandpa::PendingChange::<Test>::get().is_none());
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn a_removed_validator_stops_from_the_next_block() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { who: 2 }.into());
		next_block();
		next_block();
		assert_eq!(accounts(), vec![1, 3]);
		assert_eq!(aura_authorities(), vec![aura(1), aura(3)]);
		assert_eq!(grandpa_authorities(), vec![grandpa(1), grandpa(3)]);
		assert_eq!(Grandpa::current_set_id(), 1);
	});
}

#[test]
fn changes_voted_in_one_block_become_one_new_set() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4, aura(4), grandpa(4)));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		next_block();
		assert_eq!(Grandpa::current_set_id(), 1, "one GRANDPA change for both");
		assert_eq!(aura_authorities(), vec![aura(2), aura(3), aura(4)]);
		next_block();
		assert_eq!(grandpa_authorities(), vec![grandpa(2), grandpa(3), grandpa(4)]);
		// Nothing more to apply.
		next_block();
		assert_eq!(Grandpa::current_set_id(), 1);
	});
}

#[test]
fn set_keys_replaces_a_validators_keys() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::set_keys(RuntimeOrigin::root(), 2, aura(22), grandpa(22)));
		System::assert_last_event(Event::KeysChanged { who: 2 }.into());
		next_block();
		next_block();
		assert_eq!(aura_authorities(), vec![aura(1), aura(22), aura(3)]);
		assert_eq!(grandpa_authorities(), vec![grandpa(1), grandpa(22), grandpa(3)]);
		// Keeping one's own keys is not a conflict.
		assert_ok!(ValidatorSet::set_keys(RuntimeOrigin::root(), 2, aura(22), grandpa(23)));
	});
}

#[test]
fn a_forced_change_is_signalled_with_its_delay_and_median() {
	new_test_ext().execute_with(|| {
		for _ in 0..9 {
			next_block();
		}
		// Block 10: validator 3 is gone; finality stalled at block 4. Forcing alone changes
		// nothing; the removal that follows is what is forced.
		assert_ok!(ValidatorSet::force_change(RuntimeOrigin::root(), 5, 4));
		System::assert_last_event(
			Event::ForcedChangeRequested { delay: 5, best_finalized: 4 }.into(),
		);
		next_block();
		assert!(pallet_grandpa::PendingChange::<Test>::get().is_none());
		assert_eq!(aura_authorities().len(), 3);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		next_block();
		let pending = pallet_grandpa::PendingChange::<Test>::get().expect("a scheduled change");
		assert_eq!((pending.scheduled_at, pending.delay, pending.forced), (12, 5, Some(4)));
		assert_eq!(
			last_event(),
			Event::ValidatorSetApplied {
				validators: vec![1, 2].try_into().unwrap(),
				grandpa_set_id: 1,
				forced: true,
			}
		);
		assert!(NextChangeForced::<Test>::get().is_none());
		// Aura drops the lost validator at once: no more empty slots.
		assert_eq!(aura_authorities(), vec![aura(1), aura(2)]);

		// A change voted while the forced one matures waits for it.
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4, aura(4), grandpa(4)));
		next_block();
		assert_eq!(Grandpa::current_set_id(), 1, "deferred while a change is pending");
		for _ in 0..5 {
			next_block();
		}
		// Enacted at 17 (12 + 5), then the deferred change applied at 18.
		assert_eq!(Grandpa::current_set_id(), 2);
		assert_eq!(aura_authorities(), vec![aura(1), aura(2), aura(4)]);
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn forced_changes_are_rate_limited_by_grandpa() {
	new_test_ext().execute_with(|| {
		for _ in 0..9 {
			next_block();
		}
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_ok!(ValidatorSet::force_change(RuntimeOrigin::root(), 5, 4));
		next_block();
		// Next forced change allowed from 11 + 2 * 5 = 21 on.
		assert_noop!(
			ValidatorSet::force_change(RuntimeOrigin::root(), 5, 9),
			Error::<Test>::ForcedChangeTooSoon
		);
	});
}

#[test]
fn bad_calls_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 4, aura(4), grandpa(4)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::force_change(RuntimeOrigin::signed(1), 5, 0),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 2, aura(9), grandpa(9)),
			Error::<Test>::AlreadyValidator
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 4, aura(2), grandpa(4)),
			Error::<Test>::KeyInUse
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 4, aura(4), grandpa(3)),
			Error::<Test>::KeyInUse
		);
		assert_noop!(
			ValidatorSet::set_keys(RuntimeOrigin::root(), 1, aura(2), grandpa(1)),
			Error::<Test>::KeyInUse
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			ValidatorSet::set_keys(RuntimeOrigin::root(), 9, aura(9), grandpa(9)),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			ValidatorSet::force_change(RuntimeOrigin::root(), 5, 2),
			Error::<Test>::BadFinalizedBlock
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4, aura(4), grandpa(4)));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5, aura(5), grandpa(5)),
			Error::<Test>::TooManyValidators
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(Validators::<Test>::get().len(), 2);
	});
}
