//! The gateway's configuration file (TOML), with documented defaults and checks that name the
//! offending setting.
//!
//! ```toml
//! nodes = ["ws://10.0.0.11:9944", "ws://10.0.0.12:9944", "ws://10.0.0.13:9944"]
//!
//! [queue]
//! dir = "/var/lib/accesslog-gateway"   # the durable queue, receipts and dead letters
//! capacity = 100000                    # records accepted but not yet finalized, at most
//!
//! [submit]
//! batch_size = 500                     # records per submit_batch transaction (1..=500)
//! batch_delay_ms = 250                 # how long a partial batch waits for more records
//! inflight = 12                        # transactions per source not yet in a block
//!
//! [pseudonym]
//! key_file = "/etc/accesslog/pseudonym-key.json"   # {"key_id": N, "secret": "0x…"}
//!
//! [http]
//! listen = "0.0.0.0:8443"
//! tls_cert = "/etc/accesslog/gateway.crt"   # optional: HTTPS
//! tls_key = "/etc/accesslog/gateway.key"
//!
//! [syslog]
//! tcp = "0.0.0.0:1514"                 # RFC 6587 octet-counting and newline framing
//! tls = { listen = "0.0.0.0:6514", cert = "…", key = "…", client_ca = "…" }   # RFC 5425
//! udp = "0.0.0.0:1514"                 # legacy, lossy
//!
//! [[sources]]
//! name = "kcg-household-api"
//! submitter_key_file = "/etc/accesslog/household-submitter.json"
//!
//! [[clients]]
//! name = "household-api-gw"
//! token_sha256 = "9f86d081…"            # sha256 of the client's bearer token, hex
//! sources = ["kcg-household-api"]
//! ```

use accesslog_client::{format::limits::MAX_BATCH_SIZE, keys::KeySource};
use serde::Deserialize;
use std::{
	collections::{BTreeMap, BTreeSet},
	net::SocketAddr,
	path::{Path, PathBuf},
};

/// The fields of a platform record, as the chain entry is built from them.
pub const CANONICAL_FIELDS: [&str; 13] = [
	"ts",
	"request_id",
	"source",
	"seq",
	"agency",
	"system",
	"user_id",
	"citizen_id",
	"method",
	"api",
	"purpose",
	"status",
	"records",
];

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// Node RPC endpoints (ws:// or http://), tried in order and failed over between.
	pub nodes: Vec<String>,
	/// The durable queue.
	#[serde(default)]
	pub queue: QueueConfig,
	/// Batching and retries.
	#[serde(default)]
	pub submit: SubmitConfig,
	/// The pseudonymisation key.
	pub pseudonym: PseudonymConfig,
	/// The HTTP API (`POST /v1/logs`, receipts, health, metrics, OpenAPI); off when absent.
	#[serde(default)]
	pub http: Option<HttpConfig>,
	/// Syslog listeners.
	#[serde(default)]
	pub syslog: SyslogConfig,
	/// The sources whose logs this gateway submits.
	#[serde(default)]
	pub sources: Vec<SourceConfig>,
	/// HTTP clients and their bearer tokens.
	#[serde(default)]
	pub clients: Vec<ClientConfig>,
	/// Log-export endpoints the gateway polls.
	#[serde(default)]
	pub pull: Vec<PullConfig>,
}

/// `[queue]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
	/// Folder of the queue database (created, mode 0700). Default `gateway-data`.
	pub dir: PathBuf,
	/// Most records accepted but not yet finalized; beyond it HTTP answers 503 and syslog stops
	/// reading. Default 100,000.
	pub capacity: usize,
}

impl Default for QueueConfig {
	fn default() -> Self {
		QueueConfig { dir: PathBuf::from("gateway-data"), capacity: 100_000 }
	}
}

/// `[submit]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SubmitConfig {
	/// Records per `submit_batch` transaction, 1..=500 (the chain's `MaxBatchSize`). Default 500.
	pub batch_size: usize,
	/// How long a partial batch waits for more records, ms. Default 200.
	pub batch_delay_ms: u64,
	/// Transactions per source sent and not yet in a block (those waiting only for finality do
	/// not count). Default 4.
	pub inflight: usize,
	/// Longest wait between retries after failures, ms. Default 30,000.
	pub max_backoff_ms: u64,
	/// A transaction not in a block after this long is given up and its records checked against
	/// the chain and resubmitted, s. Default 60.
	pub inclusion_timeout_secs: u64,
}

impl Default for SubmitConfig {
	fn default() -> Self {
		SubmitConfig {
			batch_size: MAX_BATCH_SIZE,
			batch_delay_ms: 250,
			inflight: 12,
			max_backoff_ms: 30_000,
			inclusion_timeout_secs: 60,
		}
	}
}

