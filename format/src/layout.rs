//! The SCALE layout of what the pallet stores, and its readable form.
//!
//! These types mirror `pallet_access_log::types` field for field, without the runtime's bounded
//! vectors (a `BoundedVec<u8, _>` encodes as a `Vec<u8>`), so the client, the gateway and the
//! evidence verifier read and write the chain's bytes without runtime code. The tests encode each
//! with the pallet's own types and decode with these, and back.

use crate::{hex, ss58, EntryJson, SourceJson};
use codec::{Decode, Encode};

/// One access as a source reports it (the pallet's `LogRecord`). `T` is the text type.
#[derive(Clone, Debug, PartialEq, Eq, Decode, Encode)]
pub struct LogRecord<T> {
	/// The source that produced the record.
	pub source: u32,
	/// The source's own sequence number for the record, from 1, without gaps.
	pub seq: u64,
	/// When the access happened, in ms since the Unix epoch, as the source reports it.
	pub occurred_at: u64,
	/// Calling agency, in clear.
	pub agency: T,
	/// Calling system, in clear.
	pub system: T,
	/// Keyed hash of the official's ID (see [`crate::pseudonym`]).
	pub accessor_ref: [u8; 32],
	/// Keyed hash of the citizen's national ID (see [`crate::pseudonym`]).
	pub citizen_ref: [u8; 32],
	/// Which pseudonymisation key produced the two references.
	pub key_id: u32,
	/// The API or action, e.g. `GET /household/v1/persons/{id}`.
	pub action: T,
	/// The Personal Data Protection Act purpose code, e.g. `019`.
	pub purpose: T,
	/// Result status (HTTP status for API sources).
	pub status: u16,
	/// Number of personal records returned.
	pub records: u32,
	/// blake2-256 of the complete original record.
	pub record_hash: [u8; 32],
}

/// A record as submitted and as stored: texts as UTF-8 bytes.
pub type RecordInput = LogRecord<Vec<u8>>;

/// A stored entry (the pallet's `Entry<AccountId32, u32>`): the value of `AccessLog::Entries`.
#[derive(Clone, Debug, PartialEq, Eq, Decode, Encode)]
pub struct Entry {
	/// The access record.
	pub record: RecordInput,
	/// The block it was recorded in.
	pub block: u32,
	/// The submitter account that signed it.
	pub submitter: [u8; 32],
}

/// A registered source (the pallet's `SourceInfo<u32>`): the value of `AccessLog::Sources`.
#[derive(Clone, Debug, PartialEq, Eq, Decode, Encode)]
pub struct SourceInfo {
	/// Name, e.g. `kcg-household-api`.
	pub name: Vec<u8>,
	/// Operating agency.
	pub agency: Vec<u8>,
	/// Whether it accepts entries.
	pub active: bool,
	/// Block of its registration.
	pub registered_at: u32,
	/// Highest sequence number stored (0 when none).
	pub last_seq: u64,
	/// Entries stored.
	pub entries: u64,
}

/// Why bytes are not a value of the expected layout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
	/// The bytes do not decode.
	#[error("does not decode: {0}")]
	Decode(String),
	/// The value decodes but bytes are left after it.
	#[error("{0} trailing bytes after the value")]
	Trailing(usize),
}

/// Decode `bytes` as exactly one `T`: no byte may be left over.
pub fn decode_all<T: Decode>(bytes: &[u8]) -> Result<T, LayoutError> {
	let mut input = bytes;
	let value = T::decode(&mut input).map_err(|e| LayoutError::Decode(e.to_string()))?;
	if !input.is_empty() {
		return Err(LayoutError::Trailing(input.len()));
	}
	Ok(value)
}

fn text(v: &[u8]) -> String {
	String::from_utf8_lossy(v).into_owned()
}

impl Entry {
	/// The entry's readable form, the one the `accessLog_*` RPC answers.
	pub fn to_json(&self, id: u64) -> EntryJson {
		let r = &self.record;
		EntryJson {
			id,
			source: r.source,
			seq: r.seq,
			occurred_at: r.occurred_at,
			agency: text(&r.agency),
			system: text(&r.system),
			accessor_ref: hex(&r.accessor_ref),
			citizen_ref: hex(&r.citizen_ref),
			key_id: r.key_id,
			action: text(&r.action),
			purpose: text(&r.purpose),
			status: r.status,
			records: r.records,
			record_hash: hex(&r.record_hash),
			block: self.block.into(),
			submitter: ss58::encode(&self.submitter),
		}
	}
}

impl SourceInfo {
	/// The source's readable form, the one the `accessLog_*` RPC answers.
	pub fn to_json(&self, id: u32) -> SourceJson {
		SourceJson {
			id,
			name: text(&self.name),
			agency: text(&self.agency),
			active: self.active,
			registered_at: self.registered_at.into(),
			last_seq: self.last_seq,
			entries: self.entries,
		}
	}
}
