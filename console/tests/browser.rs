//! The console in headless Chromium (Debian's `chromium` and `chromium-driver`, over WebDriver),
//! against a real dev node: log in, search a generated citizen and get exactly the generator's
//! rows, export them as CSV, find the search recorded on chain, verify an entry's evidence in the
//! browser (and see a bundle with one byte changed refused), and keep an operator out of search.
//!
//! With `ACCESSLOG_CONSOLE_SCREENSHOTS=<dir>` it also saves a screenshot of every page there
//! (`docs/console/` holds the ones shown in the documentation).

mod support;

use fantoccini::{Client as Browser, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};
use support::{busiest_citizen, setup, AUDITOR, OPERATOR};

/// A chromedriver process on a free port, stopped on drop.
struct Driver {
	child: Child,
	url: String,
}

impl Driver {
	async fn start() -> Driver {
		let port = accesslog_testing::free_port();
		let child = Command::new("chromedriver")
			.arg(format!("--port={port}"))
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.expect(
				"chromedriver runs (Debian package chromium-driver; scripts/setup.sh installs it)",
			);
		let deadline = Instant::now() + Duration::from_secs(20);
		while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
			assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		Driver { child, url: format!("http://127.0.0.1:{port}") }
	}

	async fn browser(&self) -> Browser {
		let mut caps = serde_json::Map::new();
		caps.insert(
			"goog:chromeOptions".into(),
			json!({
				"binary": "/usr/bin/chromium",
				"args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
					"--window-size=1366,900", "--lang=zh-TW"],
			}),
		);
		ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
			.capabilities(caps)
			.connect(&self.url)
			.await
			.expect("a Chromium session")
	}
}

