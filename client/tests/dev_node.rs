//! Integration tests against a real `accesslog-node --dev` over real RPC.
//!
//! In `--dev`, Alice is the only validator, the whole council, and submitter of source 0.

use accesslog_client::{
	governance::{self, Proposed},
	query::Query,
	rpc_types::{codes, EntryJson, SummaryJson},
	Client, Error, Submitter, Wait,
};
use accesslog_testing::{now_ms, record, DevNode};
use subxt_signer::sr25519::dev;

fn expect_rpc_code(result: Result<impl std::fmt::Debug, Error>, code: i32) {
	match result {
		Err(Error::Rpc { code: got, .. }) if got == code => {},
		other => panic!("expected RPC error {code}, got {other:?}"),
	}
}

#[tokio::test]
async fn authorized_submission_is_found_by_citizen_accessor_time_and_sequence() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let alice = Submitter::new(dev::alice());
	let t0 = now_ms() - 60_000;

	// Six records: citizens 1,2,1,2,1,2; officials 5,5,5,6,6,6; one millisecond apart.
	let batch: Vec<_> =
		(1..=6u64).map(|s| record(s, (s % 2 + 1) as u8, 5 + (s > 3) as u8, t0 + s)).collect();
	let receipt = client.submit_batch(&alice, batch, Wait::InBlock).await.expect("batch lands");
	assert_eq!(receipt.entry_ids, vec![0, 1, 2, 3, 4, 5]);
	assert!(receipt.gaps.is_empty());

	// A skipped sequence is stored and reported as a gap.
	let receipt =
		client.submit_batch(&alice, vec![record(9, 3, 7, t0 + 9)], Wait::InBlock).await.unwrap();
	assert_eq!(receipt.entry_ids, vec![6]);
	assert_eq!(receipt.gaps, vec![(0, 7, 8)]);

	let q = client.query();
	let by_citizen = q.all(&Query::Citizen([2; 32])).await.unwrap();
	assert_eq!(by_citizen.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 3, 5]);
	assert_eq!(by_citizen[0].agency, "高雄市政府社會局");
	assert_eq!(by_citizen[0].submitter, dev::alice().public_key().to_account_id().to_string());

	let by_official = q.all(&Query::Accessor([6; 32])).await.unwrap();
	assert_eq!(by_official.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5, 6]);

	let by_time = q.all(&Query::Time { from_ms: t0 + 2, to_ms: t0 + 4 }).await.unwrap();
	assert_eq!(by_time.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3, 4]);

	let by_seq = q.all(&Query::Sequence { source: 0, from: 5, to: 100 }).await.unwrap();
	assert_eq!(by_seq.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 6, 9]);

	// Paging: two at a time by citizen 1 (seqs 2, 4, 6).
	let first = q.page(&Query::Citizen([1; 32]), None, Some(2)).await.unwrap();
	assert_eq!(first.items.len(), 2);
	let cursor = first.next_cursor.expect("a second page");
	let second = q.page(&Query::Citizen([1; 32]), Some(cursor), Some(2)).await.unwrap();
	assert_eq!(second.items.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![6]);
	assert_eq!(second.next_cursor, None);

	let sources = q.sources().await.unwrap();
	assert_eq!((sources[0].entries, sources[0].last_seq), (7, 9));
	assert_eq!(q.stats().await.unwrap().entries, 7);
	assert_eq!(q.entry(6).await.unwrap().unwrap().seq, 9);
	assert_eq!(q.entry(7).await.unwrap(), None);
}

/// What a summary of `entries` (only `agency`'s, when given) must say.
fn summary_of(entries: &[EntryJson], agency: Option<&str>) -> SummaryJson {
	let mut expect = SummaryJson::default();
	let count = |list: &mut Vec<(String, u64)>, name: &str| match list
		.iter_mut()
		.find(|(n, _)| n == name)
	{
		Some((_, k)) => *k += 1,
		None => list.push((name.to_string(), 1)),
	};
	for e in entries.iter().filter(|e| agency.is_none_or(|a| e.agency == a)) {
		expect.ids.push(e.id);
		let hour = e.occurred_at - e.occurred_at % 3_600_000;
		match expect.hours.iter_mut().find(|(h, _)| *h == hour) {
			Some((_, k)) => *k += 1,
			None => expect.hours.push((hour, 1)),
		}
		count(&mut expect.agencies, &e.agency);
		count(&mut expect.actions, &e.action);
		count(&mut expect.purposes, &e.purpose);
	}
	for list in [&mut expect.agencies, &mut expect.actions, &mut expect.purposes] {
		list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
	}
	expect.hours.sort();
	expect
}

