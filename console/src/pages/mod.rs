//! The console's pages, one file per page.

pub mod blocks;
pub mod entries;
pub mod events;
pub mod login;
pub mod network;
pub mod search;
pub mod sources;

use crate::web::Ctx;
use axum::{
	http::StatusCode,
	response::{IntoResponse, Redirect, Response},
};

/// `/`: the first page of the visitor's role.
pub async fn home(ctx: Ctx) -> Response {
	match &ctx.session {
		None => Redirect::to("/login").into_response(),
		Some(s) if s.role.operates() => Redirect::to("/network").into_response(),
		Some(_) => Redirect::to("/entries").into_response(),
	}
}

/// Anything else.
pub async fn not_found(ctx: Ctx) -> Response {
	ctx.error_page(StatusCode::NOT_FOUND, ctx.lang.t("沒有這一頁。", "There is no such page."))
}
