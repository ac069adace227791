//! What a summary counts of each entry (hour, agency, action, purpose), kept in memory.
//!
//! A chart of 10,000 rows counts 10,000 entries. Read from the state, each is a walk of the trie
//! from its root down to the entry and its value: tens of thousands of database reads, since the
//! node keeps no trie cache (`cli::DEFAULT_TRIE_CACHE_SIZE`). Entries are never changed once
//! stored, so what a summary needs of one can be read once and kept: 16 bytes an entry, the
//! names interned. Only *final* entries are kept (ids below the entry count of the last
//! finalized block): a block that is not final may still be replaced, and its entries with it.
//!
//! Facts are kept in chunks of [`CHUNK`] consecutive ids, each read with one ordered pass over
//! the entries' trie (ids are big-endian under `Identity`, so a chunk is one run of leaves).
//! The first summary that touches a chunk reads it; the node reads them all at start, newest
//! first ([`ChartFacts::warm_chunk`]), so that the first auditor does not wait. Past the
//! capacity nothing more is kept and summaries read the entries as before.

use access_log_rpc::{hour_of, Fact, FactSink};
use pallet_access_log::EntryId;
use std::{
	collections::HashMap,
	sync::{RwLock, RwLockReadGuard},
};

/// Consecutive ids read and kept together.
pub const CHUNK: u64 = 4096;

/// What [`ChartFacts`] needs of a stored entry.
pub struct Facts {
	/// When the access occurred, ms since the epoch.
	pub occurred_at: u64,
	/// The agency that accessed.
	pub agency: Vec<u8>,
	/// The API action.
	pub action: Vec<u8>,
	/// The purpose code.
	pub purpose: Vec<u8>,
}

impl Facts {
	fn fact(&self) -> Fact<'_> {
		Fact {
			hour_ms: hour_of(self.occurred_at),
			agency: &self.agency,
			action: &self.action,
			purpose: &self.purpose,
		}
	}
}

/// One entry's facts, names as indexes into [`Names`].
#[derive(Clone, Copy)]
struct Row {
	/// Hours since the epoch.
	hour: u32,
	agency: u32,
	action: u32,
	purpose: u32,
}

/// Every distinct name once.
#[derive(Default)]
struct Names {
	list: Vec<Box<[u8]>>,
	index: HashMap<Box<[u8]>, u32>,
}

impl Names {
	fn intern(&mut self, name: &[u8]) -> u32 {
		if let Some(i) = self.index.get(name) {
			return *i;
		}
		let i = self.list.len() as u32;
		self.list.push(name.into());
		self.index.insert(name.into(), i);
		i
	}
}

#[derive(Default)]
struct Kept {
	/// Chunk number → the facts of its first `len` ids.
	chunks: HashMap<u64, Vec<Row>>,
	names: Names,
	rows: u64,
}

impl Kept {
	fn row(&self, id: EntryId) -> Option<Row> {
		self.chunks.get(&(id / CHUNK)).and_then(|c| c.get((id % CHUNK) as usize)).copied()
	}

	/// Ids of chunk `chunk` kept so far.
	fn kept_of(&self, chunk: u64) -> u64 {
		self.chunks.get(&chunk).map_or(0, |c| c.len() as u64)
	}

	fn fact(&self, row: Row) -> Fact<'_> {
		let name = |i: u32| &*self.names.list[i as usize];
		Fact {
			hour_ms: row.hour as u64 * 3_600_000,
			agency: name(row.agency),
			action: name(row.action),
			purpose: name(row.purpose),
		}
	}
}

/// Entries' facts kept in memory, up to a capacity.
pub struct ChartFacts {
	kept: RwLock<Kept>,
	capacity: u64,
}

/// Read the entries `first..end` in order (all of them: ids are dense).
pub type ReadRange<'r> = dyn FnMut(EntryId, EntryId) -> Result<Vec<Facts>, String> + 'r;
/// Read one entry.
pub type ReadOne<'r> = dyn FnMut(EntryId) -> Result<Facts, String> + 'r;

impl ChartFacts {
	/// Keeping the facts of at most `capacity` entries (0: none).
	pub fn new(capacity: u64) -> Self {
		Self { kept: RwLock::new(Kept::default()), capacity }
	}

