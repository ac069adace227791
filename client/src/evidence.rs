//! Building evidence bundles from a node. The bundle format and the offline verifier are the
//! `accesslog-evidence` crate, re-exported here; see it for what a bundle proves.
//!
//! [`Client::evidence`] proves entries against the latest block that has a GRANDPA justification,
//! which every node keeps; [`Client::validator_set`] exports the set an auditor pins.

use crate::{Client, Error, Result};
use accesslog_evidence::{grandpa::Justification, header::DigestItem, proof::Proven};
pub use accesslog_evidence::{
	header::Header, verify, verify_json, Authority, BlockPart, Bundle, EntryError, FinalityPart,
	HeaderError, JustificationError, MalformedError, ProofError, ProvenEntry, ProvenSource,
	ValidatorSet, ValidatorSetError, Verified, VerifyError, FORMAT,
};
use accesslog_format::{
	hex,
	keys::{entry_key, grandpa_authorities_key, grandpa_set_id_key, source_key},
	layout::{decode_all, Entry, SourceInfo},
	parse_hex,
};
use codec::{Decode, Encode};
use serde::Deserialize;
use std::collections::BTreeSet;
use subxt::utils::H256;
use subxt_rpcs::rpc_params;

impl Client {
	/// The validator set finalizing blocks now, read from the state of the finalized head.
	pub async fn validator_set(&self) -> Result<ValidatorSet> {
		let at: H256 = self.rpc().request("chain_getFinalizedHead", rpc_params![]).await?;
		let authorities =
			self.storage_raw(&grandpa_authorities_key(), at).await?.ok_or_else(|| {
				Error::Invalid("the chain has no GRANDPA authorities in its state".into())
			})?;
		ValidatorSet::from_storage(&authorities, self.set_id_at(at).await?)
			.map_err(|e| Error::Invalid(e.to_string()))
	}

	async fn storage_raw(&self, key: &[u8], at: H256) -> Result<Option<Vec<u8>>> {
		let value: Option<String> =
			self.rpc().request("state_getStorage", rpc_params![hex(key), at]).await?;
		value
			.map(|v| {
				parse_hex(&v).ok_or_else(|| {
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
		let block_hash = H256(header.hash());
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
		let proof_nodes =
			read.proof.iter().map(|n| parse_hex(n)).collect::<Option<Vec<_>>>().ok_or_else(
				|| Error::Invalid("the node answered a proof that is not hex".into()),
			)?;
		let proven = Proven::new(proof_nodes, header.state_root);
		let read_value = |key: &[u8], what: &str| -> Result<Vec<u8>> {
			proven.read(key, what).map_err(|e| Error::Invalid(format!("the node's proof: {e}")))
		};
		let mut entries = Vec::new();
		for &id in &ids {
			let key = entry_key(id);
			let value = read_value(&key, &format!("entry {id}"))?;
			let entry = decode_all::<Entry>(&value)
				.map_err(|e| Error::Invalid(format!("cannot decode entry {id}: {e}")))?;
			entries.push(ProvenEntry {
				id,
				key: hex(&key),
				value: hex(&value),
				entry: entry.to_json(id),
			});
		}
		let mut proven_sources = Vec::new();
		for &s in &sources {
			let key = source_key(s);
			let value = read_value(&key, &format!("source {s}"))?;
			let source = decode_all::<SourceInfo>(&value)
				.map_err(|e| Error::Invalid(format!("cannot decode source {s}: {e}")))?;
			proven_sources.push(ProvenSource {
				key: hex(&key),
				value: hex(&value),
				source: source.to_json(s),
			});
		}
		let genesis: H256 = self.rpc().request("chain_getBlockHash", rpc_params![0]).await?;
		Ok(Bundle {
			format: FORMAT.into(),
			genesis_hash: hex(genesis.as_ref()),
			block: BlockPart {
				number: header.number,
				hash: hex(&block_hash.0),
				header: hex(&header.encode()),
			},
			finality: FinalityPart { set_id, justification: hex(&justification) },
			proof: read.proof,
			entries,
			sources: proven_sources,
		})
	}

	async fn set_id_at(&self, at: H256) -> Result<u64> {
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
			if let Some(encoded) = proof.as_deref().and_then(parse_hex) {
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
				Some(Ok(hex)) => parse_hex(&hex).ok_or_else(|| {
					Error::Invalid("the node sent a justification that is not hex".into())
				})?,
				Some(Err(e)) => return Err(e.into()),
				None => {
					return Err(Error::NotIncluded(
						"the node closed the justification subscription".into(),
					))
				},
			};
			let justification = Justification::decode(&mut &encoded[..])
				.map_err(|e| Error::Invalid(format!("cannot decode a justification: {e}")))?;
			if u64::from(justification.commit.target_number) >= min_block {
				let hash = H256(justification.commit.target_hash);
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
	let hash = |k: &str| -> Option<[u8; 32]> { parse_hex(v[k].as_str()?)?.try_into().ok() };
	let number = u32::from_str_radix(v["number"].as_str()?.strip_prefix("0x")?, 16).ok()?;
	let logs = v["digest"]["logs"]
		.as_array()?
		.iter()
		.map(|l| {
			let bytes = parse_hex(l.as_str()?)?;
			decode_all::<DigestItem>(&bytes).ok()
		})
		.collect::<Option<Vec<_>>>()?;
	Some(Header {
		parent_hash: hash("parentHash")?,
		number,
		state_root: hash("stateRoot")?,
		extrinsics_root: hash("extrinsicsRoot")?,
		digest: logs,
	})
}
