//! The gateway end to end: real `accesslog-gateway` processes in front of real
//! `accesslog-node --dev` processes, over real HTTP, syslog (TCP and TLS) and a real export API.
//! Every test asserts on the chain's own answers (entries by sequence and by citizen).

#[path = "common/gw.rs"]
#[allow(dead_code)]
mod gw;

use accesslog_client::{
	governance, keys::pseudonym_key_from_env, pseudonym::NationalId, query::Query, Client,
	Submitter,
};
use accesslog_testing::{
	free_port, node_binary, spawn_node,
	synthetic::{bad_cases, bad_syslog_cases, parse_start, records, Expect, GenRecord},
	DevNode,
};
use gw::{client_block, config, until, Gw, HOUSEHOLD};
use hyper::{Method, StatusCode};
use serde_json::Value;
use std::{
	collections::{BTreeMap, BTreeSet},
	process::Command,
	sync::Arc,
	time::{Duration, Instant},
};
use subxt_signer::sr25519::dev;
use tokio::io::AsyncWriteExt;

/// The synthetic records of `seed`, numbered 1..=count, for source `source`.
fn generated(count: u64, seed: u64, source: &str) -> Vec<GenRecord> {
	let start = parse_start("2026-11-20T08:00:00+08:00").unwrap();
	records(count, seed, start)
		.map(|mut r| {
			r.source = source.into();
			r
		})
		.collect()
}

/// The household source, HTTP on a free port with the test client, then `more` settings.
fn household_over_http(more: &str) -> String {
	format!(
		"{HOUSEHOLD}[http]\nlisten = \"127.0.0.1:0\"\n{}{more}",
		client_block(&["kcg-household-api"])
	)
}

/// The chain's entries of `source` with sequence numbers 1..=to: asserts each is there once.
async fn assert_exactly_once(client: &Client, source: u32, to: u64) {
	let entries = client.query().all(&Query::Sequence { source, from: 1, to }).await.unwrap();
	let seqs: BTreeSet<u64> = entries.iter().map(|e| e.seq).collect();
	assert_eq!(entries.len(), seqs.len(), "a sequence number is stored twice");
	assert_eq!(seqs.len() as u64, to, "entries missing for source {source}");
	let stats = client.query().sources().await.unwrap();
	let s = stats.iter().find(|s| s.id == source).unwrap();
	assert_eq!(s.entries, to, "source {source} holds other entries too");
}

/// Wait until the finalized chain holds `count` entries of `source`.
async fn wait_entries(client: &Client, source: u32, count: u64, timeout: Duration) {
	until(&format!("{count} entries of source {source}"), timeout, || async {
		let hash: subxt::utils::H256 =
			client.rpc().request("chain_getFinalizedHead", subxt_rpcs::rpc_params![]).await.ok()?;
		let sources = client
			.query()
			.at(accesslog_client::rpc_types::hex(hash.as_bytes()))
			.sources()
			.await
			.ok()?;
		(sources.iter().find(|s| s.id == source)?.entries >= count).then_some(())
	})
	.await
}

fn ms(d: Duration) -> f64 {
	d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
	sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::test]
