//! From what a producer sent to a validated, pseudonymised chain entry.
//!
//! Every input (HTTP JSON, syslog, pull) ends here: the record is brought to the platform's
//! canonical JSON shape (renaming fields and filling defaults per the source's mapping; syslog
//! structured data becomes JSON fields), validated by the client library's
//! [`parse_line`](accesslog_client::record::parse_line), and pseudonymised with the client
//! library's keyed hash. The record hash on chain is taken over the bytes exactly as received.
//! National IDs and official IDs never leave this module in clear.

use crate::config::{Config, SourceConfig};
use accesslog_client::{
	pseudonym::PseudonymKey,
	record::{blake2_256, parse_line, RecordError},
	RecordInput,
};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// A record ready for the queue: its source (index into the configuration's sources), sequence
/// number and chain entry (source id 0: set when submitted, once the chain has been asked).
#[derive(Clone, Debug)]
pub struct Accepted {
	/// Index of the source in the configuration.
	pub source: usize,
	/// The source's sequence number.
	pub seq: u64,
	/// The pseudonymised entry.
	pub entry: RecordInput,
}

fn err(field: &'static str, reason: impl Into<String>) -> RecordError {
	RecordError { field, reason: reason.into() }
}

/// The validation step every input shares.
pub struct Normaliser {
	config: Config,
	key: PseudonymKey,
}

impl Normaliser {
	/// A normaliser for the configured sources, pseudonymising with `key`.
	pub fn new(config: Config, key: PseudonymKey) -> Self {
		Normaliser { config, key }
	}

	/// The configured sources.
	pub fn sources(&self) -> &[SourceConfig] {
		&self.config.sources
	}

	/// A JSON record (one line, or one HTTP body) from a producer allowed to write for
	/// `allowed` sources (indexes). With a single allowed source whose records do not name it,
	/// that source is meant.
	pub fn json(&self, raw: &str, allowed: &[usize], now_ms: u64) -> Result<Accepted, RecordError> {
		let hash = blake2_256(raw.as_bytes());
		// The source decides the mapping; find it from the raw record, or the only one allowed.
		let source = if let [only] = allowed {
			let src = &self.config.sources[*only];
			if src.mapping.is_empty() && src.defaults.is_empty() {
				return self.finish(parse_line(raw, now_ms)?, allowed, hash);
			}
			*only
		} else {
			let record = parse_line(raw, now_ms)?;
			return self.finish(record, allowed, hash);
		};
		let fields = object_entries(raw)?;
		let canonical = self.canonical(source, fields)?;
		self.finish(parse_line(&canonical, now_ms)?, allowed, hash)
	}

	/// A syslog message (RFC 5424 without framing) from a sender allowed to write for
	/// `allowed` sources; the source is the message's APP-NAME.
	pub fn syslog(
		&self,
		raw: &str,
		allowed: &[usize],
		now_ms: u64,
	) -> Result<Accepted, RecordError> {
		let msg = parse_syslog(raw)?;
		let app = msg.app_name.ok_or_else(|| err("source", "the message has no APP-NAME (-)"))?;
		let source =
			self.config.sources.iter().position(|s| s.app_name() == app).ok_or_else(|| {
				err("source", format!("APP-NAME {app:?} is not a configured source"))
			})?;
		let mut fields: Vec<(String, Value)> = Vec::new();
		if let Some(ts) = msg.timestamp {
			fields.push(("ts".into(), Value::String(ts)));
		}
		fields.push(("source".into(), Value::String(self.config.sources[source].name.clone())));
		let src = &self.config.sources[source];
		for (k, v) in msg.params {
			// Structured data is text: the integer fields become JSON numbers when they are
			// digits (anything else stays text, and validation names it).
			let integer = matches!(src.canonical(&k), "seq" | "status" | "records");
			let value = if integer
				&& !v.is_empty()
				&& v.len() < 20
				&& v.bytes().all(|b| b.is_ascii_digit())
			{
				Value::Number(v.parse::<u64>().expect("up to 19 digits; qed").into())
			} else {
				Value::String(v)
			};
			fields.push((k, value));
		}
		if let Some(text) = msg.message {
			let text = text.trim_start_matches('\u{feff}').trim();
			let (method, api) = text.split_once(' ').unwrap_or((text, ""));
			if !method.is_empty() && !fields.iter().any(|(k, _)| k == "method") {
				fields.push(("method".into(), Value::String(method.into())));
			}
			if !api.is_empty() && !fields.iter().any(|(k, _)| k == "api") {
				fields.push(("api".into(), Value::String(api.trim().into())));
			}
		}
		// Repeated parameters are refused like repeated JSON keys.
		let mut seen = std::collections::BTreeSet::new();
		for (k, _) in &fields {
			if !seen.insert(k.as_str()) {
				return Err(err("line", format!("parameter {k:?} appears twice")));
			}
		}
		let canonical = self.canonical(source, fields)?;
		let record = parse_line(&canonical, now_ms)?;
		self.finish(record, allowed, blake2_256(raw.as_bytes()))
	}

