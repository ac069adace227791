//! One submission worker per source: batches queued records into `submit_batch` transactions,
//! follows them to finality, fails over between nodes, and reconciles with the chain whenever
//! it cannot know what happened (a restart, a lost connection, a failed transaction).
//!
//! Exactly once: a record leaves the queue only when a finalized block holds it (seen in the
//! transaction's own events, or found by `(source, sequence)` at the finalized head). A record
//! whose fate is unknown is never resubmitted before the chain has been asked; if it is
//! resubmitted anyway while an earlier copy is still in the pool, the pallet's `(source,
//! sequence)` rule refuses the second copy and the next reconciliation finds the first.

use crate::{
	config::SubmitConfig,
	metrics::Metrics,
	now_ms,
	queue::{Queue, ReceiptUpdate, State},
};
use accesslog_client::{
	backoff::Backoff,
	rpc_types::hex,
	runtime,
	status::{self, Status},
	Client, Landed, Progress, Receipt, RecordInput, Submitter,
};
use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// A queued record handed to its source's worker.
#[derive(Clone, Debug)]
pub struct Item {
	/// Receipt id.
	pub id: u64,
	/// The entry (source id 0 until submitted).
	pub entry: RecordInput,
	/// Accepted at, ms since the epoch.
	pub received_at: u64,
	/// When the worker got it.
	pub arrived: Instant,
}

impl Item {
	/// An item that arrived now.
	pub fn new(id: u64, entry: RecordInput, received_at: u64) -> Item {
		Item { id, entry, received_at, arrived: Instant::now() }
	}
}

/// What a worker reports for `/health`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct WorkerStatus {
	/// Source name.
	pub source: String,
	/// Source id on chain, once known.
	pub source_id: Option<u32>,
	/// The node endpoint in use, if connected.
	pub endpoint: Option<String>,
	/// The last error, if the last attempt failed.
	pub last_error: Option<String>,
	/// Records waiting to be sent.
	pub ready: usize,
	/// Records in transactions in flight.
	pub in_flight: usize,
	/// Records whose fate is being checked against the chain.
	pub checking: usize,
}

/// A transaction in flight: its records, and whether a block holds it yet.
struct Flight {
	items: Vec<Item>,
	included: bool,
}

enum Event {
	InBlock { batch: u64, block: String, entry_ids: Vec<u64> },
	Finalized { batch: u64, block: String, entry_ids: Vec<u64>, gaps: Vec<(u32, u64, u64)> },
	Failed { batch: u64, error: String },
}

/// The worker of one source.
pub struct Worker {
	/// Source name.
	pub source: String,
	/// Node endpoints.
	pub endpoints: Vec<String>,
	/// The source's submitter key.
	pub submitter: Arc<Submitter>,
	/// The queue.
	pub queue: Arc<Queue>,
	/// Metrics.
	pub metrics: Arc<Metrics>,
	/// Batching settings.
	pub config: SubmitConfig,
	/// Where `/health` reads the worker's state.
	pub status: Arc<Mutex<WorkerStatus>>,
}

struct Conn {
	client: Client,
	source_id: u32,
}

