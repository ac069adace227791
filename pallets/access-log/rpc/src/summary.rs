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

pub use access_log_rpc_types::{IdsJson, QueryJson, SummaryJson, MAX_SUMMARY};

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
	/// [`Indexes::by_citizen`]'s ids alone.
	fn ids_by_citizen(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, ()>, String> {
		self.by_citizen(r, after, limit).map(ids_only)
	}
	/// [`Indexes::by_accessor`]'s ids alone.
	fn ids_by_accessor(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, ()>, String> {
		self.by_accessor(r, after, limit).map(ids_only)
	}
	/// [`Indexes::by_seq`]'s ids alone.
	fn ids_by_seq(
		&self,
		source: u32,
		from: u64,
		to: u64,
		after: Option<u64>,
		limit: u32,
	) -> Result<Page<u64, ()>, String> {
		self.by_seq(source, from, to, after, limit).map(ids_only)
	}
	/// [`Indexes::by_time`]'s ids alone.
	fn ids_by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		after: Option<TimeCursor>,
		limit: u32,
	) -> Result<Page<TimeCursor, ()>, String> {
		self.by_time(from_ms, to_ms, after, limit).map(ids_only)
	}
}

/// A page's ids, its entries dropped (what the runtime API answers, where the pallet itself can
/// skip reading them).
fn ids_only<C, E>(page: Page<C, E>) -> Page<C, ()> {
	Page { items: page.items.into_iter().map(|(id, _)| (id, ())).collect(), next: page.next }
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
	/// [`ids`] at `at`; `None` as for [`Native::summary`].
	fn ids(&self, at: Hash, query: &IndexQuery, limit: u32) -> Option<Result<IdsJson, String>>;
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
	/// Count `fact` of entry `id` unless it is not of `agency`; `true` once `limit` entries are
	/// counted and another matching one came (`truncated` is set).
	fn add(
		&mut self,
		id: EntryId,
		fact: Fact<'_>,
		agency: Option<&str>,
		limit: usize,
		truncated: &mut bool,
	) -> bool {
		if agency.is_some_and(|a| a.as_bytes() != fact.agency) {
			return false;
		}
		if self.ids.len() == limit {
			*truncated = true;
			return true;
		}
		self.ids.push(id);
		*self.hours.entry(fact.hour_ms).or_default() += 1;
		self.agencies.add(fact.agency);
		self.actions.add(fact.action);
		self.purposes.add(fact.purpose);
		false
	}

	/// [`Scan::add`] each of `items`, entries as the answerer returns them.
	fn take<E: Encode>(
		&mut self,
		items: &[(EntryId, E)],
		agency: Option<&str>,
		limit: usize,
		truncated: &mut bool,
	) -> Result<(), String> {
		for (id, e) in items {
			let entry: layout::Entry =
				decode_all(&e.encode()).map_err(|err| format!("entry {id}: {err}"))?;
			let r = &entry.record;
			if self.add(*id, Fact::of(r), agency, limit, truncated) {
				break;
			}
		}
		Ok(())
	}

	fn into_summary(self, truncated: bool) -> SummaryJson {
		SummaryJson {
			ids: self.ids,
			truncated,
			hours: self.hours.into_iter().collect(),
			agencies: self.agencies.sorted(),
			actions: self.actions.sorted(),
			purposes: self.purposes.sorted(),
			at: String::new(),
		}
	}
}

/// What a summary counts of one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fact<'a> {
	/// Start of the UTC hour the access occurred in, ms since the epoch.
	pub hour_ms: u64,
	/// The agency that accessed.
	pub agency: &'a [u8],
	/// The API action.
	pub action: &'a [u8],
	/// The purpose code.
	pub purpose: &'a [u8],
}

impl<'a> Fact<'a> {
	/// The facts of a record.
	pub fn of<T: AsRef<[u8]>>(r: &'a layout::LogRecord<T>) -> Self {
		Fact {
			hour_ms: hour_of(r.occurred_at),
			agency: r.agency.as_ref(),
			action: r.action.as_ref(),
			purpose: r.purpose.as_ref(),
		}
	}
}

