//! GRANDPA justifications, in their SCALE layout, and their check.
//!
//! The layout is `sp_consensus_grandpa::GrandpaJustification<Header>` with ed25519 keys and
//! signatures; a precommit is signed over `(Message::Precommit(precommit), round, set_id)`,
//! SCALE-encoded (`sp_consensus_grandpa::localized_payload`). Signatures are checked with
//! `ed25519-zebra`, the implementation the SDK itself verifies them with.

use crate::{error::JustificationError, header::Header, validators::Authorities};
use accesslog_format::{layout::decode_all, ss58};
use codec::{Decode, Encode};
use std::collections::{BTreeMap, BTreeSet};

/// A vote for a block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Precommit {
	/// The block voted for.
	pub target_hash: [u8; 32],
	/// Its number.
	pub target_number: u32,
}

/// A precommit with its signature and signer.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SignedPrecommit {
	/// The vote.
	pub precommit: Precommit,
	/// ed25519 signature over the localized payload.
	pub signature: [u8; 64],
	/// The signer's ed25519 public key.
	pub id: [u8; 32],
}

/// The commit: a target block and the precommits that justify it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Commit {
	/// The finalized block.
	pub target_hash: [u8; 32],
	/// Its number.
	pub target_number: u32,
	/// Precommits for the target or its descendants.
	pub precommits: Vec<SignedPrecommit>,
}

/// A GRANDPA justification.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Justification {
	/// The voting round.
	pub round: u64,
	/// The commit.
	pub commit: Commit,
	/// Headers linking precommits for descendants back to the target.
	pub votes_ancestries: Vec<Header>,
}

/// What a valid justification establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finalized {
	/// The finalized block's hash.
	pub hash: [u8; 32],
	/// Its number.
	pub number: u32,
	/// How many distinct validators signed.
	pub signers: usize,
}

/// The bytes a validator signs for `precommit` in `round` of set `set_id`.
pub fn signed_payload(precommit: &Precommit, round: u64, set_id: u64) -> Vec<u8> {
	// `Message::Precommit` is variant 1 of GRANDPA's message enum.
	(1u8, precommit, round, set_id).encode()
}

fn signature_is_valid(id: &[u8; 32], signature: &[u8; 64], payload: &[u8]) -> bool {
	let Ok(key) = ed25519_zebra::VerificationKey::try_from(&id[..]) else { return false };
	key.verify(&ed25519_zebra::Signature::from_bytes(signature), payload).is_ok()
}

/// Check an encoded justification like the node does: every precommit is signed by a member of
/// the set, votes for the commit target or a descendant shown in the ancestry, every ancestry
/// header is used, and the distinct signers hold more than 2/3 of the weight.
pub fn check(
	bytes: &[u8],
	authorities: &Authorities,
	set_id: u64,
) -> Result<Finalized, JustificationError> {
	let j: Justification = decode_all(bytes).map_err(|e| match e {
		accesslog_format::layout::LayoutError::Trailing(n) => JustificationError::Trailing(n),
		other => JustificationError::Decode(other.to_string()),
	})?;
	let total = authorities.total_weight();
	// finality-grandpa's threshold: more than 2/3 of the total weight.
	let threshold = total - (total - 1) / 3;
	let ancestry: BTreeMap<[u8; 32], &Header> =
		j.votes_ancestries.iter().map(|h| (h.hash(), h)).collect();
	let mut used = BTreeSet::new();
	let mut signed = BTreeSet::new();
	let mut weight = 0u64;
	let target = (j.commit.target_hash, j.commit.target_number);
	for (index, sp) in j.commit.precommits.iter().enumerate() {
		let signer = || ss58::encode(&sp.id);
		let Some(w) = authorities.weight_of(&sp.id) else {
			return Err(JustificationError::UnknownSigner { index, signer: signer() });
		};
		let payload = signed_payload(&sp.precommit, j.round, set_id);
		if !signature_is_valid(&sp.id, &sp.signature, &payload) {
			return Err(JustificationError::BadSignature {
				index,
				signer: signer(),
				round: j.round,
				set_id,
			});
		}
		// The precommit's block must be the target or descend from it through the ancestry.
		let (mut hash, mut number) = (sp.precommit.target_hash, sp.precommit.target_number);
		while (hash, number) != target {
			let Some(h) = ancestry.get(&hash).filter(|h| h.number == number && number > target.1)
			else {
				return Err(JustificationError::Unlinked { index, number, target: target.1 });
			};
			used.insert(hash);
			(hash, number) = (h.parent_hash, h.number - 1);
		}
		if signed.insert(sp.id) {
			weight += w;
		}
	}
	if used.len() != ancestry.len() {
		return Err(JustificationError::UnusedAncestry);
	}
	if weight < threshold {
		return Err(JustificationError::Weight { weight, total, threshold });
	}
	Ok(Finalized { hash: target.0, number: target.1, signers: signed.len() })
}