impl Worker {
	/// Run until `incoming` closes. `unknown` are records queued before a restart: their fate
	/// is checked against the chain first.
	pub async fn run(self, mut incoming: mpsc::UnboundedReceiver<Item>, unknown: Vec<Item>) {
		let mut ready: BTreeMap<u64, Item> = BTreeMap::new();
		let mut limbo: Vec<Item> = unknown;
		let mut inflight: HashMap<u64, Flight> = HashMap::new();
		let mut conn: Option<Conn> = None;
		let mut last_client: Option<Client> = None;
		let mut backoff = Backoff::new(Duration::from_millis(self.config.max_backoff_ms));
		let mut retry_at = Instant::now();
		let mut next_batch = 0u64;
		let (events_tx, mut events) = mpsc::unbounded_channel();
		let delay = Duration::from_millis(self.config.batch_delay_ms);
		let tick = delay.clamp(Duration::from_millis(20), Duration::from_millis(250));
		loop {
			let now = Instant::now();
			if conn.is_none() && now >= retry_at {
				match self.connect(last_client.take()).await {
					Ok(c) => {
						self.set_status(|s| {
							s.endpoint = Some(c.client.endpoint().to_string());
							s.source_id = Some(c.source_id);
							s.last_error = None;
						});
						tracing::info!(source = %self.source, endpoint = %c.client.endpoint(), "connected");
						conn = Some(c);
					},
					Err((client, e)) => {
						last_client = client;
						self.failed(&e, &mut backoff, &mut retry_at);
					},
				}
			}
			if let Some(c) = conn.as_ref().filter(|_| Instant::now() >= retry_at) {
				let mut broken = None;
				if !limbo.is_empty() {
					match self.reconcile(c, &mut limbo, &mut ready).await {
						Ok(()) => backoff.succeeded(),
						Err(e) => broken = Some(e),
					}
				}
				// `inflight` bounds the transactions not yet in a block; those waiting only for
				// finality do not hold a slot.
				while broken.is_none()
					&& inflight.values().filter(|f| !f.included).count() < self.config.inflight
				{
					let due = ready.len() >= self.config.batch_size
						|| ready.values().next().is_some_and(|i| i.arrived.elapsed() >= delay);
					if !due {
						break;
					}
					let ids: Vec<u64> =
						ready.keys().take(self.config.batch_size).copied().collect();
					let batch: Vec<Item> =
						ids.iter().map(|id| ready.remove(id).expect("key listed; qed")).collect();
					match self.send(c, &batch).await {
						Ok(progress) => {
							next_batch += 1;
							self.metrics.submitted.inc_by(batch.len() as u64);
							inflight.insert(next_batch, Flight { items: batch, included: false });
							let timeout = Duration::from_secs(self.config.inclusion_timeout_secs);
							tokio::spawn(follow(
								progress,
								next_batch,
								events_tx.clone(),
								timeout,
								self.submitter.clone(),
							));
						},
						Err(e) => {
							// It may or may not have reached the pool: ask the chain first.
							limbo.extend(batch);
							broken = Some(e);
						},
					}
				}
				if let Some(e) = broken {
					self.failed(&e, &mut backoff, &mut retry_at);
					last_client = conn.take().map(|c| c.client);
				}
			}
			self.set_status(|s| {
				s.ready = ready.len();
				s.in_flight = inflight.values().map(|f| f.items.len()).sum();
				s.checking = limbo.len();
				if conn.is_none() {
					s.endpoint = None;
				}
			});
			tokio::select! {
				item = incoming.recv() => match item {
					Some(item) => { ready.insert(item.id, item); },
					None => return,
				},
				Some(event) = events.recv() => {
					if let Err(e) = self.on_event(event, &mut inflight, &mut limbo) {
						tracing::error!(source = %self.source, "cannot record progress: {e}");
					}
				},
				_ = tokio::time::sleep(tick) => {},
			}
		}
	}

	fn set_status(&self, f: impl FnOnce(&mut WorkerStatus)) {
		f(&mut self.status.lock().expect("not poisoned; qed"))
	}

	fn failed(&self, e: &str, backoff: &mut Backoff, retry_at: &mut Instant) {
		self.metrics.failures.inc();
		let wait = backoff.failed();
		tracing::warn!(source = %self.source, "{e}; retrying in {wait:?}");
		self.set_status(|s| s.last_error = Some(e.to_string()));
		*retry_at = Instant::now() + wait;
	}