#[tokio::test]
async fn summaries_count_what_the_entries_say_final_or_not_with_chart_facts_or_without() {
	for options in [&[][..], &["--chart-facts", "0"]] {
		let node = DevNode::start_with(options).await;
		let client = node.client().await;
		let alice = Submitter::new(dev::alice());
		// Across an hour boundary, two agencies and actions; final first, then maybe not yet.
		let t0 = now_ms() - 3_600_000;
		let t0 = t0 - t0 % 3_600_000 + 3_599_997;
		let varied = |s: u64| {
			let mut r = record(s, (s % 3 + 1) as u8, 5, t0 + s);
			if s.is_multiple_of(3) {
				r.agency = "高雄市政府民政局".as_bytes().to_vec();
				r.action = b"POST /household/v1/persons:batchGet".to_vec();
			}
			r
		};
		let first: Vec<_> = (1..=6u64).map(varied).collect();
		client.submit_batch(&alice, first, Wait::Finalized).await.expect("batch lands");
		let then: Vec<_> = (7..=9u64).map(varied).collect();
		client.submit_batch(&alice, then, Wait::InBlock).await.expect("batch lands");

		let q = client.query();
		let range = Query::Time { from_ms: t0, to_ms: t0 + 100 };
		let entries = q.all(&range).await.unwrap();
		assert_eq!(entries.len(), 9);
		let agency = entries[0].agency.clone();
		for _ in 0..2 {
			for only in [None, Some(agency.as_str())] {
				let mut got = q.summary(&range, only, None).await.unwrap();
				assert!(got.at.starts_with("0x"));
				got.at.clear();
				assert_eq!(got, summary_of(&entries, only), "{options:?}, agency {only:?}");
			}
		}
		assert_eq!(summary_of(&entries, None).hours.len(), 2, "the range spans two hours");
		let cut = q.summary(&range, None, Some(4)).await.unwrap();
		assert_eq!((cut.ids.len(), cut.truncated), (4, true));
		assert_eq!(cut.agencies.iter().map(|(_, n)| n).sum::<u64>(), 4, "counts of the ids given");
	}
}

#[tokio::test]
async fn rpc_errors_have_stable_codes() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let q = client.query();
	let citizen = Query::Citizen([1; 32]);
	expect_rpc_code(q.page(&citizen, Some("bogus".into()), None).await, codes::BAD_CURSOR);
	expect_rpc_code(q.page(&citizen, Some("s5".into()), None).await, codes::BAD_CURSOR);
	expect_rpc_code(q.page(&citizen, None, Some(1001)).await, codes::BAD_PAGE_SIZE);
	expect_rpc_code(q.page(&citizen, None, Some(0)).await, codes::BAD_PAGE_SIZE);
	expect_rpc_code(
		q.page(&Query::Time { from_ms: 10, to_ms: 5 }, None, None).await,
		codes::BAD_RANGE,
	);
	let unknown = format!("0x{}", "11".repeat(32));
	expect_rpc_code(client.query().at(unknown).stats().await, codes::UNKNOWN_BLOCK);
	// A malformed reference, straight over JSON-RPC.
	let raw: Result<serde_json::Value, _> =
		client.rpc().request("accessLog_byCitizen", subxt_rpcs::rpc_params!["0x1234"]).await;
	let text = raw.unwrap_err().to_string();
	assert!(text.contains(&codes::BAD_REFERENCE.to_string()), "{text}");
}

#[tokio::test]
async fn unauthorized_signer_is_refused_by_the_pool_with_a_reason() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let bob = Submitter::new(dev::bob());
	let err = client
		.submit_batch(&bob, vec![record(1, 1, 1, now_ms())], Wait::InBlock)
		.await
		.expect_err("Bob is no submitter");
	match &err {
		Error::Refused(reason) => {
			assert!(reason.contains("Invalid signing address"), "unexpected reason: {reason}")
		},
		other => panic!("expected a pool refusal, got {other:?}"),
	}
	// Nothing was stored.
	assert_eq!(client.query().stats().await.unwrap().entries, 0);
}

#[tokio::test]
async fn pallet_errors_reach_the_client() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let alice = Submitter::new(dev::alice());
	client.submit_batch(&alice, vec![record(1, 1, 1, now_ms())], Wait::InBlock).await.unwrap();
	let err = client
		.submit_batch(&alice, vec![record(1, 2, 2, now_ms())], Wait::InBlock)
		.await
		.expect_err("duplicate sequence");
	assert!(matches!(&err, Error::DispatchFailed(m) if m.contains("DuplicateSequence")), "{err}");
	let err = client
		.submit_batch(&alice, vec![record(2, 1, 1, now_ms() + 3_600_000)], Wait::InBlock)
		.await
		.expect_err("future timestamp");
	assert!(matches!(&err, Error::DispatchFailed(m) if m.contains("TimestampInFuture")), "{err}");
	assert_eq!(client.query().stats().await.unwrap().entries, 1);
}

