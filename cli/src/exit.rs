//! Exit codes and the failure every command returns (documented in `docs/cli.md`).

use accesslog_client::Error;

// 0 is success.
/// `submit` finished but some lines were rejected (each reported with its line number).
pub const SOME_LINES_REJECTED: i32 = 1;
/// Bad command line or input that is not the chain's business (file not found, bad ID format).
pub const USAGE: i32 = 2;
/// No configured node could be reached.
pub const UNREACHABLE: i32 = 20;
/// The chain refused or failed a transaction (not authorized, dispatch error, not included).
pub const REFUSED: i32 = 21;
/// A key or key file is missing or invalid.
pub const KEY: i32 = 22;
/// What was asked for does not exist on chain (entry, motion).
pub const NOT_FOUND: i32 = 23;
/// A node answered with an error.
pub const NODE: i32 = 24;
/// Some configured node is unhealthy (`status`).
pub const UNHEALTHY: i32 = 25;

/// Why a command failed: the message (what was wrong, what to do) and the exit code.
#[derive(Debug)]
pub struct Failure {
	/// Exit code.
	pub code: i32,
	/// What was wrong and what to do.
	pub message: String,
}

impl Failure {
	/// A failure with `code`.
	pub fn new(code: i32, message: impl Into<String>) -> Self {
		Failure { code, message: message.into() }
	}

	/// A usage error.
	pub fn usage(message: impl Into<String>) -> Self {
		Self::new(USAGE, message)
	}

	/// A key error.
	pub fn key(e: Error) -> Self {
		Self::new(KEY, message(&e))
	}

	/// An I/O error while doing `what`.
	pub fn io(what: &str, e: std::io::Error) -> Self {
		Self::new(USAGE, format!("{what}: {e}"))
	}
}

/// The message of `e` without the "invalid input" prefix (the CLI's messages say what was wrong).
pub fn message(e: &Error) -> String {
	match e {
		Error::Invalid(m) => m.clone(),
		other => other.to_string(),
	}
}

impl From<Error> for Failure {
	fn from(e: Error) -> Self {
		let code = match &e {
			Error::Unreachable { .. } => UNREACHABLE,
			Error::Refused(_) | Error::DispatchFailed(_) | Error::NotIncluded(_) => REFUSED,
			Error::Rpc { .. } | Error::Subxt(_) | Error::Transport(_) => NODE,
			Error::Invalid(_) => USAGE,
			_ => NODE,
		};
		let hint = match &e {
			Error::Refused(m) if m.contains("Invalid signing address") => {
				"; the signing key is neither an authorized submitter nor a council member"
			},
			_ => "",
		};
		Failure::new(code, format!("{}{hint}", message(&e)))
	}
}