	/// Connect (failing over from `previous`) and find the source id the key writes for.
	async fn connect(&self, previous: Option<Client>) -> Result<Conn, (Option<Client>, String)> {
		let client = match previous {
			Some(mut c) => match c.failover().await {
				Ok(()) => c,
				Err(e) => return Err((Some(c), e.to_string())),
			},
			None => Client::connect(&self.endpoints).await.map_err(|e| (None, e.to_string()))?,
		};
		let account = self.submitter.account_id().to_string();
		match client.authorized_source(&account).await {
			Ok(s) if s.name == self.source => Ok(Conn { client, source_id: s.id }),
			Ok(s) => Err((
				Some(client),
				format!(
					"the key of source {:?} is authorized for source {} ({:?}); fix the \
					 gateway's [[sources]] or the authorization",
					self.source, s.id, s.name
				),
			)),
			Err(e) => Err((Some(client), e.to_string())),
		}
	}

	async fn send(&self, c: &Conn, batch: &[Item]) -> Result<Progress, String> {
		let entries: Vec<RecordInput> =
			batch.iter().map(|i| RecordInput { source: c.source_id, ..i.entry.clone() }).collect();
		let tx = runtime::tx().access_log().submit_batch(accesslog_client::chain_records(entries));
		c.client.submit_and_watch(&self.submitter, &tx).await.map_err(|e| e.to_string())
	}

	fn on_event(
		&self,
		event: Event,
		inflight: &mut HashMap<u64, Flight>,
		limbo: &mut Vec<Item>,
	) -> Result<(), crate::queue::QueueError> {
		match event {
			Event::InBlock { batch, block, entry_ids } => {
				let Some(flight) = inflight.get_mut(&batch) else { return Ok(()) };
				flight.included = true;
				let items = &flight.items;
				if entry_ids.len() != items.len() {
					return Ok(());
				}
				self.metrics.in_block.inc_by(items.len() as u64);
				let updates: Vec<_> = items
					.iter()
					.zip(entry_ids)
					.map(|(i, e)| ReceiptUpdate::stored(i.id, State::InBlock, e, block.clone()))
					.collect();
				self.queue.update(&updates)
			},
			Event::Finalized { batch, block, entry_ids, gaps } => {
				let Some(Flight { items, .. }) = inflight.remove(&batch) else { return Ok(()) };
				self.metrics
					.gap_seqs
					.inc_by(gaps.iter().map(|(_, first, last)| last - first + 1).sum());
				if entry_ids.len() != items.len() {
					limbo.extend(items);
					return Ok(());
				}
				let updates: Vec<_> = items
					.iter()
					.zip(entry_ids)
					.map(|(i, e)| ReceiptUpdate::stored(i.id, State::Finalized, e, block.clone()))
					.collect();
				self.queue.update(&updates)?;
				self.finalized(&items);
				Ok(())
			},
			Event::Failed { batch, error } => {
				let Some(Flight { items, .. }) = inflight.remove(&batch) else { return Ok(()) };
				self.metrics.failures.inc();
				tracing::warn!(
					source = %self.source,
					records = items.len(),
					"transaction failed ({error}); checking the chain before resubmitting"
				);
				limbo.extend(items);
				Ok(())
			},
		}
	}

	fn finalized(&self, items: &[Item]) {
		let now = now_ms();
		self.metrics.finalized.inc_by(items.len() as u64);
		for i in items {
			self.metrics
				.finality_seconds
				.observe(now.saturating_sub(i.received_at) as f64 / 1000.0);
		}
	}

