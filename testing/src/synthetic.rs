//! Deterministic synthetic access logs in the platform's format, and hostile inputs.
//!
//! The same shapes as the city platform's API gateway writes (see [`accesslog_format::record`]): JSON Lines,
//! or RFC 5424 syslog with the fields as structured data. Every record is fictional: national IDs
//! are well-formed (valid check digit) but random. The same `seed` always gives the same records.
//! [`bad_cases`] gives malformed and hostile lines, each with the outcome a correct ingester must
//! produce.

use accesslog_format::syslog;
use chrono::{DateTime, Duration, FixedOffset};
use serde::Serialize;

/// Callers of the household-registration API: (agency, system, API client id).
pub const CALLERS: [(&str, &str, &str); 8] = [
	("高雄市政府社會局", "社會福利補助審核系統", "ksw-subsidy"),
	("高雄市政府社會局", "身心障礙鑑定系統", "ksw-disability"),
	("高雄市政府民政局", "區公所櫃台服務系統", "kca-counter"),
	("高雄市政府教育局", "學籍管理系統", "kedu-enrol"),
	("高雄市政府衛生局", "長期照顧服務系統", "kdh-ltc"),
	("高雄市政府地政局", "地籍管理系統", "kland-cadastre"),
	("高雄市政府勞工局", "就業服務系統", "klab-employ"),
	("高雄市政府警察局", "治安管理系統", "kpd-safety"),
];

const APIS: [(&str, &str, &str); 5] = [
	("GET", "/household/v1/persons/{id}", "個人戶籍資料查詢"),
	("GET", "/household/v1/persons/{id}/members", "戶內人口查詢"),
	("GET", "/household/v1/persons/{id}/moves", "遷徙紀錄查詢"),
	("GET", "/household/v1/persons/{id}/marital", "婚姻狀況查詢"),
	("POST", "/household/v1/batch-verify", "身分核對(批次)"),
];

/// PDPA specific-purpose codes (個人資料保護法之特定目的).
const PURPOSES: [&str; 8] = ["001", "019", "022", "045", "057", "109", "158", "167"];

/// The source name every generated record carries.
pub const SOURCE: &str = "kcg-household-api";

/// The default start time of generated logs.
pub const DEFAULT_START: &str = "2026-11-20T08:00:00+08:00";

/// One generated record, fields in the platform's order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GenRecord {
	/// ISO 8601 time with milliseconds and offset.
	pub ts: String,
	/// Request id (24 hex digits).
	pub request_id: String,
	/// Source name.
	pub source: String,
	/// Sequence number, from 1.
	pub seq: u64,
	/// Calling agency.
	pub agency: String,
	/// Calling system.
	pub system: String,
	/// API client id.
	pub client_id: String,
	/// The official's ID.
	pub user_id: String,
	/// The citizen's national ID.
	pub citizen_id: String,
	/// HTTP method.
	pub method: String,
	/// API path.
	pub api: String,
	/// API name.
	pub api_name: String,
	/// PDPA purpose code.
	pub purpose: String,
	/// HTTP status.
	pub status: u16,
	/// Personal records returned.
	pub records: u32,
	/// Client IP address.
	pub client_ip: String,
	/// Latency in ms.
	pub latency_ms: f64,
}

impl GenRecord {
	/// The record as one JSON line (no newline).
	pub fn to_json_line(&self) -> String {
		serde_json::to_string(self).expect("a generated record serializes; qed")
	}

