//! CSV export of search results: the entries' CSV form (`accesslog_client::format::csv`, the
//! same writer as the CLI's, formulas neutralised) in UTF-8 with a byte-order mark, so that
//! spreadsheet programs read the Chinese texts as UTF-8; times in Taiwan's time zone.

use accesslog_client::{format::csv, rpc_types::EntryJson};

/// The time as the CSV shows it: RFC 3339 in Taiwan's time zone (UTC+8).
pub fn time(ms: u64) -> String {
	let tz = crate::web::taiwan();
	chrono::DateTime::from_timestamp_millis(ms as i64)
		.map(|t| t.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Millis, false))
		.unwrap_or_else(|| ms.to_string())
}

/// The whole file for `entries`.
pub fn export(entries: &[EntryJson]) -> String {
	format!("{}{}", csv::BOM, csv::entries(entries, time))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_file_starts_with_a_bom_and_shows_taiwan_time() {
		assert_eq!(time(1_764_000_000_000), "2025-11-25T00:00:00.000+08:00");
		let text = export(&[]);
		assert!(text.starts_with('\u{feff}'));
		assert_eq!(text.trim_start_matches('\u{feff}').trim_end(), csv::ENTRY_HEADER.join(","));
	}
}
