//! A real `accesslog-node --dev` for integration tests: started on free ports with a temporary
//! database, killed when dropped.

#![allow(dead_code)]

use accesslog_client::Client;
use std::{
	net::TcpListener,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// A running development node.
pub struct DevNode {
	child: Child,
	/// Its WebSocket RPC endpoint.
	pub ws: String,
	/// Its HTTP RPC endpoint (same port).
	pub http: String,
}

/// The node binary: `$ACCESSLOG_NODE`, or the release build in `$CARGO_TARGET_DIR`.
pub fn node_binary() -> PathBuf {
	if let Ok(path) = std::env::var("ACCESSLOG_NODE") {
		return PathBuf::from(path);
	}
	let target = std::env::var("CARGO_TARGET_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"));
	let bin = target.join("release").join("accesslog-node");
	assert!(
		bin.exists(),
		"node binary {bin:?} not found: build it with scripts/build.sh or set ACCESSLOG_NODE"
	);
	bin
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port").local_addr().unwrap().port()
}

impl DevNode {
	/// Start a node and wait until it serves RPC and has authored a block.
	pub async fn start() -> DevNode {
		let (rpc, p2p) = (free_port(), free_port());
		let log = std::env::temp_dir().join(format!("accesslog-test-node-{rpc}.log"));
		let child = Command::new(node_binary())
			.args(["--dev", "--tmp", "--no-telemetry", "--no-prometheus", "--no-mdns"])
			.args(["--rpc-port", &rpc.to_string(), "--port", &p2p.to_string()])
			.stdout(Stdio::null())
			.stderr(std::fs::File::create(&log).expect("create the node's log file"))
			.spawn()
			.expect("start accesslog-node");
		let node = DevNode {
			child,
			ws: format!("ws://127.0.0.1:{rpc}"),
			http: format!("http://127.0.0.1:{rpc}"),
		};
		let deadline = Instant::now() + Duration::from_secs(60);
		loop {
			if let Ok(client) = Client::connect(&[&node.ws]).await {
				if let Ok(block) = client.api().at_current_block().await {
					if block.block_number() >= 1 {
						return node;
					}
				}
			}
			assert!(Instant::now() < deadline, "node did not produce a block in 60 s; see {log:?}");
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}

	/// A client connected to this node.
	pub async fn client(&self) -> Client {
		Client::connect(&[&self.ws]).await.expect("connect to the test node")
	}
}

impl Drop for DevNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
	std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}