async fn every_bad_case_gets_its_outcome_over_http_and_syslog() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let dir = tempfile::tempdir().unwrap();
	let extra = household_over_http("[syslog]\ntcp = \"127.0.0.1:0\"\n");
	let gw = Gw::start(dir.path(), &config(dir.path(), &[&node.ws], 1000, "", &extra));

	// HTTP: every case alone, as one JSON record.
	let cases = bad_cases(42);
	let rejects = cases.iter().filter(|c| c.expect == Expect::Reject).count();
	for case in &cases {
		let (status, _, body) =
			gw.call(Method::POST, "/v1/logs", "application/json", case.line.clone()).await;
		match case.expect {
			Expect::Reject => {
				assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {body}", case.reason);
				let e = &body["errors"][0];
				assert!(e["field"].as_str().is_some_and(|f| !f.is_empty()), "{}", case.reason);
				assert!(e["reason"].as_str().is_some_and(|r| !r.is_empty()), "{}", case.reason);
			},
			Expect::Accept => {
				assert_eq!(status, StatusCode::ACCEPTED, "{}: {body}", case.reason)
			},
		}
	}
	// Specific reasons name the field.
	let check_digit = cases.iter().find(|c| c.reason == "citizen_id bad check digit").unwrap();
	let (_, _, body) =
		gw.call(Method::POST, "/v1/logs", "application/json", check_digit.line.clone()).await;
	assert_eq!(body["errors"][0]["field"], "citizen_id", "{body}");
	// No token, a wrong token: refused.
	let url = format!("{}/v1/logs", gw.http);
	let line = bytes::Bytes::from(cases.last().unwrap().line.clone());
	for headers in [vec![], vec![("authorization", "Bearer wrong")]] {
		let (status, h, _) =
			accesslog_client::http::request(Method::POST, &url, &headers, line.clone())
				.await
				.unwrap();
		assert_eq!(status, StatusCode::UNAUTHORIZED);
		assert_eq!(h["www-authenticate"], "Bearer");
	}

	// Syslog: every case as an octet-counted message (sequence 2 for the good one).
	let syslog = bad_syslog_cases(42, 2);
	let mut tcp = tokio::net::TcpStream::connect(gw.addr("syslog_tcp")).await.unwrap();
	for case in &syslog {
		tcp.write_all(format!("{} {}", case.line.len(), case.line).as_bytes()).await.unwrap();
	}
	tcp.shutdown().await.unwrap();
	drop(tcp);

	// Both accepted records reach finality; nothing else is stored.
	wait_entries(&client, 0, 2, Duration::from_secs(90)).await;
	assert_exactly_once(&client, 0, 2).await;
	let letters = until("the dead letters", Duration::from_secs(30), || async {
		let (_, _, body) = gw.call(Method::GET, "/v1/dead-letters?limit=1000", "", "").await;
		let list = body["dead_letters"].as_array()?.clone();
		(list.len() >= rejects).then_some(list)
	})
	.await;
	assert_eq!(letters.len(), rejects, "one dead letter per rejected syslog line");
	for l in &letters {
		assert_eq!(l["input"], "syslog-tcp");
		assert!(l["reason"].as_str().is_some_and(|r| !r.is_empty()), "{l}");
	}
	assert_eq!(gw.metric("rejected_total", "input=\"syslog-tcp\"").await, rejects as f64);
	assert_eq!(gw.metric("rejected_total", "input=\"http\"").await, rejects as f64 + 1.0);
	assert_eq!(gw.metric("dead_letters_total", "syslog-tcp").await, rejects as f64);
	// Health, metrics and the OpenAPI document are served.
	let (status, _, health) = gw.call(Method::GET, "/health", "", "").await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(health["status"], "ok", "{health}");
	let (_, _, openapi) = gw.call(Method::GET, "/openapi.json", "", "").await;
	assert!(openapi["paths"]["/v1/logs"]["post"].is_object(), "{openapi}");
}

/// Register a second source and authorize Bob for it; returns its id.
async fn second_source(client: &Client, name: &str) -> u32 {
	let alice = Submitter::new(dev::alice());
	client
		.pass(&[&alice], governance::register_source(name, "高雄市政府民政局"))
		.await
		.unwrap()
		.unwrap();
	let id = client.query().sources().await.unwrap().iter().find(|s| s.name == name).unwrap().id;
	client
		.pass(&[&alice], governance::authorize_submitter(dev::bob().public_key().into(), id))
		.await
		.unwrap()
		.unwrap();
	id
}

async fn tls_connect(
	addr: &str,
	cert: &std::path::Path,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
	let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
	let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
	tls_client(cert, None).connect(name, tcp).await.unwrap()
}

