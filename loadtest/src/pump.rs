//! Keeping a chain busy: sign and submit transactions while fewer than a window of records is
//! submitted but not yet finalized, and count what the finalized head holds.
//!
//! The count is read from the chain, not from transaction-status streams, so it is the same
//! measure for the access-log pallet (entries stored, [`Counter::Entries`]) and for the naive
//! baseline (remarks by one account, [`Counter::Nonce`]): what a finalized block proves.

use accesslog_client::{runtime, sign::sign_offline, ChainConfig, Client, Keypair, RecordInput};
pub use accesslog_testing::synthetic::{citizen_ref, entry, official_ref};
use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};
use subxt::{backend::BlockRef, transactions::Payload, utils::AccountId32, utils::H256};
use subxt_rpcs::{rpc_params, RpcClient};
use tokio::sync::Semaphore;

/// What the finalized head is asked for.
#[derive(Clone, Debug)]
pub enum Counter {
	/// Entries the access-log pallet holds.
	Entries,
	/// Transactions `account` has had included (its nonce).
	Nonce(AccountId32),
}

impl Counter {
	/// The count at block `hash`.
	pub async fn at(&self, client: &Client, hash: H256) -> Result<u64, String> {
		match self {
			Counter::Entries => client
				.query()
				.at(format!("{hash:?}"))
				.stats()
				.await
				.map(|s| s.entries)
				.map_err(|e| e.to_string()),
			Counter::Nonce(who) => {
				let at = client
					.api()
					.at_block(BlockRef::from_hash(hash))
					.await
					.map_err(|e| e.to_string())?;
				let info = at
					.storage()
					.fetch(runtime::storage().system().account(), (*who,))
					.await
					.map_err(|e| e.to_string())?
					.decode()
					.map_err(|e| e.to_string())?;
				Ok(u64::from(info.nonce))
			},
		}
	}

	/// The count at the finalized head, and that head.
	pub async fn finalized(&self, client: &Client) -> Result<(u64, H256), String> {
		let hash: H256 = client
			.rpc()
			.request("chain_getFinalizedHead", rpc_params![])
			.await
			.map_err(|e| e.to_string())?;
		Ok((self.at(client, hash).await?, hash))
	}
}

/// When to stop submitting.
#[derive(Clone, Copy, Debug)]
pub enum Until {
	/// After this long (then wait until everything submitted is finalized).
	Elapsed(Duration),
	/// Once this many records are submitted (then wait likewise).
	Records(u64),
}

/// What a run of [`pump`] did.
#[derive(Clone, Debug, Default)]
pub struct Pumped {
	/// Records submitted.
	pub submitted: u64,
	/// Transactions submitted.
	pub transactions: u64,
	/// Transactions sent again because a pool dropped them (the node's, or a relay's).
	pub resent: u64,
	/// `(seconds since start, records finalized since start)`, sampled every 250 ms.
	pub timeline: Vec<(f64, u64)>,
	/// Seconds from the start until everything submitted was finalized.
	pub drained_after: f64,
	/// What relays answered other than success or "already imported", by message, with how
	/// often (a relay's refusal is not fatal: the transaction still reaches its block).
	pub relay_refusals: BTreeMap<String, u64>,
}

impl Pumped {
	/// Several pumps run side by side as one: submissions added up, the finalized counts added
	/// at every moment any of them sampled, drained when the last one drained.
	pub fn merge(parts: Vec<Pumped>) -> Pumped {
		let mut times: Vec<f64> =
			parts.iter().flat_map(|p| p.timeline.iter().map(|s| s.0)).collect();
		times.sort_by(f64::total_cmp);
		times.dedup();
		Pumped {
			submitted: parts.iter().map(|p| p.submitted).sum(),
			transactions: parts.iter().map(|p| p.transactions).sum(),
			resent: parts.iter().map(|p| p.resent).sum(),
			timeline: times
				.into_iter()
				.map(|t| (t, parts.iter().map(|p| p.sample_at(t).1).sum()))
				.collect(),
			drained_after: parts.iter().map(|p| p.drained_after).fold(0.0, f64::max),
			relay_refusals: parts.iter().flat_map(|p| p.relay_refusals.clone()).fold(
				BTreeMap::new(),
				|mut all, (why, n)| {
					*all.entry(why).or_default() += n;
					all
				},
			),
		}
	}

	/// The last sample taken at or before `t` seconds (`(0.0, 0)` before the first).
	fn sample_at(&self, t: f64) -> (f64, u64) {
		self.timeline.iter().take_while(|(s, _)| *s <= t).last().copied().unwrap_or((0.0, 0))
	}

