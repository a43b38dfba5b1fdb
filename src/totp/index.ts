export { TotpMfaProvider } from './provider.js';
export type { TotpMfaProviderOptions } from './options.js';
export { MemoryMfaStore } from './memory-store.js';
export { withAttemptAndClaim } from './with-attempt-and-claim.js';
export type { MfaEvent, MfaEventListener, MfaEventType, MfaVerifyFailure } from './events.js';
export type { EncryptionKeyInput, EncryptionKeyOption } from './keyring.js';
export type {
  ActivatePending,
  AttemptBegun,
  AttemptClaim,
  AttemptClaimResult,
  AttemptWindow,
  BeginAttempt,
  ClaimTarget,
  ConsumeRecoveryCode,
  MfaStore,
  MfaStoreOperations,
  MfaStoredState,
  ReplaceRecoveryCodes,
  SavePending,
  StepClaim,
  StoredFactor,
  StoredPendingSetup,
  StoredSecret,
  UserQuery,
} from './store.js';
