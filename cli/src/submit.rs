//! `accesslog submit`: platform records from a JSON Lines file or stdin onto the chain.

use crate::{
	connect,
	exit::{self, Failure},
	keys::{load, load_pseudonym},
	KeyArgs, PseudonymArgs,
};
use accesslog_client::{
	bulk::{BulkSubmitter, InputLine, LineError, Options, Unreadable},
	format::now_ms,
	record::MAX_LINE_LEN,
	Submitter, Wait,
};
use std::{
	io::{BufRead, IsTerminal, Write},
	path::PathBuf,
	time::{Duration, Instant},
};

/// Options of `accesslog submit`.
#[derive(clap::Args)]
pub struct SubmitArgs {
	/// JSON Lines file of platform records; `-` or nothing reads standard input.
	input: Option<PathBuf>,
	#[command(flatten)]
	key: KeyArgs,
	#[command(flatten)]
	pseudonym: PseudonymArgs,
	/// Records per transaction (1 to the chain's batch limit, 500).
	#[arg(long, default_value_t = accesslog_client::format::limits::MAX_BATCH_SIZE)]
	batch: usize,
	/// Transactions in flight at once.
	#[arg(long, default_value_t = 4)]
	inflight: usize,
	/// Count a record as stored once its block is imported (`in-block`) or finalized.
	#[arg(long, value_enum, default_value_t = WaitArg::Finalized)]
	wait: WaitArg,
	/// Lines read and checked against the chain per round.
	#[arg(long, default_value_t = 10_000)]
	chunk: usize,
	/// Also write rejected lines as JSON Lines (`{"line":N,"error":"…"}`) to this file.
	#[arg(long)]
	errors: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum WaitArg {
	InBlock,
	Finalized,
}

/// Read one line of at most `MAX_LINE_LEN` bytes; a longer line is consumed and reported.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<Result<String, Unreadable>>> {
	let mut buf = Vec::new();
	let mut too_long = false;
	loop {
		let available = reader.fill_buf()?;
		if available.is_empty() {
			if buf.is_empty() && !too_long {
				return Ok(None);
			}
			break;
		}
		let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
			Some(i) => (&available[..i], Some(i + 1)),
			None => (available, None),
		};
		if !too_long {
			if buf.len() + chunk.len() > MAX_LINE_LEN {
				too_long = true;
				buf.clear();
			} else {
				buf.extend_from_slice(chunk);
			}
		}
		let consumed = done.unwrap_or(available.len());
		reader.consume(consumed);
		if done.is_some() {
			break;
		}
	}
	if too_long {
		return Ok(Some(Err(Unreadable::TooLong)));
	}
	if buf.last() == Some(&b'\r') {
		buf.pop();
	}
	Ok(Some(String::from_utf8(buf).map_err(|_| Unreadable::NotUtf8)))
}

/// Run `submit`.
pub async fn run(urls: &[String], args: SubmitArgs) -> Result<(), Failure> {
	let keypair = load(&args.key)?;
	let pseudonym = load_pseudonym(&args.pseudonym)?;
	let mut reader: Box<dyn BufRead> = match args.input.as_deref() {
		None => Box::new(std::io::stdin().lock()),
		Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
		Some(p) => Box::new(std::io::BufReader::with_capacity(
			1 << 16,
			std::fs::File::open(p)
				.map_err(|e| Failure::io(&format!("cannot open {}", p.display()), e))?,
		)),
	};
	let mut errors_file = match &args.errors {
		Some(p) => Some(std::io::BufWriter::new(
			std::fs::File::create(p)
				.map_err(|e| Failure::io(&format!("cannot create {}", p.display()), e))?,
		)),
		None => None,
	};
	let options = Options {
		batch: args.batch,
		inflight: args.inflight,
		wait: if args.wait == WaitArg::InBlock { Wait::InBlock } else { Wait::Finalized },
		..Options::default()
	};
	let client = connect(urls).await?;
	let mut bulk = BulkSubmitter::new(client, Submitter::new(keypair), pseudonym, options).await?;
	let (source_id, source_name) = bulk.source();
	eprintln!("submitting for source {source_id} ({source_name}) to {}", urls.join(", "));

	let start = Instant::now();
	let tty = std::io::stderr().is_terminal();
	let mut line_no = 0u64;
	let mut last_progress = Instant::now();
	let mut shown = None;
	loop {
		let mut chunk = Vec::with_capacity(args.chunk.max(1));
		while chunk.len() < args.chunk.max(1) {
			match read_line(&mut reader).map_err(|e| Failure::io("reading the input", e))? {
				Some(line) => {
					line_no += 1;
					chunk.push(InputLine { number: line_no, text: line });
				},
				None => break,
			}
		}
		if chunk.is_empty() {
			break;
		}
		let mut errors: Vec<LineError> = Vec::new();
		bulk.process(chunk, now_ms(), &mut errors).await?;
		for e in &errors {
			eprintln!("{}line {}: {}", if tty { "\r\x1b[K" } else { "" }, e.line, e.message);
			if let Some(f) = errors_file.as_mut() {
				let json = serde_json::json!({ "line": e.line, "error": e.message });
				writeln!(f, "{json}").map_err(|e| Failure::io("writing the errors file", e))?;
			}
		}
		if tty || last_progress.elapsed() > Duration::from_secs(5) {
			progress(&bulk, start, tty);
			(last_progress, shown) = (Instant::now(), Some(bulk.totals()));
		}
	}
	if let Some(f) = errors_file.as_mut() {
		f.flush().map_err(|e| Failure::io("writing the errors file", e))?;
	}
	let totals = bulk.totals();
	if tty {
		eprintln!();
	} else if shown != Some(totals) {
		progress(&bulk, start, false);
	}
	if totals.rejected > 0 {
		return Err(Failure::new(
			exit::SOME_LINES_REJECTED,
			format!(
				"{} of {} lines rejected (listed above with their line numbers); fix them and \
				 rerun: lines already on chain are skipped",
				totals.rejected, totals.lines
			),
		));
	}
	Ok(())
}

fn progress(bulk: &BulkSubmitter, start: Instant, tty: bool) {
	let t = bulk.totals();
	let secs = start.elapsed().as_secs_f64().max(0.001);
	let line = format!(
		"{} lines: {} stored, {} already on chain, {} rejected ({:.0} lines/s, {:.1} s)",
		t.lines,
		t.stored,
		t.already,
		t.rejected,
		t.lines as f64 / secs,
		secs
	);
	if tty {
		eprint!("\r\x1b[K{line}");
	} else {
		eprintln!("{line}");
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn long_lines_are_consumed_and_reported() {
		let mut input = Vec::new();
		input.extend_from_slice(b"first\r\n");
		input.extend(std::iter::repeat_n(b'x', MAX_LINE_LEN + 10));
		input.extend_from_slice(b"\nlast");
		let mut reader = std::io::BufReader::with_capacity(4096, &input[..]);
		assert_eq!(read_line(&mut reader).unwrap(), Some(Ok("first".into())));
		let long = read_line(&mut reader).unwrap().unwrap().unwrap_err();
		assert_eq!(long, Unreadable::TooLong);
		assert!(long.to_string().contains("longer than"));
		assert_eq!(read_line(&mut reader).unwrap(), Some(Ok("last".into())));
		assert_eq!(read_line(&mut reader).unwrap(), None);
	}
}
