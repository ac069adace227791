//! The council's path to a runtime upgrade, against a real `accesslog-node --dev`: a motion
//! dispatched as Root through the root gate, at 3/4 of the council, authorizes a code hash; the
//! chain's own checks then judge the code applied under it.

use accesslog_client::{
	governance::{self, NotExecuted, Proposed},
	upgrade, Client, Error, Submitter, Wait,
};
use accesslog_testing::{now_ms, record, DevNode};
use subxt_signer::sr25519::dev;

/// The runtime code the chain runs (`:code`).
async fn running_code(client: &Client) -> Vec<u8> {
	let hex: String = client
		.rpc()
		.request("state_getStorage", subxt_rpcs::rpc_params!["0x3a636f6465"])
		.await
		.expect(":code is readable");
	hex::decode(hex.trim_start_matches("0x")).expect("hex")
}

#[tokio::test]
async fn an_upgrade_motion_needs_three_quarters_and_the_chain_checks_the_code() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let (alice, bob, charlie) =
		(Submitter::new(dev::alice()), Submitter::new(dev::bob()), Submitter::new(dev::charlie()));
	client.submit_batch(&alice, vec![record(1, 1, 1, now_ms())], Wait::InBlock).await.unwrap();

	// A council of three: Alice adds Bob at once (1 of 1), then Charlie with 2 of 2.
	let added =
		client.propose(&alice, governance::add_council_member(bob.account_id()), 1).await.unwrap();
	assert_eq!(added, Proposed::Executed(Ok(())));
	let outcome = client
		.pass(&[&alice, &bob], governance::add_council_member(charlie.account_id()))
		.await
		.unwrap();
	assert_eq!(outcome, Ok(()));
	assert_eq!(client.council_members().await.unwrap().len(), 3);

	let code = running_code(&client).await;
	upgrade::check_runtime_code(&code).expect(":code is a runtime");
	let code_hash = upgrade::code_hash(&code);
	let motion = upgrade::authorize_upgrade(code_hash);
	assert_eq!(governance::threshold(&motion, 3), 3, "3/4 of three is all three");

	// Carried by two of three (enough for everyday motions): the root gate refuses it.
	let Proposed::Open(m) = client.propose(&alice, motion.clone(), 2).await.unwrap() else {
		panic!("a three-member council must vote")
	};
	client.vote(&alice, &m, true).await.unwrap();
	client.vote(&bob, &m, true).await.unwrap();
	let refused = client.close(&alice, &m).await.unwrap();
	assert!(
		matches!(&refused, Err(NotExecuted::Module { pallet, error, .. })
			if pallet == "RootGate" && error == "NeedsUpgradeMajority"),
		"{refused:?}"
	);
	assert_eq!(client.authorized_upgrade().await.unwrap(), None);

	// With all three: the code hash is authorized.
	assert_eq!(client.pass(&[&alice, &bob, &charlie], motion).await.unwrap(), Ok(()));
	let authorized = client.authorized_upgrade().await.unwrap().expect("authorized");
	assert_eq!(authorized.code_hash, code_hash);
	assert!(authorized.check_version);

	// Other code than the authorized is refused before anything is sent.
	let mut other = code.clone();
	other.push(0);
	let err = client.apply_upgrade(&alice, other).await.unwrap_err();
	assert!(matches!(&err, Error::Invalid(m) if m.contains("but the council authorized")), "{err}");
	let err = client.apply_upgrade(&alice, b"not a runtime".to_vec()).await.unwrap_err();
	assert!(matches!(&err, Error::Invalid(m) if m.starts_with("not a runtime")), "{err}");

	// The authorized code itself reaches the chain, whose checks refuse a runtime that is not
	// newer than the running one: the code is not installed, and the authorization is dropped.
	let before = client.runtime_version().await.unwrap();
	assert_eq!(before.spec_name, "accesslog");
	let err = client.apply_upgrade(&alice, code.clone()).await.unwrap_err();
	assert!(
		matches!(&err, Error::DispatchFailed(m) if m.contains("SpecVersionNeedsToIncrease")),
		"{err}"
	);
	assert_eq!(client.runtime_version().await.unwrap(), before);
	assert_eq!(client.authorized_upgrade().await.unwrap(), None);
	let err = client.apply_upgrade(&alice, code).await.unwrap_err();
	assert!(
		matches!(&err, Error::Invalid(m) if m.starts_with("no upgrade is authorized")),
		"{err}"
	);

	// The chain goes on: entries are still accepted and found.
	client.submit_batch(&alice, vec![record(2, 1, 1, now_ms())], Wait::InBlock).await.unwrap();
	assert_eq!(client.query().stats().await.unwrap().entries, 2);
}

