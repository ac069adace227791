//! # accesslog-gateway
//!
//! The ingest gateway of the access-log chain. Log producers cannot sign Substrate extrinsics;
//! they send JSON over HTTP or syslog, or offer an export API. The gateway accepts all three,
//! and guarantees that every valid record is on chain exactly once:
//!
//! 1. **validate** ([`ingest`]): per record, with the client library's rules; rejected records
//!    get an HTTP 400 naming the field and reason, or (syslog, pull) go to the dead-letter store;
//! 2. **pseudonymise** with the client library's keyed hash: national and official IDs never
//!    reach the disk or the chain in clear;
//! 3. **queue durably** ([`queue`]): fsynced before the producer is acknowledged, bounded (HTTP
//!    503 + `Retry-After`, syslog stops reading);
//! 4. **submit** ([`submit`]): `submit_batch` transactions per source, followed to finality,
//!    failover between nodes, reconciliation with the chain after any doubt.
//!
//! Inputs: [`http`] (`POST /v1/logs`, receipts, `/health`, `/metrics`, `/openapi.json`),
//! [`syslog`] (RFC 5424 over TCP, TLS and UDP), [`pull`] (an export API polled with a cursor).
//! The binary `accesslog-gateway` is [`Gateway::start`] plus a configuration file
//! ([`config`]); `accesslog-exporter` is the reference export API.

pub mod config;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod pull;
pub mod queue;
pub mod submit;
pub mod syslog;
pub mod tls;

use accesslog_client::{record::RecordError, Submitter};
use config::Config;
use ingest::{Accepted, Normaliser};
use metrics::Metrics;
use queue::{AppendError, Appended, DeadLetter, NewRecord, Queue};
use std::{
	net::SocketAddr,
	sync::{Arc, Mutex},
};
use submit::{Item, Worker, WorkerStatus};
use tokio::sync::mpsc;

pub use accesslog_client::format::now_ms;

