//! `accesslog status`: the health of every configured node.

use crate::{
	exit::{self, Failure},
	output::{print_rows, Format},
};
use accesslog_client::Client;
use serde::Serialize;
use std::time::Duration;
use subxt::utils::H256;

/// Options of `accesslog status`.
#[derive(clap::Args)]
pub struct StatusArgs {
	/// Output format.
	#[arg(long, value_enum, default_value_t = Format::Table)]
	format: Format,
	/// Seconds to wait for each node.
	#[arg(long, default_value_t = 5)]
	timeout: u64,
}

#[derive(Serialize, Default)]
struct NodeStatus {
	endpoint: String,
	reachable: bool,
	error: Option<String>,
	name: Option<String>,
	version: Option<String>,
	chain: Option<String>,
	roles: Option<String>,
	best: Option<u64>,
	finalized: Option<u64>,
	peers: Option<u64>,
	syncing: Option<bool>,
	highest_known: Option<u64>,
	grandpa_set_id: Option<u64>,
}

async fn probe(endpoint: &str) -> Result<NodeStatus, String> {
	use subxt_rpcs::rpc_params;
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
	let number = |v: &serde_json::Value| {
		v["number"].as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
	};
	let best = call("chain_getHeader").await?;
	let round: Option<serde_json::Value> = call("grandpa_roundState").await.ok();
	Ok(NodeStatus {
		endpoint: endpoint.to_string(),
		reachable: true,
		error: None,
		name: str_of(call("system_name").await?),
		version: str_of(call("system_version").await?),
		chain: str_of(call("system_chain").await?),
		roles: Some(call("system_nodeRoles").await?.to_string()),
		best: number(&best),
		finalized: number(&finalized_header),
		peers: health["peers"].as_u64(),
		syncing: health["isSyncing"].as_bool(),
		highest_known: sync["highestBlock"].as_u64(),
		grandpa_set_id: round.and_then(|r| r["setId"].as_u64()),
	})
}

/// Run `status`; fails with `UNHEALTHY` when a node is unreachable or still syncing.
pub async fn run(urls: &[String], args: StatusArgs) -> Result<(), Failure> {
	let mut statuses = Vec::new();
	for url in urls {
		let status = match tokio::time::timeout(Duration::from_secs(args.timeout), probe(url)).await
		{
			Ok(Ok(s)) => s,
			Ok(Err(e)) => {
				NodeStatus { endpoint: url.clone(), error: Some(e), ..Default::default() }
			},
			Err(_) => NodeStatus {
				endpoint: url.clone(),
				error: Some(format!("no answer within {} s", args.timeout)),
				..Default::default()
			},
		};
		statuses.push(status);
	}
	let opt = |v: &Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
	match args.format {
		Format::Json => {
			println!("{}", serde_json::to_string_pretty(&statuses).expect("serializes; qed"))
		},
		format => {
			let rows: Vec<Vec<String>> = statuses
				.iter()
				.map(|s| {
					vec![
						s.endpoint.clone(),
						if s.reachable { "up".into() } else { "DOWN".into() },
						opt(&s.best),
						opt(&s.finalized),
						opt(&s.peers),
						match s.syncing {
							Some(true) => "syncing".into(),
							Some(false) => "synced".into(),
							None => "-".into(),
						},
						s.version.clone().unwrap_or_else(|| "-".into()),
						s.error.clone().unwrap_or_default(),
					]
				})
				.collect();
			print_rows(
				format,
				&["ENDPOINT", "STATE", "BEST", "FINALIZED", "PEERS", "SYNC", "VERSION", "ERROR"],
				&rows,
			);
		},
	}
	let down: Vec<&str> = statuses
		.iter()
		.filter(|s| !s.reachable || s.syncing == Some(true))
		.map(|s| s.endpoint.as_str())
		.collect();
	if !down.is_empty() {
		return Err(Failure::new(
			exit::UNHEALTHY,
			format!("unhealthy: {} (unreachable or still syncing)", down.join(", ")),
		));
	}
	Ok(())
}
