//! The `accessLog_*` JSON-RPC namespace: auditors' queries over the access log.
//!
//! Every query is answered by the runtime (through [`AccessLogApi`]) at the best block, or at the
//! block given as `at`. Lists are paginated: a page holds at most `limit` items (default
//! [`DEFAULT_PAGE_SIZE`], at most [`MAX_PAGE_SIZE`]); when more remain, `next_cursor` is set, and
//! passing it back as `cursor` returns the next page.
//!
//! Errors are JSON-RPC errors with stable codes, listed in [`codes`].
//!
//! `accessLog_summary` and `accessLog_entries` serve an auditor's large result sets: the ids and
//! counts of up to [`MAX_SUMMARY`] matching entries, then the entries of one page by id. Given a
//! [`Native`] (the node's own copy of the pallet), they run natively when that copy is the
//! chain's runtime; through the runtime API otherwise (see [`Indexes`] and [`summarize`]).

mod summary;

use std::{fmt::Display, marker::PhantomData, sync::Arc};

pub use summary::{
	entries, hour_of, ids, summarize, summarize_facts, Fact, FactSink, IndexQuery, Indexes, Native,
};

pub use access_log_rpc_types::*;
pub use access_log_runtime_api::AccessLogApi;
use access_log_runtime_api::{EntryId, Hash32, Page};
use accesslog_format::layout::{self, decode_all};
use codec::{Codec, Decode, Encode};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::error::ErrorObjectOwned};
use polkadot_sdk::{
	sp_api::{ApiError, ApiRef, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
	sp_runtime::traits::Block as BlockT,
};

/// The `accessLog_*` methods.
#[rpc(client, server)]
pub trait AccessLogRpc<BlockHash> {
	/// The entry with this id, or `null`.
	#[method(name = "accessLog_entry")]
	fn entry(&self, id: EntryId, at: Option<BlockHash>) -> RpcResult<Option<EntryJson>>;

	/// Totals of the log.
	#[method(name = "accessLog_stats")]
	fn stats(&self, at: Option<BlockHash>) -> RpcResult<StatsJson>;

	/// Accesses to one citizen's data (by citizen reference), oldest first.
	#[method(name = "accessLog_byCitizen")]
	fn by_citizen(
		&self,
		citizen_ref: String,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<EntryPage>;

	/// Accesses by one official (by accessor reference), oldest first.
	#[method(name = "accessLog_byAccessor")]
	fn by_accessor(
		&self,
		accessor_ref: String,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<EntryPage>;

	/// Entries of `source` with `from_seq <= seq <= to_seq`, in sequence order.
	#[method(name = "accessLog_bySequence")]
	fn by_sequence(
		&self,
		source: u32,
		from_seq: u64,
		to_seq: u64,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<EntryPage>;

	/// Entries with `from_ms <= occurred_at <= to_ms` (ms since the epoch), by second of
	/// `occurred_at`, then by entry id.
	#[method(name = "accessLog_byTime")]
	fn by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<EntryPage>;

	/// The ids of up to `limit` (default and most [`MAX_SUMMARY`]) entries matching `query`
	/// (only those of `agency`, when given), in the index's order, with counts per hour,
	/// agency, action and purpose, and the block it was answered at.
	#[method(name = "accessLog_summary")]
	fn summary(
		&self,
		query: QueryJson,
		agency: Option<String>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<SummaryJson>;

	/// The ids of up to `limit` (default and most [`MAX_SUMMARY`]) entries matching `query`, in
	/// the index's order, read from the index alone (no entry is read), and the block it was
	/// answered at.
	#[method(name = "accessLog_ids")]
	fn ids(
		&self,
		query: QueryJson,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<IdsJson>;

	/// The entries with these ids (at most [`MAX_IDS`]), in the order given; `null` for an id
	/// not stored.
	#[method(name = "accessLog_entries")]
	fn entries(
		&self,
		ids: Vec<EntryId>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Option<EntryJson>>>;

	/// All sources, with entry counts and highest sequence.
	#[method(name = "accessLog_sources")]
	fn sources(&self, at: Option<BlockHash>) -> RpcResult<Vec<SourceJson>>;

	/// All submitters, active and revoked.
	#[method(name = "accessLog_submitters")]
	fn submitters(&self, at: Option<BlockHash>) -> RpcResult<Vec<SubmitterJson>>;
}

/// Implementation of [`AccessLogRpcServer`] over a client with the runtime API, for a chain with
/// the given block, account id and block number types.
pub struct AccessLog<C, B: BlockT, AccountId, BlockNumber> {
	client: Arc<C>,
	native: Option<Arc<dyn Native<B::Hash>>>,
	_types: Types<B, AccountId, BlockNumber>,
}

/// The chain's types, carried without being held.
type Types<B, AccountId, BlockNumber> = PhantomData<fn() -> (B, AccountId, BlockNumber)>;

impl<C, B: BlockT, AccountId, BlockNumber> AccessLog<C, B, AccountId, BlockNumber> {
	/// Serve queries from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, native: None, _types: Default::default() }
	}

	/// Answer summaries and entry batches natively with `native` where it matches the chain.
	pub fn with_native(mut self, native: Arc<dyn Native<B::Hash>>) -> Self {
		self.native = Some(native);
		self
	}
}

/// [`Indexes`] answered by the runtime API at one block.
struct ViaRuntime<'a, Api, Block: BlockT, AccountId, BlockNumber> {
	api: ApiRef<'a, Api>,
	at: Block::Hash,
	_types: Types<Block, AccountId, BlockNumber>,
}

impl<Api, Block, AccountId, BlockNumber> Indexes
	for ViaRuntime<'_, Api, Block, AccountId, BlockNumber>
where
	Block: BlockT,
	Api: AccessLogApi<Block, AccountId, BlockNumber>,
	AccountId: Codec,
	BlockNumber: Codec,
{
	type Entry = access_log_runtime_api::Entry<AccountId, BlockNumber>;

	fn entry(&self, id: EntryId) -> Result<Option<Self::Entry>, String> {
		self.api.entry(self.at, id).map_err(|e| e.to_string())
	}

	fn by_citizen(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, Self::Entry>, String> {
		self.api.entries_by_citizen(self.at, r, after, limit).map_err(|e| e.to_string())
	}

	fn by_accessor(
		&self,
		r: Hash32,
		after: Option<EntryId>,
		limit: u32,
	) -> Result<Page<EntryId, Self::Entry>, String> {
		self.api.entries_by_accessor(self.at, r, after, limit).map_err(|e| e.to_string())
	}

	fn by_seq(
		&self,
		source: u32,
		from: u64,
		to: u64,
		after: Option<u64>,
		limit: u32,
	) -> Result<Page<u64, Self::Entry>, String> {
		self.api.entries_by_seq(self.at, source, from, to, after, limit).map_err(|e| e.to_string())
	}

	fn by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		after: Option<access_log_runtime_api::TimeCursor>,
		limit: u32,
	) -> Result<Page<access_log_runtime_api::TimeCursor, Self::Entry>, String> {
		self.api.entries_by_time(self.at, from_ms, to_ms, after, limit).map_err(|e| e.to_string())
	}
}

/// A summary's or an id scan's `limit`, checked.
fn summary_limit(limit: Option<u32>) -> Result<u32, ErrorObjectOwned> {
	match limit.unwrap_or(MAX_SUMMARY) {
		l @ 1..=MAX_SUMMARY => Ok(l),
		l => Err(error(
			codes::BAD_LIMIT,
			format!("limit must be between 1 and {MAX_SUMMARY}, got {l}"),
		)),
	}
}

fn query_error(e: String) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(codes::RUNTIME_ERROR, "query failed", Some(e))
}

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

fn runtime_error(e: ApiError) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(codes::RUNTIME_ERROR, "runtime query failed", Some(e.to_string()))
}

/// Parse a 32-byte reference given as 64 hex digits, with or without `0x`.
pub fn parse_ref(s: &str) -> Result<Hash32, ErrorObjectOwned> {
	parse_hex32(s).ok_or_else(|| {
		error(
			codes::BAD_REFERENCE,
			format!("reference must be 32 bytes as 64 hex digits (0x-prefixed), got {s:?}"),
		)
	})
}

fn page_size(limit: Option<u32>) -> Result<u32, ErrorObjectOwned> {
	match limit.unwrap_or(DEFAULT_PAGE_SIZE) {
		l @ 1..=MAX_PAGE_SIZE => Ok(l),
		l => Err(error(
			codes::BAD_PAGE_SIZE,
			format!("limit must be between 1 and {MAX_PAGE_SIZE}, got {l}"),
		)),
	}
}

/// Cursors are opaque to clients; they carry the kind of query they belong to.
fn parse_cursor<T>(
	cursor: Option<String>,
	kind: char,
	parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ErrorObjectOwned> {
	let Some(c) = cursor else { return Ok(None) };
	c.strip_prefix(kind).and_then(parse).map(Some).ok_or_else(|| {
		error(
			codes::BAD_CURSOR,
			format!("cursor {c:?} is not a cursor of this query: pass back a nextCursor unchanged"),
		)
	})
}

fn id_cursor(c: Option<String>) -> Result<Option<u64>, ErrorObjectOwned> {
	parse_cursor(c, 'e', |s| s.parse().ok())
}

impl<C, Block, AccountId, BlockNumber> AccessLog<C, Block, AccountId, BlockNumber>
where
	Block: BlockT,
	C: HeaderBackend<Block> + ProvideRuntimeApi<Block>,
{
	/// The runtime API at `at`, as [`Indexes`].
	fn via_runtime(
		&self,
		at: Block::Hash,
	) -> ViaRuntime<'_, C::Api, Block, AccountId, BlockNumber> {
		ViaRuntime { api: self.client.runtime_api(), at, _types: PhantomData }
	}

	/// The block to answer at: `at`, if this node knows it, or the best block.
	fn at(&self, at: Option<Block::Hash>) -> Result<Block::Hash, ErrorObjectOwned> {
		match at {
			None => Ok(self.client.info().best_hash),
			Some(hash) => match self.client.header(hash) {
				Ok(Some(_)) => Ok(hash),
				_ => Err(error(
					codes::UNKNOWN_BLOCK,
					format!("block {hash:?} is not known to this node"),
				)),
			},
		}
	}
}

/// `value` (as the runtime API answers it) read in the format crate's layout `T`: the one
/// place that turns the chain's entries and sources into their JSON.
fn in_layout<T: Decode>(what: &str, value: impl Encode) -> Result<T, ErrorObjectOwned> {
	decode_all(&value.encode()).map_err(|e| {
		error(codes::RUNTIME_ERROR, format!("{what} is not in the layout clients read: {e}"))
	})
}

fn entry_json(id: EntryId, e: impl Encode) -> Result<EntryJson, ErrorObjectOwned> {
	Ok(in_layout::<layout::Entry>(&format!("entry {id}"), e)?.to_json(id))
}

fn page_json<Cur, E: Encode>(
	page: Page<Cur, E>,
	cursor: impl Fn(Cur) -> String,
) -> Result<EntryPage, ErrorObjectOwned> {
	Ok(EntryPage {
		items: page.items.into_iter().map(|(id, e)| entry_json(id, e)).collect::<Result<_, _>>()?,
		next_cursor: page.next.map(cursor),
	})
}

impl<C, Block, AccountId, BlockNumber> AccessLogRpcServer<Block::Hash>
	for AccessLog<C, Block, AccountId, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: AccessLogApi<Block, AccountId, BlockNumber>,
	AccountId: Codec + Display + Send + Sync + 'static,
	BlockNumber: Codec + Copy + Into<u64> + Send + Sync + 'static,
{
	fn entry(&self, id: EntryId, at: Option<Block::Hash>) -> RpcResult<Option<EntryJson>> {
		let at = self.at(at)?;
		let entry = self.client.runtime_api().entry(at, id).map_err(runtime_error)?;
		entry.map(|e| entry_json(id, e)).transpose()
	}

	fn stats(&self, at: Option<Block::Hash>) -> RpcResult<StatsJson> {
		let at = self.at(at)?;
		let entries = self.client.runtime_api().entry_count(at).map_err(runtime_error)?;
		Ok(StatsJson { entries, at: hex(at.as_ref()) })
	}

	fn by_citizen(
		&self,
		citizen_ref: String,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<EntryPage> {
		let (r, after, limit, at) =
			(parse_ref(&citizen_ref)?, id_cursor(cursor)?, page_size(limit)?, self.at(at)?);
		let page = self
			.client
			.runtime_api()
			.entries_by_citizen(at, r, after, limit)
			.map_err(runtime_error)?;
		page_json(page, |id| format!("e{id}"))
	}

	fn by_accessor(
		&self,
		accessor_ref: String,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<EntryPage> {
		let (r, after, limit, at) =
			(parse_ref(&accessor_ref)?, id_cursor(cursor)?, page_size(limit)?, self.at(at)?);
		let page = self
			.client
			.runtime_api()
			.entries_by_accessor(at, r, after, limit)
			.map_err(runtime_error)?;
		page_json(page, |id| format!("e{id}"))
	}

	fn by_sequence(
		&self,
		source: u32,
		from_seq: u64,
		to_seq: u64,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<EntryPage> {
		if from_seq > to_seq {
			return Err(error(
				codes::BAD_RANGE,
				format!("fromSeq {from_seq} is after toSeq {to_seq}"),
			));
		}
		let after = parse_cursor(cursor, 's', |s| s.parse().ok())?;
		let (limit, at) = (page_size(limit)?, self.at(at)?);
		let page = self
			.client
			.runtime_api()
			.entries_by_seq(at, source, from_seq, to_seq, after, limit)
			.map_err(runtime_error)?;
		page_json(page, |seq| format!("s{seq}"))
	}

	fn by_time(
		&self,
		from_ms: u64,
		to_ms: u64,
		cursor: Option<String>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<EntryPage> {
		if from_ms > to_ms {
			return Err(error(codes::BAD_RANGE, format!("fromMs {from_ms} is after toMs {to_ms}")));
		}
		let after = parse_cursor(cursor, 't', |s| {
			let (ts, id) = s.split_once('.')?;
			Some((ts.parse().ok()?, id.parse().ok()?))
		})?;
		let (limit, at) = (page_size(limit)?, self.at(at)?);
		let page = self
			.client
			.runtime_api()
			.entries_by_time(at, from_ms, to_ms, after, limit)
			.map_err(runtime_error)?;
		page_json(page, |(ts, id)| format!("t{ts}.{id}"))
	}

	fn summary(
		&self,
		query: QueryJson,
		agency: Option<String>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<SummaryJson> {
		let (query, limit) = (IndexQuery::parse(&query)?, summary_limit(limit)?);
		let at = self.at(at)?;
		let agency = agency.as_deref();
		let native = self.native.as_ref().and_then(|n| n.summary(at, &query, agency, limit));
		let mut summary = match native {
			Some(answer) => answer,
			None => summarize(&self.via_runtime(at), &query, agency, limit),
		}
		.map_err(query_error)?;
		summary.at = hex(at.as_ref());
		Ok(summary)
	}

	fn ids(
		&self,
		query: QueryJson,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<IdsJson> {
		let (query, limit) = (IndexQuery::parse(&query)?, summary_limit(limit)?);
		let at = self.at(at)?;
		let native = self.native.as_ref().and_then(|n| n.ids(at, &query, limit));
		let mut found = match native {
			Some(answer) => answer,
			None => ids(&self.via_runtime(at), &query, limit),
		}
		.map_err(query_error)?;
		found.at = hex(at.as_ref());
		Ok(found)
	}

	fn entries(
		&self,
		ids: Vec<EntryId>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<Option<EntryJson>>> {
		if ids.len() > MAX_IDS as usize {
			return Err(error(
				codes::BAD_LIMIT,
				format!("at most {MAX_IDS} ids per call, got {}", ids.len()),
			));
		}
		let at = self.at(at)?;
		let native = self.native.as_ref().and_then(|n| n.entries(at, &ids));
		let found = match native {
			Some(answer) => answer,
			None => entries(&self.via_runtime(at), &ids),
		}
		.map_err(query_error)?;
		ids.iter()
			.zip(found)
			.map(|(id, e)| {
				e.map(|bytes| {
					let entry: layout::Entry = decode_all(&bytes).map_err(|err| {
						error(
							codes::RUNTIME_ERROR,
							format!("entry {id} is not in the layout clients read: {err}"),
						)
					})?;
					Ok(entry.to_json(*id))
				})
				.transpose()
			})
			.collect()
	}

	fn sources(&self, at: Option<Block::Hash>) -> RpcResult<Vec<SourceJson>> {
		let at = self.at(at)?;
		let sources = self.client.runtime_api().sources(at).map_err(runtime_error)?;
		sources
			.into_iter()
			.map(|(id, s)| {
				Ok(in_layout::<layout::SourceInfo>(&format!("source {id}"), s)?.to_json(id))
			})
			.collect()
	}

	fn submitters(&self, at: Option<Block::Hash>) -> RpcResult<Vec<SubmitterJson>> {
		let at = self.at(at)?;
		let all = self.client.runtime_api().submitters(at).map_err(runtime_error)?;
		Ok(all
			.into_iter()
			.map(|(who, s)| SubmitterJson {
				account: who.to_string(),
				source: s.source,
				active: s.active,
				changed_at: s.changed_at.into(),
			})
			.collect())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn references_parse_with_and_without_prefix() {
		let s = format!("0x{}", "ab".repeat(32));
		assert_eq!(parse_ref(&s).unwrap(), [0xab; 32]);
		assert_eq!(parse_ref(&"ab".repeat(32)).unwrap(), [0xab; 32]);
		assert_eq!(hex(&[0xab; 32]), s);
	}

	#[test]
	fn bad_references_get_the_reference_code() {
		for bad in ["", "0x12", &"zz".repeat(32), &"ab".repeat(33), "0x中文中文"] {
			assert_eq!(parse_ref(bad).unwrap_err().code(), codes::BAD_REFERENCE, "{bad}");
		}
	}

	#[test]
	fn page_size_limit_matches_the_runtime() {
		assert_eq!(MAX_PAGE_SIZE, access_log_runtime_api::MAX_PAGE_SIZE);
	}

	#[test]
	fn page_sizes_are_checked() {
		assert_eq!(page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
		assert_eq!(page_size(Some(MAX_PAGE_SIZE)).unwrap(), MAX_PAGE_SIZE);
		assert_eq!(page_size(Some(0)).unwrap_err().code(), codes::BAD_PAGE_SIZE);
		assert_eq!(page_size(Some(MAX_PAGE_SIZE + 1)).unwrap_err().code(), codes::BAD_PAGE_SIZE);
	}

	#[test]
	fn cursors_of_another_kind_are_refused() {
		assert_eq!(id_cursor(Some("e42".into())).unwrap(), Some(42));
		assert_eq!(id_cursor(None).unwrap(), None);
		for bad in ["42", "s42", "e", "e-1", "t1.2"] {
			assert_eq!(id_cursor(Some(bad.into())).unwrap_err().code(), codes::BAD_CURSOR, "{bad}");
		}
	}
}
