//! `GET /events`: Server-Sent Events from the console's one chain watcher. Each event names what
//! changed (`block`, `finalized`, `network`); open pages fetch their live section again.

use crate::{
	chain::Update,
	web::{Ctx, Need},
	App,
};
use axum::{
	extract::State,
	response::{
		sse::{Event, KeepAlive, Sse},
		IntoResponse, Response,
	},
};
use std::{convert::Infallible, sync::Arc, time::Duration};
use tokio::sync::broadcast::error::RecvError;

/// The stream.
pub async fn stream(ctx: Ctx, State(app): State<Arc<App>>) -> Response {
	if let Err(r) = ctx.data(Need::Login) {
		return r;
	}
	let rx = app.watch.subscribe();
	let events = futures::stream::unfold(rx, |mut rx| async move {
		let event = match rx.recv().await {
			Ok(Update::Block(b)) => Event::default()
				.event("block")
				.data(format!("{{\"number\":{},\"entries\":{}}}", b.number, b.entries)),
			Ok(Update::Finalized(n)) => Event::default().event("finalized").data(n.to_string()),
			Ok(Update::Network) => Event::default().event("network").data("{}"),
			// A slow reader missed some: tell it to refresh everything.
			Err(RecvError::Lagged(_)) => Event::default().event("block").data("{}"),
			Err(RecvError::Closed) => return None,
		};
		Some((Ok::<_, Infallible>(event), rx))
	});
	Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}