impl Drop for Driver {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// Where screenshots go, if anywhere.
fn shots() -> Option<PathBuf> {
	std::env::var_os("ACCESSLOG_CONSOLE_SCREENSHOTS").map(PathBuf::from)
}

async fn shot(b: &Browser, name: &str) {
	if let Some(dir) = shots() {
		std::fs::create_dir_all(&dir).unwrap();
		std::fs::write(dir.join(format!("{name}.png")), b.screenshot().await.unwrap()).unwrap();
	}
}

/// Log in on the login page the browser is on, or on a fresh one.
async fn login(b: &Browser, base: &str, (user, password): (&str, &str)) {
	if !b.current_url().await.unwrap().as_str().contains("/login") {
		b.goto(&format!("{base}/login")).await.unwrap();
	}
	b.find(Locator::Css("#user")).await.unwrap().send_keys(user).await.unwrap();
	b.find(Locator::Css("#password")).await.unwrap().send_keys(password).await.unwrap();
	b.find(Locator::Css("form.login button[type=submit]")).await.unwrap().click().await.unwrap();
	b.wait().for_element(Locator::Css("form[action='/logout']")).await.unwrap();
}

async fn text(b: &Browser, css: &str) -> String {
	b.wait().for_element(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

/// Wait until the verifier's answer is shown; its `data-verified` and `data-part`.
async fn verdict(b: &Browser) -> (String, String) {
	let p = b
		.wait()
		.at_most(Duration::from_secs(30))
		.for_element(Locator::Css("#verify-result p[data-verified]"))
		.await
		.unwrap();
	(
		p.attr("data-verified").await.unwrap().unwrap(),
		p.attr("data-part").await.unwrap().unwrap_or_default(),
	)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
	let path = dir.join(name);
	std::fs::write(&path, text).unwrap();
	path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auditor_searches_exports_and_verifies_in_the_browser() {
	let s = setup(400).await;
	let driver = Driver::start().await;
	let b = driver.browser().await;
	let base = s.url.as_str();

	// Not logged in: the search sends the browser to the login page.
	b.goto(&format!("{base}/search")).await.unwrap();
	assert!(b.current_url().await.unwrap().as_str().contains("/login?next=/search"));
	shot(&b, "login").await;
	login(&b, base, AUDITOR).await;
	assert!(b.current_url().await.unwrap().as_str().ends_with("/search"));

	// Search the generator's busiest citizen.
	let (citizen, expected) = busiest_citizen(&s.records);
	b.find(Locator::Css("#q")).await.unwrap().send_keys(&citizen).await.unwrap();
	b.find(Locator::Css("#purpose")).await.unwrap().send_keys("019").await.unwrap();
	b.find(Locator::Css("form.search button[type=submit]")).await.unwrap().click().await.unwrap();
	assert_eq!(text(&b, "#total").await, expected.to_string());
	let rows = b.find_all(Locator::Css("table.entries tbody tr")).await.unwrap();
	assert_eq!(rows.len(), expected.min(50));
	// The charts arrive after the page: their per-agency bars add up to the rows found.
	b.wait().for_element(Locator::Css("#charts figure svg")).await.unwrap();
	let by_agency = b
		.execute(
			"return Array.from(document.querySelectorAll('#charts figure:nth-of-type(2) text.value'))
			   .reduce((n, t) => n + Number(t.textContent), 0);",
			vec![],
		)
		.await
		.unwrap();
	assert_eq!(by_agency.as_u64(), Some(expected as u64), "per-agency chart");
	shot(&b, "search").await;

	// The CSV the export button posts: exactly those rows.
	let csv = b
		.execute_async(
			"const done = arguments[arguments.length - 1];
			 const form = document.querySelector('form[action=\"/search.csv\"]');
			 fetch('/search.csv', { method: 'POST', body: new URLSearchParams(new FormData(form)) })
			   .then((r) => r.text()).then(done, (e) => done('error: ' + e));",
			vec![],
		)
		.await
		.unwrap();
	let csv = csv.as_str().unwrap();
	let id = accesslog_client::pseudonym::NationalId::parse(&citizen).unwrap();
	let reference = accesslog_client::rpc_types::hex(&s.key.citizen_ref(&id));
	let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').trim_end().split("\r\n").collect();
	assert!(lines[1..].iter().all(|l| l.contains(&reference)), "every row is the citizen's");
	// Columns: entry id, source, …. The citizen's accesses (source 0) are exactly the
	// generator's; any other row is the console's record of a search for them.
	let cell = |l: &str, i: usize| l.split(',').nth(i).unwrap().trim_matches('"').to_string();
	let mut ids: Vec<u64> = lines[1..]
		.iter()
		.filter(|l| cell(l, 1) == "0")
		.map(|l| cell(l, 0).parse().unwrap())
		.collect();
	ids.sort_unstable();
	let mut wanted: Vec<u64> = s
		.records
		.iter()
		.zip(&s.entry_ids)
		.filter(|(r, _)| r.citizen_id == citizen)
		.map(|(_, id)| *id)
		.collect();
	wanted.sort_unstable();
	assert_eq!(ids, wanted, "the entries the generator made for this citizen");
	assert!(lines[1..]
		.iter()
		.all(|l| cell(l, 1) == "0" || cell(l, 1) == s.audit_source.to_string()));

	// Both the search and the export are on chain, as entries of the console's source.
	let recorded = s.wait_recorded(2).await;
	let actions: Vec<&str> = recorded.iter().map(|e| e.action.as_str()).collect();
	assert_eq!(actions, ["GET /search/citizen", "GET /export/citizen.csv"]);
	assert!(recorded.iter().all(|e| e.citizen_ref == reference && e.purpose == "019"));
	assert_eq!(recorded[0].records as usize, expected.min(50));
	assert_eq!(recorded[1].records as usize, lines.len() - 1);

	// Evidence, verified in the browser against the pinned validator set.
	let entry = wanted[0];
	let set = s.client.validator_set().await.unwrap();
	let validators =
		write(s.dir.path(), "validators.json", &serde_json::to_string_pretty(&set).unwrap());
	b.goto(&format!("{base}/entries/{entry}")).await.unwrap();
	b.find(Locator::Css("#validators")).await.unwrap().send_keys(&validators).await.unwrap();
	b.wait().for_element(Locator::Css("#run-verify:not([disabled])")).await.unwrap();
	b.find(Locator::Css("#run-verify")).await.unwrap().click().await.unwrap();
	assert_eq!(verdict(&b).await, ("true".into(), String::new()));
	shot(&b, "entry").await;

	// A bundle with one byte changed (in the entry's stored bytes) is refused, naming the step.
	let bundle = s.client.evidence(&[entry]).await.unwrap();
	let mut v: Value = serde_json::to_value(&bundle).unwrap();
	let value = v["entries"][0]["value"].as_str().unwrap().to_string();
	let last = u8::from_str_radix(&value[value.len() - 2..], 16).unwrap() ^ 1;
	v["entries"][0]["value"] = json!(format!("{}{last:02x}", &value[..value.len() - 2]));
	let tampered = write(s.dir.path(), "tampered.json", &v.to_string());
	b.goto(&format!("{base}/verify")).await.unwrap();
	b.find(Locator::Css("#bundle-file")).await.unwrap().send_keys(&tampered).await.unwrap();
	b.wait().for_element(Locator::Css("#bundle-name:not(:empty)")).await.unwrap();
	b.find(Locator::Css("#run-verify")).await.unwrap().click().await.unwrap();
	let (verified, part) = verdict(&b).await;
	assert_eq!((verified.as_str(), part.as_str()), ("false", "entry"));
	shot(&b, "verify-tampered").await;

	// The remaining pages, for the screenshots; a hostile record shows as text.
	b.goto(&format!("{base}/entries/{}", s.entry_ids[3])).await.unwrap();
	let pwned = b.execute("return window.__pwned === undefined", vec![]).await.unwrap();
	assert_eq!(pwned, json!(true), "a record's markup did not run");
	assert!(text(&b, "dl.fields").await.contains(support::HOSTILE_AGENCY));
	b.goto(&format!("{base}/entries")).await.unwrap();
	b.wait().for_element(Locator::Css("table.entries tbody tr")).await.unwrap();
	shot(&b, "entries").await;
	b.goto(&format!("{base}/sources")).await.unwrap();
	shot(&b, "sources").await;
	// One source with gaps: n+1 and n+4 missing, n+2..n+3 arriving after n+5..n+6. The page
	// shows the scan's progress and reloads itself until it is done.
	let n = s.records.len() as u64;
	s.plant_gaps().await;
	b.goto(&format!("{base}/sources/0")).await.unwrap();
	b.wait().for_element(Locator::Css("section#scan h3")).await.unwrap();
	let scan = text(&b, "section#scan").await;
	assert!(
		scan.contains(&format!("{}", n + 4)) && scan.contains("曾缺漏、後來補上的序號"),
		"{scan}"
	);
	shot(&b, "source").await;

	// An operator: the network and the blocks, but not the search.
	b.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();
	b.wait().for_element(Locator::Css("form.login")).await.unwrap();
	login(&b, base, OPERATOR).await;
	b.goto(&format!("{base}/search")).await.unwrap();
	assert!(text(&b, "main").await.contains("您的角色無權使用此頁"));
	let nav = text(&b, "header nav").await;
	assert!(nav.contains("網路") && !nav.contains("稽核查詢"), "{nav}");
	b.goto(&format!("{base}/network")).await.unwrap();
	b.wait().for_element(Locator::Css("section[data-live=network] table tbody tr")).await.unwrap();
	tokio::time::sleep(Duration::from_secs(3)).await;
	shot(&b, "network").await;

	// A new block shows up on an open blocks page by itself.
	b.goto(&format!("{base}/blocks")).await.unwrap();
	// Read in one script call: the live section may be replaced between a find and a read.
	let newest = || async {
		b.execute(
			"return document.querySelector('div[data-live=blocks] tbody tr td a').textContent",
			vec![],
		)
		.await
		.unwrap()
	};
	let top = newest().await;
	let deadline = Instant::now() + Duration::from_secs(10);
	while newest().await == top {
		assert!(Instant::now() < deadline, "no new block appeared on the open page after {top}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	shot(&b, "blocks").await;
	b.goto(&format!("{base}/blocks/2")).await.unwrap();
	shot(&b, "block").await;
	b.close().await.unwrap();
}
