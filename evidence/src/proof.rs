//! Reading proven values out of a storage proof: the trie nodes from a state root to some keys.

use crate::error::ProofError;
use accesslog_format::hex;
use polkadot_sdk::{
	sp_core::{Blake2Hasher, H256},
	sp_trie::{read_trie_value, LayoutV1, MemoryDB, StorageProof},
};

/// The nodes of a storage proof, ready to read keys from under one state root.
pub struct Proven {
	db: MemoryDB<Blake2Hasher>,
	root: H256,
}

impl Proven {
	/// The proof `nodes` under `state_root`.
	pub fn new(nodes: Vec<Vec<u8>>, state_root: [u8; 32]) -> Self {
		Proven {
			db: StorageProof::new(nodes).into_memory_db::<Blake2Hasher>(),
			root: H256(state_root),
		}
	}

	/// The value of `key`; `what` names it in the error (`entry 7`).
	pub fn read(&self, key: &[u8], what: &str) -> Result<Vec<u8>, ProofError> {
		read_trie_value::<LayoutV1<Blake2Hasher>, _>(&self.db, &self.root, key, None, None)
			.map_err(|e| ProofError::Incomplete {
				what: what.into(),
				root: hex(self.root.as_ref()),
				reason: format!("{e:?}"),
			})?
			.ok_or_else(|| ProofError::Absent(what.into()))
	}
}
