//! The embedded durable queue: records accepted and not yet finalized, every receipt, the
//! `(source, sequence)` index that makes resubmission idempotent, the dead-letter store, and the
//! pull feeds' cursors, in one [redb](https://docs.rs/redb) database.
//!
//! Every write is committed with fsync before the caller is answered, so a record acknowledged
//! to a producer survives `kill -9` and power loss. Appends are group-committed: one thread owns
//! them, and the appends that arrive while it waits for the disk share the next transaction and
//! its one fsync, each still all or nothing on its own. The queue is bounded:
//! [`Queue::append`] refuses (and [`Queue::wait_for_room`] waits) when `capacity` records are
//! pending.

use accesslog_client::RecordInput;
use codec::{Decode, Encode};
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};
use std::{
	collections::HashMap,
	path::Path,
	sync::{
		atomic::{AtomicUsize, Ordering},
		mpsc, Arc, Mutex, Weak,
	},
	thread::JoinHandle,
};
use tokio::sync::{watch, Notify};

/// Pending records: receipt id → SCALE-encoded [`Queued`].
const QUEUE: TableDefinition<u64, &[u8]> = TableDefinition::new("queue");
/// Every receipt: id → JSON [`Receipt`].
const RECEIPTS: TableDefinition<u64, &[u8]> = TableDefinition::new("receipts");
/// (source, seq) → receipt id (8 bytes LE) ++ record hash (32 bytes).
const SEQS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("seqs");
/// Dead letters: id → JSON [`DeadLetter`].
const DEAD: TableDefinition<u64, &[u8]> = TableDefinition::new("dead_letters");
/// Counters and pull cursors.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// One receipt's progress for [`Queue::update`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptUpdate {
	/// The receipt.
	pub id: u64,
	/// Its new state.
	pub state: State,
	/// The entry id the chain gave the record.
	pub entry_id: u64,
	/// `0x`-hex hash of the block holding it, once known.
	pub block_hash: Option<String>,
	/// Why the record is not stored, for [`State::Conflict`].
	pub error: Option<String>,
}

impl ReceiptUpdate {
	/// The record is stored as entry `entry_id` in block `block_hash` (`state`: in a block or
	/// finalized).
	pub fn stored(id: u64, state: State, entry_id: u64, block_hash: String) -> Self {
		ReceiptUpdate { id, state, entry_id, block_hash: Some(block_hash), error: None }
	}

	/// The chain holds the record's sequence number as entry `entry_id` with other content.
	pub fn conflict(id: u64, entry_id: u64, error: String) -> Self {
		ReceiptUpdate { id, state: State::Conflict, entry_id, block_hash: None, error: Some(error) }
	}
}

/// A queue failure (disk, corruption): the caller answers 500 / retries; nothing was written.
#[derive(Clone, Debug, thiserror::Error)]
#[error("durable queue: {0}")]
pub struct QueueError(String);

impl QueueError {
	/// A blocking task that did the disk work died.
	pub fn from_join(e: tokio::task::JoinError) -> QueueError {
		QueueError(format!("the disk task failed: {e}"))
	}
}

fn qe(e: impl std::fmt::Display) -> QueueError {
	QueueError(e.to_string())
}

/// A record waiting for finality.
#[derive(Clone, Debug)]
pub struct Queued {
	/// Source name.
	pub source: String,
	/// Sequence number.
	pub seq: u64,
	/// The entry (source id set at submission).
	pub entry: RecordInput,
	/// When the gateway accepted it, ms since the epoch.
	pub received_at: u64,
}

/// The stored form of a queued record (SCALE): the entry's fields, then the queue's own.
#[derive(Encode, Decode)]
struct Stored {
	source: String,
	received_at: u64,
	seq: u64,
	occurred_at: u64,
	agency: Vec<u8>,
	system: Vec<u8>,
	accessor_ref: [u8; 32],
	citizen_ref: [u8; 32],
	key_id: u32,
	action: Vec<u8>,
	purpose: Vec<u8>,
	status: u16,
	records: u32,
	record_hash: [u8; 32],
}

