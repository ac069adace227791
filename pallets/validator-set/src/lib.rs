//! # Validator Set Pallet
//!
//! The validator set of a permissioned Aura + GRANDPA chain, changed only by governance.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, events, errors and storage.
//!
//! ## Overview
//!
//! A validator is an account (who answers for the node) with two public keys: its Aura key, which
//! authors blocks, and its GRANDPA key, which votes on finality. [`Config::AdminOrigin`] (in the
//! runtime: a 2/3 majority of the admin council) adds, removes and re-keys validators. There are
//! no sessions, stakes or rewards: the set is exactly what governance decided.
//!
//! A change is applied at the **start of the next block** (`on_initialize`), so several changes
//! voted in one block become one new set:
//!
//! - **Aura** switches at once: from that block on, slots are assigned over the new list.
//! - **GRANDPA** gets the new set as a *standard* scheduled change signalled in that block. The
//!   outgoing set must finalize that block; from then on the new set votes, under the next set id.
//!   With three validators GRANDPA needs all three votes (the threshold is `n - (n - 1) / 3`), so
//!   a standard change cannot pass while one of the three is down.
//! - For exactly that case, [`Pallet::force_change`] signals a *forced* change: nodes adopt the new
//!   set once the signalling block is `delay` blocks deep in their best chain, without finality, and
//!   resume finalizing from `best_finalized`. It is the documented recovery from a validator that
//!   is gone for good.
//!
//! [`Event::ValidatorSetApplied`] tells when a set took effect and under which GRANDPA set id.
//!
//! ## Low Level / Implementation Details
//!
//! The pallet writes `pallet_aura`'s authorities and schedules changes through `pallet_grandpa`'s
//! public functions; the chain must not also configure `pallet_session` over them. At genesis it
//! initializes both from its own list (or checks that their genesis lists agree with it).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use polkadot_sdk::{
	frame_support, frame_system, pallet_aura, pallet_grandpa, sp_consensus_aura,
	sp_consensus_grandpa, sp_core, sp_io, sp_runtime,
};

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod weights;
pub use weights::*;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::validator-set";

