//! A real multi-validator network of `accesslog-node` processes on this machine, for fault tests.
//!
//! The chain is `--chain local` (Alice, Bob and Charlie validate and form the council; Dave
//! submits for source 0). Each node has a persistent base path (so it can be stopped and
//! restarted with its chain), a fixed node key, and peers only with the other nodes
//! (`--reserved-only`).
//!
//! A partition needs a real link to cut: [`LocalNet`] runs `scripts/localnet.sh`, whose validators
//! live in separate network namespaces. (`system_removeReservedPeer` does not disconnect a peer
//! with the default litep2p backend, so it cannot stand in for a cut.)

use crate::dev_node::{free_port, node_binary, spawn_node};
use accesslog_client::Client;
use std::{
	path::PathBuf,
	process::{Child, Command},
	time::{Duration, Instant},
};
use subxt_rpcs::rpc_params;

/// One node of a [`Network`].
pub struct NetNode {
	/// Its well-known dev name (`alice`, `bob`, …): keys come from `//Name`.
	pub name: String,
	base: PathBuf,
	node_key: String,
	/// Its libp2p peer id.
	pub peer_id: String,
	p2p: u16,
	rpc: u16,
	child: Option<Child>,
	starts: u32,
	/// The WebSocket RPC endpoint of the running process.
	pub ws: String,
	/// One connection to it, reused (a node accepts a bounded number of connections).
	client: Option<Client>,
}

impl NetNode {
	fn multiaddr(&self) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", self.p2p, self.peer_id)
	}
}

/// Finalized and best block numbers of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heads {
	/// Best block number.
	pub best: u32,
	/// Finalized block number.
	pub finalized: u32,
}

/// A network of validators (and possibly validators-to-be).
pub struct Network {
	/// The nodes' folders, when this network runs its own processes.
	root: Option<PathBuf>,
	/// The `--chain` of its nodes: `local`, or a chain spec file.
	chain: String,
	/// The nodes, in the order given.
	pub nodes: Vec<NetNode>,
}

fn header_number(header: &serde_json::Value) -> u32 {
	let hex = header["number"].as_str().expect("a header number");
	u32::from_str_radix(hex.trim_start_matches("0x"), 16).expect("a hex block number")
}

impl Network {
	/// Prepare (not start) nodes with the given dev names, e.g. `["alice", "bob", "charlie"]`.
	pub fn new(names: &[&str]) -> Network {
		Self::with_chain(names, "local")
	}

	/// Like [`Network::new`], with `--chain chain` (a chain spec file, e.g. one from
	/// [`crate::upgrade::chain_spec_with_code`]).
	pub fn with_chain(names: &[&str], chain: impl AsRef<std::ffi::OsStr>) -> Network {
		let chain = chain.as_ref().to_string_lossy().into_owned();
		let root = std::env::temp_dir().join(format!("accesslog-net-{}", free_port()));
		let _ = std::fs::remove_dir_all(&root);
		std::fs::create_dir_all(&root).expect("create the network's directory");
		let nodes = names
			.iter()
			.enumerate()
			.map(|(i, name)| {
				let base = root.join(name);
				std::fs::create_dir_all(&base).unwrap();
				let node_key = format!("{:064x}", i + 1);
				let key_file = base.join("node-key");
				std::fs::write(&key_file, &node_key).unwrap();
				let out = Command::new(node_binary())
					.args(["key", "inspect-node-key", "--file"])
					.arg(&key_file)
					.output()
					.expect("run key inspect-node-key");
				assert!(out.status.success(), "inspect-node-key: {out:?}");
				NetNode {
					name: name.to_string(),
					base,
					node_key,
					peer_id: String::from_utf8(out.stdout).unwrap().trim().to_string(),
					p2p: free_port(),
					rpc: free_port(),
					child: None,
					starts: 0,
					ws: String::new(),
					client: None,
				}
			})
			.collect();
		Network { root: Some(root), chain, nodes }
	}

	/// Start every node.
	pub async fn start_all(&mut self) {
		for i in 0..self.nodes.len() {
			self.start(i).await;
		}
	}

