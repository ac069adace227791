//! TLS server configuration from PEM files (HTTPS and syslog over TLS, RFC 5425), with optional
//! client-certificate verification (mutual TLS).

use rustls::{
	crypto::ring::default_provider,
	pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
	server::WebPkiClientVerifier,
	RootCertStore, ServerConfig,
};
use std::{
	path::{Path, PathBuf},
	sync::Arc,
};
use tokio_rustls::TlsAcceptor;

/// A TLS file that cannot be used: which file, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct TlsError {
	/// The certificate, key or CA file.
	pub path: PathBuf,
	/// What is wrong with it.
	pub problem: TlsProblem,
}

/// What is wrong with a TLS file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsProblem {
	/// Not readable as PEM certificates.
	#[error("not a PEM certificate file: {0}")]
	NotCertificates(rustls::pki_types::pem::Error),
	/// A PEM file without a certificate in it.
	#[error("no certificate in the file")]
	NoCertificate,
	/// Not readable as a PEM private key.
	#[error("not a PEM private key: {0}")]
	NotKey(rustls::pki_types::pem::Error),
	/// A CA certificate that cannot serve to verify clients.
	#[error("unusable as client CA: {0}")]
	BadCa(String),
	/// The certificate and the key are no pair, or TLS refused them.
	#[error("certificate and key do not fit: {0}")]
	Mismatch(rustls::Error),
}

fn fail(path: &Path, problem: TlsProblem) -> TlsError {
	TlsError { path: path.into(), problem }
}

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
	let certs: Vec<_> = CertificateDer::pem_file_iter(path)
		.and_then(|it| it.collect::<Result<Vec<_>, _>>())
		.map_err(|e| fail(path, TlsProblem::NotCertificates(e)))?;
	if certs.is_empty() {
		return Err(fail(path, TlsProblem::NoCertificate));
	}
	Ok(certs)
}

/// A TLS acceptor for the certificate chain `cert` and private key `key` (PEM); with
/// `client_ca`, clients must present a certificate signed by one of its CAs.
pub fn acceptor(
	cert: &Path,
	key: &Path,
	client_ca: Option<&Path>,
) -> Result<TlsAcceptor, TlsError> {
	let chain = certs(cert)?;
	let key = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(key, TlsProblem::NotKey(e)))?;
	let provider = Arc::new(default_provider());
	let builder = ServerConfig::builder_with_provider(provider.clone())
		.with_safe_default_protocol_versions()
		.expect("the ring provider supports the default protocol versions; qed");
	let builder = match client_ca {
		Some(ca) => {
			let mut roots = RootCertStore::empty();
			for c in certs(ca)? {
				roots.add(c).map_err(|e| fail(ca, TlsProblem::BadCa(e.to_string())))?;
			}
			let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
				.build()
				.map_err(|e| fail(ca, TlsProblem::BadCa(e.to_string())))?;
			builder.with_client_cert_verifier(verifier)
		},
		None => builder.with_no_client_auth(),
	};
	let config =
		builder.with_single_cert(chain, key).map_err(|e| fail(cert, TlsProblem::Mismatch(e)))?;
	Ok(TlsAcceptor::from(Arc::new(config)))
}
