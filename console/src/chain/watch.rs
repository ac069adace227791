//! The console's one view of the chain: one subscription to new heads and one to finalized heads
//! (on the node in use, failing over to the next), and one probe of every configured node every
//! [`PROBE_EVERY`]. Pages read what it holds; browsers get its updates through one broadcast
//! channel (Server-Sent Events), so a hundred open pages cost the nodes nothing more than one.

use super::decode::{block_at, BlockView};
use accesslog_client::{
	node::{header_number, probe, NodeStatus},
	rpc_types::EntryJson,
	Client,
};
use serde::Serialize;
use std::{
	collections::VecDeque,
	sync::{Arc, RwLock},
	time::Duration,
};
use subxt_rpcs::rpc_params;
use tokio::sync::broadcast;

/// How often every node is probed.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);
/// How many recent blocks are kept for the blocks page.
pub const RECENT_BLOCKS: usize = 60;
/// How many of the latest entries are kept for the entries page.
pub const LATEST_ENTRIES: u64 = 50;
/// How long the finality-lag history reaches back.
pub const LAG_HISTORY: Duration = Duration::from_secs(3600);

/// What changed, for open pages.
#[derive(Clone, Debug)]
pub enum Update {
	/// A new best block.
	Block(Arc<BlockView>),
	/// A new finalized block number.
	Finalized(u64),
	/// New node probes.
	Network,
}

/// One sample of the finality lag.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LagSample {
	/// When, ms since the epoch.
	pub at_ms: u64,
	/// Best minus finalized block number.
	pub lag: u64,
}

/// What the console knows of the chain right now.
pub struct Watch {
	nodes: RwLock<Vec<NodeStatus>>,
	blocks: RwLock<VecDeque<Arc<BlockView>>>,
	lag: RwLock<VecDeque<LagSample>>,
	finalized: RwLock<u64>,
	latest: RwLock<Vec<EntryJson>>,
	updates: broadcast::Sender<Update>,
}

impl Watch {
	/// Nothing known yet.
	pub fn new(endpoints: &[String]) -> Arc<Watch> {
		let nodes = endpoints
			.iter()
			.map(|e| NodeStatus {
				endpoint: e.clone(),
				error: Some("not probed yet".into()),
				..Default::default()
			})
			.collect();
		Arc::new(Watch {
			nodes: RwLock::new(nodes),
			blocks: RwLock::new(VecDeque::new()),
			lag: RwLock::new(VecDeque::new()),
			finalized: RwLock::new(0),
			latest: RwLock::new(Vec::new()),
			updates: broadcast::channel(256).0,
		})
	}

	/// The last probe of every configured node, in configuration order.
	pub fn nodes(&self) -> Vec<NodeStatus> {
		self.nodes.read().expect("not poisoned; qed").clone()
	}

	/// The recent blocks, newest first.
	pub fn blocks(&self) -> Vec<Arc<BlockView>> {
		self.blocks.read().expect("not poisoned; qed").iter().cloned().collect()
	}

	/// One recent block by number.
	pub fn block(&self, number: u64) -> Option<Arc<BlockView>> {
		self.blocks.read().expect("not poisoned; qed").iter().find(|b| b.number == number).cloned()
	}

	/// The finality lag over the last hour, oldest first.
	pub fn lag(&self) -> Vec<LagSample> {
		self.lag.read().expect("not poisoned; qed").iter().copied().collect()
	}

	/// The highest finalized block number seen.
	pub fn finalized(&self) -> u64 {
		*self.finalized.read().expect("not poisoned; qed")
	}

	/// The latest [`LATEST_ENTRIES`] entries, newest first, as of the last block that stored any
	/// (read once per such block for every open page).
	pub fn latest_entries(&self) -> Vec<EntryJson> {
		self.latest.read().expect("not poisoned; qed").clone()
	}

	/// Updates from now on.
	pub fn subscribe(&self) -> broadcast::Receiver<Update> {
		self.updates.subscribe()
	}

	fn push_block(&self, block: BlockView) {
		let block = Arc::new(block);
		{
			let mut blocks = self.blocks.write().expect("not poisoned; qed");
			blocks.retain(|b| b.number != block.number);
			blocks.push_front(block.clone());
			blocks.make_contiguous().sort_by_key(|b| std::cmp::Reverse(b.number));
			blocks.truncate(RECENT_BLOCKS);
		}
		let _ = self.updates.send(Update::Block(block));
	}

