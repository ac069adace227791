//! Evidence bundles: an entry, proven against a GRANDPA-finalized block, checkable offline.
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
//! Entries are append-only, so an entry present in the state of any finalized block is proven to
//! have been recorded on the chain; [`Client::evidence`] therefore proves against the latest block
//! that has a justification, which every node keeps.
//!
//! [`verify`] needs no node: given the validator set (public keys and set id, from a file or the
//! chain spec) it checks, in this order, the justification (signatures, signers, 2/3 weight), that
//! the header is the block it finalizes, the storage proof against the header's state root, and
//! that every entry is exactly what the proof holds. The first failing check is returned as a
//! [`VerifyError`] naming the part that failed.

use crate::{
	rpc_types::{self, hex, EntryJson, SourceJson},
	Client, Error, Result,
};
use codec::{Decode, Encode};
use polkadot_sdk::{
	sp_consensus_grandpa::{
		check_message_signature, AuthorityId, AuthorityList, GrandpaJustification, Message, SetId,
	},
	sp_core::crypto::{ByteArray, Ss58Codec},
	sp_crypto_hashing::{twox_128, twox_64},
	sp_runtime::{generic, traits::BlakeTwo256},
	sp_trie::{read_trie_value, LayoutV1, StorageProof},
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use subxt::utils::{AccountId32, H256};
use subxt_rpcs::rpc_params;

/// The chain's block header.
pub type Header = generic::Header<u32, BlakeTwo256>;
/// The format tag of bundles this version writes and reads.
pub const FORMAT: &str = "accesslog-evidence/1";

/// An evidence bundle (JSON). Binary parts are `0x`-hex of their SCALE encoding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
	/// Always [`FORMAT`].
	pub format: String,
	/// Genesis hash of the chain the bundle was taken from (informational: the validator set
	/// given to [`verify`] is what ties the bundle to a chain).
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
	/// The entry decoded, for people; [`verify`] checks it equals `value`.
	pub entry: EntryJson,
}

/// One proven source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenSource {
	/// Storage key of `AccessLog::Sources[id]`.
	pub key: String,
	/// SCALE-encoded source record.
	pub value: String,
	/// The source decoded, for people; [`verify`] checks it equals `value`.
	pub source: SourceJson,
}

/// The validators whose signatures finalize blocks: GRANDPA authorities and their set id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorSet {
	/// The authority set id (0 from genesis, +1 at every change).
	pub set_id: u64,
	/// The authorities: ed25519 public keys (SS58 or `0x`-hex) and voting weights.
	pub authorities: Vec<Authority>,
}

/// One GRANDPA authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
	/// ed25519 public key, SS58 (or `0x`-hex when read).
	pub id: String,
	/// Voting weight.
	pub weight: u64,
}

/// Why a bundle does not verify. Each variant names the part of the bundle that failed; see
/// [`VerifyError::exit_code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
	/// The bundle is not a well-formed bundle of this format.
	#[error("bundle malformed: {0}")]
	Malformed(String),
	/// The validator set given is unusable.
	#[error("validator set invalid: {0}")]
	ValidatorSet(String),
	/// The justification is not a valid finality proof by the given validator set.
	#[error("justification invalid: {0}")]
	Justification(String),
	/// The header does not decode or does not hash to the bundle's block hash.
	#[error("header invalid: {0}")]
	Header(String),
	/// The justification is valid but finalizes another block than the bundle's.
	#[error("block not finalized: {0}")]
	NotFinalized(String),
	/// The storage proof does not prove the keys against the header's state root.
	#[error("storage proof invalid: {0}")]
	Proof(String),
	/// An entry (or source) differs from what the proof holds.
	#[error("entry invalid: {0}")]
	Entry(String),
}

