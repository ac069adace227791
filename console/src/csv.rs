//! CSV export of search results: UTF-8 with a byte-order mark (so spreadsheet programs read the
//! Chinese texts as UTF-8), every field quoted, and a field that a spreadsheet would take for a
//! formula (leading `=`, `+`, `-`, `@`, tab or carriage return) prefixed with `'` so it stays
//! text. Agency, system and action come from the producers: they are data, never formulas.

use accesslog_client::rpc_types::EntryJson;
use std::fmt::Write;

/// The byte-order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// The header row.
pub const HEADER: [&str; 16] = [
	"entry_id",
	"occurred_at",
	"source",
	"seq",
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

/// One field, quoted and neutralised.
pub fn field(value: &str) -> String {
	let neutral = match value.chars().next() {
		Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
		_ => value.to_string(),
	};
	format!("\"{}\"", neutral.replace('"', "\"\""))
}

/// The time as the CSV shows it: RFC 3339 in Taiwan's time zone (UTC+8).
pub fn time(ms: u64) -> String {
	let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset; qed");
	chrono::DateTime::from_timestamp_millis(ms as i64)
		.map(|t| t.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Millis, false))
		.unwrap_or_else(|| ms.to_string())
}

/// The whole file for `entries`.
pub fn export(entries: &[EntryJson]) -> String {
	let mut out = String::with_capacity(64 + entries.len() * 400);
	out.push_str(BOM);
	let header: Vec<String> = HEADER.iter().map(|h| field(h)).collect();
	out.push_str(&header.join(","));
	out.push_str("\r\n");
	for e in entries {
		let row = [
			e.id.to_string(),
			time(e.occurred_at),
			e.source.to_string(),
			e.seq.to_string(),
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
		];
		for (i, v) in row.iter().enumerate() {
			if i > 0 {
				out.push(',');
			}
			let _ = write!(out, "{}", field(v));
		}
		out.push_str("\r\n");
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn formulas_stay_text_and_quotes_are_doubled() {
		assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
		for lead in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
			assert!(field(lead).starts_with("\"'"), "{lead:?}");
		}
		assert_eq!(field("高雄市政府"), "\"高雄市政府\"");
		assert_eq!(field("<script>alert(1)</script>"), "\"<script>alert(1)</script>\"");
	}

	#[test]
	fn the_file_starts_with_a_bom_and_has_a_row_per_entry() {
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
		let text = export(&[e.clone(), e]);
		assert!(text.starts_with('\u{feff}'));
		let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
		assert_eq!(lines.len(), 3);
		assert!(lines[1].starts_with("\"7\",\"2025-11-25T00:00:00.000+08:00\""), "{}", lines[1]);
		assert!(lines[1].contains("\"'=cmd|' /C calc'!A0\""), "{}", lines[1]);
	}
}