#[tokio::test]
async fn ten_thousand_over_http_and_ten_thousand_over_syslog_tls_land_exactly_once() {
	const N: u64 = 10_000;
	let node = DevNode::start().await;
	let client = node.client().await;
	let syslog_source = second_source(&client, "kcg-syslog-feed").await;
	let dir = tempfile::tempdir().unwrap();
	let pki = gw::pki(dir.path());
	let (cert, key) = pki.server.clone();
	let extra = format!(
		"{HOUSEHOLD}[[sources]]\nname = \"kcg-syslog-feed\"\nsubmitter_key_env = \"BOB\"\n\
		 [http]\nlisten = \"127.0.0.1:0\"\n[syslog]\ntls = {{ listen = \"127.0.0.1:0\", cert = \
		 {:?}, key = {:?} }}\n{}",
		cert.display().to_string(),
		key.display().to_string(),
		client_block(&["kcg-household-api"])
	);
	let gw = Arc::new(Gw::start(dir.path(), &config(dir.path(), &[&node.ws], 100_000, "", &extra)));
	// The last 200 HTTP records go one per request, for the acknowledgement latency of one record.
	const SINGLE: u64 = 200;
	let http_records = generated(N + SINGLE, 11, "kcg-household-api");
	let syslog_records = generated(N, 12, "kcg-syslog-feed");
	let started = Instant::now();

	// HTTP: NDJSON batches of 500, four senders at once; every batch acknowledged.
	let batches: Vec<Vec<String>> = http_records[..N as usize]
		.chunks(500)
		.map(|c| c.iter().map(GenRecord::to_json_line).collect())
		.collect();
	let batches = Arc::new(tokio::sync::Mutex::new(batches));
	let mut senders = Vec::new();
	for _ in 0..4 {
		let (gw, batches) = (gw.clone(), batches.clone());
		senders.push(tokio::spawn(async move {
			let mut acks = Vec::new();
			loop {
				let Some(batch) = batches.lock().await.pop() else { return acks };
				let t = Instant::now();
				let (status, _, body) = gw.post_lines(&batch, "").await;
				assert_eq!(status, StatusCode::ACCEPTED, "{body}");
				acks.push(t.elapsed());
			}
		}));
	}
	// Syslog over TLS: one connection, octet counting.
	let mut tls = tls_connect(&gw.addr("syslog_tls"), &pki.ca).await;
	for r in &syslog_records {
		let line = r.to_syslog_line();
		tls.write_all(format!("{} {line}", line.len()).as_bytes()).await.unwrap();
	}
	tls.shutdown().await.unwrap();
	let mut acks: Vec<Duration> = Vec::new();
	for s in senders {
		acks.extend(s.await.unwrap());
	}
	let mut single_acks = Vec::new();
	for r in &http_records[N as usize..] {
		let t = Instant::now();
		let (status, _, body) =
			gw.call(Method::POST, "/v1/logs", "application/json", r.to_json_line()).await;
		assert_eq!(status, StatusCode::ACCEPTED, "{body}");
		single_acks.push(t.elapsed());
	}
	let sent = started.elapsed();

	wait_entries(&client, 0, N + SINGLE, Duration::from_secs(600)).await;
	wait_entries(&client, syslog_source, N, Duration::from_secs(600)).await;
	let elapsed = started.elapsed();
	assert_exactly_once(&client, 0, N + SINGLE).await;
	assert_exactly_once(&client, syslog_source, N).await;

	// Queryable by citizen, with the exact counts the generated logs imply.
	let mut by_citizen: BTreeMap<&str, usize> = BTreeMap::new();
	for r in http_records.iter().chain(&syslog_records) {
		*by_citizen.entry(r.citizen_id.as_str()).or_default() += 1;
	}
	let key = {
		std::env::set_var("TEST_PSEUDONYM_KEY", gw::PSEUDONYM);
		pseudonym_key_from_env("TEST_PSEUDONYM_KEY").unwrap()
	};
	for (citizen, expected) in by_citizen.iter().step_by(97).take(8) {
		let r = key.citizen_ref(&NationalId::parse(citizen).unwrap());
		let found = client.query().all(&Query::Citizen(r)).await.unwrap();
		assert_eq!(found.len(), *expected, "entries of citizen {citizen}");
	}
	let total = 2 * N + SINGLE;
	assert_eq!(gw.metric("finalized_total", "").await, total as f64);

	acks.sort();
	single_acks.sort();
	println!(
		"gateway: {total} records (HTTP + syslog TLS) sent in {:.1} s, all finalized after {:.1} s \
		 = {:.0} records/s to finality; HTTP ack of a 500-record batch (4 senders): p50 {:.1} ms, \
		 p99 {:.1} ms; of one record: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
		sent.as_secs_f64(),
		elapsed.as_secs_f64(),
		total as f64 / elapsed.as_secs_f64(),
		ms(percentile(&acks, 0.5)),
		ms(percentile(&acks, 0.99)),
		ms(percentile(&single_acks, 0.5)),
		ms(percentile(&single_acks, 0.99)),
		ms(*single_acks.last().unwrap()),
	);
}

