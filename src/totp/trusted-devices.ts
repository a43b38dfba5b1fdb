import { randomUUID } from '../internal/crypto/index.js';
import { checkDeviceId, checkDeviceLabel } from '../internal/validation-devices.js';
import type { MfaTrustedDevice, MfaTrustedDeviceCheck, MfaTrustedDeviceGrant } from '../types-devices.js';
import { newDeviceToken, type DeviceTokenHasher } from './device-tokens.js';
import type { MfaEvent } from './events.js';
import type { GuardedStore } from './guarded-store.js';
import { stateChanged, stepUpInvalid } from './refusals.js';
import type { StepUpTokens } from './step-up-token.js';
import type { TrustedDeviceRecord } from './store-devices.js';

/** The parts the device operations work with, built once by the provider. */
export interface TrustedDeviceParts {
  store: GuardedStore;
  hasher: DeviceTokenHasher;
  tokens: StepUpTokens;
  emit: (event: MfaEvent) => void;
  /** `trustedDeviceTtlMs`: a fixed expiry from when the device was trusted. */
  ttlMs: number;
  /** `maxTrustedDevices`: the oldest beyond it are dropped. */
  maxDevices: number;
}

/**
 * The self-hosted provider's trusted devices ("don't ask again on this browser"). A device is trusted only on the
 * step-up token of a check that just passed, and for the factor that token names; the store keeps a keyed hash of
 * the token bound to the user id. At login, ONE `useTrustedDevice` answers whether the device counts and whether MFA
 * is on. A device token is never a step-up proof and never a code: the step-up gate and the code checks do not know
 * it, so it cannot change an account, however it is presented.
 */
export class TrustedDevices {
  readonly #parts: TrustedDeviceParts;

  constructor(parts: TrustedDeviceParts) {
    this.#parts = parts;
  }

  async trust(userId: string, label: string, stepUpToken: string, now: number): Promise<MfaTrustedDeviceGrant> {
    const { store, hasher, tokens, emit, ttlMs, maxDevices } = this.#parts;
    const cleanLabel = checkDeviceLabel(label);
    const claim = typeof stepUpToken === 'string' ? tokens.check(stepUpToken, userId, now) : null;
    if (claim === null) throw stepUpInvalid();
    const deviceToken = newDeviceToken();
    const record: TrustedDeviceRecord = {
      id: randomUUID(),
      label: cleanLabel,
      secretId: claim.secretId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + ttlMs,
    };
    const device = { ...record, tokenHash: hasher.hash(userId, deviceToken) };
    const answer = await store.trustDevice({ userId, device, maxDevices, now });
    // The factor the code was checked against is no longer the enabled one (disabled or replaced since): like a
    // verify whose factor changed under it, no success, and no token for a device that was not stored.
    if (answer.outcome === 'stale') throw stateChanged();
    const at = new Date(now);
    emit({
      type: 'device_trusted',
      userId,
      at,
      deviceId: record.id,
      label: record.label,
      expiresAt: new Date(record.expiresAt),
    });
    for (const dropped of answer.dropped) this.#revoked(userId, dropped, 'limit', at);
    return { deviceToken, device: publicDevice(record) };
  }

  async check(userId: string, deviceToken: string, now: number): Promise<MfaTrustedDeviceCheck> {
    const { store, hasher, emit } = this.#parts;
    // A string of another shape hashes to no candidate; the store is still asked, so it answers whether MFA is on
    // in the same round trip and the answer takes the same path whatever was sent.
    const candidateHashes = typeof deviceToken === 'string' ? hasher.candidates(userId, deviceToken) : [];
    const answer = await store.useTrustedDevice({ userId, candidateHashes, now });
    if (answer.outcome === 'untrusted') return { trusted: false, mfaEnabled: answer.factorEnabled };
    const { id, label } = answer.device;
    emit({ type: 'device_used', userId, at: new Date(now), deviceId: id, label });
    return { trusted: true, mfaEnabled: true };
  }

  async list(userId: string, now: number): Promise<MfaTrustedDevice[]> {
    return (await this.#parts.store.listTrustedDevices({ userId, now })).map(publicDevice);
  }

  async revoke(userId: string, deviceId: string, now: number): Promise<boolean> {
    const removed = await this.#parts.store.revokeTrustedDevice({ userId, deviceId: checkDeviceId(deviceId) });
    if (removed === null) return false;
    this.#revoked(userId, removed, 'revoked', new Date(now));
    return true;
  }

  async revokeAll(userId: string, now: number): Promise<number> {
    const removed = await this.#parts.store.revokeTrustedDevices({ userId, now });
    const at = new Date(now);
    for (const device of removed) this.#revoked(userId, device, 'revoked', at);
    return removed.length;
  }

  #revoked(userId: string, device: TrustedDeviceRecord, reason: 'revoked' | 'limit', at: Date): void {
    this.#parts.emit({ type: 'device_revoked', userId, at, deviceId: device.id, label: device.label, reason });
  }
}

/** A device as the app sees it: times as Dates; never the token's hash or the factor's id. */
function publicDevice({ id, label, createdAt, lastUsedAt, expiresAt }: TrustedDeviceRecord): MfaTrustedDevice {
  return {
    id,
    label,
    createdAt: new Date(createdAt),
    lastUsedAt: new Date(lastUsedAt),
    expiresAt: new Date(expiresAt),
  };
}
