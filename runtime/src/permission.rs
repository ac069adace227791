//! The pool-level permission check of this permissioned, feeless chain.

use crate::{AccessLog, AccountId, CouncilMembership, Runtime, RuntimeCall};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use polkadot_sdk::{
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{OriginTrait, SortedMembers},
		weights::Weight,
	},
	frame_system,
	sp_runtime::{
		impl_tx_ext_default,
		traits::{DispatchInfoOf, TransactionExtension, ValidateResult},
		transaction_validity::{InvalidTransaction, ValidTransaction},
	},
};
use scale_info::TypeInfo;

/// Refuses, already when the transaction pool validates it, every signed transaction whose signer
/// is neither an active access-log submitter nor a council member: with no fees, this is what keeps
/// spam out of the pool. Submitters may only call `AccessLog::submit` and
/// `AccessLog::submit_batch`; council members may call anything.
///
/// Refusals are [`InvalidTransaction::BadSigner`] ("Invalid signing address"), which clients see
/// as the reason of the rejected `author_submitExtrinsic`. The check runs again when the
/// transaction is applied in a block, so a submitter revoked while its transaction waited is
/// refused too.
///
/// The extension carries no payload (`Implicit = ()`, empty encoding): standard signers
/// (Polkadot.js, subxt) handle it without knowing it.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckPermission<T>(PhantomData<T>);

impl<T> CheckPermission<T> {
	/// The extension (it has no parameters).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> Default for CheckPermission<T> {
	fn default() -> Self {
		Self::new()
	}
}

impl<T> core::fmt::Debug for CheckPermission<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckPermission")
	}
}

/// Whether `who` may send `call`.
pub fn is_permitted(who: &AccountId, call: &RuntimeCall) -> bool {
	if CouncilMembership::contains(who) {
		return true;
	}
	let submission = matches!(
		call,
		RuntimeCall::AccessLog(
			pallet_access_log::Call::submit { .. } | pallet_access_log::Call::submit_batch { .. }
		)
	);
	submission && AccessLog::is_active_submitter(who)
}

impl TransactionExtension<RuntimeCall> for CheckPermission<Runtime> {
	const IDENTIFIER: &'static str = "CheckPermission";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, _: &RuntimeCall) -> Weight {
		// Two storage reads: the council members and the submitter record.
		<Runtime as frame_system::Config>::DbWeight::get().reads(2)
	}

	fn validate(
		&self,
		origin: <Runtime as frame_system::Config>::RuntimeOrigin,
		call: &RuntimeCall,
		_info: &DispatchInfoOf<RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, RuntimeCall> {
		if let Some(who) = origin.as_signer() {
			if !is_permitted(who, call) {
				return Err(InvalidTransaction::BadSigner.into());
			}
		}
		Ok((ValidTransaction::default(), (), origin))
	}

	impl_tx_ext_default!(RuntimeCall; prepare);
}