	/// The record as one RFC 5424 syslog line (no newline), fields in structured data
	/// `access@32473`, the request line as the message.
	pub fn to_syslog_line(&self) -> String {
		let fields: [(&str, String); 12] = [
			("request_id", self.request_id.clone()),
			("seq", self.seq.to_string()),
			("agency", self.agency.clone()),
			("system", self.system.clone()),
			("client_id", self.client_id.clone()),
			("user_id", self.user_id.clone()),
			("citizen_id", self.citizen_id.clone()),
			("api_name", self.api_name.clone()),
			("purpose", self.purpose.clone()),
			("status", self.status.to_string()),
			("records", self.records.to_string()),
			("client_ip", self.client_ip.clone()),
		];
		syslog::write(&self.ts, &self.source, fields, &format!("{} {}", self.method, self.api))
	}
}

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
	/// A generator seeded with `seed`.
	pub fn new(seed: u64) -> Self {
		Rng(seed ^ 0x5851_f42d_4c95_7f2d)
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	/// Uniform in `0..n`.
	pub fn below(&mut self, n: u64) -> u64 {
		self.next_u64() % n
	}

	/// Uniform in `[0, 1)`.
	pub fn unit(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
	}

	fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
		&items[self.below(items.len() as u64) as usize]
	}

	fn exponential(&mut self, mean: f64) -> f64 {
		-mean * (1.0 - self.unit()).ln()
	}

	fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
		let (u1, u2) = (1.0 - self.unit(), self.unit());
		let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
		(mu + sigma * normal).exp()
	}
}

const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LETTER_CODES: [u32; 26] = [
	10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30,
	31, 33,
];

/// A random well-formed national ID (valid check digit).
pub fn national_id(rng: &mut Rng) -> String {
	let letter = *rng.pick(&['E', 'E', 'E', 'S', 'A', 'B', 'D', 'F']);
	let mut digits = vec![1 + rng.below(2) as u32];
	digits.extend((0..7).map(|_| rng.below(10) as u32));
	let code = LETTER_CODES[LETTERS.find(letter).expect("letter in table; qed")];
	let mut total = code / 10 + (code % 10) * 9;
	for (d, w) in digits.iter().zip([8, 7, 6, 5, 4, 3, 2, 1]) {
		total += d * w;
	}
	let check = (10 - total % 10) % 10;
	let mut s = letter.to_string();
	s.extend(digits.iter().map(|d| char::from(b'0' + *d as u8)));
	s.push(char::from(b'0' + check as u8));
	s
}

/// `count` records from `seed`, the first shortly after `start`, with one bulk-lookup episode (a
/// single official querying many distinct citizens) in the middle.
pub fn records(
	count: u64,
	seed: u64,
	start: DateTime<FixedOffset>,
) -> impl Iterator<Item = GenRecord> {
	let mut rng = Rng::new(seed);
	let citizens: Vec<String> = (0..(count / 20).max(50)).map(|_| national_id(&mut rng)).collect();
	let users: Vec<Vec<String>> = CALLERS
		.iter()
		.map(|c| {
			let prefix = c.2.split('-').next().expect("split yields one item; qed").to_uppercase();
			(0..6).map(|_| format!("{prefix}-{}", 10000 + rng.below(90000))).collect()
		})
		.collect();
	let bulk = count / 2..count / 2 + (count / 10).min(300);
	let mut t = start;
	(0..count).map(move |i| {
		t += Duration::microseconds((rng.exponential(400.0) * 1000.0) as i64);
		let mut caller = rng.below(CALLERS.len() as u64) as usize;
		let mut user = rng.pick(&users[caller]).clone();
		let mut citizen = rng.pick(&citizens).clone();
		if bulk.contains(&i) {
			caller = 7;
			user = users[7][0].clone();
			citizen = citizens[(i % citizens.len() as u64) as usize].clone();
		}
		let (agency, system, client_id) = CALLERS[caller];
		let (method, api, api_name) = *rng.pick(&APIS);
		let status = match rng.below(100) {
			0..94 => 200,
			94..97 => 404,
			97..99 => 403,
			_ => 500,
		};
		GenRecord {
			ts: t.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
			request_id: format!("{:016x}{:08x}", rng.next_u64(), seed as u32 ^ i as u32),
			source: SOURCE.into(),
			seq: i + 1,
			agency: agency.into(),
			system: system.into(),
			client_id: client_id.into(),
			user_id: user,
			citizen_id: citizen,
			method: method.into(),
			api: api.into(),
			api_name: api_name.into(),
			purpose: rng.pick(&PURPOSES).to_string(),
			status,
			records: if status == 200 { 1 + rng.below(8) as u32 } else { 0 },
			client_ip: format!(
				"10.{}.{}.{}",
				20 + rng.below(20),
				rng.below(256),
				1 + rng.below(254)
			),
			latency_ms: (rng.lognormal(3.5, 0.6) * 10.0).round() / 10.0,
		}
	})
}

