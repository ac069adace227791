//! The platform's access-log records: parsing, validation and conversion to chain entries.
//!
//! A record is one JSON object per line, as the city data platform's API gateway logs it:
//!
//! ```json
//! {"ts":"2026-11-20T08:00:00.412+08:00","request_id":"…","source":"kcg-household-api","seq":1,
//!  "agency":"高雄市政府社會局","system":"社會福利補助審核系統","client_id":"ksw-subsidy",
//!  "user_id":"KSW-12345","citizen_id":"E141777632","method":"GET",
//!  "api":"/household/v1/persons/{id}","api_name":"個人戶籍資料查詢","purpose":"019",
//!  "status":200,"records":1,"client_ip":"10.20.1.2","latency_ms":33.1}
//! ```
//!
//! [`parse_line`] checks everything a record must satisfy and names the first field that does
//! not; [`PlatformRecord::to_entry`] pseudonymises it. Unknown fields are accepted (and covered by
//! the record hash, which is taken over the line exactly as received).

pub use crate::{
	blake2_256,
	limits::{MAX_LINE_LEN, MAX_TEXT_LEN},
};
use crate::{
	limits::MAX_CLOCK_SKEW_MS,
	pseudonym::{NationalId, PseudonymKey},
	RecordInput,
};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::{collections::BTreeMap, fmt};

/// Why a line is not a valid record: the field and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RecordError {
	/// The offending field (`line` for the line as a whole).
	pub field: &'static str,
	/// What is wrong with it.
	pub reason: String,
}

fn err(field: &'static str, reason: impl Into<String>) -> RecordError {
	RecordError { field, reason: reason.into() }
}

/// A validated platform record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformRecord {
	/// When the access happened, ms since the Unix epoch.
	pub occurred_at: u64,
	/// The platform's request id.
	pub request_id: String,
	/// The source's name.
	pub source: String,
	/// The source's sequence number.
	pub seq: u64,
	/// Calling agency.
	pub agency: String,
	/// Calling system.
	pub system: String,
	/// The official's ID (pseudonymised before it leaves this process).
	pub user_id: String,
	/// The citizen's national ID (pseudonymised before it leaves this process).
	pub citizen_id: NationalId,
	/// `METHOD path`.
	pub action: String,
	/// PDPA purpose code.
	pub purpose: String,
	/// HTTP status.
	pub status: u16,
	/// Number of personal records returned.
	pub records: u32,
	/// blake2-256 of the raw line.
	pub record_hash: [u8; 32],
}

/// The members of a JSON object in order; a repeated key is an error (a second `citizen_id`
/// must not silently replace the first). The one JSON reader of the platform's records: the
/// gateway maps fields with it before [`parse_line`], which reads the record with it too.
pub fn object_entries(raw: &str) -> Result<Vec<(String, Value)>, RecordError> {
	struct Entries;
	impl<'de> Visitor<'de> for Entries {
		type Value = Vec<(String, Value)>;
		fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
			f.write_str("a JSON object")
		}
		fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
			let mut out: Vec<(String, Value)> = Vec::new();
			while let Some((k, v)) = map.next_entry::<String, Value>()? {
				if out.iter().any(|(seen, _)| *seen == k) {
					return Err(serde::de::Error::custom(format!("duplicate field `{k}`")));
				}
				out.push((k, v));
			}
			Ok(out)
		}
	}
	if raw.trim().is_empty() {
		return Err(err("line", "empty"));
	}
	let mut de = serde_json::Deserializer::from_str(raw);
	let entries = de.deserialize_map(Entries).map_err(|e| {
		if e.is_syntax() || e.is_eof() {
			err("line", format!("not valid JSON: {e}"))
		} else {
			err("line", e.to_string())
		}
	})?;
	de.end().map_err(|e| err("line", format!("not valid JSON: {e}")))?;
	Ok(entries)
}

fn text(field: &'static str, v: Option<Value>, max: usize) -> Result<String, RecordError> {
	let s = match v {
		None | Some(Value::Null) => return Err(err(field, "missing")),
		Some(Value::String(s)) => s,
		Some(other) => return Err(err(field, format!("must be a string, got {}", kind(&other)))),
	};
	if s.is_empty() {
		return Err(err(field, "empty"));
	}
	if s.len() > max {
		return Err(err(field, format!("{} bytes, at most {max} allowed", s.len())));
	}
	if s.chars().any(char::is_control) {
		return Err(err(field, "contains control characters"));
	}
	Ok(s)
}

fn integer(field: &'static str, v: Option<Value>) -> Result<u64, RecordError> {
	match v {
		None | Some(Value::Null) => Err(err(field, "missing")),
		Some(Value::Number(n)) => {
			n.as_u64().ok_or_else(|| err(field, format!("must be a non-negative integer, got {n}")))
		},
		Some(other) => Err(err(field, format!("must be an integer, got {}", kind(&other)))),
	}
}