	/// Records finalized per second between `from` and `to` seconds (from the timeline).
	pub fn rate(&self, from: f64, to: f64) -> f64 {
		let (a, b) = (self.sample_at(from), self.sample_at(to));
		if b.0 > a.0 {
			(b.1 - a.1) as f64 / (b.0 - a.0)
		} else {
			0.0
		}
	}

	/// Records finalized in each whole second since the start.
	pub fn per_second(&self) -> Vec<u64> {
		let last = self.timeline.last().map(|p| p.0.ceil() as usize).unwrap_or(0);
		let mut out = vec![0u64; last];
		let mut prev = 0u64;
		for &(t, n) in &self.timeline {
			let second = (t.ceil() as usize).saturating_sub(1).min(last.saturating_sub(1));
			if let Some(slot) = out.get_mut(second) {
				*slot += n - prev;
			}
			prev = n;
		}
		out
	}
}

/// Sign with `signer` and submit the transactions `next` makes (a call and the records it
/// carries; `None` when there is nothing more), keeping at most `window` records submitted but
/// not finalized, until `until`; then wait until the finalized head holds everything submitted.
/// `progress` is called every 10 s with (seconds, records finalized, records submitted).
///
/// Every transaction also goes to each of `relays` (other validators' RPC), so that whichever
/// validator authors the next block has it in its own pool: the network's transaction gossip is
/// best effort (a notification that finds a peer's queue full is dropped and never sent again),
/// and a burst of large transactions reaches the other pools only in part. What `client`'s node
/// answers decides, except that "already imported" (a relay's copy reached it first) is
/// success; a relay's refusals are counted by message ([`Pumped::relay_refusals`]).
#[allow(clippy::too_many_arguments)]
pub async fn pump<C, F>(
	client: &Client,
	relays: &[Client],
	signer: &Keypair,
	counter: Counter,
	window: u64,
	until: Until,
	mut next: F,
	progress: impl Fn(f64, u64, u64) + Send + 'static,
) -> Result<Pumped, String>
where
	C: Payload,
	F: FnMut() -> Option<(C, u64)>,
{
	let (base, _) = counter.finalized(client).await?;
	let start = Instant::now();
	let finalized = Arc::new(AtomicU64::new(0));
	let submitted = Arc::new(AtomicU64::new(0));
	let timeline = Arc::new(Mutex::new(vec![(0.0, 0u64)]));
	let failure: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
	let relay_refusals: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();

	let watcher = {
		let (client, counter, finalized, submitted, timeline, failure) = (
			client.clone(),
			counter.clone(),
			finalized.clone(),
			submitted.clone(),
			timeline.clone(),
			failure.clone(),
		);
		tokio::spawn(async move {
			let mut last_report = 0.0;
			loop {
				tokio::time::sleep(Duration::from_millis(250)).await;
				match counter.finalized(&client).await {
					Ok((n, _)) => {
						let done = n.saturating_sub(base);
						finalized.store(done, Ordering::SeqCst);
						let t = start.elapsed().as_secs_f64();
						timeline.lock().expect("not poisoned; qed").push((t, done));
						if t - last_report >= 10.0 {
							last_report = t;
							progress(t, done, submitted.load(Ordering::SeqCst));
						}
					},
					Err(e) => {
						failure.lock().expect("not poisoned; qed").get_or_insert(e);
					},
				}
			}
		})
	};

	let account: AccountId32 = signer.public_key().into();
	let mut nonce = client.next_nonce(&account).await.map_err(|e| e.to_string())?;
	let rpcs = Arc::new(Semaphore::new(32));
	let mut signing = Signing::new(client, signer).await?;
	let mut transactions = 0u64;
	// Calls by nonce, kept to send again those a pool drops.
	let mut sent_calls: BTreeMap<u64, C> = BTreeMap::new();
	let mut stall = Stall { last_done: 0, since: Instant::now(), resent: 0 };
	let mut watch = RelayWatch::new(relays.len());
	let result = async {
		loop {
			if let Some(e) = failure.lock().expect("not poisoned; qed").clone() {
				return Err(e);
			}
			stall.check(&mut signing, &finalized, &submitted, &sent_calls).await?;
			watch.check(relays, &mut signing, nonce, &sent_calls).await?;
			let sent = submitted.load(Ordering::SeqCst);
			let done = match until {
				Until::Elapsed(d) => start.elapsed() >= d,
				Until::Records(n) => sent >= n,
			};
			if done {
				break;
			}
			if sent.saturating_sub(finalized.load(Ordering::SeqCst)) >= window {
				tokio::time::sleep(Duration::from_millis(10)).await;
				continue;
			}
			let Some((call, n)) = next() else { break };
			let tx = signing.sign(&call, nonce).await?;
			sent_calls.insert(nonce, call);
			while sent_calls.len() > 20_000 {
				sent_calls.pop_first();
			}
			nonce += 1;
			transactions += 1;
			submitted.fetch_add(n, Ordering::SeqCst);
			let permit = rpcs.clone().acquire_owned().await.expect("never closed; qed");
			let (failure, refusals) = (failure.clone(), relay_refusals.clone());
			let copies: Vec<_> = relays.iter().map(|r| r.rpc().clone()).collect();
			tokio::spawn(async move {
				// Encoded only when there is someone to send a copy to.
				let hex = match copies.is_empty() {
					true => String::new(),
					false => hex_of(&tx),
				};
				let copies = futures::future::join_all(copies.into_iter().map(|rpc| {
					let (hex, refusals) = (hex.clone(), refusals.clone());
					async move {
						let Err(why) = hand_over(&rpc, &hex, Duration::from_secs(30)).await else {
							return;
						};
						if !why.contains(ALREADY_IMPORTED) {
							let why: String = why.chars().take(160).collect();
							*refusals.lock().expect("not poisoned; qed").entry(why).or_default() +=
								1;
						}
					}
				}));
				// A node that does not answer within 30 s is treated like a pool that dropped
				// the transaction: `Stall::check` finds it by its nonce.
				let (answer, _) = tokio::join!(
					tokio::time::timeout(Duration::from_secs(30), tx.submit()),
					copies
				);
				// "Already imported": a relay's copy reached this node (by gossip) first.
				let refused = match answer {
					Ok(Err(e)) => Some(e.to_string()),
					_ => None,
				};
				if let Some(e) = refused.filter(|e| !e.contains(ALREADY_IMPORTED)) {
					failure
						.lock()
						.expect("not poisoned; qed")
						.get_or_insert(format!("a transaction was refused: {e}"));
				}
				drop(permit);
			});
		}
		// Drain: everything submitted must reach a finalized block; give up after 60 s without
		// progress.
		let (mut last, mut since) = (finalized.load(Ordering::SeqCst), Instant::now());
		loop {
			if let Some(e) = failure.lock().expect("not poisoned; qed").clone() {
				return Err(e);
			}
			let now = finalized.load(Ordering::SeqCst);
			if now >= submitted.load(Ordering::SeqCst) {
				return Ok(());
			}
			stall.check(&mut signing, &finalized, &submitted, &sent_calls).await?;
			watch.check(relays, &mut signing, nonce, &sent_calls).await?;
			if now != last {
				(last, since) = (now, Instant::now());
			} else if since.elapsed() > Duration::from_secs(60) {
				return Err(format!(
					"{} of {} submitted records not finalized after 60 s without progress",
					submitted.load(Ordering::SeqCst) - now,
					submitted.load(Ordering::SeqCst)
				));
			}
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
	}
	.await;
	let drained_after = start.elapsed().as_secs_f64();
	watcher.abort();
	result?;
	let timeline = timeline.lock().expect("not poisoned; qed").clone();
	let refusals = relay_refusals.lock().expect("not poisoned; qed").clone();
	Ok(Pumped {
		submitted: submitted.load(Ordering::SeqCst),
		transactions,
		resent: stall.resent + watch.resent,
		timeline,
		drained_after,
		relay_refusals: refusals,
	})
}

/// The pool's answer to a transaction it holds already (`author` RPC error 1013).
const ALREADY_IMPORTED: &str = "Transaction Already Imported (1013)";

/// A signed transaction as `author_submitExtrinsic` takes it: `0x`-hex.
fn hex_of(tx: &Submittable) -> String {
	format!("0x{}", hex::encode(tx.encoded()))
}

/// Hand a transaction (`0x`-hex) to the node behind `rpc`; what it answered unless it accepted.
async fn hand_over(rpc: &RpcClient, hex: &str, within: Duration) -> Result<(), String> {
	let request = rpc.request::<serde_json::Value>("author_submitExtrinsic", rpc_params![hex]);
	match tokio::time::timeout(within, request).await {
		Ok(Ok(_)) => Ok(()),
		Ok(Err(e)) => Err(e.to_string()),
		Err(_) => Err(format!("no answer within {} s", within.as_secs())),
	}
}

type Submittable = accesslog_client::sign::Signed;

/// Signs with the client's offline signer at explicit nonces (asking the node for each nonce
/// would throttle the naive baseline); the mortality is anchored at a recent block, renewed
/// every 5 s.
struct Signing<'a> {
	client: &'a Client,
	signer: &'a Keypair,
	account: AccountId32,
	at: subxt::client::OnlineClientAtBlock<ChainConfig>,
	anchored: Instant,
}