impl VerifyError {
	/// The `accesslog verify` exit code for this failure.
	pub fn exit_code(&self) -> i32 {
		match self {
			VerifyError::Malformed(_) => 3,
			VerifyError::ValidatorSet(_) => 4,
			VerifyError::Justification(_) => 10,
			VerifyError::Header(_) => 11,
			VerifyError::NotFinalized(_) => 12,
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
			VerifyError::NotFinalized(_) => "not-finalized",
			VerifyError::Proof(_) => "proof",
			VerifyError::Entry(_) => "entry",
		}
	}
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
	/// The finalized block.
	pub block_number: u32,
	/// Its hash.
	pub block_hash: H256,
	/// The authority set that finalized it.
	pub set_id: u64,
	/// How many validators signed.
	pub signers: usize,
	/// The proven entries.
	pub entries: Vec<EntryJson>,
}

/// An entry as the pallet stores it (`Entry<AccountId32, u32>`): the SCALE layout the proof holds.
/// Kept here, not taken from the pallet, so verification needs no runtime code; the evidence test
/// decodes real entries with it.
#[derive(Clone, Debug, PartialEq, Eq, Decode, Encode)]
pub struct Entry {
	/// The access record.
	pub record: Record,
	/// Block it was recorded in.
	pub block: u32,
	/// The submitter account.
	pub submitter: [u8; 32],
}

/// The record of an [`Entry`] (`LogRecord<Text>`).
#[derive(Clone, Debug, PartialEq, Eq, Decode, Encode)]
pub struct Record {
	/// Source id.
	pub source: u32,
	/// Source sequence number.
	pub seq: u64,
	/// When, ms since the epoch.
	pub occurred_at: u64,
	/// Calling agency.
	pub agency: Vec<u8>,
	/// Calling system.
	pub system: Vec<u8>,
	/// Official reference.
	pub accessor_ref: [u8; 32],
	/// Citizen reference.
	pub citizen_ref: [u8; 32],
	/// Pseudonymisation key id.
	pub key_id: u32,
	/// Action.
	pub action: Vec<u8>,
	/// PDPA purpose code.
	pub purpose: Vec<u8>,
	/// Result status.
	pub status: u16,
	/// Personal records returned.
	pub records: u32,
	/// blake2-256 of the original record.
	pub record_hash: [u8; 32],
}

/// A source as the pallet stores it (`SourceInfo<u32>`).
#[derive(Clone, Debug, PartialEq, Eq, Decode, Encode)]
pub struct SourceInfo {
	/// Name.
	pub name: Vec<u8>,
	/// Operating agency.
	pub agency: Vec<u8>,
	/// Accepting entries.
	pub active: bool,
	/// Registration block.
	pub registered_at: u32,
	/// Highest sequence stored.
	pub last_seq: u64,
	/// Entries stored.
	pub entries: u64,
}

fn decode_all<T: Decode>(bytes: &[u8]) -> std::result::Result<T, String> {
	let mut input = bytes;
	let value = T::decode(&mut input).map_err(|e| e.to_string())?;
	if !input.is_empty() {
		return Err(format!("{} trailing bytes", input.len()));
	}
	Ok(value)
}

/// Storage key of `AccessLog::Entries[id]` (`Identity` over the big-endian id).
pub fn entry_key(id: u64) -> Vec<u8> {
	access_log_key(b"Entries", &id.to_be_bytes())
}

/// Storage key of `AccessLog::Sources[id]`.
pub fn source_key(id: u32) -> Vec<u8> {
	map_key(b"Sources", &id.encode())
}

/// Storage key of `Grandpa::Authorities`.
pub fn grandpa_authorities_key() -> Vec<u8> {
	[twox_128(b"Grandpa"), twox_128(b"Authorities")].concat()
}

/// Storage key of `Grandpa::CurrentSetId`.
pub fn grandpa_set_id_key() -> Vec<u8> {
	[twox_128(b"Grandpa"), twox_128(b"CurrentSetId")].concat()
}

fn map_key(item: &[u8], encoded_key: &[u8]) -> Vec<u8> {
	// Twox64Concat: twox64(key) ++ key.
	access_log_key(item, &[&twox_64(encoded_key)[..], encoded_key].concat())
}

/// Storage key of `AccessLog::<item>` followed by `tail` (the hashed map key).
fn access_log_key(item: &[u8], tail: &[u8]) -> Vec<u8> {
	[&twox_128(b"AccessLog")[..], &twox_128(item), tail].concat()
}

