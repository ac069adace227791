//! The node's RPC extensions: `system_accountNextIndex` and the `accessLog_*` namespace.

use std::sync::Arc;

use access_log_rpc::{AccessLog, AccessLogApi, AccessLogRpcServer};
use accesslog_runtime::{opaque::Block, AccountId, BlockNumber, Nonce};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	substrate_frame_rpc_system::{AccountNonceApi, System, SystemApiServer},
};

/// What the RPC extensions need.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
}

/// All RPC extensions of a full node.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: AccessLogApi<Block, AccountId, BlockNumber>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(AccessLog::<_, _, AccountId, BlockNumber>::new(client).into_rpc())?;
	Ok(module)
}
