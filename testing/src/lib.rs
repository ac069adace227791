//! # accesslog-testing
//!
//! What the test suites of every crate share, as a real crate (no `#[path]` includes):
//!
//! - [`dev_node`]: a real `accesslog-node --dev` on free ports with a temporary database, killed
//!   when dropped, and the helpers to start any node command line and wait for its RPC;
//! - [`net`]: a real multi-validator network of node processes (and the namespaced local network
//!   of `scripts/localnet.sh`) for fault tests;
//! - [`fixtures`]: small fixed records;
//! - [`synthetic`]: deterministic synthetic access logs in the platform's format, and hostile
//!   inputs with the outcome a correct ingester must produce (also behind `accesslog generate`);
//! - [`upgrade`]: the released runtime upgrade tests start from, the one just built, and chain
//!   specs that start on a given runtime.

pub mod dev_node;
pub mod fixtures;
pub mod net;
pub mod synthetic;
pub mod upgrade;

pub use dev_node::{free_port, node_binary, spawn_node, DevNode};
pub use fixtures::{now_ms, record};
