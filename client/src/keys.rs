//! sr25519 signing keys of submitters and council members: generated, stored in key files, read
//! from files or the environment. The secret is never printed, logged or put in an error.
//!
//! A key file is JSON, written with mode `0600`, refused when readable by others:
//!
//! ```json
//! {"scheme":"sr25519","secret":"<12-word phrase>","account":"5F…","public":"0x…"}
//! ```
//!
//! `secret` is a secret URI as Substrate tools take it: a BIP-39 phrase, or `0x` and a 32-byte
//! hex seed, optionally followed by derivation junctions (`//hard/soft`). The environment variable
//! form holds the same secret URI (`//Alice` works for a `--dev` chain).

use crate::{pseudonym::PseudonymKey, Error, Keypair, Result};
use serde::{Deserialize, Serialize};
use std::{
	path::{Path, PathBuf},
	str::FromStr,
};
use subxt::utils::AccountId32;
use subxt_signer::SecretUri;

/// Where a secret comes from: a key file (mode 0600) or an environment variable. Configuration
/// files and command lines name one of the two; this is the one place that reads either.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
	/// A key file: [`KeyFile`] for signing keys, [`PseudonymKeyFile`] for pseudonymisation keys.
	File(PathBuf),
	/// An environment variable: a secret URI for signing keys, `<key_id>:<hex secret>` for
	/// pseudonymisation keys.
	Env(String),
}

impl KeySource {
	/// The source named by exactly one of `file` and `env`; `None` when both or neither are given.
	pub fn exactly_one(file: Option<PathBuf>, env: Option<String>) -> Option<KeySource> {
		match (file, env) {
			(Some(path), None) => Some(KeySource::File(path)),
			(None, Some(var)) => Some(KeySource::Env(var)),
			_ => None,
		}
	}

	/// The sr25519 signing key it holds.
	pub fn keypair(&self) -> Result<Keypair> {
		match self {
			KeySource::File(path) => read_key_file(path),
			KeySource::Env(var) => from_env(var),
		}
	}

	/// The pseudonymisation key it holds.
	pub fn pseudonym_key(&self) -> Result<PseudonymKey> {
		match self {
			KeySource::File(path) => read_pseudonym_key_file(path),
			KeySource::Env(var) => pseudonym_key_from_env(var),
		}
	}
}

impl std::fmt::Display for KeySource {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			KeySource::File(path) => write!(f, "key file {}", path.display()),
			KeySource::Env(var) => write!(f, "environment variable {var}"),
		}
	}
}

/// The contents of a key file.
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyFile {
	/// Always `sr25519`.
	pub scheme: String,
	/// The secret URI (phrase or hex seed). Never printed.
	pub secret: String,
	/// SS58 address of the account (generic prefix 42).
	pub account: String,
	/// `0x`-hex public key.
	pub public: String,
}

impl std::fmt::Debug for KeyFile {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.debug_struct("KeyFile")
			.field("scheme", &self.scheme)
			.field("account", &self.account)
			.finish_non_exhaustive()
	}
}

/// The public side of a key, safe to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicInfo {
	/// Always `sr25519`.
	pub scheme: &'static str,
	/// SS58 address (generic prefix 42).
	pub account: String,
	/// `0x`-hex public key.
	pub public: String,
}

/// The public side of `keypair`.
pub fn public_info(keypair: &Keypair) -> PublicInfo {
	let public = keypair.public_key();
	PublicInfo {
		scheme: "sr25519",
		account: AccountId32(public.0).to_string(),
		public: crate::rpc_types::hex(&public.0),
	}
}

/// A new random key (from a fresh 12-word BIP-39 phrase) and its key file contents.
pub fn generate() -> Result<(Keypair, KeyFile)> {
	use polkadot_sdk::sp_core::{sr25519, Pair};
	let (_pair, phrase, _seed) = sr25519::Pair::generate_with_phrase(None);
	let keypair = from_secret_uri(&phrase)?;
	let info = public_info(&keypair);
	Ok((
		keypair,
		KeyFile {
			scheme: "sr25519".into(),
			secret: phrase,
			account: info.account,
			public: info.public,
		},
	))
}

