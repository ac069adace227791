//! Scenario `scale`: query latency and storage as the chain grows.
//!
//! For each step (10 k, 100 k, 1 M entries by default) the chain is filled up to that many
//! finalized entries with `submit_batch` (a workload of 200,000 citizens and 2,000 officials, so
//! an official has hundreds of entries and a citizen a few), then `queries` queries of each kind
//! are timed one after another on the node's `accessLog_*` RPC: the first page (≤ 100 entries)
//! of a citizen's entries, of an official's, and of a one-minute time range, each picked at
//! random among those stored. With `db_path`, the node's database size on disk is read at each
//! step: bytes per entry overall and between steps.

use crate::{
	pump::{citizen_ref, entry, official_ref, pump, spread, Counter, Until},
	Recorder, Summary,
};
use accesslog_client::format::now_ms;
use accesslog_client::{query::Query, runtime, Client, Keypair};
use accesslog_testing::synthetic::Rng;
use serde::Serialize;
use std::{
	path::{Path, PathBuf},
	time::Instant,
};

/// Citizens of the synthetic workload.
pub const CITIZENS: u64 = 200_000;
/// Officials of the synthetic workload.
pub const OFFICIALS: u64 = 2_000;
/// Our target: query p99 below this at every step.
pub const TARGET_P99_MS: f64 = 50.0;

/// Settings of one run.
#[derive(Clone, Debug)]
pub struct Settings {
	/// Entry counts to measure at, ascending.
	pub steps: Vec<u64>,
	/// Queries of each kind per step.
	pub queries: usize,
	/// Records per `submit_batch`.
	pub batch: usize,
	/// Records submitted but not finalized, at most.
	pub window: u64,
	/// The node's base path or database directory, to measure its size.
	pub db_path: Option<PathBuf>,
}

/// The figures at one step.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
	/// Finalized entries when measured.
	pub entries: u64,
	/// Seconds spent filling up to this step.
	pub fill_s: f64,
	/// Entries per second while filling.
	pub fill_per_s: f64,
	/// Database size on disk, bytes.
	pub db_bytes: Option<u64>,
	/// Database bytes per entry (whole database / entries).
	pub bytes_per_entry: Option<f64>,
	/// Database growth per entry added since the previous step.
	pub bytes_per_added_entry: Option<f64>,
	/// Average entries returned per query (citizen, official, time).
	pub returned: [f64; 3],
	/// Latency per query kind.
	pub queries: Vec<Summary>,
	/// Every query kind's p99 below [`TARGET_P99_MS`].
	pub pass: bool,
}

/// Total size of the files under `path`.
pub fn dir_bytes(path: &Path) -> std::io::Result<u64> {
	let mut total = 0;
	for e in std::fs::read_dir(path)? {
		let e = e?;
		let meta = e.metadata()?;
		total += if meta.is_dir() { dir_bytes(&e.path())? } else { meta.len() };
	}
	Ok(total)
}