impl Queued {
	fn encode(&self) -> Vec<u8> {
		let e = &self.entry;
		Stored {
			source: self.source.clone(),
			received_at: self.received_at,
			seq: e.seq,
			occurred_at: e.occurred_at,
			agency: e.agency.clone(),
			system: e.system.clone(),
			accessor_ref: e.accessor_ref,
			citizen_ref: e.citizen_ref,
			key_id: e.key_id,
			action: e.action.clone(),
			purpose: e.purpose.clone(),
			status: e.status,
			records: e.records,
			record_hash: e.record_hash,
		}
		.encode()
	}

	fn decode(mut bytes: &[u8]) -> Result<Queued, QueueError> {
		let s = Stored::decode(&mut bytes).map_err(qe)?;
		Ok(Queued {
			source: s.source,
			seq: s.seq,
			received_at: s.received_at,
			entry: RecordInput {
				source: 0,
				seq: s.seq,
				occurred_at: s.occurred_at,
				agency: s.agency,
				system: s.system,
				accessor_ref: s.accessor_ref,
				citizen_ref: s.citizen_ref,
				key_id: s.key_id,
				action: s.action,
				purpose: s.purpose,
				status: s.status,
				records: s.records,
				record_hash: s.record_hash,
			},
		})
	}
}

/// Where a receipt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
	/// Durably queued, not yet in a block.
	Queued,
	/// In a block that is not final yet.
	InBlock,
	/// In a finalized block: done.
	Finalized,
	/// The chain holds another record under the same (source, sequence): never stored.
	Conflict,
}

/// A receipt: what the gateway promised for one record, and how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
	/// Receipt id.
	pub id: u64,
	/// Source name.
	pub source: String,
	/// Sequence number.
	pub seq: u64,
	/// State.
	pub state: State,
	/// Accepted at, ms since the epoch.
	pub received_at: u64,
	/// Entry id on chain.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub entry_id: Option<u64>,
	/// Block holding it (0x-hex).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub block_hash: Option<String>,
	/// Why it was not stored (conflicts).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
}

/// A rejected line that could not be answered (syslog, pull), kept with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
	/// Dead-letter id.
	pub id: u64,
	/// When, ms since the epoch.
	pub at: u64,
	/// Which input (`syslog-tcp`, `syslog-tls`, `syslog-udp`, `pull:<feed>`).
	pub input: String,
	/// The sender's address, or the feed's URL.
	pub peer: String,
	/// The field at fault (`line` for the whole line).
	pub field: String,
	/// Why.
	pub reason: String,
	/// The line as received (at most 64 KiB of it).
	pub line: String,
}

/// What [`Queue::append`] did with one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appended {
	/// Queued under this new receipt id.
	New(u64),
	/// The same record (same source, sequence and hash) was accepted before under this id.
	Existing(u64),
	/// The sequence number was accepted before with other content, under this id.
	Conflict(u64),
}

/// Why an append was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
	/// Not enough room: `pending` of `capacity` records are waiting.
	#[error("the queue is full ({pending} of {capacity} records pending)")]
	Full {
		/// Records pending.
		pending: usize,
		/// The capacity.
		capacity: usize,
	},
	/// Some records reuse a sequence number with other content (all-or-nothing appends only):
	/// `(index in the request, existing receipt id)`.
	#[error("sequence numbers reused with other content")]
	Conflicts(Vec<(usize, u64)>),
	/// The disk failed.
	#[error(transparent)]
	Queue(#[from] QueueError),
}

