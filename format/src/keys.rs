//! Storage keys of the items an evidence bundle proves.
//!
//! A key is `twox128(pallet) ++ twox128(item) ++ hashed map key`, as FRAME lays it out; the map
//! hashers are the pallet's (`Identity` over the big-endian id for `Entries`, so consecutive
//! entries share trie branches; `Twox64Concat` for `Sources`).

use codec::Encode;
use polkadot_sdk::sp_crypto_hashing::{twox_128, twox_64};

/// Storage key of `AccessLog::Entries[id]`.
pub fn entry_key(id: u64) -> Vec<u8> {
	access_log_key(b"Entries", &id.to_be_bytes())
}

/// Prefix of every `AccessLog::Entries` key: the entries in id order follow it.
pub fn entries_prefix() -> Vec<u8> {
	access_log_key(b"Entries", &[])
}

/// The id in an `AccessLog::Entries` key (its last 8 bytes, big-endian).
pub fn entry_id_of_key(key: &[u8]) -> Option<u64> {
	let tail = key.strip_prefix(&entries_prefix()[..])?;
	Some(u64::from_be_bytes(tail.try_into().ok()?))
}

/// Storage key of `AccessLog::NextEntryId`: the number of entries stored (SCALE `u64`).
pub fn entry_count_key() -> Vec<u8> {
	access_log_key(b"NextEntryId", &[])
}

/// Storage key of `AccessLog::Sources[id]`.
pub fn source_key(id: u32) -> Vec<u8> {
	let encoded = id.encode();
	access_log_key(b"Sources", &[&twox_64(&encoded)[..], &encoded].concat())
}

/// Storage key of `Grandpa::Authorities`.
pub fn grandpa_authorities_key() -> Vec<u8> {
	[twox_128(b"Grandpa"), twox_128(b"Authorities")].concat()
}

/// Storage key of `Grandpa::CurrentSetId`.
pub fn grandpa_set_id_key() -> Vec<u8> {
	[twox_128(b"Grandpa"), twox_128(b"CurrentSetId")].concat()
}

/// Storage key of `AccessLog::<item>` followed by `tail` (the hashed map key).
fn access_log_key(item: &[u8], tail: &[u8]) -> Vec<u8> {
	[&twox_128(b"AccessLog")[..], &twox_128(item), tail].concat()
}
