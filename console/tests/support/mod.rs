//! A console against a real dev node, for this crate's integration tests: the console's own
//! audit source registered and authorized through the council, generated access records stored
//! (one of them hostile), the console started in-process with two local users.

#![allow(dead_code)]

use accesslog_client::{
	governance, pseudonym::PseudonymKey, record::parse_line, Client, Submitter, Wait,
};
use accesslog_console::{auth::hash_password, config::Config, Console};
use accesslog_testing::{
	now_ms,
	synthetic::{parse_start, records, GenRecord},
	DevNode,
};
use subxt_signer::sr25519::dev;

/// The auditor's login.
pub const AUDITOR: (&str, &str) = ("audit-lin", "correct horse battery staple");
/// The operator's login.
pub const OPERATOR: (&str, &str) = ("ops-chen", "tr0ub4dor&3 operator");
/// The agency of the hostile record.
pub const HOSTILE_AGENCY: &str = "<script>window.__pwned=1</script>";
/// The system of the hostile record (a spreadsheet formula).
pub const HOSTILE_SYSTEM: &str = "=HYPERLINK(\"http://x.invalid\",\"x\")";
/// The address of the single sign-on proxy the console trusts (a loopback address of its own,
/// so that requests from 127.0.0.1 show headers from an untrusted address are ignored).
pub const SSO_PROXY: &str = "127.0.0.2";
/// The organisation's pseudonymisation key in these tests.
pub const KEY_SECRET: [u8; 32] = [7; 32];

/// Everything a test needs.
pub struct Setup {
	/// The node (stopped on drop).
	pub node: DevNode,
	/// A client of it.
	pub client: Client,
	/// The pseudonymisation key.
	pub key: PseudonymKey,
	/// The generated records, as stored (source 0, seq from 1).
	pub records: Vec<GenRecord>,
	/// Their entry ids, by position.
	pub entry_ids: Vec<u64>,
	/// The console's audit source id.
	pub audit_source: u32,
	/// The running console.
	pub console: Console,
	/// Its base URL.
	pub url: String,
	/// Files of the configuration (removed on drop).
	pub dir: tempfile::TempDir,
}

/// The national ID that the most records name, and how many do.
pub fn busiest_citizen(records: &[GenRecord]) -> (String, usize) {
	let mut counts = std::collections::BTreeMap::<&str, usize>::new();
	for r in records {
		*counts.entry(&r.citizen_id).or_default() += 1;
	}
	let (id, n) = counts.into_iter().max_by_key(|(_, n)| *n).expect("records; qed");
	(id.to_string(), n)
}

/// A time range (the search form's `from` and `to`, minutes in Taiwan time) holding every record.
pub fn range_of(records: &[GenRecord]) -> (String, String) {
	let times: Vec<chrono::DateTime<chrono::FixedOffset>> =
		records.iter().map(|r| chrono::DateTime::parse_from_rfc3339(&r.ts).unwrap()).collect();
	let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
	let min = times.iter().min().unwrap().with_timezone(&tz);
	let max = times.iter().max().unwrap().with_timezone(&tz) + chrono::Duration::minutes(1);
	(min.format("%Y-%m-%dT%H:%M").to_string(), max.format("%Y-%m-%dT%H:%M").to_string())
}