/// The durable queue.
pub struct Queue {
	db: Database,
	capacity: usize,
	pending: AtomicUsize,
	room: Notify,
	changes: watch::Sender<u64>,
	/// Appends for the committer thread (`None` once the queue is dropped).
	jobs: Option<mpsc::Sender<Job>>,
	committer: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Queue {
	fn drop(&mut self) {
		// Without a sender the committer's `recv` fails and it ends; wait for it (unless the
		// committer itself dropped the last reference) so the database file is closed when this
		// returns and the queue can be opened again.
		self.jobs.take();
		let handle = self.committer.get_mut().ok().and_then(Option::take);
		if let Some(handle) = handle {
			if handle.thread().id() != std::thread::current().id() {
				let _ = handle.join();
			}
		}
	}
}

/// Most appends that share one transaction.
const MAX_GROUP: usize = 256;

/// What an append gets back.
type AppendResult = Result<Vec<Appended>, AppendError>;

/// One caller's append, waiting for the committer thread.
struct Job {
	records: Vec<NewRecord>,
	all_or_nothing: bool,
	cursor: Option<(String, String)>,
	now_ms: u64,
	reply: mpsc::SyncSender<AppendResult>,
}

/// The committer thread: takes every append waiting, writes them in one transaction, answers
/// each. Ends when the queue is dropped.
fn commit_loop(queue: Weak<Queue>, jobs: mpsc::Receiver<Job>) {
	while let Ok(first) = jobs.recv() {
		let mut group = vec![first];
		group.extend(jobs.try_iter().take(MAX_GROUP - 1));
		let answers = match queue.upgrade() {
			Some(q) => q.commit_group(group),
			None => group
				.into_iter()
				.map(|job| {
					let closed = QueueError("the queue is closed".into());
					(job.reply, Err(closed.into()))
				})
				.collect(),
		};
		// Answer only once the queue is let go of: an appender that drops its queue right after
		// its answer and reopens the file must find it closed, not still held (and its drop run)
		// by this thread.
		for (reply, result) in answers {
			let _ = reply.send(result);
		}
	}
}

/// What `job` would do, found before anything is written: per record its receipt, or why the
/// whole append is refused. Records repeating a sequence inside the job count as accepted before.
fn plan(
	seqs: &impl ReadableTable<(&'static str, u64), &'static [u8]>,
	job: &Job,
	mut next: u64,
	pending: usize,
	capacity: usize,
) -> Result<AppendResult, QueueError> {
	let mut planned: HashMap<(&str, u64), (u64, &[u8; 32])> = HashMap::new();
	let mut out = Vec::with_capacity(job.records.len());
	let (mut conflicts, mut new) = (Vec::new(), 0usize);
	for (i, r) in job.records.iter().enumerate() {
		let key = (r.source.as_str(), r.entry.seq);
		let prior = match planned.get(&key) {
			Some((id, hash)) => Some((*id, *hash == &r.entry.record_hash)),
			None => seqs.get(key).map_err(qe)?.map(|v| {
				let v = v.value();
				let id = u64::from_le_bytes(v[..8].try_into().expect("8 bytes; qed"));
				(id, v[8..] == r.entry.record_hash[..])
			}),
		};
		match prior {
			Some((id, true)) => out.push(Appended::Existing(id)),
			Some((id, false)) => {
				conflicts.push((i, id));
				out.push(Appended::Conflict(id));
			},
			None => {
				planned.insert(key, (next, &r.entry.record_hash));
				out.push(Appended::New(next));
				next += 1;
				new += 1;
			},
		}
	}
	if job.all_or_nothing && !conflicts.is_empty() {
		return Ok(Err(AppendError::Conflicts(conflicts)));
	}
	if new > 0 && pending + new > capacity {
		return Ok(Err(AppendError::Full { pending, capacity }));
	}
	Ok(Ok(out))
}

/// A record to append.
pub struct NewRecord {
	/// Source name.
	pub source: String,
	/// The entry.
	pub entry: RecordInput,
}

fn counter(meta: &redb::Table<&str, &[u8]>, name: &str) -> Result<u64, QueueError> {
	Ok(match meta.get(name).map_err(qe)? {
		Some(v) => u64::from_le_bytes(v.value().try_into().map_err(qe)?),
		None => 0,
	})
}

impl Queue {
	/// Open (or create) the queue in folder `dir` (mode 0700), holding at most `capacity`
	/// pending records.
	pub fn open(dir: &Path, capacity: usize) -> Result<Arc<Queue>, QueueError> {
		std::fs::create_dir_all(dir)
			.map_err(|e| QueueError(format!("cannot create {}: {e}", dir.display())))?;
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
				.map_err(|e| QueueError(format!("cannot restrict {}: {e}", dir.display())))?;
		}
		let path = dir.join("queue.redb");
		let db = Database::create(&path).map_err(|e| {
			QueueError(format!(
				"cannot open {}: {e} (is another gateway using this queue dir?)",
				path.display()
			))
		})?;
		let w = db.begin_write().map_err(qe)?;
		let pending = {
			let q = w.open_table(QUEUE).map_err(qe)?;
			w.open_table(RECEIPTS).map_err(qe)?;
			w.open_table(SEQS).map_err(qe)?;
			w.open_table(DEAD).map_err(qe)?;
			w.open_table(META).map_err(qe)?;
			q.len().map_err(qe)? as usize
		};
		w.commit().map_err(qe)?;
		let (changes, _) = watch::channel(0);
		let (jobs, receiver) = mpsc::channel();
		let queue = Arc::new(Queue {
			db,
			capacity,
			pending: AtomicUsize::new(pending),
			room: Notify::new(),
			changes,
			jobs: Some(jobs),
			committer: Mutex::new(None),
		});
		let weak = Arc::downgrade(&queue);
		let handle = std::thread::Builder::new()
			.name("queue-commit".into())
			.spawn(move || commit_loop(weak, receiver))
			.map_err(|e| QueueError(format!("cannot start the queue's committer thread: {e}")))?;
		*queue.committer.lock().expect("not poisoned; qed") = Some(handle);
		Ok(queue)
	}

	/// Records accepted and not yet finalized.
	pub fn pending(&self) -> usize {
		self.pending.load(Ordering::SeqCst)
	}

	/// The capacity.
	pub fn capacity(&self) -> usize {
		self.capacity
	}

	/// A receiver that sees a new value whenever any receipt changes.
	pub fn changes(&self) -> watch::Receiver<u64> {
		self.changes.subscribe()
	}

	fn changed(&self) {
		self.changes.send_modify(|n| *n += 1);
	}

	/// Whether `n` more records fit now (always, when the queue is empty).
	pub fn has_room(&self, n: usize) -> bool {
		let pending = self.pending();
		pending + n <= self.capacity || pending == 0
	}

	/// Wait until `n` more records fit (or the queue is empty, for `n` above the capacity).
	pub async fn wait_for_room(&self, n: usize) {
		loop {
			let notified = self.room.notified();
			if self.has_room(n) {
				return;
			}
			notified.await;
		}
	}

	/// Durably append `records` (fsync before returning). A record whose (source, sequence) was
	/// accepted before with the same hash gets its old receipt; with another hash it is a
	/// conflict: with `all_or_nothing` nothing is written then, otherwise the others are.
	/// `cursor` (feed, value) is stored in the same transaction (pull feeds).
	///
	/// Blocks until the committer thread has written the transaction holding it (shared with the
	/// other appends waiting at that moment): call it from blocking code.
	pub fn append(
		&self,
		records: Vec<NewRecord>,
		all_or_nothing: bool,
		cursor: Option<(String, String)>,
		now_ms: u64,
	) -> AppendResult {
		let closed = || AppendError::Queue(QueueError("the queue's committer stopped".into()));
		let (reply, answer) = mpsc::sync_channel(1);
		let job = Job { records, all_or_nothing, cursor, now_ms, reply };
		self.jobs.as_ref().ok_or_else(closed)?.send(job).map_err(|_| closed())?;
		answer.recv().map_err(|_| closed())?
	}

	/// Write a group of appends in one transaction; returns each append's reply channel with
	/// its answer, for [`commit_loop`] to send. If the commit fails, every append of the group
	/// gets the error and nothing of them was written.
	fn commit_group(&self, group: Vec<Job>) -> Vec<(mpsc::SyncSender<AppendResult>, AppendResult)> {
		let results = match self.write_group(&group) {
			Ok((results, new)) => {
				self.pending.fetch_add(new, Ordering::SeqCst);
				if new > 0 {
					self.changed();
				}
				results
			},
			Err(e) => group.iter().map(|_| Err(AppendError::Queue(e.clone()))).collect(),
		};
		group.into_iter().map(|job| job.reply).zip(results).collect()
	}

	/// The transaction of [`Queue::commit_group`]: each append planned, then written only if
	/// it is not refused. Returns each append's result and how many records are new.
	fn write_group(&self, group: &[Job]) -> Result<(Vec<AppendResult>, usize), QueueError> {
		let w = self.db.begin_write().map_err(qe)?;
		let mut results = Vec::with_capacity(group.len());
		let mut group_new = 0usize;
		{
			let mut queue = w.open_table(QUEUE).map_err(qe)?;
			let mut receipts = w.open_table(RECEIPTS).map_err(qe)?;
			let mut seqs = w.open_table(SEQS).map_err(qe)?;
			let mut meta = w.open_table(META).map_err(qe)?;
			let mut next = counter(&meta, "next_receipt")?.max(1);
			for job in group {
				let pending = self.pending() + group_new;
				let out = match plan(&seqs, job, next, pending, self.capacity)? {
					Ok(out) => out,
					Err(refused) => {
						results.push(Err(refused));
						continue;
					},
				};
				for (r, appended) in job.records.iter().zip(&out) {
					let Appended::New(id) = *appended else { continue };
					let mut value = id.to_le_bytes().to_vec();
					value.extend_from_slice(&r.entry.record_hash);
					seqs.insert((r.source.as_str(), r.entry.seq), value.as_slice()).map_err(qe)?;
					let queued = Queued {
						source: r.source.clone(),
						seq: r.entry.seq,
						entry: r.entry.clone(),
						received_at: job.now_ms,
					};
					queue.insert(id, queued.encode().as_slice()).map_err(qe)?;
					let receipt = Receipt {
						id,
						source: r.source.clone(),
						seq: r.entry.seq,
						state: State::Queued,
						received_at: job.now_ms,
						entry_id: None,
						block_hash: None,
						error: None,
					};
					receipts.insert(id, json(&receipt).as_slice()).map_err(qe)?;
					next += 1;
					group_new += 1;
				}
				if let Some((feed, value)) = &job.cursor {
					meta.insert(format!("cursor:{feed}").as_str(), value.as_bytes()).map_err(qe)?;
				}
				results.push(Ok(out));
			}
			meta.insert("next_receipt", next.to_le_bytes().as_slice()).map_err(qe)?;
		}
		w.commit().map_err(qe)?;
		Ok((results, group_new))
	}

	/// Every pending record, oldest first.
	pub fn pending_records(&self) -> Result<Vec<(u64, Queued)>, QueueError> {
		let r = self.db.begin_read().map_err(qe)?;
		let queue = r.open_table(QUEUE).map_err(qe)?;
		let mut out = Vec::new();
		for item in queue.range(0u64..).map_err(qe)? {
			let (k, v) = item.map_err(qe)?;
			let q = Queued::decode(v.value())?;
			out.push((k.value(), q));
		}
		Ok(out)
	}

	/// One receipt.
	pub fn receipt(&self, id: u64) -> Result<Option<Receipt>, QueueError> {
		let r = self.db.begin_read().map_err(qe)?;
		let receipts = r.open_table(RECEIPTS).map_err(qe)?;
		let found = receipts.get(id).map_err(qe)?;
		found.map(|v| serde_json::from_slice(v.value()).map_err(qe)).transpose()
	}

	/// Several receipts, read in one transaction; every id must exist.
	pub fn receipts(&self, ids: &[u64]) -> Result<Vec<Receipt>, QueueError> {
		let r = self.db.begin_read().map_err(qe)?;
		let receipts = r.open_table(RECEIPTS).map_err(qe)?;
		ids.iter()
			.map(|id| {
				let v = receipts.get(*id).map_err(qe)?;
				let v = v.ok_or_else(|| QueueError(format!("receipt {id} is missing")))?;
				serde_json::from_slice(v.value()).map_err(qe)
			})
			.collect()
	}

	/// Record progress of receipts. Finalized and conflicting records leave the queue.
	pub fn update(&self, updates: &[ReceiptUpdate]) -> Result<(), QueueError> {
		if updates.is_empty() {
			return Ok(());
		}
		let w = self.db.begin_write().map_err(qe)?;
		let mut removed = 0;
		{
			let mut queue = w.open_table(QUEUE).map_err(qe)?;
			let mut receipts = w.open_table(RECEIPTS).map_err(qe)?;
			for ReceiptUpdate { id, state, entry_id, block_hash, error } in updates {
				let mut receipt: Receipt = match receipts.get(*id).map_err(qe)? {
					Some(v) => serde_json::from_slice(v.value()).map_err(qe)?,
					None => continue,
				};
				if matches!(receipt.state, State::Finalized | State::Conflict) {
					continue;
				}
				receipt.state = *state;
				receipt.entry_id = Some(*entry_id);
				receipt.block_hash = block_hash.clone();
				receipt.error = error.clone();
				receipts.insert(*id, json(&receipt).as_slice()).map_err(qe)?;
				if matches!(state, State::Finalized | State::Conflict)
					&& queue.remove(*id).map_err(qe)?.is_some()
				{
					removed += 1;
				}
			}
		}
		w.commit().map_err(qe)?;
		if removed > 0 {
			self.pending.fetch_sub(removed, Ordering::SeqCst);
			self.room.notify_waiters();
		}
		self.changed();
		Ok(())
	}

	/// Keep rejected lines with their reasons (one transaction, fsynced).
	pub fn dead_letters(&self, letters: Vec<DeadLetter>) -> Result<(), QueueError> {
		if letters.is_empty() {
			return Ok(());
		}
		let w = self.db.begin_write().map_err(qe)?;
		{
			let mut dead = w.open_table(DEAD).map_err(qe)?;
			let mut meta = w.open_table(META).map_err(qe)?;
			let mut next = counter(&meta, "next_dead")?.max(1);
			for mut letter in letters {
				letter.id = next;
				next += 1;
				dead.insert(letter.id, json(&letter).as_slice()).map_err(qe)?;
			}
			meta.insert("next_dead", next.to_le_bytes().as_slice()).map_err(qe)?;
		}
		w.commit().map_err(qe)
	}

	/// Dead letters with ids after `after`, at most `limit`.
	pub fn read_dead_letters(
		&self,
		after: u64,
		limit: usize,
	) -> Result<Vec<DeadLetter>, QueueError> {
		let r = self.db.begin_read().map_err(qe)?;
		let dead = r.open_table(DEAD).map_err(qe)?;
		let mut out = Vec::new();
		for item in dead.range(after.saturating_add(1)..).map_err(qe)?.take(limit) {
			let (_, v) = item.map_err(qe)?;
			out.push(serde_json::from_slice(v.value()).map_err(qe)?);
		}
		Ok(out)
	}

	/// The stored cursor of pull feed `feed`.
	pub fn cursor(&self, feed: &str) -> Result<Option<String>, QueueError> {
		let r = self.db.begin_read().map_err(qe)?;
		let meta = r.open_table(META).map_err(qe)?;
		let found = meta.get(format!("cursor:{feed}").as_str()).map_err(qe)?;
		Ok(found.map(|v| String::from_utf8_lossy(v.value()).into_owned()))
	}
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
	serde_json::to_vec(v).expect("receipts serialize; qed")
}

#[cfg(test)]
mod tests {
	use super::*;

