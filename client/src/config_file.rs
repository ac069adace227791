//! Reading a TOML configuration file with errors that name the file, the line (for syntax and
//! shape) or the setting (for rules): the one loader of the gateway's and the console's files.

use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A configuration file that cannot be used: which file, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {error}", path.display())]
pub struct LoadError {
	/// The file.
	pub path: PathBuf,
	/// What is wrong with it.
	#[source]
	pub error: ConfigError,
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
	/// The file could not be read.
	#[error("cannot read: {0}")]
	Read(#[from] std::io::Error),
	/// Not TOML, or not this configuration's shape (an unknown, missing or mistyped setting, a
	/// key given both as file and as variable); the message names the line.
	#[error("{0}")]
	Syntax(#[from] toml::de::Error),
	/// A setting breaks one of the configuration's rules.
	#[error(transparent)]
	Rule(#[from] RuleError),
}

/// A setting that breaks a rule: the setting's path (`submit.batch_size`, `users.NAME`, …) and
/// what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct RuleError {
	/// The setting, as a dotted path.
	pub setting: String,
	/// What is wrong and how to fix it.
	pub message: String,
}

/// A broken rule of `setting`.
pub fn rule(setting: impl Into<String>, message: impl Into<String>) -> RuleError {
	RuleError { setting: setting.into(), message: message.into() }
}

/// Parse `text` and check it with `check`.
pub fn parse<T: DeserializeOwned>(
	text: &str,
	check: impl FnOnce(&T) -> Result<(), RuleError>,
) -> Result<T, ConfigError> {
	let config: T = toml::from_str(text)?;
	check(&config)?;
	Ok(config)
}

/// Read `path`, parse it and check it with `check`.
pub fn load<T: DeserializeOwned>(
	path: &Path,
	check: impl FnOnce(&T) -> Result<(), RuleError>,
) -> Result<T, LoadError> {
	let fail = |error| LoadError { path: path.into(), error };
	let text = std::fs::read_to_string(path).map_err(|e| fail(e.into()))?;
	parse(&text, check).map_err(fail)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[derive(serde::Deserialize, Debug)]
	#[serde(deny_unknown_fields)]
	struct Conf {
		n: u32,
	}

	fn positive(c: &Conf) -> Result<(), RuleError> {
		if c.n == 0 {
			return Err(rule("n", "must be at least 1"));
		}
		Ok(())
	}

	#[test]
	fn each_kind_of_mistake_is_its_own_error() {
		assert_eq!(parse::<Conf>("n = 2", positive).unwrap().n, 2);
		assert!(matches!(parse::<Conf>("n = ", positive), Err(ConfigError::Syntax(_))));
		assert!(matches!(parse::<Conf>("m = 1", positive), Err(ConfigError::Syntax(_))));
		let e = parse::<Conf>("n = 0", positive).unwrap_err();
		assert_eq!(e.to_string(), "n: must be at least 1");
		let e = load::<Conf>(Path::new("/nonexistent/x.toml"), positive).unwrap_err();
		assert!(matches!(e.error, ConfigError::Read(_)));
		assert!(e.to_string().starts_with("/nonexistent/x.toml: cannot read: "));
	}
}
