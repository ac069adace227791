//! A source's sequence history, read from the chain's sequence index: which numbers are missing
//! now (open gaps), which arrived after a higher number (gaps the chain reported with a
//! `SequenceGap` event and that were filled later), and which submitter accounts wrote which
//! entries (the history of a source's keys).
//!
//! Entry ids grow in the order the chain stored entries, so an entry is late exactly when some
//! higher sequence number of its source has a lower id: that higher number was stored first,
//! and the chain reported the gap then. The scan reads the whole index of a source once (at the
//! finalized block, so the answer is final), in pages, as a background job whose progress the
//! page shows; every page view of the same source shares one job.

use accesslog_client::{query::Query, rpc_types::MAX_PAGE_SIZE, Client};
use std::{
	collections::{BTreeMap, HashMap},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex, OnceLock,
	},
	time::{Duration, Instant},
};

/// One stored entry, as the analysis needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
	/// Sequence number.
	pub seq: u64,
	/// Entry id (the order the chain stored it in).
	pub id: u64,
	/// Block it was stored in.
	pub block: u64,
}

/// Sequence numbers missing now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Open {
	/// First missing.
	pub first: u64,
	/// Last missing.
	pub last: u64,
}

/// Sequence numbers that were missing and arrived later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filled {
	/// First of the run.
	pub first: u64,
	/// Last of the run.
	pub last: u64,
	/// The block of the first higher number stored before them (when the gap was reported).
	pub reported_at: u64,
	/// First block that filled part of the run.
	pub filled_from: u64,
	/// Last block that filled part of the run.
	pub filled_to: u64,
}

/// What one submitter account wrote for the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
	/// Entries.
	pub entries: u64,
	/// Lowest and highest sequence number.
	pub seqs: (u64, u64),
	/// First and last block.
	pub blocks: (u64, u64),
}

/// A source's history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
	/// Entries read.
	pub entries: u64,
	/// Missing now, in sequence order.
	pub open: Vec<Open>,
	/// Missing once, filled later, in sequence order.
	pub filled: Vec<Filled>,
	/// Per submitter account (SS58), what it wrote.
	pub submitters: BTreeMap<String, Written>,
}

/// Open and filled gaps of `stored` (in sequence order; the first sequence number is 1).
pub fn gaps(stored: &[Stored]) -> (Vec<Open>, Vec<Filled>) {
	let mut open = Vec::new();
	let mut expected = 1;
	for s in stored {
		if s.seq > expected {
			open.push(Open { first: expected, last: s.seq - 1 });
		}
		expected = expected.max(s.seq + 1);
	}
	// From the top down: the lowest id (and its block) among higher sequence numbers.
	let mut filled: Vec<Filled> = Vec::new();
	let mut lowest: Option<Stored> = None;
	for s in stored.iter().rev() {
		match lowest {
			Some(low) if low.id < s.id => match filled.last_mut() {
				Some(run) if run.first == s.seq + 1 => {
					run.first = s.seq;
					run.reported_at = run.reported_at.min(low.block);
					run.filled_from = run.filled_from.min(s.block);
					run.filled_to = run.filled_to.max(s.block);
				},
				_ => filled.push(Filled {
					first: s.seq,
					last: s.seq,
					reported_at: low.block,
					filled_from: s.block,
					filled_to: s.block,
				}),
			},
			_ => lowest = Some(*s),
		}
	}
	filled.reverse();
	(open, filled)
}

/// A scan of one source, running or done.
pub struct Scan {
	/// The source's last sequence number when the scan started.
	pub last_seq: u64,
	/// Its entry count then.
	pub entries: u64,
	/// When it started.
	pub started: Instant,
	/// Sequence number reached so far.
	reached: AtomicU64,
	/// How long it took, and what it found (or why it failed).
	done: OnceLock<(Duration, Result<History, String>)>,
}

impl Scan {
	/// Sequence number reached so far.
	pub fn reached(&self) -> u64 {
		self.reached.load(Ordering::Relaxed)
	}

	/// How long it took and what it found, once done.
	pub fn done(&self) -> Option<&(Duration, Result<History, String>)> {
		self.done.get()
	}
}

/// The scans of every source, one at a time per source.
#[derive(Default)]
pub struct Scans {
	scans: Mutex<HashMap<u32, Arc<Scan>>>,
}

impl Scans {
	/// The latest scan of `source`, if any.
	pub fn get(&self, source: u32) -> Option<Arc<Scan>> {
		self.scans.lock().expect("not poisoned").get(&source).cloned()
	}

