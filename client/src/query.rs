//! Typed access to the node's `accessLog_*` RPC, with paging handled for the caller.

use crate::{
	rpc_types::{
		EntryJson, EntryPage, IdsJson, QueryJson, SourceJson, StatsJson, SubmitterJson, SummaryJson,
	},
	Client, Error, Result,
};
use serde::de::DeserializeOwned;
use subxt_rpcs::{client::RpcParams, rpc_params};

/// Which index a paged query walks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
	/// Accesses to one citizen's data, by citizen reference.
	Citizen([u8; 32]),
	/// Accesses by one official, by accessor reference.
	Accessor([u8; 32]),
	/// A source's entries with sequence numbers in `from..=to`.
	Sequence {
		/// Source id.
		source: u32,
		/// First sequence number.
		from: u64,
		/// Last sequence number.
		to: u64,
	},
	/// Entries with `from_ms <= occurred_at <= to_ms`.
	Time {
		/// Start, ms since the epoch.
		from_ms: u64,
		/// End, ms since the epoch.
		to_ms: u64,
	},
}

impl Query {
	/// The query as `accessLog_summary` takes it.
	pub fn to_json(&self) -> QueryJson {
		let hex = |r: &[u8; 32]| crate::rpc_types::hex(r);
		match *self {
			Query::Citizen(r) => QueryJson::Citizen(hex(&r)),
			Query::Accessor(r) => QueryJson::Accessor(hex(&r)),
			Query::Sequence { source, from, to } => QueryJson::Sequence { source, from, to },
			Query::Time { from_ms, to_ms } => QueryJson::Time { from_ms, to_ms },
		}
	}
}

/// The RPC view of a client.
pub struct AccessLogRpc<'a> {
	client: &'a Client,
	at: Option<String>,
}

impl Client {
	/// The `accessLog_*` RPC at the best block.
	pub fn query(&self) -> AccessLogRpc<'_> {
		AccessLogRpc { client: self, at: None }
	}
}

fn rpc_error(e: subxt_rpcs::Error) -> Error {
	// The node's JSON-RPC errors carry our stable codes; keep them as data, not text.
	match e {
		subxt_rpcs::Error::User(u) => Error::Rpc { code: u.code, message: u.message },
		other => Error::Transport(other),
	}
}

impl AccessLogRpc<'_> {
	/// Answer at this block (0x-hex hash) instead of the best block.
	pub fn at(mut self, block_hash: impl Into<String>) -> Self {
		self.at = Some(block_hash.into());
		self
	}

	async fn call<T: DeserializeOwned>(&self, method: &str, mut params: RpcParams) -> Result<T> {
		params.push(self.at.clone()).map_err(Error::Transport)?;
		self.client.rpc().request(method, params).await.map_err(rpc_error)
	}

	/// One entry by id.
	pub async fn entry(&self, id: u64) -> Result<Option<EntryJson>> {
		self.call("accessLog_entry", rpc_params![id]).await
	}

	/// Totals.
	pub async fn stats(&self) -> Result<StatsJson> {
		self.call("accessLog_stats", rpc_params![]).await
	}

	/// All sources.
	pub async fn sources(&self) -> Result<Vec<SourceJson>> {
		self.call("accessLog_sources", rpc_params![]).await
	}

	/// All submitters.
	pub async fn submitters(&self) -> Result<Vec<SubmitterJson>> {
		self.call("accessLog_submitters", rpc_params![]).await
	}

	/// One page of `query`, starting after `cursor`.
	pub async fn page(
		&self,
		query: &Query,
		cursor: Option<String>,
		limit: Option<u32>,
	) -> Result<EntryPage> {
		let hex = |r: &[u8; 32]| crate::rpc_types::hex(r);
		match query {
			Query::Citizen(r) => {
				self.call("accessLog_byCitizen", rpc_params![hex(r), cursor, limit]).await
			},
			Query::Accessor(r) => {
				self.call("accessLog_byAccessor", rpc_params![hex(r), cursor, limit]).await
			},
			Query::Sequence { source, from, to } => {
				self.call("accessLog_bySequence", rpc_params![source, from, to, cursor, limit])
					.await
			},
			Query::Time { from_ms, to_ms } => {
				self.call("accessLog_byTime", rpc_params![from_ms, to_ms, cursor, limit]).await
			},
		}
	}

	/// The ids of up to `limit` entries matching `query` (only `agency`'s, when given), with
	/// counts per hour, agency, action and purpose.
	pub async fn summary(
		&self,
		query: &Query,
		agency: Option<&str>,
		limit: Option<u32>,
	) -> Result<SummaryJson> {
		self.call("accessLog_summary", rpc_params![query.to_json(), agency, limit]).await
	}

	/// The ids of up to `limit` entries matching `query`, read from its index alone.
	pub async fn ids(&self, query: &Query, limit: Option<u32>) -> Result<IdsJson> {
		self.call("accessLog_ids", rpc_params![query.to_json(), limit]).await
	}

	/// The entries with these ids (at most [`crate::rpc_types::MAX_IDS`]), `None` for an id not
	/// stored.
	pub async fn entries(&self, ids: &[u64]) -> Result<Vec<Option<EntryJson>>> {
		self.call("accessLog_entries", rpc_params![ids]).await
	}

	/// Every entry matching `query`, following cursors page by page.
	pub async fn all(&self, query: &Query) -> Result<Vec<EntryJson>> {
		let mut out = Vec::new();
		let mut cursor = None;
		loop {
			let page = self.page(query, cursor, Some(crate::rpc_types::MAX_PAGE_SIZE)).await?;
			out.extend(page.items);
			match page.next_cursor {
				Some(next) => cursor = Some(next),
				None => return Ok(out),
			}
		}
	}
}
