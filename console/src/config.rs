//! The console's configuration file (TOML): where it listens, which nodes it watches, who may log
//! in, the pseudonymisation keys searches compute references under, and the source its own
//! searches are recorded as.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! nodes = ["ws://10.0.0.11:9944", "ws://10.0.0.12:9944", "ws://10.0.0.13:9944"]
//! secure_cookies = true            # false only behind no TLS at all (a developer's machine)
//! session_minutes = 30
//!
//! [[users]]
//! name = "auditor1"
//! role = "auditor"                 # operator | auditor | admin
//! password_argon2 = "$argon2id$v=19$m=19456,t=2,p=1$…"   # accesslog-console hash-password
//!
//! [[pseudonym_keys]]               # every key id in use, the current one first
//! key_file = "/etc/accesslog/pseudonym-key.json"
//!
//! [audit]                          # every search naming a person is recorded on chain
//! source = "accesslog-console"
//! agency = "高雄市政府政風處"
//! submitter_key_file = "/etc/accesslog/console-submitter.json"
//! ```

use accesslog_client::keys::KeySource;
use serde::Deserialize;
use std::{
	collections::BTreeSet,
	net::SocketAddr,
	path::{Path, PathBuf},
};

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// Address the web server listens on (port 0: any free port, reported at start).
	pub listen: SocketAddr,
	/// Node RPC endpoints (ws:// or http://): watched one by one on the network page, and used in
	/// order, with failover, for everything else.
	pub nodes: Vec<String>,
	/// Mark the session cookie `Secure` (sent over HTTPS only). Default true; a console served
	/// over plain HTTP on a developer's machine needs false.
	#[serde(default = "yes")]
	pub secure_cookies: bool,
	/// A session ends after this many minutes without a request. Default 30.
	#[serde(default = "default_session_minutes")]
	pub session_minutes: u64,
	/// Local accounts.
	#[serde(default)]
	pub users: Vec<User>,
	/// The pseudonymisation keys in use, the current one first (searches by national ID or
	/// official ID compute the reference under each).
	#[serde(default)]
	pub pseudonym_keys: Vec<KeyConfig>,
	/// Where the console's own searches are recorded.
	pub audit: AuditConfig,
	/// Users signed in by the city's single sign-on, through an authenticating proxy.
	#[serde(default)]
	pub single_sign_on: Option<crate::sso::SsoConfig>,
}

fn yes() -> bool {
	true
}

fn default_session_minutes() -> u64 {
	30
}

/// What a user may do.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
	/// Runs the network: the network and block pages.
	Operator,
	/// Audits accesses: entries, searches, exports and evidence.
	Auditor,
	/// Both.
	Admin,
}

impl Role {
	/// Whether this role sees the network and block pages.
	pub fn operates(self) -> bool {
		matches!(self, Role::Operator | Role::Admin)
	}

	/// Whether this role sees entries, searches, exports and evidence.
	pub fn audits(self) -> bool {
		matches!(self, Role::Auditor | Role::Admin)
	}

	/// The role's name as configured.
	pub fn as_str(self) -> &'static str {
		match self {
			Role::Operator => "operator",
			Role::Auditor => "auditor",
			Role::Admin => "admin",
		}
	}
}

/// `[[users]]`: a local account.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
	/// Login name; also the accessor recorded on chain for this user's searches.
	pub name: String,
	/// What the user may do.
	pub role: Role,
	/// The password's Argon2 hash in PHC form (`accesslog-console hash-password` prints one).
	pub password_argon2: String,
}

/// `[[pseudonym_keys]]`: `key_file` or `key_env`, exactly one.
#[derive(Clone, Debug)]
pub struct KeyConfig {
	/// Where the key is read from.
	pub key: KeySource,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFields {
	key_file: Option<PathBuf>,
	key_env: Option<String>,
}

impl<'de> Deserialize<'de> for KeyConfig {
	fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
		let KeyFields { key_file, key_env } = KeyFields::deserialize(d)?;
		KeySource::exactly_one(key_file, key_env).map(|key| KeyConfig { key }).ok_or_else(|| {
			serde::de::Error::custom("pseudonym_keys: set exactly one of key_file and key_env")
		})
	}
}

