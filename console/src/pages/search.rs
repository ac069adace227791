//! The auditors' search: by national ID, official, agency, source and sequence range, or time
//! range; paginated; charts of the result set; CSV export. The form is posted (never a query
//! string, so a national ID stays out of URLs, browser history and proxies' logs) and carries
//! the session's CSRF token. A search naming a person runs only once it is recorded on chain.

use crate::{
	audit::{self, Subject},
	auth::same_token,
	charts, csv,
	i18n::Lang,
	search::{self, page_number, FormError, Params, Search, PAGE_ROWS},
	web::{Ctx, Need},
	App,
};
use accesslog_client::pseudonym::IdError;
use axum::{
	extract::State,
	http::{header, StatusCode},
	response::{IntoResponse, Response},
	Form,
};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// The posted form: the search and the session's token.
#[derive(Deserialize)]
pub struct Posted {
	#[serde(flatten)]
	params: Params,
	#[serde(default)]
	csrf: String,
}

fn form(ctx: &Ctx, csrf: &str, p: &Params, error: Option<&str>) -> Markup {
	let l = ctx.lang;
	let kinds = [
		("citizen", l.t("當事人(身分證字號)", "Citizen (national ID)")),
		("official", l.t("承辦人(公務員代號)", "Official (official ID)")),
		("agency", l.t("機關(時間範圍內)", "Agency (in a time range)")),
		("source", l.t("來源與序號範圍", "Source and sequence range")),
		("time", l.t("時間範圍", "Time range")),
	];
	html! {
		form.search method="post" action="/search" {
			@if let Some(e) = error { p.error role="alert" { (e) } }
			input type="hidden" name="csrf" value=(csrf);
			fieldset {
				legend { (l.t("查詢方式", "Search by")) }
				@for (value, label) in kinds {
					label.choice {
						input type="radio" name="kind" value=(value) checked[p.kind == value || (p.kind.is_empty() && value == "citizen")];
						" " (label)
					}
				}
			}
			div.grid {
				label for="q" { (l.t("身分證字號/承辦人代號/機關名稱", "National ID / official ID / agency")) }
				input #q name="q" value=(if p.kind == "citizen" { "" } else { p.q.as_str() }) autocomplete="off" spellcheck="false";
				label for="source" { (l.t("來源編號", "Source id")) }
				input #source name="source" value=(p.source) inputmode="numeric";
				label for="from" { (l.t("起(序號或時間)", "From (sequence or time)")) }
				input #from name="from" value=(p.from) placeholder="2026-12-01T08:00";
				label for="to" { (l.t("迄(序號或時間)", "To (sequence or time)")) }
				input #to name="to" value=(p.to) placeholder="2026-12-01T18:00";
				label for="purpose" { (l.t("查詢目的代碼(查詢個人時必填)", "Purpose code (required when searching a person)")) }
				input #purpose name="purpose" value=(p.purpose) maxlength="16";
			}
			p.muted { (l.t("查詢當事人或承辦人時,本次查詢本身會記錄在區塊鏈上(查詢者、對象代碼、目的、筆數)。身分證字號不會被儲存、記錄或送往節點。", "A search for a citizen or an official is itself recorded on chain (who searched, the person's reference, the purpose, the rows). The national ID is never stored, logged or sent to a node.")) }
			button type="submit" { (l.t("查詢", "Search")) }
		}
	}
}

fn form_message(ctx: &Ctx, e: &FormError) -> String {
	let l = ctx.lang;
	match e {
		FormError::NationalId(e) => {
			let why = match (l, e) {
				(Lang::En, e) => e.to_string(),
				(Lang::Zh, IdError::Length(n)) => format!("身分證字號為 10 個字元,此處為 {n} 個"),
				(Lang::Zh, IdError::Letter) => "第一個字元須為大寫英文字母 A-Z".into(),
				(Lang::Zh, IdError::Digits) => "其後須為 9 個數字,第一個數字為 1、2、8 或 9".into(),
				(Lang::Zh, IdError::CheckDigit) => "檢查碼不符,請確認是否輸入錯誤".into(),
			};
			format!("{}{why}", l.t("身分證字號格式錯誤:", "National ID: "))
		},
		FormError::Purpose => l
			.t(
				"請填寫查詢目的代碼(1 到 16 個英數字)。",
				"Give the purpose code of this search (1-16 letters or digits).",
			)
			.into(),
		other => other.to_string(),
	}
}

/// `GET /search`: the empty form.
pub async fn page(ctx: Ctx) -> Response {
	let session = match ctx.page(Need::Audit) {
		Ok(s) => s.clone(),
		Err(r) => return r,
	};
	let l = ctx.lang;
	ctx.frame(l.t("稽核查詢", "Search"), form(&ctx, &session.csrf, &Params::default(), None))
		.into_response()
}

