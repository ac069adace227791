//! Bulk submission of platform records: validate, pseudonymise, skip what the chain already
//! holds, batch, submit with several batches in flight, and account for every line.
//!
//! Idempotent and resumable by construction: before submitting, the chain is asked (through the
//! `(source, sequence)` index) which sequence numbers it already holds. A record already stored
//! with the same content hash is counted as `already`; one stored with a different hash is a
//! conflict, reported for its line. Rerunning a file therefore stores nothing twice, and a run
//! interrupted at any point continues where the chain stands.

use crate::{
	pseudonym::PseudonymKey,
	record::{parse_line, PlatformRecord},
	rpc_types::hex,
	runtime,
	status::watch,
	Client, Error, Receipt, RecordInput, Result, Submitter, Wait,
};
use accesslog_format::limits::MAX_BATCH_SIZE;
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use tokio::sync::{Mutex, Semaphore};

/// How a bulk submission runs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
	/// Records per `submit_batch` transaction (at most the chain's `MaxBatchSize`,
	/// [`MAX_BATCH_SIZE`]).
	pub batch: usize,
	/// Transactions in flight at once (a slot frees when its block is imported).
	pub inflight: usize,
	/// When a record counts as stored.
	pub wait: Wait,
	/// How long one transaction may take to reach `wait`.
	pub timeout: Duration,
}

impl Default for Options {
	fn default() -> Self {
		Options {
			batch: MAX_BATCH_SIZE,
			inflight: 4,
			wait: Wait::Finalized,
			timeout: Duration::from_secs(120),
		}
	}
}

/// Running totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
	/// Lines read.
	pub lines: u64,
	/// Records stored by this run.
	pub stored: u64,
	/// Records the chain already held with the same content (or repeated in the input).
	pub already: u64,
	/// Lines refused (each reported with its reason).
	pub rejected: u64,
}

/// Why one line was not stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
	/// 1-based line number in the input.
	pub line: u64,
	/// What is wrong, naming the field where there is one.
	pub message: String,
}

/// Why a line of input could not be read as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unreadable {
	/// Longer than [`MAX_LINE_LEN`](crate::format::limits::MAX_LINE_LEN) bytes.
	#[error("line: longer than {} bytes", crate::format::limits::MAX_LINE_LEN)]
	TooLong,
	/// Not UTF-8.
	#[error("line: not valid UTF-8")]
	NotUtf8,
}

/// One line of input: its number (from 1) and its text, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputLine {
	/// The line number.
	pub number: u64,
	/// The text without its line ending.
	pub text: std::result::Result<String, Unreadable>,
}

/// Submits the records of one source with one key.
pub struct BulkSubmitter {
	client: Client,
	submitter: Arc<Submitter>,
	key: PseudonymKey,
	source_id: u32,
	source_name: String,
	options: Options,
	totals: Totals,
	/// Entry ids stored by this run.
	pub entry_ids: Vec<u64>,
}

struct Pending {
	line: u64,
	entry: RecordInput,
}

impl BulkSubmitter {
	/// A bulk submitter for the source the submitter key is authorized for; fails with what to do
	/// when the key is not an active submitter.
	pub async fn new(
		client: Client,
		submitter: Submitter,
		key: PseudonymKey,
		options: Options,
	) -> Result<Self> {
		if options.batch == 0 || options.batch > MAX_BATCH_SIZE || options.inflight == 0 {
			return Err(Error::Invalid(format!(
				"batch must be 1..={MAX_BATCH_SIZE} and inflight at least 1"
			)));
		}
		let source = client.authorized_source(&submitter.account_id().to_string()).await?;
		if !source.active {
			return Err(Error::Refused(format!(
				"source {} ({}) is deactivated; the council must reactivate it first",
				source.id, source.name
			)));
		}
		Ok(BulkSubmitter {
			client,
			submitter: Arc::new(submitter),
			key,
			source_id: source.id,
			source_name: source.name,
			options,
			totals: Totals::default(),
			entry_ids: Vec::new(),
		})
	}

	/// The totals so far.
	pub fn totals(&self) -> Totals {
		self.totals
	}

	/// The source written to: `(id, name)`.
	pub fn source(&self) -> (u32, &str) {
		(self.source_id, &self.source_name)
	}

