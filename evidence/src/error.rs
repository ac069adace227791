//! Why a bundle does not verify: one enum per step, each variant one reason.

use thiserror::Error;

/// Why a bundle does not verify. Each variant is one step of [`crate::verify`]; see
/// [`VerifyError::exit_code`] and [`VerifyError::part`].
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
	/// The bundle is not a well-formed bundle of this format.
	#[error("bundle malformed: {0}")]
	Malformed(#[from] MalformedError),
	/// The validator set given is unusable.
	#[error("validator set invalid: {0}")]
	ValidatorSet(#[from] ValidatorSetError),
	/// The justification is not a valid finality proof by the given validator set.
	#[error("justification invalid: {0}")]
	Justification(#[from] JustificationError),
	/// The header does not decode or does not hash to the bundle's block hash.
	#[error("header invalid: {0}")]
	Header(#[from] HeaderError),
	/// The justification is valid but finalizes another block than the bundle's.
	#[error(
		"block not finalized: the justification finalizes block #{finalized_number} {finalized_hash}, \
		 not block #{number} {hash}"
	)]
	NotFinalized {
		/// The block the justification finalizes.
		finalized_number: u32,
		/// Its hash, `0x`-hex.
		finalized_hash: String,
		/// The bundle's block.
		number: u32,
		/// Its hash, `0x`-hex.
		hash: String,
	},
	/// The storage proof does not prove a key against the header's state root.
	#[error("storage proof invalid: {0}")]
	Proof(#[from] ProofError),
	/// An entry (or source) differs from what the proof holds.
	#[error("entry invalid: {0}")]
	Entry(#[from] EntryError),
}

impl VerifyError {
	/// The `accesslog verify` exit code for this failure.
	pub fn exit_code(&self) -> i32 {
		match self {
			VerifyError::Malformed(_) => 3,
			VerifyError::ValidatorSet(_) => 4,
			VerifyError::Justification(_) => 10,
			VerifyError::Header(_) => 11,
			VerifyError::NotFinalized { .. } => 12,
			VerifyError::Proof(_) => 13,
			VerifyError::Entry(_) => 14,
		}
	}

	/// A one-word name of the failed part: `bundle`, `validator-set`, `justification`, `header`,
	/// `not-finalized`, `proof` or `entry`.
	pub fn part(&self) -> &'static str {
		match self {
			VerifyError::Malformed(_) => "bundle",
			VerifyError::ValidatorSet(_) => "validator-set",
			VerifyError::Justification(_) => "justification",
			VerifyError::Header(_) => "header",
			VerifyError::NotFinalized { .. } => "not-finalized",
			VerifyError::Proof(_) => "proof",
			VerifyError::Entry(_) => "entry",
		}
	}
}

/// Why a bundle is not well-formed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MalformedError {
	/// The bundle could not be read as JSON of this format.
	#[error("{0}")]
	Unreadable(String),
	/// Another format (or version) of bundle.
	#[error("format is {found:?}, this verifier reads {expected:?}")]
	Format {
		/// The bundle's format tag.
		found: String,
		/// The tag this verifier reads.
		expected: &'static str,
	},
	/// It proves nothing.
	#[error("the bundle proves no entries")]
	NoEntries,
	/// A binary part is not hex.
	#[error("{0} is not 0x-hex")]
	NotHex(String),
	/// An entry's source is not among the proven sources.
	#[error("entry {entry} belongs to source {source_id}, which the bundle does not prove")]
	SourceMissing {
		/// The entry.
		entry: u64,
		/// Its source.
		source_id: u32,
	},
}

/// Why a validator set is unusable.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValidatorSetError {
	/// The file could not be read as a validator set (or chain spec).
	#[error("{0}")]
	Unreadable(String),
	/// No authorities.
	#[error("it lists no authorities")]
	Empty,
	/// An authority is not an ed25519 public key.
	#[error("{0:?} is not an ed25519 public key (SS58 or 0x-hex of 32 bytes)")]
	BadKey(String),
	/// An authority has no voting weight.
	#[error("{0} has weight 0")]
	ZeroWeight(String),
	/// The chain spec names no validators.
	#[error(
		"the chain spec names no genesis validators (neither raw storage, nor runtimeGenesis \
		 validatorSet.validators, nor grandpa.authorities)"
	)]
	NotInChainSpec,
	/// The chain spec's validators are not in the expected shape.
	#[error("{0}")]
	ChainSpecShape(String),
}

