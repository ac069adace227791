//! The console over plain HTTP against a real dev node: the gates (login, roles, CSRF, forged and
//! replayed cookies), the search's checks, recording on chain, and hostile records rendered as
//! text.

mod support;

use accesslog_client::http::request;
use accesslog_console::web::encode;
use hyper::{Method, StatusCode};
use support::{busiest_citizen, setup, Setup, AUDITOR, HOSTILE_AGENCY, OPERATOR, SSO_PROXY};

/// A browser-like client: keeps the cookies it is given.
struct Browser<'a> {
	base: &'a str,
	cookies: Vec<(String, String)>,
}

/// An answer: status, `Location`, body.
struct Answer {
	status: StatusCode,
	location: String,
	body: String,
	headers: hyper::HeaderMap,
}

impl<'a> Browser<'a> {
	fn new(s: &'a Setup) -> Self {
		Browser { base: &s.url, cookies: Vec::new() }
	}

	fn cookie_header(&self) -> String {
		self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
	}

	async fn send(&mut self, method: Method, path: &str, form: &[(&str, &str)]) -> Answer {
		let body: String =
			form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
		let cookie = self.cookie_header();
		let mut headers = vec![("cookie", cookie.as_str())];
		if method == Method::POST {
			headers.push(("content-type", "application/x-www-form-urlencoded"));
		}
		let url = format!("{}{path}", self.base);
		let (status, h, bytes) = request(method, &url, &headers, body.into()).await.unwrap();
		for c in h.get_all("set-cookie") {
			let c = c.to_str().unwrap();
			let pair = c.split(';').next().unwrap();
			let (k, v) = pair.split_once('=').unwrap();
			self.cookies.retain(|(name, _)| name != k);
			if !v.is_empty() && !c.contains("Max-Age=0") {
				self.cookies.push((k.to_string(), v.to_string()));
			}
		}
		Answer {
			status,
			location: h
				.get("location")
				.map(|v| v.to_str().unwrap().to_string())
				.unwrap_or_default(),
			body: String::from_utf8(bytes.to_vec()).unwrap(),
			headers: h,
		}
	}

	async fn get(&mut self, path: &str) -> Answer {
		self.send(Method::GET, path, &[]).await
	}

	/// The value of the first hidden input `name` in `html`.
	fn hidden(html: &str, name: &str) -> String {
		let marker = format!("name=\"{name}\" value=\"");
		let start =
			html.find(&marker).unwrap_or_else(|| panic!("no {name} in {html}")) + marker.len();
		html[start..start + html[start..].find('"').unwrap()].to_string()
	}

	/// Log in as `user`; returns the session's CSRF token.
	async fn login(&mut self, (user, password): (&str, &str)) -> String {
		let form = self.get("/login").await;
		let csrf = Self::hidden(&form.body, "csrf");
		let a = self
			.send(
				Method::POST,
				"/login",
				&[("csrf", &csrf), ("user", user), ("password", password), ("next", "/sources")],
			)
			.await;
		assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
		assert_eq!(a.location, "/sources");
		Self::hidden(&self.get("/sources").await.body, "csrf")
	}
}

