//! Prometheus metrics of the gateway, served at `/metrics`.

use prometheus::{
	Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
	TextEncoder,
};

/// Every metric the gateway exports (names start with `accesslog_gateway_`).
pub struct Metrics {
	registry: Registry,
	/// Records received, by input (`http`, `syslog-tcp`, `syslog-tls`, `syslog-udp`, `pull`).
	pub received: IntCounterVec,
	/// Records rejected, by input and field at fault.
	pub rejected: IntCounterVec,
	/// Lines kept in the dead-letter store, by input.
	pub dead_letters: IntCounterVec,
	/// Records accepted and not yet finalized.
	pub queued: IntGauge,
	/// Records sent to a node in a transaction (resubmissions counted again).
	pub submitted: IntCounter,
	/// Records seen in a block.
	pub in_block: IntCounter,
	/// Records finalized.
	pub finalized: IntCounter,
	/// Records whose sequence number the chain holds with other content.
	pub conflicts: IntCounter,
	/// Sequence numbers the chain reported missing when this gateway's records were finalized
	/// (a producer skipped or lost them; a later record may still fill them).
	pub gap_seqs: IntCounter,
	/// Failed transactions or node requests (each retried).
	pub failures: IntCounter,
	/// Times an input was held back because the queue was full, by input.
	pub backpressure: IntCounterVec,
	/// UDP datagrams dropped (queue full or unreadable): UDP is lossy by design.
	pub udp_dropped: IntCounter,
	/// Time to acknowledge an HTTP request (fsync included), s.
	pub ack_seconds: Histogram,
	/// From acceptance to a finalized block, s.
	pub finality_seconds: Histogram,
}

impl Metrics {
	/// Register every metric.
	pub fn new() -> Metrics {
		let registry = Registry::new_custom(Some("accesslog_gateway".into()), None)
			.expect("prefix is valid; qed");
		fn reg<T: prometheus::core::Collector + Clone + 'static>(r: &Registry, m: T) -> T {
			r.register(Box::new(m.clone())).expect("names are unique; qed");
			m
		}
		let counter = |name: &str, help: &str| IntCounter::new(name, help).expect("valid; qed");
		let vec = |name: &str, help: &str, labels: &[&str]| {
			IntCounterVec::new(Opts::new(name, help), labels).expect("valid; qed")
		};
		let buckets = vec![
			0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0,
			30.0, 60.0,
		];
		let histogram = |name: &str, help: &str| {
			Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.clone()))
				.expect("valid; qed")
		};
		Metrics {
			received: reg(&registry, vec("received_total", "Records received", &["input"])),
			rejected: reg(
				&registry,
				vec("rejected_total", "Records rejected, by field at fault", &["input", "field"]),
			),
			dead_letters: reg(
				&registry,
				vec("dead_letters_total", "Lines kept in the dead-letter store", &["input"]),
			),
			queued: reg(
				&registry,
				IntGauge::new("queued", "Records accepted, not yet finalized").expect("valid; qed"),
			),
			submitted: reg(&registry, counter("submitted_total", "Records sent in transactions")),
			in_block: reg(&registry, counter("in_block_total", "Records seen in a block")),
			finalized: reg(&registry, counter("finalized_total", "Records finalized")),
			conflicts: reg(
				&registry,
				counter("conflicts_total", "Sequence numbers held on chain with other content"),
			),
			gap_seqs: reg(
				&registry,
				counter("gap_seqs_total", "Sequence numbers the chain reported missing"),
			),
			failures: reg(&registry, counter("failures_total", "Failed submissions (retried)")),
			backpressure: reg(
				&registry,
				vec("backpressure_total", "Inputs held back by a full queue", &["input"]),
			),
			udp_dropped: reg(&registry, counter("udp_dropped_total", "UDP datagrams dropped")),
			ack_seconds: reg(&registry, histogram("ack_seconds", "HTTP acknowledgement latency")),
			finality_seconds: reg(
				&registry,
				histogram("finality_seconds", "Acceptance to finalized block"),
			),
			registry,
		}
	}

	/// The Prometheus text exposition.
	pub fn render(&self) -> String {
		let mut out = Vec::new();
		TextEncoder::new()
			.encode(&self.registry.gather(), &mut out)
			.expect("encoding to memory cannot fail; qed");
		String::from_utf8(out).expect("the text format is UTF-8; qed")
	}
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}