/// Start of the UTC hour of `ms`.
pub fn hour_of(ms: u64) -> u64 {
	ms - ms % 3_600_000
}

/// Read pages with `read` from the start of an index, handing each to `take`, until the index
/// ends or `take` says the limit is reached (`true`).
fn walk<C, E>(
	mut read: impl FnMut(Option<C>) -> Result<Page<C, E>, String>,
	mut take: impl FnMut(&Page<C, E>) -> Result<bool, String>,
) -> Result<(), String> {
	let mut after = None;
	loop {
		let mut page = read(after)?;
		if take(&page)? {
			return Ok(());
		}
		match page.next.take() {
			Some(next) => after = Some(next),
			None => return Ok(()),
		}
	}
}

/// Walk `query`'s index from its start, ids alone, handing each page to `take` until the index
/// ends or `take` says to stop (`true`).
fn walk_ids<I: Indexes>(
	i: &I,
	query: &IndexQuery,
	mut take: impl FnMut(&[(EntryId, ())]) -> Result<bool, String>,
) -> Result<(), String> {
	match *query {
		IndexQuery::Citizen(r) => {
			walk(|after| i.ids_by_citizen(r, after, SCAN_PAGE), |p| take(&p.items))
		},
		IndexQuery::Accessor(r) => {
			walk(|after| i.ids_by_accessor(r, after, SCAN_PAGE), |p| take(&p.items))
		},
		IndexQuery::Sequence { source, from, to } => {
			walk(|after| i.ids_by_seq(source, from, to, after, SCAN_PAGE), |p| take(&p.items))
		},
		IndexQuery::Time { from_ms, to_ms } => {
			walk(|after| i.ids_by_time(from_ms, to_ms, after, SCAN_PAGE), |p| take(&p.items))
		},
	}
}

/// The ids of up to `limit` entries matching `query`, in the index's order, read from the index
/// alone.
pub fn ids<I: Indexes>(i: &I, query: &IndexQuery, limit: u32) -> Result<IdsJson, String> {
	let limit = limit.min(MAX_SUMMARY) as usize;
	let (mut ids, mut truncated) = (Vec::new(), false);
	walk_ids(i, query, |items| {
		for (id, ()) in items {
			if ids.len() == limit {
				truncated = true;
				break;
			}
			ids.push(*id);
		}
		Ok(truncated)
	})?;
	Ok(IdsJson { ids, truncated, at: String::new() })
}

/// Where [`summarize_facts`] gets the facts of a page of ids: it calls the sink with each id's
/// facts, in the order given, until the sink says to stop (`true`).
pub type FactSink<'s> = dyn FnMut(EntryId, Fact<'_>) -> bool + 's;

