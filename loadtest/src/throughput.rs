//! Scenario `throughput`: the highest sustained rate of finalized entries, and in the same run
//! the naive baseline — one `system.remark_with_event` transaction per record, carrying the same
//! SCALE-encoded entry — on the same network.
//!
//! Each phase keeps the pool full: transactions are signed and submitted as long as fewer than
//! `window` records are submitted but not finalized, for `duration`; the rate is the growth of
//! the finalized count (entries stored, or the baseline account's nonce) between `warmup` and
//! `duration`, read from the finalized head every 250 ms. Then the phase drains (everything it
//! submitted must be finalized) before the next one starts.

use crate::pump::{entry, pump, scale_encoded, spread, Counter, Pumped, Until};
use accesslog_client::format::now_ms;
use accesslog_client::{runtime, Client, Keypair};
use serde::Serialize;
use std::time::Duration;

/// Settings of one run.
#[derive(Clone, Debug)]
pub struct Settings {
	/// How long each phase submits.
	pub duration: Duration,
	/// The start of each phase not counted (the pool filling, the first blocks).
	pub warmup: Duration,
	/// Records per `submit_batch`.
	pub batch: usize,
	/// Records submitted but not finalized, at most, in the batched phase.
	pub window: u64,
	/// The same for each sender of the naive baseline (one transaction per record).
	pub baseline_window: u64,
	/// Distinct officials the records cycle through.
	pub officials: u64,
	/// Distinct citizens the records cycle through.
	pub citizens: u64,
}

/// The result of one phase.
#[derive(Clone, Debug, Serialize)]
pub struct Phase {
	/// `batched` or `naive`.
	pub name: &'static str,
	/// What one transaction carries.
	pub method: &'static str,
	/// Records per transaction.
	pub records_per_transaction: usize,
	/// Records submitted.
	pub submitted: u64,
	/// Transactions submitted.
	pub transactions: u64,
	/// Transactions sent again because a pool dropped them.
	pub resent: u64,
	/// Finalized records per second between the warm-up and the end of submission.
	pub sustained_per_s: f64,
	/// Seconds until everything submitted was finalized.
	pub drained_after_s: f64,
	/// Records finalized in each second of the phase.
	pub per_second: Vec<u64>,
	/// What the other validators answered other than success, by message (see [`pump`]).
	pub relay_refusals: std::collections::BTreeMap<String, u64>,
}

impl Phase {
	fn of(
		name: &'static str,
		method: &'static str,
		per_tx: usize,
		p: &Pumped,
		s: &Settings,
	) -> Self {
		Phase {
			name,
			method,
			records_per_transaction: per_tx,
			submitted: p.submitted,
			transactions: p.transactions,
			resent: p.resent,
			sustained_per_s: p.rate(s.warmup.as_secs_f64(), s.duration.as_secs_f64()),
			drained_after_s: p.drained_after,
			per_second: p.per_second(),
			relay_refusals: p.relay_refusals.clone(),
		}
	}
}

/// Run the batched phase signed by `submitter` (an authorized submitter of the first source),
/// then the naive baseline signed by every key of `baseline` at once, each with its own nonces
/// and window (council members: the only other accounts the permissioned pool accepts).
/// Both phases hand every transaction to `client`'s node and to each of `relays` (see
/// [`pump`]). `progress` gets a line every 10 s.
pub async fn run(
	client: &Client,
	relays: &[Client],
	submitter: &Keypair,
	baseline: &[Keypair],
	settings: &Settings,
	progress: impl Fn(String) + Send + Sync + Clone + 'static,
) -> Result<(Phase, Phase), String> {
	let sources = client.query().sources().await.map_err(|e| e.to_string())?;
	let source = sources.first().ok_or("no source is registered on the chain")?;
	let (source_id, mut seq) = (source.id, source.last_seq + 1);
	let batch = settings.batch.max(1);
	let (citizens, officials) = (settings.citizens, settings.officials);

	let mut i = 0u64;
	let mut last_at = now_ms().saturating_sub(1_000);
	let report = |name: String| {
		let progress = progress.clone();
		move |t: f64, done: u64, sent: u64| {
			progress(format!(
				"  {name} {t:>5.0} s: {done} finalized ({:.0}/s), {} pending",
				done as f64 / t.max(1e-9),
				sent - done
			))
		}
	};
	let batched = pump(
		client,
		relays,
		submitter,
		Counter::Entries,
		settings.window,
		Until::Elapsed(settings.duration),
		|| {
			let at = now_ms().saturating_sub(1_000);
			let n = batch as u64;
			let records: Vec<_> = (0..n)
				.map(|k| {
					let t = spread(last_at, at, k, n);
					entry(i + k, source_id, seq + k, t, citizens, officials)
				})
				.collect();
			last_at = at;
			i += batch as u64;
			seq += batch as u64;
			Some((
				runtime::tx().access_log().submit_batch(accesslog_client::chain_records(records)),
				batch as u64,
			))
		},
		report("batched".into()),
	)
	.await?;

	let senders = baseline.iter().enumerate().map(|(k, signer)| {
		// Each sender's records carry their own sequence numbers (the remarks are not checked;
		// they only make every transaction distinct and as large as a real record).
		let (mut i, mut seq) = (i + k as u64 * 1_000_000_000, seq + k as u64 * 1_000_000_000);
		pump(
			client,
			relays,
			signer,
			Counter::Nonce(signer.public_key().into()),
			settings.baseline_window,
			Until::Elapsed(settings.duration),
			move || {
				let r =
					entry(i, source_id, seq, now_ms().saturating_sub(1_000), citizens, officials);
				i += 1;
				seq += 1;
				Some((runtime::tx().system().remark_with_event(scale_encoded(&r)), 1))
			},
			report(if baseline.len() == 1 { "naive".into() } else { format!("naive#{}", k + 1) }),
		)
	});
	let naive = Pumped::merge(futures::future::try_join_all(senders).await?);
	Ok((
		Phase::of("batched", "access_log.submit_batch", batch, &batched, settings),
		Phase::of("naive", "system.remark_with_event", 1, &naive, settings),
	))
}