fn kind(v: &Value) -> &'static str {
	match v {
		Value::Null => "null",
		Value::Bool(_) => "a boolean",
		Value::Number(_) => "a number",
		Value::String(_) => "a string",
		Value::Array(_) => "an array",
		Value::Object(_) => "an object",
	}
}

/// Parse and validate one line, given the current time in ms since the epoch.
pub fn parse_line(line: &str, now_ms: u64) -> Result<PlatformRecord, RecordError> {
	check_line(line)?;
	// From the text, not a parsed value: a repeated key (a second `citizen_id` smuggled in
	// front of the real one) is an error here, where a JSON object would keep only the last.
	let fields = object_entries(line).map_err(|e| match serde_json::from_str::<Value>(line) {
		Ok(v) if !v.is_object() => err("line", format!("must be a JSON object, got {}", kind(&v))),
		_ => e,
	})?;
	parse_fields(fields, blake2_256(line.as_bytes()), now_ms)
}

/// Whether a raw line may be read at all: not blank, at most [`MAX_LINE_LEN`] bytes.
pub fn check_line(line: &str) -> Result<(), RecordError> {
	if line.trim().is_empty() {
		return Err(err("line", "empty"));
	}
	if line.len() > MAX_LINE_LEN {
		return Err(err("line", format!("{} bytes, at most {MAX_LINE_LEN} allowed", line.len())));
	}
	Ok(())
}

/// Validate a record given as its fields (as [`object_entries`] reads them, or as a reader
/// mapped them from another shape), given the hash of the bytes received and the current time
/// in ms since the epoch. Fields the record does not use are ignored.
pub fn parse_fields(
	fields: Vec<(String, Value)>,
	record_hash: [u8; 32],
	now_ms: u64,
) -> Result<PlatformRecord, RecordError> {
	// Fields the record does not use stay in the map, unread.
	let mut raw: BTreeMap<String, Value> = fields.into_iter().collect();
	let ts = text("ts", raw.remove("ts"), 64)?;
	let occurred = chrono::DateTime::parse_from_rfc3339(&ts)
		.map_err(|e| err("ts", format!("not an RFC 3339 timestamp ({e})")))?
		.timestamp_millis();
	if occurred < 0 {
		return Err(err("ts", "before 1970"));
	}
	if occurred > (now_ms.min(i64::MAX as u64) as i64).saturating_add(MAX_CLOCK_SKEW_MS as i64) {
		return Err(err("ts", "more than 5 minutes in the future: check the source's clock"));
	}
	let seq = integer("seq", raw.remove("seq"))?;
	if seq == 0 {
		return Err(err("seq", "sequence numbers start at 1"));
	}
	let status = integer("status", raw.remove("status"))?;
	if !(100..=599).contains(&status) {
		return Err(err("status", format!("{status} is not an HTTP status (100-599)")));
	}
	let records = integer("records", raw.remove("records"))?;
	let records = u32::try_from(records).map_err(|_| err("records", "too large"))?;
	let citizen = match raw.remove("citizen_id") {
		Some(Value::String(s)) => {
			NationalId::parse(&s).map_err(|e| err("citizen_id", e.to_string()))?
		},
		None | Some(Value::Null) => return Err(err("citizen_id", "missing")),
		Some(other) => {
			return Err(err("citizen_id", format!("must be a string, got {}", kind(&other))))
		},
	};
	let method = text("method", raw.remove("method"), 16)?;
	let api = text("api", raw.remove("api"), MAX_TEXT_LEN)?;
	let action = format!("{method} {api}");
	if action.len() > MAX_TEXT_LEN {
		return Err(err("api", format!("method and path exceed {MAX_TEXT_LEN} bytes")));
	}
	Ok(PlatformRecord {
		occurred_at: occurred as u64,
		request_id: text("request_id", raw.remove("request_id"), 128)?,
		source: text("source", raw.remove("source"), 128)?,
		seq,
		agency: text("agency", raw.remove("agency"), MAX_TEXT_LEN)?,
		system: text("system", raw.remove("system"), MAX_TEXT_LEN)?,
		user_id: text("user_id", raw.remove("user_id"), 128)?,
		citizen_id: citizen,
		action,
		purpose: text("purpose", raw.remove("purpose"), 16)?,
		status: status as u16,
		records,
		record_hash,
	})
}

impl PlatformRecord {
	/// The chain entry for this record, as source `source_id`, pseudonymised with `key`.
	pub fn to_entry(&self, source_id: u32, key: &PseudonymKey) -> RecordInput {
		RecordInput {
			source: source_id,
			seq: self.seq,
			occurred_at: self.occurred_at,
			agency: self.agency.as_bytes().to_vec(),
			system: self.system.as_bytes().to_vec(),
			accessor_ref: key.accessor_ref(&self.user_id),
			citizen_ref: key.citizen_ref(&self.citizen_id),
			key_id: key.key_id(),
			action: self.action.as_bytes().to_vec(),
			purpose: self.purpose.as_bytes().to_vec(),
			status: self.status,
			records: self.records,
			record_hash: self.record_hash,
		}
	}
}
