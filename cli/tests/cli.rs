//! End-to-end tests of the `accesslog` binary against real `accesslog-node --dev` processes.
//!
//! In `--dev`, Alice is the only validator, the whole council, and submitter of source 0
//! (`kcg-household-api`).

use accesslog_client::{
	evidence::{self, Authority, Bundle, JustificationError, ValidatorSet, VerifyError},
	pseudonym::{NationalId, PseudonymKey},
	record::parse_line,
	rpc_types::{hex, parse_hex, EntryJson},
	Submitter, Wait,
};
use accesslog_testing::{self as common, now_ms, synthetic, DevNode};
use std::{
	collections::BTreeSet,
	path::{Path, PathBuf},
	process::{Command, Output},
};

const PSEUDONYM_SECRET: &str = "0x0707070707070707070707070707070707070707070707070707070707070707";

/// A scratch directory removed at the end.
struct Scratch(PathBuf);

impl Scratch {
	fn new(name: &str) -> Self {
		let dir = std::env::temp_dir().join(format!("accesslog-cli-{name}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).unwrap();
		Scratch(dir)
	}
	fn path(&self, name: &str) -> PathBuf {
		self.0.join(name)
	}
}

impl Drop for Scratch {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

fn accesslog(node: &DevNode, key: &str, args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_accesslog"))
		.args(args)
		.env("ACCESSLOG_URL", &node.ws)
		.env("ACCESSLOG_KEY", key)
		.env("ACCESSLOG_PSEUDONYM_KEY", format!("1:{PSEUDONYM_SECRET}"))
		.env_remove("ACCESSLOG_KEY_FILE")
		.env_remove("ACCESSLOG_PSEUDONYM_KEY_FILE")
		.output()
		.expect("run accesslog")
}

fn offline(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_accesslog"))
		.args(args)
		.env("ACCESSLOG_URL", "ws://127.0.0.1:1")
		.output()
		.expect("run accesslog")
}

fn text(out: &Output) -> String {
	format!(
		"exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
		out.status.code(),
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	)
}

fn ok(out: Output) -> Output {
	assert!(out.status.success(), "accesslog failed: {}", text(&out));
	out
}

fn json_entries(out: Output) -> Vec<EntryJson> {
	let out = ok(out);
	serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out)))
}

fn write_lines(path: &Path, lines: impl IntoIterator<Item = String>) {
	let body: String = lines.into_iter().map(|l| l + "\n").collect();
	std::fs::write(path, body).unwrap();
}

