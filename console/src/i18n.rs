//! The two languages of the console: Traditional Chinese by default, English on request. Every
//! text a page shows is written in both where it is used (`lang.t("中文", "English")`), so a
//! page cannot show a key instead of a text, and neither language can lag behind.

/// Name of the cookie holding the chosen language.
pub const LANG_COOKIE: &str = "console_lang";

/// A language of the console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
	/// 繁體中文 (zh-TW), the default.
	#[default]
	Zh,
	/// English.
	En,
}

impl Lang {
	/// The language a cookie value names (`en`, `zh-TW`); the default for anything else.
	pub fn from_cookie(value: Option<&str>) -> Lang {
		match value {
			Some("en") => Lang::En,
			_ => Lang::Zh,
		}
	}

	/// The text in this language.
	pub fn t(self, zh: &'static str, en: &'static str) -> &'static str {
		match self {
			Lang::Zh => zh,
			Lang::En => en,
		}
	}

	/// The `lang` attribute of the page.
	pub fn tag(self) -> &'static str {
		match self {
			Lang::Zh => "zh-Hant-TW",
			Lang::En => "en",
		}
	}

	/// The cookie value that selects this language.
	pub fn code(self) -> &'static str {
		match self {
			Lang::Zh => "zh-TW",
			Lang::En => "en",
		}
	}

	/// The other language (what the switch offers).
	pub fn other(self) -> Lang {
		match self {
			Lang::Zh => Lang::En,
			Lang::En => Lang::Zh,
		}
	}

	/// The language's own name.
	pub fn name(self) -> &'static str {
		match self {
			Lang::Zh => "中文",
			Lang::En => "English",
		}
	}
}
