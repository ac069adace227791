//! What every page shares: the request's context (language, session, where it came from), the
//! gate that sends visitors without the right role away, the page frame, and error answers.

use crate::{
	auth::{cookie, Session, SESSION_COOKIE},
	i18n::{Lang, LANG_COOKIE},
	sso::Signed,
	App,
};
use axum::{
	extract::{ConnectInfo, FromRequestParts},
	http::{header, request::Parts, HeaderValue, StatusCode},
	response::{IntoResponse, Redirect, Response},
};
use maud::{html, Markup, DOCTYPE};
use std::{net::SocketAddr, sync::Arc};

/// `?fragment=…`: a live section of a page asks for its own markup only.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Fragment {
	/// The section (any value: each page has one live section).
	#[serde(default)]
	pub fragment: Option<String>,
}

/// What a route needs of the visitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
	/// Any logged-in user.
	Login,
	/// The operator or admin role (network, blocks).
	Operate,
	/// The auditor or admin role (entries, searches, exports, evidence).
	Audit,
}

/// The request as every handler sees it.
pub struct Ctx {
	/// The page language.
	pub lang: Lang,
	/// The visitor's session, if logged in.
	pub session: Option<Session>,
	/// The session token (for logout).
	pub token: Option<String>,
	/// Path and query of the request.
	pub path: String,
	/// Who the single sign-on proxy says is asking ([`Signed::Nobody`] without one).
	pub sso: Signed,
}

impl FromRequestParts<Arc<App>> for Ctx {
	type Rejection = std::convert::Infallible;

	async fn from_request_parts(
		parts: &mut Parts,
		app: &Arc<App>,
	) -> Result<Self, Self::Rejection> {
		let cookies = parts.headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
		let token = cookie(cookies, SESSION_COOKIE).map(String::from);
		let mut session = token.as_deref().and_then(|t| app.auth.session(t));
		let path = parts.uri.path_and_query().map_or("/".into(), |p| p.as_str().to_string());
		let sso = match &app.config.single_sign_on {
			None => Signed::Nobody,
			Some(sso) => {
				let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
				let header = |name: &str| {
					parts.headers.get(name).and_then(|v| v.to_str().ok()).map(String::from)
				};
				sso.signed(peer, header)
			},
		};
		match &sso {
			Signed::User(user, role) if session.is_none() => {
				session = Some(app.sso.session(user, *role));
			},
			Signed::Untrusted(peer) => {
				tracing::warn!(%peer, path, "single sign-on headers from an untrusted address ignored");
			},
			_ => {},
		}
		Ok(Ctx { lang: Lang::from_cookie(cookie(cookies, LANG_COOKIE)), session, token, path, sso })
	}
}

impl Ctx {
	/// The session, if it has what `need` asks; else the answer for a page: a redirect to the
	/// login page, or 403 with an explanation.
	pub fn page(&self, need: Need) -> Result<&Session, Response> {
		match &self.session {
			None => {
				match &self.sso {
					Signed::NoRole(user) => Err(self.no_role(user)),
					_ => Err(Redirect::to(&format!("/login?next={}", encode(&self.path)))
						.into_response()),
				}
			},
			Some(s) if allowed(s, need) => Ok(s),
			Some(_) => Err(self.error_page(
				StatusCode::FORBIDDEN,
				self.lang.t("您的角色無權使用此頁。", "Your role may not use this page."),
			)),
		}
	}

	/// The session, if it has what `need` asks; else 401 or 403 as plain text (for data:
	/// exports, evidence, the event stream).
	pub fn data(&self, need: Need) -> Result<&Session, Response> {
		match &self.session {
			None => Err((StatusCode::UNAUTHORIZED, "log in first\n").into_response()),
			Some(s) if allowed(s, need) => Ok(s),
			Some(_) => {
				Err((StatusCode::FORBIDDEN, "your role may not read this\n").into_response())
			},
		}
	}

	/// The answer to a signed-in user whose groups grant no role.
	pub fn no_role(&self, user: &str) -> Response {
		let l = self.lang;
		let m = format!(
			"{user}{}",
			l.t(
				":您的單一簽入帳號沒有本主控台的角色,請洽系統管理者。",
				": your single sign-on account has no role in this console; ask its administrator.",
			)
		);
		self.error_page(StatusCode::FORBIDDEN, &m)
	}

