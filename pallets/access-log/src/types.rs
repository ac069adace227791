//! The shapes stored by the pallet and answered by its runtime API.
//!
//! These types are shared by the runtime, the runtime API, the node's RPC and (through the chain
//! metadata) by every client: their SCALE encoding is part of the chain's public contract.

use crate::sp_runtime::{traits::ConstU32, BoundedVec};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a source: one system whose access logs the chain keeps.
pub type SourceId = u32;
/// Dense identifier of an entry: the n-th entry ever stored has id `n - 1`.
pub type EntryId = u64;
/// A 32-byte keyed-hash reference (citizen, official) or content hash.
pub type Hash32 = [u8; 32];

/// Longest free-text field of an entry (agency, system, action, purpose), in bytes of UTF-8.
pub const MAX_TEXT_LEN: u32 = 256;
/// Longest name of a source or its agency, in bytes of UTF-8.
pub const MAX_NAME_LEN: u32 = 128;
/// Largest page any query returns.
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// A bounded free-text field of an entry.
pub type Text = BoundedVec<u8, ConstU32<MAX_TEXT_LEN>>;
/// A bounded name of a source or agency.
pub type Name = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;

/// Sequence numbers per chunk of the sequence index are `1 << SEQ_CHUNK_BITS`.
pub const SEQ_CHUNK_BITS: u32 = 8;
/// One chunk of the sequence index: `(seq & 0xff, entry id)` pairs, sorted by the low byte.
pub type SeqChunk = BoundedVec<(u8, EntryId), ConstU32<{ 1 << SEQ_CHUNK_BITS }>>;

/// A sequence number as (its chunk of the sequence index, its low byte within the chunk).
pub fn seq_parts(seq: u64) -> (u64, u8) {
	(seq >> SEQ_CHUNK_BITS, (seq & ((1 << SEQ_CHUNK_BITS) - 1)) as u8)
}

/// The sequence number of low byte `low` in chunk `chunk`: the inverse of [`seq_parts`].
pub fn seq_of(chunk: u64, low: u8) -> u64 {
	(chunk << SEQ_CHUNK_BITS) | u64::from(low)
}

/// A time (ms since the epoch) as (its second, the millisecond within it): the time index's
/// key and item.
pub fn time_parts(ms: u64) -> (u64, u16) {
	(ms / 1_000, (ms % 1_000) as u16)
}

/// The time (ms since the epoch) of millisecond `ms` of second `second`: the inverse of
/// [`time_parts`].
pub fn time_of(second: u64, ms: u16) -> u64 {
	second * 1_000 + u64::from(ms)
}

/// An item of a group index ([`crate::TimeIndex`], [`crate::AccessorIndex`]): names an entry.
pub trait GroupItem {
	/// The entry this item names.
	fn entry_id(&self) -> EntryId;
}

impl GroupItem for EntryId {
	fn entry_id(&self) -> EntryId {
		*self
	}
}

impl GroupItem for (u16, EntryId) {
	fn entry_id(&self) -> EntryId {
		self.1
	}
}

/// Whether `group` is stored as a group index keeps it: non-empty, in id order, under the key
/// `last` naming its last id.
pub fn group_is_well_formed<I: GroupItem>(group: &[I], last: [u8; 8]) -> bool {
	group.windows(2).all(|w| w[0].entry_id() < w[1].entry_id())
		&& group.last().is_some_and(|i| i.entry_id().to_be_bytes() == last)
}

/// A system whose access logs are kept, as registered by governance.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct SourceInfo<BlockNumber> {
	/// Human-readable name, e.g. `kcg-household-api`.
	pub name: Name,
	/// The agency operating the source.
	pub agency: Name,
	/// Only active sources accept new entries.
	pub active: bool,
	/// Block in which governance registered the source.
	pub registered_at: BlockNumber,
	/// Highest sequence number stored so far (0 when none).
	pub last_seq: u64,
	/// Number of entries stored for this source.
	pub entries: u64,
}