/// `[audit]`: the source the console's searches are recorded as, and its submitter key.
#[derive(Clone, Debug)]
pub struct AuditConfig {
	/// The source's name as registered on chain.
	pub source: String,
	/// The agency recorded as the accessing agency (the auditors' own).
	pub agency: String,
	/// The submitter key authorized for `source`: `submitter_key_file` or `submitter_key_env`.
	pub submitter_key: KeySource,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFields {
	source: String,
	agency: String,
	submitter_key_file: Option<PathBuf>,
	submitter_key_env: Option<String>,
}

impl<'de> Deserialize<'de> for AuditConfig {
	fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
		let f = AuditFields::deserialize(d)?;
		let submitter_key = KeySource::exactly_one(f.submitter_key_file, f.submitter_key_env)
			.ok_or_else(|| {
				serde::de::Error::custom(
					"audit: set exactly one of submitter_key_file and submitter_key_env",
				)
			})?;
		Ok(AuditConfig { source: f.source, agency: f.agency, submitter_key })
	}
}

pub use accesslog_client::config_file::{rule, ConfigError, LoadError, RuleError};

impl Config {
	/// Read and check `path`.
	pub fn load(path: &Path) -> Result<Config, LoadError> {
		accesslog_client::config_file::load(path, Config::check)
	}

	/// Parse and check a configuration given as text.
	pub fn parse(text: &str) -> Result<Config, ConfigError> {
		accesslog_client::config_file::parse(text, Config::check)
	}