	/// Start node `i` (again) and wait until it serves RPC.
	pub async fn start(&mut self, i: usize) {
		let peers: Vec<String> =
			(0..self.nodes.len()).filter(|&j| j != i).map(|j| self.nodes[j].multiaddr()).collect();
		let chain = self.chain.clone();
		let node = &mut self.nodes[i];
		assert!(node.child.is_none(), "{} is already running", node.name);
		node.starts += 1;
		let log = node.base.join(format!("node-{}.log", node.starts));
		let mut cmd = Command::new(node_binary());
		cmd.args(["--chain", &chain, "--validator", "--no-telemetry", "--no-prometheus"])
			.arg(format!("--{}", node.name))
			.arg("--base-path")
			.arg(&node.base)
			.args(["--node-key", &node.node_key, "--no-mdns", "--reserved-only"])
			.args(["--rpc-port", &node.rpc.to_string()])
			.args(["--rpc-methods", "unsafe", "--listen-addr"])
			.arg(format!("/ip4/127.0.0.1/tcp/{}", node.p2p));
		for peer in &peers {
			cmd.args(["--reserved-nodes", peer]);
		}
		let deadline = Instant::now() + Duration::from_secs(90);
		let (child, client, addr) = spawn_node(cmd, &log, &node.name, deadline).await;
		node.ws = format!("ws://{addr}");
		node.client = Some(client);
		node.child = Some(child);
	}