fn unhex(what: &str, s: &str) -> std::result::Result<Vec<u8>, VerifyError> {
	rpc_types::parse_hex(s).ok_or_else(|| VerifyError::Malformed(format!("{what} is not 0x-hex")))
}

fn text(v: &[u8]) -> String {
	String::from_utf8_lossy(v).into_owned()
}

/// An entry as stored, decoded into its JSON form (the same the `accessLog_*` RPC answers).
pub fn entry_json(id: u64, e: Entry) -> EntryJson {
	let r = e.record;
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
		block: e.block.into(),
		submitter: AccountId32(e.submitter).to_string(),
	}
}

/// A source as stored, decoded into its JSON form.
pub fn source_json(id: u32, s: SourceInfo) -> SourceJson {
	SourceJson {
		id,
		name: text(&s.name),
		agency: text(&s.agency),
		active: s.active,
		registered_at: s.registered_at.into(),
		last_seq: s.last_seq,
		entries: s.entries,
	}
}

impl ValidatorSet {
	/// Parse the authorities into keys and weights.
	pub fn authority_list(&self) -> std::result::Result<AuthorityList, VerifyError> {
		if self.authorities.is_empty() {
			return Err(VerifyError::ValidatorSet("it lists no authorities".into()));
		}
		self.authorities
			.iter()
			.map(|a| {
				let id = parse_authority(&a.id).ok_or_else(|| {
					VerifyError::ValidatorSet(format!(
						"{:?} is not an ed25519 public key (SS58 or 0x-hex of 32 bytes)",
						a.id
					))
				})?;
				if a.weight == 0 {
					return Err(VerifyError::ValidatorSet(format!("{} has weight 0", a.id)));
				}
				Ok((id, a.weight))
			})
			.collect()
	}

	/// The set as SCALE-decoded from `Grandpa::Authorities` and `Grandpa::CurrentSetId`.
	pub fn from_storage(authorities: &[u8], set_id: u64) -> Result<Self> {
		let list = AuthorityList::decode(&mut &authorities[..])
			.map_err(|e| Error::Invalid(format!("cannot decode the GRANDPA authorities: {e}")))?;
		Ok(ValidatorSet {
			set_id,
			authorities: list
				.into_iter()
				.map(|(id, weight)| Authority { id: id.to_ss58check(), weight })
				.collect(),
		})
	}

	/// The genesis validator set (set id 0) from a chain spec: either a plain spec
	/// (`genesis.runtimeGenesis.patch|config` `.validatorSet.validators` or
	/// `.grandpa.authorities`) or a raw one (the `Grandpa::Authorities` storage item).
	pub fn from_chain_spec(spec: &serde_json::Value) -> Result<Self> {
		let genesis = &spec["genesis"];
		if let Some(top) = genesis["raw"]["top"].as_object() {
			let key = hex(&grandpa_authorities_key());
			let value = top.get(&key).and_then(|v| v.as_str()).ok_or_else(|| {
				Error::Invalid("the raw chain spec has no Grandpa::Authorities entry".into())
			})?;
			let bytes = rpc_types::parse_hex(value)
				.ok_or_else(|| Error::Invalid("Grandpa::Authorities is not hex".into()))?;
			return Self::from_storage(&bytes, 0);
		}
		let runtime = &genesis["runtimeGenesis"];
		// This chain's presets name the validators in `validatorSet.validators` as
		// `[account, aura, grandpa]`; a spec may also set GRANDPA's own genesis list.
		let sections =
			|name: &str| [runtime["patch"][name].clone(), runtime["config"][name].clone()];
		let authorities = if let Some(set) =
			sections("validatorSet").into_iter().find_map(|v| v["validators"].as_array().cloned())
		{
			set.iter()
				.map(|v| match v[2].as_str() {
					Some(id) => Ok(Authority { id: id.to_string(), weight: 1 }),
					None => Err(Error::Invalid(format!(
						"validator {v} in the chain spec is not [account, aura, grandpa]"
					))),
				})
				.collect::<Result<Vec<_>>>()?
		} else if let Some(list) =
			sections("grandpa").into_iter().find_map(|g| g["authorities"].as_array().cloned())
		{
			list.iter()
				.map(|pair| match (pair[0].as_str(), pair[1].as_u64()) {
					(Some(id), Some(weight)) => Ok(Authority { id: id.to_string(), weight }),
					_ => Err(Error::Invalid(format!(
						"grandpa authority {pair} in the chain spec is not [\"<ss58>\", weight]"
					))),
				})
				.collect::<Result<Vec<_>>>()?
		} else {
			return Err(Error::Invalid(
				"the chain spec names no genesis validators (neither raw storage, nor \
				 runtimeGenesis validatorSet.validators, nor grandpa.authorities)"
					.into(),
			));
		};
		Ok(ValidatorSet { set_id: 0, authorities })
	}
}