	fn record(seq: u64, hash: u8) -> NewRecord {
		NewRecord {
			source: "s".into(),
			entry: RecordInput {
				source: 0,
				seq,
				occurred_at: 1,
				agency: b"a".to_vec(),
				system: b"b".to_vec(),
				accessor_ref: [1; 32],
				citizen_ref: [2; 32],
				key_id: 1,
				action: b"GET /".to_vec(),
				purpose: b"001".to_vec(),
				status: 200,
				records: 1,
				record_hash: [hash; 32],
			},
		}
	}

	#[test]
	fn appends_survive_reopening_and_dedupe_by_sequence() {
		let dir = tempfile::tempdir().unwrap();
		{
			let q = Queue::open(dir.path(), 10).unwrap();
			let got = q
				.append(vec![record(1, 1), record(2, 2)], true, Some(("f".into(), "c1".into())), 5)
				.unwrap();
			assert_eq!(got, vec![Appended::New(1), Appended::New(2)]);
			assert_eq!(q.pending(), 2);
		}
		let q = Queue::open(dir.path(), 10).unwrap();
		assert_eq!(q.pending(), 2);
		assert_eq!(q.cursor("f").unwrap().as_deref(), Some("c1"));
		let pending = q.pending_records().unwrap();
		assert_eq!(
			pending.iter().map(|(id, r)| (*id, r.seq)).collect::<Vec<_>>(),
			[(1, 1), (2, 2)]
		);
		// The same record again: its old receipt. Other content: a conflict, nothing written.
		assert_eq!(
			q.append(vec![record(1, 1)], true, None, 6).unwrap(),
			vec![Appended::Existing(1)]
		);
		match q.append(vec![record(3, 3), record(2, 9)], true, None, 6) {
			Err(AppendError::Conflicts(c)) => assert_eq!(c, vec![(1, 2)]),
			other => panic!("{other:?}"),
		}
		assert_eq!(q.pending(), 2);
		// Without all-or-nothing the good one is written.
		let got = q.append(vec![record(3, 3), record(2, 9)], false, None, 6).unwrap();
		assert_eq!(got, vec![Appended::New(3), Appended::Conflict(2)]);
		assert_eq!(q.receipt(3).unwrap().unwrap().state, State::Queued);
	}