/// `[pseudonym]`: `key_file` (a key file `{"key_id": N, "secret": "0x…"}` from `accesslog keys
/// pseudonym`, mode 0600) or `key_env` (an environment variable holding `<key_id>:<hex secret>`),
/// exactly one.
#[derive(Clone, Debug)]
pub struct PseudonymConfig {
	/// Where the key is read from.
	pub key: KeySource,
}

/// `[pseudonym]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PseudonymFields {
	key_file: Option<PathBuf>,
	key_env: Option<String>,
}

impl<'de> Deserialize<'de> for PseudonymConfig {
	fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
		let PseudonymFields { key_file, key_env } = PseudonymFields::deserialize(d)?;
		KeySource::exactly_one(key_file, key_env).map(|key| PseudonymConfig { key }).ok_or_else(
			|| serde::de::Error::custom("pseudonym: set exactly one of key_file and key_env"),
		)
	}
}

/// `[http]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
	/// Listen address (port 0: any free port, reported at start).
	pub listen: SocketAddr,
	/// PEM certificate chain: serve HTTPS.
	pub tls_cert: Option<PathBuf>,
	/// PEM private key of `tls_cert`.
	pub tls_key: Option<PathBuf>,
	/// Largest request body, bytes. Default 16 MiB.
	#[serde(default = "default_max_body")]
	pub max_body_bytes: usize,
	/// Longest `?wait=` before answering with the current state, s. Default 120.
	#[serde(default = "default_wait_timeout")]
	pub wait_timeout_secs: u64,
}

fn default_max_body() -> usize {
	16 * 1024 * 1024
}

fn default_wait_timeout() -> u64 {
	120
}

/// `[syslog]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogConfig {
	/// Plain TCP listener (octet-counting or newline framing, RFC 6587).
	pub tcp: Option<SocketAddr>,
	/// TLS listener (RFC 5425).
	pub tls: Option<SyslogTls>,
	/// UDP listener (RFC 5426): lossy, for legacy senders only.
	pub udp: Option<SocketAddr>,
	/// Largest message, bytes; longer ones go to the dead-letter store. Default 64 KiB.
	#[serde(default = "default_max_message")]
	pub max_message_bytes: usize,
}

fn default_max_message() -> usize {
	64 * 1024
}

/// `[syslog.tls]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogTls {
	/// Listen address.
	pub listen: SocketAddr,
	/// PEM certificate chain.
	pub cert: PathBuf,
	/// PEM private key.
	pub key: PathBuf,
	/// PEM CA certificates: when set, senders must present a certificate it signed (mutual TLS).
	pub client_ca: Option<PathBuf>,
}

/// `[[sources]]`: one source of logs, with its own submitter key and field mapping.
#[derive(Clone, Debug)]
pub struct SourceConfig {
	/// The source's name as registered on chain (and as records name it).
	pub name: String,
	/// The submitter key: `submitter_key_file` (`accesslog keys generate`, mode 0600) or
	/// `submitter_key_env` (an environment variable holding the secret URI), exactly one.
	pub submitter_key: KeySource,
	/// Syslog APP-NAME that identifies this source. Default: `name`.
	pub syslog_app_name: Option<String>,
	/// Field mapping for a source whose records use other names: canonical field = its field,
	/// e.g. `citizen_id = "national_id"`. Applies to JSON keys and syslog SD parameters.
	pub mapping: BTreeMap<String, String>,
	/// Values for canonical fields the source's records lack, e.g. `purpose = "019"`.
	pub defaults: serde_json::Map<String, serde_json::Value>,
}

/// `[[sources]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFields {
	name: String,
	submitter_key_file: Option<PathBuf>,
	submitter_key_env: Option<String>,
	syslog_app_name: Option<String>,
	#[serde(default)]
	mapping: BTreeMap<String, String>,
	#[serde(default)]
	defaults: serde_json::Map<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for SourceConfig {
	fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
		let f = SourceFields::deserialize(d)?;
		let submitter_key = KeySource::exactly_one(f.submitter_key_file, f.submitter_key_env)
			.ok_or_else(|| {
				serde::de::Error::custom(format!(
					"sources.{}: set exactly one of submitter_key_file and submitter_key_env",
					f.name
				))
			})?;
		Ok(SourceConfig {
			name: f.name,
			submitter_key,
			syslog_app_name: f.syslog_app_name,
			mapping: f.mapping,
			defaults: f.defaults,
		})
	}
}

impl SourceConfig {
	/// The canonical name of this source's field `theirs` (itself when not mapped).
	pub fn canonical<'a>(&'a self, theirs: &'a str) -> &'a str {
		self.mapping.iter().find(|(_, t)| *t == theirs).map_or(theirs, |(ours, _)| ours)
	}

