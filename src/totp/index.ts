export { TotpMfaProvider } from './provider.js';
export type { TotpMfaProviderOptions } from './options.js';
export { MemoryMfaStore } from './memory-store.js';
export { BUCKET_NAME, EXPIRED_SETUP_GRACE_MS } from './store.js';
export type {
  ListTrustedDevices,
  RevokeTrustedDevice,
  StoredTrustedDevice,
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceStore,
  TrustedDeviceUse,
  UseTrustedDevice,
} from './store-devices.js';
export type { MfaEvent, MfaEventListener, MfaEventType, MfaVerifyFailure } from './events.js';
export type { EncryptionKeyInput, EncryptionKeyOption } from './keyring.js';
export type {
  ActivatePending,
  AttemptBudget,
  AttemptClaim,
  AttemptClaimResult,
  AttemptLimit,
  AttemptWindow,
  ClaimTarget,
  DeleteFactor,
  MfaStore,
  MfaStoredState,
  RecoveryCodeUse,
  ReplaceRecoveryCodes,
  SavePending,
  StoredFactor,
  StoredPendingSetup,
  StoredSecret,
  UseRecoveryCode,
  UserQuery,
} from './store.js';
