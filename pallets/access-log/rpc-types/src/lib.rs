//! JSON shapes and stable error codes of the `accessLog_*` RPC.
//!
//! Shared by the node's RPC server (`access-log-rpc`) and the clients (`accesslog-client`), so the
//! two cannot drift apart. Entries carry references and hashes as `0x`-hex strings and texts as
//! UTF-8 strings.

use serde::{Deserialize, Serialize};

/// Largest page a query may ask for (the runtime's `MAX_PAGE_SIZE`).
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// Page size used when a query gives no `limit`.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Most entries one `accessLog_summary` collects (its `limit`, and the default).
pub const MAX_SUMMARY: u32 = 100_000;

/// Most ids one `accessLog_entries` call takes.
pub const MAX_IDS: u32 = MAX_PAGE_SIZE;

/// Stable error codes of the `accessLog_*` methods.
pub mod codes {
	/// A reference (citizen or accessor) is not 32 bytes of 0x-prefixed hex.
	pub const BAD_REFERENCE: i32 = 4000;
	/// The cursor is malformed or belongs to another kind of query.
	pub const BAD_CURSOR: i32 = 4001;
	/// `limit` is 0 or above the maximum page size.
	pub const BAD_PAGE_SIZE: i32 = 4002;
	/// A range's start is after its end.
	pub const BAD_RANGE: i32 = 4003;
	/// The block given as `at` is not known to this node.
	pub const UNKNOWN_BLOCK: i32 = 4004;
	/// A summary's `limit` is 0 or above [`super::MAX_SUMMARY`], or more than
	/// [`super::MAX_IDS`] ids were asked for.
	pub const BAD_LIMIT: i32 = 4005;
	/// The runtime failed to answer (see the error's data).
	pub const RUNTIME_ERROR: i32 = 5000;
}

/// One entry as the RPC returns it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EntryJson {
	/// Entry id.
	pub id: u64,
	/// Source id.
	pub source: u32,
	/// The source's sequence number.
	pub seq: u64,
	/// When the access happened, ms since the Unix epoch.
	pub occurred_at: u64,
	/// Calling agency.
	pub agency: String,
	/// Calling system.
	pub system: String,
	/// Keyed-hash reference of the official, 0x-hex.
	pub accessor_ref: String,
	/// Keyed-hash reference of the citizen, 0x-hex.
	pub citizen_ref: String,
	/// Pseudonymisation key id.
	pub key_id: u32,
	/// API or action.
	pub action: String,
	/// PDPA purpose code.
	pub purpose: String,
	/// Result status.
	pub status: u16,
	/// Number of personal records returned.
	pub records: u32,
	/// blake2-256 of the complete original record, 0x-hex.
	pub record_hash: String,
	/// Block number the entry was recorded in.
	pub block: u64,
	/// Submitter account (SS58).
	pub submitter: String,
}

/// A page of entries.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EntryPage {
	/// The entries, in the index's order.
	pub items: Vec<EntryJson>,
	/// Pass as `cursor` to get the next page; absent on the last page.
	pub next_cursor: Option<String>,
}

/// Which index a summary walks, in JSON: `{"citizen": "0x…"}`, `{"accessor": "0x…"}`,
/// `{"sequence": {"source": 0, "from": 1, "to": 99}}` or `{"time": {"fromMs": …, "toMs": …}}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum QueryJson {
	/// Accesses to one citizen's data, by citizen reference (0x-hex).
	Citizen(String),
	/// Accesses by one official, by accessor reference (0x-hex).
	Accessor(String),
	/// A source's entries with `from <= seq <= to`.
	#[serde(rename_all = "camelCase")]
	Sequence {
		/// Source id.
		source: u32,
		/// First sequence number.
		from: u64,
		/// Last sequence number.
		to: u64,
	},
	/// Entries with `from_ms <= occurred_at <= to_ms`.
	#[serde(rename_all = "camelCase")]
	Time {
		/// Start, ms since the epoch.
		from_ms: u64,
		/// End, ms since the epoch.
		to_ms: u64,
	},
}

/// What matched a query, without the entries: their ids and counts for charts.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SummaryJson {
	/// Ids of the matching entries in the index's order (at most the summary's `limit`).
	pub ids: Vec<u64>,
	/// Whether more entries matched than `ids` holds (the counts cover `ids` only).
	pub truncated: bool,
	/// `[start of the hour (ms since the epoch, UTC), entries]`, in time order, hours with
	/// entries only.
	pub hours: Vec<(u64, u64)>,
	/// `[agency, entries]`, most first.
	pub agencies: Vec<(String, u64)>,
	/// `[action, entries]`, most first.
	pub actions: Vec<(String, u64)>,
	/// `[purpose code, entries]`, most first.
	pub purposes: Vec<(String, u64)>,
	/// Block the answer was computed at (hash, 0x-hex): read the entries at this block.
	pub at: String,
}

/// The ids of the entries matching a query, read from its index alone.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdsJson {
	/// Ids in the index's order (at most the call's `limit`).
	pub ids: Vec<u64>,
	/// Whether more entries matched than `ids` holds.
	pub truncated: bool,
	/// Block the answer was computed at (hash, 0x-hex).
	pub at: String,
}

/// A source with its counters.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceJson {
	/// Source id.
	pub id: u32,
	/// Name.
	pub name: String,
	/// Operating agency.
	pub agency: String,
	/// Whether it accepts entries.
	pub active: bool,
	/// Block of registration.
	pub registered_at: u64,
	/// Highest sequence stored.
	pub last_seq: u64,
	/// Number of entries stored.
	pub entries: u64,
}

/// A submitter account.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SubmitterJson {
	/// Account (SS58).
	pub account: String,
	/// The source it writes for.
	pub source: u32,
	/// `false` once revoked.
	pub active: bool,
	/// Block of the latest authorization or revocation.
	pub changed_at: u64,
}

/// Totals of the log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StatsJson {
	/// Number of entries stored.
	pub entries: u64,
	/// Block the answer was computed at (hash, 0x-hex).
	pub at: String,
}

/// `0x`-prefixed lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
	let mut s = String::with_capacity(2 + bytes.len() * 2);
	s.push_str("0x");
	for b in bytes {
		s.push_str(&format!("{b:02x}"));
	}
	s
}

/// Parse 32 bytes given as 64 hex digits, with or without `0x`.
pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
	let digits = s.strip_prefix("0x").unwrap_or(s);
	if digits.len() != 64 || !digits.is_ascii() {
		return None;
	}
	let mut out = [0u8; 32];
	for (i, pair) in digits.as_bytes().chunks(2).enumerate() {
		out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
	}
	Some(out)
}

/// Parse bytes given as hex digits, with or without `0x`; `None` if it is not even-length hex.
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
	let digits = s.strip_prefix("0x").unwrap_or(s);
	if !digits.len().is_multiple_of(2) || !digits.is_ascii() {
		return None;
	}
	digits
		.as_bytes()
		.chunks(2)
		.map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
		.collect()
}
