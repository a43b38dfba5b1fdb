export { TotpMfaProvider } from './provider.js';
export type { TotpMfaProviderOptions } from './options.js';
export { MemoryMfaStore } from './memory-store.js';
export type { MfaEvent, MfaEventListener, MfaEventType, MfaVerifyFailure } from './events.js';
export type { EncryptionKeyInput, EncryptionKeyOption } from './keyring.js';
export type {
  AttemptClaim,
  AttemptClaimResult,
  AttemptWindow,
  ClaimTarget,
  MfaStore,
  MfaStoredState,
  StoredFactor,
  StoredPendingSetup,
  StoredSecret,
} from './store.js';
