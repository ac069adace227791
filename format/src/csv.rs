//! The CSV form of entries: the one writer behind the CLI's `--format csv` and the audit
//! console's export. RFC 4180 (a field is quoted when it holds a comma, a quote or a line
//! break), and a field that a spreadsheet would take for a formula (leading `=`, `+`, `-`, `@`,
//! tab or carriage return) is prefixed with `'` so it stays text: agency, system and action come
//! from the producers, and a record must not become a formula on an auditor's machine.

use access_log_rpc_types::EntryJson;

/// The byte-order mark that starts a file meant for spreadsheet programs (they then read UTF-8).
pub const BOM: &str = "\u{feff}";

/// The header row of [`entry_row`].
pub const ENTRY_HEADER: [&str; 17] = [
	"id",
	"source",
	"seq",
	"occurred_at_ms",
	"occurred_at",
	"agency",
	"system",
	"accessor_ref",
	"citizen_ref",
	"key_id",
	"action",
	"purpose",
	"status",
	"records",
	"record_hash",
	"block",
	"submitter",
];

/// One field, neutralised and quoted where needed.
pub fn field(value: &str) -> String {
	let text = match value.chars().next() {
		Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
		_ => value.to_string(),
	};
	if text.contains([',', '"', '\n', '\r']) {
		format!("\"{}\"", text.replace('"', "\"\""))
	} else {
		text
	}
}

/// One line (without its line ending) of `cells`.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
	cells.iter().map(|c| field(c.as_ref())).collect::<Vec<_>>().join(",")
}

/// The cells of entry `e`, in [`ENTRY_HEADER`]'s order; `time` is its time as the reader's
/// zone shows it.
pub fn entry_row(e: &EntryJson, time: String) -> [String; 17] {
	[
		e.id.to_string(),
		e.source.to_string(),
		e.seq.to_string(),
		e.occurred_at.to_string(),
		time,
		e.agency.clone(),
		e.system.clone(),
		e.accessor_ref.clone(),
		e.citizen_ref.clone(),
		e.key_id.to_string(),
		e.action.clone(),
		e.purpose.clone(),
		e.status.to_string(),
		e.records.to_string(),
		e.record_hash.clone(),
		e.block.to_string(),
		e.submitter.clone(),
	]
}

/// A whole document of `entries`: the header, then a line per entry, each ended by CRLF; `time`
/// renders an entry's time.
pub fn entries(entries: &[EntryJson], time: impl Fn(u64) -> String) -> String {
	let mut out = String::with_capacity(256 + entries.len() * 420);
	out.push_str(&line(&ENTRY_HEADER));
	out.push_str("\r\n");
	for e in entries {
		out.push_str(&line(&entry_row(e, time(e.occurred_at))));
		out.push_str("\r\n");
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn fields_are_quoted_only_when_needed() {
		assert_eq!(field("plain"), "plain");
		assert_eq!(field("a,b"), "\"a,b\"");
		assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
		assert_eq!(field("高雄市政府"), "高雄市政府");
		assert_eq!(field("<script>alert(1)</script>"), "<script>alert(1)</script>");
	}

	#[test]
	fn formulas_stay_text() {
		assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
		for lead in ["+1", "-1", "@SUM(A1)", "\tx"] {
			assert_eq!(field(lead), format!("'{lead}"), "{lead:?}");
		}
		assert_eq!(field("\rx"), "\"'\rx\"");
	}

	#[test]
	fn a_document_has_the_header_and_a_line_per_entry() {
		let e = EntryJson {
			id: 7,
			source: 0,
			seq: 3,
			occurred_at: 1_764_000_000_000,
			agency: "=cmd|' /C calc'!A0".into(),
			system: "戶政".into(),
			accessor_ref: "0xaa".into(),
			citizen_ref: "0xbb".into(),
			key_id: 1,
			action: "GET /x".into(),
			purpose: "019".into(),
			status: 200,
			records: 1,
			record_hash: "0xcc".into(),
			block: 9,
			submitter: "5Grw".into(),
		};
		let text = entries(&[e.clone(), e], |ms| ms.to_string());
		let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
		assert_eq!(lines.len(), 3);
		assert_eq!(lines[0], ENTRY_HEADER.join(","));
		assert_eq!(lines[1], "7,0,3,1764000000000,1764000000000,'=cmd|' /C calc'!A0,戶政,0xaa,0xbb,1,GET /x,019,200,1,0xcc,9,5Grw");
	}
}
