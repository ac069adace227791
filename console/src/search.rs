//! Searches: what an auditor may ask, checked before anything is sent anywhere, and run against
//! the node's indexes. A national ID is checked (format and check digit) and turned into its
//! reference under every key in use here; the ID itself goes no further than this module.

use accesslog_client::{
	pseudonym::{IdError, NationalId, PseudonymKey},
	query::Query,
	rpc_types::EntryJson,
	Client,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Most rows one search collects (pages, charts and the CSV export are drawn from them).
pub const MAX_ROWS: usize = 10_000;
/// Rows per page.
pub const PAGE_ROWS: usize = 50;
/// Longest purpose code (as the chain stores it).
pub const MAX_PURPOSE_LEN: usize = 16;

/// The search form as submitted (every field optional: an empty form shows the form).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
	/// `citizen`, `official`, `agency`, `source` or `time`.
	pub kind: String,
	/// National ID, official ID or agency name.
	pub q: String,
	/// Source id (for `source`).
	pub source: String,
	/// From: sequence number (for `source`) or local time `YYYY-MM-DDTHH:MM` (others).
	pub from: String,
	/// To: as `from`.
	pub to: String,
	/// The PDPA purpose code of the search (required when it names a person).
	pub purpose: String,
	/// Page number, from 1.
	pub page: String,
}

/// A checked search.
#[derive(Clone, Debug)]
pub enum Search {
	/// Accesses to a citizen's data.
	Citizen(NationalId),
	/// Accesses by an official.
	Official(String),
	/// Accesses by an agency in a time range.
	Agency {
		/// The agency's name, exactly as records give it.
		agency: String,
		/// Range start, ms.
		from_ms: u64,
		/// Range end, ms.
		to_ms: u64,
	},
	/// A source's entries by sequence number.
	Source {
		/// Source id.
		source: u32,
		/// First sequence number.
		from: u64,
		/// Last sequence number.
		to: u64,
	},
	/// Entries in a time range.
	Time {
		/// Range start, ms.
		from_ms: u64,
		/// Range end, ms.
		to_ms: u64,
	},
}

/// What is wrong with a search form, field by field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
	/// The national ID is malformed (the form says how; nothing was sent).
	#[error("national ID: {0}")]
	NationalId(IdError),
	/// An official ID is empty or too long.
	#[error("official ID: give 1 to 128 characters")]
	Official,
	/// An agency is empty or too long.
	#[error("agency: give 1 to 256 characters")]
	Agency,
	/// The source is not a number.
	#[error("source: give the source's id (a number)")]
	Source,
	/// A bound is not a number or a time.
	#[error("{field}: {problem}")]
	Bound {
		/// `from` or `to`.
		field: &'static str,
		/// What is wrong.
		problem: String,
	},
	/// The range ends before it starts.
	#[error("the range ends before it starts")]
	Reversed,
	/// A search naming a person without a purpose code.
	#[error("purpose: give the PDPA purpose code of this search (1-16 letters or digits)")]
	Purpose,
	/// The page number is not a positive number.
	#[error("page: give a page number from 1")]
	Page,
	/// Not a kind of search.
	#[error("kind: choose citizen, official, agency, source or time")]
	Kind,
}

impl Search {
	/// Check `p`; `None` for an empty form.
	pub fn parse(p: &Params) -> Result<Option<Search>, FormError> {
		let q = p.q.trim();
		let search = match p.kind.as_str() {
			"" => return Ok(None),
			"citizen" => Search::Citizen(NationalId::parse(q).map_err(FormError::NationalId)?),
			"official" => {
				if q.is_empty() || q.len() > 128 {
					return Err(FormError::Official);
				}
				Search::Official(q.into())
			},
			"agency" => {
				if q.is_empty() || q.len() > 256 {
					return Err(FormError::Agency);
				}
				let (from_ms, to_ms) = time_range(&p.from, &p.to)?;
				Search::Agency { agency: q.into(), from_ms, to_ms }
			},
			"source" => {
				let source = p.source.trim().parse().map_err(|_| FormError::Source)?;
				let from = seq_bound("from", &p.from, 1)?;
				let to = seq_bound("to", &p.to, u64::MAX)?;
				if to < from {
					return Err(FormError::Reversed);
				}
				Search::Source { source, from, to }
			},
			"time" => {
				let (from_ms, to_ms) = time_range(&p.from, &p.to)?;
				Search::Time { from_ms, to_ms }
			},
			_ => return Err(FormError::Kind),
		};
		if search.names_a_person() {
			let purpose = p.purpose.trim();
			if purpose.is_empty()
				|| purpose.len() > MAX_PURPOSE_LEN
				|| !purpose.chars().all(|c| c.is_ascii_alphanumeric())
			{
				return Err(FormError::Purpose);
			}
		}
		Ok(Some(search))
	}

