//! `accessLog_summary`: what matched a query, without the entries: their ids in the index's
//! order and counts per hour, agency, action and purpose. An auditor's search shows one page of
//! rows and charts of the whole set; sending every matching entry for that cost a node and a
//! console tens of milliseconds per thousand rows of JSON they then threw away.
//!
//! The scan is written once, over [`Indexes`]: the four index queries and the entry lookup, as
//! both the runtime API and the pallet itself answer them. The node runs it over the pallet
//! compiled into the node, natively, when that copy is the chain's runtime ([`Native`]); over
//! the runtime API otherwise.

use crate::{codes, error};
use access_log_runtime_api::{EntryId, Hash32, Page, TimeCursor};
use accesslog_format::layout::{self, decode_all};
use codec::Encode;
use jsonrpsee::types::error::ErrorObjectOwned;
use std::collections::HashMap;

pub use access_log_rpc_types::{QueryJson, SummaryJson, MAX_SUMMARY};

/// Rows per read while scanning.
const SCAN_PAGE: u32 = access_log_runtime_api::MAX_PAGE_SIZE;

/// Which index a summary walks, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexQuery {
	/// By citizen reference.
	Citizen(Hash32),
	/// By accessor reference.
	Accessor(Hash32),
	/// A source's entries with `from <= seq <= to`.
	Sequence {
		/// Source id.
		source: u32,
		/// First sequence number.
		from: u64,
		/// Last sequence number.
		to: u64,
	},
	/// Entries with `from_ms <= occurred_at <= to_ms`.
	Time {
		/// Start, ms.
		from_ms: u64,
		/// End, ms.
		to_ms: u64,
	},
}

impl IndexQuery {
	/// Check a query as JSON gives it: references, then ranges.
	pub fn parse(q: &QueryJson) -> Result<Self, ErrorObjectOwned> {
		let range = |from: u64, to: u64, what: &str| {
			if from > to {
				Err(error(codes::BAD_RANGE, format!("{what}: from {from} is after to {to}")))
			} else {
				Ok(())
			}
		};
		Ok(match q {
			QueryJson::Citizen(r) => IndexQuery::Citizen(crate::parse_ref(r)?),
			QueryJson::Accessor(r) => IndexQuery::Accessor(crate::parse_ref(r)?),
			QueryJson::Sequence { source, from, to } => {
				range(*from, *to, "sequence")?;
				IndexQuery::Sequence { source: *source, from: *from, to: *to }
			},
			QueryJson::Time { from_ms, to_ms } => {
				range(*from_ms, *to_ms, "time")?;
				IndexQuery::Time { from_ms: *from_ms, to_ms: *to_ms }
			},
		})
	}
}

/// The pallet's read-only queries, answered by the runtime API or by the pallet itself.
pub trait Indexes {
	/// An entry as the answerer returns it (SCALE in the format crate's layout).
	type Entry: Encode;
	/// The one entry with this id.
	fn entry(&self, id: EntryId) -> Result<Option<Self::Entry>, String>;
	/// A page of a citizen's accesses after entry `after`.
	fn by_citizen(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, Self::Entry>, String>;
	/// A page of an official's accesses after entry `after`.
	fn by_accessor(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, Self::Entry>, String>;
	/// A page of a source's entries by sequence after `after`.
	fn by_seq(
		&self,
		source: u32,
		from: u64,
		to: u64,
		after: Option<u64>,
		limit: u32,
	) -> Result<Page<u64, Self::Entry>, String>;
	/// A page of a time range after `after`.
	fn by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
	) -> Result<Page<TimeCursor, Self::Entry>, String>;
}

/// The node's own copy of the pallet, run natively over a block's state.
pub trait Native<Hash>: Send + Sync {
	/// [`summarize`] at `at`; `None` when the node's pallet is not the chain's runtime there.
	fn summary(
		&self,
		at: Hash,
		query: &IndexQuery,
		agency: Option<&str>,
		limit: u32,
	) -> Option<Result<SummaryJson, String>>;
	/// [`entries`] at `at`; `None` as for [`Native::summary`].
	fn entries(&self, at: Hash, ids: &[EntryId]) -> Option<Result<Vec<Option<Vec<u8>>>, String>>;
}

/// The entries with these ids (SCALE), `None` for an id not stored.
pub fn entries<I: Indexes>(i: &I, ids: &[EntryId]) -> Result<Vec<Option<Vec<u8>>>, String> {
	ids.iter().map(|id| Ok(i.entry(*id)?.map(|e| e.encode()))).collect()
}

/// Counts of one field, kept as bytes until the end.
#[derive(Default)]
struct Tally(HashMap<Vec<u8>, u64>);

impl Tally {
	fn add(&mut self, key: &[u8]) {
		match self.0.get_mut(key) {
			Some(n) => *n += 1,
			None => {
				self.0.insert(key.to_vec(), 1);
			},
		}
	}