#[tokio::test]
async fn submit_1000_records_query_them_back_and_rerun_stores_nothing_twice() {
	let node = DevNode::start().await;
	let dir = Scratch::new("submit");
	// 1,000 records over ~7 minutes, ending well before now.
	let start = chrono::DateTime::from_timestamp_millis(now_ms() as i64 - 3_600_000)
		.unwrap()
		.fixed_offset();
	let records: Vec<_> = synthetic::records(1000, 11, start).collect();
	let file = dir.path("logs.jsonl");
	write_lines(&file, records.iter().map(|r| r.to_json_line()));
	let path = file.to_str().unwrap();

	let out = ok(accesslog(&node, "//Alice", &["submit", path, "--batch", "300"]));
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("1000 lines: 1000 stored, 0 already on chain, 0 rejected"), "{stderr}");

	// By citizen: the most frequent citizen of the file.
	let mut citizens: Vec<&str> = records.iter().map(|r| r.citizen_id.as_str()).collect();
	citizens.sort();
	let citizen = citizens.chunk_by(|a, b| a == b).max_by_key(|c| c.len()).map(|c| c[0]).unwrap();
	let expected = records.iter().filter(|r| r.citizen_id == citizen).count();
	let found =
		json_entries(accesslog(&node, "", &["query", "citizen", citizen, "--format", "json"]));
	assert_eq!(found.len(), expected);
	let key = PseudonymKey::from_hex(1, PSEUDONYM_SECRET).unwrap();
	let reference = hex(&key.citizen_ref(&NationalId::parse(citizen).unwrap()));
	assert!(found.iter().all(|e| e.citizen_ref == reference));

	// By official: the bulk-lookup official has hundreds of entries (several pages of output).
	let official = &records[500].user_id;
	let expected = records.iter().filter(|r| &r.user_id == official).count();
	assert!(expected > 100, "{expected}");
	let found =
		json_entries(accesslog(&node, "", &["query", "official", official, "--format", "json"]));
	assert_eq!(found.len(), expected);

	// By time range: records 100..=299 by their own timestamps.
	let ms = |i: usize| parse_line(&records[i].to_json_line(), u64::MAX / 2).unwrap().occurred_at;
	let (from, to) = (ms(100), ms(299));
	let expected =
		records.iter().enumerate().filter(|(i, _)| (from..=to).contains(&ms(*i))).count();
	let fmt = |t: u64| {
		chrono::DateTime::from_timestamp_millis(t as i64)
			.unwrap()
			.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
	};
	let found = json_entries(accesslog(
		&node,
		"",
		&["query", "time", "--from", &fmt(from), "--to", &fmt(to), "--format", "json"],
	));
	assert_eq!(found.len(), expected);
	assert!(expected >= 200);

	// By agency: every record of one agency (a filter over the whole time range).
	let agency = synthetic::CALLERS[2].0;
	let expected = records.iter().filter(|r| r.agency == agency).count();
	let found =
		json_entries(accesslog(&node, "", &["query", "agency", agency, "--format", "json"]));
	assert_eq!(found.len(), expected);

	// By sequence range.
	let found = json_entries(accesslog(
		&node,
		"",
		&["query", "seq", "--source", "0", "--from", "101", "--to", "350", "--format", "json"],
	));
	assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), (101..=350).collect::<Vec<_>>());

	// CSV has a header and one row per entry; the table is for people.
	let csv = ok(accesslog(
		&node,
		"",
		&["query", "seq", "--source", "0", "--to", "10", "--format", "csv"],
	));
	assert_eq!(String::from_utf8_lossy(&csv.stdout).lines().count(), 11);

	// Rerun: nothing stored twice.
	let out = ok(accesslog(&node, "//Alice", &["submit", path]));
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("1000 lines: 0 stored, 1000 already on chain, 0 rejected"), "{stderr}");
	let stats = node.client().await.query().stats().await.unwrap();
	assert_eq!(stats.entries, 1000);

	// A file mixing hostile lines with new good ones: every bad line is reported with its number,
	// the good ones are stored, the exit code says some were rejected.
	let more: Vec<_> = synthetic::records(1010, 11, start).skip(1000).collect();
	let bad = synthetic::bad_cases(3);
	let mut lines: Vec<String> = Vec::new();
	let mut bad_lines = BTreeSet::new();
	for (i, case) in bad.iter().enumerate() {
		if case.expect == synthetic::Expect::Reject {
			bad_lines.insert(lines.len() as u64 + 1);
			lines.push(case.line.clone());
		}
		if let Some(good) = more.get(i) {
			lines.push(good.to_json_line());
		}
	}
	let mixed = dir.path("mixed.jsonl");
	write_lines(&mixed, lines);
	let out = accesslog(&node, "//Alice", &["submit", mixed.to_str().unwrap()]);
	assert_eq!(out.status.code(), Some(1), "{}", text(&out));
	let stderr = String::from_utf8_lossy(&out.stderr);
	for n in &bad_lines {
		assert!(stderr.contains(&format!("line {n}: ")), "line {n} not reported: {stderr}");
	}
	assert!(
		stderr.contains(&format!("10 stored, 0 already on chain, {} rejected", bad_lines.len())),
		"{stderr}"
	);
	assert_eq!(node.client().await.query().stats().await.unwrap().entries, 1010);
}

