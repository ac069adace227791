//! Unit tests of the root gate over the mock runtime's real council origins.

use crate::{mock::*, Error, Event, SystemRuntimeChanges};
use polkadot_sdk::{
	frame_support::{
		assert_err_ignore_postinfo, assert_noop, assert_ok, traits::Contains, weights::Weight,
	},
	frame_system, pallet_collective,
	sp_core::H256,
	sp_runtime::{traits::Hash, DispatchError},
};

fn gate_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::RootGate(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn authorize(hash: H256) -> RuntimeCall {
	frame_system::Call::authorize_upgrade { code_hash: hash }.into()
}

fn set_members(members: Vec<u64>) -> RuntimeCall {
	pallet_collective::Call::set_members { new_members: members, prime: None, old_count: 3 }.into()
}

fn gate(call: RuntimeCall) -> Box<RuntimeCall> {
	Box::new(call)
}

#[test]
fn an_everyday_root_call_passes_at_two_thirds() {
	new_test_ext().execute_with(|| {
		let call = set_members(vec![1, 2, 4]);
		let call_hash = <Test as frame_system::Config>::Hashing::hash_of(&call);
		assert_ok!(RootGate::dispatch_as_root(council(2, 3), gate(call)));
		assert_eq!(
			pallet_collective::Members::<Test, pallet_collective::Instance1>::get(),
			[1, 2, 4]
		);
		assert_eq!(gate_events(), [Event::DispatchedAsRoot { call_hash, runtime_change: false }]);
	});
}

#[docify::export]
#[test]
fn an_upgrade_needs_the_upgrade_majority() {
	new_test_ext().execute_with(|| {
		let code_hash = H256::repeat_byte(7);
		// Two of three carry everyday motions, not an upgrade.
		assert_noop!(
			RootGate::dispatch_as_root(council(2, 3), gate(authorize(code_hash))),
			Error::<Test>::NeedsUpgradeMajority
		);
		// Three of three reach 3/4: the upgrade is authorized, and anyone may now apply it.
		assert_ok!(RootGate::dispatch_as_root(council(3, 3), gate(authorize(code_hash))));
		assert_eq!(System::authorized_upgrade().map(|a| *a.code_hash()), Some(code_hash));
		let call_hash = <Test as frame_system::Config>::Hashing::hash_of(&authorize(code_hash));
		assert_eq!(gate_events(), [Event::DispatchedAsRoot { call_hash, runtime_change: true }]);
	});
}

#[test]
fn no_one_but_a_carried_motion_reaches_root() {
	new_test_ext().execute_with(|| {
		let bad_origins = [
			RuntimeOrigin::signed(1),
			RuntimeOrigin::none(),
			// Root itself is no council: a nested dispatch could not pass either.
			RuntimeOrigin::root(),
			council(1, 3),
		];
		for origin in bad_origins {
			assert_noop!(
				RootGate::dispatch_as_root(origin, gate(set_members(vec![4]))),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn a_nested_dispatch_is_refused() {
	new_test_ext().execute_with(|| {
		let inner = crate::Call::<Test>::dispatch_as_root { call: gate(set_members(vec![4])) };
		assert_noop!(
			RootGate::dispatch_as_root(council(3, 3), gate(inner.into())),
			Error::<Test>::Nested
		);
	});
}

#[test]
fn a_failing_inner_call_fails_the_dispatch_and_keeps_nothing() {
	new_test_ext().execute_with(|| {
		// A prime that is no member: the collective's own error comes back.
		let bad_prime: RuntimeCall = pallet_collective::Call::set_members {
			new_members: vec![1, 2, 4],
			prime: Some(9),
			old_count: 3,
		}
		.into();
		// The inner call's weight stays charged (its post info), so compare the error alone.
		let root = polkadot_sdk::sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1);
		assert_err_ignore_postinfo!(
			RootGate::dispatch_as_root(council(2, 3), gate(bad_prime)),
			pallet_collective::Error::<Test, pallet_collective::Instance1>::PrimeAccountNotMember
		);
		assert_eq!(
			polkadot_sdk::sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1),
			root,
			"the failed dispatch changed nothing"
		);
	});
}

#[test]
fn the_runtime_changes_are_the_system_calls_that_touch_code_or_raw_state() {
	let changes: Vec<RuntimeCall> = vec![
		frame_system::Call::set_code { code: vec![] }.into(),
		frame_system::Call::set_code_without_checks { code: vec![] }.into(),
		authorize(H256::zero()),
		frame_system::Call::authorize_upgrade_without_checks { code_hash: H256::zero() }.into(),
		frame_system::Call::set_storage { items: vec![] }.into(),
		frame_system::Call::kill_storage { keys: vec![] }.into(),
		frame_system::Call::kill_prefix { prefix: vec![], subkeys: 0 }.into(),
		frame_system::Call::set_heap_pages { pages: 64 }.into(),
	];
	for call in &changes {
		assert!(SystemRuntimeChanges::<Test>::contains(call), "{call:?}");
	}
	let everyday: Vec<RuntimeCall> = vec![
		frame_system::Call::remark { remark: vec![] }.into(),
		frame_system::Call::apply_authorized_upgrade { code: vec![] }.into(),
		set_members(vec![4]),
	];
	for call in &everyday {
		assert!(!SystemRuntimeChanges::<Test>::contains(call), "{call:?}");
	}
}

/// Propose `call` to the council with `threshold`, vote aye with `ayes`, close: the result of the
/// execution, from the council's `Executed` event.
fn motion(call: RuntimeCall, threshold: u32, ayes: &[u64]) -> Result<(), DispatchError> {
	let proposal = RuntimeCall::RootGate(crate::Call::dispatch_as_root { call: gate(call) });
	let len = codec::Encode::encoded_size(&proposal) as u32;
	let hash = <Test as frame_system::Config>::Hashing::hash_of(&proposal);
	let index = pallet_collective::ProposalCount::<Test, pallet_collective::Instance1>::get();
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(ayes[0]),
		threshold,
		Box::new(proposal),
		len
	));
	for who in ayes {
		assert_ok!(Council::vote(RuntimeOrigin::signed(*who), hash, index, true));
	}
	assert_ok!(Council::close(
		RuntimeOrigin::signed(ayes[0]),
		hash,
		index,
		Weight::from_parts(1_000_000_000, 100_000),
		len
	));
	System::events()
		.into_iter()
		.find_map(|r| match r.event {
			RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result })
				if proposal_hash == hash =>
			{
				Some(result)
			},
			_ => None,
		})
		.expect("the motion was executed")
}

#[test]
fn through_real_motions_an_upgrade_passes_only_with_three_of_three() {
	new_test_ext().execute_with(|| {
		let code_hash = H256::repeat_byte(9);
		assert_eq!(
			motion(authorize(code_hash), 2, &[1, 2]),
			Err(Error::<Test>::NeedsUpgradeMajority.into())
		);
		assert!(System::authorized_upgrade().is_none());
		System::reset_events();
		assert_eq!(motion(authorize(code_hash), 3, &[1, 2, 3]), Ok(()));
		assert_eq!(System::authorized_upgrade().map(|a| *a.code_hash()), Some(code_hash));
	});
}
