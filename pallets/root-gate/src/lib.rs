//! # Root Gate Pallet
//!
//! The council's governed path to the Root origin, on a chain that has no sudo key.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the call, events, errors and configuration.
//!
//! ## Overview
//!
//! Some calls of the SDK's pallets accept only the Root origin: `system.authorize_upgrade` and
//! `system.set_code` (runtime upgrades), `system.set_storage` and its siblings (raw state edits),
//! `grandpa.note_stalled` (the recovery from a finality stall). On a chain without sudo nothing
//! reaches Root, so none of them could ever run. [`Pallet::dispatch_as_root`] dispatches one call
//! as Root for the council, under two thresholds:
//!
//! - [`Config::AdminOrigin`] (in the runtime: a 2/3 majority of the council, the same as every
//!   other administrative call) for everyday Root calls;
//! - [`Config::UpgradeOrigin`] as well (in the runtime: a 3/4 majority) for the calls that change
//!   the runtime itself, the set [`Config::RuntimeChanges`] names: an upgrade, or a raw write that
//!   could replace the code or rewrite any pallet's data. A motion carried with the everyday
//!   majority alone is refused with [`Error::NeedsUpgradeMajority`].
//!
//! No single key reaches Root: only a carried motion of the council does. A call that is itself a
//! `dispatch_as_root` is refused ([`Error::Nested`]): a nested one would run with Root as its
//! origin, which no council threshold accepts, and would only hide the inner call from whoever
//! reads the motion.
//!
//! ### Example
//!
//! Everyday Root calls pass at the everyday majority; a runtime upgrade needs the stricter one
//! (from the pallet's tests, compiled and run with them):
#![doc = docify::embed!("src/tests.rs", an_upgrade_needs_the_upgrade_majority)]
//!
//! ## Low Level / Implementation Details
//!
//! The dispatched call's own result is the result of `dispatch_as_root`: a failing inner call
//! makes the council's `Executed` event carry the inner error (for example
//! `System::SpecVersionNeedsToIncrease`), and nothing the inner call wrote is kept. A successful
//! one deposits [`Event::DispatchedAsRoot`] with the hash of the call and whether the stricter
//! threshold applied.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use polkadot_sdk::{frame_support, frame_system, sp_runtime};

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod weights;
pub use weights::*;

/// The calls of `frame_system` that change the runtime itself: its code (`set_code`,
/// `set_code_without_checks`, `authorize_upgrade`, `authorize_upgrade_without_checks`), its raw
/// state (`set_storage`, `kill_storage`, `kill_prefix`: each could overwrite the code or any
/// pallet's data, the access log included) and its execution environment (`set_heap_pages`). The
/// [`Config::RuntimeChanges`] of the chain's runtime.
pub struct SystemRuntimeChanges<T>(core::marker::PhantomData<T>);

impl<T, C> frame_support::traits::Contains<C> for SystemRuntimeChanges<T>
where
	T: frame_system::Config,
	C: frame_support::traits::IsSubType<frame_system::Call<T>>,
{
	fn contains(call: &C) -> bool {
		use frame_system::Call;
		matches!(
			call.is_sub_type(),
			Some(
				Call::set_code { .. }
					| Call::set_code_without_checks { .. }
					| Call::authorize_upgrade { .. }
					| Call::authorize_upgrade_without_checks { .. }
					| Call::set_storage { .. }
					| Call::kill_storage { .. }
					| Call::kill_prefix { .. }
					| Call::set_heap_pages { .. }
			)
		)
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::boxed::Box;
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::{Contains, IsSubType},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Dispatchable, Hash};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The runtime's call type: what [`Pallet::dispatch_as_root`] dispatches.
		type RuntimeCall: Parameter
			+ Dispatchable<RuntimeOrigin = Self::RuntimeOrigin, PostInfo = PostDispatchInfo>
			+ GetDispatchInfo
			+ IsSubType<Call<Self>>
			+ IsType<<Self as frame_system::Config>::RuntimeCall>;

		/// Origin of every Root dispatch: in the runtime, a 2/3 majority of the admin council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Origin additionally required for the calls of [`Config::RuntimeChanges`]: in the
		/// runtime, a 3/4 majority of the admin council.
		type UpgradeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The calls that change the runtime itself (its code, or raw state): dispatched as Root
		/// only with [`Config::UpgradeOrigin`].
		type RuntimeChanges: Contains<<Self as Config>::RuntimeCall>;

		/// Weight information for the call of this pallet.
		type WeightInfo: WeightInfo;
	}

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The council dispatched a call as Root, and it succeeded.
		DispatchedAsRoot {
			/// Hash of the encoded call (what the council's motion names, too).
			call_hash: T::Hash,
			/// Whether it was a runtime change, allowed only with the upgrade majority.
			runtime_change: bool,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The call changes the runtime (an upgrade, or a raw state write) and the motion was
		/// carried with the everyday majority only: propose it again with the upgrade threshold.
		NeedsUpgradeMajority,
		/// The call is itself a `dispatch_as_root`: dispatch the inner call directly.
		Nested,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Dispatch `call` with the Root origin. Needs [`Config::AdminOrigin`]; a call of
		/// [`Config::RuntimeChanges`] needs [`Config::UpgradeOrigin`] as well. Fails with the
		/// inner call's error when that call fails.
		#[pallet::call_index(0)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(
				<T as Config>::WeightInfo::dispatch_as_root().saturating_add(info.call_weight),
				info.class,
			)
		})]
		pub fn dispatch_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RuntimeCall>,
		) -> DispatchResultWithPostInfo {
			T::AdminOrigin::ensure_origin(origin.clone())?;
			if matches!(call.is_sub_type(), Some(Call::dispatch_as_root { .. })) {
				return Err(Error::<T>::Nested.into());
			}
			let runtime_change = T::RuntimeChanges::contains(&*call);
			if runtime_change && T::UpgradeOrigin::try_origin(origin).is_err() {
				return Err(Error::<T>::NeedsUpgradeMajority.into());
			}
			let call_hash = T::Hashing::hash_of(&call);
			let overhead = <T as Config>::WeightInfo::dispatch_as_root();
			let info = call.get_dispatch_info();
			let post =
				(*call).dispatch(frame_system::RawOrigin::Root.into()).map_err(|mut e| {
					e.post_info.actual_weight =
						Some(e.post_info.calc_actual_weight(&info).saturating_add(overhead));
					e
				})?;
			Self::deposit_event(Event::DispatchedAsRoot { call_hash, runtime_change });
			Ok(Some(post.calc_actual_weight(&info).saturating_add(overhead)).into())
		}
	}
}
