//! Single sign-on through an authenticating reverse proxy: the city's OIDC (or SAML) login runs
//! in a proxy in front of the console (oauth2-proxy, Keycloak's gatekeeper, an Apache or nginx
//! module), which passes the signed-in user's name and groups to the console in request
//! headers. The console believes those headers only on connections from the proxies it is told
//! to trust; from anywhere else they are ignored and logged. Groups map to roles in the
//! configuration; a signed-in user without a mapped group is refused.

use crate::{
	auth::{random_token, Session},
	config::Role,
};
use serde::Deserialize;
use std::{collections::HashMap, net::IpAddr, sync::Mutex};

/// `[single_sign_on]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
	/// The header holding the signed-in user's name (e.g. `X-Forwarded-Preferred-Username`).
	pub user_header: String,
	/// The header holding the user's groups, separated by commas (e.g. `X-Forwarded-Groups`).
	pub groups_header: String,
	/// Addresses of the proxies whose headers are believed.
	pub trusted_proxies: Vec<IpAddr>,
	/// Where "log out" sends the browser (the proxy's sign-out address).
	pub logout_url: String,
	/// Groups that grant each role.
	pub roles: RoleGroups,
}

/// `[single_sign_on.roles]`: the groups granting each role (a user in groups of both
/// `operator` and `auditor` gets `admin`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleGroups {
	/// Groups granting `operator`.
	#[serde(default)]
	pub operator: Vec<String>,
	/// Groups granting `auditor`.
	#[serde(default)]
	pub auditor: Vec<String>,
	/// Groups granting `admin`.
	#[serde(default)]
	pub admin: Vec<String>,
}

/// Who the proxy says is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signed {
	/// No user header (or no single sign-on configured).
	Nobody,
	/// A user header from a connection that is not a trusted proxy: ignored.
	Untrusted(IpAddr),
	/// A signed-in user whose groups grant no role.
	NoRole(String),
	/// A signed-in user with a role.
	User(String, Role),
}

impl SsoConfig {
	/// The role `groups` grant, if any.
	pub fn role(&self, groups: &str) -> Option<Role> {
		let has =
			|list: &[String]| groups.split(',').map(str::trim).any(|g| list.iter().any(|l| l == g));
		match (has(&self.roles.admin), has(&self.roles.operator), has(&self.roles.auditor)) {
			(true, _, _) | (_, true, true) => Some(Role::Admin),
			(_, true, false) => Some(Role::Operator),
			(_, false, true) => Some(Role::Auditor),
			_ => None,
		}
	}

	/// Who is asking, from the headers of a request that came from `peer`.
	pub fn signed(&self, peer: Option<IpAddr>, header: impl Fn(&str) -> Option<String>) -> Signed {
		let Some(user) = header(&self.user_header).filter(|u| !u.trim().is_empty()) else {
			return Signed::Nobody;
		};
		match peer {
			Some(p) if self.trusted_proxies.contains(&p) => {},
			Some(p) => return Signed::Untrusted(p),
			None => return Signed::Untrusted(IpAddr::from([0, 0, 0, 0])),
		}
		let user = user.trim().to_string();
		match self.role(&header(&self.groups_header).unwrap_or_default()) {
			Some(role) => Signed::User(user, role),
			None => Signed::NoRole(user),
		}
	}
}

/// The sessions of signed-in users: one per user and role, so each keeps its CSRF token while
/// the console runs (the proxy decides how long the sign-in lasts).
#[derive(Default)]
pub struct SsoSessions {
	sessions: Mutex<HashMap<(String, Role), Session>>,
}

impl SsoSessions {
	/// The session of `user` with `role`.
	pub fn session(&self, user: &str, role: Role) -> Session {
		let mut sessions = self.sessions.lock().expect("not poisoned; qed");
		sessions
			.entry((user.to_string(), role))
			.or_insert_with(|| Session { user: user.to_string(), role, csrf: random_token() })
			.clone()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn config() -> SsoConfig {
		SsoConfig {
			user_header: "x-forwarded-user".into(),
			groups_header: "x-forwarded-groups".into(),
			trusted_proxies: vec!["127.0.0.2".parse().unwrap()],
			logout_url: "/oauth2/sign_out".into(),
			roles: RoleGroups {
				operator: vec!["ops".into()],
				auditor: vec!["audit".into()],
				admin: vec!["it-admin".into()],
			},
		}
	}

	fn headers<'a>(list: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
		move |name| list.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
	}

	#[test]
	fn groups_grant_roles() {
		let c = config();
		assert_eq!(c.role("staff, audit"), Some(Role::Auditor));
		assert_eq!(c.role("ops"), Some(Role::Operator));
		assert_eq!(c.role("ops,audit"), Some(Role::Admin));
		assert_eq!(c.role("it-admin"), Some(Role::Admin));
		assert_eq!(c.role("audit-x, staff"), None, "whole names only");
		assert_eq!(c.role(""), None);
	}

	#[test]
	fn headers_count_only_from_a_trusted_proxy() {
		let c = config();
		let proxy = Some("127.0.0.2".parse().unwrap());
		let other: IpAddr = "127.0.0.1".parse().unwrap();
		let h = [("x-forwarded-user", "lin"), ("x-forwarded-groups", "audit")];
		assert_eq!(c.signed(proxy, headers(&h)), Signed::User("lin".into(), Role::Auditor));
		assert_eq!(c.signed(Some(other), headers(&h)), Signed::Untrusted(other));
		assert_eq!(c.signed(proxy, headers(&h[..1])), Signed::NoRole("lin".into()));
		assert_eq!(c.signed(proxy, headers(&[])), Signed::Nobody);
		assert_eq!(c.signed(proxy, headers(&[("x-forwarded-user", " ")])), Signed::Nobody);
	}

	#[test]
	fn a_user_keeps_one_session_per_role() {
		let s = SsoSessions::default();
		let a = s.session("lin", Role::Auditor);
		assert_eq!(s.session("lin", Role::Auditor), a);
		assert_ne!(s.session("lin", Role::Admin).csrf, a.csrf);
	}
}
