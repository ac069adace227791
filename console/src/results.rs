//! The result sets of recent searches, kept for a few minutes so that paging through a search
//! and exporting it read what the first page showed instead of running the query again.
//!
//! A set is keyed by the user and the index queries (references and ranges, never a national
//! ID). Only the pager's and the export's requests read from here; the search form always runs
//! the query afresh.

use crate::search::Found;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// How long a result set is kept.
pub const KEEP: Duration = Duration::from_secs(10 * 60);
/// Most result sets kept (the oldest goes first).
pub const MAX_SETS: usize = 256;

/// Recent result sets, by [`Found::id`], each with the key of its search.
#[derive(Default)]
pub struct Results {
	sets: Mutex<HashMap<String, Kept>>,
}

/// A kept set.
struct Kept {
	key: String,
	at: Instant,
	found: Arc<Found>,
}

impl Results {
	/// The newest set kept under `key`, if it is younger than [`KEEP`].
	pub fn get(&self, key: &str) -> Option<Arc<Found>> {
		let sets = self.sets.lock().expect("not poisoned");
		sets.values()
			.filter(|k| k.key == key && k.at.elapsed() < KEEP)
			.max_by_key(|k| k.at)
			.map(|k| k.found.clone())
	}

	/// The set named `id` (its [`Found::id`]) if `user` searched it and it is younger than
	/// [`KEEP`]. A newer search of the same key does not replace it (another tab's charts and
	/// pager still find theirs).
	pub fn by_id(&self, user: &str, id: &str) -> Option<Arc<Found>> {
		let sets = self.sets.lock().expect("not poisoned");
		sets.get(id)
			.filter(|k| k.found.owner == user && k.at.elapsed() < KEEP)
			.map(|k| k.found.clone())
	}

	/// Keep `found` under `key`, dropping expired sets and, past [`MAX_SETS`], the oldest.
	pub fn put(&self, key: String, found: Arc<Found>) {
		let mut sets = self.sets.lock().expect("not poisoned");
		sets.retain(|_, k| k.at.elapsed() < KEEP);
		if sets.len() >= MAX_SETS {
			if let Some(oldest) = sets.iter().min_by_key(|(_, k)| k.at).map(|(id, _)| id.clone()) {
				sets.remove(&oldest);
			}
		}
		sets.insert(found.id.clone(), Kept { key, at: Instant::now(), found });
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn found(i: usize) -> Found {
		Found {
			id: format!("set{i}"),
			owner: "lin".into(),
			search: crate::search::Search::Official("o".into()),
			ids: Vec::new(),
			truncated: i.is_multiple_of(2),
			at: String::new(),
			charts: Default::default(),
		}
	}

	#[test]
	fn a_set_is_found_by_its_id_only_for_its_user() {
		let r = Results::default();
		r.put("lin|q".into(), Arc::new(found(1)));
		assert!(r.by_id("lin", "set1").is_some());
		assert!(r.by_id("chen", "set1").is_none(), "another user's set");
		assert!(r.by_id("lin", "set2").is_none());
		r.put("lin|q".into(), Arc::new(found(2)));
		assert!(r.by_id("lin", "set1").is_some(), "a newer search of the same key keeps it");
		assert_eq!(r.get("lin|q").unwrap().id, "set2", "the pager reads the newest");
	}

	#[test]
	fn sets_are_kept_by_key_and_the_oldest_goes_first() {
		let r = Results::default();
		assert!(r.get("a").is_none());
		for i in 0..MAX_SETS + 1 {
			r.put(format!("k{i}"), Arc::new(found(i)));
		}
		assert!(r.get("k0").is_none(), "the oldest was dropped");
		assert!(r.get("k1").is_some());
		assert!(r.get(&format!("k{MAX_SETS}")).unwrap().truncated);
		assert_eq!(r.sets.lock().unwrap().len(), MAX_SETS);
	}
}