fn parse_authority(s: &str) -> Option<AuthorityId> {
	if let Some(bytes) = rpc_types::parse_hex(s) {
		return AuthorityId::from_slice(&bytes).ok();
	}
	AuthorityId::from_ss58check(s).ok()
}

impl Client {
	/// The validator set finalizing blocks now, read from the state of the finalized head.
	pub async fn validator_set(&self) -> Result<ValidatorSet> {
		let at: H256 = self.rpc().request("chain_getFinalizedHead", rpc_params![]).await?;
		let authorities =
			self.storage_raw(&grandpa_authorities_key(), at).await?.ok_or_else(|| {
				Error::Invalid("the chain has no GRANDPA authorities in its state".into())
			})?;
		ValidatorSet::from_storage(&authorities, self.set_id_at(at).await?)
	}

	async fn storage_raw(&self, key: &[u8], at: H256) -> Result<Option<Vec<u8>>> {
		let value: Option<String> =
			self.rpc().request("state_getStorage", rpc_params![hex(key), at]).await?;
		value
			.map(|v| {
				rpc_types::parse_hex(&v).ok_or_else(|| {
					Error::Invalid("the node answered storage that is not hex".into())
				})
			})
			.transpose()
	}

	/// Build an evidence bundle for `ids`: waits until every entry is in a finalized block, then
	/// proves them against the latest block with a GRANDPA justification.
	pub async fn evidence(&self, ids: &[u64]) -> Result<Bundle> {
		if ids.is_empty() {
			return Err(Error::Invalid("no entry ids given".into()));
		}
		let ids: BTreeSet<u64> = ids.iter().copied().collect();
		// Every entry must exist, and its block must be final.
		let mut needed_block = 0u64;
		let mut sources = BTreeSet::new();
		for &id in &ids {
			let entry = self.query().entry(id).await?.ok_or_else(|| {
				Error::Invalid(format!("entry {id} does not exist (yet) on this chain"))
			})?;
			needed_block = needed_block.max(entry.block);
			sources.insert(entry.source);
		}
		let (header, justification) = self.latest_justified(needed_block).await?;
		let block_hash = header.hash();
		let set_id = self.set_id_at(block_hash).await?;
		let keys: Vec<Vec<u8>> = ids
			.iter()
			.map(|&id| entry_key(id))
			.chain(sources.iter().map(|&s| source_key(s)))
			.collect();
		#[derive(Deserialize)]
		struct ReadProof {
			proof: Vec<String>,
		}
		let read: ReadProof = self
			.rpc()
			.request(
				"state_getReadProof",
				rpc_params![keys.iter().map(|k| hex(k)).collect::<Vec<_>>(), block_hash],
			)
			.await?;
		let proof_nodes = read
			.proof
			.iter()
			.map(|n| rpc_types::parse_hex(n))
			.collect::<Option<Vec<_>>>()
			.ok_or_else(|| Error::Invalid("the node answered a proof that is not hex".into()))?;
		let db = StorageProof::new(proof_nodes).into_memory_db::<BlakeTwo256>();
		let read_value = |key: &[u8]| -> Result<Vec<u8>> {
			read_proven(&db, &header.state_root, key)
				.map_err(|e| Error::Invalid(format!("the node's proof: {e}")))
		};
		let mut entries = Vec::new();
		for &id in &ids {
			let key = entry_key(id);
			let value = read_value(&key)?;
			let entry = decode_all::<Entry>(&value)
				.map_err(|e| Error::Invalid(format!("cannot decode entry {id}: {e}")))?;
			entries.push(ProvenEntry {
				id,
				key: hex(&key),
				value: hex(&value),
				entry: entry_json(id, entry),
			});
		}
		let mut proven_sources = Vec::new();
		for &s in &sources {
			let key = source_key(s);
			let value = read_value(&key)?;
			let source = decode_all::<SourceInfo>(&value)
				.map_err(|e| Error::Invalid(format!("cannot decode source {s}: {e}")))?;
			proven_sources.push(ProvenSource {
				key: hex(&key),
				value: hex(&value),
				source: source_json(s, source),
			});
		}
		let genesis: H256 = self.rpc().request("chain_getBlockHash", rpc_params![0]).await?;
		Ok(Bundle {
			format: FORMAT.into(),
			genesis_hash: hex(genesis.as_ref()),
			block: BlockPart {
				number: header.number,
				hash: hex(block_hash.as_ref()),
				header: hex(&header.encode()),
			},
			finality: FinalityPart { set_id, justification: hex(&justification) },
			proof: read.proof,
			entries,
			sources: proven_sources,
		})
	}

