//! RFC 5424 syslog as the platform's API gateway writes access records: the fields as
//! structured data (`[access@32473 k="v" …]`), `METHOD path` as the message. The one writer and
//! the one parser of the project.

use crate::record::RecordError;

fn err(field: &'static str, reason: impl Into<String>) -> RecordError {
	RecordError { field, reason: reason.into() }
}

/// The SD-ID of the access records' structured data (`access`, under a private enterprise
/// number).
pub const SD_ID: &str = "access@32473";

/// One access record as a syslog line: facility local0, severity informational (`<134>`),
/// host `api-gw-01`, MSGID `ACCESS`; `ts` and `app` are `-` when empty. Values are escaped as
/// RFC 5424 asks (`\`, `"`, `]`).
pub fn write<K: AsRef<str>, V: AsRef<str>>(
	ts: &str,
	app: &str,
	params: impl IntoIterator<Item = (K, V)>,
	message: &str,
) -> String {
	fn esc(v: &str) -> String {
		v.replace('\\', "\\\\").replace('"', "\\\"").replace(']', "\\]")
	}
	let nil = |s: &str| if s.is_empty() { "-".to_string() } else { s.to_string() };
	let sd: Vec<String> = params
		.into_iter()
		.map(|(k, v)| format!("{}=\"{}\"", k.as_ref(), esc(v.as_ref())))
		.collect();
	format!(
		"<134>1 {} api-gw-01 {} - ACCESS [{SD_ID} {}] {message}",
		nil(ts),
		nil(app),
		sd.join(" ")
	)
}

/// The parts of an RFC 5424 message a reader of access logs uses.
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
pub fn parse(raw: &str) -> Result<SyslogMessage, RecordError> {
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

	#[test]
	fn syslog_parser_reads_rfc5424_and_refuses_the_rest() {
		let m = parse(
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
		let nil = parse("<13>1 - - - - - -").unwrap();
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
			let e = parse(bad).unwrap_err();
			assert!(e.reason.contains(why), "{bad}: {e}");
		}
	}

	#[test]
	fn what_the_writer_writes_the_parser_reads_back() {
		let line = write(
			"2026-11-20T08:00:00.000+08:00",
			"kcg-household-api",
			[("agency", "a\"b]c\\"), ("seq", "7")],
			"GET /household/v1/persons/{id}",
		);
		assert!(line.starts_with("<134>1 2026-11-20T08:00:00.000+08:00 api-gw-01 "), "{line}");
		assert!(line.contains(r#"agency="a\"b\]c\\""#), "{line}");
		let m = parse(&line).unwrap();
		assert_eq!(m.app_name.as_deref(), Some("kcg-household-api"));
		assert_eq!(
			m.params,
			vec![("agency".into(), "a\"b]c\\".into()), ("seq".into(), "7".into())]
		);
		assert_eq!(m.message.as_deref(), Some("GET /household/v1/persons/{id}"));
		let nil = parse(&write("", "", [("k", "v")], "x")).unwrap();
		assert_eq!((nil.timestamp, nil.app_name), (None, None));
	}
}