/// A key pair from a secret URI (phrase, `0x` seed, or `//Dev` style junctions).
pub fn from_secret_uri(secret: &str) -> Result<Keypair> {
	// The parse errors of subxt-signer may quote the input: do not pass them on.
	let uri = SecretUri::from_str(secret.trim()).map_err(|_| {
		Error::Invalid(
			"the secret is not a valid secret URI (a BIP-39 phrase, 0x and 64 hex digits, or \
			 //Name for a dev key)"
				.into(),
		)
	})?;
	Keypair::from_uri(&uri).map_err(|_| {
		Error::Invalid("the secret is not a valid sr25519 secret (bad phrase or seed)".into())
	})
}

/// Write `key` to a new file at `path` with mode 0600; refuses to overwrite an existing file.
pub fn write_key_file(path: &Path, key: &KeyFile) -> Result<()> {
	write_private_file(
		path,
		&serde_json::to_string_pretty(key).expect("a key file serializes; qed"),
	)
}

/// Write `text` to a new file at `path` with mode 0600, synced; refuses to overwrite.
pub fn write_private_file(path: &Path, text: &str) -> Result<()> {
	use std::io::Write;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	{
		use std::os::unix::fs::OpenOptionsExt;
		options.mode(0o600);
	}
	let mut file = options.open(path).map_err(|e| {
		Error::Invalid(format!(
			"cannot create key file {}: {e}{}",
			path.display(),
			if e.kind() == std::io::ErrorKind::AlreadyExists {
				" (it exists; keys are never overwritten: choose another path)"
			} else {
				""
			}
		))
	})?;
	file.write_all(text.as_bytes())
		.and_then(|_| file.write_all(b"\n"))
		.and_then(|_| file.sync_all())
		.map_err(|e| Error::Invalid(format!("cannot write key file {}: {e}", path.display())))
}

/// Read a secret file (key file, pseudonymisation key): refuses files that group or others may
/// read.
pub fn read_private_file(path: &Path) -> Result<String> {
	let meta = std::fs::metadata(path)
		.map_err(|e| Error::Invalid(format!("cannot read key file {}: {e}", path.display())))?;
	#[cfg(unix)]
	{
		use std::os::unix::fs::PermissionsExt;
		let mode = meta.permissions().mode() & 0o777;
		if mode & 0o077 != 0 {
			return Err(Error::Invalid(format!(
				"key file {} is readable by others (mode {mode:o}); run `chmod 600 {}`",
				path.display(),
				path.display()
			)));
		}
	}
	let _ = meta;
	std::fs::read_to_string(path)
		.map_err(|e| Error::Invalid(format!("cannot read key file {}: {e}", path.display())))
}

/// Read a key file; refuses files that group or others may read.
pub fn read_key_file(path: &Path) -> Result<Keypair> {
	let text = read_private_file(path)?;
	let file: KeyFile = serde_json::from_str(&text).map_err(|e| {
		Error::Invalid(format!(
			"{} is not a key file (expected JSON with scheme, secret, account): line {} column {}",
			path.display(),
			e.line(),
			e.column()
		))
	})?;
	if file.scheme != "sr25519" {
		return Err(Error::Invalid(format!(
			"key file {} has scheme {:?}; only sr25519 is supported",
			path.display(),
			file.scheme
		)));
	}
	let keypair = from_secret_uri(&file.secret)?;
	if public_info(&keypair).account != file.account {
		return Err(Error::Invalid(format!(
			"key file {}: its secret does not belong to account {} (the file was edited or \
			 corrupted)",
			path.display(),
			file.account
		)));
	}
	Ok(keypair)
}

/// Read the secret URI from environment variable `var`.
pub fn from_env(var: &str) -> Result<Keypair> {
	let secret = std::env::var(var)
		.map_err(|_| Error::Invalid(format!("environment variable {var} is not set")))?;
	from_secret_uri(&secret)
}

/// The contents of a pseudonymisation key file: `{"key_id": 1, "secret": "0x…"}` (at least 32
/// random bytes). The same file must be used by every submitter and by auditors' queries.
#[derive(Clone, Serialize, Deserialize)]
pub struct PseudonymKeyFile {
	/// The key's id, stored with every entry.
	pub key_id: u32,
	/// `0x`-hex secret. Never printed.
	pub secret: String,
}