	async fn set_id_at(&self, at: H256) -> Result<SetId> {
		match self.storage_raw(&grandpa_set_id_key(), at).await? {
			Some(bytes) => u64::decode(&mut &bytes[..])
				.map_err(|e| Error::Invalid(format!("cannot decode the GRANDPA set id: {e}"))),
			None => Ok(0),
		}
	}

	/// The header and the encoded justification of a finalized block numbered at least
	/// `min_block`: the node's stored finality proof when it has one (`grandpa_proveFinality`
	/// answers only on chains whose authority set has changed), otherwise the next justification
	/// GRANDPA produces (`grandpa_subscribeJustifications`), waiting up to two minutes.
	async fn latest_justified(&self, min_block: u64) -> Result<(Header, Vec<u8>)> {
		#[derive(Decode)]
		struct FinalityProof {
			block: H256,
			justification: Vec<u8>,
			_unknown_headers: Vec<Header>,
		}
		let finalized: H256 = self.rpc().request("chain_getFinalizedHead", rpc_params![]).await?;
		let head = self.header(finalized).await?;
		if u64::from(head.number) >= min_block {
			let proof: Option<String> = self
				.rpc()
				.request("grandpa_proveFinality", rpc_params![head.number])
				.await
				.unwrap_or(None);
			if let Some(encoded) = proof.as_deref().and_then(rpc_types::parse_hex) {
				let proof = FinalityProof::decode(&mut &encoded[..]).map_err(|e| {
					Error::Invalid(format!("cannot decode the node's finality proof: {e}"))
				})?;
				let header = self.header(proof.block).await?;
				if u64::from(header.number) >= min_block {
					return Ok((header, proof.justification));
				}
			}
		}
		let mut justifications = self
			.rpc()
			.subscribe::<String>(
				"grandpa_subscribeJustifications",
				rpc_params![],
				"grandpa_unsubscribeJustifications",
			)
			.await?;
		let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
		loop {
			let next =
				tokio::time::timeout_at(deadline, justifications.next()).await.map_err(|_| {
					Error::NotIncluded(format!(
					"no GRANDPA justification for block #{min_block} or later within 2 minutes \
					 (finalized head #{}); check that the validators are running and voting \
					 (`accesslog status`)",
					head.number
				))
				})?;
			let encoded = match next {
				Some(Ok(hex)) => rpc_types::parse_hex(&hex).ok_or_else(|| {
					Error::Invalid("the node sent a justification that is not hex".into())
				})?,
				Some(Err(e)) => return Err(e.into()),
				None => {
					return Err(Error::NotIncluded(
						"the node closed the justification subscription".into(),
					))
				},
			};
			let justification = GrandpaJustification::<Header>::decode(&mut &encoded[..])
				.map_err(|e| Error::Invalid(format!("cannot decode a justification: {e}")))?;
			if u64::from(justification.commit.target_number) >= min_block {
				let hash = H256(justification.commit.target_hash.0);
				return Ok((self.header(hash).await?, encoded));
			}
		}
	}