/// The start time parsed from RFC 3339 (e.g. [`DEFAULT_START`]).
pub fn parse_start(s: &str) -> Result<DateTime<FixedOffset>, BadStart> {
	DateTime::parse_from_rfc3339(s).map_err(|error| BadStart { given: s.into(), error })
}

/// A start time that is not RFC 3339.
#[derive(Debug, thiserror::Error)]
#[error("start time {given:?} is not RFC 3339 (like {DEFAULT_START}): {error}")]
pub struct BadStart {
	/// What was given.
	pub given: String,
	/// Why it does not parse.
	#[source]
	pub error: chrono::ParseError,
}

/// What a correct ingester does with a hostile case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
	/// Refuse the line with a specific error.
	Reject,
	/// Store it.
	Accept,
}

impl Expect {
	/// `reject` or `accept`.
	pub fn as_str(self) -> &'static str {
		match self {
			Expect::Reject => "reject",
			Expect::Accept => "accept",
		}
	}
}

/// One hostile case: the expected outcome, why, and the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCase {
	/// What must happen.
	pub expect: Expect,
	/// What is wrong with it.
	pub reason: &'static str,
	/// The line as received.
	pub line: String,
}

/// The malformed and hostile inputs every ingester must handle (at least those of the shared
/// generator `gen_access_logs.py --bad`), based on one good record of `seed`.
pub fn bad_cases(seed: u64) -> Vec<BadCase> {
	use serde_json::{json, Value};
	let start = parse_start("2026-11-20T09:00:00+08:00").expect("constant parses; qed");
	let good = records(1, seed, start).next().expect("one record; qed");
	let good_value = serde_json::to_value(&good).expect("serializes; qed");
	let mut cases = Vec::new();
	let mut variant = |reason: &'static str, expect: Expect, changes: &[(&str, Option<Value>)]| {
		let mut v = good_value.clone();
		let object = v.as_object_mut().expect("a record is an object; qed");
		for (k, change) in changes {
			match change {
				Some(value) => {
					object.insert(k.to_string(), value.clone());
				},
				None => {
					object.remove(*k);
				},
			}
		}
		cases.push(BadCase { expect, reason, line: v.to_string() });
	};
	let r = Expect::Reject;
	let mut wrong_check = good.citizen_id.clone();
	let last =
		wrong_check.pop().expect("ids are 10 characters; qed").to_digit(10).expect("digit; qed");
	wrong_check.push(char::from_digit((last + 1) % 10, 10).expect("digit; qed"));
	variant("missing citizen_id", r, &[("citizen_id", None)]);
	variant("missing ts", r, &[("ts", None)]);
	variant("missing user_id", r, &[("user_id", None)]);
	variant("citizen_id bad check digit", r, &[("citizen_id", Some(json!(wrong_check)))]);
	variant("citizen_id wrong length", r, &[("citizen_id", Some(json!("E12345")))]);
	variant("ts not a timestamp", r, &[("ts", Some(json!("yesterday")))]);
	variant("ts far in the future", r, &[("ts", Some(json!("2099-01-01T00:00:00.000+08:00")))]);
	variant("seq negative", r, &[("seq", Some(json!(-5)))]);
	variant("seq not a number", r, &[("seq", Some(json!("12a")))]);
	variant("seq zero", r, &[("seq", Some(json!(0)))]);
	variant("status out of range", r, &[("status", Some(json!(999)))]);
	variant("api 100 KiB long", r, &[("api", Some(json!(format!("/{}", "a".repeat(102_400)))))]);
	variant(
		"user_id with control characters",
		r,
		&[("user_id", Some(json!("SW-1\u{0}\u{1b}[31m")))],
	);
	variant("agency 10 KiB", r, &[("agency", Some(json!("局".repeat(10_000))))]);
	variant(
		"extra unknown field",
		Expect::Accept,
		&[("injected", Some(json!("'; DROP TABLE logs; --")))],
	);
	variant("citizen_id as number", r, &[("citizen_id", Some(json!(123456789)))]);
	variant(
		"citizen_id lower-case letter",
		r,
		&[("citizen_id", Some(json!(good.citizen_id.to_lowercase())))],
	);
	variant("source empty", r, &[("source", Some(json!("")))]);
	let full = good.to_json_line();
	cases.push(BadCase {
		expect: r,
		reason: "not JSON",
		line: "GET /household/v1/persons/E123456789 200".into(),
	});
	cases.push(BadCase {
		expect: r,
		reason: "truncated JSON",
		line: full.chars().take(40).collect(),
	});
	cases.push(BadCase { expect: r, reason: "JSON array not object", line: "[1,2,3]".into() });
	cases.push(BadCase { expect: r, reason: "empty line", line: String::new() });
	cases.push(BadCase {
		expect: r,
		reason: "deeply nested",
		line: format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
	});
	cases.push(BadCase {
		expect: r,
		reason: "duplicate key smuggling a second citizen_id",
		line: full.replacen("{", "{\"citizen_id\":\"A123456789\",", 1),
	});
	cases
}

