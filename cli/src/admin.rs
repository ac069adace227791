//! `accesslog admin`: council governance and the chain's registries.
//!
//! Every change is a council motion needing 2/3 of the members: the command proposes it and
//! votes aye as the proposer; other members then `vote`, and any member `close`s it once enough
//! ayes are in. With a one-member council (`--dev`) the change executes at once.

use crate::{
	connect,
	exit::{self, Failure},
	keys::load,
	output::{print_rows, Format},
	KeyArgs,
};
use accesslog_client::{
	governance::{self, Proposed},
	Client, Submitter,
};
use clap::Subcommand;
use std::str::FromStr;
use subxt::utils::{AccountId32, H256};

/// Admin commands.
#[derive(Subcommand)]
pub enum AdminCommand {
	/// List the council's members.
	Members {
		#[arg(long, value_enum, default_value_t = Format::Table)]
		format: Format,
	},
	/// List the registered sources.
	Sources {
		#[arg(long, value_enum, default_value_t = Format::Table)]
		format: Format,
	},
	/// List the submitter accounts (active and revoked).
	Submitters {
		#[arg(long, value_enum, default_value_t = Format::Table)]
		format: Format,
	},
	/// List the council's open motions with their votes.
	Motions {
		#[arg(long, value_enum, default_value_t = Format::Table)]
		format: Format,
	},
	/// Propose registering a new source.
	RegisterSource {
		/// Source name, e.g. kcg-household-api.
		#[arg(long)]
		name: String,
		/// The agency operating it.
		#[arg(long)]
		agency: String,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose activating or deactivating a source.
	SetSourceActive {
		/// Source id.
		#[arg(long)]
		source: u32,
		/// `true` to accept entries, `false` to stop.
		#[arg(long, action = clap::ArgAction::Set)]
		active: bool,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose authorizing an account to submit entries for a source.
	Authorize {
		/// The submitter's account (SS58).
		account: String,
		/// Source id.
		#[arg(long)]
		source: u32,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose revoking a submitter.
	Revoke {
		/// The submitter's account (SS58).
		account: String,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose adding a council member.
	AddMember {
		/// The new member's account (SS58).
		account: String,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose removing a council member.
	RemoveMember {
		/// The member's account (SS58).
		account: String,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Vote on an open motion.
	Vote {
		/// The motion's proposal hash (see `admin motions`).
		hash: String,
		/// Vote aye (the default) or nay.
		#[arg(long, value_parser = ["aye", "nay"], default_value = "aye")]
		vote: String,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Close a motion that has enough votes (or whose voting period ended): executes it if
	/// approved.
	Close {
		/// The motion's proposal hash.
		hash: String,
		#[command(flatten)]
		key: KeyArgs,
	},
}

fn account(s: &str) -> Result<AccountId32, Failure> {
	AccountId32::from_str(s.trim())
		.map_err(|_| Failure::usage(format!("{s:?} is not an SS58 account address")))
}

fn hash(s: &str) -> Result<H256, Failure> {
	accesslog_client::rpc_types::parse_hex32(s).map(H256).ok_or_else(|| {
		Failure::usage(format!("{s:?} is not a proposal hash (0x and 64 hex digits)"))
	})
}

async fn propose(
	client: &Client,
	key: &KeyArgs,
	call: governance::RuntimeCall,
) -> Result<(), Failure> {
	let member = Submitter::new(load(key)?);
	let members = client.council_members().await?;
	if !members.contains(&member.account_id()) {
		return Err(Failure::new(
			exit::REFUSED,
			format!("{} is not a council member; only members can propose", member.account_id()),
		));
	}
	let threshold = governance::two_thirds(members.len() as u32);
	match client.propose(&member, call, threshold).await? {
		Proposed::Executed(Ok(())) => {
			println!("executed: the council has one member, the change is in effect");
			Ok(())
		},
		Proposed::Executed(Err(e)) => {
			Err(Failure::new(exit::REFUSED, format!("the call failed: {e}")))
		},
		Proposed::Open(motion) => {
			client.vote(&member, &motion, true).await?;
			println!(
				"proposed motion {:?} (index {}), needs {threshold} of {} ayes; you voted aye.\n\
				 Other members: accesslog admin vote {:?}\n\
				 Then any member: accesslog admin close {:?}",
				motion.hash,
				motion.index,
				members.len(),
				motion.hash,
				motion.hash
			);
			Ok(())
		},
	}
}

/// Run an admin command.
pub async fn run(urls: &[String], command: AdminCommand) -> Result<(), Failure> {
	let client = connect(urls).await?;
	match command {
		AdminCommand::Members { format } => {
			let members = client.council_members().await?;
			let rows: Vec<Vec<String>> = members.iter().map(|m| vec![m.to_string()]).collect();
			if format == Format::Json {
				println!(
					"{}",
					serde_json::to_string_pretty(
						&members.iter().map(|m| m.to_string()).collect::<Vec<_>>()
					)
					.expect("serializes; qed")
				);
			} else {
				print_rows(format, &["MEMBER"], &rows);
			}
		},
		AdminCommand::Sources { format } => {
			let sources = client.query().sources().await?;
			if format == Format::Json {
				println!("{}", serde_json::to_string_pretty(&sources).expect("serializes; qed"));
			} else {
				let rows: Vec<Vec<String>> = sources
					.iter()
					.map(|s| {
						vec![
							s.id.to_string(),
							s.name.clone(),
							s.agency.clone(),
							if s.active { "active".into() } else { "inactive".into() },
							s.last_seq.to_string(),
							s.entries.to_string(),
							s.registered_at.to_string(),
						]
					})
					.collect();
				print_rows(
					format,
					&["ID", "NAME", "AGENCY", "STATE", "LAST_SEQ", "ENTRIES", "REGISTERED_AT"],
					&rows,
				);
			}
		},
		AdminCommand::Submitters { format } => {
			let submitters = client.query().submitters().await?;
			if format == Format::Json {
				println!("{}", serde_json::to_string_pretty(&submitters).expect("serializes; qed"));
			} else {
				let rows: Vec<Vec<String>> = submitters
					.iter()
					.map(|s| {
						vec![
							s.account.clone(),
							s.source.to_string(),
							if s.active { "active".into() } else { "revoked".into() },
							s.changed_at.to_string(),
						]
					})
					.collect();
				print_rows(format, &["ACCOUNT", "SOURCE", "STATE", "CHANGED_AT"], &rows);
			}
		},
		AdminCommand::Motions { format } => {
			let motions = client.motions().await?;
			let rows: Vec<Vec<String>> = motions
				.iter()
				.map(|m| {
					vec![
						format!("{:?}", m.motion.hash),
						m.motion.index.to_string(),
						format!("{}/{}", m.ayes.len(), m.threshold),
						m.nays.len().to_string(),
						m.end.to_string(),
						m.call.clone(),
					]
				})
				.collect();
			if format == Format::Json {
				let json: Vec<_> = motions
					.iter()
					.map(|m| {
						serde_json::json!({
							"hash": format!("{:?}", m.motion.hash),
							"index": m.motion.index,
							"threshold": m.threshold,
							"ayes": m.ayes.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
							"nays": m.nays.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
							"end": m.end,
							"call": m.call,
						})
					})
					.collect();
				println!("{}", serde_json::to_string_pretty(&json).expect("serializes; qed"));
			} else {
				print_rows(format, &["HASH", "INDEX", "AYES", "NAYS", "END", "CALL"], &rows);
			}
		},
		AdminCommand::RegisterSource { name, agency, key } => {
			propose(&client, &key, governance::register_source(&name, &agency)).await?
		},
		AdminCommand::SetSourceActive { source, active, key } => {
			propose(&client, &key, governance::set_source_active(source, active)).await?
		},
		AdminCommand::Authorize { account: a, source, key } => {
			propose(&client, &key, governance::authorize_submitter(account(&a)?, source)).await?
		},
		AdminCommand::Revoke { account: a, key } => {
			propose(&client, &key, governance::revoke_submitter(account(&a)?)).await?
		},
		AdminCommand::AddMember { account: a, key } => {
			propose(&client, &key, governance::add_council_member(account(&a)?)).await?
		},
		AdminCommand::RemoveMember { account: a, key } => {
			propose(&client, &key, governance::remove_council_member(account(&a)?)).await?
		},
		AdminCommand::Vote { hash: h, vote, key } => {
			let member = Submitter::new(load(&key)?);
			let open = client
				.motion(hash(&h)?)
				.await
				.map_err(|e| Failure::new(exit::NOT_FOUND, e.to_string()))?;
			client.vote(&member, &open.motion, vote == "aye").await?;
			let open = client.motion(open.motion.hash).await?;
			println!(
				"voted {vote}: {} of {} ayes needed, {} nays",
				open.ayes.len(),
				open.threshold,
				open.nays.len()
			);
			if open.ayes.len() as u32 >= open.threshold {
				println!("approved: close it with `accesslog admin close {:?}`", open.motion.hash);
			}
		},
		AdminCommand::Close { hash: h, key } => {
			let member = Submitter::new(load(&key)?);
			let open = client
				.motion(hash(&h)?)
				.await
				.map_err(|e| Failure::new(exit::NOT_FOUND, e.to_string()))?;
			match client.close(&member, &open.motion).await? {
				Ok(()) => println!("executed: the change is in effect"),
				Err(e) => return Err(Failure::new(exit::REFUSED, format!("not executed: {e}"))),
			}
		},
	}
	Ok(())
}
