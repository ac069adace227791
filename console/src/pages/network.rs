//! The network page: every configured node, the finality lag of the last hour, the validator
//! set, the council and its open motions.

use crate::{
	charts,
	web::{short, Ctx, Fragment, Need},
	App,
};
use accesslog_client::format::now_ms;
use axum::{
	extract::{Query, State},
	response::{IntoResponse, Response},
};
use maud::{html, Markup};
use std::sync::Arc;

/// `GET /network`.
pub async fn page(ctx: Ctx, State(app): State<Arc<App>>, Query(f): Query<Fragment>) -> Response {
	if let Err(r) = ctx.page(Need::Operate) {
		return r;
	}
	if f.fragment.is_some() {
		return nodes(&ctx, &app).into_response();
	}
	let l = ctx.lang;
	let (validators, council, motions) =
		tokio::join!(app.client.validators(), app.client.council_members(), app.client.motions());
	let body = html! {
		section data-live="network" data-fragment="/network?fragment=1" {
			(nodes(&ctx, &app))
		}
		section {
			h2 { (l.t("驗證者", "Validators")) }
			@match validators {
				Ok(vs) => table {
					thead { tr { th { (l.t("帳戶", "Account")) } th { "Aura (sr25519)" } th { "GRANDPA (ed25519)" } } }
					tbody { @for v in vs { tr {
						td { code { (v.account) } }
						td { (short(&accesslog_client::rpc_types::hex(&v.aura))) }
						td { (short(&accesslog_client::rpc_types::hex(&v.grandpa))) }
					} } }
				},
				Err(e) => p.error { (e) },
			}
		}
		section {
			h2 { (l.t("議會成員", "Council members")) }
			@match council {
				Ok(members) => ul { @for m in members { li { code { (m) } } } },
				Err(e) => p.error { (e) },
			}
			h2 { (l.t("進行中的提案", "Open motions")) }
			@match motions {
				Ok(ms) if ms.is_empty() => p.muted { (l.t("目前沒有提案。", "No open motions.")) },
				Ok(ms) => table {
					thead { tr {
						th { (l.t("提案", "Proposal")) } th { (l.t("贊成", "Ayes")) } th { (l.t("反對", "Nays")) }
						th { (l.t("門檻", "Threshold")) } th { (l.t("截止區塊", "Ends at block")) }
					} }
					tbody { @for m in ms { tr {
						td { code { (m.call) } br; (short(&format!("{:?}", m.motion.hash))) }
						td { (m.ayes.len()) @for a in &m.ayes { br; small { code { (a) } } } }
						td { (m.nays.len()) @for a in &m.nays { br; small { code { (a) } } } }
						td { (m.threshold) }
						td { (m.end) }
					} } }
				},
				Err(e) => p.error { (e) },
			}
		}
	};
	ctx.frame(l.t("網路狀態", "Network"), body).into_response()
}

/// The node table and the lag chart (also served alone for live updates).
pub fn nodes(ctx: &Ctx, app: &App) -> Markup {
	let l = ctx.lang;
	let now = now_ms();
	let lag: Vec<(u64, u64)> = app.watch.lag().iter().map(|s| (s.at_ms, s.lag)).collect();
	let last_block = app.watch.blocks().first().and_then(|b| b.time_ms);
	html! {
		h2 { (l.t("節點", "Nodes")) }
		table {
			thead { tr {
				th { (l.t("端點", "Endpoint")) } th { (l.t("狀態", "Health")) }
				th { (l.t("最佳區塊", "Best")) } th { (l.t("最終確定", "Finalized")) }
				th { (l.t("對等節點", "Peers")) } th { (l.t("版本", "Version")) }
				th { (l.t("角色", "Roles")) } th { "Peer ID" }
			} }
			tbody {
				@for n in app.watch.nodes() {
					tr {
						td { code { (n.endpoint) } }
						td {
							@if n.healthy() { span.ok { "● " (l.t("正常", "healthy")) } }
							@else if n.reachable { span.warn { "● " (l.t("同步中", "syncing")) } }
							@else { span.bad { "● " (l.t("無法連線", "unreachable")) } br; small { (n.error.clone().unwrap_or_default()) } }
						}
						td { (opt(n.best)) }
						td { (opt(n.finalized)) }
						td { (opt(n.peers)) }
						td { (n.version.clone().unwrap_or_else(|| "-".into())) }
						td { (n.roles.clone().unwrap_or_else(|| "-".into())) }
						td { @if let Some(p) = &n.peer_id { (short(p)) } @else { "-" } }
					}
				}
			}
		}
		p {
			(l.t("距上一個區塊:", "Since the last block: "))
			strong { @match last_block {
				Some(t) => { (format!("{:.1} s", now.saturating_sub(t) as f64 / 1000.0)) },
				None => { "-" },
			} }
		}
		(charts::line(l.t("最終確定落後區塊數(過去一小時)", "Finality lag in blocks (last hour)"), &lag, 3_600_000, now))
	}
}

fn opt(v: Option<u64>) -> String {
	v.map_or_else(|| "-".into(), |n| n.to_string())
}