/// What one pseudonymisation key (a record's `key_id`) covers: the entries whose references it
/// computed. The last of them tells when the key was last used, and so when its retention period
/// ends and it may be retired.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct KeyUsage {
	/// Entries stored with this key id.
	pub entries: u64,
	/// Id of the first of them.
	pub first_entry: EntryId,
	/// Id of the last of them.
	pub last_entry: EntryId,
}

impl KeyUsage {
	/// No entry counted yet; the first will be `id`.
	pub fn starting_at(id: EntryId) -> Self {
		KeyUsage { entries: 0, first_entry: id, last_entry: id }
	}

	/// Count entry `id` (entries are counted in id order).
	pub fn add(&mut self, id: EntryId) {
		self.entries = self.entries.saturating_add(1);
		self.last_entry = id;
	}
}

/// An account allowed to write entries for one source.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct SubmitterInfo<BlockNumber> {
	/// The only source this account may write for.
	pub source: SourceId,
	/// `false` once revoked; the record is kept so the history of who could write stays visible.
	pub active: bool,
	/// Block of the latest authorization or revocation.
	pub changed_at: BlockNumber,
}

/// One access as a submitter reports it.
///
/// `T` is the text type: `Vec<u8>` in calls (so an oversized field gets a specific error instead
/// of a decoding failure) and [`Text`] once stored.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct LogRecord<T> {
	/// The source that produced the record.
	pub source: SourceId,
	/// The source's own sequence number for the record, from 1, without gaps.
	pub seq: u64,
	/// When the access happened, in milliseconds since the Unix epoch, as the source reports it.
	pub occurred_at: u64,
	/// Calling agency, in clear.
	pub agency: T,
	/// Calling system, in clear.
	pub system: T,
	/// Keyed hash of the individual official's ID: never the ID itself.
	pub accessor_ref: Hash32,
	/// Keyed hash of the citizen's national ID: never the ID itself.
	pub citizen_ref: Hash32,
	/// Which pseudonymisation key produced `accessor_ref` and `citizen_ref`.
	pub key_id: u32,
	/// The API or action, e.g. `GET /household/v1/persons/{id}`.
	pub action: T,
	/// The Personal Data Protection Act purpose code, e.g. `019`.
	pub purpose: T,
	/// Result status (HTTP status code for API sources).
	pub status: u16,
	/// Number of personal records returned.
	pub records: u32,
	/// Hash (blake2-256) of the complete original record kept off chain.
	pub record_hash: Hash32,
}

/// A record as submitted in a call.
pub type RecordInput = LogRecord<Vec<u8>>;
/// A record as stored.
pub type StoredRecord = LogRecord<Text>;

/// A stored entry: the record plus where and by whom it was recorded.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Entry<AccountId, BlockNumber> {
	/// The access record.
	pub record: StoredRecord,
	/// The block the entry was recorded in.
	pub block: BlockNumber,
	/// The submitter account that signed it.
	pub submitter: AccountId,
}

/// One page of a query: entries in index order and, when more remain, the cursor to pass for the
/// next page.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo)]
pub struct Page<Cursor, E> {
	/// `(entry id, entry)` pairs.
	pub items: Vec<(EntryId, E)>,
	/// Where the next page starts (exclusive); `None` when this page is the last.
	pub next: Option<Cursor>,
}

/// Cursor of a time-range query: the `(occurred_at, entry id)` of the last item returned.
/// Time queries answer by second of `occurred_at`, then by entry id.
pub type TimeCursor = (u64, EntryId);

/// What one storing call touched; sets the weight it actually used.
#[derive(Clone, Copy, Default, Eq, PartialEq, Debug)]
pub struct Touched {
	/// Records stored.
	pub records: u32,
	/// Chunks of the sequence index read and written.
	pub chunks: u32,
	/// Groups of the time index written (distinct seconds).
	pub seconds: u32,
	/// Groups of the official index written (distinct officials).
	pub accessors: u32,
	/// Sequence gaps reported.
	pub gaps: u32,
	/// Distinct pseudonymisation keys ([`KeyUsage`] items read and written).
	pub keys: u32,
}
