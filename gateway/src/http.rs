//! The HTTP API: `POST /v1/logs`, `GET /v1/receipts/{id}`, `GET /v1/dead-letters`, `/health`,
//! `/metrics` and `/openapi.json` (the document describing all of them).
//!
//! Clients authenticate with a bearer token; the configuration holds only the token's SHA-256.
//! A request is all-or-nothing: if any record is invalid, the answer is `400` listing every
//! invalid record (line, field, reason) and nothing is queued. `202` comes only after the
//! records are fsynced into the queue; `?wait=inblock|finalized` holds the answer until a block
//! / a finalized block holds every record (`200` then, with entry ids and block hashes).

use crate::{
	config::HttpConfig,
	now_ms,
	queue::{AppendError, Appended, Receipt, State},
	Shared, StartError,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
	body::Incoming, header, server::conn::http1, service::service_fn, Method, Request, Response,
	StatusCode,
};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::{
	convert::Infallible,
	net::SocketAddr,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::net::TcpListener;

/// The OpenAPI 3 document of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

struct Api {
	shared: Arc<Shared>,
	/// sha256(token) → index of the client in the configuration.
	tokens: Vec<([u8; 32], usize)>,
	max_body: usize,
	wait_timeout: Duration,
}

type Resp = Response<Full<Bytes>>;

fn respond(status: StatusCode, body: Value) -> Resp {
	Response::builder()
		.status(status)
		.header(header::CONTENT_TYPE, "application/json")
		.body(Full::new(Bytes::from(body.to_string())))
		.expect("static headers are valid; qed")
}

fn error(status: StatusCode, message: impl Into<String>) -> Resp {
	respond(status, json!({ "error": message.into() }))
}

/// Bind the HTTP(S) listener and serve in the background; returns the bound address.
pub async fn serve(shared: Arc<Shared>, config: &HttpConfig) -> Result<SocketAddr, StartError> {
	let bind = |error| StartError::Bind { setting: "http.listen", addr: config.listen, error };
	let listener = TcpListener::bind(config.listen).await.map_err(bind)?;
	let addr = listener.local_addr().map_err(bind)?;
	let tls = match (&config.tls_cert, &config.tls_key) {
		(Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key, None)?),
		_ => None,
	};
	let mut tokens = Vec::new();
	for (i, c) in shared.config.clients.iter().enumerate() {
		let hex = c.token_sha256.trim_start_matches("0x");
		let bytes = hex::decode(hex).expect("64 hex digits, checked by Config::check; qed");
		tokens.push((bytes.try_into().expect("64 hex digits, checked by Config::check; qed"), i));
	}
	let api = Arc::new(Api {
		shared,
		tokens,
		max_body: config.max_body_bytes,
		wait_timeout: Duration::from_secs(config.wait_timeout_secs),
	});
	crate::serve_connections(listener, "http", move |stream, _| {
		let (api, tls) = (api.clone(), tls.clone());
		async move {
			let _ = stream.set_nodelay(true);
			let service = service_fn(move |req| {
				let api = api.clone();
				async move { Ok::<_, Infallible>(api.handle(req).await) }
			});
			let result = match tls {
				Some(acceptor) => match acceptor.accept(stream).await {
					Ok(s) => http1::Builder::new().serve_connection(TokioIo::new(s), service).await,
					Err(_) => return,
				},
				None => http1::Builder::new().serve_connection(TokioIo::new(stream), service).await,
			};
			if let Err(e) = result {
				tracing::debug!("http connection: {e}");
			}
		}
	});
	Ok(addr)
}

fn query_param<'a>(req: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
	req.uri().query()?.split('&').find_map(|kv| {
		let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
		(k == name).then_some(v)
	})
}

impl Api {
	/// The configured client presenting the request's bearer token.
	fn client(&self, req: &Request<Incoming>) -> Option<usize> {
		let auth = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
		let token = auth.strip_prefix("Bearer ").or_else(|| auth.strip_prefix("bearer "))?;
		let hash: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
		self.tokens.iter().find(|(h, _)| *h == hash).map(|(_, i)| *i)
	}