	/// Apply the source's mapping and defaults and write the canonical JSON object.
	fn canonical(
		&self,
		source: usize,
		fields: Vec<(String, Value)>,
	) -> Result<String, RecordError> {
		let src = &self.config.sources[source];
		let mut out = Map::new();
		for (name, value) in fields {
			let canonical = src.canonical(&name).to_string();
			if out.insert(canonical.clone(), value).is_some() {
				return Err(err(
					"line",
					format!("field {canonical:?} given twice (after mapping)"),
				));
			}
		}
		for (k, v) in &src.defaults {
			out.entry(k.clone()).or_insert_with(|| v.clone());
		}
		out.entry("source".to_string()).or_insert_with(|| Value::String(src.name.clone()));
		Ok(Value::Object(out).to_string())
	}

	fn finish(
		&self,
		record: accesslog_client::record::PlatformRecord,
		allowed: &[usize],
		hash: [u8; 32],
	) -> Result<Accepted, RecordError> {
		let source = self.config.source_index(&record.source).ok_or_else(|| {
			err("source", format!("{:?} is not a source this gateway submits for", record.source))
		})?;
		if !allowed.contains(&source) {
			return Err(err(
				"source",
				format!("this client may not submit for source {:?}", record.source),
			));
		}
		let mut entry = record.to_entry(0, &self.key);
		entry.record_hash = hash;
		Ok(Accepted { source, seq: record.seq, entry })
	}
}

/// The members of a JSON object in order; a repeated key is an error (a second `citizen_id`
/// must not silently replace the first).
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

/// The parts of an RFC 5424 message the gateway uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyslogMessage {
	/// TIMESTAMP, unless `-`.
	pub timestamp: Option<String>,
	/// APP-NAME, unless `-`.
	pub app_name: Option<String>,
	/// Every SD-PARAM of every SD-ELEMENT, in order.
	pub params: Vec<(String, String)>,
	/// MSG, if any.
	pub message: Option<String>,
}

/// Parse an RFC 5424 message (`<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`).
pub fn parse_syslog(raw: &str) -> Result<SyslogMessage, RecordError> {
	let bad = |reason: String| err("line", format!("not an RFC 5424 syslog message: {reason}"));
	let rest = raw.strip_prefix('<').ok_or_else(|| bad("does not start with <PRI>".into()))?;
	let (pri, rest) = rest.split_once('>').ok_or_else(|| bad("unterminated <PRI>".into()))?;
	if pri.is_empty() || pri.len() > 3 || !pri.bytes().all(|b| b.is_ascii_digit()) {
		return Err(bad(format!("PRI {pri:?} is not a number")));
	}
	if pri.parse::<u32>().expect("digits; qed") > 191 {
		return Err(bad(format!("PRI {pri} is above 191")));
	}
	let rest = rest.strip_prefix("1 ").ok_or_else(|| bad("VERSION is not 1".into()))?;
	let mut header = rest.splitn(6, ' ');
	let mut field = |name: &str| {
		header.next().filter(|s| !s.is_empty()).ok_or_else(|| bad(format!("no {name}")))
	};
	let nil = |s: &str| (s != "-").then(|| s.to_string());
	let timestamp = nil(field("TIMESTAMP")?);
	let _hostname = field("HOSTNAME")?;
	let app_name = nil(field("APP-NAME")?);
	let _procid = field("PROCID")?;
	let _msgid = field("MSGID")?;
	let sd = header.next().ok_or_else(|| bad("no STRUCTURED-DATA".into()))?;
	let (params, rest) = parse_structured_data(sd).map_err(bad)?;
	let message = match rest {
		"" => None,
		r => Some(r.strip_prefix(' ').ok_or_else(|| bad("no space before MSG".into()))?.into()),
	};
	Ok(SyslogMessage { timestamp, app_name, params, message })
}