	/// The APP-NAME of this source's syslog messages.
	pub fn app_name(&self) -> &str {
		self.syslog_app_name.as_deref().unwrap_or(&self.name)
	}
}

/// `[[clients]]`: an HTTP client and what it may do.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
	/// Name (in logs and metrics).
	pub name: String,
	/// SHA-256 of its bearer token, hex (`accesslog-gateway token` prints a token and its hash).
	pub token_sha256: String,
	/// The sources it may submit for.
	#[serde(default)]
	pub sources: Vec<String>,
	/// May read the dead-letter store.
	#[serde(default)]
	pub admin: bool,
}

/// `[[pull]]`: a log-export endpoint to poll (see docs/gateway.md for the API it must offer).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullConfig {
	/// A name for this feed; its cursor is stored under it.
	pub name: String,
	/// The source its records belong to.
	pub source: String,
	/// `http://host:port/path` of the export endpoint.
	pub url: String,
	/// Environment variable holding the bearer token to send, if the exporter wants one.
	pub token_env: Option<String>,
	/// Pause when caught up, ms. Default 1,000.
	#[serde(default = "default_interval")]
	pub interval_ms: u64,
	/// Records per request. Default 500.
	#[serde(default = "default_pull_limit")]
	pub limit: usize,
}

fn default_interval() -> u64 {
	1000
}

fn default_pull_limit() -> usize {
	500
}

pub use accesslog_client::config_file::{rule, ConfigError, LoadError, RuleError};

impl Config {
	/// Read and check `path`.
	pub fn load(path: &Path) -> Result<Config, LoadError> {
		accesslog_client::config_file::load(path, Config::check)
	}

	/// Parse and check a configuration given as text (relative paths stay relative).
	pub fn parse(text: &str) -> Result<Config, ConfigError> {
		accesslog_client::config_file::parse(text, Config::check)
	}

	/// Every rule the configuration must satisfy, with the setting named.
	pub fn check(&self) -> Result<(), RuleError> {
		if self.nodes.is_empty() {
			return Err(rule("nodes", "give at least one node endpoint (ws://host:9944)"));
		}
		if self.queue.capacity == 0 {
			return Err(rule("queue.capacity", "must be at least 1"));
		}
		let s = &self.submit;
		if s.batch_size == 0 || s.batch_size > MAX_BATCH_SIZE {
			return Err(rule(
				"submit.batch_size",
				format!("{} is not in 1..={MAX_BATCH_SIZE}", s.batch_size),
			));
		}
		if s.inflight == 0 {
			return Err(rule("submit.inflight", "must be at least 1"));
		}
		if self.sources.is_empty() {
			return Err(rule("sources", "configure at least one [[sources]]"));
		}
		let mut names = BTreeSet::new();
		let mut apps = BTreeSet::new();
		for src in &self.sources {
			let setting = || format!("sources.{}", src.name);
			if !names.insert(src.name.as_str()) {
				return Err(rule("sources", format!("{:?} is configured twice", src.name)));
			}
			if !apps.insert(src.app_name()) {
				return Err(rule(
					setting(),
					format!("syslog_app_name {:?} is used by another source", src.app_name()),
				));
			}
			for field in src.mapping.keys().chain(src.defaults.keys()) {
				if !CANONICAL_FIELDS.contains(&field.as_str()) {
					return Err(rule(
						setting(),
						format!(
							"{field:?} is not a record field (one of {})",
							CANONICAL_FIELDS.join(", ")
						),
					));
				}
			}
		}
		let mut tokens = BTreeSet::new();
		for c in &self.clients {
			let setting = || format!("clients.{}", c.name);
			let hash = c.token_sha256.trim_start_matches("0x");
			if hash.len() != 64 || !hash.chars().all(|ch| ch.is_ascii_hexdigit()) {
				return Err(rule(
					setting(),
					"token_sha256 must be 64 hex digits (sha256 of the token)",
				));
			}
			if !tokens.insert(hash.to_ascii_lowercase()) {
				return Err(rule(setting(), "token already used by another client"));
			}
			for s in &c.sources {
				if !names.contains(s.as_str()) {
					return Err(rule(setting(), format!("source {s:?} is not in [[sources]]")));
				}
			}
		}
		if let Some(http) = &self.http {
			if http.tls_cert.is_some() != http.tls_key.is_some() {
				return Err(rule("http", "set both tls_cert and tls_key, or neither"));
			}
			if self.clients.is_empty() {
				return Err(rule(
					"http",
					"no [[clients]] configured, so no request could authenticate",
				));
			}
		}
		let mut feeds = BTreeSet::new();
		for p in &self.pull {
			let setting = || format!("pull.{}", p.name);
			if !feeds.insert(p.name.as_str()) {
				return Err(rule("pull", format!("feed {:?} is configured twice", p.name)));
			}
			if !names.contains(p.source.as_str()) {
				return Err(rule(
					setting(),
					format!("source {:?} is not in [[sources]]", p.source),
				));
			}
			if !p.url.starts_with("http://") {
				return Err(rule(setting(), "url must be http://host:port/path"));
			}
			if p.limit == 0 {
				return Err(rule(setting(), "limit must be at least 1"));
			}
		}
		Ok(())
	}

