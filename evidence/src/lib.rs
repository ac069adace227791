//! # accesslog-evidence
//!
//! Evidence bundles of the access-log chain and their offline verifier: what an auditor hands a
//! court to show that the chain holds an access record, and the check anyone can run on it
//! without trusting a node, the console server or the vendor.
//!
//! - [`Bundle`]: an entry proven against a GRANDPA-finalized block ([`bundle`] describes it);
//! - [`ValidatorSet`]: the validators whose signatures finalize blocks, pinned by the auditor;
//! - [`verify`]: the check, in numbered steps (validator set → justification → header → trie
//!   proof → entry bytes), each failure a typed [`VerifyError`];
//! - [`verify_json`]: the same with JSON in and out, and the WebAssembly exports around it, for
//!   the browser.
//!
//! Entries are append-only, so an entry present in the state of any finalized block is proven to
//! have been recorded on the chain. Building bundles needs a node and lives in the client
//! (`accesslog_client::Client::evidence`); this crate has no network, no async runtime, no subxt
//! and no SDK host functions, and builds for `wasm32-unknown-unknown`.

pub mod bundle;
pub mod error;
pub mod grandpa;
pub mod header;
mod json;
pub mod proof;
pub mod validators;
mod verify;

pub use bundle::{BlockPart, Bundle, FinalityPart, ProvenEntry, ProvenSource, FORMAT};
pub use error::{
	EntryError, HeaderError, JustificationError, MalformedError, ProofError, ValidatorSetError,
	VerifyError,
};
pub use json::verify_json;
pub use validators::{Authority, ValidatorSet};
pub use verify::{verify, Verified};
