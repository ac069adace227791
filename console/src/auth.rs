//! Who is asking: local accounts checked against Argon2 hashes, server-side sessions behind an
//! HttpOnly cookie, a CSRF token per session (and one for the login form), and a limit on failed
//! logins per account and per address.
//!
//! A session is a random 256-bit token the server keeps; the cookie carries only the token. A
//! forged cookie names no session; a cookie replayed after logout or expiry names a removed one:
//! both are treated as no session at all.

use crate::config::{Role, User};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use std::{
	collections::HashMap,
	net::IpAddr,
	sync::Mutex,
	time::{Duration, Instant},
};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "console_session";
/// Name of the cookie that ties the login form to the browser that loaded it.
pub const LOGIN_COOKIE: &str = "console_login";

/// Failed logins allowed per account within [`FAILURE_WINDOW`].
pub const MAX_FAILURES_PER_USER: u32 = 5;
/// Failed logins allowed per client address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// The window failed logins are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A logged-in user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
	/// The user's name.
	pub user: String,
	/// What they may do.
	pub role: Role,
	/// The token every form of this session must carry.
	pub csrf: String,
}

struct Live {
	session: Session,
	last_seen: Instant,
}

/// Why a login was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
	/// Unknown user or wrong password (the two are not told apart).
	#[error("wrong user name or password")]
	Wrong,
	/// Too many failures lately; try again after this long.
	#[error("too many failed logins; try again in {} minutes", .0.as_secs().div_ceil(60))]
	Throttled(Duration),
}

/// The accounts, the live sessions and the failure counters.
pub struct Auth {
	users: Vec<User>,
	ttl: Duration,
	sessions: Mutex<HashMap<String, Live>>,
	failures: Mutex<HashMap<String, (u32, Instant)>>,
	/// Verifies a password against a user that does not exist, so that an unknown name costs
	/// as long as a wrong password.
	decoy: String,
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
	let mut bytes = [0u8; 32];
	getrandom::getrandom(&mut bytes).expect("the operating system gives randomness; qed");
	hex::encode(bytes)
}

/// The Argon2id hash (PHC form, random salt) of `password`, as `[[users]]` takes it.
pub fn hash_password(password: &str) -> String {
	use argon2::password_hash::{PasswordHasher, SaltString};
	let mut salt = [0u8; 16];
	getrandom::getrandom(&mut salt).expect("the operating system gives randomness; qed");
	let salt = SaltString::encode_b64(&salt).expect("16 bytes encode; qed");
	Argon2::default()
		.hash_password(password.as_bytes(), &salt)
		.expect("hashing works; qed")
		.to_string()
}

impl Auth {
	/// Sessions for `users`, ending after `ttl` without a request.
	pub fn new(users: Vec<User>, ttl: Duration) -> Auth {
		Auth {
			users,
			ttl,
			sessions: Mutex::new(HashMap::new()),
			failures: Mutex::new(HashMap::new()),
			decoy: hash_password(&random_token()),
		}
	}

	/// Check `name` and `password` from `address`; a new session's token on success.
	pub fn login(&self, name: &str, password: &str, address: IpAddr) -> Result<String, LoginError> {
		let keys = [format!("user:{name}"), format!("address:{address}")];
		let limits = [MAX_FAILURES_PER_USER, MAX_FAILURES_PER_ADDRESS];
		let now = Instant::now();
		{
			let mut failures = self.failures.lock().expect("not poisoned; qed");
			failures.retain(|_, (_, since)| now.duration_since(*since) < FAILURE_WINDOW);
			for (key, limit) in keys.iter().zip(limits) {
				if let Some((count, since)) = failures.get(key) {
					if *count >= limit {
						return Err(LoginError::Throttled(
							FAILURE_WINDOW - now.duration_since(*since),
						));
					}
				}
			}
		}
		let user = self.users.iter().find(|u| u.name == name);
		let hash = user.map_or(self.decoy.as_str(), |u| u.password_argon2.as_str());
		let good = PasswordHash::new(hash)
			.map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
			.unwrap_or(false);
		match user {
			Some(user) if good => {
				let token = random_token();
				let session =
					Session { user: user.name.clone(), role: user.role, csrf: random_token() };
				self.sessions
					.lock()
					.expect("not poisoned; qed")
					.insert(token.clone(), Live { session, last_seen: now });
				Ok(token)
			},
			_ => {
				let mut failures = self.failures.lock().expect("not poisoned; qed");
				for key in keys {
					failures.entry(key).or_insert((0, now)).0 += 1;
				}
				Err(LoginError::Wrong)
			},
		}
	}