#[tokio::test]
async fn kill_9_mid_stream_loses_and_duplicates_nothing() {
	const N: u64 = 10_000;
	let node = DevNode::start().await;
	let client = node.client().await;
	let dir = tempfile::tempdir().unwrap();
	let extra = household_over_http("");
	let text = config(dir.path(), &[&node.ws], 100_000, "", &extra);
	let batches: Vec<Vec<String>> = generated(N, 21, "kcg-household-api")
		.chunks(100)
		.map(|c| c.iter().map(GenRecord::to_json_line).collect())
		.collect();

	// Stream batches until the gateway is killed under the sender.
	let mut gw = Gw::start(dir.path(), &text);
	let http = gw.http.clone();
	// The sender says when ten batches are acknowledged, and the test kills the gateway at once
	// (a wake-up, not a poll: on a fast machine the other 90 batches were acknowledged within
	// one polling interval, and the kill came after the stream had ended).
	let ten_acked = Arc::new(tokio::sync::Notify::new());
	let sender = {
		let (batches, ten_acked) = (batches.clone(), ten_acked.clone());
		tokio::spawn(async move {
			let auth = format!("Bearer {}", gw::TOKEN);
			let mut acked: Vec<Vec<u64>> = Vec::new();
			for batch in batches {
				let body = bytes::Bytes::from(batch.join("\n"));
				let answer = accesslog_client::http::request(
					Method::POST,
					&format!("{http}/v1/logs"),
					&[("authorization", &auth), ("content-type", "application/x-ndjson")],
					body,
				)
				.await;
				match answer {
					Ok((StatusCode::ACCEPTED, _, body)) => {
						let v: Value = serde_json::from_slice(&body).unwrap();
						acked.push(
							v["receipts"]
								.as_array()
								.unwrap()
								.iter()
								.map(|r| r["id"].as_u64().unwrap())
								.collect(),
						);
						if acked.len() == 10 {
							ten_acked.notify_one();
						}
					},
					_ => return acked,
				}
			}
			acked
		})
	};
	// Kill it mid-stream, right after the first ten acknowledgements.
	tokio::time::timeout(Duration::from_secs(60), ten_acked.notified())
		.await
		.expect("ten batches acknowledged within 60 s");
	gw.kill9();
	let acked = sender.await.unwrap();
	assert!(
		!acked.is_empty() && acked.len() < batches.len(),
		"killed mid-stream: {} acked",
		acked.len()
	);

	// Restart on the same queue: every acknowledged receipt is there.
	let gw = Gw::start(dir.path(), &text);
	for id in acked.iter().flatten() {
		let (status, _, r) = gw.call(Method::GET, &format!("/v1/receipts/{id}"), "", "").await;
		assert_eq!(status, StatusCode::OK, "receipt {id} lost: {r}");
	}
	// The producer resends everything it is unsure of (here: all of it).
	for batch in &batches {
		let (status, _, body) = gw.post_lines(batch, "").await;
		assert_eq!(status, StatusCode::ACCEPTED, "{body}");
	}
	wait_entries(&client, 0, N, Duration::from_secs(300)).await;
	tokio::time::sleep(Duration::from_secs(4)).await;
	assert_exactly_once(&client, 0, N).await;
	println!(
		"crash test: {} batches acknowledged before kill -9; all {N} records on chain once",
		acked.len()
	);
}