/// Start a node, store `count` generated records, register the audit source and start the
/// console.
pub async fn setup(count: u64) -> Setup {
	let node = DevNode::start().await;
	let client = node.client().await;
	let alice = Submitter::new(dev::alice());
	client
		.pass(&[&alice], governance::register_source("accesslog-console", "高雄市政府政風處"))
		.await
		.unwrap()
		.unwrap();
	let sources = client.query().sources().await.unwrap();
	let audit_source = sources.iter().find(|s| s.name == "accesslog-console").unwrap().id;
	client
		.pass(
			&[&alice],
			governance::authorize_submitter(dev::bob().public_key().into(), audit_source),
		)
		.await
		.unwrap()
		.unwrap();

	let key = PseudonymKey::new(1, &KEY_SECRET).unwrap();
	// Two hours ago, so that the records lie before anything the tests do.
	let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
	let start = (chrono::Utc::now() - chrono::Duration::hours(2)).with_timezone(&tz);
	let start = parse_start(&start.to_rfc3339()).unwrap();
	let mut records: Vec<GenRecord> = records(count, 11, start).collect();
	records[3].agency = HOSTILE_AGENCY.into();
	records[3].system = HOSTILE_SYSTEM.into();
	let now = now_ms();
	let mut entry_ids = Vec::new();
	for chunk in records.chunks(250) {
		let entries = chunk
			.iter()
			.map(|r| parse_line(&r.to_json_line(), now).unwrap().to_entry(0, &key))
			.collect();
		let receipt = client.submit_batch(&alice, entries, Wait::Finalized).await.unwrap();
		entry_ids.extend(receipt.entry_ids);
	}

	let dir = tempfile::tempdir().unwrap();
	let key_file = dir.path().join("pseudonym-key.json");
	let secret = accesslog_client::rpc_types::hex(&KEY_SECRET);
	accesslog_client::keys::write_private_file(
		&key_file,
		&format!("{{\"key_id\":1,\"secret\":\"{secret}\"}}"),
	)
	.unwrap();
	// The submitter key of the audit source, from the environment (Bob, on the dev chain).
	std::env::set_var("ACCESSLOG_CONSOLE_TEST_SUBMITTER", "//Bob");
	let config = format!(
		"listen = \"127.0.0.1:0\"\nnodes = [\"{}\"]\nsecure_cookies = false\n\
		 [[users]]\nname = \"{}\"\nrole = \"auditor\"\npassword_argon2 = \"{}\"\n\
		 [[users]]\nname = \"{}\"\nrole = \"operator\"\npassword_argon2 = \"{}\"\n\
		 [[pseudonym_keys]]\nkey_file = {:?}\n\
		 [audit]\nsource = \"accesslog-console\"\nagency = \"高雄市政府政風處\"\n\
		 submitter_key_env = \"ACCESSLOG_CONSOLE_TEST_SUBMITTER\"\n\
		 [single_sign_on]\nuser_header = \"X-Forwarded-User\"\n\
		 groups_header = \"X-Forwarded-Groups\"\ntrusted_proxies = [\"{SSO_PROXY}\"]\n\
		 logout_url = \"/oauth2/sign_out\"\n\
		 [single_sign_on.roles]\nauditor = [\"kcg-audit\"]\noperator = [\"kcg-ops\"]\n",
		node.ws,
		AUDITOR.0,
		hash_password(AUDITOR.1),
		OPERATOR.0,
		hash_password(OPERATOR.1),
		key_file,
	);
	let console = accesslog_console::start(Config::parse(&config).unwrap()).await.unwrap();
	let url = format!("http://{}", console.addr);
	Setup { node, client, key, records, entry_ids, audit_source, console, url, dir }
}

impl Setup {
	/// The audit source's entries (the recorded searches), oldest first.
	pub async fn recorded_searches(&self) -> Vec<accesslog_client::rpc_types::EntryJson> {
		let q = accesslog_client::query::Query::Sequence {
			source: self.audit_source,
			from: 1,
			to: u64::MAX,
		};
		self.client.query().all(&q).await.unwrap()
	}

	/// Wait until the audit source holds `n` entries (a search is in a block a moment after it
	/// is shown).
	pub async fn wait_recorded(&self, n: usize) -> Vec<accesslog_client::rpc_types::EntryJson> {
		let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
		loop {
			let found = self.recorded_searches().await;
			if found.len() >= n || std::time::Instant::now() > deadline {
				return found;
			}
			tokio::time::sleep(std::time::Duration::from_millis(300)).await;
		}
	}

	/// Plant gaps in source 0 after the generated records (`n` of them): `n+5` and `n+6` are
	/// stored, then `n+3` and `n+2`; `n+1` and `n+4` stay missing.
	pub async fn plant_gaps(&self) {
		let n = self.records.len() as u64;
		let alice = Submitter::new(dev::alice());
		let now = now_ms();
		let entry = |seq: u64| {
			let line = self.records[0].to_json_line();
			let mut e = parse_line(&line, now).unwrap().to_entry(0, &self.key);
			(e.seq, e.occurred_at) = (seq, now);
			e
		};
		for seqs in [[n + 5, n + 6], [n + 3, n + 2]] {
			let batch = seqs.iter().map(|&q| entry(q)).collect();
			self.client.submit_batch(&alice, batch, Wait::Finalized).await.unwrap();
		}
	}
}