/// Why a justification is not a valid finality proof.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JustificationError {
	/// Signed under another authority set than the one given.
	#[error(
		"signed under authority set {bundle}, but the validator set given is set {given}; use the \
		 validator set that was current at block #{block}"
	)]
	SetId {
		/// The bundle's set id.
		bundle: u64,
		/// The set id of the validator set given.
		given: u64,
		/// The bundle's block.
		block: u32,
	},
	/// The bytes are not a justification.
	#[error("it does not decode: {0}")]
	Decode(String),
	/// Bytes left after the justification.
	#[error("{0} trailing bytes after it")]
	Trailing(usize),
	/// A precommit's signer is not a validator of the set.
	#[error("precommit {index} is signed by {signer}, which is not in the validator set")]
	UnknownSigner {
		/// The precommit.
		index: usize,
		/// Its signer, SS58.
		signer: String,
	},
	/// A precommit's signature does not verify.
	#[error("precommit {index}: the signature of {signer} does not verify (round {round}, set {set_id})")]
	BadSignature {
		/// The precommit.
		index: usize,
		/// Its signer, SS58.
		signer: String,
		/// The round.
		round: u64,
		/// The set id.
		set_id: u64,
	},
	/// A precommit votes for a block not linked to the target by the ancestry.
	#[error(
		"precommit {index} votes for block #{number}, which the justification does not link to its \
		 target #{target}"
	)]
	Unlinked {
		/// The precommit.
		index: usize,
		/// The block it votes for.
		number: u32,
		/// The commit's target.
		target: u32,
	},
	/// Ancestry headers no precommit uses.
	#[error("it carries ancestry headers no precommit uses")]
	UnusedAncestry,
	/// The signers do not hold a supermajority.
	#[error("signers hold weight {weight} of {total}; finality needs at least {threshold}")]
	Weight {
		/// Weight of the distinct signers.
		weight: u64,
		/// Total weight of the set.
		total: u64,
		/// Weight needed.
		threshold: u64,
	},
}

/// Why the header is not the bundle's block.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HeaderError {
	/// The bytes are not a header.
	#[error("the header does not decode: {0}")]
	Decode(String),
	/// Bytes left after the header.
	#[error("{0} trailing bytes after it")]
	Trailing(usize),
	/// The header is another block than the one the bundle names.
	#[error(
		"the header hashes to {hash} (number {number}), but the bundle names block {claimed_hash} \
		 (number {claimed_number})"
	)]
	Mismatch {
		/// The header's hash.
		hash: String,
		/// The header's number.
		number: u32,
		/// The hash the bundle names.
		claimed_hash: String,
		/// The number the bundle names.
		claimed_number: u32,
	},
}

/// Why the storage proof does not prove a key.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProofError {
	/// The proof's nodes do not lead from the state root to the key.
	#[error("{what}: it does not lead from the state root {root} to the key: {reason}")]
	Incomplete {
		/// The entry or source.
		what: String,
		/// The state root, `0x`-hex.
		root: String,
		/// What the trie reader found.
		reason: String,
	},
	/// The proof shows the key absent.
	#[error("{0}: it proves that the key is absent at this block")]
	Absent(String),
}

/// Why an entry or source of the bundle is not what the proof holds.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EntryError {
	/// The key given is not the item's storage key.
	#[error("{0}: its key is not the storage key of {0}")]
	WrongKey(String),
	/// The bytes given differ from the proven bytes.
	#[error("{0}: its bytes differ from the bytes the proof holds")]
	BytesDiffer(String),
	/// The proven bytes are not an entry (source) of this layout.
	#[error("{what}: does not decode: {reason}")]
	Decode {
		/// The entry or source.
		what: String,
		/// Why.
		reason: String,
	},
	/// The readable copy differs from the proven bytes.
	#[error("{0}: the readable fields differ from the proven bytes")]
	ReadableDiffers(String),
}
