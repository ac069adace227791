//! The console's static files, compiled into the binary: its style sheet, its one script, and
//! the evidence verifier built for WebAssembly (by `build.rs`, from the `evidence` crate).

use axum::{
	extract::Path,
	http::{header, StatusCode},
	response::{IntoResponse, Response},
};

/// The style sheet.
pub const CSS: &str = include_str!("../assets/console.css");
/// The script: live sections and in-browser verification.
pub const JS: &str = include_str!("../assets/console.js");
/// The evidence verifier (`accesslog_evidence.wasm`), empty in a `SKIP_WASM_BUILD` build.
pub const EVIDENCE_WASM: &[u8] =
	include_bytes!(concat!(env!("OUT_DIR"), "/accesslog_evidence.wasm"));

/// Whether this build carries the verifier.
pub fn verifier_available() -> bool {
	!EVIDENCE_WASM.is_empty()
}

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
	let (kind, body): (&str, &'static [u8]) = match name.as_str() {
		"console.css" => ("text/css; charset=utf-8", CSS.as_bytes()),
		"console.js" => ("text/javascript; charset=utf-8", JS.as_bytes()),
		"evidence.wasm" if verifier_available() => ("application/wasm", EVIDENCE_WASM),
		_ => return (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
	};
	([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body)
		.into_response()
}