	/// Settle the records whose fate is unknown: finalized on chain (done), in a block not yet
	/// final (checked again later), held with other content (conflict), or absent (resubmit).
	async fn reconcile(
		&self,
		c: &Conn,
		limbo: &mut Vec<Item>,
		ready: &mut BTreeMap<u64, Item>,
	) -> Result<(), String> {
		let finalized: subxt::utils::H256 = c
			.client
			.rpc()
			.request("chain_getFinalizedHead", subxt_rpcs::rpc_params![])
			.await
			.map_err(|e| e.to_string())?;
		let at_final = self.stored(c, limbo, Some(hex(finalized.as_bytes()))).await?;
		let at_best = self.stored(c, limbo, None).await?;
		let mut hashes: HashMap<u64, String> = HashMap::new();
		let mut updates = Vec::new();
		let mut done = Vec::new();
		let mut still = Vec::new();
		for item in limbo.drain(..) {
			let ours = hex(&item.entry.record_hash);
			if let Some(e) = at_final.get(&item.entry.seq) {
				if e.record_hash == ours {
					let block = match hashes.get(&e.block) {
						Some(h) => h.clone(),
						None => {
							let h: subxt::utils::H256 = c
								.client
								.rpc()
								.request("chain_getBlockHash", subxt_rpcs::rpc_params![e.block])
								.await
								.map_err(|e| e.to_string())?;
							let h = hex(h.as_bytes());
							hashes.insert(e.block, h.clone());
							h
						},
					};
					updates.push(ReceiptUpdate::stored(item.id, State::Finalized, e.id, block));
					done.push(item);
				} else {
					self.metrics.conflicts.inc();
					tracing::error!(
						source = %self.source, seq = item.entry.seq, entry = e.id,
						"the chain holds this sequence number with other content; not stored"
					);
					let error = format!(
						"sequence {} is on chain as entry {} with another record hash; the \
						 source reused a sequence number",
						item.entry.seq, e.id
					);
					updates.push(ReceiptUpdate::conflict(item.id, e.id, error));
				}
			} else if at_best.contains_key(&item.entry.seq) {
				still.push(item);
			} else {
				ready.insert(
					item.id,
					Item { arrived: Instant::now() - Duration::from_secs(3600), ..item },
				);
			}
		}
		self.queue.update(&updates).map_err(|e| e.to_string())?;
		self.finalized(&done);
		*limbo = still;
		Ok(())
	}

	/// The chain's entries of this source with the sequence numbers of `items`, at `at` (the
	/// best block when `None`).
	async fn stored(
		&self,
		c: &Conn,
		items: &[Item],
		at: Option<String>,
	) -> Result<HashMap<u64, accesslog_client::rpc_types::EntryJson>, String> {
		c.client
			.entries_by_seq(c.source_id, items.iter().map(|i| i.entry.seq), at.as_deref())
			.await
			.map_err(|e| e.to_string())
	}
}

/// Follow one transaction: report it in a block (with its entry ids), finalized, or failed.
async fn follow(
	mut progress: Progress,
	batch: u64,
	events: mpsc::UnboundedSender<Event>,
	inclusion_timeout: Duration,
	submitter: Arc<Submitter>,
) {
	let deadline = tokio::time::Instant::now() + inclusion_timeout;
	let mut included = false;
	let failed = |error: String| Event::Failed { batch, error };
	let event = loop {
		let next = if included {
			status::next(&mut progress, &submitter).await
		} else {
			match tokio::time::timeout_at(deadline, status::next(&mut progress, &submitter)).await {
				Ok(next) => next,
				Err(_) => break failed(format!("not in a block within {inclusion_timeout:?}")),
			}
		};
		match next {
			Err(e) => break failed(e.to_string()),
			Ok(Status::InBlock(tx)) => {
				let block = hex(tx.block_hash().as_bytes());
				match Landed::from(tx).await.and_then(Receipt::from_landed) {
					Ok(r) => {
						included = true;
						let _ =
							events.send(Event::InBlock { batch, block, entry_ids: r.entry_ids });
					},
					Err(e) => break failed(e.to_string()),
				}
			},
			Ok(Status::Finalized(tx)) => {
				let block = hex(tx.block_hash().as_bytes());
				match Landed::from(tx).await.and_then(Receipt::from_landed) {
					Ok(r) => {
						break Event::Finalized {
							batch,
							block,
							entry_ids: r.entry_ids,
							gaps: r.gaps,
						}
					},
					Err(e) => break failed(e.to_string()),
				}
			},
		}
	};
	let _ = events.send(event);
}
