//! A real `accesslog-gateway` process for the integration tests, with helpers to talk to it.

use accesslog_client::http::request as http_request;
use bytes::Bytes;
use hyper::{HeaderMap, Method, StatusCode};
use serde_json::Value;
use std::{
	io::{BufRead, BufReader},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The pseudonymisation key every test gateway uses (`<key id>:<hex secret>`).
pub const PSEUDONYM: &str = "1:0x0707070707070707070707070707070707070707070707070707070707070707";
/// The bearer token of the test client (admin).
pub const TOKEN: &str = "test-token-0123456789";

/// sha256 of [`TOKEN`], hex.
pub fn token_sha256() -> String {
	use sha2::Digest;
	hex::encode(sha2::Sha256::digest(TOKEN.as_bytes()))
}

/// A running gateway.
pub struct Gw {
	child: Child,
	/// `http://127.0.0.1:port`.
	pub http: String,
	/// Listening addresses as reported.
	pub listening: Value,
	/// Its folder (config, queue, log).
	pub dir: PathBuf,
}

/// The `[[clients]]` block of the test client for `sources`.
pub fn client_block(sources: &[&str]) -> String {
	let list: Vec<String> = sources.iter().map(|s| format!("{s:?}")).collect();
	format!(
		"[[clients]]\nname = \"test\"\ntoken_sha256 = \"{}\"\nsources = [{}]\nadmin = true\n",
		token_sha256(),
		list.join(", ")
	)
}

impl Gw {
	/// Write `config` into `dir/gateway.toml` and start the gateway (environment: the
	/// pseudonym key in `PSEUDONYM_KEY`, `//Alice` in `ALICE`, `//Bob` in `BOB`).
	pub fn start(dir: &Path, config: &str) -> Gw {
		std::fs::create_dir_all(dir).unwrap();
		let path = dir.join("gateway.toml");
		std::fs::write(&path, config).unwrap();
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(dir.join("gateway.log"))
			.unwrap();
		let mut child = Command::new(env!("CARGO_BIN_EXE_accesslog-gateway"))
			.args(["run", "--config"])
			.arg(&path)
			.env("PSEUDONYM_KEY", PSEUDONYM)
			.env("ALICE", "//Alice")
			.env("BOB", "//Bob")
			.env("RUST_LOG", "info")
			.stdout(Stdio::piped())
			.stderr(log)
			.spawn()
			.expect("start accesslog-gateway");
		let mut line = String::new();
		BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
		let listening: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
			panic!(
				"the gateway did not start: {line:?}; log:\n{}",
				std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default()
			)
		});
		let http = listening["listening"]["http"]
			.as_str()
			.map(|a| format!("http://{a}"))
			.unwrap_or_default();
		Gw { child, http, listening: listening["listening"].clone(), dir: dir.to_path_buf() }
	}

	/// The process id.
	pub fn pid(&self) -> u32 {
		self.child.id()
	}

	/// `kill -9`.
	pub fn kill9(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// A listening address by name (`syslog_tcp`, `syslog_tls`, …).
	pub fn addr(&self, name: &str) -> String {
		self.listening[name].as_str().unwrap_or_else(|| panic!("{name} not listening")).into()
	}

	/// A request with the test token.
	pub async fn call(
		&self,
		method: Method,
		path: &str,
		content_type: &str,
		body: impl Into<Bytes>,
	) -> (StatusCode, HeaderMap, Value) {
		let auth = format!("Bearer {TOKEN}");
		let (status, headers, body) = http_request(
			method,
			&format!("{}{path}", self.http),
			&[("authorization", &auth), ("content-type", content_type)],
			body.into(),
		)
		.await
		.unwrap();
		let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
		(status, headers, value)
	}

	/// POST NDJSON lines.
	pub async fn post_lines(
		&self,
		lines: &[String],
		query: &str,
	) -> (StatusCode, HeaderMap, Value) {
		let mut body = lines.join("\n");
		body.push('\n');
		self.call(Method::POST, &format!("/v1/logs{query}"), "application/x-ndjson", body).await
	}

	/// A metric's value (summed over label sets matching `labels`, e.g. `input="http"`).
	pub async fn metric(&self, name: &str, labels: &str) -> f64 {
		let (_, _, body) =
			http_request(Method::GET, &format!("{}/metrics", self.http), &[], Bytes::new())
				.await
				.unwrap();
		String::from_utf8_lossy(&body)
			.lines()
			.filter(|l| l.starts_with(&format!("accesslog_gateway_{name}")) && l.contains(labels))
			.filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
			.sum()
	}

	/// Resident memory of the process, KiB.
	pub fn rss_kib(&self) -> u64 {
		let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
		status
			.lines()
			.find_map(|l| l.strip_prefix("VmRSS:"))
			.and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
			.unwrap_or(0)
	}
}

