//! A minimal HTTP/1.1 client for the project's own HTTP services (the gateway, export APIs).

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{header, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{url}: {reason}")]
pub struct HttpError {
	/// The URL asked.
	pub url: String,
	/// What failed: the URL, the connection, the exchange or the body.
	pub reason: String,
}

/// One HTTP/1.1 request (http only, a new connection each time): the status, the headers and
/// at most 64 MiB of body. Used by the gateway's pull input, the tests and the load tool.
pub async fn request(
	method: hyper::Method,
	url: &str,
	headers: &[(&str, &str)],
	body: Bytes,
) -> Result<(StatusCode, hyper::HeaderMap, Bytes), HttpError> {
	let fail = |reason: String| HttpError { url: url.to_string(), reason };
	let uri: Uri = url.parse().map_err(|e| fail(format!("{e}")))?;
	let host = uri.host().ok_or_else(|| fail("no host".into()))?;
	let port = uri.port_u16().unwrap_or(80);
	let stream = TcpStream::connect((host, port)).await.map_err(|e| fail(e.to_string()))?;
	let _ = stream.set_nodelay(true);
	let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
		.await
		.map_err(|e| fail(e.to_string()))?;
	tokio::spawn(conn);
	let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
	let mut req =
		Request::builder().method(method).uri(path).header(header::HOST, format!("{host}:{port}"));
	for (k, v) in headers {
		req = req.header(*k, *v);
	}
	let req = req.body(Full::new(body)).map_err(|e| fail(e.to_string()))?;
	let resp = sender.send_request(req).await.map_err(|e| fail(e.to_string()))?;
	let (parts, body) = resp.into_parts();
	let body = Limited::new(body, 64 << 20)
		.collect()
		.await
		.map_err(|e| fail(format!("reading the body: {e}")))?
		.to_bytes();
	Ok((parts.status, parts.headers, body))
}