#[tokio::test]
async fn evidence_verifies_offline_and_any_tampering_is_caught() {
	let node = DevNode::start().await;
	let dir = Scratch::new("evidence");
	let client = node.client().await;
	let alice = Submitter::new(subxt_signer::sr25519::dev::alice());
	let key = PseudonymKey::from_hex(1, PSEUDONYM_SECRET).unwrap();
	let start =
		chrono::DateTime::from_timestamp_millis(now_ms() as i64 - 600_000).unwrap().fixed_offset();
	let entries: Vec<_> = synthetic::records(3, 5, start)
		.map(|r| parse_line(&r.to_json_line(), now_ms()).unwrap().to_entry(0, &key))
		.collect();
	let receipt = client.submit_batch(&alice, entries, Wait::Finalized).await.unwrap();
	assert_eq!(receipt.entry_ids, vec![0, 1, 2]);

	let bundle_path = dir.path("bundle.json");
	let validators_path = dir.path("validators.json");
	ok(accesslog(&node, "", &["evidence", "--id", "0,2", "--out", bundle_path.to_str().unwrap()]));
	ok(accesslog(&node, "", &["validators", "--out", validators_path.to_str().unwrap()]));
	let bundle_arg = bundle_path.to_str().unwrap();
	let validators_arg = validators_path.to_str().unwrap();

	// Offline (the URL points nowhere): verifies, with the validator file or the chain spec.
	let out = ok(offline(&["verify", bundle_arg, "--validators", validators_arg]));
	assert!(
		String::from_utf8_lossy(&out.stdout).starts_with("VERIFIED: 2 entries"),
		"{}",
		text(&out)
	);
	let spec = Command::new(common::node_binary())
		.args(["export-chain-spec", "--chain", "dev"])
		.output()
		.unwrap();
	assert!(spec.status.success(), "{}", text(&spec));
	let spec_path = dir.path("spec.json");
	std::fs::write(&spec_path, &spec.stdout).unwrap();
	ok(offline(&["verify", bundle_arg, "--chain-spec", spec_path.to_str().unwrap()]));

	let bundle: Bundle =
		serde_json::from_str(&std::fs::read_to_string(&bundle_path).unwrap()).unwrap();
	let validators: ValidatorSet =
		serde_json::from_str(&std::fs::read_to_string(&validators_path).unwrap()).unwrap();
	let verified = evidence::verify(&bundle, &validators).unwrap();
	assert_eq!(verified.entries.iter().map(|e| e.id).collect::<Vec<_>>(), vec![0, 2]);

	// Flip every byte of every part, one at a time: each must fail, naming that part.
	fn flip_each(hex_value: &str, mut check: impl FnMut(String)) {
		let bytes = parse_hex(hex_value).unwrap();
		for i in 0..bytes.len() {
			let mut b = bytes.clone();
			b[i] ^= 0x01;
			check(hex(&b));
		}
	}
	let expect = |b: &Bundle, part: &str| match evidence::verify(b, &validators) {
		Err(e) => assert_eq!(e.part(), part, "{e}"),
		Ok(_) => panic!("a bundle with a flipped {part} byte verified"),
	};
	flip_each(&bundle.block.header, |h| {
		let mut b = bundle.clone();
		b.block.header = h;
		expect(&b, "header");
	});
	flip_each(&bundle.finality.justification, |j| {
		let mut b = bundle.clone();
		b.finality.justification = j;
		expect(&b, "justification");
	});
	for (n, node_hex) in bundle.proof.iter().enumerate() {
		flip_each(node_hex, |p| {
			let mut b = bundle.clone();
			b.proof[n] = p;
			expect(&b, "proof");
		});
	}
	for (n, entry) in bundle.entries.iter().enumerate() {
		flip_each(&entry.value, |v| {
			let mut b = bundle.clone();
			b.entries[n].value = v;
			expect(&b, "entry");
		});
	}
	// The readable copy of an entry cannot be edited either.
	let mut b = bundle.clone();
	b.entries[0].entry.agency = "某機關".into();
	expect(&b, "entry");

	// The CLI reports each part with its own exit code.
	let tampered = |name: &str, edit: &dyn Fn(&mut Bundle)| -> Output {
		let mut b = bundle.clone();
		edit(&mut b);
		let path = dir.path(name);
		std::fs::write(&path, serde_json::to_string(&b).unwrap()).unwrap();
		offline(&["verify", path.to_str().unwrap(), "--validators", validators_arg])
	};
	let flip_first = |s: &str| {
		let mut b = parse_hex(s).unwrap();
		let last = b.len() - 1;
		b[last] ^= 0x80;
		hex(&b)
	};
	for (name, code, edit) in [
		(
			"h.json",
			11,
			&(|b: &mut Bundle| b.block.header = flip_first(&b.block.header))
				as &dyn Fn(&mut Bundle),
		),
		("j.json", 10, &|b: &mut Bundle| {
			b.finality.justification = flip_first(&b.finality.justification)
		}),
		("p.json", 13, &|b: &mut Bundle| b.proof[0] = flip_first(&b.proof[0])),
		("e.json", 14, &|b: &mut Bundle| b.entries[0].value = flip_first(&b.entries[0].value)),
	] {
		let out = tampered(name, edit);
		assert_eq!(out.status.code(), Some(code), "{name}: {}", text(&out));
		assert!(String::from_utf8_lossy(&out.stderr).contains("NOT VERIFIED"), "{}", text(&out));
	}

	// A block the justification does not finalize: the best block, ahead of finality.
	let rpc = client.rpc();
	let best = loop {
		let best: serde_json::Value =
			rpc.request("chain_getHeader", subxt_rpcs::rpc_params![]).await.unwrap();
		let finalized: subxt::utils::H256 =
			rpc.request("chain_getFinalizedHead", subxt_rpcs::rpc_params![]).await.unwrap();
		let finalized: serde_json::Value =
			rpc.request("chain_getHeader", subxt_rpcs::rpc_params![finalized]).await.unwrap();
		if best["number"] != finalized["number"] {
			break evidence::header_from_rpc(&best).unwrap();
		}
		tokio::time::sleep(std::time::Duration::from_millis(200)).await;
	};
	let mut b = bundle.clone();
	b.block.header = hex(&codec::Encode::encode(&best));
	b.block.hash = hex(best.hash().as_ref());
	b.block.number = best.number;
	expect(&b, "not-finalized");
	let out = tampered("nf.json", &|x: &mut Bundle| x.block = b.block.clone());
	assert_eq!(out.status.code(), Some(12), "{}", text(&out));

	// Keys outside the validator set, or another set id: refused.
	let strangers =
		ValidatorSet { set_id: 0, authorities: vec![Authority { id: hex(&[9u8; 32]), weight: 1 }] };
	let err = evidence::verify(&bundle, &strangers).unwrap_err();
	assert!(
		matches!(err, VerifyError::Justification(JustificationError::UnknownSigner { .. }))
			&& err.to_string().contains("not in the validator set"),
		"{err}"
	);
	let strangers_path = dir.path("strangers.json");
	std::fs::write(&strangers_path, serde_json::to_string(&strangers).unwrap()).unwrap();
	let out = offline(&["verify", bundle_arg, "--validators", strangers_path.to_str().unwrap()]);
	assert_eq!(out.status.code(), Some(10), "{}", text(&out));
	let mut later_set = validators.clone();
	later_set.set_id = 1;
	assert_eq!(evidence::verify(&bundle, &later_set).unwrap_err().part(), "justification");
}

