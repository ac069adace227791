//! `accesslog finality`: measure time to finality on a live network.
//!
//! Polls the node every 100 ms for its best and finalized block numbers. A block's time to
//! finality is from the poll that first saw it as (part of) the best chain to the poll that first
//! saw it finalized. Only blocks first seen after the start count.

use crate::{
	connect,
	exit::{self, Failure},
};
use accesslog_client::Client;
use serde::Serialize;
use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};
use subxt_rpcs::rpc_params;

/// Options of `accesslog finality`.
#[derive(clap::Args)]
pub struct FinalityArgs {
	/// How many blocks to measure.
	#[arg(long, default_value_t = 300)]
	blocks: usize,
	/// Give up if finality does not move for this many seconds.
	#[arg(long, default_value_t = 120)]
	stall_timeout: u64,
	/// Print the summary as JSON.
	#[arg(long)]
	json: bool,
}

#[derive(Serialize)]
struct Summary {
	endpoint: String,
	blocks: usize,
	p50_ms: u64,
	p90_ms: u64,
	p99_ms: u64,
	max_ms: u64,
	mean_ms: u64,
	block_interval_p50_ms: u64,
}

async fn number(client: &Client, method: &str) -> Result<u32, Failure> {
	let rpc = client.rpc();
	let node =
		|e: subxt_rpcs::Error| Failure::new(exit::NODE, format!("{}: {e}", client.endpoint()));
	let header: serde_json::Value = if method == "finalized" {
		let hash: String =
			rpc.request("chain_getFinalizedHead", rpc_params![]).await.map_err(node)?;
		rpc.request("chain_getHeader", rpc_params![hash]).await.map_err(node)?
	} else {
		rpc.request("chain_getHeader", rpc_params![]).await.map_err(node)?
	};
	header["number"]
		.as_str()
		.and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
		.ok_or_else(|| {
			Failure::new(exit::NODE, format!("the node sent a header without number: {header}"))
		})
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Run `accesslog finality`.
pub async fn run(urls: &[String], args: FinalityArgs) -> Result<(), Failure> {
	if args.blocks == 0 {
		return Err(Failure::usage("--blocks must be at least 1"));
	}
	let client = connect(urls).await?;
	let start_best = number(&client, "best").await?;
	let mut seen: BTreeMap<u32, Instant> = BTreeMap::new();
	let mut latencies: Vec<u64> = Vec::with_capacity(args.blocks);
	let mut intervals: Vec<u64> = Vec::new();
	let (mut best, mut finalized) = (start_best, number(&client, "finalized").await?);
	let mut last_best_at: Option<Instant> = None;
	let mut last_progress = Instant::now();
	while latencies.len() < args.blocks {
		tokio::time::sleep(Duration::from_millis(100)).await;
		let now = Instant::now();
		let (b, f) = (number(&client, "best").await?, number(&client, "finalized").await?);
		if b > best {
			for n in best + 1..=b {
				seen.entry(n).or_insert(now);
			}
			if let Some(at) = last_best_at {
				intervals.push((now - at).as_millis() as u64 / u64::from(b - best));
			}
			last_best_at = Some(now);
			best = b;
		}
		if f > finalized {
			for n in finalized + 1..=f {
				if let Some(at) = seen.remove(&n) {
					latencies.push((now - at).as_millis() as u64);
				}
			}
			finalized = f;
			last_progress = now;
			let mut sorted = latencies.clone();
			sorted.sort_unstable();
			if !sorted.is_empty() {
				eprint!(
					"\rfinalized {}/{} blocks, time to finality p50 {} ms, p99 {} ms   ",
					sorted.len().min(args.blocks),
					args.blocks,
					percentile(&sorted, 50.0),
					percentile(&sorted, 99.0)
				);
			}
		} else if now - last_progress > Duration::from_secs(args.stall_timeout) {
			eprintln!();
			return Err(Failure::new(
				exit::UNHEALTHY,
				format!(
					"finality stalled at #{finalized} for {} s (best #{best}): are all \
					 validators up? (`accesslog status`)",
					args.stall_timeout
				),
			));
		}
	}
	eprintln!();
	latencies.truncate(args.blocks);
	latencies.sort_unstable();
	intervals.sort_unstable();
	let summary = Summary {
		endpoint: client.endpoint().to_string(),
		blocks: latencies.len(),
		p50_ms: percentile(&latencies, 50.0),
		p90_ms: percentile(&latencies, 90.0),
		p99_ms: percentile(&latencies, 99.0),
		max_ms: *latencies.last().expect("at least one block; qed"),
		mean_ms: latencies.iter().sum::<u64>() / latencies.len() as u64,
		block_interval_p50_ms: if intervals.is_empty() { 0 } else { percentile(&intervals, 50.0) },
	};
	if args.json {
		println!("{}", serde_json::to_string_pretty(&summary).expect("serializes; qed"));
	} else {
		println!(
			"time to finality over {} blocks at {}: p50 {} ms, p90 {} ms, p99 {} ms, max {} ms, \
			 mean {} ms (block interval p50 {} ms)",
			summary.blocks,
			summary.endpoint,
			summary.p50_ms,
			summary.p90_ms,
			summary.p99_ms,
			summary.max_ms,
			summary.mean_ms,
			summary.block_interval_p50_ms
		);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::percentile;

	#[test]
	fn percentiles_are_nearest_rank() {
		let v: Vec<u64> = (1..=100).collect();
		assert_eq!(percentile(&v, 50.0), 50);
		assert_eq!(percentile(&v, 99.0), 99);
		assert_eq!(percentile(&v, 100.0), 100);
		assert_eq!(percentile(&[7], 99.0), 7);
	}
}
