//! Weights measured on this chain's own database and machine (`scripts/benchmark.sh --storage`).
//! The pallets' call weights live beside each pallet (`pallets/*/src/weights.rs`).

pub mod paritydb_weights;