/// A node process, killed when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// A dev node with a persistent database on a fixed RPC port, restartable.
async fn persistent_node(base: &std::path::Path, rpc: u16) -> (Killed, String) {
	let mut cmd = Command::new(node_binary());
	cmd.args(["--dev", "--no-telemetry", "--no-prometheus", "--no-mdns", "--base-path"])
		.arg(base)
		.args(["--rpc-port", &rpc.to_string(), "--port", &free_port().to_string()]);
	let log = base.with_extension("log");
	let deadline = Instant::now() + Duration::from_secs(90);
	let (child, _, addr) = spawn_node(cmd, &log, "the dev node", deadline).await;
	(Killed(child), format!("ws://{addr}"))
}

#[tokio::test]
async fn a_skipped_sequence_number_is_stored_and_counted_as_a_gap() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let dir = tempfile::tempdir().unwrap();
	let gw =
		Gw::start(dir.path(), &config(dir.path(), &[&node.ws], 1000, "", &household_over_http("")));
	let records = generated(5, 7, "kcg-household-api");
	let (first, fifth) = (records[0].to_json_line(), records[4].to_json_line());
	let (status, _, body) = gw.post_lines(&[first], "?wait=finalized").await;
	assert_eq!(status, StatusCode::OK, "{body}");
	assert_eq!(gw.metric("gap_seqs_total", "").await, 0.0, "no gap yet");
	let (status, _, body) = gw.post_lines(&[fifth], "?wait=finalized").await;
	assert_eq!(status, StatusCode::OK, "{body}");
	// 2, 3 and 4 never came: the record is stored all the same, and the gap is counted.
	let stored = client.query().all(&Query::Sequence { source: 0, from: 1, to: 10 }).await.unwrap();
	assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 5]);
	until("the gap to be counted", Duration::from_secs(30), || async {
		(gw.metric("gap_seqs_total", "").await == 3.0).then_some(())
	})
	.await;
}

#[tokio::test]
async fn records_queue_while_the_node_is_down_and_land_when_it_returns() {
	let dir = tempfile::tempdir().unwrap();
	let base = dir.path().join("node");
	let rpc = free_port();
	let (node, ws) = persistent_node(&base, rpc).await;
	let client = Client::connect(&[&ws]).await.unwrap();
	let extra = household_over_http("");
	let gw = Gw::start(dir.path(), &config(dir.path(), &[&ws], 100_000, "", &extra));
	let lines: Vec<String> =
		generated(1500, 31, "kcg-household-api").iter().map(GenRecord::to_json_line).collect();

	// Up: wait=finalized answers with entry ids and block hashes.
	let (status, _, body) = gw.post_lines(&lines[..500], "?wait=finalized").await;
	assert_eq!(status, StatusCode::OK, "{body}");
	assert_eq!(body["receipts"][0]["state"], "finalized");
	assert!(body["receipts"][499]["block_hash"].as_str().is_some(), "{body}");

	// Down: records are still acknowledged (queued on disk); health says degraded.
	drop(node);
	let down = Instant::now();
	for chunk in lines[500..].chunks(250) {
		let (status, _, body) = gw.post_lines(chunk, "").await;
		assert_eq!(status, StatusCode::ACCEPTED, "{body}");
	}
	until("health to report the lost node", Duration::from_secs(60), || async {
		let (_, _, h) = gw.call(Method::GET, "/health", "", "").await;
		(h["status"] == "degraded").then_some(())
	})
	.await;
	tokio::time::sleep(Duration::from_secs(3)).await;

	// Back: everything lands, once.
	let (_node, _) = persistent_node(&base, rpc).await;
	let back = Instant::now();
	let client2 = Client::connect(&[&ws]).await.unwrap();
	wait_entries(&client2, 0, 1500, Duration::from_secs(180)).await;
	assert_exactly_once(&client2, 0, 1500).await;
	drop(client);
	println!(
		"node loss: down {:.1} s; all 1,000 records queued meanwhile finalized {:.1} s after the node returned",
		(back - down).as_secs_f64(),
		back.elapsed().as_secs_f64()
	);
}