	/// Kill node `i` at once (SIGKILL: a crashed host).
	pub fn kill(&mut self, i: usize) {
		self.nodes[i].client = None;
		if let Some(mut child) = self.nodes[i].child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// Stop node `i` cleanly (SIGTERM, as systemd does) and wait for it to exit.
	pub fn stop(&mut self, i: usize) {
		self.nodes[i].client = None;
		if let Some(mut child) = self.nodes[i].child.take() {
			let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
			let deadline = Instant::now() + Duration::from_secs(30);
			while child.try_wait().unwrap().is_none() {
				if Instant::now() >= deadline {
					let _ = child.kill();
				}
				std::thread::sleep(Duration::from_millis(100));
			}
		}
	}

	/// The client of running node `i`.
	pub fn client(&self, i: usize) -> Client {
		self.nodes[i]
			.client
			.clone()
			.unwrap_or_else(|| panic!("{} is not running", self.nodes[i].name))
	}

	/// Best and finalized block numbers of node `i`, from its own RPC.
	pub async fn heads(&self, i: usize) -> Heads {
		let client = self.client(i);
		let rpc = client.rpc();
		let best: serde_json::Value = rpc.request("chain_getHeader", rpc_params![]).await.unwrap();
		let fin: String = rpc.request("chain_getFinalizedHead", rpc_params![]).await.unwrap();
		let fin: serde_json::Value =
			rpc.request("chain_getHeader", rpc_params![fin]).await.unwrap();
		Heads { best: header_number(&best), finalized: header_number(&fin) }
	}

	/// Hash of block `number` on node `i`'s best chain.
	pub async fn block_hash(&self, i: usize, number: u32) -> String {
		let client = self.client(i);
		client.rpc().request("chain_getBlockHash", rpc_params![number]).await.unwrap()
	}

	/// Wait until every node in `nodes` has finalized block `number`; how long that took.
	pub async fn wait_finalized(
		&self,
		nodes: &[usize],
		number: u32,
		timeout: Duration,
	) -> Duration {
		let start = Instant::now();
		for &i in nodes {
			loop {
				let heads = self.heads(i).await;
				if heads.finalized >= number {
					break;
				}
				assert!(
					start.elapsed() < timeout,
					"{} did not finalize #{number} within {timeout:?} (now {heads:?})",
					self.nodes[i].name
				);
				tokio::time::sleep(Duration::from_millis(200)).await;
			}
		}
		start.elapsed()
	}

	/// Wait until node `i`'s best block reaches `number`.
	pub async fn wait_best(&self, i: usize, number: u32, timeout: Duration) {
		let start = Instant::now();
		loop {
			let heads = self.heads(i).await;
			if heads.best >= number {
				return;
			}
			assert!(start.elapsed() < timeout, "{} stuck at {heads:?}", self.nodes[i].name);
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
	}
}

impl Drop for Network {
	fn drop(&mut self) {
		for i in 0..self.nodes.len() {
			self.kill(i);
		}
		let Some(root) = &self.root else { return };
		if std::thread::panicking() {
			eprintln!("network kept for inspection in {root:?}");
		} else {
			let _ = std::fs::remove_dir_all(root);
		}
	}
}

impl Network {
	/// A network whose nodes something else runs (e.g. `scripts/localnet.sh`), reached at `ws`.
	pub async fn attach(names: &[&str], ws: &[String]) -> Network {
		let mut nodes = Vec::new();
		for (name, ws) in names.iter().zip(ws) {
			let deadline = Instant::now() + Duration::from_secs(90);
			let client = loop {
				match Client::connect(&[ws]).await {
					Ok(client) => break client,
					Err(e) => assert!(Instant::now() < deadline, "{name} at {ws}: {e}"),
				}
				tokio::time::sleep(Duration::from_millis(500)).await;
			};
			nodes.push(NetNode {
				name: name.to_string(),
				base: PathBuf::new(),
				node_key: String::new(),
				peer_id: String::new(),
				p2p: 0,
				rpc: 0,
				child: None,
				starts: 0,
				ws: ws.clone(),
				client: Some(client),
			});
		}
		Network { root: None, chain: "local".into(), nodes }
	}
}

/// `scripts/localnet.sh` with its own data folder, namespaces and subnet: validators in separate
/// network namespaces, each with its own IP address, joined by a bridge. Needs root. Reset (nodes
/// stopped, namespaces and data removed) when dropped.
pub struct LocalNet {
	dir: PathBuf,
	prefix: String,
	subnet: String,
	/// How many validators.
	pub validators: usize,
}

/// Whether this process may create network namespaces.
pub fn is_root() -> bool {
	Command::new("id")
		.arg("-u")
		.output()
		.map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
		.unwrap_or(false)
}

impl LocalNet {
	fn script(&self, args: &[&str]) {
		let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/localnet.sh");
		let out = Command::new("bash")
			.arg(script)
			.args(args)
			.env("LOCALNET_DIR", &self.dir)
			.env("LOCALNET_PREFIX", &self.prefix)
			.env("LOCALNET_SUBNET", &self.subnet)
			.env("ACCESSLOG_NODE", node_binary())
			.output()
			.expect("run scripts/localnet.sh");
		assert!(
			out.status.success(),
			"localnet.sh {args:?} failed:\n{}{}",
			String::from_utf8_lossy(&out.stdout),
			String::from_utf8_lossy(&out.stderr)
		);
	}

	/// Start `validators` validators (`scripts/localnet.sh up --validators N`).
	pub fn up(validators: usize) -> LocalNet {
		// Names and subnet of their own, so that nothing left of an earlier run is in the way.
		let id = free_port();
		let net = LocalNet {
			dir: std::env::temp_dir().join(format!("accesslog-localnet-{id}")),
			prefix: format!("t{}", id % 10_000),
			subnet: format!("10.89.{}", 100 + id % 150),
			validators,
		};
		net.script(&["reset"]);
		net.script(&["up", "--validators", &validators.to_string()]);
		net
	}

	/// The nodes' WebSocket endpoints.
	pub fn ws(&self) -> Vec<String> {
		(1..=self.validators).map(|i| format!("ws://{}.{}:9944", self.subnet, 10 + i)).collect()
	}

	/// Take node `n`'s (1-based) network link down.
	pub fn cut(&self, n: usize) {
		self.script(&["cut", &n.to_string()]);
	}

	/// Bring node `n`'s network link back up.
	pub fn heal(&self, n: usize) {
		self.script(&["heal", &n.to_string()]);
	}
}

impl Drop for LocalNet {
	fn drop(&mut self) {
		let keep = std::thread::panicking();
		if keep {
			eprintln!("localnet data kept in {:?}", self.dir);
		}
		let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/localnet.sh");
		let _ = Command::new("bash")
			.arg(script)
			.arg(if keep { "down" } else { "reset" })
			.env("LOCALNET_DIR", &self.dir)
			.env("LOCALNET_PREFIX", &self.prefix)
			.env("LOCALNET_SUBNET", &self.subnet)
			.status();
	}
}
