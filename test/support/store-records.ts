import type { MfaStore, StoredPendingSetup, TrustedDeviceStore } from '../../src/totp/index.js';

/** The instant and attempt window the store contract suites call every operation with. */
export const NOW = Date.UTC(2025, 0, 2, 15, 4, 10);
export const WINDOW = 15 * 60 * 1000;

let serial = 0;
/** A user id no other test or process uses, so suites can share one Redis and one PostgreSQL. */
export const newUser = () => `user-${process.pid}-${++serial}-${Math.random().toString(36).slice(2)}`;

/** A pending setup record as the provider would store it (the sealed secret is a well-formed placeholder). */
export const pending = (overrides: Partial<StoredPendingSetup> = {}): StoredPendingSetup => ({
  secretId: `s-${Math.random().toString(36).slice(2)}`,
  sealedSecret: 'v1.k1.aXY.dGFn.Y2lwaGVy',
  lastStep: null,
  createdAt: NOW,
  expiresAt: NOW + 600_000,
  confirmed: false,
  ...overrides,
});

/** The trusted-device operations of `MfaStore` (store-devices.ts). */
export const TRUSTED_DEVICE_OPERATIONS = [
  'trustDevice',
  'useTrustedDevice',
  'listTrustedDevices',
  'revokeTrustedDevice',
  'revokeTrustedDevices',
] as const;

/** Every `MfaStore` operation (contract v2, with trusted devices): what a custom store implements. */
export const STORE_OPERATIONS = [
  'load',
  'savePending',
  'attemptAndClaim',
  'activatePending',
  'useRecoveryCode',
  'replaceRecoveryCodes',
  'deleteFactor',
  'clearAttempts',
  ...TRUSTED_DEVICE_OPERATIONS,
] as const;

/**
 * Every operation of `base` but `load` and `attemptAndClaim`, bound: a custom test store spreads this and writes the
 * two answers it bends (or counts) itself.
 */
export function otherOperationsOf(base: MfaStore): Omit<MfaStore, 'name' | 'load' | 'attemptAndClaim'> {
  return {
    savePending: (request) => base.savePending(request),
    activatePending: (request) => base.activatePending(request),
    useRecoveryCode: (request) => base.useRecoveryCode(request),
    replaceRecoveryCodes: (request) => base.replaceRecoveryCodes(request),
    deleteFactor: (request) => base.deleteFactor(request),
    clearAttempts: (query) => base.clearAttempts(query),
    ...trustedDevicesOf(base),
  };
}

/** The trusted-device operations of `base`, bound: for a custom test store that bends only the other answers. */
export function trustedDevicesOf(base: MfaStore): TrustedDeviceStore {
  return {
    trustDevice: (request) => base.trustDevice(request),
    useTrustedDevice: (request) => base.useTrustedDevice(request),
    listTrustedDevices: (request) => base.listTrustedDevices(request),
    revokeTrustedDevice: (request) => base.revokeTrustedDevice(request),
    revokeTrustedDevices: (request) => base.revokeTrustedDevices(request),
  };
}
