//! Blocks decoded for people: each extrinsic's call, signer and result, each event with its
//! fields as short text (byte strings as UTF-8 where they are, 32-byte values as hex).

use accesslog_client::{format::ss58, runtime, Client};
use serde::Serialize;
use subxt::{
	backend::BlockRef,
	ext::scale_value::{Composite, Primitive, Value, ValueDef},
	utils::H256,
};
use subxt_rpcs::rpc_params;

/// One extrinsic of a block, decoded from the metadata.
#[derive(Clone, Debug, Serialize)]
pub struct ExtrinsicView {
	/// Its index in the block.
	pub index: usize,
	/// `Pallet.call`.
	pub call: String,
	/// The signer (SS58), for signed transactions.
	pub signer: Option<String>,
	/// Its hash, 0x-hex.
	pub hash: String,
	/// Whether its call succeeded (`None`: inherent or unknown).
	pub ok: Option<bool>,
}

/// One event of a block.
#[derive(Clone, Debug, Serialize)]
pub struct EventView {
	/// The extrinsic it belongs to (`None`: initialization or finalization).
	pub extrinsic: Option<u32>,
	/// `Pallet.Event`.
	pub name: String,
	/// Its fields, as text.
	pub fields: String,
}

/// A block as the blocks page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct BlockView {
	/// Number.
	pub number: u64,
	/// Hash, 0x-hex.
	pub hash: String,
	/// Parent hash, 0x-hex.
	pub parent: String,
	/// The timestamp its author set, ms since the epoch.
	pub time_ms: Option<u64>,
	/// Its extrinsics.
	pub extrinsics: Vec<ExtrinsicView>,
	/// Its events, system bookkeeping (`System.ExtrinsicSuccess`) left out.
	pub events: Vec<EventView>,
	/// Entries it stored.
	pub entries: u64,
}

/// Block `number` of the best chain, decoded.
pub async fn block_at(client: &Client, number: u64) -> Result<Option<BlockView>, String> {
	let hash: Option<H256> = client
		.rpc()
		.request("chain_getBlockHash", rpc_params![number])
		.await
		.map_err(|e| e.to_string())?;
	match hash {
		Some(hash) => block(client, hash).await.map(Some),
		None => Ok(None),
	}
}

/// Block `hash`, decoded.
pub async fn block(client: &Client, hash: H256) -> Result<BlockView, String> {
	let at = client.api().at_block(BlockRef::from_hash(hash)).await.map_err(|e| e.to_string())?;
	let header = at.block_header().await.map_err(|e| e.to_string())?;
	let extrinsics = at.extrinsics().fetch().await.map_err(|e| e.to_string())?;
	let events = at.events().fetch().await.map_err(|e| e.to_string())?;
	let mut view = BlockView {
		number: at.block_number(),
		hash: hex(hash.as_bytes()),
		parent: hex(header.parent_hash.as_bytes()),
		time_ms: None,
		extrinsics: Vec::new(),
		events: Vec::new(),
		entries: 0,
	};
	let mut outcome = std::collections::HashMap::new();
	for event in events.iter() {
		let event = event.map_err(|e| e.to_string())?;
		let extrinsic = match event.phase() {
			subxt::events::Phase::ApplyExtrinsic(i) => Some(i),
			_ => None,
		};
		let (pallet, name) = (event.pallet_name(), event.event_name());
		if pallet == "System" && (name == "ExtrinsicSuccess" || name == "ExtrinsicFailed") {
			if let Some(i) = extrinsic {
				outcome.insert(i as usize, name == "ExtrinsicSuccess");
			}
			if name == "ExtrinsicSuccess" {
				continue;
			}
		}
		if let Some(Ok(e)) = event.decode_fields_as::<runtime::access_log::events::EntriesStored>()
		{
			view.entries += u64::from(e.count);
		}
		let fields = event
			.decode_fields_unchecked_as::<Composite<()>>()
			.map(|c| composite_text(&c))
			.unwrap_or_else(|e| format!("(undecodable: {e})"));
		view.events.push(EventView { extrinsic, name: format!("{pallet}.{name}"), fields });
	}
	for ext in extrinsics.iter() {
		let ext = ext.map_err(|e| e.to_string())?;
		if let Some(Ok(set)) = ext.decode_call_data_fields_as::<runtime::timestamp::calls::Set>() {
			view.time_ms = Some(set.now);
		}
		let signer = ext.address_bytes().and_then(|a| match a {
			[0, key @ ..] if key.len() == 32 => {
				Some(ss58::encode(key.try_into().expect("32 bytes; qed")))
			},
			_ => None,
		});
		let index = ext.index();
		view.extrinsics.push(ExtrinsicView {
			index,
			call: format!("{}.{}", ext.pallet_name(), ext.call_name()),
			ok: if ext.is_signed() { outcome.get(&index).copied() } else { None },
			signer,
			hash: hex(ext.hash().as_bytes()),
		});
	}
	Ok(view)
}

fn hex(bytes: &[u8]) -> String {
	accesslog_client::rpc_types::hex(bytes)
}

/// A decoded value as short text: byte strings as UTF-8 text where they are, 32-byte arrays as
/// hex, composites as `{ name: value, … }`.
pub fn value_text(v: &Value<()>) -> String {
	match &v.value {
		ValueDef::Composite(c) => composite_text(c),
		ValueDef::Variant(var) => {
			let inner = composite_text(&var.values);
			if inner.is_empty() || inner == "()" {
				var.name.clone()
			} else {
				format!("{}{inner}", var.name)
			}
		},
		ValueDef::Primitive(Primitive::String(s)) => format!("{s:?}"),
		ValueDef::Primitive(p) => p.to_string(),
		ValueDef::BitSequence(_) => "(bits)".into(),
	}
}

/// A composite as short text (see [`value_text`]).
pub fn composite_text(c: &Composite<()>) -> String {
	let values: Vec<&Value<()>> = c.values().collect();
	let unnamed = matches!(c, Composite::Unnamed(_));
	if let Some(bytes) = as_bytes(&values).filter(|_| unnamed) {
		if bytes.len() == 32 {
			return hex(&bytes);
		}
		if let Ok(text) = std::str::from_utf8(&bytes) {
			return format!("{text:?}");
		}
		return hex(&bytes);
	}
	match c {
		Composite::Named(fields) => {
			let inner: Vec<String> =
				fields.iter().map(|(k, v)| format!("{k}: {}", value_text(v))).collect();
			format!("{{ {} }}", inner.join(", "))
		},
		Composite::Unnamed(values) if values.len() == 1 => value_text(&values[0]),
		Composite::Unnamed(values) => {
			let inner: Vec<String> = values.iter().map(value_text).collect();
			format!("({})", inner.join(", "))
		},
	}
}

fn as_bytes(values: &[&Value<()>]) -> Option<Vec<u8>> {
	if values.is_empty() {
		return None;
	}
	values
		.iter()
		.map(|v| match &v.value {
			ValueDef::Primitive(Primitive::U128(n)) => u8::try_from(*n).ok(),
			_ => None,
		})
		.collect()
}
