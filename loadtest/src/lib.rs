//! # accesslog-load
//!
//! The load generator of the access-log chain. [`sla`] simulates N concurrent users with the
//! city's mix: submissions through the ingest gateway (one record, or a small batch), each
//! followed until it is acknowledged, in a block and finalized, and auditor queries on the node's
//! `accessLog_*` RPC (by citizen, by official, by time range). Every operation's latencies are
//! recorded; [`Summary`] gives count, errors, average, p50/p95/p99 and maximum, and the verdict
//! against the requirement (average < 5 s, maximum ≤ 8 s).

use serde::Serialize;
use std::{
	collections::BTreeMap,
	sync::Mutex,
	time::{Duration, Instant},
};

pub mod console;
pub mod pump;
pub mod scale;
pub mod sla;
pub mod throughput;

/// The city's acceptance requirement: average response time below this.
pub const MAX_AVERAGE: Duration = Duration::from_secs(5);
/// The city's acceptance requirement: no response slower than this.
pub const MAX_RESPONSE: Duration = Duration::from_secs(8);

/// Latencies and errors of every operation, and a per-second timeline.
pub struct Recorder {
	started: Instant,
	inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
	latencies: BTreeMap<&'static str, Vec<Duration>>,
	errors: BTreeMap<&'static str, (u64, Option<String>)>,
	/// Second since start → (operation → completions).
	timeline: BTreeMap<u64, BTreeMap<&'static str, u64>>,
}

impl Recorder {
	/// An empty recorder; the timeline starts now.
	pub fn new() -> Self {
		Recorder { started: Instant::now(), inner: Mutex::new(Inner::default()) }
	}

	/// Time since the start.
	pub fn elapsed(&self) -> Duration {
		self.started.elapsed()
	}

	/// One successful `op` that took `latency`, counting `n` items in the timeline.
	pub fn ok(&self, op: &'static str, latency: Duration, n: u64) {
		let second = self.started.elapsed().as_secs();
		let mut inner = self.inner.lock().expect("not poisoned; qed");
		inner.latencies.entry(op).or_default().push(latency);
		*inner.timeline.entry(second).or_default().entry(op).or_default() += n;
	}

	/// One failed `op`.
	pub fn error(&self, op: &'static str, message: String) {
		let mut inner = self.inner.lock().expect("not poisoned; qed");
		let e = inner.errors.entry(op).or_default();
		e.0 += 1;
		e.1.get_or_insert(message);
	}

	/// Completed operations and errors so far.
	pub fn totals(&self) -> (u64, u64) {
		let inner = self.inner.lock().expect("not poisoned; qed");
		let ok = inner.latencies.values().map(|v| v.len() as u64).sum();
		let errors = inner.errors.values().map(|e| e.0).sum();
		(ok, errors)
	}

	/// The summary of every operation, and the timeline.
	pub fn summary(&self) -> (Vec<Summary>, BTreeMap<u64, BTreeMap<&'static str, u64>>) {
		let inner = self.inner.lock().expect("not poisoned; qed");
		let mut ops: Vec<&'static str> =
			inner.latencies.keys().chain(inner.errors.keys()).copied().collect();
		ops.sort();
		ops.dedup();
		let out = ops
			.into_iter()
			.map(|op| {
				let mut l = inner.latencies.get(op).cloned().unwrap_or_default();
				l.sort();
				let (errors, first_error) = inner.errors.get(op).cloned().unwrap_or_default();
				Summary::of(op, &l, errors, first_error)
			})
			.collect();
		(out, inner.timeline.clone())
	}
}

impl Default for Recorder {
	fn default() -> Self {
		Self::new()
	}
}

/// The figures of one operation type (milliseconds).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
	/// Operation.
	pub op: &'static str,
	/// Successful operations.
	pub count: u64,
	/// Failed operations.
	pub errors: u64,
	/// The first error seen.
	pub first_error: Option<String>,
	/// Average.
	pub avg_ms: f64,
	/// Median.
	pub p50_ms: f64,
	/// 95th percentile.
	pub p95_ms: f64,
	/// 99th percentile.
	pub p99_ms: f64,
	/// Slowest.
	pub max_ms: f64,
	/// Average < 5 s, maximum ≤ 8 s, and no errors.
	pub pass: bool,
}

fn ms(d: Duration) -> f64 {
	d.as_secs_f64() * 1000.0
}

impl Summary {
	/// The figures of sorted latencies `l`.
	pub fn of(op: &'static str, l: &[Duration], errors: u64, first_error: Option<String>) -> Self {
		let pick = |p: f64| {
			if l.is_empty() {
				0.0
			} else {
				ms(l[((l.len() - 1) as f64 * p).round() as usize])
			}
		};
		let total: Duration = l.iter().sum();
		let avg = if l.is_empty() { Duration::ZERO } else { total / l.len() as u32 };
		let max = l.last().copied().unwrap_or_default();
		Summary {
			op,
			count: l.len() as u64,
			errors,
			first_error,
			avg_ms: ms(avg),
			p50_ms: pick(0.5),
			p95_ms: pick(0.95),
			p99_ms: pick(0.99),
			max_ms: ms(max),
			pass: !l.is_empty() && errors == 0 && avg < MAX_AVERAGE && max <= MAX_RESPONSE,
		}
	}

	/// One line of the result table.
	pub fn row(&self) -> String {
		format!(
			"{:<22} {:>7} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}  {}",
			self.op,
			self.count,
			self.errors,
			self.avg_ms,
			self.p50_ms,
			self.p95_ms,
			self.p99_ms,
			self.max_ms,
			if self.pass { "PASS" } else { "FAIL" }
		)
	}

	/// The header of [`Summary::row`].
	pub fn header() -> String {
		format!(
			"{:<22} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}  verdict (avg < 5 s, max <= 8 s)",
			"operation", "count", "errors", "avg ms", "p50 ms", "p95 ms", "p99 ms", "max ms"
		)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn summary_figures_and_verdict() {
		let l: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
		let s = Summary::of("x", &l, 0, None);
		assert_eq!((s.count, s.p50_ms, s.p99_ms, s.max_ms), (100, 51.0, 99.0, 100.0));
		assert!((s.avg_ms - 50.5).abs() < 1e-9);
		assert!(s.pass);
		assert!(!Summary::of("x", &l, 1, Some("e".into())).pass, "errors fail the verdict");
		let slow = vec![Duration::from_secs(1), Duration::from_millis(8001)];
		assert!(!Summary::of("x", &slow, 0, None).pass, "one response over 8 s fails");
		assert!(!Summary::of("x", &[], 0, None).pass, "no measurement is no pass");
	}
}