	/// Every rule the configuration must satisfy, with the setting named.
	pub fn check(&self) -> Result<(), RuleError> {
		if self.nodes.is_empty() {
			return Err(rule("nodes", "give at least one node endpoint (ws://host:9944)"));
		}
		if self.users.is_empty() && self.single_sign_on.is_none() {
			return Err(rule(
				"users",
				"configure at least one [[users]] or [single_sign_on], or nobody can log in",
			));
		}
		if let Some(sso) = &self.single_sign_on {
			for (setting, name) in
				[("user_header", &sso.user_header), ("groups_header", &sso.groups_header)]
			{
				if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
					return Err(rule(
						format!("single_sign_on.{setting}"),
						format!("{name:?} is not a header name"),
					));
				}
			}
			if sso.trusted_proxies.is_empty() {
				return Err(rule(
					"single_sign_on.trusted_proxies",
					"name the proxies whose headers are believed (their IP addresses)",
				));
			}
			let r = &sso.roles;
			if r.operator.is_empty() && r.auditor.is_empty() && r.admin.is_empty() {
				return Err(rule(
					"single_sign_on.roles",
					"map at least one group to a role (operator, auditor or admin)",
				));
			}
		}
		if self.session_minutes == 0 {
			return Err(rule("session_minutes", "must be at least 1"));
		}
		let mut names = BTreeSet::new();
		for u in &self.users {
			if u.name.is_empty() || u.name.len() > 64 || u.name.chars().any(char::is_whitespace) {
				return Err(rule(
					"users",
					format!("{:?}: a name is 1-64 characters without spaces", u.name),
				));
			}
			if !names.insert(u.name.as_str()) {
				return Err(rule("users", format!("{:?} is configured twice", u.name)));
			}
			if argon2::PasswordHash::new(&u.password_argon2).is_err() {
				return Err(rule(
					format!("users.{}", u.name),
					"password_argon2 is not an Argon2 hash in PHC form ($argon2id$…); make one \
					 with `accesslog-console hash-password`",
				));
			}
		}
		if self.pseudonym_keys.is_empty() {
			return Err(rule(
				"pseudonym_keys",
				"configure at least one [[pseudonym_keys]]: searches compute references under them",
			));
		}
		if self.audit.source.is_empty() {
			return Err(rule(
				"audit.source",
				"name the source the console's searches are recorded as",
			));
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A well-formed Argon2id hash in PHC form.
	const HASH: &str =
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Jn6uS2bS5pmgC0fVVexoLt6wTjxLA3rYkWv3i9o0kM";

	/// A single sign-on section (goes last among the top settings' tables).
	const SSO: &str = "[single_sign_on]\nuser_header = \"X-Forwarded-User\"\n\
		groups_header = \"X-Forwarded-Groups\"\ntrusted_proxies = [\"127.0.0.1\"]\n\
		logout_url = \"/oauth2/sign_out\"\n[single_sign_on.roles]\nauditor = [\"audit\"]\n";

	fn user(name: &str, role: &str) -> String {
		format!("[[users]]\nname = \"{name}\"\nrole = \"{role}\"\npassword_argon2 = \"{HASH}\"\n")
	}

	/// A configuration: `top` settings, then `users`, then the keys and `[audit]`.
	fn conf(top: &str, users: &str) -> String {
		format!(
			"listen = \"127.0.0.1:0\"\nnodes = [\"ws://127.0.0.1:9944\"]\n{top}\n{users}\
			 [[pseudonym_keys]]\nkey_env = \"K\"\n\
			 [audit]\nsource = \"accesslog-console\"\nagency = \"政風處\"\nsubmitter_key_env = \"S\"\n"
		)
	}

	#[test]
	fn a_minimal_configuration_gets_the_defaults() {
		let c = Config::parse(&conf("", &user("a", "auditor"))).unwrap();
		assert!(c.secure_cookies);
		assert_eq!(c.session_minutes, 30);
		assert_eq!(c.users[0].role, Role::Auditor);
		assert_eq!(c.pseudonym_keys[0].key, KeySource::Env("K".into()));
		assert_eq!(c.audit.submitter_key, KeySource::Env("S".into()));
	}

	#[test]
	fn single_sign_on_alone_lets_people_in() {
		let c = Config::parse(&conf(SSO, "")).unwrap();
		let sso = c.single_sign_on.unwrap();
		assert_eq!(sso.trusted_proxies, vec![std::net::IpAddr::from([127, 0, 0, 1])]);
		assert_eq!(sso.role("audit"), Some(Role::Auditor));
	}

	#[test]
	fn the_example_configuration_is_valid() {
		let c = Config::parse(include_str!("../../deploy/console.example.toml")).unwrap();
		assert_eq!(c.nodes.len(), 3);
		assert!(c.users.iter().any(|u| u.role == Role::Operator));
	}

	#[test]
	fn roles_grant_what_they_name() {
		assert!(Role::Operator.operates() && !Role::Operator.audits());
		assert!(Role::Auditor.audits() && !Role::Auditor.operates());
		assert!(Role::Admin.audits() && Role::Admin.operates());
	}

	#[test]
	fn mistakes_are_named() {
		let a = user("a", "auditor");
		let cases = [
			(conf("", &a).replace("[\"ws://127.0.0.1:9944\"]", "[]"), "nodes: give at least one"),
			(conf("", ""), "users: configure at least one"),
			(conf(SSO, "").replace("[\"127.0.0.1\"]", "[]"), "trusted_proxies: name the proxies"),
			(conf(SSO, "").replace("auditor = [\"audit\"]", ""), "roles: map at least one group"),
			(
				conf(SSO, "").replace("X-Forwarded-Groups", "X Groups"),
				"groups_header: \"X Groups\"",
			),
			(conf("", &user("a", "root")), "unknown variant `root`"),
			(
				conf("", &a).replace(HASH, "secret"),
				"users.a: password_argon2 is not an Argon2 hash",
			),
			(conf("", &(a.clone() + &user("a", "admin"))), "\"a\" is configured twice"),
			(conf("", &user("a b", "admin")), "1-64 characters without spaces"),
			(
				conf("", &a).replace("key_env = \"K\"", "key_env = \"K\"\nkey_file = \"k.json\""),
				"exactly one of key_file and key_env",
			),
			(
				conf("", &a).replace("submitter_key_env = \"S\"\n", ""),
				"audit: set exactly one of submitter_key_file",
			),
			(conf("session_minutes = 0", &a), "session_minutes: must be at least 1"),
			(conf("bogus = 1", &a), "unknown field"),
		];
		for (text, expected) in cases {
			let e = Config::parse(&text).unwrap_err().to_string();
			assert!(e.contains(expected), "{e:?} should contain {expected:?}");
		}
	}
}
