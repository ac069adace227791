//! The errors of the client library.

/// Everything that can go wrong talking to the chain. Each variant says what failed; the
/// message tells what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
	/// No endpoint could be reached.
	#[error("cannot connect to any node endpoint ({tried}): {last}; check the URLs and that the nodes are running")]
	Unreachable {
		/// The endpoints tried, comma-separated.
		tried: String,
		/// The last connection error.
		last: String,
	},
	/// The node refused the transaction before it entered the pool.
	#[error("transaction refused by the node: {0}")]
	Refused(String),
	/// The transaction was included but its call failed.
	#[error("transaction failed on chain: {0}")]
	DispatchFailed(String),
	/// The transaction left the pool without being included (dropped, invalid, usurped).
	#[error("transaction not included: {0}")]
	NotIncluded(String),
	/// An `accessLog_*` RPC returned an error.
	#[error("accessLog RPC error {code}: {message}")]
	Rpc {
		/// The stable error code (see `rpc_types::codes`).
		code: i32,
		/// The node's message.
		message: String,
	},
	/// Bad input to the library.
	#[error("invalid input: {0}")]
	Invalid(String),
	/// Any other error from subxt.
	#[error(transparent)]
	Subxt(#[from] Box<subxt::Error>),
	/// Any other RPC transport error.
	#[error(transparent)]
	Transport(#[from] subxt_rpcs::Error),
}

impl Error {
	/// Wrap any of subxt's specific error types.
	pub fn chain<E: Into<subxt::Error>>(e: E) -> Self {
		Error::Subxt(Box::new(e.into()))
	}
}

impl From<subxt::Error> for Error {
	fn from(e: subxt::Error) -> Self {
		Error::Subxt(Box::new(e))
	}
}