/// The hash of the one open council motion, as `admin motions` lists it.
fn only_motion(node: &DevNode) -> String {
	let motions = ok(accesslog(node, "", &["admin", "motions", "--format", "json"]));
	let motions: serde_json::Value = serde_json::from_slice(&motions.stdout).unwrap();
	assert_eq!(motions.as_array().map(Vec::len), Some(1), "{motions}");
	motions[0]["hash"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn governance_through_the_cli_authorizes_and_revokes_a_submitter() {
	let node = DevNode::start().await;
	let dir = Scratch::new("gov");
	let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
	let charlie = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

	// One-member council: Alice's proposal to add Bob executes at once.
	let out = ok(accesslog(&node, "//Alice", &["admin", "add-member", bob]));
	assert!(String::from_utf8_lossy(&out.stdout).contains("executed"), "{}", text(&out));
	let members = ok(accesslog(&node, "", &["admin", "members", "--format", "json"]));
	let members: Vec<String> = serde_json::from_slice(&members.stdout).unwrap();
	assert_eq!(members.len(), 2);

	// Two members: 2/3 needs both. Alice proposes (and votes), Bob votes, Bob closes.
	let out = ok(accesslog(&node, "//Alice", &["admin", "authorize", charlie, "--source", "0"]));
	assert!(String::from_utf8_lossy(&out.stdout).contains("needs 2 of 2 ayes"), "{}", text(&out));
	let hash = only_motion(&node);
	// Closing early fails and says so; nothing changes.
	let early = accesslog(&node, "//Alice", &["admin", "close", &hash]);
	assert_eq!(early.status.code(), Some(21), "{}", text(&early));
	let out = ok(accesslog(&node, "//Bob", &["admin", "vote", &hash]));
	assert!(String::from_utf8_lossy(&out.stdout).contains("approved"), "{}", text(&out));
	ok(accesslog(&node, "//Bob", &["admin", "close", &hash]));

	// Charlie submits.
	let start =
		chrono::DateTime::from_timestamp_millis(now_ms() as i64 - 600_000).unwrap().fixed_offset();
	let file = dir.path("c.jsonl");
	write_lines(&file, synthetic::records(5, 2, start).map(|r| r.to_json_line()));
	let out = ok(accesslog(
		&node,
		"//Charlie",
		&["submit", file.to_str().unwrap(), "--wait", "in-block"],
	));
	assert!(String::from_utf8_lossy(&out.stderr).contains("5 stored"), "{}", text(&out));

	// Revoke: Alice proposes, Bob votes and closes; Charlie is refused.
	ok(accesslog(&node, "//Alice", &["admin", "revoke", charlie]));
	let hash = only_motion(&node);
	ok(accesslog(&node, "//Bob", &["admin", "vote", &hash]));
	ok(accesslog(&node, "//Bob", &["admin", "close", &hash]));
	let submitters = ok(accesslog(&node, "", &["admin", "submitters", "--format", "json"]));
	assert!(String::from_utf8_lossy(&submitters.stdout).contains("\"active\": false"));
	let more = dir.path("more.jsonl");
	write_lines(&more, synthetic::records(8, 2, start).skip(5).map(|r| r.to_json_line()));
	let out = accesslog(&node, "//Charlie", &["submit", more.to_str().unwrap()]);
	assert_eq!(out.status.code(), Some(21), "{}", text(&out));
	assert!(String::from_utf8_lossy(&out.stderr).contains("revoked"), "{}", text(&out));

	// Someone outside the council cannot propose.
	let out =
		accesslog(&node, "//Dave", &["admin", "register-source", "--name", "x", "--agency", "y"]);
	assert_eq!(out.status.code(), Some(21), "{}", text(&out));
}

#[tokio::test]
async fn status_reports_every_node_and_flags_unreachable_ones() {
	let node = DevNode::start().await;
	let out = Command::new(env!("CARGO_BIN_EXE_accesslog"))
		.args(["status", "--format", "json", "--timeout", "3"])
		.env("ACCESSLOG_URL", format!("{},ws://127.0.0.1:1", node.ws))
		.output()
		.unwrap();
	assert_eq!(out.status.code(), Some(25), "{}", text(&out));
	let statuses: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
	assert_eq!(statuses[0]["reachable"], true);
	assert!(statuses[0]["best"].as_u64().unwrap() >= 1);
	assert!(statuses[0]["finalized"].as_u64().is_some());
	assert_eq!(statuses[0]["grandpa_set_id"], 0);
	assert_eq!(statuses[1]["reachable"], false);
}

#[test]
fn keys_are_generated_private_and_inspected_without_the_secret() {
	let dir = Scratch::new("keys");
	let path = dir.path("k.json");
	let out = ok(offline(&["keys", "generate", "--out", path.to_str().unwrap()]));
	let shown = String::from_utf8_lossy(&out.stdout).to_string();
	let file: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
	let secret = file["secret"].as_str().unwrap();
	assert!(!shown.contains(secret.split(' ').next().unwrap()) || secret.is_empty());
	let inspected = ok(offline(&["keys", "inspect", "--key-file", path.to_str().unwrap()]));
	assert_eq!(String::from_utf8_lossy(&inspected.stdout), shown);
	let positional = ok(offline(&["keys", "inspect", path.to_str().unwrap()]));
	assert_eq!(String::from_utf8_lossy(&positional.stdout), shown);
	// Never overwritten.
	let again = offline(&["keys", "generate", "--out", path.to_str().unwrap()]);
	assert_eq!(again.status.code(), Some(22), "{}", text(&again));
}

#[test]
fn generator_output_is_deterministic_and_parses() {
	let a = ok(offline(&["generate", "--count", "50", "--seed", "3"]));
	let b = ok(offline(&["generate", "--count", "50", "--seed", "3"]));
	assert_eq!(a.stdout, b.stdout);
	let text = String::from_utf8(a.stdout).unwrap();
	assert_eq!(text.lines().count(), 50);
	for line in text.lines() {
		parse_line(line, u64::MAX / 2).unwrap();
	}
	let bad = ok(offline(&["generate", "--bad"]));
	let bad = String::from_utf8(bad.stdout).unwrap();
	for line in bad.lines() {
		let mut parts = line.splitn(3, '\t');
		let (expect, reason, record) =
			(parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap_or(""));
		let parsed = parse_line(record, now_ms());
		assert_eq!(parsed.is_ok(), expect == "accept", "{reason}: {parsed:?}");
	}
}
