//! Connecting to nodes, with failover between endpoints.

use crate::{ChainConfig, Error, Result};
use std::sync::Arc;
use subxt::{
	backend::{BlockRef, LegacyBackend},
	client::OnlineClientAtBlock,
	utils::{AccountId32, H256},
	OnlineClient,
};
use subxt_rpcs::{rpc_params, RpcClient};

/// A connection to one node of the chain, and the other endpoints to fail over to.
#[derive(Clone)]
pub struct Client {
	endpoints: Vec<String>,
	current: usize,
	api: OnlineClient<ChainConfig>,
	rpc: RpcClient,
}

impl Client {
	/// Connect to the first reachable endpoint of `endpoints` (ws:// or wss://, http(s) is
	/// accepted and mapped to ws(s)), trying them in order.
	pub async fn connect<S: AsRef<str>>(endpoints: &[S]) -> Result<Self> {
		let endpoints: Vec<String> = endpoints.iter().map(|e| normalise(e.as_ref())).collect();
		if endpoints.is_empty() {
			return Err(Error::Invalid("no node endpoint given".into()));
		}
		let (current, api, rpc) = connect_from(&endpoints, 0).await?;
		Ok(Client { endpoints, current, api, rpc })
	}

	/// Drop the current connection and connect to the next reachable endpoint (wrapping around,
	/// ending with the current one).
	pub async fn failover(&mut self) -> Result<()> {
		let (current, api, rpc) = connect_from(&self.endpoints, self.current + 1).await?;
		(self.current, self.api, self.rpc) = (current, api, rpc);
		Ok(())
	}

	/// The endpoint currently used.
	pub fn endpoint(&self) -> &str {
		&self.endpoints[self.current]
	}

	/// The subxt client, for anything this library does not wrap.
	pub fn api(&self) -> &OnlineClient<ChainConfig> {
		&self.api
	}

	/// The client at the best block (subxt's "current block" is the last finalized one).
	pub async fn at_best_block(&self) -> Result<OnlineClientAtBlock<ChainConfig>> {
		let hash: H256 = self
			.rpc
			.request("chain_getBlockHash", rpc_params![])
			.await
			.map_err(Error::Transport)?;
		self.api.at_block(BlockRef::from_hash(hash)).await.map_err(Error::chain)
	}

	/// The next nonce of `account`, counting its transactions waiting in the pool.
	pub async fn next_nonce(&self, account: &AccountId32) -> Result<u64> {
		self.rpc
			.request("system_accountNextIndex", rpc_params![account.to_string()])
			.await
			.map_err(Error::Transport)
	}

	/// The raw RPC client of the current connection.
	pub fn rpc(&self) -> &RpcClient {
		&self.rpc
	}
}

fn normalise(url: &str) -> String {
	let url = url.trim();
	if let Some(rest) = url.strip_prefix("http://") {
		format!("ws://{rest}")
	} else if let Some(rest) = url.strip_prefix("https://") {
		format!("wss://{rest}")
	} else {
		url.to_string()
	}
}

async fn connect_from(
	endpoints: &[String],
	start: usize,
) -> Result<(usize, OnlineClient<ChainConfig>, RpcClient)> {
	let mut last = String::new();
	for k in 0..endpoints.len() {
		let i = (start + k) % endpoints.len();
		let url = &endpoints[i];
		// Permissioned deployments run plain ws:// on the LAN: allow it explicitly.
		let rpc = match RpcClient::from_insecure_url(url).await {
			Ok(rpc) => rpc,
			Err(e) => {
				last = format!("{url}: {e}");
				continue;
			},
		};
		// The legacy backend (`chain_*`/`state_*`/`author_*`), not subxt's default that prefers
		// `chainHead_v1`: that one answers "no such block" for any block its follow subscription
		// has not pinned yet or any more — the best block a moment after `chain_getBlockHash`
		// named it, an older `--at` block, the block of an evidence bundle. A full node keeps
		// them all; reads at a block must not depend on a subscription's timing.
		let backend = Arc::new(LegacyBackend::builder().build(rpc.clone()));
		match OnlineClient::<ChainConfig>::from_backend(backend).await {
			Ok(api) => return Ok((i, api, rpc)),
			Err(e) => last = format!("{url}: {e}"),
		}
	}
	Err(Error::Unreachable { tried: endpoints.join(", "), last })
}
