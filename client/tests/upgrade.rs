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
	assert!(
		matches!(&err, Error::Invalid(m) if m.contains("but the council authorized")),
		"{err}"
	);
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
	assert!(matches!(&err, Error::Invalid(m) if m.starts_with("no upgrade is authorized")), "{err}");

	// The chain goes on: entries are still accepted and found.
	client.submit_batch(&alice, vec![record(2, 1, 1, now_ms())], Wait::InBlock).await.unwrap();
	assert_eq!(client.query().stats().await.unwrap().entries, 2);
}
