//! Sources and submitters: per source its entries, last sequence number and how many sequence
//! numbers are missing (the chain stores each `(source, seq)` once, so `last_seq - entries`
//! numbers below the last are not on chain: lost, or still to come); every submitter account,
//! the source it writes for, and when it was last authorized or revoked.

use crate::{
	web::{Ctx, Need},
	App,
};
use axum::{
	extract::State,
	http::StatusCode,
	response::{IntoResponse, Response},
};
use maud::html;
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
					td { (s.id) } td { (s.name) } td { (s.agency) }
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