/// A start-up failure: which setting, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
	/// A configured key cannot be read (`setting`: `pseudonym` or `sources.NAME`).
	#[error("{setting}: {error}")]
	Key {
		/// The setting naming the key.
		setting: String,
		/// Why it cannot be read.
		#[source]
		error: accesslog_client::Error,
	},
	/// The durable queue cannot be opened or read.
	#[error(transparent)]
	Queue(#[from] queue::QueueError),
	/// A listener cannot be bound (`setting`: `http.listen`, `syslog.tcp`, …).
	#[error("{setting} {addr}: {error}")]
	Bind {
		/// The setting naming the address.
		setting: &'static str,
		/// The address.
		addr: std::net::SocketAddr,
		/// What the operating system said.
		#[source]
		error: std::io::Error,
	},
	/// A TLS certificate, key or CA file is unusable.
	#[error(transparent)]
	Tls(#[from] tls::TlsError),
}

/// What every input shares.
pub struct Shared {
	/// The configuration.
	pub config: Config,
	/// The durable queue.
	pub queue: Arc<Queue>,
	/// Metrics.
	pub metrics: Arc<Metrics>,
	/// Validation and pseudonymisation.
	pub normaliser: Normaliser,
	workers: Vec<mpsc::UnboundedSender<Item>>,
	/// Each source worker's state.
	pub status: Vec<Arc<Mutex<WorkerStatus>>>,
}

impl Shared {
	/// Durably queue `records` (blocking disk work moved off the async threads) and hand the
	/// new ones to their workers.
	pub async fn enqueue(
		self: &Arc<Self>,
		records: Vec<Accepted>,
		all_or_nothing: bool,
		cursor: Option<(String, String)>,
	) -> Result<Vec<Appended>, AppendError> {
		let me = self.clone();
		let (out, records) = tokio::task::spawn_blocking(move || {
			let new: Vec<NewRecord> = records
				.iter()
				.map(|a| NewRecord {
					source: me.config.sources[a.source].name.clone(),
					entry: a.entry.clone(),
				})
				.collect();
			(me.queue.append(new, all_or_nothing, cursor, now_ms()), records)
		})
		.await
		.map_err(|e| AppendError::Queue(queue::QueueError::from_join(e)))?;
		let out = out?;
		let now = now_ms();
		for (a, result) in records.into_iter().zip(&out) {
			if let Appended::New(id) = result {
				let _ = self.workers[a.source].send(Item::new(*id, a.entry, now));
			}
		}
		Ok(out)
	}

	/// Queue records of an input that cannot be answered (syslog, pull): in chunks that fit the
	/// queue, each waiting until there is room (the caller reads no more input meanwhile: that is
	/// the back-pressure). `cursor` is stored with the last chunk. Returns the records refused as
	/// conflicts (their sequence number was accepted before with other content), with the line.
	pub async fn enqueue_waiting(
		self: &Arc<Self>,
		input: &str,
		mut accepted: Vec<(Accepted, String)>,
		cursor: Option<(String, String)>,
	) -> Result<Vec<(RecordError, String)>, queue::QueueError> {
		let chunk =
			self.queue.capacity().clamp(1, accesslog_client::format::limits::MAX_BATCH_SIZE);
		let mut conflicts = Vec::new();
		// Counted once per call, when it is first held (about to wait for room, or it lost the
		// room it waited for to another input).
		let mut held = false;
		let hold = |held: &mut bool| {
			if !std::mem::replace(held, true) {
				self.metrics.backpressure.with_label_values(&[input]).inc();
			}
		};
		loop {
			let take = accepted.len().min(chunk);
			let last = take == accepted.len();
			let part: Vec<(Accepted, String)> = accepted.drain(..take).collect();
			let cursor = if last { cursor.clone() } else { None };
			loop {
				if !self.queue.has_room(part.len()) {
					hold(&mut held);
					self.queue.wait_for_room(part.len()).await;
				}
				let records = part.iter().map(|(a, _)| a.clone()).collect();
				match self.enqueue(records, false, cursor.clone()).await {
					Ok(out) => {
						for ((a, line), result) in part.into_iter().zip(out) {
							if let Appended::Conflict(id) = result {
								let reason = format!(
									"sequence {} was already accepted as receipt {id} with \
									 other content",
									a.seq
								);
								conflicts.push((RecordError { field: "seq", reason }, line));
							}
						}
						break;
					},
					Err(AppendError::Full { .. }) => {
						hold(&mut held);
						continue;
					},
					Err(AppendError::Conflicts(_)) => unreachable!("partial appends; qed"),
					Err(AppendError::Queue(e)) => return Err(e),
				}
			}
			if last {
				return Ok(conflicts);
			}
		}
	}

	/// Keep rejected lines (syslog, pull) with their reasons, and count them.
	pub async fn dead_letter(
		self: &Arc<Self>,
		input: &str,
		peer: &str,
		rejected: Vec<(RecordError, String)>,
	) -> Result<(), queue::QueueError> {
		if rejected.is_empty() {
			return Ok(());
		}
		let now = now_ms();
		let letters: Vec<DeadLetter> = rejected
			.into_iter()
			.map(|(e, mut line)| {
				self.metrics.rejected.with_label_values(&[input, e.field]).inc();
				if line.len() > 64 * 1024 {
					let mut cut = 64 * 1024;
					while !line.is_char_boundary(cut) {
						cut -= 1;
					}
					line.truncate(cut);
				}
				DeadLetter {
					id: 0,
					at: now,
					input: input.into(),
					peer: peer.into(),
					field: e.field.into(),
					reason: e.reason,
					line,
				}
			})
			.collect();
		let n = letters.len() as u64;
		let queue = self.queue.clone();
		tokio::task::spawn_blocking(move || queue.dead_letters(letters))
			.await
			.map_err(queue::QueueError::from_join)??;
		self.metrics.dead_letters.with_label_values(&[input]).inc_by(n);
		Ok(())
	}
}

/// Accept connections on `listener` forever, each handled by `handle` in a task of its own;
/// accept errors (e.g. out of file descriptors) are logged and retried after 100 ms.
pub fn serve_connections<F, Fut>(listener: tokio::net::TcpListener, what: &'static str, handle: F)
where
	F: Fn(tokio::net::TcpStream, SocketAddr) -> Fut + Send + 'static,
	Fut: std::future::Future<Output = ()> + Send + 'static,
{
	tokio::spawn(async move {
		loop {
			match listener.accept().await {
				Ok((stream, peer)) => {
					tokio::spawn(handle(stream, peer));
				},
				Err(e) => {
					tracing::warn!("{what} accept: {e}");
					tokio::time::sleep(std::time::Duration::from_millis(100)).await;
				},
			}
		}
	});
}

/// Where a started gateway listens.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Addresses {
	/// HTTP(S) API.
	pub http: Option<SocketAddr>,
	/// Syslog over TCP.
	pub syslog_tcp: Option<SocketAddr>,
	/// Syslog over TLS.
	pub syslog_tls: Option<SocketAddr>,
	/// Syslog over UDP.
	pub syslog_udp: Option<SocketAddr>,
}

/// A running gateway.
pub struct Gateway {
	/// Shared state.
	pub shared: Arc<Shared>,
	/// Bound addresses.
	pub addresses: Addresses,
}

impl Gateway {
	/// Load the keys, open the queue, start a worker per source (records queued before a
	/// restart are checked against the chain first), bind every configured listener and start
	/// the pull feeds. Fails with what to fix when a key, the queue or a port is unusable.
	pub async fn start(config: Config) -> Result<Gateway, StartError> {
		let key = config
			.pseudonym
			.key
			.pseudonym_key()
			.map_err(|error| StartError::Key { setting: "pseudonym".into(), error })?;
		let mut submitters = Vec::new();
		for s in &config.sources {
			let pair = s.submitter_key.keypair().map_err(|error| StartError::Key {
				setting: format!("sources.{}", s.name),
				error,
			})?;
			submitters.push(Arc::new(Submitter::new(pair)));
		}
		let queue = Queue::open(&config.queue.dir, config.queue.capacity)?;
		let metrics = Arc::new(Metrics::new());
		let mut unknown: Vec<Vec<Item>> = vec![Vec::new(); config.sources.len()];
		for (id, q) in queue.pending_records()? {
			match config.source_index(&q.source) {
				Some(i) => unknown[i].push(Item::new(id, q.entry, q.received_at)),
				None => tracing::warn!(
					receipt = id,
					source = %q.source,
					"a queued record's source is no longer configured; it stays queued"
				),
			}
		}
		let mut workers = Vec::new();
		let mut status = Vec::new();
		for ((s, submitter), unknown) in config.sources.iter().zip(submitters).zip(unknown) {
			let (tx, rx) = mpsc::unbounded_channel();
			let st =
				Arc::new(Mutex::new(WorkerStatus { source: s.name.clone(), ..Default::default() }));
			let worker = Worker {
				source: s.name.clone(),
				endpoints: config.nodes.clone(),
				submitter,
				queue: queue.clone(),
				metrics: metrics.clone(),
				config: config.submit.clone(),
				status: st.clone(),
			};
			tokio::spawn(worker.run(rx, unknown));
			workers.push(tx);
			status.push(st);
		}
		let normaliser = Normaliser::new(config.clone(), key);
		let shared = Arc::new(Shared { config, queue, metrics, normaliser, workers, status });
		let mut addresses = Addresses::default();
		if let Some(http) = shared.config.http.clone() {
			addresses.http = Some(http::serve(shared.clone(), &http).await?);
		}
		let sys = shared.config.syslog.clone();
		if let Some(addr) = sys.tcp {
			addresses.syslog_tcp = Some(syslog::serve_tcp(shared.clone(), addr, None).await?);
		}
		if let Some(t) = &sys.tls {
			let acceptor = tls::acceptor(&t.cert, &t.key, t.client_ca.as_deref())?;
			addresses.syslog_tls =
				Some(syslog::serve_tcp(shared.clone(), t.listen, Some(acceptor)).await?);
		}
		if let Some(addr) = sys.udp {
			addresses.syslog_udp = Some(syslog::serve_udp(shared.clone(), addr).await?);
		}
		for feed in shared.config.pull.clone() {
			tokio::spawn(pull::run(shared.clone(), feed));
		}
		Ok(Gateway { shared, addresses })
	}
}
