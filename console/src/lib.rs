//! # accesslog-console
//!
//! The audit console of the access-log chain: a web server for the city's LAN, every asset in the
//! binary. Operators watch the network and its blocks; auditors read entries, search them by
//! citizen, official, agency, source or time, export CSV and verify evidence bundles in their
//! own browser with the WebAssembly build of the evidence verifier, so the console server is not
//! trusted for the result. Every search that names a person is itself recorded on chain
//! ([`audit`]).
//!
//! One [`chain::Watch`] per console follows the chain (one subscription, one probe per node);
//! open pages get its updates as Server-Sent Events.

// Handlers answer early with a finished `Response` as their error: it is built once and sent, not
// passed up through layers, so its size costs nothing.
#![allow(clippy::result_large_err)]

pub mod assets;
pub mod audit;
pub mod auth;
pub mod chain;
pub mod charts;
pub mod config;
pub mod csv;
pub mod i18n;
pub mod pages;
pub mod results;
pub mod search;
pub mod sequence;
pub mod sso;
pub mod web;

use accesslog_client::{pseudonym::PseudonymKey, Client, Submitter};
use axum::{
	routing::{get, post},
	Router,
};
use std::{net::SocketAddr, sync::Arc, time::Duration};

/// Everything the handlers share.
pub struct App {
	/// The configuration.
	pub config: config::Config,
	/// Accounts and sessions.
	pub auth: auth::Auth,
	/// The chain as last seen.
	pub watch: Arc<chain::Watch>,
	/// The connection used for queries.
	pub client: Client,
	/// The pseudonymisation keys in use, the current one first.
	pub keys: Vec<PseudonymKey>,
	/// Records searches on chain.
	pub recorder: audit::Recorder,
	/// Recent searches' result sets, for paging and export.
	pub results: results::Results,
	/// Scans of sources' sequence indexes.
	pub scans: sequence::Scans,
	/// Sessions of users signed in by single sign-on.
	pub sso: sso::SsoSessions,
}

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
	/// A configured key cannot be read.
	#[error("{setting}: {error}")]
	Key {
		/// The setting naming it.
		setting: String,
		/// Why.
		#[source]
		error: accesslog_client::Error,
	},
	/// No node could be reached.
	#[error("nodes: {0}")]
	Connect(accesslog_client::Error),
	/// Searches could not be recorded, so none could be run.
	#[error("audit: {0}")]
	Audit(#[from] audit::AuditError),
	/// The listen address is unusable.
	#[error("listen {addr}: {error}")]
	Bind {
		/// The address.
		addr: SocketAddr,
		/// What the operating system said.
		#[source]
		error: std::io::Error,
	},
}

/// A running console.
pub struct Console {
	/// The address it serves on.
	pub addr: SocketAddr,
	/// Its shared state.
	pub app: Arc<App>,
}

/// Load the keys, connect, check that searches can be recorded, start watching the chain and
/// serve.
pub async fn start(config: config::Config) -> Result<Console, StartError> {
	let mut keys = Vec::new();
	for (i, k) in config.pseudonym_keys.iter().enumerate() {
		keys.push(
			k.key.pseudonym_key().map_err(|error| StartError::Key {
				setting: format!("pseudonym_keys[{i}]"),
				error,
			})?,
		);
	}
	let submitter = config
		.audit
		.submitter_key
		.keypair()
		.map_err(|error| StartError::Key { setting: "audit".into(), error })?;
	let client = Client::connect(&config.nodes).await.map_err(StartError::Connect)?;
	let current = keys[0].clone();
	let recorder = audit::Recorder::start(
		client.clone(),
		Submitter::new(submitter),
		current,
		&config.audit.source,
		&config.audit.agency,
	)
	.await?;
	let watch = chain::Watch::new(&config.nodes);
	// The watcher has a connection of its own, so that heavy searches queued on the queries'
	// connection do not hold up new blocks on their way to open pages.
	let follower = Client::connect(&config.nodes).await.map_err(StartError::Connect)?;
	chain::spawn(watch.clone(), config.nodes.clone(), follower);
	let listener = tokio::net::TcpListener::bind(config.listen)
		.await
		.map_err(|error| StartError::Bind { addr: config.listen, error })?;
	let addr =
		listener.local_addr().map_err(|error| StartError::Bind { addr: config.listen, error })?;
	let auth =
		auth::Auth::new(config.users.clone(), Duration::from_secs(config.session_minutes * 60));
	let app = Arc::new(App {
		config,
		auth,
		watch,
		client,
		keys,
		recorder,
		results: Default::default(),
		scans: Default::default(),
		sso: Default::default(),
	});
	let router = router(app.clone());
	tokio::spawn(async move {
		let service = router.into_make_service_with_connect_info::<SocketAddr>();
		if let Err(e) = axum::serve(listener, service).await {
			tracing::error!("the web server stopped: {e}");
		}
	});
	Ok(Console { addr, app })
}

/// Every route of the console.
pub fn router(app: Arc<App>) -> Router {
	Router::new()
		.route("/", get(pages::home))
		.route("/login", get(pages::login::form).post(pages::login::submit))
		.route("/logout", post(pages::login::logout))
		.route("/lang", get(pages::login::language))
		.route("/network", get(pages::network::page))
		.route("/blocks", get(pages::blocks::list))
		.route("/blocks/{number}", get(pages::blocks::detail))
		.route("/entries", get(pages::entries::list))
		.route("/entries/{id}", get(pages::entries::detail))
		.route("/entries/{id}/evidence.json", get(pages::entries::evidence))
		.route("/verify", get(pages::entries::verify_page))
		.route("/search", get(pages::search::page).post(pages::search::run))
		.route("/search.csv", post(pages::search::export))
		.route("/search/charts/{set}", get(pages::search::charts))
		.route("/sources", get(pages::sources::page))
		.route("/sources/{id}", get(pages::sources::detail))
		.route("/sources/{id}/scan", post(pages::sources::rescan))
		.route("/events", get(pages::events::stream))
		.route("/assets/{name}", get(assets::serve))
		.route("/healthz", get(|| async { "ok\n" }))
		.fallback(pages::not_found)
		.layer(axum::middleware::map_response(web::security_headers))
		.with_state(app)
}