/// [`summarize`], reading the index for ids alone and asking `facts` for what to count of them:
/// for an answerer that keeps facts apart from the entries.
pub fn summarize_facts<I: Indexes>(
	i: &I,
	query: &IndexQuery,
	agency: Option<&str>,
	limit: u32,
	mut facts: impl FnMut(&[EntryId], &mut FactSink<'_>) -> Result<(), String>,
) -> Result<SummaryJson, String> {
	let limit = limit.min(MAX_SUMMARY) as usize;
	let (mut scan, mut truncated) = (Scan::default(), false);
	walk_ids(i, query, |items| {
		let ids: Vec<EntryId> = items.iter().map(|(id, ())| *id).collect();
		facts(&ids, &mut |id, fact| scan.add(id, fact, agency, limit, &mut truncated))?;
		Ok(truncated)
	})?;
	Ok(scan.into_summary(truncated))
}

/// Scan `query` (only entries of `agency`, when given) up to `limit` matching entries.
pub fn summarize<I: Indexes>(
	i: &I,
	query: &IndexQuery,
	agency: Option<&str>,
	limit: u32,
) -> Result<SummaryJson, String> {
	let limit = limit.min(MAX_SUMMARY) as usize;
	let (mut scan, mut truncated) = (Scan::default(), false);
	let mut take = |items: &[(EntryId, I::Entry)]| {
		scan.take(items, agency, limit, &mut truncated)?;
		Ok(truncated)
	};
	match *query {
		IndexQuery::Citizen(r) => {
			walk(|after| i.by_citizen(r, after, SCAN_PAGE), |p| take(&p.items))
		},
		IndexQuery::Accessor(r) => {
			walk(|after| i.by_accessor(r, after, SCAN_PAGE), |p| take(&p.items))
		},
		IndexQuery::Sequence { source, from, to } => {
			walk(|after| i.by_seq(source, from, to, after, SCAN_PAGE), |p| take(&p.items))
		},
		IndexQuery::Time { from_ms, to_ms } => {
			walk(|after| i.by_time(from_ms, to_ms, after, SCAN_PAGE), |p| take(&p.items))
		},
	}?;
	Ok(scan.into_summary(truncated))
}

#[cfg(test)]
mod tests {
	use super::*;
	use accesslog_format::layout::{Entry, LogRecord};

	/// A log of entries `0..n`, one per second from `t0`, agencies and actions in turn; its time
	/// index answers in pages of at most 3 (so scans cross pages).
	struct Log(Vec<Entry>);

	const T0: u64 = 1_800_000_000_000;

	fn log(n: u64) -> Log {
		Log((0..n)
			.map(|i| Entry {
				record: LogRecord {
					source: 0,
					seq: i + 1,
					occurred_at: T0 + i * 1_000 + if i >= 4 { 3_600_000 } else { 0 },
					agency: if i % 3 == 0 { b"A".to_vec() } else { b"B".to_vec() },
					system: b"s".to_vec(),
					accessor_ref: [0; 32],
					citizen_ref: [0; 32],
					key_id: 1,
					action: if i % 2 == 0 { b"GET".to_vec() } else { b"POST".to_vec() },
					purpose: b"019".to_vec(),
					status: 200,
					records: 1,
					record_hash: [0; 32],
				},
				block: 1,
				submitter: [0; 32],
			})
			.collect())
	}

	impl Indexes for Log {
		type Entry = Entry;
		fn entry(&self, id: EntryId) -> Result<Option<Entry>, String> {
			Ok(self.0.get(id as usize).cloned())
		}
		fn by_citizen(
			&self,
			_: Hash32,
			_: Option<EntryId>,
			_: u32,
		) -> Result<Page<EntryId, Entry>, String> {
			Err("not in this log".into())
		}
		fn by_accessor(
			&self,
			_: Hash32,
			_: Option<EntryId>,
			_: u32,
		) -> Result<Page<EntryId, Entry>, String> {
			Err("not in this log".into())
		}
		fn by_seq(
			&self,
			_: u32,
			_: u64,
			_: u64,
			_: Option<u64>,
			_: u32,
		) -> Result<Page<u64, Entry>, String> {
			Err("not in this log".into())
		}
		fn by_time(
			&self,
			from_ms: u64,
			to_ms: u64,
			after: Option<TimeCursor>,
			limit: u32,
		) -> Result<Page<TimeCursor, Entry>, String> {
			let mut matching = self.0.iter().enumerate().filter(|(i, e)| {
				(from_ms..=to_ms).contains(&e.record.occurred_at)
					&& after.is_none_or(|(_, last)| *i as u64 > last)
			});
			let items: Vec<(EntryId, Entry)> = matching
				.by_ref()
				.take(limit.min(3) as usize)
				.map(|(i, e)| (i as u64, e.clone()))
				.collect();
			let next = match matching.next() {
				Some(_) => items.last().map(|(id, e)| (e.record.occurred_at, *id)),
				None => None,
			};
			Ok(Page { items, next })
		}
	}

	const ALL: IndexQuery = IndexQuery::Time { from_ms: 0, to_ms: u64::MAX };

	#[test]
	fn a_summary_counts_every_matching_entry_across_pages() {
		let s = summarize(&log(7), &ALL, None, 100).unwrap();
		assert_eq!(s.ids, (0..7).collect::<Vec<_>>());
		assert!(!s.truncated);
		let hour = T0 - T0 % 3_600_000;
		assert_eq!(s.hours, vec![(hour, 4), (hour + 3_600_000, 3)]);
		assert_eq!(s.agencies, vec![("B".to_string(), 4), ("A".to_string(), 3)]);
		assert_eq!(s.actions, vec![("GET".to_string(), 4), ("POST".to_string(), 3)]);
		assert_eq!(s.purposes, vec![("019".to_string(), 7)]);
	}

	#[test]
	fn a_summary_keeps_one_agency_and_stops_at_its_limit() {
		let s = summarize(&log(7), &ALL, Some("A"), 100).unwrap();
		assert_eq!((s.ids, s.truncated), (vec![0, 3, 6], false));
		let s = summarize(&log(7), &ALL, Some("A"), 2).unwrap();
		assert_eq!((s.ids, s.truncated), (vec![0, 3], true), "more matched");
		assert_eq!(s.agencies, vec![("A".to_string(), 2)], "counts cover the ids returned");
		let s = summarize(&log(6), &ALL, Some("A"), 2).unwrap();
		assert_eq!((s.ids, s.truncated), (vec![0, 3], false), "exactly the limit: nothing more");
	}

	#[test]
	fn ids_are_the_summarys_without_reading_entries() {
		let l = log(7);
		for limit in [1, 3, 4, 7, 100] {
			let (ids, full) =
				(ids(&l, &ALL, limit).unwrap(), summarize(&l, &ALL, None, limit).unwrap());
			assert_eq!((ids.ids, ids.truncated), (full.ids, full.truncated), "limit {limit}");
		}
		let within = IndexQuery::Time { from_ms: T0 + 1_000, to_ms: T0 + 2_000 };
		assert_eq!(ids(&l, &within, 10).unwrap().ids, vec![1, 2]);
	}

	#[test]
	fn a_summary_from_kept_facts_is_the_summary_from_entries() {
		let l = log(7);
		let mut asked = Vec::new();
		let mut facts = |ids: &[EntryId], sink: &mut FactSink<'_>| {
			asked.push(ids.to_vec());
			for id in ids {
				if sink(*id, Fact::of(&l.0[*id as usize].record)) {
					break;
				}
			}
			Ok(())
		};
		for (agency, limit) in [(None, 100), (None, 3), (Some("A"), 100), (Some("A"), 2)] {
			let kept = summarize_facts(&l, &ALL, agency, limit, &mut facts).unwrap();
			let read = summarize(&l, &ALL, agency, limit).unwrap();
			assert_eq!(kept, read, "agency {agency:?}, limit {limit}");
		}
		assert_eq!(asked[0], vec![0, 1, 2], "asked a page of ids at a time");
		let failing = |_: &[EntryId], _: &mut FactSink<'_>| Err("entry 1 is missing".to_string());
		assert_eq!(summarize_facts(&l, &ALL, None, 10, failing).unwrap_err(), "entry 1 is missing");
	}

	#[test]
	fn an_answerers_error_is_the_summarys() {
		let q = IndexQuery::Citizen([1; 32]);
		assert_eq!(summarize(&log(1), &q, None, 10).unwrap_err(), "not in this log");
		assert_eq!(ids(&log(1), &q, 10).unwrap_err(), "not in this log");
	}

	#[test]
	fn queries_as_json_are_checked() {
		let bad = |q: QueryJson| IndexQuery::parse(&q).unwrap_err().code();
		assert_eq!(bad(QueryJson::Citizen("0x12".into())), codes::BAD_REFERENCE);
		assert_eq!(bad(QueryJson::Time { from_ms: 5, to_ms: 1 }), codes::BAD_RANGE);
		assert_eq!(bad(QueryJson::Sequence { source: 0, from: 9, to: 3 }), codes::BAD_RANGE);
		let json: QueryJson =
			serde_json::from_str(r#"{"time":{"fromMs":1,"toMs":2}}"#).expect("the documented form");
		assert_eq!(IndexQuery::parse(&json).unwrap(), IndexQuery::Time { from_ms: 1, to_ms: 2 });
		assert!(serde_json::from_str::<QueryJson>(r#"{"bogus":1}"#).is_err());
	}
}
