//! The entries pages: the latest entries, live; one entry with every field, and its evidence
//! bundle to download and to verify in the browser against a validator set the auditor pinned.

use crate::{
	web::{time, Ctx, Fragment, Need},
	App,
};
use accesslog_client::rpc_types::EntryJson;
use axum::{
	extract::{Path, Query, State},
	http::{header, StatusCode},
	response::{IntoResponse, Response},
};
use maud::{html, Markup};
use std::sync::Arc;

/// A table of entries, newest first, linking each to its page.
pub fn table(ctx: &Ctx, rows: &[EntryJson]) -> Markup {
	let l = ctx.lang;
	html! {
		table.entries {
			thead { tr {
				th { "ID" } th { (l.t("存取時間", "Accessed at")) } th { (l.t("機關", "Agency")) }
				th { (l.t("系統", "System")) } th { (l.t("動作", "Action")) } th { (l.t("目的", "Purpose")) }
				th { (l.t("狀態", "Status")) } th { (l.t("筆數", "Records")) } th { (l.t("來源/序號", "Source/seq")) }
				th { (l.t("區塊", "Block")) }
			} }
			tbody {
				@for e in rows {
					tr {
						td { a href={ "/entries/" (e.id) } { (e.id) } }
						td { (time(e.occurred_at)) }
						td { (e.agency) }
						td { (e.system) }
						td { code { (e.action) } }
						td { (e.purpose) }
						td { (e.status) }
						td { (e.records) }
						td { (e.source) "/" (e.seq) }
						td { (e.block) }
					}
				}
			}
		}
	}
}

/// `GET /entries`.
pub async fn list(ctx: Ctx, State(app): State<Arc<App>>, Query(f): Query<Fragment>) -> Response {
	if let Err(r) = ctx.page(Need::Audit) {
		return r;
	}
	let l = ctx.lang;
	let rows = match latest(&app).await {
		Ok(rows) => rows,
		Err(e) => return ctx.error_page(StatusCode::BAD_GATEWAY, &e.to_string()),
	};
	let t = table(&ctx, &rows);
	if f.fragment.is_some() {
		return t.into_response();
	}
	let body = html! {
		p.muted { (l.t("最新的存取紀錄,新紀錄寫入區塊後自動出現。", "The latest entries; new ones appear as blocks store them.")) }
		div data-live="entries" data-fragment="/entries?fragment=1" { (t) }
	};
	ctx.frame(l.t("最新存取紀錄", "Latest entries"), body).into_response()
}

/// The latest entries: the watcher's copy, or from the node while the watcher has none yet.
async fn latest(app: &App) -> Result<Vec<EntryJson>, accesslog_client::Error> {
	let cached = app.watch.latest_entries();
	if !cached.is_empty() {
		return Ok(cached);
	}
	crate::chain::latest_entries(&app.client).await
}

fn parse_id(ctx: &Ctx, id: &str) -> Result<u64, Response> {
	id.parse().map_err(|_| {
		ctx.error_page(
			StatusCode::BAD_REQUEST,
			ctx.lang.t("紀錄編號必須是數字。", "An entry id is a number."),
		)
	})
}

/// `GET /entries/{id}`.
pub async fn detail(ctx: Ctx, State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
	if let Err(r) = ctx.page(Need::Audit) {
		return r;
	}
	let l = ctx.lang;
	let id = match parse_id(&ctx, &id) {
		Ok(id) => id,
		Err(r) => return r,
	};
	let e = match app.client.query().entry(id).await {
		Ok(Some(e)) => e,
		Ok(None) => {
			return ctx.error_page(StatusCode::NOT_FOUND, l.t("沒有這筆紀錄。", "No such entry."))
		},
		Err(e) => return ctx.error_page(StatusCode::BAD_GATEWAY, &e.to_string()),
	};
	let finalized = e.block <= app.watch.finalized();
	let operates = ctx.session.as_ref().is_some_and(|s| s.role.operates());
	let evidence = format!("/entries/{id}/evidence.json");
	let body = html! {
		dl.fields {
			dt { "ID" } dd { (e.id) }
			dt { (l.t("存取時間", "Accessed at")) } dd { (time(e.occurred_at)) " (" (e.occurred_at) " ms)" }
			dt { (l.t("來源", "Source")) } dd { (e.source) }
			dt { (l.t("序號", "Sequence")) } dd { (e.seq) }
			dt { (l.t("機關", "Agency")) } dd { (e.agency) }
			dt { (l.t("系統", "System")) } dd { (e.system) }
			dt { (l.t("承辦人代碼", "Official reference")) } dd { code { (e.accessor_ref) } }
			dt { (l.t("當事人代碼", "Citizen reference")) } dd { code { (e.citizen_ref) } }
			dt { (l.t("金鑰編號", "Key id")) } dd { (e.key_id) }
			dt { (l.t("動作", "Action")) } dd { code { (e.action) } }
			dt { (l.t("目的代碼", "Purpose")) } dd { (e.purpose) }
			dt { (l.t("狀態", "Status")) } dd { (e.status) }
			dt { (l.t("個資筆數", "Personal records")) } dd { (e.records) }
			dt { (l.t("原始紀錄雜湊", "Record hash")) } dd { code { (e.record_hash) } }
			dt { (l.t("區塊", "Block")) } dd {
				@if operates { a href={ "/blocks/" (e.block) } { "#" (e.block) } } @else { "#" (e.block) }
				" " @if finalized { span.ok { (l.t("已最終確定", "finalized")) } } @else { span.warn { (l.t("尚未最終確定", "not yet finalized")) } }
			}
			dt { (l.t("提交者", "Submitter")) } dd { code { (e.submitter) } }
		}
		section.evidence {
			h2 { (l.t("證據", "Evidence")) }
			p { a.button href=(evidence) download={ "evidence-" (id) ".json" } { (l.t("下載證據包", "Download the evidence bundle")) } }
			p { (l.t("命令列驗證(離線):", "Verify on the command line (offline):")) }
			pre { code { "accesslog verify evidence-" (id) ".json --validators validators.json" } }
			(verifier(&ctx, Some(&evidence)))
		}
	};
	ctx.frame(&format!("{} {id}", l.t("存取紀錄", "Entry")), body).into_response()
}

