//! Storage migrations of the access-log pallet, run by `pallet-migrations` as multi-block
//! migrations: each step does what the block's migration weight allows, and transactions wait
//! in the pool until the last step is done, so no entry is stored under a half-migrated layout.
//!
//! The runtime lists them in `pallet_migrations::Config::Migrations`, oldest first.

pub mod v3;

#[cfg(test)]
mod tests;