	/// Index of the source named `name`.
	pub fn source_index(&self, name: &str) -> Option<usize> {
		self.sources.iter().position(|s| s.name == name)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const BASE: &str = r#"
nodes = ["ws://127.0.0.1:9944"]
[pseudonym]
key_env = "K"
[[sources]]
name = "a"
submitter_key_env = "S"
"#;

	#[test]
	fn defaults_apply() {
		let c = Config::parse(BASE).unwrap();
		assert_eq!(c.queue.capacity, 100_000);
		assert_eq!(c.submit.batch_size, 500);
		assert!(c.http.is_none());
		assert_eq!(c.sources[0].app_name(), "a");
	}

	#[test]
	fn the_example_configuration_is_valid() {
		let c = Config::parse(include_str!("../../deploy/gateway.example.toml")).unwrap();
		assert_eq!(c.sources.len(), 2);
		assert_eq!(c.sources[1].app_name(), "land-gw");
		assert_eq!(c.sources[1].mapping["citizen_id"], "national_id");
		assert_eq!(c.pull[0].source, "kcg-land-api");
		let docker = Config::parse(include_str!("../../docker/gateway.toml")).unwrap();
		assert_eq!(docker.nodes.len(), 3);
	}

	#[test]
	fn mistakes_are_named() {
		let cases = [
			(BASE.replace("[\"ws://127.0.0.1:9944\"]", "[]"), "nodes:"),
			(format!("{BASE}[submit]\nbatch_size = 501\n"), "submit.batch_size: 501"),
			(format!("{BASE}[[sources]]\nname = \"a\"\nsubmitter_key_env = \"T\"\n"), "twice"),
			(
				format!("{BASE}[sources.mapping]\nnational = \"x\"\n"),
				"\"national\" is not a record field",
			),
			(format!("{BASE}[[clients]]\nname = \"c\"\ntoken_sha256 = \"abc\"\n"), "64 hex digits"),
			(
				format!(
					"{BASE}[[clients]]\nname = \"c\"\ntoken_sha256 = \"{}\"\nsources = [\"b\"]\n",
					"0".repeat(64)
				),
				"source \"b\" is not in",
			),
			(format!("{BASE}[http]\nlisten = \"127.0.0.1:0\"\n"), "no [[clients]]"),
			(format!("{BASE}bogus = 1\n"), "unknown field"),
			(
				BASE.replace("key_env = \"K\"", "key_env = \"K\"\nkey_file = \"k.json\""),
				"pseudonym: set exactly one of key_file and key_env",
			),
			(
				BASE.replace("submitter_key_env = \"S\"", ""),
				"sources.a: set exactly one of submitter_key_file and submitter_key_env",
			),
			(
				format!("{BASE}[[pull]]\nname = \"p\"\nsource = \"a\"\nurl = \"ftp://x\"\n"),
				"url must be http",
			),
		];
		for (text, expected) in cases {
			let e = Config::parse(&text).unwrap_err().to_string();
			assert!(e.contains(expected), "{e:?} should contain {expected:?}");
		}
	}

	#[test]
	fn errors_are_typed_by_kind() {
		let broken_rule = Config::parse(&BASE.replace("[\"ws://127.0.0.1:9944\"]", "[]"));
		assert!(
			matches!(&broken_rule, Err(ConfigError::Rule(RuleError { setting, .. })) if setting == "nodes"),
			"{broken_rule:?}"
		);
		assert!(matches!(Config::parse("nodes = ["), Err(ConfigError::Syntax(_))));
		let c = Config::parse(BASE).unwrap();
		assert_eq!(c.pseudonym.key, KeySource::Env("K".into()));
		assert_eq!(c.sources[0].submitter_key, KeySource::Env("S".into()));
		let missing = Config::load(Path::new("/nonexistent/gateway.toml")).unwrap_err();
		assert!(matches!(missing.error, ConfigError::Read(_)));
		assert!(missing.to_string().starts_with("/nonexistent/gateway.toml: cannot read: "));
	}
}
