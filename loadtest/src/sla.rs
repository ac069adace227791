//! Scenario `sla`: N concurrent users, no think time, for a given duration.
//!
//! Each user repeats, choosing at random with these weights:
//! - 50 `submit`: one record `POST /v1/logs` to the gateway; `submit.ack` is the time to the
//!   `202`, then the receipt is polled (every 50 ms) for `submit.inblock` and `submit.finalized`
//!   (both measured from the request's start);
//! - 10 `batch`: the same with 20 records in one NDJSON request (`batch.*`);
//! - 15 `query.citizen`, 15 `query.official`: one page (≤ 100 entries) of the entries of a
//!   citizen / official submitted earlier in the run, from the node's `accessLog_*` RPC;
//! - 10 `query.time`: one page of the last minute's entries.
//!
//! Users are spread over the given node endpoints.

use crate::Recorder;
use accesslog_client::http::request as http_request;
use accesslog_client::{
	pseudonym::{NationalId, PseudonymKey},
	query::Query,
	Client,
};
use accesslog_testing::synthetic::{parse_start, records, Rng};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde_json::Value;
use std::{
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

/// What the scenario runs against.
#[derive(Clone, Debug)]
pub struct Target {
	/// Gateway base URL (`http://host:8080`).
	pub gateway: String,
	/// The gateway client token.
	pub token: String,
	/// Source name the records carry.
	pub source: String,
	/// Node endpoints for the queries.
	pub nodes: Vec<String>,
	/// The pseudonymisation key (to query by citizen and official).
	pub key: PseudonymKey,
}

struct Shared {
	target: Target,
	next_seq: AtomicU64,
	/// (citizen reference, official reference) of submitted records.
	subjects: Mutex<Vec<([u8; 32], [u8; 32])>>,
	recorder: Arc<Recorder>,
	deadline: Instant,
	/// Set when the gateway refuses our credentials: every user stops, the run fails.
	fatal: Mutex<Option<String>>,
}

/// Run `users` users for `duration`; `progress` is called every 10 s with the recorder.
pub async fn run(
	target: Target,
	users: usize,
	duration: Duration,
	progress: impl Fn(&Recorder) + Send + 'static,
) -> Result<Arc<Recorder>, String> {
	let health = format!("{}/health", target.gateway);
	http_request(Method::GET, &health, &[], Bytes::new()).await.map_err(|e| {
		format!("the gateway does not answer at {health}: {e} (scripts/gateway.sh)")
	})?;
	let mut clients = Vec::new();
	for node in &target.nodes {
		clients.push(Client::connect(&[node]).await.map_err(|e| e.to_string())?);
	}
	let sources = clients[0].query().sources().await.map_err(|e| e.to_string())?;
	let source = sources
		.iter()
		.find(|s| s.name == target.source)
		.ok_or_else(|| format!("source {:?} is not registered on the chain", target.source))?;
	let recorder = Arc::new(Recorder::new());
	let shared = Arc::new(Shared {
		target,
		next_seq: AtomicU64::new(source.last_seq + 1),
		subjects: Mutex::new(Vec::new()),
		recorder: recorder.clone(),
		deadline: Instant::now() + duration,
		fatal: Mutex::new(None),
	});
	let reporter = {
		let recorder = recorder.clone();
		tokio::spawn(async move {
			loop {
				tokio::time::sleep(Duration::from_secs(10)).await;
				progress(&recorder);
			}
		})
	};
	let mut tasks = Vec::new();
	for user in 0..users {
		let (shared, client) = (shared.clone(), clients[user % clients.len()].clone());
		tasks.push(tokio::spawn(async move { user_loop(user as u64, shared, client).await }));
	}
	for t in tasks {
		t.await.map_err(|e| e.to_string())?;
	}
	reporter.abort();
	if let Some(e) = shared.fatal.lock().expect("not poisoned; qed").clone() {
		return Err(e);
	}
	Ok(recorder)
}

async fn user_loop(user: u64, shared: Arc<Shared>, client: Client) {
	let mut rng = Rng::new(0x5eed ^ user);
	while Instant::now() < shared.deadline
		&& shared.fatal.lock().expect("not poisoned; qed").is_none()
	{
		let pick = rng.below(100);
		match pick {
			0..50 => submit(&shared, &mut rng, 1, "submit").await,
			50..60 => submit(&shared, &mut rng, 20, "batch").await,
			60..90 => {
				let subject = {
					let s = shared.subjects.lock().expect("not poisoned; qed");
					(!s.is_empty()).then(|| s[rng.below(s.len() as u64) as usize])
				};
				let Some((citizen, official)) = subject else { continue };
				let (op, query) = if pick < 75 {
					("query.citizen", Query::Citizen(citizen))
				} else {
					("query.official", Query::Accessor(official))
				};
				query_once(&shared, &client, op, query).await;
			},
			_ => {
				let now = accesslog_client::format::now_ms();
				let query = Query::Time { from_ms: now.saturating_sub(60_000), to_ms: now };
				query_once(&shared, &client, "query.time", query).await;
			},
		}
	}
}

async fn query_once(shared: &Shared, client: &Client, op: &'static str, query: Query) {
	let t = Instant::now();
	match client.query().page(&query, None, Some(100)).await {
		Ok(page) => shared.recorder.ok(op, t.elapsed(), page.items.len() as u64),
		Err(e) => shared.recorder.error(op, e.to_string()),
	}
}

/// Submit `n` fresh records through the gateway and follow them to finality.
async fn submit(shared: &Shared, rng: &mut Rng, n: u64, op: &'static str) {
	let target = &shared.target;
	let first = shared.next_seq.fetch_add(n, Ordering::SeqCst);
	let now = chrono::Utc::now()
		.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset; qed"));
	let start = parse_start(&now.to_rfc3339()).expect("RFC 3339; qed");
	let mut lines = Vec::new();
	for (i, mut r) in records(n, rng.next_u64(), start - chrono::Duration::seconds(1)).enumerate() {
		r.seq = first + i as u64;
		r.source = target.source.clone();
		if let Ok(id) = NationalId::parse(&r.citizen_id) {
			let subject = (target.key.citizen_ref(&id), target.key.accessor_ref(&r.user_id));
			let mut s = shared.subjects.lock().expect("not poisoned; qed");
			if s.len() < 10_000 {
				s.push(subject);
			}
		}
		lines.push(r.to_json_line());
	}
	let auth = format!("Bearer {}", target.token);
	let (content_type, body) = if n == 1 {
		("application/json", lines.remove(0))
	} else {
		("application/x-ndjson", lines.join("\n"))
	};
	let t = Instant::now();
	let answer = http_request(
		Method::POST,
		&format!("{}/v1/logs", target.gateway),
		&[("authorization", &auth), ("content-type", content_type)],
		Bytes::from(body),
	)
	.await;
	let (ack, inblock, finalized) = match op {
		"batch" => ("batch.ack", "batch.inblock", "batch.finalized"),
		_ => ("submit.ack", "submit.inblock", "submit.finalized"),
	};
	let ids: Vec<u64> = match answer {
		Ok((StatusCode::ACCEPTED, _, body)) => {
			shared.recorder.ok(ack, t.elapsed(), n);
			let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
			v["receipts"]
				.as_array()
				.map(|r| r.iter().filter_map(|r| r["id"].as_u64()).collect())
				.unwrap_or_default()
		},
		Ok((status, _, body)) => {
			let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
			if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
				shared.fatal.lock().expect("not poisoned; qed").get_or_insert(format!(
					"the gateway refused the token (HTTP {status}: {text}): check {}",
					"ACCESSLOG_GATEWAY_TOKEN (scripts/gateway.sh writes it to .local/gateway/token)"
				));
			}
			shared.recorder.error(ack, format!("HTTP {status}: {text}"));
			return;
		},
		Err(e) => {
			shared.recorder.error(ack, e.to_string());
			return;
		},
	};
	// The receipt of the last record tells when the whole request is in a block / final: the
	// gateway submits a source's records in order.
	let Some(&last) = ids.last() else {
		shared.recorder.error(ack, "no receipt in the answer".into());
		return;
	};
	let mut seen_inblock = false;
	let give_up = t + Duration::from_secs(60);
	loop {
		tokio::time::sleep(Duration::from_millis(50)).await;
		let answer = http_request(
			Method::GET,
			&format!("{}/v1/receipts/{last}", target.gateway),
			&[("authorization", &auth)],
			Bytes::new(),
		)
		.await;
		let state = match answer {
			Ok((StatusCode::OK, _, body)) => serde_json::from_slice::<Value>(&body)
				.ok()
				.and_then(|v| v["state"].as_str().map(str::to_string))
				.unwrap_or_default(),
			_ => String::new(),
		};
		if !seen_inblock && (state == "inblock" || state == "finalized") {
			seen_inblock = true;
			shared.recorder.ok(inblock, t.elapsed(), n);
		}
		if state == "finalized" {
			shared.recorder.ok(finalized, t.elapsed(), n);
			return;
		}
		if state == "conflict" || Instant::now() > give_up {
			shared.recorder.error(finalized, format!("receipt {last}: {state} after 60 s"));
			return;
		}
	}
}
