//! The blocks page: the latest blocks, live, with their extrinsics and decoded events; and one
//! block in detail.

use crate::{
	chain::{self, BlockView},
	web::{short, time, Ctx, Fragment, Need},
	App,
};
use axum::{
	extract::{Path, Query, State},
	http::StatusCode,
	response::{IntoResponse, Response},
};
use maud::{html, Markup};
use std::sync::Arc;

/// `GET /blocks`.
pub async fn list(ctx: Ctx, State(app): State<Arc<App>>, Query(f): Query<Fragment>) -> Response {
	if let Err(r) = ctx.page(Need::Operate) {
		return r;
	}
	let table = rows(&ctx, &app);
	if f.fragment.is_some() {
		return table.into_response();
	}
	let l = ctx.lang;
	let body = html! {
		p.muted { (l.t("新區塊會自動出現。", "New blocks appear as they are imported.")) }
		div data-live="blocks" data-fragment="/blocks?fragment=1" { (table) }
	};
	ctx.frame(l.t("最新區塊", "Latest blocks"), body).into_response()
}

fn rows(ctx: &Ctx, app: &App) -> Markup {
	let l = ctx.lang;
	let finalized = app.watch.finalized();
	html! {
		table {
			thead { tr {
				th { (l.t("區塊", "Block")) } th { (l.t("時間", "Time")) } th { (l.t("雜湊", "Hash")) }
				th { (l.t("交易", "Extrinsics")) } th { (l.t("事件", "Events")) } th { (l.t("新紀錄", "Entries")) }
				th { (l.t("最終確定", "Final")) }
			} }
			tbody {
				@for b in app.watch.blocks() {
					tr {
						td { a href={ "/blocks/" (b.number) } { "#" (b.number) } }
						td { (b.time_ms.map(time).unwrap_or_default()) }
						td { (short(&b.hash)) }
						td { @for (name, n) in grouped(b.extrinsics.iter().filter(|x| x.signer.is_some()).map(|x| x.call.as_str())) { code { (name) } @if n > 1 { " ×" (n) } " " } }
						td { @for (name, n) in grouped(b.events.iter().map(|e| e.name.as_str())) { code { (name) } @if n > 1 { " ×" (n) } " " } }
						td { (b.entries) }
						td { @if b.number <= finalized { "✓" } @else { "…" } }
					}
				}
			}
		}
	}
}

/// Names with how often each occurs, in order of first occurrence.
fn grouped<'a>(names: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
	let mut out: Vec<(&str, usize)> = Vec::new();
	for name in names {
		match out.iter_mut().find(|(n, _)| *n == name) {
			Some((_, count)) => *count += 1,
			None => out.push((name, 1)),
		}
	}
	out
}

/// `GET /blocks/{number}`.
pub async fn detail(ctx: Ctx, State(app): State<Arc<App>>, Path(number): Path<String>) -> Response {
	if let Err(r) = ctx.page(Need::Operate) {
		return r;
	}
	let l = ctx.lang;
	let Ok(number) = number.parse::<u64>() else {
		return ctx.error_page(
			StatusCode::BAD_REQUEST,
			l.t("區塊編號必須是數字。", "A block number is a number."),
		);
	};
	let block = match app.watch.block(number) {
		Some(b) => b,
		None => match chain::block_at(&app.client, number).await {
			Ok(Some(b)) => Arc::new(b),
			Ok(None) => {
				return ctx
					.error_page(StatusCode::NOT_FOUND, l.t("沒有這個區塊。", "No such block."))
			},
			Err(e) => return ctx.error_page(StatusCode::BAD_GATEWAY, &e),
		},
	};
	ctx.frame(&format!("{} #{number}", l.t("區塊", "Block")), detail_body(&ctx, &app, &block))
		.into_response()
}

fn detail_body(ctx: &Ctx, app: &App, b: &BlockView) -> Markup {
	let l = ctx.lang;
	html! {
		dl.fields {
			dt { (l.t("雜湊", "Hash")) } dd { code { (b.hash) } }
			dt { (l.t("父區塊", "Parent")) } dd { code { (b.parent) } }
			dt { (l.t("時間", "Time")) } dd { (b.time_ms.map(time).unwrap_or_default()) }
			dt { (l.t("最終確定", "Finalized")) } dd { @if b.number <= app.watch.finalized() { (l.t("是", "yes")) } @else { (l.t("尚未", "not yet")) } }
			dt { (l.t("新紀錄", "Entries stored")) } dd { (b.entries) }
		}
		h2 { (l.t("交易", "Extrinsics")) }
		table {
			thead { tr { th { "#" } th { (l.t("呼叫", "Call")) } th { (l.t("簽署者", "Signer")) } th { (l.t("結果", "Result")) } th { (l.t("雜湊", "Hash")) } } }
			tbody { @for x in &b.extrinsics { tr {
				td { (x.index) } td { code { (x.call) } }
				td { @if let Some(s) = &x.signer { code { (s) } } @else { span.muted { (l.t("(內建)", "(inherent)")) } } }
				td { @match x.ok { Some(true) => span.ok { "✓" }, Some(false) => span.bad { (l.t("失敗", "failed")) }, None => "" } }
				td { (short(&x.hash)) }
			} } }
		}
		h2 { (l.t("事件", "Events")) }
		table {
			thead { tr { th { (l.t("交易", "Extrinsic")) } th { (l.t("事件", "Event")) } th { (l.t("內容", "Fields")) } } }
			tbody { @for e in &b.events { tr {
				td { (e.extrinsic.map(|i| i.to_string()).unwrap_or_else(|| "-".into())) }
				td { code { (e.name) } }
				td.wrap { code { (e.fields) } }
			} } }
		}
	}
}