impl Drop for Gw {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// The household source, signed by Alice.
pub const HOUSEHOLD: &str =
	"[[sources]]\nname = \"kcg-household-api\"\nsubmitter_key_env = \"ALICE\"\n";

/// A gateway configuration: node endpoints `nodes`, a queue of `capacity` in `dir`, `[submit]`
/// settings `submit` (besides a 100 ms batch delay), then `extra` (sources, listeners, clients).
pub fn config(dir: &Path, nodes: &[&str], capacity: usize, submit: &str, extra: &str) -> String {
	format!(
		"nodes = {nodes:?}\n[queue]\ndir = {:?}\ncapacity = {capacity}\n[pseudonym]\n\
		 key_env = \"PSEUDONYM_KEY\"\n[submit]\nbatch_delay_ms = 100\n{submit}\n{extra}",
		dir.join("queue").display().to_string()
	)
}

/// Poll `f` until it returns `Some`, or panic with `what` after `timeout`.
pub async fn until<T, F: std::future::Future<Output = Option<T>>>(
	what: &str,
	timeout: Duration,
	mut f: impl FnMut() -> F,
) -> T {
	let deadline = Instant::now() + timeout;
	loop {
		if let Some(v) = f().await {
			return v;
		}
		assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

/// Test certificates made with the `openssl` command: a CA, and certificates signed by it for
/// the gateway (`localhost`) and for a syslog sender (client authentication).
pub struct Pki {
	/// The CA certificate.
	pub ca: PathBuf,
	/// The gateway's certificate and key.
	pub server: (PathBuf, PathBuf),
	/// The sender's certificate and key.
	pub client: (PathBuf, PathBuf),
}

fn openssl(dir: &Path, args: &[&str]) {
	let out = Command::new("openssl")
		.args(args)
		.current_dir(dir)
		.output()
		.expect("run openssl (apt-get install openssl)");
	assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Make the test certificates in `dir`.
pub fn pki(dir: &Path) -> Pki {
	let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
	let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=test-ca"];
	ca.extend(ec);
	ca.extend([
		"-addext",
		"basicConstraints=critical,CA:TRUE",
		"-addext",
		"keyUsage=critical,keyCertSign,cRLSign",
		"-keyout",
		"ca.key",
		"-out",
		"ca.pem",
	]);
	openssl(dir, &ca);
	for (name, cn, ext) in [
		("server", "localhost", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n"),
		("client", "sender", "subjectAltName=DNS:sender\nextendedKeyUsage=clientAuth\n"),
	] {
		std::fs::write(
			dir.join(format!("{name}.ext")),
			format!("basicConstraints=CA:FALSE\n{ext}"),
		)
		.unwrap();
		let (key, csr, pem, extfile, subj) = (
			format!("{name}.key"),
			format!("{name}.csr"),
			format!("{name}.pem"),
			format!("{name}.ext"),
			format!("/CN={cn}"),
		);
		let mut req = vec!["req", "-subj", &subj, "-keyout", &key, "-out", &csr];
		req.extend(ec);
		openssl(dir, &req);
		openssl(
			dir,
			&[
				"x509",
				"-req",
				"-in",
				&csr,
				"-CA",
				"ca.pem",
				"-CAkey",
				"ca.key",
				"-CAcreateserial",
				"-days",
				"2",
				"-extfile",
				&extfile,
				"-out",
				&pem,
			],
		);
	}
	Pki {
		ca: dir.join("ca.pem"),
		server: (dir.join("server.pem"), dir.join("server.key")),
		client: (dir.join("client.pem"), dir.join("client.key")),
	}
}
