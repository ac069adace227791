//! The chain's block header, in its SCALE layout (`sp_runtime::generic::Header<u32, BlakeTwo256>`).
//!
//! Written out here rather than taken from `sp-runtime`, whose hashing calls the SDK's host
//! functions, which a browser does not have. A header's hash is blake2-256 of its encoding.

use accesslog_format::blake2_256;
use codec::{Decode, Encode, Error, Input, Output};

/// A block header.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Header {
	/// Hash of the parent block.
	pub parent_hash: [u8; 32],
	/// Block number.
	#[codec(compact)]
	pub number: u32,
	/// Root of the state trie after this block.
	pub state_root: [u8; 32],
	/// Root of the block's extrinsics.
	pub extrinsics_root: [u8; 32],
	/// Digest items (consensus logs, seals).
	pub digest: Vec<DigestItem>,
}

impl Header {
	/// The block hash: blake2-256 of the encoded header.
	pub fn hash(&self) -> [u8; 32] {
		blake2_256(&self.encode())
	}
}

/// One digest item, with the SDK's tags (`DigestItemType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestItem {
	/// Tag 6: data for the consensus engine, before the runtime runs.
	PreRuntime([u8; 4], Vec<u8>),
	/// Tag 4: a message from the runtime to the consensus engine.
	Consensus([u8; 4], Vec<u8>),
	/// Tag 5: the author's seal.
	Seal([u8; 4], Vec<u8>),
	/// Tag 0: anything else.
	Other(Vec<u8>),
	/// Tag 8: the runtime's code or heap pages changed.
	RuntimeEnvironmentUpdated,
}

impl Encode for DigestItem {
	fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
		match self {
			DigestItem::PreRuntime(id, data) => (6u8, id, data).encode_to(dest),
			DigestItem::Consensus(id, data) => (4u8, id, data).encode_to(dest),
			DigestItem::Seal(id, data) => (5u8, id, data).encode_to(dest),
			DigestItem::Other(data) => (0u8, data).encode_to(dest),
			DigestItem::RuntimeEnvironmentUpdated => 8u8.encode_to(dest),
		}
	}
}

impl Decode for DigestItem {
	fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
		Ok(match u8::decode(input)? {
			6 => DigestItem::PreRuntime(Decode::decode(input)?, Decode::decode(input)?),
			4 => DigestItem::Consensus(Decode::decode(input)?, Decode::decode(input)?),
			5 => DigestItem::Seal(Decode::decode(input)?, Decode::decode(input)?),
			0 => DigestItem::Other(Decode::decode(input)?),
			8 => DigestItem::RuntimeEnvironmentUpdated,
			_ => return Err("unknown digest item tag".into()),
		})
	}
}