	/// Entries whose facts are kept.
	pub fn rows(&self) -> u64 {
		self.read().rows
	}

	fn read(&self) -> RwLockReadGuard<'_, Kept> {
		self.kept.read().unwrap_or_else(|e| e.into_inner())
	}

	/// Hand `sink` the facts of `ids` in order, until it says to stop. Ids below `stable` are
	/// final: their chunks are read with `range` and kept; others are read with `one`.
	pub fn each(
		&self,
		ids: &[EntryId],
		stable: EntryId,
		range: &mut ReadRange<'_>,
		one: &mut ReadOne<'_>,
		sink: &mut FactSink<'_>,
	) -> Result<(), String> {
		// Chunks to read further.
		let mut wanted: Vec<u64> = {
			let kept = self.read();
			ids.iter()
				.filter(|id| **id < stable && **id % CHUNK >= kept.kept_of(**id / CHUNK))
				.map(|id| id / CHUNK)
				.collect()
		};
		wanted.sort_unstable();
		wanted.dedup();
		// Read outside the lock; what cannot be kept (capacity) is used from here.
		let mut read: HashMap<EntryId, Facts> = HashMap::new();
		for chunk in wanted {
			if let Some((first, refused)) = self.fill(chunk, stable, range)? {
				read.extend((first..).zip(refused));
			}
		}
		let missing: Vec<EntryId> = {
			let kept = self.read();
			ids.iter()
				.filter(|id| kept.row(**id).is_none() && !read.contains_key(id))
				.copied()
				.collect()
		};
		for id in missing {
			read.insert(id, one(id)?);
		}
		let kept = self.read();
		for &id in ids {
			let fact = match kept.row(id) {
				Some(row) => kept.fact(row),
				None => read[&id].fact(),
			};
			if sink(id, fact) {
				break;
			}
		}
		Ok(())
	}

	/// Keep `facts` of ids from `first` on in `chunk`; gives them back when they are not kept
	/// (the capacity is reached; or another reader kept them first, then they are dropped).
	fn keep(&self, chunk: u64, first: EntryId, facts: Vec<Facts>) -> Option<Vec<Facts>> {
		let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
		if kept.rows + facts.len() as u64 > self.capacity {
			return Some(facts);
		}
		if chunk * CHUNK + kept.kept_of(chunk) != first {
			// Kept meanwhile by another summary: the rows are there.
			return None;
		}
		let rows: Vec<Row> = facts
			.iter()
			.map(|f| Row {
				hour: (f.occurred_at / 3_600_000).min(u32::MAX as u64) as u32,
				agency: kept.names.intern(&f.agency),
				action: kept.names.intern(&f.action),
				purpose: kept.names.intern(&f.purpose),
			})
			.collect();
		kept.rows += rows.len() as u64;
		kept.chunks.entry(chunk).or_default().extend(rows);
		None
	}

	/// Read chunk `chunk` on from what is kept of it, up to `stable`, and keep it; the facts
	/// read and their first id when they are not kept (the capacity is reached).
	fn fill(
		&self,
		chunk: u64,
		stable: EntryId,
		range: &mut ReadRange<'_>,
	) -> Result<Option<(EntryId, Vec<Facts>)>, String> {
		let first = chunk * CHUNK + self.read().kept_of(chunk);
		let end = ((chunk + 1) * CHUNK).min(stable);
		if first >= end {
			return Ok(None);
		}
		Ok(self.keep(chunk, first, range(first, end)?).map(|refused| (first, refused)))
	}

	/// Read and keep chunk `chunk` up to `stable` (what is not kept yet of it); `false` when
	/// the capacity is reached.
	pub fn warm_chunk(
		&self,
		chunk: u64,
		stable: EntryId,
		range: &mut ReadRange<'_>,
	) -> Result<bool, String> {
		Ok(self.fill(chunk, stable, range)?.is_none())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Entry `id`: hour `id / 10`, agency `A` or `B` in turn, one action and purpose.
	fn facts(id: EntryId) -> Facts {
		Facts {
			occurred_at: id / 10 * 3_600_000 + 5,
			agency: if id.is_multiple_of(2) { b"A".to_vec() } else { b"B".to_vec() },
			action: b"GET".to_vec(),
			purpose: b"019".to_vec(),
		}
	}

	/// `ids`' facts through `c`, and how many entries were read by range and one by one.
	fn collect(
		c: &ChartFacts,
		ids: &[EntryId],
		stable: EntryId,
	) -> (Vec<(u64, u64, String)>, u64, u64) {
		let (mut ranged, mut single, mut out) = (0, 0, Vec::new());
		c.each(
			ids,
			stable,
			&mut |first, end| {
				ranged += end - first;
				Ok((first..end).map(facts).collect())
			},
			&mut |id| {
				single += 1;
				Ok(facts(id))
			},
			&mut |id, f| {
				out.push((id, f.hour_ms, String::from_utf8_lossy(f.agency).into_owned()));
				false
			},
		)
		.unwrap();
		(out, ranged, single)
	}

	fn expected(ids: &[EntryId]) -> Vec<(u64, u64, String)> {
		ids.iter()
			.map(|id| {
				let f = facts(*id);
				(*id, hour_of(f.occurred_at), String::from_utf8_lossy(&f.agency).into_owned())
			})
			.collect()
	}

	#[test]
	fn final_entries_are_read_once_by_chunk_and_kept() {
		let c = ChartFacts::new(1 << 20);
		let ids: Vec<EntryId> = (4090..4100).collect();
		let (out, ranged, single) = collect(&c, &ids, 10_000);
		assert_eq!(out, expected(&ids));
		assert_eq!((ranged, single), (2 * CHUNK, 0), "two whole chunks read in order");
		let (again, ranged, single) = collect(&c, &ids, 10_000);
		assert_eq!((again, ranged, single), (out, 0, 0), "then answered from memory");
		assert_eq!(c.rows(), 2 * CHUNK);
	}

	#[test]
	fn entries_not_final_are_read_one_by_one_and_not_kept() {
		let c = ChartFacts::new(1 << 20);
		let ids: Vec<EntryId> = (95..105).collect();
		let (out, ranged, single) = collect(&c, &ids, 100);
		assert_eq!(out, expected(&ids));
		assert_eq!((ranged, single), (100, 5), "the chunk up to the final count; the rest alone");
		// Once more are final, the chunk is read on from where it stopped.
		let (_, ranged, single) = collect(&c, &ids, 200);
		assert_eq!((ranged, single), (100, 0));
		assert_eq!(c.rows(), 200);
	}

	#[test]
	fn past_the_capacity_entries_are_read_but_not_kept() {
		let c = ChartFacts::new(CHUNK + 10);
		let mut range = |first, end| Ok((first..end).map(facts).collect());
		assert_eq!(c.warm_chunk(2, 3 * CHUNK, &mut range), Ok(true));
		assert_eq!(c.warm_chunk(2, 3 * CHUNK, &mut range), Ok(true), "nothing more to read");
		assert_eq!(c.warm_chunk(1, 3 * CHUNK, &mut range), Ok(false), "full");
		assert_eq!(c.rows(), CHUNK, "the newest chunk fits, the next does not");
		let ids = [5, 2 * CHUNK + 1];
		let (out, ranged, single) = collect(&c, &ids, 3 * CHUNK);
		assert_eq!(out, expected(&ids));
		assert_eq!((ranged, single), (CHUNK, 0), "the old chunk read, used, and dropped");
		assert_eq!(c.rows(), CHUNK);
	}

	#[test]
	fn the_sink_stops_the_walk_and_errors_are_the_callers() {
		let c = ChartFacts::new(1 << 20);
		let mut seen = 0;
		c.each(
			&[1, 2, 3],
			10,
			&mut |first, end| Ok((first..end).map(facts).collect()),
			&mut |id| Ok(facts(id)),
			&mut |_, _| {
				seen += 1;
				seen == 2
			},
		)
		.unwrap();
		assert_eq!(seen, 2);
		let err = c.each(
			&[20],
			10,
			&mut |_, _| Ok(Vec::new()),
			&mut |id| Err(format!("entry {id} is not stored")),
			&mut |_, _| false,
		);
		assert_eq!(err.unwrap_err(), "entry 20 is not stored");
		let kept = c.read();
		let names: Vec<&[u8]> = kept.names.list.iter().map(|n| &**n).collect();
		assert_eq!(names, [&b"A"[..], b"GET", b"019", b"B"], "each name kept once");
	}
}