	async fn handle(&self, req: Request<Incoming>) -> Resp {
		let path = req.uri().path().to_string();
		match (req.method(), path.as_str()) {
			(&Method::GET, "/health") => self.health(),
			(&Method::GET, "/metrics") => {
				let metrics = &self.shared.metrics;
				metrics.queued.set(self.shared.queue.pending() as i64);
				Response::builder()
					.header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
					.body(Full::new(Bytes::from(metrics.render())))
					.expect("static headers are valid; qed")
			},
			(&Method::GET, "/openapi.json") => Response::builder()
				.header(header::CONTENT_TYPE, "application/json")
				.body(Full::new(Bytes::from_static(OPENAPI.as_bytes())))
				.expect("static headers are valid; qed"),
			_ if path.starts_with("/v1/") => {
				let Some(client) = self.client(&req) else {
					return Response::builder()
						.status(StatusCode::UNAUTHORIZED)
						.header(header::WWW_AUTHENTICATE, "Bearer")
						.header(header::CONTENT_TYPE, "application/json")
						.body(Full::new(Bytes::from(
							json!({"error": "missing or unknown bearer token: send \
							 `Authorization: Bearer <token>` with a token configured in [[clients]]"})
							.to_string(),
						)))
						.expect("static headers are valid; qed");
				};
				match (req.method(), path.as_str()) {
					(&Method::POST, "/v1/logs") => self.post_logs(req, client).await,
					(&Method::GET, "/v1/dead-letters") => self.dead_letters(&req, client).await,
					(&Method::GET, p) if p.starts_with("/v1/receipts/") => {
						self.receipt(&p["/v1/receipts/".len()..])
					},
					(_, "/v1/logs") => error(StatusCode::METHOD_NOT_ALLOWED, "use POST /v1/logs"),
					_ => error(StatusCode::NOT_FOUND, format!("no such resource: {path}")),
				}
			},
			_ => error(
				StatusCode::NOT_FOUND,
				format!("no such resource: {path} (see /openapi.json)"),
			),
		}
	}