/// Structured-data parameters, `(name, value)` in order.
type Params = Vec<(String, String)>;

/// `-` or `[id k="v" …]…`; returns the parameters and what follows.
fn parse_structured_data(sd: &str) -> Result<(Params, &str), String> {
	if let Some(rest) = sd.strip_prefix('-') {
		return Ok((Vec::new(), rest));
	}
	let mut params = Vec::new();
	let mut rest = sd;
	if !rest.starts_with('[') {
		return Err("STRUCTURED-DATA is neither - nor [".into());
	}
	while let Some(element) = rest.strip_prefix('[') {
		let end_id = element.find([' ', ']']).ok_or("unterminated SD-ELEMENT")?;
		if end_id == 0 {
			return Err("empty SD-ID".into());
		}
		rest = &element[end_id..];
		loop {
			if let Some(after) = rest.strip_prefix(']') {
				rest = after;
				break;
			}
			let p = rest.strip_prefix(' ').ok_or("expected a space or ] in SD-ELEMENT")?;
			let eq = p.find('=').ok_or("SD-PARAM without =")?;
			let name = &p[..eq];
			if name.is_empty() || name.len() > 32 || name.contains([' ', ']', '"']) {
				return Err(format!("bad PARAM-NAME {name:?}"));
			}
			let mut chars = p[eq + 1..].char_indices();
			if chars.next().map(|(_, c)| c) != Some('"') {
				return Err(format!("value of {name} is not quoted"));
			}
			let mut value = String::new();
			let mut end = None;
			let mut escaped = false;
			for (i, c) in chars {
				if escaped {
					if !matches!(c, '"' | '\\' | ']') {
						value.push('\\');
					}
					value.push(c);
					escaped = false;
				} else if c == '\\' {
					escaped = true;
				} else if c == '"' {
					end = Some(i);
					break;
				} else {
					value.push(c);
				}
			}
			let end = end.ok_or_else(|| format!("value of {name} is not terminated"))?;
			params.push((name.to_string(), value));
			rest = &p[eq + 1 + end + 1..];
		}
	}
	Ok((params, rest))
}

#[cfg(test)]
mod tests {
	use super::*;
	use accesslog_client::synthetic::{bad_cases, parse_start, records, Expect, DEFAULT_START};

	fn normaliser(extra: &str) -> Normaliser {
		let config = Config::parse(&format!(
			"nodes = [\"ws://x\"]\n[pseudonym]\nkey_env = \"K\"\n[[sources]]\nname = \
			 \"kcg-household-api\"\nsubmitter_key_env = \"S\"\n{extra}"
		))
		.unwrap();
		Normaliser::new(config, PseudonymKey::new(1, &[7; 32]).unwrap())
	}

	const NOW: u64 = 1_800_000_000_000;

	#[test]
	fn json_and_syslog_give_the_same_entry_but_their_own_hash() {
		let n = normaliser("");
		let r = records(1, 3, parse_start(DEFAULT_START).unwrap()).next().unwrap();
		let a = n.json(&r.to_json_line(), &[0], NOW).unwrap();
		let b = n.syslog(&r.to_syslog_line(), &[0], NOW).unwrap();
		assert_eq!(a.seq, 1);
		assert_eq!(a.entry.citizen_ref, b.entry.citizen_ref);
		assert_eq!(a.entry.action, b.entry.action);
		assert_eq!(a.entry.status, b.entry.status);
		assert_eq!(a.entry.occurred_at, b.entry.occurred_at);
		assert_eq!(a.entry.record_hash, blake2_256(r.to_json_line().as_bytes()));
		assert_eq!(b.entry.record_hash, blake2_256(r.to_syslog_line().as_bytes()));
	}

	#[test]
	fn every_bad_case_gets_its_outcome_as_json() {
		let n = normaliser("");
		for case in bad_cases(42) {
			let got = n.json(&case.line, &[0], NOW);
			assert_eq!(got.is_ok(), case.expect == Expect::Accept, "{}: {got:?}", case.reason);
		}
	}

