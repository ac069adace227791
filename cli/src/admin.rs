//! `accesslog admin`: council governance and the chain's registries.
//!
//! Every change is a council motion needing 2/3 of the members (a runtime upgrade: 3/4): the
//! command proposes it and votes aye as the proposer; other members then `vote`, and any member `close`s it once enough
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
	upgrade, Client, Submitter,
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
	/// List the validators (block authors and finality voters), in authoring order.
	Validators {
		#[arg(long, value_enum, default_value_t = Format::Table)]
		format: Format,
	},
	/// List the pseudonymisation key ids the chain's entries carry: how many entries each, the
	/// first and the last (a key may be retired once the retention period after its last entry
	/// has passed).
	PseudonymKeys {
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
	/// Propose adding a validator. Its keys: the `author_rotateKeys` answer of its node
	/// (`--session-keys`), or its Aura and GRANDPA public keys one by one.
	AddValidator {
		/// The account that answers for the validator (SS58).
		account: String,
		#[command(flatten)]
		keys: SessionKeyArgs,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose removing a validator. If it is down for good and finality is stalled, pass
	/// `force-change` first.
	RemoveValidator {
		/// The validator's account (SS58).
		account: String,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose new consensus keys for a validator (key rotation, rebuilt host).
	SetValidatorKeys {
		/// The validator's account (SS58).
		account: String,
		#[command(flatten)]
		keys: SessionKeyArgs,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose making the next validator-set change a forced GRANDPA change: the recovery when
	/// finality is stalled because a validator is gone (see docs/deploy.md).
	ForceChange {
		/// Blocks after the change is signalled until nodes adopt it.
		#[arg(long, default_value_t = 10)]
		delay: u32,
		/// The last finalized block number (`accesslog status`).
		#[arg(long)]
		best_finalized: u32,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Propose authorizing a new runtime (needs 3/4 of the council). Once the motion is
	/// executed, anyone with the file installs it with `apply-upgrade`.
	AuthorizeUpgrade {
		/// The new runtime: `accesslog_runtime.compact.compressed.wasm` of a release build.
		#[arg(long)]
		wasm: std::path::PathBuf,
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Install the runtime the council authorized; it runs, with its migrations, from the next
	/// block.
	ApplyUpgrade {
		/// The same file the authorizing motion named.
		#[arg(long)]
		wasm: std::path::PathBuf,
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

/// A validator's public keys.
#[derive(clap::Args)]
pub struct SessionKeyArgs {
	/// The node's `author_rotateKeys` answer: 0x and 128 hex digits (Aura key, GRANDPA key).
	#[arg(long, conflicts_with_all = ["aura", "grandpa"], required_unless_present_all = ["aura", "grandpa"])]
	session_keys: Option<String>,
	/// The Aura (sr25519) public key: SS58 or 0x and 64 hex digits.
	#[arg(long, requires = "grandpa")]
	aura: Option<String>,
	/// The GRANDPA (ed25519) public key: SS58 or 0x and 64 hex digits.
	#[arg(long, requires = "aura")]
	grandpa: Option<String>,
}

fn public_key(what: &str, s: &str) -> Result<[u8; 32], Failure> {
	accesslog_client::rpc_types::parse_hex32(s)
		.or_else(|| AccountId32::from_str(s.trim()).ok().map(|a| a.0))
		.ok_or_else(|| {
			Failure::usage(format!("--{what} {s:?} is neither SS58 nor 0x and 64 hex digits"))
		})
}

impl SessionKeyArgs {
	/// The Aura and GRANDPA public keys.
	fn parse(&self) -> Result<([u8; 32], [u8; 32]), Failure> {
		if let Some(hex) = &self.session_keys {
			let digits = hex.trim().strip_prefix("0x").unwrap_or(hex.trim());
			let bytes = (digits.len() == 128)
				.then(|| accesslog_client::rpc_types::parse_hex(digits))
				.flatten()
				.ok_or_else(|| {
					Failure::usage(format!(
						"--session-keys must be 0x and 128 hex digits (author_rotateKeys), got {} characters",
						hex.trim().len()
					))
				})?;
			return Ok((bytes[..32].try_into().unwrap(), bytes[32..].try_into().unwrap()));
		}
		let (Some(aura), Some(grandpa)) = (&self.aura, &self.grandpa) else {
			return Err(Failure::usage("give --session-keys, or --aura and --grandpa"));
		};
		Ok((public_key("aura", aura)?, public_key("grandpa", grandpa)?))
	}
}

fn account(s: &str) -> Result<AccountId32, Failure> {
	AccountId32::from_str(s.trim())
		.map_err(|_| Failure::usage(format!("{s:?} is not an SS58 account address")))
}

/// A runtime file, read and checked to be one.
fn runtime_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
	let code = std::fs::read(path)
		.map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
	upgrade::check_runtime_code(&code)
		.map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
	Ok(code)
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
	let threshold = governance::threshold(&call, members.len() as u32);
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
		AdminCommand::Validators { format } => {
			let validators = client.validators().await?;
			let hex = |k: &[u8; 32]| accesslog_client::rpc_types::hex(k);
			if format == Format::Json {
				let json: Vec<_> = validators
					.iter()
					.map(|v| {
						serde_json::json!({
							"account": v.account.to_string(),
							"aura": hex(&v.aura),
							"grandpa": hex(&v.grandpa),
						})
					})
					.collect();
				println!("{}", serde_json::to_string_pretty(&json).expect("serializes; qed"));
			} else {
				let rows: Vec<Vec<String>> = validators
					.iter()
					.map(|v| vec![v.account.to_string(), hex(&v.aura), hex(&v.grandpa)])
					.collect();
				print_rows(format, &["ACCOUNT", "AURA", "GRANDPA"], &rows);
			}
		},
		AdminCommand::PseudonymKeys { format } => {
			let keys = client.key_use().await?;
			if format == Format::Json {
				println!("{}", serde_json::to_string_pretty(&keys).expect("serializes; qed"));
			} else {
				let rows: Vec<Vec<String>> = keys
					.iter()
					.map(|k| {
						vec![
							k.key_id.to_string(),
							k.entries.to_string(),
							k.first_entry.to_string(),
							k.last_entry.to_string(),
						]
					})
					.collect();
				print_rows(format, &["KEY_ID", "ENTRIES", "FIRST_ENTRY", "LAST_ENTRY"], &rows);
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
		AdminCommand::AddValidator { account: a, keys, key } => {
			let (aura, grandpa) = keys.parse()?;
			propose(&client, &key, governance::add_validator(account(&a)?, aura, grandpa)).await?
		},
		AdminCommand::RemoveValidator { account: a, key } => {
			propose(&client, &key, governance::remove_validator(account(&a)?)).await?
		},
		AdminCommand::SetValidatorKeys { account: a, keys, key } => {
			let (aura, grandpa) = keys.parse()?;
			propose(&client, &key, governance::set_validator_keys(account(&a)?, aura, grandpa))
				.await?
		},
		AdminCommand::ForceChange { delay, best_finalized, key } => {
			propose(&client, &key, governance::force_change(delay, best_finalized)).await?
		},
		AdminCommand::AuthorizeUpgrade { wasm, key } => {
			let code = runtime_file(&wasm)?;
			let code_hash = upgrade::code_hash(&code);
			println!("{}: {} bytes, blake2-256 {code_hash:?}", wasm.display(), code.len());
			propose(&client, &key, upgrade::authorize_upgrade(code_hash)).await?
		},
		AdminCommand::ApplyUpgrade { wasm, key } => {
			let code = runtime_file(&wasm)?;
			let signer = Submitter::new(load(&key)?);
			let before = client.runtime_version().await?;
			client
				.apply_upgrade(&signer, code)
				.await
				.map_err(|e| Failure::new(exit::REFUSED, e.to_string()))?;
			// The new code runs from the block after the one that installed it.
			let mut now = client.runtime_version().await?;
			for _ in 0..30 {
				if now != before {
					break;
				}
				tokio::time::sleep(std::time::Duration::from_secs(1)).await;
				now = client.runtime_version().await?;
			}
			println!(
				"installed: runtime {} {} -> {} {}",
				before.spec_name, before.spec_version, now.spec_name, now.spec_version
			);
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