impl<'a> Signing<'a> {
	async fn new(client: &'a Client, signer: &'a Keypair) -> Result<Self, String> {
		let at = client.api().at_current_block().await.map_err(|e| e.to_string())?;
		let account = signer.public_key().into();
		Ok(Signing { client, signer, account, at, anchored: Instant::now() })
	}

	async fn sign<C: Payload>(&mut self, call: &C, nonce: u64) -> Result<Submittable, String> {
		if self.anchored.elapsed() > Duration::from_secs(5) {
			self.at = self.client.api().at_current_block().await.map_err(|e| e.to_string())?;
			self.anchored = Instant::now();
		}
		sign_offline(&self.at, self.signer, call, nonce).map_err(|e| e.to_string())
	}

	/// Sign `calls` (by nonce) again, anchored at a newer block (a dropped transaction's hash is
	/// banned for a while, so the same bytes would be refused), and hand them to `rpc`'s node.
	/// Returns how many it accepted.
	async fn resend<'c, C: Payload + 'c>(
		&mut self,
		rpc: &RpcClient,
		calls: impl IntoIterator<Item = (&'c u64, &'c C)>,
	) -> Result<u64, String> {
		self.anchored = Instant::now() - Duration::from_secs(60);
		let mut accepted = 0;
		for (nonce, call) in calls {
			let tx = self.sign(call, *nonce).await?;
			if hand_over(rpc, &hex_of(&tx), Duration::from_secs(10)).await.is_ok() {
				accepted += 1;
			}
		}
		Ok(accepted)
	}
}