	async fn header(&self, hash: H256) -> Result<Header> {
		let json: serde_json::Value =
			self.rpc().request("chain_getHeader", rpc_params![hash]).await?;
		header_from_rpc(&json)
			.ok_or_else(|| Error::Invalid(format!("the node's header of {hash:?} is malformed")))
	}
}

/// A header from its JSON-RPC form (`chain_getHeader`).
pub fn header_from_rpc(v: &serde_json::Value) -> Option<Header> {
	// The RPC header is JSON (number as hex, digest logs as hex of their SCALE encoding).
	let hash = |k: &str| -> Option<H256> {
		let b = rpc_types::parse_hex(v[k].as_str()?)?;
		(b.len() == 32).then(|| H256::from_slice(&b))
	};
	let number = u32::from_str_radix(v["number"].as_str()?.strip_prefix("0x")?, 16).ok()?;
	let logs = v["digest"]["logs"]
		.as_array()?
		.iter()
		.map(|l| {
			let bytes = rpc_types::parse_hex(l.as_str()?)?;
			Decode::decode(&mut &bytes[..]).ok()
		})
		.collect::<Option<Vec<_>>>()?;
	let to_sp = |h: H256| polkadot_sdk::sp_core::H256::from(h.0);
	Some(Header {
		parent_hash: to_sp(hash("parentHash")?),
		number,
		state_root: to_sp(hash("stateRoot")?),
		extrinsics_root: to_sp(hash("extrinsicsRoot")?),
		digest: generic::Digest { logs },
	})
}

