//! The health of one node, as its RPC reports it: the one probe the CLI's `status` and the audit
//! console's network page share.

use crate::Client;
use serde::Serialize;
use std::time::Duration;
use subxt::utils::H256;
use subxt_rpcs::rpc_params;

/// What one node reports about itself. Every field but `endpoint` is absent when the node could
/// not be asked ([`NodeStatus::error`] says why).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct NodeStatus {
	/// The endpoint asked.
	pub endpoint: String,
	/// Whether it answered every question.
	pub reachable: bool,
	/// Why not, when it did not.
	pub error: Option<String>,
	/// Implementation name (`system_name`).
	pub name: Option<String>,
	/// Implementation version (`system_version`).
	pub version: Option<String>,
	/// Chain name.
	pub chain: Option<String>,
	/// Roles (`["Authority"]` for a validator).
	pub roles: Option<String>,
	/// Best block number.
	pub best: Option<u64>,
	/// Hash of the best block, 0x-hex.
	pub best_hash: Option<String>,
	/// Finalized block number.
	pub finalized: Option<u64>,
	/// Connected peers.
	pub peers: Option<u64>,
	/// Whether it is still catching up with the network.
	pub syncing: Option<bool>,
	/// The highest block it has heard of.
	pub highest_known: Option<u64>,
	/// GRANDPA authority set id of its current round.
	pub grandpa_set_id: Option<u64>,
	/// Its libp2p peer id.
	pub peer_id: Option<String>,
}

impl NodeStatus {
	/// Whether the node answered and is not still catching up.
	pub fn healthy(&self) -> bool {
		self.reachable && self.syncing != Some(true)
	}
}

/// A block number from a JSON header (`"number": "0x…"`).
pub fn header_number(header: &serde_json::Value) -> Option<u64> {
	header["number"].as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
}

async fn ask(endpoint: &str) -> Result<NodeStatus, String> {
	let client = Client::connect(&[endpoint]).await.map_err(|e| e.to_string())?;
	let rpc = client.rpc();
	let str_of = |v: serde_json::Value| v.as_str().map(String::from);
	let call = |m: &'static str| async move {
		rpc.request::<serde_json::Value>(m, rpc_params![]).await.map_err(|e| format!("{m}: {e}"))
	};
	let health = call("system_health").await?;
	let sync = call("system_syncState").await?;
	let finalized: H256 =
		serde_json::from_value(call("chain_getFinalizedHead").await?).map_err(|e| e.to_string())?;
	let finalized_header: serde_json::Value =
		rpc.request("chain_getHeader", rpc_params![finalized]).await.map_err(|e| e.to_string())?;
	let best = call("chain_getHeader").await?;
	let best_hash: Option<H256> = rpc
		.request("chain_getBlockHash", rpc_params![header_number(&best)])
		.await
		.map_err(|e| e.to_string())?;
	let round: Option<serde_json::Value> = call("grandpa_roundState").await.ok();
	Ok(NodeStatus {
		endpoint: endpoint.to_string(),
		reachable: true,
		error: None,
		name: str_of(call("system_name").await?),
		version: str_of(call("system_version").await?),
		chain: str_of(call("system_chain").await?),
		roles: Some(call("system_nodeRoles").await?.to_string()),
		best: header_number(&best),
		best_hash: best_hash.map(|h| crate::rpc_types::hex(h.as_bytes())),
		finalized: header_number(&finalized_header),
		peers: health["peers"].as_u64(),
		syncing: health["isSyncing"].as_bool(),
		highest_known: sync["highestBlock"].as_u64(),
		grandpa_set_id: round.and_then(|r| r["setId"].as_u64()),
		peer_id: call("system_localPeerId").await.ok().and_then(str_of),
	})
}

/// Ask the node at `endpoint` how it is, giving up after `timeout`. Never fails: an unreachable
/// or silent node is a status too.
pub async fn probe(endpoint: &str, timeout: Duration) -> NodeStatus {
	match tokio::time::timeout(timeout, ask(endpoint)).await {
		Ok(Ok(s)) => s,
		Ok(Err(e)) => {
			NodeStatus { endpoint: endpoint.into(), error: Some(e), ..Default::default() }
		},
		Err(_) => NodeStatus {
			endpoint: endpoint.into(),
			error: Some(format!("no answer within {} s", timeout.as_secs_f32())),
			..Default::default()
		},
	}
}
