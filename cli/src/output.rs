//! Rendering rows as a table, JSON or CSV.

use accesslog_client::{format::csv, rpc_types::EntryJson};
use std::io::Write;

/// Output format of listings.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
	/// Aligned columns for people (references shortened).
	Table,
	/// A JSON array, every field.
	Json,
	/// RFC 4180 CSV with a header row, every field.
	Csv,
}

/// Print rows (`header` and string cells) as a table or CSV; JSON is handled by the caller.
pub fn print_rows(format: Format, header: &[&str], rows: &[Vec<String>]) {
	let stdout = std::io::stdout();
	let mut out = std::io::BufWriter::new(stdout.lock());
	match format {
		Format::Csv => {
			let _ = writeln!(out, "{}", csv::line(header));
			for row in rows {
				let _ = writeln!(out, "{}", csv::line(row));
			}
		},
		Format::Table | Format::Json => {
			let width = |s: &str| s.chars().map(char_width).sum::<usize>();
			let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
			for row in rows {
				for (w, c) in widths.iter_mut().zip(row) {
					*w = (*w).max(width(c));
				}
			}
			let line = |cells: Vec<&str>| {
				cells
					.iter()
					.zip(&widths)
					.map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c))))
					.collect::<Vec<_>>()
					.join("  ")
					.trim_end()
					.to_string()
			};
			let _ = writeln!(out, "{}", line(header.to_vec()));
			for row in rows {
				let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
			}
		},
	}
	let _ = out.flush();
}

/// Terminal width of a character: CJK ideographs and full-width forms take two columns.
fn char_width(c: char) -> usize {
	match c as u32 {
		0x1100..=0x115F
		| 0x2E80..=0xA4CF
		| 0xAC00..=0xD7A3
		| 0xF900..=0xFAFF
		| 0xFE30..=0xFE4F
		| 0xFF00..=0xFF60
		| 0xFFE0..=0xFFE6
		| 0x20000..=0x3FFFD => 2,
		_ => 1,
	}
}

/// Milliseconds since the epoch as local ISO 8601 with milliseconds.
pub fn time(ms: u64) -> String {
	chrono::DateTime::from_timestamp_millis(ms as i64)
		.map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string())
		.unwrap_or_else(|| ms.to_string())
}

fn short(reference: &str) -> String {
	reference.chars().take(12).collect()
}

/// Print entries.
pub fn print_entries(format: Format, entries: &[EntryJson]) {
	match format {
		Format::Json => {
			println!("{}", serde_json::to_string_pretty(entries).expect("serializes; qed"))
		},
		Format::Table => {
			let rows: Vec<Vec<String>> = entries
				.iter()
				.map(|e| {
					vec![
						e.id.to_string(),
						time(e.occurred_at),
						format!("{}:{}", e.source, e.seq),
						e.agency.clone(),
						e.system.clone(),
						e.action.clone(),
						e.purpose.clone(),
						e.status.to_string(),
						e.records.to_string(),
						short(&e.citizen_ref),
						short(&e.accessor_ref),
						e.block.to_string(),
					]
				})
				.collect();
			print_rows(
				format,
				&[
					"ID", "TIME", "SRC:SEQ", "AGENCY", "SYSTEM", "ACTION", "PURPOSE", "STATUS",
					"RECORDS", "CITIZEN", "OFFICIAL", "BLOCK",
				],
				&rows,
			);
			eprintln!("{} entries", entries.len());
		},
		Format::Csv => {
			let rows: Vec<Vec<String>> =
				entries.iter().map(|e| csv::entry_row(e, time(e.occurred_at)).to_vec()).collect();
			print_rows(format, &csv::ENTRY_HEADER, &rows);
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn cjk_takes_two_columns() {
		assert_eq!("高雄市".chars().map(char_width).sum::<usize>(), 6);
	}
}