/// A new pseudonymisation key with id `key_id`: 32 bytes from the operating system's generator.
pub fn generate_pseudonym_key(key_id: u32) -> Result<PseudonymKeyFile> {
	let mut secret = [0u8; 32];
	getrandom::getrandom(&mut secret)
		.map_err(|e| Error::Invalid(format!("the operating system gave no randomness: {e}")))?;
	Ok(PseudonymKeyFile { key_id, secret: crate::rpc_types::hex(&secret) })
}

fn pseudonym_key(file: &PseudonymKeyFile) -> Result<PseudonymKey> {
	PseudonymKey::from_hex(file.key_id, &file.secret)
		.map_err(|e| Error::Invalid(format!("pseudonymisation key {}: {e}", file.key_id)))
}

/// Read a pseudonymisation key file (mode 0600).
pub fn read_pseudonym_key_file(path: &Path) -> Result<PseudonymKey> {
	let text = read_private_file(path)?;
	let file: PseudonymKeyFile = serde_json::from_str(&text).map_err(|e| {
		Error::Invalid(format!(
			"{} is not a pseudonymisation key file (expected {{\"key_id\": N, \"secret\": \"0x…\"}}): \
			 line {} column {}",
			path.display(),
			e.line(),
			e.column()
		))
	})?;
	pseudonym_key(&file)
}

/// A pseudonymisation key from environment variable `var`, as `<key_id>:<hex secret>`.
pub fn pseudonym_key_from_env(var: &str) -> Result<PseudonymKey> {
	let value = std::env::var(var)
		.map_err(|_| Error::Invalid(format!("environment variable {var} is not set")))?;
	let (id, secret) = value.split_once(':').ok_or_else(|| {
		Error::Invalid(format!("{var} must be <key_id>:<hex secret>, e.g. 1:0x…"))
	})?;
	let key_id = id
		.trim()
		.parse()
		.map_err(|_| Error::Invalid(format!("{var}: the key id before ':' must be a number")))?;
	pseudonym_key(&PseudonymKeyFile { key_id, secret: secret.to_string() })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn generated_key_round_trips_through_a_private_file() {
		let dir = std::env::temp_dir().join(format!("accesslog-keys-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("k.json");
		let _ = std::fs::remove_file(&path);
		let (keypair, file) = generate().unwrap();
		write_key_file(&path, &file).unwrap();
		let read = read_key_file(&path).unwrap();
		assert_eq!(read.public_key().0, keypair.public_key().0);
		// Never overwritten.
		assert!(write_key_file(&path, &file)
			.unwrap_err()
			.to_string()
			.contains("never overwritten"));
		// Readable by others: refused with the fix.
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
			assert!(read_key_file(&path).unwrap_err().to_string().contains("chmod 600"));
		}
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn errors_never_quote_the_secret() {
		let err = from_secret_uri("correct horse battery staple").unwrap_err().to_string();
		assert!(!err.contains("horse"), "{err}");
		assert_eq!(
			public_info(&from_secret_uri("//Alice").unwrap()).account,
			"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
		);
	}

	#[test]
	fn a_key_source_is_a_file_or_a_variable_never_both() {
		let file = || Some(PathBuf::from("k.json"));
		let var = || Some("ACCESSLOG_TEST_KEY_SOURCE".to_string());
		assert_eq!(KeySource::exactly_one(file(), None), Some(KeySource::File("k.json".into())));
		assert_eq!(
			KeySource::exactly_one(None, var()),
			Some(KeySource::Env("ACCESSLOG_TEST_KEY_SOURCE".into()))
		);
		assert_eq!(KeySource::exactly_one(file(), var()), None);
		assert_eq!(KeySource::exactly_one(None, None), None);
		let unset = KeySource::Env("ACCESSLOG_TEST_KEY_SOURCE_UNSET".into());
		assert!(unset.keypair().unwrap_err().to_string().contains("is not set"));
		assert!(unset.pseudonym_key().unwrap_err().to_string().contains("is not set"));
		let missing = KeySource::File("/nonexistent/k.json".into());
		assert!(missing.keypair().unwrap_err().to_string().contains("/nonexistent/k.json"));
		assert_eq!(unset.to_string(), "environment variable ACCESSLOG_TEST_KEY_SOURCE_UNSET");
	}
}
