//! Logging in and out, and choosing the language.

use crate::{
	auth::{cookie, random_token, same_token, LoginError, LOGIN_COOKIE, SESSION_COOKIE},
	i18n::{Lang, LANG_COOKIE},
	web::{local_path, Ctx},
	App,
};
use axum::{
	extract::{ConnectInfo, Query, State},
	http::{header, HeaderMap, StatusCode},
	response::{IntoResponse, Redirect, Response},
	Form,
};
use maud::html;
use serde::Deserialize;
use std::{net::SocketAddr, sync::Arc};

/// `?next=` of the login page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Next {
	next: String,
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
	user: String,
	password: String,
	csrf: String,
	#[serde(default)]
	next: String,
}

fn cookie_flags(app: &App) -> &'static str {
	if app.config.secure_cookies {
		"Path=/; HttpOnly; SameSite=Strict; Secure"
	} else {
		"Path=/; HttpOnly; SameSite=Strict"
	}
}

fn form_page(
	ctx: &Ctx,
	app: &App,
	next: &str,
	message: Option<&str>,
	status: StatusCode,
) -> Response {
	let l = ctx.lang;
	let token = random_token();
	let body = html! {
		form.login method="post" action="/login" {
			@if let Some(m) = message { p.error role="alert" { (m) } }
			input type="hidden" name="csrf" value=(token);
			input type="hidden" name="next" value=(next);
			label for="user" { (l.t("帳號", "User name")) }
			input #user name="user" autocomplete="username" required autofocus;
			label for="password" { (l.t("密碼", "Password")) }
			input #password name="password" type="password" autocomplete="current-password" required;
			button type="submit" { (l.t("登入", "Log in")) }
		}
	};
	let mut response = (status, ctx.frame(l.t("登入", "Log in"), body)).into_response();
	let value = format!("{LOGIN_COOKIE}={token}; Max-Age=3600; {}", cookie_flags(app));
	response.headers_mut().append(header::SET_COOKIE, value.parse().expect("ASCII; qed"));
	response
}

/// `GET /login`.
pub async fn form(ctx: Ctx, State(app): State<Arc<App>>, Query(q): Query<Next>) -> Response {
	if let crate::sso::Signed::NoRole(user) = &ctx.sso {
		return ctx.no_role(user);
	}
	if ctx.session.is_some() {
		return Redirect::to(local_path(&q.next).unwrap_or("/")).into_response();
	}
	form_page(&ctx, &app, local_path(&q.next).unwrap_or("/"), None, StatusCode::OK)
}

/// `POST /login`: the form must come from a login page this browser loaded (its token matches
/// the login cookie); failures count towards the limits of [`crate::auth`].
pub async fn submit(
	ctx: Ctx,
	State(app): State<Arc<App>>,
	ConnectInfo(peer): ConnectInfo<SocketAddr>,
	headers: HeaderMap,
	Form(f): Form<LoginForm>,
) -> Response {
	let l = ctx.lang;
	let next = local_path(&f.next).unwrap_or("/").to_string();
	let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
	let expected = cookie(cookies, LOGIN_COOKIE).unwrap_or("");
	if expected.is_empty() || !same_token(expected, &f.csrf) {
		let m = l.t("登入表單已過期,請再試一次。", "The login form expired; please try again.");
		return form_page(&ctx, &app, &next, Some(m), StatusCode::FORBIDDEN);
	}
	match app.auth.login(&f.user, &f.password, peer.ip()) {
		Ok(token) => {
			tracing::info!(user = %f.user, address = %peer.ip(), "login");
			let mut response = Redirect::to(&next).into_response();
			let value = format!("{SESSION_COOKIE}={token}; {}", cookie_flags(&app));
			response.headers_mut().append(header::SET_COOKIE, value.parse().expect("ASCII; qed"));
			let clear = format!("{LOGIN_COOKIE}=; Max-Age=0; {}", cookie_flags(&app));
			response.headers_mut().append(header::SET_COOKIE, clear.parse().expect("ASCII; qed"));
			response
		},
		Err(e) => {
			tracing::warn!(user = %f.user, address = %peer.ip(), "login refused: {e}");
			let (m, status) = match e {
				LoginError::Wrong => (
					l.t("帳號或密碼錯誤。", "Wrong user name or password."),
					StatusCode::UNAUTHORIZED,
				),
				_ => (
					l.t(
						"失敗次數過多,請十五分鐘後再試。",
						"Too many failed logins; try again in 15 minutes.",
					),
					StatusCode::TOO_MANY_REQUESTS,
				),
			};
			form_page(&ctx, &app, &next, Some(m), status)
		},
	}
}

/// The logout form.
#[derive(Deserialize)]
pub struct LogoutForm {
	csrf: String,
}

/// `POST /logout`: ends the session (its cookie names nothing afterwards).
pub async fn logout(ctx: Ctx, State(app): State<Arc<App>>, Form(f): Form<LogoutForm>) -> Response {
	let Some(session) = &ctx.session else {
		return Redirect::to("/login").into_response();
	};
	if !same_token(&session.csrf, &f.csrf) {
		return ctx
			.error_page(StatusCode::FORBIDDEN, ctx.lang.t("表單已過期。", "The form expired."));
	}
	let Some(token) = ctx.token.as_deref().filter(|t| app.auth.session(t).is_some()) else {
		// Signed in by the single sign-on proxy, which ends the sign-in.
		let to = app.config.single_sign_on.as_ref().map_or("/login", |s| s.logout_url.as_str());
		return Redirect::to(to).into_response();
	};
	app.auth.logout(token);
	let mut response = Redirect::to("/login").into_response();
	let clear = format!("{SESSION_COOKIE}=; Max-Age=0; {}", cookie_flags(&app));
	response.headers_mut().append(header::SET_COOKIE, clear.parse().expect("ASCII; qed"));
	response
}

/// `?to=&back=` of the language switch.
#[derive(Deserialize)]
pub struct Switch {
	to: String,
	#[serde(default)]
	back: String,
}

/// `GET /lang?to=en&back=/path`: remember the language, go back.
pub async fn language(Query(s): Query<Switch>) -> Response {
	let lang = Lang::from_cookie(Some(&s.to));
	let mut response = Redirect::to(local_path(&s.back).unwrap_or("/")).into_response();
	let value = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
	response.headers_mut().append(header::SET_COOKIE, value.parse().expect("ASCII; qed"));
	response
}
