//! Connecting to nodes, with failover between endpoints.

use crate::{ChainConfig, Error, Result};
use subxt::OnlineClient;
use subxt_rpcs::RpcClient;

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
		match OnlineClient::<ChainConfig>::from_rpc_client(rpc.clone()).await {
			Ok(api) => return Ok((i, api, rpc)),
			Err(e) => last = format!("{url}: {e}"),
		}
	}
	Err(Error::Unreachable { tried: endpoints.join(", "), last })
}
