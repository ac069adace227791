//! Sources and submitters: per source its entries, last sequence number and how many sequence
//! numbers are missing (the chain stores each `(source, seq)` once, so `last_seq - entries`
//! numbers below the last are not on chain: lost, or still to come); every submitter account,
//! the source it writes for, and when it was last authorized or revoked. One source in detail:
//! its open and filled gaps and what each submitter account wrote ([`crate::sequence`]).

use crate::{
	auth::same_token,
	sequence::{History, Scan},
	web::{Ctx, Need},
	App,
};
use axum::{
	extract::{Path, State},
	http::StatusCode,
	response::{IntoResponse, Redirect, Response},
	Form,
};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// `GET /sources`.
pub async fn page(ctx: Ctx, State(app): State<Arc<App>>) -> Response {
	if let Err(r) = ctx.page(Need::Login) {
		return r;
	}
	let l = ctx.lang;
	let rpc = app.client.query();
	let (sources, submitters) = match tokio::try_join!(rpc.sources(), rpc.submitters()) {
		Ok(v) => v,
		Err(e) => return ctx.error_page(StatusCode::BAD_GATEWAY, &e.to_string()),
	};
	let body = html! {
		h2 { (l.t("來源", "Sources")) }
		table {
			thead { tr {
				th { "ID" } th { (l.t("名稱", "Name")) } th { (l.t("機關", "Agency")) } th { (l.t("啟用", "Active")) }
				th { (l.t("紀錄數", "Entries")) } th { (l.t("最後序號", "Last sequence")) } th { (l.t("缺漏序號", "Missing sequence numbers")) }
				th { (l.t("註冊區塊", "Registered at")) }
			} }
			tbody { @for s in &sources {
				@let missing = s.last_seq.saturating_sub(s.entries);
				tr {
					td { a href={ "/sources/" (s.id) } { (s.id) } } td { a href={ "/sources/" (s.id) } { (s.name) } } td { (s.agency) }
					td { @if s.active { (l.t("是", "yes")) } @else { span.warn { (l.t("停用", "no")) } } }
					td { (s.entries) } td { (s.last_seq) }
					td { @if missing == 0 { span.ok { "0" } } @else { span.bad { (missing) } } }
					td { "#" (s.registered_at) }
				}
			} }
		}
		h2 { (l.t("提交者", "Submitters")) }
		table {
			thead { tr { th { (l.t("帳戶", "Account")) } th { (l.t("來源", "Source")) } th { (l.t("狀態", "State")) } th { (l.t("最近異動區塊", "Last changed at")) } } }
			tbody { @for s in &submitters {
				tr {
					td { code { (s.account) } }
					td { (s.source) " " (sources.iter().find(|x| x.id == s.source).map(|x| x.name.as_str()).unwrap_or("?")) }
					td { @if s.active { span.ok { (l.t("授權中", "authorized")) } } @else { span.bad { (l.t("已撤銷", "revoked")) } } }
					td { "#" (s.changed_at) }
				}
			} }
		}
	};
	ctx.frame(l.t("來源與提交者", "Sources and submitters"), body).into_response()
}

/// The source `id` and its submitters, or the page to answer instead.
async fn source(
	ctx: &Ctx,
	app: &App,
	id: &str,
) -> Result<
	(accesslog_client::rpc_types::SourceJson, Vec<accesslog_client::rpc_types::SubmitterJson>),
	Response,
> {
	let missing =
		|| ctx.error_page(StatusCode::NOT_FOUND, ctx.lang.t("沒有這個來源。", "No such source."));
	let id: u32 = id.parse().map_err(|_| missing())?;
	let rpc = app.client.query();
	let (sources, submitters) = tokio::try_join!(rpc.sources(), rpc.submitters())
		.map_err(|e| ctx.error_page(StatusCode::BAD_GATEWAY, &e.to_string()))?;
	let source = sources.into_iter().find(|s| s.id == id).ok_or_else(missing)?;
	Ok((source, submitters.into_iter().filter(|s| s.source == id).collect()))
}

/// `GET /sources/{id}`: one source's gaps and submitters; starts the scan of its sequence
/// index when none has run.
pub async fn detail(ctx: Ctx, State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
	let csrf = match ctx.page(Need::Login) {
		Ok(s) => s.csrf.clone(),
		Err(r) => return r,
	};
	let (source, submitters) = match source(&ctx, &app, &id).await {
		Ok(v) => v,
		Err(r) => return r,
	};
	let l = ctx.lang;
	let scan = app.scans.start(&app.client, source.id, (source.entries, source.last_seq), false);
	let missing = source.last_seq.saturating_sub(source.entries);
	let body = html! {
		dl.fields {
			dt { (l.t("名稱", "Name")) } dd { (source.name) }
			dt { (l.t("機關", "Agency")) } dd { (source.agency) }
			dt { (l.t("狀態", "State")) } dd { @if source.active { (l.t("啟用", "active")) } @else { span.warn { (l.t("停用", "inactive")) } } }
			dt { (l.t("註冊區塊", "Registered at")) } dd { a href={ "/blocks/" (source.registered_at) } { "#" (source.registered_at) } }
			dt { (l.t("紀錄數", "Entries")) } dd { (source.entries) }
			dt { (l.t("最後序號", "Last sequence")) } dd { (source.last_seq) }
			dt { (l.t("目前缺漏", "Missing now")) } dd { @if missing == 0 { span.ok { "0" } } @else { span.bad { (missing) } } }
		}
		(history(&ctx, &scan, &source, &submitters, &csrf))
	};
	ctx.frame(&format!("{} {}", l.t("來源", "Source"), source.id), body).into_response()
}