	#[test]
	fn every_bad_case_gets_its_outcome_as_syslog() {
		let n = normaliser("");
		for case in accesslog_client::synthetic::bad_syslog_cases(42, 2) {
			let got = n.syslog(&case.line, &[0], NOW);
			assert_eq!(got.is_ok(), case.expect == Expect::Accept, "{}: {got:?}", case.reason);
		}
	}

	#[test]
	fn mapping_onboards_another_format() {
		let n = normaliser(
			"[sources.mapping]\ncitizen_id = \"national_id\"\nuser_id = \"officer\"\n\
			 [sources.defaults]\npurpose = \"019\"\n",
		);
		let r = records(1, 3, parse_start(DEFAULT_START).unwrap()).next().unwrap();
		let mut v = serde_json::to_value(&r).unwrap();
		let o = v.as_object_mut().unwrap();
		let id = o.remove("citizen_id").unwrap();
		o.insert("national_id".into(), id);
		let user = o.remove("user_id").unwrap();
		o.insert("officer".into(), user);
		o.remove("purpose");
		o.remove("source");
		let line = v.to_string();
		let a = n.json(&line, &[0], NOW).unwrap();
		assert_eq!(a.entry.purpose, b"019".to_vec());
		assert_eq!(a.entry.record_hash, blake2_256(line.as_bytes()));
		// The original name of a mapped field and its new name together are refused.
		let twice = line.replacen('{', &format!("{{\"citizen_id\":\"{}\",", r.citizen_id), 1);
		let e = n.json(&twice, &[0], NOW).unwrap_err();
		assert_eq!(e.field, "line", "{e}");
		// Duplicate keys in the raw record are refused before mapping.
		let dup = line.replacen('{', "{\"officer\":\"X\",", 1);
		assert!(n.json(&dup, &[0], NOW).unwrap_err().reason.contains("duplicate"));
	}

	#[test]
	fn clients_write_only_their_sources() {
		let n = normaliser("[[sources]]\nname = \"other\"\nsubmitter_key_env = \"T\"\n");
		let r = records(1, 3, parse_start(DEFAULT_START).unwrap()).next().unwrap();
		let e = n.json(&r.to_json_line(), &[1], NOW).unwrap_err();
		assert_eq!(e.field, "source");
		let mut r2 = r.clone();
		r2.source = "nobody".into();
		let e = n.json(&r2.to_json_line(), &[0, 1], NOW).unwrap_err();
		assert!(e.reason.contains("not a source"), "{e}");
		let e = n.syslog(&r2.to_syslog_line(), &[0, 1], NOW).unwrap_err();
		assert!(e.reason.contains("APP-NAME"), "{e}");
	}

	#[test]
	fn syslog_parser_reads_rfc5424_and_refuses_the_rest() {
		let m = parse_syslog(
			r#"<134>1 2026-11-20T08:00:00.000+08:00 gw app - ID [a@1 x="1" y="q\"\]\\"][b@2 z=""] GET /p"#,
		)
		.unwrap();
		assert_eq!(m.app_name.as_deref(), Some("app"));
		assert_eq!(
			m.params,
			vec![
				("x".into(), "1".into()),
				("y".into(), "q\"]\\".into()),
				("z".into(), String::new())
			]
		);
		assert_eq!(m.message.as_deref(), Some("GET /p"));
		let nil = parse_syslog("<13>1 - - - - - -").unwrap();
		assert_eq!((nil.timestamp, nil.app_name, nil.message), (None, None, None));
		for (bad, why) in [
			("GET /x 200", "<PRI>"),
			("<999>1 - - - - - -", "above 191"),
			("<13>2 - - - - - -", "VERSION"),
			("<13>1 - - - - -", "STRUCTURED-DATA"),
			("<13>1 - - - - - [a x=\"1\"", "expected a space or ]"),
			("<13>1 - - - - - [a x=1]", "not quoted"),
			("<13>1 - - - - - [a x=\"1]", "not terminated"),
			("<13>1 - - - - - -msg", "no space before MSG"),
		] {
			let e = parse_syslog(bad).unwrap_err();
			assert!(e.reason.contains(why), "{bad}: {e}");
		}
	}
}
