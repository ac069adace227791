//! Genesis presets: `development` (one validator, Alice as council and submitter) and
//! `local_testnet` (three validators, a three-member council, one source, one submitter).
//! `scripts/` builds real networks' chain specs from these with `export-chain-spec`.

use crate::{AccountId, RuntimeGenesisConfig};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use polkadot_sdk::*;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::PresetId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Name of the first source: the city data platform's household-registration API.
pub const HOUSEHOLD_SOURCE_NAME: &str = "kcg-household-api";
/// Agency operating it.
pub const HOUSEHOLD_SOURCE_AGENCY: &str = "高雄市政府資訊中心";

/// A genesis with the given validators (account, Aura key, GRANDPA key), council and submitters
/// of source 0 (the household API). The validator-set pallet hands the validators' keys to Aura
/// and GRANDPA.
pub fn genesis(
	validators: Vec<(AccountId, AuraId, GrandpaId)>,
	council: Vec<AccountId>,
	submitters: Vec<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		validator_set: pallet_validator_set::GenesisConfig { validators },
		council_membership: pallet_membership::GenesisConfig {
			members: council.try_into().expect("council fits MaxMembers"),
		},
		access_log: pallet_access_log::GenesisConfig {
			sources: vec![(
				HOUSEHOLD_SOURCE_NAME.as_bytes().to_vec(),
				HOUSEHOLD_SOURCE_AGENCY.as_bytes().to_vec()
			)],
			submitters: submitters.into_iter().map(|who| (who, 0)).collect::<Vec<_>>(),
		},
	})
}

/// A well-known development validator: its sr25519 account and Aura key, its ed25519 GRANDPA key.
fn validator(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (AccountId, AuraId, GrandpaId) {
	(sr.to_account_id(), sr.public().into(), ed.public().into())
}

/// `development`: Alice validates, is the whole council and submits for the household API.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![Sr25519Keyring::Alice.to_account_id()],
		vec![Sr25519Keyring::Alice.to_account_id()],
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate and form the council; Dave submits.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		vec![
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
		],
		vec![Sr25519Keyring::Dave.to_account_id()],
	)
}

/// The JSON patch of a preset, if `id` names one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