/// One request over a connection from `local` (a loopback address), with `headers`; returns
/// the status, the `Location` and the body.
async fn from_address(
	s: &Setup,
	local: &str,
	method: &str,
	path: &str,
	headers: &[(&str, &str)],
	form: &str,
) -> (u16, String, String) {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let socket = tokio::net::TcpSocket::new_v4().unwrap();
	socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
	let mut stream = socket.connect(s.console.addr).await.unwrap();
	let mut request = format!("{method} {path} HTTP/1.1\r\nhost: console\r\nconnection: close\r\n");
	for (k, v) in headers {
		request.push_str(&format!("{k}: {v}\r\n"));
	}
	if method == "POST" {
		request.push_str(&format!(
			"content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n",
			form.len()
		));
	}
	request.push_str("\r\n");
	request.push_str(form);
	stream.write_all(request.as_bytes()).await.unwrap();
	let mut answer = Vec::new();
	stream.read_to_end(&mut answer).await.unwrap();
	let answer = String::from_utf8_lossy(&answer).to_string();
	let (head, body) = answer.split_once("\r\n\r\n").unwrap();
	let status = head[9..12].parse().unwrap();
	let location =
		head.lines().find_map(|l| l.strip_prefix("location: ")).unwrap_or_default().to_string();
	(status, location, body.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_guards_checks_records_and_escapes() {
	let s = setup(400).await;
	let mut anon = Browser::new(&s);

	// Unauthenticated: pages redirect to the login, data answers 401; every answer has the CSP.
	let a = anon.get("/search").await;
	assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/login?next=/search"));
	assert!(a.headers["content-security-policy"]
		.to_str()
		.unwrap()
		.contains("script-src 'self' 'wasm-unsafe-eval'"));
	assert_eq!(anon.get("/entries/0/evidence.json").await.status, StatusCode::UNAUTHORIZED);
	assert_eq!(anon.get("/events").await.status, StatusCode::UNAUTHORIZED);
	assert_eq!(
		anon.send(Method::POST, "/search.csv", &[("kind", "time")]).await.status,
		StatusCode::UNAUTHORIZED
	);

	// A login form not loaded by this browser (no matching token) is refused; so is a wrong password.
	let mut other = Browser::new(&s);
	let a = other
		.send(
			Method::POST,
			"/login",
			&[("csrf", "00"), ("user", AUDITOR.0), ("password", AUDITOR.1)],
		)
		.await;
	assert_eq!(a.status, StatusCode::FORBIDDEN);
	let csrf = Browser::hidden(&other.get("/login").await.body, "csrf");
	let a = other
		.send(
			Method::POST,
			"/login",
			&[("csrf", &csrf), ("user", AUDITOR.0), ("password", "wrong")],
		)
		.await;
	assert_eq!(a.status, StatusCode::UNAUTHORIZED);
	assert!(a.body.contains("帳號或密碼錯誤"), "{}", a.body);

	// A forged session cookie is no session.
	let mut forged = Browser::new(&s);
	forged.cookies.push(("console_session".into(), "ab".repeat(32)));
	assert_eq!(forged.get("/entries").await.status, StatusCode::SEE_OTHER);

	// The operator sees the network, not the auditors' pages or data.
	let mut op = Browser::new(&s);
	let op_csrf = op.login(OPERATOR).await;
	assert_eq!(op.get("/network").await.status, StatusCode::OK);
	assert_eq!(op.get("/search").await.status, StatusCode::FORBIDDEN);
	assert_eq!(op.get("/entries/0/evidence.json").await.status, StatusCode::FORBIDDEN);
	let a = op.send(Method::POST, "/search", &[("csrf", &op_csrf), ("kind", "time")]).await;
	assert_eq!(a.status, StatusCode::FORBIDDEN);

	// The auditor.
	let mut au = Browser::new(&s);
	let csrf = au.login(AUDITOR).await;
	let before = s.recorded_searches().await.len();
	// Malformed national IDs and missing purposes are form errors; nothing is recorded.
	for (q, purpose, expected) in [
		("A123456788", "019", "身分證字號格式錯誤"),
		("<script>alert(1)</script>", "019", "身分證字號格式錯誤"),
		("A123456789", "", "請填寫查詢目的代碼"),
	] {
		let a = au
			.send(
				Method::POST,
				"/search",
				&[("csrf", &csrf), ("kind", "citizen"), ("q", q), ("purpose", purpose)],
			)
			.await;
		assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}");
		assert!(a.body.contains(expected), "{q}: {}", a.body);
		assert!(!a.body.contains("<script>alert(1)"), "echoed unescaped");
	}
	// Without the session's token: refused.
	let a = au.send(Method::POST, "/search", &[("csrf", "x"), ("kind", "time")]).await;
	assert_eq!(a.status, StatusCode::FORBIDDEN);
	// Absurd page numbers.
	let (from, to) = support::range_of(&s.records);
	let range = [("kind", "time"), ("from", from.as_str()), ("to", to.as_str())];
	let mut form = vec![("csrf", csrf.as_str()), ("page", "99999999999999999999")];
	form.extend(range);
	assert_eq!(au.send(Method::POST, "/search", &form).await.status, StatusCode::BAD_REQUEST);
	form[1].1 = "500";
	let a = au.send(Method::POST, "/search", &form).await;
	assert_eq!(a.status, StatusCode::OK);
	assert!(a.body.contains("沒有這一頁"), "{}", a.body);
	assert_eq!(s.recorded_searches().await.len(), before, "no search naming a person ran");

	// A citizen: exactly the generator's rows, and the search on chain.
	let (citizen, expected) = busiest_citizen(&s.records);
	let a = au
		.send(
			Method::POST,
			"/search",
			&[("csrf", &csrf), ("kind", "citizen"), ("q", &citizen), ("purpose", "019")],
		)
		.await;
	assert_eq!(a.status, StatusCode::OK, "{}", a.body);
	assert!(a.body.contains(&format!("id=\"total\">{expected}<")), "{expected} rows: {}", a.body);
	// The ID stays only in the hidden fields the next page and the export post back.
	assert!(a.body.contains("id=\"q\" name=\"q\" value=\"\""), "the search box is emptied");
	let recorded = s.wait_recorded(before + 1).await;
	let entry = recorded.last().expect("the search is on chain");
	let id = accesslog_client::pseudonym::NationalId::parse(&citizen).unwrap();
	assert_eq!(entry.citizen_ref, accesslog_client::rpc_types::hex(&s.key.citizen_ref(&id)));
	assert_eq!(
		entry.accessor_ref,
		accesslog_client::rpc_types::hex(&s.key.accessor_ref(AUDITOR.0))
	);
	assert_eq!(
		(entry.action.as_str(), entry.purpose.as_str(), entry.records),
		("GET /search/citizen", "019", expected.min(50) as u32)
	);

	// Searches at once: each recorded once, under consecutive sequence numbers.
	let together = 12;
	let searches = (0..together).map(|i| {
		let mut b = Browser { base: &s.url, cookies: au.cookies.clone() };
		let (csrf, official) = (csrf.clone(), format!("officer-{i}"));
		async move {
			let form = [
				("csrf", csrf.as_str()),
				("kind", "official"),
				("q", &official),
				("purpose", "030"),
			];
			b.send(Method::POST, "/search", &form).await.status
		}
	});
	for status in futures::future::join_all(searches).await {
		assert_eq!(status, StatusCode::OK);
	}
	let recorded = s.wait_recorded(before + 1 + together).await;
	let seqs: Vec<u64> = recorded.iter().map(|e| e.seq).collect();
	assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "consecutive, each once");
	assert_eq!(recorded.iter().filter(|e| e.purpose == "030").count(), together);

	// Hostile records render as text, and stay text in the CSV.
	let page = au.get(&format!("/entries/{}", s.entry_ids[3])).await;
	assert_eq!(page.status, StatusCode::OK);
	assert!(!page.body.contains(HOSTILE_AGENCY), "raw markup from a record");
	assert!(page.body.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"), "{}", page.body);
	let a = au
		.send(
			Method::POST,
			"/search",
			&[("csrf", &csrf), ("kind", "source"), ("source", "0"), ("from", "4"), ("to", "4")],
		)
		.await;
	assert!(a.body.contains("&lt;script&gt;window.__pwned"), "{}", a.body);
	assert!(!a.body.contains(HOSTILE_AGENCY));
	// Its charts are counted on request, for this auditor only; the hostile agency stays text.
	let url = a.body.split("data-charts=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
	let url = url.replace("&amp;", "&");
	assert!(url.starts_with("/search/charts/") && url.ends_with("?fragment=1"), "{url}");
	let c = au.get(&url).await;
	assert_eq!(c.status, StatusCode::OK, "{}", c.body);
	assert!(c.body.contains("<svg") && c.body.contains("id=\"charts\""), "{}", c.body);
	assert!(c.body.contains("&lt;/script&gt;") && !c.body.contains("<script>"), "{}", c.body);
	assert!(
		c.body.contains("<title>&lt;script&gt;window.__pwned=1&lt;/script&gt;: "),
		"full label"
	);
	assert!(!c.body.contains("<html"), "a fragment, not a page");
	let page = au.get(url.trim_end_matches("?fragment=1")).await;
	assert!(page.body.contains("<html") && page.body.contains("<svg"));
	assert_eq!(op.get(&url).await.status, StatusCode::FORBIDDEN, "an operator");
	assert_eq!(anon.get(&url).await.status, StatusCode::UNAUTHORIZED, "no session");
	assert_eq!(au.get("/search/charts/0123?fragment=1").await.status, StatusCode::NOT_FOUND);
	let csv = au
		.send(Method::POST, "/search.csv", &[range[0], range[1], range[2], ("csrf", &csrf)])
		.await;
	assert_eq!(csv.status, StatusCode::OK);
	assert!(csv.body.starts_with('\u{feff}'), "BOM");
	assert!(
		csv.body.contains("\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"x\"\")\""),
		"formula neutralised"
	);
	assert_eq!(csv.body.trim_end().lines().count(), 1 + s.records.len(), "header and every record");

	// English on request, remembered.
	let a = au.get("/lang?to=en&back=/sources").await;
	assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/sources"));
	let a = au.get("/sources").await;
	assert!(
		a.body.contains("Sources and submitters") && a.body.contains("lang=\"en\""),
		"{}",
		a.body
	);
	assert_eq!(au.get("/lang?to=en&back=//evil.invalid/").await.location, "/", "only local paths");

	// A source's gaps: 401 and 404 missing, 402-403 arriving after 405-406.
	s.plant_gaps().await;
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
	let page = loop {
		let page = au.get("/sources/0").await;
		assert_eq!(page.status, StatusCode::OK, "{}", page.body);
		if !page.body.contains("data-refresh") {
			break page.body;
		}
		assert!(std::time::Instant::now() < deadline, "the scan did not finish");
		tokio::time::sleep(std::time::Duration::from_millis(300)).await;
	};
	let cells = |html: &str, heading: &str| -> Vec<String> {
		let table = &html[html.find(heading).unwrap()..];
		let table = &table[..table.find("</table>").unwrap_or(table.len())];
		table
			.split("<td")
			.skip(1)
			.map(|c| {
				let text = &c[c.find('>').unwrap() + 1..];
				let mut out = String::new();
				let mut tag = false;
				for ch in text[..text.find("</td>").unwrap()].chars() {
					match ch {
						'<' => tag = true,
						'>' => tag = false,
						c if !tag => out.push(c),
						_ => {},
					}
				}
				out
			})
			.collect()
	};
	assert_eq!(cells(&page, "Missing now</h3>"), ["401", "401", "1", "404", "404", "1"], "{page}");
	let filled = cells(&page, "Missing once, filled later</h3>");
	assert_eq!(&filled[..2], ["402", "403"], "{page}");
	let alice_account =
		subxt::utils::AccountId32::from(subxt_signer::sr25519::dev::alice().public_key())
			.to_string();
	let submitters = cells(&page, "Submitters and what they wrote</h3>");
	assert_eq!(submitters[0], alice_account);
	assert_eq!(submitters[3], (s.records.len() + 4).to_string(), "entries Alice wrote");
	assert_eq!(au.get("/sources/99").await.status, StatusCode::NOT_FOUND);
	assert_eq!(au.get("/sources/x").await.status, StatusCode::NOT_FOUND);
	let a = au.send(Method::POST, "/sources/0/scan", &[("csrf", "forged")]).await;
	assert_eq!(a.status, StatusCode::FORBIDDEN);
	let a = au.send(Method::POST, "/sources/0/scan", &[("csrf", &csrf)]).await;
	assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/sources/0"));

	// Single sign-on: the proxy's headers count from the proxy's address only.
	let sso = [("X-Forwarded-User", "sso-wang"), ("X-Forwarded-Groups", "staff, kcg-audit")];
	let (status, _, body) = from_address(&s, SSO_PROXY, "GET", "/search", &sso, "").await;
	assert_eq!(status, 200, "{body}");
	assert!(body.contains("sso-wang (auditor)"), "{body}");
	let (status, location, _) = from_address(&s, "127.0.0.1", "GET", "/search", &sso, "").await;
	assert_eq!((status, location.as_str()), (303, "/login?next=/search"), "untrusted: ignored");
	let no_role = [("X-Forwarded-User", "sso-guest"), ("X-Forwarded-Groups", "staff")];
	let (status, _, body) = from_address(&s, SSO_PROXY, "GET", "/search", &no_role, "").await;
	assert_eq!(status, 403);
	assert!(body.contains("sso-guest") && body.contains("沒有本主控台的角色"), "{body}");
	// A signed-in auditor's search is recorded under the name the proxy gave.
	let sso_csrf = Browser::hidden(&body_of(&s, &sso).await, "csrf");
	let before_sso = s.recorded_searches().await.len();
	let form = format!("csrf={sso_csrf}&kind=official&q=officer-1&purpose=019");
	let (status, _, body) = from_address(&s, SSO_PROXY, "POST", "/search", &sso, &form).await;
	assert_eq!(status, 200, "{body}");
	let recorded = s.wait_recorded(before_sso + 1).await;
	assert_eq!(
		recorded.last().unwrap().accessor_ref,
		accesslog_client::rpc_types::hex(&s.key.accessor_ref("sso-wang"))
	);
	let form = format!("csrf={sso_csrf}");
	let (status, location, _) = from_address(&s, SSO_PROXY, "POST", "/logout", &sso, &form).await;
	assert_eq!((status, location.as_str()), (303, "/oauth2/sign_out"), "the proxy signs out");

	// When the search cannot be recorded (the console's key revoked), it is not run.
	let alice = accesslog_client::Submitter::new(subxt_signer::sr25519::dev::alice());
	s.client
		.pass(
			&[&alice],
			accesslog_client::governance::revoke_submitter(
				subxt_signer::sr25519::dev::bob().public_key().into(),
			),
		)
		.await
		.unwrap()
		.unwrap();
	let a = au
		.send(
			Method::POST,
			"/search",
			&[("csrf", &csrf), ("kind", "citizen"), ("q", &citizen), ("purpose", "019")],
		)
		.await;
	assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
	assert!(a.body.contains("could not be recorded on chain"), "{}", a.body);
	assert!(!a.body.contains("id=\"total\""), "no results shown");

	// Logout ends the session: the same cookie no longer opens anything.
	let stolen = au.cookies.clone();
	let a = au.send(Method::POST, "/logout", &[("csrf", &csrf)]).await;
	assert_eq!(a.status, StatusCode::SEE_OTHER);
	let mut replay = Browser::new(&s);
	replay.cookies = stolen;
	assert_eq!(replay.get("/entries").await.status, StatusCode::SEE_OTHER);
}

/// The search page as the single sign-on user of `headers` sees it.
async fn body_of(s: &Setup, headers: &[(&str, &str)]) -> String {
	from_address(s, support::SSO_PROXY, "GET", "/search", headers, "").await.2
}