/// A checked, run and (when it names a person) recorded search, or the answer to give instead.
async fn checked(
	ctx: &Ctx,
	app: &App,
	posted: &Posted,
	export: bool,
) -> Result<(Search, Arc<search::Found>, usize), Response> {
	let session = ctx.page(Need::Audit)?;
	let l = ctx.lang;
	let fail = |status: StatusCode, message: String| {
		(
			status,
			ctx.frame(
				l.t("稽核查詢", "Search"),
				form(ctx, &session.csrf, &posted.params, Some(&message)),
			),
		)
			.into_response()
	};
	if !same_token(&session.csrf, &posted.csrf) {
		return Err(fail(
			StatusCode::FORBIDDEN,
			l.t("表單已過期,請重新查詢。", "The form expired; search again.").into(),
		));
	}
	let s = match Search::parse(&posted.params) {
		Ok(Some(s)) => s,
		Ok(None) => {
			return Err(fail(
				StatusCode::BAD_REQUEST,
				l.t("請選擇查詢方式。", "Choose what to search by.").into(),
			))
		},
		Err(e) => return Err(fail(StatusCode::BAD_REQUEST, form_message(ctx, &e))),
	};
	let page = page_number(&posted.params)
		.map_err(|e| fail(StatusCode::BAD_REQUEST, form_message(ctx, &e)))?;
	// The pager and the export carry a page number and read the set the first page showed;
	// the form has none and runs the query afresh.
	let key = format!("{}|{}", session.user, s.key(&app.keys));
	let kept = if posted.params.page.trim().is_empty() { None } else { app.results.get(&key) };
	let found = match kept {
		Some(found) => found,
		None => {
			let found = search::run(&app.client, &app.keys, &s, &session.user)
				.await
				.map_err(|e| fail(StatusCode::BAD_GATEWAY, e.to_string()))?;
			let found = Arc::new(found);
			app.results.put(key, found.clone());
			found
		},
	};
	let shown = if export {
		found.ids.len()
	} else {
		found.ids.len().saturating_sub((page - 1) * PAGE_ROWS).min(PAGE_ROWS)
	};
	let subject = match &s {
		Search::Citizen(id) => Some(Subject::Citizen(id)),
		Search::Official(id) => Some(Subject::Official(id)),
		_ => None,
	};
	if let Some(subject) = subject {
		let action = s.action(export);
		let recorded = app
			.recorder
			.record(audit::Search {
				auditor: &session.user,
				subject,
				purpose: posted.params.purpose.trim(),
				action: &action,
				rows: shown as u32,
			})
			.await;
		match recorded {
			Ok(seq) => {
				tracing::info!(user = %session.user, seq, action, rows = shown, "search recorded")
			},
			Err(e) => {
				tracing::error!(user = %session.user, "search not run: {e}");
				let m = format!(
					"{} {e}",
					l.t(
						"無法將本次查詢記錄上鏈,因此未執行查詢:",
						"The search was not run because it could not be recorded on chain:"
					)
				);
				return Err(fail(StatusCode::SERVICE_UNAVAILABLE, m));
			},
		}
	}
	Ok((s, found, page))
}

/// The answer when the entries of a result set cannot be read from the node.
fn unreadable(ctx: &Ctx, posted: &Posted, e: accesslog_client::Error) -> Response {
	let l = ctx.lang;
	let csrf = ctx.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or_default();
	tracing::error!("search rows not read: {e}");
	let m = format!(
		"{} {e}",
		l.t("無法從節點讀取查詢結果:", "The results could not be read from the node:")
	);
	(
		StatusCode::BAD_GATEWAY,
		ctx.frame(l.t("稽核查詢", "Search"), form(ctx, csrf, &posted.params, Some(&m))),
	)
		.into_response()
}