	/// Whether the search names a person (and so is recorded on chain).
	pub fn names_a_person(&self) -> bool {
		matches!(self, Search::Citizen(_) | Search::Official(_))
	}

	/// The action recorded for it: `GET /search/<kind>` or `GET /export/<kind>.csv`.
	pub fn action(&self, export: bool) -> String {
		let kind = match self {
			Search::Citizen(_) => "citizen",
			Search::Official(_) => "official",
			Search::Agency { .. } => "agency",
			Search::Source { .. } => "source",
			Search::Time { .. } => "time",
		};
		if export {
			format!("GET /export/{kind}.csv")
		} else {
			format!("GET /search/{kind}")
		}
	}

	/// What identifies its result set: the index queries and the agency filter (references,
	/// never a national ID).
	pub fn key(&self, keys: &[PseudonymKey]) -> String {
		let agency = match self {
			Search::Agency { agency, .. } => agency.as_str(),
			_ => "",
		};
		format!("{:?}|{agency:?}", self.queries(keys))
	}

	/// The index queries that answer it: one per key for a person, one otherwise.
	pub fn queries(&self, keys: &[PseudonymKey]) -> Vec<Query> {
		match self {
			Search::Citizen(id) => keys.iter().map(|k| Query::Citizen(k.citizen_ref(id))).collect(),
			Search::Official(id) => {
				keys.iter().map(|k| Query::Accessor(k.accessor_ref(id))).collect()
			},
			Search::Agency { from_ms, to_ms, .. } | Search::Time { from_ms, to_ms } => {
				vec![Query::Time { from_ms: *from_ms, to_ms: *to_ms }]
			},
			Search::Source { source, from, to } => {
				vec![Query::Sequence { source: *source, from: *from, to: *to }]
			},
		}
	}
}

/// The page number of `p`, from 1.
pub fn page_number(p: &Params) -> Result<usize, FormError> {
	match p.page.trim() {
		"" => Ok(1),
		s => s.parse::<usize>().ok().filter(|n| (1..=MAX_ROWS).contains(n)).ok_or(FormError::Page),
	}
}

fn seq_bound(field: &'static str, s: &str, default: u64) -> Result<u64, FormError> {
	match s.trim() {
		"" => Ok(default),
		s => s
			.parse()
			.map_err(|_| FormError::Bound { field, problem: "give a sequence number".into() }),
	}
}

/// A local time (`YYYY-MM-DDTHH:MM`, Taiwan time) as ms since the epoch.
fn local_time(field: &'static str, s: &str) -> Result<u64, FormError> {
	let tz = crate::web::taiwan();
	let bad = || FormError::Bound { field, problem: "give a time as YYYY-MM-DDTHH:MM".into() };
	let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
		.or_else(|_| chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S"))
		.map_err(|_| bad())?;
	let t = naive.and_local_timezone(tz).single().ok_or_else(bad)?.timestamp_millis();
	u64::try_from(t).map_err(|_| FormError::Bound { field, problem: "before 1970".into() })
}

fn time_range(from: &str, to: &str) -> Result<(u64, u64), FormError> {
	let from_ms = local_time("from", from)?;
	let to_ms = local_time("to", to)?;
	if to_ms < from_ms {
		return Err(FormError::Reversed);
	}
	Ok((from_ms, to_ms))
}

/// What a search found: the matching entries' ids, not the entries (a page reads its 50 by id;
/// the export reads them all), and the charts once they are counted.
#[derive(Debug)]
pub struct Found {
	/// Names the set in the charts' URL (random; the set belongs to the user who searched).
	pub id: String,
	/// The user who searched (the only one who may read it).
	pub owner: String,
	/// The search that found it.
	pub search: Search,
	/// Ids of the matching entries, newest first: when more matched, those of the first
	/// [`MAX_ROWS`] in the index's order (oldest first).
	pub ids: Vec<u64>,
	/// Whether more matched than were collected (the charts cover the collected ones).
	pub truncated: bool,
	/// The block all of it was read at (hash, 0x-hex): pages, charts and the export read there.
	pub at: String,
	/// The charts, counted by the node on first request (an agency search counts them with its
	/// ids).
	pub charts: tokio::sync::OnceCell<Charts>,
}

/// Counts of a result set for its charts.
#[derive(Clone, Debug, Default)]
pub struct Charts {
	/// Entries per hour: `(start of the hour, ms UTC, entries)`, in time order.
	pub hours: Vec<(u64, u64)>,
	/// Entries per agency, most first.
	pub agencies: Vec<(String, u64)>,
	/// Entries per API (action), most first.
	pub actions: Vec<(String, u64)>,
}

/// Run `search` for `owner` on the node: the ids of each of its index queries, at one block. An agency
/// search is a time range filtered by agency, which only the entries tell: its ids come with
/// the charts, from the node's summary.
pub async fn run(
	client: &Client,
	keys: &[PseudonymKey],
	search: &Search,
	owner: &str,
) -> Result<Found, accesslog_client::Error> {
	let mut found = Found {
		id: crate::auth::random_token(),
		owner: owner.into(),
		search: search.clone(),
		ids: Vec::new(),
		truncated: false,
		at: String::new(),
		charts: Default::default(),
	};
	if let Search::Agency { agency, .. } = search {
		let (ids, truncated, at, charts) =
			summaries(client, keys, search, Some(agency), None).await?;
		(found.ids, found.truncated, found.at) = (ids, truncated, at);
		found.charts.set(charts).expect("a new cell; qed");
		return Ok(found);
	}
	let queries = search.queries(keys);
	let mut ids = Vec::new();
	for query in &queries {
		let rpc = client.query();
		let rpc = if found.at.is_empty() { rpc } else { rpc.at(found.at.clone()) };
		let got = rpc.ids(query, Some(MAX_ROWS as u32)).await?;
		found.at = got.at;
		found.truncated |= got.truncated;
		ids.extend(got.ids);
	}
	found.ids = newest_first(ids, queries.len());
	Ok(found)
}

/// The charts of `found`, counted by the node at its block (once; later calls reuse them).
pub async fn charts<'a>(
	client: &Client,
	keys: &[PseudonymKey],
	found: &'a Found,
) -> Result<&'a Charts, accesslog_client::Error> {
	found
		.charts
		.get_or_try_init(|| async {
			let (_, _, _, charts) =
				summaries(client, keys, &found.search, None, Some(found.at.clone())).await?;
			Ok(charts)
		})
		.await
}

