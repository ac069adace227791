//! From what a producer sent to a validated, pseudonymised chain entry.
//!
//! Every input (HTTP JSON, syslog, pull) ends here: the record is brought to the platform's
//! fields (renaming fields and filling defaults per the source's mapping; syslog structured data
//! becomes fields), validated by the format crate's
//! [`accesslog_client::record::parse_fields`], and pseudonymised with its keyed
//! hash. The record hash on chain is taken over the bytes exactly as received.
//! National IDs and official IDs never leave this module in clear.

use crate::config::{Config, SourceConfig};
use accesslog_client::{
	pseudonym::PseudonymKey,
	record::{blake2_256, check_line, object_entries, parse_fields, parse_line, RecordError},
	syslog, RecordInput,
};
use serde_json::{Map, Value};

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
				return self.finish(parse_line(raw, now_ms)?, allowed);
			}
			*only
		} else {
			let record = parse_line(raw, now_ms)?;
			return self.finish(record, allowed);
		};
		// `parse_line` checks the raw line on the paths above; here it is read directly.
		check_line(raw)?;
		let fields = self.canonical(source, object_entries(raw)?)?;
		self.finish(parse_fields(fields, hash, now_ms)?, allowed)
	}

	/// A syslog message (RFC 5424 without framing) from a sender allowed to write for
	/// `allowed` sources; the source is the message's APP-NAME.
	pub fn syslog(
		&self,
		raw: &str,
		allowed: &[usize],
		now_ms: u64,
	) -> Result<Accepted, RecordError> {
		check_line(raw)?;
		let msg = syslog::parse(raw)?;
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
		let fields = self.canonical(source, fields)?;
		self.finish(parse_fields(fields, blake2_256(raw.as_bytes()), now_ms)?, allowed)
	}

	/// Apply the source's mapping and defaults: the record's fields under the platform's names.
	fn canonical(
		&self,
		source: usize,
		fields: Vec<(String, Value)>,
	) -> Result<Vec<(String, Value)>, RecordError> {
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
		Ok(out.into_iter().collect())
	}

	fn finish(
		&self,
		record: accesslog_client::record::PlatformRecord,
		allowed: &[usize],
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
		let entry = record.to_entry(0, &self.key);
		Ok(Accepted { source, seq: record.seq, entry })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use accesslog_testing::synthetic::{bad_cases, parse_start, records, Expect, DEFAULT_START};

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
		for case in accesslog_testing::synthetic::bad_syslog_cases(42, 2) {
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
}
