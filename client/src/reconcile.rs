//! What the chain already holds of a source: the submitter's own source, and its entries by
//! sequence number. Every submitter reconciles with these before (re)submitting, so a record is
//! never stored twice and a reused sequence number is found.

use crate::{
	query::Query,
	rpc_types::{EntryJson, SourceJson},
	Client, Error, Result,
};
use std::collections::HashMap;

/// Sequence numbers closer than this are read in one range query.
const RUN_GAP: u64 = 1_000;

impl Client {
	/// The source `account` may write for. Refused ([`Error::Refused`]) when the account is not
	/// an authorized submitter or was revoked, with what to ask the council for.
	pub async fn authorized_source(&self, account: &str) -> Result<SourceJson> {
		let rpc = self.query();
		let me = rpc.submitters().await?.into_iter().find(|s| s.account == account);
		let me = match me {
			Some(s) if s.active => s,
			Some(_) => {
				return Err(Error::Refused(format!(
					"{account} was revoked as a submitter; ask the council to authorize a key"
				)))
			},
			None => {
				return Err(Error::Refused(format!(
					"{account} is not an authorized submitter; ask the council to authorize it \
					 (`accesslog admin authorize {account} --source <id>`)"
				)))
			},
		};
		rpc.sources().await?.into_iter().find(|s| s.id == me.source).ok_or_else(|| {
			Error::Invalid(format!("the submitter's source {} does not exist", me.source))
		})
	}

	/// The entries of `source` with the sequence numbers `seqs`, by sequence number, at block
	/// `at` (`0x`-hex hash; the best block when `None`). Nearby sequence numbers are read in one
	/// range query each.
	pub async fn entries_by_seq(
		&self,
		source: u32,
		seqs: impl IntoIterator<Item = u64>,
		at: Option<&str>,
	) -> Result<HashMap<u64, EntryJson>> {
		let mut seqs: Vec<u64> = seqs.into_iter().collect();
		seqs.sort_unstable();
		seqs.dedup();
		let mut runs: Vec<(u64, u64)> = Vec::new();
		for s in seqs {
			match runs.last_mut() {
				Some((_, to)) if s <= to.saturating_add(RUN_GAP) => *to = s,
				_ => runs.push((s, s)),
			}
		}
		let mut out = HashMap::new();
		for (from, to) in runs {
			let rpc = match at {
				Some(h) => self.query().at(h.to_string()),
				None => self.query(),
			};
			for e in rpc.all(&Query::Sequence { source, from, to }).await? {
				out.insert(e.seq, e);
			}
		}
		Ok(out)
	}
}
