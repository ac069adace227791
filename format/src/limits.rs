//! The bounds of the chain and of the platform's records.
//!
//! The first group is what the runtime enforces; the tests of this crate compare each with the
//! pallet's types and the runtime's configuration, so they cannot drift apart. The second group
//! is what readers of the platform's logs accept before anything reaches the chain.

/// Longest free-text field of an entry (agency, system, action, purpose), in bytes of UTF-8
/// (the pallet's `MAX_TEXT_LEN`).
pub const MAX_TEXT_LEN: usize = 256;
/// Longest name of a source or of its agency, in bytes of UTF-8 (the pallet's `MAX_NAME_LEN`).
pub const MAX_NAME_LEN: usize = 128;
/// Most records in one `submit_batch` call (the runtime's `AccessLog::MaxBatchSize`).
pub const MAX_BATCH_SIZE: usize = 500;
/// Largest page one query returns (the pallet's `MAX_PAGE_SIZE`).
pub const MAX_PAGE_SIZE: u32 = access_log_rpc_types::MAX_PAGE_SIZE;
/// How far ahead of the clock a record's time may lie, in ms (the runtime's
/// `AccessLog::MaxClockSkewMs`).
pub const MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// Longest raw line accepted from a log source, in bytes.
pub const MAX_LINE_LEN: usize = 1024 * 1024;