	/// A whole page around `body`.
	pub fn frame(&self, title: &str, body: Markup) -> Markup {
		let l = self.lang;
		let nav: Vec<(&str, &str, Need)> = vec![
			("/network", l.t("網路", "Network"), Need::Operate),
			("/blocks", l.t("區塊", "Blocks"), Need::Operate),
			("/entries", l.t("存取紀錄", "Entries"), Need::Audit),
			("/search", l.t("稽核查詢", "Search"), Need::Audit),
			("/verify", l.t("驗證證據", "Verify"), Need::Audit),
			("/sources", l.t("來源與提交者", "Sources"), Need::Login),
		];
		let here = self.path.split('?').next().unwrap_or("/");
		html! {
			(DOCTYPE)
			html lang=(l.tag()) {
				head {
					meta charset="utf-8";
					meta name="viewport" content="width=device-width, initial-scale=1";
					title { (title) " · " (l.t("存取紀錄稽核主控台", "Access-log audit console")) }
					link rel="stylesheet" href="/assets/console.css";
					script src="/assets/console.js" defer {}
				}
				body {
					a.skip href="#main" { (l.t("跳到主要內容", "Skip to content")) }
					header.top {
						span.brand { (l.t("存取紀錄稽核主控台", "Access-log audit console")) }
						@if let Some(s) = &self.session {
							nav aria-label=(l.t("主選單", "Main")) {
								@for (href, label, need) in &nav {
									@if allowed(s, *need) {
										a href=(href) aria-current=[(here.starts_with(href)).then_some("page")] { (label) }
									}
								}
							}
						}
						div.tools {
							a href={ "/lang?to=" (l.other().code()) "&back=" (encode(&self.path)) } lang=(l.other().tag()) { (l.other().name()) }
							@if let Some(s) = &self.session {
								span.who { (s.user) " (" (s.role.as_str()) ")" }
								form method="post" action="/logout" {
									input type="hidden" name="csrf" value=(s.csrf);
									button type="submit" { (l.t("登出", "Log out")) }
								}
							}
						}
					}
					main id="main" { h1 { (title) } (body) }
				}
			}
		}
	}

	/// An error page: `status` and what to do.
	pub fn error_page(&self, status: StatusCode, message: &str) -> Response {
		let title = match status {
			StatusCode::FORBIDDEN => self.lang.t("無權限", "Forbidden"),
			StatusCode::NOT_FOUND => self.lang.t("找不到", "Not found"),
			StatusCode::BAD_REQUEST => self.lang.t("請求有誤", "Bad request"),
			StatusCode::TOO_MANY_REQUESTS => self.lang.t("嘗試次數過多", "Too many attempts"),
			_ => self.lang.t("錯誤", "Error"),
		};
		(status, self.frame(title, html! { p.error role="alert" { (message) } })).into_response()
	}
}

fn allowed(s: &Session, need: Need) -> bool {
	match need {
		Need::Login => true,
		Need::Operate => s.role.operates(),
		Need::Audit => s.role.audits(),
	}
}

/// Percent-encode `s` for a query parameter.
pub fn encode(s: &str) -> String {
	let mut out = String::with_capacity(s.len());
	for b in s.bytes() {
		match b {
			b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
				out.push(b as char)
			},
			_ => out.push_str(&format!("%{b:02X}")),
		}
	}
	out
}

/// A local path to return to: `/…` but not `//…` (another host) nor anything with a scheme.
pub fn local_path(p: &str) -> Option<&str> {
	(p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\")).then_some(p)
}

/// The security headers every answer carries: a content security policy that allows only the
/// console's own scripts, styles and the WebAssembly verifier; no framing; no sniffing; no
/// referrer.
pub async fn security_headers(mut response: Response) -> Response {
	let h = response.headers_mut();
	let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
		h.insert(k, HeaderValue::from_static(v));
	};
	set(
		h,
		header::CONTENT_SECURITY_POLICY,
		"default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
		 img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
		 base-uri 'none'",
	);
	set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
	set(h, header::X_FRAME_OPTIONS, "DENY");
	set(h, header::REFERRER_POLICY, "no-referrer");
	if !h.contains_key(header::CACHE_CONTROL) {
		set(h, header::CACHE_CONTROL, "no-store");
	}
	response
}

/// Taiwan's time zone (UTC+8, no daylight saving), in which the console shows and reads times.
pub fn taiwan() -> chrono::FixedOffset {
	chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset; qed")
}

/// Time as pages show it: `YYYY-MM-DD HH:MM:SS` in Taiwan's time zone.
pub fn time(ms: u64) -> String {
	let tz = taiwan();
	chrono::DateTime::from_timestamp_millis(ms as i64)
		.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
		.unwrap_or_else(|| ms.to_string())
}

/// A long hex string shortened for tables (`0x1234…cdef`), whole in its `title`.
pub fn short(hex: &str) -> Markup {
	let s = if hex.len() > 14 {
		format!("{}…{}", &hex[..8], &hex[hex.len() - 4..])
	} else {
		hex.into()
	};
	html! { code title=(hex) { (s) } }
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_local_paths_are_returned_to() {
		assert_eq!(local_path("/search?kind=citizen"), Some("/search?kind=citizen"));
		assert_eq!(local_path("//evil.example/"), None);
		assert_eq!(local_path("/\\evil.example/"), None);
		assert_eq!(local_path("https://evil.example/"), None);
	}

	#[test]
	fn query_values_are_percent_encoded() {
		assert_eq!(encode("/search?kind=a&q=<b>"), "/search%3Fkind%3Da%26q%3D%3Cb%3E");
	}
}