/// Fill and measure every step; `progress` gets a line every 10 s.
pub async fn run(
	client: &Client,
	submitter: &Keypair,
	settings: &Settings,
	progress: impl Fn(String) + Send + Sync + Clone + 'static,
) -> Result<Vec<Step>, String> {
	let sources = client.query().sources().await.map_err(|e| e.to_string())?;
	let source = sources.first().ok_or("no source is registered on the chain")?;
	let (source_id, mut seq) = (source.id, source.last_seq + 1);
	let (first, _) = Counter::Entries.finalized(client).await?;
	// Workload numbers continue after what the chain holds; queries pick among ours.
	let (origin, mut next) = (first, first);
	let since_ms = now_ms().saturating_sub(2_000);
	let mut last_at = since_ms;
	let batch = settings.batch.max(1) as u64;
	let mut steps = Vec::new();
	let mut previous: Option<(u64, u64)> = None;
	for &target in &settings.steps {
		let (have, _) = Counter::Entries.finalized(client).await?;
		let started = Instant::now();
		let mut added = 0;
		if have < target {
			let wanted = target - have;
			progress(format!("  filling {have} → {target} entries"));
			let p = progress.clone();
			let mut left = wanted;
			let pumped = pump(
				client,
				&[],
				submitter,
				Counter::Entries,
				settings.window,
				Until::Records(wanted),
				|| {
					let at = now_ms().saturating_sub(1_000);
					let n = batch.min(left);
					if n == 0 {
						return None;
					}
					left -= n;
					let records: Vec<_> = (0..n)
						.map(|k| {
							let t = spread(last_at, at, k, n);
							entry(next + k, source_id, seq + k, t, CITIZENS, OFFICIALS)
						})
						.collect();
					last_at = at;
					next += n;
					seq += n;
					Some((
						runtime::tx()
							.access_log()
							.submit_batch(accesslog_client::chain_records(records)),
						n,
					))
				},
				move |t, done, _| {
					p(format!(
						"  fill {t:>5.0} s: {} / {target} entries ({:.0}/s, about {:.0} s left)",
						have + done,
						done as f64 / t.max(1e-9),
						(wanted - done.min(wanted)) as f64 / (done as f64 / t.max(1e-9)).max(1.0)
					))
				},
			)
			.await?;
			added = pumped.submitted;
		}
		let fill_s = started.elapsed().as_secs_f64();
		let (entries, head) = Counter::Entries.finalized(client).await?;
		progress(format!("  {entries} entries: timing {} queries of each kind", settings.queries));
		let client_at = client.query().at(format!("{head:?}"));
		let recorder = Recorder::new();
		let mut returned = [0u64; 3];
		let mut rng = Rng::new(entries);
		let ours = next - origin;
		for q in 0..settings.queries * 3 {
			let kind = q % 3;
			let n = origin + if ours > 0 { rng.below(ours) } else { 0 };
			let (op, query) = match kind {
				0 => ("query.citizen", Query::Citizen(citizen_ref(n % CITIZENS))),
				1 => ("query.official", Query::Accessor(official_ref(n % OFFICIALS))),
				_ => {
					let span = now_ms().saturating_sub(since_ms).max(60_000);
					let from = since_ms + rng.below(span - 60_000 + 1);
					("query.time", Query::Time { from_ms: from, to_ms: from + 60_000 })
				},
			};
			let t = Instant::now();
			match client_at.page(&query, None, Some(100)).await {
				Ok(page) => {
					recorder.ok(op, t.elapsed(), 1);
					returned[kind] += page.items.len() as u64;
				},
				Err(e) => recorder.error(op, e.to_string()),
			}
		}
		let (queries, _) = recorder.summary();
		let db_bytes = match &settings.db_path {
			Some(p) => {
				Some(dir_bytes(p).map_err(|e| format!("cannot measure {}: {e}", p.display()))?)
			},
			None => None,
		};
		let per_query = settings.queries.max(1) as f64;
		let step = Step {
			entries,
			fill_s,
			fill_per_s: if fill_s > 0.0 { added as f64 / fill_s } else { 0.0 },
			db_bytes,
			bytes_per_entry: db_bytes.map(|b| b as f64 / entries.max(1) as f64),
			bytes_per_added_entry: match (db_bytes, previous) {
				(Some(b), Some((pe, pb))) if entries > pe => {
					Some((b as f64 - pb as f64) / (entries - pe) as f64)
				},
				_ => None,
			},
			returned: returned.map(|r| r as f64 / per_query),
			pass: !queries.is_empty()
				&& queries.iter().all(|s| s.errors == 0 && s.p99_ms < TARGET_P99_MS),
			queries,
		};
		previous = db_bytes.map(|b| (entries, b));
		steps.push(step);
	}
	Ok(steps)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dir_bytes_sums_files_in_subfolders() {
		let dir = tempfile::tempdir().unwrap();
		std::fs::write(dir.path().join("a"), [0u8; 100]).unwrap();
		std::fs::create_dir_all(dir.path().join("x/y")).unwrap();
		std::fs::write(dir.path().join("x/y/b"), [0u8; 23]).unwrap();
		assert_eq!(dir_bytes(dir.path()).unwrap(), 123);
		let missing = dir_bytes(&dir.path().join("nope")).unwrap_err();
		assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
	}
}