/// `POST /search`.
pub async fn run(ctx: Ctx, State(app): State<Arc<App>>, Form(posted): Form<Posted>) -> Response {
	let (s, found, page) = match checked(&ctx, &app, &posted, false).await {
		Ok(v) => v,
		Err(r) => return r,
	};
	let l = ctx.lang;
	let csrf = ctx.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default();
	let pages = found.ids.len().div_ceil(PAGE_ROWS).max(1);
	let start = ((page - 1) * PAGE_ROWS).min(found.ids.len());
	let rows = match search::rows(
		&app.client,
		&found,
		&found.ids[start..(start + PAGE_ROWS).min(found.ids.len())],
	)
	.await
	{
		Ok(rows) => rows,
		Err(e) => return unreadable(&ctx, &posted, e),
	};
	let hidden = |page: usize| {
		html! {
			input type="hidden" name="csrf" value=(csrf);
			input type="hidden" name="kind" value=(posted.params.kind);
			input type="hidden" name="q" value=(posted.params.q);
			input type="hidden" name="source" value=(posted.params.source);
			input type="hidden" name="from" value=(posted.params.from);
			input type="hidden" name="to" value=(posted.params.to);
			input type="hidden" name="purpose" value=(posted.params.purpose);
			input type="hidden" name="page" value=(page);
		}
	};
	let body = html! {
		(form(&ctx, &csrf, &posted.params, None))
		section.results aria-labelledby="results" {
			h2 #results { (l.t("查詢結果", "Results")) }
			p.summary {
				(l.t("共 ", "")) strong #total { (found.ids.len()) } (l.t(" 筆", " entries"))
				@if found.truncated { " " span.warn { (l.t("(超過上限,僅收集最早的 10,000 筆,請縮小範圍)", "(more matched: the earliest 10,000 are shown; narrow the search)")) } }
				@if s.names_a_person() { " · " span.ok { (l.t("本次查詢已記錄上鏈", "this search is recorded on chain")) } }
			}
			@if page > pages { p.warn { (l.t("沒有這一頁;共 ", "No such page; there are ")) (pages) (l.t(" 頁。", " pages.")) } }
			@if !found.ids.is_empty() {
				@match found.charts.get() {
					Some(c) => (charts_of(&ctx, c)),
					None => div.charts #charts data-charts={ "/search/charts/" (found.id) "?fragment=1" } {
						p { a href={ "/search/charts/" (found.id) } { (l.t("顯示結果集的統計圖(每小時、依機關、依 API)", "Show the charts of the result set (per hour, by agency, by API)")) } }
					},
				}
				(super::entries::table(&ctx, &rows))
				nav.pager aria-label=(l.t("分頁", "Pages")) {
					@if page > 1 && page <= pages { form method="post" action="/search" { (hidden(page - 1)) button type="submit" { (l.t("上一頁", "Previous")) } } }
					span { (l.t("第 ", "Page ")) (page.min(pages)) " / " (pages) (l.t(" 頁", "")) }
					@if page < pages { form method="post" action="/search" { (hidden(page + 1)) button type="submit" { (l.t("下一頁", "Next")) } } }
				}
				form method="post" action="/search.csv" {
					(hidden(1))
					button type="submit" { (l.t("匯出 CSV", "Export CSV")) }
					@if s.names_a_person() { span.muted { " " (l.t("(匯出也會記錄上鏈)", "(the export is recorded on chain too)")) } }
				}
			}
		}
	};
	ctx.frame(l.t("稽核查詢", "Search"), body).into_response()
}

/// The charts of a result set.
fn charts_of(ctx: &Ctx, c: &search::Charts) -> Markup {
	let l = ctx.lang;
	html! {
		div.charts #charts {
			(charts::columns(l.t("每小時/每日存取次數", "Accesses per hour / day"), &search::over_time(&c.hours)))
			(charts::bars(l.t("依機關", "By agency"), &search::top(&c.agencies)))
			(charts::bars(l.t("依 API", "By API"), &search::top(&c.actions)))
		}
	}
}

/// Whether to answer with a fragment instead of a page.
#[derive(Deserialize)]
pub struct Fragment {
	#[serde(default)]
	fragment: Option<String>,
}

/// `GET /search/charts/{set}`: the charts of one of the user's kept result sets, counted by
/// the node at the set's block (the search page fetches them after it shows; without scripts,
/// a link opens them as a page).
pub async fn charts(
	ctx: Ctx,
	State(app): State<Arc<App>>,
	axum::extract::Path(set): axum::extract::Path<String>,
	axum::extract::Query(f): axum::extract::Query<Fragment>,
) -> Response {
	let fragment = f.fragment.is_some();
	let session = match if fragment { ctx.data(Need::Audit) } else { ctx.page(Need::Audit) } {
		Ok(s) => s.clone(),
		Err(r) => return r,
	};
	let l = ctx.lang;
	let Some(found) = app.results.by_id(&session.user, &set) else {
		let m = l.t(
			"找不到這個查詢結果(已超過 10 分鐘或不是您的查詢),請重新查詢。",
			"No such result set (older than 10 minutes, or not your search): search again.",
		);
		return (
			StatusCode::NOT_FOUND,
			if fragment {
				html! { p.warn { (m) } }
			} else {
				ctx.frame(l.t("統計圖", "Charts"), html! { p.warn { (m) } })
			},
		)
			.into_response();
	};
	let body = match search::charts(&app.client, &app.keys, &found).await {
		Ok(c) => charts_of(&ctx, c),
		Err(e) => {
			tracing::error!("charts not counted: {e}");
			let m = format!(
				"{} {e}",
				l.t("無法從節點取得統計:", "The node could not count the charts:")
			);
			return (StatusCode::BAD_GATEWAY, html! { p.error role="alert" { (m) } })
				.into_response();
		},
	};
	if fragment {
		body.into_response()
	} else {
		let back = html! { (body) p { a href="/search" { (l.t("回到查詢", "Back to search")) } } };
		ctx.frame(l.t("結果集統計圖", "Charts of the result set"), back).into_response()
	}
}

/// `POST /search.csv`: every row of the search, as CSV.
pub async fn export(ctx: Ctx, State(app): State<Arc<App>>, Form(posted): Form<Posted>) -> Response {
	if ctx.session.is_none() {
		return ctx.data(Need::Audit).expect_err("no session; qed");
	}
	let (_, found, _) = match checked(&ctx, &app, &posted, true).await {
		Ok(v) => v,
		Err(r) => return r,
	};
	let rows = match search::rows(&app.client, &found, &found.ids).await {
		Ok(rows) => rows,
		Err(e) => return unreadable(&ctx, &posted, e),
	};
	let name = format!("accesslog-{}.csv", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
	(
		[
			(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
			(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
		],
		csv::export(&rows),
	)
		.into_response()
}
