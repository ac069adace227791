//! `accesslog keys`: generate and inspect keys. Secrets go to files (mode 0600), never to the
//! terminal.

use crate::{exit::Failure, KeyArgs, PseudonymArgs};
use accesslog_client::{
	keys::{self, KeySource},
	pseudonym::PseudonymKey,
	Keypair,
};
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// Key commands.
#[derive(Subcommand)]
pub enum KeysCommand {
	/// Generate a new sr25519 key (submitter or council member) into a new file; prints its
	/// account, never its secret.
	Generate {
		/// Where to write the key file (must not exist).
		#[arg(long)]
		out: PathBuf,
	},
	/// Generate a new pseudonymisation key (32 random bytes) into a new file.
	GeneratePseudonym {
		/// Where to write the key file (must not exist).
		#[arg(long)]
		out: PathBuf,
		/// The key's id (stored with every entry it pseudonymises; use a new id when rotating).
		#[arg(long)]
		key_id: u32,
	},
	/// Show the account and public key of a key (file or environment).
	Inspect {
		/// The key file (same as `--key-file`, and preferred over it).
		file: Option<PathBuf>,
		#[command(flatten)]
		key: KeyArgs,
	},
}

/// The key named by `file` if given, else by the environment variable `env`; `hint` says what to
/// give when neither is there.
fn file_or_env<K>(
	file: Option<&Path>,
	env: &str,
	read: fn(&KeySource) -> accesslog_client::Result<K>,
	hint: &str,
) -> Result<K, Failure> {
	match file {
		Some(path) => read(&KeySource::File(path.into())).map_err(Failure::key),
		None => read(&KeySource::Env(env.into())).map_err(|e| {
			Failure::new(crate::exit::KEY, format!("{}; {hint} {env}", crate::exit::message(&e)))
		}),
	}
}

/// Load the signing key named by `args`: the key file if given, else the environment variable.
pub fn load(args: &KeyArgs) -> Result<Keypair, Failure> {
	file_or_env(
		args.key_file.as_deref(),
		&args.key_env,
		KeySource::keypair,
		"give a key file with --key-file, or the secret URI in",
	)
}

/// Load the pseudonymisation key named by `args`.
pub fn load_pseudonym(args: &PseudonymArgs) -> Result<PseudonymKey, Failure> {
	file_or_env(
		args.pseudonym_key_file.as_deref(),
		&args.pseudonym_key_env,
		KeySource::pseudonym_key,
		"give --pseudonym-key-file, or <key_id>:<hex secret> in",
	)
}

/// Run a key command.
pub fn run(command: KeysCommand) -> Result<(), Failure> {
	match command {
		KeysCommand::Generate { out } => {
			let (keypair, file) = keys::generate().map_err(Failure::key)?;
			keys::write_key_file(&out, &file).map_err(Failure::key)?;
			print_public(&keypair);
			eprintln!(
				"wrote {} (mode 0600); keep a copy offline: it cannot be recovered",
				out.display()
			);
		},
		KeysCommand::GeneratePseudonym { out, key_id } => {
			let file = keys::generate_pseudonym_key(key_id).map_err(Failure::key)?;
			let json = serde_json::to_string_pretty(&file).expect("serializes; qed");
			keys::write_private_file(&out, &json).map_err(Failure::key)?;
			println!("{{\"key_id\":{key_id}}}");
			eprintln!(
				"wrote {} (mode 0600); every submitter and auditor of this organisation needs the \
				 same file, and losing it makes existing references unsearchable",
				out.display()
			);
		},
		KeysCommand::Inspect { file, mut key } => {
			key.key_file = file.or(key.key_file);
			print_public(&load(&key)?)
		},
	}
	Ok(())
}

fn print_public(keypair: &Keypair) {
	let info = keys::public_info(keypair);
	println!("{}", serde_json::to_string_pretty(&info).expect("serializes; qed"));
}