/// Progress of the finalized count, to notice a stall.
struct Stall {
	last_done: u64,
	since: Instant,
	/// Transactions signed and sent again.
	resent: u64,
}

impl Stall {
	/// A pool may drop transactions it accepted (the SDK's fork-aware pool does, under a burst
	/// from one sender: docs/performance.md). When nothing has been finalized for 10 s while
	/// records are pending, ask the node for the account's next nonce, counting its pool, and sign
	/// every call we sent from that nonce on again ([`Signing::resend`]).
	async fn check<C: Payload>(
		&mut self,
		signing: &mut Signing<'_>,
		finalized: &AtomicU64,
		submitted: &AtomicU64,
		sent_calls: &BTreeMap<u64, C>,
	) -> Result<(), String> {
		let done = finalized.load(Ordering::SeqCst);
		if done != self.last_done || done >= submitted.load(Ordering::SeqCst) {
			(self.last_done, self.since) = (done, Instant::now());
			return Ok(());
		}
		if self.since.elapsed() < Duration::from_secs(10) {
			return Ok(());
		}
		self.since = Instant::now();
		let next = signing.client.next_nonce(&signing.account).await.map_err(|e| e.to_string())?;
		let missing = sent_calls.range(next..).count();
		if missing == 0 {
			return Ok(());
		}
		eprintln!(
			"  the pool lost {missing} transactions (nonce {next} onward): signing them again"
		);
		let client = signing.client;
		self.resent += signing.resend(client.rpc(), sent_calls.range(next..)).await?;
		Ok(())
	}
}

/// The relays' pools, watched for the same loss as [`Stall`]'s: when a relay's pool loses one
/// of the account's transactions, every later one waits in its "future" queue (which is small
/// and drops the surplus) until another author includes the lost one, and that relay authors
/// empty blocks meanwhile. A relay whose next nonce for the account (counting its pool) stays
/// below what had been sent by the previous check, for 10 s on end, gets the calls from its next
/// nonce on, signed again, sent to it alone.
struct RelayWatch {
	/// Per relay: since when it has been behind, if it is.
	behind_since: Vec<Option<Instant>>,
	/// The next nonce at the previous check.
	sent_before: u64,
	/// When that check was.
	checked: Instant,
	/// Transactions signed again and accepted by a relay.
	resent: u64,
}

impl RelayWatch {
	fn new(relays: usize) -> Self {
		RelayWatch {
			behind_since: vec![None; relays],
			sent_before: 0,
			checked: Instant::now(),
			resent: 0,
		}
	}

