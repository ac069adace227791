//! TLS server configuration from PEM files (HTTPS and syslog over TLS, RFC 5425), with optional
//! client-certificate verification (mutual TLS).

use crate::StartError;
use rustls::{
	crypto::ring::default_provider,
	pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
	server::WebPkiClientVerifier,
	RootCertStore, ServerConfig,
};
use std::{path::Path, sync::Arc};
use tokio_rustls::TlsAcceptor;

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, StartError> {
	let certs: Vec<_> = CertificateDer::pem_file_iter(path)
		.and_then(|it| it.collect::<Result<Vec<_>, _>>())
		.map_err(|e| StartError(format!("{}: not a PEM certificate file: {e}", path.display())))?;
	if certs.is_empty() {
		return Err(StartError(format!("{}: no certificate in the file", path.display())));
	}
	Ok(certs)
}

/// A TLS acceptor for the certificate chain `cert` and private key `key` (PEM); with
/// `client_ca`, clients must present a certificate signed by one of its CAs.
pub fn acceptor(
	cert: &Path,
	key: &Path,
	client_ca: Option<&Path>,
) -> Result<TlsAcceptor, StartError> {
	let chain = certs(cert)?;
	let key = PrivateKeyDer::from_pem_file(key)
		.map_err(|e| StartError(format!("{}: not a PEM private key: {e}", key.display())))?;
	let provider = Arc::new(default_provider());
	let builder = ServerConfig::builder_with_provider(provider.clone())
		.with_safe_default_protocol_versions()
		.map_err(|e| StartError(format!("TLS: {e}")))?;
	let builder = match client_ca {
		Some(ca) => {
			let mut roots = RootCertStore::empty();
			for c in certs(ca)? {
				roots.add(c).map_err(|e| StartError(format!("{}: {e}", ca.display())))?;
			}
			let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
				.build()
				.map_err(|e| StartError(format!("{}: {e}", ca.display())))?;
			builder.with_client_cert_verifier(verifier)
		},
		None => builder.with_no_client_auth(),
	};
	let config = builder.with_single_cert(chain, key).map_err(|e| {
		StartError(format!("{}: certificate and key do not fit: {e}", cert.display()))
	})?;
	Ok(TlsAcceptor::from(Arc::new(config)))
}
