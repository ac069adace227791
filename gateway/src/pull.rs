//! Pull input: the gateway polls a log-export endpoint with a cursor, and the reference export
//! endpoint (`accesslog-exporter`) that serves a JSON Lines file.
//!
//! The export API (docs/gateway.md): `GET <url>?after=<cursor>&limit=<n>` with an optional
//! `Authorization: Bearer <token>` answers `200` with
//! `{"records": ["<raw JSON line>", …], "next": "<cursor>"}`: at most `n` records following
//! `cursor` (the first ones when `after` is absent), in the source's order, each exactly as the
//! source logged it (the chain keeps its hash), and the cursor to ask from next. An empty list
//! means caught up. Cursors are opaque to the gateway.
//!
//! No gap, no duplicate: the cursor of a page is stored in the same fsynced transaction as the
//! page's records, so after a crash the gateway asks again from the last page it kept; a page
//! fetched twice dedupes on `(source, sequence)`.

use crate::{config::PullConfig, ingest::Accepted, now_ms, Shared};
use accesslog_client::{backoff::Backoff, http::request as http_request, record::RecordError};
use bytes::Bytes;
use http_body_util::Full;
use hyper::{
	body::Incoming, header, server::conn::http1, service::service_fn, Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use std::{
	convert::Infallible,
	io::{BufRead, Seek},
	net::SocketAddr,
	path::PathBuf,
	sync::Arc,
	time::Duration,
};
use tokio::net::TcpListener;

/// One page of the export API.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct Page {
	/// Raw records.
	pub records: Vec<String>,
	/// The cursor to continue from.
	pub next: Option<String>,
}

fn encode(s: &str) -> String {
	s.bytes()
		.map(|b| {
			if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
				(b as char).to_string()
			} else {
				format!("%{b:02X}")
			}
		})
		.collect()
}

/// Poll one feed forever.
pub async fn run(shared: Arc<Shared>, feed: PullConfig) {
	let input = format!("pull:{}", feed.name);
	let source = shared.config.source_index(&feed.source).expect("checked by Config; qed");
	let token = feed.token_env.as_ref().and_then(|v| std::env::var(v).ok());
	let mut cursor = match shared.queue.cursor(&feed.name) {
		Ok(c) => c,
		Err(e) => {
			tracing::error!(feed = %feed.name, "cannot read the stored cursor: {e}; feed stopped");
			return;
		},
	};
	let mut backoff = Backoff::new(Duration::from_secs(30));
	loop {
		let sep = if feed.url.contains('?') { '&' } else { '?' };
		let mut url = format!("{}{sep}limit={}", feed.url, feed.limit);
		if let Some(c) = &cursor {
			url.push_str(&format!("&after={}", encode(c)));
		}
		let auth = token.as_ref().map(|t| format!("Bearer {t}"));
		let headers: Vec<(&str, &str)> =
			auth.as_deref().map(|a| vec![("authorization", a)]).unwrap_or_default();
		let page = match http_request(hyper::Method::GET, &url, &headers, Bytes::new()).await {
			Ok((StatusCode::OK, _, body)) => serde_json::from_slice::<Page>(&body)
				.map_err(|e| format!("{url}: not an export page ({e})")),
			Ok((status, _, body)) => Err(format!(
				"{url}: HTTP {status}: {}",
				String::from_utf8_lossy(&body[..body.len().min(200)])
			)),
			Err(e) => Err(e.to_string()),
		};
		let page = match page {
			Ok(p) => p,
			Err(e) => {
				shared.metrics.failures.inc();
				let wait = backoff.failed();
				tracing::warn!(feed = %feed.name, "{e}; retrying in {wait:?}");
				tokio::time::sleep(wait).await;
				continue;
			},
		};
		backoff.succeeded();
		if page.records.is_empty() {
			tokio::time::sleep(Duration::from_millis(feed.interval_ms)).await;
			continue;
		}
		shared.metrics.received.with_label_values(&["pull"]).inc_by(page.records.len() as u64);
		let now = now_ms();
		let mut accepted: Vec<(Accepted, String)> = Vec::new();
		let mut dead: Vec<(RecordError, String)> = Vec::new();
		for line in page.records {
			match shared.normaliser.json(&line, &[source], now) {
				Ok(a) => accepted.push((a, line)),
				Err(e) => dead.push((e, line)),
			}
		}
		let next = page.next.clone().or_else(|| cursor.clone()).unwrap_or_default();
		// Dead letters first: a crash before the cursor moves repeats them, never loses them.
		if let Err(e) = shared.dead_letter(&input, &feed.url, std::mem::take(&mut dead)).await {
			tracing::error!(feed = %feed.name, "{e}");
			tokio::time::sleep(Backoff::FIRST).await;
			continue;
		}
		match shared
			.enqueue_waiting("pull", accepted, Some((feed.name.clone(), next.clone())))
			.await
		{
			Ok(conflicts) => dead = conflicts,
			Err(e) => {
				tracing::error!(feed = %feed.name, "{e}; retrying the page");
				tokio::time::sleep(Backoff::FIRST).await;
				continue;
			},
		}
		if let Err(e) = shared.dead_letter(&input, &feed.url, dead).await {
			tracing::error!(feed = %feed.name, "{e}");
		}
		cursor = Some(next);
	}
}

