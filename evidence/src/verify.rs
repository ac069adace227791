//! The offline verification of a bundle, step by step.

use crate::{
	bundle::{Bundle, FORMAT},
	error::{EntryError, HeaderError, JustificationError, MalformedError, VerifyError},
	grandpa,
	header::Header,
	proof::Proven,
	validators::ValidatorSet,
};
use accesslog_format::{
	hex,
	keys::{entry_key, source_key},
	layout::{decode_all, Entry, LayoutError, SourceInfo},
	parse_hex, EntryJson,
};
use std::collections::BTreeSet;

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
	/// The finalized block.
	pub block_number: u32,
	/// Its hash.
	pub block_hash: [u8; 32],
	/// The authority set that finalized it.
	pub set_id: u64,
	/// How many validators signed.
	pub signers: usize,
	/// The proven entries.
	pub entries: Vec<EntryJson>,
}

fn unhex(what: &str, s: &str) -> Result<Vec<u8>, MalformedError> {
	parse_hex(s).ok_or_else(|| MalformedError::NotHex(what.into()))
}

/// Check `bundle` against `validators`, with no node. Returns what it proved, or the first step
/// that failed:
///
/// 1. **validator set**: the keys and weights are usable, and the bundle was signed under this set;
/// 2. **justification**: a supermajority of the set signed precommits for its target;
/// 3. **header**: it decodes, hashes to the bundle's block, and is the justification's target;
/// 4. **trie proof**: the proof leads from the header's state root to every key;
/// 5. **entry bytes**: every entry and source is exactly the bytes the proof holds, under its
///    own key, and its readable copy says the same.
pub fn verify(bundle: &Bundle, validators: &ValidatorSet) -> Result<Verified, VerifyError> {
	if bundle.format != FORMAT {
		return Err(
			MalformedError::Format { found: bundle.format.clone(), expected: FORMAT }.into()
		);
	}
	if bundle.entries.is_empty() {
		return Err(MalformedError::NoEntries.into());
	}

	// 1. The validator set.
	let authorities = validators.authorities()?;
	if bundle.finality.set_id != validators.set_id {
		return Err(JustificationError::SetId {
			bundle: bundle.finality.set_id,
			given: validators.set_id,
			block: bundle.block.number,
		}
		.into());
	}

	// 2. The justification.
	let justification = unhex("finality.justification", &bundle.finality.justification)?;
	let finalized = grandpa::check(&justification, &authorities, validators.set_id)?;

	// 3. The header.
	let (header, header_hash) = check_header(bundle)?;
	if header_hash != finalized.hash || header.number != finalized.number {
		return Err(VerifyError::NotFinalized {
			finalized_number: finalized.number,
			finalized_hash: hex(&finalized.hash),
			number: header.number,
			hash: hex(&header_hash),
		});
	}

	// 4. The trie proof.
	let nodes = bundle
		.proof
		.iter()
		.enumerate()
		.map(|(i, n)| unhex(&format!("proof[{i}]"), n))
		.collect::<Result<Vec<_>, _>>()?;
	let proven = Proven::new(nodes, header.state_root);

	// 5. The entry bytes.
	let mut entries = Vec::new();
	for e in &bundle.entries {
		let what = format!("entry {}", e.id);
		let bytes = proven_item(&proven, &what, entry_key(e.id), &e.key, &e.value)?;
		let decoded: Entry = decode_item(&what, &bytes)?;
		let json = decoded.to_json(e.id);
		if json != e.entry {
			return Err(EntryError::ReadableDiffers(what).into());
		}
		entries.push(json);
	}
	let mut sources = BTreeSet::new();
	for s in &bundle.sources {
		let id = s.source.id;
		let what = format!("source {id}");
		let bytes = proven_item(&proven, &what, source_key(id), &s.key, &s.value)?;
		let decoded: SourceInfo = decode_item(&what, &bytes)?;
		if decoded.to_json(id) != s.source {
			return Err(EntryError::ReadableDiffers(what).into());
		}
		sources.insert(id);
	}
	if let Some(e) = entries.iter().find(|e| !sources.contains(&e.source)) {
		return Err(MalformedError::SourceMissing { entry: e.id, source_id: e.source }.into());
	}
	Ok(Verified {
		block_number: header.number,
		block_hash: header_hash,
		set_id: validators.set_id,
		signers: finalized.signers,
		entries,
	})
}

/// The bundle's header and its hash, checked to be the block the bundle names.
fn check_header(bundle: &Bundle) -> Result<(Header, [u8; 32]), VerifyError> {
	let bytes = unhex("block.header", &bundle.block.header)?;
	let header: Header = decode_all(&bytes).map_err(|e| match e {
		LayoutError::Trailing(n) => HeaderError::Trailing(n),
		other => HeaderError::Decode(other.to_string()),
	})?;
	let hash = header.hash();
	let claimed = unhex("block.hash", &bundle.block.hash)?;
	if hash.as_slice() != claimed.as_slice() || header.number != bundle.block.number {
		return Err(HeaderError::Mismatch {
			hash: hex(&hash),
			number: header.number,
			claimed_hash: bundle.block.hash.clone(),
			claimed_number: bundle.block.number,
		}
		.into());
	}
	Ok((header, hash))
}

/// The proven bytes of one item, checked to be under its own `key` and equal to `value`.
fn proven_item(
	proven: &Proven,
	what: &str,
	key: Vec<u8>,
	given_key: &str,
	given_value: &str,
) -> Result<Vec<u8>, VerifyError> {
	if unhex(&format!("{what}: key"), given_key)? != key {
		return Err(EntryError::WrongKey(what.into()).into());
	}
	let bytes = proven.read(&key, what)?;
	if unhex(&format!("{what}: value"), given_value)? != bytes {
		return Err(EntryError::BytesDiffer(what.into()).into());
	}
	Ok(bytes)
}

fn decode_item<T: codec::Decode>(what: &str, bytes: &[u8]) -> Result<T, EntryError> {
	decode_all(bytes).map_err(|e| EntryError::Decode { what: what.into(), reason: e.to_string() })
}