	fn health(&self) -> Resp {
		let q = &self.shared.queue;
		let sources: Vec<_> = self
			.shared
			.status
			.iter()
			.map(|s| s.lock().expect("not poisoned; qed").clone())
			.collect();
		let connected = sources.iter().all(|s| s.endpoint.is_some());
		let full = q.pending() >= q.capacity();
		let status = if full {
			"full"
		} else if connected {
			"ok"
		} else {
			"degraded"
		};
		let code = if full { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
		respond(
			code,
			json!({
				"status": status,
				"queue": { "pending": q.pending(), "capacity": q.capacity() },
				"sources": sources,
			}),
		)
	}

	fn receipt(&self, id: &str) -> Resp {
		let Ok(id) = id.parse::<u64>() else {
			return error(StatusCode::BAD_REQUEST, format!("{id:?} is not a receipt id"));
		};
		match self.shared.queue.receipt(id) {
			Ok(Some(r)) => respond(StatusCode::OK, serde_json::to_value(r).expect("serializes")),
			Ok(None) => error(StatusCode::NOT_FOUND, format!("no receipt {id}")),
			Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
		}
	}

	async fn dead_letters(&self, req: &Request<Incoming>, client: usize) -> Resp {
		if !self.shared.config.clients[client].admin {
			return error(StatusCode::FORBIDDEN, "reading dead letters needs an admin client");
		}
		let after = query_param(req, "after").and_then(|v| v.parse().ok()).unwrap_or(0);
		let limit = query_param(req, "limit").and_then(|v| v.parse().ok()).unwrap_or(100usize);
		let queue = self.shared.queue.clone();
		match tokio::task::spawn_blocking(move || queue.read_dead_letters(after, limit.min(1000)))
			.await
		{
			Ok(Ok(letters)) => respond(StatusCode::OK, json!({ "dead_letters": letters })),
			Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
			Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
		}
	}

	async fn post_logs(&self, req: Request<Incoming>, client: usize) -> Resp {
		let started = Instant::now();
		let shared = &self.shared;
		let wait = match query_param(&req, "wait") {
			None => None,
			Some("inblock") => Some(State::InBlock),
			Some("finalized") => Some(State::Finalized),
			Some(other) => {
				return error(
					StatusCode::BAD_REQUEST,
					format!("wait={other:?}: use wait=inblock or wait=finalized"),
				)
			},
		};
		let single = req
			.headers()
			.get(header::CONTENT_TYPE)
			.and_then(|v| v.to_str().ok())
			.is_some_and(|v| v.starts_with("application/json"));
		let body = match Limited::new(req.into_body(), self.max_body).collect().await {
			Ok(b) => b.to_bytes(),
			Err(e) => {
				return if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
					error(
						StatusCode::PAYLOAD_TOO_LARGE,
						format!("body over {} bytes: send smaller batches", self.max_body),
					)
				} else {
					error(StatusCode::BAD_REQUEST, format!("cannot read the body: {e}"))
				}
			},
		};
		let Ok(text) = std::str::from_utf8(&body) else {
			return self.rejected(vec![(1, "line", "not UTF-8".to_string())]);
		};
		// One JSON record (application/json) or NDJSON: one record per line.
		let lines: Vec<&str> = if single {
			vec![text]
		} else {
			let mut l: Vec<&str> =
				text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
			if l.len() > 1 && l.last() == Some(&"") {
				l.pop();
			}
			l
		};
		let allowed: Vec<usize> = shared.config.clients[client]
			.sources
			.iter()
			.filter_map(|s| shared.config.source_index(s))
			.collect();
		let now = now_ms();
		let mut accepted = Vec::with_capacity(lines.len());
		let mut errors = Vec::new();
		for (i, line) in lines.iter().enumerate() {
			match shared.normaliser.json(line, &allowed, now) {
				Ok(a) => accepted.push(a),
				Err(e) => errors.push((i + 1, e.field, e.reason)),
			}
		}
		shared.metrics.received.with_label_values(&["http"]).inc_by(lines.len() as u64);
		if !errors.is_empty() {
			return self.rejected(errors);
		}
		let capacity = shared.queue.capacity();
		if accepted.len() > capacity {
			return error(
				StatusCode::PAYLOAD_TOO_LARGE,
				format!(
					"{} records in one request, but the queue holds at most {capacity}: send \
					 smaller batches",
					accepted.len()
				),
			);
		}
		let seqs: Vec<u64> = accepted.iter().map(|a| a.seq).collect();
		let appended = match shared.enqueue(accepted, true, None).await {
			Ok(a) => a,
			Err(AppendError::Full { pending, capacity }) => {
				shared.metrics.backpressure.with_label_values(&["http"]).inc();
				return Response::builder()
					.status(StatusCode::SERVICE_UNAVAILABLE)
					.header(header::RETRY_AFTER, "2")
					.header(header::CONTENT_TYPE, "application/json")
					.body(Full::new(Bytes::from(
						json!({"error": format!(
							"the queue is full ({pending} of {capacity} records waiting for the \
							 chain); retry after 2 s"
						)})
						.to_string(),
					)))
					.expect("static headers are valid; qed");
			},
			Err(AppendError::Conflicts(c)) => {
				return self.rejected(
					c.into_iter()
						.map(|(i, id)| {
							(
								i + 1,
								"seq",
								format!(
									"sequence {} was already accepted as receipt {id} with \
									 other content",
									seqs[i]
								),
							)
						})
						.collect(),
				)
			},
			Err(AppendError::Queue(e)) => {
				tracing::error!("{e}");
				return error(
					StatusCode::INTERNAL_SERVER_ERROR,
					format!("{e}; nothing was queued"),
				);
			},
		};
		shared.metrics.ack_seconds.observe(started.elapsed().as_secs_f64());
		let ids: Vec<(u64, bool)> = appended
			.iter()
			.map(|a| match a {
				Appended::New(id) => (*id, false),
				Appended::Existing(id) | Appended::Conflict(id) => (*id, true),
			})
			.collect();
		let Some(wait) = wait else {
			let receipts: Vec<Value> = ids
				.iter()
				.zip(&seqs)
				.enumerate()
				.map(
					|(i, ((id, dup), seq))| json!({"line": i + 1, "id": id, "seq": seq, "duplicate": dup}),
				)
				.collect();
			return respond(StatusCode::ACCEPTED, json!({ "receipts": receipts }));
		};
		// Wait until every receipt reaches `wait` (or a final state), or time runs out.
		let mut changes = shared.queue.changes();
		let deadline = tokio::time::Instant::now() + self.wait_timeout;
		loop {
			changes.borrow_and_update();
			let wanted: Vec<u64> = ids.iter().map(|(id, _)| *id).collect();
			let receipts: Vec<Receipt> = match shared.queue.receipts(&wanted) {
				Ok(r) => r,
				Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
			};
			let reached = |r: &Receipt| match wait {
				State::InBlock => r.state != State::Queued,
				_ => matches!(r.state, State::Finalized | State::Conflict),
			};
			let done = receipts.iter().all(reached);
			if done || tokio::time::Instant::now() >= deadline {
				let status = if done { StatusCode::OK } else { StatusCode::ACCEPTED };
				return respond(status, json!({ "receipts": receipts, "waited": done }));
			}
			let _ = tokio::time::timeout_at(deadline, changes.changed()).await;
		}
	}

	fn rejected(&self, errors: Vec<(usize, &'static str, String)>) -> Resp {
		for (_, field, _) in &errors {
			self.shared.metrics.rejected.with_label_values(&["http", field]).inc();
		}
		let list: Vec<Value> = errors
			.into_iter()
			.map(|(line, field, reason)| json!({"line": line, "field": field, "reason": reason}))
			.collect();
		respond(
			StatusCode::BAD_REQUEST,
			json!({"error": "invalid records; nothing was queued", "errors": list}),
		)
	}
}