#[tokio::test]
async fn a_full_queue_answers_503_and_slows_syslog_with_bounded_memory() {
	const HTTP: u64 = 2_000;
	const SYSLOG: u64 = 1_000;
	let node = DevNode::start().await;
	let client = node.client().await;
	let dir = tempfile::tempdir().unwrap();
	let extra = household_over_http("[syslog]\ntcp = \"127.0.0.1:0\"\n");
	// A small queue and slow submission: the senders are faster than the chain.
	let gw = Arc::new(Gw::start(
		dir.path(),
		&config(dir.path(), &[&node.ws], 300, "batch_size = 100\ninflight = 1", &extra),
	));
	let all = generated(HTTP + SYSLOG, 41, "kcg-household-api");
	let rss_before = gw.rss_kib();

	let batches: Vec<Vec<String>> = all[..HTTP as usize]
		.chunks(100)
		.map(|c| c.iter().map(GenRecord::to_json_line).collect())
		.collect();
	let sender = {
		let gw = gw.clone();
		tokio::spawn(async move {
			let mut refused = 0;
			for batch in batches {
				loop {
					let (status, headers, body) = gw.post_lines(&batch, "").await;
					match status {
						StatusCode::ACCEPTED => break,
						StatusCode::SERVICE_UNAVAILABLE => {
							refused += 1;
							let secs: u64 =
								headers["retry-after"].to_str().unwrap().parse().unwrap();
							assert!(secs >= 1);
							tokio::time::sleep(Duration::from_millis(300)).await;
						},
						other => panic!("{other}: {body}"),
					}
				}
			}
			refused
		})
	};
	let syslog = {
		let addr = gw.addr("syslog_tcp");
		let lines: Vec<String> =
			all[HTTP as usize..].iter().map(GenRecord::to_syslog_line).collect();
		let gw = gw.clone();
		tokio::spawn(async move {
			// Start once the HTTP sender has been refused: the queue is full then and stays so
			// (HTTP retries every 300 ms; the chain drains ~100 records a block), so the stream
			// meets a full queue rather than racing it.
			until("the HTTP sender refused", Duration::from_secs(120), || {
				let gw = &gw;
				async move {
					(gw.metric("backpressure_total", "input=\"http\"").await > 0.0).then_some(())
				}
			})
			.await;
			let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
			for l in lines {
				tcp.write_all(format!("{l}\n").as_bytes()).await.unwrap();
			}
			tcp.shutdown().await.unwrap();
		})
	};
	let mut max_pending = 0u64;
	let mut max_rss = 0u64;
	while !(sender.is_finished() && syslog.is_finished()) {
		let (_, _, h) = gw.call(Method::GET, "/health", "", "").await;
		max_pending = max_pending.max(h["queue"]["pending"].as_u64().unwrap());
		max_rss = max_rss.max(gw.rss_kib());
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let refused = sender.await.unwrap();
	syslog.await.unwrap();
	assert!(refused > 0, "the HTTP sender was never refused: no back-pressure");
	assert!(max_pending <= 300, "the queue exceeded its capacity: {max_pending}");
	assert!(gw.metric("backpressure_total", "input=\"http\"").await > 0.0);
	// The syslog connection was held unread while the queue was full.
	assert!(gw.metric("backpressure_total", "input=\"syslog-tcp\"").await > 0.0);
	wait_entries(&client, 0, HTTP + SYSLOG, Duration::from_secs(300)).await;
	assert_exactly_once(&client, 0, HTTP + SYSLOG).await;
	assert!(max_rss < 200 * 1024, "gateway memory grew to {max_rss} KiB");
	println!(
		"back-pressure: {refused} HTTP 503s, queue peak {max_pending}/300, gateway RSS {} -> peak {} KiB",
		rss_before, max_rss
	);
}

#[tokio::test]
async fn the_pull_feed_resumes_after_kill_9_without_gap_or_duplicate() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let dir = tempfile::tempdir().unwrap();
	let file = dir.path().join("export.jsonl");
	let records = generated(2500, 51, "kcg-household-api");
	let text: String = records[..2000].iter().map(|r| r.to_json_line() + "\n").collect();
	std::fs::write(&file, text).unwrap();
	let export =
		accesslog_gateway::pull::serve_export(file.clone(), "127.0.0.1:0".parse().unwrap(), None)
			.await
			.unwrap();
	let extra = format!(
		"{HOUSEHOLD}[http]\nlisten = \"127.0.0.1:0\"\n{}[[pull]]\nname = \"city\"\nsource = \
		 \"kcg-household-api\"\nurl = \"http://{export}/v1/export\"\nlimit = 100\ninterval_ms = 200\n",
		client_block(&["kcg-household-api"])
	);
	let text = config(dir.path(), &[&node.ws], 100_000, "", &extra);
	let mut gw = Gw::start(dir.path(), &text);
	until("the first pulled records", Duration::from_secs(60), || {
		let gw = &gw;
		async move { (gw.metric("received_total", "input=\"pull\"").await >= 300.0).then_some(()) }
	})
	.await;
	gw.kill9();
	// The source keeps logging meanwhile.
	let more: String = records[2000..].iter().map(|r| r.to_json_line() + "\n").collect();
	std::fs::OpenOptions::new()
		.append(true)
		.open(&file)
		.unwrap()
		.write_all(more.as_bytes())
		.unwrap();
	let _gw = Gw::start(dir.path(), &text);
	wait_entries(&client, 0, 2500, Duration::from_secs(300)).await;
	tokio::time::sleep(Duration::from_secs(4)).await;
	assert_exactly_once(&client, 0, 2500).await;
}

