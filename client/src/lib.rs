//! # accesslog-client
//!
//! The one client library of the access-log chain, used by the `accesslog` CLI, the ingest
//! gateway, the load tests and the integration tests:
//!
//! - [`Client::connect`] connects to one of several node endpoints and fails over between them;
//! - [`Client::submit_batch`] signs and submits entries, waits for "in block" or "finalized" and
//!   returns the block and the entry ids; a [`Submitter`] keeps its own nonce so concurrent
//!   submissions from one key do not collide;
//! - [`Client::query`] gives typed access to the `accessLog_*` RPC;
//! - [`governance`] builds council proposals, votes and closes; [`upgrade`] authorizes and
//!   installs a new runtime through them;
//! - [`bulk`] submits whole log files idempotently (what the chain holds is skipped);
//! - [`evidence`] builds evidence bundles and verifies them offline;
//! - [`keys`] generates and loads sr25519 keys;
//! - [`node`] probes a node's health;
//! - [`format`](mod@format) (the `accesslog-format` crate, with its [`pseudonym`] and [`record`] modules)
//!   owns the record layout, the limits and the pseudonymisation every part shares.
//!
//! The chain's types come from the metadata checked in at `metadata/accesslog.scale`
//! (`scripts/update-metadata.sh` refreshes it; a test fails when it drifts from the runtime).
//!
//! ```rust,no_run
#![doc = include_str!("../examples/submit.rs")]
//! ```

pub mod backoff;
pub mod bulk;
pub mod config_file;
mod connect;
mod error;
pub mod evidence;
pub mod governance;
pub mod http;
pub mod key_use;
pub mod keys;
pub mod node;
pub mod query;
mod reconcile;
pub mod sign;
pub mod status;
mod submit;
pub mod upgrade;

pub use access_log_rpc_types as rpc_types;
pub use accesslog_format::{self as format, pseudonym, record, syslog, RecordInput};
pub use connect::Client;
pub use error::Error;
pub use status::watch;
pub use submit::{
	chain_record, chain_records, ChainRecord, Landed, Progress, Receipt, Submitter, Wait,
};
pub use subxt_signer::sr25519::Keypair;

/// Types and calls generated from the chain's metadata.
#[subxt::subxt(runtime_metadata_path = "metadata/accesslog.scale", derive_for_all_types = "Clone")]
pub mod runtime {}

/// The chain's configuration as subxt sees it: Substrate defaults (sr25519 `MultiSignature`,
/// `AccountId32`, blake2 hashing); extensions without payload are handled from the metadata.
pub type ChainConfig = subxt::SubstrateConfig;

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
