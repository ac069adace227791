//! The bundle: what an auditor keeps and a court is shown, as JSON.
//!
//! A [`Bundle`] holds, for one finalized block `B`:
//!
//! - the SCALE-encoded **header** of `B` (its `state_root` commits to the whole chain state);
//! - the **GRANDPA justification** that finalized `B`: precommits for `B` signed by the validators
//!   of authority set `set_id`;
//! - a **storage proof**: the trie nodes on the path from `state_root` to each proven key;
//! - the proven **entries** (`AccessLog::Entries` values) and the **sources** they belong to, each as
//!   its storage key, its SCALE value and, for people, its decoded form.
//!
//! Binary parts are `0x`-hex of their SCALE encoding.

use accesslog_format::{EntryJson, SourceJson};
use serde::{Deserialize, Serialize};

/// The format tag of bundles this version writes and reads.
pub const FORMAT: &str = "accesslog-evidence/1";

/// An evidence bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
	/// Always [`FORMAT`].
	pub format: String,
	/// Genesis hash of the chain the bundle was taken from (informational: the validator set
	/// given to [`crate::verify`] is what ties the bundle to a chain).
	pub genesis_hash: String,
	/// The finalized block everything is proven against.
	pub block: BlockPart,
	/// The GRANDPA justification finalizing [`Bundle::block`].
	pub finality: FinalityPart,
	/// Trie nodes proving every key of `entries` and `sources` against the block's state root.
	pub proof: Vec<String>,
	/// The proven entries.
	pub entries: Vec<ProvenEntry>,
	/// The sources of the proven entries, as registered on chain.
	pub sources: Vec<ProvenSource>,
}

/// The block part of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockPart {
	/// Block number.
	pub number: u32,
	/// Block hash (blake2-256 of `header`).
	pub hash: String,
	/// SCALE-encoded header.
	pub header: String,
}

/// The finality part of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalityPart {
	/// GRANDPA authority set id the justification was signed under.
	pub set_id: u64,
	/// SCALE-encoded `GrandpaJustification`.
	pub justification: String,
}

/// One proven entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenEntry {
	/// Entry id.
	pub id: u64,
	/// Storage key of `AccessLog::Entries[id]`.
	pub key: String,
	/// SCALE-encoded entry, as stored.
	pub value: String,
	/// The entry decoded, for people; [`crate::verify`] checks it equals `value`.
	pub entry: EntryJson,
}

/// One proven source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenSource {
	/// Storage key of `AccessLog::Sources[id]`.
	pub key: String,
	/// SCALE-encoded source record.
	pub value: String,
	/// The source decoded, for people; [`crate::verify`] checks it equals `value`.
	pub source: SourceJson,
}