use std::io::Write as _;

#[test]
fn check_names_the_broken_setting() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("bad.toml");
	std::fs::write(&path, "nodes = []\n[pseudonym]\nkey_env = \"K\"\n").unwrap();
	let out = Command::new(env!("CARGO_BIN_EXE_accesslog-gateway"))
		.args(["check", "--config"])
		.arg(&path)
		.output()
		.unwrap();
	assert_eq!(out.status.code(), Some(2));
	let err = String::from_utf8_lossy(&out.stderr);
	assert!(err.contains("nodes: give at least one node endpoint"), "{err}");
}

/// TLS client configuration trusting `ca`, presenting `identity` (certificate, key) if given.
fn tls_client(
	ca: &std::path::Path,
	identity: Option<(&std::path::Path, &std::path::Path)>,
) -> tokio_rustls::TlsConnector {
	use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
	let mut roots = rustls::RootCertStore::empty();
	roots.add(CertificateDer::from_pem_file(ca).unwrap()).unwrap();
	let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
		rustls::crypto::ring::default_provider(),
	))
	.with_safe_default_protocol_versions()
	.unwrap()
	.with_root_certificates(roots);
	let config = match identity {
		Some((cert, key)) => builder
			.with_client_auth_cert(
				vec![CertificateDer::from_pem_file(cert).unwrap()],
				PrivateKeyDer::from_pem_file(key).unwrap(),
			)
			.unwrap(),
		None => builder.with_no_client_auth(),
	};
	tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn https_and_mutual_tls_syslog_admit_only_trusted_senders() {
	let node = DevNode::start().await;
	let client = node.client().await;
	let dir = tempfile::tempdir().unwrap();
	let d = dir.path();
	// A CA; the gateway's certificate and one sender's certificate, both signed by it.
	let pki = gw::pki(d);
	let (ca_pem, (server_pem, server_key), (sender_pem, sender_key)) =
		(pki.ca, pki.server, pki.client);
	let extra = format!(
		"{HOUSEHOLD}[http]\nlisten = \"127.0.0.1:0\"\ntls_cert = {:?}\ntls_key = {:?}\n[syslog]\n\
		 tls = {{ listen = \"127.0.0.1:0\", cert = {:?}, key = {:?}, client_ca = {:?} }}\n{}",
		server_pem.display().to_string(),
		server_key.display().to_string(),
		server_pem.display().to_string(),
		server_key.display().to_string(),
		ca_pem.display().to_string(),
		client_block(&["kcg-household-api"])
	);
	let gw = Gw::start(d, &config(d, &[&node.ws], 1000, "", &extra));
	let records = generated(3, 61, "kcg-household-api");
	let http_addr = gw.listening["http"].as_str().unwrap().to_string();

	// HTTPS: record 1, waiting for finality.
	let tcp = tokio::net::TcpStream::connect(&http_addr).await.unwrap();
	let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
	let tls = tls_client(&ca_pem, None).connect(name.clone(), tcp).await.unwrap();
	let (mut send, conn) =
		hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await.unwrap();
	tokio::spawn(conn);
	let req = hyper::Request::post("/v1/logs?wait=finalized")
		.header("host", "localhost")
		.header("authorization", format!("Bearer {}", gw::TOKEN))
		.header("content-type", "application/json")
		.body(http_body_util::Full::new(bytes::Bytes::from(records[0].to_json_line())))
		.unwrap();
	let resp = send.send_request(req).await.unwrap();
	assert_eq!(resp.status(), StatusCode::OK);
	// Plain HTTP to the HTTPS port gets no answer.
	assert!(accesslog_client::http::request(
		Method::GET,
		&format!("http://{http_addr}/health"),
		&[],
		bytes::Bytes::new()
	)
	.await
	.is_err());

	// Syslog over TLS without a client certificate: refused, nothing stored.
	let line = records[1].to_syslog_line();
	let tcp = tokio::net::TcpStream::connect(gw.addr("syslog_tls")).await.unwrap();
	if let Ok(mut s) = tls_client(&ca_pem, None).connect(name.clone(), tcp).await {
		let _ = s.write_all(format!("{} {line}", line.len()).as_bytes()).await;
		let _ = s.shutdown().await;
	}
	// With the sender's certificate: stored.
	let line = records[2].to_syslog_line();
	let tcp = tokio::net::TcpStream::connect(gw.addr("syslog_tls")).await.unwrap();
	let mut s =
		tls_client(&ca_pem, Some((&sender_pem, &sender_key))).connect(name, tcp).await.unwrap();
	s.write_all(format!("{} {line}", line.len()).as_bytes()).await.unwrap();
	s.shutdown().await.unwrap();
	wait_entries(&client, 0, 2, Duration::from_secs(60)).await;
	tokio::time::sleep(Duration::from_secs(4)).await;
	let stored: Vec<u64> = client
		.query()
		.all(&Query::Sequence { source: 0, from: 1, to: 3 })
		.await
		.unwrap()
		.iter()
		.map(|e| e.seq)
		.collect();
	assert_eq!(stored, vec![1, 3], "the sender without a certificate must not get through");
}