	/// The session of `token`, if it is live; counts as activity.
	pub fn session(&self, token: &str) -> Option<Session> {
		let now = Instant::now();
		let mut sessions = self.sessions.lock().expect("not poisoned; qed");
		match sessions.get_mut(token) {
			Some(live) if now.duration_since(live.last_seen) < self.ttl => {
				live.last_seen = now;
				Some(live.session.clone())
			},
			Some(_) => {
				sessions.remove(token);
				None
			},
			None => None,
		}
	}

	/// End the session of `token`.
	pub fn logout(&self, token: &str) {
		self.sessions.lock().expect("not poisoned; qed").remove(token);
	}
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
	header.split(';').map(str::trim).find_map(|pair| {
		let (k, v) = pair.split_once('=')?;
		(k == name).then_some(v)
	})
}

/// Compare two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
	a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
	use super::*;

	fn auth(ttl: Duration) -> Auth {
		let users = vec![User {
			name: "alice".into(),
			role: Role::Auditor,
			password_argon2: hash_password("correct horse"),
		}];
		Auth::new(users, ttl)
	}

	const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

	#[test]
	fn the_right_password_opens_a_session_and_logout_ends_it() {
		let a = auth(Duration::from_secs(60));
		let token = a.login("alice", "correct horse", HOME).unwrap();
		let s = a.session(&token).unwrap();
		assert_eq!((s.user.as_str(), s.role), ("alice", Role::Auditor));
		assert_eq!(s.csrf.len(), 64);
		assert_eq!(a.session(&random_token()), None, "a forged token names no session");
		a.logout(&token);
		assert_eq!(a.session(&token), None, "a replayed token after logout");
	}

	#[test]
	fn a_wrong_password_or_user_is_refused_alike() {
		let a = auth(Duration::from_secs(60));
		assert_eq!(a.login("alice", "wrong", HOME), Err(LoginError::Wrong));
		assert_eq!(a.login("mallory", "correct horse", HOME), Err(LoginError::Wrong));
	}

	#[test]
	fn sessions_expire_without_activity() {
		let a = auth(Duration::from_millis(50));
		let token = a.login("alice", "correct horse", HOME).unwrap();
		std::thread::sleep(Duration::from_millis(80));
		assert_eq!(a.session(&token), None);
	}

	#[test]
	fn repeated_failures_throttle_the_account_even_with_the_right_password() {
		let a = auth(Duration::from_secs(60));
		for _ in 0..MAX_FAILURES_PER_USER {
			assert_eq!(a.login("alice", "guess", HOME), Err(LoginError::Wrong));
		}
		let e = a.login("alice", "correct horse", HOME).unwrap_err();
		assert!(matches!(e, LoginError::Throttled(_)), "{e:?}");
		assert!(e.to_string().contains("try again in 15 minutes"), "{e}");
	}

	#[test]
	fn cookies_and_tokens() {
		assert_eq!(cookie("a=1; console_session=abc; b=2", SESSION_COOKIE), Some("abc"));
		assert_eq!(cookie("console_sessionx=abc", SESSION_COOKIE), None);
		assert!(same_token("abcd", "abcd"));
		assert!(!same_token("abcd", "abce"));
		assert!(!same_token("abc", "abcd"));
	}
}