/// The hostile cases of [`bad_cases`] as RFC 5424 syslog lines, the fields as structured data
/// like [`GenRecord::to_syslog_line`] writes them; the good record's sequence number becomes
/// `seq`. Lines that are not JSON objects are sent as they are (they are not syslog either);
/// the duplicate-key case becomes a repeated SD parameter.
pub fn bad_syslog_cases(seed: u64, seq: u64) -> Vec<BadCase> {
	use serde_json::Value;
	let to_syslog = |mut o: serde_json::Map<String, Value>| {
		if o.get("seq") == Some(&Value::from(1)) {
			o.insert("seq".into(), Value::from(seq));
		}
		let text = |v: Option<Value>| match v {
			Some(Value::String(s)) if !s.is_empty() => s,
			Some(Value::String(_)) | None => "-".to_string(),
			Some(other) => other.to_string(),
		};
		let ts = text(o.remove("ts"));
		let app = text(o.remove("source"));
		let method = text(o.remove("method"));
		let api = text(o.remove("api"));
		let params = o.into_iter().map(|(k, v)| {
			let v = match v {
				Value::String(s) => s,
				other => other.to_string(),
			};
			(k, v)
		});
		syslog::write(&ts, &app, params, &format!("{method} {api}"))
	};
	bad_cases(seed)
		.into_iter()
		.map(|case| {
			let line = match serde_json::from_str::<Value>(&case.line) {
				Ok(Value::Object(o)) if case.reason.starts_with("duplicate key") => to_syslog(o)
					.replacen("[access@32473 ", "[access@32473 citizen_id=\"A123456789\" ", 1),
				Ok(Value::Object(o)) => to_syslog(o),
				_ => case.line.clone(),
			};
			BadCase { line, ..case }
		})
		.collect()
}