/// Records `seqs` of source 0 made with pseudonym key `key`, about citizens 1 to 3.
fn keyed(
	seqs: std::ops::RangeInclusive<u64>,
	key: u32,
	t0: u64,
) -> Vec<accesslog_client::RecordInput> {
	seqs.map(|s| {
		let mut r = record(s, (s % 3) as u8 + 1, 5, t0 + s);
		r.key_id = key;
		r
	})
	.collect()
}

#[tokio::test]
async fn the_council_upgrades_a_chain_of_release_108_and_the_migration_counts_its_entries() {
	use accesslog_client::{evidence, key_use::KeyUse, query::Query};
	use accesslog_testing::upgrade::{
		chain_spec_with_code, current_runtime, release_runtime, RELEASE_SPEC,
	};
	let dir =
		std::env::temp_dir().join(format!("accesslog-upgrade-{}", accesslog_testing::free_port()));
	std::fs::create_dir_all(&dir).unwrap();
	let spec = chain_spec_with_code("dev", release_runtime(), "release", &dir);
	let node = DevNode::start_with(&["--chain", spec.to_str().unwrap()]).await;
	let client = node.client().await;
	let alice = Submitter::new(dev::alice());
	assert_eq!(client.runtime_version().await.unwrap().spec_version, RELEASE_SPEC);

	// Fifty entries under spec 108: forty with key 1, ten with key 2.
	let t0 = now_ms() - 60_000;
	client.submit_batch(&alice, keyed(1..=40, 1, t0), Wait::InBlock).await.unwrap();
	client.submit_batch(&alice, keyed(41..=50, 2, t0), Wait::Finalized).await.unwrap();
	let before = client.evidence(&[3, 45]).await.expect("a bundle before the upgrade");
	let validators = client.validator_set().await.unwrap();
	assert!(client.key_use().await.unwrap().is_empty(), "spec 108 keeps no KeyUse");

	// The council (Alice alone in --dev) authorizes the new runtime; Alice installs it.
	let code = current_runtime();
	let outcome =
		client.pass(&[&alice], upgrade::authorize_upgrade(upgrade::code_hash(&code))).await;
	assert_eq!(outcome.unwrap(), Ok(()));
	client.apply_upgrade(&alice, code).await.expect("the upgrade is installed");
	let started = std::time::Instant::now();
	while client.runtime_version().await.unwrap().spec_version == RELEASE_SPEC {
		assert!(started.elapsed().as_secs() < 30, "still on spec {RELEASE_SPEC}");
		tokio::time::sleep(std::time::Duration::from_millis(200)).await;
	}
	// The multi-block migration counts the fifty entries stored before.
	let expected = vec![
		KeyUse { key_id: 1, entries: 40, first_entry: 0, last_entry: 39 },
		KeyUse { key_id: 2, entries: 10, first_entry: 40, last_entry: 49 },
	];
	while client.key_use().await.unwrap() != expected {
		assert!(
			started.elapsed().as_secs() < 60,
			"the migration did not count the old entries: {:?}",
			client.key_use().await
		);
		tokio::time::sleep(std::time::Duration::from_millis(200)).await;
	}

	// The client connected before the upgrade goes on submitting; the new runtime counts.
	client.submit_batch(&alice, keyed(51..=55, 2, t0), Wait::Finalized).await.unwrap();
	let key_use = client.key_use().await.unwrap();
	assert_eq!(key_use[1], KeyUse { key_id: 2, entries: 15, first_entry: 40, last_entry: 54 });

	// Old entries: found by citizen; the bundle made before the upgrade verifies, and so does
	// one made now.
	let by_citizen = client.query().all(&Query::Citizen([1; 32])).await.unwrap();
	let seqs: Vec<u64> = by_citizen.iter().map(|e| e.seq).collect();
	assert_eq!(seqs, (1..=55).filter(|s| s % 3 == 0).collect::<Vec<_>>());
	let verified = evidence::verify(&before, &validators).expect("the old bundle verifies");
	assert_eq!(verified.entries.iter().map(|e| e.id).collect::<Vec<_>>(), vec![3, 45]);
	let now = client.evidence(&[3, 52]).await.unwrap();
	evidence::verify(&now, &client.validator_set().await.unwrap()).expect("a new bundle verifies");
	let _ = std::fs::remove_dir_all(&dir);
}