	/// At most every 2 s: ask each relay for the account's next nonce; `sent` is the nonce the
	/// next transaction will get.
	async fn check<C: Payload>(
		&mut self,
		relays: &[Client],
		signing: &mut Signing<'_>,
		sent: u64,
		sent_calls: &BTreeMap<u64, C>,
	) -> Result<(), String> {
		if relays.is_empty() || self.checked.elapsed() < Duration::from_secs(2) {
			return Ok(());
		}
		self.checked = Instant::now();
		let expected = std::mem::replace(&mut self.sent_before, sent);
		for (relay, behind) in relays.iter().zip(&mut self.behind_since) {
			let Ok(next) = relay.next_nonce(&signing.account).await else { continue };
			if next >= expected {
				*behind = None;
				continue;
			}
			let since = *behind.get_or_insert_with(Instant::now);
			if since.elapsed() < Duration::from_secs(10) {
				continue;
			}
			*behind = None;
			let lost: Vec<_> = sent_calls.range(next..sent).collect();
			if lost.is_empty() {
				continue;
			}
			eprintln!(
				"  {}: its pool lacks nonce {next} onward: sending it {} transactions again",
				relay.endpoint(),
				lost.len()
			);
			self.resent += signing.resend(relay.rpc(), lost).await?;
		}
		Ok(())
	}
}

/// When record `k` of `n` collected between `from` and `to` (ms) occurred: evenly spread over the
/// interval, the last at `to`, as the accesses a source batches up between two submissions.
pub fn spread(from: u64, to: u64, k: u64, n: u64) -> u64 {
	from + (to.saturating_sub(from)) * (k + 1) / n.max(1)
}

/// The SCALE encoding of `r`, byte for byte what `submit` carries (a struct encodes as its fields
/// in order).
pub fn scale_encoded(r: &RecordInput) -> Vec<u8> {
	codec::Encode::encode(r)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rate_and_per_second_come_from_the_timeline() {
		let p = Pumped {
			timeline: vec![(0.0, 0), (0.5, 0), (1.0, 100), (1.5, 400), (2.0, 400), (3.0, 1000)],
			..Default::default()
		};
		assert_eq!(p.rate(1.0, 3.0), 450.0);
		assert_eq!(p.rate(0.0, 2.0), 200.0);
		assert_eq!(p.rate(2.0, 2.0), 0.0, "an empty interval has no rate");
		assert_eq!(p.per_second(), vec![100, 300, 600]);
		assert_eq!(p.per_second().iter().sum::<u64>(), 1000);
	}

	#[test]
	fn merged_pumps_add_up_at_every_sample() {
		let part = |n: u64, resent: u64, timeline: &[(f64, u64)], drained_after: f64| Pumped {
			submitted: n,
			transactions: n,
			resent,
			timeline: timeline.to_vec(),
			drained_after,
			relay_refusals: BTreeMap::from([("stale".to_string(), n)]),
		};
		let a = part(10, 1, &[(0.0, 0), (1.0, 4), (2.0, 10)], 2.5);
		let b = part(6, 0, &[(0.0, 0), (0.5, 1), (1.5, 6)], 1.8);
		let m = Pumped::merge(vec![a.clone(), b.clone()]);
		assert_eq!(
			m.timeline,
			vec![(0.0, 0), (0.5, 1), (1.0, 5), (1.5, 10), (2.0, 16)],
			"each part counts with its last sample so far"
		);
		assert_eq!((m.submitted, m.transactions, m.resent, m.drained_after), (16, 16, 1, 2.5));
		assert_eq!(m.relay_refusals, BTreeMap::from([("stale".to_string(), 16)]));
		assert_eq!(m.rate(0.0, 2.0), a.rate(0.0, 2.0) + 3.0, "b reached 6 by 1.5 s and held");
		assert_eq!(m.per_second().iter().sum::<u64>(), 16);
		assert_eq!(Pumped::merge(vec![a.clone()]).timeline, a.timeline, "one part is itself");
	}

	#[test]
	fn scale_encoding_is_the_call_argument() {
		use codec::Decode;
		use subxt::ext::scale_encode::EncodeAsType;
		let bytes = include_bytes!("../../client/metadata/accesslog.scale");
		let metadata = subxt::Metadata::decode(&mut &bytes[..]).expect("checked-in metadata");
		let submit = metadata
			.pallet_by_name("AccessLog")
			.and_then(|p| p.call_variant_by_name("submit"))
			.expect("AccessLog.submit exists");
		assert_eq!(
			(0..4).map(|k| spread(1_000, 2_000, k, 4)).collect::<Vec<_>>(),
			[1_250, 1_500, 1_750, 2_000]
		);
		assert_eq!(spread(2_000, 1_000, 0, 4), 2_000);
		let r = entry(7, 0, 8, 1_700_000_000_000, 10, 10);
		let expected = accesslog_client::chain_record(r.clone())
			.encode_as_type(submit.fields[0].ty.id, metadata.types())
			.expect("encodes");
		assert_eq!(scale_encoded(&r), expected);
	}
}