/// The in-browser verifier: the pinned validator set, and the bundle of `bundle_url` or a bundle
/// file the auditor picks.
pub fn verifier(ctx: &Ctx, bundle_url: Option<&str>) -> Markup {
	let l = ctx.lang;
	html! {
		div #verify data-bundle=(bundle_url.unwrap_or("")) {
			p { (l.t("在瀏覽器中驗證:驗證程式在您的瀏覽器執行(WebAssembly),結果不依賴本主控台伺服器傳來的資料。請固定一份以 ", "Verify in this browser: the verifier runs here (WebAssembly), so the result does not depend on data from this console's server. Pin the validator set exported once with ")) code { "accesslog validators" } (l.t(" 匯出的驗證者集合。", ".")) }
			label for="validators" { (l.t("固定的驗證者集合(validators.json)", "Pinned validator set (validators.json)")) }
			" " input #validators type="file" accept=".json,application/json";
			p #pinned.muted aria-live="polite" {}
			label for="bundle-file" {
				@if bundle_url.is_some() { (l.t("或驗證另一個證據包檔案", "Or verify another bundle file")) } @else { (l.t("證據包檔案", "Evidence bundle file")) }
			}
			" " input #bundle-file type="file" accept=".json,application/json";
			p #bundle-name.muted aria-live="polite" {}
			button #run-verify type="button" disabled { (l.t("驗證", "Verify")) }
			div #verify-result aria-live="polite" {}
			@if !crate::assets::verifier_available() {
				p.warn { (l.t("此版本未內建驗證程式(以 SKIP_WASM_BUILD 建置),請用命令列驗證。", "This build has no verifier built in (built with SKIP_WASM_BUILD); verify on the command line.")) }
			}
		}
	}
}

/// `GET /verify`: verify a bundle file in the browser.
pub async fn verify_page(ctx: Ctx) -> Response {
	if let Err(r) = ctx.page(Need::Audit) {
		return r;
	}
	let l = ctx.lang;
	let body = html! {
		(verifier(&ctx, None))
		p { (l.t("命令列驗證(離線):", "On the command line (offline):")) }
		pre { code { "accesslog verify evidence.json --validators validators.json" } }
	};
	ctx.frame(l.t("驗證證據包", "Verify an evidence bundle"), body).into_response()
}

/// `GET /entries/{id}/evidence.json`: the bundle, as `accesslog evidence` writes it. The entry
/// must be finalized.
pub async fn evidence(ctx: Ctx, State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
	if let Err(r) = ctx.data(Need::Audit) {
		return r;
	}
	let Ok(id) = id.parse::<u64>() else {
		return (StatusCode::BAD_REQUEST, "an entry id is a number\n").into_response();
	};
	let built =
		tokio::time::timeout(std::time::Duration::from_secs(30), app.client.evidence(&[id])).await;
	match built {
		Err(_) => (
			StatusCode::SERVICE_UNAVAILABLE,
			"the entry is not finalized yet; try again in a few seconds\n",
		)
			.into_response(),
		Ok(Ok(bundle)) => {
			let json = serde_json::to_string_pretty(&bundle).expect("serializes; qed");
			(
				[
					(header::CONTENT_TYPE, "application/json".to_string()),
					(
						header::CONTENT_DISPOSITION,
						format!("attachment; filename=\"evidence-{id}.json\""),
					),
				],
				json,
			)
				.into_response()
		},
		Ok(Err(e)) => (StatusCode::NOT_FOUND, format!("{e}\n")).into_response(),
	}
}