	fn set_latest(&self, entries: Vec<EntryJson>) {
		*self.latest.write().expect("not poisoned; qed") = entries;
	}

	fn set_finalized(&self, number: u64) {
		let mut f = self.finalized.write().expect("not poisoned; qed");
		if number > *f {
			*f = number;
			let _ = self.updates.send(Update::Finalized(number));
		}
	}

	fn set_nodes(&self, nodes: Vec<NodeStatus>) {
		if let Some(n) = nodes.iter().find(|n| n.reachable) {
			if let (Some(best), Some(fin)) = (n.best, n.finalized) {
				let now = accesslog_client::format::now_ms();
				let mut lag = self.lag.write().expect("not poisoned; qed");
				lag.push_back(LagSample { at_ms: now, lag: best.saturating_sub(fin) });
				while lag.front().is_some_and(|s| now - s.at_ms > LAG_HISTORY.as_millis() as u64) {
					lag.pop_front();
				}
			}
		}
		*self.nodes.write().expect("not poisoned; qed") = nodes;
		let _ = self.updates.send(Update::Network);
	}
}

/// Start the watcher's tasks: the node probes, and the head subscriptions over `client`.
pub fn spawn(watch: Arc<Watch>, endpoints: Vec<String>, client: Client) {
	let probes = watch.clone();
	tokio::spawn(async move {
		loop {
			let statuses =
				futures::future::join_all(endpoints.iter().map(|e| probe(e, PROBE_EVERY))).await;
			probes.set_nodes(statuses);
			tokio::time::sleep(PROBE_EVERY).await;
		}
	});
	tokio::spawn(async move {
		let mut client = client;
		loop {
			if let Err(e) = follow(&watch, &client).await {
				tracing::warn!("following the chain on {}: {e}; failing over", client.endpoint());
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
			if let Err(e) = client.failover().await {
				tracing::warn!("no node reachable: {e}");
			}
		}
	});
}

/// Follow new and finalized heads until a subscription ends.
async fn follow(watch: &Watch, client: &Client) -> Result<(), String> {
	let rpc = client.rpc();
	let mut heads = rpc
		.subscribe::<serde_json::Value>(
			"chain_subscribeNewHeads",
			rpc_params![],
			"chain_unsubscribeNewHeads",
		)
		.await
		.map_err(|e| e.to_string())?;
	let mut finals = rpc
		.subscribe::<serde_json::Value>(
			"chain_subscribeFinalizedHeads",
			rpc_params![],
			"chain_unsubscribeFinalizedHeads",
		)
		.await
		.map_err(|e| e.to_string())?;
	// Fill the page with the blocks before the first head.
	let best: serde_json::Value =
		rpc.request("chain_getHeader", rpc_params![]).await.map_err(|e| e.to_string())?;
	if let Some(best) = header_number(&best) {
		for n in best.saturating_sub(10)..best {
			if let Some(b) = block_at(client, n).await? {
				watch.push_block(b);
			}
		}
	}
	watch.set_latest(latest_entries(client).await.map_err(|e| e.to_string())?);
	loop {
		tokio::select! {
			head = heads.next() => {
				let head = head.ok_or("the new-heads subscription ended")?.map_err(|e| e.to_string())?;
				if let Some(n) = header_number(&head) {
					if let Some(b) = block_at(client, n).await? {
						if b.entries > 0 {
							watch.set_latest(latest_entries(client).await.map_err(|e| e.to_string())?);
						}
						watch.push_block(b);
					}
				}
			},
			head = finals.next() => {
				let head = head.ok_or("the finalized-heads subscription ended")?.map_err(|e| e.to_string())?;
				if let Some(n) = header_number(&head) {
					watch.set_finalized(n);
				}
			},
		}
	}
}

/// The latest [`LATEST_ENTRIES`] entries at the best block, newest first.
pub async fn latest_entries(client: &Client) -> Result<Vec<EntryJson>, accesslog_client::Error> {
	let rpc = client.query();
	let total = rpc.stats().await?.entries;
	let ids: Vec<u64> = (total.saturating_sub(LATEST_ENTRIES)..total).rev().collect();
	let found = futures::future::join_all(ids.iter().map(|id| rpc.entry(*id))).await;
	let mut rows = Vec::new();
	for e in found {
		if let Some(e) = e? {
			rows.push(e);
		}
	}
	Ok(rows)
}
