//! # accesslog-format
//!
//! The one place that owns the access-log chain's data layout. Every writer and reader imports it:
//! the client library, the CLI, the ingest gateway, the load tool and the evidence verifier.
//!
//! - [`limits`]: the bounds the runtime enforces (batch size, text lengths, page size, clock
//!   skew) and the bounds of the platform's lines;
//! - [`record`]: the platform's access-log record (JSON lines), parsed and validated;
//! - [`syslog`]: the same records as RFC 5424 syslog lines, written and parsed;
//! - [`pseudonym`]: national IDs and the keyed-hash references that stand for people on chain;
//! - [`layout`]: the SCALE layout of entries and sources as the pallet stores them, and their
//!   readable (JSON) form;
//! - [`keys`]: the storage keys of entries, sources and the GRANDPA authority set;
//! - [`hex`], [`parse_hex`], [`parse_hex32`], [`blake2_256`]: the encodings every part shares.
//!
//! The crate has no network, no async runtime and no subxt, and builds for
//! `wasm32-unknown-unknown`. Its tests check the layout, the keys and the limits against the
//! pallet and the runtime themselves, so a pallet change that forgets this crate fails the suite.

pub mod csv;
pub mod keys;
pub mod layout;
pub mod limits;
pub mod pseudonym;
pub mod record;
pub mod ss58;
pub mod syslog;

pub use access_log_rpc_types::{
	self as rpc_types, hex, parse_hex, parse_hex32, EntryJson, SourceJson,
};
pub use layout::{Entry, LogRecord, RecordInput, SourceInfo};

/// Milliseconds since the Unix epoch by this machine's clock (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or(0)
}

/// blake2-256 of `bytes` (the record hash and every other content hash of the chain).
pub fn blake2_256(bytes: &[u8]) -> [u8; 32] {
	polkadot_sdk::sp_crypto_hashing::blake2_256(bytes)
}