/// One synthetic chain entry (already pseudonymised), number `i` of a load workload over
/// `citizens` citizens and `officials` officials: realistic field sizes (agency and system names
/// in Chinese, the API path, a purpose code), keyed-hash references derived from the numbers (so a test can query
/// them back), accessed at `occurred_at` (ms).
pub fn entry(
	i: u64,
	source: u32,
	seq: u64,
	occurred_at: u64,
	citizens: u64,
	officials: u64,
) -> accesslog_format::RecordInput {
	const CALLERS: [(&str, &str); 4] = [
		("高雄市政府社會局", "社會福利補助審核系統"),
		("高雄市政府民政局", "戶籍資料查詢服務"),
		("高雄市政府警察局", "治安案件查詢系統"),
		("高雄市政府衛生局", "長期照護管理系統"),
	];
	const ACTIONS: [&str; 3] = [
		"GET /household/v1/persons/{id}",
		"GET /household/v1/households/{id}/members",
		"POST /household/v1/persons:batchGet",
	];
	let (agency, system) = CALLERS[(i % CALLERS.len() as u64) as usize];
	accesslog_format::RecordInput {
		source,
		seq,
		occurred_at,
		agency: agency.as_bytes().to_vec(),
		system: system.as_bytes().to_vec(),
		accessor_ref: official_ref(i % officials.max(1)),
		citizen_ref: citizen_ref(i % citizens.max(1)),
		key_id: 1,
		action: ACTIONS[(i % ACTIONS.len() as u64) as usize].as_bytes().to_vec(),
		purpose: b"019".to_vec(),
		status: 200,
		records: 1,
		record_hash: accesslog_format::blake2_256(&i.to_le_bytes()),
	}
}

/// The citizen reference of synthetic citizen `n` (see [`entry`]).
pub fn citizen_ref(n: u64) -> [u8; 32] {
	accesslog_format::blake2_256(format!("citizen-{n}").as_bytes())
}

/// The official reference of synthetic official `n` (see [`entry`]).
pub fn official_ref(n: u64) -> [u8; 32] {
	accesslog_format::blake2_256(format!("official-{n}").as_bytes())
}

#[cfg(test)]
mod tests {
	use super::*;
	use accesslog_format::{pseudonym::NationalId, record::parse_line};

	#[test]
	fn generated_records_are_deterministic_and_valid() {
		let start = parse_start(DEFAULT_START).unwrap();
		let a: Vec<_> = records(500, 7, start).collect();
		let b: Vec<_> = records(500, 7, start).collect();
		assert_eq!(a, b);
		assert_ne!(a, records(500, 8, start).collect::<Vec<_>>());
		let now = u64::MAX / 2;
		for (i, r) in a.iter().enumerate() {
			assert_eq!(r.seq, i as u64 + 1);
			NationalId::parse(&r.citizen_id).unwrap();
			let parsed = parse_line(&r.to_json_line(), now).unwrap();
			assert_eq!(parsed.seq, r.seq);
		}
		// Time only moves forward.
		assert!(a.windows(2).all(|w| w[0].ts <= w[1].ts));
	}

	#[test]
	fn syslog_lines_escape_structured_data() {
		let mut r = records(1, 1, parse_start(DEFAULT_START).unwrap()).next().unwrap();
		r.agency = "a\"b]c\\".into();
		let line = r.to_syslog_line();
		assert!(line.starts_with("<134>1 2026-11-20T08:00:"), "{line}");
		assert!(line.contains(r#"agency="a\"b\]c\\""#), "{line}");
	}
	#[test]
	fn entries_cycle_through_citizens_and_officials() {
		let a = entry(3, 0, 10, 1_000, 2, 5);
		let b = entry(5, 0, 12, 1_000, 2, 5);
		assert_eq!(a.citizen_ref, b.citizen_ref, "3 and 5 are the same citizen of 2");
		assert_ne!(a.accessor_ref, b.accessor_ref);
		assert_eq!(a.citizen_ref, citizen_ref(1));
		assert_eq!(entry(0, 0, 0, 0, 2, 5).accessor_ref, official_ref(0));
		assert_ne!(a.record_hash, b.record_hash);
	}
}
