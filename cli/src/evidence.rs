//! `accesslog evidence`, `accesslog verify` and `accesslog validators`.

use crate::{connect, exit::Failure};
use accesslog_client::{
	evidence::{self, Bundle, ValidatorSet},
	format::hex,
};
use std::path::{Path, PathBuf};

/// Options of `accesslog evidence`.
#[derive(clap::Args)]
pub struct EvidenceArgs {
	/// Entry ids to prove (e.g. `--id 5 --id 9`, or `--id 5,9`).
	#[arg(long = "id", value_delimiter = ',', required = true)]
	ids: Vec<u64>,
	/// Where to write the bundle (JSON); must not exist.
	#[arg(long)]
	out: PathBuf,
}

/// Options of `accesslog verify`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["validators", "chain_spec"])))]
pub struct VerifyArgs {
	/// The bundle to check.
	bundle: PathBuf,
	/// Validator set file (from `accesslog validators`, or written by hand: {"set_id":0,
	/// "authorities":[{"id":"(SS58 of an ed25519 key)","weight":1}]}).
	#[arg(long)]
	validators: Option<PathBuf>,
	/// Take the genesis validator set (set 0) from this chain spec (plain or raw).
	#[arg(long)]
	chain_spec: Option<PathBuf>,
	/// Print what was proven as JSON instead of text.
	#[arg(long)]
	json: bool,
}

/// Options of `accesslog validators`.
#[derive(clap::Args)]
pub struct ValidatorsArgs {
	/// Write to this file instead of standard output.
	#[arg(long)]
	out: Option<PathBuf>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	serde_json::from_str(&text)
		.map_err(|e| format!("{} is not a valid {what}: {e}", path.display()))
}

fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
	use std::io::Write;
	let mut f =
		std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
			Failure::io(&format!("cannot create {} (it must not exist)", path.display()), e)
		})?;
	f.write_all(text.as_bytes())
		.and_then(|_| f.sync_all())
		.map_err(|e| Failure::io(&format!("cannot write {}", path.display()), e))
}

/// Run `evidence`.
pub async fn evidence(urls: &[String], args: EvidenceArgs) -> Result<(), Failure> {
	let client = connect(urls).await?;
	eprintln!("waiting for the entries' blocks to be finalized, then proving them…");
	let bundle = client.evidence(&args.ids).await?;
	let json = serde_json::to_string_pretty(&bundle).expect("serializes; qed");
	write_new(&args.out, &(json + "\n"))?;
	eprintln!(
		"wrote {}: {} entries proven at finalized block #{} {}",
		args.out.display(),
		bundle.entries.len(),
		bundle.block.number,
		bundle.block.hash
	);
	Ok(())
}

/// Run `verify`: exit 0 only if everything checks out, otherwise the code of the failed part.
pub fn verify(args: VerifyArgs) -> Result<(), Failure> {
	let bundle: Bundle = read_json(&args.bundle, "evidence bundle").map_err(|m| {
		let e = evidence::VerifyError::from(evidence::MalformedError::Unreadable(m));
		Failure::new(e.exit_code(), e.to_string())
	})?;
	let validators = match (&args.validators, &args.chain_spec) {
		(Some(path), _) => read_json::<ValidatorSet>(path, "validator set"),
		(None, Some(path)) => read_json::<serde_json::Value>(path, "chain spec")
			.and_then(|spec| ValidatorSet::from_chain_spec(&spec).map_err(|e| e.to_string())),
		(None, None) => unreachable!("clap requires one of them"),
	}
	.map_err(|m| {
		let e = evidence::VerifyError::from(evidence::ValidatorSetError::Unreadable(m));
		Failure::new(e.exit_code(), e.to_string())
	})?;
	match evidence::verify(&bundle, &validators) {
		Ok(v) => {
			if args.json {
				let out = v.to_json();
				println!("{}", serde_json::to_string_pretty(&out).expect("serializes; qed"));
			} else {
				println!(
					"VERIFIED: {} entries recorded on chain, proven at block #{} {}, finalized by \
					 {} validators of set {}",
					v.entries.len(),
					v.block_number,
					hex(&v.block_hash),
					v.signers,
					v.set_id
				);
				for e in &v.entries {
					println!(
						"  entry {}: source {} seq {}, {} {} {}, recorded in block #{}",
						e.id,
						e.source,
						e.seq,
						crate::output::time(e.occurred_at),
						e.agency,
						e.action,
						e.block
					);
				}
			}
			Ok(())
		},
		Err(e) => Err(Failure::new(e.exit_code(), format!("NOT VERIFIED ({}): {e}", e.part()))),
	}
}

/// Run `validators`.
pub async fn validators(urls: &[String], args: ValidatorsArgs) -> Result<(), Failure> {
	let client = connect(urls).await?;
	let set = client.validator_set().await?;
	let json = serde_json::to_string_pretty(&set).expect("serializes; qed") + "\n";
	match args.out {
		Some(path) => {
			write_new(&path, &json)?;
			eprintln!(
				"wrote {} (set {}, {} authorities)",
				path.display(),
				set.set_id,
				set.authorities.len()
			);
		},
		None => print!("{json}"),
	}
	Ok(())
}
