//! What each pseudonymisation key covers on chain (`AccessLog::KeyUse`): how many entries carry
//! its references, and the first and last of them. Retiring a key (deleting its secret, so its
//! references can no longer be linked to anyone) is due once the retention period has passed
//! after its last entry.

use crate::{runtime, Client, Error, Result};

/// The chain's count for one key id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyUse {
	/// The key id (`key_id` of the records).
	pub key_id: u32,
	/// Entries stored with it.
	pub entries: u64,
	/// Id of the first of them.
	pub first_entry: u64,
	/// Id of the last of them.
	pub last_entry: u64,
}

impl Client {
	/// Every key id the chain's entries carry, with its count, at the best block, by key id.
	/// Empty on a runtime before spec 109 (which had no such count) and while its migration
	/// is still counting old entries.
	pub async fn key_use(&self) -> Result<Vec<KeyUse>> {
		let at = self.at_best_block().await?;
		let entry = match at.storage().entry(runtime::storage().access_log().key_use()) {
			Ok(entry) => entry,
			// Not in this block's runtime (before spec 109).
			Err(_) => return Ok(Vec::new()),
		};
		let mut all = entry.iter(()).await.map_err(Error::chain)?;
		let mut out = Vec::new();
		while let Some(item) = all.next().await {
			let item = item.map_err(Error::chain)?;
			let (key_id,) = item.key().map_err(Error::chain)?.decode().map_err(Error::chain)?;
			let usage = item.value().decode().map_err(Error::chain)?;
			out.push(KeyUse {
				key_id,
				entries: usage.entries,
				first_entry: usage.first_entry,
				last_entry: usage.last_entry,
			});
		}
		out.sort_by_key(|k| k.key_id);
		Ok(out)
	}
}
