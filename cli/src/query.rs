//! `accesslog query`: entries by citizen, official, agency, time range or sequence range, every
//! page followed for the user.

use crate::{
	connect,
	exit::{self, Failure},
	keys::load_pseudonym,
	output::{print_entries, Format},
	PseudonymArgs,
};
use accesslog_client::{pseudonym::NationalId, query::Query, rpc_types::EntryJson};
use clap::Subcommand;

/// Output and time options shared by the queries.
#[derive(clap::Args, Clone, Debug)]
pub struct Common {
	/// Output format.
	#[arg(long, value_enum, default_value_t = Format::Table)]
	format: Format,
	/// Stop after this many entries (default: all).
	#[arg(long)]
	limit: Option<usize>,
}

/// A time range.
#[derive(clap::Args, Clone, Debug)]
pub struct Range {
	/// Start (RFC 3339, e.g. 2026-11-20T08:00:00+08:00; default: the beginning).
	#[arg(long)]
	from: Option<String>,
	/// End, inclusive (RFC 3339; default: now).
	#[arg(long)]
	to: Option<String>,
}

/// Query commands.
#[derive(Subcommand)]
pub enum QueryCommand {
	/// Accesses to one citizen's data, by national ID (needs the pseudonymisation key).
	Citizen {
		/// The national ID, e.g. A123456789 (validated, never sent anywhere).
		national_id: String,
		#[command(flatten)]
		key: PseudonymArgs,
		#[command(flatten)]
		common: Common,
	},
	/// Accesses by one official, by the ID the source system uses (needs the key).
	Official {
		/// The official's ID, e.g. KSW-12345.
		official_id: String,
		#[command(flatten)]
		key: PseudonymArgs,
		#[command(flatten)]
		common: Common,
	},
	/// Accesses to a citizen or by an official, by reference (64 hex digits) when the key is not
	/// at hand.
	Reference {
		/// `citizen` or `official`.
		#[arg(value_parser = ["citizen", "official"])]
		kind: String,
		/// The reference.
		reference: String,
		#[command(flatten)]
		common: Common,
	},
	/// Accesses by one calling agency within a time range (scans the time index).
	Agency {
		/// Agency name exactly as logged, e.g. 高雄市政府社會局.
		agency: String,
		#[command(flatten)]
		range: Range,
		#[command(flatten)]
		common: Common,
	},
	/// Accesses that happened within a time range.
	Time {
		#[command(flatten)]
		range: Range,
		#[command(flatten)]
		common: Common,
	},
	/// A source's entries by sequence number range.
	Seq {
		/// Source id (see `accesslog admin sources`).
		#[arg(long)]
		source: u32,
		/// First sequence number.
		#[arg(long, default_value_t = 1)]
		from: u64,
		/// Last sequence number (default: the last one).
		#[arg(long)]
		to: Option<u64>,
		#[command(flatten)]
		common: Common,
	},
	/// One entry by id.
	Entry {
		/// Entry id.
		id: u64,
		#[command(flatten)]
		common: Common,
	},
}

fn parse_time(what: &str, s: &str) -> Result<u64, Failure> {
	let t = chrono::DateTime::parse_from_rfc3339(s).map_err(|e| {
		Failure::usage(format!(
			"--{what} {s:?} is not RFC 3339 (like 2026-11-20T08:00:00+08:00): {e}"
		))
	})?;
	u64::try_from(t.timestamp_millis())
		.map_err(|_| Failure::usage(format!("--{what} is before 1970")))
}

fn range_ms(range: &Range) -> Result<(u64, u64), Failure> {
	let from = range.from.as_deref().map(|s| parse_time("from", s)).transpose()?.unwrap_or(0);
	let to = match range.to.as_deref() {
		Some(s) => parse_time("to", s)?,
		None => chrono::Utc::now().timestamp_millis() as u64 + 5 * 60 * 1000,
	};
	if from > to {
		return Err(Failure::usage("--from is after --to"));
	}
	Ok((from, to))
}

/// Run a query.
pub async fn run(urls: &[String], command: QueryCommand) -> Result<(), Failure> {
	let (query, filter, common): (Query, Option<String>, Common) = match command {
		QueryCommand::Citizen { national_id, key, common } => {
			let id = NationalId::parse(&national_id)
				.map_err(|e| Failure::usage(format!("national ID: {e}")))?;
			let key = load_pseudonym(&key)?;
			(Query::Citizen(key.citizen_ref(&id)), None, common)
		},
		QueryCommand::Official { official_id, key, common } => {
			let key = load_pseudonym(&key)?;
			(Query::Accessor(key.accessor_ref(official_id.trim())), None, common)
		},
		QueryCommand::Reference { kind, reference, common } => {
			let r = accesslog_client::rpc_types::parse_hex32(&reference)
				.ok_or_else(|| Failure::usage("a reference is 64 hex digits (32 bytes)"))?;
			let q = if kind == "citizen" { Query::Citizen(r) } else { Query::Accessor(r) };
			(q, None, common)
		},
		QueryCommand::Agency { agency, range, common } => {
			let (from_ms, to_ms) = range_ms(&range)?;
			(Query::Time { from_ms, to_ms }, Some(agency), common)
		},
		QueryCommand::Time { range, common } => {
			let (from_ms, to_ms) = range_ms(&range)?;
			(Query::Time { from_ms, to_ms }, None, common)
		},
		QueryCommand::Seq { source, from, to, common } => {
			(Query::Sequence { source, from, to: to.unwrap_or(u64::MAX) }, None, common)
		},
		QueryCommand::Entry { id, common } => {
			let client = connect(urls).await?;
			let entry = client.query().entry(id).await?.ok_or_else(|| {
				Failure::new(exit::NOT_FOUND, format!("entry {id} does not exist on this chain"))
			})?;
			print_entries(common.format, &[entry]);
			return Ok(());
		},
	};
	let client = connect(urls).await?;
	let rpc = client.query();
	let limit = common.limit.unwrap_or(usize::MAX);
	let mut entries: Vec<EntryJson> = Vec::new();
	let mut cursor = None;
	let mut pages = 0u64;
	loop {
		let page =
			rpc.page(&query, cursor, Some(accesslog_client::rpc_types::MAX_PAGE_SIZE)).await?;
		pages += 1;
		entries.extend(
			page.items.into_iter().filter(|e| filter.as_ref().is_none_or(|a| &e.agency == a)),
		);
		if pages.is_multiple_of(10) {
			eprint!("\r{} entries so far…", entries.len());
		}
		match page.next_cursor {
			Some(next) if entries.len() < limit => cursor = Some(next),
			_ => break,
		}
	}
	if pages >= 10 {
		eprintln!();
	}
	entries.truncate(limit);
	print_entries(common.format, &entries);
	Ok(())
}
