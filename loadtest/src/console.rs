//! `console`: N concurrent auditors against a running audit console. Each logs in once and then
//! loops over the pages and searches an auditor uses (latest entries, one entry, a search by time
//! range around a stored entry and the charts its page then fetches, a search by official, the
//! sources page), with a CSV export of a range every tenth round; latencies are measured at the client, one request at a time per
//! auditor. Beside them one open event stream measures how long a block takes from its import on
//! the node (the node's new-head notification) to the console's `block` event.

use crate::Recorder;
use accesslog_client::{http::request, Client};
use hyper::{Method, StatusCode};
use std::{
	collections::HashMap,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// What to run.
#[derive(Clone, Debug)]
pub struct Settings {
	/// The console's base URL (`http://host:port`).
	pub url: String,
	/// An auditor's login.
	pub user: String,
	/// Its password.
	pub password: String,
	/// Concurrent auditors.
	pub users: usize,
	/// How long they run.
	pub duration: Duration,
	/// Each auditor's pause after an operation.
	pub think: Duration,
}

/// A logged-in auditor.
struct Session {
	base: String,
	cookie: String,
	csrf: String,
}

fn hidden(html: &str, name: &str) -> Option<String> {
	let marker = format!("name=\"{name}\" value=\"");
	let start = html.find(&marker)? + marker.len();
	Some(html[start..start + html[start..].find('"')?].to_string())
}

fn cookies(headers: &hyper::HeaderMap) -> Vec<String> {
	headers
		.get_all("set-cookie")
		.iter()
		.filter_map(|v| v.to_str().ok()?.split(';').next().map(String::from))
		.filter(|c| !c.ends_with('='))
		.collect()
}

fn form(fields: &[(&str, &str)]) -> String {
	fields
		.iter()
		.map(|(k, v)| {
			let v: String = v
				.bytes()
				.map(|b| match b {
					b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
						(b as char).to_string()
					},
					_ => format!("%{b:02X}"),
				})
				.collect();
			format!("{k}={v}")
		})
		.collect::<Vec<_>>()
		.join("&")
}

async fn login(s: &Settings) -> Result<Session, String> {
	let (_, h, body) = request(Method::GET, &format!("{}/login", s.url), &[], Default::default())
		.await
		.map_err(|e| e.to_string())?;
	let login_cookie = cookies(&h).join("; ");
	let token = hidden(&String::from_utf8_lossy(&body), "csrf").ok_or("no login form")?;
	let body = form(&[
		("csrf", &token),
		("user", &s.user),
		("password", &s.password),
		("next", "/sources"),
	]);
	let headers =
		[("cookie", login_cookie.as_str()), ("content-type", "application/x-www-form-urlencoded")];
	let (status, h, _) = request(Method::POST, &format!("{}/login", s.url), &headers, body.into())
		.await
		.map_err(|e| e.to_string())?;
	if status != StatusCode::SEE_OTHER {
		return Err(format!("login answered {status}"));
	}
	let cookie = cookies(&h)
		.into_iter()
		.find(|c| c.starts_with("console_session="))
		.ok_or("no session cookie")?;
	let (_, _, page) = request(
		Method::GET,
		&format!("{}/sources", s.url),
		&[("cookie", &cookie)],
		Default::default(),
	)
	.await
	.map_err(|e| e.to_string())?;
	let csrf = hidden(&String::from_utf8_lossy(&page), "csrf").ok_or("no session token")?;
	Ok(Session { base: s.url.clone(), cookie, csrf })
}

impl Session {
	async fn get(&self, path: &str) -> Result<usize, String> {
		let (status, _, body) = request(
			Method::GET,
			&format!("{}{path}", self.base),
			&[("cookie", &self.cookie)],
			Default::default(),
		)
		.await
		.map_err(|e| e.to_string())?;
		if status != StatusCode::OK {
			return Err(format!("GET {path}: {status}"));
		}
		Ok(body.len())
	}

	async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Result<String, String> {
		let mut all = vec![("csrf", self.csrf.as_str())];
		all.extend_from_slice(fields);
		let headers = [
			("cookie", self.cookie.as_str()),
			("content-type", "application/x-www-form-urlencoded"),
		];
		let (status, _, body) =
			request(Method::POST, &format!("{}{path}", self.base), &headers, form(&all).into())
				.await
				.map_err(|e| e.to_string())?;
		if status != StatusCode::OK {
			return Err(format!("POST {path}: {status}"));
		}
		Ok(String::from_utf8_lossy(&body).into_owned())
	}
}

/// A local time for the search form (Taiwan time, minutes).
fn form_time(ms: u64) -> String {
	let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset; qed");
	chrono::DateTime::from_timestamp_millis(ms as i64)
		.map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
		.unwrap_or_default()
}