	#[test]
	fn the_queue_is_bounded_and_finality_frees_room() {
		let dir = tempfile::tempdir().unwrap();
		let q = Queue::open(dir.path(), 2).unwrap();
		q.append(vec![record(1, 1), record(2, 2)], true, None, 1).unwrap();
		match q.append(vec![record(3, 3)], true, None, 1) {
			Err(AppendError::Full { pending: 2, capacity: 2 }) => {},
			other => panic!("{other:?}"),
		}
		// A duplicate still gets its receipt when full.
		assert_eq!(
			q.append(vec![record(2, 2)], true, None, 1).unwrap(),
			vec![Appended::Existing(2)]
		);
		let changes = q.changes();
		q.update(&[ReceiptUpdate::stored(1, State::Finalized, 0, "0xab".into())]).unwrap();
		assert!(changes.has_changed().unwrap());
		assert_eq!(q.pending(), 1);
		let r = q.receipt(1).unwrap().unwrap();
		assert_eq!(
			(r.state, r.entry_id, r.block_hash.as_deref()),
			(State::Finalized, Some(0), Some("0xab"))
		);
		// A finalized receipt never goes back.
		q.update(&[ReceiptUpdate::stored(1, State::InBlock, 5, "0xcd".into())]).unwrap();
		assert_eq!(q.receipt(1).unwrap().unwrap().state, State::Finalized);
		q.append(vec![record(3, 3)], true, None, 1).unwrap();
		assert_eq!(q.pending(), 2);
	}