/// The node's summaries of `search`'s queries (of `agency`'s entries, when given) at `at` (the
/// best block when `None`), merged: ids newest first, whether truncated, the block, the charts.
async fn summaries(
	client: &Client,
	keys: &[PseudonymKey],
	search: &Search,
	agency: Option<&str>,
	mut at: Option<String>,
) -> Result<(Vec<u64>, bool, String, Charts), accesslog_client::Error> {
	let (mut hours, mut agencies, mut actions) =
		(BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
	let (mut ids, mut truncated) = (Vec::new(), false);
	let queries = search.queries(keys);
	for query in &queries {
		let rpc = client.query();
		let rpc = match &at {
			Some(at) => rpc.at(at.clone()),
			None => rpc,
		};
		let s = rpc.summary(query, agency, Some(MAX_ROWS as u32)).await?;
		at = Some(s.at);
		truncated |= s.truncated;
		ids.extend(s.ids);
		for (k, n) in s.hours {
			*hours.entry(k).or_insert(0) += n;
		}
		for (k, n) in s.agencies {
			*agencies.entry(k).or_insert(0) += n;
		}
		for (k, n) in s.actions {
			*actions.entry(k).or_insert(0) += n;
		}
	}
	let charts = Charts {
		hours: hours.into_iter().collect(),
		agencies: most_first(agencies),
		actions: most_first(actions),
	};
	Ok((newest_first(ids, queries.len()), truncated, at.unwrap_or_default(), charts))
}

/// `ids` from `queries` index scans, newest first. A person's several keys: each index is in id
/// order; merged, still in id order.
fn newest_first(mut ids: Vec<u64>, queries: usize) -> Vec<u64> {
	if queries > 1 {
		ids.sort_unstable();
		ids.dedup();
	}
	ids.reverse();
	ids
}

/// The entries of `ids` (from `found`), in that order, read at the block `found` was.
pub async fn rows(
	client: &Client,
	found: &Found,
	ids: &[u64],
) -> Result<Vec<EntryJson>, accesslog_client::Error> {
	let mut rows = Vec::with_capacity(ids.len());
	for chunk in ids.chunks(accesslog_client::rpc_types::MAX_IDS as usize) {
		let got = client.query().at(found.at.clone()).entries(chunk).await?;
		for (id, e) in chunk.iter().zip(got) {
			// The summary listed it at this very block; entries are never removed.
			rows.push(e.ok_or_else(|| accesslog_client::Error::Rpc {
				code: accesslog_client::rpc_types::codes::RUNTIME_ERROR,
				message: format!("entry {id} is not stored at block {}", found.at),
			})?);
		}
	}
	Ok(rows)
}

fn most_first(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
	let mut v: Vec<(String, u64)> = counts.into_iter().collect();
	v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
	v
}

/// The first twelve of `counts` (most first), for a bar chart.
pub fn top(counts: &[(String, u64)]) -> Vec<(String, u64)> {
	counts.iter().take(12).cloned().collect()
}

/// Entries per hour (or per day when they span more than three days) in Taiwan time, in time
/// order, from counts per UTC hour.
pub fn over_time(hours: &[(u64, u64)]) -> Vec<(String, u64)> {
	let tz = crate::web::taiwan();
	let (Some(&(min, _)), Some(&(max, _))) = (hours.first(), hours.last()) else {
		return Vec::new();
	};
	let daily = max - min > 3 * 86_400_000;
	let bucket = if daily { 86_400_000 } else { 3_600_000 };
	let offset = 8 * 3_600_000;
	let first = (min + offset) / bucket;
	let last = (max + offset) / bucket;
	let mut counts = vec![0u64; (last - first + 1) as usize];
	for &(hour, n) in hours {
		counts[((hour + offset) / bucket - first) as usize] += n;
	}
	counts
		.into_iter()
		.enumerate()
		.map(|(i, c)| {
			let start = ((first + i as u64) * bucket - offset) as i64;
			let t = chrono::DateTime::from_timestamp_millis(start)
				.expect("in range; qed")
				.with_timezone(&tz);
			(
				if daily {
					t.format("%m-%d").to_string()
				} else {
					t.format("%m-%d %H時").to_string()
				},
				c,
			)
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn params(kind: &str, q: &str) -> Params {
		Params { kind: kind.into(), q: q.into(), purpose: "019".into(), ..Default::default() }
	}

	#[test]
	fn a_malformed_national_id_is_a_form_error() {
		let e = Search::parse(&params("citizen", "A123456788")).unwrap_err();
		assert!(matches!(e, FormError::NationalId(_)), "{e:?}");
		assert!(matches!(
			Search::parse(&params("citizen", "<script>")),
			Err(FormError::NationalId(_))
		));
		assert!(matches!(
			Search::parse(&params("citizen", "A123456789")),
			Ok(Some(Search::Citizen(_)))
		));
	}

	#[test]
	fn a_search_naming_a_person_needs_a_purpose() {
		let mut p = params("official", "officer-7");
		p.purpose = String::new();
		assert_eq!(Search::parse(&p).unwrap_err(), FormError::Purpose);
		p.purpose = "0 19".into();
		assert_eq!(Search::parse(&p).unwrap_err(), FormError::Purpose);
		let t = Params {
			kind: "time".into(),
			from: "2026-11-20T09:00".into(),
			to: "2026-11-20T10:00".into(),
			..Default::default()
		};
		assert!(matches!(Search::parse(&t), Ok(Some(Search::Time { .. }))), "no purpose needed");
	}

	#[test]
	fn ranges_and_pages_are_checked() {
		let t = |from: &str, to: &str| Params {
			kind: "time".into(),
			from: from.into(),
			to: to.into(),
			..Default::default()
		};
		assert_eq!(
			Search::parse(&t("2026-11-20T10:00", "2026-11-20T09:00")).unwrap_err(),
			FormError::Reversed
		);
		assert!(matches!(
			Search::parse(&t("yesterday", "2026-11-20T09:00")),
			Err(FormError::Bound { field: "from", .. })
		));
		let s = Params { kind: "source".into(), source: "x".into(), ..Default::default() };
		assert_eq!(Search::parse(&s).unwrap_err(), FormError::Source);
		let s = Params {
			kind: "source".into(),
			source: "0".into(),
			from: "9".into(),
			to: "3".into(),
			..Default::default()
		};
		assert_eq!(Search::parse(&s).unwrap_err(), FormError::Reversed);
		assert_eq!(Search::parse(&params("drop table", "x")).unwrap_err(), FormError::Kind);
		for bad in ["0", "-1", "99999999999999999999", "1e3"] {
			let p = Params { page: bad.into(), ..Default::default() };
			assert_eq!(page_number(&p), Err(FormError::Page), "{bad}");
		}
		assert_eq!(page_number(&Params::default()), Ok(1));
	}

	#[test]
	fn a_citizen_is_looked_up_under_every_key() {
		let keys =
			vec![PseudonymKey::new(1, &[1; 32]).unwrap(), PseudonymKey::new(2, &[2; 32]).unwrap()];
		let Some(s) = Search::parse(&params("citizen", "A123456789")).unwrap() else { panic!() };
		let q = s.queries(&keys);
		assert_eq!(q.len(), 2);
		assert_ne!(format!("{:?}", q[0]), format!("{:?}", q[1]));
	}
}
