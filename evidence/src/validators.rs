//! The validator set a bundle is checked against: GRANDPA authorities and their set id.
//!
//! An auditor pins it once (`accesslog validators` exports it, or the chain spec names the
//! genesis set); a bundle verifies only against the set that finalized its block.

use crate::error::ValidatorSetError;
use accesslog_format::{hex, keys::grandpa_authorities_key, layout::decode_all, parse_hex, ss58};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// A validator set's authorities as keys and weights, ready to check signatures against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorities(BTreeMap<[u8; 32], u64>);

impl Authorities {
	/// The weight of `key`, if it is an authority.
	pub fn weight_of(&self, key: &[u8; 32]) -> Option<u64> {
		self.0.get(key).copied()
	}

	/// The weight of all authorities together.
	pub fn total_weight(&self) -> u64 {
		self.0.values().sum()
	}
}

fn parse_key(s: &str) -> Option<[u8; 32]> {
	match parse_hex(s) {
		Some(bytes) => bytes.try_into().ok(),
		None => ss58::decode(s).ok(),
	}
}

impl ValidatorSet {
	/// The authorities as keys and weights.
	pub fn authorities(&self) -> Result<Authorities, ValidatorSetError> {
		if self.authorities.is_empty() {
			return Err(ValidatorSetError::Empty);
		}
		self.authorities
			.iter()
			.map(|a| {
				let key =
					parse_key(&a.id).ok_or_else(|| ValidatorSetError::BadKey(a.id.clone()))?;
				if a.weight == 0 {
					return Err(ValidatorSetError::ZeroWeight(a.id.clone()));
				}
				Ok((key, a.weight))
			})
			.collect::<Result<_, _>>()
			.map(Authorities)
	}

	/// The set as SCALE-encoded in `Grandpa::Authorities` (`Vec<(ed25519 key, weight)>`), with
	/// the set id of `Grandpa::CurrentSetId`.
	pub fn from_storage(authorities: &[u8], set_id: u64) -> Result<Self, ValidatorSetError> {
		let list: Vec<([u8; 32], u64)> = decode_all(authorities).map_err(|e| {
			ValidatorSetError::Unreadable(format!("cannot decode the GRANDPA authorities: {e}"))
		})?;
		Ok(ValidatorSet {
			set_id,
			authorities: list
				.into_iter()
				.map(|(key, weight)| Authority { id: ss58::encode(&key), weight })
				.collect(),
		})
	}

	/// The genesis validator set (set id 0) from a chain spec: either a plain spec
	/// (`genesis.runtimeGenesis.patch|config` `.validatorSet.validators` or
	/// `.grandpa.authorities`) or a raw one (the `Grandpa::Authorities` storage item).
	pub fn from_chain_spec(spec: &serde_json::Value) -> Result<Self, ValidatorSetError> {
		let genesis = &spec["genesis"];
		if let Some(top) = genesis["raw"]["top"].as_object() {
			let key = hex(&grandpa_authorities_key());
			let value = top.get(&key).and_then(|v| v.as_str()).ok_or_else(|| {
				ValidatorSetError::ChainSpecShape(
					"the raw chain spec has no Grandpa::Authorities entry".into(),
				)
			})?;
			let bytes = parse_hex(value).ok_or_else(|| {
				ValidatorSetError::ChainSpecShape("Grandpa::Authorities is not hex".into())
			})?;
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
					None => Err(ValidatorSetError::ChainSpecShape(format!(
						"validator {v} in the chain spec is not [account, aura, grandpa]"
					))),
				})
				.collect::<Result<Vec<_>, _>>()?
		} else if let Some(list) =
			sections("grandpa").into_iter().find_map(|g| g["authorities"].as_array().cloned())
		{
			list.iter()
				.map(|pair| match (pair[0].as_str(), pair[1].as_u64()) {
					(Some(id), Some(weight)) => Ok(Authority { id: id.to_string(), weight }),
					_ => Err(ValidatorSetError::ChainSpecShape(format!(
						"grandpa authority {pair} in the chain spec is not [\"<ss58>\", weight]"
					))),
				})
				.collect::<Result<Vec<_>, _>>()?
		} else {
			return Err(ValidatorSetError::NotInChainSpec);
		};
		Ok(ValidatorSet { set_id: 0, authorities })
	}
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

	#[test]
	fn a_raw_chain_spec_and_storage_give_the_same_set() {
		let key = ss58::decode(ALICE_GRANDPA).unwrap();
		let stored = codec::Encode::encode(&vec![(key, 1u64)]);
		let raw = serde_json::json!({"genesis": {"raw": {"top": {
			hex(&grandpa_authorities_key()): hex(&stored)
		}}}});
		let set = ValidatorSet::from_chain_spec(&raw).unwrap();
		assert_eq!(set, ValidatorSet::from_storage(&stored, 0).unwrap());
		assert_eq!(set.authorities[0].id, ALICE_GRANDPA);
		assert_eq!(set.authorities().unwrap().weight_of(&key), Some(1));
	}

	#[test]
	fn unusable_sets_are_refused_with_the_reason() {
		let set = |id: &str, weight| ValidatorSet {
			set_id: 0,
			authorities: vec![Authority { id: id.into(), weight }],
		};
		assert_eq!(
			ValidatorSet { set_id: 0, authorities: vec![] }.authorities(),
			Err(ValidatorSetError::Empty)
		);
		assert_eq!(
			set("nonsense", 1).authorities(),
			Err(ValidatorSetError::BadKey("nonsense".into()))
		);
		assert_eq!(set("0x0102", 1).authorities(), Err(ValidatorSetError::BadKey("0x0102".into())));
		assert_eq!(
			set(ALICE_GRANDPA, 0).authorities(),
			Err(ValidatorSetError::ZeroWeight(ALICE_GRANDPA.into()))
		);
	}
}