#[tokio::test]
async fn council_vote_authorizes_a_submitter_and_revocation_refuses_it() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let (alice, bob) = (Submitter::new(dev::alice()), Submitter::new(dev::bob()));
	let charlie = Submitter::new(dev::charlie());

	// Alice alone is the council: her proposal to add Bob executes at once.
	let added =
		client.propose(&alice, governance::add_council_member(bob.account_id()), 1).await.unwrap();
	assert_eq!(added, Proposed::Executed(Ok(())));
	let members = client.council_members().await.unwrap();
	assert_eq!(members.len(), 2);
	let threshold = governance::two_thirds(2);
	assert_eq!(threshold, 2);

	// Charlie cannot submit yet.
	let refused =
		client.submit_batch(&charlie, vec![record(1, 1, 1, now_ms())], Wait::InBlock).await;
	assert!(matches!(refused, Err(Error::Refused(_))), "{refused:?}");

	// Alice proposes, both vote aye (the proposer's vote is not implied), Alice closes.
	let Proposed::Open(motion) = client
		.propose(&alice, governance::authorize_submitter(charlie.account_id(), 0), threshold)
		.await
		.unwrap()
	else {
		panic!("a two-member council must vote")
	};
	client.vote(&alice, &motion, true).await.unwrap();
	// One aye of two is below 2/3: closing now is too early.
	let early = client.close(&alice, &motion).await;
	assert!(matches!(&early, Err(Error::DispatchFailed(m)) if m.contains("TooEarly")), "{early:?}");
	client.vote(&bob, &motion, true).await.unwrap();
	assert_eq!(client.close(&alice, &motion).await.unwrap(), Ok(()));
	let submitters = client.query().submitters().await.unwrap();
	assert!(submitters.iter().any(|s| s.account == charlie.account_id().to_string() && s.active));

	let receipt = client
		.submit_batch(&charlie, vec![record(1, 1, 1, now_ms())], Wait::InBlock)
		.await
		.expect("Charlie's submission lands");
	assert_eq!(receipt.entry_ids, vec![0]);

	// Revoke by vote; Charlie is refused by the pool again.
	let Proposed::Open(motion) = client
		.propose(&alice, governance::revoke_submitter(charlie.account_id()), threshold)
		.await
		.unwrap()
	else {
		panic!("a two-member council must vote")
	};
	client.vote(&alice, &motion, true).await.unwrap();
	client.vote(&bob, &motion, true).await.unwrap();
	assert_eq!(client.close(&alice, &motion).await.unwrap(), Ok(()));
	let refused =
		client.submit_batch(&charlie, vec![record(2, 1, 1, now_ms())], Wait::InBlock).await;
	assert!(matches!(refused, Err(Error::Refused(_))), "{refused:?}");
	assert_eq!(client.query().stats().await.unwrap().entries, 1);
}

#[tokio::test]
async fn a_single_council_member_cannot_act_alone_in_a_larger_council() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let (alice, bob) = (Submitter::new(dev::alice()), Submitter::new(dev::bob()));
	client.propose(&alice, governance::add_council_member(bob.account_id()), 1).await.unwrap();
	// With two members, a threshold-1 proposal executes with a 1/2 origin, below 2/3: refused.
	let outcome = client
		.propose(&alice, governance::authorize_submitter(dev::charlie().public_key().into(), 0), 1)
		.await
		.unwrap();
	assert!(matches!(outcome, Proposed::Executed(Err(_))), "{outcome:?}");
	let submitters = client.query().submitters().await.unwrap();
	assert_eq!(submitters.len(), 1, "only Alice, from genesis");
}

#[tokio::test]
async fn reads_at_the_best_block_and_at_old_blocks_do_not_depend_on_subscriptions() {
	// subxt's default backend answers "cannot find the block header" for blocks its
	// `chainHead` subscription has not pinned: the best block a moment after the node names it,
	// or any older block. The client reads through the legacy RPCs, which have no such limit.
	let node = DevNode::start().await;
	let client = node.client().await;
	let alice = Submitter::new(dev::alice());
	let genesis: subxt::utils::H256 =
		client.rpc().request("chain_getBlockHash", subxt_rpcs::rpc_params![0]).await.unwrap();
	for s in 1..=3u64 {
		client.submit_batch(&alice, vec![record(s, 1, 1, now_ms())], Wait::InBlock).await.unwrap();
		// Right after inclusion, the best block (the one holding it) is readable at once.
		for _ in 0..20 {
			assert_eq!(client.council_members().await.expect("read at the best block").len(), 1);
		}
	}
	let at_genesis = client
		.api()
		.at_block(subxt::backend::BlockRef::from_hash(genesis))
		.await
		.expect("the genesis block is readable");
	let next_id = at_genesis
		.storage()
		.fetch(accesslog_client::runtime::storage().access_log().next_entry_id(), ())
		.await
		.expect("storage at genesis")
		.decode()
		.unwrap();
	assert_eq!(next_id, 0, "no entry existed at genesis");
}

#[tokio::test]
async fn checked_in_metadata_matches_the_runtime() {
	let node = DevNode::start().await;
	let client: Client = node.client().await;
	let hex: String =
		client.rpc().request("state_getMetadata", subxt_rpcs::rpc_params![]).await.unwrap();
	let live = decode_hex(&hex);
	let checked_in = include_bytes!("../metadata/accesslog.scale");
	assert!(
		live.as_slice() == checked_in.as_slice(),
		"client/metadata/accesslog.scale differs from the runtime's metadata: run scripts/update-metadata.sh"
	);
}

fn decode_hex(s: &str) -> Vec<u8> {
	let s = s.trim_start_matches("0x");
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
