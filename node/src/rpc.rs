//! The node's RPC extensions: `system_accountNextIndex`, the `accessLog_*` namespace and the
//! `grandpa_*` namespace (round state, finality proofs and justifications, which evidence bundles
//! are built from).

use std::sync::Arc;

use access_log_rpc::{AccessLog, AccessLogApi, AccessLogRpcServer};
use accesslog_runtime::{opaque::Block, AccountId, BlockNumber, Hash, Nonce};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	sc_consensus_grandpa::{
		FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
	},
	sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer},
	sc_rpc::SubscriptionTaskExecutor,
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	substrate_frame_rpc_system::{AccountNonceApi, System, SystemApiServer},
};

/// What the GRANDPA RPC needs.
pub struct GrandpaDeps<B> {
	/// The voter's round state.
	pub shared_voter_state: SharedVoterState,
	/// The current authority set.
	pub shared_authority_set: SharedAuthoritySet<Hash, BlockNumber>,
	/// Justifications as GRANDPA produces them.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Runs subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Builds finality proofs from the backend.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// What the RPC extensions need.
pub struct FullDeps<C, P, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// GRANDPA's state.
	pub grandpa: GrandpaDeps<B>,
	/// The backend, whose state the access-log queries read natively.
	pub backend: Arc<B>,
	/// What summaries count of each final entry, kept in memory.
	pub facts: Arc<crate::facts::ChartFacts>,
}

/// All RPC extensions of a full node.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block> + polkadot_sdk::sp_api::CallApiAt<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: AccessLogApi<Block, AccountId, BlockNumber>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
	B: polkadot_sdk::sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: polkadot_sdk::sc_client_api::StateBackend<
		polkadot_sdk::sp_runtime::traits::HashingFor<Block>,
	>,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool, grandpa, backend, facts } = deps;
	let GrandpaDeps {
		shared_voter_state,
		shared_authority_set,
		justification_stream,
		subscription_executor,
		finality_provider,
	} = grandpa;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	let native = Arc::new(crate::native::NativeQueries::new(client.clone(), backend, facts));
	module.merge(
		AccessLog::<_, _, AccountId, BlockNumber>::new(client).with_native(native).into_rpc(),
	)?;
	module.merge(
		Grandpa::new(
			subscription_executor,
			shared_authority_set,
			shared_voter_state,
			justification_stream,
			finality_provider,
		)
		.into_rpc(),
	)?;
	Ok(module)
}