	/// Process one chunk of input lines: every line ends up stored, counted as already stored,
	/// or in `errors`.
	pub async fn process(
		&mut self,
		lines: Vec<InputLine>,
		now_ms: u64,
		errors: &mut Vec<LineError>,
	) -> Result<()> {
		self.totals.lines += lines.len() as u64;
		fn reject(errors: &mut Vec<LineError>, line: u64, message: String, totals: &mut Totals) {
			totals.rejected += 1;
			errors.push(LineError { line, message });
		}
		// Parse, check the source, fold repeats within the chunk.
		let mut by_seq: BTreeMap<u64, Pending> = BTreeMap::new();
		for InputLine { number: line, text } in lines {
			let record: PlatformRecord = match text
				.map_err(|e| e.to_string())
				.and_then(|t| parse_line(&t, now_ms).map_err(|e| e.to_string()))
			{
				Ok(r) => r,
				Err(message) => {
					reject(errors, line, message, &mut self.totals);
					continue;
				},
			};
			if record.source != self.source_name {
				reject(
					errors,
					line,
					format!(
						"source: {:?}, but this key submits for source {} ({:?})",
						record.source, self.source_id, self.source_name
					),
					&mut self.totals,
				);
				continue;
			}
			let entry = record.to_entry(self.source_id, &self.key);
			match by_seq.get(&record.seq) {
				Some(first) if first.entry.record_hash == entry.record_hash => {
					self.totals.already += 1
				},
				Some(first) => reject(
					errors,
					line,
					format!(
						"seq: {} already used by line {} with different content",
						record.seq, first.line
					),
					&mut self.totals,
				),
				None => {
					by_seq.insert(record.seq, Pending { line, entry });
				},
			}
		}
		// Skip what the chain holds.
		let pending = self.not_on_chain(by_seq, errors).await?;
		// Submit, and resubmit one by one what a failed batch held, for per-line errors.
		let failed = self.submit_batches(pending).await?;
		if !failed.is_empty() {
			let by_seq = failed.into_iter().map(|p| (p.entry.seq, p)).collect();
			for p in self.not_on_chain(by_seq, errors).await? {
				let line = p.line;
				match self
					.client
					.submit_batch(&self.submitter, vec![p.entry], self.options.wait)
					.await
				{
					Ok(receipt) => {
						self.totals.stored += receipt.entry_ids.len() as u64;
						self.entry_ids.extend(receipt.entry_ids);
					},
					Err(e) => {
						reject(errors, line, format!("refused by the chain: {e}"), &mut self.totals)
					},
				}
			}
		}
		Ok(())
	}

	/// The pending records whose sequence numbers the chain does not hold yet; counts and
	/// reports the others.
	async fn not_on_chain(
		&mut self,
		by_seq: BTreeMap<u64, Pending>,
		errors: &mut Vec<LineError>,
	) -> Result<Vec<Pending>> {
		if by_seq.is_empty() {
			return Ok(Vec::new());
		}
		let stored: BTreeMap<u64, (u64, String)> = self
			.client
			.entries_by_seq(self.source_id, by_seq.keys().copied(), None)
			.await?
			.into_values()
			.map(|e| (e.seq, (e.id, e.record_hash)))
			.collect();
		let mut out = Vec::new();
		for (seq, p) in by_seq {
			match stored.get(&seq) {
				None => out.push(p),
				Some((_, hash)) if *hash == hex(&p.entry.record_hash) => self.totals.already += 1,
				Some((id, _)) => {
					self.totals.rejected += 1;
					errors.push(LineError {
						line: p.line,
						message: format!(
							"seq: {seq} is already on chain as entry {id} with different content \
							 (record hash differs); the source reused a sequence number"
						),
					});
				},
			}
		}
		Ok(out)
	}

	/// Submit `pending` in batches, in sequence order, several in flight; returns the records of
	/// batches that failed.
	async fn submit_batches(&mut self, pending: Vec<Pending>) -> Result<Vec<Pending>> {
		let slots = Arc::new(Semaphore::new(self.options.inflight));
		let results = Arc::new(Mutex::new(Vec::new()));
		let mut tasks = Vec::new();
		let mut batches: Vec<Vec<Pending>> = Vec::new();
		let mut iter = pending.into_iter().peekable();
		while iter.peek().is_some() {
			batches.push(iter.by_ref().take(self.options.batch).collect());
		}
		for (index, batch) in batches.iter().enumerate() {
			let permit = slots.clone().acquire_owned().await.expect("semaphore never closed; qed");
			let entries: Vec<RecordInput> = batch.iter().map(|p| p.entry.clone()).collect();
			let progress = if entries.len() == 1 {
				let entry = entries.into_iter().next().expect("one entry; qed");
				self.client
					.submit_and_watch(
						&self.submitter,
						&runtime::tx().access_log().submit(crate::chain_record(entry)),
					)
					.await
			} else {
				self.client
					.submit_and_watch(
						&self.submitter,
						&runtime::tx().access_log().submit_batch(crate::chain_records(entries)),
					)
					.await
			};
			let progress = match progress {
				Ok(p) => p,
				Err(e) => {
					results.lock().await.push((index, Err(e)));
					continue;
				},
			};
			let (submitter, results, options) =
				(self.submitter.clone(), results.clone(), self.options);
			tasks.push(tokio::spawn(async move {
				let permit = std::sync::Mutex::new(Some(permit));
				let landed = tokio::time::timeout(
					options.timeout,
					watch(progress, &submitter, options.wait, || {
						permit.lock().expect("not poisoned; qed").take();
					}),
				)
				.await
				.unwrap_or_else(|_| {
					Err(Error::NotIncluded(format!(
						"not {} within {:?}",
						if options.wait == Wait::Finalized { "finalized" } else { "in a block" },
						options.timeout
					)))
				});
				let receipt = match landed {
					Ok(landed) => Receipt::from_landed(landed),
					Err(e) => Err(e),
				};
				results.lock().await.push((index, receipt));
			}));
		}
		for task in tasks {
			task.await.map_err(|e| Error::NotIncluded(format!("a submission task failed: {e}")))?;
		}
		let mut failed = Vec::new();
		let mut results = std::mem::take(&mut *results.lock().await);
		results.sort_by_key(|(i, _)| *i);
		let mut batches: Vec<Option<Vec<Pending>>> = batches.into_iter().map(Some).collect();
		for (index, result) in results {
			match result {
				Ok(receipt) => {
					self.totals.stored += receipt.entry_ids.len() as u64;
					self.entry_ids.extend(receipt.entry_ids);
				},
				Err(_) => {
					failed.extend(batches[index].take().expect("each batch reports once; qed"))
				},
			}
		}
		Ok(failed)
	}
}