	/// Start a scan of `source` (with `entries` entries up to `last_seq`) unless one is running
	/// or `fresh` is false and one has finished; returns the scan in force.
	pub fn start(
		&self,
		client: &Client,
		source: u32,
		(entries, last_seq): (u64, u64),
		fresh: bool,
	) -> Arc<Scan> {
		let mut scans = self.scans.lock().expect("not poisoned");
		if let Some(s) = scans.get(&source) {
			if s.done().is_none() || !fresh {
				return s.clone();
			}
		}
		let scan = Arc::new(Scan {
			last_seq,
			entries,
			started: Instant::now(),
			reached: AtomicU64::new(0),
			done: OnceLock::new(),
		});
		scans.insert(source, scan.clone());
		let (client, job) = (client.clone(), scan.clone());
		tokio::spawn(async move {
			let result = read(&client, source, &job).await.map_err(|e| e.to_string());
			let _ = job.done.set((job.started.elapsed(), result));
		});
		scan
	}
}

/// Read every entry of `source` up to `scan.last_seq` at the finalized block.
async fn read(
	client: &Client,
	source: u32,
	scan: &Scan,
) -> Result<History, accesslog_client::Error> {
	let finalized: String = client
		.rpc()
		.request("chain_getFinalizedHead", subxt_rpcs::rpc_params![])
		.await
		.map_err(accesslog_client::Error::Transport)?;
	let rpc = client.query().at(finalized);
	let query = Query::Sequence { source, from: 0, to: scan.last_seq };
	let mut stored = Vec::with_capacity(scan.entries as usize);
	let mut submitters: BTreeMap<String, Written> = BTreeMap::new();
	let mut cursor = None;
	loop {
		let page = rpc.page(&query, cursor, Some(MAX_PAGE_SIZE)).await?;
		for e in &page.items {
			stored.push(Stored { seq: e.seq, id: e.id, block: e.block });
			let w = submitters.entry(e.submitter.clone()).or_insert(Written {
				entries: 0,
				seqs: (e.seq, e.seq),
				blocks: (e.block, e.block),
			});
			w.entries += 1;
			w.seqs = (w.seqs.0.min(e.seq), w.seqs.1.max(e.seq));
			w.blocks = (w.blocks.0.min(e.block), w.blocks.1.max(e.block));
		}
		if let Some(last) = page.items.last() {
			scan.reached.store(last.seq, Ordering::Relaxed);
		}
		match page.next_cursor {
			Some(next) => cursor = Some(next),
			None => break,
		}
	}
	let (open, filled) = gaps(&stored);
	Ok(History { entries: stored.len() as u64, open, filled, submitters })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn stored(list: &[(u64, u64, u64)]) -> Vec<Stored> {
		let mut v: Vec<Stored> =
			list.iter().map(|&(seq, id, block)| Stored { seq, id, block }).collect();
		v.sort_by_key(|s| s.seq);
		v
	}

	#[test]
	fn a_complete_sequence_has_no_gaps() {
		let s = stored(&[(1, 0, 5), (2, 1, 5), (3, 2, 6)]);
		assert_eq!(gaps(&s), (vec![], vec![]));
	}

	#[test]
	fn missing_numbers_are_open_gaps() {
		let s = stored(&[(2, 0, 5), (3, 1, 5), (7, 2, 6), (8, 3, 6)]);
		let (open, filled) = gaps(&s);
		assert_eq!(open, vec![Open { first: 1, last: 1 }, Open { first: 4, last: 6 }]);
		assert!(filled.is_empty());
	}

	#[test]
	fn late_numbers_are_filled_gaps_with_the_blocks_that_reported_and_filled_them() {
		// 1, 2, 6 stored in block 10; 3 and 4 in block 12; 5 in block 13; 7 never.
		// 9 in block 14, 8 in the same block after it (a higher id).
		let s = stored(&[
			(1, 0, 10),
			(2, 1, 10),
			(6, 2, 10),
			(3, 3, 12),
			(4, 4, 12),
			(5, 5, 13),
			(9, 6, 14),
			(8, 7, 14),
		]);
		let (open, filled) = gaps(&s);
		assert_eq!(open, vec![Open { first: 7, last: 7 }]);
		assert_eq!(
			filled,
			vec![
				Filled { first: 3, last: 5, reported_at: 10, filled_from: 12, filled_to: 13 },
				Filled { first: 8, last: 8, reported_at: 14, filled_from: 14, filled_to: 14 },
			]
		);
	}
}