/// The Aura (block authoring) key of a validator.
pub type AuraId = sp_consensus_aura::sr25519::AuthorityId;
/// The GRANDPA (finality voting) key of a validator.
pub type GrandpaId = sp_consensus_grandpa::AuthorityId;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::Zero, Saturating};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// One validator: the account that answers for it and its two consensus keys.
	#[derive(
		Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
	)]
	pub struct Validator<AccountId> {
		/// The account that answers for this validator (its operator).
		pub account: AccountId,
		/// Aura key: authors blocks.
		pub aura: AuraId,
		/// GRANDPA key: votes on finality.
		pub grandpa: GrandpaId,
	}

	impl<AccountId: PartialEq> Validator<AccountId> {
		/// Whether this validator uses either of these keys.
		pub fn uses_key(&self, aura: &AuraId, grandpa: &GrandpaId) -> bool {
			&self.aura == aura || &self.grandpa == grandpa
		}
	}

	/// The index of the first validator that repeats an earlier one's account or key.
	fn first_repeat<AccountId: PartialEq>(set: &[Validator<AccountId>]) -> Option<usize> {
		(0..set.len()).find(|&i| {
			let v = &set[i];
			set[..i].iter().any(|w| w.account == v.account || w.uses_key(&v.aura, &v.grandpa))
		})
	}

	/// A forced GRANDPA change waiting to be applied: `(delay, best_finalized)`.
	pub type ForcedChange<T> = (BlockNumberFor<T>, BlockNumberFor<T>);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config
		+ pallet_aura::Config<AuthorityId = AuraId>
		+ pallet_grandpa::Config
	{
		/// Origin that may change the validator set: in the runtime, a 2/3 majority of the admin
		/// council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Most validators at once. At most the `MaxAuthorities` of Aura and of GRANDPA.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Fewest validators: removing below this is refused. At least 1.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;
	}

	/// The validator set, in authoring order. Aura and GRANDPA follow it from the block after it
	/// changed.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<Validator<T::AccountId>, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since it was last handed to Aura and GRANDPA.
	#[pallet::storage]
	pub type ChangePending<T> = StorageValue<_, bool, ValueQuery>;

	/// Set by [`Pallet::force_change`]: the next application is a forced GRANDPA change.
	#[pallet::storage]
	pub type NextChangeForced<T: Config> = StorageValue<_, ForcedChange<T>, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first validators: `(account, aura key, grandpa key)`.
		pub validators: Vec<(T::AccountId, AuraId, GrandpaId)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let validators: Vec<_> = self
				.validators
				.iter()
				.cloned()
				.map(|(account, aura, grandpa)| Validator { account, aura, grandpa })
				.collect();
			if let Some(i) = first_repeat(&validators) {
				panic!("validator-set genesis: validator {i} repeats an account or key");
			}
			let bounded = BoundedVec::<_, T::MaxValidators>::try_from(validators)
				.expect("validator-set genesis: more validators than MaxValidators");
			let auras: Vec<AuraId> = bounded.iter().map(|v| v.aura.clone()).collect();
			let grandpas: Vec<(GrandpaId, u64)> =
				bounded.iter().map(|v| (v.grandpa.clone(), 1)).collect();

			// Aura and GRANDPA either got no authorities of their own (we give them ours) or
			// must have exactly ours.
			let aura_now = pallet_aura::Authorities::<T>::get().into_inner();
			if aura_now.is_empty() {
				pallet_aura::Pallet::<T>::initialize_authorities(&auras);
			} else {
				assert_eq!(aura_now, auras, "validator-set genesis: Aura authorities differ");
			}
			let grandpa_now = pallet_grandpa::Pallet::<T>::grandpa_authorities();
			if grandpa_now.is_empty() {
				pallet_grandpa::Authorities::<T>::put(
					WeakBoundedVec::try_from(grandpas)
						.expect("validator-set genesis: more validators than GRANDPA allows"),
				);
				pallet_grandpa::SetIdSession::<T>::insert(0, 0);
			} else {
				assert_eq!(
					grandpa_now, grandpas,
					"validator-set genesis: GRANDPA authorities differ"
				);
			}
			Validators::<T>::put(bounded);
		}
	}

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` was voted in as a validator; it takes part from the next block.
		ValidatorAdded {
			/// The new validator's account.
			who: T::AccountId,
		},
		/// `who` was voted out; it stops taking part from the next block.
		ValidatorRemoved {
			/// The removed validator's account.
			who: T::AccountId,
		},
		/// `who`'s consensus keys were replaced; the new keys count from the next block.
		KeysChanged {
			/// The re-keyed validator's account.
			who: T::AccountId,
		},
		/// The next set change (not this call) will be a forced GRANDPA change: nodes adopt it `delay` blocks
		/// after it is signalled, without finality, resuming from block `best_finalized`.
		ForcedChangeRequested {
			/// Blocks between signalling and adopting the new set.
			delay: BlockNumberFor<T>,
			/// The finalized block nodes resume from.
			best_finalized: BlockNumberFor<T>,
		},
		/// A new validator set took effect: Aura authors from this block on, GRANDPA votes under
		/// `grandpa_set_id` once this block is final (standard change) or `delay` blocks deep
		/// (forced change).
		ValidatorSetApplied {
			/// The validators' accounts, in authoring order.
			validators: BoundedVec<T::AccountId, T::MaxValidators>,
			/// The GRANDPA set id the new set votes under.
			grandpa_set_id: u64,
			/// Whether this was a forced GRANDPA change.
			forced: bool,
		},
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a validator.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The set is full (`MaxValidators`).
		TooManyValidators,
		/// Removing would leave fewer than `MinValidators`.
		TooFewValidators,
		/// Another validator already uses this Aura or GRANDPA key.
		KeyInUse,
		/// GRANDPA allows one forced change per twice its delay; the last one is too recent.
		ForcedChangeTooSoon,
		/// `best_finalized` lies in the future.
		BadFinalizedBlock,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			if ChangePending::<T>::get() {
				Self::apply();
				<T as Config>::WeightInfo::apply_change(T::MaxValidators::get())
			} else {
				T::DbWeight::get().reads(1)
			}
		}

		fn integrity_test() {
			assert!(T::MinValidators::get() >= 1, "MinValidators must be at least 1");
			assert!(T::MinValidators::get() <= T::MaxValidators::get());
			assert!(
				T::MaxValidators::get() <= <T as pallet_aura::Config>::MaxAuthorities::get(),
				"MaxValidators exceeds Aura's MaxAuthorities"
			);
			assert!(
				T::MaxValidators::get() <= <T as pallet_grandpa::Config>::MaxAuthorities::get(),
				"MaxValidators exceeds GRANDPA's MaxAuthorities"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `who` as a validator with its Aura and GRANDPA public keys (from the node's
		/// `author_rotateKeys`, or `key inspect` of its key files). It authors and votes from the
		/// next block on.
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::ValidatorAdded`].
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::add_validator(T::MaxValidators::get()))]
		pub fn add_validator(
			origin: OriginFor<T>,
			who: T::AccountId,
			aura: AuraId,
			grandpa: GrandpaId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			ensure!(!set.iter().any(|v| v.account == who), Error::<T>::AlreadyValidator);
			ensure!(!set.iter().any(|v| v.uses_key(&aura, &grandpa)), Error::<T>::KeyInUse);
			set.try_push(Validator { account: who.clone(), aura, grandpa })
				.map_err(|_| Error::<T>::TooManyValidators)?;
			Self::store(set);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Remove validator `who`. It stops authoring and voting from the next block on.
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::ValidatorRemoved`].
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::remove_validator(T::MaxValidators::get()))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			let index =
				set.iter().position(|v| v.account == who).ok_or(Error::<T>::NotValidator)?;
			ensure!(set.len() as u32 > T::MinValidators::get(), Error::<T>::TooFewValidators);
			set.remove(index);
			Self::store(set);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// Replace the consensus keys of validator `who` (key rotation, or a rebuilt host).
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::KeysChanged`].
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::set_keys(T::MaxValidators::get()))]
		pub fn set_keys(
			origin: OriginFor<T>,
			who: T::AccountId,
			aura: AuraId,
			grandpa: GrandpaId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			let index =
				set.iter().position(|v| v.account == who).ok_or(Error::<T>::NotValidator)?;
			ensure!(
				!set.iter().any(|v| v.account != who && v.uses_key(&aura, &grandpa)),
				Error::<T>::KeyInUse
			);
			set[index].aura = aura;
			set[index].grandpa = grandpa;
			Self::store(set);
			Self::deposit_event(Event::KeysChanged { who });
			Ok(())
		}

		/// Make the next set change a *forced* GRANDPA change, for when finality is stalled
		/// because validators are gone (with three validators, one is enough). Pass it before the
		/// [`Pallet::remove_validator`] of the lost validator (or in the same block); it changes
		/// nothing by itself. Read `best_finalized` from any node (`chain_getFinalizedHead`).
		///
		/// Nodes adopt the new set once the signalling block is `delay` blocks deep in their best
		/// chain, and resume finalizing from `best_finalized`. GRANDPA allows one forced change
		/// per `2 * delay` blocks.
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::ForcedChangeRequested`].
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::force_change())]
		pub fn force_change(
			origin: OriginFor<T>,
			delay: BlockNumberFor<T>,
			best_finalized: BlockNumberFor<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(best_finalized <= now, Error::<T>::BadFinalizedBlock);
			// The change is signalled in the next block: GRANDPA refuses it there if its last
			// forced change does not lie `2 * delay` blocks back by then.
			let next = now.saturating_add(1u32.into());
			ensure!(
				pallet_grandpa::NextForced::<T>::get().is_none_or(|allowed| allowed <= next),
				Error::<T>::ForcedChangeTooSoon
			);
			NextChangeForced::<T>::put((delay, best_finalized));
			Self::deposit_event(Event::ForcedChangeRequested { delay, best_finalized });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The current validators' accounts, in authoring order.
		pub fn accounts() -> Vec<T::AccountId> {
			Validators::<T>::get().into_iter().map(|v| v.account).collect()
		}

		fn store(set: BoundedVec<Validator<T::AccountId>, T::MaxValidators>) {
			Validators::<T>::put(set);
			ChangePending::<T>::put(true);
		}

		/// Hand the set to Aura and GRANDPA. Runs in `on_initialize`, where no GRANDPA change
		/// can be pending: one with delay 0 is enacted in the `on_finalize` of the block that
		/// signalled it, and a forced one is only ever signalled here.
		pub(crate) fn apply() {
			if pallet_grandpa::PendingChange::<T>::exists() {
				// A forced change with a delay is still maturing: try again next block.
				log::info!(target: LOG_TARGET, "GRANDPA change pending; set change deferred");
				return;
			}
			let set = Validators::<T>::get();
			let forced = NextChangeForced::<T>::get();
			let authorities: Vec<(GrandpaId, u64)> =
				set.iter().map(|v| (v.grandpa.clone(), 1)).collect();
			let scheduled = match forced {
				Some((delay, best_finalized)) => pallet_grandpa::Pallet::<T>::schedule_change(
					authorities,
					delay,
					Some(best_finalized),
				),
				None => {
					pallet_grandpa::Pallet::<T>::schedule_change(authorities, Zero::zero(), None)
				},
			};
			if let Err(e) = scheduled {
				log::warn!(target: LOG_TARGET, "GRANDPA refused the set change ({e:?}); retrying");
				return;
			}
			let set_id = pallet_grandpa::CurrentSetId::<T>::mutate(|id| {
				*id += 1;
				*id
			});
			let auras: Vec<AuraId> = set.iter().map(|v| v.aura.clone()).collect();
			// `integrity_test` guarantees MaxValidators <= Aura's MaxAuthorities.
			pallet_aura::Pallet::<T>::change_authorities(BoundedVec::truncate_from(auras));
			ChangePending::<T>::kill();
			NextChangeForced::<T>::kill();
			let validators =
				BoundedVec::truncate_from(set.into_iter().map(|v| v.account).collect::<Vec<_>>());
			Self::deposit_event(Event::ValidatorSetApplied {
				validators,
				grandpa_set_id: set_id,
				forced: forced.is_some(),
			});
		}

		/// Invariants: no account or key twice; while no change is pending, Aura's authorities
		/// are exactly the validators' Aura keys.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			ensure!(first_repeat(&set).is_none(), "a validator account or key appears twice");
			if !ChangePending::<T>::get() {
				let auras: Vec<AuraId> = set.iter().map(|v| v.aura.clone()).collect();
				ensure!(
					pallet_aura::Authorities::<T>::get().into_inner() == auras,
					"Aura authorities differ from the validator set"
				);
			}
			Ok(())
		}
	}
}