	#[test]
	fn concurrent_appends_share_commits_and_stay_all_or_nothing_each() {
		let dir = tempfile::tempdir().unwrap();
		let q = Queue::open(dir.path(), 1000).unwrap();
		q.append(vec![record(1, 1)], true, None, 1).unwrap();
		let results: Vec<_> = std::thread::scope(|s| {
			let handles: Vec<_> = (0..32u64)
				.map(|i| {
					let q = &q;
					s.spawn(move || {
						if i % 2 == 0 {
							q.append(vec![record(100 + i, 1), record(100 + i, 1)], true, None, 2)
						} else {
							// Reuses sequence 1 with other content: refused as a whole.
							q.append(vec![record(200 + i, 1), record(1, 9)], true, None, 2)
						}
					})
				})
				.collect();
			handles.into_iter().map(|h| h.join().unwrap()).collect()
		});
		let mut ids = Vec::new();
		for (i, result) in results.into_iter().enumerate() {
			match result {
				Ok(got) if i % 2 == 0 => {
					// The repeat inside the request gets the first one's receipt.
					let Appended::New(id) = got[0] else { panic!("{got:?}") };
					assert_eq!(got[1], Appended::Existing(id));
					ids.push(id);
				},
				Err(AppendError::Conflicts(c)) if i % 2 == 1 => assert_eq!(c, vec![(1, 1)]),
				other => panic!("append {i}: {other:?}"),
			}
		}
		ids.sort();
		assert_eq!(ids, (2..=17).collect::<Vec<u64>>(), "dense receipt ids, none lost");
		assert_eq!(q.pending(), 17);
		assert_eq!(q.pending_records().unwrap().len(), 17);
		// Nothing of a refused append was written: its new record is new now.
		let got = q.append(vec![record(201, 1)], true, None, 3).unwrap();
		assert_eq!(got, vec![Appended::New(18)]);
	}

	#[test]
	fn dead_letters_are_kept_in_order() {
		let dir = tempfile::tempdir().unwrap();
		let q = Queue::open(dir.path(), 2).unwrap();
		let letter = |reason: &str| DeadLetter {
			id: 0,
			at: 1,
			input: "syslog-tcp".into(),
			peer: "127.0.0.1:1".into(),
			field: "line".into(),
			reason: reason.into(),
			line: "x".into(),
		};
		q.dead_letters(vec![letter("a"), letter("b"), letter("c")]).unwrap();
		let got = q.read_dead_letters(1, 10).unwrap();
		assert_eq!(
			got.iter().map(|d| (d.id, d.reason.as_str())).collect::<Vec<_>>(),
			[(2, "b"), (3, "c")]
		);
	}
}