	/// Most first, then by name.
	fn sorted(self) -> Vec<(String, u64)> {
		let mut v: Vec<(String, u64)> = self
			.0
			.into_iter()
			.map(|(k, n)| (String::from_utf8_lossy(&k).into_owned(), n))
			.collect();
		v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
		v
	}
}

/// What a scan has seen.
#[derive(Default)]
struct Scan {
	ids: Vec<EntryId>,
	hours: std::collections::BTreeMap<u64, u64>,
	agencies: Tally,
	actions: Tally,
	purposes: Tally,
}

impl Scan {
	/// Take the page's entries (those of `agency`, when given); `false` once `limit` is reached
	/// with more left, which is then recorded in `truncated`.
	fn take<C, E: Encode>(
		&mut self,
		page: &Page<C, E>,
		agency: Option<&str>,
		limit: usize,
		truncated: &mut bool,
	) -> Result<(), String> {
		for (id, e) in &page.items {
			let entry: layout::Entry =
				decode_all(&e.encode()).map_err(|err| format!("entry {id}: {err}"))?;
			let r = &entry.record;
			if agency.is_some_and(|a| a.as_bytes() != r.agency.as_slice()) {
				continue;
			}
			if self.ids.len() == limit {
				*truncated = true;
				return Ok(());
			}
			self.ids.push(*id);
			*self.hours.entry(r.occurred_at - r.occurred_at % 3_600_000).or_default() += 1;
			self.agencies.add(&r.agency);
			self.actions.add(&r.action);
			self.purposes.add(&r.purpose);
		}
		Ok(())
	}
}

/// Scan `query` (only entries of `agency`, when given) up to `limit` matching entries.
pub fn summarize<I: Indexes>(
	i: &I,
	query: &IndexQuery,
	agency: Option<&str>,
	limit: u32,
) -> Result<SummaryJson, String> {
	let limit = limit.min(MAX_SUMMARY) as usize;
	let mut scan = Scan::default();
	let mut truncated = false;
	// One loop per cursor type; each reads pages until the index ends or `limit` is reached.
	macro_rules! scan {
		($read:expr) => {{
			let mut after = None;
			loop {
				let page = $read(after)?;
				scan.take(&page, agency, limit, &mut truncated)?;
				match page.next {
					Some(next) if !truncated => after = Some(next),
					_ => break,
				}
			}
		}};
	}
	match *query {
		IndexQuery::Citizen(r) => scan!(|after| i.by_citizen(r, after, SCAN_PAGE)),
		IndexQuery::Accessor(r) => scan!(|after| i.by_accessor(r, after, SCAN_PAGE)),
		IndexQuery::Sequence { source, from, to } => {
			scan!(|after| i.by_seq(source, from, to, after, SCAN_PAGE))
		},
		IndexQuery::Time { from_ms, to_ms } => {
			scan!(|after| i.by_time(from_ms, to_ms, after, SCAN_PAGE))
		},
	}
	Ok(SummaryJson {
		ids: scan.ids,
		truncated,
		hours: scan.hours.into_iter().collect(),
		agencies: scan.agencies.sorted(),
		actions: scan.actions.sorted(),
		purposes: scan.purposes.sorted(),
		at: String::new(),
	})
}