async fn auditor(
	s: Settings,
	rec: Arc<Recorder>,
	times: Arc<Vec<u64>>,
	total: u64,
	n: usize,
	until: Instant,
) {
	let session = match login(&s).await {
		Ok(session) => session,
		Err(e) => return rec.error("login", e),
	};
	// Spread the auditors over one pause, so they do not move in step.
	tokio::time::sleep(s.think.mul_f64(n as f64 / s.users.max(1) as f64)).await;
	let mut round = n as u64;
	while Instant::now() < until {
		round += 1;
		let pick = |k: u64| times[((round * 7919 + k) % times.len() as u64) as usize];
		let t = Instant::now();
		match round % 5 {
			0 => match session.get("/entries").await {
				Ok(_) => rec.ok("page: latest entries", t.elapsed(), 1),
				Err(e) => rec.error("page: latest entries", e),
			},
			1 => match session.get(&format!("/entries/{}", (round * 104_729) % total.max(1))).await
			{
				Ok(_) => rec.ok("page: one entry", t.elapsed(), 1),
				Err(e) => rec.error("page: one entry", e),
			},
			2 => {
				let at = pick(1);
				let (from, to) = (form_time(at.saturating_sub(60_000)), form_time(at + 60_000));
				match session
					.post("/search", &[("kind", "time"), ("from", &from), ("to", &to)])
					.await
				{
					Ok(page) => {
						rec.ok("search: 2-minute range", t.elapsed(), 1);
						// What the page's script then fetches: the charts of the result set.
						let url = page
							.split("data-charts=\"")
							.nth(1)
							.and_then(|r| r.split('"').next())
							.map(|u| u.replace("&amp;", "&"));
						if let Some(url) = url {
							let t = Instant::now();
							match session.get(&url).await {
								Ok(_) => {
									rec.ok("search: charts of the 2-minute range", t.elapsed(), 1)
								},
								Err(e) => rec.error("search: charts of the 2-minute range", e),
							}
						}
					},
					Err(e) => rec.error("search: 2-minute range", e),
				}
			},
			3 => {
				let official = format!("LOAD-{}", round % 97);
				match session
					.post("/search", &[("kind", "official"), ("q", &official), ("purpose", "019")])
					.await
				{
					Ok(_) => rec.ok("search: official (recorded on chain)", t.elapsed(), 1),
					Err(e) => rec.error("search: official (recorded on chain)", e),
				}
			},
			_ => match session.get("/sources").await {
				Ok(_) => rec.ok("page: sources", t.elapsed(), 1),
				Err(e) => rec.error("page: sources", e),
			},
		}
		tokio::time::sleep(s.think).await;
		if round.is_multiple_of(10) {
			let at = pick(2);
			let (from, to) =
				(form_time(at.saturating_sub(30 * 60_000)), form_time(at + 30 * 60_000));
			let t = Instant::now();
			match session
				.post("/search.csv", &[("kind", "time"), ("from", &from), ("to", &to)])
				.await
			{
				Ok(csv) => {
					let rows = csv.trim_end().lines().count().saturating_sub(1) as u64;
					rec.ok(
						if rows >= 9_000 { "export: CSV ≥ 9,000 rows" } else { "export: CSV" },
						t.elapsed(),
						rows,
					)
				},
				Err(e) => rec.error("export: CSV", e),
			}
		}
	}
}

/// Follow the console's event stream and the node's new heads; record each block's delay from
/// the node's notification to the console's event.
async fn block_delays(
	s: Settings,
	client: Client,
	rec: Arc<Recorder>,
	until: Instant,
) -> Result<(), String> {
	let session = login(&s).await?;
	let authority = s.url.trim_start_matches("http://").trim_end_matches('/').to_string();
	let stream = tokio::net::TcpStream::connect(&authority).await.map_err(|e| e.to_string())?;
	let (read, mut write) = stream.into_split();
	write
		.write_all(format!("GET /events HTTP/1.1\r\nHost: {authority}\r\nCookie: {}\r\nAccept: text/event-stream\r\n\r\n", session.cookie).as_bytes())
		.await
		.map_err(|e| e.to_string())?;
	let mut heads = client
		.rpc()
		.subscribe::<serde_json::Value>(
			"chain_subscribeNewHeads",
			subxt_rpcs::rpc_params![],
			"chain_unsubscribeNewHeads",
		)
		.await
		.map_err(|e| e.to_string())?;
	let mut seen: HashMap<u64, Instant> = HashMap::new();
	let mut lines = BufReader::new(read).lines();
	let mut event = String::new();
	while Instant::now() < until {
		tokio::select! {
			head = heads.next() => {
				let head = head.ok_or("the node's head subscription ended")?.map_err(|e| e.to_string())?;
				if let Some(n) = accesslog_client::node::header_number(&head) {
					seen.insert(n, Instant::now());
				}
			},
			line = lines.next_line() => {
				let line = line.map_err(|e| e.to_string())?.ok_or("the event stream ended")?;
				if let Some(name) = line.strip_prefix("event: ") {
					event = name.to_string();
				} else if let Some(data) = line.strip_prefix("data: ") {
					if event == "block" {
						let number = serde_json::from_str::<serde_json::Value>(data).ok().and_then(|v| v["number"].as_u64());
						if let Some(at) = number.and_then(|n| seen.remove(&n)) {
							rec.ok("block: node import → console event", at.elapsed(), 1);
						}
					}
				}
			},
			_ = tokio::time::sleep(Duration::from_secs(1)) => {},
		}
	}
	Ok(())
}

/// The requirement's bound on an operation's p99, ms: every page and search 200 ms, a CSV
/// export (10,000 rows at most) 2 s, a new block in an open page 1 s after the node has it.
pub fn target_ms(op: &str) -> f64 {
	if op.starts_with("block:") {
		1_000.0
	} else if op.starts_with("export:") {
		2_000.0
	} else {
		200.0
	}
}

/// Run the scenario: `times` are occurrence times of stored entries to centre searches on.
pub async fn run(s: Settings, client: Client, times: Vec<u64>, total: u64) -> Arc<Recorder> {
	let rec = Arc::new(Recorder::new());
	let until = Instant::now() + s.duration;
	let times = Arc::new(times);
	let mut tasks: Vec<tokio::task::JoinHandle<()>> = (0..s.users)
		.map(|n| tokio::spawn(auditor(s.clone(), rec.clone(), times.clone(), total, n, until)))
		.collect();
	let (s2, r2) = (s.clone(), rec.clone());
	tasks.push(tokio::spawn(async move {
		if let Err(e) = block_delays(s2, client, r2.clone(), until).await {
			r2.error("block: node import → console event", e);
		}
	}));
	for t in tasks {
		let _ = t.await;
	}
	rec
}
