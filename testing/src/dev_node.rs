//! A real `accesslog-node --dev` for integration tests: started on free ports with a temporary
//! database, killed when dropped.

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

/// A TCP port free on 127.0.0.1 at the moment of asking.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port").local_addr().unwrap().port()
}

/// The RPC address the node reports in its log. The node falls back to another port when the one
/// asked for was taken meanwhile (another test's node), so the log is the only truth.
pub fn reported_rpc_addr(log: &std::path::Path) -> Option<String> {
	let text = std::fs::read_to_string(log).ok()?;
	let rest = text.split("Running JSON-RPC server: addr=").nth(1)?;
	let addr = rest.split([',', ' ', '\n']).next()?;
	(!addr.is_empty()).then(|| addr.to_string())
}

/// The last 20 lines of a node's log, for failure messages.
pub fn log_tail(log: &std::path::Path) -> String {
	let text = std::fs::read_to_string(log).unwrap_or_default();
	let lines: Vec<&str> = text.lines().collect();
	lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Start `cmd` (an `accesslog-node` command line) with its standard error in `log`, and wait until
/// it serves RPC at the address it reports. `deadline` bounds the wait; `name` is for messages.
/// Returns the process, a client of it and its RPC address (`host:port`).
pub async fn spawn_node(
	mut cmd: Command,
	log: &std::path::Path,
	name: &str,
	deadline: Instant,
) -> (Child, Client, String) {
	let mut child = cmd
		.stdout(Stdio::null())
		.stderr(std::fs::File::create(log).expect("create the node's log file"))
		.spawn()
		.expect("start accesslog-node");
	loop {
		if let Some(status) = child.try_wait().expect("poll the node process") {
			panic!(
				"{name} exited ({status}) before serving; {log:?} ends with:\n{}",
				log_tail(log)
			);
		}
		if let Some(addr) = reported_rpc_addr(log) {
			if let Ok(client) = Client::connect(&[format!("ws://{addr}")]).await {
				return (child, client, addr);
			}
		}
		if Instant::now() >= deadline {
			let _ = child.kill();
			panic!("{name} did not serve RPC in time; {log:?} ends with:\n{}", log_tail(log));
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

impl DevNode {
	/// Start a node and wait until it serves RPC and has authored a block.
	pub async fn start() -> DevNode {
		Self::start_with(&[]).await
	}

	/// [`DevNode::start`] with more options on the node's command line.
	pub async fn start_with(options: &[&str]) -> DevNode {
		let (rpc, p2p) = (free_port(), free_port());
		let log = std::env::temp_dir().join(format!("accesslog-test-node-{rpc}.log"));
		let mut cmd = Command::new(node_binary());
		cmd.args(["--dev", "--tmp", "--no-telemetry", "--no-prometheus", "--no-mdns"]).args([
			"--rpc-port",
			&rpc.to_string(),
			"--port",
			&p2p.to_string(),
		]);
		cmd.args(options);
		let deadline = Instant::now() + Duration::from_secs(90);
		let (mut child, client, addr) = spawn_node(cmd, &log, "the dev node", deadline).await;
		loop {
			if let Ok(block) = client.api().at_current_block().await {
				if block.block_number() >= 1 {
					let (ws, http) = (format!("ws://{addr}"), format!("http://{addr}"));
					return DevNode { child, ws, http };
				}
			}
			if Instant::now() >= deadline {
				let _ = child.kill();
				panic!(
					"node did not produce a block in 90 s; {log:?} ends with:\n{}",
					log_tail(&log)
				);
			}
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