/// Check `bundle` against `validators`, with no node. Returns what it proved, or the first check
/// that failed.
pub fn verify(
	bundle: &Bundle,
	validators: &ValidatorSet,
) -> std::result::Result<Verified, VerifyError> {
	if bundle.format != FORMAT {
		return Err(VerifyError::Malformed(format!(
			"format is {:?}, this verifier reads {FORMAT:?}",
			bundle.format
		)));
	}
	if bundle.entries.is_empty() {
		return Err(VerifyError::Malformed("the bundle proves no entries".into()));
	}
	let authorities = validators.authority_list()?;
	if bundle.finality.set_id != validators.set_id {
		return Err(VerifyError::Justification(format!(
			"signed under authority set {}, but the validator set given is set {}; use the \
			 validator set that was current at block #{}",
			bundle.finality.set_id, validators.set_id, bundle.block.number
		)));
	}

	// 1. The justification: a supermajority of the validator set signed precommits for its target.
	let just_bytes = unhex("finality.justification", &bundle.finality.justification)?;
	let (target_hash, target_number, signers) =
		check_justification(&just_bytes, &authorities, validators.set_id)?;

	// 2. The header: it hashes to the bundle's block hash, and that block is the finalized one.
	let header_bytes = unhex("block.header", &bundle.block.header)?;
	let mut input = &header_bytes[..];
	let header = Header::decode(&mut input)
		.map_err(|e| VerifyError::Header(format!("the header does not decode: {e}")))?;
	if !input.is_empty() {
		return Err(VerifyError::Header(format!("{} trailing bytes after it", input.len())));
	}
	let header_hash = header.hash();
	let claimed = unhex("block.hash", &bundle.block.hash)?;
	if header_hash.as_ref() != claimed.as_slice() || header.number != bundle.block.number {
		return Err(VerifyError::Header(format!(
			"the header hashes to {} (number {}), but the bundle names block {} (number {})",
			hex(header_hash.as_ref()),
			header.number,
			bundle.block.hash,
			bundle.block.number
		)));
	}
	if header_hash != target_hash || header.number != target_number {
		return Err(VerifyError::NotFinalized(format!(
			"the justification finalizes block #{target_number} {}, not block #{} {}",
			hex(target_hash.as_ref()),
			header.number,
			hex(header_hash.as_ref())
		)));
	}

	// 3. The storage proof against the header's state root.
	let nodes = bundle
		.proof
		.iter()
		.enumerate()
		.map(|(i, n)| unhex(&format!("proof[{i}]"), n))
		.collect::<std::result::Result<Vec<_>, _>>()?;
	let db = StorageProof::new(nodes).into_memory_db::<BlakeTwo256>();
	let read = |key: &[u8], what: &str| -> std::result::Result<Vec<u8>, VerifyError> {
		read_proven(&db, &header.state_root, key)
			.map_err(|e| VerifyError::Proof(format!("{what}: {e}")))
	};

	// 4. Every entry and source is exactly what the proof holds.
	let mut entries = Vec::new();
	for e in &bundle.entries {
		let key = entry_key(e.id);
		if unhex("entries[].key", &e.key)? != key {
			return Err(VerifyError::Entry(format!(
				"entry {}: its key is not the storage key of entry {}",
				e.id, e.id
			)));
		}
		let proven = read(&key, &format!("entry {}", e.id))?;
		if unhex("entries[].value", &e.value)? != proven {
			return Err(VerifyError::Entry(format!(
				"entry {}: its bytes differ from the bytes the proof holds",
				e.id
			)));
		}
		let decoded = decode_all::<Entry>(&proven)
			.map_err(|err| VerifyError::Entry(format!("entry {}: does not decode: {err}", e.id)))?;
		let json = entry_json(e.id, decoded);
		if json != e.entry {
			return Err(VerifyError::Entry(format!(
				"entry {}: the readable fields differ from the proven bytes",
				e.id
			)));
		}
		entries.push(json);
	}
	let mut seen_sources = BTreeMap::new();
	for s in &bundle.sources {
		let key = source_key(s.source.id);
		if unhex("sources[].key", &s.key)? != key {
			return Err(VerifyError::Entry(format!(
				"source {}: its key is not the storage key of source {}",
				s.source.id, s.source.id
			)));
		}
		let proven = read(&key, &format!("source {}", s.source.id))?;
		if unhex("sources[].value", &s.value)? != proven {
			return Err(VerifyError::Entry(format!(
				"source {}: its bytes differ from the bytes the proof holds",
				s.source.id
			)));
		}
		let decoded = decode_all::<SourceInfo>(&proven).map_err(|err| {
			VerifyError::Entry(format!("source {}: does not decode: {err}", s.source.id))
		})?;
		if source_json(s.source.id, decoded) != s.source {
			return Err(VerifyError::Entry(format!(
				"source {}: the readable fields differ from the proven bytes",
				s.source.id
			)));
		}
		seen_sources.insert(s.source.id, ());
	}
	if let Some(e) = entries.iter().find(|e| !seen_sources.contains_key(&e.source)) {
		return Err(VerifyError::Malformed(format!(
			"entry {} belongs to source {}, which the bundle does not prove",
			e.id, e.source
		)));
	}
	Ok(Verified {
		block_number: header.number,
		block_hash: H256(header_hash.0),
		set_id: validators.set_id,
		signers,
		entries,
	})
}

/// The value of `key` in the trie rooted at `root`, as far as the proof nodes in `db` show it.
fn read_proven(
	db: &polkadot_sdk::sp_trie::MemoryDB<BlakeTwo256>,
	root: &polkadot_sdk::sp_core::H256,
	key: &[u8],
) -> std::result::Result<Vec<u8>, String> {
	read_trie_value::<LayoutV1<BlakeTwo256>, _>(db, root, key, None, None)
		.map_err(|e| {
			format!("it does not lead from the state root {} to the key: {e:?}", hex(root.as_ref()))
		})?
		.ok_or_else(|| "it proves that the key is absent at this block".to_string())
}

