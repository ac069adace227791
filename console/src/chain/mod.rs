//! The chain as the console sees it: [`watch`] follows it (one watcher per console), [`decode`]
//! turns blocks into what the pages show.

pub mod decode;
pub mod watch;

pub use decode::{block, block_at, BlockView, EventView, ExtrinsicView};
pub use watch::{
	latest_entries, spawn, LagSample, Update, Watch, LAG_HISTORY, LATEST_ENTRIES, PROBE_EVERY,
	RECENT_BLOCKS,
};