/// The reference export endpoint: serves the JSON Lines file `file` at `/v1/export`, cursor =
/// byte offset of the next line; only complete (newline-terminated) lines are served, so a
/// file being appended to is followed as it grows. With `token`, requests must present it.
pub async fn serve_export(
	file: PathBuf,
	listen: SocketAddr,
	token: Option<String>,
) -> std::io::Result<SocketAddr> {
	let listener = TcpListener::bind(listen).await?;
	let addr = listener.local_addr()?;
	let state = Arc::new((file, token));
	crate::serve_connections(listener, "export", move |stream, _| {
		let state = state.clone();
		async move {
			let service = service_fn(move |req: Request<Incoming>| {
				let state = state.clone();
				async move { Ok::<_, Infallible>(export(&state.0, state.1.as_deref(), req)) }
			});
			let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
		}
	});
	Ok(addr)
}

fn export(file: &PathBuf, token: Option<&str>, req: Request<Incoming>) -> Response<Full<Bytes>> {
	let reply = |status: StatusCode, body: String| {
		Response::builder()
			.status(status)
			.header(header::CONTENT_TYPE, "application/json")
			.body(Full::new(Bytes::from(body)))
			.expect("static headers; qed")
	};
	if req.uri().path() != "/v1/export" {
		return reply(StatusCode::NOT_FOUND, r#"{"error":"GET /v1/export"}"#.into());
	}
	if let Some(t) = token {
		let given = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
		if given != Some(&format!("Bearer {t}")) {
			return reply(StatusCode::UNAUTHORIZED, r#"{"error":"bad bearer token"}"#.into());
		}
	}
	let param = |name: &str| {
		req.uri().query().unwrap_or("").split('&').find_map(|kv| {
			let (k, v) = kv.split_once('=')?;
			(k == name).then(|| v.to_string())
		})
	};
	let after: u64 = match param("after").map(|v| v.parse()) {
		None => 0,
		Some(Ok(v)) => v,
		Some(Err(_)) => {
			return reply(StatusCode::BAD_REQUEST, r#"{"error":"after: not a cursor"}"#.into())
		},
	};
	let limit: usize = param("limit").and_then(|v| v.parse().ok()).unwrap_or(500).clamp(1, 5000);
	let read = || -> std::io::Result<Page> {
		let mut f = std::io::BufReader::new(std::fs::File::open(file)?);
		f.seek(std::io::SeekFrom::Start(after))?;
		let mut records = Vec::new();
		let mut offset = after;
		let mut line = String::new();
		while records.len() < limit {
			line.clear();
			let n = f.read_line(&mut line)?;
			if n == 0 || !line.ends_with('\n') {
				break;
			}
			offset += n as u64;
			let text = line.trim_end_matches(['\n', '\r']);
			if !text.is_empty() {
				records.push(text.to_string());
			}
		}
		Ok(Page { records, next: Some(offset.to_string()) })
	};
	match read() {
		Ok(page) => reply(StatusCode::OK, serde_json::to_string(&page).expect("serializes; qed")),
		Err(e) => reply(
			StatusCode::INTERNAL_SERVER_ERROR,
			serde_json::json!({ "error": e.to_string() }).to_string(),
		),
	}
}