fn history(
	ctx: &Ctx,
	scan: &Scan,
	source: &accesslog_client::rpc_types::SourceJson,
	submitters: &[accesslog_client::rpc_types::SubmitterJson],
	csrf: &str,
) -> Markup {
	let l = ctx.lang;
	let Some((took, result)) = scan.done() else {
		let reached = scan.reached().min(scan.last_seq);
		return html! {
			section #scan data-refresh="2" aria-live="polite" {
				h2 { (l.t("序號歷史", "Sequence history")) }
				p { (l.t("正在讀取此來源的序號索引(於最終確定區塊)…", "Reading this source's sequence index (at the finalized block)…")) }
				progress max=(scan.last_seq.max(1)) value=(reached) { (reached) " / " (scan.last_seq) }
				p.muted { (reached) " / " (scan.last_seq) " · " (scan.started.elapsed().as_secs()) " s · "
					a href={ "/sources/" (source.id) } { (l.t("重新整理", "Refresh")) } }
			}
		};
	};
	let stale = (scan.entries, scan.last_seq) != (source.entries, source.last_seq);
	let again = html! {
		form.inline method="post" action={ "/sources/" (source.id) "/scan" } {
			input type="hidden" name="csrf" value=(csrf);
			button type="submit" { (l.t("重新讀取", "Read again")) }
		}
	};
	let h: &History = match result {
		Ok(h) => h,
		Err(e) => {
			return html! {
				section #scan { h2 { (l.t("序號歷史", "Sequence history")) } p.error role="alert" { (e) } (again) }
			}
		},
	};
	html! {
		section #scan {
			h2 { (l.t("序號歷史", "Sequence history")) }
			p.muted {
				(l.t("讀取至序號 ", "Read up to sequence ")) (scan.last_seq) " · " (h.entries) (l.t(" 筆 · 費時 ", " entries · took ")) (format!("{:.1}", took.as_secs_f64())) " s"
				@if stale { " · " span.warn { (l.t("此後鏈上已有新紀錄", "the chain has moved on since")) } }
				" " (again)
			}
			h3 { (l.t("目前缺漏的序號", "Missing now")) }
			@if h.open.is_empty() { p.ok { (l.t("沒有缺漏。", "None.")) } } @else {
				table { thead { tr { th { (l.t("起", "From")) } th { (l.t("迄", "To")) } th { (l.t("筆數", "Count")) } } }
					tbody { @for g in &h.open { tr { td { (g.first) } td { (g.last) } td.bad { (g.last - g.first + 1) } } } } }
			}
			h3 { (l.t("曾缺漏、後來補上的序號", "Missing once, filled later")) }
			@if h.filled.is_empty() { p.muted { (l.t("沒有。", "None.")) } } @else {
				table { thead { tr { th { (l.t("起", "From")) } th { (l.t("迄", "To")) } th { (l.t("缺漏回報於區塊", "Gap reported at block")) } th { (l.t("補上於區塊", "Filled in blocks")) } } }
					tbody { @for g in &h.filled { tr {
						td { (g.first) } td { (g.last) }
						td { a href={ "/blocks/" (g.reported_at) } { "#" (g.reported_at) } }
						td { "#" (g.filled_from) @if g.filled_to != g.filled_from { " – #" (g.filled_to) } }
					} } } }
			}
			h3 { (l.t("提交者與其寫入紀錄", "Submitters and what they wrote")) }
			table {
				thead { tr { th { (l.t("帳戶", "Account")) } th { (l.t("目前狀態", "State now")) } th { (l.t("最近異動區塊", "Last changed at")) } th { (l.t("寫入筆數", "Entries written")) } th { (l.t("序號", "Sequence numbers")) } th { (l.t("區塊", "Blocks")) } } }
				tbody {
					@for (account, w) in &h.submitters {
						@let now = submitters.iter().find(|s| &s.account == account);
						tr {
							td { code { (account) } }
							td { @match now { Some(s) if s.active => span.ok { (l.t("授權中", "authorized")) }, Some(_) => span.bad { (l.t("已撤銷", "revoked")) }, None => span.muted { (l.t("已改寫其他來源", "now writes for another source")) } } }
							td { @if let Some(s) = now { "#" (s.changed_at) } }
							td { (w.entries) } td { (w.seqs.0) " – " (w.seqs.1) } td { "#" (w.blocks.0) " – #" (w.blocks.1) }
						}
					}
					@for s in submitters.iter().filter(|s| !h.submitters.contains_key(&s.account)) {
						tr {
							td { code { (s.account) } }
							td { @if s.active { span.ok { (l.t("授權中", "authorized")) } } @else { span.bad { (l.t("已撤銷", "revoked")) } } }
							td { "#" (s.changed_at) } td { "0" } td {} td {}
						}
					}
				}
			}
		}
	}
}

/// The posted "read again" form.
#[derive(Deserialize)]
pub struct Again {
	#[serde(default)]
	csrf: String,
}

/// `POST /sources/{id}/scan`: read the source's sequence index again.
pub async fn rescan(
	ctx: Ctx,
	State(app): State<Arc<App>>,
	Path(id): Path<String>,
	Form(form): Form<Again>,
) -> Response {
	let session = match ctx.page(Need::Login) {
		Ok(s) => s,
		Err(r) => return r,
	};
	if !same_token(&session.csrf, &form.csrf) {
		return ctx.error_page(
			StatusCode::FORBIDDEN,
			ctx.lang.t("表單已過期,請重新整理頁面。", "The form expired; reload the page."),
		);
	}
	let (source, _) = match source(&ctx, &app, &id).await {
		Ok(v) => v,
		Err(r) => return r,
	};
	app.scans.start(&app.client, source.id, (source.entries, source.last_seq), true);
	Redirect::to(&format!("/sources/{}", source.id)).into_response()
}