/// Check a GRANDPA justification like the node does: every precommit is signed by a distinct
/// member of the set, votes for the commit target or a descendant shown in the ancestry, every
/// ancestry header is used, and the signers hold more than 2/3 of the weight.
fn check_justification(
	bytes: &[u8],
	authorities: &AuthorityList,
	set_id: SetId,
) -> std::result::Result<(polkadot_sdk::sp_core::H256, u32, usize), VerifyError> {
	let bad = |m: String| VerifyError::Justification(m);
	let mut input = bytes;
	let j = GrandpaJustification::<Header>::decode(&mut input)
		.map_err(|e| bad(format!("it does not decode: {e}")))?;
	if !input.is_empty() {
		return Err(bad(format!("{} trailing bytes after it", input.len())));
	}
	let weights: BTreeMap<&AuthorityId, u64> = authorities.iter().map(|(id, w)| (id, *w)).collect();
	let total: u64 = weights.values().sum();
	// finality-grandpa's threshold: more than 2/3 of the total weight.
	let threshold = total - (total - 1) / 3;
	let ancestry: BTreeMap<_, _> =
		j.votes_ancestries.iter().map(|h| (h.hash(), h.clone())).collect();
	let mut used = BTreeSet::new();
	let mut signed = BTreeSet::new();
	let mut weight = 0u64;
	let target = (j.commit.target_hash, j.commit.target_number);
	for (i, signed_precommit) in j.commit.precommits.iter().enumerate() {
		let id = &signed_precommit.id;
		let Some(w) = weights.get(id) else {
			return Err(bad(format!(
				"precommit {i} is signed by {}, which is not in the validator set",
				id.to_ss58check()
			)));
		};
		let message = Message::<Header>::Precommit(signed_precommit.precommit.clone());
		if !check_message_signature(&message, id, &signed_precommit.signature, j.round, set_id)
			.is_valid()
		{
			return Err(bad(format!(
				"precommit {i}: the signature of {} does not verify (round {}, set {set_id})",
				id.to_ss58check(),
				j.round
			)));
		}
		// The precommit's block must be the target or descend from it through the ancestry.
		let (mut hash, mut number) =
			(signed_precommit.precommit.target_hash, signed_precommit.precommit.target_number);
		while (hash, number) != target {
			let Some(h) = ancestry.get(&hash).filter(|h| h.number == number && number > target.1)
			else {
				return Err(bad(format!(
					"precommit {i} votes for block #{number}, which the justification does not \
					 link to its target #{}",
					target.1
				)));
			};
			used.insert(hash);
			(hash, number) = (h.parent_hash, h.number - 1);
		}
		if signed.insert(id.clone()) {
			weight += w;
		}
	}
	if used.len() != ancestry.len() {
		return Err(bad("it carries ancestry headers no precommit uses".into()));
	}
	if weight < threshold {
		return Err(bad(format!(
			"signers hold weight {weight} of {total}; finality needs at least {threshold}"
		)));
	}
	Ok((target.0, target.1, signed.len()))
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE_GRANDPA: &str = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";

	#[test]
	fn the_genesis_validator_set_is_read_from_any_chain_spec_form() {
		let from_validator_set = serde_json::json!({"genesis": {"runtimeGenesis": {"patch": {
			"validatorSet": {"validators": [["5Grw…", "5Grw…", ALICE_GRANDPA]]}
		}}}});
		let from_grandpa = serde_json::json!({"genesis": {"runtimeGenesis": {"config": {
			"grandpa": {"authorities": [[ALICE_GRANDPA, 1]]}
		}}}});
		for spec in [from_validator_set, from_grandpa] {
			let set = ValidatorSet::from_chain_spec(&spec).unwrap();
			assert_eq!(set.set_id, 0);
			assert_eq!(set.authorities, vec![Authority { id: ALICE_GRANDPA.into(), weight: 1 }]);
		}
		let broken = serde_json::json!({"genesis": {"runtimeGenesis": {"patch": {
			"validatorSet": {"validators": [["5Grw…"]]}
		}}}});
		assert!(ValidatorSet::from_chain_spec(&broken).is_err());
		let empty = serde_json::json!({"genesis": {"runtimeGenesis": {"patch": {}}}});
		let err = ValidatorSet::from_chain_spec(&empty).unwrap_err().to_string();
		assert!(err.contains("names no genesis validators"), "{err}");
	}
}
